"""Build the site beside the published one, and put it in its place only when the build succeeds.

    python -m coursesite.build [-c CONFDIR] [-b BUILDER] [-W] [--keep-going] [-E] [-q] [-v] [-j N]
                               [--figure-jobs N] SRC OUT

``make html`` runs this. Sphinx writes into ``OUTPUTDIR.next``, a copy of
OUTPUTDIR with its doctrees, so it rebuilds only what changed; when the build
succeeds, the two folders swap. A build that fails, is interrupted (Ctrl-C,
SIGTERM, SIGHUP) or is killed leaves OUTPUTDIR as it was. A figure script that
fails is reported in one line: the script, its line and the error, whether it
ran in this process or in one of ``--figure-jobs`` worker processes.
"""

import argparse
import gc
import os
import shutil
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from coursesite import recording, shared_training

#: The signals that stop a build; during the swap they wait until it is done.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Folders:
    """The published output folder, the one a build writes into, and the one it replaces."""

    def __init__(self, outdir):
        self.published = Path(outdir).resolve()
        self.next = self.published.with_name(self.published.name + ".next")
        self.previous = self.published.with_name(self.published.name + ".previous")

    def start(self):
        """Recover from a build that died mid-swap, then make the next folder a copy of the published one."""
        if self.previous.exists():
            if self.published.exists():
                shutil.rmtree(self.previous)
            else:
                self.previous.rename(self.published)
        if self.next.exists():
            shutil.rmtree(self.next)
        if self.published.is_dir():
            shutil.copytree(self.published, self.next, symlinks=True)  # mtimes kept: Sphinx compares them
        else:
            self.next.mkdir(parents=True)

    def publish(self):
        """Put the next folder in place of the published one, signals held off until both renames are done."""
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            if self.published.exists():
                self.published.rename(self.previous)
            self.next.rename(self.published)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        shutil.rmtree(self.previous, ignore_errors=True)

    def discard(self):
        shutil.rmtree(self.next, ignore_errors=True)


