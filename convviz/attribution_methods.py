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

Each method also has a batched form for many digits (N, 28, 28) and their
classes (N,), which runs their images through the network together
(:func:`gradients_times_inputs`, :func:`smoothgrads`,
:func:`integrated_gradient_maps`, :func:`grad_cam_maps`); the one-digit
functions are that form for a batch of one.
"""

import numpy as np

from convviz.attribution import (
    check_image,
    check_images,
    check_label,
    check_labels,
    check_params,
    check_real,
    logit_gradients,
    occlusion_corners,
)
from convviz.convolution import check_whole_number
from convviz.tiny_cnn import IMAGE_SIZE, conv2_gradient_pass, forward, forward_pass


def _checked_batch(params, images, labels):
    params, images = check_params(params), check_images(images)
    return params, images, check_labels(labels, len(images))


def gradient_times_input(params, image, label):
    """The gradient of the class's logit times the image, pixel by pixel (0 wherever the image is 0)."""
    image, label = check_image(image), check_label(label)
    return gradients_times_inputs(params, image[None], [label])[0]


def gradients_times_inputs(params, images, labels):
    """:func:`gradient_times_input` of each of images (N, 28, 28) for its class in labels."""
    params, images, labels = _checked_batch(params, images, labels)
    return logit_gradients(params, images, labels) * images


#: SmoothGrad's noisy copies of each digit, and the noise's standard deviation on the 0-1 scale.
SMOOTHGRAD_SAMPLES = 50
SMOOTHGRAD_NOISE = 0.15
#: The points of the path at which integrated gradients take the gradient.
INTEGRATED_GRADIENT_STEPS = 64


def noisy_copies(image, samples, noise, seed):
    """samples copies of image with independent normal noise of standard deviation noise (seeded)."""
    return image[None] + np.random.default_rng(seed).normal(0.0, noise, (samples, *image.shape))


def _check_smoothgrad(samples, noise, seed):
    samples = check_whole_number(samples, "samples", 1)
    noise = check_real(noise, "noise")
    if noise < 0:
        raise ValueError(f"noise must be at least 0, got {noise!r}")
    return samples, noise, check_whole_number(seed, "seed", 0)


def smoothgrad(params, image, label, samples=SMOOTHGRAD_SAMPLES, noise=SMOOTHGRAD_NOISE, seed=0):
    """The gradient of the class's logit averaged over samples noisy copies of image (signed).

    noise is the noise's standard deviation on the 0-1 scale of the pixels; the
    copies are not clipped to [0, 1]. Draw its absolute value as the map.
    """
    image, label = check_image(image), check_label(label)
    _check_smoothgrad(samples, noise, seed)
    return smoothgrads(params, image[None], [label], samples, noise, seed)[0]


#: About how many images the batched methods stack per group of digits (memory stays under ~100 MB).
GROUP_IMAGES = 4096


def smoothgrads(params, images, labels, samples=SMOOTHGRAD_SAMPLES, noise=SMOOTHGRAD_NOISE, seed=0):
    """:func:`smoothgrad` of each of images (N, 28, 28) for its class; every digit gets the same noise
    (the seed's), as one call per digit would give it."""
    params, images, labels = _checked_batch(params, images, labels)
    samples, noise, seed = _check_smoothgrad(samples, noise, seed)
    draws = noisy_copies(np.zeros(images.shape[1:]), samples, noise, seed)
    return _mean_gradients(params, images[:, None] + draws[None], labels)


