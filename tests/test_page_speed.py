"""What a page loads before its first paint (docs/_ext/page_speed.py and stylesheets.py)."""

import pytest
from bs4 import BeautifulSoup
from support.pages import READER_PAGES as PAGES


@pytest.mark.parametrize("path", PAGES)
def test_only_one_style_sheet_and_the_options_script_hold_back_the_first_paint(site, path):
    head = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser").head
    blocking = [
        tag["src"].split("?")[0]
        for tag in head.select("script[src]")
        if not tag.has_attr("defer") and not tag.has_attr("async")
    ]
    assert [src.rsplit("/", 1)[-1] for src in blocking] == ["documentation_options.js"]
    assert len(head.select('link[rel="stylesheet"]')) == 1
    assert head.select('link[rel="preload"][as="script"]') == []
    for name in ("searchtools", "searchindex", "fontawesome"):
        assert not head.select(f'script[src*="{name}"]'), name


@pytest.mark.parametrize("path", PAGES)
def test_every_image_has_its_size_and_all_but_the_first_load_lazily(site, path):
    images = BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser").select("img")
    for number, image in enumerate(images):
        assert image.get("width") and image.get("height"), image.get("src")
        assert (image.get("loading") == "lazy") == (number > 0), image.get("src")
