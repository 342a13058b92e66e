"""The built site: landing page, module page and gallery, read from _build/html."""

import copy
import re
from urllib.parse import unquote

import numpy as np
import pytest
from PIL import Image
from support.pages import check_alt_texts, emphasized_blocks, function_lines, named_lines
from support.pages import read_page as page

from convviz import output_size
from convviz.paths import DOWNLOADS_DIR as DOWNLOADS

MODULE_FIGURES = {
    "edge_detection_output.png",
    "edge_clipping_comparison.png",
    "cnn_architecture.svg",
    "convolution_animation.gif",
    "filter_kernels.svg",
    "feature_maps_grid.png",
    "exercise2_outputs.png",
    "artistic_filters.png",
    "filter_transition.gif",
}
DROPDOWNS = [
    "Answers and explanation",
    "Hint: which edges does Sobel X find?",
    "Hint: chaining filters",
    "Hint: what a larger kernel changes",
    "Hint 1: the output size",
    "Hint 2: the loop body",
    "Hint 3: kernel ideas",
    "Complete solution",
    "Challenge solution",
]
DOWNLOAD_FILES = {"cnn_visualization.py", "cnn_starter.py", "self_check.py", "cnn_solution.py"}


@pytest.fixture(scope="module")
def module_page(site):
    return page(site, "module_9_2_2/index.html")


def test_landing_page_lists_the_module_and_links_module_and_gallery(site):
    landing = page(site, "index.html")
    text = landing.get_text(" ", strip=True)
    assert "9.2.2 Convolutional Networks Visualization" in text
    for fact in ("35–40 min", "Intermediate", "Prerequisites", "3.4.1", "9.2.1"):
        assert fact in text
    links = {a["href"].split("#")[0] for a in landing.select("a[href]")}
    assert "module_9_2_2/index.html" in links
    assert "auto_examples/index.html" in links


def test_module_page_shows_every_figure_with_alt_text_and_caption(site, module_page):
    figures = module_page.select("figure")
    shown = {}
    for figure in figures:
        img = figure.find("img")
        name = unquote(img["src"]).rsplit("/", 1)[-1]
        shown[name] = figure
        assert len(img.get("alt", "")) > 40, f"{name} needs alt text that describes it"
        assert figure.find("figcaption").get_text(strip=True), f"{name} needs a caption"
        assert (site / "module_9_2_2" / unquote(img["src"])).resolve().is_file(), name
    assert MODULE_FIGURES <= set(shown)


def test_every_image_on_the_module_page_has_alt_text(module_page):
    for img in module_page.select("img"):
        assert img.get("alt", "").strip(), img


def test_convolution_animation_has_a_frame_per_output_position(site):
    with Image.open(site / "_images" / "convolution_animation.gif") as gif:
        assert gif.is_animated
        assert gif.n_frames >= output_size(8, 3) ** 2 == 36
        assert gif.size[0] > 500


def test_edge_detection_figure_is_side_by_side(site):
    with Image.open(site / "_images" / "edge_detection_output.png") as image:
        width, height = image.size
    assert width > 1.6 * height


def test_every_dropdown_is_present(module_page):
    titles = [s.get_text(" ", strip=True) for s in module_page.select("details.sd-dropdown > summary")]
    assert titles == DROPDOWNS
    # Hints and solutions are closed until the reader opens them.
    assert all(not d.has_attr("open") for d in module_page.select("details.sd-dropdown"))


def test_every_download_link_points_to_the_tested_file(site, module_page):
    links = module_page.select("a.reference.download")
    targets = {unquote(a["href"]).rsplit("/", 1)[-1] for a in links}
    assert targets == DOWNLOAD_FILES
    for a in links:
        served = (site / "module_9_2_2" / unquote(a["href"])).resolve()
        name = served.name
        assert served.read_bytes() == (DOWNLOADS / name).read_bytes()


def test_code_blocks_have_line_numbers(module_page):
    numbered = module_page.select("div.highlight pre span.linenos")
    assert len(numbered) > 100


def test_code_on_the_page_is_the_code_in_the_downloads(module_page):
    """Every literal block taken from a download reproduces that file's text."""
    sources = {path.name: path.read_text() for path in DOWNLOADS.glob("*.py")}
    for caption in module_page.select("div.literal-block-wrapper"):
        title = caption.select_one(".caption-text").get_text(strip=True)
        name = title.split(":")[0]
        if name not in sources:
            continue
        pre = copy.copy(caption.select_one("pre"))  # the page is shared by the module's tests
        for number in pre.select("span.linenos"):
            number.decompose()
        block = "\n".join(line.rstrip() for line in pre.get_text().splitlines()).strip()
        source = "\n".join(line.rstrip() for line in sources[name].splitlines())
        assert block in source, title


def test_prose_names_exactly_the_emphasized_lines():
    blocks = list(emphasized_blocks())
    assert {b[1] for b in blocks} == {"convolve2d", "artistic_edges", "run"}
    for _, pyobject, emphasized, prose in blocks:
        assert named_lines(prose) == emphasized, pyobject


def test_named_lines_hold_the_code_the_prose_describes():
    loop = function_lines("cnn_visualization.py", "convolve2d")
    assert "out_rows =" in loop[10] and "out_cols =" in loop[11]
    assert loop[13].strip().startswith("for row in range(out_rows)")
    assert loop[14].strip().startswith("for col in range(out_cols)")
    assert loop[15].strip().startswith("window = image[row")
    assert "np.sum(window * kernel)" in loop[16]
    art = function_lines("cnn_visualization.py", "artistic_edges")
    assert "SHARPEN" in art[2] and "SOBEL_X" in art[3]
    run = function_lines("cnn_visualization.py", "run")
    assert "edges_vertical" in run[9] and "edges_horizontal" in run[10]
    assert "artistic_edges" in run[11]
    assert "GAUSSIAN_3X3" in run[13] and "GAUSSIAN_5X5" in run[14]


