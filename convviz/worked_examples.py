"""Small worked examples with whole numbers, for the page to step through, and their text layout.

:func:`conv_step` takes one output value of :func:`convviz.layers.conv2d`
apart: the window each input channel contributes, its products with the
filter's slice, the per-channel sums, their total, the bias and the result.
"""

import itertools

import numpy as np

from convviz.layers import padding_amount

#: The seed of the three-channel example.
SEED = 914
#: The 4×4 map of the pooling examples.
POOLING_EXAMPLE = np.array([[1, 3, 2, 1], [4, 2, 6, 4], [1, 8, 3, 7], [5, 3, 2, 1]], dtype=float)


def multichannel_example(seed=SEED):
    """(x, weights, bias): a 5×5×3 input of whole numbers 0–3, two 3×3×3 filters of −1, 0, 1, two biases."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 4, size=(5, 5, 3)).astype(float)
    weights = rng.integers(-1, 2, size=(2, 3, 3, 3)).astype(float)
    bias = rng.integers(-2, 3, size=2).astype(float)
    return x, weights, bias


def conv_step(x, weights, bias, row, col, filt, stride=1, padding="same"):
    """One output value of conv2d(x, weights, bias, stride, padding)[row, col, filt], taken apart.

    Returns a dict: ``top`` and ``left`` (the window's first row and column in
    the input; negative in the padding), ``window`` (k, k, C), ``products``
    (k, k, C), ``channel_sums`` (C,), ``total``, ``bias`` and ``result``.
    """
    x = np.asarray(x, dtype=np.float64)
    k = weights.shape[1]
    p = padding_amount(k, padding)
    padded = np.pad(x, ((p, p), (p, p), (0, 0)))
    out_h, out_w = (padded.shape[0] - k) // stride + 1, (padded.shape[1] - k) // stride + 1
    for value, limit, name in ((row, out_h, "row"), (col, out_w, "col"), (filt, len(weights), "filt")):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < limit:
            raise ValueError(f"{name} must be a whole number from 0 to {limit - 1}, got {value!r}")
    window = padded[row * stride : row * stride + k, col * stride : col * stride + k, :]
    products = window * weights[filt]
    channel_sums = products.sum(axis=(0, 1))
    total = channel_sums.sum()
    return {
        "top": row * stride - p,
        "left": col * stride - p,
        "window": window,
        "products": products,
        "channel_sums": channel_sums,
        "total": total,
        "bias": float(bias[filt]),
        "result": total + bias[filt],
    }


def number(value):
    """A whole number as text with a true minus sign; other values with up to three significant digits."""
    value = float(value) + 0.0  # no "−0"
    text = f"{value:.0f}" if value.is_integer() else f"{value:.3g}"
    return text.replace("-", "−")


def grid_lines(values):
    """A 2-D array as lines of right-aligned numbers, one space more than the longest between them."""
    texts = [[number(v) for v in row] for row in np.asarray(values)]
    width = max(2, 1 + max(len(text) for row in texts for text in row))
    return ["".join(text.rjust(width) for text in row) for row in texts]


def side_by_side(grids, titles, gap=3):
    """Lines showing several 2-D arrays next to each other, each under its title, aligned at the top."""
    columns = [[title, *grid_lines(grid)] for grid, title in zip(grids, titles)]
    widths = [max(len(line) for line in column) for column in columns]
    lines = []
    for parts in itertools.zip_longest(*columns, fillvalue=""):
        lines.append((" " * gap).join(part.ljust(width) for part, width in zip(parts, widths)).rstrip())
    return lines


def code_block(lines):
    """reST text of a plain-text code block holding lines."""
    return ".. code-block:: text\n\n" + "".join(f"   {line}\n" if line else "\n" for line in lines)


#: Two 1×1 filters on three channels, (K, 1, 1, C): the sum of the channels, and the first minus the third.
ONE_BY_ONE_FILTERS = np.array([[1, 1, 1], [1, 0, -1]], dtype=float).reshape(2, 1, 1, 3)
ONE_BY_ONE_BIAS = np.zeros(2)


def list_table(title, header, rows):
    """reST text of a list-table with a header row; every cell is text."""
    lines = [f".. list-table:: {title}", "   :header-rows: 1", ""]
    for row in [header, *rows]:
        lines += [f"   {'*' if index == 0 else ' '} - {cell}" for index, cell in enumerate(row)]
    return "\n".join(lines) + "\n"


def grid_table(matrix, title):
    """A reST list-table of matrix, titled, as narrow as its numbers.

    Row and column numbers (from 0) head the rows and columns, so a screen
    reader can say where each number stands.
    """
    matrix = np.asarray(matrix)
    width = min(100, max(40, 10 * (matrix.shape[1] + 1)))
    options = [
        "   :class: worked-grid",
        f"   :width: {width}%",
        "   :align: center",
        "   :header-rows: 1",
        "   :stub-columns: 1",
        "",
    ]
    lines = [f".. list-table:: {title}", *options, "   * -"]
    lines.extend(f"     - {col}" for col in range(matrix.shape[1]))
    for index, row in enumerate(matrix):
        lines.append(f"   * - {index}")
        lines.extend(f"     - {number(value)}" for value in row)
    return "\n".join(lines) + "\n"
