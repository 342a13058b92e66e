"""Figure saving: where each caller's files go, byte-stable files, and the record each figure carries."""

import os
import subprocess
import sys
import threading

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from convviz import figure_output  # noqa: E402
from coursesite.figure_records import FigureRecord, read_record  # noqa: E402
from coursesite.paths import ROOT  # noqa: E402

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
def routed(tmp_path):
    """Saves go into tmp_path/out, as the site build routes them; the names claimed are listed."""
    claimed = []
    figure_output.save_into(tmp_path / "out", claim=claimed.append)
    yield tmp_path / "out", claimed
    figure_output.save_into(None)


def test_routed_saves_go_into_the_folder_named_and_each_name_is_claimed_first(routed):
    out, claimed = routed
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [1, 0])
    path = figure_output.save_png(fig, "demo.png")
    plt.close(fig)
    assert path == out / "demo.png" and claimed == ["demo.png"]
    with Image.open(path) as image:
        assert image.format == "PNG"
        assert "Software" not in image.info
        assert image.convert("RGBA").getextrema()[3] == (255, 255)
    assert sorted(p.name for p in out.iterdir()) == ["demo.png"]


def test_a_refused_name_writes_nothing(tmp_path):
    def refuse(name):
        raise ValueError(f"{name} is taken")

    figure_output.save_into(tmp_path, claim=refuse)
    try:
        with pytest.raises(ValueError, match="x.txt is taken"):
            figure_output.save_numbers({"a": 1}, "x.txt")
    finally:
        figure_output.save_into(None)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["", "sub/x.png", "../x.png", ".hidden.png", None, 3])
def test_a_name_that_is_not_a_plain_file_name_is_refused(routed, name):
    with pytest.raises(ValueError, match="name must be a file name"):
        figure_output.save_file(lambda path: path.write_text("x"), name)
    assert not routed[0].exists()


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
    assert sorted(p.name for p in script.parent.iterdir()) == ["demo.png", "plot_01_demo.py"]
    assert list(elsewhere.iterdir()) == []


def test_code_with_no_script_file_saves_into_a_notebooks_folder_or_is_stopped(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "__main__", type(sys)("__main__"))  # a prompt: no __file__
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    with pytest.raises(RuntimeError, match="cannot tell where to save"):
        figure_output.save_numbers({"a": 1}, "x.txt")
    monkeypatch.setitem(sys.modules, "ipykernel", type(sys)("ipykernel"))
    monkeypatch.chdir(tmp_path)
    assert figure_output.save_numbers({"a": 1}, "x.txt") == tmp_path / "x.txt"


def test_a_failing_writer_leaves_no_file_and_no_temporary(routed):
    def broken(path):
        path.write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        figure_output.save_file(broken, "half.txt")
    assert list(routed[0].iterdir()) == []


