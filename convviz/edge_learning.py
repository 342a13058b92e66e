"""Where edge detectors come from: filters learned from real photographs.

Two experiments on the photographs that ship with scikit-image (offline):

* :func:`learn_kernel` fits one 3×3 kernel by plain gradient descent so that
  filtering a photograph with it reproduces the photograph filtered by a target
  kernel (Sobel X): the kernel converges to the target.
* :func:`learn_ica_filters` runs scikit-learn's FastICA on small patches of the
  photographs; its filters come out as oriented, localized edge and bar
  detectors (Bell & Sejnowski 1997). :func:`coherence` measures how oriented a
  filter is, from its structure tensor.
"""

import functools

import numpy as np

from convviz.convolution import correlate2d

#: Photographs from skimage.data used for learning (all ship with scikit-image).
PHOTOGRAPHS = ("camera", "astronaut", "coffee", "chelsea", "rocket", "coins")
#: Settings of FastICA used for the filters, passed to sklearn.decomposition.FastICA.
ICA_SETTINGS = {"whiten": "unit-variance", "max_iter": 400, "tol": 1e-3}


def grayscale_photo(name):
    """The skimage.data photograph of this name as float64 grayscale in [0, 1] (a fresh copy)."""
    if name not in PHOTOGRAPHS:
        raise ValueError(f"name must be one of {', '.join(PHOTOGRAPHS)}, got {name!r}")
    return _grayscale_photo(name).copy()


@functools.cache
def _grayscale_photo(name):
    # Read and converted once per process: the build's scripts share it.
    from skimage import color, data

    photo = getattr(data, name)()
    if photo.ndim == 3:
        return color.rgb2gray(photo).astype(np.float64)
    return photo.astype(np.float64) / 255.0


def _check_pairs(images, targets, size):
    if len(images) == 0 or len(images) != len(targets):
        raise ValueError("images and targets must be non-empty lists of the same length")
    for image, target in zip(images, targets):
        expected = (image.shape[0] - size + 1, image.shape[1] - size + 1)
        if np.shape(target) != expected:
            raise ValueError(
                f"targets must be the 'valid' outputs of a {size}×{size} kernel, shape {expected}"
            )


def window_moments(images, targets, size=3):
    """(G, h, mean y²) over every size×size window of the images and the target at that window.

    G is the mean outer product of the flattened windows and h the mean of
    window × target, so the mean squared error of a kernel k (flattened) is
    kᵀGk − 2hᵀk + mean y² and its gradient 2(Gk − h).
    """
    _check_pairs(images, targets, size)
    gram, cross, square, count = np.zeros((size * size, size * size)), np.zeros(size * size), 0.0, 0
    for image, target in zip(images, targets):
        rows, cols = target.shape
        windows = np.stack(
            [image[u : u + rows, v : v + cols].ravel() for u in range(size) for v in range(size)], axis=1
        )
        gram += windows.T @ windows
        cross += windows.T @ target.ravel()
        square += float(np.sum(target**2))
        count += target.size
    return gram / count, cross / count, square / count


def squared_error(kernel, images, targets):
    """Mean squared difference between correlate2d(image, kernel) and the targets, over all pixels."""
    total = sum(float(np.sum((correlate2d(x, kernel) - y) ** 2)) for x, y in zip(images, targets))
    return total / sum(y.size for y in targets)


def learn_kernel(images, targets, size=3, steps=20000, seed=0, record=(0, 10, 100, 1000, 20000)):
    """Fit a size×size kernel to (image, target) pairs by plain gradient descent on the squared error.

    Starts from small random weights (fixed seed) and takes steps of 1/L along
    the negative gradient, L the largest curvature of the error. Returns
    (kernel, history): history["loss"] is the error before every step and after
    the last, history["kernels"] maps each recorded step to the kernel then.
    """
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise ValueError(f"steps must be a whole number of at least 1, got {steps!r}")
    gram, cross, square = window_moments(images, targets, size)
    rate = 1.0 / (2 * np.linalg.eigvalsh(gram).max())
    kernel = np.random.default_rng(seed).normal(0.0, 0.1, size * size)
    losses = np.empty(steps + 1)
    kernels = {}
    for step in range(steps + 1):
        if step in record:
            kernels[step] = kernel.reshape(size, size).copy()
        losses[step] = kernel @ gram @ kernel - 2 * cross @ kernel + square
        if step < steps:
            kernel = kernel - rate * 2 * (gram @ kernel - cross)
    return kernel.reshape(size, size), {"loss": losses, "kernels": kernels}


