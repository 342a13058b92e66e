/*
 * What the network looks at: saliency (the input gradient) and occlusion, the twins of
 * convviz.attribution, on ConvCore. More attribution maps belong here, beside these.
 */
(function (ConvCore) {
  "use strict";

  /** d logits[label] / d image for a 28×28 input in [0, 1] (Float64Array of 784). */
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

  /**
   * Occlusion: for each top-left corner (i, j) in steps of stride, the probability of label on the
   * image minus the probability with a size×size square set to value. Returns {rows, cols, values}.
   */
  function occlusionMap(params, image, label, size, stride, value) {
    var side = params.size;
    var base = ConvCore.forward(params, image).probabilities[label];
    var count = Math.floor((side - size) / stride) + 1;
    var values = new Float64Array(count * count);
    var copy = new Float64Array(image.length);
    for (var a = 0; a < count; a++) {
      for (var b = 0; b < count; b++) {
        copy.set(image);
        for (var y = a * stride; y < a * stride + size; y++) copy.fill(value, y * side + b * stride, y * side + b * stride + size);
        values[a * count + b] = base - ConvCore.forward(params, copy).probabilities[label];
      }
    }
    return { rows: count, cols: count, values: values };
  }

  Object.assign(ConvCore, {
    inputGradient: inputGradient,
    occlusionMap: occlusionMap
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
