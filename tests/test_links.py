"""Every internal link and anchor of the built site resolves (external links are not followed)."""

from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

SKIPPED_SCHEMES = {"http", "https", "mailto", "javascript", "data"}


def test_every_internal_link_and_anchor_resolves(site):
    # _static holds theme templates (Jinja macros), not pages.
    pages = sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)
    ids = {}
    soups = {}
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        soups[path] = soup
        ids[path] = {tag["id"] for tag in soup.select("[id]")} | {a["name"] for a in soup.select("a[name]")}
    broken = []
    checked = 0
    for path, soup in soups.items():
        for tag, attribute in ((t, "href") for t in soup.select("a[href], link[href]")):
            url = urlsplit(tag[attribute])
            if url.scheme in SKIPPED_SCHEMES or url.netloc:
                continue
            target = (path.parent / unquote(url.path)).resolve() if url.path else path
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.exists():
                broken.append(f"{path.relative_to(site)} -> {tag[attribute]} (no such file)")
            elif url.fragment and target.suffix == ".html" and unquote(url.fragment) not in ids[target]:
                broken.append(f"{path.relative_to(site)} -> {tag[attribute]} (no such anchor)")
        for img in soup.select("img[src], script[src]"):
            url = urlsplit(img["src"])
            if url.scheme or url.netloc:
                continue
            checked += 1
            if not (path.parent / unquote(url.path)).resolve().exists():
                broken.append(f"{path.relative_to(site)} -> {img['src']} (no such file)")
    assert checked > 200
    assert not broken, "\n".join(broken)


def test_pages_load_nothing_from_other_hosts(site):
    """Scripts, styles and images all come with the site: it works offline and on any static host."""
    for path in (p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts):
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in soup.select("script[src], img[src], link[rel~=stylesheet], link[rel~=preload]"):
            url = tag.get("src") or tag.get("href")
            assert not urlsplit(url).netloc, f"{path.relative_to(site)} loads {url}"
