"""Exercise 3 solution and challenge: an emboss filter and an animated transition.

Usage:
    python cnn_solution.py [--out FOLDER]

Writes my_filter_output.png (the checkerboard embossed) and
filter_transition.gif (20 frames going from no effect to the full emboss)
into FOLDER (default: the current folder), replacing files of the same names.
If anything fails, the folder is left as it was and one line says why. Needs
numpy, pillow and imageio.
"""

import argparse
import contextlib
import io
import os
import signal
import sys
import threading
import uuid
from pathlib import Path

try:
    import fcntl  # lets one run at a time rename its files into a folder; Windows has none
except ImportError:
    fcntl = None
try:
    import imageio.v2 as imageio
    import numpy as np
    from PIL import Image
except ModuleNotFoundError as missing:  # name the package to install, in one line
    package = str(missing.name).partition(".")[0].replace("PIL", "pillow")
    sys.exit(f"{Path(sys.argv[0]).name}: needs the Python package {package}: pip install {package}")

#: The signals that stop a run: Ctrl-C, and where the system has them, termination and hang-up.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)
OUTPUTS = ("my_filter_output.png", "filter_transition.gif")
IDENTITY = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float64)
EMBOSS = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=np.float64)


def make_kernel():
    """TODO 1 done: emboss, a light-from-the-top-left relief effect."""
    return EMBOSS.copy()


def convolve2d(image, kernel):
    """Slide kernel over image (no padding, stride 1); return the weighted sums.

    The kernel is not flipped: a cross-correlation, as in a CNN's layers.
    """
    image = np.asarray(image, dtype=np.float64)
    image_rows, image_cols = image.shape
    kernel_rows, kernel_cols = kernel.shape

    # TODO 2 done: one position per place where the whole kernel fits.
    out_rows, out_cols = image_rows - kernel_rows + 1, image_cols - kernel_cols + 1

    # TODO 3 done.
    output = np.zeros((out_rows, out_cols))

    for row in range(out_rows):
        for col in range(out_cols):
            # TODO 4 done: the window's top-left corner is at (row, col).
            output[row, col] = np.sum(image[row : row + kernel_rows, col : col + kernel_cols] * kernel)

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


def png_bytes(array):
    """array (uint8 gray levels, or RGB) encoded as a PNG file."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def gif_bytes(frames):
    """An animated GIF of the frames, 100 ms each, looping for ever.

    imageio takes duration in milliseconds from version 2.28 on, in seconds before
    (100 would show each frame for 100 s): the file's own duration is checked.
    """
    data = imageio.mimwrite("<bytes>", frames, format="GIF", duration=100, loop=0)
    with Image.open(io.BytesIO(data)) as gif:
        shown = gif.info.get("duration")
    if shown != 100:
        raise Failure(
            f"imageio wrote frames of {shown} ms instead of 100 ms: versions before 2.28 read the duration "
            "in seconds; pip install --upgrade imageio"
        )
    return data


def transition_frames(image, start, end, steps=20):
    """Frames filtered by kernels blended from start (t=0) to end (t=1).

    Convolution is linear in the kernel, so the two end results are computed
    once and blended: conv(image, (1-t)*start + t*end) equals
    (1-t)*conv(image, start) + t*conv(image, end).
    """
    first, last = convolve2d(image, start), convolve2d(image, end)
    return [normalize((1 - t) * first + t * last) for t in np.linspace(0.0, 1.0, steps)]


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


@one_line_errors
def main(argv=None):
    parser = OneLineParser(description="Exercise 3 solution and the GIF challenge.")
    parser.add_argument("--out", default=".", help="folder for the two output files")
    args = parser.parse_args(argv)
    folder = prepare_folder(args.out, OUTPUTS)
    pattern = make_checkerboard()
    result = normalize(convolve2d(pattern, make_kernel()))
    frames = transition_frames(pattern, IDENTITY, EMBOSS)
    outputs = [png_bytes(result), gif_bytes(frames)]
    described = [f"{result.shape[1]}x{result.shape[0]} pixels", f"{len(frames)} frames"]
    write_files(folder, list(zip(OUTPUTS, outputs, described)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