def _mean_gradients(params, points, labels):
    """The mean logit gradient over each digit's points (N, P, 28, 28), a group of digits at a time."""
    count, per_digit = points.shape[:2]
    group = max(1, GROUP_IMAGES // per_digit)
    out = np.empty((count, *points.shape[2:]))
    for start in range(0, count, group):
        part = points[start : start + group]
        flat = part.reshape(-1, *points.shape[2:])
        gradients = logit_gradients(params, flat, np.repeat(labels[start : start + group], per_digit))
        out[start : start + group] = gradients.reshape(part.shape).mean(axis=1)
    return out


def path_points(image, baseline, steps):
    """The midpoints baseline + (k + 1/2) / steps · (image − baseline), k = 0 … steps − 1.

    image and baseline may be batches (N, 28, 28): then (N, steps, 28, 28).
    """
    alphas = (np.arange(steps) + 0.5) / steps
    difference = (image - baseline)[..., None, :, :]
    return baseline[..., None, :, :] + alphas[:, None, None] * difference


def integrated_gradients(params, image, label, baseline=None, steps=INTEGRATED_GRADIENT_STEPS):
    """(image − baseline) times the mean gradient of the class's logit at steps midpoints of the path.

    baseline defaults to black (0), the digits' background. The entries add up to
    logit(image) − logit(baseline) as steps grows (the midpoint rule's error
    falls with it); :func:`completeness_gap` measures how far they are.
    """
    image, label = check_image(image), check_label(label)
    baseline = np.zeros_like(image) if baseline is None else check_image(baseline, "baseline")
    steps = check_whole_number(steps, "steps", 1)
    return integrated_gradient_maps(params, image[None], [label], baseline[None], steps)[0]


def integrated_gradient_maps(params, images, labels, baselines=None, steps=INTEGRATED_GRADIENT_STEPS):
    """:func:`integrated_gradients` of each of images (N, 28, 28) for its class; baselines (N, 28, 28)."""
    params, images, labels = _checked_batch(params, images, labels)
    if baselines is None:
        baselines = np.zeros_like(images)
    else:
        baselines = check_images(baselines, "baselines")
        if baselines.shape != images.shape:
            raise ValueError(f"baselines must have the shape of images {images.shape}, got {baselines.shape}")
    steps = check_whole_number(steps, "steps", 1)
    return (images - baselines) * _mean_gradients(params, path_points(images, baselines, steps), labels)


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
    image, label = check_image(image), check_label(label)
    return grad_cam_maps(params, image[None], [label])[0]


def grad_cam_maps(params, images, labels):
    """:func:`grad_cam` of each of images (N, 28, 28) for its class: (N, 14, 14)."""
    params, images, labels = _checked_batch(params, images, labels)
    _, kept = forward_pass(params, images[..., None])
    activations, gradient = conv2_gradient_pass(kept, params["W3"][labels])
    weights = gradient.mean(axis=(1, 2))
    return np.maximum(np.matmul(activations, weights[:, None, :, None])[..., 0], 0.0)


def upsample(values, factor=2):
    """Each entry of a map (or of each of a batch of maps) repeated factor × factor times
    (a 14×14 Grad-CAM map -> 28×28 pixels)."""
    values = np.asarray(values, dtype=np.float64)
    return np.repeat(np.repeat(values, factor, axis=-2), factor, axis=-1)


def occlusion_pixel_scores(drops, size=6, stride=2):
    """Each pixel's mean drop over the patches that covered it (28×28; 0 where none did), from a map
    (or from each of a batch of maps, (N, a, a) -> (N, 28, 28))."""
    corners = occlusion_corners(size, stride)
    drops = np.asarray(drops, dtype=np.float64)
    if drops.shape[-2:] != (len(corners), len(corners)):
        raise ValueError(f"drops must have shape {(len(corners),) * 2} for size {size}, stride {stride}")
    total = np.zeros((*drops.shape[:-2], IMAGE_SIZE, IMAGE_SIZE))
    count = np.zeros((IMAGE_SIZE, IMAGE_SIZE))
    for a, i in enumerate(corners):
        for b, j in enumerate(corners):
            total[..., i : i + size, j : j + size] += drops[..., a, b, None, None]
            count[i : i + size, j : j + size] += 1
    return np.divide(total, count, out=np.zeros_like(total), where=count > 0)
