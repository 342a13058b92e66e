"""Figure saving: where each caller's files go, and the record of which scripts must run again."""

import json
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from convviz import figure_output  # noqa: E402
from convviz.paths import ROOT  # noqa: E402

DEMO = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from convviz.figure_output import save_png
fig, ax = plt.subplots(figsize=(2, 2))
ax.plot([0, 1], [1, 0])
save_png(fig, "demo.png")
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A scripts folder, a generated folder and a one-file package, wired into figure_output."""
    source = tmp_path / "src"
    source.mkdir()
    (source / "helper.py").write_text("X = 1\n")
    scripts = tmp_path / "scripts"
    (scripts / "part9_demo").mkdir(parents=True)
    monkeypatch.setattr(figure_output, "TRACKED_SOURCES", (source,))
    monkeypatch.setattr(figure_output, "SCRIPTS_DIR", scripts)
    monkeypatch.setattr(figure_output, "GENERATED_DIR", tmp_path / "generated")
    return tmp_path


def run_as_script(path, text=DEMO):
    """Execute text as if it were the file at path, as sphinx-gallery does (compiled under its name)."""
    path.write_text(text)
    exec(compile(text, str(path), "exec"), {"__name__": "__main__"})
    plt.close("all")


def stale(tree):
    return figure_output.stale_scripts(tree / "scripts", tree / "generated")


def test_a_build_script_saves_into_the_generated_folder_and_is_recorded(tree):
    run_as_script(tree / "scripts" / "part9_demo" / "plot_01_demo.py")
    path = tree / "generated" / "demo.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert "Software" not in image.info
        assert image.convert("RGBA").getextrema()[3] == (255, 255)
    manifest = json.loads((tree / "generated" / figure_output.MANIFEST_NAME).read_text())
    assert manifest == {
        "demo.png": {"script": "part9_demo/plot_01_demo.py", "sources": figure_output.source_hash()}
    }
    assert [p.name for p in (tree / "generated").iterdir() if p.name.startswith(".")] == []


def test_a_script_elsewhere_saves_next_to_itself_not_in_the_callers_folder(tmp_path):
    script = tmp_path / "downloaded" / "plot_01_demo.py"
    script.parent.mkdir()
    script.write_text(DEMO)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(script)], cwd=elsewhere, capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    assert (script.parent / "demo.png").is_file()
    assert list(elsewhere.iterdir()) == []
    assert not (script.parent / figure_output.MANIFEST_NAME).exists()


def test_code_with_no_script_file_is_stopped_with_a_clear_message(tree):
    fig, _ = plt.subplots()
    with pytest.raises(RuntimeError, match="cannot tell which script is saving"):
        exec(
            compile("save_png(fig, 'x.png')", "<string>", "exec"),
            {"save_png": figure_output.save_png, "fig": fig},
        )
    plt.close(fig)


def test_a_failing_writer_leaves_no_file_and_no_temporary(tree):
    script = tree / "scripts" / "part9_demo" / "plot_02_broken.py"

    def broken(path):
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        figure_output.save_file(broken, "half.txt", script=script)
    assert list((tree / "generated").iterdir()) == []


def test_fresh_figures_are_not_stale(tree):
    run_as_script(tree / "scripts" / "part9_demo" / "plot_01_demo.py")
    assert stale(tree) == []


def test_a_deleted_figure_makes_its_script_stale(tree):
    run_as_script(tree / "scripts" / "part9_demo" / "plot_01_demo.py")
    (tree / "generated" / "demo.png").unlink()
    assert stale(tree) == ["part9_demo/plot_01_demo.py"]


def test_changed_shared_code_makes_every_script_stale(tree):
    run_as_script(tree / "scripts" / "part9_demo" / "plot_01_demo.py")
    (tree / "src" / "helper.py").write_text("X = 2\n")
    assert stale(tree) == ["part9_demo/plot_01_demo.py"]


def test_a_script_that_never_saved_is_stale(tree):
    run_as_script(tree / "scripts" / "part9_demo" / "plot_01_demo.py")
    (tree / "scripts" / "part9_demo" / "plot_02_new.py").write_text("")
    assert stale(tree) == ["part9_demo/plot_02_new.py"]


@pytest.mark.parametrize(
    "text", ["", "[]", "{{", '{"a.png": 1}', '{"a.png": {"script": 1}}', '{"a.png": {}}']
)
def test_a_damaged_manifest_makes_every_script_stale(tree, text):
    run_as_script(tree / "scripts" / "part9_demo" / "plot_01_demo.py")
    (tree / "scripts" / "part9_demo" / "plot_02_other.py").write_text("")
    (tree / "generated" / figure_output.MANIFEST_NAME).write_text(text)
    assert figure_output.read_manifest(tree / "generated") is None
    assert stale(tree) == ["part9_demo/plot_01_demo.py", "part9_demo/plot_02_other.py"]


def test_files_of_a_deleted_script_are_orphans(tree):
    script = tree / "scripts" / "part9_demo" / "plot_01_demo.py"
    run_as_script(script)
    (tree / "generated" / "stray.png").write_bytes(b"x")
    assert figure_output.orphan_files(tree / "scripts", tree / "generated") == ["stray.png"]
    script.unlink()
    assert figure_output.orphan_files(tree / "scripts", tree / "generated") == ["demo.png", "stray.png"]


def test_save_gif_keeps_every_frame_and_duration(tree):
    frames = [Image.new("RGB", (4, 4), (50 * i, 0, 0)) for i in range(5)]
    script = tree / "scripts" / "part9_demo" / "plot_03_gif.py"
    path = figure_output.save_gif(frames, "demo.gif", [100, 100, 100, 100, 900], script=script)
    with Image.open(path) as gif:
        assert gif.n_frames == 5
        gif.seek(4)
        assert gif.info["duration"] == 900


def test_forgetting_a_script_removes_its_files_and_entries_only(tree):
    run_as_script(tree / "scripts" / "part9_demo" / "plot_01_demo.py")
    other = tree / "scripts" / "part9_demo" / "plot_02_other.py"
    run_as_script(other, DEMO.replace("demo.png", "other.png"))
    forgotten = figure_output.forget_outputs(["part9_demo/plot_01_demo.py"], tree / "generated")
    assert forgotten == ["demo.png"]
    assert not (tree / "generated" / "demo.png").exists()
    assert (tree / "generated" / "other.png").is_file()
    assert list(figure_output.read_manifest(tree / "generated")) == ["other.png"]


def test_save_png_with_a_width_is_exactly_that_wide_and_records_its_smallest_text(tree):
    script = tree / "scripts" / "part9_demo" / "plot_03_width.py"
    fig = plt.figure(figsize=(4, 2))
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.7))
    ax.imshow([[0.0, 1.0], [0.5, 0.25]], cmap="gray")
    ax.set_axis_off()
    ax.text(0.5, 1.05, "title", transform=ax.transAxes, fontsize=12)
    fig.text(0.01, 0.01, "note", fontsize=9)
    path = figure_output.save_png(fig, "wide.png", width=600, tight=False, script=script)
    plt.close(fig)
    with Image.open(path) as image:
        assert image.size == (600, 300)
        assert image.mode == "L"  # nothing but grays
        description = image.text["Description"]
    dpi = 600 / 4
    # The square image fills the axes' height, 0.7 × 2 inches, and is as wide.
    panel = 0.7 * 2 * dpi
    text_size = f"font_px={9 * dpi / 72:.1f}; width_px=600"
    assert description == f"panels=1; sizes=2x2; {text_size}; panel_px={panel:.1f}"


def test_panel_widths_are_the_drawn_images_the_plotted_axes_or_what_a_mosaic_states():
    fig = plt.figure(figsize=(6, 2), dpi=100)
    square = fig.add_axes((0.0, 0.0, 0.5, 1.0))  # 3 × 2 inches: a square image is drawn 2 inches wide
    square.imshow([[0.0, 1.0], [1.0, 0.0]])
    wide = fig.add_axes((0.5, 0.0, 0.25, 1.0))  # 1.5 inches wide: the image is narrower than tall
    wide.imshow([[0.0, 1.0, 0.5]] * 3)
    plot = fig.add_axes((0.8, 0.1, 0.2, 0.8))
    plot.plot([0, 1], [1, 0])
    fig.canvas.draw()
    assert figure_output.panel_widths(fig) == pytest.approx([200, 150, 120])
    assert figure_output.figure_description(fig, dpi=200).endswith("; panel_px=240.0")
    mosaic = plt.figure(figsize=(4, 1), dpi=100)
    ax = mosaic.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.imshow([[0.0] * 100] * 25)  # four panels of 25 pixels side by side, 100 display px each
    mosaic.panel_width = (ax, 25)
    mosaic.canvas.draw()
    assert figure_output.panel_widths(mosaic) == pytest.approx([100])
    plt.close(fig)
    plt.close(mosaic)


@pytest.mark.parametrize(("palette", "mode"), [("median-cut", "P"), ("gray-ramp", "P"), ("exact", "RGB")])
def test_save_png_stores_colour_figures_with_the_palette_asked_for_and_the_same_bytes_twice(
    tree, palette, mode
):
    script = tree / "scripts" / "part9_demo" / "plot_04_colour.py"
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.imshow([[0.0, 1.0], [0.5, 0.25]], cmap="viridis")
    first = figure_output.save_png(fig, "a.png", dpi=50, palette=palette, script=script).read_bytes()
    second = figure_output.save_png(fig, "a.png", dpi=50, palette=palette, script=script).read_bytes()
    plt.close(fig)
    assert first == second
    with Image.open(tree / "generated" / "a.png") as image:
        assert image.mode == mode
        assert image.convert("RGBA").getextrema()[3] == (255, 255)


def test_save_png_names_a_palette_it_does_not_know(tree):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="palette must be one of"):
        figure_output.save_png(fig, "x.png", palette="web", script=tree / "scripts" / "part9_demo" / "p.py")
    plt.close(fig)


@pytest.mark.parametrize("levels", [2, 5, 64])
def test_save_png_rounds_a_gray_figure_to_the_levels_asked_for_and_each_pixel_to_its_nearest(tree, levels):
    script = tree / "scripts" / "part9_demo" / "plot_05_levels.py"
    ramp = np.linspace(0, 1, 256)[None].repeat(8, axis=0)
    fig = plt.figure(figsize=(2.56, 0.08))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(ramp, cmap="gray", vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    ax.set_axis_off()
    full = figure_output.save_png(fig, "full.png", dpi=100, tight=False, script=script)
    fewer = figure_output.save_png(fig, "fewer.png", dpi=100, tight=False, gray_levels=levels, script=script)
    plt.close(fig)
    with Image.open(full) as a, Image.open(fewer) as b:
        assert b.mode == "L" and a.size == b.size
        original, rounded = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    allowed = np.linspace(0, 255, levels)
    assert set(np.unique(rounded)) <= set(np.round(allowed))
    assert len(np.unique(original)) > levels  # the ramp had more levels to lose
    # Each pixel went to the allowed level nearest to it (a rounding step of half a level at most).
    nearest = allowed[np.abs(original[..., None] - allowed).argmin(axis=-1)]
    np.testing.assert_allclose(rounded, np.round(nearest), atol=1)


@pytest.mark.parametrize("levels", [1, 257, 64.0, "64"])
def test_save_png_names_gray_levels_it_cannot_use(tree, levels):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="gray_levels must be"):
        figure_output.save_png(
            fig, "x.png", gray_levels=levels, script=tree / "scripts" / "part9_demo" / "p.py"
        )
    plt.close(fig)