def sample_patches(images, count, size, seed=0):
    """count size×size patches at random positions, spread evenly over the images: (count, size, size)."""
    rng = np.random.default_rng(seed)
    shares = np.full(len(images), count // len(images))
    shares[: count % len(images)] += 1
    patches = []
    for image, share in zip(images, shares):
        rows = rng.integers(0, image.shape[0] - size + 1, share)
        cols = rng.integers(0, image.shape[1] - size + 1, share)
        offsets = np.arange(size)
        patches.append(image[rows[:, None, None] + offsets[None, :, None], cols[:, None, None] + offsets])
    return np.concatenate(patches)


def learn_ica_filters(patches, components=36, seed=0):
    """FastICA filters of patches (N, k, k), each patch's mean removed first: (components, k, k).

    The filters are the rows of the unmixing matrix (``components_``): a
    patch's independent components are its dot products with them.
    """
    from sklearn.decomposition import FastICA
    from threadpoolctl import threadpool_limits

    patches = np.asarray(patches, dtype=np.float64)
    if patches.ndim != 3 or patches.shape[1] != patches.shape[2]:
        raise ValueError(f"patches must have shape (N, k, k), got {patches.shape}")
    if not 1 <= components <= patches.shape[1] ** 2:
        raise ValueError(f"components must be from 1 to {patches.shape[1] ** 2}, got {components!r}")
    flat = patches.reshape(len(patches), -1)
    flat = flat - flat.mean(axis=1, keepdims=True)
    # One BLAS thread: the same result whatever the machine's core count, and no
    # threads spinning against each other on a busy machine.
    with threadpool_limits(limits=1, user_api="blas"):
        ica = FastICA(n_components=components, random_state=seed, **ICA_SETTINGS).fit(flat)
    return ica.components_.reshape(components, *patches.shape[1:])


def structure_tensor(filters):
    """(Jxx, Jyy, Jxy) of each filter (N, k, k): sums of products of its np.gradient derivatives."""
    filters = np.asarray(filters, dtype=np.float64)
    if filters.ndim != 3:
        raise ValueError(f"filters must have shape (N, k, k), got {filters.shape}")
    gy, gx = np.gradient(filters, axis=(1, 2))
    return (gx * gx).sum(axis=(1, 2)), (gy * gy).sum(axis=(1, 2)), (gx * gy).sum(axis=(1, 2))


def coherence(filters):
    """(λ1 − λ2) / (λ1 + λ2) of each filter's structure tensor: 1 for one orientation, 0 for none."""
    jxx, jyy, jxy = structure_tensor(filters)
    return np.sqrt((jxx - jyy) ** 2 + 4 * jxy**2) / np.maximum(jxx + jyy, 1e-300)


def orientation(filters):
    """Direction of strongest change of each filter, in degrees in [0, 180) (0: left-right)."""
    jxx, jyy, jxy = structure_tensor(filters)
    return np.degrees(0.5 * np.arctan2(2 * jxy, jxx - jyy)) % 180


def phase_randomised(image, seed=0):
    """image with its Fourier amplitudes kept and its phases replaced by those of white noise (seeded).

    The result has the photograph's power spectrum (how much of each spatial
    frequency and direction it holds) but no edges: edges are where the phases
    of many frequencies line up. A control for filters learned from photographs.
    """
    image = np.asarray(image, dtype=np.float64)
    if image.ndim != 2 or not np.isfinite(image).all():
        raise ValueError(f"image must be a 2-D array of finite numbers, got shape {image.shape}")
    noise = np.random.default_rng(seed).normal(size=image.shape)
    phases = np.angle(np.fft.fft2(noise))
    return np.real(np.fft.ifft2(np.abs(np.fft.fft2(image)) * np.exp(1j * phases)))


def random_filters(count, size, seed=0):
    """count filters of size×size with independent standard normal weights."""
    return np.random.default_rng(seed).normal(size=(count, size, size))
