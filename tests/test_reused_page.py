"""The page the browser tests of a module share comes back as a new page would be."""

import pytest
from support.reused_page import VIEWPORT, KeptPage, ReusedPage

pytestmark = pytest.mark.browser

PAGE = "module_9_2_2/inside_a_conv_layer.html"
STATE = """() => ({
  storage: [...Object.keys(localStorage), ...Object.keys(sessionStorage).map((k) => "session:" + k)].sort(),
  cookies: document.cookie,
  dark: matchMedia('(prefers-color-scheme: dark)').matches,
  width: innerWidth, height: innerHeight,
  planted: window.planted || null,
  styled: getComputedStyle(document.body).display,
})"""


def test_what_a_test_changes_is_gone_for_the_next(browser, server):
    reused = ReusedPage(browser)
    try:
        with pytest.MonkeyPatch.context() as monkeypatch:
            page = reused.lend(monkeypatch)
            page.goto(server + PAGE)
            fresh = page.evaluate(STATE)
            heard = []
            page.on("console", lambda message: heard.append(message.text))
            page.add_init_script("window.planted = 'yes'")
            page.emulate_media(color_scheme="dark" if not fresh["dark"] else "light")
            page.set_viewport_size({"width": 375, "height": 700})
            page.route("**/*.css", lambda route: route.abort())
            page.goto(server + PAGE)
            page.evaluate("() => { localStorage.left = sessionStorage.left = '1'; document.cookie = 'a=1'; }")
            changed = page.evaluate(STATE)
            reused.put_back(failed=False)
        assert (
            changed["planted"] == "yes" and changed["width"] == 375 and changed["styled"] != fresh["styled"]
        )
        assert changed["dark"] != fresh["dark"] and changed["cookies"] == "a=1"
        assert {"left", "session:left"} <= set(changed["storage"])
        first = page
        with pytest.MonkeyPatch.context() as monkeypatch:
            page = reused.lend(monkeypatch)
            assert page is first, "a test that changed only what can be undone leaves the page to the next"
            heard.clear()
            page.goto(server + PAGE)
            page.evaluate("() => console.log('after')")
            assert page.evaluate(STATE) == fresh
            assert heard == [] and {"width": VIEWPORT["width"]}.items() <= fresh.items()
            page.expose_function("anything", lambda: None)  # cannot be undone
            reused.put_back(failed=False)
        with pytest.MonkeyPatch.context() as monkeypatch:
            assert reused.lend(monkeypatch) is not first, "after what cannot be undone, a new page"
            reused.put_back(failed=True)
        assert reused.page is None, "after a failed test, a new page"
    finally:
        reused.close()


def test_a_kept_page_stays_between_tests_and_is_loaded_again_after_a_failure_or_an_error(browser, server):
    """support.reused_page.KeptPage: what one test leaves stays for the next, unless that test failed or
    the page logged an error; then the page is loaded again and the error reported."""
    kept = KeptPage(browser, server + PAGE, "document.readyState === 'complete'")
    try:
        page = kept.lend()
        page.evaluate("window.planted = 'yes'")
        kept.take_back(failed=False)
        assert kept.lend().evaluate("window.planted") == "yes"
        kept.take_back(failed=True)
        assert kept.lend().evaluate("window.planted || null") is None
        page.evaluate("window.planted = 'yes'; setTimeout(() => { throw new Error('planted error'); })")
        page.wait_for_timeout(100)
        with pytest.raises(AssertionError, match="planted error"):
            kept.take_back(failed=False)
        assert kept.lend().evaluate("window.planted || null") is None
        kept.take_back(failed=False)
    finally:
        kept.close()
