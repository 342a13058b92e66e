"""Part 2 of the module: every number it states is computed here, every figure and dropdown present."""

import numpy as np
import pytest
from bs4 import BeautifulSoup
from conftest import MODULE_RST
from PIL import Image
from scipy import ndimage
from support.pages import (
    check_alt_texts,
    emphasized_blocks,
    function_lines,
    named_lines,
)

from convviz import KERNELS, correlate2d, output_size, shapes_pattern
from convviz.paths import DOWNLOADS_DIR as DOWNLOADS

PART2_RST = MODULE_RST.with_name("inside_a_conv_layer.rst")
FIGURES = {
    "correlation_vs_convolution.png",
    "padding_and_stride.png",
    "zero_vs_edge_padding.png",
    "photo_filters.png",
    "max_pooling.png",
    "cnn_architecture.svg",
    "tiny_cnn_training_curve.png",
    "learned_filters.svg",
    "learned_feature_maps.png",
}


@pytest.fixture(scope="module")
def part2(site):
    return BeautifulSoup((site / "module_9_2_2" / "inside_a_conv_layer.html").read_text(), "html.parser")


@pytest.fixture(scope="module")
def text(part2):
    return " ".join(part2.get_text(" ").split())


def test_parameter_counts_are_computed(text):
    photo_inputs = 224 * 224 * 3
    assert f"224 × 224 × 3 = {photo_inputs:,}" in text
    assert (
        f"{photo_inputs * 1000:,} weights, about {photo_inputs * 1000 // 1_000_000 // 10 * 10} million"
        in text
    )
    assert f"costs {28 * 28 * 128:,} weights for a first layer of 128 neurons" in text
    assert f"32 × (3 × 3 × 3) = {32 * 3 * 3 * 3} weights" in text


@pytest.mark.parametrize(
    ("n", "f", "p", "s"), [(256, 3, 0, 1), (28, 3, 1, 1), (28, 5, 0, 1), (64, 3, 0, 2), (256, 3, 1, 2)]
)
def test_output_size_table_rows_are_the_formula(part2, n, f, p, s):
    rows = [
        [cell.get_text(strip=True) for cell in row.select("td")] for row in part2.select("table tbody tr")
    ]
    row = next(r for r in rows if r[:4] == [str(n), str(f), str(p), str(s)])
    assert row[4].endswith(f"= {output_size(n, f, p, s)}") or row[4].endswith(f"→ {output_size(n, f, p, s)}")
    exact = (n - f + 2 * p) / s + 1
    assert f"{exact:g}" in row[4]


def test_pooling_and_figure_sizes_stated(text):
    assert f"(5 − 2) / 2 + 1 = 2.5 → {output_size(5, 2, 0, 2)}" in text


def test_cross_correlation_numbers_are_recomputed(text):
    pattern = shapes_pattern(128)
    ours = correlate2d(pattern, KERNELS["sobel_x"], padding="same")
    to_correlate = np.abs(ours - ndimage.correlate(pattern, KERNELS["sobel_x"], mode="constant")).max()
    to_convolve = np.abs(ours - ndimage.convolve(pattern, KERNELS["sobel_x"], mode="constant")).max()
    assert to_correlate == 0 and to_convolve > 0
    assert f"against scipy.ndimage.correlate : {to_correlate:g};" in text
    assert f"against scipy.ndimage.convolve : {to_convolve:g};" in text


def test_every_figure_is_shown_with_alt_and_caption(site, part2):
    shown = set()
    for figure in part2.select("figure"):
        img = figure.find("img")
        name = img["src"].rsplit("/", 1)[-1]
        shown.add(name)
        assert len(img["alt"]) > 40 and figure.find("figcaption").get_text(strip=True), name
        if name.endswith(".svg"):
            continue
        with Image.open(site / "_images" / name) as image:
            assert image.convert("RGBA").getextrema()[3][0] == 255, f"{name} is transparent"
    assert FIGURES <= shown


