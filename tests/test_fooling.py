"""Fooling in the 8×8 block space: the enlargement against convviz.drawing, the block gradient against
finite differences, and each change against the network's own answer."""

import numpy as np
import pytest

from convviz import drawing
from convviz.attribution import logit_gradients
from convviz.fooling import block_gradient, changed_image, enlarged_change, fool_towards
from convviz.tiny_cnn import forward


@pytest.fixture(scope="module")
def network(stored_network):
    return stored_network


def test_a_change_of_the_blocks_enlarges_as_the_digits_do():
    counts = np.random.default_rng(0).integers(0, 17, (8, 8))
    # Added to a black image, a change of the counts is the digit those counts make.
    np.testing.assert_array_equal(
        changed_image(np.zeros((28, 28), dtype=np.uint8), counts), drawing.enlarge(counts)[0]
    )
    # The enlargement is linear.
    other = np.random.default_rng(1).normal(size=(8, 8))
    np.testing.assert_allclose(
        enlarged_change(counts + 2 * other), enlarged_change(counts) + 2 * enlarged_change(other), atol=1e-9
    )


def test_block_gradient_equals_finite_differences(network):
    params, images, labels = network
    image, label = images[3].astype(np.float64), int(labels[3])
    base = np.random.default_rng(2).normal(0, 0.3, (8, 8))  # away from the ties of the flat background

    def score(delta):
        x = (image + enlarged_change(delta)) / 255.0
        return forward(params, x[None, :, :, None])[0, label]

    x = (image + enlarged_change(base)) / 255.0
    found = block_gradient(logit_gradients(params, x[None], np.array([label]))[0])
    step = 1e-5
    expected = np.empty((8, 8))
    for r in range(8):
        for c in range(8):
            plus, minus = base.copy(), base.copy()
            plus[r, c] += step
            minus[r, c] -= step
            expected[r, c] = (score(plus) - score(minus)) / (2 * step)
    np.testing.assert_allclose(found, expected, atol=1e-4)
    assert np.abs(expected).max() > 0.01


@pytest.mark.parametrize(("index", "target"), [(0, 5), (1, 8), (2, 1), (3, 9)])
def test_the_change_makes_the_network_answer_the_target_and_one_step_less_does_not(network, index, target):
    params, images, labels = network
    assert labels[index] != target
    found = fool_towards(params, images[index], target)
    assert found["reached"] and found["steps"] >= 1
    assert np.abs(found["delta"]).max() <= found["steps"]
    np.testing.assert_array_equal(found["image"], changed_image(images[index], found["delta"]))
    logits = forward(params, (found["image"] / 255.0)[None, :, :, None])[0]
    assert logits.argmax() == target
    np.testing.assert_allclose(found["probabilities"], np.exp(logits) / np.exp(logits).sum(), atol=1e-12)
    fewer = fool_towards(params, images[index], target, max_steps=found["steps"] - 1)
    assert not fewer["reached"] and fewer["steps"] == found["steps"] - 1
    assert forward(params, (fewer["image"] / 255.0)[None, :, :, None])[0].argmax() != target


def test_no_change_when_the_target_is_already_the_answer_and_bad_arguments_are_named(network):
    params, images, labels = network
    answer = int(forward(params, (images[0] / 255.0)[None, :, :, None])[0].argmax())
    found = fool_towards(params, images[0], answer)
    assert found["reached"] and found["steps"] == 0 and not found["delta"].any()
    for arguments, name in [
        ((images[0], 10), "target"),
        ((images[0] / 255.0, 3), "image"),
        ((images[0][:27], 3), "image"),
    ]:
        with pytest.raises(ValueError, match=f"^{name} "):
            fool_towards(params, *arguments)
    with pytest.raises(ValueError, match="^max_steps "):
        fool_towards(params, images[0], 3, max_steps=-1)
