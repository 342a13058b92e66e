// Training in the page (training.js) against convviz.tiny_cnn.train: the digits split as
// load_digit_split, and the weights at the start, after the first step and at the end of short runs.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { ConvCore, fixture, bytes, maxDifference } = require("./load.js");

// Measured: the largest difference from NumPy's weights is below 3e-15 in every case (the sums
// over a batch are added in another order); the tests allow 1e-12.
const TOLERANCE = 1e-12;
const SHAPES = { W1: [4, 3, 3, 1], W2: [8, 3, 3, 4], W3: [10, 392] };
const found = fixture("training");
const drawing = fixture("data").network.drawing;
const split = ConvCore.splitDigits(bytes(found.counts), Int32Array.from(found.labels), drawing, 2026, 0.2);

/** The first sizes[0] training and sizes[1] test digits of the split (all of them without sizes). */
function digits(sizes) {
  if (!sizes) return split;
  const pixels = 28 * 28;
  return {
    trainImages: split.trainImages.subarray(0, sizes[0] * pixels), trainLabels: split.trainLabels.subarray(0, sizes[0]),
    testImages: split.testImages.subarray(0, sizes[1] * pixels), testLabels: split.testLabels.subarray(0, sizes[1])
  };
}

/** train's keyword arguments -> the settings of ConvCore.Training (train's defaults where absent). */
function settings(python) {
  return {
    seed: python.seed, epochs: python.epochs, augment: python.augment !== false, decay: python.decay !== false,
    learningRate: python.learning_rate || 0.005, batchSize: python.batch_size || 32, frozen: python.frozen,
    ranges: found.ranges
  };
}

function assertClose(params, expected, what) {
  for (const name of ConvCore.TRAINED_PARAMETERS) {
    assert.equal(params[name].length, expected[name].length, what + " " + name);
    const most = maxDifference(params[name], expected[name]);
    assert.ok(most <= TOLERANCE, what + " " + name + " differs by " + most);
  }
}

test("the digits are enlarged and split as load_digit_split gives them", () => {
  assert.deepEqual(Array.from(split.testImages), Array.from(bytes(found.test_images)));
  assert.deepEqual(Array.from(split.testLabels), found.test_labels);
  assert.deepEqual(Array.from(split.trainLabels), found.train_labels);
});

for (const c of found.cases) {
  test("training equals train(" + JSON.stringify(c.settings) + ") on " + (c.sizes || "every") + " digits", () => {
    const training = new ConvCore.Training(settings(c.settings), digits(c.sizes), SHAPES);
    assert.deepEqual(ConvCore.TRAINED_PARAMETERS.map((n) => Array.from(training.params[n])),
      ConvCore.TRAINED_PARAMETERS.map((n) => c.initial[n]));
    training.step();
    assertClose(training.params, c.first_step, "after the first step");
    while (!training.done()) training.step();
    assertClose(training.params, c.final, "at the end");
    assert.deepEqual(training.history.train_accuracy, c.history.train_accuracy);
    assert.deepEqual(training.history.test_accuracy, c.history.test_accuracy);
    assert.ok(maxDifference(training.history.loss, c.history.loss) <= TOLERANCE);
    for (const name of c.settings.frozen) assert.deepEqual(Array.from(training.params[name]), c.initial[name]);
  });
}

test("a training's settings are checked, each refusal naming the setting", () => {
  const good = settings({ seed: 1, epochs: 1 });
  for (const [change, words] of [
    [{ seed: -1 }, /seed must be/], [{ seed: 2 ** 32 - 1 }, /seed must be/], [{ epochs: 0 }, /epochs must be/],
    [{ learningRate: 0 }, /learningRate must be/], [{ learningRate: NaN }, /learningRate must be/],
    [{ batchSize: 1.5 }, /batchSize must be/], [{ frozen: ["W9"] }, /frozen names an unknown parameter: W9/]
  ]) {
    assert.throws(() => new ConvCore.Training(Object.assign({}, good, change), digits([10, 5]), SHAPES), words);
  }
});

test("progress and the running epoch follow the steps", () => {
  const training = new ConvCore.Training(settings({ seed: 3, epochs: 2 }), digits([40, 10]), SHAPES);
  assert.equal(training.progress(), 0);
  assert.equal(training.running(), null);
  training.step();
  assert.equal(training.progress(), 32 / 80);
  assert.equal(training.running().digits, 32);
  training.step();
  assert.equal(training.epoch, 1);
  assert.equal(training.history.loss.length, 1);
  while (!training.done()) training.step();
  assert.equal(training.progress(), 1);
  training.step(); // nothing more to do
  assert.equal(training.steps, 4);
});

test("the runner reports snapshots, measures the test digits at each epoch's end, pauses and resumes", () => {
  const reports = [], queue = [];
  const runner = new ConvCore.TrainingRunner((s) => reports.push(s), {
    slice: 0, every: 0, testEvery: 1e9, schedule: (next) => queue.push(next)
  });
  const run = (limit) => { for (let i = 0; i < limit && queue.length; i++) queue.shift()(); };
  runner.handle({ type: "start", settings: settings({ seed: 5, epochs: 2 }), data: digits([64, 20]), shapes: SHAPES });
  assert.equal(reports[0].steps, 0);
  assert.ok(reports[0].test, "the first snapshot measures the start");
  run(1);
  assert.equal(reports.at(-1).steps, 1);
  assert.equal(reports.at(-1).test, null, "no test between epochs with a long testEvery");
  run(1);
  const ended = reports.at(-1);
  assert.equal(ended.epoch, 1);
  assert.equal(ended.test.fraction, ended.history.test_accuracy[0]);
  runner.handle({ type: "pause" });
  assert.equal(reports.at(-1).paused, true);
  run(5); // the scheduled slice finds the runner paused
  assert.equal(reports.at(-1).steps, 2);
  runner.handle({ type: "resume" });
  run(10);
  const last = reports.at(-1);
  assert.equal(last.done, true);
  assert.equal(last.steps, 4);
  assert.ok(last.test && last.test.fraction === last.history.test_accuracy[1]);
  runner.handle({ type: "start", settings: Object.assign(settings({ seed: 5, epochs: 2 }), { epochs: 0 }), data: digits([8, 4]), shapes: SHAPES });
  assert.match(reports.at(-1).error, /epochs must be/);
});
