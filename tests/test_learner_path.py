"""What a learner sees while using the pages, in Chromium at 1280 and 375 px (issue 25).

The network explorer keeps cause and effect on one screen: after a stroke or a click on a
unit, the drawing, the prediction, the attribution maps and the explanation of the unit are
within the viewport (below the page's sticky header). The "On this page" list marks the section
being read, the Back-to-top button never covers an explorer, and display formulas fit or
scroll on a phone instead of being cut off.
"""

import pytest

pytestmark = pytest.mark.browser

PART1 = "module_9_2_2/index.html"
PART3 = "module_9_2_2/trained_network.html"
READY = "window.networkExplorer && (window.networkExplorer.ready() || window.networkExplorer.failure())"
MAP_SIZE = {"conv1 after ReLU": 28, "conv1 pooled": 14, "conv2 after ReLU": 14, "conv2 pooled": 7}
LAYER = {
    "conv1 after ReLU": "conv1",
    "conv1 pooled": "pool1",
    "conv2 after ReLU": "conv2",
    "conv2 pooled": "pool2",
}

#: (left, top, right, bottom) of the part of the window the page's sticky header leaves free.
FREE = """() => { const h = document.querySelector('.bd-header').getBoundingClientRect();
  return [0, Math.max(0, h.bottom), window.innerWidth, window.innerHeight]; }"""


def open_page(browser, server, path, width, mode="light", touch=False):
    height = 800 if width > 500 else 740
    context = browser.new_context(
        viewport={"width": width, "height": height}, color_scheme=mode, has_touch=touch, is_mobile=touch
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
    page.goto(server + path)
    return context, page, errors


def rect(page, selector):
    box = page.locator(selector).first.bounding_box()
    return box["x"], box["y"], box["x"] + box["width"], box["y"] + box["height"]


def inside(page, selector, head_only=0):
    """Whether the element lies within the free part of the window (its first head_only px, if given)."""
    left, top, right, bottom = page.evaluate(FREE)
    x0, y0, x1, y1 = rect(page, selector)
    if head_only:
        y1 = min(y1, y0 + head_only)
    return x0 >= left - 1 and x1 <= right + 1 and y0 >= top - 1 and y1 <= bottom + 1


def settle(page):
    """Wait until smooth scrolling has stopped (two frames without a change of position)."""
    page.wait_for_function(
        """() => new Promise(done => { let last = -1, still = 0;
             const look = () => { still = window.scrollY === last ? still + 1 : 0; last = window.scrollY;
               if (still >= 3) done(true); else requestAnimationFrame(look); }; look(); })"""
    )


def bring_explorer_up(page):
    """Scroll as a reader does who has come to the explorer: its top just below the header."""
    page.locator("[data-network-explorer]").scroll_into_view_if_needed()
    top = page.evaluate("document.querySelector('[data-network-explorer]').getBoundingClientRect().top")
    page.evaluate("y => window.scrollBy(0, y)", top - page.evaluate(FREE)[1] - 8)
    settle(page)


def click_unit(page, layer, channel, row, col):
    canvas = page.get_by_label(f"{layer}, map {channel + 1}:", exact=False).first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    size = MAP_SIZE[layer]
    page.mouse.click(
        box["x"] + (col + 0.5) * box["width"] / size, box["y"] + (row + 0.5) * box["height"] / size
    )
    settle(page)
    return canvas


def draw_a_stroke(page):
    bring_explorer_up(page)
    box = page.locator("canvas.nx-grid").bounding_box()
    points = [(8, 6), (18, 6), (18, 14), (10, 22), (19, 22)]
    page.mouse.move(box["x"] + points[0][0] * box["width"] / 28, box["y"] + points[0][1] * box["height"] / 28)
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x * box["width"] / 28, box["y"] + y * box["height"] / 28, steps=3)
    page.mouse.up()
    page.wait_for_function("window.networkExplorer.state().strokes.length === 1")


# ---------------------------------------------------------------- the network explorer


