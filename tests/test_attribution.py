"""Saliency, occlusion and the deletion check against finite differences and direct loops."""

import numpy as np
import pytest

from convviz.attribution import (
    deletion_check,
    input_gradient,
    input_gradients,
    mask_pixels,
    occlusion_map,
    probabilities,
)
from convviz.tiny_cnn import as_input, forward, softmax, trained_network


@pytest.fixture(scope="module")
def network():
    params, _, _, (_, _, test_x, test_y) = trained_network()
    return params, as_input(test_x)[..., 0], test_y


def logit(params, image, label):
    return forward(params, image[None, :, :, None])[0, label]


def one_sided_differences(params, image, label, step=1e-6):
    """(forward, backward) differences of logits[label] for every pixel of image."""
    shifted = np.repeat(image.reshape(1, -1), 2 * image.size, axis=0)
    pixels = np.arange(image.size)
    shifted[pixels, pixels] += step
    shifted[image.size + pixels, pixels] -= step
    values = forward(params, shifted.reshape(-1, 28, 28, 1))[:, label]
    base = logit(params, image, label)
    return (values[: image.size] - base) / step, (base - values[image.size :]) / step


@pytest.mark.parametrize("index", [0, 7, 100])
def test_input_gradient_equals_finite_differences_at_a_generic_input(network, index):
    # A little noise breaks the ties of the flat background, so the network is
    # differentiable there and both one-sided differences agree.
    params, images, labels = network
    noise = np.random.default_rng(index).random((28, 28))
    image, label = 0.9 * images[index] + 0.05 * noise, labels[index]
    ahead, behind = one_sided_differences(params, image, label)
    gradient = input_gradient(params, image, label)
    assert gradient.shape == (28, 28)
    np.testing.assert_allclose(gradient.ravel(), ahead, atol=1e-5)
    np.testing.assert_allclose(gradient.ravel(), behind, atol=1e-5)
    assert np.abs(gradient).max() > 0.01


def test_input_gradient_on_a_real_digit_where_it_is_differentiable(network):
    # On the digit itself the dark background makes max-pooling ties; where the
    # two one-sided differences agree the gradient must equal them.
    params, images, labels = network
    ahead, behind = one_sided_differences(params, images[0], labels[0])
    smooth = np.abs(ahead - behind) < 1e-6
    assert smooth.sum() > 200
    gradient = input_gradient(params, images[0], labels[0]).ravel()
    np.testing.assert_allclose(gradient[smooth], ahead[smooth], atol=1e-5)


def test_input_gradient_of_another_class_differs_and_batch_agrees(network):
    params, images, labels = network
    other = (int(labels[3]) + 1) % 10
    single = input_gradient(params, images[3], other)
    batch = input_gradients(params, images[:5], [other] * 5)
    np.testing.assert_allclose(batch[3], single, atol=1e-12)
    assert not np.allclose(single, input_gradient(params, images[3], labels[3]))


def test_occlusion_map_equals_a_direct_loop(network):
    params, images, labels = network
    image, label = images[11], int(labels[11])
    base = softmax(forward(params, image[None, :, :, None]))[0, label]
    expected = np.empty((12, 12))
    for a, i in enumerate(range(0, 23, 2)):
        for b, j in enumerate(range(0, 23, 2)):
            covered = image.copy()
            covered[i : i + 6, j : j + 6] = 0.5
            expected[a, b] = base - softmax(forward(params, covered[None, :, :, None]))[0, label]
    result = occlusion_map(params, image, label, value=0.5, measure="probability")
    assert result.shape == (12, 12)
    np.testing.assert_allclose(result, expected, atol=1e-12)


def test_occlusion_map_other_sizes_and_values(network):
    params, images, labels = network
    image, label = images[2], int(labels[2])
    result = occlusion_map(params, image, label, size=4, stride=3, value=0.0, measure="probability")
    corners = list(range(0, 25, 3))
    assert result.shape == (len(corners), len(corners))
    covered = image.copy()
    covered[corners[2] : corners[2] + 4, corners[5] : corners[5] + 4] = 0.0
    probs = probabilities(params, np.stack([image, covered]))[:, label]
    assert result[2, 5] == pytest.approx(probs[0] - probs[1], abs=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"image": np.zeros((28, 27))}, "image"),
        ({"image": np.full((28, 28), 1.5)}, "image"),
        ({"image": np.full((28, 28), np.nan)}, "image"),
        ({"label": 10}, "label"),
        ({"label": 2.0}, "label"),
        ({"size": 0}, "size"),
        ({"size": 29}, "size"),
        ({"stride": 0}, "stride"),
        ({"value": 2.0}, "value"),
    ],
)
def test_bad_arguments_name_themselves(network, kwargs, named):
    params, images, _ = network
    arguments = {"image": images[0], "label": 3, **kwargs}
    with pytest.raises(ValueError, match=named):
        if set(kwargs) <= {"image", "label"}:
            input_gradient(params, **arguments)
        occlusion_map(params, **arguments)


def test_mask_pixels_masks_the_highest_scores_only():
    rng = np.random.default_rng(1)
    images = rng.random((3, 28, 28)) + 0.5
    scores = rng.random((3, 28, 28))
    masked = mask_pixels(images, scores, 0.1)
    count = round(0.1 * 784)
    for image, score, result in zip(images, scores, masked):
        threshold = np.sort(score.ravel())[-count]
        np.testing.assert_array_equal(result == 0, score >= threshold)
        np.testing.assert_array_equal(result[score < threshold], image[score < threshold])


