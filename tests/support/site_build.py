"""Building the site in a scratch tree with the Makefile's own command and this virtual environment."""

import os
import re
import subprocess
import sys
from pathlib import Path

VENV = Path(sys.prefix)


def make(tree, *targets, epoch="1700000000", timeout=900):
    """Run ``make <targets>`` in tree with this venv; return the CompletedProcess (text output)."""
    return subprocess.run(
        ["make", "--no-print-directory", *targets, f"VENV={VENV}"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": epoch},
        timeout=timeout,
    )


def executed_scripts(log):
    """How many figure scripts sphinx-gallery ran, from its summary line (0 when it ran none)."""
    found = re.search(r"successfully executed (\d+) out of (\d+) file", log)
    return int(found.group(1)) if found else 0


def make_html(tree, epoch="1700000000"):
    """Build tree's site; fail with the end of the log if the build fails. Returns (scripts run, log)."""
    result = make(tree, "html", epoch=epoch)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    return executed_scripts(result.stdout), log
