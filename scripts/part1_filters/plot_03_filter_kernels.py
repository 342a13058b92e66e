r"""
Eight named filter kernels
==========================

Identity, Sobel X and Y, Gaussian, sharpen, emboss, Laplacian and blob with
their values in the cells, each on its own colour scale: positive weights
orange, negative purple, zero white, full colour at the kernel's largest
magnitude.
"""

import matplotlib.pyplot as plt
import numpy as np

from convviz import checkerboard, correlate2d
from convviz.figure_output import save_numbers
from convviz.kernels import KERNELS, LABELS
from convviz.plotting import save_svg, show_kernel

names = ("identity", "sobel_x", "sobel_y", "gaussian", "sharpen", "emboss", "laplacian", "blob")
# The Gaussian's weights are written times 16, so they read as whole numbers.
shown = {name: KERNELS[name] * (16 if name == "gaussian" else 1) for name in names}
# Each kernel on its own colour scale, full colour at its own largest magnitude: one shared
# scale would make the Gaussian (shown × 16) look as strong as Sharpen and leave Blob's ring pale.
# Three to a row, so that every kernel is more than 200 CSS px wide in the page column.
fig, axes = plt.subplots(3, 3, figsize=(8.0, 8.1))
for ax, name in zip(axes.ravel(), names):
    note = "(÷ 16)" if name == "gaussian" else ""
    show_kernel(ax, shown[name], LABELS[name], scale_note=note, fontsize=13)
for ax in axes.ravel()[len(names) :]:
    ax.remove()
fig.tight_layout()
save_svg(fig, "filter_kernels.svg")

# %%
# What the "corners" kernel of exercise 3 finds
# ---------------------------------------------
# [[-1, 0, 1], [0, 0, 0], [1, 0, -1]] is a saddle detector (a mixed second
# derivative in x and y): on a straight vertical or horizontal edge its four
# corner weights cancel. On the 256×256 checkerboard of exercise 3 it answers
# only around the points where four squares meet.
board = checkerboard()
square = 32
response = correlate2d(board, KERNELS["saddle"])
rows, cols = np.nonzero(np.abs(response) > 1e-9)
# Output pixel (r, c) is centred on input pixel (r + 1, c + 1); a corner sits
# between pixels 32k - 1 and 32k.
near_corner = (np.abs((rows + 1.5) - np.round((rows + 1.5) / square) * square) <= 1) & (
    np.abs((cols + 1.5) - np.round((cols + 1.5) / square) * square) <= 1
)
assert near_corner.all(), "the saddle kernel answered away from the corners"
corners = (board.shape[0] // square - 1) * (board.shape[1] // square - 1)
print(f"non-zero output pixels: {len(rows)} of {response.size}, around {corners} inner corners")
save_numbers(
    {
        "saddle_nonzero": f"{len(rows):,}",
        "saddle_total": f"{response.size:,}",
        "saddle_corners": str(corners),
        "saddle_per_corner": f"{len(rows) // corners}",
    },
    "kernel_numbers.txt",
)
