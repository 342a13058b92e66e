"""The "check your understanding" questions of the pages, with answers and hints computed here.

Each question is a dict that the ``.. quiz::`` directive turns into HTML and the
page's script checks against:

* ``id``, ``kind`` (``"size"``: an n×n output size; ``"number"``: one value;
  ``"choice"``: one of ``choices``), ``prompt`` (plain text), optional ``grids``
  (small arrays shown as tables) and ``choices`` (``[{"value", "label"}]``);
* ``answer``: computed with :mod:`convviz`, never typed;
* ``mistakes``: ``[{"value", "hint"}]``, the answer a typical mistake gives and
  a hint toward it, also computed; ``hint``: for any other wrong answer;
* ``explanation``: shown when the reader asks for the answer.

Two mistakes that would give the same value raise ValueError: a hint must name
the mistake the reader made, not guess between two.
"""

import copy
import functools
import math

import numpy as np

from convviz.convolution import correlate2d, output_size
from convviz.kernels import KERNELS, LABELS
from coursesite.quiz_part3 import BUILDERS as PART3_BUILDERS
from coursesite.quiz_part3 import PART3_IDS

#: The question ids of parts 1 and 2 in the order they appear in the module; part 3's follow
#: (coursesite.quiz_part3.PART3_IDS).
QUESTION_IDS = (
    "valid-output-size",
    "one-output-cell",
    "which-kernel",
    "padded-strided-size",
    "pooled-size",
    "conv2-parameters",
    "most-weights",
    *PART3_IDS,
)

#: Seed of the small input of "one-output-cell".
CELL_SEED = 7


def number_text(value):
    """A number as the pages print it: whole numbers without decimals and with thousands separated
    by commas (3,920), a true minus sign."""
    value = float(value)
    text = f"{value:,.0f}" if value.is_integer() else f"{value:.4g}"
    return text.replace("-", "−")


def _size_formula(n, f, padding, stride):
    """The worked formula as text, e.g. "⌊(30 − 5 + 2·0) / 1⌋ + 1 = 26"."""
    result = output_size(n, f, padding, stride)
    return f"⌊({n} − {f} + 2·{padding}) / {stride}⌋ + 1 = {result}"


def _checked(question):
    """Return question after checking that its answer and mistake values are all different."""
    values = [question["answer"]] + [m["value"] for m in question["mistakes"]]
    if len(set(values)) != len(values):
        raise ValueError(f"question {question['id']!r}: two of its answers coincide: {values}")
    return question


# -- Part 1 -------------------------------------------------------------------------------


