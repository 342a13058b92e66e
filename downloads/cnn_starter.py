"""Exercise 3 starter: write the convolution loop yourself and design a kernel.

Usage:
    python cnn_starter.py --check     test your functions on small cases
    python cnn_starter.py [--out FOLDER]

Fill in the four TODOs in order. Until they are done the script names the
first one still open and stops. --check runs your functions on small inputs
and says in plain words what is still wrong; the plain run makes the same
checks first and, once they pass, filters a checkerboard with your kernel and
writes my_filter_output.png into FOLDER (default: the current folder). Needs
numpy and pillow.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image


class TodoNotDone(Exception):
    """Raised by a TODO of this file that is still waiting for your code."""


def todo(number, task):
    raise TodoNotDone(f"TODO {number} is still open: {task}")


def make_kernel():
    """Return your own 3x3 kernel as a float64 array."""
    # TODO 1: pick the nine numbers (hint 3 on the page lists some ideas).
    return todo(1, "return your own 3x3 kernel from make_kernel")


def convolve2d(image, kernel):
    """Slide kernel over image (no padding, stride 1); return the weighted sums."""
    image = np.asarray(image, dtype=np.float64)
    image_rows, image_cols = image.shape
    kernel_rows, kernel_cols = kernel.shape

    # TODO 2: how many positions does the kernel fit in, down and across?
    out_rows, out_cols = todo(2, "compute out_rows and out_cols in convolve2d")

    # TODO 3: an array of zeros of that shape, to fill in below.
    output = todo(3, "create the output array in convolve2d")

    for row in range(out_rows):
        for col in range(out_cols):
            # TODO 4: take the window under the kernel, multiply, sum, store.
            todo(4, "fill output[row, col] inside the loops of convolve2d")

    return output


def normalize(values):
    """Stretch values linearly onto 0-255 and return uint8 (all zeros if flat)."""
    low, high = values.min(), values.max()
    if high == low:
        return np.zeros(values.shape, dtype=np.uint8)
    return ((values - low) / (high - low) * 255).round().astype(np.uint8)


def make_checkerboard(size=256, square=32):
    """White and black squares of square pixels, white in the top-left corner."""
    index = np.arange(size) // square
    return np.where((index[:, None] + index[None, :]) % 2 == 0, 255.0, 0.0)


# ---------------------------------------------------------------- self-check
# The self-check runs your functions on small probe inputs and compares what
# they return with the right answer and with the answers that common mistakes
# give, so that it can name the mistake. When no known mistake fits, it says
# what is wrong with the numbers instead of guessing. It computes all of these
# answers with whole-array NumPy operations (no loops), its own way.


def _probe(shape, start):
    """Fixed, irregular numbers in steps of 0.25 from -3 to 3 (the same on every computer)."""
    count = int(np.prod(shape))
    return ((np.arange(start, start + count) * 37 % 25) - 12).reshape(shape) / 4


def _same(a, b):
    return np.shape(a) == np.shape(b) and bool(np.allclose(a, b, rtol=1e-6, atol=1e-9))


def _shapes_in(text):
    """The shapes, like (3, 3, 2), that an error message mentions."""
    shapes = []
    for part in text.split("(")[1:]:
        try:
            shapes.append(tuple(int(v) for v in part.split(")")[0].split(",") if v.strip()))
        except ValueError:
            pass
    return shapes


def _plain(error, case):
    """What an exception says, in plain words."""
    text = " ".join(str(error).split()) or "(no message)"
    shapes, kernel = _shapes_in(text), case.get("kernel")
    window = f"; every window must have the kernel's shape {kernel}" if kernel else ""
    if "could not be broadcast together" in text and len(shapes) >= 2:
        first, second = shapes[:2]
        plain = f"arrays of shapes {first} and {second} cannot be combined element by element"
        pairs = ((first, second), (second, first))
        if kernel and any(a[-len(kernel) :] == kernel and len(b) == len(kernel) for a, b in pairs):
            plain += window
        return plain
    if "could not broadcast input array from shape" in text and len(shapes) >= 2:
        return f"an array of shape {shapes[0]} does not fit into a place of shape {shapes[1]}"
    if "setting an array element with a sequence" in text:
        return "a whole array was stored where one number goes"
    if "shape-mismatch for sum" in text:
        return "np.tensordot got arrays whose summed axes have different lengths" + window
    if "mismatch in its core dimension" in text:
        return "a matrix product (@ or np.dot) got arrays whose inner sizes differ"
    if "zero-size array to reduction operation" in text:
        return "a maximum (or other reduction) of an empty window was asked for"
    if "cannot be interpreted as an integer" in text:
        return (
            "a number with a fraction (a float) was used where a whole number is needed, as in range() "
            "or an array's shape; // divides to a whole number"
        )
    return text


def _failure(name, function, error, case):
    """One line naming the function, the probe, the line of the learner's code and the exception."""
    filename = getattr(getattr(function, "__code__", None), "co_filename", None)
    line, trace = None, error.__traceback__
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == filename:
            line = trace.tb_lineno
        trace = trace.tb_next
    where = ""
    if line:
        try:
            code = Path(filename).read_text(encoding="utf-8").splitlines()[line - 1].strip()
        except (OSError, IndexError, UnicodeDecodeError):
            code = ""
        code = code if len(code) <= 80 else code[:77] + "..."
        where = f" at line {line}" + (f" (`{code}`)" if code else "")
    return f"{name} fails on {case['text']}{where}: {_plain(error, case)} ({type(error).__name__})"


