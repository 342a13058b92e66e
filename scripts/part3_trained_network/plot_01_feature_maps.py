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
from convviz.inspection_plots import FONT, WIDTH, save_palette_png, show_digit, show_tiled
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
rows = [
    ("conv1", 4, "conv1 + ReLU: 4 maps of 28×28"),
    ("pool1", 4, "max-pool: 4 maps of 14×14"),
    ("conv2", 4, "conv2 + ReLU: 8 maps of 14×14"),
    ("pool2", 4, "max-pool: 8 maps of 7×7"),
]
fig, axes = plt.subplots(
    6, 3, figsize=(WIDTH, 9.6), gridspec_kw={"height_ratios": [1.1, 0.55, 0.55, 1.0, 1.0, 1.0]}
)
for column, index in enumerate(chosen):
    show_digit(axes[0, column], images[index], f"test digit {test_y[index]}")
    for row, (name, columns, title) in enumerate(rows, start=1):
        show_tiled(axes[row, column], layers[name][column], columns, layers[name].max(), title)
    bars = axes[5, column]
    probs = layers["probabilities"][column]
    bars.bar(range(10), probs, color=["#5e3c99" if k == test_y[index] else "#b2abd2" for k in range(10)])
    bars.set_xticks(range(10))
    bars.set_ylim(0, 1)
    bars.tick_params(labelsize=FONT)
    bars.set_title("class probabilities", fontsize=FONT)
for ax in axes[5, 1:]:
    ax.set_yticklabels([])
fig.tight_layout()
save_palette_png(fig, "part3_feature_maps.png")
