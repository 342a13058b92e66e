"""The network explorer of part 3 in a real browser, checked against the NumPy network of convviz."""

import re

import numpy as np
import pytest
from conftest import HTML
from support.browser import NETWORK_PAGE, NETWORK_READY, evaluate_as_json, open_network_explorer, switch_theme
from support.oracles import influence_box
from support.reused_page import KeptPage, lent

from convviz import attribution, attribution_methods, drawing
from convviz.augmentation import COUNT, RANGES, distort
from convviz.drawn_digits import drawings
from convviz.seeded_random import SeededRandom
from convviz.tiny_cnn import as_input, forward, forward_layers, load_weights
from coursesite.network_data import drawn_examples, network_data

pytestmark = pytest.mark.browser

PAGE, READY = NETWORK_PAGE, NETWORK_READY
SCREENSHOTS = HTML.parent / "screenshots"
LAYER_NAMES = ["input", "conv1", "pool1", "conv2", "pool2", "logits", "probabilities"]


@pytest.fixture(scope="module")
def weights(site):
    """The weights file the site offers for download: the explorer's data is made from it."""
    return load_weights(site / "downloads" / "tiny_cnn_weights.npz")


@pytest.fixture(scope="module")
def params(weights):
    return {name: weights[name] for name in ("W1", "b1", "W2", "b2", "W3", "b3")}


@pytest.fixture
def explorer(page, server):
    yield from open_network_explorer(page, server)


@pytest.fixture(scope="module")
def kept(browser, server):
    kept = KeptPage(browser, server + PAGE, READY)
    assert kept.page.evaluate("window.networkExplorer.failure()") is None
    yield kept
    kept.close()


@pytest.fixture
def kept_explorer(kept, request):
    """The module's one explorer page, for the tests that pick the digit and the unit they read and
    change nothing else (support.reused_page.KeptPage)."""
    yield from lent(kept, request)


def state(page):
    return page.evaluate("window.networkExplorer.state()")


def page_layers(page):
    return evaluate_as_json(page, "() => window.networkExplorer.layers()")


def numpy_layers(params, image_uint8):
    layers = forward_layers(params, as_input(np.asarray(image_uint8, dtype=np.uint8).reshape(1, 28, 28)))
    return {name: layers[name][0] for name in LAYER_NAMES}


def assert_layers_equal(js, expected):
    for name in LAYER_NAMES:
        np.testing.assert_allclose(
            np.ravel(js[name]), np.ravel(expected[name]), rtol=0, atol=1e-9, err_msg=name
        )


def pick(page, index):
    page.get_by_label("Test digit").select_option(str(index))


# ---------------------------------------------------------------- the numbers


def test_the_data_file_carries_every_weight_bit_for_bit(explorer, params, weights):
    js = evaluate_as_json(explorer, "() => window.networkExplorer.weights()")
    for name, array in params.items():
        np.testing.assert_array_equal(np.reshape(js[name], array.shape), array, err_msg=name)
    data = network_data(weights)
    # The test digits travel as 8×8 counts: the page enlarges and splits them into the weights file's.
    page = (
        "() => { const d = window.networkExplorer.explorer().data; "
        "return [Array.from(d.images), Array.from(d.labels)]; }"
    )
    digits = evaluate_as_json(explorer, page)
    np.testing.assert_array_equal(np.reshape(digits[0], weights["test_images"].shape), weights["test_images"])
    assert digits[1] == weights["test_labels"].tolist()
    assert data["drawing"]["pen_width"] == drawing.PEN_WIDTH
    for name in ("ink_width", "ink_height", "centre", "max_scale", "max_stretch"):
        assert data["drawing"][name] == getattr(drawing, name.upper())


def test_every_layer_equals_numpy_on_sixty_test_digits(kept_explorer, params, weights):
    indices = list(range(60))
    js = evaluate_as_json(kept_explorer, f"() => window.networkExplorer.layersOf({indices})")
    expected = forward_layers(params, as_input(weights["test_images"][indices]))
    for n, layers in zip(indices, js, strict=True):
        assert_layers_equal(layers, {name: expected[name][n] for name in LAYER_NAMES})


def test_predictions_on_all_stored_test_digits_equal_numpy(kept_explorer, params, weights):
    js = kept_explorer.evaluate("window.networkExplorer.predictions([], [])")
    expected = forward(params, as_input(weights["test_images"])).argmax(axis=1)
    assert len(js) == len(weights["test_labels"]) > 300
    np.testing.assert_array_equal(js, expected)
    kept_explorer.wait_for_function("!window.networkExplorer.state().accuracyPending")
    accuracy = state(kept_explorer)["baseline"]
    assert accuracy["correct"] == int((expected == weights["test_labels"]).sum())


@pytest.mark.parametrize("index", [0, 7, 123])
def test_a_picked_digit_goes_through_every_layer(kept_explorer, params, weights, index):
    pick(kept_explorer, index)
    image = weights["test_images"][index]
    assert state(kept_explorer)["image"] == image.ravel().tolist()
    expected = numpy_layers(params, image)
    assert_layers_equal(page_layers(kept_explorer), expected)
    best = int(expected["probabilities"].argmax())
    predicted = kept_explorer.locator(".nx-bar.nx-predicted")
    assert predicted.count() == 1 and predicted.get_attribute("data-class") == str(best)
    sentence = kept_explorer.locator(".nx-sentence").inner_text()
    assert f"says {best}," in sentence and f"label is {weights['test_labels'][index]}" in sentence


def test_test_digits_are_numbered_from_0_and_part_2_names_the_same_digit(explorer, site, weights):
    """Option "No. i" is stored digit i, so the digit part 2 names is the one the explorer lists."""
    options = explorer.get_by_label("Test digit").locator("option:not([value=''])")
    texts, values = options.all_inner_texts(), options.evaluate_all("all => all.map(o => o.value)")
    labels = weights["test_labels"]
    assert texts == [f"No. {i}: a {label}" for i, label in enumerate(labels)]
    assert values == [str(i) for i in range(len(labels))]
    part2 = " ".join((site / "module_9_2_2" / "inside_a_conv_layer.html").read_text().split())
    found = re.search(r"least sure about is test digit (\d+) \(counted from 0[^)]*\), labelled (\d)", part2)
    index, label = int(found[1]), int(found[2])
    assert labels[index] == label
    pick(explorer, index)
    assert state(explorer)["image"] == weights["test_images"][index].ravel().tolist()
    chosen = explorer.get_by_label("Test digit").evaluate("s => s.options[s.selectedIndex].text")
    assert chosen == f"No. {index}: a {label}"


