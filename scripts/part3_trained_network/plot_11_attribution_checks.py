"""
More attribution methods, and two checks of them
================================================

Four further maps of what a class score depends on, for the trained network of
exercise 4: gradient × input, SmoothGrad (Smilkov et al. 2017), integrated
gradients (Sundararajan et al. 2017) and Grad-CAM on conv2 (Selvaraju et al.
2017). Then two checks. The cascading model-randomisation test (Adebayo et al.
2018) re-initialises the layers from the top and asks whether each map
changes; deletion and insertion curves (Petsiuk et al. 2018) remove or put
back the pixels each map ranks highest and watch the class's probability.
"""

# %%
# The trained network, its initial weights and the held-out digits
# -----------------------------------------------------------------
# One BLAS thread: these small products gain nothing from two, and on a busy
# machine two threads spinning against each other take several times as long.
import matplotlib.pyplot as plt
import numpy as np
from threadpoolctl import threadpool_limits

from convviz.attribution import input_gradient, input_gradients, probabilities
from convviz.attribution_checks import (
    CASCADE,
    CURVE_STEPS,
    METHODS,
    area_under,
    deletion_insertion,
    randomised,
    rank_correlations,
    sanity_check,
)
from convviz.attribution_methods import (
    INTEGRATED_GRADIENTS_STEPS,
    SMOOTHGRAD_NOISE,
    SMOOTHGRAD_SAMPLES,
    completeness_gap,
    grad_cam,
    gradient_times_input,
    integrated_gradient_maps,
    integrated_gradients,
    smoothgrad,
    upsample,
)
from convviz.figure_output import save_numbers
from convviz.fooling import fool_all, fool_towards
from convviz.inspection_plots import FONT, WIDTH, caption, save, show_digit, show_signed, symmetric_limit
from convviz.plotting import NEGATIVE, POSITIVE
from convviz.tiny_cnn import as_input, forward, trained_network

threadpool_limits(limits=1, user_api="blas")
params, initial, _, (_, _, test_x, test_y) = trained_network()
images = as_input(test_x)[..., 0]
predicted = probabilities(params, images).argmax(axis=1)
#: The digits every check runs on: the first CHECKED held-out digits, for their true class.
CHECKED = 100
checked_images, checked_labels = images[:CHECKED], test_y[:CHECKED]
# Each method's maps of these digits, computed once (all digits through the network
# together) for the checks below.
maps = {name: method(params, checked_images, checked_labels) for name, method in METHODS.items()}
edges = np.arange(-1, 29)


def outline(ax, image, colour="#000000"):
    """The digit's outline (where its ink is half its largest value) over a map."""
    level = [image.max() / 2]
    drawn = ax.contour(edges, edges, np.pad(image, 1), levels=level, colors=colour, linewidths=1.2)
    drawn.set_clip_on(False)
    ax.set_xlim(-0.5, 27.5)
    ax.set_ylim(27.5, -0.5)


# %%
# Five maps of two digits
# -----------------------
# Signed maps in the signed colours, each on its own scale (full colour at its
# largest magnitude); Grad-CAM, never negative, in magma, its 14×14 values drawn
# on 2×2 pixels each.
shown_classes = (4, 7)
chosen = [int(np.flatnonzero((test_y == c) & (predicted == c))[0]) for c in shown_classes]
fig, axes = plt.subplots(4, 3, figsize=(WIDTH, 11.4))
fig.subplots_adjust(left=0.01, right=0.99, top=0.965, bottom=0.005, wspace=0.08, hspace=0.17)
gaps = []
for block, index in enumerate(chosen):
    image, label = images[index], int(test_y[index])
    ig = integrated_gradients(params, image, label)
    gaps.append(completeness_gap(params, image, label, ig))
    signed = {
        "gradient": input_gradient(params, image, label),
        "gradient × input": gradient_times_input(params, image, label),
        "SmoothGrad": smoothgrad(params, image, label),
        "integrated gradients": ig,
    }
    panels = axes[2 * block : 2 * block + 2].ravel()
    show_digit(panels[0], image, f"digit {label}")
    for ax, (name, values) in zip(panels[1:5], signed.items()):
        show_signed(ax, values, symmetric_limit(values), name)
        outline(ax, image)
    cam = upsample(grad_cam(params, image, label))
    panels[5].imshow(cam, cmap="magma", vmin=0, vmax=max(cam.max(), 1e-12), interpolation="nearest")
    caption(panels[5], "Grad-CAM (conv2)")
    panels[5].set_axis_off()
    outline(panels[5], image, "#2ee6ff")
