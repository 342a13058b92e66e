"""`make test` runs the suite with pytest-xdist's --dist loadgroup: the tests of one xdist_group share a
process, so a costly module- or session-scoped fixture (a site build, the trained network) is made once.
pytest 9.2 with pytest-xdist 3.8 silently ran them in every worker instead; this checks that groups hold
with the installed versions, in a small suite of its own."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

from conftest import CALLS_TRAINED_NETWORK, shared_group

GROUPED = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("costly")


@pytest.fixture(scope="session")
def costly():
    with open(os.environ["LOG"], "a") as log:
        log.write(f"built in {os.getpid()}\\n")


@pytest.mark.parametrize("n", range(6))
def test_uses_it(costly, n):
    with open(os.environ["LOG"], "a") as log:
        log.write(f"ran in {os.getpid()}\\n")
"""

OTHERS = """
import pytest


@pytest.mark.parametrize("n", range(30))
def test_other(n):
    pass
"""


def test_the_tests_of_one_group_run_in_one_process_and_share_its_fixture(tmp_path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "test_grouped.py").write_text(GROUPED)
    (tmp_path / "test_others.py").write_text(OTHERS)
    log = tmp_path / "log.txt"
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "LOG": str(log)},
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    lines = log.read_text().splitlines()
    assert len([line for line in lines if line.startswith("ran in")]) == 6
    assert len([line for line in lines if line.startswith("built in")]) == 1, lines
    assert len({line.split()[-1] for line in lines}) == 1, lines


def test_every_module_that_trains_the_network_runs_in_the_trained_network_group():
    """The network trains once per process; a module calling trained_network, imported at module level
    or inside a function, joins the one group that trains it, so the run trains once (tests/conftest.py)."""
    tests = Path(__file__).resolve().parent
    callers = sorted(
        path for path in tests.glob("test_*.py") if CALLS_TRAINED_NETWORK.search(path.read_text())
    )
    assert {"test_page_part2.py", "test_page_part3.py"} <= {path.name for path in callers}
    for path in [*callers, tests / "test_convolution.py", Path(__file__)]:
        spec = importlib.util.spec_from_file_location(f"grouped_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        expected = "trained_network" if path in callers else None
        assert shared_group(module) == expected, path.name
