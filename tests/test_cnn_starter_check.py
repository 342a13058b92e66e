"""The self-check of exercise 3 (cnn_starter.py --check): planted mistakes are named, nothing is written.

Each test fills in the starter's TODOs with the answers of test_downloads.py,
plants one mistake and runs the starter as a learner does.
"""

import shutil
import signal as signals
import subprocess
from types import SimpleNamespace

import numpy as np
import pytest
from conftest import DOWNLOADS, run_script
from PIL import Image
from scipy import signal
from support import download_runs
from support.planted import problems_of, with_time_limit
from test_downloads import TODO_ANSWERS

from convviz import checkerboard
from convviz.downloads import load_download

STARTER = load_download("cnn_starter")
CHECK = load_download("self_check")
WINDOW = "image[row : row + kernel_rows, col : col + kernel_cols]"
SUM = f"np.sum({WINDOW} * kernel)"
SIZE = "image_rows - kernel_rows + 1, image_cols - kernel_cols + 1"
KERNEL = "np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=np.float64)"


def finished_starter(tmp_path, changes=()):
    """The starter with every TODO answered, then `changes` made to the learner's two functions."""
    text = (DOWNLOADS / "cnn_starter.py").read_text()
    for line, answer in TODO_ANSWERS:
        text = text.replace(line, answer)
    end = text.index("\ndef normalize(")
    learner, rest = text[:end], text[end:]
    for old, new in changes:
        assert old in learner, f"cannot plant the mistake: {old!r}"
        learner = learner.replace(old, new)
    path = tmp_path / "cnn_starter.py"
    path.write_text(learner + rest)
    shutil.copy(DOWNLOADS / "self_check.py", tmp_path)
    return path


def test_the_checks_right_answers_match_scipy():
    for case in STARTER.CONVOLVE_CASES:
        image, kernel = case["args"]
        expected = signal.correlate2d(image, kernel, mode="valid")
        np.testing.assert_allclose(STARTER._convolve_answer(case, {}), expected, atol=1e-12)


def test_every_known_mistake_gives_its_own_result_on_the_probes():
    def results(choice):
        out = []
        for case in STARTER.CONVOLVE_CASES:
            try:
                out.append(STARTER._convolve_answer(case, choice))
            except ValueError:
                out.append(None)
        return out

    def same(first, second):
        return all(
            (a is None and b is None) or (a is not None and b is not None and CHECK.same(a, b))
            for a, b in zip(first, second)
        )

    right = results({})
    seen = {}
    for slot, kind, _ in STARTER.CONVOLVE_MISTAKES:
        mine = results({slot: kind})
        assert any(r is not None for r in mine), (slot, kind)
        assert not same(mine, right), (slot, kind)
        for other, theirs in seen.items():
            assert not same(mine, theirs), ((slot, kind), other)
        seen[slot, kind] = mine


