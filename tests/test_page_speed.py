"""What a page loads before its first paint, and how: docs/_templates/, docs/_ext/page_speed.py,
html_translator.py and stylesheets.py."""

import importlib.util
import re
import sys
from pathlib import Path

import pydata_sphinx_theme
import pytest
from bs4 import BeautifulSoup
from docutils import nodes
from docutils.utils import new_document
from PIL import Image
from sphinx.errors import ExtensionError
from support.pages import READER_PAGES as PAGES

from coursesite.paths import DOCS_DIR

THEME = Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme"
THEME_STATIC = THEME / "static" / "scripts"

sys.path.insert(0, str(DOCS_DIR / "_ext"))  # html_translator imports page_speed, as in the build
SPEC = importlib.util.spec_from_file_location("page_speed", DOCS_DIR / "_ext" / "page_speed.py")
page_speed = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(page_speed)
html_translator = importlib.import_module("html_translator")


def built_pages(site):
    """Every page of the built site, as a path relative to it."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "_static" not in p.parts)


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
    # The layout links basic.css itself, not the theme's sheet that imports it.
    assert head.select_one("link[data-joins]")["data-joins"].startswith(
        "basic.css styles/pydata-sphinx-theme.css"
    )
    assert head.select('link[rel="preload"][as="script"]') == []
    for name in ("searchtools", "searchindex", "fontawesome"):
        assert not head.select(f'script[src*="{name}"]'), name


def test_every_image_has_its_size_and_all_but_the_first_load_lazily(site):
    """On every page, the gallery's included: a raster's width and height are its file's (read by Pillow)."""
    pages, checked = built_pages(site), 0
    assert len(pages) >= 30
    for path in pages:
        images = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser").select("img")
        for number, image in enumerate(images):
            where = f"{path}: {image.get('src')}"
            assert image.get("width") and image.get("height"), where
            assert (image.get("loading") == "lazy") == (number > 0), where
            file = (site / path).parent / image["src"]
            if file.suffix != ".svg":
                with Image.open(file) as opened:
                    assert (int(image["width"]), int(image["height"])) == opened.size, where
            checked += 1
    assert checked >= 100


#: Every image's shown width / height and its file's, once all have loaded, on a page at a width.
SHAPES = """() => [...document.images].map((i) => {
  const box = i.getBoundingClientRect();
  return [i.getAttribute('src'), box.width / box.height, i.naturalWidth / i.naturalHeight];
})"""


#: The widths the shapes are measured at: a phone and a laptop.
SHAPE_WIDTHS = (375, 1280)


@pytest.mark.browser
def test_every_image_keeps_its_shape(browser, server, site):
    """Sized images must not be squeezed: width and height attributes set a height CSS may not undo.
    Each page loads once; its images are measured at each width of SHAPE_WIDTHS in turn."""
    context = browser.new_context(viewport={"width": SHAPE_WIDTHS[0], "height": 900})
    page = context.new_page()
    squeezed, measured = [], dict.fromkeys(SHAPE_WIDTHS, 0)
    try:
        for path in built_pages(site):
            if "<img" not in (site / path).read_text(encoding="utf-8"):
                continue
            page.set_viewport_size({"width": SHAPE_WIDTHS[0], "height": 900})
            page.goto(server + path, wait_until="domcontentloaded")
            page.evaluate(
                "document.querySelectorAll('img[loading=lazy]').forEach(i => { i.loading = 'eager'; })"
            )
            page.wait_for_function("Array.from(document.images).every(i => i.complete)", timeout=15_000)
            for width in SHAPE_WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                assert page.evaluate("window.innerWidth") == width
                for source, shown, natural in page.evaluate(SHAPES):
                    measured[width] += 1
                    if abs(shown / natural - 1) > 0.02:
                        squeezed.append(
                            f"{path} at {width} px: {source} shown {shown:.2f}, file {natural:.2f}"
                        )
    finally:
        context.close()
    assert min(measured.values()) >= 100
    assert squeezed == []


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


def test_the_theme_sheet_the_layout_leaves_out_only_imports_basic_css():
    """docs/_templates/layout.html links basic.css in place of the theme's theme.css: nothing else is lost."""
    text = (THEME / "static" / "styles" / "theme.css").read_text(encoding="utf-8")
    rules = re.sub(r"/\*.*?\*/", "", text, flags=re.S).split()
    assert rules == ["@import", '"../basic.css";']


def test_the_theme_script_patch_stops_the_build_in_one_line_when_the_theme_changes(tmp_path):
    script = tmp_path / page_speed.THEME_SCRIPT
    script.parent.mkdir(parents=True)
    original = (THEME_STATIC / "pydata-sphinx-theme.js").read_text(encoding="utf-8")
    script.write_text(original.replace('["pre",', '["pre", '), encoding="utf-8")
    with pytest.raises(ExtensionError) as raised:
        page_speed.tab_stops_without_pre(tmp_path)
    assert len(str(raised.value).splitlines()) == 1
    assert page_speed.THEME_SCRIPT.name in str(raised.value)


def test_no_template_of_the_theme_is_published_unrendered(site):
    """The theme keeps Jinja macros in its static folder (webpack-macros.html); Sphinx would publish them."""
    templates = [p.relative_to(THEME / "static") for p in (THEME / "static").rglob("*.html")]
    for relative in templates:
        assert not (site / "_static" / relative).exists(), relative
    for path in (site / "_static").rglob("*"):
        if path.suffix in (".html", ".js", ".css") and path.is_file():
            assert "{{ pathto(" not in path.read_text(encoding="utf-8", errors="replace"), path


def gallery_image(srcset):
    document = new_document("page")
    node = html_translator.imgsgnode()
    node.update_all_atts(
        {"uri": "/a/x.png", "srcset": srcset, "alt": "a plot", "class": ["sphx-glr-single-img"]}
    )
    document += node
    return document


def test_a_gallery_image_of_one_file_becomes_a_plain_image_the_translator_sizes():
    document = gallery_image("/a/x.png")
    html_translator.gallery_images_as_plain_images(None, document)
    image = document.next_node(nodes.image)
    assert (image["uri"], image["alt"], image["classes"]) == ("/a/x.png", "a plot", ["sphx-glr-single-img"])
    assert not list(document.findall(html_translator.imgsgnode))


def test_a_gallery_image_with_high_density_variants_stops_the_build_in_one_line():
    with pytest.raises(ExtensionError) as raised:
        html_translator.gallery_images_as_plain_images(None, gallery_image("/a/x.png, /a/x_2_00x.png 2.00x"))
    assert len(str(raised.value).splitlines()) == 1 and "/a/x.png" in str(raised.value)


def search_results(browser, address):
    """(result links, errors) of Sphinx's search page at address, once the search has finished."""
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    try:
        page.goto(address)
        page.wait_for_function(
            "(document.querySelector('#search-results .search-summary') || {}).innerText", timeout=15_000
        )
        page.wait_for_load_state("networkidle")
        links = page.eval_on_selector_all(
            "#search-results li > a", "as => as.map(a => a.getAttribute('href'))"
        )
    finally:
        page.close()
    return links, errors


@pytest.mark.browser
@pytest.mark.parametrize("query", ["stride", "Sobel"])
def test_search_opened_from_a_file_finds_what_it_finds_when_served(browser, server, site, query):
    """From file:// the browser refuses the requests for result summaries: no error, the same results."""
    served, served_errors = search_results(browser, f"{server}search.html?q={query}")
    from_file, errors = search_results(browser, f"{(site / 'search.html').as_uri()}?q={query}")
    assert len(served) >= 5 and served_errors == []
    assert from_file == served
    assert errors == []
