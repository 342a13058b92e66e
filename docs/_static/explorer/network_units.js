/*
 * What a unit of the network explorer computes and sees, on ConvCore: receptive fields,
 * the boxes a selected unit draws on the maps, each unit's computation from the layer
 * below, and the sentence's verdict. Pure functions of the layers (ConvCore.forward) and
 * the parameters; the view (network_explorer.js) only shows what they return.
 *
 * A unit is {layer, channel, row, col}; layer is one of LAYERS' names or "class" (a class
 * score, channel = the class). Maps are numbered from 1 on the page, rows and columns from 0.
 */
(function (ConvCore) {
  "use strict";

  /** The maps the explorer shows, with the layer each one is computed from. */
  var LAYERS = [
    { name: "conv1", title: "conv1 after ReLU", below: "input" },
    { name: "pool1", title: "conv1 pooled", below: "conv1" },
    { name: "conv2", title: "conv2 after ReLU", below: "pool1" },
    { name: "pool2", title: "conv2 pooled", below: "conv2" }
  ];
  /** grid / side of each layer's maps. */
  var SHRINK = { input: 1, conv1: 1, pool1: 2, conv2: 2, pool2: 4 };
  var ORDER = ["pool2", "conv2", "pool1", "conv1", "input"];
  /** The colours of the selected unit and of the region it sees. */
  var UNIT_COLOUR = "#00b4ff";
  var FIELD_COLOUR = "#ff8c00";

  /** The rows (or columns) [lo, hi] of the layer below that units lo..hi of `layer` see. */
  function downOne(layer, lo, hi, limit) {
    if (layer === "conv1" || layer === "conv2") return [Math.max(lo - 1, 0), Math.min(hi + 1, limit - 1)];
    return [2 * lo, 2 * hi + 1];
  }

  /** {r0, r1, c0, c1}: the units of layer `target` that unit (row, col) of `layer` depends on. */
  function receptiveField(layer, row, col, target, grid) {
    var rows = [row, row], cols = [col, col];
    for (var i = ORDER.indexOf(layer); ORDER[i] !== target; i++) {
      var limit = grid / SHRINK[ORDER[i + 1]];
      rows = downOne(ORDER[i], rows[0], rows[1], limit);
      cols = downOne(ORDER[i], cols[0], cols[1], limit);
    }
    return { r0: rows[0], r1: rows[1], c0: cols[0], c1: cols[1] };
  }

  function withColour(box, color) {
    box.color = color;
    return box;
  }

  /** The boxes to outline on map `channel` of `layer` while unit `selected` (or nothing) is chosen. */
  function highlights(selected, layer, channel, grid) {
    var s = selected, boxes = [];
    if (!s) return boxes;
    if (s.layer === "class") {
      if (layer === "pool2") boxes.push({ r0: 0, r1: grid / 4 - 1, c0: 0, c1: grid / 4 - 1, color: FIELD_COLOUR });
      return boxes;
    }
    if (layer === s.layer && channel === s.channel) {
      boxes.push({ r0: s.row, r1: s.row, c0: s.col, c1: s.col, color: UNIT_COLOUR });
    }
    var below = LAYERS.filter(function (l) { return l.name === s.layer; })[0].below;
    // A conv2 unit sees every pool1 map; the other layers see their own channel only.
    if (layer === below && (channel === s.channel || layer === "input" || s.layer === "conv2")) {
      boxes.push(withColour(receptiveField(s.layer, s.row, s.col, below, grid), FIELD_COLOUR));
    }
    if (layer === "input" && below !== "input") {
      boxes.push(withColour(receptiveField(s.layer, s.row, s.col, "input", grid), FIELD_COLOUR));
    }
    return boxes;
  }

  /** A 3×3 'same' convolution unit: per input channel the window, kernel, products and their sum. */
  function convComputation(unit, below, weights, bias, count, z, out) {
    var cin = below.channels, channels = [], h = below.height, w = below.width;
    for (var ci = 0; ci < cin; ci++) {
      var windowValues = [], kernel = [], products = [], sum = 0;
      for (var u = 0; u < 3; u++) {
        for (var v = 0; v < 3; v++) {
          var y = unit.row + u - 1, x = unit.col + v - 1;
          var value = y >= 0 && y < h && x >= 0 && x < w ? below.values[(y * w + x) * cin + ci] : 0;
          var weight = weights[((unit.channel * 3 + u) * 3 + v) * cin + ci];
          windowValues.push(value);
          kernel.push(weight);
          products.push(value * weight);
          sum += value * weight;
        }
      }
      channels.push({ window: windowValues, kernel: kernel, products: products, sum: sum });
    }
    var at = (unit.row * w + unit.col) * count + unit.channel;
    return { kind: "conv", channels: channels, bias: bias[unit.channel], total: z.values[at], value: out.values[at] };
  }

  /** A 2×2 max-pooling unit: its four candidates, row by row, and the largest. */
  function poolComputation(unit, below, out) {
    var c = below.channels, candidates = [];
    for (var t = 0; t < 4; t++) {
      var y = 2 * unit.row + (t >> 1), x = 2 * unit.col + (t & 1);
      candidates.push(below.values[(y * below.width + x) * c + unit.channel]);
    }
    return { kind: "pool", candidates: candidates, value: out.values[(unit.row * out.width + unit.col) * c + unit.channel] };
  }

  /** A class score: its `top` largest terms (pool2 value × weight, by size), the rest summed, the bias. */
  function classComputation(k, layers, params, top) {
    var flat = layers.pool2.values, n = flat.length, W = params.W3, terms = [];
    for (var i = 0; i < n; i++) terms.push({ index: i, value: W[k * n + i] * flat[i], weight: W[k * n + i], input: flat[i] });
    var largest = terms.slice().sort(function (a, b) { return Math.abs(b.value) - Math.abs(a.value); }).slice(0, top);
    var chosen = {}, rest = 0;
    largest.forEach(function (t) { chosen[t.index] = true; });
    terms.forEach(function (t) { if (!chosen[t.index]) rest += t.value; });
    return {
      kind: "class", klass: k, top: largest, rest: rest, restCount: n - largest.length, bias: params.b3[k],
      total: layers.logits[k], probability: layers.probabilities[k], channels: layers.pool2.channels,
      width: layers.pool2.width
    };
  }

  /** The numbers behind a unit, from the layers of one forward pass with params. */
  function computation(unit, layers, params, topTerms) {
    var L = layers, P = params;
    if (unit.layer === "conv1") return convComputation(unit, L.input, P.W1, P.b1, P.conv1, L.z1, L.conv1);
    if (unit.layer === "conv2") return convComputation(unit, L.pool1, P.W2, P.b2, P.conv2, L.z2, L.conv2);
    if (unit.layer === "pool1") return poolComputation(unit, L.conv1, L.pool1);
    if (unit.layer === "pool2") return poolComputation(unit, L.conv2, L.pool2);
    return classComputation(unit.channel, L, P, topTerms);
  }

  /** {best, runnerUp, unsure}: the predicted class, the next most likely, and whether p[best] < unsureBelow. */
  function verdict(probabilities, unsureBelow) {
    var best = ConvCore.argmax(probabilities), runnerUp = best === 0 ? 1 : 0;
    for (var k = 0; k < probabilities.length; k++) if (k !== best && probabilities[k] > probabilities[runnerUp]) runnerUp = k;
    return { best: best, runnerUp: runnerUp, unsure: probabilities[best] < unsureBelow };
  }

  /** Numbers in increasing order (Array.prototype.sort alone would compare them as text: 10 < 9). */
  function sortedNumbers(list) {
    return list.slice().sort(function (a, b) { return a - b; });
  }

  Object.assign(ConvCore, {
    LAYERS: LAYERS,
    SHRINK: SHRINK,
    receptiveField: receptiveField,
    highlights: highlights,
    computation: computation,
    verdict: verdict,
    sortedNumbers: sortedNumbers
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
