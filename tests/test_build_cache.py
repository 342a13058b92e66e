"""The build never shows a stale or half-made site, and rebuilds only what changed.

Most tests build the fixture site (tests/fixture_site: two figure scripts, a package they import,
a download one of them runs and a file one reads that the other saves) in this process with the
build ``make html`` runs (coursesite.build). Each starts from the same clean build, copied back to
where it was built (so Sphinx's saved state is valid), changes something, builds, and compares
with a clean build of the changed tree. Two tests build the real site with ``make html``: a clean
build in a scratch copy gives the figures of the site's own build byte for byte, and an unchanged
tree, then one edited script, rebuild only what changed. The tests of this file share one
pytest-xdist worker (their builds are heavy).
"""

import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image, ImageColor
from support import clean_build
from support.site_build import (
    build_command,
    build_in_process,
    build_in_subprocess,
    executed_scripts,
    make,
    make_html,
)

from coursesite.outputs import FORMAT, MANIFEST_NAME, figure_scripts
from coursesite.paths import ROOT

pytestmark = [pytest.mark.build_cache, pytest.mark.xdist_group("build_cache")]

FIXTURE = Path(__file__).parent / "fixture_site"
SQUARE, CIRCLE = "part1/plot_01_square.py", "part1/plot_02_circle.py"
FIGURE_SUFFIXES = {".png", ".gif", ".npz", ".svg", ".txt", ".css", ".woff2"}


# -- Comparing sites --------------------------------------------------------------------------


def generated(tree):
    """{relative path: bytes} of what the scripts made and the site shows (tiny_cnn_numbers.txt: a time)."""
    folders = [
        tree / "docs" / "_generated",
        tree / "_build" / "html" / "_images",
        tree / "_build" / "html" / "_static",
    ]
    return {
        path.relative_to(tree).as_posix(): path.read_bytes()
        for folder in folders
        for path in sorted(folder.rglob("*"))
        if path.suffix in FIGURE_SUFFIXES and path.name != "tiny_cnn_numbers.txt"
    }


def site_files(tree):
    """The names of every file of the built site (a stale page left behind shows up here)."""
    html = tree / "_build" / "html"
    return sorted(
        p.relative_to(html).as_posix() for p in html.rglob("*") if p.is_file() and ".doctrees" not in p.parts
    )


def site_bytes(tree):
    html = tree / "_build" / "html"
    return {name: (html / name).read_bytes() for name in site_files(tree)}


def assert_same_site(tree, clean):
    assert site_files(tree) == site_files(clean)
    ours, theirs = generated(tree), generated(clean)
    assert ours.keys() == theirs.keys()
    assert [name for name in ours if ours[name] != theirs[name]] == []
    assert (tree / "_build" / "html.next").exists() is False


def build(tree, status=0, figure_jobs=1):
    """Build the fixture tree (in this process; in a new one when its scripts run in figure_jobs
    worker processes); assert the exit status; return (log, scripts run)."""
    if figure_jobs > 1:
        code, log, ran = build_in_subprocess(tree, figure_jobs)
    else:
        code, log, ran = build_in_process(tree)
    assert code == status, log[-3000:]
    return log, ran


def error_lines(log):
    return [line for line in log.splitlines() if line.startswith("error:")]


def clean_build_of(tree, scratch):
    """A clean build of tree's sources, in scratch."""
    copy = scratch / "clean"
    shutil.copytree(tree, copy, ignore=shutil.ignore_patterns("_build", "_generated", "auto_examples"))
    build(copy)
    return copy


# -- The fixture site ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A clean build of the fixture, kept aside; the tests build copies of it where it was built."""
    base = tmp_path_factory.mktemp("fixture")
    shutil.copytree(FIXTURE, base / "site")
    log, ran = build(base / "site")
    assert ran == [SQUARE, CIRCLE], log[-3000:]
    (base / "site").rename(base / "pristine")
    return base


@pytest.fixture
def tree(pristine):
    """A copy of the clean build, at the path it was built at."""
    work = pristine / "site"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(pristine / "pristine", work, symlinks=True)
    return work


@pytest.fixture
def clean(pristine):
    return pristine / "pristine"


def edit(path, old, new):
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


