"""The in-page explorers: a directive that places one, its scripts on that page only, its data files.

``.. explorer:: convolution`` or ``.. explorer:: network`` writes the explorer's
element; the pages that hold one get its style sheet and scripts (the shared
modules of ``ConvCore`` and ``CourseViews``, the explorer's own modules, its data
file, its view), linked relative to the page (the network explorer's large data
file is loaded by its view script when the explorer is needed), so the site works
under any sub-path and opened as files. Before the pages are written, the data
files are written by :mod:`coursesite.explorer_data` and
:mod:`coursesite.network_data`, unless they are current.

Until an explorer has built itself it says that it is loading, to a reader whose
JavaScript is on (a script in the page's head marks the page ``explorers-js``
before anything is shown); a reader without JavaScript reads that the explorer
needs it.
"""

import hashlib
import json
import zlib
from pathlib import Path
from typing import NamedTuple

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

STATIC = "explorer"
#: The explorers whose (large) data file the view script loads itself once the explorer is
#: needed, from the address the page gives in this variable, rather than while the page loads.
LOADED_LATER = {"network": "NETWORK_EXPLORER_DATA_ADDRESS"}
#: What every explorer page loads first: the numbers, the arithmetic, the data checks, the page helpers.
SHARED_SCRIPTS = ("numbers.js", "core.js", "checks.js", "views.js")
#: The class the head script gives the page's root element when JavaScript runs.
JS_CLASS = "explorers-js"


class Explorer(NamedTuple):
    attributes: str  # of the element the explorer builds itself in
    title: str  # as the page's sentences name it
    modules: tuple  # its pure modules (ConvCore), after SHARED_SCRIPTS
    data: str  # its data script
    views: tuple  # its view, then the panels that add to it


EXPLORERS = {
    "convolution": Explorer(
        'class="conv-explorer" data-conv-explorer',
        "The convolution explorer",
        ("patterns.js", "pixels.js"),
        "data.js",
        ("conv_explorer.js",),
    ),
    "network": Explorer(
        'class="network-explorer" data-network-explorer',
        "The network explorer",
        (
            "pixels.js",
            "drawing.js",
            "random.js",
            "augmentation.js",
            "training.js",
            "npz.js",
            "attribution.js",
            "network_units.js",
        ),
        "network_data.js",
        ("network_explorer.js", "network_attribution.js", "network_training.js"),
    ),
}


def placeholder_html(explorer):
    """The explorer's element as written into the page: a loading note, and the no-JavaScript text."""
    return (
        f"<div {explorer.attributes}>\n"
        f'  <p class="explorer-loading" role="status">{explorer.title} is loading…</p>\n'
        f'  <noscript><p class="explorer-nojs">{explorer.title} needs JavaScript, which is turned off.</p>'
        "</noscript>\n"
        "</div>\n"
    )


class ExplorerDirective(SphinxDirective):
    """``.. explorer:: name``: the element an explorer builds itself in."""

    required_arguments = 1
    has_content = False

    def run(self):
        name = directives.choice(self.arguments[0], list(EXPLORERS))
        pages = self.env.__dict__.setdefault("explorer_pages", {})
        pages.setdefault(self.env.docname, set()).add(name)
        self.env.note_dependency(__file__)  # the element is written here: an edit reads the page again
        return [nodes.raw("", placeholder_html(EXPLORERS[name]), format="html")]


def purge_page(app, env, docname):
    env.__dict__.get("explorer_pages", {}).pop(docname, None)


def merge_pages(app, env, docnames, other):
    mine = env.__dict__.setdefault("explorer_pages", {})
    for docname, names in other.__dict__.get("explorer_pages", {}).items():
        if docname in docnames:
            mine[docname] = set(names)


