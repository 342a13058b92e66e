"""The self-check of exercise 4 (tiny_cnn_starter.py --check): every planted mistake gets its own message.

Each test plants a learner's mistake in a copy of the solution's conv2d or
maxpool2d, pastes it into the starter and asserts the message the check gives.
The check's right answers are compared with SciPy and with plain loops here.
"""

import re
import shutil
import signal as signals
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import DOWNLOADS, FIGURES, run_script
from scipy import signal
from support import download_runs
from support.oracles import direct_maxpool
from support.planted import assert_every_mistake_distinct, problems_of, with_time_limit

from convviz.downloads import load_download
from convviz.tiny_cnn import accuracy, load_weights

WEIGHTS_FILE = FIGURES / "tiny_cnn_weights.npz"
STARTER = load_download("tiny_cnn_starter")
CHECK = load_download("self_check")


def planted_starter(tmp_path, function=None, changes=()):
    """The starter with the solution's conv2d and maxpool2d pasted in, `changes` made to `function`."""
    solution = (DOWNLOADS / "tiny_cnn_solution.py").read_text()
    starter = (DOWNLOADS / "tiny_cnn_starter.py").read_text()
    for name in ("conv2d", "maxpool2d"):
        pattern = rf"def {name}\(.*?\n(?=\n\ndef )"
        body = re.search(pattern, solution, re.S).group(0)
        if name == function:
            for old, new in changes:
                assert old in body, f"cannot plant the mistake: {old!r} is not in {name}"
                body = body.replace(old, new)
        start, end = re.search(pattern, starter, re.S).span()
        starter = starter[:start] + body + starter[end:]
    path = tmp_path / "tiny_cnn_starter.py"
    path.write_text(starter)
    shutil.copy(DOWNLOADS / "self_check.py", tmp_path)
    return path


# ---------------------------------------------------------------- the right answers


def correlate_oracle(x, W, b, stride):
    """'same' zero-padded cross-correlation summed over channels, by SciPy, then strided."""
    maps = [
        sum(signal.correlate2d(x[..., c], W[f, ..., c], mode="same") for c in range(x.shape[2])) + b[f]
        for f in range(W.shape[0])
    ]
    return np.stack(maps, axis=-1)[::stride, ::stride]


def test_the_checks_right_answers_match_scipy_and_loops():
    for case in STARTER.CONV_CASES:
        x, W, b = case["args"]
        expected = correlate_oracle(x, W, b, case["kwargs"]["stride"])
        np.testing.assert_allclose(STARTER._conv_answer(case, {}), expected, atol=1e-12)
    for case in STARTER.POOL_CASES:
        np.testing.assert_array_equal(
            STARTER._pool_answer(case, {}), direct_maxpool(case["args"][0], *case["pool"])
        )


@pytest.mark.parametrize(
    ("cases", "answer", "mistakes"),
    [
        (STARTER.CONV_CASES, STARTER._conv_answer, STARTER.CONV_MISTAKES),
        (STARTER.POOL_CASES, STARTER._pool_answer, STARTER.POOL_MISTAKES),
    ],
    ids=["conv2d", "maxpool2d"],
)
def test_every_known_mistake_gives_its_own_result_on_the_probes(cases, answer, mistakes):
    """So a result that matches one mistake cannot also match the right answer or another mistake."""
    assert_every_mistake_distinct(cases, answer, mistakes, CHECK.same)


# ---------------------------------------------------------------- planted mistakes

