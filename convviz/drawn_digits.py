"""The project's own drawn digits: strokes as a pointer reports them, and how well the network reads them.

The drawings (:mod:`convviz.drawn_digit_strokes`, written by
``tools/make_drawn_digits.py``) are the ten digits in several writing styles,
12 to 24 cells tall, anywhere in the 28×28 grid where they fit, slanted either
way, drawn with a slow or a quick and a steady or a shaky hand. Two sets: "dev"
was used to choose the training's augmentation, "test" is held out and only
measured. Each drawing is prepared as the explorer prepares one
(:func:`convviz.drawing.prepare`).
"""

from dataclasses import dataclass

import numpy as np

from convviz.drawing import GRID, prepare
from convviz.drawn_digit_strokes import DRAWINGS

SETS = ("dev", "test")
#: Size groups by the height of the drawing in grid cells (12-24 in all).
SIZE_GROUPS = (("12-15 cells", 0, 16), ("16-19 cells", 16, 20), ("20-24 cells", 20, GRID + 1))
#: Within this many cells of the grid's centre (in both directions) a drawing counts as centred.
CENTRED_WITHIN = 3.0


@dataclass(frozen=True)
class Drawing:
    """One drawn digit: its label, writing style, height (cells), box centre and strokes (grid cells)."""

    set: str
    label: int
    style: str
    height: float
    centre: tuple
    strokes: list

    @property
    def size_group(self):
        return next(name for name, low, high in SIZE_GROUPS if low <= self.height < high)

    @property
    def position_group(self):
        """'centred', 'off-centre' (one direction more than CENTRED_WITHIN away) or 'near a corner' (both)."""
        away = sum(abs(c - GRID / 2) > CENTRED_WITHIN for c in self.centre)
        return ("centred", "off-centre", "near a corner")[away]

    @property
    def style_group(self):
        return f"{self.label} {self.style}"


def parse(entry):
    """One entry of DRAWINGS -> Drawing (coordinates from tenths of a cell to cells)."""
    name, label, style, height, centre, coded = entry.split(";")
    strokes = [
        [[int(x) / 10, int(y) / 10] for x, y in (point.split(",") for point in stroke.split())]
        for stroke in coded.split("|")
    ]
    cx, cy = (float(c) for c in centre.split(","))
    return Drawing(name, int(label), style, float(height), (cx, cy), strokes)


def drawings(which="test"):
    """The drawings of one set ("dev" or "test"), in their stored order."""
    if which not in SETS:
        raise ValueError(f"which must be one of {SETS}, got {which!r}")
    found = [parse(entry) for entry in DRAWINGS]
    return [drawing for drawing in found if drawing.set == which]


def prepared(found):
    """(images uint8 (N, 28, 28), labels (N,)) of a list of drawings, as the explorer prepares them."""
    images = np.stack([prepare(drawing.strokes) for drawing in found])
    return images, np.array([drawing.label for drawing in found], dtype=np.int64)


def accuracy_by_group(found, predictions):
    """{"all": (right, count), "size": {group: (right, count)}, "position": ..., "style": ...}."""
    right = [int(p) == d.label for d, p in zip(found, predictions, strict=True)]
    result = {"all": (sum(right), len(right))}
    for kind in ("size", "position", "style"):
        groups = {}
        for drawing, ok in zip(found, right, strict=True):
            key = getattr(drawing, f"{kind}_group")
            done, count = groups.get(key, (0, 0))
            groups[key] = (done + ok, count + 1)
        result[kind] = dict(sorted(groups.items()))
    return result
