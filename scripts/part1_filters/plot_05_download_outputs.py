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
from convviz.figure_output import save_file, save_png
from convviz.plotting import image_grid

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
images = [np.asarray(Image.open(folder / f"{name}.png")) for name in names]
fig = image_grid(images, [f"{name}.png" for name in names], columns=5, size=2.2)
save_png(fig, "exercise2_outputs.png")

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