PLANTED = {
    "output size one short": (
        [(SIZE, "image_rows - kernel_rows, image_cols - kernel_cols")],
        "convolve2d makes the output one row and one column too small: it should have "
        "image_rows - kernel_rows + 1 rows",
    ),
    "columns counted from rows": (
        [(SIZE, "image_rows - kernel_rows + 1, image_rows - kernel_rows + 1")],
        "convolve2d gives the output as many columns as rows; the output should have image_rows",
    ),
    "kernel flipped": ([("* kernel)", "* kernel[::-1, ::-1])")], "convolve2d flips the kernel both ways"),
    "kernel upside down": ([("* kernel)", "* kernel[::-1])")], "convolve2d turns the kernel upside down"),
    "kernel transposed": ([("* kernel)", "* kernel.T)")], "convolve2d transposes the kernel"),
    "one pixel for the window": (
        [(SUM, "np.sum(image[row, col] * kernel)")],
        "convolve2d multiplies the kernel by the single pixel image[row, col]",
    ),
    "mean instead of sum": (
        [(SUM, f"np.mean({WINDOW} * kernel)")],
        "convolve2d takes the mean of the products",
    ),
    "matrix product": (
        [(SUM, f"np.sum({WINDOW} @ kernel)")],
        "convolve2d multiplies window and kernel as matrices",
    ),
    "loops stop one short": (
        [("range(out_rows)", "range(out_rows - 1)"), ("range(out_cols)", "range(out_cols - 1)")],
        "convolve2d leaves the last output row and column unfilled",
    ),
    "output transposed": (
        [
            ("np.zeros((out_rows, out_cols))", "np.zeros((out_cols, out_rows))"),
            ("output[row, col]", "output[col, row]"),
        ],
        "convolve2d swaps the rows and columns of its output",
    ),
    "whole-number output": (
        [("np.zeros((out_rows, out_cols))", "np.zeros((out_rows, out_cols), dtype=int)")],
        "convolve2d stores its results in an array of whole numbers",
    ),
    "kernel as a list": (
        [(KERNEL, "[[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]]")],
        "make_kernel returns a list; return a NumPy array",
    ),
    "kernel of zeros": ([(KERNEL, "np.zeros((3, 3))")], "make_kernel returns only zeros"),
    "kernel 2x2": ([(KERNEL, "np.ones((2, 2))")], "make_kernel returns shape (2, 2); the kernel must be 3x3"),
}


@pytest.mark.parametrize("mistake", list(PLANTED))
def test_each_planted_mistake_gets_the_message_that_names_it(tmp_path, mistake):
    changes, message = PLANTED[mistake]
    problems = problems_of(finished_starter(tmp_path, changes))
    assert len(problems) == 1, problems
    assert problems[0].startswith(message), problems[0]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (
            [(SIZE, "image_rows, image_cols")],
            "arrays of shapes (3, 2) and (3, 3) cannot be combined element by element; every window must "
            "have the kernel's shape (3, 3); your loop runs past the edge: where the kernel no longer fits",
        ),
        ([(SUM, f"{WINDOW} * kernel")], "a whole array was stored where one number goes (ValueError)"),
        ([("output = np.zeros", "output = np.zero")], "module 'numpy' has no attribute 'zero'"),
        (
            [("np.zeros((out_rows, out_cols))", "np.zeros(out_rows, out_cols)")],
            "np.zeros read its second number as a data type: pass the shape as one tuple, "
            "np.zeros((rows, cols)), with two pairs of parentheses (TypeError)",
        ),
        (
            [("range(out_rows)", "range(image_rows)"), ("range(out_cols)", "range(image_cols)")],
            "your loop runs past the edge: where the kernel no longer fits the window is cut short, so loop "
            "over the output's positions, range(out_rows) and range(out_cols) (ValueError)",
        ),
    ],
    ids=[
        "output as big as the image",
        "no sum",
        "misspelt name",
        "zeros without a tuple",
        "loop past the edge",
    ],
)
def test_an_exception_becomes_one_line_naming_function_line_and_exception(tmp_path, changes, expected):
    path = finished_starter(tmp_path, changes)
    (problem,) = problems_of(path)
    assert problem.startswith("convolve2d fails on a 5×7 image and a 3×3 kernel at line ")
    line = int(problem.split(" at line ")[1].split(" ")[0])
    assert f"(`{path.read_text().splitlines()[line - 1].strip()[:40]}" in problem
    assert expected in problem and "\n" not in problem
    assert "operands could not be broadcast" not in problem and "Cannot interpret" not in problem


