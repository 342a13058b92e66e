"""The learner downloads, run as a learner runs them: in an empty folder, as scripts."""

import ast
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest
from conftest import DOWNLOADS, run_script
from PIL import Image
from scipy import signal
from support import download_runs
from support.download_runs import assert_one_line

from convviz import KERNELS, checkerboard, shapes_pattern
from convviz.downloads import load_download

VISUALIZATION_OUTPUTS = {
    "edge_detection_output.png": (256, 256 + 8 + 254),
    "edges_vertical.png": (254, 254),
    "edges_horizontal.png": (254, 254),
    "artistic_edges.png": (252, 252, 3),
    "blur_3x3.png": (254, 254),
    "blur_5x5.png": (252, 252),
}


def test_cnn_visualization_writes_every_file_it_names(tmp_path):
    result = run_script(DOWNLOADS / "cnn_visualization.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Input shape: (256, 256)" in result.stdout
    assert "Output shape: (254, 254)" in result.stdout
    for name, shape in VISUALIZATION_OUTPUTS.items():
        assert f"wrote {name}" in result.stdout
        image = np.asarray(Image.open(tmp_path / name))
        assert image.shape == shape, name
        assert image.dtype == np.uint8 and image.max() > image.min(), name


def test_edge_figure_shows_both_sides_of_every_edge(tmp_path):
    run_script(DOWNLOADS / "cnn_visualization.py", "--out", "out", cwd=tmp_path)
    vertical = np.asarray(Image.open(tmp_path / "out" / "edges_vertical.png")).astype(int)
    # The rectangle spans columns 30-109 of the input; the valid output is shifted by one.
    row = 59
    assert vertical[row, 28:31].max() > 200, "left (dark-to-light) edge missing"
    assert vertical[row, 107:110].max() > 200, "right (light-to-dark) edge missing"
    assert vertical[row, 40:100].max() == 0, "flat inside should give no response"


def test_magnitude_range_printed_matches_sobel_by_scipy(tmp_path):
    result = run_script(DOWNLOADS / "cnn_visualization.py", cwd=tmp_path)
    low, high = map(float, re.search(r"Edge strength: from ([\d.]+) to ([\d.]+)", result.stdout).groups())
    pattern = shapes_pattern()
    gx = signal.correlate2d(pattern, KERNELS["sobel_x"], mode="valid")
    gy = signal.correlate2d(pattern, KERNELS["sobel_y"], mode="valid")
    magnitude = np.hypot(gx, gy)
    assert (low, high) == (round(magnitude.min(), 1), round(magnitude.max(), 1))


def test_download_patterns_are_the_package_patterns():
    assert np.array_equal(load_download("cnn_visualization").make_shapes_pattern(), shapes_pattern())
    assert np.array_equal(load_download("cnn_starter").make_checkerboard(), checkerboard())
    assert np.array_equal(load_download("cnn_solution").make_checkerboard(), checkerboard())


def test_cnn_visualization_runs_on_a_photo(tmp_path):
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (40, 60, 3), dtype=np.uint8)).save(tmp_path / "photo.jpg")
    args = ("--image", "photo.jpg", "--out", "o")
    result = run_script(DOWNLOADS / "cnn_visualization.py", *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Output shape: (38, 58)" in result.stdout
    assert np.asarray(Image.open(tmp_path / "o" / "edges_vertical.png")).shape == (38, 58)


def test_unmodified_starter_names_the_first_open_todo(tmp_path):
    result = run_script(DOWNLOADS / "cnn_starter.py", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "cnn_starter.py: TODO 1 is still open: return your own 3x3 kernel from make_kernel."
    )
    assert not list(tmp_path.iterdir())


# What a learner types in for each TODO, in order, as (line with the TODO call, replacement).
TODO_ANSWERS = [
    (
        '    return todo(1, "return your own 3x3 kernel from make_kernel")',
        "    return np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=np.float64)",
    ),
    (
        '    out_rows, out_cols = todo(2, "compute out_rows and out_cols in convolve2d")',
        "    out_rows, out_cols = image_rows - kernel_rows + 1, image_cols - kernel_cols + 1",
    ),
    (
        '    output = todo(3, "create the output array in convolve2d")',
        "    output = np.zeros((out_rows, out_cols))",
    ),
    (
        '            todo(4, "fill output[row, col] inside the loops of convolve2d")',
        "            output[row, col] = np.sum(image[row : row + kernel_rows, col : col + kernel_cols] * kernel)",  # noqa: E501
    ),
]


@pytest.mark.parametrize("done", range(len(TODO_ANSWERS) + 1))
def test_starter_reports_each_todo_in_turn_and_works_when_all_are_done(tmp_path, done):
    text = (DOWNLOADS / "cnn_starter.py").read_text()
    for line, answer in TODO_ANSWERS[:done]:
        assert line in text
        text = text.replace(line, answer)
    (tmp_path / "cnn_starter.py").write_text(text)
    shutil.copy(DOWNLOADS / "self_check.py", tmp_path)
    result = run_script(tmp_path / "cnn_starter.py", cwd=tmp_path)
    if done < len(TODO_ANSWERS):
        assert result.returncode == 1
        assert result.stderr.startswith(f"cnn_starter.py: TODO {done + 1} is still open")
        assert "Traceback" not in result.stderr
    else:
        assert result.returncode == 0, result.stderr
        output = np.asarray(Image.open(tmp_path / "my_filter_output.png"))
        assert output.shape == (254, 254)


def test_solution_writes_filter_output_and_transition_gif(tmp_path):
    result = run_script(DOWNLOADS / "cnn_solution.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "wrote my_filter_output.png (254x254 pixels)" in result.stdout
    assert "wrote filter_transition.gif (20 frames)" in result.stdout
    solution = load_download("cnn_solution")
    expected = solution.normalize(signal.correlate2d(checkerboard(), KERNELS["emboss"], mode="valid"))
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "my_filter_output.png")), expected)
    with Image.open(tmp_path / "filter_transition.gif") as gif:
        assert gif.n_frames == 20 and gif.is_animated
        assert gif.info["duration"] == 100  # milliseconds, as the page says


