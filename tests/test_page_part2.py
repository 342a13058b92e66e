"""Part 2 of the module: every number it states is computed here, every figure and dropdown present."""

import numpy as np
import pytest
from bs4 import BeautifulSoup
from conftest import MODULE_RST
from PIL import Image
from scipy import ndimage
from support.pages import check_alt_texts, emphasized_blocks, function_lines, named_lines

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
            return [[td.get_text(" ", strip=True) for td in row.select("td")] for row in rows]
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
    assert f"the dense layer holds {dense_share}%" in text


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
    assert f"Class 0 gets {probabilities[0]:.0%}" in text and probabilities.argmax() == 0


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
        return f"{value:.1f}".replace("-", "−")

    assert (
        f"least sure about is test digit {unsure}, labelled {weights['test_labels'][unsure]}. Its largest "
        f"score, {score(logits[unsure, best])}, goes to class {best}, and softmax turns it into a "
        f"probability of {p[best]:.1%}; the runner-up, class {runner_up} with a score of "
        f"{score(logits[unsure, runner_up])}, gets {p[runner_up]:.1%}"
    ) in text
    verdict = "right" if best == weights["test_labels"][unsure] else "wrong"
    assert f"The network gets this digit {verdict}." in text
    confident = (probabilities.max(axis=1) >= 0.9995).mean()
    assert f"On {confident:.0%} of the test digits one probability rounds to 100.0 %" in text


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
