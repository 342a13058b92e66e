"""The batched attribution paths (many digits through the network together) against the one-digit
functions, digit by digit, and against the forward pass itself; chunk and group sizes are made small
so the batches cross their boundaries."""

import numpy as np
import pytest
from scipy import stats

from convviz import attribution, attribution_methods
from convviz.attribution import (
    class_measure,
    input_gradient,
    input_gradients,
    logit_gradients,
    network_logits,
    occlusion_map,
    occlusion_maps,
)
from convviz.attribution_checks import (
    METHODS,
    average_ranks,
    deletion_insertion,
    rank_correlation,
    rank_correlations,
    sanity_check,
)
from convviz.attribution_methods import (
    grad_cam,
    grad_cam_maps,
    gradient_times_input,
    gradients_times_inputs,
    integrated_gradient_maps,
    integrated_gradients,
    occlusion_pixel_scores,
    smoothgrad,
    smoothgrads,
    upsample,
)
from convviz.fooling import block_gradient, enlarged_change, fool_all, fool_towards
from convviz.layers import maxpool2d, maxpool2d_backward
from convviz.tiny_cnn import as_input, forward, init_parameters

TOLERANCE = 1e-10


@pytest.fixture(scope="module")
def network(stored_network):
    return stored_network


@pytest.fixture
def small_batches(monkeypatch):
    """Chunks of 3 images and groups of a few digits, so every batch below spans several."""
    monkeypatch.setattr(attribution, "CHUNK", 3)
    monkeypatch.setattr(attribution, "OCCLUSION_GROUP", 300)
    monkeypatch.setattr(attribution_methods, "GROUP_IMAGES", 20)


def digits(network, count=5):
    params, images_uint8, labels = network
    return params, as_input(images_uint8[:count])[..., 0], labels[:count].astype(np.int64)


def close(found, expected):
    np.testing.assert_allclose(found, expected, rtol=0, atol=TOLERANCE)


def test_network_logits_equal_the_forward_pass_in_any_chunks(network, small_batches):
    params, images, _ = digits(network, 7)
    close(network_logits(params, images), forward(params, images[..., None]))


def test_batched_gradients_equal_each_digits_gradient(network, small_batches):
    params, images, labels = digits(network)
    others = (labels + 3) % 10
    batched = input_gradients(params, images, labels)
    for n in range(len(images)):
        close(batched[n], input_gradient(params, images[n], int(labels[n])))
    # The difference of two logits' gradients in one backward pass.
    difference = logit_gradients(params, images, labels, rivals=others)
    close(difference, batched - input_gradients(params, images, others))
    times = gradients_times_inputs(params, images, labels)
    for n in range(len(images)):
        close(times[n], gradient_times_input(params, images[n], int(labels[n])))


def test_batched_smoothgrad_and_integrated_gradients_equal_each_digits(network, small_batches):
    params, images, labels = digits(network, 4)
    smooth = smoothgrads(params, images, labels, samples=7, noise=0.2, seed=3)
    baselines = np.random.default_rng(1).random(images.shape)
    paths = integrated_gradient_maps(params, images, labels, baselines, steps=9)
    black = integrated_gradient_maps(params, images, labels, steps=9)
    for n, (image, label) in enumerate(zip(images, labels.tolist())):
        close(smooth[n], smoothgrad(params, image, label, samples=7, noise=0.2, seed=3))
        close(paths[n], integrated_gradients(params, image, label, baselines[n], steps=9))
        close(black[n], integrated_gradients(params, image, label, steps=9))
    with pytest.raises(ValueError, match="^baselines "):
        integrated_gradient_maps(params, images, labels, baselines[:2])


def test_batched_grad_cam_and_occlusion_equal_each_digits(network, small_batches):
    params, images, labels = digits(network)
    cams = grad_cam_maps(params, images, labels)
    for n, (image, label) in enumerate(zip(images, labels.tolist())):
        close(cams[n], grad_cam(params, image, label))
        close(upsample(cams)[n], upsample(cams[n]))
    for measure in ("logit", "log_probability", "probability"):
        maps = occlusion_maps(params, images, labels, size=5, stride=3, value=0.5, measure=measure)
        for n, (image, label) in enumerate(zip(images, labels.tolist())):
            expected = occlusion_map(params, image, label, size=5, stride=3, value=0.5, measure=measure)
            close(maps[n], expected)
    # And against covering each patch by hand, for one digit.
    image, label = images[0], int(labels[0])
    covered = image.copy()
    covered[3:8, 6:11] = 0.5
    drop = class_measure(params, image[None], label)[0] - class_measure(params, covered[None], label)[0]
    close(occlusion_maps(params, images, labels, size=5, stride=3, value=0.5)[0, 1, 2], drop)
    scores = occlusion_pixel_scores(maps, size=5, stride=3)
    for n in range(len(images)):
        close(scores[n], occlusion_pixel_scores(maps[n], size=5, stride=3))


def test_the_methods_maps_equal_the_one_digit_functions(network, small_batches):
    params, images, labels = digits(network, 3)
    one_digit = {
        "gradient": lambda x, c: np.abs(input_gradient(params, x, c)),
        "gradient × input": lambda x, c: gradient_times_input(params, x, c),
        "SmoothGrad": lambda x, c: np.abs(smoothgrad(params, x, c)),
        "integrated gradients": lambda x, c: integrated_gradients(params, x, c),
        "Grad-CAM": lambda x, c: upsample(grad_cam(params, x, c)),
        "occlusion": lambda x, c: occlusion_pixel_scores(occlusion_map(params, x, c)),
    }
    assert set(one_digit) == set(METHODS)
    for name, method in METHODS.items():
        maps = method(params, images, labels)
        for n, (image, label) in enumerate(zip(images, labels.tolist())):
            close(maps[n], one_digit[name](image, label))


