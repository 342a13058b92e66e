"""Page speed on phones: what each page loads, and when; and, in the same pass over the
written pages, two fixes to the theme's markup for keyboard and screen-reader users.

* Pages outside the figure gallery do not link sphinx-gallery's style sheets and
  tag script (they hold no gallery markup).
* Every script with a file loads with ``defer`` (in document order, after the page
  is parsed), except ``documentation_options.js``, which the inline lines after it need,
  and except on the search page, whose search scripts run at once and need Sphinx's.
  Once the pages are written, ``documentation_options.js`` (a dozen settings) is
  written into each page instead of fetched, so no script file holds back the first
  paint; every build writes it again from the file Sphinx wrote.
* Once the pages are written: pages other than the search page lose the search
  scripts and index (the theme's search box sends the query to the search page,
  which loads them itself) and the theme's icon script (it only adds custom
  icons, which the site does not use; the icon font stays), and the theme's
  one-line style sheet that only imports ``basic.css`` becomes a link to
  ``basic.css`` itself (one request less in a chain). The theme's two scripts
  lose their ``preload`` links: they run deferred at the end of the page, and
  fetched first they would hold back the style sheet on a slow line. The
  theme's head script stores the reader's mode; a line after it resolves
  ``data-theme`` to light or dark at once, as the theme's script does later
  (changing it then restyles every element of a long page). Every image gets
  its intrinsic ``width`` and ``height`` (so the page does not shift as images
  arrive), and every image after a page's first loads lazily.
* The theme's script gives every ``<pre>`` and wide table a tab stop when it scrolls,
  by reading the size of each after the page is parsed, which lays out the whole page
  inside the script (on part 1 a fifth of all style and layout time). The site's code
  blocks wrap and never scroll (course.css; tests/test_code_lines.py), so the copied
  script no longer looks at ``<pre>``; the tables are still looked at.
* The theme's search buttons show "Search Ctrl+K" on a wide screen and only an
  icon on a phone; their ``aria-label`` "Search" becomes "Search Ctrl+K", so their
  name holds the text they show (WCAG 2.5.3, label in name) and they keep a name
  on a phone.
* A display formula scrolls sideways on its own on a phone (course.css), so it is
  focusable and scrolls by keyboard too.
* A figure drawn by convviz.plotting (its file carries the figure record) gets
  the narrowest width at which its smallest text still shows at 12 CSS px, as
  ``--figure-min-width``; course.css keeps it at least that wide on a phone and
  lets the figure scroll sideways (the figure is focusable, so it scrolls by keyboard).
"""

import math
import re
import struct
from pathlib import Path

from sphinx.errors import ExtensionError

from coursesite.figure_records import read_record

