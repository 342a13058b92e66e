"""Exercise 4 starter: write the forward pass of a tiny CNN in NumPy.

Usage:
    python tiny_cnn_starter.py --check     test your functions on small cases
    python tiny_cnn_starter.py [--weights tiny_cnn_weights.npz]

Fill in the TODOs of conv2d and maxpool2d. --check runs them on small probe
inputs, compares the results with the right answers and with the answers of
common mistakes, and names in plain words what is still wrong. The plain run
makes the same checks first; once they pass, it classifies the held-out digits
with the weights the course trained and prints the accuracy. Needs numpy, and
in the same folder self_check.py and tiny_cnn_weights.npz (exercise4.zip on the
module page holds all three).
"""

import sys
from pathlib import Path

try:
    from self_check import (
        Failure,
        OneLineParser,
        check_all,
        check_function,
        checked,
        exit_program,
        load_weights,
        one_line_errors,
        parse_mistakes,
        probe,
        report,
        run_function,
        same,
        todo,
    )
except ImportError as error:  # the starter needs its helper file, of the same version, beside it
    if isinstance(error, ModuleNotFoundError) and error.name == "self_check":
        sys.exit(f"{Path(sys.argv[0]).name}: self_check.py is missing: put it in the folder of this file")
    sys.exit(f"{Path(sys.argv[0]).name}: self_check.py is from another version ({error}): unzip it again")
import numpy as np  # self_check.py has made sure it is there

WEIGHTS = {}


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


# ---------------------------------------------------------------- self-check
# The answers for the self-check (self_check.py runs your functions and compares):
# the right answer and the answer of each common mistake, computed with whole-array
# NumPy operations (no loops), a different way from the code you write.


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

CONV_MISTAKES = parse_mistakes(
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
stride ignored: ignores stride: with stride=2 the output should have (rows - size + 2 * pad) // stride + 1
    rows, and {stride}
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


POOL_SIZE = "the output should have (rows - size) // stride + 1 rows and (cols - size) // stride + 1 columns"

POOL_MISTAKES = parse_mistakes(
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
    x = probe((rows, cols, channels), start)
    W = probe((filters, 3, 3, channels), start + 11)
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
        "args": (probe((rows, cols, channels), start) - 1.5,),
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
    return check_function("conv2d", conv2d, CONV_CASES, _conv_answer, CONV_MISTAKES)


def check_maxpool2d(maxpool2d):
    """Plain-language problems with maxpool2d; an empty list when it is right."""
    return check_function("maxpool2d", maxpool2d, POOL_CASES, _pool_answer, POOL_MISTAKES)


def check_relu(relu):
    values, problem, _, _ = run_function(
        "relu",
        relu,
        {"args": (np.array([-2.0, 0.0, 3.0]),), "names": ("x",), "kwargs": {}, "text": "[-2, 0, 3]"},
    )
    if problem:
        return [problem]
    if not same(values, [0.0, 0.0, 3.0]):
        return ["relu must turn negative values into 0 and keep the others"]
    return []


def run_checks(functions=None):
    """Problems found in the functions of a module or namespace (by default this file's own)."""
    found = globals() if functions is None else vars(functions)
    return check_all(found, (("conv2d", check_conv2d), ("maxpool2d", check_maxpool2d), ("relu", check_relu)))


def classify(images):
    """The class forward gives each image, with your functions run as the self-check runs them:
    each call within its time limit, and one line naming the function if it fails or returns
    NaN, infinite or complex values."""
    yours = {name: globals()[name] for name in ("conv2d", "maxpool2d", "relu")}
    predictions = []
    try:
        for number, image in enumerate(images):
            for name, function in yours.items():
                globals()[name] = checked(name, function, f"test digit {number}")
            predictions.append(int(np.argmax(forward(image))))
    finally:
        globals().update(yours)
    return np.array(predictions)


@one_line_errors
def main(argv=None):
    here = Path(sys.argv[0]).resolve().parent
    parser = OneLineParser(description="Exercise 4: the tiny CNN forward pass.")
    parser.add_argument("--check", action="store_true", help="test your functions on small cases")
    parser.add_argument("--weights", default=str(here / "tiny_cnn_weights.npz"), help="the .npz file")
    args = parser.parse_args(argv)
    problems = run_checks()
    if args.check:
        return report(problems)
    if problems:
        raise Failure(f"{problems[0]} (run with --check for every problem)")
    weights, images, labels = load_weights(args.weights)
    WEIGHTS.update(weights)
    correct = int((classify(images) == labels).sum())
    print(f"test accuracy: {100 * correct / len(labels):.1f} % ({correct} of {len(labels)})")
    return 0


if __name__ == "__main__":
    exit_program(main())
