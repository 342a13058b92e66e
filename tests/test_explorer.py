"""The convolution explorer in a real browser, checked against the Python convolution."""

import re

import numpy as np
import pytest
from support.browser import evaluate_as_json
from support.reused_page import KeptPage, lent

from convviz import KERNELS, correlate2d, output_size, small_example
from convviz.animation import step_details
from convviz.kernels import LABELS
from coursesite.explorer_data import PRESET_NAMES, explorer_inputs
from coursesite.hashing import source_hash
from coursesite.paths import DOCS_DIR

pytestmark = pytest.mark.browser


@pytest.fixture
def explorer(page, server):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(server + "module_9_2_2/index.html")
    page.wait_for_function(READY)
    yield page
    assert errors == []


READY = "window.convExplorer && window.convExplorer.lastOutput()"


@pytest.fixture(scope="module")
def kept(browser, server):
    kept = KeptPage(browser, server + "module_9_2_2/index.html", READY)
    yield kept
    kept.close()


@pytest.fixture
def kept_explorer(kept, request):
    """The module's one explorer page, for the tests that choose every control they read (input image,
    kernel preset, padding, stride) and change nothing else (support.reused_page.KeptPage)."""
    yield from lent(kept, request)


def choose(page, label, value):
    page.get_by_label(label, exact=True).select_option(value)


def choose_all(page, image="shapes", preset="sobel_x", padding="valid", stride="1"):
    """Set every control a test reads (by default to what the page opens with), for a kept page."""
    choose(page, "Input image", image)
    choose(page, "Kernel preset", preset)
    choose(page, "Padding", padding)
    choose(page, "Stride", stride)


def js_output(page):
    out = evaluate_as_json(page, "() => window.convExplorer.lastOutput()")
    return np.array(out["values"]).reshape(out["height"], out["width"]), out


def js_input(page, name):
    image = evaluate_as_json(page, f"() => window.convExplorer.input('{name}')")
    return np.array(image["values"], dtype=float).reshape(image["height"], image["width"])


def test_presets_are_the_package_kernels_with_their_labels(explorer):
    presets = explorer.evaluate("window.convExplorer.presets")
    names = {name for name, kernel in KERNELS.items() if kernel.shape == (3, 3)}
    assert set(presets) == names and len(names) >= 8
    options = explorer.get_by_label("Kernel preset").locator("option:not([value=custom])")
    assert options.all_inner_texts() == [LABELS[name] for name in PRESET_NAMES]
    for name in names:
        np.testing.assert_array_equal(np.reshape(presets[name]["values"], (3, 3)), KERNELS[name])
        assert presets[name]["label"] == LABELS[name]


def test_inputs_are_the_python_inputs(explorer):
    from convviz import checkerboard, shapes_pattern

    np.testing.assert_array_equal(js_input(explorer, "shapes"), shapes_pattern())
    np.testing.assert_array_equal(js_input(explorer, "checkerboard"), checkerboard())
    for name, image in explorer_inputs().items():
        np.testing.assert_array_equal(js_input(explorer, name), image)


@pytest.mark.parametrize("preset", PRESET_NAMES)
def test_every_preset_matches_the_python_convolution(kept_explorer, preset):
    explorer = kept_explorer
    choose(explorer, "Input image", "shapes")
    choose(explorer, "Padding", "valid")
    choose(explorer, "Stride", "1")
    choose(explorer, "Kernel preset", preset)
    values, out = js_output(explorer)
    expected = correlate2d(js_input(explorer, "shapes"), KERNELS[preset])
    assert values.shape == expected.shape == (254, 254)
    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("name", ["checkerboard", "photo", "digit"])