def test_the_record_names_what_each_script_imports_reads_and_saves(clean):
    import json

    record = json.loads((clean / "docs" / "_generated" / MANIFEST_NAME).read_text())["scripts"]
    assert sorted(record) == [SQUARE, CIRCLE]
    assert sorted(record[SQUARE]["inputs"]) == [
        "conf.py",
        "constraints.txt",
        "tinypkg/__init__.py",
        "tinypkg/shapes.py",
    ]
    assert sorted(record[CIRCLE]["inputs"]) == [
        "conf.py",
        "constraints.txt",
        "docs/_generated/square_numbers.txt",
        "downloads/tool.py",
        "tinypkg/__init__.py",
        "tinypkg/loader.py",
        "tinypkg/shapes.py",
    ]
    assert sorted(record[SQUARE]["outputs"]) == ["square.png", "square_numbers.txt"]
    assert sorted(record[CIRCLE]["outputs"]) == ["circle.png", "tool_output.txt"]


def test_a_gallery_page_shows_each_saved_figure_as_its_file_and_draws_one_left_unsaved(tree):
    edit(
        tree / "scripts" / SQUARE,
        'print(f"a square of side {SIDE}")',
        'print(f"a square of side {SIDE}")\nplt.subplots(figsize=(1, 1))[1].plot([0, 1], [1, 0])',
    )
    build(tree)
    images = sorted(
        (tree / "docs" / "auto_examples" / "part1" / "images").glob("sphx_glr_plot_01_square_*.png")
    )
    assert [image.name for image in images] == [
        "sphx_glr_plot_01_square_001.png",
        "sphx_glr_plot_01_square_002.png",
    ]
    assert images[0].read_bytes() == (tree / "docs" / "_generated" / "square.png").read_bytes()
    with Image.open(images[1]) as drawn:  # the open figure, drawn by sphinx-gallery's matplotlib scraper
        assert drawn.format == "PNG" and drawn.size == (100, 100)
    page = (tree / "_build" / "html" / "auto_examples" / "part1" / "plot_01_square.html").read_text()
    assert page.count('src="../../_images/sphx_glr_plot_01_square_') == 2


def test_an_unchanged_tree_runs_no_script_reads_no_page_and_keeps_every_file(tree, clean):
    before = site_bytes(tree)
    log, ran = build(tree)
    assert ran == []
    assert "0 added, 0 changed, 0 removed" in log and "no targets are out of date" in log
    assert "removed" not in log.replace("0 removed", "")
    assert site_bytes(tree) == before
    assert_same_site(tree, clean)


def test_a_deleted_figure_is_made_again_by_its_script_alone(tree, clean):
    (tree / "docs" / "_generated" / "circle.png").unlink()
    log, ran = build(tree)
    assert ran == [CIRCLE]
    assert_same_site(tree, clean)


def test_an_edited_script_runs_alone_and_its_gallery_page_follows(tree, clean, tmp_path):
    script = tree / "scripts" / CIRCLE
    edit(script, "print(report)", 'print(report)\nprint("edited")')
    log, ran = build(tree)
    assert ran == [CIRCLE]
    assert (
        "edited" in (tree / "_build" / "html" / "auto_examples" / "part1" / "plot_02_circle.html").read_text()
    )
    assert_same_site(tree, clean_build_of(tree, tmp_path))


def test_a_script_whose_output_another_reads_runs_that_one_too(tree, tmp_path):
    edit(tree / "scripts" / SQUARE, 'save_numbers({"side": SIDE}', 'save_numbers({"side": SIDE + 1}')
    log, ran = build(tree)
    assert ran == [SQUARE, CIRCLE]
    assert "area 169" in (tree / "docs" / "_generated" / "tool_output.txt").read_text()
    assert_same_site(tree, clean_build_of(tree, tmp_path))


def test_an_imported_module_edit_runs_its_scripts_and_refreshes_every_shown_copy(tree, clean, tmp_path):
    edit(tree / "tinypkg" / "shapes.py", "SIDE = 12", "SIDE = 14")
    log, ran = build(tree)
    assert ran == [SQUARE, CIRCLE]
    assert generated(tree)["docs/_generated/square.png"] != generated(clean)["docs/_generated/square.png"]
    # The gallery's own plots are copied again too (they are not Sphinx dependencies of their pages).
    plots = sorted((tree / "docs" / "auto_examples").rglob("images/sphx_glr_*.png"))
    assert plots
    for plot in plots:
        assert (tree / "_build" / "html" / "_images" / plot.name).read_bytes() == plot.read_bytes(), plot.name
    assert_same_site(tree, clean_build_of(tree, tmp_path))
    assert build(tree)[1] == []