def test_an_imageio_that_reads_the_duration_in_seconds_is_named_in_one_line(monkeypatch):
    """imageio before 2.28 read duration=100 as 100 s a frame (measured: 2.27.0 wrote 100000 ms)."""
    solution = load_download("cnn_solution")
    current = solution.imageio.mimwrite

    def imageio_2_27(uri, frames, format, duration, loop):
        return current(uri, frames, format=format, duration=duration * 1000, loop=loop)

    monkeypatch.setattr(solution.imageio, "mimwrite", imageio_2_27)
    frames = [np.full((4, 4), level, np.uint8) for level in (0, 255)]
    with pytest.raises(solution.Failure) as stopped:
        solution.gif_bytes(frames)
    assert str(stopped.value) == (
        "imageio wrote frames of 100000 ms instead of 100 ms: versions before 2.28 read the duration in "
        "seconds; pip install --upgrade imageio"
    )


def relative_luminance(rgb):
    """WCAG relative luminance of sRGB colours (..., 3) in 0-255."""
    c = np.asarray(rgb, dtype=float) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def test_artistic_colours_run_from_dark_blue_to_yellow_and_read_in_lightness_alone():
    """No red against green (issue 22): the ramp gets lighter all the way, so every colour vision reads it."""
    from convviz.display import false_color

    visualization = load_download("cnn_visualization")
    image = np.random.default_rng(4).integers(0, 256, (40, 50)).astype(np.float64)
    rgb = visualization.artistic_edges(image)
    sharpened = visualization.normalize(signal.correlate2d(image, KERNELS["sharpen"], mode="valid"))
    edges = np.abs(signal.correlate2d(sharpened, KERNELS["sobel_x"], mode="valid"))
    np.testing.assert_array_equal(rgb, false_color(edges))  # the figures draw the download's colours
    ramp = false_color(np.arange(256.0))
    assert tuple(ramp[0]) == (0, 40, 110) and tuple(ramp[-1]) == (255, 230, 110)
    lightness = relative_luminance(ramp)
    assert (np.diff(lightness) > 0).all()
    assert (lightness[-1] + 0.05) / (lightness[0] + 0.05) > 7  # WCAG contrast of the two ends
    assert (ramp[:, 1] >= ramp[:, 0] * 0.75).all()  # never a red, whatever the level


