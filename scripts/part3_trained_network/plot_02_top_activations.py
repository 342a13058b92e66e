"""
The digits that excite each second-layer filter most
====================================================

For each of the eight second-layer filters, the nine held-out digits with the
largest response anywhere in that filter's feature map (after ReLU), in the
manner of Zeiler and Fergus (2014). The orange box is the unit's receptive
field, the 8×8 input pixels its value depends on; the rest of each digit is dimmed.
"""

# %%
# Largest response of every filter on every test digit
# ----------------------------------------------------
import matplotlib.pyplot as plt
from matplotlib.collections import PatchCollection
from matplotlib.patches import Rectangle

from convviz.activation_maximization import receptive_field, second_layer_top9
from convviz.inspection_plots import BOX_COLOUR, FONT, WIDTH, dim_outside, mosaic, save
from convviz.tiny_cnn import as_input, trained_network

params, _, _, (_, _, test_x, test_y) = trained_network()
images = as_input(test_x)[..., 0]
indices, rows, cols, values = second_layer_top9(params, images)
for f in range(8):
    print(f"filter {f + 1}: classes {test_y[indices[f]].tolist()}, responses {values[f].round(2).tolist()}")

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
        left + groups[0].shape[1] / 2, top - 1.5, f"filter {f + 1}", ha="center", va="bottom", fontsize=FONT
    )
ax.set_ylim(all_groups.shape[0] - 0.5, -0.5 - heading)
ax.set_axis_off()
save(fig, "part3_top_activations.png", panels=(8, ["28x28"]), panel_width=(ax, groups[0].shape[1]))
