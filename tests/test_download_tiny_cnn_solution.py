"""tiny_cnn_solution.py against hostile weight files: one line, status 2, never a number from bad data."""

import io
import zipfile

import numpy as np
import pytest
from conftest import DOWNLOADS, run_script

from convviz.tiny_cnn import forward

SHAPES = {"W1": (4, 3, 3, 1), "b1": (4,), "W2": (8, 3, 3, 4), "b2": (8,), "W3": (10, 392), "b3": (10,)}


def good_arrays(count=6):
    rng = np.random.default_rng(0)
    arrays = {name: rng.normal(scale=0.3, size=shape) for name, shape in SHAPES.items()}
    arrays["test_images"] = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
    arrays["test_labels"] = rng.integers(0, 10, size=count)
    return arrays


def write_npz(path, arrays):
    np.savez(path, **arrays)
    return path


def run_solution(tmp_path, weights):
    return run_script(DOWNLOADS / "tiny_cnn_solution.py", "--weights", str(weights), cwd=tmp_path)


def test_good_archive_gives_the_accuracy_of_the_vectorized_network(tmp_path):
    arrays = good_arrays()
    result = run_solution(tmp_path, write_npz(tmp_path / "w.npz", arrays))
    assert result.returncode == 0, result.stderr
    logits = forward(arrays, arrays["test_images"][..., None] / 255.0)
    correct = int((logits.argmax(axis=1) == arrays["test_labels"]).sum())
    assert f"({correct} of 6)" in result.stdout
    assert f"test accuracy: {100 * correct / 6:.1f} %" in result.stdout


def with_change(name, value):
    arrays = good_arrays()
    if value is None:
        del arrays[name]
    else:
        arrays[name] = value
    return arrays


def object_member_archive(path):
    """A .npz whose W1 is a pickled object array (np.load refuses it with advice to allow pickles)."""
    arrays = good_arrays()
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            if name == "W1":
                np.lib.format.write_array(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
            else:
                np.lib.format.write_array(buffer, array)
            archive.writestr(f"{name}.npy", buffer.getvalue())


def make_bad_file(tmp_path, kind):
    path = tmp_path / "w.npz"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("W1 = [[1, 2], [3, 4]]\n")
    elif kind == "npy":
        np.save(tmp_path / "w.npy", np.zeros((4, 3, 3, 1)))
        (tmp_path / "w.npy").rename(path)
    elif kind == "truncated":
        write_npz(tmp_path / "full.npz", good_arrays())
        data = (tmp_path / "full.npz").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif kind == "objects":
        object_member_archive(path)
    elif kind == "folder":
        path.mkdir()
    return path


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("empty", "not a .npz archive"),
        ("text", "not a .npz archive"),
        ("npy", "single-array .npy file"),
        ("truncated", "damaged or incomplete"),
        ("objects", "array W1 holds Python objects"),
        ("folder", "Is a directory"),
    ],
)
def test_unreadable_files_give_one_line(tmp_path, kind, reason):
    result = run_solution(tmp_path, make_bad_file(tmp_path, kind))
    assert_one_line_failure(result, reason)


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("W1", None, "the archive has no array named W1"),
        ("test_labels", None, "the archive has no array named test_labels"),
        ("W1", np.zeros((4, 5, 5, 1)), "array W1 has shape (4, 5, 5, 1), expected (4, 3, 3, 1)"),
        ("W3", np.zeros((10, 391)), "array W3 has shape (10, 391), expected (10, 392)"),
        ("b2", np.zeros(7), "array b2 has shape (7,), expected (8,)"),
        ("W2", np.full((8, 3, 3, 4), np.nan), "array W2 contains NaN or infinity"),
        ("b3", np.array([np.inf] + [0.0] * 9), "array b3 contains NaN or infinity"),
        ("W1", np.full((4, 3, 3, 1), "x"), "array W1 must hold numbers"),
        ("test_images", np.zeros((5, 28, 28), np.uint8), "shape (5, 28, 28), expected (6, 28, 28)"),
        ("test_labels", np.arange(10) % 10, "test_images has shape (6, 28, 28), expected (10, 28, 28)"),
        ("test_labels", np.array([0, 1, 2, 3, 4, 10]), "test_labels must hold whole numbers from 0 to 9"),
        ("test_labels", np.zeros(6), "test_labels must hold whole numbers"),
        ("test_images", np.full((6, 28, 28), 300), "test_images must hold pixel values from 0 to 255"),
    ],
)
def test_wrong_arrays_are_named(tmp_path, name, value, reason):
    result = run_solution(tmp_path, write_npz(tmp_path / "w.npz", with_change(name, value)))
    assert_one_line_failure(result, reason)


def test_zero_test_digits(tmp_path):
    arrays = good_arrays()
    arrays["test_images"], arrays["test_labels"] = np.zeros((0, 28, 28), np.uint8), np.zeros(0, int)
    result = run_solution(tmp_path, write_npz(tmp_path / "w.npz", arrays))
    assert_one_line_failure(result, "the archive holds no test digits")


def assert_one_line_failure(result, reason):
    assert result.returncode == 2
    assert result.stdout == "", "no number may be printed from bad weights"
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("tiny_cnn_solution.py: cannot load weights from ")
    assert reason in lines[0]
    assert "allow_pickle" not in lines[0] and "''" not in lines[0] and '"' not in lines[0]


def test_load_weights_leaves_weights_empty_when_an_array_is_wrong(tmp_path):
    from convviz.downloads import load_download

    solution = load_download("tiny_cnn_solution")
    path = write_npz(tmp_path / "w.npz", with_change("W3", np.zeros((10, 391))))
    with pytest.raises(ValueError, match="W3"):
        solution.load_weights(path)
    assert solution.WEIGHTS == {}


def test_long_runs_report_progress_every_hundred_digits(tmp_path):
    result = run_solution(tmp_path, write_npz(tmp_path / "w.npz", good_arrays(count=230)))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [f"classified {n} of 230 test digits so far" for n in (100, 200)]
    assert lines[2].startswith("classified 230 test digits in ")
