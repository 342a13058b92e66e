"""The site build's own parts, one at a time: figure records, imports, the output record, the publish step."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import convviz
from coursesite import gallery_pages, outputs
from coursesite.build import Folders
from coursesite.figure_records import FigureRecord, parse_record, read_record
from coursesite.hashing import file_hash
from coursesite.imports import imported_files
from coursesite.paths import DOCS_DIR, ROOT
from coursesite.recording import ScriptRun

# -- Figure records ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "record"),
    [
        ("panels=0; sizes=", FigureRecord(0, ())),
        ("panels=2; sizes=8x8", FigureRecord(2, ("8x8",))),
        (
            "panels=3; sizes=28x28,14x14; font_px=30.8; width_px=1480; panel_px=410.2",
            FigureRecord(3, ("28x28", "14x14"), 30.8, 1480, 410.2),
        ),
        ("panels=8; sizes=3x3,3x3; panel_px=164.6", FigureRecord(8, ("3x3", "3x3"), panel_px=164.6)),
    ],
)
def test_a_record_is_read_into_its_parts(text, record):
    assert parse_record(text) == record


@pytest.mark.parametrize(
    "text",
    ["", "panels=x; sizes=", "sizes=1x1; panels=1", "panels=1; sizes=1x1; font_px=3", "panels=1; sizes=a"],
)
def test_a_text_that_is_not_a_record_is_refused(text):
    with pytest.raises(ValueError, match="not a figure record"):
        parse_record(text)


def test_a_damaged_record_in_a_file_names_the_file_and_a_file_without_one_has_none(tmp_path):
    damaged = tmp_path / "damaged.svg"
    damaged.write_text("<svg><metadata><dc:description>panels=one; sizes=</dc:description></metadata></svg>")
    with pytest.raises(ValueError, match="damaged.svg: damaged figure record"):
        read_record(damaged)
    plain = tmp_path / "plain.png"
    plain.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    assert read_record(plain) is None
    assert read_record(tmp_path / "missing.png") is None
    assert read_record(tmp_path / "notes.txt") is None


# -- Imports read from the code ----------------------------------------------------------------------


def test_imports_are_followed_through_the_project_and_nowhere_else(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from pkg.core import VALUE\n")
    (package / "core.py").write_text("import numpy\nfrom . import helpers\nVALUE = 1\n")
    (package / "helpers.py").write_text("def late():\n    from pkg import lazy\n")
    (package / "lazy.py").write_text("X = 2\n")
    (package / "unused.py").write_text("Y = 3\n")
    script = tmp_path / "scripts" / "plot_01.py"
    script.parent.mkdir()
    (script.parent / "local.py").write_text("Z = 4\n")
    script.write_text("import os\nimport local\nfrom pkg.core import VALUE\n")
    found = imported_files(script, [script.parent, tmp_path])
    expected = ["pkg/__init__.py", "pkg/core.py", "pkg/helpers.py", "pkg/lazy.py", "scripts/local.py"]
    assert sorted(path.relative_to(tmp_path).as_posix() for path in found) == expected


def test_the_package_modules_a_script_loads_are_the_ones_its_record_follows(tmp_path):
    """A script's record names the project modules it imports, read from its code: every module
    that ``from convviz import ...`` of each name the package offers loads (asked of a fresh Python)
    must be among them, or a script would not run again when that module changed (a name the
    package's __init__ gave lazily, through a module __getattr__, would hide its module)."""
    text = f"from convviz import {', '.join(convviz.__all__)}\n"
    script = tmp_path / "plot_01.py"
    script.write_text(text)
    listing = "print('\\n'.join(getattr(m, '__file__', None) or '' for m in list(sys.modules.values())))"
    probe = text + "import sys\n" + listing
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    loaded = {Path(line).resolve() for line in run.stdout.splitlines() if line.endswith(".py")}
    loaded = {path for path in loaded if (ROOT / "convviz") in path.parents}
    assert len(loaded) > 1
    assert loaded <= set(imported_files(script, [tmp_path, ROOT]))


def test_a_module_a_script_loads_from_its_file_brings_what_it_imports_into_the_record(tmp_path):
    """A download run by a figure script is read from its file (convviz.downloads); the helper it
    imports may have been imported by an earlier script in the same process, so no file of it is
    opened now: the record follows the download's imports all the same."""
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "plot_01.py").write_text("print(1)\n")
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "tool.py").write_text("import helper\n")
    (tmp_path / "downloads" / "helper.py").write_text("X = 1\n")
    (tmp_path / "downloads" / "other.py").write_text("Y = 2\n")
    project = outputs.Project(tmp_path, tmp_path / "scripts", tmp_path / "generated", ())
    run = ScriptRun(project, {}, "plot_01.py")
    run.opened(str(tmp_path / "downloads" / "tool.py"), "r", 0)
    assert sorted(run.inputs()) == ["downloads/helper.py", "downloads/tool.py"]