@pytest.mark.parametrize(
    ("padding", "stride"), [("valid", "1"), ("same", "1"), ("valid", "2"), ("same", "2")]
)
def test_padding_and_stride_give_the_formula_shapes_and_values(kept_explorer, name, padding, stride):
    explorer = kept_explorer
    choose(explorer, "Input image", name)
    choose(explorer, "Kernel preset", "sobel_y")
    choose(explorer, "Padding", padding)
    choose(explorer, "Stride", stride)
    values, out = js_output(explorer)
    image = js_input(explorer, name)
    p, s = (1 if padding == "same" else 0), int(stride)
    assert values.shape == (output_size(image.shape[0], 3, p, s), output_size(image.shape[1], 3, p, s))
    expected = correlate2d(image, KERNELS["sobel_y"], padding=p, stride=s)
    np.testing.assert_allclose(values, expected, atol=1e-9)
    shape = explorer.locator("canvas[data-output]").get_attribute("data-output-shape")
    assert shape == f"{values.shape[0]}x{values.shape[1]}"
    formula = explorer.locator(".cx-formula").inner_text()
    assert f"(Win − F + 2P) / S + 1 = ({image.shape[1]} − 3 + 2·{p}) / {s} + 1" in formula
    subscripts = explorer.locator(".cx-formula sub").all_inner_texts()
    assert subscripts == ["out", "in"] and "_" not in formula
    assert formula.rstrip(".").endswith(f"and {values.shape[0]} rows")


def test_images_are_gray_as_part_1_says_signed_colours_are_elsewhere(explorer, site):
    """Part 1 says which explorer shows signed colours: not this one, whose canvases are gray."""
    choose(explorer, "Kernel preset", "sobel_x")
    choose(explorer, "Show the output as", "minmax")
    canvases = explorer.locator(".cx canvas").all()
    assert len(canvases) >= 2
    for canvas in canvases:
        rgb = np.reshape(
            evaluate_as_json(canvas, "c => c.getContext('2d').getImageData(0, 0, c.width, c.height).data"),
            (-1, 4),
        )[:, :3]
        assert (rgb[:, 0] == rgb[:, 1]).all() and (rgb[:, 1] == rgb[:, 2]).all()
    page = " ".join((site / "module_9_2_2" / "index.html").read_text().split())
    assert (
        "Where a figure of this module shows the sign of numbers in colour (kernels, weights, gradients, "
        "occlusion maps), and in the occlusion map of part 3’s network explorer, positive values are "
        "orange, negative values purple"
    ) in page
    assert "The convolution explorer above shows its images in gray levels" in page


def test_typed_kernel_is_used(explorer):
    weights = ["1", "0", "-1", "2", "0", "-2", "0.5", "0", "-0.5"]
    for i, value in enumerate(weights):
        explorer.get_by_label(f"Kernel row {i // 3}, column {i % 3}").fill(value)
    values, out = js_output(explorer)
    kernel = np.array(weights, dtype=float).reshape(3, 3)
    np.testing.assert_allclose(values, correlate2d(js_input(explorer, "shapes"), kernel), atol=1e-9)
    assert explorer.get_by_label("Kernel preset").input_value() == "custom"
    for i, value in enumerate(["0", "1", "0", "1", "-4", "1", "0", "1", "0"]):
        explorer.get_by_label(f"Kernel row {i // 3}, column {i % 3}").fill(value)
    assert explorer.get_by_label("Kernel preset").input_value() == "laplacian"


STEP_SIDE = output_size(small_example().shape[0], 3, 0, 1)


def test_the_step_count_follows_the_example_and_the_formula(explorer):
    assert explorer.evaluate("window.convExplorer.stepCount()") == STEP_SIDE**2
    assert explorer.get_by_label("Window position").get_attribute("max") == str(STEP_SIDE**2 - 1)
    assert explorer.locator(".cx-step .cx-table").nth(2).locator("td").count() == STEP_SIDE**2


@pytest.mark.parametrize("position", [0, 7, 14, 21, STEP_SIDE**2 - 1])
def test_step_mode_shows_the_products_and_sum(kept_explorer, position):
    explorer = kept_explorer
    choose_all(explorer)
    slider = explorer.get_by_label("Window position")
    slider.fill(str(position))
    row, col = divmod(position, STEP_SIDE)
    products, total = step_details(small_example(), KERNELS["sobel_x"], row, col)
    cells = explorer.locator(".cx-step .cx-table").nth(1).locator("td").all_inner_texts()
    np.testing.assert_allclose(np.array(cells, dtype=float).reshape(3, 3), products)
    text = explorer.locator(".cx-sum").inner_text()
    assert f"sum of the nine products = {total:g}" in text
    assert f"Window at row {row}, column {col}:" in text
    assert f"output cell ({row}, {col})" in text
    filled = explorer.locator(".cx-step .cx-table").nth(2).locator("td").all_inner_texts()
    expected = correlate2d(small_example(), KERNELS["sobel_x"]).ravel()
    assert [float(v) for v in filled[: position + 1]] == list(expected[: position + 1])
    assert all(v == "" for v in filled[position + 1 :])


