// The explorers' data files checked before use (checks.js): the files the build writes pass,
// and every kind of damage is refused with a message naming the problem (issue 23 S4).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { ConvCore, fixture } = require("./load.js");

const data = fixture("data");

function copy(value) {
  return JSON.parse(JSON.stringify(value));
}

/** float64 values -> the base64 little-endian bytes the data files hold. */
function float64Data(numbers) {
  return Buffer.from(Float64Array.from(numbers).buffer).toString("base64");
}

function weights(raw, name) {
  return Array.from(new Float64Array(new Uint8Array(Buffer.from(raw.params[name].data, "base64")).buffer));
}

test("the data files the build writes pass, decoded exactly", () => {
  const network = ConvCore.checkNetworkData(copy(data.network));
  assert.deepEqual(Array.from(network.params.W3), weights(data.network, "W3"));
  assert.equal(network.params.conv1, 4);
  assert.equal(network.params.conv2, 8);
  const digits = data.network.digits.labels.length;
  assert.equal(network.labels.length, Math.round(digits * data.network.digits.test_fraction));
  assert.equal(network.train.trainLabels.length + network.labels.length, digits);
  assert.equal(network.images.length, network.labels.length * 28 * 28);
  assert.equal(network.training.epochs, 20);
  assert.deepEqual(network.attribution, data.network.attribution);
  const conv = ConvCore.checkConvData(copy(data.conv), 3, 1000);
  assert.deepEqual(conv.presets.map((p) => p.name), data.conv.presets.map((p) => p.name));
  assert.equal(conv.images.photo.width * conv.images.photo.height, conv.images.photo.values.length);
});

// [what is damaged, how, the words the message must hold]
const NETWORK_DAMAGE = [
  ["a weight of 1e300", (raw) => { const w = weights(raw, "W3"); w[0] = 1e300; raw.params.W3.data = float64Data(w); }, /params\.W3 holds 1e\+300, which training never gives/],
  ["a NaN weight", (raw) => { const w = weights(raw, "W1"); w[5] = NaN; raw.params.W1.data = float64Data(w); }, /params\.W1 holds NaN at index 5/],
  ["an infinite bias", (raw) => { raw.params.b2.data = float64Data(weights(raw, "b2").map(() => -Infinity)); }, /params\.b2 holds -Infinity/],
  ["weights cut short", (raw) => { raw.params.W2.data = raw.params.W2.data.slice(0, 40); }, /params\.W2 holds \d+ numbers; its shape \[8,3,3,4\] needs 288/],
  ["a shape that does not fit", (raw) => { raw.params.W3.shape = [10, 391]; }, /params\.W3/],
  ["a layer's shape changed with its data", (raw) => { raw.params.b1.shape = [3]; raw.params.b1.data = float64Data([0, 0, 0]); }, /params\.b1 has shape \[3\]; the network needs \[4\]/],
  ["a missing array", (raw) => { delete raw.params.b3; }, /params\.b3 is missing/],
  ["data that is not base64", (raw) => { raw.params.W1.data = "%%%"; }, /params\.W1\.data is not base64/],
  ["no weight limit", (raw) => { delete raw.limits; }, /limits\.max_weight/],
  ["drawing.block = 0", (raw) => { raw.drawing.block = 0; }, /drawing\.block must be a whole number from 1 to 32 \(it is 0\)/],
  ["a block that does not divide the bitmap", (raw) => { raw.drawing.block = 5; }, /drawing\.block \(5\) must divide drawing\.bitmap \(32\)/],
  ["a grid of 30", (raw) => { raw.drawing.grid = 30; }, /drawing\.grid must be a multiple of 4/],
  ["a pen of NaN width", (raw) => { raw.drawing.pen_width = null; }, /drawing\.pen_width must be a number/],
  ["no drawing constants", (raw) => { delete raw.drawing; }, /drawing is missing/],
  ["digits cut short", (raw) => { raw.digits.counts.data = raw.digits.counts.data.slice(0, 400); }, /digits\.counts holds 300 bytes; 1797 digits of 64 block counts need 115008/],
  ["a count of 17", (raw) => { const b = Buffer.from(raw.digits.counts.data, "base64"); b[70] = 17; raw.digits.counts.data = b.toString("base64"); }, /digits\.counts holds 17 at index 70; a block holds at most 16 pixels/],
  ["a label of 10", (raw) => { raw.digits.labels[3] = 10; }, /digits\.labels\[3\] must be a whole number from 0 to 9/],
  ["no labels", (raw) => { raw.digits.labels = []; }, /digits\.labels holds fewer than two labels/],
  ["no digits", (raw) => { delete raw.digits; }, /digits is missing/],
  ["a test fraction of 1", (raw) => { raw.digits.test_fraction = 1; }, /digits\.test_fraction must be a number from 0\.01 to 0\.99/],
  ["no training settings", (raw) => { delete raw.training; }, /training is missing/],
  ["a learning rate of 0", (raw) => { raw.training.learning_rate = 0; }, /training\.learning_rate must be a number/],
  ["a turn range of NaN", (raw) => { raw.training.ranges.turn = null; }, /training\.ranges\.turn must be a number/],
  ["colours missing", (raw) => { raw.signed_colours = [[1, 2, 3]]; }, /signed_colours/],
  ["a colour of 300", (raw) => { raw.signed_colours[0] = [300, 0, 0]; }, /signed_colours/],
  ["no drawn examples", (raw) => { raw.examples = []; }, /examples holds no drawn digit/],
  ["an example without strokes", (raw) => { raw.examples[1].strokes = []; }, /examples\[1\]\.strokes must be a list of strokes/],
  ["an example point of NaN", (raw) => { raw.examples[0].strokes[0][1] = [null, 3]; }, /examples\[0\]\.strokes\[0\]\[1\] must be a point/],
  ["no attribution settings", (raw) => { delete raw.attribution; }, /attribution is missing/],
  ["SmoothGrad with no samples", (raw) => { raw.attribution.smoothgrad.samples = 0; }, /attribution\.smoothgrad\.samples must be a whole number from 1/],
  ["SmoothGrad noise of -1", (raw) => { raw.attribution.smoothgrad.noise = -1; }, /attribution\.smoothgrad\.noise must be a number from 0/],
  ["a SmoothGrad seed of 2**32", (raw) => { raw.attribution.smoothgrad.seed = 2 ** 32; }, /attribution\.smoothgrad\.seed must be a whole number/],
  ["integrated gradients of 0.5 steps", (raw) => { raw.attribution.integrated_gradients_steps = 0.5; }, /attribution\.integrated_gradients_steps/],
  ["not an object at all", () => null, /did not load/],
];

