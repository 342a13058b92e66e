"""tiny_cnn_solution.py against hostile weight files: one line, status 2, never a number from bad data.

The loader reads each array's header before its data, so a file declaring huge
arrays is refused before anything is allocated (the runs here get 1 GB of
address space, less than such a file would take); then it checks the values
against what training can produce.
"""

import io
import os
import signal
import struct
import zipfile

import numpy as np
import pytest
from conftest import DOWNLOADS
from support import download_runs

from convviz.downloads import load_download
from convviz.tiny_cnn import forward

#: Address space a run may use: numpy needs about 300 MB; the huge arrays below would need gigabytes.
MEMORY = 2**30

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
    script = DOWNLOADS / "tiny_cnn_solution.py"
    return download_runs.run(script, "--weights", weights, cwd=tmp_path, memory=MEMORY, timeout=60)


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
        ("folder", "it is a folder, not a file"),
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
        ("W1", np.ones((4, 3, 3, 1), dtype=int), "array W1 must hold decimal numbers, it holds int64"),
        ("W3", np.ones((10, 392), dtype=complex), "array W3 must hold decimal numbers, it holds complex128"),
        ("b1", np.zeros(4, dtype=[("a", "<f4")]), "array b1 must hold numbers"),
        ("test_images", np.zeros((5, 28, 28), np.uint8), "shape (5, 28, 28), expected (6, 28, 28)"),
        ("test_labels", np.arange(10) % 10, "test_images has shape (6, 28, 28), expected (10, 28, 28)"),
        ("test_labels", np.array([0, 1, 2, 3, 4, 10]), "test_labels must hold whole numbers from 0 to 9"),
        ("test_labels", np.zeros(6), "test_labels must hold whole numbers"),
        ("test_images", np.full((6, 28, 28), 300), "test_images must hold gray levels 0-255 as uint8"),
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
    solution = load_download("tiny_cnn_solution")
    path = write_npz(tmp_path / "w.npz", with_change("W3", np.zeros((10, 391))))
    status, _, errors = run_main(solution, tmp_path, "--weights", str(path))
    assert status == 2 and "array W3 has shape (10, 391)" in errors
    assert solution.WEIGHTS == {}
    with pytest.raises(solution.load_weights.__globals__["Failure"], match="W3"):
        solution.load_weights(path)


def run_main(module, folder, *args):
    import contextlib

    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = module.main(list(args))
    finally:
        os.chdir(previous)
    return status, out.getvalue(), err.getvalue()


def test_long_runs_report_progress_every_hundred_digits(tmp_path):
    result = run_solution(tmp_path, write_npz(tmp_path / "w.npz", good_arrays(count=230)))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == [f"classified {n} of 230 test digits so far" for n in (100, 200)]
    assert lines[2].startswith("classified 230 test digits in ")


# ---------------------------------------------------------------- hostile archives (issue 23, L10-L13)


def npy_bytes(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array)
    return buffer.getvalue()


def npy_header(shape, descr="<f8", data=b"\0" * 1024):
    """A .npy member whose header declares shape, followed by only the given data."""
    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue() + data


def write_members(path, members, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(f"{name}.npy", data)
    return path


def good_members(**changes):
    members = {name: npy_bytes(array) for name, array in good_arrays().items()}
    members.update(changes)
    return members


def patch_member(path, member, flags=0, method=None):
    """Set flag bits or the compression method of member in its local header and its central directory
    entry, as another zip tool would have written them."""
    data = bytearray(path.read_bytes())
    name = f"{member}.npy".encode()
    with zipfile.ZipFile(path) as archive:
        local = archive.getinfo(f"{member}.npy").header_offset
    central = data.index(b"PK\x01\x02")
    while data[central + 46 : central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    for flag_at, method_at in ((local + 6, local + 8), (central + 8, central + 10)):
        old = struct.unpack_from("<H", data, flag_at)[0]
        struct.pack_into("<H", data, flag_at, old | flags)
        if method is not None:
            struct.pack_into("<H", data, method_at, method)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    ("member", "shape", "reason"),
    [
        ("W1", (400_000_000,), "array W1 has shape (400000000,), expected (4, 3, 3, 1)"),
        ("W3", (10**12,), "array W3 has shape (1000000000000,), expected (10, 392)"),
        ("test_labels", (400_000_000,), "array test_labels declares 400,000,000 values"),
        (
            "test_images",
            (10**6, 28, 28),
            "array test_images has shape (1000000, 28, 28), expected (6, 28, 28)",
        ),
    ],
)
def test_a_header_declaring_huge_arrays_is_refused_before_anything_is_allocated(
    tmp_path, member, shape, reason
):
    """Before: 17 s and 3.15 GB of memory for (400000000,); a traceback for 10**12 values."""
    descr = "|u1" if member == "test_images" else "<i8" if member == "test_labels" else "<f8"
    path = write_members(tmp_path / "w.npz", good_members(**{member: npy_header(shape, descr)}))
    assert_one_line_failure(run_solution(tmp_path, path), reason)


def test_a_member_shorter_than_its_header_says_is_damaged(tmp_path):
    short = npy_bytes(good_arrays()["W3"])[:-8]
    result = run_solution(tmp_path, write_members(tmp_path / "w.npz", good_members(W3=short)))
    assert_one_line_failure(result, "array W3 is damaged")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'}\n", "array W1 has a damaged header"),
        (b"\x93NUMPY\x09\x00" + b"\0" * 64, "array W1 has a damaged header"),
        (b"not a numpy array at all", "array W1 has a damaged header"),
    ],
    ids=["keys missing", "unknown version", "no magic"],
)
def test_a_damaged_member_header_is_named(tmp_path, header, reason):
    result = run_solution(tmp_path, write_members(tmp_path / "w.npz", good_members(W1=header)))
    assert_one_line_failure(result, reason)


