r"""
A small CNN, layer by layer
===========================

The network of the module's exercises: two conv + ReLU + max-pool blocks on a
28×28 digit, then flatten and one dense layer to ten class scores. Every shape
in the diagram is computed with the output-size formula.
"""

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from convviz import output_size
from convviz.figure_output import save_png

# %%
# Shapes from W_out = (W_in - F + 2P) / S + 1
# -------------------------------------------
side = 28
conv1 = output_size(side, 3, padding=1)  # 'same' padding keeps 28
pool1 = output_size(conv1, 2, stride=2)
conv2 = output_size(pool1, 3, padding=1)
pool2 = output_size(conv2, 2, stride=2)
flat = pool2 * pool2 * 8
stages = [
    ("input", f"{side}×{side}×1", "#90caf9"),
    ("conv 3×3, 4 filters\n+ ReLU", f"{conv1}×{conv1}×4", "#a5d6a7"),
    ("max-pool 2×2", f"{pool1}×{pool1}×4", "#ffcc80"),
    ("conv 3×3, 8 filters\n+ ReLU", f"{conv2}×{conv2}×8", "#a5d6a7"),
    ("max-pool 2×2", f"{pool2}×{pool2}×8", "#ffcc80"),
    ("flatten", f"{flat}", "#ce93d8"),
    ("dense", "10", "#ef9a9a"),
    ("classes", "0 … 9", "#e0e0e0"),
]
for name, shape, _ in stages:
    print(f"{name.replace(chr(10), ' '):24s} {shape}")

# %%
# The diagram
# -----------
fig, ax = plt.subplots(figsize=(12, 2.9))
width, gap = 1.25, 0.32
for i, (name, shape, color) in enumerate(stages):
    x = i * (width + gap)
    ax.add_patch(FancyBboxPatch((x, 0), width, 1.4, boxstyle="round,pad=0.04", fc=color, ec="#333333"))
    ax.text(x + width / 2, 0.95, name, ha="center", va="center", fontsize=9)
    ax.text(x + width / 2, 0.3, shape, ha="center", va="center", fontsize=10, weight="bold")
    if i:
        ax.add_patch(
            FancyArrowPatch((x - gap + 0.03, 0.7), (x - 0.03, 0.7), arrowstyle="-|>", mutation_scale=12)
        )
ax.text(2.2 * (width + gap), -0.35, "feature extraction", ha="center", fontsize=10, style="italic")
ax.text(6 * (width + gap), -0.35, "classification", ha="center", fontsize=10, style="italic")
ax.set_xlim(-0.1, len(stages) * (width + gap))
ax.set_ylim(-0.55, 1.55)
ax.set_axis_off()
fig.tight_layout()
save_png(fig, "cnn_architecture.png")
