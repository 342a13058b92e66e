"""Fast 2-D cross-correlation (what deep learning calls "convolution") for grayscale images.

The teaching version with two explicit loops lives in the learner download
``downloads/cnn_visualization.py``; this module gives the same numbers without
a Python loop over pixels. Small kernels loop over the kernel taps only: one
vectorized multiply-add of a shifted view of the whole image per tap
("shift-and-add"). Kernels of 7×7 and more use the FFT, which is faster for
them at every image size ``make bench`` measures, but only where the FFT's
rounding error is small for the given input (see :func:`fft_error_bound`).
"""

import numpy as np

#: Kernels with at least this many taps go through the FFT (7×7 and up).
FFT_MIN_TAPS = 49

#: method="auto" uses the FFT only if its error bound is below this fraction of
#: the response of the kernel to a typical pixel (median |pixel| times sum |weight|).
FFT_TOLERANCE = 1e-9

#: The largest padded array (in values) the package agrees to allocate: 1 GiB of float64.
MAX_PADDED_VALUES = 2**27

PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")
METHODS = ("auto", "taps", "fft")

# Output values per strip of rows in shift-and-add (256 KiB of float64).
_CACHE_FLOATS = 32768


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


def check_padded_size(shape, widths, what):
    """Raise ValueError if padding shape by widths would exceed MAX_PADDED_VALUES (nothing is allocated)."""
    padded = [n + before + after for n, (before, after) in zip(shape, widths)]
    if np.prod(padded, dtype=object) > MAX_PADDED_VALUES:
        raise ValueError(
            f"padding makes {what} {'×'.join(map(str, padded))}, more than {MAX_PADDED_VALUES:,} values"
        )


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
    try:
        p = check_whole_number(padding, "padding", 0)
    except ValueError:
        raise ValueError(f"padding must be 'valid', 'same' or a whole number >= 0, got {padding!r}") from None
    return tuple((p, p) for _ in kernel_shape)


def check_inputs(image, kernel, padding, stride, pad_mode, method):
    """Validate the arguments of :func:`correlate2d`; return image, kernel (float64), widths, stride.

    Raises ``ValueError`` naming the problem: not 2-D, empty, non-numeric,
    NaN or infinity, a kernel larger than the (padded) image, a bad padding,
    stride, pad_mode or method. Nothing is padded or computed before all pass.
    """
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be 'auto', 'taps' or 'fft', got {method!r}")
    if not isinstance(pad_mode, str) or pad_mode not in PAD_MODES:
        raise ValueError(f"pad_mode must be one of {', '.join(PAD_MODES)}, got {pad_mode!r}")
    stride = check_whole_number(stride, "stride", 1)
    image = _as_float_array(image, "image")
    kernel = _as_float_array(kernel, "kernel")
    widths = padding_widths(kernel.shape, padding)
    check_padded_size(image.shape, widths, "the image")
    for axis, name in enumerate(("rows", "columns")):
        padded = image.shape[axis] + sum(widths[axis])
        if kernel.shape[axis] > padded:
            raise ValueError(
                f"kernel is larger than the image: {kernel.shape[axis]} {name} "
                f"against {padded} in the (padded) image"
            )
    return image, kernel, widths, stride


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


def fft_error_bound(image, kernel):
    """An upper bound on the absolute error of any output value computed through the FFT.

    Rounding in a length-L FFT convolution is at most about
    eps · log2(L) · ‖image‖₂ · ‖kernel‖₂ (Cooley-Tukey's error grows with
    log L); the factor 8 leaves a margin the tests check. Infinity when the
    norms overflow.
    """
    length = np.prod([_smooth_length(s) for s in image.shape], dtype=np.float64)
    with np.errstate(over="ignore"):
        norms = np.linalg.norm(image) * np.linalg.norm(kernel)
    return 8 * np.finfo(np.float64).eps * (np.log2(length) + 1) * norms


def fft_is_accurate(image, kernel):
    """True if the FFT's error bound is within FFT_TOLERANCE of a typical pixel's response."""
    typical = np.median(np.abs(image)) * np.abs(kernel).sum()
    return bool(fft_error_bound(image, kernel) <= FFT_TOLERANCE * typical)


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
    method: ``"auto"``, ``"taps"`` (shift-and-add) or ``"fft"``. ``"auto"``
    takes the FFT for kernels of FFT_MIN_TAPS taps or more when
    :func:`fft_is_accurate` says its error is negligible for this input, and
    the taps otherwise. ``"fft"`` raises ValueError if the values are too large
    for it to give finite results.
    Integer images give the same result as their float64 equivalent.
    """
    image, kernel, widths, stride = check_inputs(image, kernel, padding, stride, pad_mode, method)
    if any(any(w) for w in widths):
        image = np.pad(image, widths, mode=pad_mode)
    out_shape = tuple(output_size(n, k, 0, stride) for n, k in zip(image.shape, kernel.shape))
    if method == "auto":
        use_fft = kernel.size >= FFT_MIN_TAPS and fft_is_accurate(image, kernel)
        method = "fft" if use_fft else "taps"
    if method == "fft":
        if not np.isfinite(fft_error_bound(image, kernel)):
            raise ValueError("the image and kernel values are too large for method='fft'; use 'taps'")
        return _fft(image, kernel, out_shape, stride)
    return _shift_and_add(image, kernel, out_shape, stride)
