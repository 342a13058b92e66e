"""Fixtures for the browser tests: the built site served on 127.0.0.1 and a headless Chromium."""

import pytest
from chromium import HOW_TO_GET_ONE, skip_requested
from support.browser import chromium
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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()
