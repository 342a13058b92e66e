"""The learner downloads, run as a learner runs them: in an empty folder, as scripts."""

import re
import shutil

import numpy as np
import pytest
from conftest import DOWNLOADS, run_script
from PIL import Image
from scipy import signal

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


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "No such file or directory"), (b"not a picture", "not an image"), (b"", "not an image")],
)
def test_bad_image_gives_one_line_and_status_2(tmp_path, content, reason):
    if content is not None:
        (tmp_path / "photo.png").write_bytes(content)
    result = run_script(DOWNLOADS / "cnn_visualization.py", "--image", "photo.png", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert lines[0].startswith("cnn_visualization.py: cannot read image 'photo.png'") and reason in lines[0]
    assert list(tmp_path.glob("*.png")) == ([tmp_path / "photo.png"] if content is not None else [])


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


def test_downloads_need_only_numpy_pillow_and_imageio():
    allowed = {
        "argparse",
        "sys",
        "threading",
        "time",
        "warnings",
        "pathlib",
        "zipfile",
        "zlib",
        "numpy",
        "PIL",
        "imageio",
    }
    for path in DOWNLOADS.glob("*.py"):
        imports = re.findall(r"^(?:from|import) ([\w]+)", path.read_text(), flags=re.M)
        assert set(imports) <= allowed, (path.name, set(imports) - allowed)


FILE_HELPERS = ("prepare_folder", "write_partial", "publish", "discard")


def function_source(path, name):
    import ast

    source = path.read_text()
    node = next(n for n in ast.parse(source).body if getattr(n, "name", None) == name)
    return ast.get_source_segment(source, node)


@pytest.mark.parametrize(
    ("name", "files"),
    [
        ("normalize", ["cnn_visualization.py", "cnn_starter.py", "cnn_solution.py"]),
        ("make_checkerboard", ["cnn_starter.py", "cnn_solution.py"]),
        ("relu", ["tiny_cnn_starter.py", "tiny_cnn_solution.py"]),
        ("forward", ["tiny_cnn_starter.py", "tiny_cnn_solution.py"]),
        *((helper, ["cnn_visualization.py", "cnn_solution.py"]) for helper in FILE_HELPERS),
    ],
)
def test_helpers_repeated_across_standalone_downloads_are_identical(name, files):
    """Each download runs alone, so a few helpers stand in more than one; they must not drift apart."""
    sources = {function_source(DOWNLOADS / file, name) for file in files}
    assert len(sources) == 1, f"{name} differs between {files}"
