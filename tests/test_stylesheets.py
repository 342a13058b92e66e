"""The joined, trimmed style sheet of each page styles every element as the sheets it joins do.

The oracle is Chromium itself: each page is styled once by its joined sheet and once by the
original sheets it names (``data-joins``), and every computed style (elements and their
::before/::after) must be the same. The icon font cut by the build must hold the glyph of every
icon a page shows, looked up in the theme's own style sheet.
"""

import gzip
import importlib.util
import logging
import re

import pytest
from bs4 import BeautifulSoup
from fontTools.ttLib import TTFont
from support.pages import READER_PAGES

from coursesite.paths import DOCS_DIR

SPEC = importlib.util.spec_from_file_location("stylesheets", DOCS_DIR / "_ext" / "stylesheets.py")
stylesheets = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(stylesheets)

PAGES = [*READER_PAGES, "search.html"]

#: The properties to read: every property a computed style can hold, once for all elements (reading
#: values by a list of names is about twice as fast as listing each element's own). The standard ones,
#: which every element lists, are read on every element. So are the custom properties that a rule of
#: the joined sheet or of the sheets it joins declares for an element other than <html>, or an inline
#: style declares (window.styleNames). Those declared only for <html> (most of the theme's) reach other
#: elements only by inheritance from it, so they are read there alone (window.rootNames): equal on
#: <html>, equal everywhere. A custom property no one declares reads '' on every element.
STYLE_NAMES = """async () => {
  const standard = [], everywhere = new Set(), onRoot = new Set();
  for (const name of getComputedStyle(document.documentElement)) {
    if (!name.startsWith('--')) standard.push(name);
  }
  const onlyRoot = (selector) => {
    if (!selector || selector.includes('::')) return false;
    try {
      return [...document.querySelectorAll(selector)].every((el) => el === document.documentElement);
    } catch { return false; }
  };
  const custom = (style, rootOnly) => {
    for (const name of style) if (name.startsWith('--')) (rootOnly ? onRoot : everywhere).add(name);
  };
  const walk = (rules) => {
    for (const rule of rules) {
      if (rule.style) custom(rule.style, onlyRoot(rule.selectorText));
      if (rule.name && rule.name.startsWith('--')) everywhere.add(rule.name);  // @property
      if (rule.cssRules) walk(rule.cssRules);
    }
  };
  const joined = document.querySelector('link[data-joins]');
  const base = joined.getAttribute('href').split('_static/')[0] + '_static/';
  for (const href of [joined.getAttribute('href'), ...joined.dataset.joins.split(' ').map((n) => base + n)]) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync((await (await fetch(href)).text()).replace(/@import[^;]*;/g, ''));
    walk(sheet.cssRules);
  }
  for (const el of document.querySelectorAll('[style]')) custom(el.style, false);
  window.styleNames = [...standard, ...[...everywhere].sort()];
  window.rootNames = [...standard, ...new Set([...everywhere, ...onRoot])].sort();
  return [window.styleNames.length, window.rootNames.length];
}"""

#: Computed styles of <html> (window.rootNames), and of every element of the body and its
#: ::before/::after (window.styleNames), one string each, kept in the page. Elements with the same
#: chain of tags, classes, ids and first/last-child places up to <body> match the same selectors, so
#: one of each chain is compared (part 1 holds thousands of code spans).
CAPTURE = """(key) => {
  const out = [], seen = new Set();
  const chain = (el) => {
    let k = '';
    for (let e = el; e && e !== document.body; e = e.parentElement)
      k = `${e.tagName}.${e.className}#${e.id}${e.previousElementSibling ? '' : '^'}`
        + `${e.nextElementSibling ? '' : '$'}/${k}`;
    return k;
  };
  const read = (el, k, names) => {
    for (const pseudo of [null, '::before', '::after']) {
      const s = getComputedStyle(el, pseudo);
      if (pseudo && s.getPropertyValue('content') === 'none') { out.push(''); continue; }
      const values = new Array(names.length);
      for (let i = 0; i < names.length; i++) values[i] = s.getPropertyValue(names[i]);
      out.push(`${k}${pseudo || ''}\u0001${values.join('\u0001')}`);
    }
  };
  read(document.documentElement, 'HTML', window.rootNames);
  read(document.body, 'BODY', window.styleNames);
  for (const el of document.querySelectorAll('body *')) {
    const k = chain(el);
    if (seen.has(k)) continue;
    seen.add(k);
    read(el, k, window.styleNames);
  }
  window[key] = out;
  return out.length;
}"""

