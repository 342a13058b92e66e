// The training's generator (random.js) and distortions (augmentation.js) against
// convviz.seeded_random and convviz.augmentation, bit for bit (the normals to 1e-12: Math.log,
// Math.cos and Math.sin may differ from Python's in the last bit).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { ConvCore, fixture, maxDifference } = require("./load.js");

test("SeededRandom gives Python's numbers for every seed", () => {
  for (const c of fixture("random")) {
    const random = new ConvCore.SeededRandom(c.seed);
    const raw = [];
    for (let i = 0; i < c.raw.length; i++) raw.push(random.nextUint32());
    assert.deepEqual(raw, c.raw, "seed " + c.seed);
    assert.deepEqual(Array.from(random.uniforms(c.uniforms.length)), c.uniforms);
    assert.deepEqual([1, 3, 10, 1438, 2097152].map((n) => random.below(n)), c.below);
    assert.deepEqual(Array.from(random.permutation(c.permutation.length)), c.permutation);
    const normals = random.normals(c.normals.length);
    assert.ok(maxDifference(normals, c.normals) <= 1e-12, "normals of seed " + c.seed);
    assert.equal(random.nextUint32(), c.after_normals); // as many uniforms used as in Python
  }
});

test("normals: Box–Muller, finite for a uniform of 0, refused for a count that is not whole", () => {
  const random = new ConvCore.SeededRandom(3);
  const zeros = [0, 0.375];
  random.uniform = () => zeros.shift(); // u = 0: radius sqrt(-2 ln 1) = 0, not the infinity of ln 0
  assert.deepEqual(Array.from(random.normals(1)), [0]);
  assert.equal(zeros.length, 0); // an odd count uses both uniforms of its pair
  for (const count of [-1, 2.5, "3"]) assert.throws(() => random.normals(count), /count must be/);
  assert.equal(new ConvCore.SeededRandom(3).normals(0).length, 0);
});

test("SeededRandom refuses seeds and ranges Python refuses", () => {
  for (const seed of [-1, 2 ** 32, 1.5, "1", NaN]) assert.throws(() => new ConvCore.SeededRandom(seed), /seed/);
  const random = new ConvCore.SeededRandom(0);
  for (const n of [0, 2097153, 2.5]) assert.throws(() => random.below(n), /n must be/);
});

test("distort gives Python's pixels bit for bit, at rest and at every range's ends", () => {
  const found = fixture("augmentation");
  found.images.forEach((image, n) => {
    const got = ConvCore.distort(Float64Array.from(image), 28, found.uniforms[n], found.ranges);
    assert.deepEqual(Array.from(got), found.distorted[n], "image " + n);
  });
  assert.deepEqual(found.distorted[0], found.images[0]); // uniforms of 0.5: no distortion
});
