"""Exercise 5 solution: occlusion maps of the tiny CNN of exercise 4.

Usage:
    python occlusion_solution.py [--digits N ...] [--patch P] [--stride S] [--fill F]
                                 [--weights tiny_cnn_weights.npz] [--out FOLDER]

Covers a square patch of a test digit at every position where it fits, runs
the network of exercise 4 on each covered digit and records how much the score
(logit) of the digit's class drops. Prints where the drop is largest for each
digit and writes occlusion_maps.png into FOLDER (default: the current folder):
one row per digit, the digit beside its map, orange where covering lowers the
score, purple where it raises it. Needs numpy and pillow, and the weights file
of exercise 4 in the same folder.
"""

import argparse
import contextlib
import io
import os
import signal
import stat
import sys
import threading
import uuid
import zipfile
import zlib
from pathlib import Path

try:
    import fcntl  # lets one run at a time rename its files into a folder; Windows has none
except ImportError:
    fcntl = None
try:
    import numpy as np
    from PIL import Image
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
MAPS_PNG = "occlusion_maps.png"
#: The test digits mapped unless --digits names others, and how many one run may map.
DIGITS = (0, 1, 2)
MAX_DIGITS = 10
#: Each pixel of the digits and maps in occlusion_maps.png is SCALE × SCALE pixels of the file.
SCALE = 8
#: The colours of the maps: a drop at full strength, a rise at full strength (zero is white).
ORANGE = (230, 97, 1)
PURPLE = (94, 60, 153)
#: The gray of map pixels at the centre of no patch.
UNCOVERED = 230


def occlusion_map(image, forward, label, patch=6, stride=2, fill=0.0):
    """How much the score of class label drops when a square patch of the image is covered.

    image: (H, W), values in [0, 1]; forward(image) returns the class scores
    (logits). The patch is patch × patch pixels set to fill, its top-left corner
    at row i * stride, column j * stride, at every position where it fits.
    Returns out[i, j] = score of label on the image - score with that patch
    covered, of shape ((H - patch) // stride + 1, (W - patch) // stride + 1).
    """
    rows, cols = image.shape
    out_rows = (rows - patch) // stride + 1
    out_cols = (cols - patch) // stride + 1
    score = forward(image)[label]
    out = np.zeros((out_rows, out_cols))
    for i in range(out_rows):
        for j in range(out_cols):
            covered = image.copy()  # a fresh copy for every position: one patch at a time
            covered[i * stride : i * stride + patch, j * stride : j * stride + patch] = fill
            out[i, j] = score - forward(covered)[label]
    return out


# ---------------------------------------------------------------- exercise 4's forward pass
# The network the maps are made for, as tiny_cnn_solution.py writes it.


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


# ---------------------------------------------------------------- what the run prints and draws


def chosen(args, count):
    """The test digits, patch, stride and fill of the command line, checked; Failure (status 2) if not."""
    if len(args.digits) > MAX_DIGITS:
        raise Failure(f"--digits takes at most {MAX_DIGITS} test digits, got {len(args.digits)}", 2)
    for number in args.digits:
        if not 0 <= number < count:
            raise Failure(
                f"--digits: there is no test digit {number}; the weights file holds 0 to {count - 1}", 2
            )
    if not 1 <= args.patch <= 28:
        raise Failure(f"--patch must be from 1 to 28 pixels, got {args.patch}", 2)
    if not 1 <= args.stride <= 28:
        raise Failure(f"--stride must be from 1 to 28 pixels, got {args.stride}", 2)
    if not 0 <= args.fill <= 1:
        raise Failure(f"--fill must be a gray level from 0 (black) to 1 (white), got {args.fill:g}", 2)
    return args.digits, args.patch, args.stride, args.fill


def amount(value):
    """A score difference with two decimals, never "-0.00"."""
    return f"{value:.2f}".replace("-0.00", "0.00")


def describe(number, label, scores, drops, patch, stride):
    """One line on the map of test digit number: where covering lowers the score of label most."""
    said = f"test digit {number}, a {label} (the network says {int(np.argmax(scores))}, "
    said += f"score {amount(scores[label])})"
    spread = f"the map runs from {amount(drops.min())} to {amount(drops.max())}"
    if drops.max() <= 0:
        return f"{said}: no patch lowers the score; {spread}"
    i, j = np.unravel_index(np.argmax(drops), drops.shape)
    top, left = i * stride, j * stride
    where = f"rows {top}-{top + patch - 1}, columns {left}-{left + patch - 1}"
    return f"{said}: covering {where} lowers the score most, by {amount(drops.max())}; {spread}"


def map_image(images, maps, patch, stride):
    """One row per digit, the digit in gray and its map beside it, as RGB uint8.

    Cell (i, j) of a map colours the pixels at the centre of its patch (stride ×
    stride of them, the whole patch if it is smaller): orange where covering
    lowers the score, purple where it raises it, white where nothing changes,
    full colour at the map's own largest change; pixels at the centre of no
    patch stay light gray. Each pixel becomes SCALE × SCALE.
    """
    gap = 2  # pixels of white between the panels, before scaling
    rows, cols = images[0].shape
    canvas = np.full((len(images) * (rows + gap) - gap, 2 * cols + gap, 3), 255.0)
    block = min(patch, stride)
    offset = (patch - block) // 2
    for n, (image, drops) in enumerate(zip(images, maps)):
        top = n * (rows + gap)
        canvas[top : top + rows, :cols] = 255 * image[..., None]
        limit = np.abs(drops).max()
        strength = np.full((rows, cols), np.nan)
        for (i, j), drop in np.ndenumerate(drops):
            row, col = i * stride + offset, j * stride + offset
            strength[row : row + block, col : col + block] = drop / limit if limit > 0 else 0.0
        ends = np.where(strength[..., None] >= 0, np.array(ORANGE), np.array(PURPLE))
        coloured = 255 + np.abs(strength)[..., None] * (ends - 255)
        canvas[top : top + rows, cols + gap :] = np.where(np.isnan(coloured), UNCOVERED, coloured)
    pixels = np.round(canvas).astype(np.uint8)
    return pixels.repeat(SCALE, axis=0).repeat(SCALE, axis=1)


