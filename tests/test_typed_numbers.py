"""No measured or code-defined number typed on a module page: the build computes it, the page includes it."""

import pytest
from support.typed_numbers import ALLOWED_PHRASES, DEFINITIONS, typed_numbers

from coursesite.paths import DOCS_DIR

PAGES = ("index.rst", "inside_a_conv_layer.rst", "trained_network.rst")


@pytest.mark.parametrize("page", PAGES)
def test_no_measured_number_is_typed_on_the_page(page):
    found = [
        f"line {line}: {number}"
        for line, number, _ in typed_numbers((DOCS_DIR / "module_9_2_2" / page).read_text())
    ]
    assert not found, (
        f"{page}: numbers typed where the build should write them (use a |substitution|): {found}"
    )


SAMPLE = """\
Intro with a 28×28 input, exercise 4 and a 7, pixels from 0 to 255.

* the accuracy rises above 90 percent, |test_accuracy| measured;
* SmoothGrad averages 50 copies with noise 0.15, ``noise=0.15`` in the code.

.. figure:: /_generated/x.png
   :alt: A curve that falls to about 0.4,
      then 0.3.
   :width: 80 %

   The caption says |value| and cites [Krizhevsky2012]_.

.. code-block:: python

   steps = 64  # code is not prose
"""


def test_the_scan_finds_typed_measurements_in_prose_lists_and_alt_texts_only():
    """Measured forms in prose, list items and a two-line alt are found; definitions, code, options not."""
    assert sorted((line, number) for line, number, _ in typed_numbers(SAMPLE)) == [
        (3, "0.15"),
        (3, "50"),
        (3, "90"),
        (7, "0.3"),
        (7, "0.4"),
    ]


def test_every_allowed_context_is_still_needed():
    """Each definition and allowed phrase keeps at least one number of the pages from being reported."""
    sources = [(DOCS_DIR / "module_9_2_2" / page).read_text() for page in PAGES]

    def flagged(definitions, phrases):
        return sum(len(list(typed_numbers(source, definitions, phrases))) for source in sources)

    base = flagged(DEFINITIONS, ALLOWED_PHRASES)
    for pattern in DEFINITIONS:
        assert flagged({p: w for p, w in DEFINITIONS.items() if p != pattern}, ALLOWED_PHRASES) > base, (
            pattern
        )
    for phrase in ALLOWED_PHRASES:
        assert flagged(DEFINITIONS, {p: w for p, w in ALLOWED_PHRASES.items() if p != phrase}) > base, phrase
