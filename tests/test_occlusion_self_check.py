"""Exercise 5 (occlusion_starter.py): every planted mistake gets its own message, and the run maps digits.

Each test plants a learner's mistake in a copy of the solution's occlusion_map,
pastes it into the starter and asserts the message the check gives. The check's
right answers, and the maps the run prints and draws, are compared with a direct
loop over the patch positions written here, on the vectorized network of convviz.
"""

import re
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import DOWNLOADS, FIGURES, run_script
from PIL import Image
from support.download_runs import assert_one_line
from support.planted import assert_every_mistake_distinct, problems_of
from test_tiny_cnn_self_check import planted_starter as planted_exercise4

from convviz.downloads import load_download
from convviz.tiny_cnn import forward as network_forward
from convviz.tiny_cnn import load_weights

WEIGHTS_FILE = FIGURES / "tiny_cnn_weights.npz"
STARTER = load_download("occlusion_starter")
SOLUTION = load_download("occlusion_solution")
CHECK = load_download("self_check")
MAPS = load_download("occlusion_maps")
PATTERN = r"def occlusion_map\(.*?\n(?=\n\n)"


def planted_starter(tmp_path, changes=()):
    """The starter with the solution's occlusion_map pasted in, `changes` made to it."""
    body = re.search(PATTERN, (DOWNLOADS / "occlusion_solution.py").read_text(), re.S).group(0)
    for old, new in changes:
        assert old in body, f"cannot plant the mistake: {old!r} is not in occlusion_map"
        body = body.replace(old, new)
    starter = (DOWNLOADS / "occlusion_starter.py").read_text()
    start, end = re.search(PATTERN, starter, re.S).span()
    path = tmp_path / "occlusion_starter.py"
    path.write_text(starter[:start] + body + starter[end:])
    copy_helpers(tmp_path)
    return path


#: The files exercise5.zip puts beside the starter, which it imports.
HELPERS = ("self_check.py", "occlusion_maps.py", "tiny_cnn_solution.py")


def copy_helpers(folder):
    for name in HELPERS:
        shutil.copy(DOWNLOADS / name, folder)


def direct_occlusion(image, scores, label, patch, stride, fill):
    """The occlusion map by a plain loop over the corners range(0, H - patch + 1, stride)."""
    rows, cols = image.shape
    corners_r, corners_c = range(0, rows - patch + 1, stride), range(0, cols - patch + 1, stride)
    base = scores(image)[label]
    out = np.empty((len(corners_r), len(corners_c)))
    for a, top in enumerate(corners_r):
        for b, left in enumerate(corners_c):
            covered = np.array(image, dtype=float)
            covered[top : top + patch, left : left + patch] = fill
            out[a, b] = base - scores(covered)[label]
    return out


# ---------------------------------------------------------------- the right answers


def test_the_checks_right_answers_match_a_direct_loop():
    for case in STARTER.OCCLUSION_CASES:
        given = case["kwargs"]
        expected = direct_occlusion(
            case["args"][0],
            given["forward"],
            given["label"],
            given.get("patch", 6),
            given.get("stride", 2),
            given.get("fill", 0.0),
        )
        np.testing.assert_allclose(STARTER._occlusion_answer(case, {}), expected, atol=1e-12)


def test_the_probes_can_tell_the_class_and_sign_mistakes_apart():
    """The label is not the predicted class, covering changes the winner, and drops have both signs."""
    for case in STARTER.OCCLUSION_CASES:
        image, label = case["args"][0], case["kwargs"]["label"]
        scores = case["scores"]
        assert int(np.argmax(scores(image))) != label
        right = STARTER._occlusion_answer(case, {})
        assert (right > 0).any() and (right < 0).any()
        assert 0 < (image == 0).mean() < 1 and image.max() <= 1
    covered_winners = STARTER._occlusion_answer(STARTER.OCCLUSION_CASES[1], {"score": "largest"})
    assert not CHECK.same(
        covered_winners, STARTER._occlusion_answer(STARTER.OCCLUSION_CASES[1], {"score": "predicted"})
    )


