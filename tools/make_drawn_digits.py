"""Write convviz/drawn_digit_strokes.py: the project's own drawn digits, as pointer strokes.

Usage (from the repository root; not part of the build):
    .venv/bin/python tools/make_drawn_digits.py

Each digit has several writing styles (a 7 with and without a bar, a 1 as a
stick, with a flag and with a base, an open and a closed 4, a 9 with a straight
and a curved tail, ...), each a few strokes through control points in a unit
box. A drawing takes one style and moves every control point a little (its own
hand), gives the glyph a width from 45 % to 90 % of its height, slants it
either way, turns it slightly, makes it 12 to 24 cells tall and puts it anywhere
in the 28×28 grid where it fits. The pen then moves along each stroke as a
mouse or a finger reports it: points 0.6 to 2 cells apart (a slow or a quick
hand), each off the path by a small tremor, rounded to 0.1 cell (one CSS pixel
of the explorer's 280-pixel grid).

Two sets, from different seeds: "dev" to tune the training's augmentation and
"test", held out and only measured at the end (convviz/drawn_digits.py).
"""

import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from convviz.seeded_random import SeededRandom  # noqa: E402

TARGET = ROOT / "convviz" / "drawn_digit_strokes.py"
SETS = {"dev": (20, 19), "test": (40, 2027)}  # name: (drawings per digit, seed)


