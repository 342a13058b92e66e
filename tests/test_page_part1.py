"""The built site: landing page, module page and gallery, read from _build/html."""

import copy
import re
from urllib.parse import unquote

import numpy as np
import pytest
from PIL import Image
from support.pages import (
    check_alt_texts,
    emphasized_blocks,
    function_lines,
    named_lines,
)
from support.pages import read_page as page

from convviz import output_size
from convviz.paths import DOWNLOADS_DIR as DOWNLOADS
from coursesite.figure_records import read_record

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
    "random_filters.png",
}
DROPDOWNS = [
    "Answer: the whole feature map",
    "The complete convolve2d, line by line (open it after exercise 3)",
    "Answer: the shapes layer by layer",
    "The whole script, cnn_visualization.py",
    "Answers and explanation",
    "A good answer",
    "A good answer",
    "A good answer",
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
    for fact in ("min)", "Intermediate", "Prerequisites", "3.4.1", "9.2.1"):
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
    assert "(window * kernel).sum()" in loop[16]
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


def test_every_equivariance_claim_names_its_stride_condition(module_page):
    """Equivariance holds for every shift only at stride 1; a stride or pooling step S, for multiples of S."""
    blocks = [
        " ".join(block.get_text(" ").split())
        for block in module_page.select("p, li")
        if not block.find(["p", "li"])
    ]
    claims = [block for block in blocks if "equivariant" in block]
    assert len(claims) >= 2
    for claim in claims:
        assert "stride 1" in claim or "stride-1" in claim, claim
        assert "multiple" in claim, claim


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


#: Figures drawn in panels: their files record the narrowest panel.
PANEL_FIGURES = [
    "edge_detection_output.png",
    "edge_clipping_comparison.png",
    "filter_kernels.svg",
    "feature_maps_grid.png",
    "exercise2_outputs.png",
    "artistic_filters.png",
    "random_filters.png",
]


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

    response = signal.correlate2d(checkerboard(), KERNELS["saddle"], mode="valid")
    nonzero = int((np.abs(response) > 1e-9).sum())
    text = " ".join(module_page.get_text(" ").split())
    assert f"only {nonzero:,} of {response.size:,} output pixels are not zero" in text
    assert "Diagonal edges" not in text


def test_all_positive_kernel_answer_names_the_sum_condition(module_page):
    """A positive kernel averages only if its weights add up to 1; otherwise it also brightens or darkens."""
    from convviz import KERNELS, correlate2d

    flat = np.full((8, 8), 100.0)
    for name in ("gaussian", "box_blur"):
        assert KERNELS[name].sum() == pytest.approx(1)
        np.testing.assert_allclose(correlate2d(flat, KERNELS[name]), 100)
    assert (correlate2d(flat, np.ones((3, 3))) > 100).all()
    assert (correlate2d(flat, np.ones((3, 3)) / 18) < 100).all()
    answer = " ".join(module_page.get_text(" ").split())
    assert "unless the weights add up to 1 it would also change the brightness" in answer
    assert (
        "If the weights add up to 1, as in the Gaussian and box blur, the output is a weighted average"
        in answer
    )
    assert "more than 1 the image also gets brighter, if less, darker" in answer
    assert "With only positive weights the output is a weighted average" not in answer


def test_saddle_kernel_is_offered_under_a_truthful_label(site):
    """The explorer's presets (data.js, from convviz.kernels) call the saddle kernel a corner detector."""
    from convviz.kernels import LABELS
    from coursesite.explorer_data import explorer_presets

    assert "diagonal" not in " ".join(LABELS.values()).lower()
    assert "saddle" in LABELS["saddle"].lower() and "corner" in LABELS["saddle"].lower()
    saddle = [p for p in explorer_presets() if p["values"] == [-1, 0, 1, 0, 0, 0, 1, 0, -1]]
    assert [p["label"] for p in saddle] == [LABELS["saddle"]]
    data = (site / "_static" / "explorer" / "data.js").read_text(encoding="utf-8")
    assert f'"label": "{LABELS["saddle"]}"' in data and "Diagonal" not in data


def test_pitfall_quotes_the_error_that_looping_over_the_input_size_raises(module_page):
    image, kernel = np.zeros((256, 256)), np.ones((3, 3))
    with pytest.raises(ValueError) as raised:
        for row in range(256):
            for col in range(256):
                np.sum(image[row : row + 3, col : col + 3] * kernel)
    text = " ".join(module_page.get_text(" ").split())
    assert f"ValueError: {str(raised.value).strip()}" in text
    assert "Index out of range" not in text


def page_text(module_page):
    return " ".join(module_page.get_text(" ").split())


def titled_table(soup, title_start):
    """The numbers of the table whose caption starts with title_start, as a float array."""
    for table in soup.select("table"):
        caption = table.find("caption")
        if caption and caption.get_text(" ", strip=True).startswith(title_start):
            body = table.select("tbody tr")
            rows = [[cell.get_text(strip=True) for cell in row.select("td")] for row in body]
            return np.array([[float(c.replace("−", "-").replace(",", "")) for c in row] for row in rows])
    raise AssertionError(f"no table titled {title_start!r}")


def written_out(window, kernel):
    """A sum of products as the page writes it, e.g. "10 × (−1) + 10 × 0 + ... = 360"."""

    def show(value):
        text = f"{value:.0f}".replace("-", "−")
        return f"({text})" if value < 0 else text

    terms = " + ".join(f"{show(a)} × {show(b)}" for a, b in zip(np.ravel(window), np.ravel(kernel)))
    return f"{terms} = {show(np.sum(window * kernel))}"


def test_mini_example_is_the_cross_correlation_scipy_computes(module_page):
    from scipy import signal

    image, kernel = titled_table(module_page, "Input image I"), titled_table(module_page, "Filter K")
    assert image.shape == (3, 3) and kernel.shape == (2, 2)
    expected = signal.correlate2d(image, kernel, mode="valid")
    np.testing.assert_array_equal(titled_table(module_page, "Feature map O"), expected)
    text = page_text(module_page)
    for row, col in np.ndindex(expected.shape):
        assert written_out(image[row : row + 2, col : col + 2], kernel) in text
    assert f"so the feature map is {expected.shape[0]}×{expected.shape[1]}" in text


def test_vertical_edge_example_is_sobel_x_by_scipy(module_page):
    from scipy import signal

    from convviz import KERNELS

    image = titled_table(module_page, "Input image (6×6)")
    kernel = titled_table(module_page, "Kernel: Sobel X")
    np.testing.assert_array_equal(kernel, KERNELS["sobel_x"])
    expected = signal.correlate2d(image, kernel, mode="valid")
    np.testing.assert_array_equal(titled_table(module_page, "Output feature map"), expected)
    flipped = signal.correlate2d(image, kernel[:, ::-1], mode="valid")
    columns = [c for c in range(expected.shape[1]) if expected[:, c].any()]
    text = page_text(module_page)
    assert written_out(image[:3, 1:4], kernel) in text
    assert f"output columns {' and '.join(map(str, columns))}, see" in text
    assert f"turns into {flipped.min():.0f}".replace("-", "−") in text and flipped.min() == -expected.max()
    assert f"The output is {expected.shape[0]}×{expected.shape[1]}." in text


def test_output_size_exercise_counts_every_window_position(module_page):
    """The chain of shapes, counted as positions where a window fits (not with the formula)."""
    text = page_text(module_page)
    side, channels, chain, shapes = 28, 1, [28], ["28 × 28 × 1"]
    for kind, size, count in [("conv", 3, 32), ("pool", 2, 0), ("conv", 3, 64), ("pool", 2, 0)]:
        step = 1 if kind == "conv" else size
        side = len(range(0, side - size + 1, step))
        channels = count or channels
        chain.append(side)
        shapes.append(f"{side} × {side} × {channels}")
    flat = side * side * channels
    chain += [flat, 128, 10]
    assert "In short: " + " → ".join(f"{n:,}" for n in chain) + "." in text
    for count in (32, 64):
        assert f"convolution with {count} filters of 3×3, no padding, stride 1, then ReLU" in text
    tables = [t for t in module_page.select("table") if t.find("caption")]
    answer = next(t for t in tables if "Shapes through" in t.caption.get_text())
    outputs = [row.select("td")[-1].get_text(strip=True) for row in answer.select("tbody tr")]
    assert outputs == [*shapes, f"{flat:,}", "128", "10"]


def test_exercise_1_asks_the_three_reflection_questions_each_with_an_answer(module_page):
    section = module_page.find(id="exercise-1-execute-and-explore")
    questions = [
        "What do the bright pixels of a feature map mean?",
        "Why does a CNN trained only to classify images often learn first-layer filters",
        "What happens when you apply several convolutional layers one after another?",
    ]
    paragraphs = [p for p in section.find_all("p") if p.find("strong")]
    for question in questions:
        asked = next(p for p in paragraphs if question in " ".join(p.get_text(" ").split()))
        answer = asked.find_next_sibling()
        assert answer.name == "details" and "A good answer" in answer.summary.get_text()
        assert len(answer.get_text(" ", strip=True)) > 400


def test_stacking_answer_is_measured_with_scipy(module_page):
    from scipy import signal

    from convviz import KERNELS, shapes_pattern

    first, second = KERNELS["sobel_x"], KERNELS["gaussian"]
    combined = signal.convolve2d(first, second)
    pattern = shapes_pattern(128)
    stacked = signal.correlate2d(signal.correlate2d(pattern, first, "valid"), second, "valid")
    once = signal.correlate2d(pattern, combined, "valid")
    difference = np.abs(stacked - once).max()
    assert difference < 1e-9
    text = page_text(module_page)
    assert f"their combined {combined.shape[0]}×{combined.shape[1]} kernel" in text
    assert "largest difference between the two results was 0" in text
    assert "one 3×3 layer sees 3×3 pixels, two see 5×5 and three 7×7" in text


def test_kernel_figure_draws_the_blob_kernel(site, module_page):
    from convviz.kernels import KERNELS, LABELS

    svg = (site / "_images" / "filter_kernels.svg").read_text()
    assert f">{LABELS['blob']}<" in svg or LABELS["blob"] in svg
    values = " ".join(f"{v:g}" for v in KERNELS["blob"][0])
    alt = module_page.find("img", src=lambda s: s and s.endswith("filter_kernels.svg"))["alt"]
    assert f"Blob ({values}," in " ".join(alt.split())


def test_kernel_figure_draws_each_kernel_on_its_own_scale(site, module_page):
    """Read from the drawn cells: each kernel's largest magnitude is full orange or full purple.

    On one shared scale the Gaussian (shown × 16) looked as strong as Sharpen and Blob's ring was pale.
    """
    import base64
    import io

    from convviz.kernels import KERNELS
    from convviz.plotting import NEGATIVE, POSITIVE

    def rgb(colour):
        return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])

    svg = (site / "_images" / "filter_kernels.svg").read_text()
    # Each kernel's cells are one embedded PNG, stored bottom row first and flipped by scale(1 -1).
    drawn = re.findall(
        r'xlink:href="data:image/png;base64,\s*([A-Za-z0-9+/=\s]+)"[^>]*transform="scale\(1 -1\)', svg
    )
    names = ("identity", "sobel_x", "sobel_y", "gaussian", "sharpen", "emboss", "laplacian", "blob")
    assert len(drawn) == len(names)
    for name, data in zip(names, drawn):
        stored = Image.open(io.BytesIO(base64.b64decode("".join(data.split())))).convert("RGB")
        pixels = np.asarray(stored)[::-1]
        kernel = np.asarray(KERNELS[name], dtype=float)
        rows, cols = kernel.shape
        centres = [
            pixels[int((r + 0.5) * pixels.shape[0] / rows), int((c + 0.5) * pixels.shape[1] / cols)]
            for r in range(rows)
            for c in range(cols)
        ]
        for value, colour in zip(kernel.ravel(), centres):
            if abs(value) == np.abs(kernel).max():
                full = rgb(POSITIVE) if value > 0 else rgb(NEGATIVE)
                assert np.abs(colour.astype(int) - full).max() <= 3, (name, value, colour)
    caption = page_text(module_page)
    assert "Eight named kernels, each on its own colour scale" in caption
    assert "one colour scale from" not in caption