@pytest.mark.parametrize(
    ("layer", "channel", "row", "col"),
    [("conv1 after ReLU", 0, 14, 14), ("conv2 after ReLU", 6, 7, 3), ("conv2 pooled", 7, 3, 3)],
)
def test_at_1280_a_clicked_unit_its_explanation_the_prediction_and_the_maps_share_the_screen(
    browser, server, layer, channel, row, col
):
    context, page, errors = open_page(browser, server, PART3, 1280)
    page.wait_for_function(READY)
    page.get_by_label("Test digit").select_option("5")
    page.get_by_label("Show where the network looks (attribution maps)").check()
    bring_explorer_up(page)
    canvas = click_unit(page, layer, channel, row, col)
    title = page.locator(".nx-explain .nx-title").inner_text()
    assert title == f"{LAYER[layer]}, map {channel + 1}, row {row}, column {col}"
    assert inside(page, ".nx-explain"), "the explanation is not (all) on the screen"
    assert inside(page, "canvas.nx-grid"), "the drawing grid is not on the screen"
    assert inside(page, ".nx-bar.nx-predicted"), "the prediction is not on the screen"
    assert inside(page, "canvas[aria-label^='saliency']") and inside(page, "canvas[aria-label^='occlusion']")
    assert canvas.evaluate("c => c.parentNode.classList.contains('nx-chosen')")
    assert page.locator(".nx-figure.nx-chosen").count() == 1
    # The explorer uses the width beside the text column: wider than the article's text.
    paragraph = page.locator("section:has(> [data-network-explorer]) > p").first.bounding_box()
    assert page.locator("[data-network-explorer]").bounding_box()["width"] > paragraph["width"] + 150
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    context.close()
    assert errors == []


def test_at_1280_a_stroke_leaves_drawing_prediction_and_maps_on_the_screen(browser, server):
    context, page, errors = open_page(browser, server, PART3, 1280)
    page.wait_for_function(READY)
    page.get_by_label("Show where the network looks (attribution maps)").check()
    draw_a_stroke(page)
    page.wait_for_function("window.networkExplorer.attribution() !== null")
    for selector in (
        "canvas.nx-grid",
        ".nx-bar.nx-predicted",
        ".nx-sentence",
        "canvas[aria-label^='saliency']",
        "canvas[aria-label^='occlusion']",
        ".nx-explain",
    ):
        assert inside(page, selector), selector
    context.close()
    assert errors == []


def test_on_a_phone_the_prediction_follows_the_drawing_and_a_unit_brings_its_explanation(browser, server):
    context, page, errors = open_page(browser, server, PART3, 375, touch=True)
    page.wait_for_function(READY)
    grid = page.locator("canvas.nx-grid")
    grid.scroll_into_view_if_needed()
    page.evaluate("y => window.scrollBy(0, y)", grid.bounding_box()["y"] - page.evaluate(FREE)[1] - 30)
    settle(page)
    box = grid.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("window.networkExplorer.state().strokes.length === 1")
    assert inside(page, "canvas.nx-grid")
    assert inside(page, ".nx-bar.nx-predicted"), "the prediction is below the screen while drawing"
    for layer, channel, row, col in [("conv1 after ReLU", 2, 10, 10), ("conv2 pooled", 0, 2, 2)]:
        click_unit(page, layer, channel, row, col)
        assert inside(page, ".nx-explain", head_only=120), (
            f"asking {layer} left its explanation off the screen"
        )
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    context.close()
    assert errors == []


# ---------------------------------------------------------------- page furniture


#: The Back-to-top button's box and the explorer's, read in one go; None while the button is not shown.
COVERED = """selector => { const b = document.getElementById('pst-back-to-top');
  if (!b || getComputedStyle(b).display === 'none' || !b.getClientRects().length) return null;
  const r = b.getBoundingClientRect(), e = document.querySelector(selector).getBoundingClientRect();
  return [[r.left, r.top, r.right, r.bottom], [e.left, e.top, e.right, e.bottom]]; }"""


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize(
    ("path", "explorer"), [(PART1, "[data-conv-explorer]"), (PART3, "[data-network-explorer]")]
)
def test_the_back_to_top_button_never_covers_an_explorer(browser, server, width, path, explorer):
    context, page, errors = open_page(browser, server, path, width)
    target = page.locator(explorer)
    target.scroll_into_view_if_needed()
    page.evaluate("window.scrollBy(0, 1500)")
    shown = 0
    for _ in range(14):
        page.evaluate("window.scrollBy(0, -250)")  # scrolling up is what shows the button
        settle(page)
        both = page.evaluate(COVERED, explorer)
        if both is None:
            continue  # the button is not shown
        shown += 1
        (bx0, by0, bx1, by1), (ex0, ey0, ex1, ey1) = both
        apart = bx1 <= ex0 or ex1 <= bx0 or by1 <= ey0 or ey1 <= by0
        assert apart, f"Back to top covers the explorer at scroll position {page.evaluate('window.scrollY')}"
    assert shown, "the button never showed: the test saw nothing"
    context.close()
    assert errors == []