WINDOW = "x_padded[i * stride : i * stride + size, j * stride : j * stride + size, :]"
DOT = "np.tensordot(W, window, axes=([1, 2, 3], [0, 1, 2]))"
PAD = "np.pad(x, ((pad, pad), (pad, pad), (0, 0)))"
OUT_ROWS = "out_rows = (rows - size + 2 * pad) // stride + 1"
OUT_COLS = "out_cols = (cols - size + 2 * pad) // stride + 1"
ZEROS = "np.zeros((out_rows, out_cols, n_filters))"
BROADCAST = "(window * W).sum(axis=(1, 2, 3)) + b"
CHANNEL_LOOP = (
    "for c in range(x.shape[2]):\n"
    "                out[i, j, :] {} (window[:, :, c] * W[:, :, :, c]).sum(axis=(1, 2)) + b"
)
POOL_WINDOW = "x[i * stride : i * stride + size, j * stride : j * stride + size, :]"
MAX = "window.max(axis=(0, 1))"
POOL_ROWS = "out_rows = (rows - size) // stride + 1"
POOL_COLS = "out_cols = (cols - size) // stride + 1"

# family: {mistake: (function, changes, start of the message)}
PLANTED = {
    "kernel orientation": {
        "flipped": (
            "conv2d",
            [("np.tensordot(W,", "np.tensordot(W[:, ::-1, ::-1, :],")],
            "conv2d flips the kernel both ways",
        ),
        "upside down": (
            "conv2d",
            [("np.tensordot(W,", "np.tensordot(W[:, ::-1],")],
            "conv2d turns the kernel upside down",
        ),
        "mirrored": (
            "conv2d",
            [("np.tensordot(W,", "np.tensordot(W[:, :, ::-1],")],
            "conv2d mirrors the kernel left to right",
        ),
        "transposed": (
            "conv2d",
            [("np.tensordot(W,", "np.tensordot(W.transpose(0, 2, 1, 3),")],
            "conv2d transposes the kernel (swaps its rows and columns)",
        ),
    },
    "loop bounds and window size": {
        "loops stop one short": (
            "conv2d",
            [("range(out_rows)", "range(out_rows - 1)"), ("range(out_cols)", "range(out_cols - 1)")],
            "conv2d leaves the last output row and column unfilled",
        ),
        "loops start at 1": (
            "conv2d",
            [("range(out_rows)", "range(1, out_rows)"), ("range(out_cols)", "range(1, out_cols)")],
            "conv2d leaves the first output row and column unfilled",
        ),
        "window of one pixel": (
            "conv2d",
            [(f"{DOT} + b", "(W * x_padded[i * stride, j * stride, :]).sum(axis=(1, 2, 3)) + b")],
            "conv2d multiplies W[f] by the single pixel at the window's corner",
        ),
        "window one row and column short": (
            "conv2d",
            [(f"{DOT} + b", BROADCAST), ("i * stride + size,", "i * stride + size - 1,")],
            "conv2d fails on a 4×5×2 input, 3 filters of 3×3×2 and stride=1 at line",
        ),
        "pooling window one too big": (
            "maxpool2d",
            [(POOL_WINDOW, "x[i * stride : i * stride + size + 1, j * stride : j * stride + size + 1, :]")],
            "maxpool2d takes windows one row and one column too big",
        ),
        "pooling window of one pixel": (
            "maxpool2d",
            [(MAX, "window[0, 0, :]")],
            "maxpool2d keeps the top-left value of each window",
        ),
    },
    "padding": {
        "none": ("conv2d", [("pad = size // 2", "pad = 0")], "conv2d does not pad the input"),
        "one-sided": (
            "conv2d",
            [(PAD, "np.pad(x, ((0, 2 * pad), (0, 2 * pad), (0, 0)))")],
            "conv2d pads on one side only (below and to the right)",
        ),
        "rows only": (
            "conv2d",
            [
                (PAD, "np.pad(x, ((pad, pad), (0, 0), (0, 0)))"),
                (OUT_COLS, "out_cols = (cols - size) // stride + 1"),
            ],
            "conv2d pads above and below but not left and right",
        ),
        "two rings": (
            "conv2d",
            [("pad = size // 2", "pad = 2 * (size // 2)")],
            "conv2d pads two rings of zeros",
        ),
        "columns only": (
            "conv2d",
            [
                (PAD, "np.pad(x, ((0, 0), (pad, pad), (0, 0)))"),
                (OUT_ROWS, "out_rows = (rows - size) // stride + 1"),
            ],
            "conv2d pads left and right but not above and below",
        ),
        "edge": (
            "conv2d",
            [(PAD, 'np.pad(x, ((pad, pad), (pad, pad), (0, 0)), mode="edge")')],
            "conv2d pads by repeating the edge pixels",
        ),
        "output sized as unpadded": (
            "conv2d",
            [
                (OUT_ROWS, "out_rows = (rows - size) // stride + 1"),
                (OUT_COLS, "out_cols = (cols - size) // stride + 1"),
            ],
            "conv2d pads the input but sizes the output as if it were not padded",
        ),
    },
    "stride": {
        "ignored": (
            "conv2d",
            [
                (WINDOW, "x_padded[i : i + size, j : j + size, :]"),
                (OUT_ROWS, "out_rows = rows - size + 2 * pad + 1"),
                (OUT_COLS, "out_cols = cols - size + 2 * pad + 1"),
            ],
            "conv2d ignores stride",
        ),
        "window not moved by stride": (
            "conv2d",
            [(WINDOW, "x_padded[i : i + size, j : j + size, :]")],
            "conv2d sizes the output for the stride but moves the window one pixel at a time",
        ),
        "rows only": (
            "conv2d",
            [(WINDOW, "x_padded[i * stride : i * stride + size, j : j + size, :]")],
            "conv2d moves the window by stride down the rows but by 1 across the columns",
        ),
    },
    "bias": {
        "missing": ("conv2d", [(f"{DOT} + b", DOT)], "conv2d leaves out the bias"),
        "one for all filters": (
            "conv2d",
            [(f"{DOT} + b", f"{DOT} + b[0]")],
            "conv2d adds b[0] to every feature map",
        ),
        "twice": ("conv2d", [(f"{DOT} + b", f"{DOT} + 2 * b")], "conv2d adds the bias twice"),
        "once per channel": (
            "conv2d",
            [(f"out[i, j, :] = {DOT} + b", CHANNEL_LOOP.format("+="))],
            "conv2d adds the bias once per input channel",
        ),
    },
    "channels": {
        "first only": (
            "conv2d",
            [(DOT, "np.tensordot(W[..., :1], window[..., :1], axes=([1, 2, 3], [0, 1, 2]))")],
            "conv2d uses only the first input channel",
        ),
        "last only": (
            "conv2d",
            [(f"out[i, j, :] = {DOT} + b", CHANNEL_LOOP.format("="))],
            "conv2d uses only the last input channel",
        ),
        "pooled across": (
            "maxpool2d",
            [(MAX, "window.max()")],
            "maxpool2d takes the maximum over the channels too",
        ),
        "pooled into one map": (
            "maxpool2d",
            [
                ("np.zeros((out_rows, out_cols, channels))", "np.zeros((out_rows, out_cols))"),
                (f"out[i, j, :] = {MAX}", "out[i, j] = window.max()"),
            ],
            "maxpool2d returns one map, the maximum over all channels",
        ),
    },
    "activation placement": {
        "relu in conv2d": (
            "conv2d",
            [(f"{DOT} + b", f"np.maximum({DOT} + b, 0)")],
            "conv2d applies ReLU to its output",
        ),
        "relu before the bias": (
            "conv2d",
            [(f"{DOT} + b", f"np.maximum({DOT}, 0) + b")],
            "conv2d applies ReLU before adding the bias",
        ),
        "relu in maxpool2d": (
            "maxpool2d",
            [(MAX, f"np.maximum({MAX}, 0)")],
            "maxpool2d sets negative values to 0",
        ),
    },
    "index order": {
        "filters first": (
            "conv2d",
            [("    return out", "    return out.transpose(2, 0, 1)")],
            "conv2d puts the feature maps first, shape (K, H_out, W_out)",
        ),
        "rows and columns swapped": (
            "conv2d",
            [("    return out", "    return out.transpose(1, 0, 2)")],
            "conv2d swaps the rows and columns of its output",
        ),
        "columns counted from rows": (
            "conv2d",
            [(OUT_COLS, "out_cols = (rows - size + 2 * pad) // stride + 1")],
            "conv2d gives the output as many columns as rows",
        ),
        "pooled channels first": (
            "maxpool2d",
            [("    return out", "    return out.transpose(2, 0, 1)")],
            "maxpool2d puts the channels first, shape (C, H_out, W_out)",
        ),
    },
    "pooling": {
        "stride 1": (
            "maxpool2d",
            [
                (POOL_WINDOW, "x[i : i + size, j : j + size, :]"),
                (POOL_ROWS, "out_rows = rows - size + 1"),
                (POOL_COLS, "out_cols = cols - size + 1"),
            ],
            "maxpool2d moves the window by 1, so windows overlap",
        ),
        "window not moved by stride": (
            "maxpool2d",
            [(POOL_WINDOW, "x[i : i + size, j : j + size, :]")],
            "maxpool2d sizes the output for the stride but moves the window one pixel at a time",
        ),
        "size and stride ignored": (
            "maxpool2d",
            [
                (POOL_WINDOW, "x[i * 2 : i * 2 + 2, j * 2 : j * 2 + 2, :]"),
                (POOL_ROWS, "out_rows = (rows - 2) // 2 + 1"),
                (POOL_COLS, "out_cols = (cols - 2) // 2 + 1"),
            ],
            "maxpool2d ignores its size and stride arguments",
        ),
        "size and stride swapped": (
            "maxpool2d",
            [
                (
                    "    rows, cols, channels = x.shape",
                    "    size, stride = stride, size\n    rows, cols, channels = x.shape",
                )
            ],
            "maxpool2d swaps size and stride",
        ),
        "minimum": (
            "maxpool2d",
            [(MAX, "window.min(axis=(0, 1))")],
            "maxpool2d keeps the smallest value of each window",
        ),
        "mean": ("maxpool2d", [(MAX, "window.mean(axis=(0, 1))")], "maxpool2d takes the mean of each window"),
        "sum": ("maxpool2d", [(MAX, "window.sum(axis=(0, 1))")], "maxpool2d adds up each window"),
        "rounded up": (
            "maxpool2d",
            [
                (POOL_ROWS, "out_rows = -(-(rows - size) // stride) + 1"),
                (POOL_COLS, "out_cols = -(-(cols - size) // stride) + 1"),
            ],
            "maxpool2d keeps a partial window where the input runs out (rounds up)",
        ),
        "one too many": (
            "maxpool2d",
            [
                (POOL_ROWS, "out_rows = (rows - size + 1) // stride + 1"),
                (POOL_COLS, "out_cols = (cols - size + 1) // stride + 1"),
            ],
            "maxpool2d adds a row and column of partial windows",
        ),
        "one too few": (
            "maxpool2d",
            [
                (POOL_ROWS, "out_rows = (rows - size) // stride"),
                (POOL_COLS, "out_cols = (cols - size) // stride"),
            ],
            "maxpool2d returns one row and one column too few",
        ),
    },
    "number type": {
        "whole-number output": (
            "conv2d",
            [(ZEROS, "np.zeros((out_rows, out_cols, n_filters), dtype=int)")],
            "conv2d stores its results in an array of whole numbers",
        ),
    },
}
CASES = [(family, mistake) for family, mistakes in PLANTED.items() for mistake in mistakes]


