"""Exercise 3 starter: write the convolution loop yourself and design a kernel.

Usage:
    python cnn_starter.py --check     test your functions on small cases
    python cnn_starter.py [--out FOLDER]

Fill in the four TODOs in order. Until they are done the script names the
first one still open and stops. --check runs your functions on small inputs
and says in plain words what is still wrong; the plain run makes the same
checks first and, once they pass, filters a checkerboard with your kernel and
writes my_filter_output.png into FOLDER (default: the current folder). Needs
numpy, pillow and self_check.py in the same folder (exercise3.zip holds both).
"""

import io
import sys
from pathlib import Path

try:
    from self_check import (
        Failure,
        OneLineParser,
        as_numbers,
        call_with_time_limit,
        check_all,
        check_function,
        checked,
        exit_program,
        one_line_errors,
        parse_mistakes,
        prepare_folder,
        probe,
        report,
        stopped,
        todo,
        write_files,
    )
except ImportError as error:  # the starter needs its helper file, of the same version, beside it
    if isinstance(error, ModuleNotFoundError) and error.name == "self_check":
        sys.exit(f"{Path(sys.argv[0]).name}: self_check.py is missing: put it in the folder of this file")
    sys.exit(f"{Path(sys.argv[0]).name}: self_check.py is from another version ({error}): unzip it again")
try:
    import numpy as np
    from PIL import Image
except ModuleNotFoundError as missing:  # name the package to install, in one line
    package = str(missing.name).partition(".")[0].replace("PIL", "pillow")
    sys.exit(f"{Path(sys.argv[0]).name}: needs the Python package {package}: pip install {package}")

OUTPUT = "my_filter_output.png"


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
# The answers for the self-check (self_check.py runs your functions and compares):
# the right answer and the answer of each common mistake, computed with whole-array
# NumPy operations (no loops), a different way from the code you write.


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
    # Every window of the kernel's shape, one per place it fits: their count is the output's shape.
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    rows, cols = windows.shape[:2]
    if mistake("size") == "short":
        rows, cols = rows - 1, cols - 1
    elif mistake("size") == "cols_from_rows":
        cols = rows
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

CONVOLVE_MISTAKES = parse_mistakes(
    """
size short: makes the output one row and one column too small: it should have {size}, one for every
    place the kernel fits (254×254 for the 256×256 checkerboard and a 3×3 kernel)
size cols_from_rows: gives the output as many columns as rows; the output should have {size}
kernel flip: flips the kernel both ways (a true convolution); here the kernel slides over the image as
    it is, like in a CNN layer
kernel flip_rows: turns the kernel upside down (its rows in reverse order); use the kernel as it is
kernel flip_cols: mirrors the kernel left to right (its columns in reverse order); use the kernel as it
    is
kernel transpose: transposes the kernel (swaps its rows and columns); window[u, v] meets kernel[u, v]
window pixel: multiplies the kernel by the single pixel image[row, col], not by the window image[row :
    row + kernel_rows, col : col + kernel_cols]
sum mean: takes the mean of the products; each output pixel is their sum, (window * kernel).sum()
sum matmul: multiplies window and kernel as matrices (@ or np.dot); each output pixel is the sum of
    the element-by-element products, (window * kernel).sum()
loops skip_last: leaves the last output row and column unfilled: loop over range(out_rows) and
    range(out_cols)
order transposed: swaps the rows and columns of its output: output[row, col] is row `row`, column `col`
dtype int: stores its results in an array of whole numbers, which cuts off the fractions:
    np.zeros((out_rows, out_cols)) holds floats
""",
    size=SIZE,
)


def _convolve_case(image_shape, kernel_shape, start):
    image, kernel = probe(image_shape, start), probe(kernel_shape, start + 13)
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
    case = {"text": "a call with no arguments"}
    try:
        kernel = call_with_time_limit(make_kernel, (), {})
    except Exception as error:  # the learner's code may fail in any way; say how, never raise
        return [stopped("make_kernel", make_kernel, error, case)]
    if not isinstance(kernel, np.ndarray):
        kind = type(kernel).__name__
        return [f"make_kernel returns a {kind}; return a NumPy array: np.array(..., dtype=np.float64)"]
    values, problem = as_numbers("make_kernel", kernel, case["text"])
    if problem:
        return [problem]
    if values.shape != (3, 3):
        return [f"make_kernel returns shape {values.shape}; the kernel must be 3x3"]
    if not np.isfinite(values).all():
        return ["make_kernel returns NaN or infinite values; the kernel must hold nine numbers"]
    if not values.any():
        return ["make_kernel returns only zeros, which turns every picture black; choose nine numbers"]
    return []


def check_convolve2d(convolve2d):
    """Plain-language problems with convolve2d; an empty list when it is right."""
    return check_function("convolve2d", convolve2d, CONVOLVE_CASES, _convolve_answer, CONVOLVE_MISTAKES)


def run_checks(functions=None):
    """Problems found in the functions of a module or namespace (by default this file's own)."""
    found = globals() if functions is None else vars(functions)
    return check_all(found, (("make_kernel", check_make_kernel), ("convolve2d", check_convolve2d)))


def png_bytes(array):
    """array (uint8 gray levels, or RGB) encoded as a PNG file."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


@one_line_errors
def main(argv=None):
    parser = OneLineParser(description="Exercise 3: your own convolution.")
    parser.add_argument("--check", action="store_true", help="test your functions on small cases")
    parser.add_argument("--out", default=".", help=f"folder for {OUTPUT}")
    args = parser.parse_args(argv)
    problems = run_checks()
    if args.check:
        return report(problems)
    if problems:
        todo_open = problems[0].startswith("TODO ")
        raise Failure(problems[0] + ("." if todo_open else " (run with --check for every problem)"))
    folder = prepare_folder(args.out, [OUTPUT])
    # Your functions run on the whole picture the way the self-check runs them.
    kernel = checked("make_kernel", make_kernel, "a call with no arguments")()
    convolve = checked("convolve2d", convolve2d, "the 256×256 checkerboard", limit=120, usual="a second")
    result = normalize(convolve(make_checkerboard(), kernel))
    write_files(folder, [(OUTPUT, png_bytes(result), f"{result.shape[1]}x{result.shape[0]} pixels")])
    return 0


if __name__ == "__main__":
    exit_program(main())
