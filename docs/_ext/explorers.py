"""The in-page explorers: a directive that places one, its scripts on that page only, its data files.

``.. explorer:: convolution`` or ``.. explorer:: network`` writes the explorer's
element; the pages that hold one get its style sheet and scripts (the data file,
the shared arithmetic ``core.js`` and the explorer's view), linked relative to
the page, so the site works under any sub-path and opened as files. At the end
of the build the data files are written from ``convviz``, unless they are current.
"""

import hashlib
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective

STATIC = "explorer"
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
        app.add_js_file(f"{STATIC}/{data}")
        app.add_js_file(f"{STATIC}/{view}")


def _write_if_changed(target, stamp, write):
    stamp_file = target.with_suffix(".hash")
    if target.exists() and stamp_file.exists() and stamp_file.read_text() == stamp:
        return
    write(target)
    stamp_file.write_text(stamp)


def data_stamps(weights):
    """{data file name: stamp}: the package and the downloads, and for the network also the weights' bytes."""
    from convviz.figure_output import source_hash

    current = source_hash()
    weights_hash = hashlib.sha256(weights.read_bytes()).hexdigest() if weights.exists() else "missing"
    return {
        EXPLORERS["convolution"][3]: current,
        EXPLORERS["network"][3]: f"{current}-{weights_hash}",
    }


def write_explorer_data(app, exception):
    """Write each explorer's data file next to its script, unless its stamp is current."""
    if exception is not None or app.builder.format != "html":
        return
    from convviz.explorer_data import write_explorer_script
    from convviz.network_data import weights_path, write_network_script

    folder = Path(app.outdir) / "_static" / STATIC
    stamps = data_stamps(weights_path())
    for name, write in (
        (EXPLORERS["convolution"][3], write_explorer_script),
        (EXPLORERS["network"][3], write_network_script),
    ):
        _write_if_changed(folder / name, stamps[name], write)


def setup(app):
    app.add_directive("explorer", ExplorerDirective)
    app.connect("env-purge-doc", purge_page)
    app.connect("env-merge-info", merge_pages)
    app.connect("html-page-context", add_scripts)
    app.connect("build-finished", write_explorer_data)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
