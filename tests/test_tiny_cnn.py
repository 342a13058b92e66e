"""The tiny CNN: training, the saved weights and the downloads of exercise 4.

The self-check of the starter is tested in test_tiny_cnn_self_check.py.
"""

import re
import subprocess
import sys

import numpy as np
import pytest
from bs4 import BeautifulSoup
from conftest import DOWNLOADS, FIGURES, ROOT, run_script
from support.oracles import layered_loss_and_gradients

from convviz import tiny_cnn
from convviz.augmentation import COUNT, RANGES
from convviz.downloads import load_download
from convviz.seeded_random import SeededRandom
from convviz.tiny_cnn import (
    SEED,
    WEIGHT_SHAPES,
    accuracy,
    forward,
    init_parameters,
    load_digit_split,
    load_weights,
    train,
)

WEIGHTS_FILE = FIGURES / "tiny_cnn_weights.npz"


@pytest.fixture(scope="module")
def digits():
    return load_digit_split()


@pytest.fixture(scope="module")
def saved(site):
    return load_weights(WEIGHTS_FILE)


def test_digit_split_is_fixed_real_and_disjoint(digits):
    train_x, train_y, test_x, test_y = digits
    assert train_x.shape == (1438, 28, 28) and test_x.shape == (359, 28, 28)
    assert train_x.dtype == np.uint8 and train_x.max() == 255
    assert set(np.unique(test_y)) == set(range(10))
    again = load_digit_split()
    for a, b in zip(digits, again):
        np.testing.assert_array_equal(a, b)
    # no test image also appears in the training set
    train_rows = {row.tobytes() for row in train_x}
    assert sum(row.tobytes() in train_rows for row in test_x) == 0