HEADING_TOP = """id => { const section = document.getElementById(id);
  const heading = section.querySelector('h1, h2, h3, h4') || section;
  return heading.getBoundingClientRect().top + window.scrollY; }"""


def marked(page):
    settle(page)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.bd-sidebar-secondary a.active')).map(a => a.hash)"
    )


@pytest.mark.parametrize("path", [PART1, PART3])
def test_on_this_page_marks_the_section_being_read(browser, server, path):
    """Jumped to a section (its heading a little below the header), or into the middle of a long
    one (its heading scrolled away above, the next one not yet on the screen), in document order
    and back, the list marks that section and only it. The theme's marker, which waits for a
    heading to cross the top of the screen, kept an old mark after such jumps."""
    context, page, errors = open_page(browser, server, path, 1280)
    hashes = page.evaluate(
        "() => Array.from(document.querySelectorAll('.bd-sidebar-secondary nav a')).map(a => a.hash)"
    )
    assert len(hashes) >= 6
    header = page.evaluate(FREE)[1]
    height = page.evaluate("window.innerHeight")
    # The explorers built, as when read (building them moves the headings after them).
    page.wait_for_function(
        "(window.convExplorer ? window.convExplorer.lastOutput() : true) && "
        "(window.networkExplorer ? window.networkExplorer.ready() : true)"
    )
    checked = 0
    tops = [page.evaluate(HEADING_TOP, anchor[1:]) for anchor in hashes]
    ends = tops[1:] + [page.evaluate("document.documentElement.scrollHeight")]
    at_heading = [(anchor, top - header - 40) for anchor, top in zip(hashes, tops)]
    # In the middle of a long section: its heading above the screen, the next one below it.
    inside = [(a, t - header + 300) for a, t, e in zip(hashes, tops, ends) if e - t > 300 + height]
    assert len(inside) >= 2
    for visits in (at_heading, at_heading[::-1], inside, inside[::-1]):
        for anchor, place in visits:
            if ends[hashes.index(anchor)] - place - header < 200:
                continue  # a heading with the next one right under it: no text of its own to read
            page.evaluate("y => window.scrollTo(0, y)", place)
            if page.evaluate(
                "window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2"
            ):
                continue  # the page ends before this heading can reach the top
            assert marked(page) == [anchor], f"reading {anchor} at {place}"
            checked += 1
    assert checked >= 8
    context.close()
    assert errors == []


def test_formulas_fit_or_scroll_on_a_phone(browser, server):
    context, page, errors = open_page(browser, server, PART1, 375)
    for path in (PART1, "module_9_2_2/inside_a_conv_layer.html", PART3):
        page.goto(server + path)
        boxes = page.evaluate(
            """() => Array.from(document.querySelectorAll('div.math')).map(d => {
                 const a = d.getBoundingClientRect(), b = d.querySelector('math').getBoundingClientRect();
                 return {left: a.left, right: a.right, mathLeft: b.left, mathRight: b.right,
                         scroll: d.scrollWidth - d.clientWidth,
                         overflow: getComputedStyle(d).overflowX}; })"""
        )
        assert boxes, path
        for box in boxes:
            assert box["mathLeft"] >= box["left"] - 0.5, f"a formula is cut off on the left on {path}"
            if box["mathRight"] > box["right"] + 0.5:
                assert box["overflow"] in ("auto", "scroll") and box["scroll"] > 0, (
                    f"a formula is cut off on {path}"
                )
    context.close()
    assert errors == []
