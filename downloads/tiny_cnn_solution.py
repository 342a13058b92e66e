"""Exercise 4 solution: the forward pass of a tiny CNN, written with loops in NumPy.

Usage:
    python tiny_cnn_solution.py [--weights tiny_cnn_weights.npz]

Loads the weights the course trained on handwritten digits (download
tiny_cnn_weights.npz from the module page into this folder), classifies the
held-out test digits stored in the same file and prints the accuracy. Every
array of the file is checked first; a file that is damaged, or holds what
training cannot produce, gets one line saying what is wrong instead of an
accuracy. Needs numpy only.
"""

import argparse
import os
import signal
import stat
import sys
import threading
import time
import zipfile
import zlib
from pathlib import Path

try:
    import numpy as np
except ModuleNotFoundError as missing:  # name the package to install, in one line
    package = str(missing.name).partition(".")[0].replace("PIL", "pillow")
    sys.exit(f"{Path(sys.argv[0]).name}: needs the Python package {package}: pip install {package}")

#: The signals that stop a run: Ctrl-C, and where the system has them, termination and hang-up.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
#: The arrays of the weights file and their shapes; test_images and test_labels come with them.
WEIGHT_SHAPES = {"W1": (4, 3, 3, 1), "b1": (4,), "W2": (8, 3, 3, 4), "b2": (8,), "W3": (10, 392), "b3": (10,)}
#: Trained weights stay within about ±2 (Adam moves each by about its learning rate, 0.005, a step).
MAX_WEIGHT = 100
#: The course's weights file holds a few hundred test digits.
MAX_TEST_DIGITS = 10_000
WEIGHTS = {}


def conv2d(x, W, b, stride=1):
    """Multi-filter 2-D cross-correlation with bias and 'same' zero padding.

    x: (H, W, C_in), W: (K, k, k, C_in), b: (K,). Returns (H_out, W_out, K).
    """
    rows, cols, _ = x.shape
    n_filters, size = W.shape[0], W.shape[1]
    pad = size // 2
    x_padded = np.pad(x, ((pad, pad), (pad, pad), (0, 0)))
    out_rows = (rows - size + 2 * pad) // stride + 1
    out_cols = (cols - size + 2 * pad) // stride + 1
    out = np.zeros((out_rows, out_cols, n_filters))
    for i in range(out_rows):
        for j in range(out_cols):
            window = x_padded[i * stride : i * stride + size, j * stride : j * stride + size, :]
            # One number per filter: the sum of window * filter over rows, columns, channels.
            out[i, j, :] = np.tensordot(W, window, axes=([1, 2, 3], [0, 1, 2])) + b
    return out


def maxpool2d(x, size=2, stride=2):
    """Largest value of every size×size window, per channel. (H, W, C) -> (H_out, W_out, C)."""
    rows, cols, channels = x.shape
    out_rows = (rows - size) // stride + 1
    out_cols = (cols - size) // stride + 1
    out = np.zeros((out_rows, out_cols, channels))
    for i in range(out_rows):
        for j in range(out_cols):
            window = x[i * stride : i * stride + size, j * stride : j * stride + size, :]
            out[i, j, :] = window.max(axis=(0, 1))
    return out


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


# ---------------------------------------------------------------- shared with the other downloads
# The same in self_check.py and the other downloads (tests/test_downloads.py keeps the copies identical).


class Failure(Exception):
    """A problem the script reports in one line; status is its exit status."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


class OneLineParser(argparse.ArgumentParser):
    """An argument parser that reports a bad argument in one line and exits with status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def one_line_errors(main):
    """main, made to say in one line on stderr why it stopped, and to return the exit status.

    A Failure gives its message and status. Ctrl-C, SIGTERM and SIGHUP stop the
    run once its clean-up code has run (status 128 + the signal's number); any
    other error is named with its type. The signal handlers are restored afterwards.
    """

    def run(*args, **kwargs):
        def stop(number, frame):  # Ctrl-C's KeyboardInterrupt for all three, so that clean-up code runs
            raise KeyboardInterrupt(number)

        previous = {}
        if threading.current_thread() is threading.main_thread():
            for number in STOP_SIGNALS:
                if signal.getsignal(number) in (signal.SIG_DFL, signal.default_int_handler):
                    previous[number] = signal.signal(number, stop)
        try:
            status = main(*args, **kwargs)
            sys.stdout.flush()
            return status
        except Failure as problem:
            message, status = str(problem), problem.status
        except KeyboardInterrupt as interrupt:  # stop() gives the signal's number; Ctrl-C alone gives none
            number = next((n for n in interrupt.args if n in STOP_SIGNALS), signal.SIGINT)
            name = signal.Signals(number).name
            message = "interrupted (Ctrl-C)" if name == "SIGINT" else f"stopped by {name}"
            status = 128 + number
        except BrokenPipeError:  # the program reading the output (| head) stopped reading: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 1
        except Exception as error:  # an error nobody foresaw still gets one line
            message, status = f"stopped by an unexpected error: {type(error).__name__}: {error}", 1
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        print(f"{Path(sys.argv[0]).name}: {message}", file=sys.stderr)
        return status

    return run


def open_file(path):
    """path opened for reading bytes; OSError if it cannot be, ValueError if it is a folder, a pipe or
    a device (which a plain open() would read as a file, or wait on for ever)."""
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    mode = os.fstat(handle).st_mode
    if not stat.S_ISREG(mode):
        os.close(handle)
        kind = "a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode) else "a device"
        raise ValueError(f"it is {kind}, not a file")
    return open(handle, "rb")


