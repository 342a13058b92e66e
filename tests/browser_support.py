"""Fixtures for the browser tests: the built site served on 127.0.0.1 and a headless Chromium."""

import pytest
from chromium import HOW_TO_GET_ONE, skip_requested
from support.browser import chromium
from support.reused_page import ReusedPage
from support.server import serve


@pytest.fixture(scope="session")
def server(site):
    """Serve _build/html under a sub-path (/course/), as a static host might; yield the base URL."""
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if skip_requested():
        pytest.skip("SKIP_BROWSER_TESTS is set")
    try:
        with chromium() as launched:
            yield launched
    except RuntimeError as error:
        if str(error) == HOW_TO_GET_ONE:
            pytest.fail(HOW_TO_GET_ONE)
        raise


@pytest.fixture(scope="module")
def reused_page(browser):
    """The page the tests of one module share (support/reused_page.py)."""
    reused = ReusedPage(browser)
    yield reused
    reused.close()


@pytest.fixture
def page(reused_page, monkeypatch, request):
    """A 1280×900 page as new: the module's shared page, put back after the test."""
    yield reused_page.lend(monkeypatch)
    report = getattr(request.node, "report_call", None)
    reused_page.put_back(failed=report is None or report.failed)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item (item.report_setup, report_call), for fixtures to read."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
