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
from convviz.inspection_plots import FONT, WIDTH, caption, save
from convviz.tiny_cnn import as_input, trained_network

params, _, _, (_, _, test_x, test_y) = trained_network()
images = as_input(test_x)[..., 0]
#: The digits' outline: cyan, clear on the dark and the bright end of magma.
OUTLINE = "#2ee6ff"
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
# Every misclassified digit over the saliency of the wrong answer
# ---------------------------------------------------------------
# One panel per mistake, three to a row, each more than 200 CSS px wide in the
# page column: the absolute gradient of the score of the class the network
# chose, in the magma map from 0 to its own largest value, and over it the
# outline of the digit, the contour where its ink is half its largest value.
said = predicted[wrong]
saliency = np.abs(input_gradients(params, images[wrong], said))
columns = 3
rows = -(-len(wrong) // columns)
row_height = 2.93
fig, axes = plt.subplots(rows, columns, figsize=(WIDTH, row_height * rows), squeeze=False)
top = 1 - 0.36 / (row_height * rows)
fig.subplots_adjust(left=0.005, right=0.995, top=top, bottom=0.005, wspace=0.05, hspace=0.14)
edges = np.arange(-1, 29)
for ax in axes.flat:
    ax.set_axis_off()
for ax, n, answer, s in zip(axes.flat, wrong, said, saliency):
    ax.imshow(s, cmap="magma", vmin=0, vmax=s.max(), interpolation="nearest")
    # The digit padded with background, so that ink touching the border still gives a closed outline.
    outline = ax.contour(
        edges, edges, np.pad(images[n], 1), levels=[images[n].max() / 2], colors=OUTLINE, linewidths=2.0
    )
    outline.set_clip_on(False)
    ax.set_xlim(-0.5, 27.5)
    ax.set_ylim(27.5, -0.5)
    caption(ax, f"true {test_y[n]}, said {answer} ({probs[n, answer]:.2f})", y=1.02)
save(fig, "part3_mistakes.png")
wrong_answers = np.bincount(predicted[wrong], minlength=10)
if wrong_answers.max() > 1:
    common = (
        f"its most common wrong answer is {wrong_answers.argmax()} ({wrong_answers.max()} of the mistakes)"
    )
else:
    common = "no wrong answer comes up more than once"
save_numbers(
    {
        "mistakes_common": common,
        "mistakes_count": str(len(wrong)),
        "mistakes_total": str(len(test_y)),
        "mistakes_accuracy": f"{100 * (1 - len(wrong) / len(test_y)):.1f} %",
        "mistakes_common_answer": str(int(wrong_answers.argmax())),
        "mistakes_common_answer_count": str(int(wrong_answers.max())),
    },
    "part3_mistake_numbers.txt",
)
