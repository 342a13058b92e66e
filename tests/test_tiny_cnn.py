"""The tiny CNN: training, the saved weights and the downloads of exercise 4.

The self-check of the starter is tested in test_tiny_cnn_self_check.py.
"""

import numpy as np
import pytest
from bs4 import BeautifulSoup
from conftest import DOWNLOADS, FIGURES, run_script

from convviz.downloads import load_download
from convviz.tiny_cnn import accuracy, forward, init_parameters, load_digit_split, load_weights, train

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
    assert 0.93 <= measured <= 1.0, "the trained network should classify the digits well"
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
    for script in ("tiny_cnn_solution.py", "tiny_cnn_starter.py"):
        (tmp_path / script).write_text((DOWNLOADS / script).read_text())
    solution = load_download("tiny_cnn_solution")
    result = run_script(tmp_path / "tiny_cnn_solution.py", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "cannot load weights" in result.stderr and "tiny_cnn_weights.npz" in result.stderr
    assert solution.WEIGHTS == {}
