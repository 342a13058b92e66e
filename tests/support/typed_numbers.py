"""The numbers typed by hand in a page's reStructuredText source, in the forms measurements take.

What a learner reads as text is scanned, a paragraph at a time: prose, list items,
table cells, admonition and dropdown titles, captions and the ``:alt:`` of figures.
Skipped, because the build writes them or they are code: substitutions (``|name|``,
the build's numbers), inline literals and roles (``code``, :math:, :ref:,
:download:), link targets, citation references and entries, code, math and
literal blocks, literalincludes, comments and the other options of directives.

A number is reported when it stands in a form a measured or code-defined value
takes (MEASURED_FORMS: a decimal, a percentage, "about 0.6", "12 to 24", "50
copies") and no definition explains it (DEFINITIONS: sizes, names of parts and
lines, digit classes, value ranges of the data formats, worked arithmetic, and
a few exact phrases of cited facts in ALLOWED_PHRASES).
"""

import re

#: Directives whose body is code, math or markup, not prose.
SKIPPED_BODIES = {
    "code-block",
    "literalinclude",
    "math",
    "include",
    "meta",
    "raw",
    "toctree",
    "explorer",
    "quiz",
}

#: Directives whose argument is a title the reader sees.
TITLED = {"admonition", "dropdown", "list-table"}

_DIRECTIVE = re.compile(r"^(\s*)\.\. ([\w-]+)::(.*)$")
_EXPLICIT = re.compile(r"^(\s*)\.\. ")
_OPTION = re.compile(r"^\s*:([\w-]+):(.*)$")
_INLINE = (
    re.compile(r"``.+?``"),  # inline literal
    re.compile(r":[\w-]+:`[^`]*`"),  # a role: :math:, :ref:, :download:, ...
    re.compile(r"<[^<>]*>`__?"),  # the target of a link
    re.compile(r"\|\w+\|"),  # a substitution the build fills in
    re.compile(r"\[\w+\]_"),  # a citation reference
    re.compile(r"`_?_?|\\ |\*"),  # what is left of markup: backquotes, escaped spaces, emphasis
    re.compile(r"(?:^|(?<=\s))(?:\* )?- (?=\S)"),  # the cell markers of a list-table
)
#: A number as typed: 28, 0.85, 1,000, .5; with the sign and unit kept out.
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*|(?<![\w\d])\.\d+")


def prose_lines(source):
    """(line number, text) of every line a reader sees as prose, as written (blank lines included)."""
    skip_below = None  # indentation of the construct whose indented body is skipped
    options_of = None  # indentation of the directive whose option block is being read
    option = None  # (name, indentation) of the option being read, its value may go on
    literal_after = None  # indentation of a paragraph that ended with "::"
    for number, line in enumerate(source.splitlines(), start=1):
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if skip_below is not None:
            if not stripped or indent > skip_below:
                continue
            skip_below = None
        if literal_after is not None and stripped:
            deeper = indent > literal_after
            literal_after = None
            if deeper:  # a literal block
                skip_below = indent - 1
                continue
        if options_of is not None:
            if not stripped or indent <= options_of:
                options_of = option = None  # the options end at a blank line or a dedent
            else:
                found = _OPTION.match(line)
                if found:
                    option = (found.group(1), indent)
                    if option[0] == "alt":
                        yield number, found.group(2)
                    continue
                if option and indent > option[1]:
                    if option[0] == "alt":
                        yield number, stripped
                    continue
                options_of = option = None
        directive = _DIRECTIVE.match(line)
        if directive:
            name, argument = directive.group(2), directive.group(3)
            if name in SKIPPED_BODIES:
                skip_below = indent
            else:
                options_of = indent
                if name in TITLED:
                    yield number, argument
            continue
        if _EXPLICIT.match(line):
            # a citation entry, a target, a substitution definition or a comment: skipped with its body
            skip_below = indent
            continue
        if stripped.endswith("::"):
            literal_after = indent
        yield number, line


def _clean(text):
    for pattern in _INLINE:
        text = pattern.sub(" ", text)
    return text


def paragraphs(source):
    """(first line number, text) of each paragraph of prose, markup split over its lines removed whole."""
    run, first, previous = [], None, None
    for number, text in prose_lines(source):
        if run and (number != previous + 1 or not text.strip()):
            yield first, _clean(" ".join(run))
            run = []
        if text.strip():
            first = number if not run else first
            run.append(text.strip())
        previous = number
    if run:
        yield first, _clean(" ".join(run))


