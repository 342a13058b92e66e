"""Code that wraps on a narrow column keeps its indentation readable.

Code blocks wrap a line longer than the column (course.css); a wrapped Python line that
restarts at the left edge reads like a new, unindented statement. Every line long enough
to wrap on a phone is put in a ``<span class="hang">`` whose continuation lines hang four
characters past the line's own indentation (and past its line number): course.css turns
``--hang`` into a hanging indent. Short lines are left alone, so the page gains few elements.
"""

import html
import re

from pygments.formatters import HtmlFormatter
from sphinx.highlighting import PygmentsBridge

#: Lines up to this many characters fit a 320-px phone column, so they never wrap.
NEVER_WRAPS = 38
#: How much further than the line's own indentation its continuation starts, in characters.
HANG = 4
#: The line number's horizontal padding (pygments.css: 5 px on each side).
NUMBER_PADDING_PX = 10
NUMBER = re.compile(r'<span class="linenos[^"]*">([^<]*)</span>')
TAG = re.compile(r"<[^>]*>")


def hang_width(line):
    """The CSS length by which a highlighted line's continuation is indented, or None if it never wraps."""
    number = NUMBER.search(line)
    code = html.unescape(TAG.sub("", NUMBER.sub("", line, count=1))).rstrip("\n")
    if len(code) + (len(number[1]) if number else 0) <= NEVER_WRAPS:
        return None
    characters = len(code) - len(code.lstrip(" ")) + HANG + (len(number[1]) if number else 0)
    return f"calc({characters}ch + {NUMBER_PADDING_PX}px)" if number else f"{characters}ch"


class HangingLinesFormatter(HtmlFormatter):
    """Pygments' HTML formatter, with each long line in a span that sets its hanging indent."""

    def wrap(self, source):
        return super().wrap(self._hang(source))

    @staticmethod
    def _hang(source):
        for is_code, line in source:
            width = hang_width(line) if is_code else None
            yield (
                is_code,
                line if width is None else f'<span class="hang" style="--hang: {width}">{line}</span>',
            )


def setup(app):
    PygmentsBridge.html_formatter = HangingLinesFormatter
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
