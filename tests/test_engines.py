"""Both explorers and the quiz in Firefox and WebKit, against the Python code (Chromium runs the rest).

A small set per engine: the convolution explorer's outputs, the network's every layer and its
predictions, strokes drawn with pointer events (two at once too), saliency and occlusion, and the
quiz's answers, each to 1e-9 or bit for bit, as the Chromium tests check them. One browser per
engine for the whole module (tests/support/engines.py); an engine that is missing here is
skipped with one line (.ci/engines installs both for CI). Writes one screenshot per engine
to _build/screenshots/.
"""

import json
import time

import numpy as np
import pytest
from chromium import skip_requested
from support import engines

from convviz import KERNELS, correlate2d, drawing
from convviz.tiny_cnn import as_input, forward_layers, load_weights
from coursesite import quiz
from coursesite.explorer_data import explorer_inputs
from coursesite.paths import BUILD_DIR

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("engines"),  # one Firefox and one WebKit for the whole module
    # Selenium's own WebKitGTK driver still uses an API Selenium deprecates.
    pytest.mark.filterwarnings("ignore:setting remote_server_addr:DeprecationWarning"),
]

CONV_PAGE = "module_9_2_2/index.html"
NETWORK_PAGE = "module_9_2_2/trained_network.html"
LAYER_NAMES = ["input", "conv1", "pool1", "conv2", "pool2", "logits", "probabilities"]


@pytest.fixture(scope="module", params=engines.ENGINES)
def engine(request):
    if skip_requested():
        pytest.skip("SKIP_BROWSER_TESTS is set")
    reason = engines.missing(request.param)
    if reason:
        pytest.skip(f"{request.param}: {reason}")
    page = engines.open_page(request.param)
    yield page
    page.close()


@pytest.fixture(scope="module")
def params(site):
    weights = load_weights(site / "downloads" / "tiny_cnn_weights.npz")
    return {name: weights[name] for name in ("W1", "b1", "W2", "b2", "W3", "b3")}, weights


def wait_for(page, source, timeout=60):
    """Poll the page function source() until it returns something true; return it."""
    end = time.monotonic() + timeout
    while True:
        value = page.evaluate(source)
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"{page.name}: still false after {timeout} s: {source}")
        time.sleep(0.1)


def open_page(page, server, path, ready):
    """Load path afresh and wait until the page function ready() is true."""
    page.goto(server + path)
    wait_for(page, ready)


CONV_READY = "() => window.convExplorer && !!window.convExplorer.lastOutput()"
NETWORK_READY = "() => window.networkExplorer && window.networkExplorer.ready()"

#: Set the convolution explorer's controls as a reader does: choices by label, typed weights.
CONV_SET = """async ([choices, typed]) => {
  const labels = [...document.querySelectorAll('.cx label')];
  for (const [label, value] of Object.entries(choices)) {
    const control = labels.find(l => l.textContent === label).control;
    control.value = value;
    control.dispatchEvent(new Event('change', {bubbles: true}));
  }
  for (const [index, text] of typed) {
    const field = document.querySelector(`.cx-kernel-grid input[data-index="${index}"]`);
    field.value = text;
    field.dispatchEvent(new Event('input', {bubbles: true}));
  }
  const out = window.convExplorer.lastOutput();
  return {out, message: document.querySelector('.cx-message').textContent,
          input: window.convExplorer.input(out.input)};
}"""