def test_the_digit_counts_are_scikit_learns_own_read_without_importing_it():
    """load_digit_counts reads scikit-learn's file itself; its result is load_digits()'s, and the file
    is still where that read looks (else every process would import scikit-learn again, about 0.5 s)."""
    code = (
        "import sys\n"
        "from convviz.tiny_cnn import digits_file, load_digit_counts\n"
        "counts, labels = load_digit_counts()\n"
        "assert digits_file() is not None, 'scikit-learn moved its digits file'\n"
        "assert 'sklearn' not in sys.modules, 'scikit-learn was imported'\n"
        "from sklearn.datasets import load_digits\n"
        "digits = load_digits()\n"
        "assert counts.dtype == 'uint8' and labels.dtype == 'int64'\n"
        "assert (counts == digits.data).all() and counts.shape == digits.data.shape\n"
        "assert (labels == digits.target).all() and labels.shape == digits.target.shape\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_training_is_deterministic_for_a_seed(digits):
    small = tuple(part[:200] for part in digits[:2]) + tuple(part[:100] for part in digits[2:])
    first = train(epochs=1, data=small)
    second = train(epochs=1, data=small)
    for name in first[0]:
        np.testing.assert_array_equal(first[0][name], second[0][name])
    assert first[2]["loss"] == second[2]["loss"]
    other_seed = train(epochs=1, data=small, seed=7)
    assert not np.array_equal(first[0]["W1"], other_seed[0]["W1"])


def test_training_lowers_the_loss_and_beats_chance(digits):
    small = tuple(part[:400] for part in digits[:2]) + tuple(part[:200] for part in digits[2:])
    _, _, history, _ = train(epochs=3, data=small)
    assert history["loss"][-1] < history["loss"][0] < np.log(10) + 0.5
    assert history["test_accuracy"][-1] > 0.6


def test_saved_weights_reach_the_accuracy_the_page_states(site, saved):
    test_x, test_y = saved["test_images"], saved["test_labels"]
    measured = accuracy(saved, test_x, test_y)
    assert 0.97 <= measured <= 1.0, "the trained network should classify the digits well"
    assert measured == pytest.approx(saved["test_accuracy"][-1])
    page = BeautifulSoup((site / "module_9_2_2" / "inside_a_conv_layer.html").read_text(), "html.parser")
    text = " ".join(page.get_text(" ").split())
    correct = round(measured * len(test_y))
    assert (
        f"classifies {100 * measured:.1f} % of the held-out digits correctly ({correct} of {len(test_y)})"
        in text
    )


def test_saved_first_layer_differs_from_its_initialisation(saved):
    initial = init_parameters()
    np.testing.assert_array_equal(saved["W1_init"], initial["W1"])
    assert not np.allclose(saved["W1"], saved["W1_init"])


def test_solution_download_prints_the_same_accuracy(site, saved, tmp_path):
    result = run_script(DOWNLOADS / "tiny_cnn_solution.py", "--weights", str(WEIGHTS_FILE), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    measured = accuracy(saved, saved["test_images"], saved["test_labels"])
    assert f"test accuracy: {100 * measured:.1f} %" in result.stdout


def test_solution_loops_equal_the_vectorized_layers(saved):
    solution = load_download("tiny_cnn_solution")
    solution.WEIGHTS.update({k: saved[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3")})
    images = saved["test_images"][:5] / 255.0
    vectorized = forward(saved, images[..., None])
    for image, logits in zip(images, vectorized):
        np.testing.assert_allclose(solution.forward(image), logits, atol=1e-10)


def test_missing_weights_give_one_line_and_status_2(tmp_path):
    for script in ("tiny_cnn_solution.py", "tiny_cnn_starter.py", "self_check.py"):
        (tmp_path / script).write_text((DOWNLOADS / script).read_text())
    solution = load_download("tiny_cnn_solution")
    result = run_script(tmp_path / "tiny_cnn_solution.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "cannot load weights" in result.stderr and "tiny_cnn_weights.npz" in result.stderr
    assert solution.WEIGHTS == {}


def small_split(digits, train_count=200, test_count=100):
    return tuple(part[:train_count] for part in digits[:2]) + tuple(part[:test_count] for part in digits[2:])


def test_initial_weights_are_he_uniform_from_the_seeded_generator():
    """(2u − 1) · sqrt(6 / fan_in), one uniform per weight, W1 then W2 then W3 in C order; zero biases."""
    params = init_parameters()
    random = SeededRandom(SEED + 1)
    for name, shape, fan_in in WEIGHT_SHAPES:
        limit = (6 / fan_in) ** 0.5
        expected = [(2 * random.uniform() - 1) * limit for _ in range(int(np.prod(shape)))]
        assert params[name].shape == shape and params[name].ravel().tolist() == expected
        assert np.abs(params[name]).max() < limit
        assert not params["b" + name[1]].any()


def test_training_draws_its_order_and_distortions_from_the_one_generator(digits, monkeypatch):
    """The recipe another implementation must follow: after the initial weights, per epoch the order
    (a permutation of the training digits) and seven uniforms per digit in that order."""
    small = small_split(digits, 96, 20)
    seen = []
    real = tiny_cnn.distort

    def spy(batch, uniforms, ranges):
        seen.append((batch.copy(), np.array(uniforms)))
        return real(batch, uniforms, ranges)

    monkeypatch.setattr(tiny_cnn, "distort", spy)
    train(epochs=2, data=small, seed=5)
    random = SeededRandom(6)
    random.uniforms(sum(int(np.prod(shape)) for _, shape, _ in WEIGHT_SHAPES))
    images = small[0] / 255.0
    for epoch in range(2):
        order = random.permutation(96)
        uniforms = np.array(random.uniforms(96 * COUNT)).reshape(96, COUNT)
        for batch in range(3):
            shown, used = seen[3 * epoch + batch]
            np.testing.assert_array_equal(shown, images[order[32 * batch : 32 * (batch + 1)]])
            np.testing.assert_array_equal(used, uniforms[32 * batch : 32 * (batch + 1)])


def test_training_uses_no_numpy_random_numbers(digits, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("training must draw from convviz.seeded_random only")

    for name in ("default_rng", "permutation", "shuffle", "rand", "randn", "normal", "uniform", "seed"):
        monkeypatch.setattr(np.random, name, refuse)
    train(epochs=1, data=small_split(digits))
    load_digit_split()


def test_training_options_change_what_they_should(digits):
    small = small_split(digits)
    plain = train(epochs=1, data=small, augment=False)
    distorted = train(epochs=1, data=small)
    assert not np.array_equal(plain[0]["W1"], distorted[0]["W1"])
    np.testing.assert_array_equal(plain[1]["W1"], distorted[1]["W1"])  # the same start
    still = train(epochs=2, data=small, learning_rate=0.0)
    for name, value in still[0].items():
        np.testing.assert_array_equal(value, still[1][name])
    longer = train(epochs=3, data=small, ranges={**RANGES, "turn": 0.0})
    assert len(longer[2]["loss"]) == len(longer[2]["test_accuracy"]) == 3
    with pytest.raises(ValueError, match="frozen"):
        train(epochs=1, data=small, frozen=("W9",))


# -- The training step against the network built from the public layers -----------------------


def trained_weights_close(fast, reference, tolerance):
    for name in fast:
        difference = np.abs(fast[name] - reference[name]).max()
        assert difference <= tolerance * max(1.0, np.abs(reference[name]).max()), (name, difference)


@pytest.mark.parametrize("seed", [0, 1])
def test_training_step_equals_the_public_layers(digits, seed):
    """Loss, every gradient and the answers of one batch of digits, for two sets of random weights."""
    rng = np.random.default_rng(seed)
    params = {name: value + rng.normal(0, 0.2, value.shape) for name, value in init_parameters(seed).items()}
    images = digits[0][seed * 32 : seed * 32 + 32] / 255.0
    labels = digits[1][seed * 32 : seed * 32 + 32]
    fast = tiny_cnn.loss_and_gradients(params, images[..., None], labels, answers=True)
    reference = layered_loss_and_gradients(params, images[..., None], labels, answers=True)
    assert fast[0] == pytest.approx(reference[0], rel=1e-14)
    np.testing.assert_array_equal(fast[2], reference[2])
    trained_weights_close(fast[1], reference[1], 1e-13)


def test_pooling_ties_go_to_the_first_window_position_as_in_the_public_layers():
    """Values from {-1, 0, 1, 2}: most 2×2 windows hold ties, above and at 0 (ReLU's background)."""
    from convviz.layers import maxpool2d, maxpool2d_backward

    z = np.random.default_rng(3).integers(-1, 3, size=(4, 5, 8, 6)).astype(np.float64)  # (C, N, H, W)
    pooled = tiny_cnn._relu_pool(z)
    upstream = np.random.default_rng(4).normal(size=pooled.shape)
    channels_last = np.moveaxis(z, 0, -1)
    expected, cache = maxpool2d(np.maximum(channels_last, 0.0), return_cache=True)
    np.testing.assert_array_equal(pooled, np.moveaxis(expected, -1, 0))
    gradient = maxpool2d_backward(np.moveaxis(upstream, 0, -1), cache) * (channels_last > 0)
    np.testing.assert_array_equal(
        tiny_cnn._relu_pool_backward(upstream, z, pooled), np.moveaxis(gradient, -1, 0)
    )


def test_one_epoch_equals_training_with_the_public_layers(digits, monkeypatch):
    """The whole recipe for one epoch, distortions included: weights to 1e-10, the same history."""
    fast, _, fast_history, _ = train(epochs=1, data=digits)
    monkeypatch.setattr(tiny_cnn, "loss_and_gradients", layered_loss_and_gradients)
    reference, _, history, _ = train(epochs=1, data=digits)
    trained_weights_close(fast, reference, 1e-10)
    assert fast_history["train_accuracy"] == history["train_accuracy"]
    assert fast_history["test_accuracy"] == history["test_accuracy"] == [accuracy(fast, *digits[2:])]
    assert fast_history["loss"][0] == pytest.approx(history["loss"][0], rel=1e-12)


def test_forward_equals_the_network_built_from_the_public_layers():
    """forward's own pass (channels first) against conv2d/relu/maxpool2d of convviz.layers, on digits,
    noise and inputs with exact ties in every pooling window."""
    from convviz.layers import conv2d, maxpool2d, relu

    rng = np.random.default_rng(4)
    params = tiny_cnn.init_parameters(seed=9)
    params["b1"], params["b2"] = rng.normal(size=4), rng.normal(size=8)
    x = np.concatenate(
        [
            rng.random((5, 28, 28, 1)),
            np.zeros((2, 28, 28, 1)),
            np.ones((1, 28, 28, 1)),
            -rng.random((2, 28, 28, 1)),
        ]
    )
    pooled = maxpool2d(
        relu(conv2d(maxpool2d(relu(conv2d(x, params["W1"], params["b1"]))), params["W2"], params["b2"]))
    )
    expected = pooled.reshape(len(x), -1) @ params["W3"].T + params["b3"]
    np.testing.assert_allclose(tiny_cnn.forward(params, x), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    ("x", "fragment"),
    [
        (np.zeros((28, 28, 1)), "x must have shape (N, 28, 28, 1)"),
        (np.zeros((0, 28, 28, 1)), "x must have shape (N, 28, 28, 1)"),
        (np.zeros((2, 14, 14, 1)), "x must have shape (N, 28, 28, 1)"),
        (np.full((1, 28, 28, 1), np.nan), "x contains NaN or infinity"),
        (np.array([[["a"]]]), "x must hold numbers"),
    ],
)
def test_forward_names_a_bad_input(x, fragment):
    with pytest.raises(ValueError, match=re.escape(fragment)):
        tiny_cnn.forward(tiny_cnn.init_parameters(), x)


def test_forward_says_when_the_values_exceed_the_float64_range():
    """Before the network's own pass, conv2d said so; the pass must not return NaN or inf instead."""
    with pytest.raises(ValueError, match="exceed the float64 range"):
        tiny_cnn.forward(tiny_cnn.init_parameters(), np.full((1, 28, 28, 1), 1e308))
    big = tiny_cnn.init_parameters()
    big["W3"] = np.full((10, 392), 1e308)
    with pytest.raises(ValueError, match="exceed the float64 range"):
        tiny_cnn.forward(big, np.ones((1, 28, 28, 1)))


def test_forward_names_bad_weights():
    params = tiny_cnn.init_parameters()
    params["W2"] = params["W2"][:4]
    with pytest.raises(ValueError, match=re.escape("params['W2'] must be numbers of shape (8, 3, 3, 4)")):
        tiny_cnn.forward(params, np.zeros((1, 28, 28, 1)))