save(fig, "part3_methods.png")
print("completeness gaps of the shown digits:", gaps)

# %%
# Integrated gradients add up to the change of the score
# ------------------------------------------------------
# The completeness identity over the checked digits: the sum of the map against
# logit(digit) − logit(black image), with integrated_gradients' steps of the
# midpoint rule and with a quarter of them.
FEWER_STEPS = INTEGRATED_GRADIENTS_STEPS // 4
with_steps = {}
for steps in (FEWER_STEPS, INTEGRATED_GRADIENTS_STEPS):
    if steps == INTEGRATED_GRADIENTS_STEPS:
        found = maps["integrated gradients"]
    else:
        found = integrated_gradient_maps(params, checked_images, checked_labels, steps=steps)
    relative = []
    for image, label, ig in zip(checked_images, checked_labels, found):
        change = forward(params, np.stack([image, np.zeros_like(image)])[..., None])[:, label]
        relative.append(abs(completeness_gap(params, image, int(label), ig)) / abs(change[0] - change[1]))
    with_steps[steps] = np.array(relative)
    print(f"{steps} steps: median relative gap {np.median(relative):.4f}, largest {np.max(relative):.4f}")

# %%
# The sanity check: re-initialise the layers from the top
# -------------------------------------------------------
# Maps of one digit (the 4) as magnitudes, each on its own scale, for the trained
# network, with the dense layer re-initialised, and with every layer re-initialised.
index, label = chosen[0], int(test_y[chosen[0]])
stages = {name: randomised(params, initial, layers) for name, layers in CASCADE}
drawn_stages = ("trained", "dense", "all layers")
stage_titles = {"trained": "trained", "dense": "dense re-initialised", "all layers": "all re-initialised"}
fig, axes = plt.subplots(len(METHODS), 3, figsize=(WIDTH, 2.75 * len(METHODS)))
fig.subplots_adjust(left=0.01, right=0.99, top=1 - 0.3 / (2.75 * len(METHODS)), bottom=0.005, hspace=0.2)
fig.subplots_adjust(wspace=0.08)
for row, (name, method) in enumerate(METHODS.items()):
    for column, stage in enumerate(drawn_stages):
        values = np.abs(method(stages[stage], images[index : index + 1], [label])[0])
        ax = axes[row, column]
        ax.imshow(values, cmap="magma", vmin=0, vmax=max(values.max(), 1e-12), interpolation="nearest")
        caption(ax, f"{name}: {stage_titles[stage]}" if column == 0 else stage_titles[stage], y=1.02)
        ax.set_axis_off()
save(fig, "part3_sanity_maps.png")

checked = sanity_check(params, initial, checked_images, checked_labels, trained_maps=maps)
unrelated = {name: float(np.nanmedian(values)) for name, values in checked.pop("unrelated").items()}
medians = {name: np.nanmedian(values, axis=1) for name, values in checked.items()}
flat = {name: int(np.isnan(values).sum()) for name, values in checked.items()}
# A method passes when, with every layer re-initialised, its map is no more like the
# trained one than the trained maps of two different digits are like each other.
passes = {name: bool(medians[name][-1] <= unrelated[name]) for name in METHODS}
for name in METHODS:
    print(name, np.round(medians[name], 3), "unrelated", round(unrelated[name], 3), "flat", flat[name])

