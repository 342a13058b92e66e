"""Edge detection with a hand-written 2-D convolution (module 9.2.2, exercises 1 and 2).

Usage:
    python cnn_visualization.py [--image PHOTO [--full-size]] [--out FOLDER]
    python cnn_visualization.py --random-filters N [--seed S] [--image PHOTO] [--out FOLDER]

Without --image it draws a test pattern (a rectangle and a disc); with it, it
uses your own photo in grayscale, shrunk to at most 512 pixels on its longer
side unless --full-size is given (the Python loops visit every pixel six
times, which takes minutes for a phone photo). It writes
edge_detection_output.png (input beside its Sobel edge magnitude),
edges_vertical.png, edges_horizontal.png, artistic_edges.png, blur_3x3.png
and blur_5x5.png into FOLDER (default: the current folder),
replacing files of the same names, and prints where each file went. If
anything fails, the folder is left as it was, and a photo it cannot use (or a
folder it cannot write into) gets one line saying why. A photo is turned
upright as its EXIF orientation says; of an animated or multi-page file the
first frame is used. Needs numpy and pillow.

With --random-filters N it draws N random 3x3 filters instead (normally
distributed weights from seed S, default 0: the same seed gives the same
filters), prints their weights and writes random_filters.png, one feature map
per filter, the way a CNN's filters look before any training.
"""

import argparse
import contextlib
import io
import os
import signal
import stat
import sys
import threading
import time
import uuid
import warnings
from pathlib import Path

try:
    import fcntl  # lets one run at a time rename its files into a folder; Windows has none
except ImportError:
    fcntl = None
try:
    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError
except ModuleNotFoundError as missing:  # name the package to install, in one line
    package = str(missing.name).partition(".")[0].replace("PIL", "pillow")
    sys.exit(f"{Path(sys.argv[0]).name}: needs the Python package {package}: pip install {package}")

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
SOBEL_Y = SOBEL_X.T.copy()
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64)
GAUSSIAN_3X3 = np.outer([1, 2, 1], [1, 2, 1]) / 16.0
GAUSSIAN_5X5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0
MAX_SIDE = 512  # photos are shrunk to this many pixels on their longer side unless --full-size
MIN_SIDE = 5  # the 5x5 blur needs an image at least this many pixels high and wide
PROGRESS_SECONDS = 5  # a line at least this often while a full-size photo is being filtered
MAX_RANDOM_FILTERS = 64  # the largest --random-filters
OUTPUTS = (
    "edge_detection_output.png",
    "edges_vertical.png",
    "edges_horizontal.png",
    "artistic_edges.png",
    "blur_3x3.png",
    "blur_5x5.png",
)
#: The signals that stop a run: Ctrl-C, and where the system has them, termination and hang-up.
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def convolve2d(image, kernel):
    """Slide kernel over image and return the weighted sum at every position.

    No padding and stride 1, so the output loses kernel size - 1 rows and
    columns. The kernel is not flipped: strictly this is a cross-correlation,
    which is what the convolutional layers of a CNN compute.
    """
    image = np.asarray(image, dtype=np.float64)
    image_rows, image_cols = image.shape
    kernel_rows, kernel_cols = kernel.shape
    out_rows = image_rows - kernel_rows + 1
    out_cols = image_cols - kernel_cols + 1
    output = np.zeros((out_rows, out_cols))
    for row in range(out_rows):
        for col in range(out_cols):
            window = image[row : row + kernel_rows, col : col + kernel_cols]
            output[row, col] = (window * kernel).sum()
    return output


def normalize(values):
    """Stretch values linearly onto 0-255 and return uint8 (all zeros if flat)."""
    low, high = values.min(), values.max()
    if high == low:
        return np.zeros(values.shape, dtype=np.uint8)
    return ((values - low) / (high - low) * 255).round().astype(np.uint8)


