"""Find a Chromium for the browser tests; run as a script, say in one line how to get one.

Looked for, in order: $CHROMIUM_PATH; Chromium's headless shell (Debian's
chromium-headless-shell); chromium / chromium-browser / google-chrome on PATH; then the
browser of `playwright install chromium`. Setting SKIP_BROWSER_TESTS=1 skips the browser
tests on purpose.

The headless shell is the same Blink and V8 as the browser without its user interface:
measured here, the browser tests of the quiz and the site pages took 100 s of CPU with it
and 135 s with the full browser, on the same pages and the same Chromium version. It is
what Playwright itself runs for headless tests.
"""

import os
import shutil
import sys

HOW_TO_GET_ONE = (
    "no Chromium found for the browser tests: install Debian's package "
    "(apt-get install chromium-headless-shell, or chromium), "
    "or run `.venv/bin/playwright install chromium`, or set CHROMIUM_PATH=/path/to/chrome; "
    "SKIP_BROWSER_TESTS=1 skips them"
)

#: Where Debian's chromium-headless-shell package installs the binary.
HEADLESS_SHELL = "/usr/lib/chromium/chromium-headless-shell"


def skip_requested():
    return os.environ.get("SKIP_BROWSER_TESTS", "") not in ("", "0")


def find_chromium():
    """Path of a Chromium executable, or None."""
    candidates = [os.environ.get("CHROMIUM_PATH")]
    # Debian's /usr/bin/chromium-headless-shell is a shell script that runs this binary without
    # exec; the binary itself is taken so that closing the browser ends the process Playwright started.
    candidates += [HEADLESS_SHELL, shutil.which("chromium-headless-shell")]
    candidates += [shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome")]
    for path in candidates:
        if path and os.access(path, os.X_OK):
            return path
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
        return path if os.access(path, os.X_OK) else None
    except Exception:
        return None


if __name__ == "__main__":
    if skip_requested() or find_chromium():
        sys.exit(0)
    print(f"error: {HOW_TO_GET_ONE}", file=sys.stderr)
    sys.exit(1)
