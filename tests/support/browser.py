"""Launching the headless Chromium the browser tests and benchmarks use, and reading large results from it."""

import contextlib
import json
import sys

from chromium import HOW_TO_GET_ONE, find_chromium

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


@contextlib.contextmanager
def chromium():
    """Yield a launched playwright Chromium browser; RuntimeError with a one-line hint if none is found."""
    path = find_chromium()
    if path is None:
        raise RuntimeError(HOW_TO_GET_ONE)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def switch_theme(page, mode):
    """Choose mode ("light", "dark" or "auto") in the theme's colour-mode menu, as a reader does: the
    page is restyled in place, not reloaded."""
    menu = page.locator(".theme-switch-container:visible").first
    menu.locator("button.theme-switch-button").click()
    menu.locator(f"button.theme-change-button[data-mode='{mode}']").click()
    page.wait_for_function("(mode) => document.documentElement.dataset.mode === mode", arg=mode)
    assert menu.locator(".dropdown-menu.show").count() == 0, "the menu stays open"
    # The new colours are drawn, and the theme's colour transitions have ended: a check of the
    # colours made in between saw half-changed ones (a contrast scan failed once on the search button).
    page.evaluate(
        """async () => {
          await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
          const moving = document.getAnimations().filter((a) => a instanceof CSSTransition);
          await Promise.all(moving.map((a) => a.finished.catch(() => null)));
        }"""
    )


#: Serializes a value to JSON in the page, keeping what JSON cannot hold: typed arrays become
#: arrays, NaN, ±Infinity and -0 become {"__number__": "NaN"} and so on (decoded by _number).
_TO_JSON = """(value) => JSON.stringify(value, (key, v) =>
  ArrayBuffer.isView(v) ? Array.from(v)
  : Object.is(v, -0) ? {__number__: '-0'}
  : typeof v === 'number' && !Number.isFinite(v) ? {__number__: String(v)}
  : v)"""


def _number(entry):
    return float(entry["__number__"]) if entry.keys() == {"__number__"} else entry


def evaluate_as_json(target, function, arg=None):
    """What target.evaluate(function, arg) returns, sent from the page as one JSON string.

    For large results: Playwright sends a result value by value, which takes about 0.5 s
    for the 65,000 numbers of a 256×256 image here; one JSON string takes 15 ms. The
    numbers arrive bit for bit (JSON writes the shortest exact decimal), NaN, infinities
    and -0 included. target is a Page, a Locator or an ElementHandle (then function
    takes the element first), and function is a JavaScript function, as for evaluate.
    """
    from playwright.sync_api import Page

    call = "(arg)" if isinstance(target, Page) else "(element, arg)"
    text = target.evaluate(f"async {call} => ({_TO_JSON})(await ({function}){call})", arg)
    return None if text is None else json.loads(text, object_hook=_number)


#: The network explorer's page, and the test that it stands (or says why it cannot).
NETWORK_PAGE = "module_9_2_2/trained_network.html"
NETWORK_READY = (
    "window.networkExplorer && (window.networkExplorer.ready() || window.networkExplorer.failure())"
)


def open_network_explorer(page, server):
    """Open the network explorer in page and yield it once it stands; afterwards, no error was logged."""
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(server + NETWORK_PAGE)
    page.wait_for_function(NETWORK_READY)
    assert page.evaluate("window.networkExplorer.failure()") is None
    yield page
    assert errors == []


def run_page_benchmark(html_dir, page, measure, report):
    """The command line of a page benchmark: measure(url, browser) on the built site, report(result)
    prints it and says whether it kept its limits; exit status 0 if so, one line if it cannot run."""

    from support.server import serve

    if not (html_dir / page).exists():
        sys.exit(f"error: {html_dir / page} is missing; run `make html` first")
    try:
        with chromium() as browser, serve(html_dir) as url:
            result = measure(url, browser)
    except RuntimeError as error:
        sys.exit(f"error: {error}")
    return 0 if report(result) else 1
