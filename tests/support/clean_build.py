"""A clean build of the real site in a scratch copy of the tree, for the test that compares it with
the site's own build (tests/test_build_cache.py).

``make test`` starts it in the background just before it builds the site itself, so that the two
builds run side by side (one per core) instead of one after the other:

    python tests/support/clean_build.py start    # copy the tree, build the copy in the background

The test then takes the result with :func:`awaited`, which waits for that build if it belongs to
the tree as it is now (the same sources, byte for byte) and otherwise builds a copy itself.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # coursesite, when run as a script
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # support

from coursesite.paths import BUILD_DIR, ROOT  # noqa: E402
from support.repo import IGNORED_NAMES, copy_repository  # noqa: E402
from support.site_build import VENV  # noqa: E402

#: Where `start` says which build it started: the scratch tree, the sources' digest.
STATE = BUILD_DIR / "clean-build.json"
#: The build's date (SOURCE_DATE_EPOCH): not the site's own, so that the comparison covers the date.
EPOCH = "1800000000"


def source_digest(root=ROOT):
    """A digest of every file a scratch copy of root holds (names and bytes)."""
    ignored = shutil.ignore_patterns(*IGNORED_NAMES)
    hashed = hashlib.sha256()
    for folder, dirs, files in os.walk(root):
        skip = ignored(folder, dirs + files)
        dirs[:] = sorted(d for d in dirs if d not in skip)
        for name in sorted(f for f in files if f not in skip):
            path = Path(folder) / name
            hashed.update(f"{path.relative_to(root).as_posix()}\0".encode())
            hashed.update(os.readlink(path).encode() if path.is_symlink() else path.read_bytes())
    return hashed.hexdigest()


def build(tree):
    """make html in tree at EPOCH; writes tree/clean-build-result.json (status, scripts run, log)."""
    result = subprocess.run(
        # one process each, beside make test's own build
        ["make", "--no-print-directory", "html", f"VENV={VENV}", "FIGURE_JOBS=1", "PAGE_JOBS=1"],
        cwd=tree / "site",
        capture_output=True,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
        timeout=900,
    )
    outcome = {"status": result.returncode, "log": result.stdout + result.stderr, "stdout": result.stdout}
    partial = tree / "clean-build-result.json.partial"
    partial.write_text(json.dumps(outcome))
    partial.replace(tree / "clean-build-result.json")


def start():
    """Copy the tree into a new scratch folder and build it there in a background process."""
    forget()
    scratch = Path(tempfile.mkdtemp(prefix="course-clean-build-"))
    digest = source_digest()
    copy_repository(scratch / "site")
    subprocess.Popen(
        [sys.executable, __file__, "build", str(scratch)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    BUILD_DIR.mkdir(exist_ok=True)
    STATE.write_text(json.dumps({"scratch": str(scratch), "digest": digest}))


def forget():
    """Remove the state of an earlier start and its scratch tree."""
    try:
        state = json.loads(STATE.read_text())
    except (OSError, ValueError):
        return
    STATE.unlink(missing_ok=True)
    shutil.rmtree(state.get("scratch", ""), ignore_errors=True)


def awaited(scratch_parent, timeout=900):
    """(tree, status, stdout, log) of a clean build of the tree as it is now.

    The build `start` began, when its sources are the tree's; else a new one in scratch_parent.
    """
    try:
        state = json.loads(STATE.read_text())
    except (OSError, ValueError):
        state = None
    if state and state.get("digest") == source_digest() and Path(state["scratch"], "site").is_dir():
        STATE.unlink(missing_ok=True)  # used once: the tests go on to edit and rebuild that tree
        scratch = Path(state["scratch"])
        deadline = time.monotonic() + timeout
        while not (scratch / "clean-build-result.json").is_file():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the background clean build in {scratch} did not finish in {timeout} s")
            time.sleep(0.5)
    else:
        scratch = Path(scratch_parent)
        copy_repository(scratch / "site")
        build(scratch)
    outcome = json.loads((scratch / "clean-build-result.json").read_text())
    return scratch / "site", outcome["status"], outcome["stdout"], outcome["log"]


if __name__ == "__main__":
    if sys.argv[1:] == ["start"]:
        start()
    elif len(sys.argv) == 3 and sys.argv[1] == "build":
        build(Path(sys.argv[2]))
    else:
        sys.exit("usage: clean_build.py start | build SCRATCH")