def test_hierarchy_is_cited_to_zeiler_and_fergus_and_weight_sharing_to_lecun(module_page):
    paragraph = next(p for p in module_page.select("p") if "objects [" in " ".join(p.get_text().split()))
    text = " ".join(paragraph.get_text(" ").split())
    assert re.search(r"works in every other corner too \[ ?LeCun1998 ?\]", text), text
    assert re.search(r"parts into objects \[ ?Zeiler2014 ?\]", text), text
    reference = " ".join(module_page.find(id="zeiler2014").get_text(" ").split())
    for fact in (
        "M. D. Zeiler and R. Fergus",
        "Visualizing and understanding convolutional networks",
        "Computer Vision – ECCV 2014",
        "Lecture Notes in Computer Science 8689",
        "pp. 818–833",
        "https://doi.org/10.1007/978-3-319-10590-1_53",
    ):
        assert fact in reference, fact


def test_quick_start_says_which_input_pixel_an_output_pixel_is_centred_on(module_page):
    """Valid output (i, j) is the 3×3 neighbourhood around input (i + 1, j + 1): ndimage centres its
    kernel on the pixel it writes, so its value at (i + 1, j + 1) is the valid output (i, j)."""
    from scipy import ndimage, signal

    from convviz import shapes_pattern
    from convviz.kernels import KERNELS

    pattern = shapes_pattern()
    valid = signal.correlate2d(pattern, KERNELS["sobel_x"], mode="valid")
    centred = ndimage.correlate(pattern, KERNELS["sobel_x"])
    np.testing.assert_array_equal(valid, centred[1:-1, 1:-1])
    text = page_text(module_page)
    assert "output pixel (i, j) sums the neighbourhood around input pixel (i + 1, j + 1)" in text
    assert "weighted sum of the 3×3 neighbourhood around it" not in text


