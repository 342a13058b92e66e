"""How the downloads that write images treat files: folders they cannot use, full disks, signals,
runs at the same time, and hostile or odd images.

Every output goes to a hidden temporary file first and is renamed into place
only when all are complete, one run at a time, so a failure leaves the folder as
it was; existing outputs are replaced and the script says so. The writing
scripts are cnn_visualization.py, cnn_solution.py and the exercise 3 starter
with its TODOs filled in.
"""

import contextlib
import fcntl
import io
import os
import shutil
import signal
import subprocess

import numpy as np
import pytest
from conftest import DOWNLOADS, run_script
from PIL import Image
from scipy import signal as scipy_signal
from support import download_runs
from support.download_runs import assert_one_line, hidden_files
from test_cnn_starter_check import finished_starter

from convviz import KERNELS, checkerboard
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
    "cnn_starter": ["my_filter_output.png"],
}


def writer(tmp_path, script):
    """The script as a learner runs it: the downloads as they are, the starter with its TODOs done
    (in a folder of its own, beside its self_check.py)."""
    if script != "cnn_starter":
        return DOWNLOADS / f"{script}.py"
    code = tmp_path / "code"
    code.mkdir(exist_ok=True)
    return finished_starter(code)


def expected_edges(gray):
    """edges_vertical.png as the page defines it, from SciPy: |Sobel X| stretched onto 0-255."""
    magnitude = np.abs(scipy_signal.correlate2d(gray, KERNELS["sobel_x"], mode="valid"))
    return ((magnitude - magnitude.min()) / (magnitude.max() - magnitude.min()) * 255).round()


def listing(folder):
    return sorted(p.name for p in folder.iterdir())


# ---------------------------------------------------------------- folders the outputs cannot go to


@pytest.mark.parametrize("script", OUTPUTS)
def test_out_naming_a_file_gives_one_line(tmp_path, script):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_script(writer(tmp_path, script), "--out", "notes.txt", cwd=tmp_path)
    assert_one_line(result, 2, f"{script}.py: 'notes.txt' is a file, not a folder")
    assert result.stdout == ""
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize("script", OUTPUTS)
def test_out_below_a_file_gives_one_line(tmp_path, script):
    (tmp_path / "notes.txt").write_text("mine")
    result = run_script(writer(tmp_path, script), "--out", "notes.txt/inner", cwd=tmp_path)
    assert_one_line(result, 2, "cannot create folder 'notes.txt/inner': Not a directory")