@pytest.mark.parametrize(("family", "mistake"), CASES, ids=[f"{f}: {m}" for f, m in CASES])
def test_each_planted_mistake_gets_the_message_that_names_it(tmp_path, family, mistake):
    function, changes, message = PLANTED[family][mistake]
    problems = problems_of(planted_starter(tmp_path, function, changes))
    assert len(problems) == 1, problems
    assert problems[0].startswith(message), problems[0]


def test_a_message_names_no_other_cause(tmp_path):
    """Every planted mistake's message appears for that mistake only."""
    messages = {}
    for family, mistake in CASES:
        function, changes, _ = PLANTED[family][mistake]
        messages[family, mistake] = problems_of(planted_starter(tmp_path, function, changes))[0]
    for (family, mistake), message in messages.items():
        for other, (_, _, start) in ((o, PLANTED[o[0]][o[1]]) for o in CASES if o != (family, mistake)):
            if start != PLANTED[family][mistake][2]:
                assert start not in message, (family, mistake, other)


def test_the_solution_passes_every_check(tmp_path):
    assert problems_of(planted_starter(tmp_path)) == []
    assert STARTER.run_checks(load_download("tiny_cnn_solution")) == []


def test_channel_pooling_maxpool_is_caught_by_the_script(tmp_path):
    """window.max() pools over the channels too; the network then scores far below its accuracy."""
    path = planted_starter(tmp_path, "maxpool2d", [(MAX, "window.max()")])
    result = run_script(path, "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "- maxpool2d takes the maximum over the channels too, so every channel gets the same value: keep one "
        "maximum per channel, over rows and columns only",
        "1 check(s) failed.",
    ]
    plain = run_script(path, "--weights", str(WEIGHTS_FILE), cwd=tmp_path)
    assert plain.returncode == 1 and plain.stdout == ""
    assert plain.stderr.strip().splitlines() == [
        "tiny_cnn_starter.py: maxpool2d takes the maximum over the channels too, so every channel gets the "
        "same value: keep one maximum per channel, over rows and columns only (run with --check for every "
        "problem)"
    ]