def test_strokes_drawn_with_the_mouse_give_the_python_input_and_probabilities(explorer, params):
    grid = explorer.locator("canvas.nx-grid")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    played = [
        [(9.3, 6.2), (14.1, 4.8), (18.7, 6.9), (17.2, 12.4), (12.5, 17.8), (8.4, 22.6), (19.9, 22.1)],
        [(4.0, 25.5), (6.5, 24.0)],
    ]
    for stroke in played:
        x, y = stroke[0]
        explorer.mouse.move(box["x"] + x * box["width"] / 28, box["y"] + y * box["height"] / 28)
        explorer.mouse.down()
        for x, y in stroke[1:]:
            explorer.mouse.move(box["x"] + x * box["width"] / 28, box["y"] + y * box["height"] / 28, steps=4)
        explorer.mouse.up()
    now = state(explorer)
    strokes = now["strokes"]
    assert len(strokes) == 2
    for stroke, drawn in zip(played, strokes, strict=True):
        np.testing.assert_allclose(drawn[0], stroke[0], atol=0.05)
        np.testing.assert_allclose(drawn[-1], stroke[-1], atol=0.05)
    image = drawing.prepare(strokes)
    assert image.any()
    assert now["image"] == image.ravel().tolist()
    assert_layers_equal(page_layers(explorer), numpy_layers(params, image))
    explorer.get_by_role("button", name="Undo").click()
    assert state(explorer)["image"] == drawing.prepare(strokes[:1]).ravel().tolist()
    explorer.get_by_role("button", name="Clear").click()
    assert state(explorer)["empty"]


def test_the_keyboard_paints_cells_and_moves_the_digit(explorer, params, weights):
    grid = explorer.locator("canvas.nx-grid")
    grid.focus()
    for key in ["ArrowLeft", "ArrowLeft", "Space", "ArrowUp", "Enter", "ArrowUp", "Space"]:
        explorer.keyboard.press(key)
    strokes = state(explorer)["strokes"]
    assert strokes == [[[12.5, 14.5]], [[12.5, 13.5]], [[12.5, 12.5]]]
    assert state(explorer)["image"] == drawing.prepare(strokes).ravel().tolist()
    explorer.keyboard.press("Delete")
    assert state(explorer)["empty"]
    pick(explorer, 3)
    grid.focus()
    explorer.keyboard.press("Shift+ArrowRight")
    explorer.keyboard.press("Shift+ArrowDown")
    shifted = np.zeros((28, 28), dtype=np.uint8)
    shifted[1:, 1:] = weights["test_images"][3][:-1, :-1]
    assert state(explorer)["image"] == shifted.ravel().tolist()
    assert_layers_equal(page_layers(explorer), numpy_layers(params, shifted))
    explorer.keyboard.press("Backspace")
    explorer.keyboard.press("Backspace")
    assert state(explorer)["image"] == weights["test_images"][3].ravel().tolist()


def test_an_empty_grid_is_neutral_and_says_so(explorer):
    explorer.get_by_role("button", name="Clear").click()
    assert state(explorer)["empty"] and state(explorer)["prediction"] is None
    assert "grid is empty" in explorer.locator(".nx-sentence").inner_text()
    assert explorer.locator(".nx-bar.nx-predicted").count() == 0
    assert set(explorer.locator(".nx-bar-value").all_inner_texts()) == {"–"}
    explorer.locator(".nx-layers canvas").first.click()
    text = explorer.locator(".nx").inner_text()
    assert "NaN" not in text and "undefined" not in text and "Infinity" not in text


# ---------------------------------------------------------------- units explain themselves


def click_unit(page, layer, channel, row, col):
    canvas = page.get_by_label(f"{layer}, map {channel + 1}:", exact=False).first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    size = {"conv1 after ReLU": 28, "conv1 pooled": 14, "conv2 after ReLU": 14, "conv2 pooled": 7}[layer]
    page.mouse.click(
        box["x"] + (col + 0.5) * box["width"] / size, box["y"] + (row + 0.5) * box["height"] / size
    )


def shown(page, selector):
    """The full values and the texts of the explanation's numbers of one kind."""
    spans = page.locator(f".nx-explain {selector}")
    values = [float(v) for v in spans.evaluate_all("els => els.map(e => e.dataset.value)")]
    return values, spans.all_inner_texts()


def assert_text_shows(values, texts):
    for value, text in zip(values, texts, strict=True):
        assert abs(float(text) - value) <= 0.5e-4 + 1e-12, (text, value)


@pytest.mark.parametrize(
    ("layer", "name", "channel", "row", "col"),
    [
        ("conv1 after ReLU", "conv1", 0, 13, 12),
        ("conv1 after ReLU", "conv1", 3, 0, 0),
        ("conv2 after ReLU", "conv2", 5, 7, 6),
        ("conv2 after ReLU", "conv2", 2, 13, 0),
    ],
)
def test_a_conv_unit_shows_window_times_kernel_plus_bias_then_relu(
    kept_explorer, params, weights, layer, name, channel, row, col
):
    pick(kept_explorer, 11)
    expected = numpy_layers(params, weights["test_images"][11])
    click_unit(kept_explorer, layer, channel, row, col)
    terms, term_texts = shown(kept_explorer, ".nx-term")
    (bias,), _ = shown(kept_explorer, ".nx-bias")
    (total,), _ = shown(kept_explorer, ".nx-total")
    (result,), result_text = shown(kept_explorer, ".nx-result")
    assert len(terms) == (1 if name == "conv1" else 4)
    assert total == pytest.approx(sum(terms) + bias, abs=1e-9)
    assert result == max(total, 0.0)
    assert result == pytest.approx(expected[name][row, col, channel], abs=1e-9)
    assert bias == params["b1" if name == "conv1" else "b2"][channel]
    assert_text_shows(terms + [result], term_texts + result_text)
    # Per channel three tables (window, kernel, products); the products add up to the channel sum.
    tables = kept_explorer.locator(".nx-explain .nx-channel")
    below = expected["input"] if name == "conv1" else expected["pool1"]
    kernel = params["W1" if name == "conv1" else "W2"][channel]
    padded = np.pad(below, ((1, 1), (1, 1), (0, 0)))
    for c in range(tables.count()):
        cells = tables.nth(c).locator("td").evaluate_all("els => els.map(e => Number(e.dataset.value))")
        window, weights9, products = np.reshape(cells, (3, 3, 3))
        np.testing.assert_allclose(window, padded[row : row + 3, col : col + 3, c], rtol=0, atol=1e-12)
        np.testing.assert_array_equal(weights9, kernel[:, :, c])
        np.testing.assert_allclose(products, window * weights9, atol=1e-15)
        assert terms[c] == pytest.approx(products.sum(), abs=1e-12)
    fields = kept_explorer.evaluate(
        """() => window.networkExplorer.explorer().highlights('"""
        + ("input" if name == "conv1" else "pool1")
        + """', 0).filter(b => b.color === '#ff8c00')"""
    )
    assert fields == [
        {
            "r0": max(row - 1, 0),
            "r1": min(row + 1, below.shape[0] - 1),
            "c0": max(col - 1, 0),
            "c1": min(col + 1, below.shape[1] - 1),
            "color": "#ff8c00",
        }
    ]


