"""Running the fixture's download, and reading a number another script saved."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_tool(side):
    """What downloads/tool.py's describe() says about a square of that side."""
    return runpy.run_path(str(ROOT / "downloads" / "tool.py"))["describe"](side)


def saved_side():
    """The side plot_01_square.py saved, read from its numbers file."""
    text = (ROOT / "docs" / "_generated" / "square_numbers.txt").read_text()
    return int(text.split("replace::")[1])
