// The network explorer's arithmetic (core.js, attribution.js, network_units.js) against
// convviz's NumPy network, its attribution, and receptive fields grown with SciPy.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { ConvCore, fixture, bytes, networkParams, maxDifference } = require("./load.js");

const found = fixture("network");
const params = networkParams(found.params);
const images = bytes(found.images);
const LAYERS = ["input", "conv1", "pool1", "conv2", "pool2", "logits", "probabilities"];

function input(n) {
  const x = new Float64Array(784);
  for (let i = 0; i < 784; i++) x[i] = images[n * 784 + i] / 255;
  return x;
}

/** A layer's numbers: a tensor's values, or the typed array itself (logits, probabilities). */
function values(layer) {
  return ArrayBuffer.isView(layer) ? layer : layer.values;
}

test("every layer of every test digit equals NumPy's to 1e-9", () => {
  assert.equal(found.layers.length, 40);
  found.layers.forEach((expected, n) => {
    const layers = ConvCore.forward(params, input(n));
    for (const name of LAYERS) {
      assert.ok(maxDifference(values(layers[name]), expected[name]) <= 1e-9, name + " of digit " + n);
    }
  });
});

test("predictions, the accuracy, and filters switched off", () => {
  assert.deepEqual(Array.from(ConvCore.predictAll(params, images)), found.predictions);
  const off = ConvCore.withFiltersOff(params, found.off.conv1, found.off.conv2);
  assert.deepEqual(Array.from(ConvCore.predictAll(off, images)), found.switched_predictions);
  assert.notDeepEqual(found.switched_predictions, found.predictions);
  assert.deepEqual(Array.from(params.W1.subarray(0, 3)), found.params.W1.values.slice(0, 3)); // params untouched
  const right = found.predictions.filter((p, i) => p === found.labels[i]).length;
  assert.deepEqual(ConvCore.accuracy(Int32Array.from(found.predictions), found.labels),
    { correct: right, total: found.labels.length, fraction: right / found.labels.length });
});

test("every attribution map equals convviz.attribution(_methods) to 1e-9", () => {
  for (const a of found.attribution) {
    const x = input(a.index);
    assert.ok(maxDifference(ConvCore.inputGradient(params, x, a.label), a.gradient) <= 1e-9);
    assert.ok(maxDifference(ConvCore.gradientTimesInput(params, x, a.label), a.gradient_times_input) <= 1e-9);
    assert.ok(maxDifference(ConvCore.integratedGradients(params, x, a.label, 16), a.integrated_gradients) <= 1e-9);
    assert.ok(maxDifference(ConvCore.gradCam(params, x, a.label), a.grad_cam) <= 1e-9);
    assert.ok(a.grad_cam.some((v) => v > 0), "a Grad-CAM map with something in it");
    const sg = a.smoothgrad;
    assert.ok(maxDifference(ConvCore.smoothGrad(params, x, a.label, sg.samples, sg.noise, sg.seed), sg.map) <= 1e-9, "SmoothGrad");
    const map = ConvCore.occlusionMap(params, x, a.label, 6, 2, 0);
    assert.equal(map.rows * map.cols, a.occlusion.length);
    assert.ok(maxDifference(map.values, a.occlusion) <= 1e-9);
  }
});

test("SmoothGrad with the page's settings equals convviz's, and a seed gives its own map", () => {
  const a = found.attribution[0], x = input(a.index);
  const settings = fixture("data").network.attribution.smoothgrad;
  const map = ConvCore.smoothGrad(params, x, a.label, settings.samples, settings.noise, settings.seed);
  const most = maxDifference(map, a.smoothgrad_defaults);
  assert.ok(most <= 1e-9, "largest difference " + most);
  assert.ok(Math.max(...a.smoothgrad_defaults.map(Math.abs)) > 1e-3, "a map with something in it");
  const other = ConvCore.smoothGrad(params, x, a.label, settings.samples, settings.noise, settings.seed + 1);
  assert.ok(maxDifference(other, map) > 1e-6);
  const still = ConvCore.smoothGrad(params, x, a.label, 2, 0, 5); // no noise: the plain gradient
  assert.ok(maxDifference(still, ConvCore.inputGradient(params, x, a.label)) <= 1e-12);
});

test("every unit's receptive field in the input is every pixel it depends on", () => {
  assert.equal(found.fields.length, 28 * 28 + 2 * 14 * 14 + 7 * 7);
  for (const f of found.fields) {
    const box = ConvCore.receptiveField(f.layer, f.row, f.col, "input", 28);
    assert.deepEqual([box.r0, box.r1, box.c0, box.c1], f.box, f.layer + " " + f.row + "," + f.col);
  }
});

test("a selected unit outlines itself, its window below and its field in the input", () => {
  const unit = { layer: "conv2", channel: 5, row: 7, col: 6 };
  const own = ConvCore.highlights(unit, "conv2", 5, 28);
  assert.deepEqual(own, [{ r0: 7, r1: 7, c0: 6, c1: 6, color: "#00b4ff" }]);
  assert.deepEqual(ConvCore.highlights(unit, "conv2", 4, 28), []);
  for (let ch = 0; ch < 4; ch++) {
    assert.deepEqual(ConvCore.highlights(unit, "pool1", ch, 28), [{ r0: 6, r1: 8, c0: 5, c1: 7, color: "#ff8c00" }]);
  }
  const input = ConvCore.highlights(unit, "input", 0, 28);
  const field = found.fields.find((f) => f.layer === "conv2" && f.row === 7 && f.col === 6).box;
  assert.deepEqual(input, [{ r0: field[0], r1: field[1], c0: field[2], c1: field[3], color: "#ff8c00" }]);
  const corner = ConvCore.highlights({ layer: "conv1", channel: 0, row: 0, col: 27 }, "input", 0, 28);
  assert.deepEqual(corner, [{ r0: 0, r1: 1, c0: 26, c1: 27, color: "#ff8c00" }]);
  assert.deepEqual(ConvCore.highlights({ layer: "class", channel: 3, row: 0, col: 0 }, "pool2", 2, 28),
    [{ r0: 0, r1: 6, c0: 0, c1: 6, color: "#ff8c00" }]);
  assert.deepEqual(ConvCore.highlights(null, "input", 0, 28), []);
});