# %%
# The median rank correlation at each stage of the cascade
# --------------------------------------------------------
STYLES = {
    "gradient": (NEGATIVE, "o", "-"),
    "gradient × input": (POSITIVE, "s", "-"),
    "SmoothGrad": (NEGATIVE, "^", "--"),
    "integrated gradients": (POSITIVE, "D", "--"),
    "Grad-CAM": ("#000000", "v", "-"),
    "occlusion": ("#777777", "x", ":"),
}
fig, ax = plt.subplots(figsize=(WIDTH, 4.6))
fig.subplots_adjust(left=0.12, right=0.64, top=0.96, bottom=0.2)
positions = np.arange(len(CASCADE))
# Right of the cascade, unconnected: each method's yardstick, the median rank correlation
# between the trained maps of two different digits. A method passes when its "+ conv1"
# point lies at or below its yardstick.
for name in METHODS:
    colour, marker, line = STYLES[name]
    ax.plot(positions, medians[name], color=colour, marker=marker, linestyle=line, label=name, linewidth=2)
    ax.plot([len(CASCADE)], [unrelated[name]], color=colour, marker=marker, linestyle="none")
ax.axhline(0, color="#bbbbbb", linewidth=0.8)
ax.axvline(len(CASCADE) - 0.5, color="#bbbbbb", linewidth=0.8, linestyle="--")
labels = ["trained", "dense", "+ conv2", "+ conv1", "two\ndigits"]
ax.set_xticks(np.arange(len(CASCADE) + 1), labels, fontsize=FONT)
ax.set_xlabel("layers re-initialised, from the top", fontsize=FONT)
ax.set_ylabel("median rank correlation\nwith the trained map", fontsize=FONT)
ax.tick_params(labelsize=FONT)
ax.set_ylim(-0.4, 1.05)
ax.legend(fontsize=FONT, frameon=False, loc="center left", bbox_to_anchor=(1.02, 0.5))
save(fig, "part3_sanity_curves.png")

# %%
# Deletion and insertion curves
# -----------------------------
# Each method's pixel scores rank the pixels; 784 / CURVE_STEPS pixels at a time are set to 0
# (deletion) or put back on a black image (insertion). A random order is the
# reference; the area under each curve sums it up.
scores = {**maps, "random order": np.random.default_rng(0).random((CHECKED, 28, 28))}
curves = {
    name: deletion_insertion(params, checked_images, checked_labels, values)
    for name, values in scores.items()
}
areas = {name: (float(area_under(d).mean()), float(area_under(i).mean())) for name, (d, i) in curves.items()}
for name, (deletion_area, insertion_area) in areas.items():
    print(f"{name}: deletion {deletion_area:.3f}, insertion {insertion_area:.3f}")
STYLES["random order"] = ("#bbbbbb", None, "-")
fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 4.5), sharey=True)
fig.subplots_adjust(left=0.1, right=0.98, top=0.92, bottom=0.36, wspace=0.08)
fractions = np.linspace(0, 1, CURVE_STEPS + 1)
for ax, which, title in zip(axes, (0, 1), ("deletion: lower is better", "insertion: higher is better")):
    for name, pair in curves.items():
        colour, marker, line = STYLES[name]
        ax.plot(fractions, pair[which].mean(axis=0), color=colour, linestyle=line, linewidth=2, label=name)
    caption(ax, title)
    ax.set_xlabel("fraction of pixels " + ("removed" if which == 0 else "put back"), fontsize=FONT)
    ax.tick_params(labelsize=FONT)
    ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
    ax.set_xlim(0, 1)
axes[0].set_ylabel("mean p(true class)", fontsize=FONT)
axes[0].legend(fontsize=FONT, frameon=False, ncol=3, loc="upper left", bbox_to_anchor=(0.0, -0.2))
save(fig, "part3_deletion_insertion.png")