def test_every_known_mistake_gives_its_own_result_on_the_probes():
    """So a result that matches one mistake cannot also match the right answer or another mistake."""
    assert_every_mistake_distinct(
        STARTER.OCCLUSION_CASES, STARTER._occlusion_answer, STARTER.OCCLUSION_MISTAKES, CHECK.same
    )


# ---------------------------------------------------------------- planted mistakes

FILL = "j * stride + patch] = fill"
SCORE = "score = forward(image)[label]"
DROP = "out[i, j] = score - forward(covered)[label]"
COPY = "            covered = image.copy()  # a fresh copy for every position: one patch at a time\n"
SLICE = "covered[i * stride : i * stride + patch, j * stride : j * stride + patch]"
OUT_ROWS = "out_rows = (rows - patch) // stride + 1"
OUT_COLS = "out_cols = (cols - patch) // stride + 1"
LOOPS = "    for i in range(out_rows):\n"
SOFTMAX = "np.exp({z})[label] / np.exp({z}).sum()"

# family: {mistake: (changes, start of the message)}
PLANTED = {
    "patch value": {
        "middle gray": (
            [(FILL, "j * stride + patch] = 0.5")],
            "occlusion_map covers the patch with middle gray",
        ),
        "fill ignored": (
            [(FILL, "j * stride + patch] = 0")],
            "occlusion_map always covers the patch with 0 and ignores its argument fill",
        ),
        "the image's mean": (
            [(FILL, "j * stride + patch] = image.mean()")],
            "occlusion_map covers the patch with the image's mean value",
        ),
    },
    "which class": {
        "the predicted class": (
            [(SCORE, f"label = int(np.argmax(forward(image)))\n    {SCORE}")],
            "occlusion_map maps the class the network predicts",
        ),
        "each image's winner": (
            [(SCORE, "score = forward(image).max()"), (DROP, "out[i, j] = score - forward(covered).max()")],
            "occlusion_map compares the largest score of each image",
        ),
    },
    "probability vs logit": {
        "probability": (
            [
                (SCORE, f"score = {SOFTMAX.format(z='forward(image)')}"),
                (DROP, f"out[i, j] = score - {SOFTMAX.format(z='forward(covered)')}"),
            ],
            "occlusion_map measures the drop of the probability (softmax) of label",
        ),
        "log-probability": (
            [
                (SCORE, "score = forward(image)[label] - np.log(np.exp(forward(image)).sum())"),
                (
                    DROP,
                    "out[i, j] = score - forward(covered)[label] + np.log(np.exp(forward(covered)).sum())",
                ),
            ],
            "occlusion_map measures the drop of the log-probability of label",
        ),
    },
    "sign and units": {
        "subtracted the wrong way": (
            [(DROP, "out[i, j] = forward(covered)[label] - score")],
            "occlusion_map subtracts the wrong way round",
        ),
        "absolute change": (
            [(DROP, "out[i, j] = abs(score - forward(covered)[label])")],
            "occlusion_map takes the absolute value of the change",
        ),
        "covered score, no drop": (
            [(DROP, "out[i, j] = forward(covered)[label]")],
            "occlusion_map returns the score with each patch covered, not how much it dropped",
        ),
        "scaled to its largest value": (
            [("    return out", "    return out / np.abs(out).max()")],
            "occlusion_map divides the map by its largest value",
        ),
    },
    "copies": {
        "one copy for all positions": (
            [(COPY, ""), (LOOPS, "    covered = image.copy()\n" + LOOPS)],
            "occlusion_map covers the patches one after another without removing the earlier ones",
        ),
        "everything but the patch covered": (
            [
                (COPY, "            covered = np.full_like(image, fill)\n"),
                (f"{SLICE} = fill", f"{SLICE} = image[{SLICE[8:]}"),
            ],
            "occlusion_map covers everything except the patch",
        ),
    },
    "patch size and stride": {
        "one pixel too small": (
            [(SLICE, SLICE.replace("+ patch", "+ patch - 1"))],
            "occlusion_map covers a square one pixel too small",
        ),
        "one pixel too large": (
            [(SLICE, SLICE.replace("+ patch", "+ patch + 1"))],
            "occlusion_map covers a square one pixel too large",
        ),
        "stride ignored": (
            [
                (SLICE, "covered[i : i + patch, j : j + patch]"),
                (OUT_ROWS, "out_rows = rows - patch + 1"),
                (OUT_COLS, "out_cols = cols - patch + 1"),
            ],
            "occlusion_map moves the patch by 1 and ignores stride",
        ),
        "patch not moved by the stride": (
            [(SLICE, "covered[i : i + patch, j : j + patch]")],
            "occlusion_map sizes the map for the stride but moves the patch one pixel at a time",
        ),
        "moved by its own size": (
            [
                (SLICE, SLICE.replace("stride", "patch")),
                (OUT_ROWS, "out_rows = (rows - patch) // patch + 1"),
                (OUT_COLS, "out_cols = (cols - patch) // patch + 1"),
            ],
            "occlusion_map moves the patch by its own size",
        ),
    },
    "map size and order": {
        "one position short": (
            [(OUT_ROWS, OUT_ROWS[:-4]), (OUT_COLS, OUT_COLS[:-4])],
            "occlusion_map leaves out the last row and column of positions",
        ),
        "range stopping one short": (
            [
                (OUT_ROWS, "out_rows = len(range(0, rows - patch, stride))"),
                (OUT_COLS, "out_cols = len(range(0, cols - patch, stride))"),
            ],
            "occlusion_map stops one position early where rows - patch is a multiple of stride",
        ),
        "every stride-th pixel": (
            [
                (OUT_ROWS, "out_rows = len(range(0, rows, stride))"),
                (OUT_COLS, "out_cols = len(range(0, cols, stride))"),
            ],
            "occlusion_map places the patch at every stride-th row and column",
        ),
        "rows // stride": (
            [(OUT_ROWS, "out_rows = rows // stride"), (OUT_COLS, "out_cols = cols // stride")],
            "occlusion_map sizes the map as rows // stride",
        ),
        "rounded up": (
            [
                (OUT_ROWS, "out_rows = -(-(rows - patch) // stride) + 1"),
                (OUT_COLS, "out_cols = -(-(cols - patch) // stride) + 1"),
            ],
            "occlusion_map adds a row and column of positions where the patch hangs over the edge",
        ),
        "columns counted from rows": (
            [(OUT_COLS, "out_cols = (rows - patch) // stride + 1")],
            "occlusion_map gives the map as many columns as rows",
        ),
        "patch at (j, i)": (
            [(SLICE, "covered[j * stride : j * stride + patch, i * stride : i * stride + patch]")],
            "occlusion_map puts the patch of out[i, j] at row j * stride, column i * stride",
        ),
        "map transposed": (
            [("    return out", "    return out.T")],
            "occlusion_map swaps the rows and columns of the map",
        ),
        "whole numbers": (
            [("np.zeros((out_rows, out_cols))", "np.zeros((out_rows, out_cols), dtype=int)")],
            "occlusion_map stores the drops in an array of whole numbers",
        ),
    },
}
CASES = [(family, mistake) for family, mistakes in PLANTED.items() for mistake in mistakes]