#: Contexts in which a number is a definition, not a measurement (matched case-insensitively), each with why.
DEFINITIONS = {
    # 28×28, 3 by 3, (4, 3, 3, 1)
    r"\d+(?:\s*×\s*\d+)+|\b\d+ by \d+\b|\((?:\d+|N)(?:,\s*(?:\d+|N)?)*\)": "a size or a shape",
    # exercise 4, part 2, figure 3, lines 11–12, filters 1 and 4, module 3.4.1
    r"\b(?:exercises?|parts?|figure|hint|concept|goal|lines?|section|module|filters?|No\.)"
    r"\s+\d+(?:\.\d+)?(?:\s*(?:–|-|and|to)\s*\d+)?|\b\d+\.\d+\.\d+\b|\bnumbered \d+ to \d+": (
        "the name of a part, an exercise, a section, a line of code or a filter"
    ),
    # a 4, the 7s, the 3's arms, digits 0, 1 and 2, test digit (0, 4, 7 and 3)
    r"\b(?:a|an|the|as|class|classes|digits?)\s+\(?\d\b(?:'?s\b)?(?:(?:,\s*|\s+and\s+)\d\b)*": (
        "a digit class"
    ),
    # bytes, block counts, classes, pixels on the 0–1 scale
    r"\b0\s*(?:-|–|to)\s*(?:255|16|9|7|1)\b|\[0, 1\]|\b25[56]\b": "the range of a data format",
    r"\badds? up to (?:more than )?1\b": "what probabilities, or an average's weights, add up to",
    # 256 − 3 + 1 = 254, (5 − 2) / 2 + 1 = 2.5 → 2, 2 i − 3
    r"(?:[=−+/→·]\s*)\d+(?:\.\d+)?|\d+(?:\.\d+)?(?=\s*(?:[a-z]\s*)?[−+/→=·])": (
        "arithmetic of a worked formula"
    ),
    r"\bwith \d+ filters\b|\b10 cells, the scores": "a layer's width in the architecture",
    # Sobel X (rows -1 0 1, -2 0 2, -1 0 1), Gaussian (1 2 1, 2 4 2, 1 2 1, divided by 16)
    r"\((?:rows )?[-−]?[\d.]+ [-−\d. ,]*\d(?:, divided by \d+)?\)": "a named kernel's weights, written out",
}
#: Phrases whose numbers are facts from elsewhere, or definitions the patterns cannot tell, each with why.
ALLOWED_PHRASES = {
    "top-5 error of about 16 %, against about 26 %": "AlexNet's published result, cited [Krizhevsky2012]",
    "1,797 digits": "the size of the published data set, cited with its licence",
    "CC BY 4.0": "the name of a licence",
    "imageio 2.28": "a version of imageio",
    "the middle at 3.5": "the middle of block columns 0 to 7",
    "patch (0.5)": "middle gray on the 0–1 scale",
    "25 pixels instead of 9": "the cells of a 5×5 and a 3×3 kernel",
}
#: The forms a measured or a code-defined number takes in prose: a decimal fraction or a percentage,
#: a number after a word of approximation or comparison, a range, or a count of a method's steps.
MEASURED_FORMS = (
    r"(?<![\w.])\d*\.\d+|\d+(?:[.,]\d+)?\s*(?:%|percent)",
    r"\b(?:about|near|nearly|almost|around|roughly|below|above|less than|more than|at most|at least|"
    r"up to|between|within|falls to|rises to)\s+(?:\w+\s+)?\d+(?:[.,]\d+)*",
    r"\d+(?:[.,]\d+)?\s*(?:to|–|-)\s*\d+(?:[.,]\d+)?",
    r"\d+(?:[.,]\d+)*\s+(?:copies|points|samples|steps|epochs|cells|pixels|at a time|times|runs|seeds|"
    r"iterations|digits|patches|photographs|filters)\b|\bbatches of \d+",
)


def _spans(patterns, text):
    return [m.span() for pattern in patterns for m in re.finditer(pattern, text, flags=re.IGNORECASE)]


def typed_numbers(source, definitions=DEFINITIONS, phrases=ALLOWED_PHRASES):
    """(line number, number, the paragraph's text) for every number typed in a measured number's form.

    definitions (patterns) and phrases (exact text) are the contexts that make a number a definition.
    """
    for line, text in paragraphs(source):
        allowed = _spans([*definitions, *map(re.escape, phrases)], text)
        flagged = set()
        for start, end in _spans(MEASURED_FORMS, text):
            for match in NUMBER.finditer(text, start, end):
                inside = any(a <= match.start() and match.end() <= b for a, b in allowed)
                if not inside and match.start() not in flagged:
                    flagged.add(match.start())
                    yield line, match.group(), text


if __name__ == "__main__":
    # python tests/support/typed_numbers.py docs/module_9_2_2/*.rst: what the test would report
    import sys
    from pathlib import Path

    for name in sys.argv[1:]:
        for line, value, text in typed_numbers(Path(name).read_text()):
            print(f"{name}:{line}: {value!r}: {text[:160]}")
