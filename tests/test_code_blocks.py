"""Every Python code block of the built module pages runs, in page order, as a reader would run it.

Blocks of one page share a namespace, so a fragment (one function) can use what
earlier blocks defined. The starters' TODO functions are shown as fragments too:
they only define functions, so they run.
"""

import contextlib
import io
import os
import sys

import pytest
from bs4 import BeautifulSoup

from convviz.paths import DOWNLOADS_DIR

PAGES = ["module_9_2_2/index.html", "module_9_2_2/inside_a_conv_layer.html"]


def python_blocks(html):
    soup = BeautifulSoup(html, "html.parser")
    for div in soup.select("div.highlight-python"):
        wrapper = div.find_parent("div", class_="literal-block-wrapper")
        caption = wrapper.select_one(".caption-text").get_text(strip=True) if wrapper else ""
        pre = div.select_one("pre")
        for number in pre.select("span.linenos"):
            number.decompose()
        yield caption, pre.get_text()


@pytest.mark.parametrize("path", sorted(PAGES))
def test_every_python_block_runs_in_page_order(site, path, tmp_path, monkeypatch):
    blocks = list(python_blocks((site / path).read_text(encoding="utf-8")))
    assert len(blocks) >= 3
    monkeypatch.chdir(tmp_path)
    # A reader runs the solution beside the exercise's self_check.py, which its first block imports.
    monkeypatch.syspath_prepend(str(DOWNLOADS_DIR))
    namespace = {"__name__": "__main__"}
    for caption, code in blocks:
        name = caption.split(":")[0] or "block"
        monkeypatch.setattr(sys, "argv", [name])
        errors = io.StringIO()
        status = 0
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
            try:
                exec(compile(code, f"<{path}: {caption}>", "exec"), namespace)
            except SystemExit as stop:
                status = stop.code or 0
        assert status == 0, f"{caption}: {errors.getvalue()}"
    written = sorted(os.listdir(tmp_path))
    if path.endswith("index.html"):
        # The solution's blocks run its main(); the whole cnn_visualization.py is shown as plain
        # text (tests/test_downloads.py runs that file itself).
        assert "my_filter_output.png" in written and "filter_transition.gif" in written