def test_at_least_ten_mistakes_are_planted_and_every_known_one_is():
    assert len(CASES) >= 10
    starts = {start for family in PLANTED.values() for _, start in family.values()}
    for _, _, message in STARTER.OCCLUSION_MISTAKES:
        assert any(f"occlusion_map {message}".startswith(start) for start in starts), message


@pytest.mark.parametrize(("family", "mistake"), CASES, ids=[f"{f}: {m}" for f, m in CASES])
def test_each_planted_mistake_gets_the_message_that_names_it(tmp_path, family, mistake):
    changes, message = PLANTED[family][mistake]
    problems = problems_of(planted_starter(tmp_path, changes))
    assert len(problems) == 1, problems
    assert problems[0].startswith(message), problems[0]


def test_a_message_names_no_other_cause(tmp_path):
    """Every planted mistake's message appears for that mistake only."""
    messages = {}
    for family, mistake in CASES:
        changes, _ = PLANTED[family][mistake]
        messages[family, mistake] = problems_of(planted_starter(tmp_path, changes))[0]
    for (family, mistake), message in messages.items():
        for other in CASES:
            start = PLANTED[other[0]][other[1]][1]
            if other != (family, mistake):
                assert start not in message, (family, mistake, other)


def test_covering_the_image_itself_is_named_twice(tmp_path):
    """covered = image: the patches pile up on the learner's own input, which the check also sees."""
    path = planted_starter(tmp_path, [("covered = image.copy()", "covered = image")])
    first, second = problems_of(path)
    assert first.startswith("occlusion_map covers the patches one after another without removing the earlier")
    assert second == (
        "occlusion_map changes its argument image in place; leave the inputs as they are and write the "
        "result into a new array"
    )


