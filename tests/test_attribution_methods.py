"""Gradient × input, SmoothGrad, integrated gradients, Grad-CAM, the sanity check and the deletion
and insertion curves, each against an independent computation: finite differences, direct loops,
the completeness identity, SciPy's rank correlation."""

import numpy as np
import pytest
from scipy import stats

from convviz.attribution import input_gradient, occlusion_map, probabilities
from convviz.attribution_checks import (
    CASCADE,
    area_under,
    deletion_insertion,
    randomised,
    rank_correlation,
    sanity_check,
)
from convviz.attribution_methods import (
    completeness_gap,
    grad_cam,
    gradient_times_input,
    integrated_gradients,
    noisy_copies,
    occlusion_pixel_scores,
    smoothgrad,
    upsample,
)
from convviz.seeded_random import SeededRandom
from convviz.tiny_cnn import as_input, forward, init_parameters, load_weights, softmax
from coursesite.network_data import weights_path


@pytest.fixture(scope="module")
def stored():
    path = weights_path()
    if not path.exists():
        pytest.fail("no weights file: run `make html` first")
    return load_weights(path)


@pytest.fixture(scope="module")
def network(stored):
    params = {name: stored[name] for name in ("W1", "b1", "W2", "b2", "W3", "b3")}
    return params, as_input(stored["test_images"])[..., 0], stored["test_labels"]


def logits_of(params, images):
    return forward(params, np.asarray(images)[..., None])


def central_differences(params, image, label, step=1e-6):
    """d logits[label] / d pixel for every pixel, by central differences (no backward pass)."""
    n = image.size
    shifted = np.repeat(image.reshape(1, -1), 2 * n, axis=0)
    shifted[np.arange(n), np.arange(n)] += step
    shifted[n + np.arange(n), np.arange(n)] -= step
    values = logits_of(params, shifted.reshape(-1, 28, 28))[:, label]
    return ((values[:n] - values[n:]) / (2 * step)).reshape(image.shape)


def generic(image, seed):
    """The image moved off the flat background's max-pooling ties, still in [0, 1]."""
    return 0.9 * image + 0.05 * np.random.default_rng(seed).random(image.shape)


@pytest.mark.parametrize("index", [0, 11])
def test_gradient_times_input_is_the_finite_difference_gradient_times_the_pixels(network, index):
    params, images, labels = network
    image, label = generic(images[index], index), int(labels[index])
    expected = central_differences(params, image, label) * image
    np.testing.assert_allclose(gradient_times_input(params, image, label), expected, atol=1e-5)
    assert np.abs(expected).max() > 0.01
    # On the real digit it is 0 wherever the digit is black, whatever the gradient there.
    assert (gradient_times_input(params, images[index], label)[images[index] == 0] == 0).all()


def test_smoothgrad_is_the_mean_finite_difference_gradient_over_its_noisy_copies(network):
    params, images, labels = network
    image, label = images[5], int(labels[5])
    copies = noisy_copies(image, 3, 0.15, seed=4)
    assert copies.shape == (3, 28, 28) and np.std(copies - image) == pytest.approx(0.15, rel=0.1)
    # The noise is the seeded generator's normals, copy after copy, row by row (the explorer draws them too).
    normals = np.reshape(SeededRandom(4).normals(3 * 784), (3, 28, 28))
    np.testing.assert_allclose(copies - image, 0.15 * normals, rtol=0, atol=1e-15)
    expected = np.mean([central_differences(params, copy, label) for copy in copies], axis=0)
    np.testing.assert_allclose(smoothgrad(params, image, label, samples=3, seed=4), expected, atol=1e-5)
    # With no noise it is the plain gradient; another seed gives another map.
    np.testing.assert_allclose(
        smoothgrad(params, generic(image, 1), label, samples=2, noise=0.0),
        central_differences(params, generic(image, 1), label),
        atol=1e-5,
    )
    other = smoothgrad(params, image, label, 3, seed=5)
    assert not np.allclose(smoothgrad(params, image, label, 3, seed=4), other)
    np.testing.assert_array_equal(
        smoothgrad(params, image, label, 3, seed=5), other
    )  # the same seed, the same map
    for bad, words in [({"seed": 2**32}, "^seed "), ({"seed": -1}, "^seed "), ({"noise": -0.1}, "^noise ")]:
        with pytest.raises(ValueError, match=words):
            smoothgrad(params, image, label, 3, **bad)


@pytest.mark.parametrize("index", [0, 1, 2, 11, 40])
def test_integrated_gradients_add_up_to_the_change_of_the_score(network, index):
    """Completeness: sum of the map = logit(image) − logit(black), the midpoint rule's error shrinking."""
    params, images, labels = network
    image, label = images[index], int(labels[index])
    logits = logits_of(params, np.stack([image, np.zeros_like(image)]))[:, label]
    change = logits[0] - logits[1]
    gaps = []
    for steps in (8, 512):
        attributions = integrated_gradients(params, image, label, steps=steps)
        gaps.append(abs(attributions.sum() - change))
        assert completeness_gap(params, image, label, attributions) == pytest.approx(
            attributions.sum() - change, abs=1e-12
        )
    assert gaps[1] <= 0.02 * abs(change) + 1e-9
    assert gaps[1] <= gaps[0] + 1e-9
    assert (integrated_gradients(params, image, label)[image == 0] == 0).all()


