"""The in-page explorers: their data files, written at build time from ``convviz``."""

from pathlib import Path


def write_explorer_data(app, exception):
    """Write the explorer's pixel data next to its script, unless it is current."""
    if exception is not None or app.builder.format != "html":
        return
    from convviz.explorer_data import write_explorer_script
    from convviz.figure_output import source_hash

    target = Path(app.outdir) / "_static" / "explorer" / "data.js"
    stamp = target.with_suffix(".hash")
    current = source_hash()
    if not target.exists() or not stamp.exists() or stamp.read_text() != current:
        write_explorer_script(target)
        stamp.write_text(current)


def setup(app):
    app.connect("build-finished", write_explorer_data)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
