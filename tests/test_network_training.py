"""Training, saving and loading the network in the network explorer (its training panel), in Chromium.

The oracles: convviz.tiny_cnn.train for the training (the page's weights after its first step and
after one epoch), NumPy's own reader (np.load) and the downloads' checked loader for the files the
page writes, the NumPy forward pass for what the explorer shows with the weights it holds, and
PyTorch (when installed) for the export snippet the page documents.
"""

import io
import zipfile

import numpy as np
import pytest
from conftest import HTML, ROOT
from support.browser import NETWORK_PAGE, NETWORK_READY, evaluate_as_json, open_network_explorer
from support.npz_files import npz_bytes

from convviz.downloads import load_download
from convviz.tiny_cnn import (
    PARAMETER_NAMES,
    as_input,
    forward,
    init_parameters,
    load_weights,
    save_weights,
    train,
)

pytestmark = pytest.mark.browser

PAGE, READY = NETWORK_PAGE, NETWORK_READY
SCREENSHOTS = HTML.parent / "screenshots"
#: Measured: the page's weights differ from NumPy's by less than 3e-15 after one epoch (the sums over
#: a batch are added in another order); the tests allow 1e-12.
TOLERANCE = 1e-12
SHAPES = {name: value.shape for name, value in init_parameters().items()}
NPZ_NAMES = [*PARAMETER_NAMES, "W1_init", "W2_init", "test_images", "test_labels", "loss", "train_accuracy",
             "test_accuracy"]  # fmt: skip


@pytest.fixture(scope="module")
def one_epoch():
    """(weights after the first step, after one epoch, history) of train(epochs=1): the page's defaults."""
    first = {}

    def keep_first(epoch, step, params):
        if not first:
            first.update({name: value.copy() for name, value in params.items()})

    params, _, history, _ = train(epochs=1, on_step=keep_first)
    return first, params, history


@pytest.fixture(scope="module")
def site_weights(site):
    return load_weights(site / "downloads" / "tiny_cnn_weights.npz")


@pytest.fixture
def explorer(page, server):
    yield from open_network_explorer(page, server)


def training(page):
    return evaluate_as_json(page, "() => window.networkExplorer.result('training')")


def network_of(result):
    """The six arrays of a page's result, in the shapes of the network."""
    return {name: np.reshape(result[name], SHAPES[name]) for name in PARAMETER_NAMES}


def assert_weights_close(js, expected, what):
    for name in PARAMETER_NAMES:
        difference = np.abs(np.ravel(js[name]) - np.ravel(expected[name])).max()
        assert difference <= TOLERANCE, f"{what}: {name} differs by {difference}"


def wait_for_state(page, state, timeout=120_000):
    page.wait_for_function(f"window.networkExplorer.result('training').state === '{state}'", timeout=timeout)


def start_training(page, epochs, seed=None):
    if seed is not None:
        page.get_by_label("Seed").fill(str(seed))
    page.get_by_label("Epochs").fill(str(epochs))
    page.get_by_role("button", name="Train", exact=True).click()


# ---------------------------------------------------------------- the same arithmetic as NumPy


def test_the_first_step_and_one_epoch_equal_numpys_train(explorer, one_epoch):
    first, params, history = one_epoch
    js = evaluate_as_json(
        explorer,
        """() => {
          const data = window.networkExplorer.explorer().data, d = data.training, s = data.params.shapes;
          const t = new ConvCore.Training({seed: d.seed, epochs: 1, learningRate: d.learning_rate,
            batchSize: d.batch_size, augment: true, decay: true, frozen: [], ranges: d.ranges},
            data.train, {W1: s.W1, W2: s.W2, W3: s.W3});
          const copy = () => Object.fromEntries(ConvCore.TRAINED_PARAMETERS.map((n) => [n, t.params[n]]));
          t.step();
          const first = Object.fromEntries(Object.entries(copy()).map(([n, v]) => [n, Array.from(v)]));
          while (!t.done()) t.step();
          return {first: first, final: copy(), history: t.history};
        }""",
    )
    assert_weights_close(js["first"], first, "after the first step")
    assert_weights_close(js["final"], params, "after one epoch")
    assert js["history"]["test_accuracy"] == history["test_accuracy"]
    assert js["history"]["train_accuracy"] == history["train_accuracy"]
    assert abs(js["history"]["loss"][0] - history["loss"][0]) <= TOLERANCE