#: Replace the joined sheet by the sheets it names, in order, and wait until they and the fonts are in.
ORIGINAL_SHEETS = """async () => {
  const joined = document.querySelector('link[data-joins]');
  const base = joined.getAttribute('href').split('_static/')[0] + '_static/';
  const loads = joined.dataset.joins.split(' ').map((name) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = base + name;
    joined.before(link);
    return new Promise((done) => { link.onload = done; link.onerror = done; });
  });
  await Promise.all(loads);
  joined.remove();
  await document.fonts.ready;
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""

#: Wait until fonts are in and the page has stopped adding elements (the explorers build themselves).
SETTLED = """async () => {
  await document.fonts.ready;
  let count = -1;
  while (count !== document.querySelectorAll('*').length) {
    count = document.querySelectorAll('*').length;
    await new Promise((done) => setTimeout(done, 400));
  }
}"""

DIFFERENCES = """() => {
  const diffs = [];
  for (let i = 0; i < window.joined.length; i++) {
    const [a, b] = [window.joined[i], window.original[i]];
    if (a === b) continue;
    const names = i < 3 ? window.rootNames : window.styleNames;  // <html> and its ::before/::after first
    const [pa, pb] = [a.split('\u0001'), b.split('\u0001')];
    const changed = names.filter((_, n) => pa[n + 1] !== pb[n + 1]);
    const shown = changed.slice(0, 4).map((name) => {
      const n = names.indexOf(name) + 1;
      return `${name}: ${pa[n]} -> ${pb[n]}`;
    });
    diffs.push(`${pa[0].slice(-80)} | ${pb[0].slice(-80)}: ${shown}`);
  }
  return diffs;
}"""


def soup(site, path):
    return BeautifulSoup((site / path).read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_one_joined_sheet_that_exists(site, path):
    links = soup(site, path).select('link[rel="stylesheet"]')
    assert len(links) == 1, [link.get("href") for link in links]
    static = site / "_static"
    joined = (site / path).parent / links[0]["href"]
    assert joined.resolve().parent == static.resolve() and joined.is_file()
    for source in links[0]["data-joins"].split():
        assert (static / source).is_file(), source


def test_no_joined_file_is_left_that_no_page_or_sheet_uses(site):
    static = site / "_static"
    joined = {p.name for p in static.iterdir() if stylesheets.JOINED_NAME.match(p.name)}
    linked = set()
    for page in site.rglob("*.html"):
        linked.update(re.findall(r'_static/(site-[0-9a-f]{12}\.css)"', page.read_text(encoding="utf-8")))
    fonts = {
        name
        for css in linked
        for name in re.findall(r"site-icons-[0-9a-f]{12}\.woff2", (static / css).read_text())
    }
    assert linked and joined == linked | fonts


def test_joined_sheet_is_much_smaller_than_what_it_joins(site):
    link = soup(site, "module_9_2_2/index.html").select_one("link[data-joins]")
    static = site / "_static"
    joined = len(gzip.compress((site / "module_9_2_2" / link["href"]).read_bytes()))
    sources = sum(len(gzip.compress((static / name).read_bytes())) for name in link["data-joins"].split())
    assert joined < 0.5 * sources, (joined, sources)


def theme_icon_codepoints(site):
    """{"fa-house": 0xf015, ...} from the theme's own, untrimmed style sheet."""
    theme = (site / "_static" / "styles" / "pydata-sphinx-theme.css").read_text(encoding="utf-8")
    return {
        name: int(code, 16) for name, code in re.findall(r"\.(fa-[\w-]+)\{--fa:\"\\(f[0-9a-f]{3})\"", theme)
    }


@pytest.mark.parametrize("path", PAGES)
def test_cut_icon_font_holds_every_icon_the_page_shows(site, path):
    page = soup(site, path)
    codes = theme_icon_codepoints(site)
    shown = {c for tag in page.select(".fa-solid") for c in tag["class"] if c in codes}
    assert shown, "the page should show theme icons (search, theme switch)"
    css = ((site / path).parent / page.select_one("link[data-joins]")["href"]).read_text(encoding="utf-8")
    solid = re.search(r"@font-face\{[^}]*font-weight:900[^}]*url\((site-icons-[0-9a-f]{12}\.woff2)\)", css)
    assert solid, "the joined sheet should point the solid icon font at its cut copy"
    cmap = TTFont(site / "_static" / solid[1]).getBestCmap()
    assert {name for name in shown if codes[name] not in cmap} == set()


def test_cutting_a_font_logs_nothing_below_a_warning_with_the_root_logger_at_info(site, caplog):
    """a11y_pygments, imported with the theme, sets the root logger to INFO; the build's output stays
    free of fontTools' report of every pruned table."""
    caplog.set_level(logging.INFO)  # what a11y_pygments' logging.basicConfig(level=INFO) does
    font = next((site / "_static").rglob("fa-solid-900.woff2"))
    stylesheets.cut_font.cache_clear()  # the site's build cut this font already, in this process
    assert len(stylesheets.cut_font(font.read_bytes(), frozenset("\uf015"))) > 0
    assert [(r.name, r.levelname) for r in caplog.records if r.levelno < logging.WARNING] == []


