/*
 * The distortions of the training digits, the twin of convviz.augmentation (exact IEEE
 * operations, so the same uniforms give the same pixels, bit for bit), on ConvCore.
 */
(function (ConvCore) {
  "use strict";

  /** convviz.augmentation.parameters for one image: seven uniforms -> the distortion's numbers. */
  function distortionParameters(u, ranges) {
    function spread(i, half) {
      return -half + 2 * half * u[i];
    }
    var t = spread(0, ranges.turn), denominator = 1 + t * t;
    return {
      cos: (1 - t * t) / denominator,
      sin: (2 * t) / denominator,
      slant: spread(1, ranges.slant),
      stretch_x: 1 + spread(2, ranges.stretch),
      stretch_y: 1 + spread(3, ranges.stretch),
      shift_x: spread(4, ranges.shift),
      shift_y: spread(5, ranges.shift),
      bold: spread(6, ranges.bold)
    };
  }

  /** convviz.augmentation.warp of one size × size image (Float64Array, row by row). */
  function warp(image, size, p) {
    var out = new Float64Array(size * size);
    var m00 = p.stretch_x * (p.cos + p.slant * p.sin), m01 = p.stretch_x * (p.slant * p.cos - p.sin);
    var m10 = p.stretch_y * p.sin, m11 = p.stretch_y * p.cos;
    var offsetX = (size / 2 - 0.5) + p.shift_x, offsetY = (size / 2 - 0.5) + p.shift_y;
    function at(r, c) {
      return r < 0 || r >= size || c < 0 || c >= size ? 0 : image[r * size + c];
    }
    for (var i = 0; i < size; i++) {
      var y = i + 0.5 - size / 2;
      for (var j = 0; j < size; j++) {
        var x = j + 0.5 - size / 2;
        var sx = (m00 * x + m01 * y) + offsetX, sy = (m10 * x + m11 * y) + offsetY;
        var left = Math.floor(sx), top = Math.floor(sy), fx = sx - left, fy = sy - top;
        var upper = at(top, left) * (1 - fx) + at(top, left + 1) * fx;
        var lower = at(top + 1, left) * (1 - fx) + at(top + 1, left + 1) * fx;
        out[i * size + j] = upper * (1 - fy) + lower * fy;
      }
    }
    return out;
  }

  /** convviz.augmentation.embolden: mix with the 3×3 maximum (bold > 0) or minimum (bold < 0). */
  function embolden(image, size, bold) {
    var out = new Float64Array(size * size), pick = bold > 0 ? Math.max : Math.min, weight = Math.abs(bold);
    for (var i = 0; i < size; i++) {
      for (var j = 0; j < size; j++) {
        var value = image[i * size + j], target = value;
        for (var dy = -1; dy <= 1; dy++) {
          for (var dx = -1; dx <= 1; dx++) {
            var r = Math.min(Math.max(i + dy, 0), size - 1), c = Math.min(Math.max(j + dx, 0), size - 1);
            target = pick(target, image[r * size + c]);
          }
        }
        out[i * size + j] = value + weight * (target - value);
      }
    }
    return out;
  }

  /** convviz.augmentation.distort of one size × size image with seven uniforms. */
  function distort(image, size, u, ranges) {
    var p = distortionParameters(u, ranges);
    return embolden(warp(image, size, p), size, p.bold);
  }

  Object.assign(ConvCore, {
    distortionParameters: distortionParameters,
    warp: warp,
    embolden: embolden,
    distort: distort
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
