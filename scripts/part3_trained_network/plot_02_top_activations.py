"""
The digits that excite each second-layer filter most
====================================================

For each of the eight second-layer filters, the nine held-out digits with the
largest response anywhere in that filter's feature map (after ReLU), in the
manner of Zeiler and Fergus (2014). The orange box is the unit's receptive
field, the 8×8 input pixels its value depends on; the rest of each digit is dimmed.
Where the box is cut by the image's edge, the unit's 3×3 windows reached into
the zero padding: such units respond to strokes that meet the frame.
"""

# %%
# Largest response of every filter on every test digit
# ----------------------------------------------------
import matplotlib.pyplot as plt
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

from convviz.activation_maximization import receptive_field, second_layer_top9
from convviz.figure_output import save_numbers
from convviz.inspection_plots import BOX_COLOUR, FONT, WIDTH, dim_outside, mosaic, save
from convviz.tiny_cnn import as_input, trained_network

params, _, _, (_, _, test_x, test_y) = trained_network()
images = as_input(test_x)[..., 0]
indices, rows, cols, values = second_layer_top9(params, images)
for f in range(8):
    print(f"filter {f + 1}: classes {test_y[indices[f]].tolist()}, responses {values[f].round(2).tolist()}")

# %%
# How many of the nine boxes the image's top or bottom edge cuts
# --------------------------------------------------------------
# A box shorter than 8 rows belongs to a unit whose windows reach into the zero
# padding above or below the image. The digits fill the frame from top to
# bottom, so their strokes meet that edge. By chance (every position of the
# 14×14 map alike) 4 of 14 rows are that close to it.
FIELD = 8


def at_top_or_bottom(row, col):
    top, bottom, _, _ = receptive_field(int(row), int(col))
    return bottom - top < FIELD


edge_counts = [sum(at_top_or_bottom(r, c) for r, c in zip(rows[f], cols[f])) for f in range(8)]
chance_rows = sum(at_top_or_bottom(r, 0) for r in range(14))
print("boxes cut by the top or bottom edge, per filter:", edge_counts)
mostly = [f + 1 for f, count in enumerate(edge_counts) if count >= 5]

# %%
# Nine digits per filter, receptive field boxed
# ---------------------------------------------
# All eight groups of nine are drawn as one image, three groups to a row (each
# group more than 200 CSS px wide in the page column): the digits dimmed
# outside the receptive field of the unit that responded most, then the boxes on top.
groups, fields = [], []
for f in range(8):
    group_fields = [receptive_field(int(r), int(c)) for r, c in zip(rows[f], cols[f])]
    tiles, corners = mosaic(
        [dim_outside(images[n], fld) for n, fld in zip(indices[f], group_fields)], 3, gap=2
    )
    groups.append(tiles)
    fields.append(list(zip(corners, group_fields)))
all_groups, group_corners = mosaic(groups, 3, gap=14)
boxes = [
    Rectangle((gl + left + c0 - 0.5, gt + top + r0 - 0.5), c1 - c0, r1 - r0)
    for (gt, gl), group in zip(group_corners, fields)
    for (top, left), (r0, r1, c0, c1) in group
]
heading = 10  # room above the first row for its titles, in pixels of the digits
height = WIDTH * 0.99 * (all_groups.shape[0] + heading) / all_groups.shape[1]
fig = plt.figure(figsize=(WIDTH, height + 0.02))
ax = fig.add_axes((0.005, 0.01 / (height + 0.02), 0.99, height / (height + 0.02)))
ax.imshow(all_groups, cmap=plt.get_cmap("gray").with_extremes(bad="white"), vmin=0, vmax=1)
ax.add_collection(PatchCollection(boxes, facecolor="none", edgecolor=BOX_COLOUR, linewidth=1.4))
for f, (top, left) in enumerate(group_corners):
    ax.text(
        left + groups[0].shape[1] / 2,
        top - 1.5,
        f"filter {f + 1}: {edge_counts[f]} at top/bottom",
        ha="center",
        va="bottom",
        fontsize=FONT,
    )
ax.set_ylim(all_groups.shape[0] - 0.5, -0.5 - heading)
ax.set_axis_off()
save(fig, "part3_top_activations.png", panels=(8, ["28x28"]), panel_width=(ax, groups[0].shape[1]))


def listed(items):
    """Items as a sentence: "1, 2 and 3"."""
    items = [str(item) for item in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# The page names the filters most of whose boxes sit at the top or bottom edge.
assert mostly, edge_counts
save_numbers(
    {
        "top9_edge_filters": listed(mostly),
        "top9_edge_counts": listed(edge_counts[f - 1] for f in mostly),
        "top9_edge_total": str(sum(edge_counts)),
        "top9_boxes": str(9 * 8),
        "top9_chance_rows": f"{chance_rows} of 14",
        "top9_chance_share": f"{100 * chance_rows / 14:.0f} %",
        "top9_share": f"{100 * sum(edge_counts) / 72:.0f} %",
    },
    "part3_top9_numbers.txt",
)
