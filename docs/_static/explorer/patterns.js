/*
 * The synthetic inputs of the convolution explorer, the twins of convviz.patterns (drawn
 * here rather than shipped as pixels), on ConvCore. One-channel tensors of 0 and 255.
 */
(function (ConvCore) {
  "use strict";

  /** convviz.patterns.shapes_pattern: a white rectangle and a white disc on black, size × size. */
  function shapesPattern(size) {
    var image = ConvCore.tensor(size, size, 1);
    var scale = size / 256;
    var top = ConvCore.roundHalfEven(30 * scale), bottom = ConvCore.roundHalfEven(90 * scale);
    var left = ConvCore.roundHalfEven(30 * scale), right = ConvCore.roundHalfEven(110 * scale);
    var cy = 60 * scale, cx = 190 * scale, r = 40 * scale;
    for (var y = 0; y < size; y++) {
      for (var x = 0; x < size; x++) {
        var inRect = y >= top && y < bottom && x >= left && x < right;
        var inDisc = (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r;
        image.values[y * size + x] = inRect || inDisc ? 255 : 0;
      }
    }
    return image;
  }

  /** convviz.patterns.checkerboard: squares of side square, white in the top-left corner. */
  function checkerboard(size, square) {
    var image = ConvCore.tensor(size, size, 1);
    for (var y = 0; y < size; y++) {
      for (var x = 0; x < size; x++) {
        image.values[y * size + x] = (Math.floor(x / square) + Math.floor(y / square)) % 2 === 0 ? 255 : 0;
      }
    }
    return image;
  }

  Object.assign(ConvCore, {
    shapesPattern: shapesPattern,
    checkerboard: checkerboard
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
