/*
 * What the network looks at: the twins of convviz.attribution and convviz.attribution_methods
 * on ConvCore. Every map explains the logit (score) of one class for a 28×28 input in [0, 1]
 * (a Float64Array of 784, row by row): the gradient, gradient × input, SmoothGrad, integrated
 * gradients from a black image, Grad-CAM on conv2 and occlusion with the drop of the score.
 */
(function (ConvCore) {
  "use strict";

  /** d logits[label] / d image for a 28×28 input (Float64Array of 784). */
  function inputGradient(params, image, label) {
    var layers = ConvCore.forward(params, image);
    var pool2 = layers.pool2, pool1 = layers.pool1;
    var n = pool2.values.length;
    var dPool2 = params.W3.subarray(label * n, (label + 1) * n);
    var dZ2 = ConvCore.unpoolMasked(dPool2, pool2, layers.z2);
    var dPool1 = ConvCore.convBackward(dZ2, params.W2, pool1.channels, params.conv2);
    var dZ1 = ConvCore.unpoolMasked(dPool1.values, pool1, layers.z1);
    return ConvCore.convBackward(dZ1, params.W1, 1, params.conv1).values;
  }

  /** The gradient times the image, pixel by pixel (0 wherever the image is 0). */
  function gradientTimesInput(params, image, label) {
    var gradient = inputGradient(params, image, label);
    for (var i = 0; i < gradient.length; i++) gradient[i] *= image[i];
    return gradient;
  }

  /**
   * Integrated gradients from a black image: image times the mean gradient at the midpoints
   * (k + 1/2) / steps · image, k = 0 … steps − 1 (convviz.attribution_methods.integrated_gradients
   * with baseline 0).
   */
  function integratedGradients(params, image, label, steps) {
    var total = new Float64Array(image.length), point = new Float64Array(image.length), i;
    for (var k = 0; k < steps; k++) {
      var alpha = (k + 0.5) / steps;
      for (i = 0; i < image.length; i++) point[i] = 0 + alpha * (image[i] - 0);
      var gradient = inputGradient(params, point, label);
      for (i = 0; i < image.length; i++) total[i] += gradient[i];
    }
    for (i = 0; i < image.length; i++) total[i] = image[i] * (total[i] / steps);
    return total;
  }

  /**
   * SmoothGrad: the mean gradient over samples noisy copies image + noise · z, z the standard
   * normals of new SeededRandom(seed).normals(samples · 784), copy after copy (signed;
   * convviz.attribution_methods.smoothgrad, the copies not clipped to [0, 1]).
   */
  function smoothGrad(params, image, label, samples, noise, seed) {
    var n = image.length, normals = new ConvCore.SeededRandom(seed).normals(samples * n);
    var total = new Float64Array(n), point = new Float64Array(n), i;
    for (var s = 0; s < samples; s++) {
      for (i = 0; i < n; i++) point[i] = image[i] + noise * normals[s * n + i];
      var gradient = inputGradient(params, point, label);
      for (i = 0; i < n; i++) total[i] += gradient[i];
    }
    for (i = 0; i < n; i++) total[i] /= samples;
    return total;
  }

  /**
   * Grad-CAM on conv2 after ReLU: ReLU(Σ_k α_k A_k), α_k the mean over the 14×14 map of
   * d logit / d A_k (each pooling window's gradient to its first maximum). Returns 14×14 values.
   */
  function gradCam(params, image, label) {
    var layers = ConvCore.forward(params, image);
    var conv2 = layers.conv2, pool2 = layers.pool2, c = conv2.channels;
    var n = pool2.values.length, cells = conv2.height * conv2.width;
    var everywhere = ConvCore.tensor(conv2.height, conv2.width, c);
    everywhere.values.fill(1);
    var gradient = ConvCore.unpoolMasked(params.W3.subarray(label * n, (label + 1) * n), pool2, everywhere);
    var weights = new Float64Array(c), cell, k;
    for (k = 0; k < c; k++) {
      var sum = 0;
      for (cell = 0; cell < cells; cell++) sum += gradient.values[cell * c + k];
      weights[k] = sum / cells;
    }
    var out = new Float64Array(cells);
    for (cell = 0; cell < cells; cell++) {
      var value = 0;
      for (k = 0; k < c; k++) value += conv2.values[cell * c + k] * weights[k];
      out[cell] = value > 0 ? value : 0;
    }
    return out;
  }

  /**
   * Occlusion: for each top-left corner (i, j) in steps of stride, the score (logit) of label on
   * the image minus its score with a size×size square set to value. Returns {rows, cols, values}.
   */
  function occlusionMap(params, image, label, size, stride, value) {
    var side = params.size;
    var base = ConvCore.forward(params, image).logits[label];
    var count = Math.floor((side - size) / stride) + 1;
    var values = new Float64Array(count * count);
    var copy = new Float64Array(image.length);
    for (var a = 0; a < count; a++) {
      for (var b = 0; b < count; b++) {
        copy.set(image);
        for (var y = a * stride; y < a * stride + size; y++) copy.fill(value, y * side + b * stride, y * side + b * stride + size);
        values[a * count + b] = base - ConvCore.forward(params, copy).logits[label];
      }
    }
    return { rows: count, cols: count, values: values };
  }

  // ------------------------------------------------------------ the sanity check

  /** The network's initial weights from the data file's initial_params, shaped as params (or DataError). */
  function initialParams(raw, params) {
    if (!raw || typeof raw !== "object") throw new ConvCore.DataError("initial_params is missing");
    var initial = Object.assign({}, params);
    ["W1", "b1", "W2", "b2", "W3", "b3"].forEach(function (name) {
      var values = ConvCore.decodeFloat64(raw[name], "initial_params." + name);
      if (values.length !== params[name].length) {
        throw new ConvCore.DataError("initial_params." + name + " holds " + values.length + " numbers; the network has " +
          params[name].length);
      }
      initial[name] = values;
    });
    return initial;
  }

  /** The layers of convviz.tiny_cnn.PARAMETER_LAYERS with their weights and biases. */
  var LAYER_PARAMETERS = { conv1: ["W1", "b1"], conv2: ["W2", "b2"], dense: ["W3", "b3"] };

  /** params with the weights and biases of the named layers set back to initial's (a copy). */
  function randomisedParams(params, initial, layers) {
    var copy = Object.assign({}, params);
    layers.forEach(function (layer) {
      LAYER_PARAMETERS[layer].forEach(function (name) { copy[name] = initial[name]; });
    });
    return copy;
  }

  /** Ranks 0 … n−1, tied values sharing the mean of their ranks (convviz.attribution_checks.average_ranks). */
  function averageRanks(values) {
    var order = Array.from(values.keys()).sort(function (a, b) { return values[a] - values[b] || a - b; });
    var ranks = new Float64Array(values.length);
    for (var start = 0; start < order.length;) {
      var end = start;
      while (end + 1 < order.length && values[order[end + 1]] === values[order[start]]) end++;
      for (var k = start; k <= end; k++) ranks[order[k]] = start + (end - start) / 2;
      start = end + 1;
    }
    return ranks;
  }

  /** Spearman's rank correlation of two maps of one length (NaN if either is constant). */
  function rankCorrelation(a, b) {
    var ra = averageRanks(a), rb = averageRanks(b), n = ra.length, ma = 0, mb = 0, i;
    for (i = 0; i < n; i++) {
      ma += ra[i] / n;
      mb += rb[i] / n;
    }
    var sab = 0, saa = 0, sbb = 0;
    for (i = 0; i < n; i++) {
      sab += (ra[i] - ma) * (rb[i] - mb);
      saa += (ra[i] - ma) * (ra[i] - ma);
      sbb += (rb[i] - mb) * (rb[i] - mb);
    }
    var scale = Math.sqrt(saa * sbb);
    return scale > 0 ? sab / scale : NaN;
  }

  // ------------------------------------------------------------ fooling (convviz.fooling)

  /** A change of the small × small block counts as the change of the grid × grid gray values (not rounded). */
  function enlargedChange(delta, d) {
    var small = d.bitmap / d.block, n = d.grid, taps = ConvCore.interpolationTaps(small, n);
    var across = new Float64Array(small * n), out = new Float64Array(n * n), r, c;
    for (r = 0; r < small; r++) {
      for (c = 0; c < n; c++) {
        var w = taps.weight[c];
        across[r * n + c] = delta[r * small + taps.lower[c]] * d.gray_per_count * (1 - w) +
          delta[r * small + taps.upper[c]] * d.gray_per_count * w;
      }
    }
    for (r = 0; r < n; r++) {
      var wr = taps.weight[r];
      for (c = 0; c < n; c++) out[r * n + c] = across[taps.lower[r] * n + c] * (1 - wr) + across[taps.upper[r] * n + c] * wr;
    }
    return out;
  }

  /** d f / d block count from d f / d pixel (pixels on the 0-1 scale). */
  function blockGradient(gradient, d) {
    var small = d.bitmap / d.block, n = d.grid, taps = ConvCore.interpolationTaps(small, n);
    var out = new Float64Array(small * small);
    for (var r = 0; r < n; r++) {
      for (var c = 0; c < n; c++) {
        var g = gradient[r * n + c], wr = taps.weight[r], wc = taps.weight[c];
        out[taps.lower[r] * small + taps.lower[c]] += g * (1 - wr) * (1 - wc);
        out[taps.lower[r] * small + taps.upper[c]] += g * (1 - wr) * wc;
        out[taps.upper[r] * small + taps.lower[c]] += g * wr * (1 - wc);
        out[taps.upper[r] * small + taps.upper[c]] += g * wr * wc;
      }
    }
    for (var i = 0; i < out.length; i++) out[i] *= d.gray_per_count / 255;
    return out;
  }

  /**
   * convviz.fooling.fool_towards: grow a change of whole counts in the blocks, one count per step in the
   * direction of the sign of d (score[target] − best other score) / d block, until the network reads
   * target (or maxSteps). image: the grid × grid input as 0-255. Returns {reached, steps, delta,
   * image (Uint8Array), probabilities}.
   */
  function foolTowards(params, image, target, d, maxSteps) {
    var small = d.bitmap / d.block, delta = new Float64Array(small * small), steps = 0, n = image.length;
    var changed = new Uint8Array(n), x = new Float64Array(n), layers, i;
    for (;;) {
      var added = enlargedChange(delta, d);
      for (i = 0; i < n; i++) {
        changed[i] = ConvCore.roundToUint8(image[i] + added[i]);
        x[i] = changed[i] / 255;
      }
      layers = ConvCore.forward(params, x);
      if (ConvCore.argmax(layers.logits) === target || steps === maxSteps) break;
      var others = Float64Array.from(layers.logits);
      others[target] = -Infinity;
      var rival = ConvCore.argmax(others);
      var towards = inputGradient(params, x, target), away = inputGradient(params, x, rival);
      for (i = 0; i < n; i++) towards[i] -= away[i];
      var g = blockGradient(towards, d);
      for (i = 0; i < delta.length; i++) delta[i] = Math.min(16, Math.max(-16, delta[i] + Math.sign(g[i])));
      steps++;
    }
    return {
      reached: ConvCore.argmax(layers.logits) === target, steps: steps, delta: delta, image: changed,
      probabilities: layers.probabilities
    };
  }

  Object.assign(ConvCore, {
    initialParams: initialParams,
    randomisedParams: randomisedParams,
    averageRanks: averageRanks,
    rankCorrelation: rankCorrelation,
    enlargedChange: enlargedChange,
    blockGradient: blockGradient,
    foolTowards: foolTowards,
    inputGradient: inputGradient,
    gradientTimesInput: gradientTimesInput,
    integratedGradients: integratedGradients,
    smoothGrad: smoothGrad,
    gradCam: gradCam,
    occlusionMap: occlusionMap
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
