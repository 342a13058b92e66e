r"""
A three-channel layer, one output at a time
===========================================

A 5×5×3 input of whole numbers through two 3×3×3 filters with stride 2 and
padding 1: two output values taken apart channel by channel, the whole
3×3×2 output, the same layer as one matrix product, and small examples of a
1×1 convolution, average pooling and global average pooling. The numbers
and text blocks are written for the part 2 page.
"""

# %%
# The example and the whole output
# --------------------------------
import numpy as np
from scipy import signal

from convviz.figure_output import save_file, save_numbers
from convviz.layers import avgpool2d, conv2d, conv2d_as_matmul, global_avgpool, im2col, maxpool2d
from convviz.worked_examples import (
    ONE_BY_ONE_BIAS,
    ONE_BY_ONE_FILTERS,
    POOLING_EXAMPLE,
    code_block,
    conv_step,
    multichannel_example,
    number,
    side_by_side,
)

STRIDE, PADDING = 2, 1
#: The output values taken apart: (row, column, filter), NumPy indices. The texts number
#: filters and channels from 1, as the figures and the explorers do (filter 1 is weights[0]).
STEPS = ((0, 0, 0), (1, 1, 1))

x, weights, bias = multichannel_example()
out = conv2d(x, weights, bias, stride=STRIDE, padding=PADDING)
channels = x.shape[2]
print(out.shape)


def save_text(lines, name):
    save_file(lambda path: path.write_text(code_block(lines)), name)


save_text(
    side_by_side([x[..., c] for c in range(channels)], [f"channel {c + 1}" for c in range(channels)]),
    "multichannel_input.txt",
)
filter_lines = []
for f in range(len(weights)):
    filter_lines.append(f"filter {f + 1}, bias {number(bias[f])}")
    filter_lines += side_by_side(
        [weights[f, ..., c] for c in range(channels)], [f"channel {c + 1}" for c in range(channels)]
    )
    filter_lines.append("")
save_text(filter_lines[:-1], "multichannel_filters.txt")
save_text(
    side_by_side(
        [out[..., f] for f in range(len(weights))], [f"filter {f + 1}" for f in range(len(weights))]
    ),
    "multichannel_output.txt",
)

# %%
# Two output values, step by step
# -------------------------------
numbers = {}
for index, (row, col, filt) in enumerate(STEPS):
    step = conv_step(x, weights, bias, row, col, filt, stride=STRIDE, padding=PADDING)
    lines = []
    for c in range(channels):
        lines.append(f"channel {c + 1}:")
        lines += side_by_side(
            [step["window"][..., c], weights[filt, ..., c], step["products"][..., c]],
            ["window", f"filter {filt + 1}", "products"],
        )
        lines += [f"sum of the products: {number(step['channel_sums'][c])}", ""]
    sums = " + ".join(number(s) if s >= 0 else f"({number(s)})" for s in step["channel_sums"])
    lines.append(f"total: {sums} = {number(step['total'])}")
    lines.append(f"plus the bias {number(step['bias'])}: {number(step['result'])}")
    save_text(lines, f"multichannel_step_{index}.txt")
    print("\n".join(lines))
    last_row, last_col = step["top"] + weights.shape[1] - 1, step["left"] + weights.shape[2] - 1
    numbers |= {
        f"step{index}_row": number(row),
        f"step{index}_col": number(col),
        f"step{index}_filter": number(filt + 1),
        f"step{index}_rows": f"{number(step['top'])} to {number(last_row)}",
        f"step{index}_cols": f"{number(step['left'])} to {number(last_col)}",
        f"step{index}_total": number(step["total"]),
        f"step{index}_bias": number(step["bias"]),
        f"step{index}_result": number(step["result"]),
    }