def test_two_mistakes_are_both_named(tmp_path):
    path = planted_starter(
        tmp_path, "conv2d", [(f"{DOT} + b", DOT), ("np.tensordot(W,", "np.tensordot(W[:, ::-1, ::-1, :],")]
    )
    (problem,) = problems_of(path)
    assert problem.startswith("conv2d has two mistakes: it flips the kernel both ways")
    assert "; and it leaves out the bias" in problem


def test_a_mistake_the_check_does_not_know_is_described_without_a_cause(tmp_path):
    # the bias added a second time, in the first output row only
    path = planted_starter(tmp_path, "conv2d", [("    return out", "    out[0] += b\n    return out")])
    (problem,) = problems_of(path)
    case = STARTER.CONV_CASES[0]
    right = STARTER._conv_answer(case, {})
    assert problem.startswith(f"conv2d returns the right shape {right.shape} for {case['text']}, but ")
    assert (
        f"{right.shape[1] * right.shape[2]} of {right.size} values are wrong only in row 0 (the first)"
        in problem
    )
    assert f"out[0, 0, 0] is {right[0, 0, 0] + case['args'][2][0]:g}, expected {right[0, 0, 0]:g}" in problem
    for _, _, message in STARTER.CONV_MISTAKES:
        assert message not in problem