def png_bytes(array):
    """array (uint8 gray levels, or RGB) encoded as a PNG file."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def options(description):
    """The command-line options of the run; the starter adds --check and --network."""
    here = Path(sys.argv[0]).resolve().parent
    parser = OneLineParser(description=description)
    parser.add_argument(
        "--digits",
        type=int,
        nargs="+",
        default=list(DIGITS),
        metavar="N",
        help="the test digits to map, counted from 0 (default: 0 1 2)",
    )
    parser.add_argument(
        "--patch", type=int, default=6, help="side of the square patch in pixels (default: 6)"
    )
    parser.add_argument("--stride", type=int, default=2, help="step between patch positions (default: 2)")
    parser.add_argument(
        "--fill",
        type=float,
        default=0.0,
        help="gray level of the patch, 0 black to 1 white (default: 0, the background)",
    )
    parser.add_argument("--weights", default=str(here / "tiny_cnn_weights.npz"), help="the .npz file")
    parser.add_argument("--out", default=".", help=f"folder for {MAPS_PNG}")
    return parser


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


def prepare_folder(folder, names):
    """The output folder as a Path, created if needed; Failure saying why it cannot take files names."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise Failure(f"{folder!r} is a file, not a folder", 2)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise Failure(f"cannot create folder {folder!r}: {error.strerror or error}", 2) from None
    for name in names:
        if (path / name).is_dir():
            raise Failure(f"cannot write {str(path / name)!r}: a folder of that name is in the way", 2)
    return path


def write_files(folder, files):
    """Write files, (name, bytes, description) triples, into folder: every one of them, or none.

    Each goes to a hidden temporary file beside its place first. Only when all are
    complete are they renamed into place, one run at a time (a lock on the folder,
    where the system has one), with Ctrl-C and termination signals held until the
    last one: so a failed or interrupted run leaves the folder as it was, and two
    runs into one folder never mix their files. Says which files it wrote or replaced.
    """
    folder, temporary, done, held, handlers, lock = Path(folder), [], [], [], {}, None
    try:
        for name, data, _ in files:
            if (folder / name).is_dir():
                raise Failure(f"cannot write {str(folder / name)!r}: a folder of that name is in the way")
            path = folder / f".{name}.{uuid.uuid4().hex[:12]}.partial"
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            handle = os.open(path, flags, 0o666)  # the permissions any new file gets (umask)
            temporary.append(path)
            with open(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(handle)
        if fcntl is not None:
            with contextlib.suppress(OSError):
                lock = os.open(folder, os.O_RDONLY)
                fcntl.flock(lock, fcntl.LOCK_EX)
        if threading.current_thread() is threading.main_thread():
            handlers = {n: signal.signal(n, lambda number, frame: held.append(number)) for n in STOP_SIGNALS}
        for (name, _, description), path in zip(files, temporary):
            verb = "replaced" if (folder / name).exists() else "wrote"
            os.replace(path, folder / name)
            done.append(f"{verb} {folder / name} ({description})")
    except OSError as error:
        left = (
            "nothing written" if not done else f"{len(files) - len(done)} of {len(files)} files not written"
        )
        raise Failure(f"cannot write into {str(folder)!r}: {error.strerror or error}; {left}") from None
    finally:
        for number, handler in handlers.items():
            signal.signal(number, signal.SIG_DFL if handler is None else handler)
        for path in temporary:
            with contextlib.suppress(OSError):
                os.unlink(path)
        if lock is not None:
            os.close(lock)
        for line in done:
            print(line)
    for number in held[:1]:
        signal.raise_signal(number)


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
    args = options("Exercise 5 solution: occlusion maps of the tiny CNN.").parse_args(argv)
    folder = prepare_folder(args.out, [MAPS_PNG])
    weights, images, labels = load_weights(args.weights)
    digits, patch, stride, fill = chosen(args, len(labels))
    WEIGHTS.update(weights)
    print(
        f"Each map: how much covering a {patch}×{patch} patch with {fill:g} lowers the score (logit) of the "
        "digit's class; orange where it drops, purple where it rises."
    )
    maps = []
    for number in digits:
        image, label = images[number], int(labels[number])
        drops = occlusion_map(image, forward, label, patch=patch, stride=stride, fill=fill)
        print(describe(number, label, forward(image), drops, patch, stride), flush=True)
        maps.append(drops)
    picture = map_image([images[n] for n in digits], maps, patch, stride)
    said = "1 digit and its map" if len(digits) == 1 else f"{len(digits)} digits and their maps"
    write_files(folder, [(MAPS_PNG, png_bytes(picture), said)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
