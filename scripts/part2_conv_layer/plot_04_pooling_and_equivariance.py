"""
Max pooling and translation equivariance
========================================

Max pooling on a real feature map, the 4×4 worked example, and a measurement:
shifting the input shifts a convolution's output exactly, while max pooling
absorbs part of a small shift.
"""

# %%
# The 4×4 worked example
# ----------------------
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle

from convviz import KERNELS, correlate2d
from convviz.display import to_uint8
from convviz.equivariance import best_copy_error, copy_error, shift_columns
from convviz.figure_output import save_numbers, save_png
from convviz.layers import maxpool2d, relu
from convviz.photos import camera
from convviz.plotting import NEGATIVE, POSITIVE, show_image
from convviz.worked_examples import POOLING_EXAMPLE

example = POOLING_EXAMPLE
pooled_example = maxpool2d(example[..., None])[..., 0]
print(pooled_example)

# %%
# Pooling a real feature map
# --------------------------
# Sobel X on the photograph, ReLU, then two rounds of 2×2 max pooling.
photo = camera(128)
feature = relu(correlate2d(photo, KERNELS["sobel_x"], padding="same"))
pool1 = maxpool2d(feature[..., None])[..., 0]
pool2 = maxpool2d(pool1[..., None])[..., 0]

fig = plt.figure(figsize=(8.0, 6.2))
grid = fig.add_gridspec(2, 6, height_ratios=[1, 1.1])


def number_grid(ax, values, title, marks=()):
    """A grid of numbers with lines between the cells; cells in marks get a circle."""
    rows, cols = values.shape
    ax.imshow(np.ones_like(values), cmap="gray", vmin=0, vmax=1)
    for (r, c), v in np.ndenumerate(values):
        bold = (r, c) in marks
        ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=14, weight="bold" if bold else "normal")
        if bold:
            ax.add_patch(Circle((c, r), 0.36, fill=False, ec=POSITIVE, lw=2.5))
    for k in range(1, rows):
        ax.axhline(k - 0.5, color="#888888", lw=1)
    for k in range(1, cols):
        ax.axvline(k - 0.5, color="#888888", lw=1)
    ax.set_title(title, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])


# Where each 2×2 window has its maximum (the first one if it appears twice).
marks = []
for i in range(2):
    for j in range(2):
        block = example[2 * i : 2 * i + 2, 2 * j : 2 * j + 2]
        r, c = np.unravel_index(block.argmax(), block.shape)
        marks.append((2 * i + r, 2 * j + c))
left = fig.add_subplot(grid[0, 0:3])
number_grid(left, example, "4×4 input, four 2×2 windows", marks)
for k in (1.5,):
    left.axhline(k, color=NEGATIVE, lw=3)
    left.axvline(k, color=NEGATIVE, lw=3)
right = fig.add_subplot(grid[0, 4:6])
number_grid(right, pooled_example, "2×2 output")
middle = fig.add_subplot(grid[0, 3])
middle.set_axis_off()
middle.annotate(
    "", xy=(1.0, 0.5), xytext=(0.0, 0.5), xycoords="axes fraction", arrowprops={"arrowstyle": "-|>", "lw": 2}
)
middle.text(
    0.5, 0.6, "max of\neach\nwindow", ha="center", va="bottom", fontsize=11, transform=middle.transAxes
)
for column, (image, title) in enumerate(
    zip([feature, pool1, pool2], ["ReLU(Sobel X)", "max-pool 2×2", "max-pool again"])
):
    show_image(
        fig.add_subplot(grid[1, 2 * column : 2 * column + 2]),
        to_uint8(image),
        f"{title}: {image.shape[0]}×{image.shape[1]}",
        fontsize=11,
    )
fig.tight_layout()
save_png(fig, "max_pooling.png")

# %%
# Equivariance, measured
# ----------------------
# Shift the photograph one pixel to the right. The convolution's output moves
# by exactly one pixel (compared away from the border). After 2×2 max pooling
# only part of the pooled values stay the same: pooling adds a little
# invariance, not a full one.
shifted = np.roll(photo, 1, axis=1)
conv = correlate2d(photo, KERNELS["sobel_x"])
conv_shifted = correlate2d(shifted, KERNELS["sobel_x"])
conv_error = np.abs(conv_shifted[:, 2:] - conv[:, 1:-1]).max()
pooled = maxpool2d(relu(conv)[..., None])[..., 0]
pooled_shifted = maxpool2d(relu(conv_shifted)[..., None])[..., 0]
interior = (slice(None), slice(1, -1))
unchanged = np.isclose(pooled[interior], pooled_shifted[interior]).mean()
print(f"largest difference after shifting back: {conv_error:g}")
print(f"pooled values unchanged by a 1-pixel shift: {unchanged:.0%}")

# %%
# Equivariance with a stride
# --------------------------
# A stride-2 convolution, and 2×2 max pooling after a stride-1 convolution,
# both halve the grid. Shift the input by 2 pixels: the output should be the
# old one moved by 1 position. Shift by 1: no whole number of output positions
# fits, so the best copy (moved by 0 or by 1) is measured.
numbers = {}
#: The stride of the first layer; a shift by it moves the output by one position.
STRIDE = 2
layers = {
    "stride2": lambda image: correlate2d(image, KERNELS["sobel_x"], stride=STRIDE),
    "pool": lambda image: maxpool2d(relu(correlate2d(image, KERNELS["sobel_x"]))[..., None])[..., 0],
}
for name, layer in layers.items():
    out = layer(photo)
    largest = np.abs(out).max()
    even = copy_error(out, layer(shift_columns(photo, STRIDE)), offset=1)
    offset, odd = best_copy_error(out, layer(shift_columns(photo, 1)), offsets=(0, 1))
    print(f"{name}: shift 2 -> {even:g}; shift 1 -> {odd:g} (offset {offset}), largest {largest:g}")
    numbers |= {
        f"{name}_shift2_error": f"{even:g}",
        "equivariance_stride": str(STRIDE),
        f"{name}_shift1_error": f"{odd:.0f}",
        f"{name}_shift1_percent": f"{100 * odd / largest:.0f} %",
        f"{name}_largest": f"{largest:.0f}",
    }
save_numbers(
    {
        "shift_conv_error": f"{conv_error:g}",
        "shift_pool_unchanged": f"{100 * unchanged:.0f} %",
    }
    | numbers,
    "pooling_numbers.txt",
)
