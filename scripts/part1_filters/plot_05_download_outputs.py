"""
What the downloads produce
==========================

The module's learner downloads, run as a learner would run them: the text they
print and the images they write. The module page quotes this output.
"""

# %%
# Exercises 1 and 2: ``cnn_visualization.py``
# -------------------------------------------
import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from convviz.downloads import run_download
from convviz.figure_output import save_file, save_numbers, save_png
from convviz.photos import camera
from convviz.plotting import RASTER_DPI, show_image

# The downloads write into a scratch folder of their own, as in a learner's
# folder; only the files the page shows are saved.
folder = Path(tempfile.mkdtemp(prefix="convviz-downloads-"))
status, printed = run_download("cnn_visualization", folder)
assert status == 0, printed
print(printed)
save_file(
    lambda path: path.write_text("$ python cnn_visualization.py\n" + printed), "cnn_visualization_output.txt"
)

names = ["edges_vertical", "edges_horizontal", "artistic_edges", "blur_3x3", "blur_5x5"]
images = {name: np.asarray(Image.open(folder / f"{name}.png")) for name in names}

# %%
# What goal 3 changes: the two blurs side by side
# -----------------------------------------------
# At full size a 3×3 and a 5×5 Gaussian look alike. Enlarged around the
# top-left corner of the rectangle (input rows and columns 22-37), and along a
# row through the rectangle's left side (input row 60, columns 20-40), the
# wider spread of the 5×5 kernel shows. A valid 3×3 output pixel (r, c) is
# centred on input pixel (r + 1, c + 1), a 5×5 one on (r + 2, c + 2).
top, left, side = 22, 22, 16
blur3 = images["blur_3x3"][top - 1 : top - 1 + side, left - 1 : left - 1 + side]
blur5 = images["blur_5x5"][top - 2 : top - 2 + side, left - 2 : left - 2 + side]
row, first, last = 60, 20, 41
columns = np.arange(first, last)
profile3 = images["blur_3x3"][row - 1, first - 1 : last - 1]
profile5 = images["blur_5x5"][row - 2, first - 2 : last - 2]
ramp3, ramp5 = int(((profile3 > 0) & (profile3 < 255)).sum()), int(((profile5 > 0) & (profile5 < 255)).sum())
print(f"pixels between black and white along row {row}: 3×3 blur {ramp3}, 5×5 blur {ramp5}")

# Placed in inches (left, bottom, width, height) so that every panel, the chart
# without its axis labels too, is more than 200 CSS px wide in the page column.
width, height = 8.0, 6.3


def panel(left, bottom, side_width, side_height):
    return fig.add_axes((left / width, bottom / height, side_width / width, side_height / height))


fig = plt.figure(figsize=(width, height))
for k, name in enumerate(names[:3]):
    show_image(panel(0.05 + 2.67 * k, 3.4, 2.55, 2.55), images[name], f"{name}.png", fontsize=11)
show_image(panel(0.1, 0.55, 2.3, 2.3), blur3, "blur_3x3.png,\ncorner enlarged", fontsize=11)
show_image(panel(2.55, 0.55, 2.3, 2.3), blur5, "blur_5x5.png,\ncorner enlarged", fontsize=11)
profile = panel(5.6, 0.55, 2.3, 2.3)
# Black and blue, solid and dashed: purple and orange stand for signs elsewhere in the module.
profile.plot(columns, profile3, marker="o", ms=4, color="black", label="3×3")
profile.plot(columns, profile5, marker="s", ms=4, color="#0072b2", linestyle="--", label="5×5")
profile.set_title(f"row {row} across the left side", fontsize=11)
profile.set_xlabel("input column", fontsize=10)
profile.set_ylabel("brightness", fontsize=10)
profile.tick_params(labelsize=10)
profile.legend(fontsize=10, loc="lower right")
profile.grid(alpha=0.3)
save_png(fig, "exercise2_outputs.png")
save_numbers(
    {"blur_ramp_3x3": str(ramp3), "blur_ramp_5x5": str(ramp5), "blur_profile_row": str(row)},
    "blur_numbers.txt",
)

# %%
# Random filters: ``cnn_visualization.py --random-filters 8 --seed 3``
# --------------------------------------------------------------------
# Eight filters with random weights, what a CNN starts from, on the
# photograph. The page quotes the printed weights and shows the grid.
# The photo is offered beside the download (downloads/cameraman.png in the site), so that the
# command the page prints runs as printed in a learner's folder.
Image.fromarray(np.round(camera(256)).astype(np.uint8)).save(folder / "cameraman.png")
save_file(lambda path: shutil.copyfile(folder / "cameraman.png", path), "cameraman.png")
random_args = ["--random-filters", "8", "--seed", "3", "--image", "cameraman.png"]
status, printed = run_download("cnn_visualization", folder, *random_args)
assert status == 0, printed
print(printed)
save_file(
    lambda path: path.write_text("$ python cnn_visualization.py " + " ".join(random_args) + "\n" + printed),
    "random_filters_output.txt",
)
# The download lays its maps out four to a row. The page shows them three to
# a row after the photo they filter, so that every map is over 200 CSS px wide
# in the page column and the file has twice the pixels it is shown with.
photo = np.asarray(Image.open(folder / "cameraman.png"))
grid = np.asarray(Image.open(folder / "random_filters.png"))
side = photo.shape[0] - 2  # a valid 3×3 filter takes one pixel off each border
gap = (grid.shape[1] - 4 * side) // 3
maps = [
    grid[y : y + side, x : x + side]
    for y in range(0, grid.shape[0], side + gap)
    for x in range(0, grid.shape[1], side + gap)
]
width, height = 7.6, 8.1
fig = plt.figure(figsize=(width, height))
for k, (image, title) in enumerate(
    [(photo, "the input photo")] + [(m, f"filter {n}") for n, m in enumerate(maps, start=1)]
):
    row, column = divmod(k, 3)
    ax = fig.add_axes(
        ((0.05 + 2.52 * column) / width, (5.45 - 2.68 * row) / height, 2.42 / width, 2.42 / height)
    )
    show_image(ax, image, title, fontsize=11)
save_png(fig, "random_filters.png", dpi=RASTER_DPI, tight=False, gray_levels=64)

# %%
# Exercise 3 and the challenge: ``cnn_solution.py``
# -------------------------------------------------
status, printed = run_download("cnn_solution", folder)
assert status == 0, printed
print(printed)
save_file(lambda path: path.write_text("$ python cnn_solution.py\n" + printed), "cnn_solution_output.txt")
save_file(lambda path: shutil.copyfile(folder / "filter_transition.gif", path), "filter_transition.gif")

fig, ax = plt.subplots(figsize=(3, 3))
ax.imshow(Image.open(folder / "my_filter_output.png"), cmap="gray")
ax.set_title("my_filter_output.png", fontsize=10)
ax.set_axis_off()
fig.tight_layout()
shutil.rmtree(folder)