@contextmanager
def stops_as_interrupts():
    """SIGTERM and SIGHUP raise KeyboardInterrupt, as Ctrl-C does, so the build can clean up."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt(signal.Signals(signum).name)

    if threading.current_thread() is not threading.main_thread():  # only the main thread takes signals
        yield
        return
    previous = {number: signal.signal(number, interrupt) for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def run_sphinx(
    sourcedir, confdir, outdir, builder, strict, freshenv, quiet, verbosity=0, jobs=0, figure_jobs=1
):
    """Build with Sphinx in this process, as sphinx-build does; return its status (0: success)."""
    from sphinx.application import Sphinx
    from sphinx.util.console import disable_colour, terminal_supports_colour
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    if not terminal_supports_colour():
        disable_colour()
    with patch_docutils(confdir), docutils_namespace():
        app = Sphinx(
            srcdir=sourcedir,
            confdir=confdir,
            outdir=outdir,
            doctreedir=Path(outdir) / ".doctrees",
            buildername=builder,
            status=None if quiet else sys.stdout,
            warning=sys.stderr,
            freshenv=freshenv,
            warningiserror=strict,
            verbosity=verbosity,
            parallel=jobs,
            confoverrides={"course_figure_jobs": figure_jobs},
        )
        app.build()
        return app.statuscode


def original_error(error):
    """The exception a Sphinx ExtensionError wraps (sphinx-gallery re-raises a script's own), or error."""
    while getattr(error, "orig_exc", None) is not None:
        error = error.orig_exc
    return error


def script_failure(error):
    """One line: which figure script failed, at which of its lines, with what (None: no script failed)."""
    if isinstance(error, recording.DuplicateOutput):
        return f"error: {error}"
    place = recording.failure_place(error)
    if place is None:
        return None
    script, line = place
    where = f" at line {line}" if line else ""
    cause = f"{type(error).__name__}: {error}".strip().splitlines()[0] if str(error) else type(error).__name__
    return f"error: figure script {script} failed{where}: {cause}"


def report_error(error, folders):
    """A Sphinx error in a few lines (the traceback for any other: a bug of the build); status 2."""
    from sphinx.errors import ExtensionError, SphinxError

    if not isinstance(error, SphinxError) or isinstance(error, ExtensionError) and error.orig_exc:
        raise error
    print(f"error: {error.category}: {error}", file=sys.stderr)
    print(f"{folders.published} still holds the previous site", file=sys.stderr)
    return 2


def build(
    sourcedir,
    outdir,
    confdir=None,
    builder="html",
    strict=True,
    freshenv=False,
    quiet=False,
    verbosity=0,
    jobs=0,
    figure_jobs=1,
):
    """Build sourcedir into outdir beside the site already there; return an exit status (0: published)."""
    folders = Folders(outdir)
    confdir = sourcedir if confdir is None else confdir
    try:
        with stops_as_interrupts():
            folders.start()
            status = run_sphinx(
                sourcedir,
                confdir,
                folders.next,
                builder,
                strict,
                freshenv,
                quiet,
                verbosity,
                jobs,
                figure_jobs,
            )
    except KeyboardInterrupt:
        script = recording.running_script()
        recording.use_project(None)
        folders.discard()
        during = f" while {script} ran" if script else ""
        print(f"interrupted{during}: {folders.published} still holds the previous site", file=sys.stderr)
        return 130
    except (Exception, SystemExit) as error:
        message = script_failure(original_error(error))
        recording.use_project(None)
        folders.discard()
        if message is None:
            return report_error(error, folders)
        print(message, file=sys.stderr)
        print(f"{folders.published} still holds the previous site", file=sys.stderr)
        return 2
    finally:
        shared_training.stop()  # also when Sphinx ended without its build-finished event (Ctrl-C)
    if status != 0:
        folders.discard()
        print(f"error: the build failed; {folders.published} still holds the previous site", file=sys.stderr)
        return status
    folders.publish()
    if not quiet:
        print(f"The site is in {folders.published}.")
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m coursesite.build", description=__doc__.splitlines()[0])
    parser.add_argument("sourcedir")
    parser.add_argument("outputdir")
    parser.add_argument("-c", dest="confdir", help="folder of conf.py (default: SOURCEDIR)")
    parser.add_argument("-b", dest="builder", default="html")
    parser.add_argument("-W", dest="strict", action="store_true", help="warnings fail the build")
    parser.add_argument("--keep-going", action="store_true", help="accepted for sphinx-build's sake")
    parser.add_argument("-E", dest="freshenv", action="store_true", help="read every page again")
    parser.add_argument("-q", dest="quiet", action="store_true", help="only warnings and errors")
    parser.add_argument("-v", dest="verbosity", action="count", default=0, help="more detail")
    parser.add_argument("-j", dest="jobs", type=int, default=0, help="processes reading and writing pages")
    parser.add_argument(
        "--figure-jobs", type=int, default=1, help="processes running the figure scripts (default 1)"
    )
    args = parser.parse_args(argv)
    options = {
        key: getattr(args, key) for key in ("confdir", "builder", "strict", "freshenv", "quiet", "verbosity")
    }
    if args.figure_jobs < 1:
        parser.error(f"--figure-jobs must be 1 or more, got {args.figure_jobs}")
    return build(args.sourcedir, args.outputdir, jobs=args.jobs, figure_jobs=args.figure_jobs, **options)


if __name__ == "__main__":
    os.environ.setdefault("MPLBACKEND", "Agg")
    status = main()
    # The build leaves its environment and the pages' trees in memory; Python's last collection
    # would walk all of them as it ends (about 0.5 s of a clean build) to free memory the process
    # returns anyway. Frozen objects are left out of it; the exit handlers still run.
    gc.freeze()
    sys.exit(status)
