"""Lighthouse scores of the built site, on its phone settings, with the site served compressed.

Usage: python benchmarks/lighthouse.py [--runs N] [PAGE ...]

Serves _build/html on 127.0.0.1 with gzip, as GitHub Pages and Read the Docs
serve it (tests/support/server.py, the server the browser tests use), runs the
Lighthouse command line (the npm package ``lighthouse``, found in
./node_modules/.bin or on PATH) against Chromium N times (default 3) for the
landing page and every module page, and prints the median of performance,
accessibility, best practices and SEO per page, with the machine's load average.
Installs nothing: without Lighthouse it says so in one line and stops. Simulated
throttling makes the performance score depend on the machine's load; scores are
reported here, never asserted by a test.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the support modules the tests use too

from support.server import serve  # noqa: E402

from coursesite.paths import HTML_DIR  # noqa: E402

PAGES = [
    "index.html",
    "module_9_2_2/index.html",
    "module_9_2_2/inside_a_conv_layer.html",
    "module_9_2_2/trained_network.html",
]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)


def find_lighthouse():
    """The lighthouse command, or None."""
    local = ROOT / "node_modules" / ".bin" / "lighthouse"
    if local.is_file():
        return str(local)
    return shutil.which("lighthouse")


def scores(lighthouse, url, chrome):
    """{category: score 0-100} for one URL, or raises RuntimeError with Lighthouse's message."""
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [
            lighthouse,
            url,
            "--quiet",
            "--output=json",
            f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS} --user-data-dir={folder}/profile",
        ]
        env = dict(os.environ, CHROME_PATH=chrome)
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
        if done.returncode != 0 or not report.is_file():
            raise RuntimeError((done.stderr or done.stdout).strip().splitlines()[-1:] or "no report")
        result = json.loads(report.read_text())
    return {name: round(100 * (result["categories"][name]["score"] or 0)) for name in CATEGORIES}


def load_average():
    """The 1-minute load average, or None where the system does not tell it."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page; the median is shown")
    parser.add_argument("pages", nargs="*", default=PAGES)
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    lighthouse = find_lighthouse()
    if lighthouse is None:
        print("lighthouse: not installed (npm install lighthouse), skipped")
        return 0
    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(HTML_DIR, "index.html").is_file():
        print(f"lighthouse: no built site in {HTML_DIR} (run make html first), skipped")
        return 0
    print(f"Lighthouse, mobile settings, site served gzip-compressed from {HTML_DIR}")
    print(f"median of {args.runs} run(s) per page; load = 1-minute load average before each page's runs")
    print(f"{'page':44s} {'perf':>5s} {'a11y':>5s} {'best':>5s} {'seo':>5s} {'load':>5s}  perf runs")
    failed = 0
    with serve(HTML_DIR, compressed=True) as base:
        for page in args.pages:
            if not Path(HTML_DIR, page).is_file():
                print(f"{page:44s} not built, skipped")
                continue
            load = load_average()
            try:
                runs = [scores(lighthouse, base + page, chrome) for _ in range(args.runs)]
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                print(f"{page:44s} failed: {error}")
                failed += 1
                continue
            median = {name: round(statistics.median(run[name] for run in runs)) for name in CATEGORIES}
            load_text = "  n/a" if load is None else f"{load:5.1f}"
            perf_runs = " ".join(str(run["performance"]) for run in runs)
            columns = " ".join(f"{median[name]:5d}" for name in CATEGORIES)
            print(f"{page:44s} {columns} {load_text}  {perf_runs}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
