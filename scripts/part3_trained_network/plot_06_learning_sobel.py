"""
Learning Sobel X from photographs
=================================

One 3×3 kernel, started from small random weights, learned by plain gradient
descent on the squared difference between the photograph filtered by the
kernel and the same photograph filtered by Sobel X. Nothing tells it what an
edge is; the pairs of photographs do, and the kernel converges to Sobel X.
"""

# %%
# Pairs of (photograph, photograph filtered by Sobel X)
# -----------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from convviz.convolution import correlate2d
from convviz.edge_learning import grayscale_photo, learn_kernel
from convviz.figure_output import save_numbers
from convviz.inspection_plots import FONT, WIDTH, save, show_kernel_values
from convviz.kernels import KERNELS

photos = [grayscale_photo(name) for name in ("camera", "astronaut")]
targets = [correlate2d(photo, KERNELS["sobel_x"]) for photo in photos]
steps = 20000
record = (0, 10, 100, 1000, steps)
kernel, history = learn_kernel(photos, targets, steps=steps, record=record)
difference = kernel - KERNELS["sobel_x"]
print(np.round(kernel, 4))
print(f"largest difference from Sobel X after {steps} steps: {np.abs(difference).max():.2e}")
# What the alt text says: the kernel ends at Sobel X's values (within a hundredth), and
# the error falls by several orders of magnitude.
assert np.abs(difference).max() < 0.01, difference
assert history["loss"][-1] < 1e-3 * history["loss"][0], (history["loss"][0], history["loss"][-1])
#: The difference from Sobel X is drawn magnified by this factor.
MAGNIFIED = 1000

# %%
# The kernel on its way, the error, and what is left
# --------------------------------------------------
# Three kernels to a row, each more than 200 CSS px wide in the page column:
# the five recorded steps and Sobel X, then the error and what is left.
fig = plt.figure(figsize=(WIDTH, 9.4))
kernels = fig.add_gridspec(2, 3, hspace=0.2, wspace=0.1, left=0.02, right=0.98, top=0.965, bottom=0.42)
shown = [(history["kernels"][step], f"step {step:,}", 2) for step in record]
shown.append((KERNELS["sobel_x"], "Sobel X", 0))
for k, (values, title, decimals) in enumerate(shown):
    show_kernel_values(fig.add_subplot(kernels[k // 3, k % 3]), values, title, limit=2.0, decimals=decimals)
below = fig.add_gridspec(1, 3, wspace=0.1, left=0.02, right=0.98, top=0.33, bottom=0.07)
# The error curve takes the first two columns, less room for its axis labels.
left_of_last = below[0, 2].get_position(fig).x0
curve = fig.add_axes((0.11, 0.07, left_of_last - 0.07 - 0.11, 0.26))
curve.loglog(np.arange(1, steps + 2), history["loss"], color="#5e3c99")
curve.set_xlabel("step + 1", fontsize=FONT)
curve.set_ylabel("mean squared error", fontsize=FONT)
curve.tick_params(labelsize=FONT)
curve.grid(alpha=0.3)
show_kernel_values(
    fig.add_subplot(below[0, 2]), difference * MAGNIFIED, f"learned − Sobel X\n(× {MAGNIFIED})", decimals=1
)
save(fig, "part3_learning_sobel.png")
save_numbers(
    {
        "sobel_steps": f"{steps:,}",
        "sobel_magnified": f"{MAGNIFIED:,}",
        "sobel_max_difference": f"{np.abs(difference).max():.4f}",
        "sobel_start_loss": f"{history['loss'][0]:.3f}",
        "sobel_final_loss": f"{history['loss'][-1]:.1e}",
        "sobel_pixels": f"{sum(t.size for t in targets):,}",
    },
    "part3_sobel_numbers.txt",
)