@pytest.mark.parametrize(
    ("choices", "typed", "kernel"),
    [
        ({"Kernel preset": "sobel_x"}, [], KERNELS["sobel_x"]),
        (
            {"Input image": "photo", "Kernel preset": "laplacian", "Padding": "same", "Stride": "2"},
            [],
            KERNELS["laplacian"],
        ),
        (
            {"Input image": "digit", "Kernel preset": "sobel_y", "Padding": "valid", "Stride": "1"},
            [(0, "\u22121"), (4, "0,5"), (8, "1/4")],
            None,
        ),
    ],
    ids=["shapes", "photo-same-stride-2", "digit-typed"],
)
def test_the_convolution_explorer_equals_python(engine, server, choices, typed, kernel):
    open_page(engine, server, CONV_PAGE, CONV_READY)
    found = engine.evaluate(CONV_SET, [choices, typed])
    out = found["out"]
    if kernel is None:
        kernel = KERNELS["sobel_y"].ravel().copy()
        kernel[[0, 4, 8]] = [-1, 0.5, 0.25]
        kernel = kernel.reshape(3, 3)
    assert found["message"] == "" and out["kernel"] == kernel.ravel().tolist()
    image = np.array(found["input"]["values"]).reshape(found["input"]["height"], found["input"]["width"])
    if out["input"] in ("photo", "digit"):
        np.testing.assert_array_equal(image, explorer_inputs()[out["input"]])
    expected = correlate2d(image, kernel, padding=out["padding"], stride=out["stride"])
    values = np.array(out["values"]).reshape(out["height"], out["width"])
    assert values.shape == expected.shape
    np.testing.assert_allclose(values, expected, rtol=0, atol=1e-9)


def test_every_layer_and_every_prediction_equal_numpy(engine, server, params):
    params, weights = params
    open_page(engine, server, NETWORK_PAGE, NETWORK_READY)
    assert engine.evaluate("() => window.networkExplorer.failure()") is None
    indices = list(range(0, 360, 18))
    found = engine.evaluate("(indices) => window.networkExplorer.layersOf(indices)", indices)
    expected = forward_layers(params, as_input(weights["test_images"][indices]))
    for n, layers in enumerate(found):
        for name in LAYER_NAMES:
            np.testing.assert_allclose(np.ravel(layers[name]), np.ravel(expected[name][n]), rtol=0, atol=1e-9)
    predictions = engine.evaluate("() => window.networkExplorer.predictions([], [1])")
    switched = {name: value.copy() for name, value in params.items()}
    switched["W2"][1] = 0.0
    switched["b2"][1] = 0.0
    numpy = forward_layers(switched, as_input(weights["test_images"]))["logits"].argmax(axis=1)
    assert predictions == numpy.tolist()


#: Draw with pointer events on the grid: strokes of [x, y] cells, each its own pointer; the
#: pointers move in turn, all down at once (two fingers) when together is true.
DRAW = """([strokes, together]) => {
  const canvas = document.querySelector('canvas.nx-grid');
  canvas.scrollIntoView({block: 'center'});
  function fire(type, id, p) {
    const box = canvas.getBoundingClientRect();
    canvas.dispatchEvent(new PointerEvent(type, {
      pointerId: id, pointerType: 'touch', isPrimary: id === 1, bubbles: true, cancelable: true,
      button: type === 'pointermove' ? -1 : 0, buttons: type === 'pointerup' ? 0 : 1,
      clientX: box.left + p[0] * box.width / 28, clientY: box.top + p[1] * box.height / 28}));
  }
  const groups = together ? [strokes.map((s, i) => [s, i + 1])] : strokes.map((s, i) => [[s, i + 1]]);
  for (const group of groups) {
    group.forEach(([s, id]) => fire('pointerdown', id, s[0]));
    const steps = Math.max(...group.map(([s]) => s.length));
    for (let k = 1; k < steps; k++) group.forEach(([s, id]) => k < s.length && fire('pointermove', id, s[k]));
    group.forEach(([s, id]) => fire('pointerup', id, s[s.length - 1]));
  }
  return window.networkExplorer.state();
}"""


