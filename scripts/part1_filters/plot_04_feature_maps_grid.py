r"""
One photograph, six feature maps
=================================

The cameraman photograph (public domain, shipped with scikit-image) filtered
by six kernels, plus the Sobel edge magnitude, shown as a 100×100 crop around
the face and the camera so that every pixel is two screen pixels wide and a
blur can be seen. Blur and sharpen give an image again and are clipped to
0-255; the other responses are signed, so their absolute value (or the emboss
response itself) is shown, edge maps stretched so that the brightest 1 % of
pixels are white.
"""

import numpy as np

from convviz import KERNELS, correlate2d
from convviz.display import STRETCH_PERCENTILE, clip_to_uint8, stretch, to_uint8
from convviz.figure_output import save_numbers, save_png
from convviz.kernels import LABELS, sobel_responses
from convviz.photos import camera
from convviz.plotting import image_grid

photo = camera()
# Rows and columns of the crop in the 256×256 photograph (face, hands and camera).
crop = (slice(40, 140), slice(80, 180))
# A 'same' output has the size of the photo, so the same crop fits every map.
maps, titles = [photo], ["input (crop)"]
for name in ("sobel_x", "sobel_y", "gaussian", "sharpen", "emboss", "laplacian"):
    title = LABELS[name]
    response = correlate2d(photo, KERNELS[name], padding="same")
    if name in {"gaussian", "sharpen"}:
        maps.append(clip_to_uint8(response))
        titles.append(title)
    elif name == "emboss":
        maps.append(to_uint8(response))
        titles.append(title)
    else:
        maps.append(stretch(np.abs(response)))
        titles.append(f"|{title}|")
maps.append(stretch(sobel_responses(photo, padding="same")[2]))
titles.append("Sobel magnitude")
maps = [image[crop] for image in maps]
print(f"{len(maps)} panels of {maps[0].shape[0]}×{maps[0].shape[1]} pixels")

fig = image_grid(maps, titles, columns=3, fontsize=11)
save_png(fig, "feature_maps_grid.png")
save_numbers({"stretch_white_share": f"{100 - STRETCH_PERCENTILE:g} %"}, "feature_map_numbers.txt")
