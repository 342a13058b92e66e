"""The Makefile's own behaviour: clear one-line errors, and a clean that removes every generated file."""

import os
import subprocess

import pytest
from support.repo import copy_repository

from coursesite.paths import GENERATED_PATHS, ROOT


def make(*args, cwd=ROOT, env=None):
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_missing_python_stops_with_one_clear_line(tmp_path):
    result = make("venv", "PYTHON=no-such-python3", f"VENV={tmp_path / 'venv'}")
    assert result.returncode != 0
    assert result.stdout.strip().splitlines() == [
        "error: no-such-python3 not found; install Python 3.11 or newer, or run make PYTHON=/path/to/python3"
    ]
    assert not (tmp_path / "venv").exists()


@pytest.mark.parametrize("failing", ["pip, installing uv", "uv, installing the packages"])
def test_failed_install_stops_with_one_clear_line(tmp_path, failing):
    empty = tmp_path / "no-packages"
    empty.mkdir()
    if failing.startswith("pip"):
        offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(empty), "PIP_CONSTRAINT": ""}
    else:
        offline = {"UV_OFFLINE": "1", "UV_CACHE_DIR": str(empty), "UV_FIND_LINKS": ""}
    result = make("venv", f"VENV={tmp_path / 'venv'}", env=offline)
    assert result.returncode != 0
    ours = [line for line in result.stdout.splitlines() if line.startswith("error:")]
    venv = tmp_path / "venv"
    expected = f"error: installing requirements.txt into {venv} failed; see the installer's message above"
    assert ours == [expected]
    assert not (tmp_path / "venv" / ".requirements").exists(), "a failed install must not look installed"
    assert (tmp_path / "venv" / "bin" / "uv").exists() == failing.startswith("uv")


def test_clean_removes_every_generated_file_and_nothing_else(tmp_path):
    tree = copy_repository(tmp_path / "site")
    generated = [
        tree / "_build" / "html" / "index.html",
        tree / "docs" / "_generated" / "x.png",
        tree / "docs" / "auto_examples" / "part1_filters" / "plot_01_x.rst",
        tree / "docs" / "sg_execution_times.rst",
        tree / "convviz" / "__pycache__" / "x.pyc",
    ]
    for path in generated:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("generated")
    sources = sorted(p.relative_to(tree) for p in tree.rglob("*") if p.is_file() and p not in generated)
    result = make("clean", cwd=tree)
    assert result.returncode == 0, result.stderr
    assert not any(path.exists() for path in generated)
    for path in GENERATED_PATHS:
        assert not (tree / path.relative_to(ROOT)).exists(), path
    assert sorted(p.relative_to(tree) for p in tree.rglob("*") if p.is_file()) == sources


def test_the_background_builds_digest_covers_the_sources_and_nothing_a_run_leaves(tmp_path):
    """make test's background clean build is taken only when the tree's digest is unchanged: the files
    a build, lint or the tests themselves write (Hypothesis's constants, caches) must not change it."""
    from support.clean_build import source_digest

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.rst").write_text("Title\n=====\n")
    (tmp_path / "conf.py").write_text("project = 'x'\n")
    before = source_digest(tmp_path)
    for name in (
        ".hypothesis/constants/1a2b",
        ".ruff_cache/0.1/x",
        ".pytest_cache/v/x",
        "_build/html/x",
        "docs/_generated/x.png",
        "docs/auto_examples/x.rst",
        "convviz/__pycache__/x.pyc",
    ):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("made by a run")
    assert source_digest(tmp_path) == before
    (tmp_path / "docs" / "index.rst").write_text("Title\n=====\n\nA new line.\n")
    assert source_digest(tmp_path) != before
    (tmp_path / "docs" / "new.rst").write_text("New\n===\n")
    assert len({before, source_digest(tmp_path)}) == 2
