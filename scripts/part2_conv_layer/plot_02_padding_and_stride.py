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

from convviz import KERNELS, correlate2d, output_size
from convviz.display import to_uint8
from convviz.figure_output import save_png
from convviz.photos import camera
from convviz.plotting import show_image

photo = camera(64)
sobel_x = KERNELS["sobel_x"]
fig, axes = plt.subplots(1, 5, figsize=(13, 3.2))
show_image(axes[0], photo, f"input {photo.shape[0]}×{photo.shape[1]}")
combinations = [("valid", 0, 1), ("same", 1, 1), ("valid", 0, 2), ("same", 1, 2)]
for ax, (padding, p, stride) in zip(axes[1:], combinations):
    out = correlate2d(photo, sobel_x, padding=padding, stride=stride)
    assert out.shape[0] == output_size(64, 3, p, stride)
    show_image(ax, to_uint8(np.abs(out)), f"{padding}, stride {stride}: {out.shape[0]}×{out.shape[1]}")
    # Draw every map at the scale of the input, so their sizes compare directly.
    ax.set_xlim(-0.5, 63.5)
    ax.set_ylim(63.5, -0.5)
    ax.set_axis_on()
    ax.set_xticks([])
    ax.set_yticks([])
fig.tight_layout()
save_png(fig, "padding_and_stride.png")

# %%
# Zero padding against edge padding
# ---------------------------------
# Zeros around a bright image create an artificial dark frame, and Sobel X
# finds an "edge" along it. Repeating the border pixels instead does not.
bright = photo[:24, 40:64]
fig, axes = plt.subplots(1, 3, figsize=(8, 3))
show_image(axes[0], bright, "input corner (bright sky)")
for ax, mode in zip(axes[1:], ["constant", "edge"]):
    out = correlate2d(bright, sobel_x, padding="same", pad_mode=mode)
    label = "zero padding" if mode == "constant" else "edge padding"
    ax.imshow(np.abs(out), cmap="gray", vmin=0, vmax=np.abs(out).max() or 1)
    ax.set_title(f"|Sobel X|, {label}", fontsize=10)
    ax.set_axis_off()
fig.tight_layout()
save_png(fig, "zero_vs_edge_padding.png")
