"""
Occlusion and gradient saliency
===============================

Two ways to ask which pixels of a digit a class score depends on, on four
held-out digits, one digit to a row. Occlusion slides a 6×6 patch over the
digit and records how much the score (logit) of the true class drops (Zeiler &
Fergus 2014), once with a black patch, the digits' background, and once with a
middle-gray one. Gradient saliency takes the derivative of the true class's
score with respect to every input pixel (Simonyan, Vedaldi & Zisserman 2014).
A deletion check then measures whether the pixels that saliency ranks highest
matter more than random ones.
"""

# %%
# Four correctly classified test digits
# -------------------------------------
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle

from convviz.attribution import (
    DELETION_FRACTION,
    HIDDEN_PROBABILITY_DROP,
    HIDDEN_SCORE_DROP,
    deletion_check,
    hidden_by_softmax,
    input_gradients,
    occlusion_corners,
    occlusion_map,
    probabilities,
)
from convviz.figure_output import save_numbers
from convviz.inspection_plots import (
    WIDTH,
    add_colorbar_below,
    caption,
    save,
    show_digit,
    show_signed,
    symmetric_limit,
)
from convviz.tiny_cnn import as_input, forward, trained_network

params, _, _, (_, _, test_x, test_y) = trained_network()
images = as_input(test_x)[..., 0]
probs = probabilities(params, images)
logits = forward(params, images[..., None])
predicted = probs.argmax(axis=1)
shown_classes = (0, 4, 7, 3)
chosen = [int(np.flatnonzero((test_y == c) & (predicted == c))[0]) for c in shown_classes]

# %%
# Occlusion: the drop in the true class's score, black patch and gray patch
# -------------------------------------------------------------------------
# Entry (a, b) of the 12×12 map belongs to the patch whose top-left corner is
# at row 2a, column 2b. It is drawn on the 2×2 pixels at the centre of that
# patch (rows 2a + 2 and 2a + 3), so the map lines up with the digit, whose
# outline is drawn over it; the 2-pixel frame where no patch is centred stays
# white. The drop is that of the logit: the probability of most of these
# digits is so close to 1 that covering a patch moves the logit a lot and the
# probability hardly at all.
size, stride = 6, 2
corners = occlusion_corners(size, stride)
PATCHES = {"black": 0.0, "gray": 0.5}
maps = {
    name: [occlusion_map(params, images[i], test_y[i], size, stride, value=value) for i in chosen]
    for name, value in PATCHES.items()
}
centre = size // 2 - 1  # the 2×2 block at the centre of a 6×6 patch starts 2 pixels in
extent = (corners[0] + centre - 0.5, corners[-1] + centre + stride - 0.5)
extent = (extent[0], extent[1], extent[1], extent[0])
limit = symmetric_limit(*maps["black"], *maps["gray"])
edges = np.arange(-1, 29)
OUTLINE, FRAME = "#000000", "#999999"
fig, axes = plt.subplots(4, 3, figsize=(WIDTH, 11.6))
fig.subplots_adjust(left=0.01, right=0.99, top=0.955, bottom=0.085, wspace=0.08, hspace=0.2)
for row, index in enumerate(chosen):
    label = test_y[index]
    show_digit(axes[row, 0], images[index], f"digit {label}: p = {probs[index, label]:.3f}")
    for column, name in enumerate(PATCHES, start=1):
        drop = maps[name][row]
        ax = axes[row, column]
        ax.imshow(np.ones((28, 28)), cmap="gray", vmin=0, vmax=1)
        shown = show_signed(ax, drop, limit, f"{name} patch: largest {drop.max():.1f}", extent=extent)
        outline = ax.contour(
            edges,
            edges,
            np.pad(images[index], 1),
            levels=[images[index].max() / 2],
            colors=OUTLINE,
            linewidths=1.2,
        )
        outline.set_clip_on(False)
        ax.add_patch(Rectangle((-0.5, -0.5), 28, 28, fill=False, edgecolor=FRAME, linewidth=0.8))
        ax.set_xlim(-0.5, 27.5)
        ax.set_ylim(27.5, -0.5)
