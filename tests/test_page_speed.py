"""What a page loads before its first paint (docs/_ext/page_speed.py and stylesheets.py)."""

import pytest
from bs4 import BeautifulSoup
from support.pages import READER_PAGES as PAGES


@pytest.mark.parametrize("path", PAGES)
def test_only_one_style_sheet_and_the_options_script_hold_back_the_first_paint(site, path):
    head = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser").head
    blocking = [
        tag["src"].split("?")[0]
        for tag in head.select("script[src]")
        if not tag.has_attr("defer") and not tag.has_attr("async")
    ]
    assert [src.rsplit("/", 1)[-1] for src in blocking] == ["documentation_options.js"]
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
