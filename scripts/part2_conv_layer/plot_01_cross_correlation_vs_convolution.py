"""
Cross-correlation or convolution?
=================================

The course's ``correlate2d`` run side by side with SciPy's ``correlate`` and
``convolve`` on the same image and kernel: which one computes what a CNN layer
computes, and what flipping the kernel does to Sobel X.
"""

# %%
# Run all three on the same input
# -------------------------------
import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage

from convviz import KERNELS, correlate2d, shapes_pattern
from convviz.figure_output import save_numbers, save_png
from convviz.plotting import show_image, show_signed

pattern = shapes_pattern(128)
sobel_x = KERNELS["sobel_x"]
ours = correlate2d(pattern, sobel_x, padding="same")
scipy_correlate = ndimage.correlate(pattern, sobel_x, mode="constant")
scipy_convolve = ndimage.convolve(pattern, sobel_x, mode="constant")
to_correlate = np.abs(ours - scipy_correlate).max()
to_convolve = np.abs(ours - scipy_convolve).max()
flipped = np.abs(correlate2d(pattern, sobel_x[::-1, ::-1], padding="same") - scipy_convolve).max()
print(f"largest difference to scipy.ndimage.correlate: {to_correlate:g}")
print(f"largest difference to scipy.ndimage.convolve:  {to_convolve:g}")
print(f"after flipping the kernel, difference to convolve: {flipped:g}")
save_numbers(
    {
        "xcorr_diff_correlate": f"{to_correlate:g}",
        "xcorr_diff_convolve": f"{to_convolve:g}",
        "xcorr_diff_flipped": f"{flipped:g}",
    },
    "xcorr_numbers.txt",
)

# %%
# The flip reverses the sign of Sobel X
# -------------------------------------
# The module's colours for signed values: orange positive, purple negative,
# white zero, on one scale for both panels.
fig, axes = plt.subplots(1, 3, figsize=(8.0, 3.0))
show_image(axes[0], pattern, "input", fontsize=11)
limit = np.abs(ours).max()
titles = ["correlate2d (a CNN layer)", "ndimage.convolve"]
for ax, values, title in zip(axes[1:], [ours, scipy_convolve], titles):
    show_signed(ax, values, title, limit=limit, fontsize=11)
fig.tight_layout()
save_png(fig, "correlation_vs_convolution.png")
