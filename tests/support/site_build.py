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


def gallery_stamps(tree):
    """{gallery md5 file: (inode, mtime)}: sphinx-gallery rewrites a script's md5 file when it runs it."""
    gallery = tree / "docs" / "auto_examples"
    return {path: (path.stat().st_ino, path.stat().st_mtime_ns) for path in gallery.rglob("*.py.md5")}


def build_in_process(tree, modules=("tinypkg",)):
    """Build a small site (conf.py at its top, pages in docs/) in this process as ``make html`` does.

    Returns (exit status, everything printed, the scripts sphinx-gallery ran). Modules of the
    tree imported by an earlier build are forgotten first (a new process would not have them).
    """
    import contextlib
    import io

    import matplotlib.pyplot as plt

    from coursesite.build import build

    for name in [n for n in sys.modules if n.split(".")[0] in modules]:
        del sys.modules[name]
    plt.close("all")  # a script that failed left its figures open
    before = gallery_stamps(tree)
    printed = io.StringIO()
    writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
            status = build(str(tree / "docs"), str(tree / "_build" / "html"), confdir=str(tree), strict=True)
    finally:
        sys.dont_write_bytecode = writes_bytecode
    return status, printed.getvalue(), scripts_run(tree, before)


# The variables that make Sphinx colour its log even into a pipe (sphinx._cli.util.colour; CI
# services set CI=true): the builds here log as ``make html`` does when its output goes to a file.
COLOUR_FORCING = ("FORCE_COLOR", "FORCE_COLOUR", "CI")


def build_command(tree, *options):
    """(command, environment) of the build ``make html`` runs, for a small site in tree, in a new process."""
    from coursesite.paths import ROOT

    command = [sys.executable, "-m", "coursesite.build", "-W", "-c", str(tree), *options]
    command += [str(tree / "docs"), str(tree / "_build" / "html")]
    env = {name: value for name, value in os.environ.items() if name not in COLOUR_FORCING}
    return command, {**env, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def build_in_subprocess(tree, figure_jobs):
    """Build a small site as build_in_process does, in a new process (as ``make html`` does), its
    figure scripts in figure_jobs worker processes: workers that start afresh, as they do for
    ``make html``, not ones an earlier build of another tree left, holding that tree's modules."""
    from coursesite.paths import ROOT

    before = gallery_stamps(tree)
    command, env = build_command(tree, "--figure-jobs", str(figure_jobs))
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return result.returncode, result.stdout + result.stderr, scripts_run(tree, before)


def scripts_run(tree, before):
    """The scripts whose gallery md5 file changed since the stamps before (sphinx-gallery ran them)."""
    after = gallery_stamps(tree)
    return sorted(
        path.relative_to(tree / "docs" / "auto_examples").as_posix()[: -len(".md5")]
        for path, stamp in after.items()
        if before.get(path) != stamp
    )