def read_only_run(folder, script, *args, cwd):
    """Run script with folder read-only: by its permissions, or for root (whom permissions do not
    stop) as a read-only mount in a mount namespace of its own; skip where neither is possible."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            return run_script(script, *args, cwd=cwd)
        finally:
            folder.chmod(0o755)
    if shutil.which("unshare") is None or subprocess.run(["unshare", "--mount", "true"]).returncode != 0:
        pytest.skip("root, and no mount namespace for a read-only folder")
    mount = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    return subprocess.run(
        ["unshare", "--mount", "sh", "-c", mount, str(folder), *download_runs.command(script, *args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("script", OUTPUTS)
def test_read_only_folder_gives_one_line_and_leaves_nothing(tmp_path, script):
    locked = tmp_path / "locked"
    locked.mkdir()
    result = read_only_run(locked, writer(tmp_path, script), "--out", "locked", cwd=tmp_path)
    line = assert_one_line(result, 1, "cannot write into 'locked': ", "; nothing written")
    assert "Permission denied" in line or "Read-only file system" in line
    assert listing(locked) == []


@pytest.mark.parametrize(
    ("script", "limit"),
    [("cnn_visualization", 1000), ("cnn_solution", 10_000), ("cnn_starter", 100)],
    ids=["visualization", "solution: the GIF does not fit", "starter"],
)
def test_a_full_disk_gives_one_line_and_leaves_the_folder_as_it_was(tmp_path, script, limit):
    """Writes past `limit` bytes fail as on a full disk. Before: a traceback and a 0-byte PNG (the
    starter), or the right line and then 22 lines of "Exception ignored in PluginV3.__del__" (the GIF)."""
    names = OUTPUTS[script]
    out = tmp_path / "out"
    out.mkdir()
    (out / names[0]).write_bytes(b"an older result")
    (out / "notes.txt").write_text("mine")
    result = download_runs.run(writer(tmp_path, script), "--out", "out", cwd=tmp_path, file_size=limit)
    assert_one_line(result, 1, f"{script}.py: cannot write into 'out': File too large; nothing written")
    assert "wrote" not in result.stdout and "replaced" not in result.stdout
    assert listing(out) == sorted([names[0], "notes.txt"])
    assert (out / names[0]).read_bytes() == b"an older result"


@pytest.mark.parametrize("script", OUTPUTS)
def test_existing_outputs_are_replaced_and_named(tmp_path, script):
    names = OUTPUTS[script]
    (tmp_path / names[-1]).write_bytes(b"an older result")
    (tmp_path / "notes.txt").write_text("mine")
    result = run_script(writer(tmp_path, script), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"replaced {names[-1]} (" in result.stdout
    for name in names[:-1]:
        assert f"wrote {name} (" in result.stdout
    assert listing(tmp_path) == sorted([*names, "notes.txt"] + (["code"] if script == "cnn_starter" else []))
    assert (tmp_path / names[-1]).read_bytes() != b"an older result"
    mode = (tmp_path / names[0]).stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o666 & ~umask, "outputs get the permissions of any new file"


@pytest.mark.parametrize("script", OUTPUTS)
def test_a_folder_in_the_way_of_an_output_gives_one_line_and_replaces_nothing(tmp_path, script):
    """Before: with a folder named out/edges_horizontal.png, two outputs were replaced and the script
    said "nothing written"."""
    names = OUTPUTS[script]
    out = tmp_path / "out"
    (out / names[-1]).mkdir(parents=True)
    older = {name: b"an older result" for name in names[:-1]}
    for name, data in older.items():
        (out / name).write_bytes(data)
    result = run_script(writer(tmp_path, script), "--out", "out", cwd=tmp_path)
    assert_one_line(result, 2, f"cannot write 'out/{names[-1]}': a folder of that name is in the way")
    assert {name: (out / name).read_bytes() for name in older} == older
    assert listing(out) == sorted(names) and hidden_files(out) == []


def test_a_folder_that_appears_while_the_outputs_are_computed_is_caught_too(tmp_path):
    module = load_download("cnn_solution")
    (tmp_path / "b.png").mkdir()
    (tmp_path / "a.png").write_bytes(b"older")
    files = [("a.png", b"new a", "a"), ("b.png", b"new b", "b")]
    with pytest.raises(module.Failure, match="'.*b.png': a folder of that name is in the way"):
        module.write_files(tmp_path, files)
    assert (tmp_path / "a.png").read_bytes() == b"older" and hidden_files(tmp_path) == []


# ---------------------------------------------------------------- runs at the same time, signals


def test_runs_into_one_folder_at_the_same_time_all_succeed(tmp_path):
    """Before: of runs at the same time all but one failed with "No such file or directory"."""
    runs = [
        download_runs.start(DOWNLOADS / "cnn_solution.py", "--out", "out", cwd=tmp_path) for _ in range(3)
    ]
    for run in runs:
        stdout, stderr = run.communicate(timeout=120)
        assert run.returncode == 0, stderr
        assert "my_filter_output.png" in stdout and "filter_transition.gif" in stdout
    emboss = scipy_signal.correlate2d(checkerboard(), KERNELS["emboss"], mode="valid")
    stretched = ((emboss - emboss.min()) / (emboss.max() - emboss.min()) * 255).round()
    np.testing.assert_array_equal(
        np.asarray(Image.open(tmp_path / "out" / "my_filter_output.png")), stretched
    )
    with Image.open(tmp_path / "out" / "filter_transition.gif") as gif:
        assert gif.n_frames == 20
    assert listing(tmp_path / "out") == sorted(OUTPUTS["cnn_solution"])


def test_two_runs_with_different_images_never_mix_their_files(tmp_path):
    """Before: the folder held five files of one image and one of the other."""
    rng = np.random.default_rng(3)
    for name in ("a.png", "b.png"):
        Image.fromarray(rng.integers(0, 256, (64, 64), dtype=np.uint8)).save(tmp_path / name)
    expected = []
    for name in ("a.png", "b.png"):
        run_script(DOWNLOADS / "cnn_visualization.py", "--image", name, "--out", name[0], cwd=tmp_path)
        expected.append({n: (tmp_path / name[0] / n).read_bytes() for n in OUTPUTS["cnn_visualization"]})
    for _ in range(3):
        runs = [
            download_runs.start(
                DOWNLOADS / "cnn_visualization.py", "--image", name, "--out", "out", cwd=tmp_path
            )
            for name in ("a.png", "b.png")
        ]
        for run in runs:
            _, stderr = run.communicate(timeout=120)
            assert run.returncode == 0, stderr
        found = {name: (tmp_path / "out" / name).read_bytes() for name in OUTPUTS["cnn_visualization"]}
        assert found in expected, "the folder mixes the files of the two runs"
        assert hidden_files(tmp_path / "out") == []


def test_one_run_at_a_time_renames_its_files_into_a_folder(tmp_path):
    """While another run holds the folder, a run writes its temporary files and waits to rename them."""
    out = tmp_path / "out"
    out.mkdir()
    holder = os.open(out, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    run = download_runs.start(DOWNLOADS / "cnn_solution.py", "--out", "out", cwd=tmp_path)
    try:
        download_runs.wait_for(lambda: len(hidden_files(out)) == 2, what="both temporary files")
        assert run.poll() is None and listing(out) == hidden_files(out)
    finally:
        os.close(holder)
    stdout, stderr = run.communicate(timeout=60)
    assert run.returncode == 0, stderr
    assert listing(out) == sorted(OUTPUTS["cnn_solution"])


@pytest.mark.parametrize(
    ("name", "status", "said"),
    [
        ("SIGTERM", 143, "stopped by SIGTERM"),
        ("SIGHUP", 129, "stopped by SIGHUP"),
        ("SIGINT", 130, "interrupted (Ctrl-C)"),
    ],
)
def test_a_signal_stops_the_run_with_one_line_and_leaves_the_folder_as_it_was(tmp_path, name, status, said):
    """Before: SIGTERM and SIGHUP ended the run without a word and left hidden .partial files."""
    photo = np.random.default_rng(8).integers(0, 256, (600, 700), dtype=np.uint8)
    Image.fromarray(photo).save(tmp_path / "big.png")
    out = tmp_path / "out"
    out.mkdir()
    (out / "blur_3x3.png").write_bytes(b"an older result")
    args = ("--image", "big.png", "--full-size", "--out", "out")
    run = download_runs.start(DOWNLOADS / "cnn_visualization.py", *args, cwd=tmp_path)
    first = run.stdout.readline()
    assert first.startswith("700x600 pixels: this takes about "), first
    run.send_signal(getattr(signal, name))
    stdout, stderr = run.communicate(timeout=60)
    result = subprocess.CompletedProcess(run.args, run.returncode, first + stdout, stderr)
    assert_one_line(result, status, f"cnn_visualization.py: {said}")
    assert listing(out) == ["blur_3x3.png"] and (out / "blur_3x3.png").read_bytes() == b"an older result"


def test_a_signal_while_the_files_are_renamed_waits_until_all_are_in_place(tmp_path, monkeypatch):
    """A SIGTERM that arrives between two renames stops the run only after the last one."""
    module = load_download("cnn_visualization")
    real_replace = os.replace
    calls = []

    def replace(source, target):
        calls.append(target)
        if len(calls) == 1:
            signal.raise_signal(signal.SIGTERM)
        real_replace(source, target)

    monkeypatch.setattr(module.os, "replace", replace)
    files = [(f"{n}.png", f"new {n}".encode(), "test") for n in "abc"]
    for name, _, _ in files:
        (tmp_path / name).write_bytes(b"older")
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        status = module.one_line_errors(lambda: module.write_files(tmp_path, files))()
    assert status == 128 + signal.SIGTERM and errors.getvalue().endswith(": stopped by SIGTERM\n")
    assert [(tmp_path / name).read_bytes() for name, _, _ in files] == [b"new a", b"new b", b"new c"]
    assert hidden_files(tmp_path) == []
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL, "the handlers are restored"


def test_ctrl_c_while_an_image_is_decoded_gives_one_line(tmp_path, monkeypatch):
    """Before: a KeyboardInterrupt traceback (decoding ran outside the part that handled Ctrl-C)."""
    module = load_download("cnn_visualization")
    Image.new("L", (20, 20)).save(tmp_path / "photo.png")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(module.Image, "open", interrupted)
    out, errors = io.StringIO(), io.StringIO()
    previous = os.getcwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(errors):
            status = module.main(["--image", "photo.png"])
    except KeyboardInterrupt:
        pytest.fail("Ctrl-C escaped from main() as a KeyboardInterrupt traceback")
    finally:
        os.chdir(previous)
    assert status == 130
    assert errors.getvalue().count("\n") == 1 and errors.getvalue().endswith(": interrupted (Ctrl-C)\n")
    assert listing(tmp_path) == ["photo.png"]


# ---------------------------------------------------------------- images that cannot be used


def assert_refused(result, *fragments):
    line = assert_one_line(result, 2, "cnn_visualization.py: cannot use image ", *fragments)
    assert result.stdout == ""
    return line


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "No such file or directory"), (b"not a picture", "not an image"), (b"", "not an image")],
)
def test_bad_image_gives_one_line_and_status_2(tmp_path, content, reason):
    if content is not None:
        (tmp_path / "photo.png").write_bytes(content)
    result = run_script(DOWNLOADS / "cnn_visualization.py", "--image", "photo.png", cwd=tmp_path)
    assert_refused(result, "'photo.png'", reason)
    assert list(tmp_path.glob("*.png")) == ([tmp_path / "photo.png"] if content is not None else [])


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_a_float_image_with_nan_or_infinite_pixels_is_refused(tmp_path, value):
    """Before: NaN gave all-black outputs and "Edge strength 0.0 to 0.0"; inf gave "from nan to nan"."""
    pixels = np.random.default_rng(1).random((30, 40)).astype(np.float32)
    pixels[12, 7] = value
    Image.fromarray(pixels, mode="F").save(tmp_path / "float.tif")
    result = run_script(DOWNLOADS / "cnn_visualization.py", "--image", "float.tif", cwd=tmp_path)
    assert_refused(result, "1 of its 1200 pixels are NaN or infinite")
    assert listing(tmp_path) == ["float.tif"]


@pytest.mark.parametrize("kind", ["fifo", "device", "folder", "symlink loop"])
def test_a_pipe_device_folder_or_loop_as_image_gives_one_line_instead_of_waiting(tmp_path, kind):
    """Before: a named pipe made the script wait for ever."""
    path = tmp_path / "photo.png"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "symlink loop":
        path.symlink_to(path)
    reasons = {
        "fifo": "it is a named pipe, not a file",
        "device": "it is a device, not a file",
        "folder": "it is a folder, not a file",
        "symlink loop": "Too many levels of symbolic links",
    }
    image = "/dev/zero" if kind == "device" else "photo.png"
    result = download_runs.run(DOWNLOADS / "cnn_visualization.py", "--image", image, cwd=tmp_path, timeout=30)
    assert_refused(result, reasons[kind])


def bomb(path, side):
    Image.new("1", (side, side)).save(path)


@pytest.mark.parametrize("side", [10_000, 20_000])
def test_decompression_bomb_gives_one_line(tmp_path, side):
    """20000² trips Pillow's error, 10000² (above its limit, below twice it) its warning."""
    bomb(tmp_path / "bomb.png", side)
    result = run_script(DOWNLOADS / "cnn_visualization.py", "--image", "bomb.png", cwd=tmp_path)
    assert_refused(result, "'bomb.png'", f"more than {Image.MAX_IMAGE_PIXELS:,} pixels")
    assert listing(tmp_path) == ["bomb.png"]


