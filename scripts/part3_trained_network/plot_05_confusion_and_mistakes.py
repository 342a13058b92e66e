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

from convviz.attribution import input_gradient, probabilities
from convviz.evaluation import confusion_matrix, misclassified
from convviz.figure_output import save_numbers, save_png
from convviz.inspection_plots import DPI, FONT, show_digit
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
ax.set_xlabel("network's answer", fontsize=FONT + 1)
ax.set_ylabel("true class", fontsize=FONT + 1)
fig.tight_layout()
save_png(fig, "part3_confusion_matrix.png", dpi=DPI)

# %%
# Every misclassified digit and the saliency of the wrong answer
# --------------------------------------------------------------
# Two panels per mistake: the digit, and the absolute gradient of the score of
# the class the network chose.
columns = 5
pairs_rows = -(-len(wrong) // columns)
fig, axes = plt.subplots(2 * pairs_rows, columns, figsize=(8.0, 3.5 * pairs_rows))
axes = axes.reshape(2 * pairs_rows, columns)
for ax in axes.ravel():
    ax.set_axis_off()
for k, index in enumerate(wrong):
    row, column = 2 * (k // columns), k % columns
    said = int(predicted[index])
    show_digit(
        axes[row, column], images[index], f"true {test_y[index]}, said {said} ({probs[index, said]:.2f})"
    )
    saliency = np.abs(input_gradient(params, images[index], said))
    axes[row + 1, column].imshow(saliency, cmap="magma", vmin=0)
    axes[row + 1, column].set_title(f"saliency of {said}", fontsize=FONT)
fig.tight_layout()
save_png(fig, "part3_mistakes.png", dpi=DPI)
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