def _run(name, function, case):
    """Call the learner's function on copies of a probe: (output, problem, changed arguments, raised)."""
    args = [np.array(value) for value in case["args"]]
    try:
        out = function(*args, **case["kwargs"])
    except TodoNotDone as error:
        return None, str(error), [], False
    except Exception as error:  # the learner's code may fail in any way; say how, never raise
        return None, _failure(name, function, error, case), [], True
    changed = [arg for arg, given, kept in zip(case["names"], args, case["args"]) if not _same(given, kept)]
    if out is None:
        return (
            None,
            f"{name} returns None for {case['text']}; it must return the output array",
            changed,
            False,
        )
    try:
        values = np.asarray(out, dtype=float)
    except Exception:
        kind = type(out).__name__
        return (
            None,
            f"{name} returns a {kind} that is not an array of numbers for {case['text']}",
            changed,
            False,
        )
    return values, None, changed, False


def _where(wrong):
    """Where the wrong values of a (rows, cols) map of booleans are, in words."""
    if wrong.all():
        return " at every position"
    last_row, last_col = wrong.shape[0] - 1, wrong.shape[1] - 1
    rows, cols = np.flatnonzero(wrong.any(axis=1)), np.flatnonzero(wrong.any(axis=0))
    if len(rows) == 1:
        return f" only in row {rows[0]}" + {0: " (the first)", last_row: " (the last)"}.get(rows[0], "")
    if len(cols) == 1:
        return f" only in column {cols[0]}" + {0: " (the first)", last_col: " (the last)"}.get(cols[0], "")
    for side, row, col in (("last", last_row, last_col), ("first", 0, 0)):
        inside = np.delete(np.delete(wrong, row, axis=0), col, axis=1)
        if not inside.any():
            return f" only in the {side} row and the {side} column"
    if min(wrong.shape) > 2 and not wrong[1:-1, 1:-1].any():
        return " only along the border"
    return f" at {int(wrong.sum())} of {wrong.size} positions"


def _describe(name, case, got, want):
    """What is wrong with the numbers, without guessing a cause."""
    text = case["text"]
    if got.ndim == 0:
        return f"{name} returns a single number for {text}; expected an array of shape {want.shape}"
    if got.shape != want.shape:
        return f"{name} returns shape {got.shape} for {text}; expected {want.shape}"
    if not np.isfinite(got).all():
        count = int((~np.isfinite(got)).sum())
        return (
            f"{name} returns {count} values that are NaN or infinite for {text}; every value must be a number"
        )
    wrong = ~np.isclose(got, want, rtol=1e-6, atol=1e-9)
    where = _where(wrong if wrong.ndim == 2 else wrong.any(axis=tuple(range(2, wrong.ndim))))
    detail = ""
    if got.ndim == 3:
        maps = [c for c in range(got.shape[2]) if wrong[..., c].any()]
        if len(maps) < got.shape[2]:
            detail = f", only in {case['part']} {', '.join(map(str, maps))}"
    offsets = (got - want).reshape(-1, got.shape[-1]) if got.ndim == 3 else (got - want).reshape(-1, 1)
    if np.ptp(offsets, axis=0).max() < 1e-9:
        amounts = ", ".join(f"{value:+g}" for value in offsets[0])
        detail += f"; every value is off by the same amount ({amounts})"
    index = tuple(int(i) for i in np.argwhere(wrong)[0])
    cell = ", ".join(map(str, index))
    return (
        f"{name} returns the right shape {got.shape} for {text}, but {int(wrong.sum())} of {got.size} "
        f"values are wrong{where}{detail}: out[{cell}] is {got[index]:g}, expected {want[index]:g}"
    )