def test_a_wrong_shape_is_reported_with_both_shapes_and_they_differ(tmp_path):
    path = planted_starter(tmp_path, "conv2d", [("    return out", "    return out[:, :-2]")])
    (problem,) = problems_of(path)
    case = STARTER.CONV_CASES[0]
    assert problem == f"conv2d returns shape (4, 3, 3) for {case['text']}; expected (4, 5, 3)"


# ---------------------------------------------------------------- failures become messages


@pytest.mark.parametrize(
    ("function", "changes", "expected"),
    [
        (
            "conv2d",
            [(f"{DOT} + b", BROADCAST), ("i * stride + size,", "i * stride + size - 1,")],
            "arrays of shapes (2, 3, 2) and (3, 3, 3, 2) cannot be combined element by element; every window "
            "must have the kernel's shape (3, 3, 2) (ValueError)",
        ),
        (
            "conv2d",
            [(f"{DOT} + b", BROADCAST), (PAD, "np.pad(x, pad)")],
            "arrays of shapes (3, 3, 4) and (3, 3, 3, 2) cannot be combined element by element; every window "
            "must have the kernel's shape (3, 3, 2) (ValueError)",
        ),
        (
            "conv2d",
            [(f"{DOT} + b", f"{DOT} + b[n_filters]")],
            "index 3 is out of bounds for axis 0 with size 3 (IndexError)",
        ),
        (
            "conv2d",
            [(OUT_ROWS, "out_rows = (rows - size + 2 * pad) / stride + 1")],
            "a number with a fraction (a float) was used where a whole number is needed",
        ),
        (
            "maxpool2d",
            [(POOL_ROWS, "out_rows = rows // stride + 2")],
            "a maximum (or other reduction) of an empty window was asked for (ValueError)",
        ),
    ],
    ids=["window too small", "channels padded", "index past the end", "float size", "empty window"],
)
def test_an_exception_becomes_one_line_naming_function_line_and_exception(
    tmp_path, function, changes, expected
):
    path = planted_starter(tmp_path, function, changes)
    (problem,) = problems_of(path)
    lines = path.read_text().splitlines()
    line = int(re.search(r" at line (\d+) ", problem).group(1))
    assert problem.startswith(f"{function} fails on a ")
    assert f" at line {line} (`{lines[line - 1].strip()[:77]}" in problem
    assert expected in problem
    assert "operands could not be broadcast" not in problem and "\n" not in problem


