"""The tiny CNN: training, the saved weights, the downloads of exercise III and the self-check."""

import re

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


def test_unmodified_starter_check_names_the_open_todos(tmp_path):
    result = run_script(DOWNLOADS / "tiny_cnn_starter.py", "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert "- conv2d: TODO 1 is still open: write conv2d" in result.stdout
    assert "- maxpool2d: TODO 2 is still open: write maxpool2d" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    plain = run_script(DOWNLOADS / "tiny_cnn_starter.py", cwd=tmp_path)
    assert plain.returncode == 1
    assert plain.stderr.strip().splitlines() == [
        "tiny_cnn_starter.py: conv2d: TODO 1 is still open: write conv2d (run with --check for every problem)"
    ]


def starter_with_solution(tmp_path, *replacements):
    """The starter with the solution's conv2d and maxpool2d pasted in, after applying replacements."""
    solution = (DOWNLOADS / "tiny_cnn_solution.py").read_text()
    starter = (DOWNLOADS / "tiny_cnn_starter.py").read_text()
    for name in ("conv2d", "maxpool2d"):
        pattern = rf"def {name}\(.*?\n(?=\n\ndef )"
        body = re.search(pattern, solution, re.S).group(0)
        for old, new in replacements:
            body = body.replace(old, new)
        start, end = re.search(pattern, starter, re.S).span()
        starter = starter[:start] + body + starter[end:]
    path = tmp_path / "tiny_cnn_starter.py"
    path.write_text(starter)
    return path


def test_check_passes_the_solution_and_then_classifies(site, saved, tmp_path):
    path = starter_with_solution(tmp_path)
    result = run_script(path, "--check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "Every check passed."
    classified = run_script(path, "--weights", str(WEIGHTS_FILE), cwd=tmp_path)
    measured = accuracy(saved, saved["test_images"], saved["test_labels"])
    assert classified.stdout.strip().startswith(f"test accuracy: {100 * measured:.1f} %")


PLANTED = {
    "missing padding": (("pad = size // 2", "pad = 0"), "pad the input with one ring of zeros"),
    "missing bias": (
        ("axes=([1, 2, 3], [0, 1, 2])) + b", "axes=([1, 2, 3], [0, 1, 2]))"),
        "leaves out the bias",
    ),
    "flipped kernel": (("np.tensordot(W,", "np.tensordot(W[:, ::-1, ::-1, :],"), "flips the kernel"),
    "stride ignored": (
        (
            "x_padded[i * stride : i * stride + size, j * stride : j * stride + size, :]",
            "x_padded[i : i + size, j : j + size, :]",
        ),
        "with stride=2",
    ),
    "wrong output shape": (
        ("out_rows = (rows - size + 2 * pad) // stride + 1", "out_rows = (rows - size + 2 * pad) // stride"),
        "expected (4, 4, 2)",
    ),
    "pooling window overlaps": (
        (
            "x[i * stride : i * stride + size, j * stride : j * stride + size, :]",
            "x[i : i + size, j : j + size, :]",
        ),
        "values",
    ),
    "pooling off by one": (
        ("out_rows = (rows - size) // stride + 1", "out_rows = (rows - size + 1) // stride + 1"),
        "off by one",
    ),
    "pooling takes the mean": (
        ("window.max(axis=(0, 1))", "window.mean(axis=(0, 1))"),
        "keep the largest value",
    ),
}


@pytest.mark.parametrize("mistake", sorted(PLANTED))
def test_check_catches_each_planted_mistake(tmp_path, mistake):
    (old, new), message = PLANTED[mistake]
    path = starter_with_solution(tmp_path, (old, new))
    assert new in path.read_text(), "the mistake was not planted"
    result = run_script(path, "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert message in result.stdout, result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_check_data_matches_the_reference_layers():
    """The answers embedded in the starter are what the vectorized layers compute."""
    from convviz.layers import conv2d, maxpool2d

    starter = load_download("tiny_cnn_starter")
    np.testing.assert_array_equal(
        conv2d(starter.CHECK_X, starter.CHECK_W, starter.CHECK_B), starter.CHECK_OUT
    )
    np.testing.assert_array_equal(maxpool2d(starter.POOL_IN), starter.POOL_OUT)


def test_starter_does_not_contain_the_solution():
    starter = (DOWNLOADS / "tiny_cnn_starter.py").read_text()
    for line in ("np.tensordot", "x_padded", "window.max(axis=(0, 1))", "np.pad(x, ((pad, pad)"):
        assert line not in starter
