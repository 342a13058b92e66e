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
anything fails, the folder is left as it was. Needs numpy and pillow.

With --random-filters N it draws N random 3x3 filters instead (normally
distributed weights from seed S, default 0: the same seed gives the same
filters), prints their weights and writes random_filters.png, one feature map
per filter, the way a CNN's filters look before any training.
"""

import argparse
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
SOBEL_Y = SOBEL_X.T.copy()
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64)
GAUSSIAN_3X3 = np.outer([1, 2, 1], [1, 2, 1]) / 16.0
GAUSSIAN_5X5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0
MAX_SIDE = 512  # photos are shrunk to this many pixels on their longer side unless --full-size
PROGRESS_SECONDS = 5  # a line at least this often while a full-size photo is being filtered
PENDING = []  # (partial file, final file, description) of every output of this run
MAX_RANDOM_FILTERS = 64  # the largest --random-filters


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
            output[row, col] = np.sum(window * kernel)
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
    edges = normalize(np.abs(convolve2d(sharpened, SOBEL_X)))
    rgb = np.empty(edges.shape + (3,), dtype=np.uint8)
    rgb[..., 0] = edges  # red grows with the edge strength
    rgb[..., 1] = 255 - edges  # green fades where red grows
    rgb[..., 2] = 128  # a constant blue tint
    return rgb


def load_grayscale(path, full_size=False):
    """Read an image file as a float64 grayscale array in 0-255; OSError or ValueError if it cannot.

    16-bit images are scaled onto 0-255, transparent pixels are laid on white
    and photos larger than MAX_SIDE are shrunk unless full_size; each is said.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as photo:
                photo.load()
                return grayscale_pixels(photo, full_size)
    except UnidentifiedImageError:
        raise ValueError("not an image file Pillow can read") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValueError(
            f"it has more than {Image.MAX_IMAGE_PIXELS:,} pixels, too many to open safely"
        ) from None


def grayscale_pixels(photo, full_size):
    """The pixels of an opened image as float64 gray levels 0-255, with a line for every change made."""
    if photo.mode.startswith("I;16"):
        pixels = np.asarray(photo, dtype=np.float64) * (255 / 65535)
        print("16-bit image: scaled from 0-65535 onto 0-255")
    elif photo.mode in ("I", "F"):
        pixels = np.asarray(photo, dtype=np.float64)
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
    if full_size or max(rows, cols) <= MAX_SIDE:
        return pixels
    scale = MAX_SIDE / max(rows, cols)
    size = (max(5, round(cols * scale)), max(5, round(rows * scale)))
    print(f"shrunk from {cols}x{rows} to {size[0]}x{size[1]} pixels (--full-size keeps every pixel)")
    return np.asarray(
        Image.fromarray(pixels.astype(np.float32)).resize(size, Image.Resampling.BOX), np.float64
    )


def save(array, folder, name):
    """Write array as PNG under a partial name; publish() gives it its real name when all are done."""
    path = Path(folder) / name
    write_partial(PENDING, path, f"{array.shape[1]}x{array.shape[0]} pixels", Image.fromarray(array).save)


def prepare_folder(folder):
    """The output folder as a Path, created if needed; ValueError saying why it cannot be used."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise ValueError(f"{folder!r} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(f"cannot create folder {folder!r}: {error.strerror}") from None
    return path


def write_partial(pending, path, description, writer):
    """Call writer on a hidden partial name next to path and note it in pending for publish()."""
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")
    pending.append((partial, path, description))
    writer(partial)


def publish(pending):
    """Give every partial file its real name and say which files were written and which replaced."""
    for partial, path, description in pending:
        verb = "replaced" if path.exists() else "wrote"
        partial.replace(path)
        print(f"{verb} {path} ({description})")
    pending.clear()


def discard(pending):
    """Remove the partial files of a run that failed; files already in the folder stay as they were."""
    for partial, _, _ in pending:
        partial.unlink(missing_ok=True)
    pending.clear()


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


def run_random_filters(image, folder, filters):
    """Filter image with every random filter and save the feature maps as one grid."""
    print(f"Input shape: {image.shape}")
    maps = []
    for number, weights in enumerate(filters, start=1):
        rows = " | ".join(" ".join(f"{w:+.2f}" for w in row) for row in weights)
        response = convolve2d(image, weights)
        print(f"filter {number}: {rows}  (response {response.min():.1f} to {response.max():.1f})")
        maps.append(normalize(response))
    save(tile(maps, columns=min(4, len(maps))), folder, "random_filters.png")


def run(image, folder):
    """Compute every result of exercises 1 and 2 and save it into folder."""
    edges_x, edges_y, magnitude = detect_edges(image)
    print(f"Input shape: {image.shape}")
    print(f"Output shape: {magnitude.shape}")
    print(f"Edge strength: from {magnitude.min():.1f} to {magnitude.max():.1f}")
    save(side_by_side(normalize(image), normalize(magnitude)), folder, "edge_detection_output.png")
    # Exercise 2, goal 1: each direction on its own. The absolute value keeps
    # the dark-to-light and the light-to-dark side of every edge.
    save(normalize(np.abs(edges_x)), folder, "edges_vertical.png")
    save(normalize(np.abs(edges_y)), folder, "edges_horizontal.png")
    save(artistic_edges(image), folder, "artistic_edges.png")
    # Exercise 2, goal 3: a 5x5 Gaussian blurs more than a 3x3 one.
    save(normalize(convolve2d(image, GAUSSIAN_3X3)), folder, "blur_3x3.png")
    save(normalize(convolve2d(image, GAUSSIAN_5X5)), folder, "blur_5x5.png")


class OneLineParser(argparse.ArgumentParser):
    """An argument parser that reports a bad argument in one line and exits with status 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


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
    name = Path(sys.argv[0]).name
    try:
        image = make_shapes_pattern() if args.image is None else load_grayscale(args.image, args.full_size)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        print(f"{name}: cannot read image {args.image!r}: {reason}", file=sys.stderr)
        return 2
    if min(image.shape) < 5:
        print(f"{name}: image {args.image!r} is too small: {image.shape}", file=sys.stderr)
        return 2
    try:
        folder = prepare_folder(args.out)
    except ValueError as error:
        print(f"{name}: {error}", file=sys.stderr)
        return 2
    done = threading.Event()
    if max(image.shape) > MAX_SIDE:
        seconds = expected_seconds(image, args.random_filters or 6)
        print(f"{image.shape[1]}x{image.shape[0]} pixels: this takes about {seconds:.0f} s", flush=True)
        threading.Thread(target=report_progress, args=(seconds, done), daemon=True).start()
    try:
        if args.random_filters is None:
            run(image, folder)
        else:
            seed = 0 if args.seed is None else args.seed
            print(f"{args.random_filters} random filters from seed {seed}")
            run_random_filters(image, folder, random_filters(args.random_filters, seed))
        publish(PENDING)
    except OSError as error:
        print(
            f"{name}: cannot write into {args.out!r}: {error.strerror or error}; nothing written",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(f"{name}: interrupted; nothing written", file=sys.stderr)
        return 130
    finally:
        done.set()
        discard(PENDING)
    return 0


if __name__ == "__main__":
    sys.exit(main())
