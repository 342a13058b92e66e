r"""
The convolution animation
=========================

A 3×3 Sobel X kernel slides over an 8×8 input. Each frame outlines the window,
shows the nine products and their sum, and fills one cell of the 6×6 output.
"""

import matplotlib.pyplot as plt

from convviz import KERNELS, small_example
from convviz.animation import render_frames
from convviz.figure_output import save_gif

frames = render_frames(small_example(), KERNELS["sobel_x"])
# 0.7 s per step, and a longer pause on the finished output before looping.
durations = [700] * (len(frames) - 1) + [2500]
save_gif(frames, "convolution_animation.gif", durations)

# %%
# The last frame, with the whole output filled in:
fig, ax = plt.subplots(figsize=(7.5, 3.8))
ax.imshow(frames[-1].convert("RGB"))
ax.set_axis_off()
fig.tight_layout()