def valid_output_size(n=30, f=5):
    """The output size of a valid, stride-1 cross-correlation of an n×n input with an f×f kernel."""
    answer = output_size(n, f)
    return _checked(
        {
            "id": "valid-output-size",
            "kind": "size",
            "prompt": (
                f"A {f}×{f} kernel slides over a {n}×{n} image with no padding and stride 1. "
                "How large is the output?"
            ),
            "answer": answer,
            "mistakes": [
                {
                    "value": output_size(n, f, padding=(f - 1) // 2),
                    "hint": (
                        "That is the size of the input. Without padding the kernel has to fit "
                        "inside the image, so there are fewer positions than pixels."
                    ),
                },
                {
                    "value": n - f,
                    "hint": (
                        f"Almost: {n} − {f} counts the steps the kernel can move, "
                        "not the positions it can stand on. Count the first position too."
                    ),
                },
                {
                    "value": n + f - 1,
                    "hint": (
                        "That is the 'full' output, where the kernel may hang over the border "
                        "(the default mode of scipy.signal.correlate2d; scipy.ndimage keeps the input's "
                        "size instead). Here the whole kernel stays inside the image."
                    ),
                },
                {
                    "value": output_size(n, 3),
                    "hint": (
                        "That is the size for a 3×3 kernel, one pixel lost on every side. "
                        f"A {f}×{f} kernel loses more."
                    ),
                },
            ],
            "hint": "Use the formula for the output size with P = 0 and S = 1.",
            "explanation": _size_formula(n, f, 0, 1) + f", so the output is {answer}×{answer}.",
        }
    )


def cell_example(seed=CELL_SEED):
    """(image, kernel) of "one-output-cell": a 5×5 input of small whole numbers and Sobel X."""
    image = np.random.default_rng(seed).integers(0, 10, size=(5, 5)).astype(np.float64)
    return image, np.array(KERNELS["sobel_x"])


def one_output_cell(row=1, col=2, seed=CELL_SEED):
    """One value of the valid cross-correlation of cell_example(), with the values of three mistakes."""
    image, kernel = cell_example(seed)
    out = correlate2d(image, kernel)
    flipped = correlate2d(image, kernel[::-1, ::-1])
    answer = float(out[row, col])
    products = image[row : row + kernel.shape[0], col : col + kernel.shape[1]] * kernel
    return _checked(
        {
            "id": "one-output-cell",
            "kind": "number",
            "prompt": (
                f"The {LABELS['sobel_x']} kernel is cross-correlated with the 5×5 input below, "
                f"without padding and with stride 1. What is out[{row}, {col}], the value in "
                f"row {row}, column {col} of the output (counted from 0)?"
            ),
            "grids": [
                {"caption": "Input", "values": image.tolist()},
                {"caption": f"Kernel ({LABELS['sobel_x']})", "values": kernel.tolist()},
            ],
            "answer": answer,
            "mistakes": [
                {
                    "value": float(flipped[row, col]),
                    "hint": (
                        "You flipped the kernel, as a true convolution does. Cross-correlation "
                        "multiplies each pixel with the weight at the same place in the kernel."
                    ),
                },
                {
                    "value": float(out[row - 1, col - 1]),
                    "hint": (
                        f"That window is centred on image[{row}, {col}] (or you counted from 1). "
                        f"out[{row}, {col}] uses the window whose top-left pixel is image[{row}, {col}]."
                    ),
                },
                {
                    "value": float(out[col, row]),
                    "hint": (
                        "Rows and columns are swapped: the first index is the row, counted downwards, "
                        "the second the column."
                    ),
                },
            ],
            "hint": (
                f"Put the kernel's top-left weight on image[{row}, {col}], multiply the nine "
                "overlapping pairs and add the products."
            ),
            "explanation": (
                f"The window is image[{row}:{row + 3}, {col}:{col + 3}]. Its nine products with the "
                f"kernel, row by row: {', '.join(number_text(p) for p in products.ravel())}; "
                f"their sum is {number_text(answer)}."
            ),
        }
    )


#: The kernels offered in "which-kernel", and what each one answers.
KERNEL_CHOICES = {
    "sobel_x": "Sobel X answers changes from left to right, so it lights up along vertical edges.",
    "sobel_y": "Sobel Y answers changes from top to bottom, so it lights up along horizontal edges.",
    "laplacian": "The Laplacian answers bends in brightness, with opposite signs on either side of an edge.",
    "gaussian": "The Gaussian averages: all its weights are positive, so it never gives a negative value.",
}
#: The kernel that made the feature map of "which-kernel".
KERNEL_ANSWER = "sobel_x"


def kernel_example():
    """The 8×8 input of "which-kernel": a tall bright bar on a dark ground."""
    image = np.zeros((8, 8))
    image[1:7, 2:5] = 2.0
    return image


def which_kernel():
    """Which kernel made a feature map: the map is computed, each wrong choice hinted by a differing cell."""
    image = kernel_example()
    maps = {name: correlate2d(image, KERNELS[name]) for name in KERNEL_CHOICES}
    shown = maps[KERNEL_ANSWER]
    mistakes = []
    for name in KERNEL_CHOICES:
        if name == KERNEL_ANSWER:
            continue
        difference = np.abs(maps[name] - shown)
        row, col = np.unravel_index(np.argmax(difference), difference.shape)
        mistakes.append(
            {
                "value": name,
                "hint": (
                    f"{KERNEL_CHOICES[name]} It would give {number_text(maps[name][row, col])} at "
                    f"row {row}, column {col}; the map shows {number_text(shown[row, col])} there."
                ),
            }
        )
    return _checked(
        {
            "id": "which-kernel",
            "kind": "choice",
            "prompt": (
                "One of these kernels turned the input into the feature map below "
                "(no padding, stride 1). Which one?"
            ),
            "grids": [
                {"caption": "Input", "values": image.tolist()},
                {"caption": "Feature map", "values": shown.tolist()},
            ],
            "choices": [{"value": name, "label": LABELS[name]} for name in KERNEL_CHOICES],
            "answer": KERNEL_ANSWER,
            "mistakes": mistakes,
            "hint": "Look at where the map is positive, negative and zero.",
            "explanation": (
                f"{LABELS[KERNEL_ANSWER]}. {KERNEL_CHOICES[KERNEL_ANSWER]} The bar's left side "
                "gets brighter from left to right (positive), its right side darker (negative)."
            ),
        }
    )


# -- Part 2 -------------------------------------------------------------------------------


def padded_strided_size(n=32, f=5, padding=2, stride=2):
    """The output size with padding and stride, where the division does not come out even."""
    answer = output_size(n, f, padding, stride)
    exact = (n - f + 2 * padding) / stride + 1
    return _checked(
        {
            "id": "padded-strided-size",
            "kind": "size",
            "prompt": (
                f"A {f}×{f} kernel slides over a {n}×{n} input padded with {padding} pixels on "
                f"every side, with stride {stride}. How large is the output?"
            ),
            "answer": answer,
            "mistakes": [
                {
                    "value": exact,
                    "hint": "A size is a whole number of positions: round the division down.",
                },
                {
                    "value": math.ceil((n - f + 2 * padding) / stride) + 1,
                    "hint": (
                        "You rounded up. A last step that would leave the kernel hanging over the "
                        "padded border is not taken: round the division down."
                    ),
                },
                {
                    "value": output_size(n, f, 0, stride),
                    "hint": f"That is the size without padding. Add the {padding} pixels on both sides.",
                },
                {
                    "value": output_size(n, f, padding, 1),
                    "hint": f"That is the size at stride 1. Stride {stride} skips positions.",
                },
                {
                    "value": answer - 1,
                    "hint": "Close: the formula ends with + 1, for the kernel's first position.",
                },
            ],
            "hint": "Use the formula for the output size, and round the division down.",
            "explanation": _size_formula(n, f, padding, stride) + f", so the output is {answer}×{answer}.",
        }
    )


def pooled_size(n=27, window=2, stride=2):
    """The output size of max pooling an n×n map with a window×window window."""
    answer = output_size(n, window, 0, stride)
    return _checked(
        {
            "id": "pooled-size",
            "kind": "size",
            "prompt": (
                f"A {n}×{n} feature map goes through {window}×{window} max pooling with stride "
                f"{stride}. How large is the pooled map?"
            ),
            "answer": answer,
            "mistakes": [
                {
                    "value": n / stride,
                    "hint": (
                        "Halving is right, but a map has whole rows: the last, incomplete window is dropped."
                    ),
                },
                {
                    "value": math.ceil(n / stride),
                    "hint": (
                        "You rounded up. Pooling, like convolution, only uses windows that fit: "
                        "the last row and column have no complete window."
                    ),
                },
                {
                    "value": output_size(n, window, 0, 1),
                    "hint": (
                        f"That is pooling with stride 1. With stride {stride} the windows do not overlap."
                    ),
                },
            ],
            "hint": "The output-size formula holds for pooling too, with F the window size and no padding.",
            "explanation": _size_formula(n, window, 0, stride) + f", so the pooled map is {answer}×{answer}.",
        }
    )


def exercise_shapes(weights=None):
    """{name: shape} of W1, b1, W2, b2, W3, b3 of the trained exercise-4 network.

    weights: a dict of arrays as :func:`convviz.tiny_cnn.load_weights` returns it;
    by default the weights file the build wrote (or, without one, the trained network).
    """
    if weights is None:
        from convviz.tiny_cnn import load_weights, trained_network
        from coursesite.network_data import weights_path

        path = weights_path()
        weights = load_weights(path) if path.exists() else trained_network()[0]
    return {name: tuple(int(s) for s in weights[name].shape) for name in ("W1", "b1", "W2", "b2", "W3", "b3")}


def conv2_parameters(shapes=None):
    """How many weights and biases conv2 has, from the shapes of the trained weights."""
    shapes = exercise_shapes() if shapes is None else shapes
    filters, rows, cols, channels = shapes["W2"]
    weights = math.prod(shapes["W2"])
    biases = math.prod(shapes["b2"])
    answer = weights + biases
    return _checked(
        {
            "id": "conv2-parameters",
            "kind": "number",
            "prompt": (
                f"Exercise 4's second convolution, conv2, has {filters} filters of {rows}×{cols} "
                f"on an input with {channels} channels. How many parameters (weights and biases) "
                "does it have?"
            ),
            "answer": answer,
            "mistakes": [
                {
                    "value": weights,
                    "hint": "Those are the weights. Each filter also has a bias.",
                },
                {
                    "value": filters * rows * cols + biases,
                    "hint": (
                        f"Each filter is a {rows}×{cols}×{channels} block, one {rows}×{cols} slice "
                        "per input channel."
                    ),
                },
                {
                    "value": filters * rows * cols,
                    "hint": (
                        f"Each filter is a {rows}×{cols}×{channels} block, one {rows}×{cols} slice "
                        "per input channel, and each filter has a bias."
                    ),
                },
                {
                    "value": rows * cols * channels + 1,
                    "hint": f"That is one filter with its bias. The layer has {filters} of them.",
                },
            ],
            "hint": "Count the weights of one filter, then the filters, then add one bias per filter.",
            "explanation": (
                f"{filters} × {rows} × {cols} × {channels} = {weights:,} weights and {biases:,} biases: "
                f"{answer:,} parameters."
            ),
        }
    )


#: The layers of exercise 4 with the name of their weight array.
LAYERS = {"conv1": "W1", "conv2": "W2", "dense": "W3"}


def most_weights(shapes=None):
    """Which layer of exercise 4 has the most weights, from the shapes of the trained weights."""
    shapes = exercise_shapes() if shapes is None else shapes
    counts = {layer: math.prod(shapes[name]) for layer, name in LAYERS.items()}
    answer = max(counts, key=counts.get)

    def describe(layer):
        shape = shapes[LAYERS[layer]]
        if len(shape) == 4:
            return f"The layer {layer} has {shape[0]} filters of {'×'.join(map(str, shape[1:]))}"
        return f"The layer {layer} connects each of its {shape[0]} outputs to all {shape[1]} inputs"

    mistakes = [
        {
            "value": layer,
            "hint": (
                f"{describe(layer)}: {counts[layer]:,} weights, shared over every position. "
                f"Now multiply out the shape of the {answer} layer's weights."
            ),
        }
        for layer in LAYERS
        if layer != answer
    ]
    others = ", ".join(f"{counts[layer]:,} for {layer}" for layer in LAYERS if layer != answer)
    return _checked(
        {
            "id": "most-weights",
            "kind": "choice",
            "prompt": "Which layer of the exercise-4 network has the most weights (biases not counted)?",
            "choices": [{"value": layer, "label": layer} for layer in LAYERS],
            "answer": answer,
            "mistakes": mistakes,
            "hint": "Multiply out the shape of each layer's weights.",
            "explanation": (
                f"{answer}. {describe(answer)}: {' × '.join(map(str, shapes[LAYERS[answer]]))} = "
                f"{counts[answer]:,} weights, against {others}. A convolution reuses its few weights "
                "at every position."
            ),
        }
    )


BUILDERS = {
    "valid-output-size": valid_output_size,
    "one-output-cell": one_output_cell,
    "which-kernel": which_kernel,
    "padded-strided-size": padded_strided_size,
    "pooled-size": pooled_size,
    "conv2-parameters": conv2_parameters,
    "most-weights": most_weights,
    **PART3_BUILDERS,
}


def question(question_id):
    """The question with this id (a dict as described in the module docstring), the caller's own copy."""
    if question_id not in BUILDERS:
        raise ValueError(f"question_id must be one of {', '.join(QUESTION_IDS)}, got {question_id!r}")
    return copy.deepcopy(_built(question_id, _weights_version() if question_id in PART3_IDS else None))


def _weights_version():
    """What part 3's questions are computed from: the weights file the build writes, as it is now."""
    from coursesite.network_data import weights_path

    path = weights_path()
    if not path.exists():
        return None
    stat = path.stat()
    return str(path), stat.st_mtime_ns, stat.st_size


@functools.cache
def _built(question_id, weights):
    """Each question is computed once per process, part 3's once per version of the weights file
    (weights): its questions take up to about 1.5 s each."""
    return BUILDERS[question_id]()
