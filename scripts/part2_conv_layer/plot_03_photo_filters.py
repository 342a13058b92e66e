"""
Filters on a colour photograph
==============================

Chelsea the cat (public domain, shipped with scikit-image) through a vertical
and a horizontal edge filter and through eight random 3×3×3 filters: one
convolution over all three colour channels with stride, padding and bias,
one feature map per filter, then 2×2 max pooling.
"""

# %%
# Hand-made edge filters on every colour channel
# ----------------------------------------------
import numpy as np

from convviz.display import stretch, to_uint8
from convviz.figure_output import save_png
from convviz.layers import conv2d, maxpool2d
from convviz.photos import chelsea
from convviz.plotting import image_grid

photo = chelsea(256)
vertical = np.array([[1, 0, -1]] * 3, dtype=float)
edge_filters = np.stack([vertical, vertical.T])[..., None].repeat(3, axis=3) / 3  # (2, 3, 3, 3)
edges = conv2d(photo, edge_filters, np.zeros(2), padding="same")
print(f"photo {photo.shape} -> edge maps {edges.shape}")

# %%
# Eight random filters with stride 2, padding 1 and a bias
# --------------------------------------------------------
# Untrained filters, like those a network starts from: each still mixes the
# three channels into one map, so each highlights a different blend of colour
# and edges.
rng = np.random.default_rng(3)
random_filters = rng.normal(size=(8, 3, 3, 3))
bias = rng.normal(scale=10, size=8)
features = conv2d(photo, random_filters, bias, stride=2, padding=1)
pooled = maxpool2d(features)
print(f"random filters: {photo.shape} -> {features.shape} -> pooled {pooled.shape}")

panels = [photo.astype(np.uint8), stretch(np.abs(edges[..., 0])), stretch(np.abs(edges[..., 1]))]
titles = ["photograph 256×256×3", "vertical edges", "horizontal edges"]
panels += [to_uint8(features[..., f]) for f in range(8)]
titles += [f"random filter {f + 1}: {features.shape[0]}×{features.shape[1]}" for f in range(8)]
panels.append(to_uint8(pooled[..., 0]))
titles.append(f"filter 1 max-pooled: {pooled.shape[0]}×{pooled.shape[1]}")
fig = image_grid(panels, titles, columns=3, fontsize=10)
save_png(fig, "photo_filters.png")
