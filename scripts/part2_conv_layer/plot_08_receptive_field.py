r"""
Receptive fields of the tiny CNN
================================

How many input pixels one unit of each layer of the exercise 4 network can
see, from the standard recurrence, drawn on a test digit. Each panel also
marks the pixels that really change the unit when they are brightened one
at a time, the experiment that checks the recurrence.
"""

# %%
# Size and jump per layer
# -----------------------
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from convviz.figure_output import save_file, save_numbers, save_png
from convviz.receptive_field import TINY_CNN_LAYERS, input_box, pixels_reaching, receptive_fields
from convviz.tiny_cnn import IMAGE_SIZE, as_input, trained_network
from convviz.worked_examples import list_table, number

fields = receptive_fields()
rows = []
for name, kernel, stride, padding in TINY_CNN_LAYERS:
    size, jump, first = fields[name]
    rows.append(
        [
            name,
            f"{kernel}×{kernel}",
            number(stride),
            number(padding),
            f"{size}×{size}",
            number(jump),
            f"{number(first)} to {number(first + size - 1)}",
        ]
    )
    print(name, size, jump, first)
table = list_table(
    "Receptive field after each layer of the exercise 4 network",
    ["Layer", "Window", "Stride", "Padding", "Field", "Jump", "Rows of unit 0"],
    rows,
)
save_file(lambda path: path.write_text(table), "receptive_field_table.txt")

# %%
# One unit per layer on a test digit
# ----------------------------------
# The unit of each layer nearest the image's centre; shaded: the pixels whose
# rise by 1 (white) changes that unit on this digit.
params, _, _, (_, _, test_x, test_y) = trained_network()
digit = as_input(test_x[:1])[0]
units = {"conv1": (14, 14), "pool1": (7, 7), "conv2": (7, 7), "pool2": (3, 3)}
BOX, REACH = "#0571b0", "#92c5de"

fig, axes = plt.subplots(2, 2, figsize=(6.0, 7.4))
numbers = {}
for ax, (layer, (row, col)) in zip(axes.ravel(), units.items()):
    top, bottom, left, right = input_box(fields[layer], row, col)
    reach = pixels_reaching(params, digit, layer, row, col)
    ax.imshow(1 - digit[..., 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    shade = np.zeros((IMAGE_SIZE, IMAGE_SIZE, 4))
    shade[reach] = (*[int(REACH[i : i + 2], 16) / 255 for i in (1, 3, 5)], 0.75)
    ax.imshow(shade, interpolation="nearest")
    ax.add_patch(Rectangle((left - 0.5, top - 0.5), right - left, bottom - top, fill=False, ec=BOX, lw=3))
    ax.set_title(f"{layer} unit ({row}, {col}):\n{bottom - top}×{right - left} pixels", fontsize=13)
    ax.set_axis_off()
    inside = reach[top:bottom, left:right].sum()
    numbers |= {
        f"rf_{layer}_unit": f"({row}, {col})",
        f"rf_{layer}_box": f"rows {top} to {bottom - 1}, columns {left} to {right - 1}",
        f"rf_{layer}_size": number(fields[layer][0]),
        f"rf_{layer}_jump": number(fields[layer][1]),
        f"rf_{layer}_reached": number(inside),
        f"rf_{layer}_pixels": number((bottom - top) * (right - left)),
        f"rf_{layer}_outside": number(reach.sum() - inside),
    }
    print(layer, (top, bottom, left, right), inside, reach.sum())
fig.tight_layout()
save_png(fig, "receptive_fields.png")

numbers |= {
    "rf_dense_size": number(fields["dense"][0]),
    "rf_image_size": number(IMAGE_SIZE),
    "rf_digit_label": number(test_y[0]),
}
save_numbers(numbers, "receptive_field_numbers.txt")