def test_covering_in_place_and_putting_the_pixels_back_is_right(tmp_path):
    """The same image, patch set and restored after scoring, leaves nothing to report."""
    restore = (
        f"            kept = image[{SLICE[8:]}.copy()\n"
        f"            image[{SLICE[8:]} = fill\n"
        "            out[i, j] = score - forward(image)[label]\n"
        f"            image[{SLICE[8:]} = kept\n"
    )
    path = planted_starter(
        tmp_path, [(COPY, ""), (f"            {SLICE} = fill\n            {DROP}\n", restore)]
    )
    assert problems_of(path) == []


def test_the_solution_passes_every_check(tmp_path):
    assert problems_of(planted_starter(tmp_path)) == []
    assert STARTER.run_checks(SOLUTION) == []


def test_two_mistakes_are_both_named(tmp_path):
    path = planted_starter(
        tmp_path, [(FILL, "j * stride + patch] = 0.5"), ("    return out", "    return out.T")]
    )
    (problem,) = problems_of(path)
    assert problem.startswith("occlusion_map has two mistakes: it covers the patch with middle gray")
    assert "; and it swaps the rows and columns of the map" in problem


def test_a_mistake_the_check_does_not_know_is_described_without_a_cause(tmp_path):
    path = planted_starter(tmp_path, [("    return out", "    out[0] *= 2\n    return out")])
    (problem,) = problems_of(path)
    case = STARTER.OCCLUSION_CASES[0]
    right = STARTER._occlusion_answer(case, {})
    assert problem.startswith(f"occlusion_map returns the right shape {right.shape} for {case['text']}, but ")
    assert "wrong only in row 0 (the first)" in problem
    for _, _, message in STARTER.OCCLUSION_MISTAKES:
        assert message not in problem


def test_an_image_given_to_forward_in_the_wrong_shape_is_named_at_the_learners_line(tmp_path):
    """The stand-in network raises; the message points at the learner's call, not into the check."""
    path = planted_starter(tmp_path, [(DROP, "out[i, j] = score - forward(covered[None])[label]")])
    (problem,) = problems_of(path)
    lines = path.read_text().splitlines()
    line = int(re.search(r" at line (\d+) ", problem).group(1))
    assert "forward(covered[None])" in lines[line - 1]
    case = STARTER.OCCLUSION_CASES[0]
    assert problem.startswith(f"occlusion_map fails on {case['text']} at line {line}")
    assert problem.endswith(
        "forward takes one image of shape (7, 10), it was given shape (1, 7, 10) (ValueError)"
    )


def test_the_check_never_raises_and_every_message_is_one_line():
    def raises(*args, **kwargs):
        raise RuntimeError("first line\nsecond line")

    for function, expected in (
        (lambda *a, **k: None, "returns None for"),
        (lambda *a, **k: "map", "returns a str that is not an array of numbers"),
        (lambda *a, **k: 1.5, "returns a single number for"),
        (raises, "RuntimeError"),
        (lambda image, **k: np.full((3, 4), np.nan), "values that are NaN or infinite"),
    ):
        (problem,) = STARTER.run_checks(SimpleNamespace(occlusion_map=function))
        assert problem.startswith("occlusion_map ") and "\n" not in problem, problem
        assert expected in problem, problem