def oddities():
    """Functions a learner might write that return or raise odd things."""

    def raises(*args, **kwargs):
        raise RuntimeError("first line\nsecond line")

    return {
        "None": (lambda *a, **k: None, "returns None for"),
        "text": (lambda *a, **k: "out", "returns a str that is not an array of numbers"),
        "ragged": (lambda *a, **k: [[1.0, 2.0], [3.0]], "returns a list that is not an array of numbers"),
        "number": (lambda *a, **k: 1.5, "returns a single number for"),
        "NaN": (
            lambda x, *a, **k: np.full(STARTER._conv_answer(STARTER.CONV_CASES[0], {}).shape, np.nan),
            None,
        ),
        "raises": (raises, "RuntimeError"),
        "recursion": (
            lambda *a, **k: (_ for _ in ()).throw(RecursionError("too deep")),
            "too deep (RecursionError)",
        ),
    }


@pytest.mark.parametrize("oddity", sorted(oddities()))
def test_the_check_never_raises_and_every_message_is_one_line(oddity):
    function, expected = oddities()[oddity]
    namespace = SimpleNamespace(conv2d=function, maxpool2d=function, relu=function)
    problems = STARTER.run_checks(namespace)
    assert [p.split(" ")[0] for p in problems] == ["conv2d", "maxpool2d", "relu"]
    for problem in problems:
        assert "\n" not in problem and "could not finish" not in problem
    for problem in problems[:2]:
        assert expected is None or expected in problem
    if oddity == "NaN":
        assert "values that are NaN or infinite" in problems[0]


def test_changing_an_input_in_place_is_reported(tmp_path):
    path = planted_starter(tmp_path, "conv2d", [("    return out", "    x[...] = 0\n    return out")])
    assert problems_of(path) == [
        "conv2d changes its argument x in place; leave the inputs as they are and write the result into a "
        "new array"
    ]


# ---------------------------------------------------------------- the script as a learner runs it