def test_an_edit_between_two_calls_is_read(tmp_path):
    """The parsed imports are kept between calls (one build asks once per script), never past an edit."""
    for name in ("a", "b"):
        (tmp_path / f"{name}.py").write_text("X = 1\n")
    script = tmp_path / "plot_01.py"
    script.write_text("import a\n")
    assert imported_files(script, [tmp_path]) == [(tmp_path / "a.py").resolve()]
    script.write_text("import b\n")
    assert imported_files(script, [tmp_path]) == [(tmp_path / "b.py").resolve()]
    (tmp_path / "b.py").write_text("import a\n")
    assert imported_files(script, [tmp_path]) == [(tmp_path / name).resolve() for name in ("a.py", "b.py")]


def test_a_file_that_does_not_parse_adds_nothing(tmp_path):
    (tmp_path / "broken.py").write_text("def (:\n")
    script = tmp_path / "plot_01.py"
    script.write_text("import broken\n")
    assert imported_files(script, [tmp_path]) == [(tmp_path / "broken.py").resolve()]


# -- The record of outputs ---------------------------------------------------------------------------


@pytest.fixture
def project(tmp_path):
    """Three scripts: a makes a.txt, b reads a.txt and makes b.txt, c reads b.txt and lib.py."""
    (tmp_path / "scripts" / "part").mkdir(parents=True)
    generated = tmp_path / "docs" / "_generated"
    generated.mkdir(parents=True)
    (tmp_path / "lib.py").write_text("X = 1\n")
    site = outputs.Project(tmp_path, tmp_path / "scripts", generated)
    records = {}
    for name, reads in (
        ("a", []),
        ("b", ["docs/_generated/a.txt"]),
        ("c", ["docs/_generated/b.txt", "lib.py"]),
    ):
        script = tmp_path / "scripts" / "part" / f"plot_{name}.py"
        script.write_text(f"# {name}\n")
        (generated / f"{name}.txt").write_text(name)
        records[f"part/plot_{name}.py"] = outputs.ScriptRecord(
            file_hash(script),
            {path: file_hash(tmp_path / path) for path in reads},
            {f"{name}.txt": file_hash(generated / f"{name}.txt")},
        )
    outputs.write_manifest(records, generated)
    return site


def to_run(project):
    return outputs.scripts_to_run(project, outputs.read_manifest(project.generated_dir))


def test_a_fresh_record_runs_nothing(project):
    assert to_run(project) == {}


def test_a_changed_output_runs_its_maker_and_everything_that_reads_it_down_the_chain(project):
    (project.generated_dir / "a.txt").write_text("edited by hand")
    assert to_run(project) == {
        "part/plot_a.py": "a.txt is not what it saved",
        "part/plot_b.py": "docs/_generated/a.txt changed",
        "part/plot_c.py": "it reads b.txt, which part/plot_b.py makes again",
    }


def test_each_reason_a_script_runs_is_named(project):
    (project.root / "lib.py").write_text("X = 2\n")
    (project.generated_dir / "b.txt").unlink()
    (project.scripts_dir / "part" / "plot_d.py").write_text("# new\n")
    assert to_run(project) == {
        "part/plot_b.py": "b.txt is missing",
        "part/plot_c.py": "docs/_generated/b.txt is gone",
        "part/plot_d.py": "no run of it is recorded",
    }
    (project.generated_dir / "b.txt").write_text("b")
    assert to_run(project)["part/plot_c.py"] == "lib.py changed"
    (project.root / "lib.py").unlink()
    (project.scripts_dir / "part" / "plot_a.py").write_text("# a, edited\n")
    assert to_run(project)["part/plot_a.py"] == "its text changed"
    assert to_run(project)["part/plot_c.py"] == "lib.py is gone"


@pytest.mark.parametrize(
    "damage",
    [
        "{",
        "[]",
        '{"format": 1, "scripts": {}}',
        '{"format": 2, "scripts": {}}',
        '{"format": 3, "scripts": {"part/plot_a.py": {"text": "x", "inputs": {}, "outputs": []}}}',
        '{"format": 3, "scripts": {"part/plot_a.py": {"text": "", "inputs": {}, "outputs": {"../a": ""}}}}',
    ],
)
def test_a_damaged_record_is_no_record(project, damage):
    (project.generated_dir / outputs.MANIFEST_NAME).write_text(damage)
    assert outputs.read_manifest(project.generated_dir) is None
    assert set(to_run(project)) == {"part/plot_a.py", "part/plot_b.py", "part/plot_c.py"}