@pytest.mark.parametrize(
    ("layer", "name", "below"), [("conv1 pooled", "pool1", "conv1"), ("conv2 pooled", "pool2", "conv2")]
)
def test_a_pooled_unit_shows_its_four_candidates_and_the_largest(
    kept_explorer, params, weights, layer, name, below
):
    pick(kept_explorer, 20)
    expected = numpy_layers(params, weights["test_images"][20])
    row, col, channel = 3, 4, 1
    click_unit(kept_explorer, layer, channel, row, col)
    candidates, texts = shown(kept_explorer, ".nx-candidate")
    (result,), result_text = shown(kept_explorer, ".nx-result")
    window = expected[below][2 * row : 2 * row + 2, 2 * col : 2 * col + 2, channel].ravel()
    np.testing.assert_allclose(candidates, window, rtol=0, atol=1e-12)
    assert result == max(candidates)
    assert result == pytest.approx(expected[name][row, col, channel], abs=1e-12)
    assert_text_shows(candidates + [result], texts + result_text)


@pytest.mark.parametrize("klass", [0, 4, 9])
def test_a_class_score_shows_its_largest_contributions(kept_explorer, params, weights, klass):
    pick(kept_explorer, 30)
    expected = numpy_layers(params, weights["test_images"][30])
    kept_explorer.locator(f".nx-bar[data-class='{klass}']").click()
    terms, texts = shown(kept_explorer, ".nx-term")
    (bias,), _ = shown(kept_explorer, ".nx-bias")
    (total,), _ = shown(kept_explorer, ".nx-total")
    (probability,), _ = shown(kept_explorer, ".nx-result")
    contributions = params["W3"][klass] * expected["pool2"].ravel()
    largest = np.sort(np.abs(contributions))[::-1][:8]
    np.testing.assert_allclose(np.sort(np.abs(terms[:-1]))[::-1], largest, atol=1e-15)
    assert terms[-1] == pytest.approx(contributions.sum() - np.sum(terms[:-1]), abs=1e-9)
    assert total == pytest.approx(sum(terms) + bias, abs=1e-9)
    assert total == pytest.approx(expected["logits"][klass], abs=1e-9)
    assert probability == pytest.approx(expected["probabilities"][klass], abs=1e-12)
    assert_text_shows(terms, texts)


def test_enter_on_a_focused_map_explains_the_unit_under_its_cursor(explorer, params, weights):
    pick(explorer, 5)
    canvas = explorer.get_by_label("conv2 pooled, map 3:", exact=False)
    canvas.focus()
    for key in ["ArrowDown", "ArrowDown", "ArrowRight", "Enter"]:
        explorer.keyboard.press(key)
    title = explorer.locator(".nx-explain .nx-title").first.inner_text()
    assert title == "pool2, map 3, row 2, column 1"  # maps numbered from 1, rows and columns from 0
    (result,), _ = shown(explorer, ".nx-result")
    assert result == pytest.approx(
        numpy_layers(params, weights["test_images"][5])["pool2"][2, 1, 2], abs=1e-12
    )


# ---------------------------------------------------------------- what if


@pytest.mark.parametrize(("layer", "filter_index"), [("conv1", 1), ("conv2", 6)])
def test_a_filter_switched_off_gives_numpys_accuracy(explorer, params, weights, layer, filter_index):
    pick(explorer, 2)
    explorer.get_by_label(f"{layer} filter {filter_index + 1}", exact=True).uncheck()
    changed = {name: value.copy() for name, value in params.items()}
    w, b = ("W1", "b1") if layer == "conv1" else ("W2", "b2")
    changed[w][filter_index] = 0.0
    changed[b][filter_index] = 0.0
    predictions = forward(changed, as_input(weights["test_images"])).argmax(axis=1)
    correct = int((predictions == weights["test_labels"]).sum())
    explorer.wait_for_function("!window.networkExplorer.state().accuracyPending")
    now = state(explorer)
    assert now["accuracy"]["correct"] == correct
    assert now["off"][layer] == [filter_index]
    text = explorer.locator(".nx-accuracy").inner_text()
    total = len(weights["test_labels"])
    assert f"{100 * correct / total:.1f} % ({correct} right) with the 1 filter" in text
    baseline = int(
        (forward(params, as_input(weights["test_images"])).argmax(axis=1) == weights["test_labels"]).sum()
    )
    assert f"{100 * baseline / total:.1f} % ({baseline} right) with every filter" in text
    assert_layers_equal(page_layers(explorer), numpy_layers(changed, weights["test_images"][2]))


# ---------------------------------------------------------------- saliency and occlusion


def numpy_input_gradient(params, image, label):
    """d logits[label] / d image through the package's own backward passes (not the page's code)."""
    return attribution.input_gradient(params, image, label)


def numpy_occlusion(params, image, label):
    """The drop of the score (logit) under a 6×6 black patch, every second row and column."""
    return attribution.occlusion_map(params, image, label)


def drag(page, points, steps=5):
    """One stroke with the mouse through points given as fractions of the drawing grid's width and height."""
    grid = page.locator("canvas.nx-grid")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    (x, y), rest = points[0], points[1:]
    page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
    page.mouse.down()
    for x, y in rest:
        page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"], steps=steps)
    page.mouse.up()


