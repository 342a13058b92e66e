/*
 * Convolution explorer of course module 9.2.2: the view. The arithmetic, the inputs and the
 * pixels are window.ConvCore's (core.js, patterns.js, pixels.js, numbers.js); the page
 * helpers are window.CourseViews (views.js).
 *
 * Plain JavaScript, no dependencies, no network: it builds its controls inside
 * every element with the attribute data-conv-explorer. The inputs, the presets
 * and the 8×8 step-by-step example come from window.CONV_EXPLORER_DATA (written
 * at build time by coursesite/explorer_data.py), checked by ConvCore.checkConvData;
 * two patterns are drawn by ConvCore, the same ones convviz/patterns.py draws. The step panel
 * works on that example with the padding and stride chosen above: the zero border drawn, the
 * window's top-left corners marked where it stands and where the stride makes it skip.
 */
(function () {
  "use strict";

  var core = window.ConvCore;
  var views = window.CourseViews;
  var el = views.el;
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
  var KERNEL_SIZE = 3;
  /** What the page needs of the browser (CourseViews.missing). */
  var NEEDS = ["canvas"];
  var FIRST_PRESET = "sobel_x";

  /** The checked data (ConvCore.checkConvData), set by start(). */
  var DATA = null;

  function presets() {
    var out = {};
    DATA.presets.forEach(function (preset) {
      out[preset.name] = preset;
    });
    return out;
  }

  // ---------------------------------------------------------------- inputs

  var cache = {};
  function input(name) {
    if (!cache[name]) {
      if (name === "shapes") cache[name] = core.shapesPattern(256);
      else if (name === "checkerboard") cache[name] = core.checkerboard(256, 32);
      else if (DATA.images[name]) cache[name] = DATA.images[name];
      else return null;
    }
    return cache[name];
  }

  // ---------------------------------------------------------------- kernels

  /** The name of the preset with exactly these weights, or "custom". */
  function matchingPreset(kernel) {
    var all = presets();
    var names = Object.keys(all);
    for (var i = 0; i < names.length; i++) {
      var values = all[names[i]].values;
      if (values.every(function (v, j) { return Math.abs(v - kernel[j]) < 1e-12; })) return names[i];
    }
    return "custom";
  }

  // ---------------------------------------------------------------- page parts

  function labelled(labelText, control) {
    return views.field(labelText, control, "cx-field");
  }

  var select = views.select;

  function table(rows, cols, caption) {
    var wrapper = el("div", { class: "cx-table-wrap" });
    var node = el("table", { class: "cx-table" });
    node.appendChild(el("caption", {}, caption));
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
    node.appendChild(body);
    wrapper.appendChild(node);
    return { wrapper: wrapper, cells: cells };
  }

  function figure(canvasAttrs) {
    var node = el("figure", { class: "cx-view" });
    var canvas = el("canvas", canvasAttrs);
    var caption = el("figcaption");
    node.appendChild(canvas);
    node.appendChild(caption);
    return { node: node, canvas: canvas, caption: caption };
  }

  // ---------------------------------------------------------------- explorer

  function Explorer(root) {
    this.root = root;
    this.state = { input: "shapes", padding: "valid", stride: 1, display: "abs", step: 0 };
    var first = presets()[FIRST_PRESET] || DATA.presets[0];
    this.firstPreset = first.name;
    this.kernel = first.values.slice();
    this.small = DATA.small;
    var smallOut = core.outputSize(this.small.width, KERNEL_SIZE, 0, 1);
    this.smallOutSize = smallOut; // the step panel follows the padding and stride (layoutStep)
    this.lastStep = smallOut * smallOut - 1;
    this.last = null;
    this.build();
    this.redraw();
  }

  Explorer.prototype.build = function () {
    this.root.textContent = "";
    this.root.classList.add("cx");
    this.root.appendChild(this.buildControls());
    this.root.appendChild(this.buildKernelFields());
    this.root.appendChild(this.buildViews());
    this.formula = el("p", { class: "cx-formula", "aria-live": "polite" });
    this.root.appendChild(this.formula);
    this.root.appendChild(this.buildStepPanel());
    this.bindEvents();
    this.fillFields();
  };

  Explorer.prototype.buildControls = function () {
    var options = { custom: "Your own (typed below)" };
    DATA.presets.forEach(function (preset) {
      options[preset.name] = preset.label;
    });
    var controls = el("div", { class: "cx-controls" });
    this.inputSelect = select(INPUTS, this.state.input);
    this.presetSelect = select(options, this.firstPreset);
    this.presetSelect.querySelector('option[value="custom"]').disabled = true;
    this.paddingSelect = select({ valid: "valid (P = 0)", same: "same (P = 1)" }, "valid");
    this.strideSelect = select({ 1: "1", 2: "2" }, "1");
    this.displaySelect = select(DISPLAYS, "abs");
    controls.appendChild(labelled("Input image", this.inputSelect));
    controls.appendChild(labelled("Kernel preset", this.presetSelect));
    controls.appendChild(labelled("Padding", this.paddingSelect));
    controls.appendChild(labelled("Stride", this.strideSelect));
    controls.appendChild(labelled("Show the output as", this.displaySelect));
    return controls;
  };

  Explorer.prototype.buildKernelFields = function () {
    var box = el("fieldset", { class: "cx-kernel" });
    box.appendChild(el("legend", {}, "Kernel weights (3×3, editable; rows and columns counted from 0)"));
    var grid = el("div", { class: "cx-kernel-grid" });
    this.fields = [];
    for (var i = 0; i < KERNEL_SIZE * KERNEL_SIZE; i++) {
      var field = el("input", {
        type: "text",
        inputmode: "decimal",
        autocomplete: "off",
        spellcheck: "false",
        "aria-label": "Kernel " + place(i),
        "data-index": String(i)
      });
      field.addEventListener("input", this.onField.bind(this));
      this.fields.push(field);
      grid.appendChild(field);
    }
    box.appendChild(grid);
    this.kernelMessage = el("p", { class: "cx-message", role: "status", "aria-live": "polite" });
    box.appendChild(this.kernelMessage);
    return box;
  };

  function place(index) {
    return "row " + Math.floor(index / KERNEL_SIZE) + ", column " + (index % KERNEL_SIZE);
  }

  Explorer.prototype.buildViews = function () {
    var box = el("div", { class: "cx-views" });
    this.inputView = figure({ role: "img", "aria-label": "Picture of the input" });
    this.outputView = figure({ role: "img", "aria-label": "Picture of the feature map", "data-output": "" });
    box.appendChild(this.inputView.node);
    box.appendChild(this.outputView.node);
    return box;
  };

  /** The step panel's frame; its tables follow the padding and the stride (layoutStep). */
  Explorer.prototype.buildStepPanel = function () {
    var n = this.small.width;
    var step = el("fieldset", { class: "cx-step" });
    step.appendChild(el("legend", {}, "Step by step on the " + n + "×" + n + " example (rows and columns counted from 0)"));
    this.stepWhat = el("p", { class: "cx-step-what" });
    step.appendChild(this.stepWhat);
    var controls = el("div", { class: "cx-step-controls" });
    this.prevButton = el("button", { type: "button" }, "◀ Previous");
    this.nextButton = el("button", { type: "button" }, "Next ▶");
    this.stepSlider = el("input", { type: "range", min: "0", max: String(this.lastStep), value: "0", step: "1" });
    controls.appendChild(this.prevButton);
    controls.appendChild(labelled("Window position", this.stepSlider));
    controls.appendChild(this.nextButton);
    step.appendChild(controls);
    this.stepGrids = el("div", { class: "cx-step-grids" });
    step.appendChild(this.stepGrids);
    this.stepSum = el("p", { class: "cx-sum", "aria-live": "polite" });
    step.appendChild(this.stepSum);
    this.stepLayout = null;
    return step;
  };

  /** Tables for padding p and stride s: the input with its zero border, the products, the output. */
  Explorer.prototype.layoutStep = function (p, s) {
    var key = p + "," + s;
    if (this.stepLayout === key) return;
    this.stepLayout = key;
    var n = this.small.width, side = n + 2 * p, m = core.outputSize(n, KERNEL_SIZE, p, s);
    this.smallOutSize = m;
    this.lastStep = m * m - 1;
    this.stepSlider.max = String(this.lastStep);
    this.state.step = Math.min(this.state.step, this.lastStep);
    this.stepGrids.textContent = "";
    var border = p ? ", with a border of zeros " + p + " cell wide (gray)" : "";
    this.smallTable = table(side, side, "Input, " + n + "×" + n + border + "; the window is highlighted");
    this.productTable = table(KERNEL_SIZE, KERNEL_SIZE, "Window × kernel, element by element");
    this.smallOutTable = table(m, m, "Output, " + m + "×" + m + ", filled up to the window");
    this.stepGrids.appendChild(this.smallTable.wrapper);
    this.stepGrids.appendChild(this.productTable.wrapper);
    this.stepGrids.appendChild(this.smallOutTable.wrapper);
    // Where the window's top-left corner can stand on the padded input, and where it does.
    var fits = side - KERNEL_SIZE + 1, visited = [], skipped = [];
    for (var t = 0; t < fits; t++) (t % s === 0 ? visited : skipped).push(t - p);
    for (var i = 0; i < side * side; i++) {
      var r = Math.floor(i / side), c = i % side, cell = this.smallTable.cells[i];
      var pad = r < p || c < p || r >= n + p || c >= n + p;
      cell.classList.toggle("cx-pad", pad);
      var corner = r < fits && c < fits;
      cell.classList.toggle("cx-start", corner && r % s === 0 && c % s === 0);
      cell.classList.toggle("cx-skip", corner && (r % s !== 0 || c % s !== 0));
    }
    var what = p
      ? "Same padding: a border of zeros " + p + " cell wide around the input makes it " + side + "×" + side +
        ", so the window is also centred on the edge pixels. "
      : "Valid padding: the window stands only where it fits inside the input. ";
    what += s > 1
      ? "Stride " + s + ": its top-left corner moves " + s + " cells at a time, to rows and columns " +
        visited.join(", ") + " (blue corner), and skips " + skipped.join(", ") + " (hatched); "
      : "Stride 1: its top-left corner visits every row and column from " + visited[0] + " to " +
        visited[visited.length - 1] + " (blue corner); ";
    this.stepWhat.textContent = what + "the output is " + m + "×" + m + ".";
  };

  Explorer.prototype.bindEvents = function () {
    var self = this;
    function onChange(control, apply) {
      control.addEventListener("change", function () {
        apply(control.value);
        self.redraw();
      });
    }
    onChange(this.inputSelect, function (value) { self.state.input = value; });
    onChange(this.paddingSelect, function (value) { self.state.padding = value; });
    onChange(this.strideSelect, function (value) { self.state.stride = Number(value); });
    onChange(this.displaySelect, function (value) { self.state.display = value; });
    this.presetSelect.addEventListener("change", function () {
      self.setKernel(presets()[self.presetSelect.value].values);
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
  };

  Explorer.prototype.fillFields = function () {
    for (var i = 0; i < this.fields.length; i++) {
      this.fields[i].value = core.formatNumber(this.kernel[i]);
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

  Explorer.prototype.onField = function () {
    var problems = [];
    var candidate = this.kernel.slice();
    for (var i = 0; i < this.fields.length; i++) {
      var parsed = core.parseNumber(this.fields[i].value, LIMIT);
      this.markField(i, parsed.error);
      if (parsed.error) {
        var where = place(i);
        problems.push(where.charAt(0).toUpperCase() + where.slice(1) + ": " + parsed.error + ".");
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
    var result = core.correlate(image, this.kernel, p, s);
    var shown = core.displayLevels(result.values, this.state.display);
    views.paintRgba(this.outputView.canvas, core.grayRgba(shown.levels), result.width, result.height);
    views.paintRgba(this.inputView.canvas, core.grayRgba(core.displayLevels(image.values, "clip").levels), image.width, image.height);
    this.outputView.canvas.setAttribute("data-output-shape", result.height + "x" + result.width);
    this.inputView.caption.textContent = "Input " + image.height + "×" + image.width;
    this.outputView.caption.textContent =
      "Feature map " + result.height + "×" + result.width + ", values from " +
      core.formatNumber(shown.min) + " to " + core.formatNumber(shown.max);
    this.showFormula(image.width, p, s, result);
    this.last = { input: this.state.input, kernel: this.kernel.slice(), padding: p, stride: s, result: result };
    this.renderMs = performance.now() - started;
    this.redrawStep();
  };

  /** The output-size formula with real subscripts: W<sub>out</sub> = (W<sub>in</sub> − F + 2P) / S + 1 = … */
  Explorer.prototype.showFormula = function (width, p, s, result) {
    var exact = (width - KERNEL_SIZE + 2 * p) / s + 1;
    this.formula.textContent = "";
    views.append(this.formula, [
      "W", el("sub", {}, "out"), " = (W", el("sub", {}, "in"),
      " − F + 2P) / S + 1 = (" + width + " − " + KERNEL_SIZE + " + 2·" + p + ") / " + s + " + 1 = " +
        core.formatNumber(exact) + (Number.isInteger(exact) ? "" : " → " + result.width) +
        " columns, and " + result.height + " rows."
    ]);
  };

  Explorer.prototype.setStep = function (index) {
    this.state.step = Math.max(0, Math.min(this.lastStep, index));
    this.stepSlider.value = String(this.state.step);
    this.redrawStep();
  };

  /** The window of step index (ConvCore.stepDetails) and the whole output of the example. */
  Explorer.prototype.stepDetails = function (index) {
    var m = this.smallOutSize, p = this.stepPadding, s = this.state.stride;
    var row = Math.floor(index / m), col = index % m;
    var details = core.stepDetails(this.small, this.kernel, p, s, row, col);
    details.row = row;
    details.col = col;
    details.output = core.correlate(this.small, this.kernel, p, s);
    return details;
  };

  Explorer.prototype.redrawStep = function () {
    this.stepPadding = this.state.padding === "same" ? 1 : 0;
    this.layoutStep(this.stepPadding, this.state.stride);
    var p = this.stepPadding, s = this.state.stride, n = this.small.width, side = n + 2 * p;
    var index = this.state.step, i;
    this.stepSlider.value = String(index);
    var details = this.stepDetails(index);
    var top = details.row * s, left = details.col * s; // in the padded input's cells
    for (i = 0; i < side * side; i++) {
      var r = Math.floor(i / side), c = i % side;
      var cell = this.smallTable.cells[i];
      var pad = r < p || c < p || r >= n + p || c >= n + p;
      cell.textContent = pad ? "0" : core.formatNumber(this.small.values[(r - p) * n + c - p]);
      var inside = r >= top && r < top + KERNEL_SIZE && c >= left && c < left + KERNEL_SIZE;
      cell.classList.toggle("cx-window", inside);
    }
    for (i = 0; i < details.products.length; i++) {
      this.productTable.cells[i].textContent = core.formatNumber(details.products[i]);
    }
    for (i = 0; i <= this.lastStep; i++) {
      var out = this.smallOutTable.cells[i];
      out.textContent = i <= index ? core.formatNumber(details.output.values[i]) : "";
      out.classList.toggle("cx-current", i === index);
      out.classList.toggle("cx-done", i < index);
    }
    var border = p && (details.top < 0 || details.left < 0 || details.top + KERNEL_SIZE > n || details.left + KERNEL_SIZE > n)
      ? " (part of it on the zero border)" : "";
    this.stepSum.textContent =
      "Window at row " + details.top + ", column " + details.left + border + ": sum of the nine products = " +
      core.formatNumber(details.sum) + ", written into output cell (" + details.row + ", " + details.col + ")." +
      (s > 1 ? " The next window starts " + s + " columns further right (or " + s + " rows down)." : "");
    this.prevButton.disabled = index === 0;
    this.nextButton.disabled = index === this.lastStep;
  };

  // ---------------------------------------------------------------- start

  var explorers = [];
  /** A problem that stopped the explorer, as the page shows it, or null. */
  var failure = null;

  function start() {
    var roots = document.querySelectorAll("[data-conv-explorer]");
    if (!roots.length) return;
    try {
      DATA = core.checkConvData(window.CONV_EXPLORER_DATA, KERNEL_SIZE, LIMIT);
    } catch (error) {
      failure = "The convolution explorer could not load its data file (" + error.message + "); " +
        "reload the page, or rebuild the site if it persists.";
      return views.showProblem(roots, failure);
    }
    var note = views.featureNote(views.missing(NEEDS), "its pictures cannot be drawn here.");
    for (var i = 0; i < roots.length; i++) {
      try {
        explorers.push(new Explorer(roots[i]));
      } catch (error) {
        failure = "The convolution explorer stopped: " + error.message + ".";
        views.showProblem([roots[i]], failure);
      }
      if (note) roots[i].insertBefore(note.cloneNode(true), roots[i].firstChild);
    }
  }

  window.convExplorer = {
    get presets() {
      built();
      return DATA && presets();
    },
    failure: function () {
      built();
      return failure;
    },
    input: function (name) {
      var image = built() && DATA && input(name);
      return image && { width: image.width, height: image.height, values: Array.from(image.values) };
    },
    lastOutput: function () {
      var last = built()[0] && built()[0].last;
      return last && {
        input: last.input, kernel: last.kernel, padding: last.padding, stride: last.stride,
        width: last.result.width, height: last.result.height, values: Array.from(last.result.values)
      };
    },
    explorer: function (i) {
      return built()[i || 0];
    },
    stepCount: function () {
      return built()[0] && built()[0].lastStep + 1;
    },
    renderMs: function () {
      return built()[0] && built()[0].renderMs;
    }
  };

  // The explorer builds itself when it comes near the screen, or as soon as a
  // script asks for it through window.convExplorer, not while the page loads: a phone
  // shows the text first, and a reader who never scrolls to it pays nothing.
  var begin = views.lazyStart("[data-conv-explorer]", start);
  function built() {
    begin();
    return explorers;
  }
})();
