"""The in-page explorers: a directive that places one, its scripts on that page only, its data files.

``.. explorer:: convolution`` or ``.. explorer:: network`` writes the explorer's
element; the pages that hold one get its style sheet and scripts (the data file,
the shared arithmetic ``core.js`` and the explorer's view), linked relative to
the page (the network explorer's large data file is loaded by its view script
when the explorer is needed), so the site works under any sub-path and opened as files. Before the
pages are written, the data files are written from ``convviz``, unless they are current.
"""

import hashlib
import json
import zlib
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

STATIC = "explorer"
#: The explorers whose (large) data file the view script loads itself once the explorer is
#: needed, from the address the page gives in this variable, rather than while the page loads.
LOADED_LATER = {"network": "NETWORK_EXPLORER_DATA_ADDRESS"}
#: name -> (the element's attributes, the text shown without JavaScript, its view script, its data script)
EXPLORERS = {
    "convolution": (
        'class="conv-explorer" data-conv-explorer',
        "The convolution explorer needs JavaScript, which is turned off.",
        "conv_explorer.js",
        "data.js",
    ),
    "network": (
        'class="network-explorer" data-network-explorer',
        "The network explorer needs JavaScript, which is turned off.",
        "network_explorer.js",
        "network_data.js",
    ),
}


class ExplorerDirective(SphinxDirective):
    """``.. explorer:: name``: the element an explorer builds itself in."""

    required_arguments = 1
    has_content = False

    def run(self):
        name = directives.choice(self.arguments[0], list(EXPLORERS))
        attributes, fallback, _, _ = EXPLORERS[name]
        pages = self.env.__dict__.setdefault("explorer_pages", {})
        pages.setdefault(self.env.docname, set()).add(name)
        html = f"<div {attributes}>\n  <p>{fallback}</p>\n</div>\n"
        return [nodes.raw("", html, format="html")]


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
    app.add_js_file(f"{STATIC}/core.js")
    for name in sorted(names):
        _, _, view, data = EXPLORERS[name]
        if name in LOADED_LATER:
            address = json.dumps(data_address(app, context, data))
            app.add_js_file(None, body=f"window.{LOADED_LATER[name]} = {address};")
        else:
            app.add_js_file(f"{STATIC}/{data}")
        app.add_js_file(f"{STATIC}/{view}")


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
    """{data file name: stamp}: the package and the downloads, and for the network also the weights' bytes."""
    from coursesite.hashing import source_hash

    current = source_hash()
    weights_hash = hashlib.sha256(weights.read_bytes()).hexdigest() if weights.exists() else "missing"
    return {
        EXPLORERS["convolution"][3]: current,
        EXPLORERS["network"][3]: f"{current}-{weights_hash}",
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
    from convviz.explorer_data import write_explorer_script
    from convviz.network_data import weights_path, write_network_script

    folder = Path(app.outdir) / "_static" / STATIC
    stamps = data_stamps(weights_path())
    writers = {"convolution": write_explorer_script, "network": write_network_script}
    renewed = set()
    for name, write in writers.items():
        data_file = EXPLORERS[name][3]
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
    from convviz.paths import DOCS_DIR

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
    return {"parallel_read_safe": True, "parallel_write_safe": True}