# %%
# Fooling: the smallest change of the 8×8 blocks to another digit
# ---------------------------------------------------------------
# For each of the checked digits and each other digit as the target: how many
# steps of one count (of 16) per block the change needs (convviz.fooling).
pairs = [(n, target) for n, label in enumerate(checked_labels) for target in range(10) if target != label]
digits, targets = np.array(pairs).T
fooled = fool_all(params, test_x[digits], targets)
fooled_steps = np.array([int(n) if ok else np.inf for n, ok in zip(fooled["steps"], fooled["reached"])])
print(f"fooling: median {np.median(fooled_steps)} steps, largest {fooled_steps.max()}")
#: The page says how many pairs need at most this many steps.
FEW_STEPS = 4
# Two examples: the digit, the change of its blocks, and the changed input.
examples = [(chosen[0], 9), (chosen[1], 1)]
fig, axes = plt.subplots(2, 3, figsize=(WIDTH, 6.1))
fig.subplots_adjust(left=0.01, right=0.99, top=0.92, bottom=0.005, wspace=0.08, hspace=0.25)
for row, (index, target) in enumerate(examples):
    found = fool_towards(params, test_x[index], target)
    assert found["reached"], (index, target)
    show_digit(axes[row, 0], images[index], f"digit {test_y[index]}")
    largest = int(np.abs(found["delta"]).max())
    show_signed(axes[row, 1], found["delta"], largest, f"change: ±{largest} of 16 counts")
    show_digit(
        axes[row, 2], found["image"] / 255.0, f"read as {target} (p = {found['probabilities'][target]:.2f})"
    )
save(fig, "part3_fooling.png")

by_deletion = sorted(METHODS, key=lambda name: areas[name][0])
# What the page says of the two checks: SmoothGrad and Grad-CAM pass, the gradient
# only nearly; the maps that follow the weights rank the pixels worse, by both curves,
# than the maps that follow the ink.
following_weights, following_ink = (
    ("gradient", "SmoothGrad", "Grad-CAM"),
    (
        "gradient × input",
        "integrated gradients",
        "occlusion",
    ),
)
assert {name for name in METHODS if passes[name]} == {"SmoothGrad", "Grad-CAM"}, medians
# What the alt text of the sanity curves says: at every re-initialised stage, gradient ×
# input and integrated gradients highest, then occlusion, the gradient, SmoothGrad and
# Grad-CAM; the first three almost level after the first stage, the gradient and
# SmoothGrad falling at each stage, Grad-CAM ending with about no correlation.
order = ("occlusion", "gradient", "SmoothGrad", "Grad-CAM")
for stage in range(1, len(CASCADE)):
    at = {name: medians[name][stage] for name in METHODS}
    assert min(at["gradient × input"], at["integrated gradients"]) > at["occlusion"], at
    assert all(at[a] > at[b] for a, b in zip(order, order[1:])), at
for name in ("gradient × input", "integrated gradients", "occlusion"):
    assert np.ptp(medians[name][1:]) < 0.05, (name, medians[name])
for name in ("gradient", "SmoothGrad"):
    assert np.all(np.diff(medians[name]) < 0), (name, medians[name])
assert abs(medians["Grad-CAM"][-1]) < 0.1, medians["Grad-CAM"]
assert min(areas[n][0] for n in following_weights) > max(areas[n][0] for n in following_ink), areas
assert max(areas[n][1] for n in following_weights) < min(areas[n][1] for n in following_ink), areas
# What the alt text of the curves says. Deletion: the maps that follow the ink fall
# fastest; Grad-CAM stays highest at first, then falls below the gradient and
# SmoothGrad, which fall only a little faster than the random order. Insertion:
# gradient × input and integrated gradients rise first, occlusion next; the gradient
# and SmoothGrad only a little faster than the random order; Grad-CAM lowest, below
# the random order for most of the way.
mean_curves = {name: (pair[0].mean(axis=0), pair[1].mean(axis=0)) for name, pair in curves.items()}
first = {name: mean_curves[name][0][1] for name in METHODS}
assert first["Grad-CAM"] == max(first.values()), first
assert max(areas[n][0] for n in following_ink) < areas["Grad-CAM"][0], areas
assert areas["Grad-CAM"][0] < min(areas[n][0] for n in ("gradient", "SmoothGrad")), areas
assert max(areas[n][0] for n in ("gradient", "SmoothGrad")) < areas["random order"][0], areas
risen = {name: mean_curves[name][1][1] for name in METHODS}
assert min(risen["gradient × input"], risen["integrated gradients"]) > risen["occlusion"], risen
assert risen["occlusion"] > max(value for name, value in risen.items() if name not in following_ink), risen
assert areas["random order"][1] < min(areas[n][1] for n in ("gradient", "SmoothGrad")), areas
assert areas["Grad-CAM"][1] == min(area[1] for area in areas.values()), areas
assert np.mean(mean_curves["Grad-CAM"][1] < mean_curves["random order"][1]) > 0.5, mean_curves["Grad-CAM"]

