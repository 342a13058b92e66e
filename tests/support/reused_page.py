"""One browser page that the tests of a module share, put back as new between tests; and
:class:`KeptPage`, one page kept loaded for the tests that set everything they read.

A new page costs a browser context and a renderer process (about 0.6-1 s on these
machines before it has loaded anything); navigating a page that is already open
costs about 0.2 s. So the ``page`` fixture lends the tests of a module one page, and
between two tests :meth:`ReusedPage.put_back` returns it to what a new page is:

- listeners (``page.on``/``once``) and init scripts (``add_init_script``) the test
  added are removed; routes are removed (``unroute_all``);
- viewport and media emulation (``set_viewport_size``, ``emulate_media``) are reset;
- the storage of the origin the test ended on is emptied (from that origin's root,
  since pages write to it as they are left), the page is left on about:blank with
  mouse and modifier keys released, and the browser's cache and cookies are emptied,
  as in a new context.

A test that does something that cannot be undone (exposes a function, sets headers
or timeouts, touches ``page.context`` or ``page.clock``, closes the page), or that
fails, gets the page to itself: the next test opens a new one.
"""

import contextlib
from urllib.parse import urlsplit

from playwright.sync_api import Page

#: The viewport of every new page (what the tests wrote before pages were shared).
VIEWPORT = {"width": 1280, "height": 900}

#: Page members whose effect on the page cannot be undone by put_back.
IRREVERSIBLE = (
    "expose_function",
    "expose_binding",
    "set_extra_http_headers",
    "add_locator_handler",
    "set_default_timeout",
    "set_default_navigation_timeout",
    "route_from_har",
    "route_web_socket",
    "close",
    "pause",
)
IRREVERSIBLE_PROPERTIES = ("context", "clock")

_MODIFIERS = ("Shift", "Control", "Alt", "Meta")
_EMULATION_RESET = {
    "media": "null",
    "color_scheme": "null",
    "reduced_motion": "null",
    "forced_colors": "null",
    "contrast": "null",
}


class ReusedPage:
    """Lends one page of a fresh context to test after test; see the module docstring."""

    def __init__(self, browser):
        self.browser = browser
        self.context = self.page = None
        self.undo = []
        self.reusable = True

    def lend(self, monkeypatch):
        """The page for one test, with the members that change it watched through monkeypatch."""
        if self.page is None or self.page.is_closed():
            self.close()
            self.context = self.browser.new_context(viewport=VIEWPORT)
            self.page = self.context.new_page()
            self.devtools = self.context.new_cdp_session(self.page)
        self.undo, self.reusable = [], True
        self._watch(monkeypatch)
        return self.page

    def put_back(self, failed):
        """Undo what the test changed, or close the page if that is not possible (or the test failed)."""
        if failed or not self.reusable:
            self.close()
            return
        try:
            self._reset()
        except Exception:
            self.close()
            raise

    def _reset(self):
        page = self.page
        for step in reversed(self.undo):
            step()
        page.unroute_all(behavior="ignoreErrors")
        url = urlsplit(page.url)
        if url.scheme in ("http", "https", "file"):
            # Storage is cleared from a document of the same origin without scripts of its own
            # (the server's or the file system's listing): pages write to it as they are left.
            page.goto(f"{url.scheme}://{url.netloc}/")
            page.evaluate("() => { localStorage.clear(); sessionStorage.clear(); }")
        page.goto("about:blank")
        page.mouse.up()
        for key in _MODIFIERS:
            page.keyboard.up(key)
        self.devtools.send("Network.clearBrowserCache")
        self.devtools.send("Network.clearBrowserCookies")
        for other in self.context.pages:
            if other is not page:
                other.close()

    def close(self):
        if self.context is not None:
            with contextlib.suppress(Exception):
                self.context.close()
        self.context = self.page = None

    def _watch(self, monkeypatch):
        """Record how to undo page.on/once/add_init_script/set_viewport_size/emulate_media; flag the rest."""
        reused = self

        def ours(page):
            return reused.page is not None and page._impl_obj is reused.page._impl_obj

        def undoable(name, undo_for):
            original = getattr(Page, name)

            def watched(page, *args, **kwargs):
                result = original(page, *args, **kwargs)
                if ours(page):
                    reused.undo.append(undo_for(page, result, *args, **kwargs))
                return result

            monkeypatch.setattr(Page, name, watched)

        def removal(page, _, event, f):
            def remove():
                with contextlib.suppress(KeyError):  # a once-listener that already ran is gone
                    page.remove_listener(event, f)

            return remove

        undoable("on", removal)
        undoable("once", removal)
        undoable("add_init_script", lambda page, script, *a, **k: script.close)
        undoable("set_viewport_size", lambda page, *a, **k: lambda: page.set_viewport_size(VIEWPORT))
        undoable("emulate_media", lambda page, *a, **k: lambda: page.emulate_media(**_EMULATION_RESET))

        for name in IRREVERSIBLE:
            original = getattr(Page, name)

            def flagged(page, *args, _original=original, **kwargs):
                if ours(page):
                    reused.reusable = False
                return _original(page, *args, **kwargs)

            monkeypatch.setattr(Page, name, flagged)
        for name in IRREVERSIBLE_PROPERTIES:
            getter = getattr(Page, name).fget

            def flagged_property(page, _getter=getter):
                if ours(page):
                    reused.reusable = False
                return _getter(page)

            monkeypatch.setattr(Page, name, property(flagged_property))


class KeptPage:
    """One page of a new context, loaded once and kept for the tests of a module that set everything
    they read (a picked digit and a clicked unit, every control of the explorer): loading a module page
    costs its renderer 0.4-0.9 s of CPU, so each such test that needs no new page saves that.

    :meth:`lend` gives the page to a test; :meth:`take_back` checks that the page logged no error
    meanwhile and, after a failed test, loads the page again for the next one."""

    def __init__(self, browser, url, ready):
        self.url, self.ready, self.errors = url, ready, []
        self.context = browser.new_context(viewport=VIEWPORT)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.load()

    def load(self):
        self.errors.clear()
        self.page.goto(self.url)
        self.page.wait_for_function(self.ready)

    def lend(self):
        return self.page

    def take_back(self, failed):
        errors = list(self.errors)
        if failed or errors:
            self.load()
        assert errors == [], errors

    def close(self):
        self.context.close()


def lent(kept, request):
    """Yield kept's page to the test of request and take it back afterwards (for a fixture)."""
    yield kept.lend()
    report = getattr(request.node, "report_call", None)
    kept.take_back(failed=report is None or report.failed)