def test_the_colour_convention_is_stated_for_the_figures_that_follow_it(module_page):
    text = page_text(module_page)
    assert "In every figure of this module" not in text
    assert "Where a figure of this module shows the sign of numbers in colour" in text
    assert "Some signed maps are drawn in gray levels instead" in text


def test_the_gif_duration_note_names_the_imageio_version_and_unit(module_page):
    text = page_text(module_page)
    assert "milliseconds from imageio 2.28 on, seconds in older versions" in text
    assert "would show each frame for 100 s" in text


def test_random_filters_output_on_the_page_is_the_seeded_draw(site, module_page):
    import re

    block = next(
        w for w in module_page.select("div.literal-block-wrapper") if "random filters" in w.get_text()
    )
    printed = block.select_one("pre").get_text()
    assert "--random-filters 8 --seed 3" in printed
    weights = [[row.split() for row in m.split("|")] for m in re.findall(r"filter \d+: ([^(]+)\(", printed)]
    drawn = np.random.default_rng(3).normal(size=(8, 3, 3))
    np.testing.assert_allclose(np.array(weights, dtype=float), drawn, atol=0.005)
    # The page's figure shows the photo and then every map the download drew, one per filter.
    sizes = read_record(site / "_images" / "random_filters.png").sizes
    assert list(sizes) == ["256x256"] + ["254x254"] * len(weights)


