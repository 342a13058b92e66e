"""
Train it yourself: what to look for
===================================

The network explorer's training panel runs the recipe of ``convviz.tiny_cnn.train``
in the page. Three things it makes visible are measured here with the same recipe
and the same training and test digits: two seeds learn different first-layer filters
and read the test digits about equally well; training without distorting the digits
reads fewer of the project's drawn digits; and a first layer kept at its random
start still learns (measured in part 2).
"""

# %%
# Two seeds
# ---------
# The seed decides the random start and the order of the digits, nothing else.
import matplotlib.pyplot as plt
import numpy as np

from convviz.drawn_digits import drawings, prepared
from convviz.figure_output import save_numbers
from convviz.plotting import save_svg, show_kernel
from convviz.tiny_cnn import BATCH_SIZE, SEED, as_input, forward, trained_network

params, _, history, data = trained_network()
test_count = len(data[3])
other_seed = SEED + 1
other, _, other_history, _ = trained_network(seed=other_seed)
accuracy = {SEED: history["test_accuracy"][-1], other_seed: other_history["test_accuracy"][-1]}
for seed, value in accuracy.items():
    print(f"seed {seed}: test accuracy {value:.1%}")

# Which filter of one seed is most like which of the other: the largest |correlation|.
first = params["W1"].reshape(4, -1)
second = other["W1"].reshape(4, -1)
closest = np.abs(np.corrcoef(first, second)[:4, 4:]).max(axis=1)
print("largest |correlation| of each filter of seed", SEED, "with one of seed", other_seed, closest.round(2))

# The page says the two seeds read the test digits about equally well, with different filters.
assert abs(accuracy[SEED] - accuracy[other_seed]) <= 0.01, "reword the page: the seeds' accuracies differ"
assert closest.max() < 0.9, "reword the page: a filter of one seed matches one of the other"

limit = max(np.abs(first).max(), np.abs(second).max())
fig, axes = plt.subplots(4, 2, figsize=(4.6, 9.6))
for f in range(4):
    for column, (seed, weights) in enumerate(((SEED, params), (other_seed, other))):
        show_kernel(
            axes[f, column],
            weights["W1"][f, :, :, 0].round(2),
            f"seed {seed}, filter {f + 1}",
            limit=limit,
            fontsize=11,
        )
fig.tight_layout()
save_svg(fig, "part3_two_seeds.svg")

# %%
# With and without distorted training digits
# ------------------------------------------
# The same seed, the digits shown as they are in every epoch; both networks read the
# project's held-out drawn digits, prepared as the explorer prepares a drawing.
plain, _, plain_history, _ = trained_network(augment=False)
found = drawings("test")
images, labels = prepared(found)
read_with = forward(params, as_input(images)).argmax(axis=1)
read_without = forward(plain, as_input(images)).argmax(axis=1)
right_with, right_without = int((read_with == labels).sum()), int((read_without == labels).sum())
changed = int((read_with != read_without).sum())
print(f"drawn digits read right: {right_with} with distortions, {right_without} without, of {len(labels)}")
print(f"test digits: {plain_history['test_accuracy'][-1]:.1%} without distortions")
# The page says distortions help with drawings.
assert right_with > right_without, "reword the page: distortions do not help the drawn digits"
# ... and that without them the test digits are read as well (within one percentage point).
assert abs(plain_history["test_accuracy"][-1] - accuracy[SEED]) <= 0.01, (
    "reword the page: test accuracies differ"
)


def percent(fraction):
    return f"{100 * fraction:.1f} %"


save_numbers(
    {
        "own_seed": str(SEED),
        "train_batch_size": str(BATCH_SIZE),
        "own_other_seed": str(other_seed),
        "own_seed_accuracy": percent(accuracy[SEED]),
        "own_other_seed_accuracy": percent(accuracy[other_seed]),
        "own_seed_correct": f"{round(accuracy[SEED] * test_count)} of {test_count}",
        "own_other_seed_correct": f"{round(accuracy[other_seed] * test_count)} of {test_count}",
        "own_closest_correlation": f"{closest.max():.2f}",
        "own_drawn_count": str(len(labels)),
        "own_drawn_with": f"{right_with} of {len(labels)}",
        "own_drawn_without": f"{right_without} of {len(labels)}",
        "own_drawn_changed": str(changed),
        "own_plain_test_accuracy": percent(plain_history["test_accuracy"][-1]),
    },
    "part3_own_training_numbers.txt",
)
