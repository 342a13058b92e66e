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
from matplotlib.patches import Rectangle

from convviz.activation_maximization import receptive_field, second_layer_top9
from convviz.figure_output import save_png
from convviz.inspection_plots import BOX_COLOUR, DPI, FONT, WIDTH, dim_outside, mosaic
from convviz.tiny_cnn import as_input, trained_network

params, _, _, (_, _, test_x, test_y) = trained_network()
images = as_input(test_x)[..., 0]
indices, rows, cols, values = second_layer_top9(params, images)
for f in range(8):
    print(f"filter {f + 1}: classes {test_y[indices[f]].tolist()}, responses {values[f].round(2).tolist()}")

# %%
# Nine digits per filter, receptive field boxed
# ---------------------------------------------
# Each group of nine is drawn as one image: the digits dimmed outside the
# receptive field of the unit that responded most, then the boxes on top.
fig, axes = plt.subplots(2, 4, figsize=(WIDTH, 4.6))
for f, ax in enumerate(axes.ravel()):
    fields = [receptive_field(int(r), int(c)) for r, c in zip(rows[f], cols[f])]
    tiles, corners = mosaic([dim_outside(images[n], field) for n, field in zip(indices[f], fields)], 3, gap=2)
    ax.imshow(tiles, cmap=plt.get_cmap("gray").with_extremes(bad="white"), vmin=0, vmax=1)
    for (top, left), (r0, r1, c0, c1) in zip(corners, fields):
        ax.add_patch(
            Rectangle((left + c0 - 0.5, top + r0 - 0.5), c1 - c0, r1 - r0, fill=False, lw=1.4, ec=BOX_COLOUR)
        )
    ax.set_title(f"filter {f + 1}", fontsize=FONT + 1)
    ax.set_axis_off()
fig.tight_layout(w_pad=0.6, h_pad=0.8)
save_png(fig, "part3_top_activations.png", dpi=DPI)
