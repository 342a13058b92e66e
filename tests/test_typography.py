"""Typography the site's HTML translator keeps (docs/_ext/html_translator.py)."""

import re

import pytest
from bs4 import BeautifulSoup

MODULE_PAGES = [f"module_9_2_2/{name}.html" for name in ("index", "inside_a_conv_layer", "trained_network")]


@pytest.mark.parametrize("path", MODULE_PAGES)
def test_a_percent_sign_never_starts_a_line(site, path):
    """Between a number and its "%" the pages write a no-break space (code is left as written)."""
    soup = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")
    for verbatim in soup.select("pre, code, math, script, style"):
        verbatim.decompose()
    text = soup.get_text()
    assert re.findall(r"\d[ \t\n]+%", text) == []
    assert len(re.findall("\\d\u00a0%", text)) >= 2
