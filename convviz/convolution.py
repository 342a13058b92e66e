"""Fast 2-D cross-correlation (what deep learning calls "convolution") for grayscale images.

The teaching version with two explicit loops lives in the learner download
``downloads/cnn_visualization.py``; this module gives the same numbers without
a Python loop over pixels. Small kernels loop over the kernel taps only: one
vectorized multiply-add of a shifted view of the whole image per tap
("shift-and-add"). Kernels of 7×7 and more use the FFT, which is faster for
them at every image size ``make bench`` measures.
"""

import numpy as np

#: Kernels with at least this many taps go through the FFT (7×7 and up).
FFT_MIN_TAPS = 49

# Output values per strip of rows in shift-and-add (256 KiB of float64).
_CACHE_FLOATS = 32768


def check_whole_number(value, name, minimum):
    """Return value as an int if it is a whole number >= minimum (not a bool), else raise ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def output_size(n, f, padding=0, stride=1):
    """Output length along one axis: ``(n - f + 2*padding) // stride + 1``.

    >>> output_size(256, 3)
    254
    >>> output_size(28, 3, padding=1)
    28
    >>> output_size(7, 3, stride=2)
    3
    """
    for name, value, low in (("n", n, 1), ("f", f, 1), ("padding", padding, 0), ("stride", stride, 1)):
        check_whole_number(value, name, low)
    if f > n + 2 * padding:
        raise ValueError(f"a kernel of size {f} does not fit an input of size {n} padded by {padding}")
    return (n - f + 2 * padding) // stride + 1


def _as_float_array(values, what):
    array = np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what} must hold numbers, got dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"{what} must be 2-D (rows, columns), got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{what} is empty (shape {array.shape})")
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        raise ValueError(f"{what} contains NaN or infinity")
    return array


def padding_widths(kernel_shape, padding):
    """(before, after) padding per axis for 'valid', 'same' or a whole number of pixels.

    'same' puts the extra pixel of an even kernel after, as SciPy does.
    """
    if isinstance(padding, str) and padding == "valid":
        return tuple((0, 0) for _ in kernel_shape)
    if isinstance(padding, str) and padding == "same":
        return tuple(((k - 1) // 2, k // 2) for k in kernel_shape)
    if isinstance(padding, str):
        raise ValueError(f"padding must be 'valid', 'same' or a whole number >= 0, got {padding!r}")
    try:
        p = check_whole_number(padding, "padding", 0)
    except ValueError:
        raise ValueError(f"padding must be 'valid', 'same' or a whole number >= 0, got {padding!r}") from None
    return tuple((p, p) for _ in kernel_shape)


def check_inputs(image, kernel, padding="valid", stride=1):
    """Validate the arguments of :func:`correlate2d` and return them as float64 arrays.

    Raises ``ValueError`` naming the problem: not 2-D, empty, non-numeric,
    NaN or infinity, a kernel larger than the (padded) image, a bad padding or stride.
    """
    image = _as_float_array(image, "image")
    kernel = _as_float_array(kernel, "kernel")
    check_whole_number(stride, "stride", 1)
    widths = padding_widths(kernel.shape, padding)
    for axis, name in enumerate(("rows", "columns")):
        padded = image.shape[axis] + sum(widths[axis])
        if kernel.shape[axis] > padded:
            raise ValueError(
                f"kernel is larger than the image: {kernel.shape[axis]} {name} "
                f"against {padded} in the (padded) image"
            )
    return image, kernel, widths


def _shift_and_add(image, kernel, out_shape, stride):
    """Accumulate one shifted, strided view of the image per non-zero kernel tap.

    The output is filled in strips of rows small enough to stay in the CPU
    cache while every tap is added to them, which is what makes this faster
    than a single pass over the whole array per tap.
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


def _fft(image, kernel, out_shape, stride):
    kh, kw = kernel.shape
    shape = tuple(_smooth_length(s) for s in image.shape)
    spectrum = np.fft.rfft2(image, shape) * np.fft.rfft2(kernel[::-1, ::-1], shape)
    full = np.fft.irfft2(spectrum, shape)
    rows, cols = out_shape
    return full[
        kh - 1 : kh - 1 + (rows - 1) * stride + 1 : stride, kw - 1 : kw - 1 + (cols - 1) * stride + 1 : stride
    ]


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
    method: ``"auto"``, ``"taps"`` (shift-and-add) or ``"fft"``.
    Integer images give the same result as their float64 equivalent.
    """
    image, kernel, widths = check_inputs(image, kernel, padding, stride)
    if any(any(w) for w in widths):
        image = np.pad(image, widths, mode=pad_mode)
    out_shape = tuple(output_size(n, k, 0, stride) for n, k in zip(image.shape, kernel.shape))
    if method == "auto":
        method = "fft" if kernel.size >= FFT_MIN_TAPS else "taps"
    if method == "taps":
        return _shift_and_add(image, kernel, out_shape, stride)
    if method == "fft":
        return _fft(image, kernel, out_shape, stride)
    raise ValueError(f"method must be 'auto', 'taps' or 'fft', got {method!r}")
