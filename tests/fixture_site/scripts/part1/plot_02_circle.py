"""
A disc
======

A disc drawn with tinypkg, and what the download prints about the square.
"""

import matplotlib.pyplot as plt
from tinypkg.loader import run_tool, saved_side
from tinypkg.shapes import SIDE, disc

from convviz.figure_output import save_file, save_png

fig, ax = plt.subplots(figsize=(1, 1))
ax.imshow(disc(SIDE), cmap="gray", vmin=0, vmax=1)
ax.set_axis_off()
save_png(fig, "circle.png", dpi=40)
report = run_tool(saved_side())
save_file(lambda path: path.write_text(report + "\n"), "tool_output.txt")
print(report)