def test_prepare_removes_unclaimed_files_and_what_rerunning_scripts_made(project):
    (project.generated_dir / "stray.png").write_bytes(b"x")
    (project.generated_dir / ".half.png.tmp").write_bytes(b"x")
    (project.root / "lib.py").write_text("X = 2\n")
    running, orphans = outputs.prepare(project)
    assert running == {"part/plot_c.py": "lib.py changed"}
    assert orphans == [".half.png.tmp", "stray.png"]
    assert sorted(p.name for p in project.generated_dir.iterdir()) == [
        "a.txt",
        "b.txt",
        outputs.MANIFEST_NAME,
    ]
    assert sorted(json.loads((project.generated_dir / outputs.MANIFEST_NAME).read_text())["scripts"]) == [
        "part/plot_a.py",
        "part/plot_b.py",
    ]


# -- sphinx-gallery's pages ------------------------------------------------------------------------


def test_orphan_pages_go_and_sphinx_gallerys_own_images_folder_stays(tmp_path):
    scripts, gallery = tmp_path / "scripts", tmp_path / "auto_examples"
    (scripts / "part1").mkdir(parents=True)
    (scripts / "part1" / "plot_01_kept.py").write_text("")
    (gallery / "images" / "thumb").mkdir(parents=True)
    (gallery / "part1" / "images" / "thumb").mkdir(parents=True)
    (gallery / "gone_part").mkdir()
    for name in ["plot_01_kept.rst", "plot_02_gone.rst", "plot_02_gone.py.md5", "plot_02_gone.codeobj.json"]:
        (gallery / "part1" / name).write_text("")
    (gallery / "part1" / "images" / "sphx_glr_plot_02_gone_001.png").write_text("")
    (gallery / "part1" / "images" / "thumb" / "sphx_glr_plot_02_gone_thumb.png").write_text("")
    assert gallery_pages.remove_orphan_pages(scripts, gallery) == ["gone_part/", "part1/plot_02_gone.py"]
    left = sorted(p.relative_to(gallery).as_posix() for p in gallery.rglob("*") if p.is_file())
    assert left == ["part1/plot_01_kept.rst"]
    assert (gallery / "images" / "thumb").is_dir()


def test_printed_output_is_counted_in_the_output_blocks_only(tmp_path):
    page = tmp_path / "plot_01.rst"
    page.write_text(
        "Title\n=====\n\n.. code-block:: Python\n\n    print('x' * 10)\n\n"
        ".. rst-class:: sphx-glr-script-out\n\n .. code-block:: none\n\n    xxxxxxxxxx\n    second\n\n\n"
        ".. GENERATED FROM PYTHON SOURCE LINES 3-4\n"
    )
    assert gallery_pages.printed_output(page) == (2, len("xxxxxxxxxx\n") + len("second\n"))


# -- Publishing --------------------------------------------------------------------------------------


def test_a_build_killed_between_the_two_renames_is_recovered_by_the_next(tmp_path):
    folders = Folders(tmp_path / "html")
    folders.previous.mkdir()
    (folders.previous / "index.html").write_text("last good site")
    folders.next.mkdir()
    (folders.next / "index.html").write_text("half a site")
    folders.start()
    assert (folders.published / "index.html").read_text() == "last good site"
    assert (folders.next / "index.html").read_text() == "last good site"
    assert not folders.previous.exists()


def test_publishing_swaps_the_folders_and_discarding_keeps_the_published_one(tmp_path):
    folders = Folders(tmp_path / "html")
    folders.start()
    (folders.next / "index.html").write_text("first")
    folders.publish()
    folders.start()
    (folders.next / "index.html").write_text("second, failed")
    folders.discard()
    assert (folders.published / "index.html").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["html"]


# -- The build code ------------------------------------------------------------------------------


def test_an_edit_to_the_build_code_changes_the_configuration_value_that_rebuilds_every_page(tmp_path):
    """Sphinx does not track extension code; course_build_code (rebuild "env") stands in for it."""
    import shutil
    import sys

    sys.path.insert(0, str(DOCS_DIR / "_ext"))
    try:
        import course_build
    finally:
        sys.path.remove(str(DOCS_DIR / "_ext"))
    folders = []
    for folder in course_build.BUILD_CODE:
        folders.append(tmp_path / folder.name)
        shutil.copytree(folder, folders[-1], ignore=shutil.ignore_patterns("__pycache__"))
    assert course_build.build_code_digest(folders) == course_build.build_code_digest()
    seen = {course_build.build_code_digest(folders)}
    for folder in folders:
        for path in sorted(folder.glob("*.py")):
            original = path.read_bytes()
            path.write_bytes(original + b"\n# edited\n")
            seen.add(course_build.build_code_digest(folders))
            path.write_bytes(original)
    assert len(seen) == 1 + sum(len(list(folder.glob("*.py"))) for folder in folders)

    class App:
        def __init__(self):
            self.values = {}

        def setup_extension(self, name):
            pass

        def connect(self, event, handler):
            pass

        def add_config_value(self, name, default, rebuild, types=()):
            self.values[name] = (default, rebuild)

    app = App()
    course_build.setup(app)
    assert app.values["course_build_code"] == (course_build.build_code_digest(), "env")
