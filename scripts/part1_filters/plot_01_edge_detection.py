"""
Edge detection with Sobel filters
=================================

The shapes pattern of the quick start beside its Sobel edge magnitude, and why
clipping a filter response to 0-255 hides half of every edge.
"""

# %%
# The pattern and the two Sobel responses
# ---------------------------------------
# Sobel X answers changes from left to right, Sobel Y changes from top to
# bottom. Their magnitude sqrt(Gx² + Gy²) measures edge strength
# whatever its direction.
import matplotlib.pyplot as plt
import numpy as np
from scipy import ndimage, signal

from convviz import KERNELS, correlate2d, shapes_pattern
from convviz.display import clip_to_uint8, to_uint8
from convviz.figure_output import save_numbers, save_png
from convviz.kernels import sobel_responses
from convviz.plotting import show_image

pattern = shapes_pattern()
gx, gy, magnitude = sobel_responses(pattern)
print(f"input {pattern.shape} -> edge magnitude {magnitude.shape}")

# Shown 640 CSS px wide on the page: 6.4 inches at 100 CSS px per inch.
fig, axes = plt.subplots(1, 2, figsize=(6.4, 3.4))
show_image(axes[0], pattern, f"input pattern {pattern.shape[0]}×{pattern.shape[1]}")
show_image(axes[1], to_uint8(magnitude), f"Sobel edge magnitude {magnitude.shape[0]}×{magnitude.shape[1]}")
fig.tight_layout()
save_png(fig, "edge_detection_output.png")

# %%
# Clipping loses the negative side of each edge
# ---------------------------------------------
# Sobel X is negative where the image goes from light to dark. Clipping to
# 0-255 turns those responses black, so only the left side of each shape
# shows; the absolute value keeps both sides. The page shows this figure across
# its box (about 670 CSS px at a 1280-px window): each panel over 200 CSS px,
# and 7 inches at 200 dpi give the file twice the pixels it is shown with.
fig, axes = plt.subplots(1, 3, figsize=(7.0, 2.7))
show_image(axes[0], clip_to_uint8(gx), "Sobel X clipped to 0-255")
show_image(axes[1], to_uint8(np.abs(gx)), "|Sobel X|")
show_image(axes[2], to_uint8(np.abs(gy)), "|Sobel Y|")
fig.tight_layout()
save_png(fig, "edge_clipping_comparison.png")

# %%
# Checking against SciPy
# ----------------------
# SciPy's cross-correlations compute the same numbers once they are asked for
# the same output: ``scipy.signal.correlate2d`` with ``mode="valid"`` (its
# default, "full", pads with zeros and grows the output), and
# ``scipy.ndimage.correlate`` cropped by one pixel on every side (it keeps the
# input size and fills the border by reflection).
sobel_x = KERNELS["sobel_x"]
ours = correlate2d(pattern, sobel_x)
full = signal.correlate2d(pattern, sobel_x)
valid = signal.correlate2d(pattern, sobel_x, mode="valid")
same = ndimage.correlate(pattern, sobel_x)
cropped = same[1:-1, 1:-1]
print(f"ours {ours.shape}, signal full {full.shape}, valid {valid.shape}, ndimage {same.shape}")
print(f"largest differences: valid {np.abs(valid - ours).max():g}, cropped {np.abs(cropped - ours).max():g}")


# %%
# What looping over the input size does
# -------------------------------------
# The most common mistake in the loops of exercise 3: the loops run over the
# input size instead of the output size. NumPy slicing never raises an
# IndexError; near the right border the window is cut short, and the
# multiplication with the kernel fails with the message recorded here.
def loop_over_input_size(image, kernel):
    output = np.zeros(image.shape)
    for row in range(image.shape[0]):
        for col in range(image.shape[1]):
            window = image[row : row + kernel.shape[0], col : col + kernel.shape[1]]
            output[row, col] = np.sum(window * kernel)
    return output


try:
    loop_over_input_size(pattern, sobel_x)
    message = "no error"
except ValueError as error:
    message = f"ValueError: {str(error).strip()}"
print(message)


def shape_text(shape):
    return f"{shape[0]}×{shape[1]}"


save_numbers(
    {
        "scipy_full_shape": shape_text(full.shape),
        "scipy_valid_shape": shape_text(valid.shape),
        "scipy_valid_diff": f"{np.abs(valid - ours).max():g}",
        "ndimage_shape": shape_text(same.shape),
        "ndimage_cropped_diff": f"{np.abs(cropped - ours).max():g}",
        "input_size_loop_error": f"``{message}``",
    },
    "scipy_check_numbers.txt",
)
