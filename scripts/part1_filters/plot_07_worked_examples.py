r"""
Worked examples by hand, checked by the build
=============================================

The small examples of part 1 with every number computed: a 2×2 filter over a
3×3 image, Sobel X over a 6×6 image with one vertical edge, and the output
sizes through a whole CNN for 28×28 digits. The page includes the tables this
script writes, so what it shows is what ``correlate2d`` and ``output_size``
return.
"""

import matplotlib.pyplot as plt
import numpy as np

from convviz import correlate2d, output_size, shapes_pattern
from convviz.figure_output import save_file, save_numbers
from convviz.kernels import KERNELS
from convviz.plotting import show_kernel
from convviz.worked_examples import grid_table, number


def products(window, kernel):
    """The sum of window × kernel written out, e.g. "1 × 1 + 5 × 0 = 1"."""
    terms = [
        f"{number(a)} × " + (f"({number(b)})" if b < 0 else number(b))
        for a, b in zip(np.ravel(window), np.ravel(kernel))
    ]
    return " + ".join(terms) + f" = {number(np.sum(window * kernel))}"


def write_tables(tables, name):
    save_file(lambda path: path.write_text("\n".join(tables)), name)


# %%
# A 2×2 filter over a 3×3 image
# -----------------------------
# The kernel fits in 2 × 2 positions; every output value is the sum of four
# products.
mini_image = np.array([[1, 5, 2], [8, 1, 6], [3, 4, 7]], dtype=np.float64)
mini_kernel = np.array([[1, 0], [1, 0]], dtype=np.float64)
mini_output = correlate2d(mini_image, mini_kernel)
print("2×2 filter over a 3×3 image:\n", mini_output)
write_tables(
    [
        grid_table(mini_image, "Input image I (3×3)"),
        grid_table(mini_kernel, "Filter K (2×2)"),
    ],
    "mini_example_tables.txt",
)
write_tables([grid_table(mini_output, "Feature map O (2×2)")], "mini_example_answer.txt")
mini_numbers = {"mini_output_shape": f"{mini_output.shape[0]}×{mini_output.shape[1]}"}
for row, col in np.ndindex(mini_output.shape):
    mini_numbers[f"mini_{row}_{col}"] = products(mini_image[row : row + 2, col : col + 2], mini_kernel)

# %%
# Sobel X over a 6×6 image with a vertical edge
# ---------------------------------------------
# Three dark columns (10) next to three bright ones (100). Only windows that
# straddle the edge see a difference between their left and right columns.
dark, bright = 10, 100
edge_image = np.full((6, 6), float(dark))
edge_image[:, 3:] = bright
sobel_x = KERNELS["sobel_x"]
edge_output = correlate2d(edge_image, sobel_x)
flipped_output = correlate2d(edge_image, sobel_x[:, ::-1])
print("Sobel X over the 6×6 edge:\n", edge_output)
write_tables(
    [
        grid_table(edge_image, "Input image (6×6)"),
        grid_table(sobel_x, "Kernel: Sobel X (3×3)"),
        grid_table(edge_output, "Output feature map (4×4)"),
    ],
    "edge_example_tables.txt",
)
edge_columns = [col for col in range(edge_output.shape[1]) if np.any(edge_output[:, col] != 0)]
save_numbers(
    {
        **mini_numbers,
        "edge_dark": number(dark),
        "edge_bright": number(bright),
        "edge_peak": number(edge_output.max()),
        "edge_peak_flipped": number(flipped_output.min()),
        "edge_columns": " and ".join(str(col) for col in edge_columns),
        "edge_window_sum": products(edge_image[:3, 1:4], sobel_x),
        "edge_output_shape": f"{edge_output.shape[0]}×{edge_output.shape[1]}",
    },
    "worked_example_numbers.txt",
)

# %%
# The edge example drawn
# ----------------------
# Input, kernel and output in the module's colours (the page shows them as
# tables); each panel on its own colour scale.
fig, axes = plt.subplots(1, 3, figsize=(9.0, 3.4), gridspec_kw={"width_ratios": [6, 3, 4]})
for ax, matrix, title in zip(axes, (edge_image, sobel_x, edge_output), ("input", "Sobel X", "output")):
    show_kernel(ax, matrix, title, fontsize=10)