def test_deletion_check_by_hand(network):
    params, images, labels = network
    images, labels = images[:40], labels[:40]
    result = deletion_check(params, images, labels, repeats=1, seed=3)
    rows = np.arange(len(images))
    before = softmax(forward(params, images[..., None]))[rows, labels]
    saliency = np.abs(input_gradients(params, images, labels))
    masked = images.copy()
    for n in rows:
        top = np.argsort(saliency[n].ravel())[::-1][:78]
        masked[n].ravel()[top] = 0.0
    after = softmax(forward(params, masked[..., None]))[rows, labels]
    assert result["salient"] == pytest.approx(np.mean(before - after), abs=1e-12)
    assert result["salient"] > result["random"]


# -- Arguments that silently meant something else, or gave NaN (issue 23, P2) ---------------


@pytest.mark.parametrize("labels", [[-1], [10], [2.7], [2.0], [True], [[3]], [3, 4], "3", None])
def test_labels_that_are_not_one_class_per_image_are_refused(network, labels):
    """[-1] used to mean class 9; [10] and [2.7] raised IndexError."""
    params, images, _ = network
    with pytest.raises(ValueError, match="^labels must be"):
        input_gradients(params, images[:1], labels)
    with pytest.raises(ValueError, match="^labels must be"):
        deletion_check(params, images[:1], labels, repeats=1)


@pytest.mark.parametrize(
    "change",
    [
        lambda images: np.where(np.arange(784).reshape(28, 28) == 300, np.nan, images),
        lambda images: images + np.inf,
        lambda images: images * 2 + 0.1,
        lambda images: images - 0.5,
        lambda images: images[:, :27],
        lambda images: images[0],
        lambda images: images[:0],
        lambda images: images.astype(str),
    ],
    ids=["nan", "inf", "above 1", "below 0", "27 columns", "one image", "no image", "text"],
)
def test_images_that_are_not_network_inputs_are_refused(network, change):
    """NaN images used to give an all-zero gradient; an empty batch an IndexError in mask_pixels."""
    params, images, labels = network
    bad = change(images[:3])
    for call in (
        lambda: input_gradients(params, bad, labels[:3]),
        lambda: probabilities(params, bad),
        lambda: deletion_check(params, bad, labels[:3], repeats=1),
    ):
        with pytest.raises(ValueError, match="^images "):
            call()


def test_mask_pixels_names_every_bad_argument():
    images, scores = np.ones((2, 28, 28)), np.random.default_rng(0).random((2, 28, 28))
    for arguments, name in [
        ((np.ones((0, 28, 28)), np.ones((0, 28, 28)), 0.1), "images"),
        ((np.ones(5), np.ones(5), 0.5), "images"),
        ((images, np.where(scores > 0.5, np.nan, scores), 0.1), "scores"),
        ((images, scores[:, :27], 0.1), "scores"),
        ((images, scores, "0.1"), "fraction"),
        ((images, scores, 0), "fraction"),
        ((images, scores, 1.5), "fraction"),
        ((images, scores, np.nan), "fraction"),
        ((images, scores, 1e-9), "fraction"),
        ((images, scores, 0.1, np.nan), "value"),
        ((images, scores, 0.1, "0"), "value"),
    ]:
        with pytest.raises(ValueError, match=f"^{name} "):
            mask_pixels(*arguments)


def test_deletion_check_names_every_bad_argument(network):
    """repeats=0 used to give NaN with a RuntimeWarning."""
    params, images, labels = network
    for keywords, name in [
        ({"repeats": 0}, "repeats"),
        ({"repeats": 1.5}, "repeats"),
        ({"fraction": 0}, "fraction"),
        ({"fraction": True}, "fraction"),
        ({"seed": -1}, "seed"),
    ]:
        with pytest.raises(ValueError, match=f"^{name} "):
            deletion_check(params, images[:2], labels[:2], **keywords)


def test_occlusion_value_of_any_numeric_type_is_checked_not_crashed(network):
    params, images, labels = network
    with pytest.raises(ValueError, match="^value "):
        occlusion_map(params, images[0], int(labels[0]), value=np.complex128(0.5))
    result = occlusion_map(params, images[0], int(labels[0]), size=14, stride=14, value=np.float32(0.5))
    expected = occlusion_map(params, images[0], int(labels[0]), size=14, stride=14, value=0.5)
    np.testing.assert_array_equal(result, expected)


def test_params_that_are_not_the_network_are_named(network):
    params, images, labels = network
    missing = {name: value for name, value in params.items() if name != "W3"}
    damaged = {**params, "W1": np.where(params["W1"] > 0, np.nan, params["W1"])}
    reshaped = {**params, "b3": params["b3"][:9]}
    for bad, message in [
        (missing, "params has no W3"),
        (damaged, r"params\['W1'\] contains NaN"),
        (reshaped, r"params\['b3'\] must be numbers of shape \(10,\)"),
        ([1, 2, 3], "params must map"),
    ]:
        with pytest.raises(ValueError, match=message):
            probabilities(bad, images[:2])
        with pytest.raises(ValueError, match=message):
            input_gradients(bad, images[:2], labels[:2])


def test_weights_that_overflow_the_float64_range_are_named_not_mapped():
    """The maps' own network passes must stop as the checked layers did, not return NaN maps."""
    from convviz.tiny_cnn import init_parameters

    params = init_parameters()
    params["W3"] = np.full((10, 392), 1e308)
    image = np.ones((28, 28))
    for compute in (
        lambda: probabilities(params, image[None]),
        lambda: input_gradient(params, image, 3),
        lambda: occlusion_map(params, image, 3),
    ):
        with pytest.raises(ValueError, match="exceed the float64 range"):
            compute()