def add_scripts(app, pagename, templatename, context, doctree):
    """Link the style sheet and scripts of the explorers this page holds (this page only)."""
    names = app.env.__dict__.get("explorer_pages", {}).get(pagename)
    if not names:
        return
    app.add_css_file(f"{STATIC}/explorer.css")
    app.add_js_file(None, body=f'document.documentElement.classList.add("{JS_CLASS}");')
    for script in SHARED_SCRIPTS:
        app.add_js_file(f"{STATIC}/{script}")
    for name in sorted(names):
        explorer = EXPLORERS[name]
        for script in explorer.modules:
            app.add_js_file(f"{STATIC}/{script}")
        if name in LOADED_LATER:
            address = json.dumps(data_address(app, context, explorer.data))
            app.add_js_file(None, body=f"window.{LOADED_LATER[name]} = {address};")
        else:
            app.add_js_file(f"{STATIC}/{explorer.data}")
        for script in explorer.views:
            app.add_js_file(f"{STATIC}/{script}")


def data_address(app, context, data):
    """The address of a data file relative to the page, with its version (?v=, as Sphinx gives scripts)."""
    path = Path(app.outdir) / "_static" / STATIC / data
    version = f"?v={zlib.crc32(path.read_bytes()):08x}" if path.exists() else ""
    return context["pathto"](f"_static/{STATIC}/{data}", 1) + version


def _write_if_changed(target, stamp, write):
    """Write target with write(target) unless its stamp file holds stamp; True if it wrote."""
    stamp_file = target.with_suffix(".hash")
    if target.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return False
    write(target)
    stamp_file.write_text(stamp)
    return True


def data_stamps(weights):
    """{data file name: stamp}: the package, the downloads and the data writers; for the network also
    the weights' bytes."""
    from coursesite import explorer_data, network_data
    from coursesite.hashing import file_hash, source_hash

    writers = "".join(file_hash(module.__file__) for module in (explorer_data, network_data))
    current = hashlib.sha256((source_hash() + writers).encode()).hexdigest()
    weights_hash = hashlib.sha256(weights.read_bytes()).hexdigest() if weights.exists() else "missing"
    return {
        EXPLORERS["convolution"].data: current,
        EXPLORERS["network"].data: f"{current}-{weights_hash}",
    }


def write_explorer_data(app, env):
    """Write each explorer's data file next to its script, unless its stamp is current.

    Runs once the pages are read (the figure scripts, and so the weights file, have
    run by then) and before they are written. Returns the pages whose explorer got
    new data, so Sphinx writes them again and the version it appends to each
    script's address (``?v=``) is that of the new data.
    """
    if app.builder.format != "html":
        return []
    from coursesite.explorer_data import write_explorer_script
    from coursesite.network_data import weights_path, write_network_script

    folder = Path(app.outdir) / "_static" / STATIC
    stamps = data_stamps(weights_path())
    writers = {"convolution": write_explorer_script, "network": write_network_script}
    renewed = set()
    for name, write in writers.items():
        data_file = EXPLORERS[name].data
        if _write_if_changed(folder / data_file, stamps[data_file], write):
            renewed.add(name)
    stamp, scripts = folder / "scripts.hash", scripts_stamp()
    if not stamp.exists() or stamp.read_text() != scripts:
        stamp.write_text(scripts)
        renewed.update(EXPLORERS)  # a script or style sheet changed: its ?v= in every explorer page too
    pages = env.__dict__.get("explorer_pages", {})
    return sorted(docname for docname, names in pages.items() if names & renewed)


def scripts_stamp():
    """A hash of the explorers' scripts and style sheet as they are in docs/_static."""
    from coursesite.paths import DOCS_DIR

    digest = hashlib.sha256()
    for path in sorted((DOCS_DIR / "_static" / STATIC).iterdir()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def setup(app):
    app.add_directive("explorer", ExplorerDirective)
    app.connect("env-purge-doc", purge_page)
    app.connect("env-merge-info", merge_pages)
    app.connect("html-page-context", add_scripts)
    app.connect("env-updated", write_explorer_data)
    # env_version: the element the directive writes changed (a loading note); older builds read again.
    return {"env_version": 2, "parallel_read_safe": True, "parallel_write_safe": True}
