/*
 * The arithmetic of the network explorer and the convolution explorer: ConvCore.
 *
 * Plain JavaScript, no dependencies, no page: it loads in the page, in a Worker
 * (importScripts("numbers.js", "core.js", ...): a training panel's worker needs no DOM) and
 * under Node (tests/js/), and every number the explorers show is computed here or in
 * the modules beside it, by the same operations as the Python package convviz:
 *   correlate      convviz.correlate2d (cross-correlation, zero padding, stride)
 *   stepDetails    convviz.animation.step_details (one window of it: its products and their sum)
 *   conv2dSame     convviz.layers.conv2d with padding 'same', channels last
 *   maxPool        convviz.layers.maxpool2d (2×2, stride 2)
 *   unpoolMasked, convBackward, addConvWeightGradient   the backward passes of maxpool2d (through
 *                  ReLU) and conv2d (to its input; to its weights and bias)
 *   forward        convviz.tiny_cnn.forward_layers
 * Images are {width, height, channels, values: Float64Array}, channels last.
 * The layers take an optional last argument out: an earlier result of the same size, whose values
 * they overwrite instead of allocating new ones. Training passes them for each of its thousands of
 * digits: in Chromium a new Float64Array of 784 numbers costs about 10 µs, more than a layer's arithmetic.
 *
 * The other modules of ConvCore, each a twin of Python code and tested against it by
 * tests/js/ (node --test) and in the browsers:
 *   numbers.js       the one parser of typed numbers, and number formatting
 *   attribution.js   saliency and occlusion (convviz.attribution)
 *   drawing.js       strokes -> the network's input (convviz.drawing), one stroke per pointer
 *   random.js        the training's generator (convviz.seeded_random)
 *   augmentation.js  the training's distortions (convviz.augmentation)
 *   patterns.js      the synthetic inputs (convviz.patterns)
 *   pixels.js        values -> gray levels and signed colours (convviz.plotting's stops)
 *   checks.js        the explorers' data files decoded and checked
 *   network_units.js what a unit of the network explorer computes and sees
 */
