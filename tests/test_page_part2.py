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