def make_shapes_pattern(size=256):
    """A black image with a white rectangle and a white disc of radius 40."""
    pattern = np.zeros((size, size), dtype=np.float64)
    pattern[30:90, 30:110] = 255.0
    rows, cols = np.ogrid[:size, :size]
    pattern[(rows - 60) ** 2 + (cols - 190) ** 2 <= 40**2] = 255.0
    return pattern


def side_by_side(left, right, gap=8):
    """Place two grayscale uint8 images next to each other, vertically centred."""
    height = max(left.shape[0], right.shape[0])
    canvas = np.full((height, left.shape[1] + gap + right.shape[1]), 255, dtype=np.uint8)
    for image, x0 in ((left, 0), (right, left.shape[1] + gap)):
        y0 = (height - image.shape[0]) // 2
        canvas[y0 : y0 + image.shape[0], x0 : x0 + image.shape[1]] = image
    return canvas


def detect_edges(image):
    """Exercise 1: the Sobel responses in x and y and the edge magnitude."""
    edges_x = convolve2d(image, SOBEL_X)
    edges_y = convolve2d(image, SOBEL_Y)
    magnitude = np.sqrt(edges_x**2 + edges_y**2)
    return edges_x, edges_y, magnitude


def artistic_edges(image):
    """Exercise 2, goal 2: sharpen, then Sobel X, then map the result to colour."""
    sharpened = normalize(convolve2d(image, SHARPEN))
    edges = normalize(np.abs(convolve2d(sharpened, SOBEL_X))) / 255  # 0 where flat, 1 on the strongest edge
    rgb = np.empty(edges.shape + (3,), dtype=np.uint8)
    rgb[..., 0] = np.round(255 * edges)  # red and green rise with the edge strength, blue stays:
    rgb[..., 1] = np.round(40 + 190 * edges)  # dark blue where the image is flat, light yellow on
    rgb[..., 2] = 110  # edges, lighter all the way, which reads in every kind of colour vision
    return rgb


