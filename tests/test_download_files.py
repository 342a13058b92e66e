"""How the image downloads treat files: hostile images, odd pixel formats, folders they cannot use.

Each output goes to a partial name first and is renamed only when every output
is complete, so a failure leaves the folder as it was; existing outputs are
replaced and the script says so.
"""

import contextlib
import errno
import io
import os

import imageio.v2 as imageio
import numpy as np
import pytest
from conftest import DOWNLOADS, run_script
from PIL import Image
from scipy import signal

from convviz import KERNELS
from convviz.downloads import load_download

OUTPUTS = {
    "cnn_visualization": [
        "edge_detection_output.png",
        "edges_vertical.png",
        "edges_horizontal.png",
        "artistic_edges.png",
        "blur_3x3.png",
        "blur_5x5.png",
    ],
    "cnn_solution": ["my_filter_output.png", "filter_transition.gif"],
}


def assert_one_line(result, status, *fragments):
    assert result.returncode == status
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def expected_edges(gray):
    """edges_vertical.png as the page defines it, from SciPy: |Sobel X| stretched onto 0-255."""
    magnitude = np.abs(signal.correlate2d(gray, KERNELS["sobel_x"], mode="valid"))
    return ((magnitude - magnitude.min()) / (magnitude.max() - magnitude.min()) * 255).round()


@pytest.mark.parametrize("script", OUTPUTS)
def test_out_naming_a_file_gives_one_line(tmp_path, script):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_script(DOWNLOADS / f"{script}.py", "--out", "notes.txt", cwd=tmp_path)
    assert_one_line(result, 2, f"{script}.py: 'notes.txt' is a file, not a folder")
    assert result.stdout == ""
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("script", OUTPUTS)
def test_out_below_a_file_gives_one_line(tmp_path, script):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_script(DOWNLOADS / f"{script}.py", "--out", "notes.txt/inner", cwd=tmp_path)
    assert_one_line(result, 2, "cannot create folder 'notes.txt/inner': Not a directory")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
@pytest.mark.parametrize("script", OUTPUTS)
def test_read_only_folder_gives_one_line(tmp_path, script):
    (tmp_path / "locked").mkdir(mode=0o555)
    result = run_script(DOWNLOADS / f"{script}.py", "--out", "locked", cwd=tmp_path)
    assert_one_line(result, 1, "cannot write into 'locked': Permission denied; nothing written")
    assert list((tmp_path / "locked").iterdir()) == []


def run_in_process(script, folder, *args):
    """main() of a download in folder, in this process (so that a test can break its file writing)."""
    module = load_download(script)
    out, err = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = module.main(list(args))
    finally:
        os.chdir(previous)
    return status, out.getvalue(), err.getvalue()


def failing_writes(monkeypatch, failure, after):
    """Let `after` files be written, then fail the next write half way through with failure."""
    calls = {"count": 0}
    real_save, real_mimsave = Image.Image.save, imageio.mimsave

    def attempt(path, write):
        calls["count"] += 1
        if calls["count"] > after:
            with open(path, "wb") as file:
                file.write(b"GIF89a half a file" if str(path).endswith(".gif") else b"\x89PNG half")
            raise failure
        write()

    monkeypatch.setattr(
        Image.Image, "save", lambda self, fp, *a, **k: attempt(fp, lambda: real_save(self, fp, *a, **k))
    )
    monkeypatch.setattr(
        imageio, "mimsave", lambda path, *a, **k: attempt(path, lambda: real_mimsave(path, *a, **k))
    )


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
        (PermissionError(errno.EACCES, "Permission denied"), "Permission denied"),
    ],
)
@pytest.mark.parametrize("script", OUTPUTS)
def test_a_failed_write_leaves_the_folder_as_it_was(tmp_path, monkeypatch, script, failure, reason):
    names = OUTPUTS[script]
    out = tmp_path / "out"
    out.mkdir()
    (out / names[0]).write_bytes(b"an older result")
    (out / "notes.txt").write_text("mine")
    failing_writes(monkeypatch, failure, after=len(names) - 1)
    status, printed, errors = run_in_process(script, tmp_path, "--out", "out")
    assert status == 1
    assert errors.strip().endswith(f"cannot write into 'out': {reason}; nothing written")
    assert len(errors.splitlines()) == 1
    assert "wrote" not in printed and "replaced" not in printed
    assert sorted(p.name for p in out.iterdir()) == sorted([names[0], "notes.txt"])
    assert (out / names[0]).read_bytes() == b"an older result"


@pytest.mark.parametrize("script", OUTPUTS)
def test_existing_outputs_are_replaced_and_named(tmp_path, script):
    names = OUTPUTS[script]
    (tmp_path / names[-1]).write_bytes(b"an older result")
    (tmp_path / "notes.txt").write_text("mine")
    result = run_script(DOWNLOADS / f"{script}.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"replaced {names[-1]} (" in result.stdout
    for name in names[:-1]:
        assert f"wrote {name} (" in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*names, "notes.txt"])
    assert (tmp_path / names[-1]).read_bytes() != b"an older result"


def bomb(path, side):
    Image.new("1", (side, side)).save(path)


@pytest.mark.parametrize("side", [10_000, 20_000])
def test_decompression_bomb_gives_one_line(tmp_path, side):
    """20000² trips Pillow's error, 10000² (above its limit, below twice it) its warning."""
    bomb(tmp_path / "bomb.png", side)
    result = run_script(DOWNLOADS / "cnn_visualization.py", "--image", "bomb.png", cwd=tmp_path)
    limit = f"{Image.MAX_IMAGE_PIXELS:,}"
    assert_one_line(result, 2, "cannot read image 'bomb.png'", f"more than {limit} pixels")
    assert result.stdout == "" and sorted(p.name for p in tmp_path.iterdir()) == ["bomb.png"]


