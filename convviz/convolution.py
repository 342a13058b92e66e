"""Fast 2-D cross-correlation (what deep learning calls "convolution") for grayscale images.

The teaching version with two explicit loops lives in the learner download
``downloads/cnn_visualization.py``; this module gives the same numbers without
a Python loop over pixels. Kernels of fewer than FFT_MIN_TAPS taps loop over the
kernel taps only ("shift-and-add"): each tap adds the whole image, shifted and
weighted, to the output. Read as one long row (its rows end to end), the image
shifted by a tap is a contiguous slice, so at stride 1 a tap is one BLAS
``axpy`` (y += w·x) per block of output. Larger kernels use the FFT where its
rounding error is small for the given input (see :func:`fft_is_accurate`).
"""

import math

import numpy as np

#: Kernels with at least this many taps go through the FFT: on the 2-core development
#: machine, shift-and-add was faster up to 8×8 at 256², 512² and 1024², the FFT from 9×9.
FFT_MIN_TAPS = 81

#: method="auto" uses the FFT only if its error bound is below this fraction of
#: the response of the kernel to a typical pixel (see :func:`typical_magnitude`).
FFT_TOLERANCE = 1e-9

#: The largest array (in values) the package agrees to allocate: 1 GiB of float64.
MAX_PADDED_VALUES = 2**27

PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")
METHODS = ("auto", "taps", "fft")

# Output values per strip of rows in shift-and-add at stride > 1 (256 KiB of float64).
_CACHE_FLOATS = 32768
# Values per BLAS call (axpy, dot, asum): blocks stay in the CPU cache, and below the
# 10,000 values from which OpenBLAS splits a call over threads, which on a busy machine
# waits for a core; one core computes, as in scipy.ndimage.correlate.
_BLAS_BLOCK = 8192

_EPS = np.finfo(np.float64).eps
_LARGEST = np.finfo(np.float64).max
# Absolute error a product can add when it underflows (the smallest subnormal, 2**-1074, doubled).
_UNDERFLOW = 2.0**-1073