def test_dropdowns_and_downloads(site, part2):
    titles = [s.get_text(" ", strip=True) for s in part2.select("details.sd-dropdown > summary")]
    assert titles == [
        "Hint 1: padding and the output size",
        "Hint 2: one output position",
        "Hint 3: pooling",
        "Solution",
    ]
    links = part2.select("a.reference.download") + part2.select("a[href$='tiny_cnn_weights.npz']")
    targets = {a["href"].rsplit("/", 1)[-1]: a["href"] for a in links}
    assert {"tiny_cnn_starter.py", "tiny_cnn_solution.py", "tiny_cnn_weights.npz"} <= set(targets)
    for name in ("tiny_cnn_starter.py", "tiny_cnn_solution.py"):
        assert (site / "module_9_2_2" / targets[name]).resolve().read_bytes() == (
            DOWNLOADS / name
        ).read_bytes()
    assert (site / "module_9_2_2" / targets["tiny_cnn_weights.npz"]).resolve().stat().st_size > 10_000


def test_part1_and_part2_link_to_each_other(site, part2):
    part1 = BeautifulSoup((site / "module_9_2_2" / "index.html").read_text(), "html.parser")
    assert part1.select_one("a[href='inside_a_conv_layer.html']")
    assert part2.find("a", href=lambda h: h and h.startswith("index.html"))


def test_prose_names_exactly_the_emphasized_lines_of_the_solution():
    blocks = list(emphasized_blocks(PART2_RST))
    assert [b[1] for b in blocks] == ["conv2d"]
    for _, _, emphasized, prose in blocks:
        assert named_lines(prose) == emphasized
    lines = function_lines("tiny_cnn_solution.py", "conv2d")
    assert "pad = size // 2" in lines[7] and "np.pad" in lines[8]
    assert "window = x_padded" in lines[14]
    assert "np.tensordot" in lines[16] and "+ b" in lines[16]


def test_alt_texts_count_the_panels_and_name_shown_sizes(site, part2):
    assert check_alt_texts(site, part2) >= 7


def table_rows(part2, title_start):
    """The body rows (cell texts) of the table whose caption starts with title_start."""
    for table in part2.select("table"):
        caption = table.find("caption")
        if caption and caption.get_text(" ", strip=True).startswith(title_start):
            rows = table.select("tbody tr")
            return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")] for row in rows]
    raise AssertionError(f"no table titled {title_start!r}")


@pytest.fixture(scope="module")
def weights(site):
    with np.load(site / "downloads" / "tiny_cnn_weights.npz") as stored:
        return {name: stored[name] for name in stored.files}


def test_parameter_table_counts_the_arrays_of_the_weights_download(part2, text, weights):
    rows = table_rows(part2, "Parameters of the tiny CNN")
    expected = []
    for layer, w, b in (("conv1", "W1", "b1"), ("conv2", "W2", "b2"), ("dense", "W3", "b3")):
        n_weights = int(np.prod(weights[w].shape))
        n_biases = len(weights[b].ravel())
        shape = " × ".join(str(n) for n in weights[w].shape)
        expected.append([layer, shape, f"{n_weights:,}", f"{n_biases:,}", f"{n_weights + n_biases:,}"])
    total = sum(int(row[-1].replace(",", "")) for row in expected)
    assert total == sum(weights[name].size for name in ("W1", "b1", "W2", "b2", "W3", "b3"))
    assert rows == [*expected, ["total", "", "", "", f"{total:,}"]]
    assert " + ".join(row[-1] for row in expected) + f" = {total:,} numbers" in text
    dense_share = round(100 * int(expected[-1][-1].replace(",", "")) / total)
    assert f"the dense layer holds {dense_share} %" in text


def test_parameter_table_is_near_the_exercise_4_architecture(part2):
    section = part2.find(id="exercise-4-a-tiny-cnn-forward-pass")
    assert any(
        "Parameters of the tiny CNN" in t.caption.get_text() for t in section.select("table") if t.caption
    )


