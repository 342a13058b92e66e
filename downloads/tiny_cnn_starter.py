"""Exercise 4 starter: write the forward pass of a tiny CNN in NumPy.

Usage:
    python tiny_cnn_starter.py --check     test your functions on small cases
    python tiny_cnn_starter.py [--weights tiny_cnn_weights.npz]

Fill in the TODOs of conv2d and maxpool2d. --check runs them on small probe
inputs, compares the results with the right answers and with the answers of
common mistakes, and names in plain words what is still wrong. The plain run
makes the same checks first; once they pass, it classifies the held-out digits
with the weights the course trained (download tiny_cnn_weights.npz from the
module page into this folder) and prints the accuracy. Needs numpy only.
"""

import argparse
import sys
import zipfile
import zlib
from pathlib import Path

import numpy as np

WEIGHTS = {}


class TodoNotDone(Exception):
    """Raised by a TODO of this file that is still waiting for your code."""


def todo(number, task):
    raise TodoNotDone(f"TODO {number} is still open: {task}")


def conv2d(x, W, b, stride=1):
    """Multi-filter 2-D cross-correlation with bias and 'same' zero padding.

    x: (H, W, C_in), W: (K, k, k, C_in), b: (K,). Returns (H_out, W_out, K).
    """
    rows, cols, channels = x.shape
    n_filters, size = W.shape[0], W.shape[1]
    # TODO 1: pad x with zeros so that stride 1 keeps rows x cols ('same'), work
    # out the output size, then fill out[i, j, f]: the sum over the window and
    # all channels of window * W[f], plus b[f]. Two loops over i and j are enough.
    return todo(1, "write conv2d")


def maxpool2d(x, size=2, stride=2):
    """Largest value of every size×size window, per channel. (H, W, C) -> (H_out, W_out, C)."""
    # TODO 2: the output has (rows - size) // stride + 1 rows (likewise for the
    # columns); the window of output (i, j) starts at row i * stride and column
    # j * stride.
    return todo(2, "write maxpool2d")


def relu(x):
    return np.maximum(0, x)


def forward(image):
    """Ten class scores (logits) for one 28×28 image with values in [0, 1]."""
    x = image[..., None]  # (28, 28, 1)
    x = relu(conv2d(x, WEIGHTS["W1"], WEIGHTS["b1"]))  # (28, 28, 4)
    x = maxpool2d(x)  # (14, 14, 4)
    x = relu(conv2d(x, WEIGHTS["W2"], WEIGHTS["b2"]))  # (14, 14, 8)
    x = maxpool2d(x)  # (7, 7, 8)
    x = x.flatten()  # (392,)
    return WEIGHTS["W3"] @ x + WEIGHTS["b3"]  # (10,)


def load_weights(path):
    """Fill WEIGHTS from the .npz file; return the test images (0-1 floats) and labels.

    Every array is checked before it is used: present, numbers, the expected
    shape, finite. Raises ValueError naming the array (or the file) that is wrong.
    """
    shapes = {"W1": (4, 3, 3, 1), "b1": (4,), "W2": (8, 3, 3, 4), "b2": (8,), "W3": (10, 392), "b3": (10,)}
    with open(path, "rb") as file:
        start = file.read(6)
    if start.startswith(b"\x93NUMPY"):
        raise ValueError("it is a single-array .npy file, the weights come as one .npz archive")
    if not start.startswith(b"PK"):
        raise ValueError("it is not a .npz archive; download tiny_cnn_weights.npz from the page")
    arrays = {}
    try:
        with np.load(path, allow_pickle=False) as stored:
            for name in (*shapes, "test_images", "test_labels"):
                if name not in stored.files:
                    raise ValueError(f"the archive has no array named {name}")
                try:
                    arrays[name] = stored[name]
                except ValueError:
                    raise ValueError(f"array {name} holds Python objects, not numbers") from None
    except (OSError, EOFError, zipfile.BadZipFile, zlib.error):
        raise ValueError("the archive is damaged or incomplete; download it again") from None
    count = len(arrays["test_labels"])
    shapes.update(test_images=(count, 28, 28), test_labels=(count,))
    for name, shape in shapes.items():
        if arrays[name].dtype.kind not in "iuf":
            raise ValueError(f"array {name} must hold numbers, it holds {arrays[name].dtype}")
        if arrays[name].shape != shape:
            raise ValueError(f"array {name} has shape {arrays[name].shape}, expected {shape}")
        if not np.isfinite(arrays[name]).all():
            raise ValueError(f"array {name} contains NaN or infinity")
    images, labels = arrays["test_images"], arrays["test_labels"]
    if count == 0:
        raise ValueError("the archive holds no test digits")
    if labels.dtype.kind == "f" or labels.min() < 0 or labels.max() > 9:
        raise ValueError("array test_labels must hold whole numbers from 0 to 9")
    if images.min() < 0 or images.max() > 255:
        raise ValueError("array test_images must hold pixel values from 0 to 255")
    WEIGHTS.update({name: arrays[name].astype(np.float64) for name in ("W1", "b1", "W2", "b2", "W3", "b3")})
    return images / 255.0, labels


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


