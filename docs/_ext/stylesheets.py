"""One small style sheet per page, and the icon font cut to the icons the site shows.

Each page links nine or ten style sheets (Sphinx's, the theme's, Pygments', sphinx-design's,
the course's), every one a request that holds back the first paint, and the theme's sheet
carries Bootstrap and the rules of 2,000 Font Awesome icons of which the site shows a dozen.
Once the pages are written:

* the style sheets a page links are joined, in the same order, into one file
  ``_static/site-<digest>.css``; a rule is dropped when every selector of it names a class or
  an id that no page and no script of the site holds, and so are the @font-face and
  @keyframes rules that no kept rule names;
* the Font Awesome fonts the kept rules still use are cut to the characters the kept rules
  give as content (the icons), saved as ``_static/site-icons-<digest>.woff2``.

The page's link to the joined sheet names the sheets it joins (``data-joins``), so a page
written by an earlier build is joined again from today's sheets; joined sheets and fonts that
no page uses any more are deleted. An incremental build therefore equals a clean one.
"""

import copy
import functools
import hashlib
import io
import json
import logging
import posixpath
import re
from pathlib import Path

import tinycss2
from sphinx.errors import ExtensionError

STYLESHEET_LINK = re.compile(r"[ \t]*<link\b(?=[^>]*\brel=\"stylesheet\")[^>]*>\n?")
HREF = re.compile(r'\shref="([^"]+)"')
JOINS = re.compile(r'\sdata-joins="([^"]*)"')
PLAIN_LINK = re.compile(r'<link(?:\s+(?:rel="stylesheet"|type="text/css"|href="[^"]*"))+\s*/?>')
JOINED_NAME = re.compile(r"^site-(?:icons-)?[0-9a-f]{12}\.(?:css|woff2)$")
CLASS_OR_ID = re.compile(r'\s(?:class|id)="([^"]*)"')
WORD = re.compile(r"[A-Za-z_][\w-]*")
ICON_FONT = re.compile(r"^Font Awesome\b")
COMMA = tinycss2.ast.LiteralToken(0, 0, ",")
FONT_SUFFIXES = {".woff2", ".woff", ".ttf", ".otf", ".eot"}