def test_transition_frames_equal_filtering_with_the_blended_kernel():
    solution = load_download("cnn_solution")
    image = np.random.default_rng(1).integers(0, 256, (20, 20)).astype(np.float64)
    frames = solution.transition_frames(image, solution.IDENTITY, solution.EMBOSS, steps=5)
    for t, frame in zip(np.linspace(0, 1, 5), frames):
        blended = (1 - t) * solution.IDENTITY + t * solution.EMBOSS
        direct = solution.normalize(signal.correlate2d(image, blended, mode="valid"))
        assert np.abs(frame.astype(int) - direct.astype(int)).max() <= 1


def test_solution_loop_matches_scipy():
    solution = load_download("cnn_solution")
    image = np.random.default_rng(2).normal(size=(12, 15))
    kernel = np.random.default_rng(3).normal(size=(3, 4))
    np.testing.assert_allclose(solution.convolve2d(image, kernel), signal.correlate2d(image, kernel, "valid"))


def top_level_imports(path):
    """The top-level packages a download imports, wherever in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_downloads_need_only_numpy_pillow_and_imageio():
    for path in DOWNLOADS.glob("*.py"):
        beside = {other.stem for other in DOWNLOADS.glob("*.py")}  # the downloads import each other
        outside = top_level_imports(path) - set(sys.stdlib_module_names) - beside
        assert outside <= {"numpy", "PIL", "imageio"}, (path.name, outside)
    needs = {path.name: top_level_imports(path) for path in DOWNLOADS.glob("*.py")}
    assert {name for name, imports in needs.items() if "imageio" in imports} == {"cnn_solution.py"}
    for name in ("self_check.py", "tiny_cnn_starter.py", "tiny_cnn_solution.py"):  # exercise 4: numpy only
        assert "PIL" not in needs[name], name


# ---------------------------------------------------------------- copies that must not drift apart

#: Names that more than one download defines and that differ on purpose: the learner's functions (a
#: TODO in the starter, filled in in the solution and in cnn_visualization.py; exercise 5 carries
#: exercise 4's solution, which test_occlusion_self_check.py compares), each script's main and output
#: files, each starter's checks.
DIFFER_ON_PURPOSE = {
    "main",
    "OUTPUTS",
    "run_checks",
    "make_kernel",
    "convolve2d",
    "conv2d",
    "maxpool2d",
    "occlusion_map",
}


def definitions(path):
    """{name: source} of the functions, classes and constants a download defines at its top level."""
    source = path.read_text()
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            found[node.name] = ast.get_source_segment(source, node)
        elif (
            isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
        ):
            found[node.targets[0].id] = ast.get_source_segment(source, node)
    return found


def shared_definitions():
    """{name: {download: source}} of every name defined in more than one download."""
    by_name = {}
    for path in sorted(DOWNLOADS.glob("*.py")):
        for name, source in definitions(path).items():
            by_name.setdefault(name, {})[path.name] = source
    return {name: copies for name, copies in by_name.items() if len(copies) > 1}


def test_every_definition_repeated_across_the_downloads_is_identical():
    """Each download runs alone, so shared helpers stand in more than one file; they must not drift apart.

    Found by parsing the files, not listed: a helper copied into another download is checked from then on.
    """
    shared = shared_definitions()
    drifted = {
        name: sorted(copies)
        for name, copies in shared.items()
        if name not in DIFFER_ON_PURPOSE and len(set(copies.values())) > 1
    }
    assert drifted == {}, f"copies that differ: {drifted}"
    assert DIFFER_ON_PURPOSE <= set(shared), "a name on the list is no longer shared; take it off the list"
    for name in DIFFER_ON_PURPOSE:
        assert len(set(shared[name].values())) > 1, f"{name} is identical everywhere; take it off the list"


def test_the_solutions_import_the_shared_helpers_instead_of_copying_them():
    """The copy test once listed the helpers by hand and missed load_weights (43 identical lines); the
    solutions then carried copies of self_check.py's helpers, and exercise 5's pair copies of each other.
    Only cnn_visualization.py, which runs on its own, keeps copies now."""
    shared = shared_definitions()
    assert "load_weights" not in shared and "map_image" not in shared
    assert set(shared["forward"]) == {"tiny_cnn_starter.py", "tiny_cnn_solution.py"}
    assert set(shared["write_files"]) == {"self_check.py", "cnn_visualization.py"}
    assert set(shared["one_line_errors"]) == {"self_check.py", "cnn_visualization.py"}
    assert len(shared["normalize"]) == 3


# ---------------------------------------------------------------- what every download says when it cannot run

SCRIPTS = [
    "cnn_visualization",
    "cnn_starter",
    "cnn_solution",
    "tiny_cnn_starter",
    "tiny_cnn_solution",
    "occlusion_starter",
    "occlusion_solution",
    "self_check",
]


@pytest.mark.parametrize(
    ("script", "missing", "package"),
    [
        ("cnn_visualization", ["numpy"], "numpy"),
        ("cnn_visualization", ["PIL"], "pillow"),
        ("cnn_starter", ["PIL"], "pillow"),
        ("cnn_starter", ["numpy"], "numpy"),
        ("cnn_solution", ["imageio"], "imageio"),
        ("cnn_solution", ["PIL"], "pillow"),
        ("tiny_cnn_starter", ["numpy"], "numpy"),
        ("tiny_cnn_solution", ["numpy"], "numpy"),
        ("occlusion_starter", ["numpy"], "numpy"),
        ("occlusion_starter", ["PIL"], "pillow"),
        ("occlusion_solution", ["numpy"], "numpy"),
        ("occlusion_solution", ["PIL"], "pillow"),
        ("self_check", ["numpy"], "numpy"),
    ],
)
def test_a_missing_package_is_named_in_one_line_with_how_to_install_it(tmp_path, script, missing, package):
    """Before: a ModuleNotFoundError traceback."""
    result = download_runs.run(DOWNLOADS / f"{script}.py", cwd=tmp_path, without=missing)
    assert_one_line(result, 1, f"{script}.py: needs the Python package {package}: pip install {package}")
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_a_computer_with_no_packages_at_all_is_told_the_first_one(tmp_path):
    """python -S: no site-packages, as on a fresh Python."""
    result = subprocess.run(
        [sys.executable, "-S", str(DOWNLOADS / "cnn_solution.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert_one_line(result, 1, "cnn_solution.py: needs the Python package ")


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_bad_argument_gives_one_line_and_status_2(tmp_path, script):
    """Before: argparse's usage line and error line, two lines, for the starters and solutions."""
    result = run_script(DOWNLOADS / f"{script}.py", "--colour", "red", cwd=tmp_path)
    assert_one_line(result, 2, f"{script}.py: unrecognized arguments: --colour red (see --help)")
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("script", SCRIPTS)
def test_help_says_what_the_file_is_for(tmp_path, script):
    """Before: self_check.py --help printed nothing and exited 0."""
    result = run_script(DOWNLOADS / f"{script}.py", "--help", cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == ""
    usage, description = result.stdout.split("\n\n")[:2]
    assert usage.startswith(f"usage: {script}.py") and len(description.split()) >= 4, result.stdout


def test_self_check_run_on_its_own_says_which_starter_to_run(tmp_path):
    """Before: python self_check.py printed nothing and exited 0 (and the page links it)."""
    result = run_script(DOWNLOADS / "self_check.py", cwd=tmp_path)
    line = assert_one_line(result, 2, "self_check.py: ", "on its own it does nothing")
    assert "python cnn_starter.py --check (exercise 3)" in line
    assert "python tiny_cnn_starter.py --check (exercise 4)" in line
    assert "python occlusion_starter.py --check (exercise 5)" in line
    shutil.copy(DOWNLOADS / "self_check.py", tmp_path)
    (tmp_path / "tiny_cnn_starter.py").write_text("")
    beside = run_script(tmp_path / "self_check.py", cwd=tmp_path)
    line = assert_one_line(beside, 2, "run python tiny_cnn_starter.py --check (exercise 4)")
    assert "cnn_starter.py --check (exercise 3)" not in line.replace("tiny_cnn_starter", "")


@pytest.mark.parametrize("starter", ["cnn_starter.py", "tiny_cnn_starter.py", "occlusion_starter.py"])
def test_a_self_check_of_another_version_gives_one_line(tmp_path, starter):
    shutil.copy(DOWNLOADS / starter, tmp_path)
    (tmp_path / "self_check.py").write_text("def todo(number, task):\n    pass\n")
    result = run_script(tmp_path / starter, "--check", cwd=tmp_path)
    assert_one_line(result, 1, f"{starter}: self_check.py is from another version (", "unzip it again")
