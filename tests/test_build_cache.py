"""Clean builds in scratch copies of the repository: reproducible figures, and a cache that never goes stale.

Whatever is edited, renamed, deleted or damaged in the tree, the next `make html` must show what a clean
build shows. Two clean builds are made once for the module (about a minute each on two cores); every other
test starts from its own copy of the first, so the tests pass in any order.
"""

import json
import re
import shutil

import pytest
from support.repo import copy_repository
from support.site_build import make, make_html

from convviz.figure_output import figure_scripts

FIGURE_SUFFIXES = {".png", ".gif", ".npz", ".svg", ".txt"}


def generated(tree):
    """{relative path: bytes} of everything the figure scripts made and the site shows."""
    folders = [tree / "docs" / "_generated", tree / "_build" / "html" / "_images"]
    return {
        path.relative_to(tree).as_posix(): path.read_bytes()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.suffix in FIGURE_SUFFIXES and path.name != "tiny_cnn_numbers.txt"  # holds a training time
    }


def site_files(tree):
    """The names of every file of the built site (a stale page left behind shows up here)."""
    html = tree / "_build" / "html"
    return sorted(
        p.relative_to(html).as_posix() for p in html.rglob("*") if p.is_file() and ".doctrees" not in p.parts
    )


def assert_same_site(tree, clean):
    assert site_files(tree) == site_files(clean)
    ours, theirs = generated(tree), generated(clean)
    assert ours.keys() == theirs.keys()
    assert [name for name in ours if ours[name] != theirs[name]] == []


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """Two clean builds of fresh copies, at different SOURCE_DATE_EPOCHs: (tree, scripts run) each."""
    builds = []
    for name, epoch in (("first", "1700000000"), ("second", "1800000000")):
        tree = copy_repository(tmp_path_factory.mktemp(name) / "site")
        executed, _ = make_html(tree, epoch)
        builds.append((tree, executed))
    return builds


@pytest.fixture
def built(clean, tmp_path):
    """A private copy of the first clean build, generated files included."""
    destination = tmp_path / "site"
    shutil.copytree(clean[0][0], destination, symlinks=True)
    return destination


def scripts_of(tree):
    return figure_scripts(tree / "scripts")


def test_clean_build_runs_every_script(clean):
    for tree, executed in clean:
        assert executed == len(scripts_of(tree)) >= 12


def test_two_clean_builds_give_byte_identical_figures(clean):
    (first, _), (second, _) = clean
    one, two = generated(first), generated(second)
    assert len(one) >= 20
    assert one.keys() == two.keys()
    assert [name for name in one if one[name] != two[name]] == []


def test_unchanged_tree_rebuilds_without_running_any_script(built, clean):
    executed, _ = make_html(built)
    assert executed == 0
    assert_same_site(built, clean[0][0])


def test_deleted_figure_is_regenerated_by_its_script_alone(built, clean):
    (built / "docs" / "_generated" / "filter_kernels.svg").unlink()
    executed, log = make_html(built)
    assert executed == 1, log[-2000:]
    assert_same_site(built, clean[0][0])


def test_edited_script_reruns_alone_and_its_gallery_page_follows(built, clean):
    script = built / "scripts" / "part1_filters" / "plot_03_filter_kernels.py"
    original = script.read_text()
    script.write_text(original.replace("fig.tight_layout()", 'fig.suptitle("edited")\nfig.tight_layout()'))
    executed, log = make_html(built)
    assert executed == 1, log[-2000:]
    changed = generated(built)
    assert (
        changed["docs/_generated/filter_kernels.svg"]
        != generated(clean[0][0])["docs/_generated/filter_kernels.svg"]
    )
    script.write_text(original)
    executed, _ = make_html(built)
    assert executed == 1
    assert_same_site(built, clean[0][0])


def test_package_change_reruns_scripts_and_refreshes_every_shown_copy(built, clean):
    kernels = built / "convviz" / "kernels.py"
    kernels.write_text(kernels.read_text().replace('"emboss": [[-2, -1, 0]', '"emboss": [[-3, -1, 0]'))
    executed, log = make_html(built)
    assert executed == len(scripts_of(built)), log[-2000:]
    before, after = generated(clean[0][0]), generated(built)
    assert after["docs/_generated/filter_kernels.svg"] != before["docs/_generated/filter_kernels.svg"]
    # The gallery's own plots are copied again too (they are not Sphinx dependencies of their pages).
    gallery = built / "docs" / "auto_examples"
    for plot in gallery.rglob("images/sphx_glr_*.png"):
        shown = built / "_build" / "html" / "_images" / plot.name
        assert shown.read_bytes() == plot.read_bytes(), plot.name
    again, _ = make_html(built)
    assert again == 0


