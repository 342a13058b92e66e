r"""
Artistic filters
================

The same photograph through edge detection, emboss, sharpen, and the chained
recipe of exercise 2: sharpen, then Sobel X, then the false colour of the
download (dark blue where the image is flat, yellow on strong edges).
"""

import numpy as np

from convviz import KERNELS, correlate2d
from convviz.display import clip_to_uint8, false_color, stretch, to_uint8
from convviz.figure_output import save_png
from convviz.kernels import sobel_responses
from convviz.photos import camera
from convviz.plotting import image_grid

photo = camera()
_, _, magnitude = sobel_responses(photo)
embossed = correlate2d(photo, KERNELS["emboss"])
sharpened = correlate2d(photo, KERNELS["sharpen"])
chained = np.abs(correlate2d(clip_to_uint8(sharpened), KERNELS["sobel_x"]))

panels = [photo, stretch(magnitude), to_uint8(embossed), clip_to_uint8(sharpened), false_color(chained)]
titles = ["original", "Sobel edges", "emboss", "sharpen", "sharpen, |Sobel X|, colour"]
fig = image_grid(panels, titles, columns=3, fontsize=11)
save_png(fig, "artistic_filters.png", palette="gray-ramp")  # gray photographs, one coloured panel
