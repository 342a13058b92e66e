"""Figure saving and the staleness record that tells the build which scripts to re-run."""

import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from convviz import figure_output  # noqa: E402


@pytest.fixture
def figures(tmp_path, monkeypatch):
    source = tmp_path / "src"
    source.mkdir()
    (source / "helper.py").write_text("X = 1\n")
    monkeypatch.setattr(figure_output, "TRACKED_SOURCES", (source,))
    monkeypatch.setenv(figure_output.FIGURE_DIR_VARIABLE, str(tmp_path / "figs"))
    monkeypatch.setattr("sys.argv", ["/somewhere/scripts/plot_99_demo.py"])
    return tmp_path


def save_demo_figure():
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [1, 0])
    path = figure_output.save_png(fig, "demo.png")
    plt.close(fig)
    return path


def test_save_png_writes_an_opaque_png_and_records_its_script(figures):
    path = save_demo_figure()
    assert path == figures / "figs" / "demo.png"
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert "Software" not in image.info
        assert image.convert("RGBA").getextrema()[3] == (255, 255)
    manifest = json.loads((figures / "figs" / figure_output.MANIFEST_NAME).read_text())
    assert manifest["demo.png"]["script"] == "plot_99_demo.py"
    assert manifest["demo.png"]["sources"] == figure_output.source_hash()


def test_fresh_figures_are_not_stale(figures):
    save_demo_figure()
    assert figure_output.stale_scripts(figures / "figs") == []


def test_a_deleted_figure_makes_its_script_stale(figures):
    path = save_demo_figure()
    path.unlink()
    assert figure_output.stale_scripts(figures / "figs") == ["plot_99_demo.py"]


def test_changed_shared_code_makes_its_script_stale(figures):
    save_demo_figure()
    (figures / "src" / "helper.py").write_text("X = 2\n")
    assert figure_output.stale_scripts(figures / "figs") == ["plot_99_demo.py"]


def test_invalidate_deletes_only_the_stale_scripts_md5(figures):
    save_demo_figure()
    gallery = figures / "gallery"
    gallery.mkdir()
    for name in ("plot_99_demo.py.md5", "plot_01_other.py.md5"):
        (gallery / name).write_text("hash")
    assert figure_output.invalidate_stale_scripts(figures / "figs", gallery) == []
    (figures / "figs" / "demo.png").unlink()
    assert figure_output.invalidate_stale_scripts(figures / "figs", gallery) == ["plot_99_demo.py"]
    assert sorted(p.name for p in gallery.iterdir()) == ["plot_01_other.py.md5"]


def test_save_gif_keeps_every_frame_and_duration(figures):
    frames = [Image.new("RGB", (4, 4), (50 * i, 0, 0)) for i in range(5)]
    path = figure_output.save_gif(frames, "demo.gif", [100, 100, 100, 100, 900])
    with Image.open(path) as gif:
        assert gif.n_frames == 5
        gif.seek(4)
        assert gif.info["duration"] == 900
