"""The explorers against what learners and damaged files do (issue 23 S1, S3, S4, S6), in Chromium.

Two fingers drawing at once, a kernel typed with the Unicode minus, data files damaged in the
ways a cut-off download or a hand edit damages them, the page before the explorer has built
itself (with and without JavaScript), and a browser that lacks pointer events.
"""

import base64
import json
import re

import numpy as np
import pytest

from convviz import KERNELS, correlate2d, drawing
from coursesite.paths import HTML_DIR

pytestmark = pytest.mark.browser

NETWORK_PAGE = "module_9_2_2/trained_network.html"
CONV_PAGE = "module_9_2_2/index.html"
NETWORK_READY = (
    "window.networkExplorer && (window.networkExplorer.ready() || window.networkExplorer.failure())"
)


def collect_errors(page):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return errors


def built_data(name):
    """The data a built data script (window.X = {...};) sets, as a dict."""
    text = (HTML_DIR / "_static" / "explorer" / name).read_text()
    return json.loads(text[text.index("=") + 1 :].strip().rstrip(";"))


def serve_data(page, name, variable, data):
    """Answer the page's request for the data script name with data (a dict) instead."""
    body = f"window.{variable} = {json.dumps(data)};"
    page.route(
        re.compile(rf".*/_static/explorer/{re.escape(name)}(\?.*)?$"),
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=body),
    )


def with_weight(data, name, index, value):
    weights = np.frombuffer(base64.b64decode(data["params"][name]["data"]), dtype="<f8").copy()
    weights[index] = value
    data["params"][name]["data"] = base64.b64encode(weights.tobytes()).decode()
    return data


def with_photo_pixels(data, pixels):
    data["images"]["photo"]["pixels"] = pixels
    return data


# ---------------------------------------------------------------- S1: one stroke per finger


def test_two_fingers_draw_two_strokes(browser, server):
    """Two touch points moving at once (real multi-touch through the DevTools protocol)."""
    context = browser.new_context(viewport={"width": 375, "height": 800}, has_touch=True, is_mobile=True)
    page = context.new_page()
    errors = collect_errors(page)
    page.goto(server + NETWORK_PAGE)
    page.wait_for_function(NETWORK_READY)
    grid = page.locator("canvas.nx-grid")
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    cdp = context.new_cdp_session(page)

    def at(x, y):  # grid cells -> page pixels
        return box["x"] + x * box["width"] / 28, box["y"] + y * box["height"] / 28

    def touch(kind, points):
        touches = [{"x": at(*p)[0], "y": at(*p)[1], "id": i} for i, p in enumerate(points)]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": touches})

    left = [(6.0, 4.0 + 2 * i) for i in range(9)]  # one finger down the left side
    right = [(22.0, 24.0 - 2 * i) for i in range(9)]  # the other up the right side
    touch("touchStart", [left[0], right[0]])
    for a, b in zip(left[1:], right[1:], strict=True):
        touch("touchMove", [a, b])
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_function("window.networkExplorer.state().strokes.length === 2")
    state = page.evaluate("window.networkExplorer.state()")
    for stroke in state["strokes"]:
        xs = np.array(stroke)[:, 0]
        assert np.ptp(xs) < 1, stroke  # each stroke stays with its finger: no zig-zag between them
    firsts = sorted(np.array(stroke)[0].round(1).tolist() for stroke in state["strokes"])
    assert np.allclose(firsts, sorted([list(left[0]), list(right[0])]), atol=0.2)
    assert state["image"] == drawing.prepare(state["strokes"]).ravel().tolist()
    context.close()
    assert errors == []


# ---------------------------------------------------------------- S3: the Unicode minus


def test_the_convolution_explorer_reads_the_unicode_minus_and_a_decimal_comma(page, server):
    errors = collect_errors(page)
    page.goto(server + CONV_PAGE)
    page.wait_for_function("window.convExplorer && window.convExplorer.lastOutput()")
    typed = {(0, 0): "\u22121", (1, 1): "0,5", (2, 2): "\u2212 1/4"}
    for (r, c), text in typed.items():
        page.get_by_label(f"Kernel row {r}, column {c}").fill(text)
    kernel = KERNELS["sobel_x"].copy()
    kernel[0, 0], kernel[1, 1], kernel[2, 2] = -1, 0.5, -0.25
    out = page.evaluate("window.convExplorer.lastOutput()")
    assert out["kernel"] == kernel.ravel().tolist()
    image = np.array(page.evaluate("window.convExplorer.input('shapes')")["values"]).reshape(256, 256)
    values = np.array(out["values"]).reshape(out["height"], out["width"])
    np.testing.assert_allclose(values, correlate2d(image, kernel), atol=1e-9)
    assert page.locator(".cx-message").inner_text() == ""
    assert page.locator(".cx [aria-invalid]").count() == 0
    assert errors == []


# ---------------------------------------------------------------- S4: damaged data files