def test_unmodified_starter_check_names_the_open_todos(tmp_path):
    result = run_script(DOWNLOADS / "tiny_cnn_starter.py", "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert "- TODO 1 is still open: write conv2d" in result.stdout
    assert "- TODO 2 is still open: write maxpool2d" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    plain = run_script(DOWNLOADS / "tiny_cnn_starter.py", cwd=tmp_path)
    assert plain.returncode == 1
    assert plain.stderr.strip().splitlines() == [
        "tiny_cnn_starter.py: TODO 1 is still open: write conv2d (run with --check for every problem)"
    ]


def test_check_passes_the_solution_and_then_classifies(site, tmp_path):
    path = planted_starter(tmp_path)
    result = run_script(path, "--check", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout.strip() == "Every check passed."
    classified = run_script(path, "--weights", str(WEIGHTS_FILE), cwd=tmp_path)
    saved = load_weights(WEIGHTS_FILE)
    measured = accuracy(saved, saved["test_images"], saved["test_labels"])
    assert classified.returncode == 0, classified.stderr
    assert classified.stdout.strip().startswith(f"test accuracy: {100 * measured:.1f} %")


def test_starter_does_not_contain_the_solution():
    starter = (DOWNLOADS / "tiny_cnn_starter.py").read_text()
    for line in ("np.tensordot(W", "x_padded", "window.max(axis=(0, 1))", "np.pad(x, ((pad, pad)"):
        assert line not in starter


def test_a_missing_function_is_named():
    namespace = SimpleNamespace(conv2d=lambda *a, **k: None, relu=lambda x: np.maximum(0, x))
    problems = STARTER.run_checks(namespace)
    assert problems[1:] == ["maxpool2d is missing: keep its def line and fill in its body"]


@pytest.mark.parametrize("damage", ["truncated", "ten labels for the test digits"])
def test_bad_weights_give_one_line_and_status_2_without_an_accuracy(site, tmp_path, damage):
    """The starter loads the archive with the solution's validating load_weights."""
    path = planted_starter(tmp_path)
    weights = tmp_path / "w.npz"
    if damage == "truncated":
        data = WEIGHTS_FILE.read_bytes()
        weights.write_bytes(data[: len(data) // 2])
    else:
        with np.load(WEIGHTS_FILE) as stored:
            arrays = {name: stored[name] for name in stored.files}
        arrays["test_labels"] = arrays["test_labels"][:10]
        np.savez(weights, **arrays)
    result = run_script(path, "--weights", str(weights), cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"tiny_cnn_starter.py: cannot load weights from {str(weights)!r}: ")


def test_where_wrong_values_are_is_said_from_the_map():
    def mask(rows, cols, cells):
        wrong = np.zeros((rows, cols), bool)
        for cell in cells:
            wrong[cell] = True
        return wrong

    edge = [(r, c) for r in range(4) for c in range(5) if r in (0, 3) or c in (0, 4)]
    assert CHECK._where(np.ones((4, 5), bool)) == " at every position"
    assert CHECK._where(mask(4, 5, [(3, 1), (3, 4)])) == " only in row 3 (the last)"
    assert CHECK._where(mask(4, 5, [(1, 2), (2, 2)])) == " only in column 2"
    assert CHECK._where(mask(4, 5, [(3, 0), (1, 4)])) == " only in the last row and the last column"
    assert CHECK._where(mask(4, 5, [(0, 3), (2, 0)])) == " only in the first row and the first column"
    assert CHECK._where(mask(4, 5, edge)) == " only along the border"
    assert CHECK._where(mask(4, 5, [(1, 1), (2, 3)])) == " at 2 of 20 positions"


# ---------------------------------------------------------------- your code under the same limits everywhere


def small_weights(tmp_path, count=20):
    """A weights file with random weights and count random digits, as the course's file is laid out."""
    rng = np.random.default_rng(0)
    shapes = {"W1": (4, 3, 3, 1), "b1": (4,), "W2": (8, 3, 3, 4), "b2": (8,), "W3": (10, 392), "b3": (10,)}
    arrays = {name: rng.normal(scale=0.3, size=shape) for name, shape in shapes.items()}
    arrays["test_images"] = rng.integers(0, 256, size=(count, 28, 28), dtype=np.uint8)
    arrays["test_labels"] = rng.integers(0, 10, size=count)
    np.savez(tmp_path / "w.npz", **arrays)
    return tmp_path / "w.npz"


PROBE = "a 4×5×2 input, 3 filters of 3×3×2 and stride=1"


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            [("    return out", "    sys.exit(0)")],
            f"conv2d calls sys.exit(0) on {PROBE}, which would end the whole program",
        ),
        (
            [("    return out", "    return out + 0j")],
            f"conv2d returns complex numbers for {PROBE}; every value must be a real number",
        ),
    ],
    ids=["exits", "complex"],
)
def test_check_and_plain_run_both_stop_with_one_line(tmp_path, changes, problem):
    """Before: sys.exit(0) ended --check silently, status 0; complex output passed with ComplexWarnings."""
    path = planted_starter(tmp_path, "conv2d", changes)
    checked = run_script(path, "--check", cwd=tmp_path)
    assert checked.returncode == 1 and checked.stderr == "", checked.stderr
    assert checked.stdout.startswith(f"- {problem}"), checked.stdout
    plain = run_script(path, "--weights", str(small_weights(tmp_path)), cwd=tmp_path)
    assert plain.returncode == 1 and plain.stdout == ""
    (line,) = plain.stderr.splitlines()
    assert line.startswith(f"tiny_cnn_starter.py: {problem}")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            "    return out if rows < 28 else out * np.nan",
            "conv2d returns 3136 values that are NaN or infinite for test digit 0",
        ),
        (
            "    while rows == 28:\n        pass\n    return out",
            "conv2d did not return within 1 s on test digit 0",
        ),
        (
            "    return out if rows < 28 else sys.exit(0)",
            "conv2d calls sys.exit(0) on test digit 0, which would end the whole program",
        ),
    ],
    ids=["NaN", "never returns", "exits"],
)
def test_a_conv2d_that_fails_only_on_the_real_digits_is_named_there(tmp_path, change, problem):
    """Right on the probes, wrong on the 28×28 digits. Before: "test accuracy: 10.3 %" and status 0."""
    path = with_time_limit(planted_starter(tmp_path, "conv2d", [("    return out", change)]), 1)
    assert run_script(path, "--check", cwd=tmp_path).returncode == 0
    plain = download_runs.run(path, "--weights", small_weights(tmp_path), cwd=tmp_path, timeout=60)
    assert plain.returncode == 1 and plain.stdout == ""
    (line,) = plain.stderr.splitlines()
    assert line.startswith(f"tiny_cnn_starter.py: {problem}")
    assert line.endswith("(the self-check's small probes pass; the real data brings this out)")