def test_softmax_example_is_recomputed_with_scipy(part2, text):
    from scipy.special import softmax

    rows = table_rows(part2, "Softmax of three scores")
    scores = np.array([float(row[1]) for row in rows])
    probabilities = softmax(scores)
    for row, score, p in zip(rows, scores, probabilities):
        assert row[2] == f"{np.exp(score):.2f}" and row[3] == f"{p:.3f}"
    shown = sum(float(row[3]) for row in rows)
    assert abs(shown - 1) < 1e-9 and f"which add up to {shown:.3f}" in text
    assert f"The exponentials add up to {np.exp(scores).sum():.2f}" in text
    assert f"Class 0 gets {100 * probabilities[0]:.0f} %" in text and probabilities.argmax() == 0


def test_softmax_of_the_least_certain_digit_is_the_solution_forward_pass(text, weights):
    """The digit sentence, recomputed with the loop-based solution download and SciPy's softmax."""
    from scipy.special import softmax

    from convviz.downloads import load_download

    solution = load_download("tiny_cnn_solution")
    solution.WEIGHTS.update({k: weights[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3")})
    images = weights["test_images"].astype(np.float64) / 255.0
    logits = np.array([solution.forward(image) for image in images])
    probabilities = softmax(logits, axis=1)
    unsure = int(probabilities.max(axis=1).argmin())
    best, runner_up = np.argsort(probabilities[unsure])[::-1][:2]
    p = probabilities[unsure]

    def score(value):
        return f"{value:.2f}".replace("-", "−")

    assert (
        f"least sure about is test digit {unsure} (counted from 0, as the test digits are numbered in the "
        f"network explorer of part 3), labelled {weights['test_labels'][unsure]}. Its largest "
        f"score, {score(logits[unsure, best])}, goes to class {best}, and softmax turns it into a "
        f"probability of {100 * p[best]:.1f} %; the runner-up, class {runner_up} with a score of "
        f"{score(logits[unsure, runner_up])}, gets {100 * p[runner_up]:.1f} %"
    ) in text
    verdict = "right" if best == weights["test_labels"][unsure] else "wrong"
    assert f"The network gets this digit {verdict}." in text
    # The rule the page states, a difference d of scores is a factor e^d of probabilities, holds for the
    # numbers as printed, within their rounding (0.005 on each score, 0.05 % on each probability).
    printed = [float(score(logits[unsure, k]).replace("−", "-")) for k in (best, runner_up)]
    shown = [float(f"{100 * p[k]:.1f}") for k in (best, runner_up)]
    rounding = 0.01 + 0.05 / shown[0] + 0.05 / shown[1]
    assert abs(np.log(shown[0] / shown[1]) - (printed[0] - printed[1])) <= rounding
    confident = (probabilities.max(axis=1) >= 0.9995).mean()
    assert f"On {100 * confident:.0f} % of the test digits one probability rounds to 100.0 %" in text


def test_feature_hierarchy_table_and_transfer_learning_subsection(part2):
    section = part2.find(id="the-block-that-repeats-and-the-feature-hierarchy")
    rows = table_rows(section, "What units respond to")
    assert [row[0] for row in rows] == [
        "First layer",
        "Early middle layers",
        "Deeper middle layers",
        "Last layers",
    ]
    assert all(len(row) == 3 and all(row) for row in rows)
    transfer = section.find(id="transfer-learning-reusing-a-trained-network")
    words = " ".join(transfer.get_text(" ").split())
    for phrase in ("What is frozen.", "What is retrained.", "When to fine-tune more layers."):
        assert phrase in words
    assert table_rows(transfer, "Two ways to reuse")[0][0] == "Convolutional blocks"


def test_he_2016_is_cited_in_the_hierarchy_section_and_listed(part2):
    section = part2.find(id="the-block-that-repeats-and-the-feature-hierarchy")
    cited = {a.get_text(strip=True) for a in section.select("a.citation-reference, a.reference")}
    assert "[He2016]" in cited or "He2016" in cited
    entry = part2.find(id="he2016")
    words = " ".join(entry.get_text(" ").split())
    assert "Deep residual learning for image recognition" in words and "770–778" in words
    assert "CVPR" in words and "2016" in words


# -- The additions: worked example, im2col, pooling variants, receptive field, layouts, strides ----


def pre_blocks(part2):
    return [" ".join(pre.get_text().split()) for pre in part2.select("div.highlight-text pre")]


def loop_conv(x, weights, bias, stride, pad):
    x = np.pad(x, ((pad, pad), (pad, pad), (0, 0)))
    k = weights.shape[1]
    size = (x.shape[0] - k) // stride + 1
    out = np.zeros((size, size, len(weights)))
    for i, j, f in np.ndindex(out.shape):
        out[i, j, f] = bias[f] + sum(
            x[i * stride + u, j * stride + v, c] * weights[f, u, v, c]
            for u in range(k)
            for v in range(k)
            for c in range(x.shape[2])
        )
    return out


def signed(value):
    return f"{value:g}".replace("-", "−")


def test_worked_example_blocks_show_the_loop_results(part2, text):
    from convviz.worked_examples import multichannel_example

    x, weights, bias = multichannel_example()
    out = loop_conv(x, weights, bias, 2, 1)
    blocks = pre_blocks(part2)
    output_block = next(b for b in blocks if b.startswith("filter 1 filter 2"))
    assert output_block.split()[4:] == [
        signed(v) for row in out for v in np.concatenate([row[:, 0], row[:, 1]])
    ]
    input_block = next(b for b in blocks if b.startswith("channel 1 channel 2 channel 3"))
    assert input_block.split()[6:] == [signed(v) for row in x for v in np.concatenate(row.T)]
    for (i, j, f), index in (((0, 0, 0), 0), ((1, 1, 1), 1)):
        step = next(
            b
            for b in blocks
            if f"channel 1: window filter {f + 1} products" in b and b.endswith(signed(out[i, j, f]))
        )
        assert f"plus the bias {signed(bias[f])}: {signed(out[i, j, f])}" in step
        window_rows = range(2 * i - 1, 2 * i + 2)
        stated = f"covers input rows {signed(window_rows[0])} to {signed(window_rows[-1])}"
        assert stated in text or (
            index == 1 and f"reads input rows {window_rows[0]} to {window_rows[-1]}" in text
        )
    assert f"bias {signed(bias[0])} the output is {signed(out[0, 0, 0])}" in text
    assert "SciPy: scipy.signal.correlate" in text and "The largest difference is 0." in text


def test_matrix_product_section_states_the_shapes_and_shows_the_code(part2, text):
    import inspect

    from convviz import layers

    assert "the window matrix (9, 27): 9 output positions, each with the 27 numbers" in text
    assert "The filters become (27, 2). The product is (9, 2)" in text
    assert "reshaped it is the output (1, 3, 3, 2). Its largest difference to the output above is 0." in text
    code = [" ".join(pre.get_text().split()) for pre in part2.select("div.highlight-python pre")]
    for function in (layers.im2col, layers.conv2d_as_matmul):
        assert " ".join(inspect.getsource(function).split()) in code


def test_pooling_variants_state_the_computed_values(part2, text):
    from convviz.worked_examples import POOLING_EXAMPLE, multichannel_example

    block = next(b for b in pre_blocks(part2) if b.startswith("map max average"))
    means = [f"{np.mean(POOLING_EXAMPLE[r : r + 2, c : c + 2]):g}" for r in (0, 2) for c in (0, 2)]
    assert f"{means[0]} {means[1]}" in block and f"{means[2]} {means[3]}" in block
    x, weights, bias = multichannel_example()
    out = loop_conv(x, weights, bias, 2, 1)
    gap = [out[..., f].sum() / out[..., f].size for f in range(2)]
    assert f"it gives {signed(round(gap[0], 2))} and {signed(round(gap[1], 2))}" in text
    assert f"the sum of the filter-1 map, {signed(out[..., 0].sum())}, divided by its 9 values" in text
    pixel = x[0, 0]
    mixed = f"{signed(pixel.sum())} and {signed(pixel[0] - pixel[2])}"
    assert f"whose channels hold {', '.join(signed(v) for v in pixel)}, into {mixed}" in text
    assert "That layer has 8 parameters: 6 weights and 2 biases" in text


def chain_field(layers, layer_index, unit):
    """(first, last) input pixel that unit of layer layer_index depends on, walking the index sets down."""
    units = {unit}
    for _, kernel, stride, padding in reversed(layers[: layer_index + 1]):
        units = {i * stride - padding + u for i in units for u in range(kernel)}
    return min(units), max(units)


def test_receptive_field_table_is_the_index_walk(part2):
    from convviz.receptive_field import TINY_CNN_LAYERS

    table = next(t for t in part2.select("table") if "Receptive field after each layer" in t.get_text())
    rows = [[c.get_text(strip=True) for c in row.select("td")] for row in table.select("tbody tr")]
    assert [r[0] for r in rows] == [name for name, *_ in TINY_CNN_LAYERS]
    for index, (row, (_, kernel, stride, padding)) in enumerate(zip(rows, TINY_CNN_LAYERS)):
        first, last = chain_field(TINY_CNN_LAYERS, index, 0)
        second, _ = chain_field(TINY_CNN_LAYERS, index, 1)
        size = last - first + 1
        assert row[1:] == [
            f"{kernel}×{kernel}",
            str(stride),
            str(padding),
            f"{size}×{size}",
            str(second - first),
            f"{signed(first)} to {signed(last)}",
        ]


def test_receptive_field_figure_and_measurement(site, part2, text):
    from convviz.tiny_cnn import as_input, forward_layers, trained_network

    figure = next(f for f in part2.select("figure") if "receptive_fields.png" in f.find("img")["src"])
    assert "Four panels" in figure.find("img")["alt"]
    params, _, _, (_, _, test_x, test_y) = trained_network()
    digit = as_input(test_x[:1])
    assert f"on a test digit (a {test_y[0]})" in text
    # pool2 unit (3, 3): brighten each pixel by 1 in turn, count those that change it. One batch: the
    # digit itself, then its 784 brightened copies.
    batch = np.repeat(digit, 1 + 28 * 28, axis=0)
    rows, cols = np.divmod(np.arange(28 * 28), 28)
    batch[1 + np.arange(28 * 28), rows, cols, 0] += 1
    unit = forward_layers(params, batch)["pool2"][:, 3, 3]
    changed = (np.abs(unit[1:] - unit[0]).max(axis=1) > 0).reshape(28, 28)
    first, last = chain_field((("a", 3, 1, 1), ("b", 2, 2, 0), ("c", 3, 1, 1), ("d", 2, 2, 0)), 3, 3)
    box = changed[max(first, 0) : last + 1, max(first, 0) : last + 1]
    assert f"for pool2 unit (3, 3), {box.sum()} of the {box.size} pixels in its square" in text
    assert f"(and {changed.sum() - box.sum()} outside it)" in text and changed.sum() == box.sum()
    # The 1 added is the whole 0–1 range of the input: a black pixel becomes full white.
    assert digit.min() >= 0 and digit.max() <= 1 and (digit == 0).any()
    assert (
        "It adds 1 to each of the digit's pixels in turn, the whole range of the network's 0–1 input, so "
        "that a black pixel becomes full white" in text.replace("’", "'")
    )


def test_the_dense_layer_can_use_every_pixel_without_having_to(text):
    assert "so every score can depend on every pixel" in text
    assert "every score depends on every pixel" not in text


def citations_in(element):
    return {a.get_text(strip=True).strip("[]") for a in element.select("a.citation-reference, a.reference")}


def paragraph_with(soup, words):
    return next(p for p in soup.select("p") if words in " ".join(p.get_text().split()))


def test_pooling_is_cited_for_what_each_source_shows(part2):
    """Small-shift invariance from pooling: Goodfellow et al., section 9.3. Boureau et al. analyse
    which of max and average pooling keeps classes apart, not shift invariance."""
    shift = paragraph_with(part2, "leaves the pooled value unchanged")
    assert "Goodfellow2016" in citations_in(shift) and "Boureau2010" not in citations_in(shift)
    assert "section 9.3" in " ".join(shift.get_text(" ").split())
    average = paragraph_with(part2, "single strong response is diluted")
    assert "Boureau2010" in citations_in(average)
    assert "max pooling suited to sparse features" in " ".join(average.get_text(" ").split())
    entry = " ".join(part2.find(id="boureau2010").get_text(" ").split())
    assert "A theoretical analysis of feature pooling in visual recognition" in entry
    assert "(ICML)" in entry and "2010" in entry and "pp. 111–118" in entry


def test_layout_section_numbers(part2, text):
    import inspect

    from convviz import layouts
    from convviz.tiny_cnn import as_input, forward_layers, trained_network

    params, _, _, (_, _, test_x, test_y) = trained_network()
    assert f"W1 of the tiny CNN, {tuple(params['W1'].shape)} here, becomes {(4, 1, 3, 3)}" in text
    marked = np.zeros((7, 7, 8))
    marked[0, 1, 2] = 1
    here, there = marked.ravel().argmax(), marked.transpose(2, 0, 1).ravel().argmax()
    assert (
        f"index [0, 1, 2] (row, column, channel) is number {here} (counting from 0)." in text
        and f"the same value is number {there}." in text
    )
    pool2 = forward_layers(params, as_input(test_x))["pool2"]
    wrong = pool2.transpose(0, 3, 1, 2).reshape(len(pool2), -1) @ params["W3"].T + params["b3"]
    assert (
        f"classifies {100 * (wrong.argmax(1) == test_y).mean():.1f} % of the test digits correctly instead"
        in text
    )
    code = [" ".join(pre.get_text().split()) for pre in part2.select("div.highlight-python pre")]
    for function in (layouts.filters_to_channels_first, layouts.dense_to_channels_first):
        assert " ".join(inspect.getsource(function).split()) in code


def test_stride_equivariance_numbers_are_recomputed(text):
    from convviz.photos import camera

    photo = camera(128)
    sobel = KERNELS["sobel_x"]

    def stride2(image):
        return ndimage.correlate(image, sobel, mode="constant")[1:-1, 1:-1][::2, ::2]

    def pooled(image):
        valid = np.maximum(ndimage.correlate(image, sobel, mode="constant")[1:-1, 1:-1], 0)
        h, w = valid.shape[0] // 2 * 2, valid.shape[1] // 2 * 2
        return valid[:h, :w].reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))

    for name, layer in (("stride 2", stride2), ("pool", pooled)):
        out = layer(photo)
        even = np.abs(layer(np.roll(photo, 2, axis=1))[:, 3:] - out[:, 2:-1]).max()
        odd_shifted = layer(np.roll(photo, 1, axis=1))
        odd = min(
            np.abs(odd_shifted[:, 2:] - out[:, 2:]).max(), np.abs(odd_shifted[:, 3:] - out[:, 2:-1]).max()
        )
        assert even < 1e-9, name
        percent = f"{100 * odd / np.abs(out).max():.0f} %"
        assert f"{odd:.0f}, {percent} of the largest" in text, name
    # the stride and the shift the oracle above uses are the ones the page names
    assert "into a Sobel X layer with stride 2. After a shift of 2 pixels the output is the old one" in text
    assert (
        "Making convolutional networks shift-invariant again." in text and "PMLR 97 (2019): 7324–7334" in text
    )


def test_frozen_first_layer_sentence_says_what_the_retraining_measured(text, weights):
    """Retrained here with conv1 frozen at its start; the page's counts and verdict must match."""
    from convviz.tiny_cnn import train

    params, initial, history, data = train(frozen=("W1", "b1"))
    np.testing.assert_array_equal(params["W1"], weights["W1_init"])
    count = len(weights["test_labels"])
    frozen = round(history["test_accuracy"][-1] * count)
    trained = round(float(weights["test_accuracy"][-1]) * count)
    gain = frozen - trained
    assert (
        f"correctly ({frozen} of {count}), against {100 * trained / count:.1f} % ({trained} of {count})"
        in text
    )
    digits = "test digit" if abs(gain) == 1 else "test digits"
    if gain > 0:
        verdict = f"gets {gain} more {digits} right, so on this test set it is even slightly better."
    elif gain < 0:
        verdict = f"gets {-gain} fewer {digits} right, so on this test set it is slightly worse."
    else:
        verdict = "gets exactly as many test digits right."
    assert f"with its first layer frozen the network {verdict}" in text
    assert "training the first-layer filters adds nothing measurable" in text
    assert "happens in the second layer and the dense layer" not in text


def test_the_training_recipe_is_described_as_the_code_runs_it(text, weights):
    """Distortion ranges, learning rate and its schedule, epochs and seed: from the code, as the page says."""
    import math

    from convviz.augmentation import RANGES
    from convviz.tiny_cnn import EPOCHS, LEARNING_RATE, SEED, trained_network

    turn = math.degrees(2 * math.atan(RANGES["turn"]))
    slant = math.degrees(math.atan(RANGES["slant"]))
    assert (
        f"turned by up to ±{turn:.0f}°, slanted by up to ±{slant:.0f}°, stretched or squeezed by up to "
        f"{100 * RANGES['stretch']:.0f} % in each direction, shifted by up to {RANGES['shift']:g} pixels, "
        f"and its strokes made up to {100 * RANGES['bold']:.0f} % of the way bolder or thinner"
    ) in text
    assert (
        f"Adam starts with a learning rate of {LEARNING_RATE:g} and lowers it in equal steps to zero "
        f"over the {EPOCHS} epochs"
    ) in text
    assert f"xoshiro128** with seed {SEED}" in text
    assert "keeps Adam’s learning rate fixed" not in text
    # The published history is the training the code does: the same numbers again, every epoch.
    _, _, history, _ = trained_network()
    np.testing.assert_array_equal(history["test_accuracy"], weights["test_accuracy"])
    np.testing.assert_array_equal(history["loss"], weights["loss"])
    # The distorted training digits are read less well than the test digits, as the page says.
    assert history["train_accuracy"][-1] < history["test_accuracy"][-1]
    assert "The test digits are read better than the training digits" in text


def test_filters_maps_and_channels_are_numbered_one_way_stated_once(part2, text):
    """Filters, maps and channels from 1 (as the figures and part 3's explorer), indices from 0."""
    import re

    assert (
        "Filters, the feature maps they make and the channels of an image or map are numbered from 1" in text
    )
    assert "filter 1 is W[0]" in text
    blocks = " ".join(pre_blocks(part2))
    for shown in (text, blocks):
        assert not re.search(r"\b(filter|channel|map)[ -]0\b", shown)
    assert "filter 1 filter 2" in blocks and "channel 1 channel 2 channel 3" in blocks
    assert "1×1 filter 1 1×1 filter 2" in blocks


def test_one_by_one_layer_counts_its_biases(text):
    from convviz.worked_examples import ONE_BY_ONE_BIAS, ONE_BY_ONE_FILTERS

    weights, biases = ONE_BY_ONE_FILTERS.size, ONE_BY_ONE_BIAS.size
    biases_text = " and ".join(signed(v) for v in ONE_BY_ONE_BIAS)
    assert f"(channel 1 minus channel 3) and biases {biases_text}, turn the pixel" in text
    assert f"That layer has {weights + biases} parameters: {weights} weights and {biases} biases" in text
    assert "and no bias" not in text


#: Figures drawn in panels on part 2: their files record the narrowest panel.
PANEL_FIGURES = sorted(
    FIGURES - {"cnn_architecture.svg"} | {"receptive_fields.png"}  # the architecture is one diagram
)


def test_training_curve_says_which_values_are_running_means(part2):
    """The loss and training accuracy are averaged over an epoch's batches as the weights change;
    the test accuracy is measured once after the epoch. The caption must not let them read alike."""
    figure = next(f for f in part2.select("figure") if "tiny_cnn_training_curve" in str(f.img))
    caption = " ".join(figure.figcaption.get_text(" ").split())
    assert "running means over each epoch" in caption
    assert "measured once, after each epoch" in caption
    script = (DOWNLOADS.parent / "scripts" / "part2_conv_layer" / "plot_06_tiny_cnn_training.py").read_text()
    assert "mean over each epoch" in script and "during the epoch" in script and "after the epoch" in script
