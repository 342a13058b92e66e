r"""
Six classic filter kernels
==========================

Sobel X and Y, Gaussian, sharpen, emboss and Laplacian with their values in
the cells: positive weights green, negative red, zero white.
"""

import matplotlib.pyplot as plt

from convviz.figure_output import save_png
from convviz.kernels import KERNELS, TITLES
from convviz.plotting import show_kernel

fig, axes = plt.subplots(2, 3, figsize=(8.4, 5.8))
for ax, (name, title) in zip(axes.ravel(), TITLES.items()):
    weights = KERNELS[name]
    if name == "gaussian":
        show_kernel(ax, weights * 16, title, scale_note="(÷ 16)")
    else:
        show_kernel(ax, weights, title)
fig.tight_layout()
save_png(fig, "filter_kernels.png")
