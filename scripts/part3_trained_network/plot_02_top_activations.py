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
import numpy as np

from convviz.activation_maximization import receptive_field, second_layer_top9
from convviz.figure_output import save_png
from convviz.inspection_plots import DPI, FONT, WIDTH, show_digit
from convviz.tiny_cnn import as_input, trained_network

params, _, _, (_, _, test_x, test_y) = trained_network()
images = as_input(test_x)[..., 0]
indices, rows, cols, values = second_layer_top9(params, images)
for f in range(8):
    print(f"filter {f + 1}: classes {test_y[indices[f]].tolist()}, responses {values[f].round(2).tolist()}")

# %%
# Nine digits per filter, receptive field boxed
# ---------------------------------------------
fig = plt.figure(figsize=(WIDTH, 4.9))
groups = fig.add_gridspec(2, 4, wspace=0.12, hspace=0.16)
for f in range(8):
    cells = groups[f // 4, f % 4].subgridspec(3, 3, wspace=0.05, hspace=0.05)
    for k in range(9):
        ax = fig.add_subplot(cells[k // 3, k % 3])
        show_digit(ax, images[indices[f, k]], dim_outside=receptive_field(int(rows[f, k]), int(cols[f, k])))
        if k == 1:
            ax.set_title(f"filter {f + 1}", fontsize=FONT + 1, pad=4)
save_png(fig, "part3_top_activations.png", dpi=DPI)
classes_per_filter = [np.bincount(test_y[indices[f]], minlength=10) for f in range(8)]
