/*
 * A drawing becomes the network's input, the twin of convviz.drawing: strokes (arrays of
 * [x, y] in grid cells) scaled and centred as the data set's digits were, inked with a round
 * pen, counted in blocks and enlarged (the constants, d, come with the network's data file);
 * the network explorer's input from its state; the strokes of several pointers, one each.
 */
(function (ConvCore) {
  "use strict";

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


  // ------------------------------------------------------------ the network explorer's input

  /** Strokes moved by move = [dx, dy] grid cells (new arrays; the strokes given stay as they are). */
  function shiftStrokes(strokes, move) {
    return strokes.map(function (stroke) {
      return stroke.map(function (p) { return [p[0] + move[0], p[1] + move[1]]; });
    });
  }

  /** A side × side uint8 image moved by shift = [dx, dy] cells, zeros where it moved away. */
  function shiftImage(image, side, shift) {
    var out = new Uint8Array(side * side), dx = shift[0], dy = shift[1];
    for (var r = 0; r < side; r++) {
      for (var c = 0; c < side; c++) {
        var sr = r - dy, sc = c - dx;
        if (sr >= 0 && sr < side && sc >= 0 && sc < side) out[r * side + c] = image[sr * side + sc];
      }
    }
    return out;
  }

  /**
   * The network explorer's grid × grid uint8 input for its state {strokes, digit, shift}:
   * a drawing alone is scaled and centred as the training digits were (prepare), unless
   * normalised is false (then inked where it was drawn, as prepare(strokes, d, false)); strokes
   * over a stored test digit (index digit of images, moved by shift; scaled and centred
   * already) are inked where they were drawn, and each pixel keeps the larger value.
   */
  function inputImage(state, images, d, normalised) {
    var n = d.grid, strokes = state.strokes;
    if (state.digit === null || state.digit === undefined) {
      return strokes.length ? prepare(strokes, d, normalised !== false) : new Uint8Array(n * n);
    }
    var digit = shiftImage(images.subarray(state.digit * n * n, (state.digit + 1) * n * n), n, state.shift);
    if (strokes.length) {
      var drawn = prepare(strokes, d, false);
      for (var i = 0; i < digit.length; i++) digit[i] = Math.max(digit[i], drawn[i]);
    }
    return digit;
  }

  // ------------------------------------------------------------ one stroke per pointer

  /**
   * The strokes being drawn, one per pointer (a mouse, a pen, each finger): start(id, stroke)
   * when a pointer goes down, add(id, point) as it moves, end(id) when it lifts or is
   * cancelled. Two fingers at once draw two strokes, never one that jumps between them.
   */
  function PointerStrokes() {
    this.active = new Map();
  }

  PointerStrokes.prototype.start = function (id, stroke) {
    this.active.set(id, stroke);
  };

  /** Add point to the stroke of pointer id; false if that pointer is not drawing. */
  PointerStrokes.prototype.add = function (id, point) {
    var stroke = this.active.get(id);
    if (!stroke) return false;
    stroke.push(point);
    return true;
  };

  /** End the stroke of pointer id; false if that pointer was not drawing. */
  PointerStrokes.prototype.end = function (id) {
    return this.active.delete(id);
  };

  /** True while any pointer draws. */
  PointerStrokes.prototype.drawing = function () {
    return this.active.size > 0;
  };

  PointerStrokes.prototype.clear = function () {
    this.active.clear();
  };

  Object.assign(ConvCore, {
    clipSegment: clipSegment,
    rasterize: rasterize,
    normalise: normalise,
    blockCounts: blockCounts,
    interpolationTaps: interpolationTaps,
    roundToUint8: roundToUint8,
    enlarge: enlarge,
    prepare: prepare,
    shiftStrokes: shiftStrokes,
    shiftImage: shiftImage,
    inputImage: inputImage,
    PointerStrokes: PointerStrokes
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