def arc(cx, cy, rx, ry, start, stop, steps=12):
    """Points on an ellipse from angle start to stop (degrees, y down: 90 is the bottom)."""
    return [
        (
            cx + rx * math.cos(math.radians(start + (stop - start) * i / steps)),
            cy + ry * math.sin(math.radians(start + (stop - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]


def smooth(points, per_segment=6):
    """A Catmull-Rom curve through the points (ends repeated)."""
    padded = [points[0], *points, points[-1]]
    out = []
    for i in range(1, len(padded) - 2):
        p0, p1, p2, p3 = padded[i - 1 : i + 3]
        for k in range(per_segment):
            t = k / per_segment
            out.append(
                tuple(
                    0.5
                    * (
                        2 * p1[c]
                        + (-p0[c] + p2[c]) * t
                        + (2 * p0[c] - 5 * p1[c] + 4 * p2[c] - p3[c]) * t * t
                        + (-p0[c] + 3 * p1[c] - 3 * p2[c] + p3[c]) * t * t * t
                    )
                    for c in range(2)
                )
            )
    out.append(points[-1])
    return out


# Each style: a list of strokes, each stroke a list of pieces ("line" or "curve", control points).
STYLES = {
    0: {
        "oval anticlockwise": [[("arc", (0.5, 0.5, 0.5, 0.5, -90, -455))]],
        "oval clockwise": [[("arc", (0.5, 0.5, 0.5, 0.5, -90, 265))]],
        "pointed": [
            [
                (
                    "curve",
                    [
                        (0.55, 0.0),
                        (0.15, 0.25),
                        (0.05, 0.6),
                        (0.45, 1.0),
                        (0.9, 0.7),
                        (0.85, 0.2),
                        (0.5, 0.02),
                    ],
                )
            ]
        ],
    },
    1: {
        "stick": [[("line", [(0.5, 0.0), (0.5, 1.0)])]],
        "flag": [[("line", [(0.25, 0.3), (0.6, 0.0), (0.6, 1.0)])]],
        "flag and base": [
            [("line", [(0.25, 0.28), (0.55, 0.0), (0.55, 1.0)])],
            [("line", [(0.1, 1.0), (1.0, 1.0)])],
        ],
    },
    2: {
        "swan": [
            [
                ("curve", [(0.08, 0.25), (0.35, 0.02), (0.75, 0.05), (0.88, 0.3), (0.55, 0.65), (0.05, 1.0)]),
                ("line", [(0.05, 1.0), (0.95, 1.0)]),
            ]
        ],
        "looped": [
            [
                ("curve", [(0.1, 0.2), (0.45, 0.0), (0.85, 0.2), (0.6, 0.6), (0.25, 0.88), (0.1, 0.98)]),
                ("curve", [(0.1, 0.98), (0.2, 0.8), (0.4, 0.88), (0.65, 0.98), (0.95, 0.95)]),
            ]
        ],
        "angular": [
            [
                ("curve", [(0.1, 0.2), (0.5, 0.0), (0.9, 0.22)]),
                ("line", [(0.9, 0.22), (0.05, 1.0), (0.95, 1.0)]),
            ]
        ],
    },
    3: {
        "round": [
            [
                ("curve", [(0.08, 0.15), (0.5, 0.0), (0.88, 0.2), (0.75, 0.42), (0.4, 0.5)]),
                ("curve", [(0.4, 0.5), (0.85, 0.6), (0.9, 0.85), (0.5, 1.0), (0.05, 0.85)]),
            ]
        ],
        "flat top": [
            [
                ("line", [(0.08, 0.0), (0.9, 0.0), (0.4, 0.4)]),
                ("curve", [(0.4, 0.4), (0.85, 0.55), (0.9, 0.82), (0.5, 1.0), (0.05, 0.85)]),
            ]
        ],
    },
    4: {
        "closed": [[("line", [(0.7, 1.0), (0.7, 0.0), (0.0, 0.68), (1.0, 0.68)])]],
        "open": [
            [("line", [(0.3, 0.0), (0.05, 0.62), (0.95, 0.62)])],
            [("line", [(0.72, 0.08), (0.72, 1.0)])],
        ],
        "open, tall stem": [
            [("line", [(0.12, 0.0), (0.08, 0.55), (0.95, 0.55)])],
            [("line", [(0.75, 0.0), (0.7, 1.0)])],
        ],
    },
    5: {
        "bar last": [
            [
                ("line", [(0.18, 0.0), (0.12, 0.45)]),
                ("curve", [(0.12, 0.45), (0.55, 0.36), (0.9, 0.6), (0.8, 0.9), (0.4, 1.0), (0.05, 0.88)]),
            ],
            [("line", [(0.18, 0.0), (0.92, 0.0)])],
        ],
        "one stroke": [
            [
                ("line", [(0.92, 0.0), (0.18, 0.0), (0.12, 0.45)]),
                ("curve", [(0.12, 0.45), (0.55, 0.36), (0.9, 0.6), (0.8, 0.9), (0.4, 1.0), (0.05, 0.88)]),
            ]
        ],
    },
    6: {
        "round": [
            [
                (
                    "curve",
                    [
                        (0.8, 0.02),
                        (0.4, 0.15),
                        (0.1, 0.55),
                        (0.2, 0.9),
                        (0.5, 1.0),
                        (0.85, 0.82),
                        (0.8, 0.58),
                        (0.5, 0.48),
                        (0.15, 0.65),
                    ],
                )
            ]
        ],
        "straight stem": [
            [
                ("line", [(0.75, 0.0), (0.12, 0.7)]),
                ("curve", [(0.12, 0.7), (0.3, 0.98), (0.7, 0.98), (0.88, 0.75), (0.6, 0.5), (0.2, 0.6)]),
            ]
        ],
    },
    7: {
        "plain": [[("line", [(0.0, 0.0), (1.0, 0.0), (0.35, 1.0)])]],
        "with bar": [
            [("line", [(0.0, 0.0), (1.0, 0.0), (0.4, 1.0)])],
            [("line", [(0.3, 0.52), (0.9, 0.48)])],
        ],
        "hooked": [[("line", [(0.0, 0.2), (0.02, 0.0), (1.0, 0.0), (0.45, 1.0)])]],
        "curved stem": [
            [("line", [(0.0, 0.02), (1.0, 0.0)]), ("curve", [(1.0, 0.0), (0.62, 0.45), (0.45, 1.0)])]
        ],
    },
    8: {
        "one stroke": [
            [
                (
                    "curve",
                    [
                        (0.82, 0.15),
                        (0.5, 0.0),
                        (0.18, 0.15),
                        (0.25, 0.38),
                        (0.75, 0.62),
                        (0.85, 0.86),
                        (0.5, 1.0),
                        (0.15, 0.86),
                        (0.25, 0.62),
                        (0.75, 0.38),
                        (0.82, 0.15),
                        (0.55, 0.0),
                    ],
                )
            ]
        ],
        "two loops": [
            [("arc", (0.5, 0.24, 0.34, 0.24, 90, 450))],
            [("arc", (0.5, 0.73, 0.48, 0.27, -90, 270))],
        ],
    },
    9: {
        "straight tail": [
            [("arc", (0.45, 0.3, 0.42, 0.3, -10, -370))],
            [("line", [(0.87, 0.2), (0.85, 1.0)])],
        ],
        "one stroke": [[("arc", (0.45, 0.3, 0.42, 0.3, -20, -360)), ("line", [(0.87, 0.3), (0.8, 1.0)])]],
        "curved tail": [
            [
                ("arc", (0.48, 0.3, 0.42, 0.3, 0, -360)),
                ("curve", [(0.9, 0.3), (0.85, 0.75), (0.5, 1.0), (0.15, 0.92)]),
            ]
        ],
    },
}


class Hand:
    """The random choices of one set of drawings."""

    def __init__(self, seed):
        self.random = SeededRandom(seed)

    def between(self, low, high):
        return low + (high - low) * self.random.uniform()


def stroke_path(pieces, hand):
    """The stroke's path in the unit box, its control points moved by this hand."""
    path = []
    for kind, spec in pieces:
        if kind == "arc":
            cx, cy, rx, ry, start, stop = spec
            points = arc(
                cx + hand.between(-0.04, 0.04),
                cy + hand.between(-0.04, 0.04),
                rx * hand.between(0.9, 1.05),
                ry * hand.between(0.9, 1.05),
                start + hand.between(-15, 15),
                stop + hand.between(-20, 20),
                steps=16,
            )
        else:
            moved = [(x + hand.between(-0.05, 0.05), y + hand.between(-0.05, 0.05)) for x, y in spec]
            if path:  # a piece starts where the previous one ended
                moved[0] = path[-1]
            points = smooth(moved) if kind == "curve" else moved
        path.extend(points if not path else points[1:])
    return path


def place(strokes, hand):
    """Unit-box strokes -> grid strokes: width, slant, turn, height and position of this drawing."""
    height = hand.between(12, 24)
    aspect = hand.between(0.45, 0.9)
    slant = hand.between(-0.4, 0.4)  # x moved by slant · (rise above the middle): > 0 leans right
    turn = math.radians(hand.between(-8, 8))
    cos, sin = math.cos(turn), math.sin(turn)
    shaped = []
    for stroke in strokes:
        points = []
        for x, y in stroke:
            u, v = (x - 0.5) * aspect * height, (y - 0.5) * height
            u -= slant * v
            points.append((u * cos - v * sin, u * sin + v * cos))
        shaped.append(points)
    xs = [p[0] for s in shaped for p in s]
    ys = [p[1] for s in shaped for p in s]
    # Fit into the grid: a glyph taller than 27 cells after slanting and turning is shrunk.
    fit = min(1.0, 27.0 / (max(xs) - min(xs)), 27.0 / (max(ys) - min(ys)))
    width, tall = (max(xs) - min(xs)) * fit, (max(ys) - min(ys)) * fit
    left = hand.between(0.5, 27.5 - width)
    top = hand.between(0.5, 27.5 - tall)
    placed = [[(left + (x - min(xs)) * fit, top + (y - min(ys)) * fit) for x, y in s] for s in shaped]
    return placed, round(height * fit, 1), (left + width / 2, top + tall / 2)


def pen_points(path, hand):
    """The points a pointer reports along a path: steps of 0.6-2 cells, a tremor, 0.1-cell pixels."""
    step = hand.between(0.6, 2.0)
    tremor = hand.between(0.0, 0.25)
    out, carried = [path[0]], 0.0
    for (ax, ay), (bx, by) in zip(path, path[1:]):
        length = math.hypot(bx - ax, by - ay)
        at = step - carried
        while at < length:
            out.append((ax + (bx - ax) * at / length, ay + (by - ay) * at / length))
            at += step
        carried = length - (at - step)
    out.append(path[-1])
    shaken = [(x + hand.between(-tremor, tremor), y + hand.between(-tremor, tremor)) for x, y in out]
    return [(min(max(round(x * 10), 0), 280), min(max(round(y * 10), 0), 280)) for x, y in shaken]


def drawings(name, per_digit, seed):
    hand = Hand(seed)
    for digit in range(10):
        styles = sorted(STYLES[digit])
        for n in range(per_digit):
            style = styles[n % len(styles)]
            unit = [stroke_path(pieces, hand) for pieces in STYLES[digit][style]]
            placed, height, centre = place(unit, hand)
            strokes = [pen_points(stroke, hand) for stroke in placed]
            yield name, digit, style, height, centre, strokes


def entry(name, digit, style, height, centre, strokes):
    """One line of the data file: set;digit;style;height;centre x,y;strokes (x,y in tenths of a cell)."""
    coded = "|".join(" ".join(f"{x},{y}" for x, y in stroke) for stroke in strokes)
    return f"{name};{digit};{style};{height};{centre[0]:.1f},{centre[1]:.1f};{coded}"


def main():
    lines = [
        entry(*drawing) for name, (count, seed) in SETS.items() for drawing in drawings(name, count, seed)
    ]
    body = "\n".join(f"    {json.dumps(line)}," for line in lines)
    TARGET.write_text(
        '"""Drawings of the ten digits made by the project, as pointer strokes (written by\n'
        "tools/make_drawn_digits.py; read them with convviz.drawn_digits, do not edit by hand).\n\n"
        "Each entry: set;digit;style;height in cells;centre x,y of its box;strokes, separated by |,\n"
        'each a list of x,y points in tenths of a grid cell (0-280).\n"""\n\n'
        f"DRAWINGS = (\n{body}\n)\n"
    )
    print(f"wrote {len(lines)} drawings, {TARGET.stat().st_size:,} bytes, to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
