"""Attribution maps beyond the plain gradient, for the exercise 4 network (``convviz.tiny_cnn``).

Every map explains the logit of one class (its score before softmax) for one
network input, a (28, 28) float64 image in [0, 1]:

* :func:`gradient_times_input`: the gradient times the pixel value;
* :func:`smoothgrad`: the gradient averaged over noisy copies of the input
  (Smilkov et al. 2017);
* :func:`integrated_gradients`: the gradient averaged along the straight path
  from a baseline (black, the digits' background) to the input, times the
  difference (Sundararajan et al. 2017); its entries add up to the change of
  the logit from baseline to input (completeness), up to the sum's step error;
* :func:`grad_cam`: conv2's feature maps weighted by the mean gradient of the
  logit over each map (Selvaraju et al. 2017), 14×14, one value per 2×2 pixels;
* :func:`occlusion_pixel_scores`: an occlusion map spread back onto pixels.
"""

import numpy as np

from convviz.attribution import (
    check_image,
    check_label,
    check_params,
    check_real,
    occlusion_corners,
)
from convviz.convolution import check_whole_number
from convviz.layers import conv2d_backward, maxpool2d_backward
from convviz.tiny_cnn import IMAGE_SIZE, forward

#: Images run through the network at once where a method needs many (memory stays under ~100 MB).
CHUNK = 256


def logit_gradients(params, x, labels):
    """d logits[n, labels[n]] / d x[n] for any finite batch x (N, 28, 28), no range check (noisy inputs)."""
    out = np.empty(x.shape)
    for start in range(0, len(x), CHUNK):
        part = x[start : start + CHUNK, :, :, None]
        logits, (c1, z1, m1, c2, z2, m2, p2_shape, _) = forward(params, part, keep=True)
        dp2 = params["W3"][labels[start : start + CHUNK]].reshape(p2_shape)
        da2 = maxpool2d_backward(dp2, m2) * (z2 > 0)
        dp1, _, _ = conv2d_backward(da2, c2)
        da1 = maxpool2d_backward(dp1, m1) * (z1 > 0)
        dx, _, _ = conv2d_backward(da1, c1)
        out[start : start + CHUNK] = dx[..., 0]
    return out


def gradient_times_input(params, image, label):
    """The gradient of the class's logit times the image, pixel by pixel (0 wherever the image is 0)."""
    image, label = check_image(image), check_label(label)
    return logit_gradients(check_params(params), image[None], np.array([label]))[0] * image


def noisy_copies(image, samples, noise, seed):
    """samples copies of image with independent normal noise of standard deviation noise (seeded)."""
    return image[None] + np.random.default_rng(seed).normal(0.0, noise, (samples, *image.shape))


def smoothgrad(params, image, label, samples=50, noise=0.15, seed=0):
    """The gradient of the class's logit averaged over samples noisy copies of image (signed).

    noise is the noise's standard deviation on the 0-1 scale of the pixels; the
    copies are not clipped to [0, 1]. Draw its absolute value as the map.
    """
    image, label = check_image(image), check_label(label)
    samples = check_whole_number(samples, "samples", 1)
    noise = check_real(noise, "noise")
    if noise < 0:
        raise ValueError(f"noise must be at least 0, got {noise!r}")
    seed = check_whole_number(seed, "seed", 0)
    copies = noisy_copies(image, samples, noise, seed)
    return logit_gradients(check_params(params), copies, np.full(samples, label)).mean(axis=0)


def path_points(image, baseline, steps):
    """The midpoints baseline + (k + 1/2) / steps · (image − baseline), k = 0 … steps − 1."""
    alphas = (np.arange(steps) + 0.5) / steps
    return baseline[None] + alphas[:, None, None] * (image - baseline)[None]


def integrated_gradients(params, image, label, baseline=None, steps=64):
    """(image − baseline) times the mean gradient of the class's logit at steps midpoints of the path.

    baseline defaults to black (0), the digits' background. The entries add up to
    logit(image) − logit(baseline) as steps grows (the midpoint rule's error
    falls with it); :func:`completeness_gap` measures how far they are.
    """
    image, label = check_image(image), check_label(label)
    baseline = np.zeros_like(image) if baseline is None else check_image(baseline, "baseline")
    steps = check_whole_number(steps, "steps", 1)
    points = path_points(image, baseline, steps)
    gradients = logit_gradients(check_params(params), points, np.full(steps, label))
    return (image - baseline) * gradients.mean(axis=0)


def completeness_gap(params, image, label, attributions, baseline=None):
    """sum(attributions) − (logit(image) − logit(baseline)): 0 for a complete attribution."""
    params, image = check_params(params), check_image(image)
    baseline = np.zeros_like(image) if baseline is None else check_image(baseline, "baseline")
    logits = forward(params, np.stack([image, baseline])[..., None])[:, check_label(label)]
    return float(np.sum(attributions) - (logits[0] - logits[1]))


def grad_cam(params, image, label):
    """Grad-CAM on conv2 (after ReLU): ReLU(Σ_k α_k A_k), α_k the mean of d logit / d A_k over the map.

    Returns the 14×14 map: entry (i, j) belongs to the 2×2 input pixels
    (2i … 2i+1, 2j … 2j+1), but each conv2 unit sees 8×8 pixels, so the map
    cannot place anything more finely than that. :func:`upsample` makes it 28×28.
    """
    params = check_params(params)
    image, label = check_image(image), check_label(label)
    logits, (c1, z1, m1, c2, z2, m2, p2_shape, _) = forward(params, image[None, :, :, None], keep=True)
    activations = np.maximum(z2[0], 0.0)
    gradient = maxpool2d_backward(params["W3"][label].reshape(p2_shape), m2)[0]
    weights = gradient.mean(axis=(0, 1))
    return np.maximum(activations @ weights, 0.0)


def upsample(values, factor=2):
    """Each entry of a 2-D map repeated factor × factor times (a 14×14 Grad-CAM map -> 28×28 pixels)."""
    return np.repeat(np.repeat(np.asarray(values, dtype=np.float64), factor, axis=0), factor, axis=1)


def occlusion_pixel_scores(drops, size=6, stride=2):
    """Each pixel's mean drop over the patches that covered it (28×28; 0 where none did), from a map."""
    corners = occlusion_corners(size, stride)
    drops = np.asarray(drops, dtype=np.float64)
    if drops.shape != (len(corners), len(corners)):
        raise ValueError(f"drops must have shape {(len(corners),) * 2} for size {size}, stride {stride}")
    total, count = np.zeros((IMAGE_SIZE, IMAGE_SIZE)), np.zeros((IMAGE_SIZE, IMAGE_SIZE))
    for a, i in enumerate(corners):
        for b, j in enumerate(corners):
            total[i : i + size, j : j + size] += drops[a, b]
            count[i : i + size, j : j + size] += 1
    return np.divide(total, count, out=np.zeros_like(total), where=count > 0)