def first_paragraph_with(page, words):
    """The text of the first paragraph of the article that contains words."""
    for paragraph in page.select("article p"):
        text = " ".join(paragraph.get_text().split())
        if words in text:
            return text
    raise AssertionError(f"no paragraph mentions {words!r}")


@pytest.mark.parametrize(
    ("term", "explained_by"),
    [
        ("Sobel", ("grid of weights", "brightness changes")),
        ("Gabor", ("stripes", "orientation")),
        ("difference of Gaussians", ("a narrow blur minus a wide one",)),
    ],
)
def test_a_term_is_explained_where_it_is_first_used(module_page, term, explained_by):
    text = first_paragraph_with(module_page, term)
    for words in explained_by:
        assert words in text, f"the first paragraph naming {term} does not explain it: {text[:300]}"


def test_the_architecture_figure_says_why_its_convolutions_keep_28_by_28(module_page):
    figure = next(f for f in module_page.select("figure") if "cnn_architecture" in str(f.img))
    caption = " ".join(figure.figcaption.get_text().split())
    assert "padding" in caption and "26×26" in caption


def test_exercise_3s_function_is_folded_until_the_learner_has_written_it(module_page):
    """Concept 2's complete convolve2d sits in a dropdown, not in the open page above exercise 3."""
    listings = [
        block
        for block in module_page.select("div.literal-block-wrapper")
        if "cnn_visualization.py: convolve2d" in block.get_text()
    ]
    assert len(listings) == 1
    assert listings[0].find_parent("details") is not None


def test_edge_maps_are_stretched_as_the_page_says(module_page):
    """The share of white pixels the page states is the share stretch() makes white, on distinct values
    (and those within half a gray level of it, which round to white too)."""
    from convviz.display import stretch

    text = " ".join(module_page.get_text(" ").split())
    share = (
        float(re.search(r"stretched so that their brightest ([\d.]+) % of pixels are white", text).group(1))
        / 100
    )
    values = np.random.default_rng(1).permutation(100_000).astype(np.float64)
    white = stretch(values) == 255
    assert np.all(white[values >= np.quantile(values, 1 - share)])
    assert share <= white.mean() <= share + 0.5 / 255