def test_a_missing_function_is_named():
    assert STARTER.run_checks(SimpleNamespace()) == [
        "occlusion_map is missing: keep its def line and fill in its body"
    ]


def test_starter_does_not_contain_the_solution():
    starter = (DOWNLOADS / "occlusion_starter.py").read_text()
    for line in (
        "covered = image.copy()",
        "score - forward(covered)[label]",
        "(rows - patch) // stride + 1\n",
    ):
        assert line not in starter


# ---------------------------------------------------------------- the run, as a learner runs it


@pytest.fixture(scope="module")
def stored():
    """The weights file the build published, its test digits as 0-1 floats and its labels."""
    weights = load_weights(WEIGHTS_FILE)
    return weights, weights["test_images"] / 255.0, weights["test_labels"]


def network_scores(weights):
    return lambda image: network_forward(weights, np.asarray(image, dtype=float)[None, :, :, None])[0]


def expected_line(number, label, scores, drops, patch, stride):
    """What the run prints for one digit, from the direct loop's map."""
    i, j = np.unravel_index(np.argmax(drops), drops.shape)
    top, left = i * stride, j * stride

    def amount(value):
        return f"{value:.2f}".replace("-0.00", "0.00")

    return (
        f"test digit {number}, a {label} (the network says {int(np.argmax(scores))}, score "
        f"{amount(scores[label])}): covering rows {top}-{top + patch - 1}, columns {left}-{left + patch - 1} "
        f"lowers the score most, by {amount(drops.max())}; the map runs from {amount(drops.min())} to "
        f"{amount(drops.max())}"
    )


