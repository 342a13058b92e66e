"""
Edge detectors learned from photographs
=======================================

FastICA from scikit-learn, run on 20,000 patches of 8×8 pixels cut from six
photographs that ship with scikit-image, finds 36 filters whose outputs are as
independent as it can make them (Bell & Sejnowski 1997). Most come out as
oriented, localized edge and bar detectors. The structure-tensor coherence
measures how oriented each filter is, against random filters of the same size
and against the same ICA run on a control: the photographs with their phases
randomised, which keeps their power spectrum and removes their edges.
Twelve of the learned filters are then applied to one photograph.
"""

# %%
# Patches of the photographs, and FastICA
# ---------------------------------------
import matplotlib.pyplot as plt
import numpy as np

from convviz.convolution import correlate2d
from convviz.edge_learning import (
    PHOTOGRAPHS,
    coherence,
    grayscale_photo,
    learn_ica_filters,
    orientation,
    phase_randomised,
    random_filters,
    sample_patches,
)
from convviz.figure_output import save_numbers
from convviz.inspection_plots import (
    FONT,
    SIGNED_CMAP,
    WIDTH,
    coloured,
    mosaic,
    save,
)
from convviz.photos import camera

patch_count, patch_size, components = 20000, 8, 36
photos = [grayscale_photo(name) for name in PHOTOGRAPHS]
patches = sample_patches(photos, patch_count, patch_size, seed=0)
filters = learn_ica_filters(patches, components, seed=0)
learned_coherence = coherence(filters)
random_count = 1000
random_coherence = coherence(random_filters(random_count, patch_size, seed=0))
# The control: the same sampling and the same ICA on the photographs with their Fourier
# phases randomised (the same power spectrum, no edges).
controls = [phase_randomised(photo, seed=k) for k, photo in enumerate(photos)]
control_patches = sample_patches(controls, patch_count, patch_size, seed=0)
control_coherence = coherence(learn_ica_filters(control_patches, components, seed=0))
# A filter counts as oriented when its coherence is above every random filter's: a
# threshold that fewer than 1 in random_count random filters would reach by chance.
threshold = float(random_coherence.max())
oriented = int((learned_coherence > threshold).sum())
control_oriented = int((control_coherence > threshold).sum())
# The page says the photographs give at least twice as many oriented filters as their spectrum.
assert oriented >= 2 * control_oriented, (oriented, control_oriented)
print(
    f"oriented (coherence > {threshold:.3f}): {oriented} of {components} learned, "
    f"{control_oriented} of {components} from the control"
)

