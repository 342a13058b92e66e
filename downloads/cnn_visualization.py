"""Edge detection with a hand-written 2-D convolution (module 9.2.2, exercises 1 and 2).

Usage:
    python cnn_visualization.py [--image PHOTO] [--out FOLDER]

Without --image it draws a test pattern (a rectangle and a disc); with it, it
uses your own photo in grayscale. It writes edge_detection_output.png (input
beside its Sobel edge magnitude), edges_vertical.png, edges_horizontal.png,
artistic_edges.png, blur_3x3.png and blur_5x5.png into FOLDER (default: the
current folder) and prints where each file went. Needs numpy and pillow.
"""

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], dtype=np.float64)
SOBEL_Y = SOBEL_X.T.copy()
SHARPEN = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=np.float64)
GAUSSIAN_3X3 = np.outer([1, 2, 1], [1, 2, 1]) / 16.0
GAUSSIAN_5X5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256.0


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


def load_grayscale(path):
    """Read an image file as a float64 grayscale array; OSError or ValueError if it cannot."""
    try:
        with Image.open(path) as photo:
            return np.asarray(photo.convert("L"), dtype=np.float64)
    except UnidentifiedImageError:
        raise ValueError("not an image file Pillow can read") from None


def save(array, folder, name):
    path = Path(folder) / name
    Image.fromarray(array).save(path)
    print(f"wrote {path} ({array.shape[1]}x{array.shape[0]} pixels)")


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


def main(argv=None):
    parser = argparse.ArgumentParser(description="Sobel edges with a hand-written convolution.")
    parser.add_argument("--image", help="a photo of your own (default: the shapes pattern)")
    parser.add_argument("--out", default=".", help="folder for the output images (default: .)")
    args = parser.parse_args(argv)
    name = Path(sys.argv[0]).name
    try:
        image = make_shapes_pattern() if args.image is None else load_grayscale(args.image)
    except (OSError, ValueError) as error:
        reason = getattr(error, "strerror", None) or error
        print(f"{name}: cannot read image {args.image!r}: {reason}", file=sys.stderr)
        return 2
    if min(image.shape) < 5:
        print(f"{name}: image {args.image!r} is too small: {image.shape}", file=sys.stderr)
        return 2
    try:
        Path(args.out).mkdir(parents=True, exist_ok=True)
    except OSError as error:
        print(f"{name}: cannot create folder {args.out!r}: {error.strerror}", file=sys.stderr)
        return 2
    run(image, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