def _conv_answer(case, mistakes):
    """conv2d's output for a probe, right or with the given mistakes ({slot: kind})."""
    x, W, b = (np.array(value, dtype=float) for value in case["args"])
    stride = case["kwargs"].get("stride", 1)
    mistake = mistakes.get
    size = W.shape[1]
    p = size // 2
    if mistake("relu") == "input":
        x = np.maximum(x, 0)
    flips = {"flip": W[:, ::-1, ::-1], "flip_rows": W[:, ::-1], "flip_cols": W[:, :, ::-1]}
    W = flips.get(mistake("kernel"), W.transpose(0, 2, 1, 3) if mistake("kernel") == "transpose" else W)
    if mistake("channels") in ("first", "last"):
        keep = slice(0, 1) if mistake("channels") == "first" else slice(-1, None)
        x, W = x[..., keep], W[..., keep]
    pads = {
        None: ((p, p), (p, p)),
        "none": ((0, 0), (0, 0)),
        "after2": ((0, 2 * p), (0, 2 * p)),
        "before2": ((2 * p, 0), (2 * p, 0)),
        "after1": ((0, p), (0, p)),
        "before1": ((p, 0), (p, 0)),
        "rows": ((p, p), (0, 0)),
        "cols": ((0, 0), (p, p)),
        "two": ((2 * p, 2 * p), (2 * p, 2 * p)),
    }[mistake("pad")]
    padded = np.pad(x, (*pads, (0, 0)), mode=mistake("pad_mode") or "constant")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (size, size), axis=(0, 1))
    if mistake("window") == "pixel":
        corners = padded[: windows.shape[0], : windows.shape[1], :, None, None]
        windows = np.broadcast_to(corners, windows.shape)
    steps = {"ignored": (1, 1), "size_only": (1, 1), "rows_only": (stride, 1), "cols_only": (1, stride)}
    row_step, col_step = steps.get(mistake("stride"), (stride, stride))
    windows = windows[::row_step, ::col_step]
    rows, cols = x.shape[:2]
    if mistake("size") == "valid":
        count = ((rows - size) // stride + 1, (cols - size) // stride + 1)
    elif mistake("stride") == "ignored":
        count = windows.shape[:2]
    else:
        count = ((rows + sum(pads[0]) - size) // stride + 1, (cols + sum(pads[1]) - size) // stride + 1)
    if mistake("size") == "cols_from_rows":
        count = (count[0], count[0])
    if count[0] > windows.shape[0] or count[1] > windows.shape[1]:
        raise ValueError("the windows would run past the padded input")
    sums = np.einsum("ijcuv,fuvc->ijf", windows[: count[0], : count[1]], W)
    bias = {"none": 0 * b, "first": b[0] + 0 * b, "sum": b.sum() + 0 * b, "twice": 2 * b}.get(
        mistake("bias"), b
    )
    if mistake("bias") == "per_channel":
        bias = x.shape[2] * b
    if mistake("relu") == "before_bias":
        out = np.maximum(sums, 0) + bias
    elif mistake("relu") == "output":
        out = np.maximum(sums + bias, 0)
    else:
        out = sums + bias
    if mistake("loops") in ("skip_last", "skip_first"):
        edge = -1 if mistake("loops") == "skip_last" else 0
        out[edge], out[:, edge] = 0, 0
    if mistake("dtype") == "int":
        out = np.trunc(out)
    orders = {"channels_first": (2, 0, 1), "transposed": (1, 0, 2)}
    return out.transpose(orders.get(mistake("order"), (0, 1, 2)))


PAD_SAME = "'same' padding puts size // 2 rows and columns of zeros on every side: ((1, 1), (1, 1), (0, 0))"
STRIDE = "the window of output (i, j) starts at row i * stride and column j * stride"

CONV_MISTAKES = _mistakes(
    """
kernel flip: flips the kernel both ways (a true convolution); a CNN layer multiplies the window by W[f]
    as it is
kernel flip_rows: turns the kernel upside down (its rows in reverse order); use W[f] as it is
kernel flip_cols: mirrors the kernel left to right (its columns in reverse order); use W[f] as it is
kernel transpose: transposes the kernel (swaps its rows and columns); window[u, v] meets W[f, u, v]
loops skip_last: leaves the last output row and column unfilled: loop over range(out_rows) and
    range(out_cols)
loops skip_first: leaves the first output row and column unfilled: the loops start at 0
window pixel: multiplies W[f] by the single pixel at the window's corner, not by the size×size window
    that starts there
pad none: does not pad the input, so the output shrinks; {same}
size valid: pads the input but sizes the output as if it were not padded: out_rows = (rows - size + 2 *
    pad) // stride + 1, likewise out_cols
pad after2: pads on one side only (below and to the right); {same}
pad before2: pads on one side only (above and to the left); {same}
pad after1: pads only below and to the right; {same}
pad before1: pads only above and to the left; {same}
pad rows: pads above and below but not left and right; {same}
pad cols: pads left and right but not above and below; {same}
pad two: pads two rings of zeros where one is needed; {same}
pad_mode edge: pads by repeating the edge pixels; 'same' padding here adds zeros (np.pad's default)
pad_mode reflect: pads by mirroring the input at its edges; 'same' padding here adds zeros (np.pad's
    default)
stride ignored: ignores stride: with stride=2 the output has (rows - size + 2 * pad) // stride + 1 rows,
    and {stride}
stride size_only: sizes the output for the stride but moves the window one pixel at a time: {stride}
stride rows_only: moves the window by stride down the rows but by 1 across the columns: {stride}
stride cols_only: moves the window by stride across the columns but by 1 down the rows: {stride}
bias none: leaves out the bias: add b[f] to every value of feature map f
bias first: adds b[0] to every feature map; feature map f gets its own bias b[f]
bias sum: adds the sum of all biases to every value; feature map f gets only its own bias b[f]
bias per_channel: adds the bias once per input channel; add b[f] once, after summing over all channels
bias twice: adds the bias twice; add b[f] once
channels first: uses only the first input channel: sum window * W[f] over all channels
channels last: uses only the last input channel: sum window * W[f] over all channels
relu output: applies ReLU to its output; forward() applies relu after conv2d, so return the sums,
    negative ones too
relu before_bias: applies ReLU before adding the bias; conv2d has no ReLU, forward() applies it after
    conv2d
relu input: applies ReLU to its input; conv2d has no ReLU, forward() applies it after conv2d
order channels_first: puts the feature maps first, shape (K, H_out, W_out); this network keeps channels
    last: out[i, j, f]
order transposed: swaps the rows and columns of its output: out[i, j, f] is output row i, column j
size cols_from_rows: gives the output as many columns as rows; out_cols comes from the input's columns
dtype int: stores its results in an array of whole numbers, which cuts off the fractions:
    np.zeros(shape) holds floats
""",
    same=PAD_SAME,
    stride=STRIDE,
)


def _pool_answer(case, mistakes):
    """maxpool2d's output for a probe, right or with the given mistakes ({slot: kind})."""
    (x,) = (np.array(value, dtype=float) for value in case["args"])
    size, stride = case["pool"]
    mistake = mistakes.get
    if mistake("params") == "fixed":
        size, stride = 2, 2
    elif mistake("params") == "swapped":
        size, stride = stride, size
    formula_stride = 1 if mistake("stride") == "one" else stride
    step = 1 if mistake("stride") in ("one", "size_only") else stride
    counts = {
        "ceil": lambda n: -(-(n - size) // formula_stride) + 1,
        "plus_one": lambda n: (n - size + 1) // formula_stride + 1,
        "floor_div": lambda n: n // formula_stride,
        "short": lambda n: (n - size) // formula_stride,
    }
    count = counts.get(mistake("rounding"), lambda n: (n - size) // formula_stride + 1)
    rows, cols = count(x.shape[0]), count(x.shape[1])
    width = {"one": 1, "plus1": size + 1}.get(mistake("window"), size)
    # Windows may reach past the input, as slices do; `inside` marks the cells that exist.
    extra = ((0, width + step * max(rows, cols)),) * 2 + ((0, 0),)
    view = np.lib.stride_tricks.sliding_window_view
    windows = view(np.pad(x, extra), (width, width), axis=(0, 1))[::step, ::step][:rows, :cols]
    inside = view(np.pad(np.ones(x.shape, bool), extra), (width, width), axis=(0, 1))[::step, ::step][
        :rows, :cols
    ]
    if rows < 1 or cols < 1 or windows.shape[:2] != (rows, cols) or not inside.any(axis=(-2, -1)).all():
        raise ValueError("the learner's code would have failed")
    axes = (-3, -2, -1) if mistake("channels") in ("across", "across_2d") else (-2, -1)
    kind = mistake("reduce")
    if kind == "min":
        out = np.where(inside, windows, np.inf).min(axis=axes)
    elif kind in ("sum", "mean"):
        out = (windows * inside).sum(axis=axes) / (inside.sum(axis=axes) if kind == "mean" else 1)
    else:
        out = np.where(inside, windows, -np.inf).max(axis=axes)
    if mistake("channels") == "across":
        out = np.repeat(out[..., None], x.shape[2], axis=2)
    if mistake("relu") == "output":
        out = np.maximum(out, 0)
    if mistake("loops") == "skip_last":
        out[-1], out[:, -1] = 0, 0
    if mistake("dtype") == "int":
        out = np.trunc(out)
    if out.ndim == 3 and mistake("order"):
        out = out.transpose((2, 0, 1) if mistake("order") == "channels_first" else (1, 0, 2))
    return out


POOL_SIZE = "the output has (rows - size) // stride + 1 rows and (cols - size) // stride + 1 columns"

POOL_MISTAKES = _mistakes(
    """
channels across: takes the maximum over the channels too, so every channel gets the same value: keep one
    maximum per channel, over rows and columns only
channels across_2d: returns one map, the maximum over all channels; keep one maximum per channel, shape
    (H_out, W_out, C)
reduce mean: takes the mean of each window; max pooling keeps the largest value
reduce sum: adds up each window; max pooling keeps the largest value
reduce min: keeps the smallest value of each window; max pooling keeps the largest
window one: keeps the top-left value of each window; the window is size × size and max pooling keeps its
    largest value
window plus1: takes windows one row and one column too big; the window of output (i, j) is rows i *
    stride to i * stride + size, the end excluded
stride one: moves the window by 1, so windows overlap; the window of output (i, j) starts at row i *
    stride, column j * stride, and {pool_size}
stride size_only: sizes the output for the stride but moves the window one pixel at a time; the window
    of output (i, j) starts at row i * stride and column j * stride
params fixed: ignores its size and stride arguments and always pools 2×2 windows with stride 2
params swapped: swaps size and stride: the window is size × size and moves by stride
rounding ceil: keeps a partial window where the input runs out (rounds up); {pool_size}, rounded down
rounding plus_one: adds a row and column of partial windows; {pool_size}
rounding floor_div: sizes the output as rows // stride, which does not leave room for the window;
    {pool_size}
rounding short: returns one row and one column too few; {pool_size}
relu output: sets negative values to 0 (a ReLU); max pooling keeps a window's largest value even when it
    is negative
loops skip_last: leaves the last output row and column unfilled: loop over range(out_rows) and
    range(out_cols)
order channels_first: puts the channels first, shape (C, H_out, W_out); this network keeps channels
    last: out[i, j, c]
order transposed: swaps the rows and columns of its output: out[i, j, c] is output row i, column j
dtype int: stores its results in an array of whole numbers, which cuts off the fractions:
    np.zeros(shape) holds floats
""",
    pool_size=POOL_SIZE,
)


def _conv_case(rows, cols, channels, filters, stride, start):
    x = _probe((rows, cols, channels), start)
    W = _probe((filters, 3, 3, channels), start + 11)
    b = np.array([0.5, -1.25, 2.0, 0.75][:filters])
    text = f"a {rows}×{cols}×{channels} input, {filters} filters of 3×3×{channels} and stride={stride}"
    return {
        "args": (x, W, b),
        "names": ("x", "W", "b"),
        "kwargs": {"stride": stride},
        "text": text,
        "kernel": W.shape[1:],
        "part": "feature map",
    }


def _pool_case(rows, cols, channels, size, stride, start):
    given = {} if (size, stride) == (2, 2) else {"size": size, "stride": stride}
    said = "the default size=2, stride=2" if not given else f"size={size}, stride={stride}"
    return {
        "args": (_probe((rows, cols, channels), start) - 1.5,),
        "names": ("x",),
        "kwargs": given,
        "pool": (size, stride),
        "text": f"a {rows}×{cols}×{channels} input with {said}",
        "part": "channel",
    }


CONV_CASES = [_conv_case(4, 5, 2, 3, 1, 0), _conv_case(4, 7, 3, 3, 2, 5)]
POOL_CASES = [_pool_case(5, 7, 3, 2, 2, 3), _pool_case(6, 7, 2, 3, 1, 8)]


def check_conv2d(conv2d):
    """Plain-language problems with conv2d; an empty list when it is right."""
    return _check("conv2d", conv2d, CONV_CASES, _conv_answer, CONV_MISTAKES)


def check_maxpool2d(maxpool2d):
    """Plain-language problems with maxpool2d; an empty list when it is right."""
    return _check("maxpool2d", maxpool2d, POOL_CASES, _pool_answer, POOL_MISTAKES)


def check_relu(relu):
    values, problem, _, _ = _run(
        "relu",
        relu,
        {"args": (np.array([-2.0, 0.0, 3.0]),), "names": ("x",), "kwargs": {}, "text": "[-2, 0, 3]"},
    )
    if problem:
        return [problem]
    if not _same(values, [0.0, 0.0, 3.0]):
        return ["relu must turn negative values into 0 and keep the others"]
    return []


def run_checks(functions=None):
    """Problems found in the functions of a module or namespace (by default this file's own)."""
    found = globals() if functions is None else vars(functions)
    problems = []
    for name, check in (("conv2d", check_conv2d), ("maxpool2d", check_maxpool2d), ("relu", check_relu)):
        try:
            if not callable(found.get(name)):
                problems.append(f"{name} is missing: keep its def line and fill in its body")
                continue
            problems += check(found[name])
        except Exception as error:  # a safety net: the check itself must never stop with a traceback
            problems.append(f"the self-check of {name} could not finish: {type(error).__name__}: {error}")
    return problems


def main(argv=None):
    here = Path(sys.argv[0]).resolve().parent
    parser = argparse.ArgumentParser(description="Exercise 4: the tiny CNN forward pass.")
    parser.add_argument("--check", action="store_true", help="test your functions on small cases")
    parser.add_argument("--weights", default=str(here / "tiny_cnn_weights.npz"), help="the .npz file")
    args = parser.parse_args(argv)
    name = Path(sys.argv[0]).name
    problems = run_checks()
    if args.check:
        for problem in problems:
            print(f"- {problem}")
        print("Every check passed." if not problems else f"{len(problems)} check(s) failed.")
        return 1 if problems else 0
    if problems:
        print(f"{name}: {problems[0]} (run with --check for every problem)", file=sys.stderr)
        return 1
    try:
        images, labels = load_weights(args.weights)
    except (OSError, ValueError, KeyError) as error:
        reason = getattr(error, "strerror", None) or error
        print(f"{name}: cannot load weights from {args.weights!r}: {reason}", file=sys.stderr)
        return 2
    try:
        correct = sum(int(np.argmax(forward(image)) == label) for image, label in zip(images, labels))
    except Exception as error:  # code that passed the checks can still fail on 28×28 digits
        print(f"{name}: forward failed on a test digit: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(f"test accuracy: {100 * correct / len(labels):.1f} % ({correct} of {len(labels)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