def test_saliency_and_occlusion_of_a_drawing_equal_numpy(explorer, params):
    drag(explorer, [(0.3, 0.2), (0.7, 0.2), (0.45, 0.8)])
    explorer.get_by_label("Show where the network looks (attribution maps)").check()
    found = explorer.evaluate("window.networkExplorer.attribution()")
    image = np.array(state(explorer)["image"], dtype=np.float64).reshape(28, 28) / 255
    label = int(forward(params, image[None, :, :, None]).argmax())
    assert found["label"] == label
    gradient = numpy_input_gradient(params, image, label)
    np.testing.assert_allclose(np.reshape(found["gradient"], (28, 28)), gradient, atol=1e-9)
    # The gradient is the slope: a finite difference at an inked pixel agrees.
    r, c = np.unravel_index(np.argmax(np.abs(gradient) * (image > 0)), image.shape)
    bumped = image.copy()
    bumped[r, c] += 1e-6
    slope = (forward(params, bumped[None, :, :, None]) - forward(params, image[None, :, :, None]))[
        0, label
    ] / 1e-6
    assert slope == pytest.approx(gradient[r, c], rel=1e-4, abs=1e-6)
    np.testing.assert_allclose(
        np.reshape(found["occlusion"], (12, 12)), numpy_occlusion(params, image, label), atol=1e-9
    )
    for key, expected in [
        ("gradientTimesInput", attribution_methods.gradient_times_input(params, image, label)),
        ("integratedGradients", attribution_methods.integrated_gradients(params, image, label, steps=64)),
        ("gradCam", attribution_methods.grad_cam(params, image, label)),
    ]:
        np.testing.assert_allclose(np.reshape(found[key], expected.shape), expected, atol=1e-9, err_msg=key)


SMOOTHGRAD_READY = "(window.networkExplorer.attribution() || {}).smoothGrad !== undefined"


def signed_colours(values):
    """The figures' signed colours (convviz.plotting.SIGNED_STOPS) of values, full at the largest value."""
    from convviz.plotting import SIGNED_STOPS

    stops = np.array(
        [[int(colour[i : i + 2], 16) for i in (1, 3, 5)] for colour in SIGNED_STOPS], dtype=float
    )
    t = values / np.abs(values).max()
    return np.stack([np.interp(t, np.linspace(-1, 1, len(stops)), stops[:, c]) for c in range(3)], axis=-1)


@pytest.mark.parametrize(
    "source", ["the drawn digit it opens with", "test digit 3", "test digit 12", "a stroke"]
)
def test_smoothgrad_equals_convvizs_and_is_painted_in_the_signed_colours(explorer, params, source):
    """The live SmoothGrad (computed after the other maps) against convviz's smoothgrad of the same input,
    with its default settings, which reach the page in the data file."""
    if source.startswith("test digit"):
        pick(explorer, int(source.split()[-1]))
    elif source == "a stroke":
        drag(explorer, [(0.35, 0.2), (0.65, 0.25), (0.4, 0.85)])
    explorer.get_by_label("Show where the network looks (attribution maps)").check()
    explorer.wait_for_function(SMOOTHGRAD_READY)
    found = explorer.evaluate("window.networkExplorer.attribution()")
    assert "pending" not in found
    image = np.array(state(explorer)["image"], dtype=np.float64).reshape(28, 28) / 255
    label = int(forward(params, image[None, :, :, None]).argmax())
    assert found["label"] == label
    expected = attribution_methods.smoothgrad(params, image, label)
    np.testing.assert_allclose(np.reshape(found["smoothGrad"], (28, 28)), expected, rtol=0, atol=1e-9)
    assert np.abs(expected).max() > 1e-3  # a map with something in it
    pixels = np.reshape(explorer.evaluate("window.networkExplorer.pixels('smoothGrad')"), (28, 28, 4))
    np.testing.assert_allclose(pixels[..., :3], signed_colours(expected), atol=1)
    caption = explorer.locator(
        "figure", has=explorer.locator("canvas[aria-label^='SmoothGrad']")
    ).inner_text()
    assert caption.strip() == "SmoothGrad (mean gradient of noisy copies)"
    text = explorer.locator(".nx-attribution-text").text_content()
    samples, noise = attribution_methods.SMOOTHGRAD_SAMPLES, attribution_methods.SMOOTHGRAD_NOISE
    assert (
        f"SmoothGrad averages the gradient over {samples} copies of the input with noise of "
        f"standard deviation {noise} added" in text
    )


def test_smoothgrad_of_re_initialised_layers_and_its_correlation_equal_convviz(explorer, params):
    from convviz.attribution_checks import CASCADE, randomised, rank_correlation
    from convviz.tiny_cnn import init_parameters

    pick(explorer, 7)
    explorer.get_by_label("Show where the network looks (attribution maps)").check()
    explorer.get_by_label("Weights for the maps (sanity check)").select_option("2")
    explorer.wait_for_function(SMOOTHGRAD_READY)
    found = explorer.evaluate("window.networkExplorer.attribution()")
    image = np.array(state(explorer)["image"], dtype=np.float64).reshape(28, 28) / 255
    label = found["label"]
    changed = randomised(params, init_parameters(), CASCADE[2][1])
    expected = attribution_methods.smoothgrad(changed, image, label)
    np.testing.assert_allclose(np.reshape(found["smoothGrad"], (28, 28)), expected, rtol=0, atol=1e-9)
    rho = rank_correlation(np.abs(attribution_methods.smoothgrad(params, image, label)), np.abs(expected))
    assert found["correlations"]["smoothGrad"] == pytest.approx(rho, abs=1e-9)
    caption = explorer.locator(
        "figure", has=explorer.locator("canvas[aria-label^='SmoothGrad']")
    ).inner_text()
    assert f"ρ = {rho:.2f} with the trained map" in caption


def test_a_new_input_drops_the_smoothgrad_still_to_come(explorer, params):
    """Two updates in one task: only the newer input's SmoothGrad is computed and shown."""
    explorer.get_by_label("Show where the network looks (attribution maps)").check()
    explorer.wait_for_function(SMOOTHGRAD_READY)
    pending = explorer.evaluate(
        """() => { const picker = [...document.querySelectorAll('select')].find(s => s.labels[0] &&
             s.labels[0].textContent === 'Test digit');
           const original = window.ConvCore.smoothGrad;
           window.smoothGradCalls = 0;
           window.ConvCore.smoothGrad = function () {
             window.smoothGradCalls++;
             return original.apply(this, arguments);
           };
           for (const value of ['4', '9']) {
             picker.value = value;
             picker.dispatchEvent(new Event('change'));
           }
           const caption = document.querySelector("canvas[aria-label^='SmoothGrad']").parentNode.textContent;
           return [window.networkExplorer.attribution().pending, caption]; }"""
    )
    assert pending == [["smoothGrad"], "SmoothGrad (mean gradient of noisy copies): computing…"]
    explorer.wait_for_function(SMOOTHGRAD_READY)
    assert state(explorer)["digit"] == 9 and explorer.evaluate("window.smoothGradCalls") == 1
    image = np.array(state(explorer)["image"], dtype=np.float64).reshape(28, 28) / 255
    found = explorer.evaluate("window.networkExplorer.attribution()")
    expected = attribution_methods.smoothgrad(params, image, found["label"])
    np.testing.assert_allclose(np.reshape(found["smoothGrad"], (28, 28)), expected, rtol=0, atol=1e-9)


