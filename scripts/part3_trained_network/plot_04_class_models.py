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

from convviz.activation_maximization import class_models, class_scores
from convviz.figure_output import save_numbers, save_png
from convviz.inspection_plots import DPI, FONT, WIDTH, show_digit
from convviz.tiny_cnn import trained_network

params, _, _, _ = trained_network()
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
# The ten class models, one row per setting
# -----------------------------------------
fig, axes = plt.subplots(2, 10, figsize=(WIDTH, 2.55))
labels = {
    "plain": "pixels kept in [0, 1] only",
    "regularized": "+ L2 penalty 0.05 and blur σ = 1 every 4 steps",
}
for row, name in enumerate(settings):
    logits, _ = scores[name]
    for c in range(10):
        show_digit(axes[row, c], models[name][c], f"{c}: {logits[c]:.0f}")
    axes[row, 0].text(-0.1, 1.42, labels[name], transform=axes[row, 0].transAxes, fontsize=FONT, ha="left")
fig.subplots_adjust(wspace=0.08, hspace=0.75, left=0.01, right=0.99, top=0.83, bottom=0.02)
save_png(fig, "part3_class_models.png", dpi=DPI)

# %%
# The numbers the page states
# ---------------------------
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
    },
    "part3_class_model_numbers.txt",
)
