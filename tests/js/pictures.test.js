// The convolution explorer's inputs (patterns.js) and how values become pixels (pixels.js),
// against convviz.patterns, convviz.display and NumPy's interpolation between the figures' stops.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { ConvCore, fixture, bytes } = require("./load.js");

const found = fixture("patterns");
const shown = fixture("pixels");

test("the shapes pattern and the checkerboard equal Python's at every size", () => {
  for (const [size, pixels] of Object.entries(found.shapes)) {
    assert.deepEqual(Array.from(ConvCore.shapesPattern(Number(size)).values), Array.from(bytes(pixels)), "size " + size);
  }
  for (const [size, square, pixels] of found.checkerboards) {
    assert.deepEqual(Array.from(ConvCore.checkerboard(size, square).values), Array.from(bytes(pixels)));
  }
});

test("the three displays equal convviz.display (stretch of |v|, clip_to_uint8, to_uint8)", () => {
  for (const c of shown.display) {
    for (const mode of ["abs", "clip", "minmax"]) {
      const got = ConvCore.displayLevels(Float64Array.from(c.values), mode);
      assert.deepEqual(Array.from(got.levels), c[mode], mode + " of " + c.values.slice(0, 3));
      assert.equal(got.min, Math.min(...c.values));
      assert.equal(got.max, Math.max(...c.values));
    }
  }
});

test("signed values take the figures' colours: the stops exactly, between them within rounding", () => {
  const rgba = ConvCore.signedRgba(Float64Array.from(shown.signed.values), shown.stops);
  const stops = shown.stops;
  assert.deepEqual(Array.from(rgba.subarray(0, 4)), stops[(stops.length - 1) / 2].concat(255)); // 0 is the middle stop
  assert.deepEqual(Array.from(rgba.subarray(4, 8)), stops[stops.length - 1].concat(255)); // +largest
  assert.deepEqual(Array.from(rgba.subarray(8, 12)), stops[0].concat(255)); // -largest
  shown.signed.colours.forEach((colour, i) => {
    for (let c = 0; c < 3; c++) assert.ok(Math.abs(rgba[4 * i + c] - colour[c]) <= 0.5 + 1e-9, "value " + i);
    assert.equal(rgba[4 * i + 3], 255);
  });
});

test("a map's gray levels scale one channel by the largest value", () => {
  const t = ConvCore.tensor(1, 3, 2, Float64Array.from([0, 5, 2, 0, 4, 10]));
  assert.equal(ConvCore.largest(t.values), 10);
  assert.deepEqual(Array.from(ConvCore.scaledLevels(t, 0, 4)), [0, 128, 255]);
  assert.deepEqual(Array.from(ConvCore.scaledLevels(t, 1, 10)), [128, 0, 255]);
  assert.deepEqual(Array.from(ConvCore.scaledLevels(t, 1, 0)), [0, 0, 0]);
  assert.deepEqual(Array.from(ConvCore.grayRgba([7, 200])), [7, 7, 7, 255, 200, 200, 200, 255]);
});