def test_integrated_gradients_from_another_baseline_and_from_the_image_itself(network):
    params, images, labels = network
    image, label, baseline = images[3], int(labels[3]), images[4]
    attributions = integrated_gradients(params, image, label, baseline=baseline, steps=512)
    logits = logits_of(params, np.stack([image, baseline]))[:, label]
    assert attributions.sum() == pytest.approx(logits[0] - logits[1], abs=0.02 * abs(logits[0] - logits[1]))
    assert not integrated_gradients(params, image, label, baseline=image).any()


def loop_grad_cam(params, image, label):
    """Grad-CAM by direct loops: conv2 by loops, each pooling window's first maximum takes W3's weight."""
    w1, b1, w2, b2, w3 = (params[k] for k in ("W1", "b1", "W2", "b2", "W3"))
    padded = np.pad(image, 1)
    a1 = np.zeros((28, 28, 4))
    for i in range(28):
        for j in range(28):
            for f in range(4):
                a1[i, j, f] = max(0.0, b1[f] + np.sum(padded[i : i + 3, j : j + 3] * w1[f, :, :, 0]))
    p1 = a1.reshape(14, 2, 14, 2, 4).max(axis=(1, 3))
    padded = np.pad(p1, ((1, 1), (1, 1), (0, 0)))
    a2 = np.zeros((14, 14, 8))
    for i in range(14):
        for j in range(14):
            for f in range(8):
                a2[i, j, f] = max(0.0, b2[f] + np.sum(padded[i : i + 3, j : j + 3] * w2[f]))
    gradient = np.zeros_like(a2)
    dense = w3[label].reshape(7, 7, 8)
    for i in range(7):
        for j in range(7):
            for f in range(8):
                window = [a2[2 * i + u, 2 * j + v, f] for u in (0, 1) for v in (0, 1)]
                u, v = divmod(int(np.argmax(window)), 2)
                gradient[2 * i + u, 2 * j + v, f] = dense[i, j, f]
    weights = [gradient[:, :, f].mean() for f in range(8)]
    cam = np.zeros((14, 14))
    for i in range(14):
        for j in range(14):
            cam[i, j] = max(0.0, sum(weights[f] * a2[i, j, f] for f in range(8)))
    return cam


@pytest.mark.parametrize("index", [0, 7])
def test_grad_cam_equals_direct_loops(network, index):
    params, images, labels = network
    for label in (int(labels[index]), (int(labels[index]) + 3) % 10):
        expected = loop_grad_cam(params, images[index], label)
        found = grad_cam(params, images[index], label)
        assert found.shape == (14, 14)
        np.testing.assert_allclose(found, expected, atol=1e-12)
    big = upsample(found)
    assert big.shape == (28, 28) and (big[::2, ::2] == found).all() and (big[1::2, 1::2] == found).all()


def test_occlusion_measures_logit_log_probability_and_probability_by_a_direct_loop(network):
    params, images, labels = network
    image, label = images[11], int(labels[11])
    for measure in ("logit", "log_probability", "probability"):
        for value in (0.0, 0.5):

            def measured(x, measure=measure):
                logits = logits_of(params, x[None])[0]
                if measure == "logit":
                    return logits[label]
                p = softmax(logits[None])[0, label]
                return np.log(p) if measure == "log_probability" else p

            expected = np.empty((12, 12))
            base = measured(image)
            for a, i in enumerate(range(0, 23, 2)):
                for b, j in enumerate(range(0, 23, 2)):
                    covered = image.copy()
                    covered[i : i + 6, j : j + 6] = value
                    expected[a, b] = base - measured(covered)
            found = occlusion_map(params, image, label, value=value, measure=measure)
            np.testing.assert_allclose(found, expected, atol=1e-9, err_msg=f"{measure}, {value}")
    # The defaults: a black patch (the background) and the logit.
    np.testing.assert_array_equal(
        occlusion_map(params, image, label), occlusion_map(params, image, label, value=0.0, measure="logit")
    )
    with pytest.raises(ValueError, match="^measure "):
        occlusion_map(params, image, label, measure="score")


def test_occlusion_pixel_scores_average_the_patches_over_each_pixel(network):
    drops = np.random.default_rng(0).normal(size=(12, 12))
    scores = occlusion_pixel_scores(drops)
    for r, c in [(0, 0), (5, 9), (27, 27), (13, 2)]:
        covering = [
            drops[a, b]
            for a, i in enumerate(range(0, 23, 2))
            for b, j in enumerate(range(0, 23, 2))
            if i <= r < i + 6 and j <= c < j + 6
        ]
        assert scores[r, c] == pytest.approx(np.mean(covering), abs=1e-12)
    with pytest.raises(ValueError, match="^drops "):
        occlusion_pixel_scores(np.zeros((11, 12)))


