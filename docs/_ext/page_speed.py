"""Page speed on phones: what each page loads, and when.

Every adjustment is made where Sphinx or the theme offers a place for it:

* ``docs/_templates/layout.html`` overrides two blocks of the theme's layout. Only the
  search page loads the search scripts and index (the theme's search box sends the
  query there). The theme's icon script is left out (it only adds custom icons, which
  the site does not use; the icon font stays), and so are the ``preload`` links of the
  theme's two scripts (they run deferred at the end of the page; fetched first they
  would hold back the style sheet on a slow line). ``basic.css`` is linked in place of
  the theme's one-line sheet that only imports it (one request less in a chain;
  tests/test_page_speed.py checks that the theme's sheet still holds only that import).
  The reader's stored mode is resolved to ``data-theme`` light or dark at once, as the
  theme's script does later (changing it then restyles every element of a long page).
* ``html-page-context`` (:func:`page_assets`): pages outside the figure gallery do not
  link sphinx-gallery's style sheets and tag script (they hold no gallery markup); Sphinx's
  settings (``documentation_options.js``, a dozen lines) are written into each page
  instead of fetched, exactly as Sphinx wrote the file, so no script file holds back the
  first paint; every other script with a file loads with ``defer`` (in document order,
  after the page is parsed), except on the search page, whose search scripts run at once
  and need Sphinx's.
* The site's HTML translator (``html_translator.py``) gives every image its size and lazy
  loading after a page's first, a tab stop to what scrolls sideways on a phone, and each
  convviz figure its readable minimum width (:func:`readable_width`, below).
* ``docs/_templates/search-button-field.html`` and ``search.html`` hold the theme's search
  button named by what it shows, and search that works from ``file://``.

What is still done to files Sphinx has written, because nothing offers a place for it:

* ``_static/scripts/pydata-sphinx-theme.js``: the theme's script gives every ``<pre>`` and
  wide table a tab stop when it scrolls, by reading the size of each after the page is
  parsed, which lays out the whole page inside the script (on part 1 a fifth of all style
  and layout time). The site's code blocks wrap and never scroll (course.css;
  tests/test_code_lines.py), so ``"pre"`` is blanked out of the script's query (the tables
  are still looked at). The theme has no option for it, and a patched copy of its minified
  script in the site's static folder would silently go stale with the next theme; the
  build stops with one line when the query is no longer there.
* ``_static/webpack-macros.html``: the theme keeps the Jinja macros its layout imports in
  its static folder, and Sphinx publishes every file of a theme's static folder (no
  setting leaves one out), unrendered. Such template files are deleted from the site.
* (stylesheets.py, not this module, replaces each written page's style-sheet links by one
  joined sheet: which rules to keep depends on the classes of every page, known only
  once all pages are written.)

A figure drawn by convviz.plotting (its file carries the figure record) gets the narrowest
width at which its smallest text still shows at 12 CSS px, as ``--figure-min-width``;
course.css keeps it at least that wide on a phone and lets the figure scroll sideways
(the figure is focusable, so it scrolls by keyboard).
"""

import math
import re
import struct
from pathlib import Path

from sphinx.errors import ExtensionError

from coursesite.figure_records import read_record

GALLERY_ONLY = re.compile(r"(^|/)(sg_gallery[-\w]*\.css|sg-tags\.js)$")
GALLERY = "auto_examples/"
OPTIONS_FILE = Path("_static", "documentation_options.js")
#: The selector list of the theme's addTabStopsToScrollableElements, and the same without <pre>:
#: blanks in its place keep every later column where the script's source map says it is.
THEME_SCRIPT = Path("_static", "scripts", "pydata-sphinx-theme.js")
TAB_STOP_SELECTORS = '["pre",".nboutput > .output_area"'
WITHOUT_PRE = '[      ".nboutput > .output_area"'
#: A file of a theme's static folder that is a Jinja template (it would be published unrendered).
TEMPLATE_SOURCE = re.compile(r"\{\{|\{%")

#: convviz.plotting lays figures out at 100 CSS px per inch with text of 10 pt or more
#: (13.9 px), and saves rasters at 200 pixels per inch; SVG sizes are in points.
SMALLEST_TEXT_PX, READABLE_PX = 10 / 72 * 100, 12
RASTER_PX_PER_LAYOUT_PX, SVG_PT_PER_LAYOUT_PX = 2, 72 / 100


def page_assets(app, pagename, templatename, context, doctree):
    """The page's sheets and scripts: gallery files on gallery pages only, Sphinx's settings
    written into the page, every other script file deferred (but on the search page)."""
    on_gallery_page = pagename.startswith(GALLERY)
    if not on_gallery_page:
        context["css_files"] = [s for s in context["css_files"] if not GALLERY_ONLY.search(str(s.filename))]
    scripts = []
    for script in context.get("script_files", []):
        filename = str(script.filename) if script.filename else ""
        if not on_gallery_page and GALLERY_ONLY.search(filename):
            continue
        if Path(filename).name == OPTIONS_FILE.name:
            script = inlined_options(app, script)
        elif filename and pagename != "search" and not {"defer", "async"} & set(script.attributes):
            script = type(script)(
                script.filename, priority=script.priority, **script.attributes, defer="defer"
            )
        scripts.append(script)
    context["script_files"] = scripts


def inlined_options(app, script):
    """An inline script holding the text of documentation_options.js as Sphinx wrote it.

    Sphinx copies its static files before it writes any page, so the file is there.
    """
    try:
        options = (Path(app.outdir) / OPTIONS_FILE).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise ExtensionError(f"page_speed: cannot read {OPTIONS_FILE.as_posix()}: {error}") from None
    body, mark = f"\n{options}\n", {"data-inlined": OPTIONS_FILE.name}
    return type(script)(None, priority=script.priority, body=body, **mark)


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


def theme_template_files(theme_dirs):
    """Paths, relative to a static folder, of the Jinja templates the themes keep in their static folders."""
    found = set()
    for theme_dir in theme_dirs:
        static = Path(theme_dir) / "static"
        for path in static.rglob("*.html") if static.is_dir() else ():
            if TEMPLATE_SOURCE.search(path.read_text(encoding="utf-8", errors="replace")):
                found.add(path.relative_to(static))
    return sorted(found)


def finish_static_files(app, exception):
    """Patch the theme's tab-stop query; delete the theme's template files Sphinx copied."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    tab_stops_without_pre(outdir)
    for relative in theme_template_files(app.builder.theme.get_theme_dirs()):
        (outdir / "_static" / relative).unlink(missing_ok=True)


def setup(app):
    app.connect("html-page-context", page_assets, priority=900)
    app.connect("build-finished", finish_static_files)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
