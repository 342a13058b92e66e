"""No panel of a figure narrower than 200 CSS px on a 1280-px-wide page, measured in Chromium.

Shown width × narrowest panel ÷ file width; the narrowest panel is in the figure's own record,
written by the script that drew it (convviz.figure_output.figure_description), read back by
coursesite.figure_records.
"""

import pytest
from support.pages import assert_panels_wide_enough, panels_on
from test_page_part1 import PANEL_FIGURES as PART1
from test_page_part2 import PANEL_FIGURES as PART2
from test_page_part3 import FIGURE_NAMES as PART3

FIGURES = {
    "module_9_2_2/index.html": PART1,
    "module_9_2_2/inside_a_conv_layer.html": PART2,
    "module_9_2_2/trained_network.html": PART3,
}


@pytest.fixture(scope="module")
def measured(site, server, browser):
    """{page: {figure: narrowest panel in CSS px}}, each page measured once."""
    cache = {}

    def panels(page):
        if page not in cache:
            cache[page] = panels_on(browser, site, server + page)
        return cache[page]

    return panels


@pytest.mark.browser
@pytest.mark.parametrize(
    ("page", "name"), [(page, name) for page, names in FIGURES.items() for name in names]
)
def test_every_panel_is_200_css_px_wide_at_1280_px(measured, page, name):
    assert_panels_wide_enough(measured(page), name)