def check_whole_number(value, name, minimum):
    """Return value as a Python int if it is a whole number >= minimum (not a bool), else raise ValueError.

    NumPy integers are accepted and converted, so later arithmetic cannot wrap around.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return value


def check_array_size(shape, what):
    """Raise ValueError if an array of this shape would hold more than MAX_PADDED_VALUES values."""
    if np.prod(shape, dtype=object) > MAX_PADDED_VALUES:
        raise ValueError(f"{what} {'×'.join(map(str, shape))}, more than {MAX_PADDED_VALUES:,} values")


def check_padded_size(shape, widths, what):
    """Raise ValueError if padding shape by widths would exceed MAX_PADDED_VALUES (nothing is allocated)."""
    padded = [n + before + after for n, (before, after) in zip(shape, widths)]
    check_array_size(padded, f"padding makes {what}")


def output_size(n, f, padding=0, stride=1):
    """Output length along one axis: ``(n - f + 2*padding) // stride + 1``.

    >>> output_size(256, 3)
    254
    >>> output_size(28, 3, padding=1)
    28
    >>> output_size(7, 3, stride=2)
    3
    """
    n = check_whole_number(n, "n", 1)
    f = check_whole_number(f, "f", 1)
    padding = check_whole_number(padding, "padding", 0)
    stride = check_whole_number(stride, "stride", 1)
    if f > n + 2 * padding:
        raise ValueError(f"a kernel of size {f} does not fit an input of size {n} padded by {padding}")
    return (n - f + 2 * padding) // stride + 1


def _as_float_array(values, what):
    """values as a 2-D float64 array; ValueError naming what if not numbers, not 2-D or empty."""
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what} must hold numbers, got dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"{what} must be 2-D (rows, columns), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{what} is empty (shape {array.shape})")
    return array.astype(np.float64, copy=False)


def square_sum(array, what):
    """Σ array², from one BLAS dot product; ValueError naming what if a value is NaN or infinite.

    The dot product also checks the values: a NaN or an infinity makes it NaN or
    infinite, while a finite sum proves every value finite. Finite values too large
    to square give an infinite sum, not an error.
    """
    from scipy.linalg.blas import ddot  # SciPy loads when a sum is taken, not with the package

    flat = _flat_numbers(array, what)
    total = sum(ddot(flat, flat, n, start, 1, start, 1) for start, n in _blocks(flat.size))
    if not np.isfinite(total) and not np.isfinite(flat).all():
        raise ValueError(f"{what} contains NaN or infinity")
    return total


def abs_sum(array, what="array"):
    """Σ|array| from BLAS asum, without a temporary copy."""
    from scipy.linalg.blas import dasum

    flat = _flat_numbers(array, what)
    return sum(dasum(flat, n, start, 1) for start, n in _blocks(flat.size))


def _flat_numbers(array, what):
    """array as one contiguous float64 row (a view where it already is one); ValueError if not numbers."""
    array = np.asarray(array)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what} must hold numbers, got dtype {array.dtype}")
    return np.ascontiguousarray(array, dtype=np.float64).ravel()


def _blocks(size):
    """(start, length) of the BLAS blocks covering size values."""
    return ((start, min(_BLAS_BLOCK, size - start)) for start in range(0, size, _BLAS_BLOCK))


def padding_widths(kernel_shape, padding):
    """(before, after) padding per axis for 'valid', 'same' or a whole number of pixels.

    'same' puts the extra pixel of an even kernel after, as SciPy does.
    """
    kernel_shape = tuple(check_whole_number(k, "kernel_shape entries", 1) for k in kernel_shape)
    if isinstance(padding, str) and padding == "valid":
        return tuple((0, 0) for _ in kernel_shape)
    if isinstance(padding, str) and padding == "same":
        return tuple(((k - 1) // 2, k // 2) for k in kernel_shape)
    try:
        p = check_whole_number(padding, "padding", 0)
    except ValueError:
        raise ValueError(f"padding must be 'valid', 'same' or a whole number >= 0, got {padding!r}") from None
    return tuple((p, p) for _ in kernel_shape)


def check_inputs(image, kernel, padding, stride, pad_mode, method):
    """Validate the arguments of :func:`correlate2d`.

    Returns image and kernel as float64, the padding widths, the stride and Σ image²
    (which :func:`correlate2d` uses again). Raises ``ValueError`` naming the
    problem: not 2-D, empty, non-numeric, NaN or infinity, a kernel larger than the
    (padded) image, a bad padding, stride, pad_mode or method. Nothing is padded or
    computed before all pass.
    """
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be 'auto', 'taps' or 'fft', got {method!r}")
    if not isinstance(pad_mode, str) or pad_mode not in PAD_MODES:
        raise ValueError(f"pad_mode must be one of {', '.join(PAD_MODES)}, got {pad_mode!r}")
    stride = check_whole_number(stride, "stride", 1)
    image = _as_float_array(image, "image")
    kernel = _as_float_array(kernel, "kernel")
    if not np.isfinite(kernel).all():
        raise ValueError("kernel contains NaN or infinity")
    image_square_sum = square_sum(image, "image")
    widths = padding_widths(kernel.shape, padding)
    check_padded_size(image.shape, widths, "the image")
    for axis, name in enumerate(("rows", "columns")):
        padded = image.shape[axis] + sum(widths[axis])
        if kernel.shape[axis] > padded:
            raise ValueError(
                f"kernel is larger than the image: {kernel.shape[axis]} {name} "
                f"against {padded} in the (padded) image"
            )
    return image, kernel, widths, stride, image_square_sum


def _taps_stride_1(image, kernel):
    """Shift-and-add at stride 1, one BLAS axpy per tap and block of the output.

    With the image read as one long row of width W, output (i, j) is
    Σ kernel[u, v] · flat[(i + u)·W + j + v]: for each tap, flat shifted by u·W + v.
    The output is computed W wide (its last columns, which straddle two rows, are
    dropped), block by block so that every tap adds to values still in the cache.
    """
    from scipy.linalg.blas import daxpy

    height, width = image.shape
    rows, cols = height - kernel.shape[0] + 1, width - kernel.shape[1] + 1
    flat = np.ascontiguousarray(image).ravel()
    wide = np.zeros(rows * width)
    needed = (rows - 1) * width + cols
    taps = [(u * width + v, w) for (u, v), w in np.ndenumerate(kernel) if w != 0.0]
    for start, n in _blocks(needed):
        for shift, weight in taps:
            daxpy(flat, wide, n, weight, shift + start, 1, start, 1)
    return wide.reshape(rows, width)[:, :cols]


def _taps_strided(image, kernel, out_shape, stride):
    """Shift-and-add at any stride: one shifted, strided view of the image per non-zero kernel tap.

    The output is filled in strips of rows small enough to stay in the CPU cache
    while every tap is added to them.
    """
    rows, cols = out_shape
    out = np.zeros(out_shape)
    strip = max(8, _CACHE_FLOATS // cols)
    scratch = np.empty((min(strip, rows), cols))
    taps = [(u, v, w) for (u, v), w in np.ndenumerate(kernel) if w != 0.0]
    col_span = (cols - 1) * stride + 1
    for r0 in range(0, rows, strip):
        r1 = min(r0 + strip, rows)
        block, tmp = out[r0:r1], scratch[: r1 - r0]
        for u, v, weight in taps:
            top = r0 * stride + u
            view = image[top : top + (r1 - r0 - 1) * stride + 1 : stride, v : v + col_span : stride]
            np.multiply(view, weight, out=tmp)
            block += tmp
    return out


def _smooth_length(n):
    """Smallest 2^a·3^b·5^c >= n: lengths the FFT handles fastest."""
    best = 1 << (n - 1).bit_length()
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best


def _error_bound(shape, image_square_sum, kernel):
    length = math.prod(_smooth_length(s) for s in shape)
    norms = math.sqrt(image_square_sum) * math.sqrt(float(np.vdot(kernel, kernel)))
    return 8 * _EPS * (math.log2(length) + 1) * norms


def fft_error_bound(image, kernel):
    """An upper bound on the absolute error of any output value computed through the FFT.

    Rounding in a length-L FFT convolution is at most about
    eps · log2(L) · ‖image‖₂ · ‖kernel‖₂ (Cooley-Tukey's error grows with
    log L); the factor 8 leaves a margin the tests check. Infinity when the
    norms overflow.
    """
    image, kernel = _as_float_array(image, "image"), _as_float_array(kernel, "kernel")
    return _error_bound(image.shape, square_sum(image, "image"), kernel)


def typical_magnitude(absolute_sum, sum_of_squares, count):
    """A lower bound on the median |pixel|, from Σ|pixel|, Σ pixel² and the number of pixels.

    The median of any values lies within one standard deviation of their mean, so
    for the values |pixel|, with mean μ = Σ|pixel|/n and standard deviation
    σ = √(Σ pixel²/n − μ²): median ≥ μ − σ. The sums are taken as computed by
    BLAS, which errs by at most n·eps relative (plus 2⁻¹⁰⁷⁴ per underflowing
    square); μ is lowered and Σ pixel² raised by that much first, so the result
    stays a lower bound. Zero when the bound says nothing (μ ≤ σ).
    """
    count = check_whole_number(count, "count", 1)
    for value, name in ((absolute_sum, "absolute_sum"), (sum_of_squares, "sum_of_squares")):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float, np.integer, np.floating))
            or not value >= 0
        ):
            raise ValueError(f"{name} must be a number >= 0, got {value!r}")
    slack = 2 * (count + 2) * _EPS
    mean = absolute_sum * (1 - slack) / count
    if not mean > 0:
        return 0.0
    with np.errstate(over="ignore"):
        second_moment = (sum_of_squares * (1 + slack) + count * _UNDERFLOW) / count
        relative_variance = second_moment / mean / mean - 1  # (σ/μ)², without squaring μ
    if not relative_variance < np.inf:
        return 0.0
    return max(mean * (1 - np.sqrt(max(relative_variance, 0.0))) * (1 - 4 * _EPS), 0.0)


def _fft_is_accurate(image, image_square_sum, kernel):
    typical = typical_magnitude(abs_sum(image, "image"), image_square_sum, image.size)
    with np.errstate(over="ignore"):
        response = FFT_TOLERANCE * typical * np.abs(kernel).sum()
    return bool(_error_bound(image.shape, image_square_sum, kernel) <= response)


def fft_is_accurate(image, kernel):
    """True if the FFT's error bound is within FFT_TOLERANCE of a typical pixel's response.

    A typical pixel's response is :func:`typical_magnitude` (at most the median
    |pixel|) times Σ|kernel|. It costs two passes over the image without copies
    (Σ|pixel| and Σ pixel²), a fraction of the FFT's time.
    """
    image, kernel = _as_float_array(image, "image"), _as_float_array(kernel, "kernel")
    return _fft_is_accurate(image, square_sum(image, "image"), kernel)


def _fft(image, kernel, out_shape, stride):
    kh, kw = kernel.shape
    shape = tuple(_smooth_length(s) for s in image.shape)
    spectrum = np.fft.rfft2(image, shape) * np.fft.rfft2(kernel[::-1, ::-1], shape)
    full = np.fft.irfft2(spectrum, shape)
    rows, cols = out_shape
    return full[
        kh - 1 : kh - 1 + (rows - 1) * stride + 1 : stride, kw - 1 : kw - 1 + (cols - 1) * stride + 1 : stride
    ]


def _may_overflow(image_square_sum, kernel):
    """False when no output can leave the float64 range.

    |out| <= max|pixel| · Σ|kernel| <= ‖image‖₂ · Σ|kernel|, with room for rounding.
    """
    with np.errstate(over="ignore"):
        bound = (
            np.sqrt(image_square_sum * (1 + 4 * _EPS)) * np.abs(kernel).sum() * (1 + (kernel.size + 4) * _EPS)
        )
    return not bound < _LARGEST / 2


def correlate2d(image, kernel, *, padding="valid", stride=1, pad_mode="constant", method="auto"):
    """Slide *kernel* over *image* and return the weighted sum at every position.

    ``out[i, j] = sum over u, v of image[i*stride + u, j*stride + v] * kernel[u, v]``
    on the padded image, without flipping the kernel: a cross-correlation, the
    operation deep-learning libraries call convolution. It equals
    ``scipy.signal.correlate2d(image, kernel, mode="valid")`` for the defaults.

    padding: ``"valid"`` (no padding, the output shrinks by kernel size - 1),
    ``"same"`` (output as large as the input at stride 1) or a whole number of
    pixels added on every side. pad_mode is a :func:`numpy.pad` mode:
    ``"constant"`` pads with zeros, ``"edge"`` repeats the border pixels.
    method: ``"auto"``, ``"taps"`` (shift-and-add) or ``"fft"``. ``"auto"``
    takes the FFT for kernels of FFT_MIN_TAPS taps or more when
    :func:`fft_is_accurate` says its error is negligible for this input, and
    the taps otherwise. ``"fft"`` raises ValueError if the values are too large
    for it to give finite results. A result beyond the float64 range raises
    ValueError too. Integer images give the same result as their float64 equivalent.
    """
    image, kernel, widths, stride, image_square_sum = check_inputs(
        image, kernel, padding, stride, pad_mode, method
    )
    if any(any(w) for w in widths):
        image = np.pad(image, widths, mode=pad_mode)
        if pad_mode != "constant":  # the padding repeats pixels: the padded image has its own norm
            image_square_sum = square_sum(image, "image")
    out_shape = tuple(output_size(n, k, 0, stride) for n, k in zip(image.shape, kernel.shape))
    if method == "auto":
        use_fft = kernel.size >= FFT_MIN_TAPS and _fft_is_accurate(image, image_square_sum, kernel)
        method = "fft" if use_fft else "taps"
    if method == "fft" and not np.isfinite(_error_bound(image.shape, image_square_sum, kernel)):
        raise ValueError("the image and kernel values are too large for method='fft'; use 'taps'")
    with np.errstate(over="ignore", invalid="ignore"):  # checked below where it can happen
        if method == "fft":
            out = _fft(image, kernel, out_shape, stride)
        elif stride == 1:
            out = _taps_stride_1(image, kernel)
        else:
            out = _taps_strided(image, kernel, out_shape, stride)
    if _may_overflow(image_square_sum, kernel) and not np.isfinite(out).all():
        raise ValueError("image and kernel: the result exceeds the float64 range (about 1.8e308)")
    return out