@pytest.mark.parametrize("together", [False, True], ids=["one-after-another", "two-fingers-at-once"])
def test_strokes_drawn_with_pointer_events_give_the_python_input(engine, server, params, together):
    params, _ = params
    open_page(engine, server, NETWORK_PAGE, NETWORK_READY)
    engine.evaluate("() => document.querySelector('.nx-buttons button:last-child').click()")  # Clear
    played = [
        [[9.3, 6.2], [14.1, 4.8], [18.7, 6.9], [17.2, 12.4], [12.5, 17.8], [8.4, 22.6], [19.9, 22.1]],
        [[22.0, 25.0], [23.5, 20.0], [24.0, 15.0]],
    ]
    state = engine.evaluate(DRAW, [played, together])
    assert len(state["strokes"]) == 2
    for drawn, stroke in zip(state["strokes"], played, strict=True):
        # WebKit reports whole CSS pixels (about a tenth of a cell); the others the exact place.
        np.testing.assert_allclose(drawn, stroke, atol=0.15 if engine.name == "webkit" else 1e-9)
    image = drawing.prepare(state["strokes"])
    assert state["image"] == image.ravel().tolist()
    found = engine.evaluate("() => window.networkExplorer.layers()")
    expected = forward_layers(params, as_input(image[None]))
    for name in LAYER_NAMES:
        np.testing.assert_allclose(np.ravel(found[name]), np.ravel(expected[name][0]), rtol=0, atol=1e-9)


ODD_STROKES = [
    [[[3.0, 4.0]]],
    [[[0.0, 14.0], [28.0, 14.2]]],
    [[[-1e308, -1e308], [1e308, 1e308]], [[0.0, 1e308]]],
    [[[5.0, 5.0], [-40.0, 14.0], [60.0, 20.0], [20.0, 25.0]]],
    [np.random.default_rng(9).uniform(-5, 33, (n, 2)).tolist() for n in (1, 2, 7)],
]


def test_odd_strokes_are_scaled_and_inked_as_in_python(engine, server):
    open_page(engine, server, NETWORK_PAGE, NETWORK_READY)
    found = engine.evaluate(
        """(cases) => { const c = window.ConvCore, d = window.NETWORK_EXPLORER_DATA.drawing;
        return cases.map(s => [Array.from(c.prepare(s, d)), Array.from(c.prepare(s, d, false))]); }""",
        ODD_STROKES,
    )
    for strokes, (scaled, drawn) in zip(ODD_STROKES, found, strict=True):
        assert scaled == drawing.prepare(strokes).ravel().tolist()
        assert drawn == drawing.prepare(strokes, normalised=False).ravel().tolist()


def test_saliency_occlusion_and_smoothgrad_equal_python(engine, server, params):
    from convviz.attribution import input_gradient, occlusion_map
    from convviz.attribution_methods import smoothgrad

    params, weights = params
    open_page(engine, server, NETWORK_PAGE, NETWORK_READY)
    engine.evaluate(
        """() => { const pick = document.querySelectorAll('.nx-controls select')[1];
        pick.value = '7'; pick.dispatchEvent(new Event('change'));
        const toggle = document.querySelector('.nx-attribution input[type=checkbox]');
        if (!toggle.checked) toggle.click(); }"""
    )
    # SmoothGrad comes a moment after the other maps (its own step, after they are painted).
    wait_for(engine, "() => (window.networkExplorer.attribution() || {}).smoothGrad !== undefined")
    found = engine.evaluate("() => window.networkExplorer.attribution()")
    image = weights["test_images"][7] / 255.0
    assert found["label"] == int(forward_layers(params, image[None, :, :, None])["logits"].argmax())
    gradient = input_gradient(params, image, found["label"])
    np.testing.assert_allclose(np.reshape(found["gradient"], (28, 28)), gradient, rtol=0, atol=1e-9)
    occlusion = occlusion_map(params, image, found["label"])
    np.testing.assert_allclose(np.reshape(found["occlusion"], occlusion.shape), occlusion, rtol=0, atol=1e-9)
    expected = smoothgrad(params, image, found["label"])
    np.testing.assert_allclose(np.reshape(found["smoothGrad"], (28, 28)), expected, rtol=0, atol=1e-9)


#: Type a number of epochs as a reader does and press Train (the page trains in a Web Worker).
TRAIN = """(epochs) => {
  const label = [...document.querySelectorAll('label')].find(l => l.textContent === 'Epochs');
  label.control.value = String(epochs);
  label.control.dispatchEvent(new Event('change', {bubbles: true}));
  [...document.querySelectorAll('button')].find(b => b.textContent === 'Train').click();
}"""


