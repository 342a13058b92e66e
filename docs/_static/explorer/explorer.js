/*
 * Convolution explorer of course module 9.2.2.
 *
 * Plain JavaScript, no dependencies, no network: it builds its controls inside
 * every element with the attribute data-conv-explorer. The inputs come from
 * window.CONV_EXPLORER_DATA (written at build time by convviz/explorer_data.py)
 * and from two patterns drawn here, the same ones convviz/patterns.py draws.
 *
 * What it computes is a cross-correlation, like convviz.correlate2d:
 *   out[i][j] = sum over u, v of padded[i*stride + u][j*stride + v] * kernel[u][v]
 * with zero padding. window.convExplorer exposes the numbers for the tests.
 */
(function () {
  "use strict";

  var PRESETS = {
    identity: { label: "Identity", values: [0, 0, 0, 0, 1, 0, 0, 0, 0] },
    sobel_x: { label: "Sobel X (vertical edges)", values: [-1, 0, 1, -2, 0, 2, -1, 0, 1] },
    sobel_y: { label: "Sobel Y (horizontal edges)", values: [-1, -2, -1, 0, 0, 0, 1, 2, 1] },
    gaussian: { label: "Gaussian blur", values: [1 / 16, 2 / 16, 1 / 16, 2 / 16, 4 / 16, 2 / 16, 1 / 16, 2 / 16, 1 / 16] },
    box_blur: { label: "Box blur", values: [1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9, 1 / 9] },
    sharpen: { label: "Sharpen", values: [0, -1, 0, -1, 5, -1, 0, -1, 0] },
    emboss: { label: "Emboss", values: [-2, -1, 0, -1, 1, 1, 0, 1, 2] },
    laplacian: { label: "Laplacian", values: [0, 1, 0, 1, -4, 1, 0, 1, 0] }
  };
  var INPUTS = {
    shapes: "Shapes pattern (256×256)",
    checkerboard: "Checkerboard (256×256)",
    photo: "Photograph (128×128)",
    digit: "Handwritten digit (28×28)"
  };
  var DISPLAYS = {
    abs: "Absolute value, stretched",
    clip: "Clipped to 0–255",
    minmax: "Min–max normalized"
  };
  var LIMIT = 1000;

  // ---------------------------------------------------------------- inputs

  function grid(width, height, values) {
    return { width: width, height: height, values: values };
  }

  function shapesPattern(size) {
    var values = new Float64Array(size * size);
    var scale = size / 256;
    var top = Math.round(30 * scale), bottom = Math.round(90 * scale);
    var left = Math.round(30 * scale), right = Math.round(110 * scale);
    var cy = 60 * scale, cx = 190 * scale, r = 40 * scale;
    for (var y = 0; y < size; y++) {
      for (var x = 0; x < size; x++) {
        var inRect = y >= top && y < bottom && x >= left && x < right;
        var inDisc = (y - cy) * (y - cy) + (x - cx) * (x - cx) <= r * r;
        values[y * size + x] = inRect || inDisc ? 255 : 0;
      }
    }
    return grid(size, size, values);
  }

  function checkerboard(size, square) {
    var values = new Float64Array(size * size);
    for (var y = 0; y < size; y++) {
      for (var x = 0; x < size; x++) {
        values[y * size + x] = (Math.floor(x / square) + Math.floor(y / square)) % 2 === 0 ? 255 : 0;
      }
    }
    return grid(size, size, values);
  }

  function decoded(entry) {
    var bytes = atob(entry.pixels);
    var values = new Float64Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) values[i] = bytes.charCodeAt(i);
    return grid(entry.width, entry.height, values);
  }

  var cache = {};
  function input(name) {
    if (!cache[name]) {
      var data = window.CONV_EXPLORER_DATA || {};
      if (name === "shapes") cache[name] = shapesPattern(256);
      else if (name === "checkerboard") cache[name] = checkerboard(256, 32);
      else if (data[name]) cache[name] = decoded(data[name]);
      else return null;
    }
    return cache[name];
  }

  /** The 8×8 input of the animation (convviz.patterns.small_example). */
  function smallExample() {
    var values = new Float64Array(64);
    for (var y = 0; y < 8; y++) {
      for (var x = 0; x < 8; x++) {
        var v = 0;
        if (y >= 2 && y < 6 && x >= 2 && x < 6) v = 9;
        if (y >= 3 && y < 5 && x >= 3 && x < 5) v = 5;
        if (x === 0) v = 1;
        values[y * 8 + x] = v;
      }
    }
    return grid(8, 8, values);
  }

  // ---------------------------------------------------------------- maths

  function outputSize(n, f, p, s) {
    return Math.floor((n - f + 2 * p) / s) + 1;
  }

  /** Cross-correlation of an image with a 3×3 kernel, zero padding p, stride s. */
  function correlate(image, kernel, p, s) {
    var w = image.width, h = image.height, src = image.values;
    var outW = outputSize(w, 3, p, s), outH = outputSize(h, 3, p, s);
    var out = new Float64Array(Math.max(outW, 0) * Math.max(outH, 0));
    for (var i = 0; i < outH; i++) {
      for (var j = 0; j < outW; j++) {
        var sum = 0;
        for (var u = 0; u < 3; u++) {
          var y = i * s + u - p;
          if (y < 0 || y >= h) continue;
          for (var v = 0; v < 3; v++) {
            var x = j * s + v - p;
            if (x < 0 || x >= w) continue;
            sum += src[y * w + x] * kernel[u * 3 + v];
          }
        }
        out[i * outW + j] = sum;
      }
    }
    return grid(outW, outH, out);
  }

  /** Map feature-map values to 0–255 gray levels. */
  function toGray(values, mode) {
    var gray = new Uint8ClampedArray(values.length);
    var lo = Infinity, hi = -Infinity, big = 0, i;
    for (i = 0; i < values.length; i++) {
      lo = Math.min(lo, values[i]);
      hi = Math.max(hi, values[i]);
      big = Math.max(big, Math.abs(values[i]));
    }
    for (i = 0; i < values.length; i++) {
      var v = values[i];
      if (mode === "clip") gray[i] = Math.round(v);
      else if (mode === "minmax") gray[i] = hi > lo ? Math.round(((v - lo) / (hi - lo)) * 255) : 0;
      else gray[i] = big > 0 ? Math.round((Math.abs(v) / big) * 255) : 0;
    }
    return { gray: gray, min: lo, max: hi };
  }

  function paint(canvas, image, gray) {
    canvas.width = image.width;
    canvas.height = image.height;
    var ctx = canvas.getContext("2d");
    var pixels = ctx.createImageData(image.width, image.height);
    for (var i = 0; i < gray.length; i++) {
      pixels.data[4 * i] = pixels.data[4 * i + 1] = pixels.data[4 * i + 2] = gray[i];
      pixels.data[4 * i + 3] = 255;
    }
    ctx.putImageData(pixels, 0, 0);
  }

  function formatNumber(v) {
    if (Object.is(v, -0)) v = 0;
    return Number.isInteger(v) ? String(v) : String(Math.round(v * 1000) / 1000);
  }

  /** Read one kernel field: a finite number within ±LIMIT, or an error message. */
  function parseWeight(text) {
    var trimmed = String(text).trim();
    if (trimmed === "") return { error: "enter a number" };
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(trimmed) && !/^[-+]?\d+\s*\/\s*\d+$/.test(trimmed)) {
      return { error: "not a number" };
    }
    var value;
    if (trimmed.indexOf("/") >= 0) {
      var parts = trimmed.split("/");
      value = Number(parts[0]) / Number(parts[1]);
    } else {
      value = Number(trimmed);
    }
    if (!isFinite(value)) return { error: "not a finite number" };
    if (Math.abs(value) > LIMIT) return { error: "use a value between −" + LIMIT + " and " + LIMIT };
    return { value: value };
  }

  /** The name of the preset with exactly these weights, or "custom". */
  function matchingPreset(kernel) {
    var names = Object.keys(PRESETS);
    for (var i = 0; i < names.length; i++) {
      var values = PRESETS[names[i]].values;
      if (values.every(function (v, j) { return Math.abs(v - kernel[j]) < 1e-12; })) return names[i];
    }
    return "custom";
  }

  // ---------------------------------------------------------------- DOM helpers

  var counter = 0;
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function labelled(labelText, control) {
    var id = "conv-explorer-" + ++counter;
    control.id = id;
    var wrapper = el("div", { class: "cx-field" });
    wrapper.appendChild(el("label", { for: id }, labelText));
    wrapper.appendChild(control);
    return wrapper;
  }

  function select(options, chosen) {
    var node = el("select");
    Object.keys(options).forEach(function (key) {
      var option = el("option", { value: key }, options[key]);
      if (key === chosen) option.selected = true;
      node.appendChild(option);
    });
    return node;
  }

  // ---------------------------------------------------------------- explorer

  function Explorer(root) {
    this.root = root;
    this.state = { input: "shapes", padding: "valid", stride: 1, display: "abs", step: 0 };
    this.kernel = PRESETS.sobel_x.values.slice();
    this.last = null;
    this.build();
    this.redraw();
  }

  Explorer.prototype.build = function () {
    var self = this;
    var root = this.root;
    root.textContent = "";
    root.classList.add("cx");

    var controls = el("div", { class: "cx-controls" });
    this.inputSelect = select(INPUTS, this.state.input);
    this.presetSelect = select(
      Object.keys(PRESETS).reduce(
        function (all, key) {
          all[key] = PRESETS[key].label;
          return all;
        },
        { custom: "Your own (typed below)" }
      ),
      "sobel_x"
    );
    this.presetSelect.querySelector('option[value="custom"]').disabled = true;
    this.paddingSelect = select({ valid: "valid (P = 0)", same: "same (P = 1)" }, "valid");
    this.strideSelect = select({ 1: "1", 2: "2" }, "1");
    this.displaySelect = select(DISPLAYS, "abs");
    controls.appendChild(labelled("Input image", this.inputSelect));
    controls.appendChild(labelled("Kernel preset", this.presetSelect));
    controls.appendChild(labelled("Padding", this.paddingSelect));
    controls.appendChild(labelled("Stride", this.strideSelect));
    controls.appendChild(labelled("Show the output as", this.displaySelect));
    root.appendChild(controls);

    var kernelBox = el("fieldset", { class: "cx-kernel" });
    kernelBox.appendChild(el("legend", {}, "Kernel weights (3×3, editable)"));
    var kernelGrid = el("div", { class: "cx-kernel-grid" });
    this.fields = [];
    for (var i = 0; i < 9; i++) {
      var field = el("input", {
        type: "text",
        inputmode: "decimal",
        autocomplete: "off",
        spellcheck: "false",
        "aria-label": "Kernel row " + (Math.floor(i / 3) + 1) + ", column " + ((i % 3) + 1),
        "data-index": String(i)
      });
      field.addEventListener("input", this.onField.bind(this, i));
      this.fields.push(field);
      kernelGrid.appendChild(field);
    }
    kernelBox.appendChild(kernelGrid);
    this.kernelMessage = el("p", { class: "cx-message", role: "status", "aria-live": "polite" });
    kernelBox.appendChild(this.kernelMessage);
    root.appendChild(kernelBox);

    var views = el("div", { class: "cx-views" });
    var inputFigure = el("figure", { class: "cx-view" });
    this.inputCanvas = el("canvas", { role: "img", "aria-label": "Picture of the input" });
    inputFigure.appendChild(this.inputCanvas);
    this.inputCaption = el("figcaption");
    inputFigure.appendChild(this.inputCaption);
    var outputFigure = el("figure", { class: "cx-view" });
    this.outputCanvas = el("canvas", { role: "img", "aria-label": "Picture of the feature map", "data-output": "" });
    outputFigure.appendChild(this.outputCanvas);
    this.outputCaption = el("figcaption");
    outputFigure.appendChild(this.outputCaption);
    views.appendChild(inputFigure);
    views.appendChild(outputFigure);
    root.appendChild(views);
    this.formula = el("p", { class: "cx-formula", "aria-live": "polite" });
    root.appendChild(this.formula);

    // Step mode on the 8×8 example.
    var step = el("fieldset", { class: "cx-step" });
    step.appendChild(el("legend", {}, "Step by step on the 8×8 example (valid padding, stride 1)"));
    var stepControls = el("div", { class: "cx-step-controls" });
    this.prevButton = el("button", { type: "button" }, "◀ Previous");
    this.nextButton = el("button", { type: "button" }, "Next ▶");
    this.stepSlider = el("input", { type: "range", min: "0", max: "35", value: "0", step: "1" });
    stepControls.appendChild(this.prevButton);
    stepControls.appendChild(labelled("Window position", this.stepSlider));
    stepControls.appendChild(this.nextButton);
    step.appendChild(stepControls);
    var stepGrids = el("div", { class: "cx-step-grids" });
    this.smallTable = this.table(8, 8, "Input, 8×8; the window is highlighted");
    this.productTable = this.table(3, 3, "Window × kernel, element by element");
    this.smallOutTable = this.table(6, 6, "Output, 6×6, filled up to the window");
    stepGrids.appendChild(this.smallTable.wrapper);
    stepGrids.appendChild(this.productTable.wrapper);
    stepGrids.appendChild(this.smallOutTable.wrapper);
    step.appendChild(stepGrids);
    this.stepSum = el("p", { class: "cx-sum", "aria-live": "polite" });
    step.appendChild(this.stepSum);
    root.appendChild(step);

    this.inputSelect.addEventListener("change", function () {
      self.state.input = self.inputSelect.value;
      self.redraw();
    });
    this.presetSelect.addEventListener("change", function () {
      self.setKernel(PRESETS[self.presetSelect.value].values);
    });
    this.paddingSelect.addEventListener("change", function () {
      self.state.padding = self.paddingSelect.value;
      self.redraw();
    });
    this.strideSelect.addEventListener("change", function () {
      self.state.stride = Number(self.strideSelect.value);
      self.redraw();
    });
    this.displaySelect.addEventListener("change", function () {
      self.state.display = self.displaySelect.value;
      self.redraw();
    });
    this.stepSlider.addEventListener("input", function () {
      self.setStep(Number(self.stepSlider.value));
    });
    this.prevButton.addEventListener("click", function () {
      self.setStep(self.state.step - 1);
    });
    this.nextButton.addEventListener("click", function () {
      self.setStep(self.state.step + 1);
    });
    this.fillFields();
  };

  Explorer.prototype.table = function (rows, cols, caption) {
    var wrapper = el("div", { class: "cx-table-wrap" });
    var table = el("table", { class: "cx-table" });
    table.appendChild(el("caption", {}, caption));
    var body = el("tbody");
    var cells = [];
    for (var r = 0; r < rows; r++) {
      var tr = el("tr");
      for (var c = 0; c < cols; c++) {
        var td = el("td");
        tr.appendChild(td);
        cells.push(td);
      }
      body.appendChild(tr);
    }
    table.appendChild(body);
    wrapper.appendChild(table);
    return { wrapper: wrapper, cells: cells };
  };

  Explorer.prototype.fillFields = function () {
    for (var i = 0; i < 9; i++) {
      this.fields[i].value = formatNumber(this.kernel[i]);
      this.markField(i, null);
    }
    this.kernelMessage.textContent = "";
  };

  Explorer.prototype.setKernel = function (values) {
    this.kernel = values.slice();
    this.fillFields();
    this.redraw();
  };

  Explorer.prototype.markField = function (index, message) {
    var field = this.fields[index];
    if (message) {
      field.setAttribute("aria-invalid", "true");
      field.classList.add("cx-invalid");
      field.title = message;
    } else {
      field.removeAttribute("aria-invalid");
      field.classList.remove("cx-invalid");
      field.removeAttribute("title");
    }
  };

  Explorer.prototype.onField = function (index) {
    var problems = [];
    var candidate = this.kernel.slice();
    for (var i = 0; i < 9; i++) {
      var parsed = parseWeight(this.fields[i].value);
      this.markField(i, parsed.error);
      if (parsed.error) {
        problems.push("Row " + (Math.floor(i / 3) + 1) + ", column " + ((i % 3) + 1) + ": " + parsed.error + ".");
      } else {
        candidate[i] = parsed.value;
      }
    }
    if (problems.length) {
      this.kernelMessage.textContent = problems.join(" ") + " The last valid kernel stays in use.";
      return;
    }
    this.kernelMessage.textContent = "";
    this.kernel = candidate;
    this.presetSelect.value = matchingPreset(candidate);
    this.redraw();
  };

  Explorer.prototype.redraw = function () {
    var started = performance.now();
    var image = input(this.state.input);
    if (!image) {
      this.formula.textContent = "This input is not available.";
      return;
    }
    var p = this.state.padding === "same" ? 1 : 0;
    var s = this.state.stride;
    var result = correlate(image, this.kernel, p, s);
    var shown = toGray(result.values, this.state.display);
    paint(this.outputCanvas, result, shown.gray);
    var inputGray = toGray(image.values, "clip");
    paint(this.inputCanvas, image, inputGray.gray);
    this.outputCanvas.setAttribute("data-output-shape", result.height + "x" + result.width);
    this.inputCaption.textContent = "Input " + image.height + "×" + image.width;
    this.outputCaption.textContent =
      "Feature map " + result.height + "×" + result.width + ", values from " +
      formatNumber(shown.min) + " to " + formatNumber(shown.max);
    this.formula.textContent =
      "W_out = (W_in − F + 2P) / S + 1 = (" + image.width + " − 3 + 2·" + p + ") / " + s + " + 1 = " +
      formatNumber((image.width - 3 + 2 * p) / s + 1) +
      (Number.isInteger((image.width - 3 + 2 * p) / s) ? "" : " → " + result.width) +
      " columns, and " + result.height + " rows.";
    this.last = { input: this.state.input, kernel: this.kernel.slice(), padding: p, stride: s, result: result };
    this.renderMs = performance.now() - started;
    this.redrawStep();
  };

  Explorer.prototype.setStep = function (index) {
    this.state.step = Math.max(0, Math.min(35, index));
    this.stepSlider.value = String(this.state.step);
    this.redrawStep();
  };

  Explorer.prototype.stepDetails = function (index) {
    var small = smallExample();
    var row = Math.floor(index / 6), col = index % 6;
    var products = [], sum = 0;
    for (var u = 0; u < 3; u++) {
      for (var v = 0; v < 3; v++) {
        var product = small.values[(row + u) * 8 + col + v] * this.kernel[u * 3 + v];
        products.push(product);
        sum += product;
      }
    }
    return { row: row, col: col, products: products, sum: sum, output: correlate(small, this.kernel, 0, 1) };
  };

  Explorer.prototype.redrawStep = function () {
    var index = this.state.step;
    var details = this.stepDetails(index);
    var small = smallExample();
    for (var i = 0; i < 64; i++) {
      var r = Math.floor(i / 8), c = i % 8;
      var cell = this.smallTable.cells[i];
      cell.textContent = formatNumber(small.values[i]);
      var inside = r >= details.row && r < details.row + 3 && c >= details.col && c < details.col + 3;
      cell.classList.toggle("cx-window", inside);
    }
    for (i = 0; i < 9; i++) this.productTable.cells[i].textContent = formatNumber(details.products[i]);
    for (i = 0; i < 36; i++) {
      var out = this.smallOutTable.cells[i];
      out.textContent = i <= index ? formatNumber(details.output.values[i]) : "";
      out.classList.toggle("cx-current", i === index);
      out.classList.toggle("cx-done", i < index);
    }
    this.stepSum.textContent =
      "Window at row " + (details.row + 1) + ", column " + (details.col + 1) + ": sum of the nine products = " +
      formatNumber(details.sum) + ", written into output cell (" + (details.row + 1) + ", " + (details.col + 1) + ").";
    this.prevButton.disabled = index === 0;
    this.nextButton.disabled = index === 35;
  };

  // ---------------------------------------------------------------- start

  var explorers = [];
  function start() {
    var roots = document.querySelectorAll("[data-conv-explorer]");
    for (var i = 0; i < roots.length; i++) explorers.push(new Explorer(roots[i]));
  }

  window.convExplorer = {
    presets: PRESETS,
    input: function (name) {
      var image = input(name);
      return image && { width: image.width, height: image.height, values: Array.from(image.values) };
    },
    outputSize: outputSize,
    parseWeight: parseWeight,
    explorer: function (i) {
      return explorers[i || 0];
    },
    lastOutput: function () {
      var last = explorers[0] && explorers[0].last;
      return last && {
        input: last.input, kernel: last.kernel, padding: last.padding, stride: last.stride,
        width: last.result.width, height: last.result.height, values: Array.from(last.result.values)
      };
    },
    step: function (index) {
      var details = explorers[0].stepDetails(index);
      return { row: details.row, col: details.col, products: details.products, sum: details.sum };
    },
    renderMs: function () {
      return explorers[0] && explorers[0].renderMs;
    }
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
