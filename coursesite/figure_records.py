"""The record a convviz figure carries (written by convviz.figure_output.figure_description), read back.

A PNG holds it in its "Description" text chunk, an SVG in ``<dc:description>``:
``panels=N; sizes=RxC,...[; font_px=F; width_px=W][; panel_px=P]``. The build
(docs/_ext/page_speed.py) and the page tests read it with :func:`read_record` only.
"""

import re
from dataclasses import dataclass
from pathlib import Path

#: The record's grammar; the optional parts come in this order.
RECORD = re.compile(
    r"panels=(?P<panels>\d+); sizes=(?P<sizes>[\dx,]*)"
    r"(?:; font_px=(?P<font_px>[\d.]+); width_px=(?P<width_px>\d+))?"
    r"(?:; panel_px=(?P<panel_px>[\d.]+))?$"
)
#: Text chunks come before the image data; an SVG states its metadata first.
HEAD_BYTES = {".svg": 8192, ".png": 65536}
PNG_CHUNK = b"tEXtDescription\x00"
SVG_ELEMENT = b"<dc:description>"


@dataclass(frozen=True)
class FigureRecord:
    """What a figure holds: its panels, the sizes of its images, its smallest text and narrowest panel."""

    panels: int
    sizes: tuple[str, ...]
    font_px: float | None = None  # the smallest text, in pixels of the file
    width_px: int | None = None  # the file's width in pixels, when font_px is stated
    panel_px: float | None = None  # the narrowest panel, in units of the file (SVG: points)


def parse_record(text):
    """The FigureRecord of a record's text; ValueError if the text is not one."""
    found = RECORD.match(text.strip())
    if found is None:
        raise ValueError(f"not a figure record: {text[:80]!r}")
    number = found.groupdict()
    return FigureRecord(
        panels=int(number["panels"]),
        sizes=tuple(filter(None, number["sizes"].split(","))),
        font_px=float(number["font_px"]) if number["font_px"] else None,
        width_px=int(number["width_px"]) if number["width_px"] else None,
        panel_px=float(number["panel_px"]) if number["panel_px"] else None,
    )


def _record_text(head, suffix):
    """The record's bytes in the start of a file, or None."""
    if suffix == ".svg":
        start = head.find(SVG_ELEMENT + b"panels=")
        return None if start < 0 else head[start + len(SVG_ELEMENT) :].split(b"<", 1)[0]
    start = head.find(PNG_CHUNK + b"panels=")
    if start < 4:
        return None
    length = int.from_bytes(head[start - 4 : start], "big")  # the chunk's length precedes its type
    return head[start + len(PNG_CHUNK) : start + 4 + length]


def read_record(path):
    """The FigureRecord a PNG or SVG file carries, or None (none there, another kind of file, unreadable).

    A record that is there but malformed raises ValueError naming the file.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in HEAD_BYTES:
        return None
    try:
        with path.open("rb") as file:
            head = file.read(HEAD_BYTES[suffix])
    except OSError:
        return None
    text = _record_text(head, suffix)
    if text is None:
        return None
    try:
        return parse_record(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"{path.name}: damaged figure record ({error})") from None