def test_sizes_stated_on_the_page_are_what_the_code_produces(module_page):
    text = " ".join(module_page.get_text(" ").split())
    assert f"256×256 pixels to {output_size(256, 3)}×{output_size(256, 3)}" in text
    assert f"gives a {output_size(256, 3)}×{output_size(256, 3)} result" in text
    twice = output_size(output_size(256, 3), 3)
    assert f"turn 256×256 into {twice}×{twice}" in text
    assert "256 − 3 + 1 = 254" in text
    printed = module_page.get_text()
    assert "Output shape: (254, 254)" in printed


def test_every_citation_is_cited(module_page):
    citations = module_page.select("div.citation")
    assert len(citations) >= 10
    for citation in citations:
        assert citation.select("a[role='doc-backlink']"), citation.get_text()[:40]


def test_page_quotes_what_the_unmodified_starter_prints(module_page):
    """tests/test_downloads.py checks that the starter prints exactly this line."""
    text = " ".join(module_page.get_text(" ").split())
    assert "cnn_starter.py: TODO 1 is still open: return your own 3x3 kernel from make_kernel." in text


def test_page_calls_the_operation_cross_correlation_and_convolution_layers_equivariant(module_page):
    text = module_page.get_text(" ", strip=True)
    assert "cross-correlation" in text
    assert "scipy.ndimage.convolve" in text and "scipy.signal.correlate2d" in text
    assert "equivariant" in text
    assert "translation-invariant" not in text


def test_gallery_offers_python_and_notebook_for_every_script(site):
    scripts = sorted((site.parent.parent / "scripts").glob("*/plot_*.py"))
    assert len(scripts) >= 12
    gallery = page(site, "auto_examples/index.html")
    for script in scripts:
        relative = f"{script.parent.name}/{script.stem}"
        assert gallery.find("a", href=re.compile(re.escape(relative))), relative
        example = page(site, f"auto_examples/{relative}.html")
        hrefs = [unquote(a["href"]) for a in example.select("a.reference.download")]
        assert any(h.endswith(f"{script.stem}.py") for h in hrefs), relative
        assert any(h.endswith(f"{script.stem}.ipynb") for h in hrefs), relative
        for h in hrefs:
            assert (site / "auto_examples" / script.parent.name / h).resolve().is_file(), h


def test_site_has_search_and_theme_switch(site, module_page):
    assert (site / "search.html").is_file()
    index = (site / "searchindex.js").read_text()
    assert "sobel" in index.lower()
    assert module_page.select_one(".theme-switch-button")
    assert module_page.select("button.copybtn") or "copybutton" in str(module_page)


def test_every_image_is_opaque_for_the_dark_theme(site):
    """Dark lines on a transparent background would vanish in the dark theme.

    Transparent margins around an opaque picture (sphinx-gallery pads its
    thumbnails that way) are fine; inside the picture every pixel is opaque.
    """
    images = sorted(p for p in (site / "_images").iterdir() if p.suffix in {".png", ".gif"})
    assert {p.name for p in images} >= {name for name in MODULE_FIGURES if not name.endswith(".svg")}
    for path in images:
        with Image.open(path) as image:
            rgba = np.asarray(image.convert("RGBA"))
        rows, cols = np.nonzero(rgba[..., 3])
        picture = rgba[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1, 3]
        assert picture.min() == 255, f"{path.name} has transparent pixels inside the picture"


def test_alt_texts_count_the_panels_and_name_shown_sizes(site, module_page):
    assert check_alt_texts(site, module_page) >= 6


def test_scipy_calls_and_sizes_stated_are_what_scipy_returns(module_page):
    from scipy import ndimage, signal

    from convviz import KERNELS, shapes_pattern

    text = " ".join(module_page.get_text(" ").split())
    pattern, sobel_x = shapes_pattern(), KERNELS["sobel_x"]
    full = signal.correlate2d(pattern, sobel_x).shape
    valid = signal.correlate2d(pattern, sobel_x, mode="valid")
    same = ndimage.correlate(pattern, sobel_x)
    assert valid.shape == (254, 254) and np.array_equal(same[1:-1, 1:-1], valid)
    assert f"{valid.shape[0]}×{valid.shape[1]} output from the 256×256 pattern" in text
    assert f"returns {full[0]}×{full[1]}" in text
    assert f"scipy.ndimage.correlate(image, kernel) returns {same.shape[0]}×{same.shape[1]}" in text


def test_corner_kernel_is_described_by_what_it_finds(module_page):
    """The saddle kernel of hint 3, counted with SciPy on the checkerboard of exercise 3."""
    from scipy import signal

    from convviz import KERNELS, checkerboard

    response = signal.correlate2d(checkerboard(), KERNELS["diagonal"], mode="valid")
    nonzero = int((np.abs(response) > 1e-9).sum())
    text = " ".join(module_page.get_text(" ").split())
    assert f"only {nonzero:,} of {response.size:,} output pixels are not zero" in text
    assert "Diagonal edges" not in text


def test_pitfall_quotes_the_error_that_looping_over_the_input_size_raises(module_page):
    image, kernel = np.zeros((256, 256)), np.ones((3, 3))
    with pytest.raises(ValueError) as raised:
        for row in range(256):
            for col in range(256):
                np.sum(image[row : row + 3, col : col + 3] * kernel)
    text = " ".join(module_page.get_text(" ").split())
    assert f"ValueError: {str(raised.value).strip()}" in text
    assert "Index out of range" not in text