# %%
# The 36 filters, most oriented first, and the coherence of each
# --------------------------------------------------------------
order = np.argsort(-learned_coherence, kind="stable")
# The grid spans the column, each filter about 110 CSS px wide (one filter
# pixel apart side by side, two apart between rows for the coherence over each
# filter); the histogram goes under it. A filter drawn 200 CSS px wide would
# need a grid three to a row, twelve rows tall, so the filters count as one panel.
scaled = filters[order] / np.abs(filters[order]).max(axis=(1, 2), keepdims=True)
columns, across, down, heading = 6, 1, 2, 2
rows = -(-components // columns)
grid_shape = (heading + rows * (patch_size + down) - down, columns * (patch_size + across) - across)
tiles = np.full(grid_shape, np.nan)
corners = []
for k, f in enumerate(scaled):
    top, left = heading + (k // columns) * (patch_size + down), (k % columns) * (patch_size + across)
    tiles[top : top + patch_size, left : left + patch_size] = f
    corners.append((top, left))
grid_height = WIDTH * tiles.shape[0] / tiles.shape[1]
histogram_height, margin = 3.3, 0.3
height = grid_height + margin + histogram_height
fig = plt.figure(figsize=(WIDTH, height))
grid_ax = fig.add_axes((0.0, 1 - grid_height / height, 1.0, grid_height / height))
histogram = fig.add_axes((0.1, 0.65 / height, 0.88, (histogram_height - 0.65) / height))
grid_ax.imshow(
    tiles,
    cmap=plt.get_cmap(SIGNED_CMAP).with_extremes(bad="white"),
    vmin=-1,
    vmax=1,
    interpolation="nearest",
)
for (top, left), f in zip(corners, order):
    grid_ax.text(
        left + 3.5,
        top - 0.5,
        f"{learned_coherence[f]:.2f}",
        ha="center",
        va="bottom",
        fontsize=FONT,
        color="#5e3c99" if learned_coherence[f] > threshold else "#b35806",
    )
grid_ax.set_axis_off()
bins = np.linspace(0, 1, 21)
histogram.hist(
    random_coherence,
    bins=bins,
    weights=np.full(random_count, 1 / random_count),
    color="#fdb863",
    label=f"{random_count:,} random 8×8",
)
histogram.hist(
    learned_coherence,
    bins=bins,
    weights=np.full(components, 1 / components),
    histtype="step",
    lw=2.2,
    color="#5e3c99",
    label=f"{components} learned by ICA",
)
histogram.hist(
    control_coherence,
    bins=bins,
    weights=np.full(components, 1 / components),
    histtype="step",
    lw=2.2,
    ls=":",
    color="#000000",
    label=f"{components} by ICA, phase-randomised",
)
histogram.axvline(threshold, color="black", lw=1, ls="--")
histogram.set_xlabel("structure-tensor coherence", fontsize=FONT)
histogram.set_ylabel("share of filters", fontsize=FONT)
histogram.tick_params(labelsize=FONT)
histogram.set_ylim(0, 1.4 * histogram.get_ylim()[1])
histogram.legend(fontsize=FONT, loc="upper left", frameon=False)
# Two panels: the grid of filters, as wide as the column, and the histogram.
save(fig, "part3_ica_filters.png", panels=(2, ["8x8"]))

# %%
# Twelve learned filters applied to one photograph
# ------------------------------------------------
# The twelve most oriented filters, sorted by the direction of change they
# measure, each correlated with the cameraman photograph at 128×128 (edge
# padding), drawn in gray: mid-gray is 0, white positive, black negative.
photo = camera(128) / 255.0
twelve = order[:12][np.argsort(orientation(filters[order[:12]]), kind="stable")]
# One image holds all thirteen panels: the responses in gray from −limit to
# +limit (limit: the 99.5th percentile of each response's magnitude), each
# filter (enlarged 4×, purple-white-orange) in its top-left corner.
responses = []
for f in twelve:
    response = correlate2d(photo, filters[f], padding="same", pad_mode="edge")
    limit = np.percentile(np.abs(response), 99.5)
    shown = coloured(response, "gray", -limit, limit)
    scale = np.abs(filters[f]).max()
    shown[:32, :32] = np.repeat(np.repeat(coloured(filters[f], SIGNED_CMAP, -scale, scale), 4, 0), 4, 1)
    responses.append(shown)
# The photograph above, the maps three to a row under it: every panel more
# than 200 CSS px wide in the page column.
gap, heading = 4, 12
grids = [mosaic([r[..., k] for r in responses], 3, gap=gap)[0] for k in range(3)]
below = np.stack(grids, axis=-1)
tiled = np.ones((heading + 128 + heading + below.shape[0], below.shape[1], 3))
left = (below.shape[1] - 128) // 2
tiled[heading : heading + 128, left : left + 128] = coloured(photo, "gray", 0, 1)
tiled[2 * heading + 128 :] = below
top = heading
fig = plt.figure(figsize=(WIDTH, WIDTH * tiled.shape[0] / tiled.shape[1]))
ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
pixels = np.round(255 * np.clip(np.nan_to_num(tiled, nan=1.0), 0, 1)).astype(np.uint8)
ax.imshow(pixels, interpolation="nearest")
ax.set_axis_off()
ax.text(left + 64, top - 2, "photograph", ha="center", va="bottom", fontsize=FONT)
save(fig, "part3_twelve_feature_maps.png", panels=(13, ["128x128", "8x8"]), panel_width=(ax, photo.shape[1]))
save_numbers(
    {
        "ica_patches": f"{patch_count:,}",
        "ica_patch_size": f"{patch_size}×{patch_size}",
        "ica_components": str(components),
        "ica_photographs": str(len(PHOTOGRAPHS)),
        "ica_oriented": str(oriented),
        "ica_threshold": f"{threshold:.3f}",
        "control_oriented": str(control_oriented),
        "control_coherence_median": f"{np.median(control_coherence):.2f}",
        "random_filter_count": f"{random_count:,}",
        "random_coherence_max": f"{random_coherence.max():.3f}",
        "ica_coherence_median": f"{np.median(learned_coherence):.2f}",
        "random_coherence_median": f"{np.median(random_coherence):.2f}",
    },
    "part3_edge_numbers.txt",
)
