r"""
Channels last and channels first
================================

The tiny CNN's weights carried over to PyTorch's layout: the transposes of
the filters, the reordering of the dense layer's columns, and what happens
to the test accuracy when that reordering is forgotten. The numbers are
written for the part 2 page.
"""

# %%
# The shapes in both layouts
# --------------------------
import numpy as np

from convviz.figure_output import save_numbers
from convviz.layouts import images_to_channels_first, tiny_cnn_to_channels_first
from convviz.tiny_cnn import as_input, forward_layers, trained_network
from convviz.worked_examples import number


def shape(array):
    return f"({', '.join(map(str, array.shape))})"


params, _, _, (_, _, test_x, test_y) = trained_network()
torch_params = tiny_cnn_to_channels_first(params)
for name in ("W1", "W2", "W3"):
    print(name, params[name].shape, "->", torch_params[name].shape)

# %%
# Where one pool2 value meets W3
# ------------------------------
layers = forward_layers(params, as_input(test_x))
pool2 = layers["pool2"]
height, width, channels = pool2.shape[1:]
row, col, channel = 0, 1, 2
here = (row * width + col) * channels + channel
there = (channel * height + row) * width + col
# Check the two index formulas against NumPy's own flattening of one marked map.
marked = np.zeros((1, height, width, channels))
marked[0, row, col, channel] = 1
assert marked.reshape(1, -1).argmax() == here
assert images_to_channels_first(marked).reshape(1, -1).argmax() == there

# %%
# Flattening channels first, with and without the reordered W3
# ------------------------------------------------------------
flat_first = images_to_channels_first(pool2).reshape(len(pool2), -1)
carried = flat_first @ torch_params["W3"].T + params["b3"]
forgotten = flat_first @ params["W3"].T + params["b3"]
accuracy = (layers["logits"].argmax(axis=1) == test_y).mean()
forgotten_accuracy = (forgotten.argmax(axis=1) == test_y).mean()
print(f"carried over: largest difference {np.abs(carried - layers['logits']).max():g}")
print(f"W3 not reordered: test accuracy {forgotten_accuracy:.1%} instead of {accuracy:.1%}")
save_numbers(
    {
        "layout_W1": shape(params["W1"]),
        "layout_W1_first": shape(torch_params["W1"]),
        "layout_W2": shape(params["W2"]),
        "layout_W2_first": shape(torch_params["W2"]),
        "layout_W3": shape(params["W3"]),
        "layout_pool2": f"{height}×{width}×{channels}",
        "layout_row": number(row),
        "layout_col": number(col),
        "layout_channel": number(channel),
        "layout_here": number(here),
        "layout_there": number(there),
        "layout_carried_diff": f"{np.abs(carried - layers['logits']).max():.1g}",
        "layout_forgotten_accuracy": f"{100 * forgotten_accuracy:.1f} %",
    },
    "layout_numbers.txt",
)