def test_occlusion_map_paints_positive_orange_and_negative_purple_as_the_figures(explorer, params, weights):
    """The occlusion canvas against the figures' signed colours (convviz.plotting), pixel by pixel."""
    from convviz.plotting import NEGATIVE, POSITIVE, SIGNED_STOPS, ZERO

    def rgb(colour):
        return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)

    stops = np.array([rgb(colour) for colour in SIGNED_STOPS])
    explorer.get_by_label("Show where the network looks (attribution maps)").check()
    for index in range(200):  # a stored digit whose occlusion map shows both signs clearly
        pick(explorer, index)
        values = np.array(explorer.evaluate("window.networkExplorer.attribution()")["occlusion"])
        t = values / np.abs(values).max()
        if (t > 0.2).any() and (t < -0.2).any():
            break
    else:
        pytest.fail("no stored digit among the first 200 has an occlusion map of both signs")
    size = int(np.sqrt(values.size))
    # Each cell is painted on the 2×2 pixels at the centre of its 6×6 patch (rows 2a + 2, 2a + 3).
    pixels = np.reshape(explorer.evaluate("window.networkExplorer.pixels('occlusion')"), (28, 28, 4))
    assert (pixels[:2, :, :3] == rgb(ZERO)).all() and (pixels[:, -2:, :3] == rgb(ZERO)).all()
    for u in (2, 3):
        for v in (2, 3):
            np.testing.assert_array_equal(pixels[2:26, 2:26][u - 2 :: 2, v - 2 :: 2], pixels[2:26:2, 2:26:2])
    shown = pixels[2:26:2, 2:26:2].reshape(size * size, 4)[:, :3].astype(float)
    where = np.linspace(-1, 1, len(stops))
    expected = np.stack([np.interp(t, where, stops[:, c]) for c in range(3)], axis=1)
    np.testing.assert_allclose(shown, expected, atol=1)
    strongest = np.abs(values).argmax()
    assert tuple(shown[strongest]) == tuple(rgb(POSITIVE if values[strongest] > 0 else NEGATIVE))
    positive, negative = shown[t > 0.1], shown[t < -0.1]
    assert (positive[:, 0] > positive[:, 2]).all()  # orange: more red than blue
    assert (negative[:, 2] > negative[:, 1]).all()  # purple: more blue than green
    zero = np.abs(values) < 1e-12
    assert (shown[zero] == rgb(ZERO)).all()
    text = explorer.locator(".nx-attribution-text").text_content()
    assert (
        "occlusion: orange where covering the patch centred there lowers the score, purple where it" in text
    )
    assert "blue" not in text


@pytest.mark.parametrize("stage", [1, 3])
def test_the_sanity_check_maps_and_correlations_equal_convviz(explorer, params, weights, stage):
    """Maps with layers re-initialised from the top, each with its rank correlation to the trained map."""
    from convviz.attribution_checks import CASCADE, randomised, rank_correlation
    from convviz.tiny_cnn import init_parameters

    pick(explorer, 7)
    explorer.get_by_label("Show where the network looks (attribution maps)").check()
    explorer.get_by_label("Weights for the maps (sanity check)").select_option(str(stage))
    found = explorer.evaluate("window.networkExplorer.attribution()")
    image = weights["test_images"][7] / 255.0
    label = int(forward(params, image[None, :, :, None]).argmax())
    _, layers = CASCADE[stage]
    assert found["label"] == label and found["stage"] == list(layers)
    changed = randomised(params, init_parameters(), layers)
    oracles = {
        "gradient": lambda p: attribution.input_gradient(p, image, label),
        "gradientTimesInput": lambda p: attribution_methods.gradient_times_input(p, image, label),
        "integratedGradients": lambda p: attribution_methods.integrated_gradients(p, image, label, steps=64),
        "gradCam": lambda p: attribution_methods.grad_cam(p, image, label),
        "occlusion": lambda p: attribution.occlusion_map(p, image, label),
    }
    for key, oracle in oracles.items():
        expected = oracle(changed)
        np.testing.assert_allclose(np.reshape(found[key], expected.shape), expected, atol=1e-9, err_msg=key)
        if key == "gradient":
            continue
        rho = rank_correlation(np.abs(oracle(params)), np.abs(expected))
        if np.isnan(rho):  # an empty map (Grad-CAM): no rank correlation
            assert np.isnan(found["correlations"][key]), key
        else:
            assert found["correlations"][key] == pytest.approx(rho, abs=1e-9), key
    rho = rank_correlation(np.abs(oracles["gradient"](params)), np.abs(oracles["gradient"](changed)))
    assert found["correlations"]["saliency"] == pytest.approx(rho, abs=1e-9)
    caption = explorer.locator("figure", has=explorer.locator("canvas[aria-label^='saliency']")).inner_text()
    assert f"ρ = {rho:.2f} with the trained map" in caption
    # Back to the trained weights: no correlations, the trained maps.
    explorer.get_by_label("Weights for the maps (sanity check)").select_option("0")
    found = explorer.evaluate("window.networkExplorer.attribution()")
    assert "correlations" not in found
    np.testing.assert_allclose(found["gradient"], oracles["gradient"](params).ravel(), atol=1e-9)


