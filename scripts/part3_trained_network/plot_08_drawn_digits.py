"""
Drawn digits: what to expect from your own drawing
==================================================

The held-out test digits come from the same 43 writers and the same scanner
as the training digits. A learner's drawing does not: it can be any size,
anywhere in the grid, slanted, drawn with a mouse. The project drew its own
digits (``convviz.drawn_digits``: ten digits in several writing styles, 12 to
24 cells tall, anywhere in the grid, slanted either way) and measures the
network on the held-out half, prepared exactly as the network explorer
prepares a drawing.
"""

# %%
# How the data set's digits fill their bitmap
# -------------------------------------------
# The normalisation a drawing has to copy, measured on the 8×8 block counts:
# is the ink as tall as the bitmap, how wide is it, what is centred?
import matplotlib.pyplot as plt
import numpy as np

from convviz import drawing
from convviz.attribution import probabilities
from convviz.drawing import ink_extent, prepare
from convviz.drawn_digits import CENTRED_WITHIN, SIZE_GROUPS, accuracy_by_group, drawings, prepared
from convviz.figure_output import save_numbers
from convviz.inspection_plots import WIDTH, caption, save
from convviz.tiny_cnn import load_digit_counts, trained_network

data_counts, data_labels = load_digit_counts()  # 8×8 block counts, 0 to 16
extent = ink_extent(data_counts)
zeros = data_labels == 0
tall = extent["top"] & extent["bottom"]
print(f"ink in the top and the bottom row: {tall.sum()} of {len(tall)} digits")
print(f"width in pixels: median {np.median(extent['width']):.1f}")
box, mass = extent["box_centre"][zeros], extent["mass_centre"][zeros]
print(f"zeros: box centre {box.mean():.2f} ± {box.std():.2f}")
print(f"zeros: centre of mass {mass.mean():.2f} ± {mass.std():.2f}")
#: The zeros' widths the page counts: within ZERO_WIDTH_SLACK pixels of ZERO_WIDTH.
ZERO_WIDTH, ZERO_WIDTH_SLACK = 20, 2
zero_widths = extent["width"][zeros]
data_numbers = {
    "data_digits": f"{len(tall):,}",
    "data_top_bottom_share": f"{100 * tall.mean():.0f} %",
    "data_width_median": f"{np.median(extent['width']):.0f}",
    "data_zero_width_share": f"{100 * (np.abs(zero_widths - ZERO_WIDTH) <= ZERO_WIDTH_SLACK).mean():.0f} %",
    "data_zero_width_low": str(ZERO_WIDTH - ZERO_WIDTH_SLACK),
    "data_zero_width_high": str(ZERO_WIDTH + ZERO_WIDTH_SLACK),
    "data_zero_box_centre": f"{box.mean():.2f} ± {box.std():.2f}",
    "data_zero_mass_centre": f"{mass.mean():.2f} ± {mass.std():.2f}",
    "drawn_ink_columns": f"{drawing.INK_WIDTH * drawing.BITMAP / drawing.GRID:g}",
    "drawn_max_stretch": f"{drawing.MAX_STRETCH:g}",
    "drawn_max_scale": f"{drawing.MAX_SCALE:g}",
    "drawn_pen_width": f"{drawing.PEN_WIDTH:g}",
}

# %%
# Accuracy on the held-out drawings, by size, position and style
# ---------------------------------------------------------------
params, _, history, data = trained_network()


def percent(right, count):
    return f"{100 * right / count:.1f} %"


def measured(which):
    found = drawings(which)
    images, labels = prepared(found)
    probs = probabilities(params, images / 255.0)
    return found, images, probs, accuracy_by_group(found, probs.argmax(axis=1))


found, images, probs, groups = measured("test")
_, _, _, dev_groups = measured("dev")
predicted = probs.argmax(axis=1)
for kind in ("size", "position", "style"):
    for name, (right, count) in groups[kind].items():
        print(f"{kind:8} {name:24} {right:3} of {count:3}  {percent(right, count)}")
right, count = groups["all"]
print(f"held-out drawings: {right} of {count} ({percent(right, count)})")

# The same drawings inked where they were drawn, without the scaling and centring.
unscaled = np.stack([prepare(drawn.strokes, normalised=False) for drawn in found])
labels = np.array([drawn.label for drawn in found])
unscaled_right = int((probabilities(params, unscaled / 255.0).argmax(axis=1) == labels).sum())
print(f"without scaling and centring: {unscaled_right} of {count}")

# %%
# How sure are the wrong answers, and how far does the network follow a shift?
# ----------------------------------------------------------------------------
# A probability near 1 is no sign of a right answer: count the wrong answers given with more
# than SURE, with and without the scaling and centring. Then move the stored test digits right
# by a few pixels (zeros come in on the left): the convolutions follow the shift, but the
# dense layer has one weight per position of the last maps, and the training digits always
# filled the frame in the same place.
SURE = 0.9
unscaled_probs = probabilities(params, unscaled / 255.0)
confidence = {}
for name, found_probs in (("drawn", probs), ("drawn_unscaled", unscaled_probs)):
    wrong = found_probs.argmax(axis=1) != labels
    sure = found_probs.max(axis=1) > SURE
    confidence[f"{name}_wrong"] = str(int(wrong.sum()))
    confidence[f"{name}_wrong_sure"] = str(int((wrong & sure).sum()))
    print(f"{name}: {wrong.sum()} wrong, {(wrong & sure).sum()} of them with probability above {SURE}")