def test_sanity_check_with_the_trained_maps_given_equals_it_without(network):
    params, images, labels = digits(network, 3)
    methods = {"gradient": METHODS["gradient"], "Grad-CAM": METHODS["Grad-CAM"]}
    plain = sanity_check(params, init_parameters(), images, labels, methods)
    maps = {name: method(params, images, labels) for name, method in methods.items()}
    given = sanity_check(params, init_parameters(), images, labels, methods, trained_maps=maps)
    for name in methods:
        np.testing.assert_array_equal(given[name], plain[name])
        np.testing.assert_array_equal(given["unrelated"][name], plain["unrelated"][name])
    with pytest.raises(ValueError, match=r"^trained_maps\['gradient'\] must have the shape"):
        sanity_check(
            params,
            init_parameters(),
            images,
            labels,
            methods,
            trained_maps={**maps, "gradient": maps["gradient"][:2]},
        )
    with pytest.raises(ValueError, match="^trained_maps has no maps of 'Grad-CAM'"):
        sanity_check(
            params, init_parameters(), images, labels, methods, trained_maps={"gradient": maps["gradient"]}
        )


def test_deletion_and_insertion_of_many_digits_equal_one_digit_at_a_time(network, small_batches):
    params, images, labels = digits(network, 4)
    scores = np.random.default_rng(5).random(images.shape)
    deletion, insertion = deletion_insertion(params, images, labels, scores, steps=16)
    for n in range(len(images)):
        one = deletion_insertion(params, images[n : n + 1], labels[n : n + 1], scores[n : n + 1], steps=16)
        close(deletion[n], one[0][0])
        close(insertion[n], one[1][0])
    with pytest.raises(ValueError, match="^scores must have the shape of images"):
        deletion_insertion(params, images, labels, scores[:2], steps=16)


def test_fooling_many_pairs_together_equals_one_pair_at_a_time(network, small_batches):
    params, images_uint8, labels = network
    pairs = [(n, t) for n in range(4) for t in (1, 6, 9) if t != labels[n]]
    indices, targets = np.array(pairs).T
    together = fool_all(params, images_uint8[indices], targets, max_steps=2)
    for k, (n, target) in enumerate(pairs):
        alone = fool_towards(params, images_uint8[n], int(target), max_steps=2)
        assert alone["reached"] == together["reached"][k] and alone["steps"] == together["steps"][k]
        np.testing.assert_array_equal(alone["delta"], together["delta"][k])
        np.testing.assert_array_equal(alone["image"], together["image"][k])
        close(together["probabilities"][k], alone["probabilities"])
    # Pairs that stop early, at the limit and never: each digit stops on its own.
    assert together["reached"].any() and not together["reached"].all()
    assert len(set(together["steps"].tolist())) > 1
    with pytest.raises(ValueError, match="^targets "):
        fool_all(params, images_uint8[:2], [1, 10])
    with pytest.raises(ValueError, match="^targets must hold one class per image"):
        fool_all(params, images_uint8[:2], [1])


def test_block_change_and_block_gradient_of_a_batch_equal_each_ones():
    rng = np.random.default_rng(4)
    deltas, gradients = rng.integers(-16, 17, (3, 8, 8)), rng.normal(size=(3, 28, 28))
    for n in range(3):
        np.testing.assert_array_equal(enlarged_change(deltas)[n], enlarged_change(deltas[n]))
        close(block_gradient(gradients)[n], block_gradient(gradients[n]))


@pytest.mark.parametrize(("size", "stride"), [(2, 2), (3, 2), (2, 1)])
def test_max_pooling_winners_are_the_first_maximum_of_each_window(size, stride):
    """The winner of each window by np.argmax over its positions, ties included (values on a coarse grid)."""
    x = np.round(np.random.default_rng(6).normal(size=(2, 7, 8, 3)), 0)
    out, cache = maxpool2d(x, size, stride, return_cache=True)
    winner = cache[3]
    for n, i, j, c in np.ndindex(winner.shape):
        window = x[n, i * stride : i * stride + size, j * stride : j * stride + size, c]
        assert winner[n, i, j, c] == np.argmax(window.ravel())
        assert out[n, i, j, c] == window.max()
    upstream = np.random.default_rng(7).normal(size=out.shape)
    expected = np.zeros_like(x)
    for n, i, j, c in np.ndindex(winner.shape):
        u, v = divmod(int(winner[n, i, j, c]), size)
        expected[n, i * stride + u, j * stride + v, c] += upstream[n, i, j, c]
    # Overlapping windows add in another order: equal up to rounding.
    np.testing.assert_allclose(maxpool2d_backward(upstream, cache), expected, rtol=0, atol=1e-12)


def test_rank_correlations_of_a_batch_equal_scipy_map_by_map_with_ties_and_constant_maps():
    rng = np.random.default_rng(8)
    a = np.round(rng.normal(size=(6, 9, 9)), 1)  # many ties
    b = np.round(a + rng.normal(size=a.shape), 0)
    b[2] = 4.0  # constant: no correlation
    found = rank_correlations(a, b)
    for n in range(len(a)):
        if n == 2:
            assert np.isnan(found[n])
            continue
        assert found[n] == pytest.approx(stats.spearmanr(a[n].ravel(), b[n].ravel())[0], abs=1e-12)
        assert found[n] == rank_correlation(a[n], b[n])
        np.testing.assert_array_equal(average_ranks(a[n]), stats.rankdata(a[n].ravel()) - 1)
    with pytest.raises(ValueError, match="^b must have the shape of a"):
        rank_correlations(a, b[:3])