@pytest.mark.parametrize(("index", "target"), [(0, 8), (7, 4)])
def test_fooling_finds_the_change_convviz_finds_and_shows_it(explorer, params, weights, index, target):
    from convviz.fooling import fool_towards

    pick(explorer, index)
    explorer.get_by_label("Show where the network looks (attribution maps)").check()
    explorer.get_by_label("Fool it: make it read").select_option(str(target))
    explorer.get_by_role("button", name="Find the smallest change").click()
    found = explorer.evaluate("window.networkExplorer.result('fooling')")
    expected = fool_towards(params, weights["test_images"][index], target)
    assert expected["reached"] and found["reached"] and found["steps"] == expected["steps"] >= 1
    assert found["delta"] == expected["delta"].ravel().tolist()
    assert found["image"] == expected["image"].ravel().tolist()
    np.testing.assert_allclose(found["probabilities"], expected["probabilities"], atol=1e-9)
    shown = np.reshape(explorer.evaluate("window.networkExplorer.pixels('foolInput')"), (28, 28, 4))
    np.testing.assert_array_equal(shown[..., 0], expected["image"])
    largest, changed = int(np.abs(expected["delta"]).max()), int((expected["delta"] != 0).sum())
    text = explorer.locator(".nx-fool-text").inner_text()
    assert f"the network reads {target} (probability {expected['probabilities'][target]:.2f})" in text
    assert f"no block changed by more than {largest} of its 16 counts, {changed} of the 64 blocks" in text
    # Another input: the change found for the old one disappears.
    pick(explorer, index + 1)
    assert explorer.evaluate("window.networkExplorer.result('fooling')") is None
    assert explorer.locator(".nx-fool-text").inner_text() == ""


# ---------------------------------------------------------------- bad data


@pytest.mark.parametrize(
    "body",
    [
        "window.NETWORK_EXPLORER_DATA = {garbage",
        'window.NETWORK_EXPLORER_DATA = {"params": {"W1": {"shape": [4, 3, 3, 1], "data": "AAAA"}}};',
        None,
    ],
    ids=["syntax", "truncated", "missing"],
)
def test_a_damaged_or_missing_data_file_shows_one_message_and_the_page_works(page, server, body):
    def answer(route):
        if body is None:
            route.fulfill(status=404, body="not found")
        else:
            route.fulfill(status=200, content_type="text/javascript", body=body)

    page.route(re.compile(r".*/_static/explorer/network_data\.js(\?.*)?$"), answer)
    page.goto(server + PAGE)
    page.wait_for_function(READY)
    message = page.locator(".explorer-problem")
    assert message.count() == 1 and message.is_visible()
    assert "could not load its data file" in message.inner_text()
    assert page.locator("canvas.nx-grid").count() == 0
    # The rest of the page still works: the theme's script ran, the text is there, the links lead on.
    assert page.evaluate("document.documentElement.dataset.theme") in ("light", "dark")
    assert page.get_by_role("heading", name="How a drawing becomes").is_visible()
    page.get_by_role("link", name="part 2").first.click()
    page.wait_for_url("**/inside_a_conv_layer.html*")


# ---------------------------------------------------------------- usable by everyone


def test_every_control_is_labelled(explorer):
    controls = explorer.locator(".nx select, .nx input, .nx button, .nx canvas[tabindex]")
    assert controls.count() >= 3 + 12 + 24
    for i in range(controls.count()):
        name = controls.nth(i).evaluate(
            "el => el.getAttribute('aria-label') || (el.labels && el.labels[0] && el.labels[0].textContent)"
            " || (el.getAttribute('aria-labelledby') && document.getElementById("
            "el.getAttribute('aria-labelledby')).textContent) || el.textContent"
        )
        assert name and name.strip(), controls.nth(i).evaluate("el => el.outerHTML")


def test_no_serious_accessibility_violations_in_either_theme(browser, server):
    """axe-core on the whole page with a digit picked, a class explained and the attribution maps shown:
    in the light theme, then in the dark one chosen in the theme's colour-mode menu."""
    from axe_playwright_python.sync_playwright import Axe

    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    page = context.new_page()
    page.add_init_script("localStorage.setItem('mode', 'light'); localStorage.setItem('theme', 'light');")
    page.goto(server + PAGE)
    page.wait_for_function(READY)
    pick(page, 0)
    page.locator(".nx-bar[data-class='3']").click()
    page.get_by_label("Show where the network looks (attribution maps)").check()
    details = []
    for mode in ("light", "dark"):
        if mode == "dark":
            switch_theme(page, "dark")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        results = Axe().run(page)
        serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        for v in serious:
            examples = [node["html"][:70] for node in v["nodes"][:3]]
            details.append(f"{mode}: {v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {examples})")
    context.close()
    assert not details, "\n".join(details)


@pytest.mark.parametrize(("mode", "width"), [("light", 1280), ("dark", 1280), ("light", 375), ("dark", 375)])
def test_screenshots_light_dark_narrow_and_a_selected_unit(browser, server, mode, width):
    """Writes _build/screenshots/network-explorer-<mode>-<width>.png (and -unit) for a person to look at."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=mode)
    page = context.new_page()
    page.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
    page.goto(server + PAGE)
    page.wait_for_function(READY)
    pick(page, 0)
    page.get_by_label("Show where the network looks (attribution maps)").check()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    root = page.locator("[data-network-explorer]")
    assert root.bounding_box()["width"] <= width
    page.add_style_tag(content=".bd-header, .skip-link { display: none !important; }")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    root.screenshot(path=str(SCREENSHOTS / f"network-explorer-{mode}-{width}.png"))
    click_unit(page, "conv2 after ReLU", 1, 7, 7)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"with a unit explained the page scrolls sideways by {overflow}px"
    explain = page.locator(".nx-explain")
    assert explain.bounding_box()["width"] <= width
    page.locator(".nx-layers").screenshot(path=str(SCREENSHOTS / f"network-explorer-{mode}-{width}-maps.png"))
    explain.screenshot(path=str(SCREENSHOTS / f"network-explorer-{mode}-{width}-unit.png"))
    context.close()


def test_it_works_from_the_local_files_without_a_server(page, site, weights):
    """Opened as files (file://), the page still finds its scripts and data and computes."""
    page.goto((site / PAGE).resolve().as_uri())
    page.wait_for_function(READY)
    assert page.evaluate("window.networkExplorer.failure()") is None
    pick(page, 1)
    assert state(page)["image"] == weights["test_images"][1].ravel().tolist()


def test_a_finger_draws_on_a_phone(browser, server):
    """Touch input on a narrow screen: a tap inks a dot, the same as in Python."""
    context = browser.new_context(viewport={"width": 375, "height": 800}, has_touch=True, is_mobile=True)
    page = context.new_page()
    page.goto(server + PAGE)
    page.wait_for_function(READY)
    grid = page.locator("canvas.nx-grid")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 3)
    page.wait_for_function("window.networkExplorer.state().strokes.length === 1")
    now = state(page)
    np.testing.assert_allclose(now["strokes"][0][0], [14, 28 / 3], atol=0.2)
    assert now["image"] == drawing.prepare(now["strokes"]).ravel().tolist()
    context.close()


