r"""
A small CNN, layer by layer
===========================

The network of the module's exercises: two conv + ReLU + max-pool blocks on a
28×28 digit, then flatten and one dense layer to ten class scores. Every shape
in the diagram is computed with the output-size formula.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from convviz import output_size
from convviz.plotting import save_svg

# Neutral tints: orange and purple are kept for positive and negative values.
CONV_COLOUR, POOL_COLOUR = "#9ecae1", "#d9d9d9"

# %%
# Shapes from W_out = (W_in - F + 2P) / S + 1
# -------------------------------------------
side = 28
conv1 = output_size(side, 3, padding=1)  # 'same' padding keeps 28
pool1 = output_size(conv1, 2, stride=2)
conv2 = output_size(pool1, 3, padding=1)
pool2 = output_size(conv2, 2, stride=2)
flat = pool2 * pool2 * 8
# (label under the stack, shape text, rows, channels, colour)
stages = [
    ("input", f"{side}×{side}×1", side, 1, "#ffffff"),
    ("conv1 + ReLU", f"{conv1}×{conv1}×4", conv1, 4, CONV_COLOUR),
    ("pool1", f"{pool1}×{pool1}×4", pool1, 4, POOL_COLOUR),
    ("conv2 + ReLU", f"{conv2}×{conv2}×8", conv2, 8, CONV_COLOUR),
    ("pool2", f"{pool2}×{pool2}×8", pool2, 8, POOL_COLOUR),
]
# What each arrow does; flatten and dense are named under their columns.
operations = ["3×3 conv,\n4 filters", "max-pool\n2×2", "3×3 conv,\n8 filters", "max-pool\n2×2", "", ""]
for name, shape, _, _, _ in stages:
    print(f"{name:14s} {shape}")
print(f"{'flatten':14s} {flat}")
print(f"{'dense':14s} 10")

# %%
# The diagram
# -----------
# Every feature map is a square whose side is proportional to its rows, and a
# layer with C channels is a stack of C squares: the grid shrinks from left to
# right while the stack grows. Drawing units are inches of the figure.
unit = 0.032  # inches per pixel of a feature map
depth = 0.07  # offset between two maps of a stack
bar = 0.1  # width of the flatten and dense columns
fig = plt.figure(figsize=(8.0, 2.4))
ax = fig.add_axes((0, 0, 1, 1))
widths = [rows * unit + (channels - 1) * depth for _, _, rows, channels, _ in stages] + [bar, bar]
gap = (8.0 - 0.1 - 0.95 - sum(widths)) / (len(widths) - 1)
x = 0.1
spans = []
for name, shape, rows, channels, colour in stages:
    size = rows * unit
    for c in range(channels - 1, -1, -1):
        ax.add_patch(Rectangle((x + c * depth, c * depth), size, size, fc=colour, ec="#333333", lw=0.8))
    spans.append((x, x + (channels - 1) * depth + size, name, shape))
    x = spans[-1][1] + gap
# Flatten: one tall column of 392 values; dense: a column of 10 scores.
ax.add_patch(Rectangle((x, 0), bar, 1.1, fc="#bdbdbd", ec="#333333", lw=0.8))
spans.append((x, x + bar, "flatten", f"{flat}"))
x += bar + gap
for k in range(10):
    ax.add_patch(Rectangle((x, 0.2 + k * 0.07), bar, 0.07, fc="#ffffff", ec="#333333", lw=0.6))
spans.append((x, x + bar, "dense", "10"))
ax.text(x + bar + 0.08, 0.55, "scores for\nthe digits\n0 … 9", ha="left", va="center", fontsize=10)
for left, right, name, shape in spans:
    ax.text((left + right) / 2, -0.08, name, ha="center", va="top", fontsize=10)
    ax.text((left + right) / 2, -0.32, shape, ha="center", va="top", fontsize=10, weight="bold")
# Arrows between the stacks, and above them the operation that makes the next layer.
for (_, left_end, _, _), (right_start, _, _, _), label in zip(spans, spans[1:], operations):
    arrow = {"arrowstyle": "-|>", "lw": 1.2}
    ax.annotate("", xy=(right_start - 0.04, 0.45), xytext=(left_end + 0.04, 0.45), arrowprops=arrow)
    ax.text((left_end + right_start) / 2, 1.5, label, ha="center", va="center", fontsize=10)
ax.set_xlim(0, 8.0)
ax.set_ylim(-0.6, 1.8)
ax.set_axis_off()
save_svg(fig, "cnn_architecture.svg")
