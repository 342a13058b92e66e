"""cnn_visualization.py --random-filters: re-rollable random filters, checked against SciPy.

The script is run as a learner runs it. What it prints and writes is compared
with filters drawn here from the same seed and applied with
scipy.signal.correlate2d.
"""

import re

import numpy as np
import pytest
from conftest import DOWNLOADS, run_script
from PIL import Image
from scipy import signal
from support import download_runs
from support.download_runs import assert_one_line

from convviz import shapes_pattern

SCRIPT = DOWNLOADS / "cnn_visualization.py"


def run(tmp_path, *args):
    return run_script(SCRIPT, *args, cwd=tmp_path)


def printed_filters(stdout):
    """The 3×3 weights of every 'filter N: a b c | d e f | g h i' line, in order."""
    filters = []
    for line in stdout.splitlines():
        match = re.match(r"filter (\d+): ([^(]+)\(", line)
        if match:
            assert int(match.group(1)) == len(filters) + 1
            rows = [row.split() for row in match.group(2).strip().split("|")]
            filters.append(np.array(rows, dtype=np.float64))
    return filters


def stretched(values):
    """The script's normalize, written out: lowest value black, highest white."""
    return ((values - values.min()) / (values.max() - values.min()) * 255).round()


def test_maps_are_the_printed_filters_applied_by_scipy(tmp_path):
    result = run(tmp_path, "--random-filters", "5", "--seed", "7")
    assert result.returncode == 0, result.stderr
    filters = printed_filters(result.stdout)
    assert len(filters) == 5
    drawn = np.random.default_rng(7).normal(size=(5, 3, 3))
    np.testing.assert_allclose(np.array(filters), drawn, atol=0.005)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["random_filters.png"]
    grid = np.asarray(Image.open(tmp_path / "random_filters.png"), dtype=np.float64)
    pattern = shapes_pattern()
    side = pattern.shape[0] - 2
    for index, weights in enumerate(drawn):
        row, col = divmod(index, 4)
        top, left = row * (side + 8), col * (side + 8)
        shown = grid[top : top + side, left : left + side]
        expected = stretched(signal.correlate2d(pattern, weights, mode="valid"))
        assert np.abs(shown - expected).max() <= 1, f"map {index + 1}"
    assert grid.shape == (2 * side + 8, 4 * side + 3 * 8)
    assert (grid[side : side + 8] == 255).all(), "the gap between the rows is white"


def test_same_seed_same_output_and_another_seed_other_filters(tmp_path):
    # A small photo: the filters do not depend on the image, and the three runs take a third of the time.
    photo = tmp_path / "photo.png"
    Image.fromarray(np.random.default_rng(1).integers(0, 256, (40, 48), dtype=np.uint8)).save(photo)
    outputs = {}
    for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        folder = tmp_path / name
        folder.mkdir()
        result = run(folder, "--image", str(photo), "--random-filters", "8", "--seed", seed)
        assert result.returncode == 0, result.stderr
        outputs[name] = (result.stdout, (folder / "random_filters.png").read_bytes())
    assert outputs["a"] == outputs["b"]
    first, third = printed_filters(outputs["a"][0]), printed_filters(outputs["c"][0])
    assert len(first) == len(third) == 8
    assert all(not np.allclose(x, y) for x, y in zip(first, third))
    assert outputs["a"][1] != outputs["c"][1]


def test_without_seed_the_filters_come_from_seed_0(tmp_path):
    result = run(tmp_path, "--random-filters", "2")
    assert result.returncode == 0, result.stderr
    assert "from seed 0" in result.stdout
    np.testing.assert_allclose(
        np.array(printed_filters(result.stdout)), np.random.default_rng(0).normal(size=(2, 3, 3)), atol=0.005
    )


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--random-filters", "abc"], "--random-filters: needs a whole number from 1 to 64, got 'abc'"),
        (["--random-filters", "0"], "--random-filters: needs a whole number from 1 to 64, got '0'"),
        (["--random-filters", "65"], "got '65'"),
        (["--random-filters", "2.5"], "got '2.5'"),
        (["--random-filters", "3", "--seed", "-1"], "--seed: needs a whole number of at least 0, got '-1'"),
        (["--random-filters", "3", "--seed", "x"], "--seed: needs a whole number of at least 0, got 'x'"),
        (["--seed", "3"], "--seed only chooses random filters; add --random-filters N"),
        (["--random-filters"], "--random-filters: expected one argument"),
    ],
)
def test_bad_arguments_give_one_line_status_2_and_write_nothing(tmp_path, args, fragment):
    (tmp_path / "notes.txt").write_text("mine")
    result = run(tmp_path, *args)
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("cnn_visualization.py: ") and fragment in lines[0]
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_failed_write_leaves_no_partial_file_and_keeps_the_old_one(tmp_path):
    """The disk fills up half way through the PNG: one line, status 1, the earlier result untouched."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "random_filters.png").write_bytes(b"an older result")
    args = ("--random-filters", "2", "--out", "out")
    result = download_runs.run(SCRIPT, *args, cwd=tmp_path, file_size=500)
    line = assert_one_line(result, 1)
    assert line.endswith(": cannot write into 'out': File too large; nothing written")
    assert "wrote" not in result.stdout and "replaced" not in result.stdout
    assert sorted(p.name for p in out.iterdir()) == ["random_filters.png"]
    assert (out / "random_filters.png").read_bytes() == b"an older result"


def test_random_filters_run_on_a_photo_of_your_own(tmp_path):
    rng = np.random.default_rng(5)
    Image.fromarray(rng.integers(0, 256, size=(40, 60), dtype=np.uint8)).save(tmp_path / "photo.png")
    result = run(tmp_path, "--random-filters", "3", "--seed", "1", "--image", "photo.png")
    assert result.returncode == 0, result.stderr
    assert "Input shape: (40, 60)" in result.stdout
    with Image.open(tmp_path / "random_filters.png") as grid:
        assert grid.size == (3 * 58 + 2 * 8, 38)