@pytest.mark.parametrize(
    ("layer", "name", "row", "col"),
    [
        ("conv1 after ReLU", "conv1", 5, 27),
        ("conv1 pooled", "pool1", 6, 0),
        ("conv2 after ReLU", "conv2", 7, 3),
        ("conv2 pooled", "pool2", 3, 6),
        ("conv2 pooled", "pool2", 0, 0),
    ],
)
def test_the_input_field_shown_is_every_pixel_the_unit_depends_on(kept_explorer, layer, name, row, col):
    pick(kept_explorer, 4)
    click_unit(kept_explorer, layer, 0, row, col)
    boxes = kept_explorer.evaluate(
        "window.networkExplorer.explorer().highlights('input', 0).filter(b => b.color === '#ff8c00')"
    )
    assert [(b["r0"], b["r1"], b["c0"], b["c1"]) for b in boxes] == [influence_box(name, row, col)]


# ---------------------------------------------------------------- drawings: first view, scaling, odd strokes


def set_strokes(page, strokes):
    """Put strokes into the grid as if drawn (no example, no test digit) and update every layer."""
    page.evaluate(
        """strokes => { const e = window.networkExplorer.explorer();
        e.state = { strokes: strokes, digit: null, shift: [0, 0], example: null }; e.update(); }""",
        strokes,
    )


def test_the_explorer_opens_with_a_drawn_digit_and_its_input(explorer, params, weights):
    examples = drawn_examples(weights)
    now = state(explorer)
    assert now["example"] == 0 and not now["empty"]
    assert now["strokes"] == examples[0]["strokes"]
    image = drawing.prepare(examples[0]["strokes"])
    assert now["image"] == image.ravel().tolist()
    assert_layers_equal(page_layers(explorer), numpy_layers(params, image))
    best = int(numpy_layers(params, image)["probabilities"].argmax())
    assert best == examples[0]["label"] and f"says {best}," in explorer.locator(".nx-sentence").inner_text()
    # The input canvas shows the network's input, pixel by pixel, beside the drawing.
    shown = explorer.evaluate("window.networkExplorer.pixels('input')")
    np.testing.assert_array_equal(np.reshape(shown, (784, 4))[:, 0], image.ravel())
    picker = explorer.get_by_label("Drawn digit")
    assert picker.evaluate("s => s.options[s.selectedIndex].text") == examples[0]["name"]
    names = picker.locator("option").all_inner_texts()[1:]
    assert names == [example["name"] for example in examples]
    picker.select_option("4")
    assert state(explorer)["image"] == drawing.prepare(examples[4]["strokes"]).ravel().tolist()


def test_the_first_stroke_replaces_the_example_and_undo_brings_it_back(explorer, weights):
    drag(explorer, [(0.5, 0.5)])
    now = state(explorer)
    assert now["example"] is None and len(now["strokes"]) == 1
    assert now["image"] == drawing.prepare(now["strokes"]).ravel().tolist()
    assert explorer.get_by_label("Drawn digit").input_value() == ""
    explorer.get_by_role("button", name="Undo").click()
    assert state(explorer)["example"] == 0
    assert state(explorer)["strokes"] == drawn_examples(weights)[0]["strokes"]


def test_a_stroke_that_leaves_the_grid_runs_along_its_edge(explorer, params):
    drag(explorer, [(0.5, 0.3), (1.4, 0.3), (1.4, -0.3), (0.2, 0.9)], steps=6)
    now = state(explorer)
    points = np.concatenate([np.asarray(stroke) for stroke in now["strokes"]])
    assert points.min() >= 0 and points.max() <= 28 and (points == 28).any() and (points == 0).any()
    image = drawing.prepare(now["strokes"])
    assert now["image"] == image.ravel().tolist()
    assert_layers_equal(page_layers(explorer), numpy_layers(params, image))


ODD_STROKES = {
    "a dot": [[[3.0, 4.0]]],
    "a line across": [[[0.0, 14.0], [28.0, 14.2]]],
    "a line down": [[[14.0, 0.0], [13.5, 28.0]]],
    "the grid filled": [
        [[float(x), float(y)] for y in range(0, 29, 2) for x in ((0, 28) if y % 4 else (28, 0))]
    ],
    "a scribble": [np.random.default_rng(2).uniform(0, 28, (300, 2)).tolist()],
    "outside and back": [[[5.0, 5.0], [-40.0, 14.0], [60.0, 20.0], [20.0, 25.0]]],
    "far outside": [[[1e6, 1e6], [1e6 + 3, 1e6 + 12]], [[1e6 + 1, 1e6 + 6]]],
    "at ±1e308": [[[-1e308, -1e308], [1e308, 1e308]], [[0.0, 1e308]]],
    "a line at ±1e308": [[[-1e308, 14.0], [1e308, 14.0]]],
    "at ±MAX": [[[-1.7976931348623157e308, 3.0], [1.7976931348623157e308, 9.0]]],
    "random": [np.random.default_rng(9).uniform(-5, 33, (n, 2)).tolist() for n in (1, 2, 7)],
}


def test_the_scaling_and_inking_equal_python_for_odd_strokes(explorer, params):
    """ConvCore.normalise and prepare (scaled and as drawn) against convviz.drawing, bit for bit."""
    found = explorer.evaluate(
        """cases => { const c = window.ConvCore, d = window.NETWORK_EXPLORER_DATA.drawing;
        return cases.map(s => ({ placed: c.normalise(s, d), scaled: Array.from(c.prepare(s, d)),
                                 drawn: Array.from(c.prepare(s, d, false)) })); }""",
        list(ODD_STROKES.values()),
    )
    for (name, strokes), js in zip(ODD_STROKES.items(), found, strict=True):
        for placed, expected in zip(js["placed"], drawing.normalise(strokes), strict=True):
            assert np.asarray(placed).tolist() == expected.tolist(), name
        assert js["scaled"] == drawing.prepare(strokes).ravel().tolist(), name
        assert js["drawn"] == drawing.prepare(strokes, normalised=False).ravel().tolist(), name
    for name, strokes in ODD_STROKES.items():
        set_strokes(explorer, strokes)
        image = drawing.prepare(strokes)
        assert state(explorer)["image"] == image.ravel().tolist(), name
        assert_layers_equal(page_layers(explorer), numpy_layers(params, image))
        text = explorer.locator(".nx").inner_text()
        assert "NaN" not in text and "undefined" not in text and "Infinity" not in text, name


