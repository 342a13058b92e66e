/*
 * The explorers' data files, decoded and checked before anything is drawn, on ConvCore.
 *
 * The build writes them from Python (coursesite/explorer_data.py, coursesite/network_data.py);
 * a file that was cut short, edited or damaged must not give a confident number or an
 * error in the middle of drawing. checkConvData and checkNetworkData return the decoded
 * data, or throw a DataError whose message names the first problem, in words the page
 * can show ("params.W3 holds 1e+300, which training never gives ...").
 */
(function (ConvCore) {
  "use strict";

  function DataError(message) {
    this.name = "DataError";
    this.message = message;
  }
  DataError.prototype = Object.create(Error.prototype);
  DataError.prototype.constructor = DataError;

  function fail(message) {
    throw new DataError(message);
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function wholeNumber(value, low, high) {
    return typeof value === "number" && Number.isInteger(value) && value >= low && value <= high;
  }

  function finiteNumber(value) {
    return typeof value === "number" && isFinite(value);
  }

  /** value at name, which must be a whole number from low to high. */
  function whole(value, name, low, high) {
    if (!wholeNumber(value, low, high)) fail(name + " must be a whole number from " + low + " to " + high + " (it is " + shown(value) + ")");
    return value;
  }

  /** value at name, which must be a finite number from low to high. */
  function bounded(value, name, low, high) {
    if (!finiteNumber(value) || value < low || value > high) {
      fail(name + " must be a number from " + low + " to " + high + " (it is " + shown(value) + ")");
    }
    return value;
  }

  function shown(value) {
    if (value === undefined) return "missing";
    var text = typeof value === "string" ? JSON.stringify(value) : String(JSON.stringify(value));
    return text.length > 40 ? text.slice(0, 37) + "…" : text;
  }

  /** Base64 text -> bytes; DataError naming the field if it is not base64. */
  function decodeBytes(text, name) {
    if (typeof text !== "string") fail((name || "the data") + " must be base64 text (it is " + shown(text) + ")");
    var raw;
    try {
      raw = atob(text);
    } catch {
      fail((name || "the data") + " is not base64 text");
    }
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  /** {shape, data: base64 of little-endian float64} -> Float64Array of finite numbers, checked against the shape. */
  function decodeFloat64(entry, name) {
    name = name || "the array";
    if (!isObject(entry)) fail(name + " is missing");
    var shape = checkedShape(entry.shape, name);
    var bytes = decodeBytes(entry.data, name + ".data");
    var expected = shape.reduce(function (a, b) { return a * b; }, 1);
    if (bytes.length !== expected * 8) {
      fail(name + " holds " + Math.floor(bytes.length / 8) + " numbers; its shape [" + shape + "] needs " + expected);
    }
    var view = new DataView(bytes.buffer), out = new Float64Array(expected);
    for (var i = 0; i < expected; i++) {
      out[i] = view.getFloat64(8 * i, true);
      if (!isFinite(out[i])) fail(name + " holds " + out[i] + " at index " + i + ", not a finite number");
    }
    return out;
  }

  function checkedShape(shape, name) {
    if (!Array.isArray(shape) || !shape.length || !shape.every(function (s) { return wholeNumber(s, 1, 1e6); })) {
      fail(name + ".shape must list positive whole numbers (it is " + shown(shape) + ")");
    }
    return shape;
  }

  /** [[x, y], ...] strokes of finite numbers, at least one point each. */
  function checkStrokes(strokes, name) {
    if (!Array.isArray(strokes) || !strokes.length) fail(name + " must be a list of strokes");
    strokes.forEach(function (stroke, s) {
      if (!Array.isArray(stroke) || !stroke.length) fail(name + "[" + s + "] must be a list of points");
      stroke.forEach(function (p, i) {
        if (!Array.isArray(p) || p.length !== 2 || !finiteNumber(p[0]) || !finiteNumber(p[1])) {
          fail(name + "[" + s + "][" + i + "] must be a point [x, y] of two finite numbers (it is " + shown(p) + ")");
        }
      });
    });
    return strokes;
  }

  // ------------------------------------------------------------ the convolution explorer

  /** A one-channel uint8 image {width, height, pixels: base64} as a tensor of 0-255 values. */
  function checkImage(entry, name) {
    if (!isObject(entry)) fail(name + " is missing");
    var width = whole(entry.width, name + ".width", 3, 4096), height = whole(entry.height, name + ".height", 3, 4096);
    var bytes = decodeBytes(entry.pixels, name + ".pixels");
    if (bytes.length !== width * height) {
      fail(name + " has " + bytes.length + " pixels; " + width + "×" + height + " needs " + width * height);
    }
    return ConvCore.tensor(height, width, 1, Float64Array.from(bytes));
  }

  /**
   * The convolution explorer's data (window.CONV_EXPLORER_DATA), checked: {images: {name:
   * tensor}, presets: [{name, label, values}], small: tensor}. Kernel weights must lie
   * within ±limit, the range its fields accept.
   */
  function checkConvData(raw, kernelSize, limit) {
    if (!isObject(raw)) fail("the data file did not load");
    if (!isObject(raw.images)) fail("images is missing");
    var images = {};
    Object.keys(raw.images).forEach(function (name) {
      images[name] = checkImage(raw.images[name], "images." + name);
    });
    if (!Array.isArray(raw.presets) || !raw.presets.length) fail("presets holds no kernel");
    var seen = {};
    var presets = raw.presets.map(function (preset, i) {
      var name = "presets[" + i + "]";
      if (!isObject(preset) || typeof preset.name !== "string" || !preset.name || typeof preset.label !== "string") {
        fail(name + " needs a name and a label");
      }
      if (seen[preset.name]) fail(name + " repeats the name " + shown(preset.name));
      seen[preset.name] = true;
      var values = preset.values;
      if (!Array.isArray(values) || values.length !== kernelSize * kernelSize) {
        fail(name + " (" + preset.name + ") must hold " + kernelSize * kernelSize + " weights");
      }
      values.forEach(function (v, j) { bounded(v, name + ".values[" + j + "]", -limit, limit); });
      return { name: preset.name, label: preset.label, values: values.slice() };
    });
    var small = raw.small_example;
    if (!isObject(small)) fail("small_example is missing");
    var width = whole(small.width, "small_example.width", kernelSize, 64);
    var height = whole(small.height, "small_example.height", kernelSize, 64);
    if (!Array.isArray(small.values) || small.values.length !== width * height || !small.values.every(finiteNumber)) {
      fail("small_example.values must be " + width * height + " finite numbers");
    }
    return { images: images, presets: presets, small: ConvCore.tensor(height, width, 1, Float64Array.from(small.values)) };
  }

  // ------------------------------------------------------------ the network explorer

  var PARAMETERS = ["W1", "b1", "W2", "b2", "W3", "b3"];

  /** The drawing constants of convviz.drawing, checked so that every step of prepare() is defined. */
  function checkDrawing(d) {
    if (!isObject(d)) fail("drawing is missing");
    var grid = whole(d.grid, "drawing.grid", 4, 1024);
    if (grid % 4) fail("drawing.grid must be a multiple of 4, for two 2×2 poolings (it is " + grid + ")");
    var bitmap = whole(d.bitmap, "drawing.bitmap", 1, 4096);
    var block = whole(d.block, "drawing.block", 1, bitmap);
    if (bitmap % block) fail("drawing.block (" + block + ") must divide drawing.bitmap (" + bitmap + ")");
    bounded(d.pen_width, "drawing.pen_width", 1e-3, grid);
    bounded(d.gray_per_count, "drawing.gray_per_count", 0, 255);
    bounded(d.ink_width, "drawing.ink_width", 1e-3, grid);
    bounded(d.ink_height, "drawing.ink_height", 1e-3, grid);
    bounded(d.centre, "drawing.centre", 0, grid);
    bounded(d.max_scale, "drawing.max_scale", 1e-3, 1e6);
    bounded(d.max_stretch, "drawing.max_stretch", 1e-3, 1e6);
    return d;
  }

  /**
   * The digits ({counts: 8×8 block counts as uint8 bytes, labels, split_seed, test_fraction}),
   * enlarged and split as convviz.tiny_cnn.load_digit_split (ConvCore.splitDigits):
   * {trainImages, trainLabels, testImages, testLabels}.
   */
  function checkDigits(raw, d, classes) {
    if (!isObject(raw)) fail("digits is missing");
    if (!isObject(raw.counts)) fail("digits.counts is missing");
    var counts = decodeBytes(raw.counts.data, "digits.counts.data");
    var labels = raw.labels, small = (d.bitmap / d.block) * (d.bitmap / d.block);
    if (!Array.isArray(labels) || labels.length < 2) fail("digits.labels holds fewer than two labels");
    labels.forEach(function (label, i) { whole(label, "digits.labels[" + i + "]", 0, classes - 1); });
    if (counts.length !== labels.length * small) {
      fail("digits.counts holds " + counts.length + " bytes; " + labels.length + " digits of " + small + " block counts need " +
        labels.length * small);
    }
    var most = d.block * d.block;
    for (var i = 0; i < counts.length; i++) {
      if (counts[i] > most) fail("digits.counts holds " + counts[i] + " at index " + i + "; a block holds at most " + most + " pixels");
    }
    whole(raw.split_seed, "digits.split_seed", 0, 4294967295);
    bounded(raw.test_fraction, "digits.test_fraction", 0.01, 0.99);
    return ConvCore.splitDigits(counts, Int32Array.from(labels), d, raw.split_seed, raw.test_fraction);
  }

  /** The defaults of convviz.tiny_cnn.train: {seed, epochs, learning_rate, batch_size, ranges}. */
  function checkTraining(raw) {
    if (!isObject(raw)) fail("training is missing");
    whole(raw.seed, "training.seed", 0, 4294967294);
    whole(raw.epochs, "training.epochs", 1, 1000);
    bounded(raw.learning_rate, "training.learning_rate", 1e-6, 1);
    whole(raw.batch_size, "training.batch_size", 1, 4096);
    if (!isObject(raw.ranges)) fail("training.ranges is missing");
    ["turn", "slant", "stretch", "shift", "bold"].forEach(function (name) {
      bounded(raw.ranges[name], "training.ranges." + name, 0, 10);
    });
    return raw;
  }

  /** The attribution panel's settings: {integrated_gradients_steps, smoothgrad: {samples, noise, seed}}. */
  function checkAttribution(raw) {
    if (!isObject(raw)) fail("attribution is missing");
    whole(raw.integrated_gradients_steps, "attribution.integrated_gradients_steps", 1, 4096);
    if (!isObject(raw.smoothgrad)) fail("attribution.smoothgrad is missing");
    whole(raw.smoothgrad.samples, "attribution.smoothgrad.samples", 1, 1000);
    bounded(raw.smoothgrad.noise, "attribution.smoothgrad.noise", 0, 10);
    whole(raw.smoothgrad.seed, "attribution.smoothgrad.seed", 0, 4294967295);
    return raw;
  }

  /**
   * The network explorer's data (window.NETWORK_EXPLORER_DATA), decoded and checked:
   * {params, images, labels (the test digits), train (every digit split: trainImages, ...),
   * training (train's defaults), limit (the largest weight training gives), start (W1 and W2 where
   * the weights' training started), history (its loss and accuracies per epoch), drawing, colours,
   * examples, attribution (the settings of integrated gradients and SmoothGrad)}. params holds the six arrays
   * (Float64Array) and the sizes the layers need (size, conv1, conv2, classes).
   */
  function checkNetworkData(raw) {
    if (!isObject(raw)) fail("the data file did not load");
    if (!isObject(raw.params)) fail("params is missing");
    var limit = isObject(raw.limits) ? raw.limits.max_weight : undefined;
    bounded(limit, "limits.max_weight", 1e-6, 1e6);
    var params = { shapes: {} };
    PARAMETERS.forEach(function (name) {
      var values = decodeFloat64(raw.params[name], "params." + name);
      for (var i = 0; i < values.length; i++) {
        if (Math.abs(values[i]) > limit) {
          fail("params." + name + " holds " + values[i] + ", which training never gives (trained weights stay within ±" + limit + ")");
        }
      }
      params[name] = values;
      params.shapes[name] = raw.params[name].shape;
    });
    var d = checkDrawing(raw.drawing);
    var s = params.shapes, side = d.grid / 4;
    params.size = d.grid;
    params.conv1 = s.W1[0];
    params.conv2 = s.W2[0];
    params.classes = s.W3[0];
    var expected = {
      W1: [params.conv1, 3, 3, 1], b1: [params.conv1], W2: [params.conv2, 3, 3, params.conv1], b2: [params.conv2],
      W3: [params.classes, side * side * params.conv2], b3: [params.classes]
    };
    PARAMETERS.forEach(function (name) {
      if (s[name].join("x") !== expected[name].join("x")) {
        fail("params." + name + " has shape [" + s[name] + "]; the network needs [" + expected[name] + "]");
      }
    });
    var start = {}, history = {};
    ["W1", "W2"].forEach(function (name) {
      start[name] = decodeFloat64(isObject(raw.start) ? raw.start[name + "_init"] : undefined, "start." + name + "_init");
      if (start[name].length !== params[name].length) fail("start." + name + "_init must have the shape of params." + name);
    });
    ["loss", "train_accuracy", "test_accuracy"].forEach(function (name) {
      var list = isObject(raw.history) ? raw.history[name] : undefined;
      if (!Array.isArray(list) || !list.every(finiteNumber)) fail("history." + name + " must list finite numbers");
      history[name] = list;
    });
    var digits = checkDigits(raw.digits, d, params.classes);
    var training = checkTraining(raw.training);
    var colours = raw.signed_colours;
    if (!Array.isArray(colours) || colours.length < 2 || !colours.every(function (c) {
      return Array.isArray(c) && c.length === 3 && c.every(function (v) { return wholeNumber(v, 0, 255); });
    })) {
      fail("signed_colours must list at least two colours [r, g, b] of 0-255");
    }
    var attribution = checkAttribution(raw.attribution);
    var examples = raw.examples;
    if (!Array.isArray(examples) || !examples.length) fail("examples holds no drawn digit");
    examples.forEach(function (e, i) {
      var name = "examples[" + i + "]";
      if (!isObject(e) || typeof e.name !== "string" || !e.name) fail(name + " needs a name");
      whole(e.label, name + ".label", 0, params.classes - 1);
      checkStrokes(e.strokes, name + ".strokes");
    });
    return {
      params: params, images: digits.testImages, labels: digits.testLabels, train: digits, training: training, limit: limit,
      start: start, history: history,
      drawing: d, colours: colours, examples: examples, attribution: attribution
    };
  }

  Object.assign(ConvCore, {
    DataError: DataError,
    decodeBytes: decodeBytes,
    decodeFloat64: decodeFloat64,
    checkStrokes: checkStrokes,
    checkConvData: checkConvData,
    checkNetworkData: checkNetworkData
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
