"""What a page loads before its first paint (docs/_ext/page_speed.py and stylesheets.py)."""

from pathlib import Path

import pydata_sphinx_theme
import pytest
from bs4 import BeautifulSoup
from support.pages import READER_PAGES as PAGES

THEME_STATIC = (
    Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static" / "scripts"
)


@pytest.mark.parametrize("path", PAGES)
def test_only_one_style_sheet_holds_back_the_first_paint(site, path):
    head = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser").head
    blocking = [
        tag["src"].split("?")[0]
        for tag in head.select("script[src]")
        if not tag.has_attr("defer") and not tag.has_attr("async")
    ]
    assert blocking == []
    # Sphinx's settings script is written into the page, exactly as Sphinx wrote the file.
    options = head.select('script[data-inlined="documentation_options.js"]')
    assert len(options) == 1 and not head.select('script[src*="documentation_options"]')
    written = (site / "_static" / "documentation_options.js").read_text(encoding="utf-8")
    assert options[0].string.strip() == written.strip()
    assert len(head.select('link[rel="stylesheet"]')) == 1
    assert head.select('link[rel="preload"][as="script"]') == []
    for name in ("searchtools", "searchindex", "fontawesome"):
        assert not head.select(f'script[src*="{name}"]'), name


@pytest.mark.parametrize("path", PAGES)
def test_every_image_has_its_size_and_all_but_the_first_load_lazily(site, path):
    images = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser").select("img")
    for number, image in enumerate(images):
        assert image.get("width") and image.get("height"), image.get("src")
        assert (image.get("loading") == "lazy") == (number > 0), image.get("src")


#: Every change of <html data-theme> to another value once <body> exists (the page is styled by then).
WATCH_THEME = """
window.__themeChanges = [];
new MutationObserver((records) => {
  for (const record of records) {
    const now = document.documentElement.dataset.theme;
    if (document.body && record.oldValue !== now) window.__themeChanges.push(`${record.oldValue} -> ${now}`);
  }
}).observe(document, {  // the <html> element does not exist yet when this runs
  subtree: true, attributes: true, attributeOldValue: true, attributeFilter: ['data-theme'],
});
"""


@pytest.mark.browser
@pytest.mark.parametrize(
    ("stored_mode", "scheme", "theme"),
    [(None, "dark", "dark"), (None, "light", "light"), ("light", "dark", "light"), ("dark", "light", "dark")],
)
def test_theme_is_resolved_before_the_body_so_the_page_is_styled_once(
    browser, server, stored_mode, scheme, theme
):
    """The theme's script sets data-theme after the page is parsed; it must find the value already there."""
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    if stored_mode:
        page.add_init_script(f"localStorage.setItem('mode', '{stored_mode}')")
    page.add_init_script(WATCH_THEME)
    try:
        page.goto(server + "module_9_2_2/index.html")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.dataset.theme") == theme
        changes = page.evaluate("window.__themeChanges")
    finally:
        context.close()
    assert changes == [], f"data-theme changed after the page was parsed: {changes}"


def test_the_theme_script_no_longer_measures_every_code_block(site):
    script = (site / "_static" / "scripts" / "pydata-sphinx-theme.js").read_text(encoding="utf-8")
    original = (THEME_STATIC / "pydata-sphinx-theme.js").read_text(encoding="utf-8")
    assert '[      ".nboutput > .output_area"' in script  # the query is still there, for tables
    assert '["pre",' not in script
    assert len(script) == len(original)  # blanks for "pre": its source map still points right


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", ["module_9_2_2/index.html", "module_9_2_2/inside_a_conv_layer.html"])
def test_no_code_block_scrolls_so_none_needs_the_tab_stop_the_theme_gave(browser, server, path, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    try:
        page.goto(server + path)
        page.wait_for_load_state("load")
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        blocks = page.evaluate(
            """() => [...document.querySelectorAll('pre')].map((p) => [
                   p.scrollWidth - p.clientWidth, p.scrollHeight - p.clientHeight,
                   p.hasAttribute('tabindex')])"""
        )
    finally:
        context.close()
    assert len(blocks) >= 10
    assert [b for b in blocks if b[0] > 1 or b[1] > 1] == [], "a code block scrolls: it needs a tab stop"
    assert not any(b[2] for b in blocks)
