"""
Exercise 5: what the occlusion solution prints and draws
========================================================

The solution of exercise 5, ``occlusion_solution.py``, run as a learner runs it
on the course's weights and its default test digits: the lines it prints and
the picture it writes, which the page shows. Then the same maps measured on the
probability of the class instead of its score, for the page's comparison.
"""

# %%
# The solution's run
# ------------------
# The download's loops run the network 145 times per digit, which takes seconds.
# Here its forward pass is replaced by the vectorized one of ``convviz`` (the
# same numbers; the tests compare this output with a real run of the download).
import contextlib
import io
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from convviz.attribution import hidden_by_softmax
from convviz.downloads import load_download
from convviz.figure_output import save_file, save_numbers
from convviz.tiny_cnn import forward, save_weights, softmax, trained_network

params, initial, history, data = trained_network()
folder = Path(tempfile.mkdtemp(prefix="convviz-exercise5-"))
save_weights(folder / "tiny_cnn_weights.npz", params, initial, history, data)

solution = load_download("occlusion_solution")


def scores(image):
    return forward(solution.WEIGHTS, np.asarray(image, dtype=np.float64)[None, :, :, None])[0]


solution.forward = scores
printed = io.StringIO()
previous = Path.cwd()
try:
    os.chdir(folder)
    with contextlib.redirect_stdout(printed):
        status = solution.main(["--weights", str(folder / "tiny_cnn_weights.npz")])
finally:
    os.chdir(previous)
assert status == 0, printed.getvalue()
print(printed.getvalue())
save_file(
    lambda path: path.write_text("$ python occlusion_solution.py\n" + printed.getvalue()),
    "occlusion_solution_output.txt",
)
save_file(lambda path: path.write_bytes((folder / solution.MAPS_PNG).read_bytes()), solution.MAPS_PNG)

# %%
# The score against the probability
# ---------------------------------
# For each default digit, the patches whose covering lowers the class's score a
# good deal but its probability hardly at all (hidden_by_softmax): near 1 the probability
# saturates, and a probability map would leave those patches blank. The page
# names the digit with most of them.
weights, images, labels = solution.load_weights(folder / "tiny_cnn_weights.npz")
counted = []
for number in load_download("occlusion_maps").DIGITS:
    image, label = images[number], int(labels[number])
    drops = solution.occlusion_map(image, scores, label)
    probability_drops = solution.occlusion_map(image, lambda x: softmax(scores(x)[None])[0], label)
    hidden = hidden_by_softmax(drops, probability_drops)
    probability = softmax(scores(image)[None])[0, label]
    counted.append((int(hidden.sum()), number, label, probability, drops, hidden))
    print(
        f"test digit {number}: probability {probability:.6f}, {hidden.sum()} of {drops.size} patches hidden"
    )
count, number, label, probability, drops, hidden = max(counted, key=lambda entry: entry[0])
# The page says that a probability map hides such patches; with none, reword it.
assert count > 0, "no patch lowers the score a good deal and the probability hardly at all"
save_numbers(
    {
        "exercise5_digit": str(number),
        "exercise5_label": str(label),
        "exercise5_probability": f"{probability:.4f}" if probability < 0.9999 else "more than 0.9999",
        "exercise5_hidden": str(count),
        "exercise5_patches": str(drops.size),
        "exercise5_side": str(drops.shape[0]),
        "exercise5_hidden_largest": f"{drops[hidden].max():.2f}",
    },
    "part3_exercise5_numbers.txt",
)
shutil.rmtree(folder)
