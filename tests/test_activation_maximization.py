"""Top-activating digits, receptive fields and class models, against sorting and perturbation."""

import numpy as np
import pytest

from convviz.activation_maximization import (
    class_models,
    class_scores,
    receptive_field,
    second_layer_top9,
    top_activating,
)
from convviz.layers import conv2d, maxpool2d, relu
from convviz.tiny_cnn import as_input, forward_layers, trained_network


@pytest.fixture(scope="module")
def network():
    params, _, _, (_, _, test_x, test_y) = trained_network()
    return params, as_input(test_x)[..., 0], test_y


def top9_by_sorting(activations, channel):
    """The first nine distinct inputs when all (value, input, position) are sorted, largest first."""
    n, h, w, _ = activations.shape
    values = activations[..., channel].ravel()
    order = sorted(range(values.size), key=lambda k: (-values[k], k))
    chosen = []
    for k in order:
        digit, position = divmod(k, h * w)
        if digit not in [c[0] for c in chosen]:
            chosen.append((digit, position // w, position % w, values[k]))
        if len(chosen) == 9:
            return chosen


def test_top9_equals_a_sort_of_all_activations(network):
    params, images, _ = network
    conv2 = forward_layers(params, images[..., None])["conv2"]
    indices, rows, cols, values = second_layer_top9(params, images)
    assert indices.shape == (8, 9)
    for channel in range(8):
        expected = top9_by_sorting(conv2, channel)
        assert indices[channel].tolist() == [e[0] for e in expected]
        assert rows[channel].tolist() == [e[1] for e in expected]
        assert cols[channel].tolist() == [e[2] for e in expected]
        np.testing.assert_allclose(values[channel], [e[3] for e in expected])


def test_top_activating_on_a_small_example():
    activations = np.zeros((4, 2, 2, 1))
    activations[2, 1, 0, 0] = 5
    activations[0, 0, 1, 0] = 3
    activations[0, 1, 1, 0] = 4
    indices, rows, cols, values = top_activating(activations, 3)
    assert indices[0].tolist() == [2, 0, 1] and values[0].tolist() == [5, 4, 0]
    assert (rows[0, 0], cols[0, 0], rows[0, 1], cols[0, 1]) == (1, 0, 1, 1)
    with pytest.raises(ValueError, match="activations"):
        top_activating(activations, 5)


@pytest.mark.parametrize(("row", "col"), [(0, 0), (5, 9), (13, 13), (1, 12)])
def test_receptive_field_is_where_perturbations_reach(network, row, col):
    params, _, _ = network
    base = np.random.default_rng(row * 14 + col).random((28, 28))
    changed = np.zeros((28, 28), dtype=bool)
    for delta in (3.0, -3.0):
        batch = np.repeat(base[None], 784, axis=0).reshape(784, -1)
        batch[np.arange(784), np.arange(784)] += delta
        batch = np.concatenate([base[None].reshape(1, -1), batch]).reshape(-1, 28, 28, 1)
        pool1 = maxpool2d(relu(conv2d(batch, params["W1"], params["b1"])))
        unit = conv2d(pool1, params["W2"], params["b2"])[:, row, col, :]
        changed |= np.any(np.abs(unit[1:] - unit[0]) > 1e-12, axis=1).reshape(28, 28)
    top, bottom, left, right = receptive_field(row, col)
    inside = np.zeros((28, 28), dtype=bool)
    inside[top:bottom, left:right] = True
    np.testing.assert_array_equal(changed, inside)


def test_receptive_field_checks_its_arguments():
    with pytest.raises(ValueError, match="row"):
        receptive_field(14, 0)
    with pytest.raises(ValueError, match="col"):
        receptive_field(0, -1)


def test_class_models_raise_their_class_score_and_stay_in_range(network):
    params, images, labels = network
    short = class_models(params, steps=5, rate=0.2)
    long = class_models(params, steps=30, rate=0.2)
    assert long.shape == (10, 28, 28) and long.min() >= 0 and long.max() <= 1
    assert np.all(class_scores(params, long)[0] > class_scores(params, short)[0])
    probabilities = forward_layers(params, long[..., None])["probabilities"]
    assert probabilities.argmax(axis=1).tolist() == list(range(10))
    smooth = class_models(params, steps=30, rate=0.2, l2=0.05, blur_sigma=1.0)
    assert np.square(smooth).sum() < np.square(long).sum()
    with pytest.raises(ValueError, match="rate"):
        class_models(params, rate=-1.0)