(function (ConvCore) {
  "use strict";

  // ------------------------------------------------------------ sizes and layers

  /** Output size of a convolution: floor((n − f + 2p) / s) + 1. */
  function outputSize(n, f, p, s) {
    return Math.floor((n - f + 2 * p) / s) + 1;
  }

  /** out if it is a tensor of this size (its values to be overwritten), else a new tensor of zeros. */
  function reuse(out, height, width, channels) {
    var fits = out && out.height === height && out.width === width && out.channels === channels;
    return fits ? out : tensor(height, width, channels);
  }

  /** out if it is a Float64Array of this length (to be overwritten), else a new one. */
  function reuseArray(out, length) {
    return out && out.length === length ? out : new Float64Array(length);
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
   * The window of output (row, col) on the image padded with p zeros on every side, its products
   * with the k×k kernel and their sum; the window's top-left corner is at (row·s − p, col·s − p)
   * of the image: the twin of convviz.animation.step_details.
   */
  function stepDetails(image, kernel, p, s, row, col) {
    var k = Math.round(Math.sqrt(kernel.length)), products = [], sum = 0;
    for (var u = 0; u < k; u++) {
      for (var v = 0; v < k; v++) {
        var y = row * s + u - p, x = col * s + v - p;
        var inside = y >= 0 && y < image.height && x >= 0 && x < image.width;
        var product = (inside ? image.values[y * image.width + x] : 0) * kernel[u * k + v];
        products.push(product);
        sum += product;
      }
    }
    return { top: row * s - p, left: col * s - p, products: products, sum: sum };
  }

  // Work arrays, one per length, lent to one call at a time (never kept by it): the padded copies
  // of padOne and the sums of convBackward.
  var workArrays = {};

  function zeroedWorkArray(length) {
    return (workArrays[length] || (workArrays[length] = new Float64Array(length))).fill(0);
  }

  /**
   * The values of an image (channels last) with a border of zeros one pixel wide,
   * (h + 2) × (w + 2) × channels, in a work array: valid until the next call that pads.
   */
  function padOne(image) {
    var w = image.width, c = image.channels, row = w * c, src = image.values;
    var padded = zeroedWorkArray((image.height + 2) * (w + 2) * c);
    for (var r = 0; r < image.height; r++) {
      for (var i = 0, from = r * row, to = ((r + 1) * (w + 2) + 1) * c; i < row; i++) padded[to + i] = src[from + i];
    }
    return padded;
  }

  /** The values of a padded image ((h + 2) × (w + 2) × channels) without the border, into out. */
  function cropOne(padded, out) {
    var w = out.width, c = out.channels, row = w * c, dst = out.values;
    for (var r = 0; r < out.height; r++) {
      for (var i = 0, from = ((r + 1) * (w + 2) + 1) * c, to = r * row; i < row; i++) dst[to + i] = padded[from + i];
    }
    return out;
  }

  /**
   * 'same' 3×3 convolution layer (cross-correlation, zero padding 1, stride 1) before ReLU.
   * weights: Float64Array of shape (out, 3, 3, in), bias: (out,).
   * Each output is bias + the window's products added one at a time in the order of the weights.
   * Four output channels are computed side by side, each in its own sum (the same additions in the
   * same order): the processor overlaps four chains of additions instead of waiting on one.
   */
  function conv2dSame(input, weights, bias, outChannels, out) {
    var h = input.height, w = input.width, cin = input.channels;
    var padded = padOne(input), rowStep = (w + 2) * cin, taps = 3 * cin, size = 9 * cin;
    out = reuse(out, h, w, outChannels);
    var dst = out.values;
    for (var y = 0; y < h; y++) {
      for (var x = 0; x < w; x++) {
        var corner = (y * (w + 2) + x) * cin, to = (y * w + x) * outChannels, co = 0, at, u, t, k;
        for (; co + 4 <= outChannels; co += 4) {
          var s0 = bias[co], s1 = bias[co + 1], s2 = bias[co + 2], s3 = bias[co + 3];
          for (u = 0, k = co * size, at = corner; u < 3; u++, at += rowStep) {
            for (t = 0; t < taps; t++, k++) {
              var value = padded[at + t];
              s0 += value * weights[k];
              s1 += value * weights[k + size];
              s2 += value * weights[k + 2 * size];
              s3 += value * weights[k + 3 * size];
            }
          }
          dst[to + co] = s0;
          dst[to + co + 1] = s1;
          dst[to + co + 2] = s2;
          dst[to + co + 3] = s3;
        }
        for (; co < outChannels; co++) {
          var sum = bias[co];
          for (u = 0, k = co * size, at = corner; u < 3; u++, at += rowStep) {
            for (t = 0; t < taps; t++, k++) sum += padded[at + t] * weights[k];
          }
          dst[to + co] = sum;
        }
      }
    }
    return out;
  }

  function relu(input, out) {
    out = reuse(out, input.height, input.width, input.channels);
    var src = input.values, dst = out.values;
    for (var i = 0; i < src.length; i++) dst[i] = src[i] > 0 ? src[i] : 0;
    return out;
  }

  /** 2×2 max-pooling with stride 2; also the index (0-3, row by row) of each window's first maximum. */
  function maxPool(input, out) {
    var h = outputSize(input.height, 2, 0, 2), w = outputSize(input.width, 2, 0, 2), c = input.channels;
    out = reuse(out, h, w, c);
    var winner = out.winner || new Uint8Array(h * w * c);
    var src = input.values, dst = out.values, row = input.width * c;
    for (var y = 0; y < h; y++) {
      for (var x = 0; x < w; x++) {
        var corner = 2 * y * row + 2 * x * c, at = (y * w + x) * c;
        for (var ch = 0; ch < c; ch++) {
          var best = -Infinity, tap = 0;
          for (var t = 0; t < 4; t++) {
            var value = src[corner + (t >> 1) * row + (t & 1) * c + ch];
            if (value > best) {
              best = value;
              tap = t;
            }
          }
          dst[at + ch] = best;
          winner[at + ch] = tap;
        }
      }
    }
    out.winner = winner;
    return out;
  }

  /** logits = W · flat + b, with W of shape (classes, flat.length). */
  function dense(flat, weights, bias, out) {
    var classes = bias.length, n = flat.length;
    var logits = reuseArray(out, classes);
    for (var k = 0; k < classes; k++) {
      var sum = 0;
      for (var i = 0; i < n; i++) sum += weights[k * n + i] * flat[i];
      logits[k] = sum + bias[k];
    }
    return logits;
  }

  /** Softmax computed stably (the largest logit subtracted first), as convviz.tiny_cnn.softmax. */
  function softmax(logits, out) {
    var top = -Infinity, total = 0, i;
    for (i = 0; i < logits.length; i++) top = Math.max(top, logits[i]);
    out = reuseArray(out, logits.length);
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

  /**
   * Every layer of the exercise-III network for one 28×28 input in [0, 1] (Float64Array of 784).
   * previous: an earlier result of forward, whose arrays this one overwrites (optional).
   */
  function forward(params, image, previous) {
    var was = previous || {};
    var input = tensor(params.size, params.size, 1, image);
    var z1 = conv2dSame(input, params.W1, params.b1, params.conv1, was.z1);
    var conv1 = relu(z1, was.conv1);
    var pool1 = maxPool(conv1, was.pool1);
    var z2 = conv2dSame(pool1, params.W2, params.b2, params.conv2, was.z2);
    var conv2 = relu(z2, was.conv2);
    var pool2 = maxPool(conv2, was.pool2);
    var logits = dense(pool2.values, params.W3, params.b3, was.logits);
    return {
      input: input, z1: z1, conv1: conv1, pool1: pool1, z2: z2, conv2: conv2, pool2: pool2,
      logits: logits, probabilities: softmax(logits, was.probabilities)
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
    var image = new Float64Array(size), layers = null;
    for (var n = 0; n < count; n++) {
      for (var i = 0; i < size; i++) image[i] = images[n * size + i] / 255;
      layers = forward(params, image, layers);
      predictions[n] = argmax(layers.logits);
    }
    return predictions;
  }

  function accuracy(predictions, labels) {
    var right = 0;
    for (var i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) right++;
    return { correct: right, total: labels.length, fraction: right / labels.length };
  }

  // ------------------------------------------------------------ backward passes

  /** Gradient through max-pooling (to each window's winner) and then through ReLU (where z > 0). */
  function unpoolMasked(grad, pooled, z, out) {
    out = reuse(out, z.height, z.width, z.channels);
    var dst = out.values.fill(0), before = z.values, winner = pooled.winner;
    var c = z.channels, row = z.width * c;
    for (var y = 0; y < pooled.height; y++) {
      for (var x = 0; x < pooled.width; x++) {
        var corner = 2 * y * row + 2 * x * c;
        for (var ch = 0; ch < c; ch++) {
          var at = (y * pooled.width + x) * c + ch, tap = winner[at];
          var target = corner + (tap >> 1) * row + (tap & 1) * c + ch;
          if (before[target] > 0) dst[target] += grad[at];
        }
      }
    }
    return out;
  }

  /**
   * Gradient of a 'same' 3×3 convolution with respect to its input. It is gathered on the input with
   * its border of zeros (as conv2dSame pads it), so the inner loop runs over whole rows of taps;
   * what falls on the border is dropped at the end.
   */
  function convBackward(grad, weights, inChannels, outChannels, out) {
    var h = grad.height, w = grad.width, g = grad.values;
    var sums = zeroedWorkArray((h + 2) * (w + 2) * inChannels);
    var rowStep = (w + 2) * inChannels, taps = 3 * inChannels, size = 9 * inChannels;
    for (var y = 0; y < h; y++) {
      for (var x = 0; x < w; x++) {
        var corner = (y * (w + 2) + x) * inChannels;
        for (var co = 0; co < outChannels; co++) {
          var gradient = g[(y * w + x) * outChannels + co];
          if (gradient === 0) continue;
          for (var u = 0, k = co * size, at = corner; u < 3; u++, at += rowStep) {
            for (var t = 0; t < taps; t++, k++) sums[at + t] += gradient * weights[k];
          }
        }
      }
    }
    return cropOne(sums, reuse(out, h, w, inChannels));
  }

  /**
   * Add to dW (out, 3, 3, in) and db (out) the gradient of a 'same' 3×3 convolution's weights and
   * bias, given the gradient at its output (before ReLU) and its input: dW[o, u, v, i] = Σ over
   * positions of grad[y, x, o] · input[y + u − 1, x + v − 1, i] (zero outside the input).
   */
  function addConvWeightGradient(grad, input, dW, db) {
    var h = grad.height, w = grad.width, cout = grad.channels, cin = input.channels, g = grad.values;
    // The input with a border of zeros (as conv2dSame pads it), so the inner loop runs over whole rows of taps.
    var pw = w + 2, padded = padOne(input), rowStep = pw * cin, taps = 3 * cin;
    for (var y = 0; y < h; y++) {
      for (var x = 0; x < w; x++) {
        var corner = (y * pw + x) * cin;
        for (var o = 0; o < cout; o++) {
          var gradient = g[(y * w + x) * cout + o];
          if (gradient === 0) continue;
          db[o] += gradient;
          for (var u = 0, k = o * 9 * cin; u < 3; u++, k += taps) {
            var at = corner + u * rowStep;
            for (var t = 0; t < taps; t++) dW[k + t] += gradient * padded[at + t];
          }
        }
      }
    }
  }

  Object.assign(ConvCore, {
    outputSize: outputSize,
    tensor: tensor,
    correlate: correlate,
    stepDetails: stepDetails,
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
    unpoolMasked: unpoolMasked,
    convBackward: convBackward,
    addConvWeightGradient: addConvWeightGradient
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
