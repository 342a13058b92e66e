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

from convviz import KERNELS, correlate2d
from convviz.display import to_uint8
from convviz.figure_output import save_numbers, save_png
from convviz.layers import maxpool2d, relu
from convviz.photos import camera
from convviz.plotting import show_image

example = np.array([[1, 3, 2, 1], [4, 2, 6, 4], [1, 8, 3, 7], [5, 3, 2, 1]], dtype=float)
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

fig = plt.figure(figsize=(12, 3.8))
grid = fig.add_gridspec(1, 4, width_ratios=[0.8, 1, 1, 1])
ax = fig.add_subplot(grid[0])
ax.imshow(example, cmap="Blues", vmin=0, vmax=12)
for (r, c), v in np.ndenumerate(example):
    ax.text(c, r, f"{v:g}", ha="center", va="center", fontsize=11)
for k in (1.5,):
    ax.axhline(k, color="#d84315", lw=2)
    ax.axvline(k, color="#d84315", lw=2)
ax.set_title(f"4×4 → max of each 2×2 block:\n{pooled_example.astype(int).tolist()}", fontsize=10)
ax.set_xticks([])
ax.set_yticks([])
for ax, image, title in zip(
    [fig.add_subplot(grid[i]) for i in (1, 2, 3)],
    [feature, pool1, pool2],
    ["ReLU(Sobel X)", "max-pool 2×2", "max-pool 2×2 again"],
):
    show_image(ax, to_uint8(image), f"{title}: {image.shape[0]}×{image.shape[1]}")
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
save_numbers(
    {
        "shift_conv_error": f"{conv_error:g}",
        "shift_pool_unchanged": f"{100 * unchanged:.0f} %",
    },
    "pooling_numbers.txt",
)
