"""
Confusion matrix and every mistake
==================================

How the trained network does on all held-out digits: a confusion matrix
(rows: the true class, columns: the network's answer), then every digit it
gets wrong, with the saliency of the class it wrongly chose.
"""

# %%
# The confusion matrix
# --------------------
import matplotlib.pyplot as plt
import numpy as np

from convviz.attribution import input_gradients, probabilities
from convviz.evaluation import confusion_matrix, misclassified
from convviz.figure_output import save_numbers
from convviz.inspection_plots import FONT, WIDTH, coloured, mosaic, save
from convviz.tiny_cnn import as_input, trained_network

params, _, _, (_, _, test_x, test_y) = trained_network()
images = as_input(test_x)[..., 0]
probs = probabilities(params, images)
predicted = probs.argmax(axis=1)
counts = confusion_matrix(test_y, predicted)
wrong = misclassified(test_y, predicted)
print(counts)
print(f"{len(wrong)} of {len(test_y)} test digits misclassified")

fig, ax = plt.subplots(figsize=(5.4, 4.8))
fig.subplots_adjust(left=0.14, right=0.98, top=0.98, bottom=0.13)
ax.imshow(np.log1p(counts), cmap="Purples")
for (t, p), value in np.ndenumerate(counts):
    if value:
        ax.text(
            p,
            t,
            str(value),
            ha="center",
            va="center",
            fontsize=FONT,
            color="white" if value > counts.max() / 4 else "black",
        )
ax.set_xticks(range(10))
ax.set_yticks(range(10))
ax.tick_params(labelsize=FONT)
ax.set_xlabel("network's answer", fontsize=FONT)
ax.set_ylabel("true class", fontsize=FONT)
save(fig, "part3_confusion_matrix.png", width=960)

# %%
# Every misclassified digit and the saliency of the wrong answer
# --------------------------------------------------------------
# Two panels per mistake: the digit, and the absolute gradient of the score of
# the class the network chose.
# Both are coloured here and drawn as one image: the digit in gray, the
# saliency with the magma map from 0 to its own largest value.
said = predicted[wrong]
saliency = np.abs(input_gradients(params, images[wrong], said))
pairs = [
    np.hstack([coloured(images[n], "gray", 0, 1), np.ones((28, 2, 3)), coloured(s, "magma", 0, s.max())])
    for n, s in zip(wrong, saliency)
]
channels, corners = zip(*(mosaic([pair[..., k] for pair in pairs], 3, gap=13) for k in range(3)))
tiled = np.nan_to_num(np.stack(channels, axis=-1), nan=1.0)
tiled = np.vstack([np.ones((13, tiled.shape[1], 3)), tiled])
fig = plt.figure(figsize=(WIDTH, WIDTH * tiled.shape[0] / tiled.shape[1]))
ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
ax.imshow(np.round(255 * tiled).astype(np.uint8), interpolation="nearest")
ax.set_axis_off()
for n, answer, (top, left) in zip(wrong, said, corners[0]):
    label = f"true {test_y[n]}, said {answer} ({probs[n, answer]:.2f})\ndigit, saliency of {answer}"
    ax.text(left + 29, top + 13 - 0.8, label, ha="center", va="bottom", fontsize=FONT, linespacing=1.1)
fig.panels = (2 * len(wrong), ["28x28"])
fig.panel_width = (ax, 28)
save(fig, "part3_mistakes.png")
wrong_answers = np.bincount(predicted[wrong], minlength=10)
save_numbers(
    {
        "mistakes_count": str(len(wrong)),
        "mistakes_total": str(len(test_y)),
        "mistakes_accuracy": f"{100 * (1 - len(wrong) / len(test_y)):.1f} %",
        "mistakes_common_answer": str(int(wrong_answers.argmax())),
        "mistakes_common_answer_count": str(int(wrong_answers.max())),
    },
    "part3_mistake_numbers.txt",
)