def test_train_in_the_worker_gives_numpys_weights_and_the_explorer_uses_them(explorer, one_epoch):
    _, params, history = one_epoch
    start_training(explorer, 1)
    wait_for_state(explorer, "done")
    result = training(explorer)
    assert result["runner"] == "worker"
    assert_weights_close(result, params, "trained in the worker")
    assert result["history"]["test_accuracy"] == history["test_accuracy"]
    # The explorer computes with these weights: its layers for the drawing in the grid are NumPy's.
    shown = evaluate_as_json(
        explorer,
        "() => { const e = window.networkExplorer.explorer(); "
        "return {image: e.image, logits: e.layers.logits}; }",
    )
    logits = forward(network_of(result), as_input(np.reshape(shown["image"], (1, 28, 28))))[0]
    np.testing.assert_allclose(shown["logits"], logits, rtol=0, atol=1e-9)
    # The sentence is rewritten 30 ms after the weights change (after the maps are painted).
    explorer.wait_for_function("!window.networkExplorer.state().accuracyPending")
    accuracy = explorer.locator(".nx-accuracy").text_content()
    assert f"{100 * history['test_accuracy'][0]:.1f} %" in accuracy


def test_drawing_and_units_keep_working_while_training_runs(explorer):
    start_training(explorer, 3)
    explorer.wait_for_function("window.networkExplorer.result('training').steps > 3")
    grid = explorer.locator("canvas.nx-grid")
    box = grid.bounding_box()
    explorer.mouse.move(box["x"] + 0.3 * box["width"], box["y"] + 0.2 * box["height"])
    explorer.mouse.down()
    explorer.mouse.move(box["x"] + 0.7 * box["width"], box["y"] + 0.8 * box["height"], steps=8)
    explorer.mouse.up()
    # One moment of the page: the input, the layers and the weights in use.
    now = evaluate_as_json(
        explorer,
        """() => { const e = window.networkExplorer.explorer();
          const network = Object.fromEntries(ConvCore.TRAINED_PARAMETERS.map((n) => [n, e.network[n]]));
          return {image: e.image, logits: e.layers.logits, strokes: e.state.strokes.length, network}; }""",
    )
    assert now["strokes"] == 1
    logits = forward(network_of(now["network"]), as_input(np.reshape(now["image"], (1, 28, 28))))[0]
    np.testing.assert_allclose(now["logits"], logits, rtol=0, atol=1e-9)
    explorer.get_by_role("button", name="Pause").click()
    wait_for_state(explorer, "paused")
    explorer.wait_for_function("window.networkExplorer.result('training').paused")  # the worker's word
    steps = training(explorer)["steps"]
    explorer.wait_for_timeout(600)
    assert training(explorer)["steps"] == steps
    explorer.get_by_role("button", name="Resume").click()
    explorer.wait_for_function(f"window.networkExplorer.result('training').steps > {steps}")
    explorer.get_by_role("button", name="Reset").click()
    wait_for_state(explorer, "idle")
    site = evaluate_as_json(explorer, "() => window.networkExplorer.weights()")
    assert_weights_close(training(explorer), site, "after Reset")


# ---------------------------------------------------------------- saving and loading


def download(page):
    with page.expect_download() as event:
        page.get_by_role("button", name="Download these weights").click()
    return event.value


def load(page, path):
    page.locator(".nx-training input[type=file]").set_input_files(str(path))


def test_the_sites_network_downloads_as_the_weights_file_learners_get(explorer, site, tmp_path):
    got = download(explorer)
    assert got.suggested_filename == "tiny_cnn_weights.npz"
    path = tmp_path / "page.npz"
    got.save_as(path)
    with np.load(path) as page_file, np.load(site / "downloads" / "tiny_cnn_weights.npz") as site_file:
        assert page_file.files == NPZ_NAMES == site_file.files
        for name in NPZ_NAMES:
            assert page_file[name].dtype == site_file[name].dtype, name
            np.testing.assert_array_equal(page_file[name], site_file[name], err_msg=name)
    weights, images, labels = load_download("self_check").load_weights(path)
    assert len(images) == len(labels) > 300