_, _, test_images, test_labels = data
#: How far (pixels) the stored test digits are moved right.
SHIFTS = (2, 4, 6)
for step, pixels in enumerate(SHIFTS, start=1):
    moved = np.zeros_like(test_images)
    moved[:, :, pixels:] = test_images[:, :, :-pixels]
    right_moved = (probabilities(params, moved / 255.0).argmax(axis=1) == test_labels).mean()
    confidence[f"shift_{step}_pixels"] = str(pixels)
    confidence[f"shift_{step}_accuracy"] = f"{100 * right_moved:.1f} %"
    print(f"test digits moved right by {pixels} pixels: {100 * right_moved:.1f} % right")
confidence["sure_above"] = f"{SURE:g}"
# A digit to try it on: the first stored test digit read right where it is and wrong when the
# explorer's Shift+arrow has moved it SHIFT_TRY cells right.
SHIFT_TRY = 4
moved = np.zeros_like(test_images)
moved[:, :, SHIFT_TRY:] = test_images[:, :, :-SHIFT_TRY]
here = probabilities(params, test_images / 255.0).argmax(axis=1)
there = probabilities(params, moved / 255.0).argmax(axis=1)
example = int(np.flatnonzero((here == test_labels) & (there != test_labels))[0])
confidence["shift_example"] = str(example)
confidence["shift_example_label"] = str(int(test_labels[example]))
confidence["shift_example_answer"] = str(int(there[example]))
confidence["shift_example_moves"] = str(SHIFT_TRY)
print(f"test digit {example}, a {test_labels[example]}, moved {SHIFT_TRY} cells right: {there[example]}")

numbers = {
    **data_numbers,
    **confidence,
    "drawn_count": str(count),
    "drawn_height_low": f"{min(drawn.height for drawn in found):.0f}",
    "drawn_height_high": f"{max(drawn.height for drawn in found):.0f}",
    "drawn_centred_within": f"{CENTRED_WITHIN:g}",
    "drawn_correct": f"{right} of {count}",
    "drawn_accuracy": percent(right, count),
    "drawn_dev_accuracy": percent(*dev_groups["all"]),
    "drawn_dev_count": str(dev_groups["all"][1]),
    "drawn_unscaled_accuracy": percent(unscaled_right, count),
    "drawn_styles": str(len(groups["style"])),
    "drawn_test_accuracy": f"{100 * history['test_accuracy'][-1]:.1f} %",
}
for (name, _, _), key in zip(SIZE_GROUPS, ("small", "medium", "large")):
    numbers[f"drawn_size_{key}"] = percent(*groups["size"][name])
    numbers[f"drawn_size_{key}_name"] = name
for name, key in (("centred", "centred"), ("off-centre", "off"), ("near a corner", "corner")):
    numbers[f"drawn_position_{key}"] = percent(*groups["position"][name])
worst = min(groups["style"].items(), key=lambda item: item[1][0] / item[1][1])
numbers["drawn_worst_style"] = worst[0]
numbers["drawn_worst_style_accuracy"] = percent(*worst[1])
numbers["drawn_worst_style_count"] = f"{worst[1][0]} of {worst[1][1]}"
answers = np.bincount(predicted[[d.style_group == worst[0] for d in found]], minlength=10)
numbers["drawn_worst_style_answer"] = str(int(answers.argmax()))
# The page explains the hardest style: a 1 with a foot, read as a 2.
assert (worst[0], answers.argmax()) == ("1 flag and base", 2), f"{worst}, {answers}: reword the page"
save_numbers(numbers, "part3_drawn_numbers.txt")

# %%
# Drawings as drawn and as the network gets them
# ----------------------------------------------
# Each drawing in a column: the strokes in the 28×28 grid as drawn, and below
# them the network's input made from them, under the network's answer. The top
# half: three small drawings away from the middle that the network reads
# right; the bottom half: the first drawing of each of three writing styles it
# misreads.
small_and_aside = [
    i
    for i, d in enumerate(found)
    if d.size_group == "12-15 cells" and d.position_group != "centred" and predicted[i] == d.label
]
shown_right = [next(i for i in small_and_aside if found[i].label == digit) for digit in (0, 4, 7)]
misread = [i for i in range(count) if predicted[i] != found[i].label]
first_of_style = {found[i].style_group: i for i in reversed(misread)}
shown_wrong = sorted(first_of_style.values())[:3]
assert len(shown_wrong) == 3, "the figure and its alt text show three misread drawings"
side = 2.7
fig, axes = plt.subplots(4, 3, figsize=(WIDTH, 4 * side))
fig.subplots_adjust(left=0.01, right=0.99, top=0.97, bottom=0.005, wspace=0.08, hspace=0.2)
for column, (top, n) in enumerate([(0, i) for i in shown_right] + [(2, i) for i in shown_wrong]):
    column %= 3
    drawn, seen = axes[top, column], axes[top + 1, column]
    drawn.add_patch(plt.Rectangle((0, 0), 28, 28, facecolor="black"))
    for stroke in found[n].strokes:
        xs, ys = zip(*stroke)
        drawn.plot(xs, ys, color="white", linewidth=2.0, solid_capstyle="round")
    drawn.set_xlim(0, 28)
    drawn.set_ylim(28, 0)
    drawn.set_aspect("equal")
    drawn.set_xticks([])
    drawn.set_yticks([])
    caption(drawn, f"a {found[n].label}, {found[n].style}", y=1.02)
    seen.imshow(images[n], cmap="gray", vmin=0, vmax=255, interpolation="nearest")
    seen.set_axis_off()
    caption(seen, f"network's input: read as {predicted[n]}", y=1.02)
save(fig, "part3_drawn_digits.png")