def _explain(results, cases, answer, mistakes):
    """The one known mistake (or pair of mistakes) that gives exactly these results, or None.

    A result of None stands for a probe on which the learner's code failed; a
    mistake explains it only if code with that mistake could not run that probe.
    """

    def fits(choice):
        for case, got in zip(cases, results):
            try:
                with np.errstate(all="ignore"):
                    expected = answer(case, dict(choice))
            except Exception:  # code with this mistake could not have run this probe
                expected = None
            if (got is None) != (expected is None) or (got is not None and not _same(got, expected)):
                return False
        return True

    singles = [message for slot, kind, message in mistakes if fits([(slot, kind)])]
    if singles:
        return singles[0] if len(singles) == 1 else None
    pairs = [
        f"has two mistakes: it {first[2]}; and it {second[2]}"
        for n, first in enumerate(mistakes)
        for second in mistakes[n + 1 :]
        if first[0] != second[0] and fits([first[:2], second[:2]])
    ]
    return pairs[0] if len(pairs) == 1 else None


def _mistakes(table, **parts):
    """(slot, kind, message) from lines "slot kind: message"; indented lines continue a message."""
    rows = []
    for line in table.strip().splitlines():
        if line.startswith(" "):
            rows[-1][2] += " " + line.strip()
        else:
            head, message = line.split(": ", 1)
            rows.append([*head.split(), message])
    return [(slot, kind, message.format(**parts)) for slot, kind, message in rows]


def _check(name, function, cases, answer, mistakes):
    """Plain-language problems with one function; an empty list when it is right."""
    results, failures, changed = [], [], []
    for case in cases:
        values, problem, moved, raised = _run(name, function, case)
        if problem and not raised:
            return [problem]
        results.append(values)
        failures += [problem] if raised else []
        changed += [arg for arg in moved if arg not in changed]
    expected = [answer(case, {}) for case in cases]
    wrong = [n for n, (got, want) in enumerate(zip(results, expected)) if got is None or not _same(got, want)]
    problems = []
    if wrong:
        ran = any(got is not None for got in results)
        named = _explain(results, cases, answer, mistakes) if ran else None
        if named:
            problems.append(f"{name} {named}")
        elif failures:
            problems.append(failures[0])
        else:
            first = wrong[0]
            problems.append(_describe(name, cases[first], results[first], expected[first]))
    if changed:
        problems.append(
            f"{name} changes its argument {changed[0]} in place; leave the inputs as they are and write "
            "the result into a new array"
        )
    return problems


def _convolve_answer(case, mistakes):
    """convolve2d's output for a probe, right or with the given mistakes ({slot: kind})."""
    image, kernel = (np.array(value, dtype=float) for value in case["args"])
    mistake = mistakes.get
    flips = {
        "flip": kernel[::-1, ::-1],
        "flip_rows": kernel[::-1],
        "flip_cols": kernel[:, ::-1],
        "transpose": kernel.T,
    }
    used = flips.get(mistake("kernel"), kernel)
    if used.shape != kernel.shape:
        raise ValueError("the learner's code would have failed")
    rows, cols = image.shape[0] - kernel.shape[0] + 1, image.shape[1] - kernel.shape[1] + 1
    if mistake("size") == "short":
        rows, cols = rows - 1, cols - 1
    elif mistake("size") == "cols_from_rows":
        cols = rows
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    if rows > windows.shape[0] or cols > windows.shape[1]:
        raise ValueError("the learner's code would have failed")
    windows = windows[:rows, :cols]
    if mistake("window") == "pixel":
        windows = np.broadcast_to(image[:rows, :cols, None, None], windows.shape)
    if mistake("sum") == "matmul":
        out = (windows @ used).sum(axis=(-2, -1))
    else:
        out = (windows * used).sum(axis=(-2, -1)) / (used.size if mistake("sum") == "mean" else 1)
    if mistake("loops") == "skip_last":
        out[-1], out[:, -1] = 0, 0
    if mistake("dtype") == "int":
        out = np.trunc(out)
    return out.T if mistake("order") == "transposed" else out


SIZE = "image_rows - kernel_rows + 1 rows and image_cols - kernel_cols + 1 columns"