@pytest.mark.parametrize("damage", ["delete", "empty list", "not json", "entry not a dict", "truncated"])
def test_damaged_manifest_reruns_every_script(built, clean, damage):
    manifest = built / "docs" / "_generated" / "figures.json"
    text = manifest.read_text()
    if damage == "delete":
        manifest.unlink()
    else:
        manifest.write_text(
            {
                "empty list": "[]",
                "not json": "{{{",
                "entry not a dict": '{"x.png": 1}',
                "truncated": text[:40],
            }[damage]
        )
    if damage in ("delete", "truncated"):  # the two that need a real build; the others only the stale list
        executed, log = make_html(built)
        assert executed == len(scripts_of(built)), log[-2000:]
        assert json.loads(manifest.read_text()).keys() == json.loads(text).keys()
        assert_same_site(built, clean[0][0])
    else:
        from convviz import figure_output

        assert figure_output.stale_scripts(built / "scripts", built / "docs" / "_generated") == scripts_of(
            built
        )


def test_deleted_generated_folder_is_rebuilt_whole(built, clean):
    shutil.rmtree(built / "docs" / "_generated")
    executed, log = make_html(built)
    assert executed == len(scripts_of(built)), log[-2000:]
    assert_same_site(built, clean[0][0])


def test_script_that_renames_its_output_leaves_no_stale_file(built, clean):
    script = built / "scripts" / "part1_filters" / "plot_06_artistic_filters.py"
    original = script.read_text()
    script.write_text(original.replace('"artistic_filters.png"', '"artistic_filters_renamed.png"'))
    result = make(built, "html")
    # The page still shows artistic_filters.png, which no script makes any more: the build stops on it.
    assert result.returncode != 0
    assert not (built / "docs" / "_generated" / "artistic_filters.png").exists()
    assert (built / "docs" / "_generated" / "artistic_filters_renamed.png").is_file()
    script.write_text(original)
    executed, _ = make_html(built)
    assert executed == 1
    assert not (built / "docs" / "_generated" / "artistic_filters_renamed.png").exists()
    assert_same_site(built, clean[0][0])


def test_renamed_script_leaves_no_orphan_page(built, clean):
    folder = built / "scripts" / "part1_filters"
    (folder / "plot_06_artistic_filters.py").rename(folder / "plot_07_artistic_filters.py")
    executed, log = make_html(built)
    assert executed == 1, log[-2000:]
    files = site_files(built)
    assert "auto_examples/part1_filters/plot_07_artistic_filters.html" in files
    assert "auto_examples/part1_filters/plot_06_artistic_filters.html" not in files
    assert (
        generated(built)["docs/_generated/artistic_filters.png"]
        == generated(clean[0][0])["docs/_generated/artistic_filters.png"]
    )


def test_deleted_script_removes_its_figure_and_stops_the_build_on_the_page_that_shows_it(built, clean):
    script = built / "scripts" / "part1_filters" / "plot_06_artistic_filters.py"
    saved = script.read_text()
    script.unlink()
    result = make(built, "html")
    assert result.returncode != 0
    assert not (built / "docs" / "_generated" / "artistic_filters.png").exists()
    assert "artistic_filters.png" in result.stdout + result.stderr
    assert "plot_06_artistic_filters" not in " ".join(site_files(built))
    script.write_text(saved)
    executed, _ = make_html(built)
    assert executed == 1
    assert_same_site(built, clean[0][0])


def joined_sheets(tree):
    """{page: (joined sheet name, its bytes)} of every page of the built site."""
    html = tree / "_build" / "html"
    sheets = {}
    for page in sorted(html.rglob("*.html")):
        found = re.search(r'href="[^"]*_static/(site-[0-9a-f]{12}\.css)"', page.read_text(encoding="utf-8"))
        if found:
            sheets[page.relative_to(html).as_posix()] = (found[1], (html / "_static" / found[1]).read_bytes())
    return sheets


def test_edited_or_deleted_style_sheet_is_joined_again_into_every_page(built, clean):
    course_css = built / "docs" / "_static" / "course.css"
    original = course_css.read_text()
    course_css.write_text(original + "\nbody { --edited-marker: 1; }\n")
    executed, _ = make_html(built)
    assert executed == 0
    edited = joined_sheets(built)
    assert len(edited) >= 4 and all(b"--edited-marker" in css for _, css in edited.values())
    course_css.write_text(original)
    for joined in (built / "_build" / "html" / "_static").glob("site-*"):
        joined.unlink()
    make_html(built)
    assert joined_sheets(built) == joined_sheets(clean[0][0])
    assert_same_site(built, clean[0][0])