def test_the_checked_plain_run_gives_the_accuracy_of_the_vectorized_network(tmp_path):
    from convviz.tiny_cnn import forward

    weights = small_weights(tmp_path, count=30)
    with np.load(weights) as stored:
        arrays = {name: stored[name] for name in stored.files}
    logits = forward(arrays, arrays["test_images"][..., None] / 255.0)
    correct = int((logits.argmax(axis=1) == arrays["test_labels"]).sum())
    result = run_script(planted_starter(tmp_path), "--weights", str(weights), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"test accuracy: {100 * correct / 30:.1f} % ({correct} of 30)\n"


@pytest.mark.parametrize(
    ("name", "status", "said"),
    [("SIGINT", 130, "interrupted (Ctrl-C)"), ("SIGTERM", 143, "stopped by SIGTERM")],
)
def test_a_signal_during_the_classification_gives_one_line(tmp_path, name, status, said):
    """Before: Ctrl-C gave a KeyboardInterrupt traceback. Each 28×28 call then waits 0.2 s (well within
    the time limit) so that the run is still classifying when the signal comes, however busy the machine."""
    wait = '        print("digit", flush=True)\n        __import__("time").sleep(0.2)\n'
    change = f"    if rows == 28:\n{wait}    return out"
    path = planted_starter(tmp_path, "conv2d", [("    return out", change)])
    run = download_runs.start(path, "--weights", small_weights(tmp_path, count=500), cwd=tmp_path)
    assert run.stdout.readline() == "digit\n"
    run.send_signal(getattr(signals, name))
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == status and stderr == f"tiny_cnn_starter.py: {said}\n"
