/*
 * The arithmetic of the course's in-page explorers, and the one page helper both use (whenNear): window.ConvCore.
 *
 * Plain JavaScript, no dependencies. The views (conv_explorer.js,
 * network_explorer.js) draw and listen; every number they show is computed
 * here, by the same operations as the Python package convviz:
 *   correlate      convviz.correlate2d (cross-correlation, zero padding, stride)
 *   conv2dSame     convviz.layers.conv2d with padding 'same', channels last
 *   maxPool        convviz.layers.maxpool2d (2×2, stride 2)
 *   forward        convviz.tiny_cnn.forward_layers
 *   normalise      convviz.drawing.normalise (strokes scaled and centred as the data set's digits)
 *   prepare        convviz.drawing.prepare (strokes -> 28×28 input)
 *   inputGradient, occlusionMap   convviz.attribution
 *   SeededRandom   convviz.seeded_random.SeededRandom (xoshiro128**, the training's one generator)
 *   distort        convviz.augmentation.distort (the training's distortions of a digit)
 * Images are {width, height, channels, values: Float64Array}, channels last.
 */
(function () {
  "use strict";

  // ------------------------------------------------------------ sizes and layers

  /** Output size of a convolution: floor((n − f + 2p) / s) + 1. */
  function outputSize(n, f, p, s) {
    return Math.floor((n - f + 2 * p) / s) + 1;
  }

  function tensor(height, width, channels, values) {
    return {
      height: height,
      width: width,
      channels: channels,
      values: values || new Float64Array(height * width * channels)
    };
  }

  /** Cross-correlation of a one-channel image with a k×k kernel (flat, row by row), zero padding p, stride s. */
  function correlate(image, kernel, p, s) {
    var k = Math.round(Math.sqrt(kernel.length));
    var w = image.width, h = image.height, src = image.values;
    var outW = Math.max(outputSize(w, k, p, s), 0), outH = Math.max(outputSize(h, k, p, s), 0);
    var out = tensor(outH, outW, 1);
    for (var i = 0; i < outH; i++) {
      for (var j = 0; j < outW; j++) {
        var sum = 0;
        for (var u = 0; u < k; u++) {
          var y = i * s + u - p;
          if (y < 0 || y >= h) continue;
          for (var v = 0; v < k; v++) {
            var x = j * s + v - p;
            if (x < 0 || x >= w) continue;
            sum += src[y * w + x] * kernel[u * k + v];
          }
        }
        out.values[i * outW + j] = sum;
      }
    }
    return out;
  }

  /**
   * 'same' 3×3 convolution layer (cross-correlation, zero padding 1, stride 1) before ReLU.
   * weights: Float64Array of shape (out, 3, 3, in), bias: (out,).
   */
  function conv2dSame(input, weights, bias, outChannels) {
    var h = input.height, w = input.width, cin = input.channels, src = input.values;
    // The input with a border of zeros, so the inner loops need no bounds checks.
    var pw = w + 2, padded = new Float64Array((h + 2) * pw * cin);
    for (var r = 0; r < h; r++) padded.set(src.subarray(r * w * cin, (r + 1) * w * cin), ((r + 1) * pw + 1) * cin);
    var out = tensor(h, w, outChannels);
    var dst = out.values, rowStep = pw * cin, taps = 3 * cin;
    for (var y = 0; y < h; y++) {
      for (var x = 0; x < w; x++) {
        var corner = (y * pw + x) * cin;
        for (var co = 0; co < outChannels; co++) {
          var sum = bias[co], k = co * 9 * cin;
          for (var u = 0; u < 3; u++) {
            var at = corner + u * rowStep;
            for (var t = 0; t < taps; t++) sum += padded[at + t] * weights[k + t];
            k += taps;
          }
          dst[(y * w + x) * outChannels + co] = sum;
        }
      }
    }
    return out;
  }

  function relu(input) {
    var out = tensor(input.height, input.width, input.channels);
    for (var i = 0; i < input.values.length; i++) out.values[i] = input.values[i] > 0 ? input.values[i] : 0;
    return out;
  }

  /** 2×2 max-pooling with stride 2; also the index (0-3, row by row) of each window's first maximum. */
  function maxPool(input) {
    var h = outputSize(input.height, 2, 0, 2), w = outputSize(input.width, 2, 0, 2), c = input.channels;
    var out = tensor(h, w, c);
    var winner = new Uint8Array(h * w * c);
    for (var y = 0; y < h; y++) {
      for (var x = 0; x < w; x++) {
        for (var ch = 0; ch < c; ch++) {
          var best = -Infinity, tap = 0;
          for (var t = 0; t < 4; t++) {
            var value = input.values[((2 * y + (t >> 1)) * input.width + 2 * x + (t & 1)) * c + ch];
            if (value > best) {
              best = value;
              tap = t;
            }
          }
          out.values[(y * w + x) * c + ch] = best;
          winner[(y * w + x) * c + ch] = tap;
        }
      }
    }
    out.winner = winner;
    return out;
  }

  /** logits = W · flat + b, with W of shape (classes, flat.length). */
  function dense(flat, weights, bias) {
    var classes = bias.length, n = flat.length;
    var logits = new Float64Array(classes);
    for (var k = 0; k < classes; k++) {
      var sum = 0;
      for (var i = 0; i < n; i++) sum += weights[k * n + i] * flat[i];
      logits[k] = sum + bias[k];
    }
    return logits;
  }

  /** Softmax computed stably (the largest logit subtracted first), as convviz.tiny_cnn.softmax. */
  function softmax(logits) {
    var top = -Infinity, total = 0, i;
    for (i = 0; i < logits.length; i++) top = Math.max(top, logits[i]);
    var out = new Float64Array(logits.length);
    for (i = 0; i < logits.length; i++) {
      out[i] = Math.exp(logits[i] - top);
      total += out[i];
    }
    for (i = 0; i < logits.length; i++) out[i] /= total;
    return out;
  }

  function argmax(values) {
    var best = 0;
    for (var i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
    return best;
  }

  // ------------------------------------------------------------ the tiny CNN

  /** Every layer of the exercise-III network for one 28×28 input in [0, 1] (Float64Array of 784). */
  function forward(params, image) {
    var input = tensor(params.size, params.size, 1, image);
    var z1 = conv2dSame(input, params.W1, params.b1, params.conv1);
    var conv1 = relu(z1);
    var pool1 = maxPool(conv1);
    var z2 = conv2dSame(pool1, params.W2, params.b2, params.conv2);
    var conv2 = relu(z2);
    var pool2 = maxPool(conv2);
    var logits = dense(pool2.values, params.W3, params.b3);
    return {
      input: input, z1: z1, conv1: conv1, pool1: pool1, z2: z2, conv2: conv2, pool2: pool2,
      logits: logits, probabilities: softmax(logits)
    };
  }

  /** The parameters with the listed filters of conv1 and conv2 set to zero (weights and bias). */
  function withFiltersOff(params, off1, off2) {
    var copy = Object.assign({}, params);
    function zero(name, biasName, count, off) {
      var weights = Float64Array.from(params[name]), bias = Float64Array.from(params[biasName]);
      var size = weights.length / count;
      off.forEach(function (filter) {
        weights.fill(0, filter * size, (filter + 1) * size);
        bias[filter] = 0;
      });
      copy[name] = weights;
      copy[biasName] = bias;
    }
    zero("W1", "b1", params.conv1, off1 || []);
    zero("W2", "b2", params.conv2, off2 || []);
    return copy;
  }

  /** Predicted class of every stored test digit (uint8 images, 784 bytes each). */
  function predictAll(params, images) {
    var size = params.size * params.size, count = images.length / size;
    var predictions = new Int32Array(count);
    var image = new Float64Array(size);
    for (var n = 0; n < count; n++) {
      for (var i = 0; i < size; i++) image[i] = images[n * size + i] / 255;
      predictions[n] = argmax(forward(params, image).logits);
    }
    return predictions;
  }

  function accuracy(predictions, labels) {
    var right = 0;
    for (var i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) right++;
    return { correct: right, total: labels.length, fraction: right / labels.length };
  }

  // ------------------------------------------------------------ attribution

  /** d logits[label] / d image for a 28×28 input in [0, 1] (Float64Array of 784). */
  function inputGradient(params, image, label) {
    var layers = forward(params, image);
    var pool2 = layers.pool2, pool1 = layers.pool1;
    var n = pool2.values.length;
    var dPool2 = params.W3.subarray(label * n, (label + 1) * n);
    var dZ2 = unpoolMasked(dPool2, pool2, layers.z2);
    var dPool1 = convBackward(dZ2, params.W2, pool1.channels, params.conv2);
    var dZ1 = unpoolMasked(dPool1.values, pool1, layers.z1);
    return convBackward(dZ1, params.W1, 1, params.conv1).values;
  }

  /** Gradient through max-pooling (to each window's winner) and then through ReLU (where z > 0). */
  function unpoolMasked(grad, pooled, z) {
    var out = tensor(z.height, z.width, z.channels);
    var c = z.channels;
    for (var y = 0; y < pooled.height; y++) {
      for (var x = 0; x < pooled.width; x++) {
        for (var ch = 0; ch < c; ch++) {
          var at = (y * pooled.width + x) * c + ch, tap = pooled.winner[at];
          var target = ((2 * y + (tap >> 1)) * z.width + 2 * x + (tap & 1)) * c + ch;
          if (z.values[target] > 0) out.values[target] += grad[at];
        }
      }
    }
    return out;
  }

  /** Gradient of a 'same' 3×3 convolution with respect to its input. */
  function convBackward(grad, weights, inChannels, outChannels) {
    var h = grad.height, w = grad.width;
    var out = tensor(h, w, inChannels);
    for (var y = 0; y < h; y++) {
      for (var x = 0; x < w; x++) {
        for (var co = 0; co < outChannels; co++) {
          var g = grad.values[(y * w + x) * outChannels + co];
          if (g === 0) continue;
          for (var u = 0; u < 3; u++) {
            var yy = y + u - 1;
            if (yy < 0 || yy >= h) continue;
            for (var v = 0; v < 3; v++) {
              var xx = x + v - 1;
              if (xx < 0 || xx >= w) continue;
              var base = (yy * w + xx) * inChannels, kbase = ((co * 3 + u) * 3 + v) * inChannels;
              for (var ci = 0; ci < inChannels; ci++) out.values[base + ci] += g * weights[kbase + ci];
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Occlusion: for each top-left corner (i, j) in steps of stride, the probability of label on the
   * image minus the probability with a size×size square set to value. Returns {rows, cols, values}.
   */
  function occlusionMap(params, image, label, size, stride, value) {
    var side = params.size;
    var base = forward(params, image).probabilities[label];
    var count = Math.floor((side - size) / stride) + 1;
    var values = new Float64Array(count * count);
    var copy = new Float64Array(image.length);
    for (var a = 0; a < count; a++) {
      for (var b = 0; b < count; b++) {
        copy.set(image);
        for (var y = a * stride; y < a * stride + size; y++) copy.fill(value, y * side + b * stride, y * side + b * stride + size);
        values[a * count + b] = base - forward(params, copy).probabilities[label];
      }
    }
    return { rows: count, cols: count, values: values };
  }

  // ------------------------------------------------------------ drawing (convviz.drawing)

  /** Squared distance from (px, py) to the segment (ax, ay)–(bx, by); the same operations as Python. */
  function segmentDistance2(px, py, ax, ay, bx, by) {
    var dx = bx - ax, dy = by - ay;
    var length2 = dx * dx + dy * dy;
    var t = 0;
    if (length2 > 0) {
      t = ((px - ax) * dx + (py - ay) * dy) / length2;
      t = Math.min(Math.max(t, 0), 1);
    }
    var qx = ax + t * dx, qy = ay + t * dy;
    return (px - qx) * (px - qx) + (py - qy) * (py - qy);
  }

  /** convviz.drawing.clip_segment: the part of a segment inside [low, high]², [ax, ay, bx, by], or null. */
  function clipSegment(ax, ay, bx, by, low, high) {
    var hx = bx / 2 - ax / 2, hy = by / 2 - ay / 2, middle = (low + high) / 2;
    var anchors = [[ax, ay, 0, 2], [ax / 2 + bx / 2, ay / 2 + by / 2, -1, 1], [bx, by, -2, 0]];
    var anchor = null, best = 0;
    anchors.forEach(function (a) {
      var distance = Math.max(Math.abs(a[0] - middle), Math.abs(a[1] - middle));
      if (anchor === null || distance < best) {
        anchor = a;
        best = distance;
      }
    });
    var cx = anchor[0], cy = anchor[1], enter = anchor[2], leave = anchor[3];
    var enterSide = null, leaveSide = null;
    var sides = [[-hx, cx - low, 0, low], [hx, high - cx, 0, high], [-hy, cy - low, 1, low], [hy, high - cy, 1, high]];
    for (var i = 0; i < 4; i++) {
      var p = sides[i][0], q = sides[i][1];
      if (p === 0) {
        if (q < 0) return null;
        continue;
      }
      var ratio = q / p;
      if (p < 0 && ratio > enter) {
        enter = ratio;
        enterSide = sides[i];
      } else if (p > 0 && ratio < leave) {
        leave = ratio;
        leaveSide = sides[i];
      }
    }
    if (enter > leave) return null;
    function point(u, side, unclipped) {
      if (side === null) return unclipped;
      var found = [Math.min(Math.max(cx + u * hx, low), high), Math.min(Math.max(cy + u * hy, low), high)];
      found[side[2]] = side[3];
      return found;
    }
    return point(enter, enterSide, [ax, ay]).concat(point(leave, leaveSide, [bx, by]));
  }

  /** Strokes (arrays of [x, y] in grid coordinates) -> bitmap (Uint8Array, 1 = inked) of d.bitmap². */
  function rasterize(strokes, d) {
    var n = d.bitmap, cell = d.grid / d.bitmap, radius = d.pen_width / 2, radius2 = radius * radius;
    var margin = radius + 1, low = -margin, high = d.grid + margin;
    var bitmap = new Uint8Array(n * n);
    var centres = new Float64Array(n);
    for (var i = 0; i < n; i++) centres[i] = (i + 0.5) * cell;
    strokes.forEach(function (stroke) {
      var count = stroke.length;
      for (var s = count === 1 ? 0 : 1; s < count; s++) {
        var start = stroke[count === 1 ? 0 : s - 1], end = stroke[s];
        var seg = clipSegment(start[0], start[1], end[0], end[1], low, high);
        if (seg === null) continue;
        var ax = seg[0], ay = seg[1], bx = seg[2], by = seg[3];
        // Only pixels near the segment can be inked: a box one pixel wider than the pen around it.
        var top = Math.min(ay, by) - radius - cell, bottom = Math.max(ay, by) + radius + cell;
        var left = Math.min(ax, bx) - radius - cell, right = Math.max(ax, bx) + radius + cell;
        for (var r = 0; r < n; r++) {
          if (centres[r] < top || centres[r] > bottom) continue;
          for (var c = 0; c < n; c++) {
            if (centres[c] < left || centres[c] > right || bitmap[r * n + c]) continue;
            if (segmentDistance2(centres[c], centres[r], ax, ay, bx, by) <= radius2) bitmap[r * n + c] = 1;
          }
        }
      }
    });
    return bitmap;
  }

  /** convviz.drawing._axis_scale: enlarge 2·half to 2·targetHalf, at most d.max_scale times. */
  function axisScale(targetHalf, half, d) {
    if (half * d.max_scale <= targetHalf) return d.max_scale;
    return targetHalf / half;
  }

  /** convviz.drawing.normalise: the strokes scaled and centred as the data set's digits were. */
  function normalise(strokes, d) {
    if (!strokes.length) return [];
    var low = [Infinity, Infinity], high = [-Infinity, -Infinity];
    strokes.forEach(function (stroke) {
      stroke.forEach(function (p) {
        for (var a = 0; a < 2; a++) {
          low[a] = Math.min(low[a], p[a]);
          high[a] = Math.max(high[a], p[a]);
        }
      });
    });
    var middle = [low[0] / 2 + high[0] / 2, low[1] / 2 + high[1] / 2];
    var half = [high[0] / 2 - low[0] / 2, high[1] / 2 - low[1] / 2];
    var targetX = Math.max(d.ink_width - d.pen_width, 0) / 2, targetY = Math.max(d.ink_height - d.pen_width, 0) / 2;
    var scaleY = axisScale(targetY, half[1], d);
    var scaleX = Math.min(axisScale(targetX, half[0], d), scaleY);
    scaleY = Math.min(scaleY, d.max_stretch * scaleX);
    var factors = [2 * scaleX, 2 * scaleY];
    return strokes.map(function (stroke) {
      return stroke.map(function (p) {
        return [d.centre + (p[0] / 2 - middle[0] / 2) * factors[0], d.centre + (p[1] / 2 - middle[1] / 2) * factors[1]];
      });
    });
  }

  /** Bitmap -> counts of inked pixels per block (d.block × d.block), row by row. */
  function blockCounts(bitmap, d) {
    var small = d.bitmap / d.block, counts = new Float64Array(small * small);
    for (var r = 0; r < d.bitmap; r++) {
      for (var c = 0; c < d.bitmap; c++) {
        counts[Math.floor(r / d.block) * small + Math.floor(c / d.block)] += bitmap[r * d.bitmap + c];
      }
    }
    return counts;
  }

  /** convviz.drawing.interpolation_taps: lower and upper source index and the upper's weight. */
  function interpolationTaps(sizeIn, sizeOut) {
    var lower = new Int32Array(sizeOut), upper = new Int32Array(sizeOut), weight = new Float64Array(sizeOut);
    for (var i = 0; i < sizeOut; i++) {
      var position = (i + 0.5) * (sizeIn / sizeOut) - 0.5;
      position = Math.min(Math.max(position, 0), sizeIn - 1);
      lower[i] = Math.floor(position);
      upper[i] = Math.min(lower[i] + 1, sizeIn - 1);
      weight[i] = position - lower[i];
    }
    return { lower: lower, upper: upper, weight: weight };
  }

  function roundToUint8(value) {
    return Math.min(Math.max(Math.floor(value + 0.5), 0), 255);
  }

  /** Block counts (small × small) -> grid × grid uint8 image, bilinear: rows first, then columns. */
  function enlarge(counts, d) {
    var small = d.bitmap / d.block, n = d.grid, taps = interpolationTaps(small, n);
    var across = new Float64Array(small * n), out = new Uint8Array(n * n), r, c;
    for (r = 0; r < small; r++) {
      for (c = 0; c < n; c++) {
        var w = taps.weight[c];
        across[r * n + c] =
          counts[r * small + taps.lower[c]] * d.gray_per_count * (1 - w) +
          counts[r * small + taps.upper[c]] * d.gray_per_count * w;
      }
    }
    for (r = 0; r < n; r++) {
      var wr = taps.weight[r];
      for (c = 0; c < n; c++) {
        out[r * n + c] = roundToUint8(across[taps.lower[r] * n + c] * (1 - wr) + across[taps.upper[r] * n + c] * wr);
      }
    }
    return out;
  }

  /** Strokes -> the grid × grid uint8 image the network sees (convviz.drawing.prepare); with
   *  normalised === false the strokes are inked where they were drawn. */
  function prepare(strokes, d, normalised) {
    var placed = normalised === false ? strokes : normalise(strokes, d);
    return enlarge(blockCounts(rasterize(placed, d), d), d);
  }

  // ------------------------------------------------------------ training randomness

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

  // ------------------------------------------------------------ augmentation (convviz.augmentation)

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

  // ------------------------------------------------------------ data and numbers

  function decodeBytes(text) {
    var raw = atob(text);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  /** {shape, data: base64 of little-endian float64} -> Float64Array, checked against the shape. */
  function decodeFloat64(entry) {
    var bytes = decodeBytes(entry.data);
    var expected = entry.shape.reduce(function (a, b) { return a * b; }, 1);
    if (bytes.length !== expected * 8) throw new Error("expected " + expected + " numbers");
    var view = new DataView(bytes.buffer), out = new Float64Array(expected);
    for (var i = 0; i < expected; i++) {
      out[i] = view.getFloat64(8 * i, true);
      if (!isFinite(out[i])) throw new Error("a weight is not a finite number");
    }
    return out;
  }

  /** The longest text a number field accepts; longer text is refused before any other work. */
  var MAX_FIELD_LENGTH = 32;
  var NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
  var FRACTION = /^[-+]?\d+\s*\/\s*\d+$/;

  /** Read a typed number: a finite number within ±limit, or {error}. Work is bounded by MAX_FIELD_LENGTH. */
  function parseNumber(text, limit) {
    text = String(text);
    if (text.length > MAX_FIELD_LENGTH) return { error: "too long (at most " + MAX_FIELD_LENGTH + " characters)" };
    var trimmed = text.trim();
    if (trimmed === "") return { error: "enter a number" };
    var value;
    if (NUMBER.test(trimmed)) value = Number(trimmed);
    else if (FRACTION.test(trimmed)) {
      var parts = trimmed.split("/");
      value = Number(parts[0]) / Number(parts[1]);
    } else return { error: "not a number" };
    if (!isFinite(value)) return { error: "not a finite number" };
    if (Math.abs(value) > limit) return { error: "use a value between −" + limit + " and " + limit };
    return { value: value };
  }

  /** A number for people: whole numbers as they are, others to `digits` decimals (default 3). */
  function formatNumber(v, digits) {
    if (Object.is(v, -0)) v = 0;
    if (Number.isInteger(v)) return String(v);
    var scale = Math.pow(10, digits === undefined ? 3 : digits);
    var rounded = Math.round(v * scale) / scale;
    return String(Object.is(rounded, -0) ? 0 : rounded);
  }

  // Page behaviour both explorers share: call build() once, when the first element
  // matching selector comes within 800 px of the screen (at once without
  // IntersectionObserver or without such an element), after the page is parsed.
  function whenNear(selector, build) {
    function watch() {
      var roots = document.querySelectorAll(selector);
      if (!roots.length || !("IntersectionObserver" in window)) return build();
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          build();
        }
      }, { rootMargin: "800px 0px" });
      for (var i = 0; i < roots.length; i++) observer.observe(roots[i]);
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
    else watch();
  }

  window.ConvCore = {
    whenNear: whenNear,
    outputSize: outputSize,
    tensor: tensor,
    correlate: correlate,
    conv2dSame: conv2dSame,
    relu: relu,
    maxPool: maxPool,
    dense: dense,
    softmax: softmax,
    argmax: argmax,
    forward: forward,
    withFiltersOff: withFiltersOff,
    predictAll: predictAll,
    accuracy: accuracy,
    inputGradient: inputGradient,
    occlusionMap: occlusionMap,
    rasterize: rasterize,
    blockCounts: blockCounts,
    enlarge: enlarge,
    prepare: prepare,
    normalise: normalise,
    clipSegment: clipSegment,
    SeededRandom: SeededRandom,
    distortionParameters: distortionParameters,
    distort: distort,
    decodeBytes: decodeBytes,
    decodeFloat64: decodeFloat64,
    parseNumber: parseNumber,
    formatNumber: formatNumber,
    MAX_FIELD_LENGTH: MAX_FIELD_LENGTH
  };
})();