# The same output from SciPy: one 2-D cross-correlation per channel, added up, every
# second position, plus the bias.
padded = np.pad(x, ((PADDING, PADDING), (PADDING, PADDING), (0, 0)))
scipy_out = np.stack(
    [
        sum(signal.correlate(padded[..., c], weights[f, ..., c], mode="valid") for c in range(channels))[
            ::STRIDE, ::STRIDE
        ]
        + bias[f]
        for f in range(len(weights))
    ],
    axis=-1,
)
numbers |= {
    "mc_input_shape": "×".join(map(str, x.shape)),
    "mc_filter_shape": "×".join(map(str, weights.shape[1:])),
    "mc_filters": number(len(weights)),
    "mc_stride": number(STRIDE),
    "mc_padding": number(PADDING),
    "mc_output_shape": "×".join(map(str, out.shape)),
    "mc_scipy_diff": f"{np.abs(out - scipy_out).max():g}",
}

# %%
# The same layer as one matrix product
# ------------------------------------
padded_batch = padded[None]
windows = im2col(padded_batch, weights.shape[1], STRIDE)
product, matrix = conv2d_as_matmul(padded_batch, weights, bias, STRIDE)
filters = weights.reshape(len(weights), -1).T
numbers |= {
    "im2col_padded_shape": "×".join(map(str, padded.shape)),
    "im2col_windows_shape": f"({', '.join(map(str, windows.shape))})",
    "im2col_matrix_shape": f"({', '.join(map(str, matrix.shape))})",
    "im2col_filters_shape": f"({', '.join(map(str, filters.shape))})",
    "im2col_product_shape": f"({matrix.shape[0]}, {filters.shape[1]})",
    "im2col_output_shape": f"({', '.join(map(str, product.shape))})",
    "im2col_rows": number(matrix.shape[0]),
    "im2col_columns": number(matrix.shape[1]),
    "im2col_diff": f"{np.abs(product[0] - out).max():g}",
}
print(matrix.shape, filters.shape)

# %%
# 1×1 convolution, average pooling, global average pooling
# --------------------------------------------------------
mixed = conv2d(x, ONE_BY_ONE_FILTERS, ONE_BY_ONE_BIAS, padding="valid")
save_text(
    side_by_side(
        [mixed[..., f] for f in range(len(ONE_BY_ONE_FILTERS))],
        [f"1×1 filter {f + 1}" for f in range(len(ONE_BY_ONE_FILTERS))],
    ),
    "one_by_one_output.txt",
)
pixel = x[0, 0]
numbers |= {
    "one_pixel": ", ".join(number(v) for v in pixel),
    "one_filter0": ", ".join(number(v) for v in ONE_BY_ONE_FILTERS[0, 0, 0]),
    "one_filter1": ", ".join(number(v) for v in ONE_BY_ONE_FILTERS[1, 0, 0]),
    "one_out0": number(mixed[0, 0, 0]),
    "one_out1": number(mixed[0, 0, 1]),
    "one_shape": "×".join(map(str, mixed.shape)),
    "one_params": number(ONE_BY_ONE_FILTERS.size + ONE_BY_ONE_BIAS.size),
    "one_weights": number(ONE_BY_ONE_FILTERS.size),
    "one_biases": number(ONE_BY_ONE_BIAS.size),
    "one_bias_values": " and ".join(number(v) for v in ONE_BY_ONE_BIAS),
}

pool_map = POOLING_EXAMPLE[..., None]
averaged = avgpool2d(pool_map)[..., 0]
maximum = maxpool2d(pool_map)[..., 0]
save_text(
    side_by_side([POOLING_EXAMPLE, maximum, averaged], ["map", "max", "average"]),
    "average_pooling.txt",
)
gap = global_avgpool(out)
numbers |= {
    "gap_values": " and ".join(number(v) for v in gap),
    "gap_channel0_sum": number(out[..., 0].sum()),
    "gap_cells": number(out.shape[0] * out.shape[1]),
}
print(averaged, gap)
save_numbers(numbers, "multichannel_numbers.txt")
