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

  /** convviz.augmentation.warp of one size × size image (Float64Array, row by row), into out if given (not image). */
  function warp(image, size, p, out) {
    out = out && out.length === size * size ? out : new Float64Array(size * size);
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

  // embolden's extremes along rows, kept from one call to the next (never returned): in Chromium a
  // new Float64Array for every training digit costs more than the arithmetic.
  var acrossWork = new Float64Array(0);

  /**
   * convviz.augmentation.embolden: mix with the 3×3 maximum (bold > 0) or minimum (bold < 0), the
   * border repeated. The 3×3 extreme is taken along rows, then along columns (the same numbers:
   * a maximum or minimum is exact in any order). Into out if given (it may be image itself).
   */
  function embolden(image, size, bold, out) {
    var n = size * size, weight = Math.abs(bold);
    out = out && out.length === n ? out : new Float64Array(n);
    var across = acrossWork.length === n ? acrossWork : (acrossWork = new Float64Array(n));
    var grow = bold > 0, i, j, a, b, c;
    function pick(x, y) {
      return grow ? (y > x ? y : x) : (y < x ? y : x);
    }
    for (i = 0; i < size; i++) {
      for (j = 0; j < size; j++) {
        a = image[i * size + (j > 0 ? j - 1 : 0)];
        b = image[i * size + j];
        c = image[i * size + (j < size - 1 ? j + 1 : j)];
        across[i * size + j] = pick(pick(b, a), c);
      }
    }
    for (i = 0; i < size; i++) {
      for (j = 0; j < size; j++) {
        a = across[(i > 0 ? i - 1 : 0) * size + j];
        b = across[i * size + j];
        c = across[(i < size - 1 ? i + 1 : i) * size + j];
        var value = image[i * size + j], target = pick(pick(b, a), c);
        out[i * size + j] = value + weight * (target - value);
      }
    }
    return out;
  }

  /** convviz.augmentation.distort of one size × size image with seven uniforms, into out if given (not image). */
  function distort(image, size, u, ranges, out) {
    var p = distortionParameters(u, ranges), warped = warp(image, size, p, out);
    return embolden(warped, size, p.bold, warped);
  }

  Object.assign(ConvCore, {
    distortionParameters: distortionParameters,
    warp: warp,
    embolden: embolden,
    distort: distort
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