KEEP_BLOCKING = {"documentation_options.js"}
GALLERY_ONLY = re.compile(r"(^|/)(sg_gallery[-\w]*\.css|sg-tags\.js)$")
GALLERY = "auto_examples/"
SEARCH_SCRIPTS = re.compile(
    r'\s*<script src="[^"]*(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)"></script>'
)
ICON_SCRIPT = re.compile(
    r"\s*(?:<!-- So that users can add custom icons -->\s*)?"
    r'<script defer src="[^"]*/fontawesome\.js[^"]*"></script>'
)
SCRIPT_PRELOAD = re.compile(
    r"\s*(?:<!-- Pre-loaded scripts that we'll load fully later -->\s*)?"
    r'<link rel="preload" as="script" href="[^"]*/scripts/(?:bootstrap|pydata-sphinx-theme)\.js[^"]*" />'
)
THEME_MODE_SCRIPT = re.compile(
    r'<script data-cfasync="false">\s*document\.documentElement\.dataset\.mode = [^<]*</script>'
)
#: The theme's script later sets data-theme to this same value; set early, it changes nothing then,
#: where changing it from "auto" restyled the whole page after its first paint.
RESOLVE_THEME = (
    "\n  <script>(function () { var root = document.documentElement, mode = root.dataset.mode;"
    ' if (mode !== "light" && mode !== "dark") mode = "auto";'
    ' root.dataset.theme = mode !== "auto" ? mode'
    ' : matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"; })();</script>'
)
THEME_IMPORT = re.compile(r'<link href="([^"]*_static/)styles/theme\.css\?[^"]*" rel="stylesheet" />')
#: The selector list of the theme's addTabStopsToScrollableElements, and the same without <pre>:
#: blanks in its place keep every later column where the script's source map says it is.
THEME_SCRIPT = Path("_static", "scripts", "pydata-sphinx-theme.js")
TAB_STOP_SELECTORS = '["pre",".nboutput > .output_area"'
WITHOUT_PRE = '[      ".nboutput > .output_area"'
SEARCH_BUTTON_LABEL = re.compile(r'(<button\b[^>]*\bsearch-button-field\b[^>]*? aria-label=)"Search"')
DISPLAY_MATH = '<div class="math">'
OPTIONS_FILE = Path("_static", "documentation_options.js")
OPTIONS_SCRIPT = re.compile(
    r'<script src="[^"]*_static/documentation_options\.js[^"]*"></script>'
    r'|<script data-inlined="documentation_options\.js">.*?</script>',
    re.S,
)
IMAGE = re.compile(r"<img\b[^>]*>")
FIGURE = re.compile(r"<figure\b[^>]*>\s*(?:<a\b[^>]*>\s*)?<img\b[^>]*>")
#: convviz.plotting lays figures out at 100 CSS px per inch with text of 10 pt or more
#: (13.9 px), and saves rasters at 200 pixels per inch; SVG sizes are in points.
SMALLEST_TEXT_PX, READABLE_PX = 10 / 72 * 100, 12
RASTER_PX_PER_LAYOUT_PX, SVG_PT_PER_LAYOUT_PX = 2, 72 / 100


def defer_scripts(app, pagename, templatename, context, doctree):
    """Give every script file ``defer``, but those the inline lines need; gallery files on gallery pages."""
    if not pagename.startswith(GALLERY):
        context["css_files"] = [s for s in context["css_files"] if not GALLERY_ONLY.search(str(s.filename))]
    if pagename == "search":  # its search scripts, loaded without defer, need Sphinx's scripts first
        return
    scripts = []
    for script in context.get("script_files", []):
        if not pagename.startswith(GALLERY) and GALLERY_ONLY.search(str(script.filename)):
            continue
        name = Path(str(script.filename)).name
        attributes = script.attributes
        if script.filename and name not in KEEP_BLOCKING and not {"defer", "async"} & set(attributes):
            script = type(script)(script.filename, priority=script.priority, **attributes, defer="defer")
        scripts.append(script)
    context["script_files"] = scripts


def image_size(path):
    """(width, height) in pixels of a PNG, GIF or SVG file, or None."""
    try:
        head = path.read_bytes()[:4096] if path.suffix == ".svg" else path.open("rb").read(32)
    except OSError:
        return None
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return struct.unpack(">II", head[16:24])
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", head[6:10])
    if path.suffix == ".svg":
        found = re.search(rb'viewBox="\s*[-\d.]+[\s,]+[-\d.]+[\s,]+([\d.]+)[\s,]+([\d.]+)', head)
        if found:
            return round(float(found[1])), round(float(found[2]))
    return None


def readable_width(path):
    """The narrowest CSS width, in px, at which the smallest text of a convviz figure is 12 px; or None.

    A record that states the smallest text's size in file pixels gives it exactly;
    one without it is taken to hold 10-pt text at the default density.
    """
    size = image_size(path)
    record = read_record(path) if size else None
    if record is None:
        return None
    if record.font_px is not None:
        return math.ceil(READABLE_PX * record.width_px / record.font_px)
    per_layout_px = SVG_PT_PER_LAYOUT_PX if path.suffix == ".svg" else RASTER_PX_PER_LAYOUT_PX
    return round(size[0] / per_layout_px * READABLE_PX / SMALLEST_TEXT_PX)