@pytest.mark.parametrize(("padding", "stride"), [("valid", 2), ("same", 1), ("same", 2)])
def test_the_step_panel_follows_padding_and_stride(kept_explorer, padding, stride):
    """The zero border drawn, the skipped corners marked, every number equal to convviz's."""
    explorer = kept_explorer
    image, kernel = small_example(), KERNELS["sobel_x"]
    pad = 1 if padding == "same" else 0
    n, side = image.shape[0], image.shape[0] + 2 * pad
    choose_all(explorer, padding=padding, stride=str(stride))
    m = output_size(n, 3, pad, stride)
    assert explorer.evaluate("window.convExplorer.stepCount()") == m * m
    tables = explorer.locator(".cx-step .cx-table")
    inputs = tables.nth(0).locator("td")
    assert inputs.count() == side * side
    padded = np.pad(image.astype(float), pad)
    border = np.zeros((side, side), dtype=bool)
    border[:pad], border[side - pad :], border[:, :pad], border[:, side - pad :] = True, True, True, True
    assert np.array(inputs.all_inner_texts(), dtype=float).tolist() == padded.ravel().tolist()
    classes = inputs.evaluate_all("cells => cells.map(c => c.className)")
    assert [("cx-pad" in c) for c in classes] == border.ravel().tolist()
    # The window's top-left corner stands on multiples of the stride where it fits; the rest is skipped.
    fits = side - 3 + 1
    corner = np.zeros((side, side), dtype=bool)
    corner[:fits, :fits] = True
    starts = corner & (np.arange(side)[:, None] % stride == 0) & (np.arange(side)[None, :] % stride == 0)
    assert [("cx-start" in c) for c in classes] == starts.ravel().tolist()
    assert [("cx-skip" in c) for c in classes] == (corner & ~starts).ravel().tolist()
    assert int(starts.sum()) == m * m
    what = explorer.locator(".cx-step-what").inner_text()
    assert ("zeros" in what) == (pad == 1) and ("skips" in what) == (stride > 1)
    assert f"the output is {m}×{m}" in what
    expected = correlate2d(image, kernel, padding=padding, stride=stride)
    for position in sorted({0, 1, m, m * m // 2, m * m - 1}):
        explorer.get_by_label("Window position").fill(str(position))
        row, col = divmod(position, m)
        products, total = step_details(image, kernel, row, col, padding=pad, stride=stride)
        assert total == pytest.approx(expected[row, col], abs=1e-9)  # convviz's own two routes agree
        shown = np.array(tables.nth(1).locator("td").all_inner_texts(), dtype=float).reshape(3, 3)
        np.testing.assert_allclose(shown, products, rtol=0, atol=1e-9)
        window = [("cx-window" in c) for c in inputs.evaluate_all("cells => cells.map(c => c.className)")]
        where = np.zeros((side, side), dtype=bool)
        where[row * stride : row * stride + 3, col * stride : col * stride + 3] = True
        assert window == where.ravel().tolist()
        text = explorer.locator(".cx-sum").inner_text()
        assert f"Window at row {row * stride - pad}, column {col * stride - pad}" in text
        assert f"sum of the nine products = {total:g}" in text and f"output cell ({row}, {col})" in text
        filled = tables.nth(2).locator("td").all_inner_texts()
        assert [float(v) for v in filled[: position + 1]] == pytest.approx(
            expected.ravel()[: position + 1], abs=1e-9
        )
        assert all(v == "" for v in filled[position + 1 :])
    # The page's arithmetic is ConvCore's, the twin of convviz: the full numbers, not the shown ones.
    js = evaluate_as_json(
        explorer,
        "() => { const e = window.convExplorer.explorer(); "
        f"return window.ConvCore.stepDetails(e.small, e.kernel, {pad}, {stride}, {m - 1}, 0); }}",
    )
    products, total = step_details(image, kernel, m - 1, 0, padding=pad, stride=stride)
    np.testing.assert_allclose(np.reshape(js["products"], (3, 3)), products, rtol=0, atol=1e-9)
    assert js["sum"] == pytest.approx(total, abs=1e-9)


def test_step_buttons_move_the_window(explorer):
    explorer.get_by_role("button", name="Next ▶").click()
    explorer.get_by_role("button", name="Next ▶").click()
    assert explorer.get_by_label("Window position").input_value() == "2"
    explorer.get_by_role("button", name="◀ Previous").click()
    assert "row 0, column 1:" in explorer.locator(".cx-sum").inner_text()


@pytest.mark.parametrize("bad", ["", "abc", "1e999", "5000", "<img src=x onerror=alert(1)>", "1+1", "--2"])
def test_bad_values_keep_the_last_valid_output_and_mark_the_field(kept_explorer, bad):
    explorer = kept_explorer
    choose_all(explorer)
    before, _ = js_output(explorer)
    field = explorer.get_by_label("Kernel row 1, column 1")
    field.fill(bad)
    assert field.get_attribute("aria-invalid") == "true"
    message = explorer.locator(".cx-message").inner_text()
    assert message.startswith("Row 1, column 1:") and "last valid kernel stays in use" in message
    after, out = js_output(explorer)
    np.testing.assert_array_equal(after, before)
    assert out["kernel"] == list(KERNELS["sobel_x"].ravel())
    assert explorer.locator(".cx img").count() == 0  # the text was never parsed as HTML
    field.fill("0")
    assert field.get_attribute("aria-invalid") is None
    assert explorer.locator(".cx-message").inner_text() == ""


def test_a_very_long_entry_is_refused_at_once_with_a_message(explorer):
    """100,000 typed digits: the field check stops at its length limit instead of parsing them."""
    limit = explorer.evaluate("window.ConvCore.MAX_FIELD_LENGTH")
    field = explorer.get_by_label("Kernel row 0, column 0")
    field.fill("9" * 100_000)
    assert field.get_attribute("aria-invalid") == "true"
    assert f"too long (at most {limit} characters)" in explorer.locator(".cx-message").inner_text()
    field.fill("1" * limit)
    assert "too long" not in explorer.locator(".cx-message").inner_text()
    field.press("End")
    for _ in range(20):  # keystrokes on a long entry: each one is checked again, quickly
        field.press("9")
    assert "too long" in explorer.locator(".cx-message").inner_text()


def test_the_scripts_are_linked_through_sphinx_on_the_explorer_pages_only(site):
    from bs4 import BeautifulSoup

    def scripts(page):
        soup = BeautifulSoup((site / page).read_text(), "html.parser")
        return [tag["src"].split("?")[0] for tag in soup.select("script[src]") if "explorer/" in tag["src"]]

    shared = ["numbers.js", "core.js", "checks.js", "views.js"]
    assert scripts("module_9_2_2/index.html") == [
        f"../_static/explorer/{name}"
        for name in [*shared, "patterns.js", "pixels.js", "data.js", "conv_explorer.js"]
    ]
    network = scripts("module_9_2_2/trained_network.html")
    assert network[: len(shared)] == [f"../_static/explorer/{name}" for name in shared]
    views = ["network_explorer.js", "network_attribution.js", "network_training.js"]
    assert network[-3:] == [f"../_static/explorer/{name}" for name in views]
    # The training's worker is started by its panel, not linked by the page.
    assert "../_static/explorer/training_worker.js" not in network
    # The network's large data file is fetched by its view once needed, from the address the page gives.
    network_page = (site / "module_9_2_2/trained_network.html").read_text()
    assert 'NETWORK_EXPLORER_DATA_ADDRESS = "../_static/explorer/network_data.js?v=' in network_page
    assert scripts("index.html") == []
    # A page with questions but no explorer loads only the number parser the quiz shares.
    assert scripts("module_9_2_2/inside_a_conv_layer.html") == ["../_static/explorer/numbers.js"]


@pytest.mark.parametrize("page", ["module_9_2_2/index.html", "module_9_2_2/trained_network.html"])
def test_each_script_address_carries_the_version_of_the_file_it_names(site, page):
    """The data files are written before the pages, so ?v= changes whenever the data change."""
    import zlib

    from bs4 import BeautifulSoup

    soup = BeautifulSoup((site / page).read_text(), "html.parser")
    sources = [tag["src"] for tag in soup.select("script[src]") if "explorer/" in tag["src"]]
    sources += re.findall(r'_DATA_ADDRESS = "([^"]+)"', (site / page).read_text())  # fetched once needed
    assert len(sources) >= 3
    for source in sources:
        path, _, version = source.partition("?v=")
        content = (site / page).parent.joinpath(path).resolve().read_bytes()
        assert version == f"{zlib.crc32(content):08x}", source
    assert "<script" not in (DOCS_DIR / "module_9_2_2" / "index.rst").read_text()


def load_build_hooks():
    import importlib.util

    spec = importlib.util.spec_from_file_location("explorers", DOCS_DIR / "_ext" / "explorers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_data_files_are_rewritten_when_their_stamp_changes(tmp_path):
    hooks = load_build_hooks()
    target = tmp_path / "data.js"
    written = []
    hooks._write_if_changed(target, "one", lambda path: (written.append(1), path.write_text("x")))
    hooks._write_if_changed(target, "one", lambda path: written.append(2))
    hooks._write_if_changed(target, "two", lambda path: written.append(3))
    assert written == [1, 3]


def test_the_network_stamp_covers_the_weights_file(tmp_path, monkeypatch):
    hooks = load_build_hooks()
    weights = tmp_path / "tiny_cnn_weights.npz"
    weights.write_bytes(b"first")
    first = hooks.data_stamps(weights)
    weights.write_bytes(b"second")
    second = hooks.data_stamps(weights)
    assert first["data.js"] == second["data.js"]
    assert first["network_data.js"] != second["network_data.js"]
    assert first["network_data.js"].startswith(first["data.js"])
    # An edit of the package or the downloads (source_hash) or of a data writer renews both.
    monkeypatch.setattr("coursesite.hashing.source_hash", lambda: source_hash() + "edited")
    edited = hooks.data_stamps(weights)
    assert edited["data.js"] != second["data.js"] and edited["network_data.js"] != second["network_data.js"]
    monkeypatch.undo()
    monkeypatch.setattr("coursesite.hashing.file_hash", lambda path: "edited " + str(path))
    assert hooks.data_stamps(weights)["data.js"] != second["data.js"]


def test_clipping_loses_the_negative_edges(explorer):
    """The display choice shows the draft's mistake: clipped Sobel X keeps one side of each edge."""
    pixels = {}
    for mode in ("abs", "clip"):
        choose(explorer, "Show the output as", mode)
        pixels[mode] = explorer.evaluate(
            """() => { const c = document.querySelector('canvas[data-output]');
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   const row = 59, out = [];
                   for (let x = 0; x < c.width; x++) out.push(d[4 * (row * c.width + x)]);
                   return out; }"""
        )
    # Row 59 crosses the rectangle: its left edge is at columns 28-29, its right edge at 107-108.
    assert max(pixels["abs"][27:31]) > 200 and max(pixels["abs"][106:110]) > 200
    assert max(pixels["clip"][27:31]) == 255 and max(pixels["clip"][106:110]) == 0


def test_every_control_is_labelled_and_reachable_by_keyboard(explorer):
    controls = explorer.locator(".cx select, .cx input, .cx button")
    assert controls.count() >= 5 + 9 + 3
    for i in range(controls.count()):
        control = controls.nth(i)
        name = control.evaluate(
            "el => el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent)"
            " || el.textContent"
        )
        assert name and name.strip(), control.evaluate("el => el.outerHTML")
    explorer.get_by_label("Input image").focus()
    seen = set()
    for _ in range(25):
        explorer.keyboard.press("Tab")
        seen.add(
            explorer.evaluate(
                "document.activeElement.getAttribute('aria-label') || document.activeElement.id"
            )
        )
    assert "Kernel row 2, column 2" in seen