test("a damaged network data file is refused, the message naming the problem", () => {
  for (const [what, damage, words] of NETWORK_DAMAGE) {
    const raw = copy(data.network);
    const replaced = damage(raw);
    assert.throws(() => ConvCore.checkNetworkData(replaced === undefined ? raw : replaced),
      (error) => error instanceof ConvCore.DataError && words.test(error.message), what);
  }
});

const CONV_DAMAGE = [
  ["no presets", (raw) => { raw.presets = []; }, /presets holds no kernel/],
  ["a preset of 8 weights", (raw) => { raw.presets[2].values.pop(); }, /presets\[2\] \(\w+\) must hold 9 weights/],
  ["a preset weight of 1e9", (raw) => { raw.presets[0].values[4] = 1e9; }, /presets\[0\]\.values\[4\] must be a number from -1000 to 1000/],
  ["a preset without a name", (raw) => { delete raw.presets[1].name; }, /presets\[1\] needs a name and a label/],
  ["two presets of one name", (raw) => { raw.presets[1].name = raw.presets[0].name; }, /presets\[1\] repeats the name/],
  ["photo pixels cut short", (raw) => { raw.images.photo.pixels = raw.images.photo.pixels.slice(0, 200); }, /images\.photo has 150 pixels; 128×128 needs 16384/],
  ["a photo 0 wide", (raw) => { raw.images.photo.width = 0; }, /images\.photo\.width must be a whole number/],
  ["no images", (raw) => { delete raw.images; }, /images is missing/],
  ["a short step-by-step example", (raw) => { raw.small_example.values.pop(); }, /small_example\.values must be 64 finite numbers/],
  ["a NaN in the example", (raw) => { raw.small_example.values[3] = null; }, /small_example\.values/],
  ["not an object at all", () => "garbage", /did not load/],
];

test("a damaged convolution data file is refused, the message naming the problem", () => {
  for (const [what, damage, words] of CONV_DAMAGE) {
    const raw = copy(data.conv);
    const replaced = damage(raw);
    assert.throws(() => ConvCore.checkConvData(replaced === undefined ? raw : replaced, 3, 1000),
      (error) => error instanceof ConvCore.DataError && words.test(error.message), what);
  }
});