def test_two_saves_of_one_name_at_the_same_time_each_write_a_whole_file(routed):
    """Each save writes its own temporary file: the one moved last is the file, whole, and no
    temporary is left (a shared temporary name let one save move the other's away mid-write)."""
    both_writing = threading.Barrier(2, timeout=30)
    errors = []

    def save(text):
        def writer(path):
            path.write_text(text[: len(text) // 2])
            both_writing.wait()  # each has begun its file before either finishes
            path.write_text(text)

        try:
            figure_output.save_file(writer, "shared.txt")
        except Exception as error:  # noqa: BLE001 (the test reports it)
            errors.append(error)

    threads = [threading.Thread(target=save, args=(text,)) for text in ("first " * 50, "second " * 50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert (routed[0] / "shared.txt").read_text() in ("first " * 50, "second " * 50)
    assert [path.name for path in routed[0].iterdir()] == ["shared.txt"]


def test_save_gif_keeps_every_frame_and_duration(routed):
    frames = [Image.new("RGB", (4, 4), (50 * i, 0, 0)) for i in range(5)]
    path = figure_output.save_gif(frames, "demo.gif", [100, 100, 100, 100, 900])
    with Image.open(path) as gif:
        assert gif.n_frames == 5
        gif.seek(4)
        assert gif.info["duration"] == 900


def test_save_png_with_a_width_is_exactly_that_wide_and_records_its_smallest_text(routed):
    fig = plt.figure(figsize=(4, 2))
    ax = fig.add_axes((0.1, 0.1, 0.8, 0.7))
    ax.imshow([[0.0, 1.0], [0.5, 0.25]], cmap="gray")
    ax.set_axis_off()
    ax.text(0.5, 1.05, "title", transform=ax.transAxes, fontsize=12)
    fig.text(0.01, 0.01, "note", fontsize=9)
    path = figure_output.save_png(fig, "wide.png", width=600, tight=False)
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
    assert read_record(path) == FigureRecord(1, ("2x2",), round(9 * dpi / 72, 1), 600, round(panel, 1))


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
    mosaic.canvas.draw()
    assert figure_output.panel_widths(mosaic, panel_width=(ax, 25)) == pytest.approx([100])
    plt.close(fig)
    plt.close(mosaic)


@pytest.mark.parametrize(("palette", "mode"), [("median-cut", "P"), ("gray-ramp", "P"), ("exact", "RGB")])
def test_save_png_stores_colour_figures_with_the_palette_asked_for_and_the_same_bytes_twice(
    routed, palette, mode
):
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.imshow([[0.0, 1.0], [0.5, 0.25]], cmap="viridis")
    first = figure_output.save_png(fig, "a.png", dpi=50, palette=palette).read_bytes()
    second = figure_output.save_png(fig, "a.png", dpi=50, palette=palette).read_bytes()
    plt.close(fig)
    assert first == second
    with Image.open(routed[0] / "a.png") as image:
        assert image.mode == mode
        assert image.convert("RGBA").getextrema()[3] == (255, 255)


def test_save_png_names_a_palette_it_does_not_know(routed):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="palette must be one of"):
        figure_output.save_png(fig, "x.png", palette="web")
    plt.close(fig)


@pytest.mark.parametrize("levels", [2, 5, 64])
def test_save_png_rounds_a_gray_figure_to_the_levels_asked_for_and_each_pixel_to_its_nearest(routed, levels):
    ramp = np.linspace(0, 1, 256)[None].repeat(8, axis=0)
    fig = plt.figure(figsize=(2.56, 0.08))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(ramp, cmap="gray", vmin=0, vmax=1, interpolation="nearest", aspect="auto")
    ax.set_axis_off()
    full = figure_output.save_png(fig, "full.png", dpi=100, tight=False)
    fewer = figure_output.save_png(fig, "fewer.png", dpi=100, tight=False, gray_levels=levels)
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
def test_save_png_names_gray_levels_it_cannot_use(routed, levels):
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="gray_levels must be"):
        figure_output.save_png(fig, "x.png", gray_levels=levels)
    plt.close(fig)


def test_a_mosaic_states_its_panels_explicitly_and_the_site_reads_them_back(routed):
    fig = plt.figure(figsize=(4, 1))
    ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
    ax.imshow(np.zeros((25, 100)), cmap="gray", vmin=0, vmax=1)  # four 25-pixel panels in one image
    ax.set_axis_off()
    path = figure_output.save_png(
        fig, "mosaic.png", width=400, tight=False, panels=(4, ["25x25"]), panel_width=(ax, 25)
    )
    plt.close(fig)
    # The file is 400 pixels wide and shows 100 data units: a 25-unit panel is 100 pixels wide.
    assert read_record(path) == FigureRecord(panels=4, sizes=("25x25",), panel_px=100.0)
    assert not hasattr(fig, "panels") and not hasattr(fig, "panel_width")


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"panels": 4}, "panels must be"),
        ({"panels": (0, [])}, "panels must be"),
        ({"panels": (2, ["25 by 25"])}, "panels must list"),
        ({"panel_width": (None, 25)}, "panel_width must be"),
        ({"panel_width": ("ax", -1)}, "panel_width must be"),
    ],
)
def test_a_record_that_cannot_be_right_is_refused_before_anything_is_drawn(routed, record, message):
    fig, ax = plt.subplots()
    if record.get("panel_width", (None,))[0] == "ax":
        record = {"panel_width": (ax, record["panel_width"][1])}
    with pytest.raises(ValueError, match=message):
        figure_output.save_png(fig, "x.png", **record)
    plt.close(fig)
    assert not routed[0].exists()


