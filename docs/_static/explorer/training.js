/*
 * Training the exercise-4 network in the page, the twin of convviz.tiny_cnn.train, on ConvCore.
 *
 * The recipe is Python's, operation for operation: He-uniform weights from SeededRandom(seed + 1)
 * (random.js), then per epoch a permutation of the training digits and, with augmentation, seven
 * uniforms per digit for its distortion (augmentation.js); batches of 32, the mean cross-entropy
 * and its gradient (the forward and backward passes of core.js, their arrays kept from one digit to
 * the next), Adam with its bias corrections kept as running products, and
 * a learning rate that falls linearly over the epochs. The only difference from NumPy is the order
 * in which sums over the batch are added up (NumPy's matrix products choose their own), so the
 * weights agree to rounding, not bit for bit (the tests measure how closely).
 *
 * Pure: no page, no worker. training_worker.js runs a Training in a Worker; tests/js/ run it
 * under Node against convviz.
 */
(function (ConvCore) {
  "use strict";

  var PARAMETERS = ["W1", "b1", "W2", "b2", "W3", "b3"];
  var BETA1 = 0.9, BETA2 = 0.999, EPSILON = 1e-8;
  /** Seven uniforms per digit (convviz.augmentation.COUNT). */
  var DISTORTION_UNIFORMS = 7;

  /**
   * The digits in counts (N × 64 block counts, 0-16) enlarged to grid × grid uint8 images
   * (ConvCore.enlarge, as convviz.tiny_cnn.enlarge), and split as convviz.tiny_cnn.load_digit_split:
   * SeededRandom(splitSeed).permutation, its first round(N · testFraction) digits for testing.
   */
  function splitDigits(counts, labels, d, splitSeed, testFraction) {
    var small = (d.bitmap / d.block) * (d.bitmap / d.block), pixels = d.grid * d.grid, n = labels.length;
    var order = new ConvCore.SeededRandom(splitSeed).permutation(n);
    var nTest = Math.round(n * testFraction);
    function part(from, to) {
      var images = new Uint8Array((to - from) * pixels), chosen = new Int32Array(to - from);
      for (var i = from; i < to; i++) {
        var k = order[i];
        images.set(ConvCore.enlarge(counts.subarray(k * small, (k + 1) * small), d), (i - from) * pixels);
        chosen[i - from] = labels[k];
      }
      return { images: images, labels: chosen };
    }
    var test = part(0, nTest), train = part(nTest, n);
    return { trainImages: train.images, trainLabels: train.labels, testImages: test.images, testLabels: test.labels };
  }

  /**
   * convviz.tiny_cnn.init_parameters: for W1, W2, W3 in turn, one uniform per weight (C order),
   * (2u − 1) · sqrt(6 / fan-in); zero biases. shapes: {W1: [4, 3, 3, 1], ...} as the network has them.
   */
  function initParameters(random, shapes) {
    var params = { shapes: {} };
    ["W1", "W2", "W3"].forEach(function (name) {
      var shape = shapes[name], count = 1, fanIn = 1;
      shape.forEach(function (s, i) {
        count *= s;
        if (i > 0) fanIn *= s;
      });
      var limit = Math.sqrt(6 / fanIn), u = random.uniforms(count), w = new Float64Array(count);
      for (var i = 0; i < count; i++) w[i] = (2 * u[i] - 1) * limit;
      params[name] = w;
      params["b" + name[1]] = new Float64Array(shape[0]);
      params.shapes[name] = shape.slice();
      params.shapes["b" + name[1]] = [shape[0]];
    });
    params.size = 28;
    params.conv1 = shapes.W1[0];
    params.conv2 = shapes.W2[0];
    params.classes = shapes.W3[0];
    return params;
  }

  /** A copy of params (new arrays; the sizes and shapes shared). */
  function copyParameters(params) {
    var copy = Object.assign({}, params);
    PARAMETERS.forEach(function (name) { copy[name] = Float64Array.from(params[name]); });
    return copy;
  }

  /** Zero gradients shaped as params. */
  function zeroGradients(params) {
    var grads = {};
    PARAMETERS.forEach(function (name) { grads[name] = new Float64Array(params[name].length); });
    return grads;
  }

  /**
   * convviz.tiny_cnn.loss_and_gradients for a batch (an array of Float64Array inputs in [0, 1] and
   * their labels): {loss: the mean cross-entropy, grads: by parameter name, said: each answer}.
   * work (optional, an object): where the layers and their gradients are kept from one digit to
   * the next, and from one call to the next, overwritten each time (see core.js on out).
   */
  function lossAndGradients(params, inputs, labels, work) {
    var n = inputs.length, grads = zeroGradients(params), said = new Int32Array(n), loss = 0;
    var classes = params.classes, flatLength = params.W3.length / classes;
    work = work || {};
    if (!work.dflat || work.dflat.length !== flatLength) work.dflat = new Float64Array(flatLength);
    for (var b = 0; b < n; b++) {
      var layers = (work.layers = ConvCore.forward(params, inputs[b], work.layers));
      var p = layers.probabilities, label = labels[b];
      said[b] = ConvCore.argmax(layers.logits);
      loss += -Math.log(p[label] + 1e-12);
      var flat = layers.pool2.values, dflat = work.dflat.fill(0);
      for (var k = 0; k < classes; k++) {
        var g = ((k === label ? p[k] - 1 : p[k])) / n, row = k * flatLength;
        grads.b3[k] += g;
        for (var i = 0; i < flatLength; i++) {
          grads.W3[row + i] += g * flat[i];
          dflat[i] += g * params.W3[row + i];
        }
      }
      var da2 = (work.da2 = ConvCore.unpoolMasked(dflat, layers.pool2, layers.z2, work.da2));
      ConvCore.addConvWeightGradient(da2, layers.pool1, grads.W2, grads.b2);
      var dp1 = (work.dp1 = ConvCore.convBackward(da2, params.W2, params.conv1, params.conv2, work.dp1));
      var da1 = (work.da1 = ConvCore.unpoolMasked(dp1.values, layers.pool1, layers.z1, work.da1));
      ConvCore.addConvWeightGradient(da1, layers.input, grads.W1, grads.b1);
    }
    return { loss: loss / n, grads: grads, said: said };
  }

  /**
   * Settings of a training, checked: {seed, epochs, learningRate, batchSize, augment, decay,
   * frozen: names of parameters kept at their start, ranges: the distortions' half-widths}.
   * Throws an Error naming the setting that is wrong.
   */
  function checkSettings(s) {
    function whole(name, low, high) {
      var v = s[name];
      if (typeof v !== "number" || !Number.isInteger(v) || v < low || v > high) {
        throw new Error(name + " must be a whole number from " + low + " to " + high);
      }
    }
    whole("seed", 0, 4294967294);
    whole("epochs", 1, 1000);
    whole("batchSize", 1, 4096);
    if (typeof s.learningRate !== "number" || !(s.learningRate > 0 && s.learningRate <= 1)) {
      throw new Error("learningRate must be a number greater than 0 and at most 1");
    }
    (s.frozen || []).forEach(function (name) {
      if (PARAMETERS.indexOf(name) < 0) throw new Error("frozen names an unknown parameter: " + name);
    });
    return s;
  }

  /**
   * A training run, one batch at a time (step()): the state of convviz.tiny_cnn.train between two
   * batches. data: {trainImages, trainLabels, testImages, testLabels} (uint8 images, grid × grid);
   * shapes: the parameters' shapes. history holds, per finished epoch, what train's history holds.
   */
  function Training(settings, data, shapes) {
    this.settings = checkSettings(settings);
    this.data = data;
    this.random = new ConvCore.SeededRandom(settings.seed + 1);
    this.params = initParameters(this.random, shapes);
    this.initial = copyParameters(this.params);
    this.pixels = this.params.size * this.params.size;
    this.moments = {};
    var self = this;
    PARAMETERS.forEach(function (name) {
      var size = self.params[name].length;
      self.moments[name] = { m: new Float64Array(size), v: new Float64Array(size) };
    });
    this.power1 = 1;
    this.power2 = 1;
    this.epoch = 0; // the epoch under way (settings.epochs once training is over)
    this.start = 0; // the first digit of the next batch, in this epoch's order
    this.steps = 0;
    this.order = null;
    this.history = { loss: [], train_accuracy: [], test_accuracy: [] };
    this.work = {}; // the arrays step and lossAndGradients overwrite for every batch
  }

  Training.prototype.done = function () {
    return this.epoch >= this.settings.epochs;
  };

  /** How far training is, from 0 to 1. */
  Training.prototype.progress = function () {
    var count = this.data.trainLabels.length, epochs = this.settings.epochs;
    return Math.min(1, (this.epoch + (this.order ? this.start / count : 0)) / epochs);
  };

  /** Draw the epoch's order (and distortions), as train does at the start of each epoch. */
  Training.prototype.beginEpoch = function () {
    var count = this.data.trainLabels.length;
    this.order = this.random.permutation(count);
    this.uniforms = this.settings.augment ? this.random.uniforms(count * DISTORTION_UNIFORMS) : null;
    this.start = 0;
    this.losses = [];
    this.right = 0;
  };

  /** The learning rate of the epoch under way. */
  Training.prototype.rate = function () {
    var s = this.settings;
    return s.decay ? (s.learningRate * (s.epochs - this.epoch)) / s.epochs : s.learningRate;
  };

  /** One batch: its gradient and one Adam step; at the end of an epoch, the epoch's history. */
  Training.prototype.step = function () {
    if (this.done()) return;
    if (!this.order) this.beginEpoch();
    var s = this.settings, count = this.order.length, end = Math.min(this.start + s.batchSize, count);
    var inputs = this.work.inputs || (this.work.inputs = []), labels = new Int32Array(end - this.start);
    var plain = this.work.plain || (this.work.plain = new Float64Array(this.pixels));
    inputs.length = end - this.start; // the batch's inputs, in arrays kept from batch to batch
    for (var at = this.start; at < end; at++) {
      var k = this.order[at], j = at - this.start;
      var image = inputs[j] || (inputs[j] = new Float64Array(this.pixels)), read = this.uniforms ? plain : image;
      for (var i = 0; i < this.pixels; i++) read[i] = this.data.trainImages[k * this.pixels + i] / 255;
      if (this.uniforms) {
        var u = this.uniforms.subarray(at * DISTORTION_UNIFORMS, (at + 1) * DISTORTION_UNIFORMS);
        ConvCore.distort(plain, this.params.size, u, s.ranges, image);
      }
      labels[j] = this.data.trainLabels[k];
    }
    var result = lossAndGradients(this.params, inputs, labels, this.work);
    this.losses.push(result.loss * inputs.length);
    for (i = 0; i < labels.length; i++) if (result.said[i] === labels[i]) this.right++;
    this.adam(result.grads, this.rate());
    this.steps++;
    this.start = end;
    if (end === count) this.endEpoch();
  };

  /** Adam on every parameter not frozen, in the operations of train. */
  Training.prototype.adam = function (grads, rate) {
    var frozen = this.settings.frozen || [];
    this.power1 *= BETA1;
    this.power2 *= BETA2;
    var c1 = 1 - this.power1, c2 = 1 - this.power2;
    for (var n = 0; n < PARAMETERS.length; n++) {
      var name = PARAMETERS[n];
      if (frozen.indexOf(name) >= 0) continue;
      var p = this.params[name], g = grads[name], m = this.moments[name].m, v = this.moments[name].v;
      for (var i = 0; i < p.length; i++) {
        m[i] = m[i] * BETA1 + (1 - BETA1) * g[i];
        v[i] = v[i] * BETA2 + (1 - BETA2) * (g[i] * g[i]);
        p[i] -= (rate * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + EPSILON);
      }
    }
  };

  Training.prototype.endEpoch = function () {
    var total = 0, count = this.order.length;
    this.losses.forEach(function (value) { total += value; });
    this.history.loss.push(total / count);
    this.history.train_accuracy.push(this.right / count);
    this.history.test_accuracy.push(this.testAccuracy());
    this.epoch++;
    this.order = null;
  };

  /** Fraction of the test digits the current weights read right. */
  Training.prototype.testAccuracy = function () {
    return this.testResult().fraction;
  };

  /** The epoch under way so far: {loss, accuracy} over the digits of its finished batches (null before any). */
  Training.prototype.running = function () {
    if (!this.order || !this.start) return null;
    var total = 0;
    this.losses.forEach(function (value) { total += value; });
    return { loss: total / this.start, accuracy: this.right / this.start, digits: this.start };
  };

  /**
   * What a training panel shows, taken between two steps: copies of the weights, how far training
   * is, the history, the epoch so far and the accuracy of these weights on the test digits
   * ({correct, total, fraction}, as ConvCore.accuracy gives it).
   */
  Training.prototype.snapshot = function (withTest) {
    var params = {};
    var self = this;
    PARAMETERS.forEach(function (name) { params[name] = Float64Array.from(self.params[name]); });
    return {
      params: params,
      epoch: this.epoch,
      epochs: this.settings.epochs,
      steps: this.steps,
      progress: this.progress(),
      running: this.running(),
      history: { loss: this.history.loss.slice(), train_accuracy: this.history.train_accuracy.slice(),
        test_accuracy: this.history.test_accuracy.slice() },
      test: withTest === false ? null : this.testResult(),
      done: this.done()
    };
  };

  /** ConvCore.accuracy of the current weights on the test digits (kept until the next step). */
  Training.prototype.testResult = function () {
    if (!this.lastTest || this.lastTest.steps !== this.steps) {
      var result = ConvCore.accuracy(ConvCore.predictAll(this.params, this.data.testImages), this.data.testLabels);
      this.lastTest = { steps: this.steps, result: result };
    }
    return this.lastTest.result;
  };

  /**
   * Runs a Training in slices of about options.slice milliseconds, so that messages (pause, resume)
   * are heard between them, and hands report() a snapshot at most every options.every milliseconds,
   * when it pauses, and when it is done. Measuring the test digits costs about a tenth of an epoch:
   * a snapshot measures them (snapshot.test) at most every options.testEvery milliseconds, at the
   * end of every epoch, when training pauses and when it is done; the others have test: null. Messages: {type: "start", settings, data, shapes},
   * {type: "pause"}, {type: "resume"}, {type: "stop"}. training_worker.js runs one in a Worker; the
   * panel runs one in the page where Workers are not allowed (pages opened as files).
   */
  function TrainingRunner(report, options) {
    this.report = report;
    this.slice = options.slice;
    this.every = options.every;
    this.testEvery = options.testEvery;
    this.tested = 0;
    this.schedule = options.schedule || function (next) { setTimeout(next, 0); };
    this.training = null;
    this.running = false;
    this.reported = 0;
    this.run = this.run.bind(this);
  }

  TrainingRunner.prototype.handle = function (message) {
    if (message.type === "start") {
      try {
        this.training = new Training(message.settings, message.data, message.shapes);
      } catch (error) {
        this.running = false;
        return this.report({ error: error.message });
      }
      this.running = true;
      this.send();
      this.schedule(this.run);
    } else if (message.type === "pause" && this.running) {
      this.running = false;
      this.send();
    } else if (message.type === "resume" && this.training && !this.running && !this.training.done()) {
      this.running = true;
      this.schedule(this.run);
    } else if (message.type === "stop") {
      this.running = false;
      this.training = null;
    }
  };

  TrainingRunner.prototype.send = function (epochEnded) {
    var now = Date.now(), training = this.training;
    var withTest = epochEnded || !this.running || training.done() || now - this.tested >= this.testEvery;
    this.reported = now;
    if (withTest) this.tested = now;
    var snapshot = training.snapshot(withTest);
    snapshot.paused = !this.running && !snapshot.done;
    this.report(snapshot);
  };

  TrainingRunner.prototype.run = function () {
    var training = this.training;
    if (!this.running || !training) return;
    var started = Date.now(), epoch = training.epoch;
    do training.step();
    while (!training.done() && training.epoch === epoch && Date.now() - started < this.slice);
    if (training.done()) this.running = false;
    var ended = training.epoch !== epoch;
    if (ended || Date.now() - this.reported >= this.every) this.send(ended);
    if (this.running) this.schedule(this.run);
  };

  Object.assign(ConvCore, {
    TrainingRunner: TrainingRunner,
    TRAINED_PARAMETERS: PARAMETERS,
    splitDigits: splitDigits,
    initParameters: initParameters,
    copyParameters: copyParameters,
    lossAndGradients: lossAndGradients,
    checkTrainingSettings: checkSettings,
    Training: Training
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
