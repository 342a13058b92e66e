"""Clean builds in scratch copies of the repository: reproducible figures and a cache that never goes stale.

Slow (two clean builds and four incremental ones, about a minute on two cores),
so the builds are shared by the tests of this module.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

SPHINX_BUILD = Path(sys.executable).parent / "sphinx-build"
IGNORED = shutil.ignore_patterns(
    ".venv", "_build", "auto_examples", ".git", "__pycache__", "*_cache", "*.pyc"
)
FIGURE_SUFFIXES = {".png", ".gif", ".npz"}


def build(tree, epoch="1700000000"):
    """Run the site build in tree; return (number of scripts executed, build log)."""
    result = subprocess.run(
        [str(SPHINX_BUILD), "-c", ".", "-W", "--keep-going", "-b", "html", "docs", "_build/html"],
        cwd=tree,
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "SOURCE_DATE_EPOCH": epoch},
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    executed = re.search(r"successfully executed (\d+) out of (\d+) file", result.stdout)
    return (int(executed.group(1)) if executed else 0), result.stdout


def generated_figures(tree):
    folders = [tree / "docs" / "auto_examples" / "figures", tree / "docs" / "auto_examples" / "images"]
    return {
        path.relative_to(tree): path.read_bytes()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.suffix in FIGURE_SUFFIXES
    }


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """Two clean copies of the repository, each built once from nothing."""
    trees = []
    for name, epoch in (("first", "1700000000"), ("second", "1800000000")):
        tree = tmp_path_factory.mktemp(name) / "site"
        shutil.copytree(ROOT, tree, ignore=IGNORED)
        executed, _ = build(tree, epoch)
        trees.append((tree, executed))
    return trees


def scripts():
    return sorted(path.name for path in (ROOT / "scripts").glob("plot_*.py"))


def test_clean_build_runs_every_script(scratch):
    for _, executed in scratch:
        assert executed == len(scripts())


def test_two_clean_builds_give_byte_identical_figures(scratch):
    (first, _), (second, _) = scratch
    one, two = generated_figures(first), generated_figures(second)
    assert len(one) >= 20
    assert one.keys() == two.keys()
    differing = [str(name) for name in one if one[name] != two[name]]
    assert differing == []


def test_unchanged_tree_rebuilds_without_running_any_script(scratch):
    tree, _ = scratch[0]
    before = generated_figures(tree)
    executed, _ = build(tree)
    assert executed == 0
    assert generated_figures(tree) == before


def test_deleted_figure_is_regenerated(scratch):
    tree, _ = scratch[0]
    figure = tree / "docs" / "auto_examples" / "figures" / "filter_kernels.png"
    original = figure.read_bytes()
    figure.unlink()
    executed, log = build(tree)
    assert executed == 1, log[-2000:]
    assert figure.read_bytes() == original


def test_changed_script_reruns_only_itself(scratch):
    tree, _ = scratch[0]
    script = tree / "scripts" / "plot_05_cnn_architecture.py"
    script.write_text(
        script.read_text().replace('("dense", "10", "#ef9a9a")', '("dense layer", "10", "#ef9a9a")')
    )
    executed, log = build(tree)
    assert executed == 1, log[-2000:]
    assert "plot_05_cnn_architecture" in log


def test_changed_shared_package_reruns_the_scripts_that_import_it(scratch):
    tree, _ = scratch[0]
    importing = [name for name in scripts() if "convviz" in (tree / "scripts" / name).read_text()]
    assert len(importing) == len(scripts())
    helper = tree / "convviz" / "display.py"
    helper.write_text(helper.read_text() + "\n# a comment changes the package hash\n")
    executed, log = build(tree)
    assert executed == len(importing), log[-2000:]
    again, _ = build(tree)
    assert again == 0