def test_an_edited_gallery_setting_runs_every_script(tree, clean):
    """conf.py's gallery settings shape every script's page (here: what a block's last line shows)."""
    edit(
        tree / "conf.py",
        '"reset_modules_order": "both",',
        '"reset_modules_order": "both",\n    "capture_repr": (),',
    )
    log, ran = build(tree)
    assert ran == [SQUARE, CIRCLE]
    assert "conf.py changed" in log


def test_an_edited_default_thumbnail_reaches_the_gallery_of_a_script_that_shows_no_figure(tree, tmp_path):
    """sphinx-gallery keeps the thumbnail it copied from default_thumb_file for a script without a
    figure; the build makes it again whenever the script runs, so every edit of that file arrives."""
    thumb = tree / "docs" / "_static" / "thumb.png"
    words = "part1/plot_03_words.py"
    (tree / "scripts" / words).write_text('"""\nWords\n=====\n\nOnly words.\n"""\n\nprint("no figure")\n')
    assert build(tree)[1] == [words]
    for colour in ("blue", "green"):  # twice: the build that made it again still records what it read
        Image.new("RGB", (40, 40), colour).save(thumb)
        assert build(tree)[1] == [words]
        shown = tree / "_build" / "html" / "_images" / "sphx_glr_plot_03_words_thumb.png"
        with Image.open(shown) as image:
            centre = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
        assert centre == ImageColor.getrgb(colour)
        assert_same_site(tree, clean_build_of(tree, tmp_path / colour))


def test_a_changed_package_pin_runs_every_script_and_reads_and_writes_every_page(tree, clean):
    """A new version of any package (make lock rewrites constraints.txt) may change every figure and
    page (the theme's templates, Pygments' markup): the build does what a clean build does."""
    html = tree / "_build" / "html"
    pages = {page: page.stat().st_mtime_ns for page in html.rglob("*.html") if ".doctrees" not in page.parts}
    edit(tree / "constraints.txt", "numpy==2.4.6", "numpy==2.4.7")
    log, ran = build(tree)
    assert ran == [SQUARE, CIRCLE]
    assert "[config changed ('course_packages')]" in log  # Sphinx reads every page again
    assert [page.name for page, written in pages.items() if page.stat().st_mtime_ns == written] == []
    assert_same_site(tree, clean)
    assert build(tree)[1] == []  # and the next build, nothing


def test_a_module_no_script_imports_runs_nothing(tree, clean):
    edit(tree / "tinypkg" / "unused.py", '"hello"', '"goodbye"')
    log, ran = build(tree)
    assert ran == []
    assert_same_site(tree, clean)


def test_an_edited_download_runs_the_script_that_ran_it(tree, tmp_path):
    edit(tree / "downloads" / "tool.py", "has area", "covers")
    log, ran = build(tree)
    assert ran == [CIRCLE]
    assert "covers 144" in (tree / "docs" / "_generated" / "tool_output.txt").read_text()
    assert_same_site(tree, clean_build_of(tree, tmp_path))


@pytest.mark.parametrize(
    "damage",
    [
        "delete",
        "empty list",
        "not json",
        "entry not a dict",
        "truncated",
        "old format",
        "the format before",
        "one file, two scripts",
    ],
)
def test_a_damaged_record_runs_every_script(tree, clean, damage):
    import json

    manifest = tree / "docs" / "_generated" / MANIFEST_NAME
    text = manifest.read_text()
    data = json.loads(text)
    if damage == "one file, two scripts":
        data["scripts"][CIRCLE]["outputs"]["square.png"] = data["scripts"][SQUARE]["outputs"]["square.png"]
    replacement = {
        "empty list": "[]",
        "not json": "{{{",
        "entry not a dict": json.dumps({"format": FORMAT, "scripts": {SQUARE: 1}}),
        "truncated": text[:40],
        "old format": json.dumps({"square.png": {"script": SQUARE, "sources": "0" * 64}}),
        "the format before": json.dumps({**data, "format": FORMAT - 1}),
        "one file, two scripts": json.dumps(data),
    }
    if damage == "delete":
        manifest.unlink()
    else:
        manifest.write_text(replacement[damage])
    log, ran = build(tree)
    assert ran == [SQUARE, CIRCLE]
    if damage == "the format before":
        assert "to run: every figure script (the record of outputs was written by an earlier build)" in log
    assert json.loads(manifest.read_text()) == json.loads(text)
    assert_same_site(tree, clean)


