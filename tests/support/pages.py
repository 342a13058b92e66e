"""Reading the built pages and the page sources: parsed HTML, emphasized code lines, alt texts."""

import ast
import re
from urllib.parse import unquote

from bs4 import BeautifulSoup
from PIL import Image

from convviz.paths import DOWNLOADS_DIR as DOWNLOADS
from coursesite.figure_records import read_record
from coursesite.paths import DOCS_DIR

MODULE_RST = DOCS_DIR / "module_9_2_2" / "index.rst"
#: The landing page, the three module pages and the gallery index: the pages a reader opens.
READER_PAGES = [
    "index.html",
    "module_9_2_2/index.html",
    "module_9_2_2/inside_a_conv_layer.html",
    "module_9_2_2/trained_network.html",
    "auto_examples/index.html",
]


def read_page(site, relative):
    """The built page site/relative, parsed."""
    return BeautifulSoup((site / relative).read_text(encoding="utf-8"), "html.parser")


def named_lines(prose):
    """Line numbers named in bold ("**Line 16**", "**Lines 11–12**", "Lines 3–4") in prose."""
    numbers = set()
    for first, last in re.findall(r"[Ll]ines? (\d+)(?:[–-](\d+))?", prose):
        numbers.update(range(int(first), int(last or first) + 1))
    return numbers


def emphasized_blocks(rst=MODULE_RST):
    """(file, pyobject, emphasized line numbers, prose after the block) per emphasized literalinclude.

    The prose runs from the end of the block's options to the next directive or heading.
    """
    lines = rst.read_text().splitlines()
    for index, line in enumerate(lines):
        match = re.match(r"\.\. literalinclude:: \.\./\.\./downloads/(\w+\.py)$", line.strip())
        if not match:
            continue
        options, cursor = {}, index + 1
        while cursor < len(lines) and lines[cursor].strip().startswith(":"):
            key, _, value = lines[cursor].strip()[1:].partition(":")
            options[key] = value.strip()
            cursor += 1
        if "emphasize-lines" not in options:
            continue
        prose = []
        for following in lines[cursor:]:
            if following.lstrip().startswith(".. ") or re.fullmatch(r"[-=~]{3,}", following.strip()):
                break
            prose.append(following)
        emphasized = set()
        for part in options["emphasize-lines"].split(","):
            first, _, last = part.strip().partition("-")
            emphasized.update(range(int(first), int(last or first) + 1))
        yield match.group(1), options["pyobject"], emphasized, "\n".join(prose)


def function_lines(filename, name):
    source = (DOWNLOADS / filename).read_text()
    node = next(n for n in ast.parse(source).body if getattr(n, "name", None) == name)
    return source.splitlines()[node.lineno - 1 : node.end_lineno]


NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        (
            "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
            "fifteen sixteen seventeen eighteen nineteen twenty"
        ).split(),
        start=0,
    )
}


def stated_number(word):
    """The number a word ("Eight") or numeral ("37") of an alt text states."""
    return int(word) if word.isdigit() else NUMBER_WORDS[word.lower()]


def figure_record(path):
    """(panels, sizes) the figure script recorded in the file (coursesite.figure_records), or None."""
    record = read_record(path)
    return None if record is None else (record.panels, set(record.sizes))


def figure_text_size(path):
    """(smallest font size in pixels of the file, file width in pixels) recorded in a PNG, or None."""
    record = read_record(path)
    return None if record is None or record.font_px is None else (record.font_px, record.width_px)


def figure_panel_share(path):
    """The narrowest panel's width as a share of the file's width, from the figure record; or None.

    The record states the panel in units of the file (convviz.figure_output.panel_widths);
    the file's own width comes from its header (pixels) or viewBox (SVG points).
    """
    record = read_record(path)
    if record is None or record.panel_px is None:
        return None
    if path.suffix == ".svg":
        found = re.search(r'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)', path.read_text())
        width = float(found.group(1))
    else:
        with Image.open(path) as image:
            width = image.width
    return record.panel_px / width


def narrowest_panels(site, page, address, width=1280):
    """{file name: CSS px of its narrowest panel} for every figure on the page at address, measured.

    page is a Playwright page; its viewport is set to width. Figures without a panel record are left out.
    """
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(address)
    shown = page.evaluate(
        """() => [...document.querySelectorAll('figure img')].map(
               img => [img.src.split('/').pop(), img.getBoundingClientRect().width])"""
    )
    measured = {}
    for name, css_width in shown:
        share = figure_panel_share(site / "_images" / unquote(name))
        if share is not None:
            measured[name] = share * css_width
    return measured


#: No panel of a figure narrower than this many CSS px on a 1280-px-wide page (issue 11).
PANEL_CSS_PX = 200


def panels_on(browser, site, address):
    """narrowest_panels of the page at address at 1280 px, in a browser context of its own."""
    context = browser.new_context()
    try:
        return narrowest_panels(site, context.new_page(), address, width=1280)
    finally:
        context.close()


def assert_panels_wide_enough(panels, name):
    """The figure name records its narrowest panel, and that panel is PANEL_CSS_PX wide or more."""
    assert name in panels, f"{name} records no panel width"
    assert panels[name] >= PANEL_CSS_PX, f"{name}: narrowest panel {panels[name]:.0f} CSS px"


def check_alt_texts(site, page_soup):
    """Every figure with more than one panel says how many; every "R by C" in an alt text is shown.

    The counts and sizes come from the figure files, written by the scripts that drew them.
    Returns the number of figures checked.
    """
    checked = 0
    for figure in page_soup.select("figure"):
        img = figure.find("img")
        path = (site / "module_9_2_2" / unquote(img["src"])).resolve()
        record = figure_record(path)
        if record is None:
            continue
        panels, sizes = record
        alt = " ".join(img["alt"].split())
        stated = re.match(r"(\w+) panels\b", alt)
        if panels > 1:
            assert stated, f"{path.name}: the alt text should start by counting its {panels} panels"
        if stated:
            count = stated_number(stated.group(1))
            assert count == panels, f"{path.name} has {panels} panels: {alt[:60]}"
        for rows, cols in re.findall(r"(\d+) by (\d+)", alt):
            assert f"{rows}x{cols}" in sizes, f"{path.name} shows no {rows}×{cols} image (it shows {sizes})"
        checked += 1
    return checked
