"""
Occlusion and gradient saliency
===============================

Two ways to ask which pixels of a digit a class score depends on, on four
held-out digits, one digit to a row. Occlusion slides a grey 6×6 patch over the digit and records
how much the probability of the true class drops (Zeiler & Fergus 2014).
Gradient saliency takes the derivative of the true class's score with respect
to every input pixel (Simonyan, Vedaldi & Zisserman 2014). A deletion check
then measures whether the pixels that saliency ranks highest matter more than
random ones.
"""

# %%
# Four correctly classified test digits
# -------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from convviz.attribution import (
    deletion_check,
    input_gradients,
    occlusion_corners,
    occlusion_map,
    probabilities,
)
from convviz.figure_output import save_numbers
from convviz.inspection_plots import (
    WIDTH,
    add_colorbar,
    add_colorbar_below,
    caption,
    save,
    show_digit,
    show_signed,
    symmetric_limit,
)
from convviz.tiny_cnn import as_input, trained_network

params, _, _, (_, _, test_x, test_y) = trained_network()
images = as_input(test_x)[..., 0]
probs = probabilities(params, images)
predicted = probs.argmax(axis=1)
shown_classes = (0, 4, 7, 3)
chosen = [int(np.flatnonzero((test_y == c) & (predicted == c))[0]) for c in shown_classes]

# %%
# Occlusion: the drop in the true class's probability
# ---------------------------------------------------
# Entry (a, b) of the 12×12 map belongs to the patch whose top-left corner is
# at row 2a, column 2b; it is drawn over the 6×6 pixels that patch covers
# around its centre, so the map lines up with the digit, which shows through
# faintly underneath.
size, stride = 6, 2
corners = occlusion_corners(size, stride)
maps = [occlusion_map(params, images[i], test_y[i], size, stride) for i in chosen]
centre = (size - 1) / 2
extent = (corners[0] + centre - stride / 2 - 0.5, corners[-1] + centre + stride / 2 - 0.5)
extent = (extent[0], extent[1], extent[1], extent[0])
limit = symmetric_limit(*maps)
# One digit to a row, the digit beside its map: every panel is more than
# 200 CSS px wide in the page column.
fig, axes = plt.subplots(4, 2, figsize=(WIDTH, 12.4))
fig.subplots_adjust(left=0.12, right=0.82, top=0.955, bottom=0.005, wspace=0.1, hspace=0.22)
for row, (index, drop) in enumerate(zip(chosen, maps)):
    show_digit(axes[row, 0], images[index], f"digit {test_y[index]}\np = {probs[index, test_y[index]]:.3f}")
    axes[row, 1].imshow(images[index], cmap="gray", vmin=0, vmax=1)
    shown = show_signed(axes[row, 1], drop, limit, f"largest drop\n{drop.max():.3f}", extent=extent)
    shown.set_alpha(0.7)
    axes[row, 1].set_xlim(-0.5, 27.5)
    axes[row, 1].set_ylim(27.5, -0.5)
add_colorbar(fig, shown, axes[:, 1], "drop in p(true class)")
save(fig, "part3_occlusion.png")
# Where each digit's probability drops most: what the network answers with that
# patch, and how much ink the patch hides (0 = only background).
covered = {}
for index, drop in zip(chosen, maps):
    a, b = np.unravel_index(drop.argmax(), drop.shape)
    row, col = corners[a], corners[b]
    patched = images[index].copy()
    patched[row : row + size, col : col + size] = 0.5
    answer = int(probabilities(params, patched[None]).argmax())
    ink = float(images[index][row : row + size, col : col + size].mean())
    covered[int(test_y[index])] = (float(drop.max()), answer, ink)
    print(
        f"digit {test_y[index]}: largest drop {drop.max():.4f} (then read as {answer}, "
        f"mean ink under the patch {ink:.2f}), smallest {drop.min():.4f}"
    )
# The page describes these maps: the 0's stays blank, and the large drops of the
# other three come from patches on little or no ink.
assert covered[0][0] < 0.05, f"reword the page: covering part of the 0 now matters ({covered})"
assert all(covered[c][0] > 0.5 and covered[c][2] < 0.2 for c in (3, 4, 7)), f"reword the page: {covered}"

# %%
# Gradient saliency of the true class's score
# -------------------------------------------
gradients = input_gradients(params, images[chosen], test_y[chosen])
signed_limit = symmetric_limit(gradients)
# One digit to a row: the digit, the signed gradient and its magnitude, each
# more than 200 CSS px wide in the page column; the colour bars underneath.
fig, axes = plt.subplots(4, 3, figsize=(WIDTH, 12.0))
fig.subplots_adjust(left=0.01, right=0.99, top=0.97, bottom=0.09, wspace=0.08, hspace=0.14)
for row, (index, gradient) in enumerate(zip(chosen, gradients)):
    show_digit(axes[row, 0], images[index], f"digit {test_y[index]}")
    signed = show_signed(axes[row, 1], gradient, signed_limit, "gradient")
    magnitude = axes[row, 2].imshow(np.abs(gradient), cmap="magma", vmin=0, vmax=signed_limit)
    caption(axes[row, 2], "saliency |gradient|")
    axes[row, 2].set_axis_off()
add_colorbar_below(fig, signed, axes[-1, 1], "d score / d pixel")
add_colorbar_below(fig, magnitude, axes[-1, 2], "|d score / d pixel|")
save(fig, "part3_saliency.png")

# %%
# Deletion check on every test digit
# ----------------------------------
# Set 10 % of the pixels (78 of 784) to 0, the background, and measure the mean
# drop of the true class's probability over all held-out digits.
drops = deletion_check(params, images, test_y, fraction=0.1, repeats=1)
print({name: round(value, 4) for name, value in drops.items()})
save_numbers(
    {
        "deletion_salient": f"{drops['salient']:.3f}",
        "deletion_random": f"{drops['random']:.3f}",
        "deletion_random_ink": f"{drops['random_ink']:.3f}",
        "deletion_digits": str(len(test_y)),
        "deletion_pixels": str(round(0.1 * 784)),
        "occlusion_largest_drop": f"{max(m.max() for m in maps):.3f}",
        "occlusion_zero_drop": f"{covered[0][0]:.3f}",
        **{f"occlusion_{c}_answer": str(covered[c][1]) for c in (3, 4, 7)},
        **{f"occlusion_{c}_drop": f"{covered[c][0]:.2f}" for c in (3, 4, 7)},
        "occlusion_7_probability": f"{probs[chosen[2], 7]:.2f}",
    },
    "part3_attribution_numbers.txt",
)