# ---------------------------------------------------------------- images that need a decision


def run_on(tmp_path, name, *args):
    result = run_script(DOWNLOADS / "cnn_visualization.py", "--image", name, *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return result


def asymmetric_photo():
    """A photo no turn or mirror maps onto itself: a bright bar near the left, a gray block low right."""
    pixels = np.full((40, 60), 30, dtype=np.uint8)
    pixels[5:35, 8:12] = 220
    pixels[28:36, 40:55] = 140
    return pixels


@pytest.mark.parametrize(
    ("orientation", "upright"),
    [(2, np.fliplr), (3, lambda a: np.rot90(a, 2)), (6, lambda a: np.rot90(a, -1)), (8, np.rot90)],
    ids=["mirrored", "upside down", "turned left (6)", "turned right (8)"],
)
def test_exif_orientation_is_applied_as_photo_viewers_do(tmp_path, orientation, upright):
    """Before: orientation 6 was processed as stored, its edges turned 90° from what viewers show."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(asymmetric_photo()).save(tmp_path / "phone.jpg", quality=95, exif=exif)
    result = run_on(tmp_path, "phone.jpg")
    assert f"EXIF orientation {orientation}: turned upright" in result.stdout
    stored = np.asarray(Image.open(tmp_path / "phone.jpg").convert("L"), dtype=np.float64)
    shown = upright(stored)
    assert f"Input shape: {shown.shape}" in result.stdout
    edges = np.asarray(Image.open(tmp_path / "edges_vertical.png"))
    np.testing.assert_allclose(edges, expected_edges(shown), atol=1)


def test_orientation_1_and_no_exif_say_nothing(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 1
    Image.fromarray(asymmetric_photo()).save(tmp_path / "a.jpg", exif=exif)
    Image.fromarray(asymmetric_photo()).save(tmp_path / "b.png")
    for name in ("a.jpg", "b.png"):
        assert "EXIF" not in run_on(tmp_path, name).stdout


@pytest.mark.parametrize("extension", ["gif", "png", "webp"])
def test_an_animation_uses_its_first_frame_and_says_so(tmp_path, extension):
    """Before: the first frame was used without a word (a black one gave "Edge strength 0.0 to 0.0")."""
    first = asymmetric_photo()
    frames = [Image.fromarray(first), Image.new("L", (60, 40), 200), Image.new("L", (60, 40), 90)]
    frames[0].save(
        tmp_path / f"moving.{extension}", save_all=True, append_images=frames[1:], duration=100, lossless=True
    )
    result = run_on(tmp_path, f"moving.{extension}")
    assert f"{extension.upper()} file of 3 frames: using the first\n" in result.stdout
    edges = np.asarray(Image.open(tmp_path / "edges_vertical.png"))
    np.testing.assert_allclose(edges, expected_edges(first.astype(np.float64)), atol=1)


def test_a_flat_first_frame_is_said_to_have_no_edges(tmp_path):
    frames = [Image.new("L", (30, 30), 0), Image.fromarray(asymmetric_photo()[:30, :30])]
    frames[0].save(tmp_path / "dark.gif", save_all=True, append_images=frames[1:])
    result = run_on(tmp_path, "dark.gif")
    assert "GIF file of 2 frames: using the first\n" in result.stdout
    assert "the image is one flat gray level (0): it has no edges, every edge image is black" in result.stdout


@pytest.mark.parametrize(
    "size",
    [(1, 1), (2, 2), (100, 1), (1, 100), (4, 600), (600, 4), (5, 600), (6, 600), (600, 7), (5, 5), (513, 5)],
)
@pytest.mark.parametrize("full_size", [False, True], ids=["shrunk", "full size"])
def test_every_shape_is_kept_or_refused_by_one_rule(tmp_path, size, full_size):
    """Before: 4x600 was accepted and stretched to 5 pixels wide while 2x2 was refused. Now a photo is
    shrunk only as a whole (its shape kept) and refused when a side ends up below 5 pixels."""
    width, height = size
    Image.fromarray(np.random.default_rng(width).integers(0, 256, (height, width), dtype=np.uint8)).save(
        tmp_path / "odd.png"
    )
    scale = 1 if full_size else min(1, 512 / max(size))
    used = (round(width * scale), round(height * scale))
    args = ("--image", "odd.png", *(["--full-size"] if full_size else []), "--out", "o")
    result = run_script(DOWNLOADS / "cnn_visualization.py", *args, cwd=tmp_path)
    if min(used) < 5:
        line = assert_refused(result, f"it is {width}x{height} pixels", "the filters need 5 or more each way")
        assert ("--full-size keeps every pixel" in line) == (min(size) >= 5), line
        assert not (tmp_path / "o").exists() or listing(tmp_path / "o") == []
    else:
        assert result.returncode == 0, result.stderr
        with Image.open(tmp_path / "o" / "edges_vertical.png") as edges:
            assert edges.size == (used[0] - 2, used[1] - 2)


@pytest.mark.parametrize(
    "name", ["photo with spaces.png", "фото.png", "-dash.png", "quote'and\"double.png", "new\nline.png"]
)
def test_odd_file_names_work(tmp_path, name):
    Image.fromarray(asymmetric_photo()).save(tmp_path / name, format="PNG")
    result = run_script(DOWNLOADS / "cnn_visualization.py", f"--image={name}", cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_16_bit_image_is_scaled_not_clipped(tmp_path):
    rng = np.random.default_rng(16)
    pixels = rng.integers(0, 65536, size=(40, 50)).astype(np.uint16)
    Image.fromarray(pixels).save(tmp_path / "deep.png")
    assert Image.open(tmp_path / "deep.png").mode.startswith("I;16")
    result = run_on(tmp_path, "deep.png")
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
    result = run_on(tmp_path, "clear.png")
    assert "transparent image: laid on a white background" in result.stdout
    edges = np.asarray(Image.open(tmp_path / "edges_vertical.png"))
    np.testing.assert_allclose(edges, expected_edges(gray), atol=1)


def test_opaque_rgba_image_says_nothing_about_transparency(tmp_path):
    Image.fromarray(np.random.default_rng(5).integers(0, 256, (20, 20, 4), dtype=np.uint8) | 255).save(
        tmp_path / "solid.png"
    )
    assert "transparent" not in run_on(tmp_path, "solid.png").stdout


@pytest.mark.parametrize(
    ("mode", "extension"),
    [
        ("CMYK", "jpg"),
        ("YCbCr", "jpg"),
        ("P", "png"),
        ("LA", "png"),
        ("1", "png"),
        ("I", "tif"),
        ("RGB", "ico"),
        ("RGB", "bmp"),
        ("RGB", "ppm"),
    ],
)
def test_other_pixel_formats_still_work(tmp_path, mode, extension):
    rgb = Image.fromarray(np.random.default_rng(9).integers(0, 256, (32, 32, 3), dtype=np.uint8))
    image = rgb.convert(mode) if mode != "I" else rgb.convert("L").convert("I")
    image.save(tmp_path / f"odd.{extension}")
    result = run_on(tmp_path, f"odd.{extension}")
    assert "Input shape: (32, 32)" in result.stdout


def test_a_multipage_tiff_uses_its_first_page_and_says_so(tmp_path):
    pages = [Image.fromarray(asymmetric_photo()), Image.new("L", (60, 40), 255)]
    pages[0].save(tmp_path / "pages.tif", save_all=True, append_images=pages[1:])
    result = run_on(tmp_path, "pages.tif")
    assert "TIFF file of 2 images: using the first\n" in result.stdout
    edges = np.asarray(Image.open(tmp_path / "edges_vertical.png"))
    np.testing.assert_allclose(edges, expected_edges(asymmetric_photo().astype(np.float64)), atol=1)


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
