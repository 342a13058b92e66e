"""Learning Sobel X and ICA edge filters from photographs, against direct computations and scikit-learn."""

import numpy as np
import pytest
from sklearn.decomposition import FastICA

from convviz.convolution import correlate2d
from convviz.edge_learning import (
    ICA_SETTINGS,
    PHOTOGRAPHS,
    coherence,
    grayscale_photo,
    learn_ica_filters,
    learn_kernel,
    orientation,
    random_filters,
    sample_patches,
    squared_error,
    structure_tensor,
    window_moments,
)
from convviz.kernels import KERNELS


@pytest.fixture(scope="module")
def crops():
    """Two 96×96 crops of real photographs and their Sobel X responses."""
    photos = [grayscale_photo("camera")[200:296, 150:246], grayscale_photo("astronaut")[100:196, 150:246]]
    return photos, [correlate2d(p, KERNELS["sobel_x"]) for p in photos]


def test_photographs_are_grayscale_in_unit_range():
    for name in PHOTOGRAPHS:
        photo = grayscale_photo(name)
        assert photo.ndim == 2 and photo.dtype == np.float64
        assert 0 <= photo.min() < 0.2 and 0.7 < photo.max() <= 1
    with pytest.raises(ValueError, match="name"):
        grayscale_photo("nonexistent")


def test_moments_give_the_squared_error_of_any_kernel(crops):
    photos, targets = crops
    gram, cross, square = window_moments(photos, targets)
    for seed in range(3):
        kernel = np.random.default_rng(seed).normal(size=(3, 3))
        k = kernel.ravel()
        assert k @ gram @ k - 2 * cross @ k + square == pytest.approx(
            squared_error(kernel, photos, targets), rel=1e-9
        )


def test_moment_gradient_equals_finite_differences_of_the_error(crops):
    photos, targets = crops
    gram, cross, _ = window_moments(photos, targets)
    kernel = np.random.default_rng(5).normal(size=(3, 3))
    gradient = 2 * (gram @ kernel.ravel() - cross)
    step = 1e-5
    for tap in range(9):
        shift = np.zeros(9)
        shift[tap] = step
        plus = squared_error(kernel + shift.reshape(3, 3), photos, targets)
        minus = squared_error(kernel - shift.reshape(3, 3), photos, targets)
        assert gradient[tap] == pytest.approx((plus - minus) / (2 * step), rel=1e-5, abs=1e-9)


def test_learned_kernel_converges_to_sobel_x_with_falling_error(crops):
    photos, targets = crops
    kernel, history = learn_kernel(photos, targets, steps=20000, record=(0, 20000))
    assert np.abs(kernel - KERNELS["sobel_x"]).max() < 0.05
    assert np.abs(history["kernels"][0] - KERNELS["sobel_x"]).max() > 1.5
    losses = history["loss"]
    assert np.all(np.diff(losses) <= 1e-15)
    assert losses[-1] < 1e-3 * losses[0]
    assert losses[-1] == pytest.approx(squared_error(kernel, photos, targets), rel=1e-6, abs=1e-12)


def test_learning_checks_its_arguments(crops):
    photos, targets = crops
    with pytest.raises(ValueError, match="steps"):
        learn_kernel(photos, targets, steps=0)
    with pytest.raises(ValueError, match="targets"):
        learn_kernel(photos, [t[1:] for t in targets])


def test_patches_are_windows_of_the_images():
    images = [np.arange(400.0).reshape(20, 20), 1000 + np.arange(600.0).reshape(20, 30)]
    patches = sample_patches(images, 101, 5, seed=3)
    assert patches.shape == (101, 5, 5)
    for patch in patches:
        image = images[0] if patch[0, 0] < 1000 else images[1]
        row, col = np.argwhere(image == patch[0, 0])[0]
        np.testing.assert_array_equal(patch, image[row : row + 5, col : col + 5])
    assert sum(patch[0, 0] < 1000 for patch in patches) == 51


def test_ica_filters_are_scikit_learns_fastica_components():
    photos = [grayscale_photo("camera"), grayscale_photo("coins")]
    patches = sample_patches(photos, 5000, 6, seed=1)
    filters = learn_ica_filters(patches, components=12, seed=2)
    flat = patches.reshape(len(patches), -1)
    reference = FastICA(n_components=12, random_state=2, **ICA_SETTINGS).fit(
        flat - flat.mean(axis=1, keepdims=True)
    )
    np.testing.assert_allclose(filters.reshape(12, -1), reference.components_, atol=1e-12)
    with pytest.raises(ValueError, match="components"):
        learn_ica_filters(patches, components=37)


def test_coherence_against_eigenvalues_and_known_patterns():
    filters = random_filters(20, 8, seed=4)
    jxx, jyy, jxy = structure_tensor(filters)
    for f, a, b, c in zip(filters, jxx, jyy, jxy):
        gy, gx = np.gradient(f)
        tensor = np.array([[np.sum(gx * gx), np.sum(gx * gy)], [np.sum(gx * gy), np.sum(gy * gy)]])
        np.testing.assert_allclose([[a, c], [c, b]], tensor)
    low, high = np.linalg.eigvalsh(np.stack([[[a, c], [c, b]] for a, b, c in zip(jxx, jyy, jxy)])).T
    np.testing.assert_allclose(coherence(filters), (high - low) / (high + low))
    rows, cols = np.mgrid[0:8, 0:8].astype(float)
    vertical_stripes = np.sin(cols * 1.3)[None]
    horizontal_ramp = rows[None]
    bowl = ((rows - 3.5) ** 2 + (cols - 3.5) ** 2)[None]
    assert coherence(vertical_stripes)[0] == pytest.approx(1.0)
    assert orientation(vertical_stripes)[0] == pytest.approx(0.0, abs=1e-9)
    assert orientation(horizontal_ramp)[0] == pytest.approx(90.0)
    assert coherence(bowl)[0] == pytest.approx(0.0, abs=1e-12)