#: explorer -> (its page, data file, variable, what says it is done, {damage: (change, words in the message)})
DAMAGED = {
    "network": (
        NETWORK_PAGE,
        "network_data.js",
        "NETWORK_EXPLORER_DATA",
        NETWORK_READY,
        {
            "a weight of 1e300": (lambda d: with_weight(d, "W3", 0, 1e300), "params.W3 holds 1e+300"),
            "drawing.block = 0": (lambda d: {**d, "drawing": {**d["drawing"], "block": 0}}, "drawing.block"),
            "no drawn examples": (lambda d: {**d, "examples": []}, "examples holds no drawn digit"),
            "labels cut short": (
                lambda d: {**d, "digits": {**d["digits"], "labels": d["digits"]["labels"][:-5]}},
                "digits.counts holds",
            ),
        },
    ),
    "convolution": (
        CONV_PAGE,
        "data.js",
        "CONV_EXPLORER_DATA",
        "window.convExplorer && window.convExplorer.failure()",
        {
            "photo pixels cut short": (lambda d: with_photo_pixels(d, "AAAA"), "images.photo has 3 pixels"),
            "no presets": (lambda d: {**d, "presets": []}, "presets holds no kernel"),
            "a preset of NaN": (
                lambda d: {**d, "presets": [{**d["presets"][0], "values": [None] * 9}, *d["presets"][1:]]},
                "presets[0].values[0]",
            ),
        },
    ),
}
CASES = [(explorer, damage) for explorer, entry in DAMAGED.items() for damage in entry[-1]]


@pytest.mark.parametrize(("explorer", "damage"), CASES, ids=[f"{e}: {d}" for e, d in CASES])
def test_a_damaged_data_file_shows_one_message_naming_the_problem(page, server, explorer, damage):
    path, data_file, variable, done, damages = DAMAGED[explorer]
    change, words = damages[damage]
    errors = collect_errors(page)
    serve_data(page, data_file, variable, change(built_data(data_file)))
    page.goto(server + path)
    page.wait_for_function(done)
    root = page.locator(f"[data-{'conv' if explorer == 'convolution' else 'network'}-explorer]")
    message = root.locator(".explorer-problem")
    assert message.count() == 1 and message.is_visible()
    assert words in message.inner_text() and "could not load its data file" in message.inner_text()
    text = root.inner_text()
    for wrong in ("%", "NaN", "needs JavaScript", "loading"):
        assert wrong not in text
    assert root.locator("canvas").count() == 0
    assert errors == []


# ---------------------------------------------------------------- S6: before the explorer is built


def test_before_it_is_built_the_explorer_says_it_is_loading_not_that_javascript_is_off(page, server):
    """The data file is held back: the reader sees the loading note until the explorer stands."""
    held = []
    page.route(re.compile(r".*/_static/explorer/network_data\.js(\?.*)?$"), lambda route: held.append(route))
    page.goto(server + NETWORK_PAGE, wait_until="domcontentloaded")  # the page's load waits for the data
    root = page.locator("[data-network-explorer]")
    root.scroll_into_view_if_needed()
    page.wait_for_function("window.networkExplorer !== undefined")  # every script has run
    assert root.locator(".explorer-loading").is_visible()
    assert root.inner_text().strip() == "The network explorer is loading…"
    assert "needs JavaScript" not in root.inner_text()
    page.wait_for_timeout(300)
    assert held, "the explorer never asked for its data file"
    held[0].fallback()
    page.wait_for_function("window.networkExplorer.ready()")
    assert root.locator(".explorer-loading").count() == 0 and root.locator("canvas.nx-grid").is_visible()


@pytest.mark.parametrize("path", [NETWORK_PAGE, CONV_PAGE])
def test_without_javascript_the_explorer_says_it_needs_it(browser, server, path):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(server + path)
    root = page.locator("[data-network-explorer], [data-conv-explorer]").first
    root.scroll_into_view_if_needed()
    assert "needs JavaScript, which is turned off" in root.inner_text()
    assert "loading" not in root.inner_text()
    context.close()


# ---------------------------------------------------------------- a browser that lacks something


def test_a_browser_without_pointer_events_is_told_what_still_works(page, server):
    page.add_init_script("delete window.PointerEvent;")
    page.goto(server + NETWORK_PAGE)
    page.wait_for_function(NETWORK_READY)
    note = page.locator("[data-network-explorer] .explorer-note")
    assert note.count() == 1 and note.is_visible()
    assert "lacks pointer events" in note.inner_text() and "keyboard" in note.inner_text()


@pytest.mark.parametrize("path", [NETWORK_PAGE, CONV_PAGE])
def test_a_browser_with_everything_gets_no_note(page, server, path):
    page.goto(server + path)
    page.wait_for_function(
        "(window.networkExplorer && window.networkExplorer.ready()) || "
        "(window.convExplorer && window.convExplorer.lastOutput())"
    )
    assert page.locator(".explorer-note").count() == 0