def test_output_one_short_writes_no_picture_and_says_why(tmp_path):
    """Before the check, this mistake silently wrote a 253×253 picture."""
    path = finished_starter(tmp_path, PLANTED["output size one short"][0])
    result = run_script(path, cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("cnn_starter.py: convolve2d makes the output one row and one column too small")
    assert line.endswith("(run with --check for every problem)")
    assert not (tmp_path / "my_filter_output.png").exists()
    checked = run_script(path, "--check", cwd=tmp_path)
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[-1] == "1 check(s) failed."


def test_finished_starter_passes_and_writes_the_filtered_checkerboard(tmp_path):
    path = finished_starter(tmp_path)
    checked = run_script(path, "--check", cwd=tmp_path)
    assert checked.returncode == 0 and checked.stdout.strip() == "Every check passed."
    result = run_script(path, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    solution = load_download("cnn_solution")
    kernel = np.array([[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], dtype=float)
    expected = solution.normalize(signal.correlate2d(checkerboard(), kernel, mode="valid"))
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "my_filter_output.png")), expected)


def test_unmodified_starter_check_lists_the_open_todos(tmp_path):
    result = run_script(DOWNLOADS / "cnn_starter.py", "--check", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "- TODO 1 is still open: return your own 3x3 kernel from make_kernel",
        "- TODO 2 is still open: compute out_rows and out_cols in convolve2d",
        "2 check(s) failed.",
    ]
    assert not list(tmp_path.iterdir())


def test_the_check_never_raises_on_odd_functions():
    def raises(*args):
        raise KeyError("first\nsecond")

    for function in (
        lambda *a: None,
        lambda *a: "text",
        lambda *a: [[1.0], [2.0, 3.0]],
        lambda *a: 2.0,
        raises,
    ):
        namespace = SimpleNamespace(make_kernel=function, convolve2d=function)
        problems = STARTER.run_checks(namespace)
        assert [p.split(" ")[0] for p in problems] == ["make_kernel", "convolve2d"], problems
        assert all("\n" not in p and "could not finish" not in p for p in problems)


# ---------------------------------------------------------------- your code under the same limits everywhere


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            [(f"return {KERNEL}", "sys.exit(0)")],
            "make_kernel calls sys.exit(0) on a call with no arguments, which would end the whole program",
        ),
        (
            [(SUM, "sys.exit(0)")],
            "convolve2d calls sys.exit(0) on a 5×7 image and a 3×3 kernel, which would end the whole program",
        ),
        (
            [(f"return {KERNEL}", "while True:\n        pass")],
            "make_kernel did not return within 1 s on a call with no arguments",
        ),
        (
            [("    return output", "    return output * (1 + 0j)")],
            "convolve2d returns complex numbers for a 5×7 image and a 3×3 kernel; every value must be a real",
        ),
    ],
    ids=["make_kernel exits", "convolve2d exits", "make_kernel never returns", "complex output"],
)
def test_check_and_plain_run_both_stop_with_one_line(tmp_path, changes, problem):
    """Before: sys.exit(0) ended --check and the plain run silently with status 0; a make_kernel that
    never returned made --check hang; complex output passed --check with ComplexWarnings."""
    path = with_time_limit(finished_starter(tmp_path, changes), 1)
    checked = run_script(path, "--check", cwd=tmp_path)
    assert checked.returncode == 1 and checked.stderr == "", checked.stderr
    assert checked.stdout.startswith(f"- {problem}"), checked.stdout
    plain = run_script(path, cwd=tmp_path)
    assert plain.returncode == 1 and plain.stdout == ""
    (line,) = plain.stderr.splitlines()
    assert line.startswith(f"cnn_starter.py: {problem}")
    assert not (tmp_path / "my_filter_output.png").exists()


def test_a_convolution_that_fails_only_on_the_real_picture_is_caught_there(tmp_path):
    """Right on the small probes, NaN on the 256×256 checkerboard. Before: a picture was written, status 0."""
    changes = [("    return output", "    return output if image_rows < 100 else output * np.nan")]
    path = finished_starter(tmp_path, changes)
    assert run_script(path, "--check", cwd=tmp_path).returncode == 0
    plain = run_script(path, cwd=tmp_path)
    assert plain.returncode == 1 and plain.stdout == ""
    (line,) = plain.stderr.splitlines()
    said = "convolve2d returns 64516 values that are NaN or infinite for the 256×256 checkerboard"
    assert line.startswith(f"cnn_starter.py: {said}")
    assert not (tmp_path / "my_filter_output.png").exists()