def test_clipping_far_segments_equals_python(explorer):
    rng = np.random.default_rng(4)
    segments = [
        [
            *(rng.uniform(-1, 1, 2) * 10.0 ** rng.integers(0, 309)),
            *(rng.uniform(-1, 1, 2) * 10.0 ** rng.integers(0, 309)),
        ]
        for _ in range(300)
    ]
    found = explorer.evaluate(
        "segments => segments.map(s => window.ConvCore.clipSegment(s[0], s[1], s[2], s[3], -3.25, 31.25))",
        segments,
    )
    for segment, js in zip(segments, found, strict=True):
        expected = drawing.clip_segment(*segment, -3.25, 31.25)
        assert js == (None if expected is None else [float(v) for v in expected]), segment


def test_an_unsure_prediction_names_the_two_likeliest_digits(explorer, params):
    candidates = [d.strokes for d in drawings("dev")] + [
        [[[14.0, 4.0], [14.0, 24.0]], [[6.0, 14.0], [22.0, 14.0]]]
    ]
    for strokes in candidates:
        probabilities = numpy_layers(params, drawing.prepare(strokes))["probabilities"]
        if probabilities.max() < 0.5:
            break
    else:
        pytest.fail("no candidate drawing leaves the network unsure")
    set_strokes(explorer, strokes)
    best, runner_up = np.argsort(probabilities)[::-1][:2]
    sentence = explorer.locator(".nx-sentence").inner_text()
    assert sentence == (
        f"The network is unsure: it says {best}, with probability only {100 * probabilities[best]:.1f} %; "
        f"next comes {runner_up}, with {100 * probabilities[runner_up]:.1f} %."
    )
    assert state(explorer)["unsure"]


# ---------------------------------------------------------------- training randomness and distortions


def test_the_generator_gives_pythons_numbers(explorer):
    for seed in (0, 2027, 4294967295):
        js = explorer.evaluate(
            """seed => { const r = new window.ConvCore.SeededRandom(seed), out = [];
            for (let i = 0; i < 500; i++) out.push(r.nextUint32());
            return { raw: out, uniforms: Array.from(r.uniforms(200)),
                     below: [3, 10, 1438, 2097152].map(n => r.below(n)),
                     order: Array.from(r.permutation(1438)) }; }""",
            seed,
        )
        random = SeededRandom(seed)
        assert js["raw"] == [random.next_uint32() for _ in range(500)]
        assert js["uniforms"] == random.uniforms(200)
        assert js["below"] == [random.below(n) for n in (3, 10, 1438, 2097152)]
        assert js["order"] == random.permutation(1438)
    message = explorer.evaluate(
        "() => { try { new window.ConvCore.SeededRandom(-1); } catch (e) { return e.message; } }"
    )
    assert "seed" in message


def test_the_distortions_give_pythons_pixels_bit_for_bit(explorer, weights):
    images = weights["test_images"][:8] / 255.0
    uniforms = np.array(SeededRandom(31).uniforms(len(images) * COUNT)).reshape(len(images), COUNT)
    uniforms[0] = 0.5  # no distortion at all
    uniforms[1] = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0]  # every range at its end
    expected = distort(images, uniforms)
    js = explorer.evaluate(
        """([images, uniforms, ranges]) => images.map((image, n) =>
            Array.from(window.ConvCore.distort(Float64Array.from(image), 28, uniforms[n], ranges)))""",
        [images.reshape(len(images), -1).tolist(), uniforms.tolist(), RANGES],
    )
    for n, got in enumerate(js):
        assert got == expected[n].ravel().tolist(), n


def test_switching_the_size_normalisation_off_feeds_the_drawing_as_drawn(explorer, params):
    """The 'make the network fail' experiment of part 3: the same strokes, inked where they were drawn."""
    box = explorer.get_by_label("Scale and centre my drawing, as the training digits were")
    assert box.is_checked() and state(explorer)["normalised"] is True
    strokes = state(explorer)["strokes"]
    assert strokes, "the explorer opens with a drawn example"
    box.uncheck()
    now = state(explorer)
    raw = drawing.prepare(strokes, normalised=False)
    assert now["normalised"] is False and now["image"] == raw.ravel().tolist()
    assert not np.array_equal(raw, drawing.prepare(strokes))
    assert_layers_equal(page_layers(explorer), numpy_layers(params, raw))
    assert "as drawn (not scaled or centred)" in explorer.locator(".nx-seen figcaption").inner_text()
    box.check()
    assert state(explorer)["image"] == drawing.prepare(strokes).ravel().tolist()


def outline_by_numpy(image):
    """Pixel edges between ink (at least half the largest value) and no ink or the frame, as segments."""
    inked = np.pad(np.asarray(image).reshape(28, 28) >= np.max(image) / 2, 1)
    across = inked[1:-1, :-1] != inked[1:-1, 1:]  # (r, c): between columns c - 1 and c
    down = inked[:-1, 1:-1] != inked[1:, 1:-1]  # (r, c): between rows r - 1 and r
    segments = {(c, r, c, r + 1) for r, c in zip(*np.nonzero(across))}
    return segments | {(c, r, c + 1, r) for r, c in zip(*np.nonzero(down))}


def test_the_attribution_maps_carry_the_digits_outline(explorer):
    pick(explorer, 7)
    explorer.get_by_label("Show where the network looks (attribution maps)").check()
    image = state(explorer)["image"]
    segments = evaluate_as_json(
        explorer, "() => window.ConvCore.outlineSegments(window.networkExplorer.explorer().image, 28)"
    )
    expected = outline_by_numpy(image)
    assert len(expected) > 40 and {tuple(s) for s in segments} == expected
    # Drawn on the saliency map: beside each edge's middle a pixel of the outline's cyan, which no
    # gray level of the map can be (its red, green and blue are equal).
    shown = evaluate_as_json(
        explorer,
        """() => { const c = window.networkExplorer.explorer().pictures.saliency.canvas;
                   return {width: c.width, data: Array.from(c.getContext('2d').getImageData(0, 0, c.width,
                           c.height).data)}; }""",
    )
    width, rgba = shown["width"], np.array(shown["data"]).reshape(shown["width"], shown["width"], 4)
    scale = width / 28
    for x0, y0, x1, y1 in expected:
        x, y = (x0 + x1) / 2 * scale, (y0 + y1) / 2 * scale
        near = rgba[max(int(y) - 1, 0) : int(y) + 2, max(int(x) - 1, 0) : int(x) + 2, :3].astype(int)
        assert (near[..., 2] - near[..., 0] > 100).any(), (x0, y0, x1, y1)
    assert "outline" in explorer.locator(".nx-attribution-text").inner_text()