def test_save_then_load_gives_the_same_bytes_and_predictions(explorer, site_weights, tmp_path):
    # Weights no page has shown: the site's, with every weight moved a little (seeded).
    rng = np.random.default_rng(20)
    params = {
        name: site_weights[name] + rng.normal(0, 0.01, site_weights[name].shape) for name in PARAMETER_NAMES
    }
    initial = {name: site_weights[f"{name}_init"] for name in ("W1", "W2")}
    history = {"loss": [1.0, 0.5], "train_accuracy": [0.7, 0.9], "test_accuracy": [0.8, 0.95]}
    data = (None, None, site_weights["test_images"], site_weights["test_labels"])
    save_weights(tmp_path / "moved.npz", params, initial, history, data)
    load(explorer, tmp_path / "moved.npz")
    explorer.wait_for_function("window.networkExplorer.result('training').origin === 'file'")
    assert_weights_close(training(explorer), params, "loaded")
    first = tmp_path / "first.npz"
    got = download(explorer)
    assert got.suggested_filename == "moved.npz"
    got.save_as(first)
    load(explorer, first)
    explorer.wait_for_function("window.networkExplorer.result('training').origin === 'file'")
    second = tmp_path / "second.npz"
    download(explorer).save_as(second)
    assert first.read_bytes() == second.read_bytes()
    with np.load(first) as saved:
        for name in PARAMETER_NAMES:
            np.testing.assert_array_equal(saved[name], params[name], err_msg=name)
        np.testing.assert_array_equal(saved["loss"], history["loss"])
    predictions = forward(params, as_input(site_weights["test_images"])).argmax(axis=1)
    js = explorer.evaluate(
        "() => { const e = window.networkExplorer.explorer(); "
        "return Array.from(ConvCore.predictAll(e.network, e.data.images)); }"
    )
    assert js == predictions.tolist()
    explorer.wait_for_function("!window.networkExplorer.state().accuracyPending")
    text = explorer.locator(".nx-accuracy").text_content()
    right = int((predictions == site_weights["test_labels"]).sum())
    assert f"({right} right)" in text


