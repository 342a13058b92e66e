// Strokes -> the network's input (drawing.js) against convviz.drawing, bit for bit, and one
// stroke per pointer (issue 23 S1).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { ConvCore, fixture, bytes } = require("./load.js");

const found = fixture("drawing");
const d = found.drawing;

test("normalise and prepare (scaled and as drawn) equal Python for odd, random and drawn strokes", () => {
  assert.ok(found.cases.length >= 50);
  for (const c of found.cases) {
    assert.deepEqual(ConvCore.normalise(c.strokes, d), c.normalised, c.name);
    assert.deepEqual(Array.from(ConvCore.prepare(c.strokes, d)), c.scaled, c.name);
    assert.deepEqual(Array.from(ConvCore.prepare(c.strokes, d, false)), c.drawn, c.name);
  }
});

test("clipping far segments equals Python", () => {
  for (const s of found.segments) {
    const [ax, ay, bx, by] = s.ends;
    assert.deepEqual(ConvCore.clipSegment(ax, ay, bx, by, -3.25, 31.25), s.clipped, JSON.stringify(s.ends));
  }
});

test("the network explorer's input: a test digit moved, strokes inked over it where drawn", () => {
  const images = bytes(found.images);
  for (const c of found.inputs) {
    const state = { strokes: c.strokes, digit: c.digit, shift: c.shift, example: null };
    assert.deepEqual(Array.from(ConvCore.inputImage(state, images, d)), c.image, JSON.stringify(c.shift));
  }
  const empty = ConvCore.inputImage({ strokes: [], digit: null, shift: [0, 0] }, images, d);
  assert.equal(empty.length, d.grid * d.grid);
  assert.ok(empty.every((v) => v === 0));
  const drawn = found.cases[0];
  const alone = ConvCore.inputImage({ strokes: drawn.strokes, digit: null, shift: [0, 0] }, images, d);
  assert.deepEqual(Array.from(alone), drawn.scaled);
});

test("shiftStrokes moves every point and leaves the strokes given as they were", () => {
  const strokes = [[[1, 2], [3, 4]], [[5, 6]]];
  const moved = ConvCore.shiftStrokes(strokes, [1, -1]);
  assert.deepEqual(moved, [[[2, 1], [4, 3]], [[6, 5]]]);
  assert.deepEqual(strokes, [[[1, 2], [3, 4]], [[5, 6]]]);
});

test("issue 23 S1: two fingers at once draw two strokes, each its own points", () => {
  const pointers = new ConvCore.PointerStrokes();
  const strokes = [];
  function down(id, point) {
    const stroke = [point];
    strokes.push(stroke);
    pointers.start(id, stroke);
  }
  down(7, [2, 2]);
  down(9, [20, 20]);
  for (let i = 1; i <= 5; i++) {
    assert.ok(pointers.add(7, [2 + i, 2]));
    assert.ok(pointers.add(9, [20, 20 + i]));
  }
  assert.equal(pointers.add(3, [0, 0]), false); // a pointer that never went down draws nothing
  assert.ok(pointers.end(7));
  assert.ok(pointers.drawing());
  assert.equal(pointers.add(7, [9, 9]), false); // lifted: its moves draw nothing
  assert.ok(pointers.add(9, [21, 26]));
  assert.ok(pointers.end(9));
  assert.equal(pointers.drawing(), false);
  assert.equal(pointers.end(9), false);
  assert.deepEqual(strokes, [
    [[2, 2], [3, 2], [4, 2], [5, 2], [6, 2], [7, 2]],
    [[20, 20], [20, 21], [20, 22], [20, 23], [20, 24], [20, 25], [21, 26]],
  ]);
  // Each stroke stays where its finger was: no segment joins the two.
  for (const stroke of strokes) {
    const xs = stroke.map((p) => p[0]);
    assert.ok(Math.max(...xs) - Math.min(...xs) < 10);
  }
});
