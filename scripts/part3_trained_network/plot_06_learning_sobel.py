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

# %%
# The kernel on its way, the error, and what is left
# --------------------------------------------------
fig = plt.figure(figsize=(WIDTH, 4.9))
grid = fig.add_gridspec(
    2, 5, height_ratios=[1, 1.1], hspace=0.3, wspace=0.06, left=0.09, right=0.94, top=0.94, bottom=0.1
)
for column, step in enumerate(record):
    show_kernel_values(
        fig.add_subplot(grid[0, column]), history["kernels"][step], f"step {step:,}", limit=2.0
    )
curve = fig.add_subplot(grid[1, :3])
curve.loglog(np.arange(1, steps + 2), history["loss"], color="#5e3c99")
curve.set_xlabel("step + 1", fontsize=FONT)
curve.set_ylabel("mean squared error", fontsize=FONT)
curve.tick_params(labelsize=FONT)
curve.grid(alpha=0.3)
show_kernel_values(fig.add_subplot(grid[1, 3]), KERNELS["sobel_x"], "Sobel X", limit=2.0, decimals=0)
show_kernel_values(fig.add_subplot(grid[1, 4]), difference * 1000, "learned − Sobel X\n(× 1000)", decimals=1)
save(fig, "part3_learning_sobel.png")
save_numbers(
    {
        "sobel_steps": f"{steps:,}",
        "sobel_max_difference": f"{np.abs(difference).max():.4f}",
        "sobel_start_loss": f"{history['loss'][0]:.3f}",
        "sobel_final_loss": f"{history['loss'][-1]:.1e}",
        "sobel_pixels": f"{sum(t.size for t in targets):,}",
    },
    "part3_sobel_numbers.txt",
)