# ---------------------------------------------------------------- one signed colour map


def test_every_signed_map_uses_the_stops_the_explorers_get():
    """Figures and explorers share one diverging map: convviz.plotting.SIGNED_STOPS, white at zero.

    Before, part 3's figures used matplotlib's PuOr_r, whose ends are not these stops, and marked
    boxes one digit off the positive orange."""
    import re

    from matplotlib.colors import to_rgb

    from convviz import inspection_plots, plotting

    assert inspection_plots.SIGNED_CMAP is plotting.SIGNED_CMAP
    assert inspection_plots.BOX_COLOUR == plotting.POSITIVE
    stops = [to_rgb(c) for c in plotting.SIGNED_STOPS]
    for at, stop in zip(np.linspace(0, 1, len(stops)), stops):
        # 256 colours: the middle stop falls between two of them, within one step of 2/255.
        np.testing.assert_allclose(plotting.SIGNED_CMAP(at)[:3], stop, atol=2 / 255)
    named = re.compile(r"""["'](PuOr|RdBu|BrBG|PiYG|PRGn|RdGy|RdYlBu|coolwarm|bwr|seismic)(_r)?["']""")
    for folder in ("convviz", "scripts", "coursesite"):
        for path in (ROOT / folder).rglob("*.py"):
            assert not named.search(path.read_text()), f"{path} names a diverging colour map of its own"


def gray_ramp_case(seed):
    """An RGB image: a gray ramp, a few flat colours, and noise in colour (many distinct colours)."""
    random = np.random.default_rng(seed)
    image = np.repeat(np.linspace(0, 255, 60).round().astype(np.uint8)[None, :, None], 3, axis=2)
    image = np.repeat(image, 40, axis=0)
    image[5:15, 10:20] = (200, 30, 40)
    image[20:25, 30:50] = (10, 90, 240)
    image[30:38, 5:55] = random.integers(0, 256, (8, 50, 3))
    return image


@pytest.mark.parametrize("seed", [0, 1])
def test_gray_ramp_palette_maps_every_pixel_to_a_nearest_entry_keeping_the_gray_levels(seed):
    pixels = gray_ramp_case(seed)
    reduced = figure_output.gray_ramp_palette(Image.fromarray(pixels))
    entries = np.array(reduced.getpalette(), dtype=np.int64).reshape(-1, 3)
    assert reduced.mode == "P" and len(entries) <= 256
    levels = set(np.linspace(0, 255, 192).round().astype(int))
    assert {tuple(row) for row in entries[:192]} == {(level, level, level) for level in levels}
    chosen = np.asarray(reduced)
    for colour in {tuple(int(v) for v in row) for row in pixels.reshape(-1, 3)}:  # direct loops
        distances = [sum((c - e) ** 2 for c, e in zip(colour, entry)) for entry in entries.tolist()]
        where = np.all(pixels == colour, axis=2)
        assert set(chosen[where].tolist()) == {distances.index(min(distances))}, colour


def test_squared_distances_equal_direct_sums():
    random = np.random.default_rng(3)
    points, entries = random.integers(0, 256, (7, 3)), random.integers(0, 256, (5, 3))
    expected = [
        [sum((p - e) ** 2 for p, e in zip(point, entry)) for entry in entries.tolist()]
        for point in points.tolist()
    ]
    assert figure_output.squared_distances(points, entries).tolist() == expected
