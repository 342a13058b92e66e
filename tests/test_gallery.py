"""The figure gallery: one section per part of the module, and downloads that run where a reader puts them."""

import os
import subprocess
import sys
import zipfile
from urllib.parse import unquote

import pytest
from support.pages import read_page

from convviz.paths import DOWNLOADS_DIR, PACKAGE_DIR
from coursesite.outputs import figure_scripts
from coursesite.paths import SCRIPTS_DIR

PARTS = sorted(path.name for path in SCRIPTS_DIR.iterdir() if path.is_dir())


def test_every_part_has_a_sub_gallery_with_a_header():
    assert PARTS[:3] == ["part1_filters", "part2_conv_layer", "part3_trained_network"]
    for part in PARTS:
        assert (SCRIPTS_DIR / part / "GALLERY_HEADER.rst").is_file(), part
    assert {script.split("/")[0] for script in figure_scripts(SCRIPTS_DIR)} <= set(PARTS)


def test_gallery_index_shows_one_section_per_part_in_order(site):
    gallery = read_page(site, "auto_examples/index.html")
    titles = [h.get_text(" ", strip=True).rstrip("#").strip() for h in gallery.select("section section > h2")]
    assert [title.split(":")[0] for title in titles] == [f"Part {n}" for n in range(1, len(PARTS) + 1)]
    for script in figure_scripts(SCRIPTS_DIR):
        stem = script[: -len(".py")]
        assert gallery.select(f'a[href="{stem}.html"]'), f"{script} is not listed in the gallery"


def test_every_script_page_offers_python_and_notebook_downloads(site):
    for script in figure_scripts(SCRIPTS_DIR):
        page = read_page(site, f"auto_examples/{script[: -len('.py')]}.html")
        targets = [unquote(a["href"]) for a in page.select("a.download[href], a.reference.download[href]")]
        suffixes = {t.rsplit(".", 1)[-1] for t in targets}
        assert {"py", "ipynb"} <= suffixes, (script, targets)


def test_no_gallery_page_shows_the_folder_it_was_built_in(site):
    """A path the saves return, as a block's last line, would show the build machine's folders."""
    from coursesite.paths import ROOT

    for script in figure_scripts(SCRIPTS_DIR):
        text = read_page(site, f"auto_examples/{script[: -len('.py')]}.html").get_text()
        assert str(ROOT) not in text and "PosixPath(" not in text, script


def test_every_figure_a_script_saved_is_on_its_gallery_page_as_the_file_the_module_pages_show(site):
    """save_png's figures (its PNGs carry a Description chunk) reach the gallery page as their own
    bytes, not drawn again at sphinx-gallery's resolution (coursesite.gallery_images)."""
    from PIL import Image

    from coursesite.outputs import read_manifest
    from coursesite.paths import GENERATED_DIR

    records = read_manifest(GENERATED_DIR)
    assert records, "no record of outputs: run make html"
    shown = 0
    for script, record in records.items():
        saved = set()
        for name in record.outputs:
            if name.endswith(".png"):
                with Image.open(GENERATED_DIR / name) as image:
                    if "Description" in image.info:
                        saved.add((GENERATED_DIR / name).read_bytes())
        stem = script.split("/")[-1][: -len(".py")]
        page = read_page(site, f"auto_examples/{script[: -len('.py')]}.html")
        sources = {
            img["src"].split("/")[-1] for img in page.select("img[src]") if f"sphx_glr_{stem}_" in img["src"]
        }
        on_page = {(site / "_images" / source).read_bytes() for source in sources if "_thumb" not in source}
        assert saved <= on_page, f"{script}: {len(saved - on_page)} saved figure(s) not on its gallery page"
        shown += len(saved)
    assert shown >= 20


def test_package_zip_holds_every_module_of_convviz_and_the_learner_downloads(site):
    with zipfile.ZipFile(site / "downloads" / "convviz.zip") as archive:
        names = sorted(archive.namelist())
        folders = {"convviz": PACKAGE_DIR, "downloads": DOWNLOADS_DIR}
        assert names == sorted(f"{f}/{p.name}" for f, folder in folders.items() for p in folder.glob("*.py"))
        for name in names:
            folder, file = name.split("/")
            assert archive.read(name) == (folders[folder] / file).read_bytes()
    header = read_page(site, "auto_examples/index.html")
    assert header.select('a[href="../downloads/convviz.zip"]')


def test_the_package_zip_holds_no_site_machinery(site, tmp_path):
    """convviz.zip is what learners and figure scripts import: every module imports on its own,
    unzipped, without the site build (coursesite), and none knows the build's folders."""
    with zipfile.ZipFile(site / "downloads" / "convviz.zip") as archive:
        archive.extractall(tmp_path)
        names = archive.namelist()
    for site_only in ("explorer_data.py", "network_data.py", "quiz.py"):
        assert f"convviz/{site_only}" not in names
    for name in names:
        code = (tmp_path / name).read_text()
        for machinery in ("_build", "GENERATED_PATHS", "import coursesite", "from coursesite"):
            assert machinery not in code, (name, machinery)
    modules = sorted(name[len("convviz/") : -len(".py")] for name in names if name.startswith("convviz/"))
    imports = f"import importlib\nfor m in {modules}: importlib.import_module('convviz.' + m)"
    result = run_as_a_reader(["-c", imports], cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-2000:]


def run_as_a_reader(args, cwd):
    """Python with args in cwd, as a reader runs it: no PYTHONPATH, no window for matplotlib."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["MPLBACKEND"] = "Agg"
    command = [sys.executable, *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize(
    "script",
    [
        "part1_filters/plot_03_filter_kernels.py",
        "part1_filters/plot_05_download_outputs.py",
        "part2_conv_layer/plot_05_cnn_architecture.py",
    ],
)
def test_a_downloaded_script_runs_beside_the_unzipped_package(site, tmp_path, script):
    """plot_05_download_outputs.py runs the learner downloads: before, it stopped with FileNotFoundError
    because they were not in convviz.zip (issue 23, S7)."""
    page = read_page(site, f"auto_examples/{script[: -len('.py')]}.html")
    link = next(a["href"] for a in page.select("a[href]") if a["href"].endswith(".py"))
    downloaded = (site / "auto_examples" / script).parent / unquote(link)
    folder = tmp_path / "reader"
    folder.mkdir()
    (folder / downloaded.name).write_bytes(downloaded.read_bytes())
    with zipfile.ZipFile(site / "downloads" / "convviz.zip") as archive:
        archive.extractall(folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_as_a_reader([str(folder / downloaded.name)], cwd=elsewhere)
    assert result.returncode == 0, result.stderr[-2000:]
    saved = [p.name for p in folder.iterdir() if p.suffix in {".png", ".svg", ".gif"}]
    assert saved, "the script saved no figure next to itself"
    assert list(elsewhere.iterdir()) == []
