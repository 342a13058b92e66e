"""The blob kernel does what part 1 says; parameter_counts agrees with the arrays it counts."""

import numpy as np
import pytest
from scipy import ndimage

from convviz.kernels import KERNELS, LABELS
from convviz.tiny_cnn import init_parameters, parameter_counts


def test_blob_answers_a_bright_spot_and_ignores_flat_ground():
    blob = KERNELS["blob"]
    flat = np.full((9, 9), 37.0)
    assert np.abs(ndimage.correlate(flat, blob, mode="nearest")).max() < 1e-12
    spot = np.zeros((9, 9))
    spot[4, 4] = 1.0
    bright = ndimage.correlate(spot, blob, mode="constant")
    assert np.unravel_index(bright.argmax(), bright.shape) == (4, 4)
    assert bright[4, 4] > 0 and bright.max() > -bright.min()
    dark = ndimage.correlate(1.0 - spot, blob, mode="nearest")
    assert np.unravel_index(dark.argmin(), dark.shape) == (4, 4) and dark[4, 4] < 0


def test_blob_is_the_centre_minus_a_gaussian_blur():
    """Centre-surround as part 1 describes it: positive centre, edge neighbours twice the corners."""
    blob = KERNELS["blob"]
    impulse = np.zeros((3, 3))
    impulse[1, 1] = 1.0
    blurred = ndimage.gaussian_filter(impulse, sigma=0.85, mode="constant", truncate=1.2)
    assert blob[1, 1] > 0 and (np.delete(blob.ravel(), 4) < 0).all()
    assert blob[0, 1] == 2 * blob[0, 0] and abs(blob.sum()) < 1e-12
    # Same shape as impulse − gaussian blur, up to a positive factor.
    difference = impulse - blurred / blurred.sum()
    assert np.corrcoef(difference.ravel(), blob.ravel())[0, 1] > 0.99
    assert LABELS["blob"] == "Blob"


def test_parameter_counts_are_the_array_sizes():
    params = init_parameters()
    counts = parameter_counts(params)
    assert [c["layer"] for c in counts] == ["conv1", "conv2", "dense"]
    pairs = [("W1", "b1"), ("W2", "b2"), ("W3", "b3")]
    for count, (w, b) in zip(counts, pairs):
        assert count["weight_shape"] == params[w].shape
        assert count["weights"] == params[w].size and count["biases"] == params[b].size
        assert count["total"] == params[w].size + params[b].size
    assert sum(c["total"] for c in counts) == sum(array.size for array in params.values())


def test_parameter_counts_follow_other_shapes_and_name_what_is_missing():
    params = {
        "W1": np.zeros((6, 5, 5, 3)),
        "b1": np.zeros(6),
        "W2": np.zeros((2, 3, 3, 6)),
        "b2": np.zeros(2),
        "W3": np.zeros((4, 7)),
        "b3": np.zeros(4),
    }
    assert [c["total"] for c in parameter_counts(params)] == [6 * 75 + 6, 2 * 54 + 2, 28 + 4]
    del params["b2"]
    with pytest.raises(ValueError, match="b2"):
        parameter_counts(params)