# %%
# Is the saliency specific to the class?
# --------------------------------------
# The rank correlation of the saliency of the true class with that of each other class.
# saliency[c, n]: digit n's saliency for class c; each digit against each class it is not.
saliency = np.array([np.abs(input_gradients(params, checked_images, np.full(CHECKED, c))) for c in range(10)])
own, classes = np.array([(n, c) for n, label in enumerate(checked_labels) for c in range(10) if c != label]).T
others = rank_correlations(saliency[checked_labels[own], own], saliency[classes, own])
print(f"saliency, true class against the others: median rank correlation {np.median(others):.2f}")
by_insertion = sorted(METHODS, key=lambda name: -areas[name][1])


def listed(names):
    """Names as a sentence: "a, b and c"."""
    names = list(names)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def slug(name):
    return name.replace(" × ", "_x_").replace(" ", "_").replace("-", "_").lower()


save_numbers(
    {
        "checked_digits": str(CHECKED),
        "ig_steps": str(INTEGRATED_GRADIENTS_STEPS),
        "ig_steps_fewer": str(FEWER_STEPS),
        "ig_gap_median": f"{100 * np.median(with_steps[INTEGRATED_GRADIENTS_STEPS]):.1f} %",
        "ig_gap_max": f"{100 * np.max(with_steps[INTEGRATED_GRADIENTS_STEPS]):.1f} %",
        "ig_gap_median_fewer": f"{100 * np.median(with_steps[FEWER_STEPS]):.1f} %",
        "smoothgrad_samples": str(SMOOTHGRAD_SAMPLES),
        "smoothgrad_noise": f"{SMOOTHGRAD_NOISE:g}",
        "curve_step_pixels": str(images[0].size // CURVE_STEPS),
        "sanity_pass": listed(name for name in METHODS if passes[name]),
        "sanity_fail": listed(name for name in METHODS if not passes[name]),
        **{
            f"sanity_{slug(name)}_{stage}": f"{medians[name][k]:.2f}"
            for name in METHODS
            for k, stage in enumerate(("trained", "dense", "conv2", "all"))
        },
        **{f"sanity_{slug(name)}_unrelated": f"{unrelated[name]:.2f}" for name in METHODS},
        "sanity_grad_cam_flat": str(flat["Grad-CAM"]),
        **{f"sanity_{slug(name)}_passes": "yes" if passes[name] else "no" for name in METHODS},
        "saliency_other_class_correlation": f"{np.median(others):.2f}",
        **{f"deletion_area_{slug(name)}": f"{areas[name][0]:.3f}" for name in areas},
        **{f"insertion_area_{slug(name)}": f"{areas[name][1]:.3f}" for name in areas},
        "deletion_best": by_deletion[0],
        "fooling_pairs": str(len(fooled_steps)),
        "fooling_reached": str(int(np.isfinite(fooled_steps).sum())),
        "fooling_median_steps": f"{np.median(fooled_steps):.0f}",
        "fooling_few_steps": str(FEW_STEPS),
        "fooling_within_few": f"{100 * np.mean(fooled_steps <= FEW_STEPS):.0f} %",
        "fooling_largest_steps": f"{fooled_steps[np.isfinite(fooled_steps)].max():.0f}",
        "insertion_best": by_insertion[0],
        "deletion_order": listed(by_deletion),
        "insertion_order": listed(by_insertion),
    },
    "part3_attribution_check_numbers.txt",
)