def test_16_bit_image_is_scaled_not_clipped(tmp_path):
    rng = np.random.default_rng(16)
    pixels = rng.integers(0, 65536, size=(40, 50)).astype(np.uint16)
    Image.fromarray(pixels).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode.startswith("I;16")
    result = run_script(DOWNLOADS / "cnn_visualization.py", "--image", "deep.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "16-bit image: scaled from 0-65535 onto 0-255" in result.stdout
    edges = np.asarray(Image.open(tmp_path / "edges_vertical.png"))
    np.testing.assert_allclose(edges, expected_edges(pixels * (255 / 65535)), atol=1)


def test_transparent_pixels_are_laid_on_white(tmp_path):
    rng = np.random.default_rng(4)
    rgba = rng.integers(0, 256, size=(30, 40, 4), dtype=np.uint8)
    rgba[..., 3] = np.where(rng.random((30, 40)) < 0.5, 0, 255)
    Image.fromarray(rgba).save(tmp_path / "clear.png")
    on_white = np.where(rgba[..., 3:] == 255, rgba[..., :3], 255).astype(np.uint8)
    gray = np.asarray(Image.fromarray(on_white).convert("L"), dtype=np.float64)
    result = run_script(DOWNLOADS / "cnn_visualization.py", "--image", "clear.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "transparent image: laid on a white background" in result.stdout
    edges = np.asarray(Image.open(tmp_path / "edges_vertical.png"))
    np.testing.assert_allclose(edges, expected_edges(gray), atol=1)


def test_opaque_rgba_image_says_nothing_about_transparency(tmp_path):
    Image.fromarray(np.random.default_rng(5).integers(0, 256, (20, 20, 4), dtype=np.uint8) | 255).save(
        tmp_path / "solid.png"
    )
    result = run_script(DOWNLOADS / "cnn_visualization.py", "--image", "solid.png", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "transparent" not in result.stdout


def run_module(module, folder, *args):
    out = io.StringIO()
    previous = os.getcwd()
    os.chdir(folder)
    try:
        with contextlib.redirect_stdout(out):
            status = module.main(list(args))
    finally:
        os.chdir(previous)
    return status, out.getvalue().splitlines()


def test_large_photo_is_shrunk_and_says_so_before_it_starts(tmp_path):
    """MAX_SIDE made small so the test is quick; the docstring and --help state the real limit."""
    module = load_download("cnn_visualization")
    assert module.MAX_SIDE == 512 and "at most 512 pixels on its longer" in module.__doc__
    module.MAX_SIDE = 40
    photo = np.random.default_rng(6).integers(0, 256, size=(70, 110, 3), dtype=np.uint8)
    Image.fromarray(photo).save(tmp_path / "big.png")
    status, lines = run_module(module, tmp_path, "--image", "big.png")
    assert status == 0
    side = round(70 * 40 / 110)
    assert lines[0] == f"shrunk from 110x70 to 40x{side} pixels (--full-size keeps every pixel)"
    assert lines[1] == f"Input shape: ({side}, 40)"
    assert np.asarray(Image.open(tmp_path / "edges_vertical.png")).shape == (side - 2, 38)
    box = np.asarray(Image.fromarray(photo).convert("L").resize((40, side), Image.Resampling.BOX), float)
    shrunk = np.asarray(Image.open(tmp_path / "edge_detection_output.png"))[:, :40]
    stretched = (box - box.min()) / (box.max() - box.min()) * 255
    assert np.abs(shrunk - stretched).max() <= 4  # rounding to whole gray levels, stretched by 255/range


def test_progress_says_when_the_run_takes_longer_than_estimated(capsys):
    """Before the estimate, "N s of about M s"; once past it, that it takes longer than estimated."""
    import re
    import threading
    import time

    module = load_download("cnn_visualization")
    module.PROGRESS_SECONDS = 0.05
    done = threading.Event()
    reporter = threading.Thread(target=module.report_progress, args=(0.3, done))
    reporter.start()
    time.sleep(0.9)
    done.set()
    reporter.join()
    lines = capsys.readouterr().out.splitlines()
    within = [bool(re.fullmatch(r"still computing: \d+ s of about 0 s", line)) for line in lines]
    beyond = [
        bool(re.fullmatch(r"still computing: \d+ s, longer than the 0 s estimated", line)) for line in lines
    ]
    assert all(a != b for a, b in zip(within, beyond, strict=True)), lines
    first_beyond = beyond.index(True)
    assert first_beyond >= 1 and all(within[:first_beyond]) and all(beyond[first_beyond:]), lines


def test_full_size_reports_progress_while_it_runs(tmp_path):
    """With the limits made tiny, a 60×80 photo counts as large: the run announces its time and reports."""
    module = load_download("cnn_visualization")
    module.MAX_SIDE, module.PROGRESS_SECONDS = 16, 0.01
    Image.fromarray(np.random.default_rng(7).integers(0, 256, (60, 80), dtype=np.uint8)).save(
        tmp_path / "p.png"
    )
    status, lines = run_module(module, tmp_path, "--image", "p.png", "--full-size")
    assert status == 0
    assert lines[0].startswith("80x60 pixels: this takes about ")
    assert "Input shape: (60, 80)" in lines
    assert any(line.startswith("still computing: ") for line in lines)
    assert np.asarray(Image.open(tmp_path / "edges_vertical.png")).shape == (58, 78)
