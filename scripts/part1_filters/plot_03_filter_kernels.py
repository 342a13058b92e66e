r"""
Six classic filter kernels
==========================

Sobel X and Y, Gaussian, sharpen, emboss and Laplacian with their values in
the cells: positive weights green, negative red, zero white.
"""

import matplotlib.pyplot as plt

from convviz.figure_output import save_png
from convviz.kernels import KERNELS, LABELS
from convviz.plotting import show_kernel

fig, axes = plt.subplots(2, 3, figsize=(8.4, 5.8))
names = ("sobel_x", "sobel_y", "gaussian", "sharpen", "emboss", "laplacian")
for ax, name in zip(axes.ravel(), names):
    weights, title = KERNELS[name], LABELS[name]
    if name == "gaussian":
        show_kernel(ax, weights * 16, title, scale_note="(÷ 16)")
    else:
        show_kernel(ax, weights, title)
fig.tight_layout()
save_png(fig, "filter_kernels.png")
