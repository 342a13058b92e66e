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
 *   unpoolMasked, convBackward   the backward passes of maxpool2d (through ReLU) and conv2d
 *   forward        convviz.tiny_cnn.forward_layers
 * Images are {width, height, channels, values: Float64Array}, channels last.
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

  // ------------------------------------------------------------ backward passes

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
    convBackward: convBackward
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