@pytest.fixture(scope="module")
def one_epoch():
    """(params, history) of convviz's train(epochs=1), the page's other settings being the defaults."""
    from convviz.tiny_cnn import train

    params, _, history, _ = train(epochs=1)
    return params, history


def test_training_in_the_page_gives_numpys_weights(engine, server, one_epoch):
    """One epoch trained in the page's worker equals convviz's train(epochs=1) (tests/test_network_training.py
    holds Chromium to the same 1e-12: only sums over a batch are added in another order)."""
    from convviz.tiny_cnn import PARAMETER_NAMES

    open_page(engine, server, NETWORK_PAGE, NETWORK_READY)
    engine.evaluate(TRAIN, 1)
    done = "() => window.networkExplorer.result('training').state === 'done'"
    wait_for(engine, done, timeout=180)
    found = json.loads(engine.evaluate("() => JSON.stringify(window.networkExplorer.result('training'))"))
    params, history = one_epoch
    assert found["runner"] == "worker"
    for name in PARAMETER_NAMES:
        difference = np.abs(np.ravel(found[name]) - np.ravel(params[name])).max()
        assert difference <= 1e-12, f"{engine.name}: {name} differs by {difference}"
    assert found["history"]["test_accuracy"] == history["test_accuracy"]


#: Answer a question in its page: type text (or pick value) and press Check; feedback and field message.
ANSWER = """([qid, kind, text]) => {
  const root = document.getElementById('quiz-' + qid);
  if (kind === 'choice') root.querySelector(`input[type=radio][value="${text}"]`).checked = true;
  else root.querySelector('.quiz-answer').value = text;
  root.querySelector('button.quiz-check').click();
  return {state: root.getAttribute('data-state'), feedback: root.querySelector('.quiz-feedback').textContent,
          message: root.querySelector('.quiz-message').textContent};
}"""


def test_the_quiz_judges_typed_and_picked_answers(engine, server):
    open_page(engine, server, "module_9_2_2/inside_a_conv_layer.html", "() => !!window.courseQuiz")
    question = quiz.question("padded-strided-size")
    half = next(m for m in question["mistakes"] if not float(m["value"]).is_integer())
    answers = [
        (f"{question['answer']} × {question['answer']}", "correct", question["explanation"]),
        (str(half["value"]).replace(".", ","), "mistake", half["hint"]),
        ("\u22123", "wrong", question["hint"]),
    ]
    for text, state, words in answers:
        found = engine.evaluate(ANSWER, ["padded-strided-size", "size", text])
        assert found["state"] == state and words in found["feedback"], text
    before = found["feedback"]
    found = engine.evaluate(ANSWER, ["padded-strided-size", "size", "twelve"])
    assert found["message"].startswith("Type") and found["feedback"] == before
    question = quiz.question("most-weights")
    for value, state in [(question["mistakes"][0]["value"], "mistake"), (question["answer"], "correct")]:
        assert engine.evaluate(ANSWER, ["most-weights", "choice", value])["state"] == state
    count = quiz.question("conv2-parameters")["answer"]
    found = engine.evaluate(ANSWER, ["conv2-parameters", "number", f"{count / 100:.2f}e2"])
    assert found["state"] == "correct"


def test_nothing_is_missing_and_a_screenshot(engine, server):
    """This engine has what the explorers use (no note); a screenshot of the network explorer."""
    open_page(engine, server, NETWORK_PAGE, NETWORK_READY)
    assert engine.evaluate("() => document.querySelectorAll('.explorer-note, .explorer-problem').length") == 0
    engine.evaluate(
        """() => { document.querySelector('.nx-layers canvas').click();
        document.querySelector('[data-network-explorer]').scrollIntoView(); }"""
    )
    time.sleep(0.3)
    folder = BUILD_DIR / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    engine.screenshot(folder / f"engine-{engine.name}-network-explorer.png")
    open_page(engine, server, CONV_PAGE, CONV_READY)
    assert engine.evaluate("() => document.querySelectorAll('.explorer-note, .explorer-problem').length") == 0