@pytest.mark.parametrize(
    ("flags", "method", "reason"),
    [
        (0x1, None, "array W2 is encrypted or compressed in a way NumPy never writes"),
        (0, 99, "array W2 is encrypted or compressed in a way NumPy never writes"),
    ],
    ids=["encrypted", "unknown compression"],
)
def test_encrypted_or_oddly_compressed_members_give_one_line(tmp_path, flags, method, reason):
    """Before: a RuntimeError or NotImplementedError traceback."""
    path = patch_member(write_members(tmp_path / "w.npz", good_members()), "W2", flags, method)
    assert_one_line_failure(run_solution(tmp_path, path), reason)


def test_compressed_archives_load_like_plain_ones(tmp_path):
    arrays = good_arrays()
    np.savez_compressed(tmp_path / "w.npz", **arrays)
    result = run_solution(tmp_path, tmp_path / "w.npz")
    assert result.returncode == 0, result.stderr
    logits = forward(arrays, arrays["test_images"][..., None] / 255.0)
    assert f"({int((logits.argmax(axis=1) == arrays['test_labels']).sum())} of 6)" in result.stdout


def with_value(name, index, value):
    arrays = good_arrays()
    arrays[name] = arrays[name].copy()
    arrays[name].flat[index] = value
    return arrays


@pytest.mark.parametrize(
    ("arrays", "reason"),
    [
        (with_value("b3", 3, 1e308), "array b3 holds 1e+308, which training never gives"),
        (with_value("b3", 0, -1e308), "array b3 holds -1e+308, which training never gives"),
        ({**good_arrays(), "W1": np.full((4, 3, 3, 1), 1e300)}, "array W1 holds 1e+300"),
        (with_value("W3", 100, 5e3), "array W3 holds 5000, which training never gives"),
        (
            {**good_arrays(), "test_images": good_arrays()["test_images"] / 255.0},
            "array test_images must hold gray levels 0-255 as uint8, it holds float64",
        ),
        (
            {**good_arrays(), "test_images": (good_arrays()["test_images"] > 127).astype(np.uint8)},
            "array test_images holds only the values 0 and 1",
        ),
        (
            {**good_arrays(), "test_images": good_arrays()["test_images"].astype(np.int16)},
            "it holds int16",
        ),
    ],
    ids=[
        "b3 1e308",
        "b3 -1e308",
        "W1 1e300",
        "W3 5000",
        "images 0-1 floats",
        "images 0 or 1",
        "images int16",
    ],
)
def test_values_training_cannot_produce_give_one_line_not_an_accuracy(tmp_path, arrays, reason):
    """Before: "test accuracy: 10.3 %", "46.5 %", "24.0 %" and status 0."""
    result = run_solution(tmp_path, write_npz(tmp_path / "w.npz", arrays))
    assert_one_line_failure(result, reason)


def test_weights_as_large_as_training_can_make_them_still_load(tmp_path):
    arrays = with_value("W3", 7, -99.0)
    result = run_solution(tmp_path, write_npz(tmp_path / "w.npz", arrays))
    assert result.returncode == 0, result.stderr
    assert "test accuracy: " in result.stdout


def test_extra_arrays_in_the_archive_are_left_alone(tmp_path):
    """The course's file also holds the initial weights and the training history."""
    arrays = {**good_arrays(), "W1_init": np.zeros((4, 3, 3, 1)), "history": np.array([{"a": 1}], object)}
    with zipfile.ZipFile(tmp_path / "w.npz", "w") as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, array, allow_pickle=True)
            archive.writestr(f"{name}.npy", buffer.getvalue())
    result = run_solution(tmp_path, tmp_path / "w.npz")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_pipe_or_device_as_weights_gives_one_line_instead_of_waiting(tmp_path, kind):
    """Before: a named pipe made the script wait for ever."""
    if kind == "fifo":
        path = tmp_path / "w.npz"
        os.mkfifo(path)
    else:
        path = "/dev/zero"
    result = download_runs.run(
        DOWNLOADS / "tiny_cnn_solution.py", "--weights", path, cwd=tmp_path, memory=MEMORY, timeout=30
    )
    reason = "it is a named pipe, not a file" if kind == "fifo" else "it is a device, not a file"
    assert_one_line_failure(result, reason)


@pytest.mark.parametrize(
    ("name", "status", "said"),
    [("SIGINT", 130, "interrupted (Ctrl-C)"), ("SIGTERM", 143, "stopped by SIGTERM")],
)
def test_a_signal_while_digits_are_classified_gives_one_line(tmp_path, name, status, said):
    """Before: Ctrl-C gave a KeyboardInterrupt traceback."""
    weights = write_npz(tmp_path / "w.npz", good_arrays(count=5000))
    run = download_runs.start(DOWNLOADS / "tiny_cnn_solution.py", "--weights", weights, cwd=tmp_path)
    assert run.stdout.readline() == "classified 100 of 5000 test digits so far\n"
    run.send_signal(getattr(signal, name))
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == status and stderr == f"tiny_cnn_solution.py: {said}\n"
