"""
Class models: inputs optimized for a class score
================================================

Starting from a black image, gradient ascent changes the pixels to raise one
class's score, as Simonyan, Vedaldi and Zisserman (2014) did for a large
network. Without regularization the result is a speckled pattern; with a
penalty on large pixel values and a blur every few steps (one of the
regularizers surveyed by Olah, Mordvintsev and Schubert, 2017) it is smoother.
Either way it is a picture of what raises a score, not of what a digit looks like.
"""

# %%
# Gradient ascent on each class score, with and without regularization
# --------------------------------------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from convviz.activation_maximization import class_models, class_scores
from convviz.figure_output import save_numbers
from convviz.inspection_plots import FONT, WIDTH, mosaic, save
from convviz.tiny_cnn import as_input, forward, trained_network

params, _, _, (_, _, test_x, test_y) = trained_network()
steps, rate = 100, 0.2
settings = {
    "plain": {},
    "regularized": {"l2": 0.05, "blur_sigma": 1.0, "blur_every": 4},
}
models = {name: class_models(params, steps=steps, rate=rate, **options) for name, options in settings.items()}
scores = {name: class_scores(params, images) for name, images in models.items()}
for name, (logits, probs) in scores.items():
    print(name, "logits", logits.round(1).tolist(), "lowest probability", probs.min().round(4))

# %%
# Each class in one row: a held-out digit, the plain model, the regularized one
# -----------------------------------------------------------------------------
# One image holds all thirty; each is titled with the score (logit) it gets for
# its row's class. The two models of a class sit side by side, next to a real
# digit of that class, so the settings compare at a glance; three to a row keep
# every image more than 200 CSS px wide in the page column.
predicted = forward(params, as_input(test_x)).argmax(axis=1)
examples = [int(np.flatnonzero((test_y == c) & (predicted == c))[0]) for c in range(10)]
digit_images = as_input(test_x[examples])[..., 0]
digit_logits = forward(params, digit_images[..., None])[np.arange(10), np.arange(10)]
columns = {
    "held-out digit": (digit_images, digit_logits),
    "plain": (models["plain"], scores["plain"][0]),
    "regularized": (models["regularized"], scores["regularized"][0]),
}
rows_of_three = np.stack([images for images, _ in columns.values()], axis=1).reshape(30, 28, 28)
gap, heading = 5, 12
grid, corners = mosaic(rows_of_three, 3, gap=gap)
tiled = np.vstack([np.full((heading, grid.shape[1]), np.nan), grid])
fig = plt.figure(figsize=(WIDTH, WIDTH * tiled.shape[0] / tiled.shape[1]))
ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
ax.imshow(
    tiled, cmap=plt.get_cmap("gray").with_extremes(bad="white"), vmin=0, vmax=1, interpolation="nearest"
)
ax.set_axis_off()
for k, name in enumerate(columns):
    ax.text(corners[k][1] + 14, heading - 6.5, name, ha="center", va="bottom", fontsize=FONT, weight="bold")
for n, (row, col) in enumerate(corners):
    c, k = divmod(n, 3)
    logit = list(columns.values())[k][1][c]
    ax.text(col + 14, heading + row - 0.6, f"{c}: {logit:.0f}", ha="center", va="bottom", fontsize=FONT)
save(fig, "part3_class_models.png", panels=(30, ["28x28"]), panel_width=(ax, models["plain"].shape[2]))

# %%
# The numbers the page states
# ---------------------------
# For comparison: the score each held-out digit gets for its own class.
test_logits = forward(params, as_input(test_x))[np.arange(len(test_y)), test_y]
plain_logits, plain_probs = scores["plain"]
regular_logits, regular_probs = scores["regularized"]
save_numbers(
    {
        "class_model_steps": str(steps),
        "class_model_rate": f"{rate:g}",
        "class_model_l2": f"{settings['regularized']['l2']:g}",
        "class_model_blur": f"{settings['regularized']['blur_sigma']:g}",
        "class_model_blur_every": str(settings["regularized"]["blur_every"]),
        "class_model_plain_min_probability": f"{plain_probs.min():.4f}",
        "class_model_regularized_min_probability": f"{regular_probs.min():.4f}",
        "class_model_plain_logit_range": f"{plain_logits.min():.0f} to {plain_logits.max():.0f}",
        "class_model_regularized_logit_range": f"{regular_logits.min():.0f} to {regular_logits.max():.0f}",
        "test_logit_max": f"{test_logits.max():.0f}",
        "test_logit_median": f"{np.median(test_logits):.0f}",
    },
    "part3_class_model_numbers.txt",
)
