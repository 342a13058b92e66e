"""Every raster figure is sharp on a high-density screen, and every page stays under its weight budget.

Sharp: at a 1280-px window the file has at least twice the pixels of the CSS width it is
shown at (a screen of two device pixels per CSS pixel then shows every pixel of the file),
or it is shown at its own size with ``image-rendering: pixelated``, so each of its pixels
becomes whole device pixels. Measured in Chromium; the file's width is read from the file.
"""

import re
from urllib.parse import unquote

import pytest
from PIL import Image
from support.pages import READER_PAGES, read_page

#: Device pixels per CSS pixel of a high-density screen; a little under 2 allows for rounding.
DENSITY = 1.95
RASTER = (".png", ".gif", ".jpg", ".jpeg", ".webp")
#: Each page with every image, script, style sheet and font it loads (issue 11: 2 MB at most).
PAGE_BUDGET_BYTES = 2_000_000


@pytest.fixture(scope="module")
def shown(site, server, browser):
    """{page: [(file name, CSS width shown, image-rendering)]} for every figure image, at 1280 px."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    found = {}
    try:
        for path in READER_PAGES:
            page.goto(server + path)
            found[path] = page.evaluate(
                """() => [...document.querySelectorAll('figure img')].map(img => [
                       img.src.split('/').pop(), img.getBoundingClientRect().width,
                       getComputedStyle(img).imageRendering])"""
            )
    finally:
        context.close()
    return found


@pytest.mark.browser
def test_every_reader_page_with_figures_is_measured(shown):
    counted = {path: len(images) for path, images in shown.items()}
    assert counted["module_9_2_2/index.html"] >= 8, counted
    assert counted["module_9_2_2/inside_a_conv_layer.html"] >= 8, counted
    assert counted["module_9_2_2/trained_network.html"] >= 8, counted


@pytest.mark.browser
@pytest.mark.parametrize("path", READER_PAGES)
def test_every_raster_figure_has_twice_the_pixels_it_is_shown_with(site, shown, path):
    blurred = []
    for name, css_width, rendering in shown[path]:
        file = site / "_images" / unquote(name)
        if file.suffix.lower() not in RASTER or css_width == 0:
            continue
        with Image.open(file) as image:
            pixels = image.width
        pixel_exact = rendering == "pixelated" and abs(pixels - css_width) < 1
        if pixels < DENSITY * css_width and not pixel_exact:
            blurred.append(f"{file.name}: {pixels} px shown at {css_width:.0f} CSS px")
    assert not blurred, blurred


def loaded_files(site, path):
    """The page's own file and every local file it names in src or href (images, scripts, sheets, fonts)."""
    soup = read_page(site, path)
    page = site / path
    files = {page}
    for tag in soup.select("img[src], script[src], link[href]"):
        reference = unquote((tag.get("src") or tag.get("href")).split("#")[0].split("?")[0])
        if reference.startswith(("http:", "https:", "data:")) or not reference:
            continue
        target = (page.parent / reference).resolve()
        if target.is_file() and target.suffix != ".html":
            files.add(target)
    # Fonts are named by the style sheets, not by the page.
    for sheet in [f for f in files if f.suffix == ".css"]:
        for name in set(re.findall(r"url\(['\"]?([^'\")?#]+)", sheet.read_text())):
            font = (sheet.parent / unquote(name)).resolve()
            if font.is_file():
                files.add(font)
    return files


@pytest.mark.parametrize("path", READER_PAGES)
def test_every_page_with_all_it_loads_stays_under_the_budget(site, path):
    files = loaded_files(site, path)
    assert any(f.suffix == ".css" for f in files) and any(f.suffix == ".js" for f in files)
    total = sum(f.stat().st_size for f in files)
    assert total <= PAGE_BUDGET_BYTES, f"{path}: {total:,} bytes"


#: The one minimum text size of every figure, in CSS px as shown (the smallest text the record names).
MIN_TEXT_CSS_PX = 12


@pytest.mark.browser
@pytest.mark.parametrize("width", [375, 1280])
def test_every_figure_shows_its_smallest_text_at_the_one_minimum(site, server, browser, width):
    """Smallest text of the file x CSS width shown / file width, for every figure whose file records
    its text size, on every reader page, in Chromium at a phone's and a laptop's width."""
    from coursesite.figure_records import read_record

    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    small, measured = [], 0
    try:
        for path in READER_PAGES:
            page.goto(server + path)
            images = page.evaluate(
                """() => [...document.querySelectorAll('figure img')].map(img => [
                       img.src.split('/').pop(), img.getBoundingClientRect().width])"""
            )
            for name, css_width in images:
                record = read_record(site / "_images" / unquote(name))
                if record is None or record.font_px is None:
                    continue
                measured += 1
                css_px = record.font_px * css_width / record.width_px
                if css_px < MIN_TEXT_CSS_PX:
                    small.append(f"{path} {name}: {css_px:.1f} CSS px")
    finally:
        context.close()
    assert measured >= 20, f"only {measured} figures record their text size"
    assert small == [], small