def test_a_convolution_that_loops_for_ever_on_the_real_picture_is_stopped(tmp_path):
    changes = [("    return output", "    while image_rows > 100:\n        pass\n    return output")]
    path = finished_starter(tmp_path, changes)
    text = path.read_text().replace('limit=120, usual="a second"', 'limit=1, usual="a second"')
    path.write_text(text)
    plain = run_script(path, cwd=tmp_path)
    assert plain.returncode == 1
    (line,) = plain.stderr.splitlines()
    assert line.startswith("cnn_starter.py: convolve2d did not return within 1 s on the 256×256 checkerboard")


def test_ctrl_c_during_the_check_gives_one_line(tmp_path):
    """Before: a KeyboardInterrupt traceback."""
    changes = [(f"return {KERNEL}", 'print("thinking", flush=True)\n    __import__("time").sleep(60)')]
    path = finished_starter(tmp_path, changes)
    run = download_runs.start(path, "--check", cwd=tmp_path)
    assert run.stdout.readline() == "thinking\n"
    run.send_signal(signals.SIGINT)
    _, stderr = run.communicate(timeout=30)
    assert run.returncode == 130 and stderr == "cnn_starter.py: interrupted (Ctrl-C)\n"


def test_a_function_waiting_for_input_is_reported_and_the_program_still_ends(tmp_path):
    """input() in make_kernel, with nobody typing: the check goes on after the time limit, and the program
    ends without Python's "Fatal Python error ... possibly due to daemon threads" at shutdown."""
    changes = [(f"return {KERNEL}", 'return np.full((3, 3), float(input("weight? ")))')]
    path = with_time_limit(finished_starter(tmp_path, changes), 1)
    run = subprocess.Popen(
        download_runs.command(path, "--check"),
        cwd=tmp_path,
        stdin=subprocess.PIPE,  # held open: input() waits
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        run.wait(timeout=60)
    finally:
        run.stdin.close()
    assert run.returncode == 1 and run.stderr.read() == ""
    assert "- make_kernel did not return within 1 s on a call with no arguments" in run.stdout.read()


def test_a_function_printing_for_ever_is_reported_and_the_program_still_ends(tmp_path):
    changes = [(f"return {KERNEL}", 'while True:\n        print("thinking")')]
    path = with_time_limit(finished_starter(tmp_path, changes), 1)
    result = download_runs.run(path, "--check", cwd=tmp_path, timeout=60)
    assert result.returncode == 1 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert "- make_kernel did not return within 1 s on a call with no arguments" in "\n".join(lines[-5:])
    assert lines[-1] == "1 check(s) failed."


def test_a_silenced_thread_writes_nothing_more_and_its_open_line_is_ended(monkeypatch):
    """The gate self_check puts around the output: a learner's function that ran past its limit, silenced
    in the middle of a print, adds nothing after the report begins (CI once saw its print's newline
    arrive after the report's last line)."""
    import io
    import threading

    monkeypatch.syspath_prepend(str(DOWNLOADS))
    from self_check import SilenceableStream

    out = io.StringIO()
    gate = SilenceableStream.around(out)
    assert SilenceableStream.around(gate) is gate
    started, go_on = threading.Event(), threading.Event()

    def learner():
        gate.write("thinking")  # the first half of a print
        started.set()
        go_on.wait()
        gate.write("\n")  # its second half, after the check has silenced it
        gate.write("thinking\n")

    thread = threading.Thread(target=learner)
    thread.start()
    started.wait()
    gate.silence(thread)
    go_on.set()
    thread.join()
    gate.write("1 check(s) failed.\n")
    assert out.getvalue() == "thinking\n1 check(s) failed.\n"
