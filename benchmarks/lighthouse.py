"""Lighthouse scores of the built site, on its phone settings, with the site served compressed.

Usage: python benchmarks/lighthouse.py [PAGE ...]

Serves _build/html on 127.0.0.1 with gzip, as GitHub Pages and Read the Docs
serve it, runs the Lighthouse command line (the npm package ``lighthouse``,
found on PATH or in ./node_modules/.bin) against Chromium for the landing page
and every module page, and prints performance, accessibility, best practices
and SEO per page. Installs nothing: without Lighthouse it says so in one line
and stops. Scores depend on the machine and its load; they are reported here,
never asserted by a test.
"""

import contextlib
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from convviz.paths import HTML_DIR, ROOT  # noqa: E402

PAGES = [
    "index.html",
    "module_9_2_2/index.html",
    "module_9_2_2/inside_a_conv_layer.html",
    "module_9_2_2/trained_network.html",
]
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
COMPRESSED = {".html", ".css", ".js", ".svg", ".json", ".txt", ".map"}
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)


class CompressingHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, text files gzip-compressed when the browser accepts it."""

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and path.suffix in COMPRESSED and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        return _Body(body)

    def log_message(self, *args):
        pass


class _Body:
    """A file-like body for SimpleHTTPRequestHandler.copyfile."""

    def __init__(self, data):
        self.data = data

    def read(self, size=-1):
        data, self.data = self.data, b""
        return data

    def close(self):
        pass


def find_lighthouse():
    """The lighthouse command, or None."""
    local = ROOT / "node_modules" / ".bin" / "lighthouse"
    if local.is_file():
        return str(local)
    return shutil.which("lighthouse")


@contextlib.contextmanager
def serve(folder):
    """Serve folder with compression on a free port; yield the base URL."""
    handler = partial(CompressingHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


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


def main(argv=None):
    pages = (sys.argv[1:] if argv is None else argv) or PAGES
    lighthouse = find_lighthouse()
    if lighthouse is None:
        print("lighthouse: not installed (npm install lighthouse), skipped")
        return 0
    chrome = os.environ.get("CHROME_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(HTML_DIR, "index.html").is_file():
        print(f"lighthouse: no built site in {HTML_DIR} (run make html first), skipped")
        return 0
    print(f"Lighthouse, mobile settings, site served gzip-compressed from {HTML_DIR}")
    print(f"{'page':44s} {'perf':>5s} {'a11y':>5s} {'best':>5s} {'seo':>5s}")
    failed = 0
    with serve(HTML_DIR) as base:
        for page in pages:
            if not Path(HTML_DIR, page).is_file():
                print(f"{page:44s} not built, skipped")
                continue
            try:
                result = scores(lighthouse, base + page, chrome)
            except (RuntimeError, subprocess.TimeoutExpired) as error:
                print(f"{page:44s} failed: {error}")
                failed += 1
                continue
            print(f"{page:44s} " + " ".join(f"{result[name]:5d}" for name in CATEGORIES))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
