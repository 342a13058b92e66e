"""Reading the built pages."""

from bs4 import BeautifulSoup


def read_page(site, relative):
    """The built page site/relative, parsed."""
    return BeautifulSoup((site / relative).read_text(encoding="utf-8"), "html.parser")