def hostile_files(params):
    """{file name: (bytes, words its message must hold)}."""
    npy = io.BytesIO()
    np.save(npy, params["W1"])
    zeros = io.BytesIO()
    with zipfile.ZipFile(zeros, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("W1.npy", b"\0" * (40 << 20))  # 40 MB that inflate from a few kB
        for name in PARAMETER_NAMES[1:]:
            archive.writestr(f"{name}.npy", b"")
    return {
        "notes.npz": (b"W1,b1\n0.1,0.2\n", "it is not a .npz file"),
        "W1.npy": (npy.getvalue(), "single-array .npy file"),
        "pickled.npz": (
            npz_bytes({**params, "W1": np.array([None] * 36, dtype=object)}),
            "pickled Python objects",
        ),
        "torch_order.npz": (
            npz_bytes({**params, "W2": params["W2"].transpose(0, 3, 1, 2)}),
            "array W2 has shape (8, 4, 3, 3)",
        ),
        "whole.npz": (npz_bytes({**params, "b3": np.arange(10)}), "array b3 must hold decimal numbers"),
        "nan.npz": (
            npz_bytes({**params, "W3": np.full((10, 392), np.nan)}, compressed=True),
            "array W3 holds NaN",
        ),
        "huge_weight.npz": (npz_bytes({**params, "b1": np.full(4, 1e9)}), "which training never gives"),
        "renamed.npz": (
            npz_bytes({f"layer{i}": v for i, v in enumerate(params.values())}),
            "no array named W1",
        ),
        "cut.npz": (npz_bytes(params)[:-100], "damaged or cut short"),
        "bomb.npz": (zeros.getvalue(), "array W1 is too large"),
        "large.npz": (b"PK" + b"\0" * (17 << 20), "the file is too large"),
    }


def test_hostile_files_give_one_message_and_the_explorer_keeps_its_network(explorer, site_weights, tmp_path):
    params = {name: site_weights[name] for name in PARAMETER_NAMES}
    before = training(explorer)
    problem = explorer.locator(".nx-training .nx-problem")
    for name, (content, words) in hostile_files(params).items():
        path = tmp_path / name
        path.write_bytes(content)
        load(explorer, path)
        explorer.wait_for_function(
            "(words) => document.querySelector('.nx-training .nx-problem').textContent.includes(words)",
            arg=words,
        )
        assert problem.is_visible()
        text = problem.text_content()
        assert text.startswith(f"Could not load {name}: ") and text.endswith(
            "The explorer keeps the network it had."
        )
        assert explorer.locator(".nx-training [role=alert]:visible").count() == 1
        now = training(explorer)
        assert now["origin"] == "site"
        for key in PARAMETER_NAMES:
            assert now[key] == before[key], f"{name} changed {key}"


# ---------------------------------------------------------------- the controls: mouse, touch, keyboard


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("how", ["mouse", "touch", "keyboard"])
def test_the_controls_work_with_mouse_touch_and_keyboard(browser, server, width, how):
    context = browser.new_context(viewport={"width": width, "height": 900}, has_touch=how == "touch")
    page = context.new_page()
    page.goto(server + PAGE)
    page.wait_for_function(READY)
    page.get_by_label("Epochs").fill("2")

    def press(name):
        target = page.get_by_role("button", name=name, exact=True)
        target.scroll_into_view_if_needed()
        if how == "mouse":
            target.click()
        elif how == "touch":
            target.tap()  # a touch where the button is once it stands still (the panel reflows as it trains)
        else:
            target.focus()
            page.keyboard.press("Enter" if name != "Pause" else "Space")

    press("Train")
    wait_for_state(page, "running")
    page.wait_for_function("window.networkExplorer.result('training').steps > 0")
    press("Pause")
    wait_for_state(page, "paused")
    press("Resume")
    wait_for_state(page, "running")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    panel = page.locator(".nx-training")
    assert panel.bounding_box()["width"] <= width
    if how == "mouse":
        page.wait_for_function("window.networkExplorer.result('training').epoch >= 1", timeout=120_000)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        panel.screenshot(path=str(SCREENSHOTS / f"network-training-{width}.png"))
    press("Reset")
    wait_for_state(page, "idle")
    assert training(page)["origin"] == "site"
    context.close()


def test_typed_settings_are_checked_with_a_message_naming_the_field(explorer):
    for field, value, words in [
        ("Seed", "-1", "Seed: enter a whole number from 0 to 4294967294"),
        ("Seed", "1.5", "Seed: enter a whole number"),
        ("Epochs", "0", "Epochs: enter a whole number from 1 to 200"),
        ("Learning rate", "fast", "Learning rate: enter a number greater than 0 and at most 1"),
        ("Learning rate", "2", "Learning rate: enter a number greater than 0"),
    ]:
        explorer.get_by_label(field).fill(value)
        explorer.get_by_role("button", name="Train", exact=True).click()
        assert words in explorer.locator(".nx-training .nx-problem").text_content()
        assert training(explorer)["state"] == "idle"
        explorer.reload()
        explorer.wait_for_function(READY)


def test_a_page_opened_as_a_file_trains_in_the_page(page, site, one_epoch):
    """Chromium lets no Worker start from a file:// page: the same runner trains in the page instead."""
    _, params, _ = one_epoch
    page.goto((site / PAGE).resolve().as_uri())
    page.wait_for_function(READY)
    start_training(page, 1)
    wait_for_state(page, "done")
    result = training(page)
    assert result["runner"] == "page"
    assert_weights_close(result, params, "trained in the page")


# ---------------------------------------------------------------- weights trained elsewhere: PyTorch

SNIPPET = ROOT / "docs" / "module_9_2_2" / "pytorch_export.py"


def test_the_pytorch_export_snippet_writes_a_file_the_page_reads(explorer, site_weights, tmp_path):
    """The page's snippet on a PyTorch model holding the site's weights: the page reads the file and
    computes PyTorch's own logits (the oracle), and NumPy's."""
    torch = pytest.importorskip("torch")
    snippet = {}
    exec(compile(SNIPPET.read_text(), str(SNIPPET), "exec"), snippet)
    model = snippet["TinyCNN"]().double()
    params = {name: site_weights[name] for name in PARAMETER_NAMES}
    with torch.no_grad():  # the inverse of the snippet's reordering, written out here
        model.conv1.weight.copy_(torch.from_numpy(params["W1"].transpose(0, 3, 1, 2)))
        model.conv1.bias.copy_(torch.from_numpy(params["b1"]))
        model.conv2.weight.copy_(torch.from_numpy(params["W2"].transpose(0, 3, 1, 2)))
        model.conv2.bias.copy_(torch.from_numpy(params["b2"]))
        model.dense.weight.copy_(
            torch.from_numpy(params["W3"].reshape(10, 7, 7, 8).transpose(0, 3, 1, 2).reshape(10, 392))
        )
        model.dense.bias.copy_(torch.from_numpy(params["b3"]))
    path = tmp_path / "from_pytorch.npz"
    snippet["export_weights"](model, path)
    with np.load(path) as exported:
        for name in PARAMETER_NAMES:
            np.testing.assert_array_equal(exported[name], params[name], err_msg=name)
    load(explorer, path)
    explorer.wait_for_function("window.networkExplorer.result('training').origin === 'file'")
    images = site_weights["test_images"][:20]
    with torch.no_grad():
        torch_logits = model(torch.from_numpy(images[:, None] / 255.0)).numpy()
    js = evaluate_as_json(
        explorer,
        """() => { const e = window.networkExplorer.explorer(), n = 28 * 28, out = [];
          for (let i = 0; i < 20; i++) {
            const x = Float64Array.from(e.data.images.subarray(i * n, (i + 1) * n), (v) => v / 255);
            out.push(Array.from(ConvCore.forward(e.network, x).logits));
          }
          return out; }""",
    )
    np.testing.assert_allclose(js, torch_logits, rtol=0, atol=1e-9)
    np.testing.assert_allclose(js, forward(params, as_input(images)), rtol=0, atol=1e-9)