def load_weights(path):
    """The weights (float64), the test images (0-1 floats) and labels of a .npz weights file.

    Every array is checked before it is used: its header before its data is read,
    so that a file declaring huge or wrong arrays costs no time or memory, then its
    values against what training can produce. Failure (status 2) says in one line
    what is wrong.
    """
    try:
        with open_file(path) as file:
            start = file.read(6)
            if start.startswith(b"\x93NUMPY"):
                raise ValueError("it is a single-array .npy file, the weights come as one .npz archive")
            if not start.startswith(b"PK"):
                raise ValueError("it is not a .npz archive; download tiny_cnn_weights.npz from the page")
            with zipfile.ZipFile(file) as archive:
                arrays = {name: read_array(archive, name, shape) for name, shape in WEIGHT_SHAPES.items()}
                labels = read_array(archive, "test_labels", (None,))
                images = read_array(archive, "test_images", (len(labels), 28, 28))
        for name, values in arrays.items():
            if values.dtype.kind != "f":
                raise ValueError(f"array {name} must hold decimal numbers, it holds {values.dtype}")
            if not np.isfinite(values).all():
                raise ValueError(f"array {name} contains NaN or infinity")
            largest = values.flat[np.abs(values).argmax()]
            if abs(largest) > MAX_WEIGHT:
                raise ValueError(
                    f"array {name} holds {largest:g}, which training never gives (trained weights stay "
                    f"within ±{MAX_WEIGHT}); download the file again"
                )
        if len(labels) == 0:
            raise ValueError("the archive holds no test digits")
        if labels.dtype.kind not in "iu" or labels.min() < 0 or labels.max() > 9:
            raise ValueError("array test_labels must hold whole numbers from 0 to 9")
        if images.dtype != np.uint8:
            raise ValueError(
                f"array test_images must hold gray levels 0-255 as uint8, it holds {images.dtype}"
            )
        if images.max() <= 1:
            raise ValueError(
                "array test_images holds only the values 0 and 1; it must hold gray levels 0-255"
            )
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError):
        reason = "the archive is damaged or incomplete; download it again"
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
    else:
        weights = {name: values.astype(np.float64) for name, values in arrays.items()}
        return weights, images / 255.0, labels.astype(np.int64)
    raise Failure(f"cannot load weights from {str(path)!r}: {reason}", 2)


def read_array(archive, name, shape):
    """Array name of a .npz archive; its header is checked against shape (None: up to MAX_TEST_DIGITS)
    before its data is read. ValueError naming what is wrong."""
    try:
        info = archive.getinfo(f"{name}.npy")
    except KeyError:
        raise ValueError(f"the archive has no array named {name}") from None
    if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ValueError(f"array {name} is encrypted or compressed in a way NumPy never writes")
    with archive.open(info) as member:
        try:
            version = np.lib.format.read_magic(member)
            read_header = {
                (1, 0): np.lib.format.read_array_header_1_0,
                (2, 0): np.lib.format.read_array_header_2_0,
            }
            declared, fortran, dtype = read_header[version](member)
        except (KeyError, ValueError, SyntaxError):
            raise ValueError(f"array {name} has a damaged header") from None
        if dtype.hasobject:
            raise ValueError(f"array {name} holds Python objects, not numbers")
        if dtype.kind not in "biufc" or dtype.itemsize > 16:
            raise ValueError(f"array {name} must hold numbers, it holds {dtype}")
        if any(d < 0 for d in declared):
            raise ValueError(f"array {name} has a damaged header")
        expected = tuple("N" if n is None else n for n in shape)
        if len(declared) != len(shape) or any(n not in (None, d) for n, d in zip(shape, declared)):
            raise ValueError(f"array {name} has shape {declared}, expected {expected}".replace("'N'", "N"))
        if any(n is None and d > MAX_TEST_DIGITS for n, d in zip(shape, declared)):
            raise ValueError(
                f"array {name} declares {max(declared):,} values; the weights file holds a few hundred"
            )
        size = int(np.prod(declared)) * dtype.itemsize
        data = member.read(size + 1)
        if len(data) != size:
            raise ValueError(f"array {name} is damaged: its data does not have the size its header declares")
    return np.frombuffer(data, dtype).reshape(declared, order="F" if fortran else "C")


@one_line_errors
def main(argv=None):
    here = Path(sys.argv[0]).resolve().parent
    parser = OneLineParser(description="Classify digits with the tiny CNN.")
    parser.add_argument("--weights", default=str(here / "tiny_cnn_weights.npz"), help="the .npz file")
    args = parser.parse_args(argv)
    weights, images, labels = load_weights(args.weights)
    WEIGHTS.update(weights)
    started = time.perf_counter()
    predictions = []
    for number, image in enumerate(images, start=1):
        predictions.append(np.argmax(forward(image)))
        if number % 100 == 0 and number < len(images):
            print(f"classified {number} of {len(images)} test digits so far", flush=True)
    predictions = np.array(predictions)
    seconds = time.perf_counter() - started
    correct = int((predictions == labels).sum())
    print(f"classified {len(labels)} test digits in {seconds:.1f} s")
    print(f"test accuracy: {100 * correct / len(labels):.1f} % ({correct} of {len(labels)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
