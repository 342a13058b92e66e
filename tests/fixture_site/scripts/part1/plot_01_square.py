"""
A square
========

A square drawn with tinypkg, and its side saved for the page.
"""

import matplotlib.pyplot as plt
from tinypkg.shapes import SIDE, square

from convviz.figure_output import save_numbers, save_png

fig, ax = plt.subplots(figsize=(1, 1))
ax.imshow(square(SIDE), cmap="gray", vmin=0, vmax=1)
ax.set_axis_off()
save_png(fig, "square.png", dpi=40)
save_numbers({"side": SIDE}, "square_numbers.txt")
print(f"a square of side {SIDE}")