@pytest.mark.parametrize("script", ["solution", "starter"])
def test_the_run_prints_and_draws_the_maps_of_a_direct_loop(site, tmp_path, stored, script):
    weights, images, labels = stored
    if script == "solution":
        path = DOWNLOADS / "occlusion_solution.py"
    else:
        path = planted_starter(tmp_path)
    shutil.copy(WEIGHTS_FILE, tmp_path)
    digits, patch, stride = (4, 11), 5, 3
    args = ["--digits", *map(str, digits), "--patch", str(patch), "--stride", str(stride), "--out", "maps"]
    result = run_script(path, *args, "--weights", str(tmp_path / "tiny_cnn_weights.npz"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    scores = network_scores(weights)
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Each map: how much covering a {patch}×{patch} patch with 0 lowers the score")
    maps = []
    for line, number in zip(lines[1:], digits):
        drops = direct_occlusion(images[number], scores, int(labels[number]), patch, stride, 0.0)
        assert line == expected_line(
            number, int(labels[number]), scores(images[number]), drops, patch, stride
        )
        maps.append(drops)
    assert lines[-1] == f"wrote {Path('maps') / 'occlusion_maps.png'} (2 digits and their maps)"
    picture = np.asarray(Image.open(tmp_path / "maps" / "occlusion_maps.png"))
    scale, gap = MAPS.SCALE, 2
    assert picture.shape == ((2 * 28 + gap) * scale, (2 * 28 + gap) * scale, 3)
    for n, (number, drops) in enumerate(zip(digits, maps)):
        top = n * (28 + gap) * scale
        digit = picture[top : top + 28 * scale : scale, : 28 * scale : scale, 0]
        np.testing.assert_array_equal(digit, np.round(255 * images[number]))
        limit = np.abs(drops).max()
        for (i, j), drop in np.ndenumerate(drops):  # block 3 × 3 at offset (5 - 3) // 2 = 1 inside the patch
            row, col = top + (i * stride + 1) * scale, (28 + gap + j * stride + 1) * scale
            end = np.array(MAPS.ORANGE if drop >= 0 else MAPS.PURPLE)
            expected = np.round(255 + abs(drop) / limit * (end - 255))
            np.testing.assert_allclose(picture[row, col], expected, atol=1)
        assert (picture[top, (28 + gap) * scale] == MAPS.UNCOVERED).all()  # row 0: no patch centre


def test_starter_and_solution_write_the_same_file(site, tmp_path):
    for name, path in (
        ("solution", DOWNLOADS / "occlusion_solution.py"),
        ("starter", planted_starter(tmp_path)),
    ):
        result = run_script(
            path, "--digits", "7", "--out", name, "--weights", str(WEIGHTS_FILE), cwd=tmp_path
        )
        assert result.returncode == 0, result.stderr
    solution, starter = (
        (tmp_path / name / "occlusion_maps.png").read_bytes() for name in ("solution", "starter")
    )
    assert solution == starter


def test_unmodified_starter_names_the_open_todo(tmp_path):
    shutil.copy(DOWNLOADS / "occlusion_starter.py", tmp_path)
    copy_helpers(tmp_path)
    result = run_script(tmp_path / "occlusion_starter.py", "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["- TODO 1 is still open: write occlusion_map", "1 check(s) failed."]
    plain = run_script(tmp_path / "occlusion_starter.py", cwd=tmp_path)
    assert_one_line(
        plain, 1, "occlusion_starter.py: TODO 1 is still open: write occlusion_map (run with --check"
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".py") == sorted(
        ["occlusion_starter.py", *HELPERS]
    )
    assert not (tmp_path / "occlusion_maps.png").exists()


def test_a_planted_mistake_stops_the_plain_run_before_any_digit(site, tmp_path):
    path = planted_starter(tmp_path, [(FILL, "j * stride + patch] = 0.5")])
    result = run_script(path, "--weights", str(WEIGHTS_FILE), cwd=tmp_path)
    line = assert_one_line(result, 1, "occlusion_starter.py: occlusion_map covers the patch with middle gray")
    assert line.endswith("(run with --check for every problem)") and result.stdout == ""
    assert not (tmp_path / "occlusion_maps.png").exists()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--digits", "99999"], "--digits: there is no test digit 99999; the weights file holds 0 to "),
        (["--digits", *map(str, range(11))], "--digits takes at most 10 test digits, got 11"),
        (["--patch", "0"], "--patch must be from 1 to 28 pixels, got 0"),
        (["--stride", "29"], "--stride must be from 1 to 28 pixels, got 29"),
        (["--fill", "1.5"], "--fill must be a gray level from 0 (black) to 1 (white), got 1.5"),
        (["--digits", "two"], "argument --digits: invalid int value: 'two' (see --help)"),
    ],
)
def test_bad_options_give_one_line_and_status_2(site, tmp_path, args, said):
    result = run_script(planted_starter(tmp_path), *args, "--weights", str(WEIGHTS_FILE), cwd=tmp_path)
    assert_one_line(result, 2, said)
    assert result.stdout == "" and not (tmp_path / "occlusion_maps.png").exists()


def test_an_occlusion_map_that_fails_only_on_the_real_digits_is_named_there(site, tmp_path):
    """Right on the probes, stuck on a 28×28 digit: named within the time limit, no file written."""
    change = "    while rows == 28:\n        pass\n    return out"
    path = planted_starter(tmp_path, [("    return out", change)])
    text = path.read_text().replace('limit=300, usual="a second or two"', 'limit=2, usual="a second or two"')
    path.write_text(text)
    assert run_script(path, "--check", cwd=tmp_path).returncode == 0
    result = run_script(path, "--digits", "3", "--weights", str(WEIGHTS_FILE), cwd=tmp_path)
    line = assert_one_line(
        result, 1, "occlusion_starter.py: occlusion_map did not return within 2 s on test digit 3"
    )
    assert line.endswith("(the self-check's small probes pass; the real data brings this out)")
    assert not (tmp_path / "occlusion_maps.png").exists()


def test_a_map_of_the_wrong_shape_on_the_digits_is_named(site, tmp_path):
    path = planted_starter(tmp_path, [("    return out", "    return out if rows < 28 else out[:-1]")])
    result = run_script(path, "--digits", "0", "--weights", str(WEIGHTS_FILE), cwd=tmp_path)
    assert_one_line(result, 1, "occlusion_map returns shape (11, 12) for test digit 0; expected (12, 12)")


# ---------------------------------------------------------------- your own forward pass from exercise 4


@pytest.fixture
def exercise4(tmp_path):
    """A folder exercise4/ beside exercise5/, as the two zips unpack, with a finished tiny_cnn_starter.py."""
    folder = tmp_path / "exercise4"
    folder.mkdir()
    planted_exercise4(folder)
    five = tmp_path / "exercise5"
    five.mkdir()
    return folder / "tiny_cnn_starter.py", planted_starter(five)


def test_your_own_forward_pass_gives_the_same_maps(site, tmp_path, exercise4):
    yours, starter = exercise4
    common = ["--digits", "2", "--weights", str(WEIGHTS_FILE)]
    given = run_script(starter, *common, "--out", "a", cwd=starter.parent)
    own = run_script(
        starter, *common, "--out", "b", "--network", "../exercise4/tiny_cnn_starter.py", cwd=starter.parent
    )
    assert own.returncode == 0 and given.returncode == 0, own.stderr + given.stderr
    assert own.stdout.splitlines()[:-1] == given.stdout.splitlines()[:-1]
    assert (starter.parent / "a" / "occlusion_maps.png").read_bytes() == (
        starter.parent / "b" / "occlusion_maps.png"
    ).read_bytes()


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            ("np.tensordot(W,", "np.tensordot(W[:, ::-1, ::-1, :],"),
            "does not pass its own check yet: conv2d flips",
        ),
        (("    return out", "    return out +"), "cannot load tiny_cnn_starter.py: line "),
    ],
    ids=["a flipped kernel", "a syntax error"],
)
def test_an_exercise4_file_that_is_not_finished_gives_one_line(site, tmp_path, exercise4, change, said):
    yours, starter = exercise4
    text = yours.read_text()
    assert change[0] in text
    yours.write_text(text.replace(change[0], change[1], 1))
    args = ["--digits", "2", "--weights", str(WEIGHTS_FILE), "--network", str(yours)]
    result = run_script(starter, *args, cwd=starter.parent)
    line = assert_one_line(result, result.returncode, "occlusion_starter.py: --network: ")
    assert said in line and result.returncode in (1, 2) and result.stdout == ""


