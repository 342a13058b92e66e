"""The data of the in-page network explorer, written as a small JavaScript file.

Everything comes from the weights file the learners download
(``tiny_cnn_weights.npz``): the six parameter arrays as the bytes of
little-endian float64 in base64 (the page decodes them into Float64Array, so
every weight arrives exactly), the stored test digits as uint8 bytes and their
labels. The drawing constants of :mod:`convviz.drawing` travel with them, and so
do the colours of signed values (:data:`convviz.plotting.SIGNED_STOPS`, orange
positive, purple negative, as in the figures) for the occlusion map.
"""

import base64

import numpy as np
from matplotlib.colors import to_rgb

from convviz import drawing
from convviz.explorer_data import as_script
from convviz.paths import GENERATED_DIR
from convviz.plotting import SIGNED_STOPS
from convviz.tiny_cnn import PARAMETER_NAMES, load_weights

WEIGHTS_NAME = "tiny_cnn_weights.npz"


def weights_path():
    """The weights file the build writes and the learners download."""
    return GENERATED_DIR / WEIGHTS_NAME


def encoded(array, dtype):
    """{"shape": [...], "data": base64 of the C-order bytes of array as dtype (little-endian)}."""
    array = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode()}


def network_data(weights):
    """The explorer's data from a dict of arrays as load_weights returns it."""
    return {
        "params": {name: encoded(weights[name], np.float64) for name in PARAMETER_NAMES},
        "test_images": encoded(weights["test_images"], np.uint8),
        "test_labels": [int(label) for label in weights["test_labels"]],
        "drawing": {
            "grid": drawing.GRID,
            "bitmap": drawing.BITMAP,
            "block": drawing.BLOCK,
            "pen_width": drawing.PEN_WIDTH,
            "gray_per_count": drawing.GRAY_PER_COUNT,
        },
        "signed_colours": [[round(255 * c) for c in to_rgb(colour)] for colour in SIGNED_STOPS],
    }


def network_script(path=None):
    """The JavaScript text that defines window.NETWORK_EXPLORER_DATA."""
    weights = load_weights(weights_path() if path is None else path)
    return as_script("NETWORK_EXPLORER_DATA", network_data(weights), __name__)


def write_network_script(target):
    """Write the data script to target (a pathlib.Path); without a weights file, write nothing."""
    if not weights_path().exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(network_script())