def load_grayscale(path, full_size=False):
    """Read an image file as a float64 grayscale array in 0-255; OSError or ValueError if it cannot."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's notes on odd metadata; the pixels still load
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with open_file(path) as file, Image.open(file) as photo:
                photo.load()
                return grayscale_pixels(photo, full_size)
    except UnidentifiedImageError:
        raise ValueError("not an image file Pillow can read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(
            f"it has more than {Image.MAX_IMAGE_PIXELS:,} pixels, too many to open safely"
        ) from None
    except (OSError, ValueError):
        raise
    except Exception as error:  # Pillow's decoders fail in many ways on damaged files
        raise ValueError(f"Pillow cannot decode it ({type(error).__name__}: {error})") from None


def grayscale_pixels(photo, full_size):
    """The pixels of an opened image as float64 gray levels 0-255, with a line for every change made.

    Only the first frame of an animation (or page of a multi-page file) is used;
    the picture is turned upright as its EXIF orientation says; 16-bit and float
    images are scaled onto 0-255 and transparent pixels laid on white; photos
    larger than MAX_SIDE are shrunk, keeping their shape, unless full_size.
    """
    frames = getattr(photo, "n_frames", 1)
    if frames > 1:
        unit = "frames" if photo.format in ("GIF", "PNG", "WEBP") else "images"
        print(f"{photo.format} file of {frames} {unit}: using the first")
    try:
        orientation = photo.getexif().get(0x0112, 1)  # EXIF tag 274: how the camera was held
    except Exception:  # damaged EXIF data: the pixels are still good, taken as they are stored
        orientation = 1
    if orientation in range(2, 9):
        photo = ImageOps.exif_transpose(photo)
        print(f"EXIF orientation {orientation}: turned upright, as photo viewers show it")
    if photo.mode.startswith("I;16"):
        pixels = np.asarray(photo, dtype=np.float64) * (255 / 65535)
        print("16-bit image: scaled from 0-65535 onto 0-255")
    elif photo.mode in ("I", "F"):
        pixels = np.asarray(photo, dtype=np.float64)
        if not np.isfinite(pixels).all():
            count = int((~np.isfinite(pixels)).sum())
            raise ValueError(f"{count} of its {pixels.size} pixels are NaN or infinite, not gray levels")
        low, high = pixels.min(), pixels.max()
        pixels = (pixels - low) * (255 / (high - low)) if high > low else np.zeros(pixels.shape)
        print(f"{photo.mode}-mode image: stretched from {low:g}-{high:g} onto 0-255")
    elif photo.mode in ("RGBA", "LA", "PA") or "transparency" in photo.info:
        rgba = photo.convert("RGBA")
        if rgba.getchannel("A").getextrema()[0] < 255:
            print("transparent image: laid on a white background")
        on_white = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
        pixels = np.asarray(on_white.convert("L"), dtype=np.float64)
    else:
        pixels = np.asarray(photo.convert("L"), dtype=np.float64)
    rows, cols = pixels.shape
    scale = 1 if full_size else min(1, MAX_SIDE / max(rows, cols))
    size = (max(1, round(cols * scale)), max(1, round(rows * scale)))
    if min(size) < MIN_SIDE:
        shrunk = f" ({size[0]}x{size[1]} once shrunk to {MAX_SIDE} on its longer side)" if scale < 1 else ""
        hint = "; --full-size keeps every pixel" if min(rows, cols) >= MIN_SIDE else ""
        raise ValueError(
            f"it is {cols}x{rows} pixels{shrunk}: the filters need {MIN_SIDE} or more each way{hint}"
        )
    if scale == 1:
        return pixels
    print(f"shrunk from {cols}x{rows} to {size[0]}x{size[1]} pixels (--full-size keeps every pixel)")
    return np.asarray(
        Image.fromarray(pixels.astype(np.float32)).resize(size, Image.Resampling.BOX), np.float64
    )


def save(array, outputs, name):
    """Encode array as a PNG file called name and add it to outputs, which main writes when all are done."""
    outputs.append((name, png_bytes(array), f"{array.shape[1]}x{array.shape[0]} pixels"))


def png_bytes(array):
    """array (uint8 gray levels, or RGB) encoded as a PNG file."""
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def report_progress(seconds, done):
    """Print a line every PROGRESS_SECONDS until done is set, with the expected total time
    (once that has passed, that it is taking longer than estimated)."""
    started = time.perf_counter()
    while not done.wait(PROGRESS_SECONDS):
        elapsed = time.perf_counter() - started
        if elapsed <= seconds:
            print(f"still computing: {elapsed:.0f} s of about {seconds:.0f} s", flush=True)
        else:
            print(f"still computing: {elapsed:.0f} s, longer than the {seconds:.0f} s estimated", flush=True)


def expected_seconds(image, convolutions=6):
    """Time the loop on a small crop and scale up to a number of convolutions (six in run())."""
    crop = image[:40, :40]
    started = time.perf_counter()
    convolve2d(crop, SOBEL_X)
    per_window = (time.perf_counter() - started) / ((crop.shape[0] - 2) * (crop.shape[1] - 2))
    return convolutions * image.size * per_window


def random_filters(count, seed):
    """count random 3x3 filters with standard-normal weights; the same seed gives the same filters."""
    return np.random.default_rng(seed).normal(size=(count, 3, 3))


def tile(images, columns, gap=8):
    """Lay equally sized grayscale uint8 images out in rows of columns, on white."""
    rows = -(-len(images) // columns)
    height, width = images[0].shape
    canvas = np.full((rows * height + (rows - 1) * gap, columns * width + (columns - 1) * gap), 255, np.uint8)
    for index, image in enumerate(images):
        y0, x0 = (index // columns) * (height + gap), (index % columns) * (width + gap)
        canvas[y0 : y0 + height, x0 : x0 + width] = image
    return canvas


def run_random_filters(image, outputs, filters):
    """Filter image with every random filter and save the feature maps as one grid."""
    print(f"Input shape: {image.shape}")
    maps = []
    for number, weights in enumerate(filters, start=1):
        rows = " | ".join(" ".join(f"{w:+.2f}" for w in row) for row in weights)
        response = convolve2d(image, weights)
        print(f"filter {number}: {rows}  (response {response.min():.1f} to {response.max():.1f})")
        maps.append(normalize(response))
    save(tile(maps, columns=min(4, len(maps))), outputs, "random_filters.png")


def run(image, outputs):
    """Compute every result of exercises 1 and 2 and add it to outputs."""
    edges_x, edges_y, magnitude = detect_edges(image)
    print(f"Input shape: {image.shape}")
    print(f"Output shape: {magnitude.shape}")
    print(f"Edge strength: from {magnitude.min():.1f} to {magnitude.max():.1f}")
    save(side_by_side(normalize(image), normalize(magnitude)), outputs, "edge_detection_output.png")
    # Exercise 2, goal 1: each direction on its own. The absolute value keeps
    # the dark-to-light and the light-to-dark side of every edge.
    save(normalize(np.abs(edges_x)), outputs, "edges_vertical.png")
    save(normalize(np.abs(edges_y)), outputs, "edges_horizontal.png")
    save(artistic_edges(image), outputs, "artistic_edges.png")
    # Exercise 2, goal 3: a 5x5 Gaussian blurs more than a 3x3 one.
    save(normalize(convolve2d(image, GAUSSIAN_3X3)), outputs, "blur_3x3.png")
    save(normalize(convolve2d(image, GAUSSIAN_5X5)), outputs, "blur_5x5.png")


def whole_number(low, high=None):
    """An argparse type: a whole number from low to high (no upper limit if high is None)."""

    def convert(text):
        try:
            value = int(text)
        except ValueError:
            value = None
        if value is None or value < low or (high is not None and value > high):
            wanted = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise argparse.ArgumentTypeError(f"needs a whole number {wanted}, got {text!r}")
        return value

    return convert


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


@one_line_errors
def main(argv=None):
    parser = OneLineParser(description="Sobel edges with a hand-written convolution.")
    parser.add_argument("--image", help="a photo of your own (default: the shapes pattern)")
    parser.add_argument("--full-size", action="store_true", help=f"do not shrink photos to {MAX_SIDE} pixels")
    parser.add_argument("--out", default=".", help="folder for the output images (default: .)")
    parser.add_argument(
        "--random-filters",
        type=whole_number(1, MAX_RANDOM_FILTERS),
        metavar="N",
        help=f"write random_filters.png: the image through N random 3x3 filters (1-{MAX_RANDOM_FILTERS})",
    )
    parser.add_argument(
        "--seed", type=whole_number(0), metavar="S", help="seed of the random filters (default: 0)"
    )
    args = parser.parse_args(argv)
    if args.seed is not None and args.random_filters is None:
        parser.error("--seed only chooses random filters; add --random-filters N")
    try:
        image = make_shapes_pattern() if args.image is None else load_grayscale(args.image, args.full_size)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        raise Failure(f"cannot use image {args.image!r}: {reason}", 2) from None
    folder = prepare_folder(args.out, OUTPUTS if args.random_filters is None else ["random_filters.png"])
    if image.min() == image.max():
        print(
            f"the image is one flat gray level ({image.min():g}): it has no edges, every edge image is black"
        )
    outputs, done, progress = [], threading.Event(), None
    if max(image.shape) > MAX_SIDE:
        seconds = expected_seconds(image, args.random_filters or 6)
        print(f"{image.shape[1]}x{image.shape[0]} pixels: this takes about {seconds:.0f} s", flush=True)
        progress = threading.Thread(target=report_progress, args=(seconds, done), daemon=True)
        progress.start()
    try:
        if args.random_filters is None:
            run(image, outputs)
        else:
            seed = 0 if args.seed is None else args.seed
            print(f"{args.random_filters} random filters from seed {seed}")
            run_random_filters(image, outputs, random_filters(args.random_filters, seed))
    finally:
        done.set()
        if progress is not None:
            progress.join()
    write_files(folder, outputs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