def test_a_deleted_generated_folder_is_made_whole_again(tree, clean):
    shutil.rmtree(tree / "docs" / "_generated")
    log, ran = build(tree)
    assert ran == [SQUARE, CIRCLE]
    assert_same_site(tree, clean)


@pytest.mark.parametrize(
    ("name", "damage"),
    [("square_numbers.txt", ".. |side| replace:: 99\n"), ("circle.png", b"\x89PNG\r\n\x1a\n broken")],
)
def test_a_hand_edited_or_damaged_output_is_made_again(tree, clean, name, damage):
    target = tree / "docs" / "_generated" / name
    target.write_text(damage) if isinstance(damage, str) else target.write_bytes(damage)
    log, ran = build(tree)
    assert (SQUARE if name.startswith("square") else CIRCLE) in ran
    assert_same_site(tree, clean)
    assert "99" not in (tree / "_build" / "html" / "index.html").read_text()
    assert build(tree)[1] == []


def test_a_renamed_output_leaves_no_stale_file_and_stops_on_the_page_that_showed_it(tree, clean):
    script = tree / "scripts" / CIRCLE
    published = site_bytes(tree)
    edit(script, '"circle.png"', '"disc.png"')
    log, _ = build(tree, status=1)
    assert "circle.png" in log
    assert not (tree / "docs" / "_generated" / "circle.png").exists()
    assert (tree / "docs" / "_generated" / "disc.png").is_file()
    assert site_bytes(tree) == published
    edit(script, '"disc.png"', '"circle.png"')
    log, ran = build(tree)
    assert ran == [CIRCLE]
    assert not (tree / "docs" / "_generated" / "disc.png").exists()
    assert_same_site(tree, clean)


def test_a_renamed_script_leaves_no_orphan_page(tree, tmp_path):
    folder = tree / "scripts" / "part1"
    (folder / "plot_02_circle.py").rename(folder / "plot_03_circle.py")
    log, ran = build(tree)
    assert ran == ["part1/plot_03_circle.py"]
    files = site_files(tree)
    assert "auto_examples/part1/plot_03_circle.html" in files
    assert not [name for name in files if "plot_02_circle" in name]
    assert_same_site(tree, clean_build_of(tree, tmp_path))


def test_a_deleted_script_removes_its_outputs_and_stops_on_the_page_that_shows_them(tree, clean):
    script = tree / "scripts" / CIRCLE
    saved = script.read_text()
    published = site_bytes(tree)
    script.unlink()
    log, _ = build(tree, status=1)
    assert "circle.png" in log
    assert not (tree / "docs" / "_generated" / "circle.png").exists()
    assert site_bytes(tree) == published
    script.write_text(saved)
    log, ran = build(tree)
    assert ran == [CIRCLE]
    assert_same_site(tree, clean)


def test_two_scripts_saving_one_name_stop_the_build_with_one_line(tree, clean):
    published = site_bytes(tree)
    edit(
        tree / "scripts" / CIRCLE,
        'save_png(fig, "circle.png", dpi=40)',
        'save_png(fig, "square.png", dpi=40)',
    )
    log, _ = build(tree, status=2)
    assert error_lines(log) == [
        f"error: {CIRCLE} saves square.png, which {SQUARE} saves too: every output needs a name of its own"
    ]
    assert site_bytes(tree) == published
    assert (tree / "docs" / "_generated" / "square.png").read_bytes() == (
        clean / "docs" / "_generated" / "square.png"
    ).read_bytes()


@pytest.mark.parametrize(
    ("statement", "cause"),
    [
        ('raise RuntimeError("no disc today")', "RuntimeError: no disc today"),
        ("sys.exit(3)", "SystemExit: 3"),
    ],
)
def test_a_failing_script_keeps_the_site_and_says_why_in_one_line(tree, clean, statement, cause):
    script = tree / "scripts" / CIRCLE
    published = site_bytes(tree)
    edit(script, "report = run_tool(saved_side())", f"import sys\n{statement}")
    line = next(n for n, text in enumerate(script.read_text().splitlines(), 1) if text == statement)
    log, _ = build(tree, status=2)
    assert error_lines(log) == [f"error: figure script {CIRCLE} failed at line {line}: {cause}"]
    assert "Extension error" not in log and "open an issue" not in log
    assert site_bytes(tree) == published
    edit(script, f"import sys\n{statement}", "report = run_tool(saved_side())")
    log, ran = build(tree)
    assert ran == [CIRCLE]
    assert_same_site(tree, clean)