CONVOLVE_MISTAKES = _mistakes(
    """
size short: makes the output one row and one column too small: it has {size}, one for every
    place the kernel fits (254×254 for the 256×256 checkerboard and a 3×3 kernel)
size cols_from_rows: gives the output as many columns as rows; the output has {size}
kernel flip: flips the kernel both ways (a true convolution); here the kernel slides over the image as
    it is, like in a CNN layer
kernel flip_rows: turns the kernel upside down (its rows in reverse order); use the kernel as it is
kernel flip_cols: mirrors the kernel left to right (its columns in reverse order); use the kernel as it
    is
kernel transpose: transposes the kernel (swaps its rows and columns); window[u, v] meets kernel[u, v]
window pixel: multiplies the kernel by the single pixel image[row, col], not by the window image[row :
    row + kernel_rows, col : col + kernel_cols]
sum mean: takes the mean of the products; each output pixel is their sum, np.sum(window * kernel)
sum matmul: multiplies window and kernel as matrices (@ or np.dot); each output pixel is the sum of
    the element-by-element products, np.sum(window * kernel)
loops skip_last: leaves the last output row and column unfilled: loop over range(out_rows) and
    range(out_cols)
order transposed: swaps the rows and columns of its output: output[row, col] is row `row`, column `col`
dtype int: stores its results in an array of whole numbers, which cuts off the fractions:
    np.zeros((out_rows, out_cols)) holds floats
""",
    size=SIZE,
)


def _convolve_case(image_shape, kernel_shape, start):
    image, kernel = _probe(image_shape, start), _probe(kernel_shape, start + 13)
    text = f"a {image_shape[0]}×{image_shape[1]} image and a {kernel_shape[0]}×{kernel_shape[1]} kernel"
    return {
        "args": (image, kernel),
        "names": ("image", "kernel"),
        "kwargs": {},
        "text": text,
        "kernel": kernel_shape,
    }


CONVOLVE_CASES = [_convolve_case((5, 7), (3, 3), 0), _convolve_case((6, 5), (2, 3), 4)]


def check_make_kernel(make_kernel):
    """Plain-language problems with make_kernel; an empty list when it is right."""
    try:
        kernel = make_kernel()
    except TodoNotDone as error:
        return [str(error)]
    except Exception as error:  # the learner's code may fail in any way; say how, never raise
        return [_failure("make_kernel", make_kernel, error, {"text": "a call with no arguments"})]
    if not isinstance(kernel, np.ndarray):
        kind = type(kernel).__name__
        return [f"make_kernel returns a {kind}; return a NumPy array: np.array(..., dtype=np.float64)"]
    try:
        values = np.asarray(kernel, dtype=float)
    except Exception:
        return [f"make_kernel returns an array of {kernel.dtype}, not of numbers"]
    if values.shape != (3, 3):
        return [f"make_kernel returns shape {values.shape}; the kernel must be 3x3"]
    if not np.isfinite(values).all():
        return ["make_kernel returns NaN or infinite values; the kernel must hold nine numbers"]
    if not values.any():
        return ["make_kernel returns only zeros, which turns every picture black; choose nine numbers"]
    return []


def check_convolve2d(convolve2d):
    """Plain-language problems with convolve2d; an empty list when it is right."""
    return _check("convolve2d", convolve2d, CONVOLVE_CASES, _convolve_answer, CONVOLVE_MISTAKES)


def run_checks(functions=None):
    """Problems found in the functions of a module or namespace (by default this file's own)."""
    found = globals() if functions is None else vars(functions)
    problems = []
    for name, check in (("make_kernel", check_make_kernel), ("convolve2d", check_convolve2d)):
        try:
            if not callable(found.get(name)):
                problems.append(f"{name} is missing: keep its def line and fill in its body")
                continue
            problems += check(found[name])
        except Exception as error:  # a safety net: the check itself must never stop with a traceback
            problems.append(f"the self-check of {name} could not finish: {type(error).__name__}: {error}")
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description="Exercise 3: your own convolution.")
    parser.add_argument("--check", action="store_true", help="test your functions on small cases")
    parser.add_argument("--out", default=".", help="folder for my_filter_output.png")
    args = parser.parse_args(argv)
    name = Path(sys.argv[0]).name
    problems = run_checks()
    if args.check:
        for problem in problems:
            print(f"- {problem}")
        print("Every check passed." if not problems else f"{len(problems)} check(s) failed.")
        return 1 if problems else 0
    if problems:
        todo_open = problems[0].startswith("TODO ")
        print(
            f"{name}: {problems[0]}" + ("." if todo_open else " (run with --check for every problem)"),
            file=sys.stderr,
        )
        return 1
    try:
        result = normalize(convolve2d(make_checkerboard(), make_kernel()))
    except Exception as error:  # code that passed the checks can still fail on the full picture
        print(f"{name}: filtering the checkerboard failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    Path(args.out).mkdir(parents=True, exist_ok=True)
    path = Path(args.out) / "my_filter_output.png"
    Image.fromarray(result).save(path)
    print(f"wrote {path} ({result.shape[1]}x{result.shape[0]} pixels)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