for column in (1, 2):
    add_colorbar_below(fig, shown, axes[-1, column], "drop in the score (logit)", gap=0.03)
save(fig, "part3_occlusion.png")

# Where each digit's score drops most under each patch: the drop, what the network
# answers with that patch, how much ink the patch hides (0 = only background), and
# the drop of the probability there.
covered = {}
for name, value in PATCHES.items():
    for index, drop in zip(chosen, maps[name]):
        label = int(test_y[index])
        a, b = np.unravel_index(drop.argmax(), drop.shape)
        row, col = corners[a], corners[b]
        patched = images[index].copy()
        patched[row : row + size, col : col + size] = value
        after = probabilities(params, patched[None])[0]
        ink = float(images[index][row : row + size, col : col + size].mean())
        covered[name, label] = {
            "drop": float(drop.max()),
            "answer": int(after.argmax()),
            "ink": ink,
            "probability_drop": float(probs[index, label] - after[label]),
        }
        print(f"{name} patch, digit {label}: {covered[name, label]}")
# What the page says of these maps: the black patch's largest drops lie on the
# strokes, the gray patch's on little or no ink (it adds a stroke), and the 0's
# probability hardly moves where its score drops most (the saturated softmax).
assert all(covered["black", c]["drop"] > 1 and covered["black", c]["ink"] > 0.4 for c in shown_classes)
assert all(covered["gray", c]["ink"] < 0.2 for c in shown_classes), covered
assert covered["black", 0]["probability_drop"] < 0.25 and covered["black", 0]["drop"] > 4, covered
# Over all four digits: patch positions whose black patch lowers the score a good
# deal but the probability hardly at all, which a probability map leaves blank.
hidden = sum(
    int(np.sum(hidden_by_softmax(drop, probability_drop)))
    for drop, probability_drop in zip(
        maps["black"],
        (occlusion_map(params, images[i], test_y[i], size, stride, measure="probability") for i in chosen),
    )
)

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
# Set DELETION_FRACTION of the pixels to 0, the background, and measure the mean
# drop of the true class's probability over all held-out digits.
drops = deletion_check(params, images, test_y, fraction=DELETION_FRACTION, repeats=1)
print({name: round(value, 4) for name, value in drops.items()})
save_numbers(
    {
        "deletion_salient": f"{drops['salient']:.3f}",
        "deletion_random": f"{drops['random']:.3f}",
        "deletion_random_ink": f"{drops['random_ink']:.3f}",
        "deletion_digits": str(len(test_y)),
        "deletion_pixels": str(round(DELETION_FRACTION * images[0].size)),
        "deletion_share": f"{100 * DELETION_FRACTION:g} %",
        "hidden_score_drop": f"{HIDDEN_SCORE_DROP:g}",
        "hidden_probability_drop": f"{HIDDEN_PROBABILITY_DROP:g}",
        "occlusion_stride": str(stride),
        **{f"occlusion_{n}_{c}_drop": f"{covered[n, c]['drop']:.1f}" for n in PATCHES for c in shown_classes},
        **{f"occlusion_{n}_{c}_answer": str(covered[n, c]["answer"]) for n in PATCHES for c in shown_classes},
        **{f"occlusion_{n}_{c}_ink": f"{covered[n, c]['ink']:.2f}" for n in PATCHES for c in shown_classes},
        "occlusion_0_probability_drop": f"{covered['black', 0]['probability_drop']:.2f}",
        "occlusion_gray_ink_max": f"{max(covered['gray', c]['ink'] for c in shown_classes):.2f}",
        "occlusion_black_ink_min": f"{min(covered['black', c]['ink'] for c in shown_classes):.2f}",
        "occlusion_hidden": str(hidden),
        "occlusion_positions": str(4 * len(corners) ** 2),
        "occlusion_7_probability": f"{probs[chosen[2], 7]:.2f}",
    },
    "part3_attribution_numbers.txt",
)