fig.tight_layout()

# %%
# Output sizes through a CNN for 28×28 digits
# -------------------------------------------
# Two valid 3×3 convolutions (32 and 64 filters), each followed by 2×2 max
# pooling with stride 2, then flatten and two dense layers. Every spatial size
# comes from ``output_size``; pooling uses it too, with F = S = 2.
input_side = 28
layers = [
    ("conv", 3, 32),
    ("pool", 2, None),
    ("conv", 3, 64),
    ("pool", 2, None),
    ("flatten", None, None),
    ("dense", None, 128),
    ("dense", None, 10),
]
side, channels = input_side, 1
rows = [("input", "", f"{side} × {side} × {channels}")]
chain = [str(side)]
question = []
for kind, size, count in layers:
    if kind == "conv":
        new_side = output_size(side, size)
        question.append(f"convolution with {count} filters of {size}×{size}, no padding, stride 1, then ReLU")
        worked = f"({side} − {size}) / 1 + 1 = {new_side}"
        side, channels = new_side, count
        rows.append((f"{size}×{size} conv, {count} filters", worked, f"{side} × {side} × {channels}"))
        chain.append(str(side))
    elif kind == "pool":
        new_side = output_size(side, size, stride=size)
        exact = (side - size) / size + 1
        worked = f"({side} − {size}) / {size} + 1 = {exact:g}"
        if exact != new_side:
            worked += f" → {new_side}"
        question.append(f"max pooling {size}×{size} with stride {size}")
        side = new_side
        rows.append((f"{size}×{size} max-pool", worked, f"{side} × {side} × {channels}"))
        chain.append(str(side))
    elif kind == "flatten":
        flat = side * side * channels
        question.append("flatten")
        rows.append(("flatten", f"{side} × {side} × {channels} = {flat:,}", f"{flat:,}"))
        chain.append(f"{flat:,}")
    else:
        question.append(f"a dense layer of {count} units")
        rows.append((f"dense, {count} units", "", f"{count:,}"))
        chain.append(f"{count:,}")
print("output-size chain:", " → ".join(chain))

items = [f"* {step};" for step in question[:-1]] + [f"* and {question[-1]}."]
answer = [".. list-table:: Shapes through the network", "   :header-rows: 1", ""]
for cells in [("Layer", "Calculation", "Output"), *rows]:
    answer.append(f"   * - {cells[0]}")
    answer.extend(f"     - {cell}" if cell else "     -" for cell in cells[1:])
write_tables(["\n".join(items)], "output_size_question.txt")
write_tables(["\n".join(answer)], "output_size_answer.txt")
save_numbers(
    {"chain": " → ".join(chain), "chain_input": f"{input_side}×{input_side}×1", "chain_flat": chain[5]},
    "output_size_numbers.txt",
)

# %%
# Two stacked filters are one larger filter
# -----------------------------------------
# Without a non-linearity between them, Sobel X followed by the Gaussian is a
# single cross-correlation with their combined kernel (the full convolution of
# the two): 3×3 and 3×3 give 5×5. The ReLU between layers is what makes a
# second layer more than a larger first one.
first, second = KERNELS["sobel_x"], KERNELS["gaussian"]
reach = first.shape[0] - 1
combined = correlate2d(first, second[::-1, ::-1], padding=reach)
pattern = shapes_pattern(128)
stacked = correlate2d(correlate2d(pattern, first), second)
at_once = correlate2d(pattern, combined)
difference = np.abs(stacked - at_once).max()
print(f"combined kernel {combined.shape}, largest difference {difference:.2g}")
receptive = {layers: 1 + layers * reach for layers in (1, 2, 3)}
save_numbers(
    {
        "stack_kernel": f"{combined.shape[0]}×{combined.shape[1]}",
        "stack_difference": f"{difference:.1g}",
        "stack_rf_1": f"{receptive[1]}×{receptive[1]}",
        "stack_rf_2": f"{receptive[2]}×{receptive[2]}",
        "stack_rf_3": f"{receptive[3]}×{receptive[3]}",
    },
    "stacking_numbers.txt",
)