# a11y_pygments, which the theme imports, sets the root logger to INFO with a handler of its own,
# and fontTools' subsetter reports every pruned table at INFO: 312 lines in a clean build's
# output. The build shows authors warnings and errors; fontTools keeps those.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def used_names(outdir):
    """Every class and id of the site's pages, and every word of the scripts they run (which add classes)."""
    names, scripts = set(), set()
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for value in CLASS_OR_ID.findall(text):
            names.update(value.split())
        for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", text, flags=re.S):
            names.update(WORD.findall(body))
            source = re.search(r'\ssrc="([^":]+)"', attributes)
            if source:
                scripts.add((page.parent / source[1].split("?")[0]).resolve())
    for script in sorted(scripts):
        if script.is_file():
            names.update(WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    return names


def required_names(selector_tokens):
    """The classes and ids a selector needs an element to have (those inside :not(), :is() ... aside)."""
    needed, after_dot = set(), False
    for token in selector_tokens:
        if token.type == "literal" and token.value == ".":
            after_dot = True
            continue
        if after_dot and token.type == "ident":
            needed.add(token.value)
        elif token.type == "hash":
            needed.add(token.value)
        after_dot = False
    return needed


def selectors(prelude):
    """The prelude of a style rule split at its top-level commas."""
    parts, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            parts.append(current)
            current = []
        else:
            current.append(token)
    parts.append(current)
    return parts


def kept_rules(rules, used):
    """The rules of a parsed list (nested @media/@supports/@layer included) that can match the site.

    A kept rule loses the selectors of its list that cannot match (they need a class or id no page has).
    """
    kept = []
    for rule in rules:
        if rule.type == "qualified-rule":
            parts = [part for part in selectors(rule.prelude) if required_names(part) <= used]
            if parts:
                rule = copy.copy(rule)  # the parsed sheet is shared by every join of a build
                rule.prelude = [token for part in parts for token in (*part, COMMA)][:-1]
                kept.append(rule)
        elif rule.type == "at-rule" and rule.lower_at_keyword in {"media", "supports", "layer", "container"}:
            if rule.content is None:
                kept.append(rule)
                continue
            inner = kept_rules(tinycss2.parse_rule_list(rule.content), used)
            if inner:
                rule = copy.copy(rule)
                rule.content = [
                    token
                    for kept_rule in inner
                    for token in (kept_rule, tinycss2.ast.WhitespaceToken(0, 0, "\n"))
                ]
                kept.append(rule)
        elif rule.type == "at-rule" and rule.lower_at_keyword == "charset":
            continue
        elif rule.type == "at-rule":
            kept.append(rule)
    return kept


def font_family(rule):
    """The family an @font-face rule names, unescaped, or ''."""
    for declaration in tinycss2.parse_blocks_contents(rule.content or []):
        if declaration.type == "declaration" and declaration.lower_name == "font-family":
            return " ".join(t.value for t in declaration.value if t.type in ("ident", "string")).strip()
    return ""


def drop_unnamed_at_rules(rules, named_text):
    """Keep @font-face and @keyframes only if the rest of the sheet names their family or animation."""
    kept = []
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "font-face":
            if font_family(rule) and font_family(rule) in named_text:
                kept.append(rule)
        elif rule.type == "at-rule" and rule.lower_at_keyword.endswith("keyframes"):
            name = tinycss2.serialize(rule.prelude).strip()
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", named_text):
                kept.append(rule)
        else:
            kept.append(rule)
    return kept


def rebase_urls(tokens, source_dir, target_dir):
    """Rewrite relative url() references from a sheet in source_dir to one in target_dir, in place."""
    for token in tokens:
        if token.type == "url" and not re.match(r"^(?:[a-z]+:|/|#)", token.value):
            target = posixpath.normpath(posixpath.join(source_dir, token.value))
            token.value = posixpath.relpath(target, target_dir)
            token.representation = f"url({tinycss2.serializer.serialize_url(token.value)})"
        elif getattr(token, "content", None) is not None and not isinstance(token.content, str):
            rebase_urls(token.content, source_dir, target_dir)
        if getattr(token, "prelude", None) is not None:
            rebase_urls(token.prelude, source_dir, target_dir)


def keep_strings_as_written(nodes, source, starts=None):
    """Give every string token its text as the source writes it (``"\\f015"`` stays an escape), in place.

    tinycss2 writes a string back from its value; a custom property keeps its value as
    written, so a rewritten string would change what ``getComputedStyle`` reports.
    """
    if starts is None:
        starts = [0] + [match.end() for match in re.finditer("\n", source)]
    for node in nodes:
        if isinstance(node, str) or node is None:
            continue
        if node.type == "string":
            begin = starts[node.source_line - 1] + node.source_column - 1
            quote, end = source[begin], begin + 1
            while source[end] != quote:
                end += 2 if source[end] == "\\" else 1
            node.representation = source[begin : end + 1]
        for part in ("prelude", "content", "arguments"):
            inner = getattr(node, part, None)
            if isinstance(inner, list):
                keep_strings_as_written(inner, source, starts)


def icon_characters(css_text):
    """The private-use characters the sheet gives as text (Font Awesome's icons: ``--fa:"\\f015"``)."""
    characters = set()
    for token in tinycss2.parse_component_value_list(css_text):
        characters.update(_string_characters(token))
    return {c for c in characters if 0xE000 <= ord(c) <= 0xF8FF}


def _string_characters(token):
    if token.type == "string":
        return set(token.value)
    found = set()
    for part in getattr(token, "content", None) or []:
        if not isinstance(part, str):
            found |= _string_characters(part)
    return found


@functools.lru_cache(maxsize=16)
def cut_font(data, characters):
    """The WOFF2 bytes of the font whose file bytes are data, holding only the given characters
    (a frozenset; deterministic). Cut once per font and characters: the joins of a build (one per
    set of sheets) share the icon fonts and mostly the icons too."""
    from fontTools import subset  # imported when a font is cut, not by a build that cuts none
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = []
    options.name_IDs = []
    options.notdef_outline = True
    font = TTFont(io.BytesIO(data), recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff2"
    font.save(buffer, reorderTables=True)
    return buffer.getvalue()


def digest(data):
    return hashlib.sha256(data).hexdigest()[:12]


@functools.lru_cache(maxsize=64)
def parsed_sheet(text, source):
    """The rules of the sheet text at _static-relative source, its urls rebased onto _static.

    Parsed once per text: every join of a build shares the result, so nothing may change it
    (:func:`kept_rules` and :func:`join_sheets` change copies)."""
    parsed = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
    keep_strings_as_written(parsed, text)
    rebase_urls(parsed, posixpath.dirname(source), ".")
    return tuple(parsed)


def join_sheets(static, sources, used, written):
    """Write the joined, trimmed sheet of the given _static-relative sources; return its file name."""
    rules = []
    for source in sources:
        rules += kept_rules(parsed_sheet((static / source).read_text(encoding="utf-8"), source), used)
    named_text = " ".join(
        tinycss2.serialize(rule.content or [])
        for rule in rules
        if rule.type == "qualified-rule" or rule.at_keyword != "font-face"
    ).replace("\\ ", " ")
    rules = drop_unnamed_at_rules(rules, named_text)
    characters = icon_characters(named_text)
    for index, rule in enumerate(rules):
        if (
            rule.type == "at-rule"
            and rule.lower_at_keyword == "font-face"
            and ICON_FONT.match(font_family(rule))
        ):
            rules[index] = rule = copy.copy(rule)
            replace_icon_font(rule, static, characters, written)
    css = "\n".join(tinycss2.serialize([rule]) for rule in rules) + "\n"
    name = f"site-{digest(css.encode())}.css"
    written[name] = css.encode()
    return name


def replace_icon_font(rule, static, characters, written):
    """Point an icon @font-face at its font cut to the characters shown."""
    declarations = tinycss2.parse_blocks_contents(rule.content)
    for declaration in declarations:
        if declaration.type != "declaration" or declaration.lower_name != "src":
            continue
        fonts = [t.value for t in declaration.value if t.type == "url" and not re.match(r"^[a-z]+:", t.value)]
        if not fonts:
            return
        source = (static / fonts[0]).read_bytes()
        data = cut_font(source, frozenset(characters))
        name = f"site-icons-{digest(data)}.woff2"
        written[name] = data
        declaration.value = tinycss2.parse_component_value_list(f'url({name}) format("woff2")')
    rule.content = tinycss2.parse_component_value_list(
        ";".join(tinycss2.serialize([d]) for d in declarations if d.type == "declaration")
    )


def page_sheets(head, page, static):
    """(links to replace, _static-relative sources, prefix to _static) of a page's head."""
    links = STYLESHEET_LINK.findall(head)
    for link in links:
        joins = JOINS.search(link)
        if joins:
            prefix = HREF.search(link)[1].rsplit("_static/", 1)[0]
            return [link], joins[1].split(), prefix
    chosen, sources, prefix = [], [], None
    for link in links:
        href = HREF.search(link)
        if not href or "://" in href[1] or "_static/" not in href[1]:
            continue
        if not PLAIN_LINK.search(link):  # a local sheet in markup this rewrite does not know
            raise ExtensionError(
                f"stylesheets: {page.name} links a sheet in markup the join does not know, {link.strip()}; "
                "the theme's markup changed: teach PLAIN_LINK in docs/_ext/stylesheets.py its form"
            )
        path = (page.parent / href[1].split("?")[0]).resolve()
        if not path.is_file() or static.resolve() not in path.parents:
            continue
        chosen.append(link)
        sources.append(path.relative_to(static.resolve()).as_posix())
        prefix = href[1].rsplit("_static/", 1)[0]
    return chosen, sources, prefix


def join_page_sheets(app, exception):
    """Give every page one joined, trimmed style sheet; delete joined files no page uses."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    static = outdir / "_static"
    used = used_names(outdir)
    joined, written = {}, {}
    cache = JoinCache(Path(app.doctreedir) / "joined_sheets.json")
    for page in sorted(outdir.rglob("*.html")):
        if "_static" in page.relative_to(outdir).parts:
            continue
        text = page.read_text(encoding="utf-8")
        head, found, rest = text.partition("</head>")
        if not found:
            continue
        links, sources, prefix = page_sheets(head, page, static)
        if not sources:
            continue
        key = tuple(sources)
        if key not in joined:
            joined[key] = cached_join(static, sources, used, written, cache)
        href, joins = f"{prefix}_static/{joined[key]}", " ".join(sources)
        tag = f'    <link rel="stylesheet" href="{href}" data-joins="{joins}" />\n'
        first = head.index(links[0])
        for link in links:
            head = head.replace(link, "", 1)
        new = head[:first] + tag + head[first:] + found + rest
        if new != text:
            page.write_text(new, encoding="utf-8")
    for name, data in written.items():
        target = static / name
        if not target.is_file() or target.read_bytes() != data:
            target.write_bytes(data)
    for old in static.iterdir():
        if JOINED_NAME.match(old.name) and old.name not in written:
            old.unlink()
    cache.save()


class JoinCache:
    """Joined sheets of earlier builds, by a hash of all they are made of, so a build that
    changes no sheet, font or class name does not parse the theme's CSS again."""

    def __init__(self, path):
        self.path = path
        try:
            self.entries = json.loads(path.read_text())
        except (OSError, ValueError):
            self.entries = {}
        self.used = {}

    def key(self, static, sources, used):
        hashed = hashlib.sha256(" ".join(sorted(used)).encode() + Path(__file__).read_bytes())
        fonts = sorted(
            p for p in static.rglob("*") if p.suffix in FONT_SUFFIXES and not JOINED_NAME.match(p.name)
        )
        for path in [*(static / source for source in sources), *fonts]:
            hashed.update(path.relative_to(static).as_posix().encode() + b"\0" + path.read_bytes())
        return hashed.hexdigest()

    def save(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(self.used, indent=1, sort_keys=True))


def cached_join(static, sources, used, written, cache):
    """join_sheets, or its earlier result when everything it reads is unchanged and its files are there."""
    key = cache.key(static, sources, used)
    entry = cache.entries.get(key)
    if entry and all(isinstance(n, str) and JOINED_NAME.match(n) and (static / n).is_file() for n in entry):
        for name in entry:
            written[name] = (static / name).read_bytes()
        cache.used[key] = entry
        return entry[0]
    made = {}
    name = join_sheets(static, sources, used, made)
    written.update(made)
    cache.used[key] = [name, *sorted(n for n in made if n != name)]
    return name


def setup(app):
    app.connect("build-finished", join_page_sheets, priority=600)  # after page_speed's rewrite (500)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
