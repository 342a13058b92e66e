// The training's generator (random.js) and distortions (augmentation.js) against
// convviz.seeded_random and convviz.augmentation, bit for bit.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { ConvCore, fixture } = require("./load.js");

test("SeededRandom gives Python's numbers for every seed", () => {
  for (const c of fixture("random")) {
    const random = new ConvCore.SeededRandom(c.seed);
    const raw = [];
    for (let i = 0; i < c.raw.length; i++) raw.push(random.nextUint32());
    assert.deepEqual(raw, c.raw, "seed " + c.seed);
    assert.deepEqual(Array.from(random.uniforms(c.uniforms.length)), c.uniforms);
    assert.deepEqual([1, 3, 10, 1438, 2097152].map((n) => random.below(n)), c.below);
    assert.deepEqual(Array.from(random.permutation(c.permutation.length)), c.permutation);
  }
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
