r"""
One photograph, six feature maps
=================================

The cameraman photograph (public domain, shipped with scikit-image) filtered
by six kernels, plus the Sobel edge magnitude. Blur and sharpen give an image
again and are clipped to 0-255; the other responses are signed, so their
absolute value (or the emboss response itself) is stretched to 0-255.
"""

import numpy as np

from convviz import KERNELS, correlate2d
from convviz.display import clip_to_uint8, to_uint8
from convviz.figure_output import save_png
from convviz.kernels import LABELS, sobel_responses
from convviz.photos import camera
from convviz.plotting import image_grid

photo = camera()
maps, titles = [photo], ["input photograph"]
for name in ("sobel_x", "sobel_y", "gaussian", "sharpen", "emboss", "laplacian"):
    title = LABELS[name]
    response = correlate2d(photo, KERNELS[name])
    if name in {"gaussian", "sharpen"}:
        maps.append(clip_to_uint8(response))
        titles.append(title)
    elif name == "emboss":
        maps.append(to_uint8(response))
        titles.append(title)
    else:
        maps.append(to_uint8(np.abs(response)))
        titles.append(f"|{title}|")
maps.append(to_uint8(sobel_responses(photo)[2]))
titles.append("Sobel magnitude")

fig = image_grid(maps, titles, columns=4)
# 80 dpi keeps this photo-heavy figure light for the page.
save_png(fig, "feature_maps_grid.png", dpi=80)