def figures_keep_readable(html, page):
    """html with --figure-min-width on each convviz figure's image, and the figure focusable."""

    def fix(match):
        tag = match.group(0)
        if "--figure-min-width" in tag or 'tabindex="0"' in tag:
            return tag
        source = re.search(r'<img\b[^>]*\ssrc="([^"]+)"', tag)
        width = source and readable_width((page.parent / source[1].split("?")[0]).resolve())
        if not width:  # a figure given its minimum width by a class in course.css scrolls too
            return tag.replace("<figure", '<figure tabindex="0"', 1) if "keeps-width" in tag else tag
        tag = tag.replace("<figure", '<figure tabindex="0"', 1)
        if re.search(r'<img\b[^>]*\sstyle="', tag):
            return re.sub(r'(<img\b[^>]*\sstyle=")', rf"\1--figure-min-width: {width}px; ", tag, count=1)
        return tag.replace("<img", f'<img style="--figure-min-width: {width}px"', 1)

    return FIGURE.sub(fix, html)


def size_images(html, page):
    """html with width/height on every image that lacks them, loading=lazy after the first."""
    count = 0

    def fix(match):
        nonlocal count
        tag = match.group(0)
        count += 1
        source = re.search(r'\ssrc="([^"]+)"', tag)
        additions = ""
        if source and " width=" not in tag and "://" not in source[1] and not source[1].startswith("data:"):
            size = image_size((page.parent / source[1].split("?")[0]).resolve())
            if size:
                additions += f' width="{size[0]}" height="{size[1]}"'
        if count > 1 and " loading=" not in tag:
            additions += ' loading="lazy"'
        if not additions:
            return tag
        end = -2 if tag.endswith("/>") else -1
        return tag[:end].rstrip() + additions + tag[end:]

    return IMAGE.sub(fix, html)


def tab_stops_without_pre(outdir):
    """Take <pre> out of the theme script's scrollable-element query (Sphinx copies it afresh each build)."""
    script = Path(outdir) / THEME_SCRIPT
    text = script.read_text(encoding="utf-8")
    if WITHOUT_PRE in text:
        return
    if TAB_STOP_SELECTORS not in text:
        raise ExtensionError(
            f"page_speed: {THEME_SCRIPT.as_posix()} no longer lists {TAB_STOP_SELECTORS}; "
            "update TAB_STOP_SELECTORS in docs/_ext/page_speed.py for this theme version"
        )
    script.write_text(text.replace(TAB_STOP_SELECTORS, WITHOUT_PRE, 1), encoding="utf-8")


def rewrite_pages(app, exception):
    """Drop the search and icon scripts outside the search page; size and lazy-load images."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    tab_stops_without_pre(outdir)
    options = (outdir / OPTIONS_FILE).read_text(encoding="utf-8").strip()
    inlined = f'<script data-inlined="documentation_options.js">\n{options}\n</script>'
    for page in outdir.rglob("*.html"):
        if "_static" in page.relative_to(outdir).parts:
            continue
        text = page.read_text(encoding="utf-8")
        new = text
        if page != outdir / "search.html":
            new = SEARCH_SCRIPTS.sub("", new)
        new = ICON_SCRIPT.sub("", new)
        new = OPTIONS_SCRIPT.sub(lambda found: inlined, new, count=1)
        new = SEARCH_BUTTON_LABEL.sub(r'\1"Search Ctrl+K"', new)
        new = new.replace(DISPLAY_MATH, '<div class="math" tabindex="0">')
        new = SCRIPT_PRELOAD.sub("", new)
        if RESOLVE_THEME not in new:
            new = THEME_MODE_SCRIPT.sub(lambda found: found[0] + RESOLVE_THEME, new, count=1)
        new = THEME_IMPORT.sub(r'<link href="\1basic.css" rel="stylesheet" />', new)
        new = size_images(new, page)
        new = figures_keep_readable(new, page)
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup(app):
    app.connect("html-page-context", defer_scripts, priority=900)
    app.connect("build-finished", rewrite_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