# -- Figure scripts in worker processes (course_figure_jobs > 1) -----------------------------------

RUNS_ALONE = "# sphinx_gallery_parallel = False\n"


@pytest.fixture
def sources(tmp_path):
    """The fixture's sources, never built; the square runs first, alone (the circle reads its output)."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    edit(
        site / "scripts" / SQUARE,
        "import matplotlib.pyplot as plt\n",
        "import matplotlib.pyplot as plt\n\n" + RUNS_ALONE,
    )
    return site


def records_without_text(tree):
    from coursesite.outputs import read_manifest

    return {
        script: (record.inputs, record.outputs)
        for script, record in read_manifest(tree / "docs" / "_generated").items()
    }


def test_scripts_in_worker_processes_make_what_one_process_makes(sources, clean):
    log, ran = build(sources, figure_jobs=2)
    assert ran == [SQUARE, CIRCLE]
    assert generated(sources) == generated(clean)
    assert records_without_text(sources) == records_without_text(clean)
    log, ran = build(sources, figure_jobs=2)
    assert ran == []
    assert "0 added, 0 changed, 0 removed" in log


def test_a_script_reading_what_a_parallel_script_of_its_section_makes_is_reported(tree):
    """Both scripts run again, in two processes, and the circle reads the square's output (it waits
    for it, so that it cannot fail first): the build stops and says how to order them."""
    published = site_bytes(tree)
    edit(
        tree / "scripts" / SQUARE, "import matplotlib.pyplot as plt\n", "import matplotlib.pyplot as plt\n\n"
    )
    edit(
        tree / "scripts" / CIRCLE,
        "report = run_tool(saved_side())",
        "import time\n"
        "from tinypkg.loader import ROOT\n"
        "for _ in range(1200):  # at most a minute\n"
        "    if (ROOT / 'docs' / '_generated' / 'square_numbers.txt').exists():\n"
        "        break\n"
        "    time.sleep(0.05)\n"
        "report = run_tool(saved_side())",
    )
    log, ran = build(tree, status=1, figure_jobs=2)
    assert ran == [SQUARE, CIRCLE]
    assert (
        f"{CIRCLE} reads square_numbers.txt, which {SQUARE} makes: with course_figure_jobs > 1 the two "
        f"may run at the same time; add `# sphinx_gallery_parallel = False` to {SQUARE}"
    ) in log
    assert site_bytes(tree) == published


def test_a_script_failing_in_a_worker_process_is_named_in_one_line(sources):
    script = sources / "scripts" / CIRCLE
    edit(script, "report = run_tool(saved_side())", 'raise RuntimeError("no disc today")')
    line = next(n for n, text in enumerate(script.read_text().splitlines(), 1) if "no disc" in text)
    log, _ = build(sources, status=2, figure_jobs=2)
    assert error_lines(log) == [
        f"error: figure script {CIRCLE} failed at line {line}: RuntimeError: no disc today"
    ]
    assert "Extension error" not in log and "joblib" not in log and "\x1b[" not in log
    assert not (sources / "_build" / "html").exists()


def test_two_scripts_saving_one_name_at_the_same_time_stop_the_build_with_one_line(sources):
    edit(sources / "scripts" / SQUARE, RUNS_ALONE, "")
    edit(
        sources / "scripts" / CIRCLE,
        'save_png(fig, "circle.png", dpi=40)',
        'save_png(fig, "square.png", dpi=40)',
    )
    edit(sources / "scripts" / CIRCLE, "report = run_tool(saved_side())", 'report = "no report"')
    log, _ = build(sources, status=2, figure_jobs=2)
    pair = {SQUARE, CIRCLE}
    assert [
        f"error: {one} saves square.png, which {other} saves too: every output needs a name of its own"
        for one, other in (sorted(pair), sorted(pair, reverse=True))
        if f"error: {one} saves square.png" in log
    ] == error_lines(log)
    assert "Extension error" not in log and "joblib" not in log


def test_a_script_that_prints_too_much_is_reported_by_name(tree):
    published = site_bytes(tree)
    edit(
        tree / "scripts" / CIRCLE,
        "print(report)",
        'for n in range(3000):\n    print(f"line {n:>6}" + "." * 40)',
    )
    log, _ = build(tree, status=1)
    # 3,000 lines of 51 characters, and save_png's own line.
    assert f"{CIRCLE} printed 3,001 lines (0.2 MB) onto its gallery page; print at most 100 KB" in log
    assert site_bytes(tree) == published


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_build_keeps_the_site(tree, stop):
    published = site_bytes(tree)
    marker = tree / "running"
    edit(
        tree / "scripts" / CIRCLE,
        "report = run_tool(saved_side())",
        f"import pathlib, time\npathlib.Path({str(marker)!r}).write_text('x')\ntime.sleep(120)",
    )
    command, env = build_command(tree)
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 120
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert marker.exists(), process.communicate()[0][-3000:]
    process.send_signal(stop)
    output = process.communicate(timeout=60)[0]
    assert process.returncode == 130, output[-3000:]
    assert (
        f"interrupted while {CIRCLE} ran: {tree / '_build' / 'html'} still holds the previous site" in output
    )
    assert "Traceback" not in output
    assert site_bytes(tree) == published
    assert not (tree / "_build" / "html.next").exists()


def test_an_edited_or_deleted_style_sheet_is_joined_again_into_every_page(tree, clean):
    sheet = tree / "docs" / "_static" / "fixture.css"
    original = sheet.read_text()
    sheet.write_text(original + "\nbody { --edited-marker: 1; }\n")
    log, ran = build(tree)
    assert ran == []
    pages = sorted((tree / "_build" / "html").rglob("*.html"))
    for page in pages:
        joined = next(
            p for p in (tree / "_build" / "html" / "_static").glob("site-*.css") if p.name in page.read_text()
        )
        assert b"--edited-marker" in joined.read_bytes(), page
    sheet.write_text(original)
    for joined in (tree / "_build" / "html" / "_static").glob("site-*"):
        joined.unlink()
    build(tree)
    assert_same_site(tree, clean)


# -- The real site, with make html -------------------------------------------------------------------


@pytest.fixture(scope="session")
def real(tmp_path_factory, site):
    """A clean build of a fresh copy of the tree: (tree, generated, scripts run).

    It is compared with the site's own build (the one `make test` made before the tests, at
    another SOURCE_DATE_EPOCH): two builds, one of them clean, in one build's time. `make test`
    starts it beside its own build (support/clean_build.py); run alone, the fixture builds it.
    Session-scoped: pytest-xdist may run other modules' tests between this module's two users.
    """
    tree, status, stdout, log = clean_build.awaited(tmp_path_factory.mktemp("clean"))
    assert status == 0, log[-4000:]
    yield tree, generated(tree), executed_scripts(stdout)
    if tree.parent.name.startswith("course-clean-build-"):
        shutil.rmtree(tree.parent, ignore_errors=True)


def test_a_clean_build_of_the_real_site_equals_its_own_build_byte_for_byte(real):
    """The figures do not depend on the date, the machine's state or the builds before (the site's own
    build may be incremental, after any edits: the next make html must equal a clean build)."""
    clean, theirs, ran = real
    ours = generated(ROOT)
    assert ran == len(figure_scripts(clean / "scripts")) >= 20
    assert len(ours) >= 20
    assert ours.keys() == theirs.keys(), "the site's own build and a clean one hold different files"
    differ = [name for name in ours if ours[name] != theirs[name]]
    assert differ == [], f"differ from a clean build (run make html; if they still differ, a bug): {differ}"


def test_the_real_site_rebuilds_only_what_changed(real):
    tree = real[0]  # the clean build, rebuilt where it was built (the other test uses only its bytes)
    result = make(tree, "html", epoch="1800000000")  # its own epoch (a new one is a new copyright year)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert executed_scripts(result.stdout) == 0
    assert "0 added, 0 changed, 0 removed" in log and "no targets are out of date" in log
    script = tree / "scripts" / "part1_filters" / "plot_03_filter_kernels.py"
    edit(script, "fig.tight_layout()", 'fig.suptitle("edited")\nfig.tight_layout()')
    executed, log = make_html(tree, epoch="1800000000")
    assert executed == 1, log[-3000:]
    assert "to run: part1_filters/plot_03_filter_kernels.py (its text changed)" in log
    figure = (tree / "docs" / "_generated" / "filter_kernels.svg").read_bytes()
    assert b"edited" in figure
    assert (tree / "_build" / "html" / "_images" / "filter_kernels.svg").read_bytes() == figure
