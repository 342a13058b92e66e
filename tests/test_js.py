"""The explorers' pure JavaScript modules under Node (``node --test tests/js/``), against Python's values.

tests/js/write_fixtures.py writes what convviz computes (layers, drawings, distortions, pixels,
the built data files, the quiz's questions) as JSON; each tests/js/*.test.js compares the page's
modules with it. No browser: the whole set runs in about a second.
"""

import os
import re
import shutil
import subprocess
import sys

import pytest

from coursesite.paths import ROOT

TESTS = sorted((ROOT / "tests" / "js").glob("*.test.js"))


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "tests" / "js"))
    try:
        from write_fixtures import write_fixtures
    finally:
        sys.path.remove(str(ROOT / "tests" / "js"))
    return write_fixtures(tmp_path_factory.mktemp("js-fixtures"))


def test_every_module_of_the_pages_is_tested_under_node():
    """Every module that adds to ConvCore (the pure ones) is loaded by the Node tests."""
    loaded = (ROOT / "tests" / "js" / "load.js").read_text()
    pure = {
        path.name
        for path in (ROOT / "docs" / "_static" / "explorer").glob("*.js")
        if "(globalThis.ConvCore = globalThis.ConvCore || {})" in path.read_text()
    }
    assert len(pure) >= 10 and all(f'"{name}"' in loaded for name in pure), pure
    assert len(TESTS) >= 5


@pytest.mark.parametrize("path", TESTS, ids=[path.stem for path in TESTS])
def test_node(fixtures, path):
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: the site's build needs Node.js too (on Debian: apt-get install nodejs)")
    run = subprocess.run(
        [node, "--test", "--test-reporter=tap", str(path)],
        env={**os.environ, "JS_FIXTURES": str(fixtures)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    passed = re.search(r"^# pass (\d+)$", run.stdout, re.M)
    assert run.returncode == 0 and passed and int(passed[1]) > 0, run.stdout[-4000:] + run.stderr[-2000:]
