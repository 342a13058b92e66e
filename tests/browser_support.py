"""Fixtures for the browser tests: the built site served on 127.0.0.1 and a headless Chromium."""

import functools
import http.server
import threading

import pytest
from chromium import HOW_TO_GET_ONE, find_chromium, skip_requested

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def server(site):
    """Serve _build/html under a sub-path (/course/), as a static host might; yield the base URL."""
    root = site.parent / "serve-root"
    root.mkdir(exist_ok=True)
    link = root / "course"
    if not link.exists():
        link.symlink_to(site.resolve(), target_is_directory=True)
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/course/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    if skip_requested():
        pytest.skip("SKIP_BROWSER_TESTS is set")
    path = find_chromium()
    if path is None:
        pytest.fail(HOW_TO_GET_ONE)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
