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

from convviz import shapes_pattern
from convviz.display import clip_to_uint8, to_uint8
from convviz.figure_output import save_png
from convviz.kernels import sobel_responses
from convviz.plotting import show_image

pattern = shapes_pattern()
gx, gy, magnitude = sobel_responses(pattern)
print(f"input {pattern.shape} -> edge magnitude {magnitude.shape}")

fig, axes = plt.subplots(1, 2, figsize=(7.2, 3.7))
show_image(axes[0], pattern, f"input pattern {pattern.shape[0]}×{pattern.shape[1]}")
show_image(axes[1], to_uint8(magnitude), f"Sobel edge magnitude {magnitude.shape[0]}×{magnitude.shape[1]}")
fig.tight_layout()
save_png(fig, "edge_detection_output.png")

# %%
# Clipping loses the negative side of each edge
# ---------------------------------------------
# Sobel X is negative where the image goes from light to dark. Clipping to
# 0-255 turns those responses black, so only the left side of each shape
# shows; the absolute value keeps both sides.
fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.5))
show_image(axes[0], clip_to_uint8(gx), "Sobel X clipped to 0-255")
show_image(axes[1], to_uint8(np.abs(gx)), "|Sobel X|")
show_image(axes[2], to_uint8(np.abs(gy)), "|Sobel Y|")
fig.tight_layout()
save_png(fig, "edge_clipping_comparison.png")
