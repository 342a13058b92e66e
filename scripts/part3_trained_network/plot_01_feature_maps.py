"""
Feature maps of every layer
===========================

Three held-out digits of different classes through the trained network of
exercise 4: the four first-layer maps, their pooled versions, the eight
second-layer maps, their pooled versions and the class probabilities. Each
layer is drawn on one gray scale, shared by the three digits.
"""

# %%
# The trained network and three test digits
# -----------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from convviz.attribution import probabilities
from convviz.inspection_plots import (
    FONT,
    WIDTH,
    enlarge,
    save,
    side_by_side,
    stack,
    tile_maps,
)
from convviz.tiny_cnn import as_input, forward_layers, trained_network

params, _, _, (_, _, test_x, test_y) = trained_network()
images = as_input(test_x)[..., 0]
predicted = probabilities(params, images).argmax(axis=1)
# The first correctly classified test digit of each of these classes.
shown_classes = (0, 4, 7)
chosen = [int(np.flatnonzero((test_y == c) & (predicted == c))[0]) for c in shown_classes]
layers = forward_layers(params, images[chosen][..., None])
print("test digits", chosen, "of classes", shown_classes)

# %%
# Every layer, one column per digit
# ---------------------------------
# One image holds every map: each layer divided by its largest value over the
# three digits (one gray scale per layer), small maps enlarged by whole
# factors so that every row is about equally wide.
rows = [
    ("conv1", 1, "conv1 + ReLU: 4 maps of 28×28"),
    ("pool1", 2, "max-pool: 4 maps of 14×14"),
    ("conv2", 2, "conv2 + ReLU: 8 maps of 14×14"),
    ("pool2", 4, "max-pool: 8 maps of 7×7"),
]
label_gap = 16
columns = []
for column, index in enumerate(chosen):
    blocks = [enlarge(images[index], 4)]
    for name, factor, _ in rows:
        blocks.append(enlarge(tile_maps(layers[name][column], 4) / layers[name].max(), factor))
    columns.append(stack(blocks, label_gap, width=124))
tops = columns[0][1]
tiled, lefts = side_by_side([stacked for stacked, _ in columns], 12)
tiled = np.vstack([np.full((label_gap, tiled.shape[1]), np.nan), tiled[:-label_gap]])

# The maps as wide as the figure (each digit's column over 200 CSS px in the
# page column), the bar charts in 2.2 inches under them.
maps_height, bars_height = 0.98 * WIDTH * tiled.shape[0] / tiled.shape[1], 2.2
height = maps_height + bars_height + 0.05
fig = plt.figure(figsize=(WIDTH, height))
ax = fig.add_axes((0.01, bars_height / height, 0.98, maps_height / height))
ax.imshow(
    tiled, cmap=plt.get_cmap("gray").with_extremes(bad="white"), vmin=0, vmax=1, interpolation="nearest"
)
ax.set_axis_off()
for left, index in zip(lefts, chosen):
    ax.text(left + 62, label_gap - 3, f"test digit {test_y[index]}", ha="center", va="bottom", fontsize=FONT)
for (_, _, label), top in zip(rows, tops[1:]):
    ax.text(0, top + label_gap - 3, label, ha="left", va="bottom", fontsize=FONT)
for column, index in enumerate(chosen):
    bars = fig.add_axes((0.07 + column * 0.32, 0.35 / height, 0.26, 1.3 / height))
    probs = layers["probabilities"][column]
    bars.bar(range(10), probs, color=["#5e3c99" if k == test_y[index] else "#b2abd2" for k in range(10)])
    bars.set_xticks(range(10))
    bars.set_ylim(0, 1)
    bars.set_yticks([0, 0.5, 1])
    bars.tick_params(labelsize=FONT)
    bars.text(0.5, 1.06, "class probabilities", transform=bars.transAxes, ha="center", fontsize=FONT)
    if column:
        bars.set_yticklabels([])
# A panel is the digit or one layer of it (its maps tiled): the narrowest block of a column.
save(
    fig,
    "part3_feature_maps.png",
    panels=(3 * (len(rows) + 2), ["28x28", "14x14", "7x7"]),
    panel_width=(ax, min(block.shape[1] for block in blocks)),
)
