/*
 * Values -> pixels, on ConvCore: the gray levels of feature maps and the signed colours of
 * attribution maps, as RGBA bytes the views put on a canvas. No page needed.
 *
 *   displayLevels  the convolution explorer's three displays, the twins of convviz.display:
 *                  "abs" stretch(|v|, 100), "clip" clip_to_uint8, "minmax" to_uint8
 *   scaledLevels   one channel of a tensor, 0..top -> 0..255 (the network's maps)
 *   signedRgba     signed values on the figures' diverging stops (convviz.plotting.SIGNED_STOPS),
 *                  −largest |value| .. +largest |value|, linear between evenly spaced stops
 *   outlineSegments the outline of a digit: where its ink crosses half its largest value
 */
(function (ConvCore) {
  "use strict";

  /** Gray levels (Uint8ClampedArray) of values for one display mode; also their min and max. */
  function displayLevels(values, mode) {
    var levels = new Uint8ClampedArray(values.length);
    var lo = Infinity, hi = -Infinity, big = 0, i;
    for (i = 0; i < values.length; i++) {
      lo = Math.min(lo, values[i]);
      hi = Math.max(hi, values[i]);
      big = Math.max(big, Math.abs(values[i]));
    }
    for (i = 0; i < values.length; i++) {
      var v = values[i];
      if (mode === "clip") levels[i] = Math.trunc(Math.min(Math.max(v, 0), 255));
      else if (mode === "minmax") levels[i] = hi > lo ? ConvCore.roundHalfEven(((v - lo) / (hi - lo)) * 255) : 0;
      else levels[i] = big > 0 ? ConvCore.roundHalfEven((Math.abs(v) / big) * 255) : 0;
    }
    return { levels: levels, min: lo, max: hi };
  }

  /** The largest value of a tensor's values, or 0 if none is positive. */
  function largest(values) {
    var top = 0;
    for (var i = 0; i < values.length; i++) if (values[i] > top) top = values[i];
    return top;
  }

  /** Gray levels of channel ch of a tensor: value / top · 255, rounded (0 where top is 0). */
  function scaledLevels(t, ch, top) {
    var count = t.values.length / t.channels, levels = new Uint8ClampedArray(count);
    for (var i = 0; i < count; i++) levels[i] = top > 0 ? Math.round((t.values[i * t.channels + ch] / top) * 255) : 0;
    return levels;
  }

  /** Gray levels -> RGBA bytes (opaque). */
  function grayRgba(levels) {
    var rgba = new Uint8ClampedArray(4 * levels.length);
    for (var i = 0; i < levels.length; i++) {
      rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = levels[i];
      rgba[4 * i + 3] = 255;
    }
    return rgba;
  }

  /** Signed values -> RGBA bytes on stops ([[r, g, b], ...], most negative first, evenly spaced). */
  function signedRgba(values, stops) {
    var rgba = new Uint8ClampedArray(4 * values.length), big = 0, i;
    for (i = 0; i < values.length; i++) big = Math.max(big, Math.abs(values[i]));
    for (i = 0; i < values.length; i++) {
      var at = (((big > 0 ? values[i] / big : 0) + 1) / 2) * (stops.length - 1);
      var k = Math.min(Math.floor(at), stops.length - 2), f = at - k;
      for (var c = 0; c < 3; c++) rgba[4 * i + c] = Math.round(stops[k][c] + f * (stops[k + 1][c] - stops[k][c]));
      rgba[4 * i + 3] = 255;
    }
    return rgba;
  }

  /**
   * The outline of an n×n image (a digit, 0–255): every pixel edge with a pixel at or above half
   * the largest value on one side and a pixel below it (or the frame) on the other, as segments
   * [x0, y0, x1, y1] in pixel-edge units (0..n, x across). An empty image has no outline.
   */
  function outlineSegments(image, n) {
    var top = 0, i;
    for (i = 0; i < n * n; i++) top = Math.max(top, image[i]);
    if (!(top > 0)) return [];
    function inked(r, c) {
      return r >= 0 && r < n && c >= 0 && c < n && image[r * n + c] >= top / 2;
    }
    var segments = [];
    for (var r = 0; r <= n; r++) {
      for (var c = 0; c <= n; c++) {
        if (r < n && inked(r, c - 1) !== inked(r, c)) segments.push([c, r, c, r + 1]); // between columns c-1 and c
        if (c < n && inked(r - 1, c) !== inked(r, c)) segments.push([c, r, c + 1, r]); // between rows r-1 and r
      }
    }
    return segments;
  }

  Object.assign(ConvCore, {
    outlineSegments: outlineSegments,
    displayLevels: displayLevels,
    largest: largest,
    scaledLevels: scaledLevels,
    grayRgba: grayRgba,
    signedRgba: signedRgba
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
