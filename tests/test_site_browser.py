"""The built site in a real browser: images, dropdowns, downloads, search, requests, accessibility."""

from urllib.parse import urlsplit

import pytest
from conftest import HTML

pytestmark = pytest.mark.browser

PAGES = [
    "index.html",
    "module_9_2_2/index.html",
    "module_9_2_2/inside_a_conv_layer.html",
    "auto_examples/index.html",
]
SCREENSHOTS = HTML.parent / "screenshots"


@pytest.fixture
def visit(page, server):
    """Open a page; collect console errors, uncaught exceptions and every request's host."""
    seen = {"errors": [], "hosts": set()}
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    page.on("console", lambda message: message.type == "error" and seen["errors"].append(message.text))
    page.on("request", lambda request: seen["hosts"].add(urlsplit(request.url).hostname))

    def go(path):
        page.goto(server + path, wait_until="load")
        return page

    go.seen = seen
    return go


@pytest.mark.parametrize("path", PAGES)
def test_every_image_loads(visit, path):
    page = visit(path)
    # Figures below the fold load lazily: ask for all of them now.
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=15_000)
    page.wait_for_load_state("networkidle")
    broken = page.evaluate(
        "() => Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert page.locator("img").count() > 0 or path == "index.html"
    assert broken == []
    assert visit.seen["errors"] == []


@pytest.mark.parametrize("path", ["module_9_2_2/index.html", "module_9_2_2/inside_a_conv_layer.html"])
def test_every_dropdown_opens_and_closes(visit, path):
    page = visit(path)
    dropdowns = page.locator("details.sd-dropdown")
    assert dropdowns.count() >= 4
    for i in range(dropdowns.count()):
        details = dropdowns.nth(i)
        summary = details.locator("summary").first
        assert details.get_attribute("open") is None
        summary.scroll_into_view_if_needed()
        summary.click()
        assert details.get_attribute("open") is not None
        assert details.locator(".sd-summary-content").first.is_visible()
        summary.click()
        assert details.get_attribute("open") is None


@pytest.mark.parametrize(
    "path",
    [
        "module_9_2_2/index.html",
        "module_9_2_2/inside_a_conv_layer.html",
        "auto_examples/part1_filters/plot_01_edge_detection.html",
    ],
)
def test_every_download_link_answers_200(visit, path):
    page = visit(path)
    hrefs = page.eval_on_selector_all("a.reference.download", "links => links.map(a => a.href)")
    assert hrefs
    for href in set(hrefs):
        response = page.request.get(href)
        assert response.status == 200, href
        assert len(response.body()) > 100, href


def test_code_blocks_have_copy_buttons(visit):
    page = visit("module_9_2_2/index.html")
    blocks = page.locator("div.highlight").count()
    assert blocks > 5
    assert page.locator("button.copybtn").count() == blocks


def test_search_finds_sobel(visit):
    page = visit("search.html?q=Sobel")
    page.wait_for_selector("#search-results li", timeout=15_000)
    results = page.locator("#search-results li a").all_inner_texts()
    assert any("9.2.2" in text for text in results), results


def test_module_page_stays_on_this_host_and_logs_no_error(visit):
    page = visit("module_9_2_2/index.html")
    page.wait_for_load_state("networkidle")
    assert visit.seen["hosts"] == {"127.0.0.1"}
    assert visit.seen["errors"] == []


@pytest.mark.parametrize(("mode", "width"), [("light", 1280), ("dark", 1280), ("light", 375)])
@pytest.mark.parametrize("path", PAGES)
def test_no_serious_accessibility_violations(page, visit, path, mode, width):
    """axe-core finds nothing serious: light and dark theme (contrast included), wide and narrow."""
    from axe_playwright_python.sync_playwright import Axe

    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=mode)
    page.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
    page = visit(path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.dataset.theme") == mode
    # Every rule axe runs by default, and label-in-name, still marked experimental in this axe.
    options = {"resultTypes": ["violations"], "rules": {"label-content-name-mismatch": {"enabled": True}}}
    results = Axe().run(page, options=options)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    details = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:120]})" for v in serious
    ]
    assert not serious, "\n".join(details)


@pytest.mark.parametrize(("mode", "width"), [("light", 1280), ("dark", 1280), ("light", 375), ("dark", 375)])
def test_explorer_screenshots_light_dark_and_narrow(browser, server, mode, width):
    """Writes _build/screenshots/explorer-<mode>-<width>.png for a person to look at."""
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=mode)
    page = context.new_page()
    page.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")
    page.goto(server + "module_9_2_2/index.html")
    page.wait_for_function("window.convExplorer && window.convExplorer.lastOutput()")
    assert page.evaluate("document.documentElement.dataset.theme") == mode
    explorer = page.locator("[data-conv-explorer]")
    explorer.scroll_into_view_if_needed()
    box = explorer.bounding_box()
    assert box["width"] <= width, "the explorer is wider than the screen"
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    page.add_style_tag(content=".bd-header, .skip-link { display: none !important; }")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    explorer.screenshot(path=str(SCREENSHOTS / f"explorer-{mode}-{width}.png"))
    # Text and fields keep their contrast in either theme.
    colors = page.evaluate(
        """() => { const f = document.querySelector('.cx input[type=text]');
                   const s = getComputedStyle(f); return [s.color, s.backgroundColor]; }"""
    )
    assert colors[0] != colors[1]
    context.close()
