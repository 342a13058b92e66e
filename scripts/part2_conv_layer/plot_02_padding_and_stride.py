"""
Padding and stride
==================

One photograph filtered by Sobel X four ways: without padding ("valid") and
with one ring of padding ("same"), at stride 1 and stride 2, with every output
shape from W_out = (W_in - F + 2P) / S + 1. A last pair compares zero padding
with edge padding at the border.
"""

# %%
# Four combinations of padding and stride
# ---------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from convviz import KERNELS, correlate2d, output_size
from convviz.display import to_uint8
from convviz.figure_output import save_png
from convviz.photos import camera
from convviz.plotting import POSITIVE, show_image

photo = camera(64)
sobel_x = KERNELS["sobel_x"]
# Each output pixel is drawn where the centre of its window lies on the input:
# output (i, j) of a 3×3 window at stride S and padding P is centred on input
# pixel (S·i + 1 - P, S·j + 1 - P), and covers an S×S square there. A valid
# output is therefore inset by one pixel, and a stride-2 output covers the whole
# input with pixels twice as large.
fig, axes = plt.subplots(2, 3, figsize=(8.0, 6.1))
show_image(axes[0, 0], photo, f"input {photo.shape[0]}×{photo.shape[1]}", fontsize=11)
axes[0, 0].set_xlim(-2, 65)
axes[0, 0].set_ylim(65, -2)
combinations = [("valid", 0, 1), ("same", 1, 1), ("valid", 0, 2), ("same", 1, 2)]
for ax, (padding, p, stride) in zip([axes[0, 1], axes[0, 2], axes[1, 1], axes[1, 2]], combinations):
    out = correlate2d(photo, sobel_x, padding=padding, stride=stride)
    assert out.shape[0] == output_size(64, 3, p, stride)
    first = 1 - p  # input pixel under the centre of the first window
    last = first + stride * (out.shape[0] - 1)
    extent = (first - stride / 2, last + stride / 2, last + stride / 2, first - stride / 2)
    ax.imshow(to_uint8(np.abs(out)), cmap="gray", extent=extent, interpolation="nearest")
    # The input's border, for comparison.
    ax.add_patch(Rectangle((-0.5, -0.5), 64, 64, fill=False, ec=POSITIVE, lw=1.5, ls="--"))
    ax.set_xlim(-2, 65)
    ax.set_ylim(65, -2)
    ax.set_title(f"{padding}, stride {stride}: {out.shape[0]}×{out.shape[1]}", fontsize=11)
    ax.set_axis_off()
axes[1, 0].set_axis_off()
axes[1, 0].text(
    0.0,
    0.5,
    "Every output pixel is drawn\nat the centre of its window,\nas large as one step.\n\n"
    "Dashed orange line:\nthe border of the input.",
    fontsize=11,
    va="center",
    transform=axes[1, 0].transAxes,
)
fig.tight_layout(w_pad=0.4)
save_png(fig, "padding_and_stride.png")

# %%
# Zero padding against edge padding
# ---------------------------------
# Zeros around a bright image create an artificial dark frame, and Sobel X
# finds an "edge" along it. Repeating the border pixels instead does not.
bright = photo[:24, 40:64]
fig, axes = plt.subplots(1, 3, figsize=(7.2, 2.8))
show_image(axes[0], bright, "input corner (bright sky)", fontsize=11)
for ax, mode in zip(axes[1:], ["constant", "edge"]):
    out = correlate2d(bright, sobel_x, padding="same", pad_mode=mode)
    label = "zero padding" if mode == "constant" else "edge padding"
    ax.imshow(np.abs(out), cmap="gray", vmin=0, vmax=np.abs(out).max() or 1)
    ax.set_title(f"|Sobel X|, {label}", fontsize=11)
    ax.set_axis_off()
fig.tight_layout()
save_png(fig, "zero_vs_edge_padding.png")