def test_rank_correlation_equals_scipy_with_and_without_ties():
    rng = np.random.default_rng(1)
    for a, b in [
        (rng.random((28, 28)), rng.random((28, 28))),
        (np.round(rng.random((14, 14)), 1), np.round(rng.random((14, 14)), 1)),
        (np.maximum(rng.normal(size=(28, 28)), 0), np.maximum(rng.normal(size=(28, 28)), 0)),
    ]:
        assert rank_correlation(a, b) == pytest.approx(stats.spearmanr(a.ravel(), b.ravel())[0], abs=1e-12)
    a = rng.random((5, 5))
    assert rank_correlation(a, 3 * a + 1) == pytest.approx(1.0)
    assert rank_correlation(a, -a) == pytest.approx(-1.0)
    assert np.isnan(rank_correlation(a, np.zeros((5, 5))))
    with pytest.raises(ValueError, match="^b "):
        rank_correlation(a, np.zeros((4, 5)))


def test_randomised_layers_take_the_initial_weights_the_weights_file_keeps(network, stored):
    params = network[0]
    initial = init_parameters()
    # The weights file keeps conv1's and conv2's initial weights: the same as init_parameters().
    np.testing.assert_array_equal(initial["W1"], stored["W1_init"])
    np.testing.assert_array_equal(initial["W2"], stored["W2_init"])
    assert [layers for _, layers in CASCADE][-1] == ("dense", "conv2", "conv1")
    top = randomised(params, initial, ("dense",))
    np.testing.assert_array_equal(top["W3"], initial["W3"])
    assert not top["b3"].any()
    np.testing.assert_array_equal(top["W2"], params["W2"])
    np.testing.assert_array_equal(top["W1"], params["W1"])
    assert not np.array_equal(params["W3"], initial["W3"])  # params untouched
    with pytest.raises(ValueError, match="^layers "):
        randomised(params, initial, ("conv3",))


def test_sanity_check_equals_a_direct_computation(network):
    params, images, labels = network
    initial = init_parameters()

    def absolute_gradient(p, x, c):  # any map will do: the test is of the bookkeeping around it
        return input_gradient(p, x, c)

    def batched(p, xs, cs):  # the form sanity_check takes: maps of a batch
        return np.array([absolute_gradient(p, x, int(c)) for x, c in zip(xs, cs)])

    found = sanity_check(params, initial, images[:3], labels[:3], {"gradient": batched})
    assert found["gradient"].shape == (len(CASCADE), 3)
    np.testing.assert_allclose(found["gradient"][0], 1.0)
    for stage, (_, layers) in enumerate(CASCADE):
        changed = randomised(params, initial, layers)
        for n in range(3):
            trained = np.abs(absolute_gradient(params, images[n], int(labels[n])))
            other = np.abs(absolute_gradient(changed, images[n], int(labels[n])))
            expected = stats.spearmanr(trained.ravel(), other.ravel())[0]
            assert found["gradient"][stage, n] == pytest.approx(expected, abs=1e-9)
    first = np.abs(absolute_gradient(params, images[0], int(labels[0])))
    second = np.abs(absolute_gradient(params, images[1], int(labels[1])))
    expected = stats.spearmanr(first.ravel(), second.ravel())[0]
    assert found["unrelated"]["gradient"][0] == pytest.approx(expected, abs=1e-9)


def test_deletion_and_insertion_curves_equal_a_direct_loop(network):
    params, images, labels = network
    scores = np.random.default_rng(2).random((2, 28, 28))
    deletion, insertion = deletion_insertion(params, images[:2], labels[:2], scores, steps=16)
    assert deletion.shape == insertion.shape == (2, 17)
    for n in range(2):
        ranked = sorted(range(784), key=lambda p: -scores[n].ravel()[p])
        for k in (0, 1, 7, 16):
            removed, inserted = images[n].ravel().copy(), np.zeros(784)
            for p in ranked[: k * 49]:
                removed[p] = 0.0
                inserted[p] = images[n].ravel()[p]
            p_removed, p_inserted = probabilities(params, np.stack([removed, inserted]).reshape(2, 28, 28))[
                :, labels[n]
            ]
            assert deletion[n, k] == pytest.approx(p_removed, abs=1e-12)
            assert insertion[n, k] == pytest.approx(p_inserted, abs=1e-12)
    assert insertion[:, -1] == pytest.approx(deletion[:, 0])  # all put back: the digit itself
    np.testing.assert_allclose(area_under(deletion), np.trapezoid(deletion, dx=1 / 16, axis=1), atol=1e-12)
    with pytest.raises(ValueError, match="^steps "):
        deletion_insertion(params, images[:2], labels[:2], scores, steps=10)