@pytest.mark.parametrize(
    ("path", "theme", "width"),
    [(path, "light", 1280) for path in PAGES]
    + [("index.html", "dark", 375), ("module_9_2_2/index.html", "dark", 375), ("search.html", "dark", 375)],
)
def test_joined_sheet_styles_every_element_as_the_original_sheets(browser, server, path, theme, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.add_init_script(
        f"localStorage.setItem('mode', '{theme}'); localStorage.setItem('theme', '{theme}');"
    )
    try:
        page.goto(server + path)
        page.wait_for_load_state("networkidle")
        page.evaluate(SETTLED)
        per_element, on_root = page.evaluate(STYLE_NAMES)
        assert 300 < per_element < on_root
        count = page.evaluate(CAPTURE, "joined")
        page.evaluate(ORIGINAL_SHEETS)
        assert page.evaluate(CAPTURE, "original") == count > 100
        differences = page.evaluate(DIFFERENCES)
    finally:
        context.close()
    assert differences == [], "\n".join(differences[:10])


def parsed(css):
    rules = stylesheets.tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    stylesheets.keep_strings_as_written(rules, css)
    return rules


def serialized(rules):
    return "".join(stylesheets.tinycss2.serialize([rule]) for rule in rules)


def test_a_rule_goes_only_when_every_selector_needs_an_unused_class_or_id():
    css = (
        ".used{a:1}.unused{b:2}.used,.unused{c:3}#used-id .x{d:4}#gone{e:5}"
        "p:not(.unused){f:6}div{g:7}.used.unused{h:8}:is(.unused,.used){i:9}"
    )
    kept = serialized(stylesheets.kept_rules(parsed(css), {"used", "used-id", "x"}))
    assert kept == ".used{a:1}.used{c:3}#used-id .x{d:4}p:not(.unused){f:6}div{g:7}:is(.unused,.used){i:9}"


def test_rules_inside_media_are_trimmed_and_an_emptied_media_block_goes():
    css = "@media (min-width:1px){.used{a:1}.unused{b:2}}@media print{.unused{c:3}}@supports (x:y){div{d:4}}"
    kept = serialized(stylesheets.kept_rules(parsed(css), {"used"}))
    assert ".used{a:1}" in kept and ".unused" not in kept and "print" not in kept and "div{d:4}" in kept


def test_font_faces_and_keyframes_stay_only_when_something_names_them():
    css = (
        "@font-face{font-family:Kept Font;src:url(a.woff2)}"
        '@font-face{font-family:"Gone Font";src:url(b.woff2)}'
        "@keyframes spin{to{x:1}}@keyframes unused-spin{to{x:1}}"
        '.a{font-family:"Kept Font";animation:spin 1s}'
    )
    rules = stylesheets.kept_rules(parsed(css), {"a"})
    named = " ".join(stylesheets.tinycss2.serialize(r.content) for r in rules if r.type == "qualified-rule")
    kept = serialized(stylesheets.drop_unnamed_at_rules(rules, named))
    assert "Kept Font;src" in kept and "Gone Font" not in kept
    assert "@keyframes spin" in kept and "unused-spin" not in kept


def test_strings_are_written_as_the_source_wrote_them():
    css = '.a{--icon:"\\f015";--literal:"\uf015";content:"say \\"hi\\""}'
    assert serialized(parsed(css)) == css


def test_urls_are_rebased_from_the_sheet_folder_to_static():
    rules = parsed(
        ".a{background:url(../img/x.png)}.b{background:url(data:image/png;base64,AA==)}.c{x:url(#f)}"
    )
    stylesheets.rebase_urls(rules, "styles", ".")
    text = serialized(rules)
    assert "url(img/x.png)" in text and "url(data:image/png;base64,AA==)" in text and "url(#f)" in text


def test_a_local_sheet_in_unknown_markup_stops_the_build_with_one_message(tmp_path):
    """The join is a rewrite of written HTML (no hook gives it the pages' sheets): when the theme's
    link markup changes it must stop the build, not leave the page with sheets it silently skipped."""
    static = tmp_path / "_static"
    static.mkdir()
    (static / "theme.css").write_text("p { color: red }")
    page = tmp_path / "page.html"
    known = '<link rel="stylesheet" type="text/css" href="_static/theme.css" />\n'
    links, sources, prefix = stylesheets.page_sheets(known, page, static)
    assert (links, sources, prefix) == ([known], ["theme.css"], "")
    changed = '<link rel="stylesheet" href="_static/theme.css" media="all" />\n'
    with pytest.raises(stylesheets.ExtensionError, match=r"page.html links a sheet in markup"):
        stylesheets.page_sheets(changed, page, static)
    remote = '<link rel="stylesheet" href="https://example.org/x.css" media="all" />\n'
    assert stylesheets.page_sheets(remote, page, static) == ([], [], None)