def test_an_exercise4_file_with_other_scores_is_refused(site, tmp_path, exercise4):
    """Passes its own checks, but forward adds to the scores: the maps would be of another network."""
    yours, starter = exercise4
    text = yours.read_text()
    yours.write_text(
        text.replace(
            'return WEIGHTS["W3"] @ x + WEIGHTS["b3"]', 'return WEIGHTS["W3"] @ x + 2 * WEIGHTS["b3"]'
        )
    )
    result = run_script(
        starter, "--digits", "2", "--weights", str(WEIGHTS_FILE), "--network", str(yours), cwd=starter.parent
    )
    assert_one_line(result, 1, "gives scores up to", "away from those of exercise 4's solution")


def test_a_file_that_is_not_python_is_refused(site, tmp_path, exercise4):
    _, starter = exercise4
    result = run_script(
        starter, "--network", "nothing.py", "--weights", str(WEIGHTS_FILE), cwd=starter.parent
    )
    assert_one_line(result, 2, "--network: 'nothing.py' is not a Python file")


def test_the_maps_are_made_with_exercise4s_forward_pass():
    """The starter and the solution map with tiny_cnn_solution.py's network, imported, not copied."""
    for module in (STARTER, SOLUTION):
        assert module.forward.__module__ == "tiny_cnn_solution" and module.forward.__name__ == "forward"
        assert module.WEIGHTS is sys.modules["tiny_cnn_solution"].WEIGHTS