test("a unit's computation adds up to the layer's value", () => {
  const n = 11, layers = ConvCore.forward(params, input(n)), expected = found.layers[n];
  const conv = ConvCore.computation({ layer: "conv2", channel: 2, row: 13, col: 0 }, layers, params, 8);
  assert.equal(conv.channels.length, 4);
  let sum = conv.bias;
  conv.channels.forEach((ch, ci) => {
    for (let u = 0; u < 3; u++) {
      for (let v = 0; v < 3; v++) {
        const y = 13 + u - 1, x = v - 1, inside = y >= 0 && y < 14 && x >= 0 && x < 14;
        const below = inside ? expected.pool1[(y * 14 + x) * 4 + ci] : 0; // zero padding outside
        assert.ok(Math.abs(ch.window[u * 3 + v] - below) <= 1e-12);
        assert.equal(ch.kernel[u * 3 + v], found.params.W2.values[((2 * 3 + u) * 3 + v) * 4 + ci]);
      }
    }
    ch.products.forEach((p, i) => assert.equal(p, ch.window[i] * ch.kernel[i]));
    assert.ok(Math.abs(ch.products.reduce((a, b) => a + b, 0) - ch.sum) <= 1e-12);
    sum += ch.sum;
  });
  assert.ok(Math.abs(sum - conv.total) <= 1e-9);
  assert.equal(conv.value, Math.max(conv.total, 0));
  assert.ok(Math.abs(conv.value - expected.conv2[(13 * 14 + 0) * 8 + 2]) <= 1e-9);
  const pool = ConvCore.computation({ layer: "pool1", channel: 1, row: 3, col: 4 }, layers, params, 8);
  assert.equal(pool.value, Math.max(...pool.candidates));
  assert.ok(Math.abs(pool.value - expected.pool1[(3 * 14 + 4) * 4 + 1]) <= 1e-12);
  const klass = ConvCore.computation({ layer: "class", channel: 4, row: 0, col: 0 }, layers, params, 8);
  const terms = klass.top.map((t) => t.value);
  assert.equal(terms.length, 8);
  for (let i = 1; i < terms.length; i++) assert.ok(Math.abs(terms[i - 1]) >= Math.abs(terms[i]));
  assert.ok(Math.abs(terms.reduce((a, b) => a + b, 0) + klass.rest + klass.bias - expected.logits[4]) <= 1e-9);
  assert.ok(Math.abs(klass.probability - expected.probabilities[4]) <= 1e-12);
});

test("the verdict names the two likeliest classes and says when the network is unsure", () => {
  assert.deepEqual(ConvCore.verdict([0.1, 0.6, 0.3], 0.5), { best: 1, runnerUp: 2, unsure: false });
  assert.deepEqual(ConvCore.verdict([0.45, 0.1, 0.05, 0.4], 0.5), { best: 0, runnerUp: 3, unsure: true });
  assert.deepEqual(ConvCore.verdict([0.2, 0.2, 0.6], 0.5), { best: 2, runnerUp: 0, unsure: false });
});

test("switched-off filters are listed in numeric order (sort() alone puts 10 before 9)", () => {
  assert.deepEqual([10, 9, 1].sort(), [1, 10, 9]); // the pitfall
  assert.deepEqual(ConvCore.sortedNumbers([10, 9, 1, 12, 2]), [1, 2, 9, 10, 12]);
});

test("fooling equals convviz.fooling step for step, and reaches the target", () => {
  const drawing = fixture("drawing").drawing;
  assert.equal(found.fooled.length, 4);
  for (const f of found.fooled) {
    const image = images.subarray(f.index * 784, (f.index + 1) * 784);
    const got = ConvCore.foolTowards(params, image, f.target, drawing, 16);
    assert.equal(got.reached, f.reached);
    assert.equal(got.steps, f.steps, "digit " + f.index + " to " + f.target);
    assert.deepEqual(Array.from(got.delta), f.delta);
    assert.deepEqual(Array.from(got.image), f.image);
    assert.ok(maxDifference(got.probabilities, f.probabilities) <= 1e-9);
  }
  assert.ok(found.fooled.some((f) => f.reached && f.steps > 0));
  assert.ok(found.fooled.some((f) => f.steps === 0)); // the target is already the answer
});

test("rank correlation and re-initialised layers equal convviz.attribution_checks", () => {
  for (const pair of found.ranked) {
    assert.ok(Math.abs(ConvCore.rankCorrelation(pair.a, pair.b) - pair.rho) <= 1e-12);
  }
  assert.ok(Number.isNaN(ConvCore.rankCorrelation([1, 1, 1], [1, 2, 3])));
  const initial = Object.assign({}, params);
  for (const [name, values] of Object.entries(found.initial)) initial[name] = Float64Array.from(values);
  const changed = ConvCore.randomisedParams(params, initial, ["dense", "conv2"]);
  for (const [name, values] of Object.entries(found.randomised)) {
    assert.deepEqual(Array.from(changed[name]), values, name);
  }
  assert.notDeepEqual(Array.from(changed.W3), Array.from(params.W3));
});
