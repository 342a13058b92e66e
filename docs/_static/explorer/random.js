/*
 * The training's one random-number generator, the twin of convviz.seeded_random.SeededRandom
 * (xoshiro128** seeded by four SplitMix32 steps), on ConvCore: the same seed gives the same
 * numbers, bit for bit, in Python and in every browser; its normal numbers (Box–Muller, for
 * SmoothGrad's noise) the same up to the last bit of Math.log, Math.cos and Math.sin.
 */
(function (ConvCore) {
  "use strict";

  function rotl(x, k) {
    return ((x << k) | (x >>> (32 - k))) >>> 0;
  }

  /** convviz.seeded_random.SeededRandom: xoshiro128** seeded by four SplitMix32 steps. */
  function SeededRandom(seed) {
    if (typeof seed !== "number" || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new Error("seed must be a whole number from 0 to 2**32 - 1");
    }
    this.state = new Uint32Array(4);
    var s = seed;
    for (var i = 0; i < 4; i++) {
      s = (s + 0x9e3779b9) >>> 0;
      var z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      this.state[i] = z ^ (z >>> 16);
    }
  }

  SeededRandom.prototype.nextUint32 = function () {
    var s = this.state;
    var result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    var t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };

  /** A number in [0, 1): the next output / 2³². */
  SeededRandom.prototype.uniform = function () {
    return this.nextUint32() / 4294967296;
  };

  SeededRandom.prototype.uniforms = function (count) {
    var out = new Float64Array(count);
    for (var i = 0; i < count; i++) out[i] = this.nextUint32() / 4294967296;
    return out;
  };

  /** A whole number in [0, n): floor(output · n / 2³²), n up to 2²¹. */
  SeededRandom.prototype.below = function (n) {
    if (!Number.isInteger(n) || n < 1 || n > 2097152) throw new Error("n must be a whole number from 1 to 2097152");
    return Math.floor((this.nextUint32() * n) / 4294967296);
  };

  /** 0, ..., n - 1 shuffled by Fisher-Yates from the last place down. */
  SeededRandom.prototype.permutation = function (n) {
    var order = new Int32Array(n);
    for (var i = 0; i < n; i++) order[i] = i;
    for (i = n - 1; i > 0; i--) {
      var j = this.below(i + 1), swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
    return order;
  };

  /**
   * count standard normal numbers (Float64Array) by Box–Muller on the next pairs of uniforms (u, v):
   * r · cos(2π v), then r · sin(2π v), r = sqrt(−2 ln(1 − u)) (1 − u > 0 even for u = 0); an odd
   * count drops the last sine. convviz.seeded_random.SeededRandom.normals: the same numbers, up to
   * the last bit of the logarithm, cosine and sine, which engines need not round correctly.
   */
  SeededRandom.prototype.normals = function (count) {
    if (!Number.isInteger(count) || count < 0) throw new Error("count must be a whole number >= 0");
    var out = new Float64Array(count), twoPi = 2 * Math.PI;
    for (var i = 0; i < count; i += 2) {
      var u = this.uniform(), v = this.uniform();
      var radius = Math.sqrt(-2 * Math.log(1 - u)), angle = twoPi * v;
      out[i] = radius * Math.cos(angle);
      if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
    }
    return out;
  };

  Object.assign(ConvCore, {
    SeededRandom: SeededRandom
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
