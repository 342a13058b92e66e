/*
 * What the network looks at: the twins of convviz.attribution and convviz.attribution_methods
 * on ConvCore. Every map explains the logit (score) of one class for a 28×28 input in [0, 1]
 * (a Float64Array of 784, row by row): the gradient, gradient × input, integrated gradients from
 * a black image, Grad-CAM on conv2 and occlusion with the drop of the score.
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

  Object.assign(ConvCore, {
    inputGradient: inputGradient,
    gradientTimesInput: gradientTimesInput,
    integratedGradients: integratedGradients,
    gradCam: gradCam,
    occlusionMap: occlusionMap
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
