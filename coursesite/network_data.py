"""The data of the in-page network explorer, written as a small JavaScript file.

Everything comes from the weights file the learners download
(``tiny_cnn_weights.npz``): the six parameter arrays as the bytes of
little-endian float64 in base64 (the page decodes them into Float64Array, so
every weight arrives exactly). The digits travel as scikit-learn stores them, 8×8 block
counts (uint8 bytes, with their labels and the split's seed): the page enlarges them and
splits them into training and test digits as :func:`convviz.tiny_cnn.load_digit_split` does,
for the explorer's test digits and for training in the page with the recipe of
:func:`convviz.tiny_cnn.train`, whose settings travel too. The drawing constants of
:mod:`convviz.drawing` travel with them, one drawn digit of each class from the project's
held-out drawings (:mod:`convviz.drawn_digits`) for the explorer to open with, and the colours of
signed values (:data:`convviz.plotting.SIGNED_STOPS`, orange positive, purple
negative, as in the figures) for the occlusion map, the largest weight training
gives (the downloads' ``MAX_WEIGHT``): the page checks the file against it, the
initial weights (``initial_params``) for the attribution panel's sanity check, and the
settings of its integrated gradients and SmoothGrad (:mod:`convviz.attribution_methods`).
"""

import base64

import numpy as np
from matplotlib.colors import to_rgb

from convviz import attribution_methods, augmentation, drawing, tiny_cnn
from convviz.downloads import load_download
from convviz.drawn_digits import drawings, prepared
from convviz.plotting import SIGNED_STOPS
from convviz.tiny_cnn import PARAMETER_NAMES, as_input, forward, init_parameters, load_weights
from coursesite.explorer_data import as_script
from coursesite.paths import GENERATED_DIR

WEIGHTS_NAME = "tiny_cnn_weights.npz"
#: The training history save_weights stores, one number per epoch each.
HISTORY_NAMES = ("loss", "train_accuracy", "test_accuracy")


def weights_path():
    """The weights file the build writes and the learners download."""
    return GENERATED_DIR / WEIGHTS_NAME


def encoded(array, dtype):
    """{"shape": [...], "data": base64 of the C-order bytes of array as dtype (little-endian)}."""
    array = np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"shape": list(array.shape), "data": base64.b64encode(array.tobytes()).decode()}


#: The digit the explorer opens with (its drawn example comes first).
FIRST_EXAMPLE = 3


def drawn_examples(weights):
    """One held-out drawing per digit, FIRST_EXAMPLE first, as [{"name", "label", "strokes"}].

    For each digit: the first drawing 12-15 cells tall and not centred that the
    network reads right (so the explorer shows the scaling and the centring at
    work), else the first drawing of that digit.
    """
    found = drawings("test")
    images, labels = prepared(found)
    right = forward(weights, as_input(images)).argmax(axis=1) == labels
    examples = []
    for digit in [FIRST_EXAMPLE] + [d for d in range(10) if d != FIRST_EXAMPLE]:
        mine = [i for i, drawn in enumerate(found) if drawn.label == digit]
        telling = [
            i
            for i in mine
            if right[i] and found[i].size_group == "12-15 cells" and found[i].position_group != "centred"
        ]
        chosen = found[(telling or mine)[0]]
        examples.append(
            {
                "name": f"a {digit}, {chosen.style}, {chosen.height:.0f} cells tall",
                "label": digit,
                "strokes": chosen.strokes,
            }
        )
    return examples


def drawing_constants():
    """The constants of :mod:`convviz.drawing` the page's twin (drawing.js) needs, by its names."""
    return {
        "grid": drawing.GRID,
        "bitmap": drawing.BITMAP,
        "block": drawing.BLOCK,
        "pen_width": drawing.PEN_WIDTH,
        "gray_per_count": drawing.GRAY_PER_COUNT,
        "ink_width": drawing.INK_WIDTH,
        "ink_height": drawing.INK_HEIGHT,
        "centre": drawing.CENTRE,
        "max_scale": drawing.MAX_SCALE,
        "max_stretch": drawing.MAX_STRETCH,
    }


def digits_data():
    """Every digit as 8×8 block counts, its label, and how load_digit_split splits them."""
    counts, labels = tiny_cnn.load_digit_counts()
    return {
        "counts": encoded(counts, np.uint8),
        "labels": [int(label) for label in labels],
        "split_seed": tiny_cnn.SEED,
        "test_fraction": tiny_cnn.TEST_FRACTION,
    }


def training_settings():
    """The defaults of convviz.tiny_cnn.train, by the names training.js gives them."""
    return {
        "seed": tiny_cnn.SEED,
        "epochs": tiny_cnn.EPOCHS,
        "learning_rate": tiny_cnn.LEARNING_RATE,
        "batch_size": tiny_cnn.BATCH_SIZE,
        "ranges": dict(augmentation.RANGES),
    }


def attribution_settings():
    """The defaults of convviz.attribution_methods the attribution panel computes its maps with."""
    return {
        "integrated_gradients_steps": attribution_methods.INTEGRATED_GRADIENTS_STEPS,
        "smoothgrad": {
            "samples": attribution_methods.SMOOTHGRAD_SAMPLES,
            "noise": attribution_methods.SMOOTHGRAD_NOISE,
            "seed": attribution_methods.SMOOTHGRAD_SEED,
        },
    }


def network_data(weights):
    """The explorer's data from a dict of arrays as load_weights returns it."""
    return {
        # The page refuses weights beyond what training gives, as the downloads' loader does.
        "limits": {"max_weight": load_download("self_check").MAX_WEIGHT},
        "params": {name: encoded(weights[name], np.float64) for name in PARAMETER_NAMES},
        # Where the weights' training started, and its history: the page's download holds them too.
        "start": {f"{name}_init": encoded(weights[f"{name}_init"], np.float64) for name in ("W1", "W2")},
        "history": {name: [float(v) for v in weights[name]] for name in HISTORY_NAMES},
        "digits": digits_data(),
        "training": training_settings(),
        "drawing": drawing_constants(),
        "examples": drawn_examples(weights),
        "signed_colours": [[round(255 * c) for c in to_rgb(colour)] for colour in SIGNED_STOPS],
        "initial_params": {k: encoded(value, np.float64) for k, value in initial_params(weights).items()},
        "attribution": attribution_settings(),
    }


def initial_params(weights):
    """The network's weights before training, for the sanity check's re-initialised layers.

    :func:`convviz.tiny_cnn.init_parameters` draws them again from the training's
    seed; conv1's and conv2's must equal the W1_init and W2_init the weights file keeps.
    """
    initial = init_parameters()
    for name in ("W1", "W2"):
        if f"{name}_init" not in weights:
            raise ValueError(f"the weights hold no {name}_init (the initial weights save_weights writes)")
        if not np.array_equal(initial[name], weights[f"{name}_init"]):
            raise ValueError(f"the weights file's {name}_init is not what init_parameters() draws")
    return initial


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
