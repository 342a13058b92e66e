/*
 * Network explorer of course module 9.2.2, part 3 (the view; the arithmetic is window.ConvCore).
 *
 * The exercise-III network with the weights of tiny_cnn_weights.npz, which reach
 * the page as window.NETWORK_EXPLORER_DATA (written at build time by
 * convviz/network_data.py). A drawing becomes the network's input as in
 * convviz/drawing.py; every layer is computed by ConvCore.forward, the twin of
 * convviz.tiny_cnn.forward_layers. window.networkExplorer exposes the numbers for the tests.
 */
(function () {
  "use strict";

  var core = window.ConvCore;
  var LAYERS = [
    { name: "conv1", title: "conv1 after ReLU", below: "input" },
    { name: "pool1", title: "conv1 pooled", below: "conv1" },
    { name: "conv2", title: "conv2 after ReLU", below: "pool1" },
    { name: "pool2", title: "conv2 pooled", below: "conv2" }
  ];
  var MAP_PIXELS = 112; // every map is drawn this many canvas pixels wide
  var TOP_CONTRIBUTIONS = 8;
  var OCCLUSION = { size: 6, stride: 2, value: 0.5 };
  var UNSURE_BELOW = 0.5; // a top probability below this: the sentence names the two most likely digits

  // ---------------------------------------------------------------- data

  /** The explorer's data, decoded and checked; throws an Error with a reason when it is damaged. */
  function loadData(raw) {
    if (!raw || typeof raw !== "object") throw new Error("the data file is missing");
    var params = {};
    ["W1", "b1", "W2", "b2", "W3", "b3"].forEach(function (name) {
      params[name] = core.decodeFloat64(raw.params[name]);
      params.shapes = params.shapes || {};
      params.shapes[name] = raw.params[name].shape;
    });
    var shapes = params.shapes;
    params.conv1 = shapes.W1[0];
    params.conv2 = shapes.W2[0];
    params.classes = shapes.W3[0];
    var d = raw.drawing;
    params.size = d.grid;
    var images = core.decodeBytes(raw.test_images.data);
    var labels = Int32Array.from(raw.test_labels);
    if (shapes.W1[3] !== 1 || shapes.W2[3] !== params.conv1 || shapes.b1[0] !== params.conv1 ||
        shapes.b2[0] !== params.conv2 || shapes.b3[0] !== params.classes ||
        shapes.W3[1] !== (d.grid / 4) * (d.grid / 4) * params.conv2) {
      throw new Error("the weights have unexpected shapes");
    }
    if (images.length !== labels.length * d.grid * d.grid || labels.length === 0) {
      throw new Error("the test digits do not match their labels");
    }
    var colours = raw.signed_colours;
    if (!Array.isArray(colours) || colours.length < 2 || !colours.every(function (c) {
      return Array.isArray(c) && c.length === 3;
    })) {
      throw new Error("the colours of signed values are missing");
    }
    var examples = raw.examples;
    if (!Array.isArray(examples) || !examples.length || !examples.every(function (e) {
      return Array.isArray(e.strokes) && e.strokes.length && typeof e.label === "number" && typeof e.name === "string";
    })) {
      throw new Error("the drawn examples are missing");
    }
    return { params: params, images: images, labels: labels, drawing: d, colours: colours, examples: examples };
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

  function uid(prefix) {
    return "nx-" + prefix + "-" + ++counter;
  }

  function fmt(v, digits) {
    return core.formatNumber(v, digits === undefined ? 4 : digits);
  }

  function numberSpan(cls, value, digits) {
    var span = el("span", { class: cls, "data-value": String(value) }, fmt(value, digits));
    return span;
  }

  function percent(fraction) {
    return (Math.round(fraction * 1000) / 10).toFixed(1) + " %";
  }

  /** A canvas that shows a size×size map, scaled up without smoothing. */
  function mapCanvas(size, label) {
    var canvas = el("canvas", { tabindex: "0", role: "img", "aria-label": label, class: "nx-map" });
    canvas.width = canvas.height = MAP_PIXELS;
    canvas.small = document.createElement("canvas");
    canvas.small.width = canvas.small.height = size;
    canvas.size = size;
    return canvas;
  }

  /** Paint channel ch of a tensor into canvas, gray levels scaled by top; then outline boxes. */
  function paintMap(canvas, t, ch, top, boxes) {
    var size = canvas.size, ctx = canvas.small.getContext("2d");
    var pixels = ctx.createImageData(size, size);
    for (var i = 0; i < size * size; i++) {
      var g = top > 0 ? Math.round((t.values[i * t.channels + ch] / top) * 255) : 0;
      pixels.data[4 * i] = pixels.data[4 * i + 1] = pixels.data[4 * i + 2] = g;
      pixels.data[4 * i + 3] = 255;
    }
    ctx.putImageData(pixels, 0, 0);
    drawScaled(canvas, boxes);
  }

  function drawScaled(canvas, boxes) {
    var out = canvas.getContext("2d");
    out.imageSmoothingEnabled = false;
    out.drawImage(canvas.small, 0, 0, canvas.width, canvas.height);
    var cell = canvas.width / canvas.size;
    (boxes || []).forEach(function (box) {
      out.lineWidth = Math.max(2, cell / 4);
      out.strokeStyle = box.color;
      out.strokeRect(
        box.c0 * cell + out.lineWidth / 2, box.r0 * cell + out.lineWidth / 2,
        (box.c1 - box.c0 + 1) * cell - out.lineWidth, (box.r1 - box.r0 + 1) * cell - out.lineWidth
      );
    });
  }

  function largest(t) {
    var top = 0;
    for (var i = 0; i < t.values.length; i++) if (t.values[i] > top) top = t.values[i];
    return top;
  }

  // ---------------------------------------------------------------- receptive fields

  var SIZES = { input: 1, conv1: 1, pool1: 2, conv2: 2, pool2: 4 }; // grid / size of the layer

  /** The rows (or columns) [lo, hi] of layer `below` that unit range [lo, hi] of `layer` sees. */
  function downOne(layer, lo, hi, limit) {
    if (layer === "conv1" || layer === "conv2") return [Math.max(lo - 1, 0), Math.min(hi + 1, limit - 1)];
    return [2 * lo, 2 * hi + 1];
  }

  /** {r0, r1, c0, c1} in `target` of the unit (row, col) of `layer`. */
  function receptiveField(layer, row, col, target, grid) {
    var order = ["pool2", "conv2", "pool1", "conv1", "input"];
    var rows = [row, row], cols = [col, col];
    for (var i = order.indexOf(layer); order[i] !== target; i++) {
      var below = order[i + 1], limit = grid / SIZES[below];
      rows = downOne(order[i], rows[0], rows[1], limit);
      cols = downOne(order[i], cols[0], cols[1], limit);
    }
    return { r0: rows[0], r1: rows[1], c0: cols[0], c1: cols[1] };
  }

  // ---------------------------------------------------------------- the explorer

  function Explorer(root, data) {
    this.root = root;
    this.data = data;
    this.d = data.drawing;
    this.grid = data.drawing.grid;
    // The explorer opens with one of the project's drawn digits; the first stroke drawn replaces it.
    this.state = { strokes: data.examples[0].strokes, digit: null, shift: [0, 0], example: 0 };
    this.history = [];
    this.cursor = [Math.floor(this.grid / 2), Math.floor(this.grid / 2)];
    this.off = { conv1: [], conv2: [] };
    this.selected = null;
    this.timings = [];
    this.params = data.params;
    this.build();
    this.baseline = null;
    this.update();
    this.updateAccuracy();
  }

  Explorer.prototype.build = function () {
    this.root.textContent = "";
    this.root.classList.add("nx");
    var top = el("div", { class: "nx-top" });
    top.appendChild(this.buildInput());
    top.appendChild(this.buildOutput());
    this.root.appendChild(top);
    this.root.appendChild(this.buildLayers());
    this.explain = el("div", { class: "nx-explain" });
    this.announce = el("p", { class: "nx-visually-hidden", "aria-live": "polite" });
    this.root.appendChild(this.announce);
    this.explain.appendChild(el("p", {}, "Click a unit of any map (or focus a map and press Enter) to see its computation."));
    this.root.appendChild(this.explain);
    this.root.appendChild(this.buildWhatIf());
    this.root.appendChild(this.buildAttribution());
  };

  Explorer.prototype.buildInput = function () {
    var self = this;
    var box = el("div", { class: "nx-input" });
    var pair = el("div", { class: "nx-pair" });
    var drawn = el("figure", { class: "nx-drawn" }), id = uid("grid");
    drawn.appendChild(el("p", { class: "nx-title", id: id }, "Your drawing"));
    this.canvas = el("canvas", {
      class: "nx-grid",
      tabindex: "0",
      role: "application",
      "aria-labelledby": id,
      "aria-describedby": uid("help"),
      "aria-roledescription": "drawing grid"
    });
    this.canvas.width = this.canvas.height = this.grid * 10;
    this.canvas.small = document.createElement("canvas");
    this.canvas.small.width = this.canvas.small.height = this.grid;
    this.canvas.size = this.grid;
    drawn.appendChild(this.canvas);
    pair.appendChild(drawn);
    var seen = el("figure", { class: "nx-seen" }), seenId = uid("input");
    seen.appendChild(el("p", { class: "nx-title", id: seenId }, "What the network gets"));
    this.inputCanvas = el("canvas", { class: "nx-input-map", role: "img", "aria-labelledby": seenId });
    this.inputCanvas.width = this.inputCanvas.height = this.grid * 6;
    this.inputCanvas.small = document.createElement("canvas");
    this.inputCanvas.small.width = this.inputCanvas.small.height = this.grid;
    this.inputCanvas.size = this.grid;
    seen.appendChild(this.inputCanvas);
    this.inputCaption = el("figcaption", { class: "nx-help" });
    seen.appendChild(this.inputCaption);
    pair.appendChild(seen);
    box.appendChild(pair);
    var help = el(
      "p",
      { class: "nx-help", id: this.canvas.getAttribute("aria-describedby") },
      "Draw with the mouse, a pen or a finger, any size, anywhere in the grid. Keys: arrows move the cursor, " +
        "Space paints, Shift+arrows move the drawing, Backspace undoes, Delete clears."
    );
    box.appendChild(help);
    var buttons = el("div", { class: "nx-buttons" });
    this.undoButton = el("button", { type: "button" }, "Undo");
    this.clearButton = el("button", { type: "button" }, "Clear");
    buttons.appendChild(this.undoButton);
    buttons.appendChild(this.clearButton);
    box.appendChild(buttons);
    var exampleId = uid("example");
    var drawnField = el("div", { class: "nx-field" });
    drawnField.appendChild(el("label", { for: exampleId }, "Drawn digit"));
    this.examplePick = el("select", { id: exampleId });
    this.examplePick.appendChild(el("option", { value: "" }, "none"));
    this.data.examples.forEach(function (example, i) {
      self.examplePick.appendChild(el("option", { value: String(i) }, example.name));
    });
    drawnField.appendChild(this.examplePick);
    box.appendChild(drawnField);
    var pickId = uid("pick");
    var field = el("div", { class: "nx-field" });
    field.appendChild(el("label", { for: pickId }, "Test digit"));
    this.pick = el("select", { id: pickId });
    this.pick.appendChild(el("option", { value: "" }, "none (draw your own)"));
    for (var i = 0; i < this.data.labels.length; i++) {
      this.pick.appendChild(el("option", { value: String(i) }, "No. " + i + ": a " + this.data.labels[i]));
    }
    field.appendChild(this.pick);
    box.appendChild(field);
    this.showPickers();
    this.undoButton.addEventListener("click", function () { self.undo(); });
    this.clearButton.addEventListener("click", function () { self.clear(); });
    this.pick.addEventListener("change", function () {
      self.remember();
      var digit = self.pick.value === "" ? null : Number(self.pick.value);
      self.state = { strokes: [], digit: digit, shift: [0, 0], example: null };
      self.showPickers();
      self.update();
    });
    this.examplePick.addEventListener("change", function () {
      self.remember();
      var example = self.examplePick.value === "" ? null : Number(self.examplePick.value);
      var strokes = example === null ? [] : self.data.examples[example].strokes;
      self.state = { strokes: strokes, digit: null, shift: [0, 0], example: example };
      self.showPickers();
      self.update();
    });
    this.bindPointer();
    this.canvas.addEventListener("keydown", this.onGridKey.bind(this));
    return box;
  };

  /** The two pickers show what the grid holds. */
  Explorer.prototype.showPickers = function () {
    this.pick.value = this.state.digit === null ? "" : String(this.state.digit);
    this.examplePick.value = this.state.example === null ? "" : String(this.state.example);
  };

  Explorer.prototype.buildOutput = function () {
    var box = el("div", { class: "nx-output" });
    box.appendChild(el("p", { class: "nx-title" }, "Class probabilities (softmax)"));
    this.bars = [];
    var list = el("ol", { class: "nx-bars", start: "0" });
    for (var k = 0; k < this.data.params.classes; k++) {
      var item = el("li", { class: "nx-bar", tabindex: "0", "data-class": String(k) });
      var name = el("span", { class: "nx-bar-name" }, String(k));
      var track = el("span", { class: "nx-bar-track" });
      var fill = el("span", { class: "nx-bar-fill" });
      track.appendChild(fill);
      var value = el("span", { class: "nx-bar-value" });
      item.appendChild(name);
      item.appendChild(track);
      item.appendChild(value);
      item.addEventListener("click", this.select.bind(this, { layer: "class", channel: k, row: 0, col: 0 }));
      item.addEventListener("keydown", this.onBarKey.bind(this, k));
      list.appendChild(item);
      this.bars.push({ item: item, fill: fill, value: value });
    }
    box.appendChild(list);
    this.sentence = el("p", { class: "nx-sentence", role: "status" });
    box.appendChild(this.sentence);
    return box;
  };

  Explorer.prototype.buildLayers = function () {
    var self = this;
    var box = el("div", { class: "nx-layers" });
    this.maps = {};
    this.toggles = { conv1: [], conv2: [] };
    LAYERS.forEach(function (layer) {
      var size = self.grid / SIZES[layer.name];
      var channels = layer.name.slice(-1) === "1" ? self.data.params.conv1 : self.data.params.conv2;
      var row = el("div", { class: "nx-layer" });
      row.appendChild(el("p", { class: "nx-title" }, layer.title + " (" + channels + " maps, " + size + "×" + size + ")"));
      var maps = el("div", { class: "nx-maps" });
      self.maps[layer.name] = [];
      for (var ch = 0; ch < channels; ch++) {
        var fig = el("figure", { class: "nx-figure" });
        var canvas = mapCanvas(size, layer.title + ", map " + (ch + 1) + ": arrows choose a unit, Enter explains it");
        canvas.layer = layer.name;
        canvas.channel = ch;
        canvas.cursor = [0, 0];
        self.bindMap(canvas);
        fig.appendChild(canvas);
        var caption = el("figcaption");
        if (layer.name === "conv1" || layer.name === "conv2") {
          var toggle = el("input", { type: "checkbox", id: uid("filter") });
          toggle.checked = true;
          toggle.addEventListener("change", self.onToggle.bind(self, layer.name, ch, toggle));
          var label = el("label", { for: toggle.id }, layer.name + " filter " + (ch + 1));
          caption.appendChild(toggle);
          caption.appendChild(label);
          self.toggles[layer.name].push(toggle);
        } else {
          caption.textContent = "map " + (ch + 1);
        }
        fig.appendChild(caption);
        maps.appendChild(fig);
        self.maps[layer.name].push(canvas);
      }
      row.appendChild(maps);
      box.appendChild(row);
    });
    return box;
  };

  Explorer.prototype.buildWhatIf = function () {
    var box = el("div", { class: "nx-whatif" });
    this.accuracyText = el("p", { class: "nx-accuracy", "aria-live": "polite" });
    box.appendChild(this.accuracyText);
    return box;
  };

  Explorer.prototype.buildAttribution = function () {
    var self = this;
    var box = el("div", { class: "nx-attribution" });
    var id = uid("attr");
    var field = el("div", { class: "nx-field" });
    this.attributionToggle = el("input", { type: "checkbox", id: id });
    field.appendChild(this.attributionToggle);
    field.appendChild(el("label", { for: id }, "Show where the network looks (saliency and occlusion)"));
    box.appendChild(field);
    this.attributionBox = el("div", { class: "nx-maps", hidden: "" });
    var size = this.grid, count = core.outputSize(size, OCCLUSION.size, 0, OCCLUSION.stride);
    this.saliencyCanvas = mapCanvas(size, "Saliency map: absolute gradient of the predicted class's score");
    this.occlusionCanvas = mapCanvas(count, "Occlusion map: drop of the predicted class's probability");
    [this.saliencyCanvas, this.occlusionCanvas].forEach(function (canvas) {
      canvas.removeAttribute("tabindex");
      var fig = el("figure", { class: "nx-figure nx-wide" });
      fig.appendChild(canvas);
      fig.appendChild(el("figcaption", {}, canvas === self.saliencyCanvas ? "saliency |∂ score / ∂ pixel|" :
        "occlusion: probability drop (" + OCCLUSION.size + "×" + OCCLUSION.size + " gray patch)"));
      self.attributionBox.appendChild(fig);
    });
    this.attributionText = el("p", { class: "nx-help", "aria-live": "polite" });
    box.appendChild(this.attributionBox);
    box.appendChild(this.attributionText);
    this.attributionToggle.addEventListener("change", function () {
      self.attributionBox.hidden = !self.attributionToggle.checked;
      self.updateAttribution();
    });
    return box;
  };

  // ---------------------------------------------------------------- input

  /** The pointer's place in grid cells, kept inside the grid (a stroke that leaves it runs along its edge). */
  Explorer.prototype.gridPoint = function (event) {
    var rect = this.canvas.getBoundingClientRect(), n = this.grid;
    var x = ((event.clientX - rect.left) / rect.width) * n, y = ((event.clientY - rect.top) / rect.height) * n;
    return [Math.min(Math.max(x, 0), n), Math.min(Math.max(y, 0), n)];
  };

  /** Start a new stroke at point: a drawn example in the grid gives way to the learner's own drawing. */
  Explorer.prototype.startStroke = function (point) {
    this.remember();
    if (this.state.example !== null) {
      this.state = { strokes: [], digit: null, shift: [0, 0], example: null };
      this.showPickers();
    }
    var stroke = [point];
    this.state.strokes.push(stroke);
    return stroke;
  };

  Explorer.prototype.bindPointer = function () {
    var self = this, drawing = null;
    this.canvas.style.touchAction = "none";
    this.canvas.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      self.canvas.focus();
      if (self.canvas.setPointerCapture) self.canvas.setPointerCapture(event.pointerId);
      drawing = self.startStroke(self.gridPoint(event));
      self.scheduleUpdate();
    });
    this.canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      drawing.push(self.gridPoint(event));
      self.scheduleUpdate();
    });
    function end() {
      if (!drawing) return;
      drawing = null;
      self.drawingNow = false;
      self.update();
    }
    this.canvas.addEventListener("pointerup", end);
    this.canvas.addEventListener("pointercancel", end);
  };

  Explorer.prototype.scheduleUpdate = function () {
    var self = this;
    this.drawingNow = true;
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(function () {
      self.pending = false;
      self.update();
    });
  };

  Explorer.prototype.remember = function () {
    this.history.push(JSON.stringify(this.state));
    if (this.history.length > 200) this.history.shift();
  };

  Explorer.prototype.undo = function () {
    if (!this.history.length) return;
    this.state = JSON.parse(this.history.pop());
    this.showPickers();
    this.update();
  };

  Explorer.prototype.clear = function () {
    this.remember();
    this.state = { strokes: [], digit: null, shift: [0, 0], example: null };
    this.showPickers();
    this.update();
  };

  Explorer.prototype.onGridKey = function (event) {
    var moves = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
    var move = moves[event.key];
    if (move && event.shiftKey) this.shiftInput(move);
    else if (move) {
      this.cursor[0] = Math.min(Math.max(this.cursor[0] + move[0], 0), this.grid - 1);
      this.cursor[1] = Math.min(Math.max(this.cursor[1] + move[1], 0), this.grid - 1);
      this.drawInput();
    } else if (event.key === " " || event.key === "Enter") {
      this.startStroke([this.cursor[0] + 0.5, this.cursor[1] + 0.5]);
      this.update();
    } else if (event.key === "Backspace") this.undo();
    else if (event.key === "Delete") this.clear();
    else return;
    // The theme turns pages with the arrow keys; inside the grid they move the cursor instead.
    event.preventDefault();
    event.stopPropagation();
  };

  /** Move the whole input (test digit and strokes) by one cell. */
  Explorer.prototype.shiftInput = function (move) {
    this.remember();
    this.state.shift = [this.state.shift[0] + move[0], this.state.shift[1] + move[1]];
    this.state.strokes = this.state.strokes.map(function (stroke) {
      return stroke.map(function (p) { return [p[0] + move[0], p[1] + move[1]]; });
    });
    this.update();
  };

  /** The chosen test digit, moved by state.shift (uint8, grid × grid), or null. */
  Explorer.prototype.testDigit = function () {
    if (this.state.digit === null) return null;
    var n = this.grid, out = new Uint8Array(n * n);
    var offset = this.state.digit * n * n, dx = this.state.shift[0], dy = this.state.shift[1];
    for (var r = 0; r < n; r++) {
      for (var c = 0; c < n; c++) {
        var sr = r - dy, sc = c - dx;
        if (sr >= 0 && sr < n && sc >= 0 && sc < n) out[r * n + c] = this.data.images[offset + sr * n + sc];
      }
    }
    return out;
  };

  /** The 28×28 uint8 input. A drawing alone is scaled and centred as the training digits were
   *  (ConvCore.prepare); strokes over a test digit (scaled and centred already) are inked where they
   *  were drawn, and each pixel keeps the larger of the two values. */
  Explorer.prototype.inputImage = function () {
    var digit = this.testDigit(), strokes = this.state.strokes;
    if (!digit) return strokes.length ? core.prepare(strokes, this.d) : new Uint8Array(this.grid * this.grid);
    if (strokes.length) {
      var drawn = core.prepare(strokes, this.d, false);
      for (var i = 0; i < digit.length; i++) digit[i] = Math.max(digit[i], drawn[i]);
    }
    return digit;
  };

  // ---------------------------------------------------------------- update and drawing

  Explorer.prototype.update = function () {
    var started = performance.now();
    this.image = this.inputImage();
    var x = new Float64Array(this.image.length), empty = true;
    for (var i = 0; i < x.length; i++) {
      x[i] = this.image[i] / 255;
      if (this.image[i]) empty = false;
    }
    this.x = x;
    this.empty = empty;
    this.layers = core.forward(this.params, x);
    this.redraw();
    this.timings.push(performance.now() - started);
    if (this.timings.length > 1000) this.timings.shift();
    if (!this.drawingNow) this.updateAttribution();
  };

  Explorer.prototype.redraw = function () {
    this.drawInput();
    this.drawLayers();
    this.drawBars();
    this.explainSelected();
  };

  Explorer.prototype.highlights = function (layer, channel) {
    var s = this.selected;
    if (!s) return [];
    var boxes = [];
    if (s.layer === "class") {
      if (layer === "pool2") boxes.push({ r0: 0, r1: this.grid / 4 - 1, c0: 0, c1: this.grid / 4 - 1, color: "#ff8c00" });
      return boxes;
    }
    var sameChannel = channel === s.channel || layer === "input";
    if (layer === s.layer && channel === s.channel) {
      boxes.push({ r0: s.row, r1: s.row, c0: s.col, c1: s.col, color: "#00b4ff" });
    }
    var below = LAYERS.filter(function (l) { return l.name === s.layer; })[0].below;
    var convBelow = s.layer === "conv2" && layer === "pool1";
    if (layer === below && (sameChannel || convBelow || layer === "input")) {
      var field = receptiveField(s.layer, s.row, s.col, below, this.grid);
      field.color = "#ff8c00";
      boxes.push(field);
    }
    if (layer === "input" && below !== "input") {
      var whole = receptiveField(s.layer, s.row, s.col, "input", this.grid);
      whole.color = "#ff8c00";
      boxes.push(whole);
    }
    return boxes;
  };

  /** Paint a grid × grid uint8 image (or black, for null) into canvas.small. */
  function paintGray(canvas, image) {
    var n = canvas.size, ctx = canvas.small.getContext("2d"), pixels = ctx.createImageData(n, n);
    for (var i = 0; i < n * n; i++) {
      pixels.data[4 * i] = pixels.data[4 * i + 1] = pixels.data[4 * i + 2] = image ? image[i] : 0;
      pixels.data[4 * i + 3] = 255;
    }
    ctx.putImageData(pixels, 0, 0);
  }

  /** The drawing as drawn (its strokes over the test digit, if one is chosen) and, beside it, the input. */
  Explorer.prototype.drawInput = function () {
    var n = this.grid, digit = this.testDigit();
    paintGray(this.canvas, digit);
    var boxes = [];
    if (document.activeElement === this.canvas) {
      boxes.push({ r0: this.cursor[1], r1: this.cursor[1], c0: this.cursor[0], c1: this.cursor[0], color: "#e040fb" });
    }
    drawScaled(this.canvas, boxes);
    var out = this.canvas.getContext("2d"), scale = this.canvas.width / n;
    out.strokeStyle = out.fillStyle = digit ? "rgba(255, 80, 80, 0.8)" : "#ffffff";
    out.lineWidth = scale * (digit ? 0.5 : 1);
    out.lineCap = out.lineJoin = "round";
    this.state.strokes.forEach(function (stroke) {
      out.beginPath();
      out.moveTo(stroke[0][0] * scale, stroke[0][1] * scale);
      stroke.forEach(function (p) { out.lineTo(p[0] * scale, p[1] * scale); });
      out.stroke();
    });
    paintGray(this.inputCanvas, this.image);
    drawScaled(this.inputCanvas, this.highlights("input", 0));
    this.inputCaption.textContent = digit
      ? "The stored test digit, with your strokes inked where you drew them."
      : this.state.strokes.length
        ? n + "×" + n + ": scaled and centred like the training digits, inked with a pen " + this.d.pen_width +
          " cells wide, counted in " + this.d.block + "×" + this.d.block + " blocks, enlarged."
        : "Nothing yet: draw in the grid on the left.";
  };

  Explorer.prototype.drawLayers = function () {
    var self = this;
    LAYERS.forEach(function (layer) {
      var t = self.layers[layer.name], top = largest(t);
      self.maps[layer.name].forEach(function (canvas, ch) {
        paintMap(canvas, t, ch, top, self.highlights(layer.name, ch));
      });
    });
  };

  Explorer.prototype.drawBars = function () {
    var p = this.layers.probabilities, best = core.argmax(p);
    for (var k = 0; k < this.bars.length; k++) {
      var bar = this.bars[k];
      var shown = this.empty ? 0 : p[k];
      bar.fill.style.width = (shown * 100).toFixed(2) + "%";
      bar.value.textContent = this.empty ? "–" : percent(p[k]);
      var predicted = !this.empty && k === best;
      bar.item.classList.toggle("nx-predicted", predicted);
      bar.item.setAttribute(
        "aria-label",
        "class " + k + ": " + (this.empty ? "no input" : percent(p[k])) + (predicted ? ", the prediction" : "")
      );
    }
    this.prediction = this.empty ? null : best;
    var runnerUp = best === 0 ? 1 : 0;
    for (k = 0; k < p.length; k++) if (k !== best && p[k] > p[runnerUp]) runnerUp = k;
    this.unsure = !this.empty && p[best] < UNSURE_BELOW;
    var verdict = this.unsure
      ? "The network is unsure: it says " + best + ", with probability only " + percent(p[best]) +
        "; next comes " + runnerUp + ", with " + percent(p[runnerUp]) + "."
      : "The network says " + best + ", with probability " + percent(p[best]) + ".";
    this.sentence.textContent = this.empty
      ? "The grid is empty: draw a digit or pick a test digit, and the network will say what it sees."
      : verdict + (this.state.digit !== null ? " The digit's label is " + this.data.labels[this.state.digit] + "." : "");
  };

  // ---------------------------------------------------------------- units

  Explorer.prototype.bindMap = function (canvas) {
    var self = this;
    canvas.addEventListener("click", function (event) {
      var rect = canvas.getBoundingClientRect();
      var col = Math.min(Math.floor(((event.clientX - rect.left) / rect.width) * canvas.size), canvas.size - 1);
      var row = Math.min(Math.floor(((event.clientY - rect.top) / rect.height) * canvas.size), canvas.size - 1);
      canvas.cursor = [row, col];
      self.select({ layer: canvas.layer, channel: canvas.channel, row: row, col: col });
    });
    canvas.addEventListener("keydown", function (event) {
      var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      var move = moves[event.key];
      if (move) {
        canvas.cursor = [
          Math.min(Math.max(canvas.cursor[0] + move[0], 0), canvas.size - 1),
          Math.min(Math.max(canvas.cursor[1] + move[1], 0), canvas.size - 1)
        ];
      }
      if (move || event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        event.stopPropagation();
        self.select({ layer: canvas.layer, channel: canvas.channel, row: canvas.cursor[0], col: canvas.cursor[1] });
      }
    });
  };

  Explorer.prototype.onBarKey = function (k, event) {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    this.select({ layer: "class", channel: k, row: 0, col: 0 });
  };

  Explorer.prototype.select = function (unit) {
    this.selected = unit;
    this.redraw();
    var result = this.explain.querySelector(".nx-result");
    this.announce.textContent =
      this.explain.querySelector(".nx-title").textContent + ": " + (result ? result.textContent : "");
  };

  /** The numbers behind the selected unit: {title, value, parts}. */
  Explorer.prototype.computation = function (unit) {
    var L = this.layers, P = this.params;
    if (unit.layer === "conv1") return this.convComputation(unit, L.input, P.W1, P.b1, P.conv1, L.z1, L.conv1);
    if (unit.layer === "conv2") return this.convComputation(unit, L.pool1, P.W2, P.b2, P.conv2, L.z2, L.conv2);
    if (unit.layer === "pool1") return this.poolComputation(unit, L.conv1, L.pool1);
    if (unit.layer === "pool2") return this.poolComputation(unit, L.conv2, L.pool2);
    return this.classComputation(unit.channel);
  };

  Explorer.prototype.convComputation = function (unit, below, weights, bias, count, z, out) {
    var cin = below.channels, channels = [], h = below.height, w = below.width;
    for (var ci = 0; ci < cin; ci++) {
      var windowValues = [], kernel = [], products = [], sum = 0;
      for (var u = 0; u < 3; u++) {
        for (var v = 0; v < 3; v++) {
          var y = unit.row + u - 1, x = unit.col + v - 1;
          var value = y >= 0 && y < h && x >= 0 && x < w ? below.values[(y * w + x) * cin + ci] : 0;
          var weight = weights[((unit.channel * 3 + u) * 3 + v) * cin + ci];
          windowValues.push(value);
          kernel.push(weight);
          products.push(value * weight);
          sum += value * weight;
        }
      }
      channels.push({ window: windowValues, kernel: kernel, products: products, sum: sum });
    }
    var at = (unit.row * w + unit.col) * count + unit.channel;
    return { kind: "conv", channels: channels, bias: bias[unit.channel], total: z.values[at], value: out.values[at] };
  };

  Explorer.prototype.poolComputation = function (unit, below, out) {
    var c = below.channels, candidates = [];
    for (var t = 0; t < 4; t++) {
      var y = 2 * unit.row + (t >> 1), x = 2 * unit.col + (t & 1);
      candidates.push(below.values[(y * below.width + x) * c + unit.channel]);
    }
    return { kind: "pool", candidates: candidates, value: out.values[(unit.row * out.width + unit.col) * c + unit.channel] };
  };

  Explorer.prototype.classComputation = function (k) {
    var flat = this.layers.pool2.values, n = flat.length, W = this.params.W3, terms = [];
    for (var i = 0; i < n; i++) terms.push({ index: i, value: W[k * n + i] * flat[i], weight: W[k * n + i], input: flat[i] });
    var top = terms.slice().sort(function (a, b) { return Math.abs(b.value) - Math.abs(a.value); }).slice(0, TOP_CONTRIBUTIONS);
    var chosen = {}, rest = 0;
    top.forEach(function (t) { chosen[t.index] = true; });
    terms.forEach(function (t) { if (!chosen[t.index]) rest += t.value; });
    return {
      kind: "class", klass: k, top: top, rest: rest, restCount: n - top.length, bias: this.params.b3[k],
      total: this.layers.logits[k], probability: this.layers.probabilities[k], channels: this.layers.pool2.channels,
      width: this.layers.pool2.width
    };
  };

  function grid3(values, caption) {
    var table = el("table", { class: "nx-table" });
    table.appendChild(el("caption", {}, caption));
    var body = el("tbody");
    for (var r = 0; r < 3; r++) {
      var tr = el("tr");
      for (var c = 0; c < 3; c++) {
        var td = el("td", { "data-value": String(values[r * 3 + c]) }, fmt(values[r * 3 + c], 2));
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    table.appendChild(body);
    return table;
  }

  function line(parts) {
    var p = el("p", { class: "nx-line" });
    parts.forEach(function (part) {
      p.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
    return p;
  }

  Explorer.prototype.explainSelected = function () {
    var unit = this.selected;
    if (!unit) return;
    var info = this.computation(unit);
    var box = this.explain;
    box.textContent = "";
    box.setAttribute("data-layer", unit.layer);
    var where = unit.layer === "class"
      ? "Score of class " + unit.channel
      : unit.layer + ", map " + (unit.channel + 1) + ", row " + unit.row + ", column " + unit.col;
    box.appendChild(el("p", { class: "nx-title" }, where));
    if (info.kind === "conv") this.explainConv(box, info, unit);
    else if (info.kind === "pool") this.explainPool(box, info);
    else this.explainClass(box, info);
  };

  Explorer.prototype.explainConv = function (box, info, unit) {
    var multi = info.channels.length > 1;
    var parts = el("div", { class: "nx-channels" });
    info.channels.forEach(function (ch, i) {
      var group = el("div", { class: "nx-channel" });
      var from = multi ? "pool1 map " + (i + 1) : "input";
      group.appendChild(grid3(ch.window, "window of " + from));
      group.appendChild(grid3(ch.kernel, "kernel" + (multi ? ", channel " + (i + 1) : "")));
      group.appendChild(grid3(ch.products, "window × kernel"));
      group.appendChild(line(["sum: ", numberSpan("nx-term", ch.sum)]));
      parts.appendChild(group);
    });
    box.appendChild(parts);
    var sum = 0;
    info.channels.forEach(function (ch) { sum += ch.sum; });
    if (multi) {
      var sums = info.channels.map(function (ch) { return fmt(ch.sum); }).join(" + ");
      box.appendChild(line(["sum over the " + info.channels.length + " channels: " + sums + " = " + fmt(sum)]));
    }
    box.appendChild(line([
      fmt(sum) + " + bias ", numberSpan("nx-bias", info.bias), " = ", numberSpan("nx-total", info.total)
    ]));
    box.appendChild(line([
      "ReLU: max(0, " + fmt(info.total) + ") = ", numberSpan("nx-result", info.value),
      " (the value of " + unit.layer + " here)"
    ]));
  };

  Explorer.prototype.explainPool = function (box, info) {
    var parts = ["the four candidates "];
    info.candidates.forEach(function (value, i) {
      parts.push(numberSpan("nx-candidate", value));
      if (i < 3) parts.push(", ");
    });
    box.appendChild(line(parts));
    box.appendChild(line(["the largest: ", numberSpan("nx-result", info.value)]));
  };

  Explorer.prototype.explainClass = function (box, info) {
    var list = el("ul", { class: "nx-terms" });
    var c = info.channels, w = info.width;
    info.top.forEach(function (t) {
      var ch = t.index % c, cell = Math.floor(t.index / c);
      list.appendChild(el("li"));
      list.lastChild.appendChild(line([
        "pool2 map " + (ch + 1) + " (row " + Math.floor(cell / w) + ", column " + (cell % w) + "): " +
          fmt(t.input) + " × weight " + fmt(t.weight) + " = ", numberSpan("nx-term", t.value)
      ]));
    });
    box.appendChild(el("p", {}, "The " + TOP_CONTRIBUTIONS + " largest contributions (pool2 value × weight):"));
    box.appendChild(list);
    box.appendChild(line(["the other " + info.restCount + " together: ", numberSpan("nx-term", info.rest)]));
    box.appendChild(line(["+ bias ", numberSpan("nx-bias", info.bias), " = score (logit) ", numberSpan("nx-total", info.total)]));
    box.appendChild(line(["softmax over the ten scores: probability ", numberSpan("nx-result", info.probability)]));
  };

  // ---------------------------------------------------------------- what if

  Explorer.prototype.onToggle = function (layer, ch, toggle) {
    var list = this.off[layer].filter(function (i) { return i !== ch; });
    if (!toggle.checked) list.push(ch);
    this.off[layer] = list.sort();
    this.params = core.withFiltersOff(this.data.params, this.off.conv1, this.off.conv2);
    this.update();
    this.updateAccuracy();
  };

  /** Accuracy over the stored test digits, with every filter and with the current ones; computed
   *  after the maps are painted, since it runs the network on every stored digit. */
  Explorer.prototype.updateAccuracy = function () {
    var self = this;
    var ticket = (this.accuracyTicket = (this.accuracyTicket || 0) + 1);
    this.accuracyPending = true;
    this.accuracyText.textContent = "Computing the accuracy on the stored test digits…";
    setTimeout(function () {
      if (ticket !== self.accuracyTicket) return;
      var data = self.data, off = self.off.conv1.length + self.off.conv2.length;
      if (!self.baseline) self.baseline = core.accuracy(core.predictAll(data.params, data.images), data.labels);
      var all = self.baseline;
      var now = off ? core.accuracy(core.predictAll(self.params, data.images), data.labels) : all;
      self.current = now;
      self.accuracyPending = false;
      self.accuracyText.textContent =
        "Accuracy on the " + all.total + " stored test digits: " + percent(all.fraction) + " (" + all.correct +
        " right) with every filter; " + (off ? percent(now.fraction) + " (" + now.correct + " right) with the " +
        off + " filter" + (off > 1 ? "s" : "") + " you switched off." : "switch a filter off to compare.");
    }, 30);
  };

  // ---------------------------------------------------------------- attribution

  Explorer.prototype.updateAttribution = function () {
    if (!this.attributionToggle || !this.attributionToggle.checked) return;
    if (this.empty) {
      this.attribution = null;
      this.attributionText.textContent = "Draw a digit first: an empty grid has nothing to attribute.";
      return;
    }
    var label = core.argmax(this.layers.logits);
    var gradient = core.inputGradient(this.params, this.x, label);
    var occlusion = core.occlusionMap(this.params, this.x, label, OCCLUSION.size, OCCLUSION.stride, OCCLUSION.value);
    this.attribution = { label: label, gradient: gradient, occlusion: occlusion };
    var saliency = core.tensor(this.grid, this.grid, 1, gradient.map(Math.abs));
    paintMap(this.saliencyCanvas, saliency, 0, largest(saliency), []);
    paintDiverging(this.occlusionCanvas, occlusion.values, this.data.colours);
    this.attributionText.textContent =
      "For class " + label + ". Saliency: bright pixels change the score most. Occlusion: orange where covering " +
      "the patch lowers the probability, purple where it raises it.";
  };

  /** Signed values on the figures' diverging map: stops (from the data file, most negative first,
   *  evenly spaced) from −largest |value| to +largest |value|, linearly between them. */
  function paintDiverging(canvas, values, stops) {
    var size = canvas.size, ctx = canvas.small.getContext("2d"), pixels = ctx.createImageData(size, size), big = 0, i;
    for (i = 0; i < values.length; i++) big = Math.max(big, Math.abs(values[i]));
    for (i = 0; i < values.length; i++) {
      var at = ((big > 0 ? values[i] / big : 0) + 1) / 2 * (stops.length - 1);
      var k = Math.min(Math.floor(at), stops.length - 2), f = at - k;
      var color = [0, 1, 2].map(function (c) { return Math.round(stops[k][c] + f * (stops[k + 1][c] - stops[k][c])); });
      pixels.data[4 * i] = color[0];
      pixels.data[4 * i + 1] = color[1];
      pixels.data[4 * i + 2] = color[2];
      pixels.data[4 * i + 3] = 255;
    }
    ctx.putImageData(pixels, 0, 0);
    drawScaled(canvas, []);
  }

  // ---------------------------------------------------------------- start

  var explorers = [];
  var failure = null;

  function start() {
    var roots = document.querySelectorAll("[data-network-explorer]");
    if (!roots.length) return;
    var data;
    try {
      data = loadData(window.NETWORK_EXPLORER_DATA);
    } catch (error) {
      failure = "The network explorer could not load its data file (" + error.message + "); " +
        "reload the page, or rebuild the site if it persists.";
      for (var j = 0; j < roots.length; j++) {
        roots[j].textContent = "";
        roots[j].appendChild(el("p", { class: "nx-error", role: "alert" }, failure));
      }
      return;
    }
    for (var i = 0; i < roots.length; i++) explorers.push(new Explorer(roots[i], data));
  }

  function arrays(layers) {
    var out = {};
    ["input", "conv1", "pool1", "conv2", "pool2"].forEach(function (name) {
      out[name] = Array.from(layers[name].values);
    });
    out.logits = Array.from(layers.logits);
    out.probabilities = Array.from(layers.probabilities);
    return out;
  }

  window.networkExplorer = {
    failure: function () { return built() && failure; },
    explorer: function (i) { return built()[i || 0]; },
    ready: function () { return built().length > 0; },
    layers: function () {
      var e = built()[0];
      return arrays(e.layers);
    },
    layersOf: function (indices) {
      var e = built()[0], n = e.grid * e.grid;
      return indices.map(function (index) {
        var x = new Float64Array(n);
        for (var i = 0; i < n; i++) x[i] = e.data.images[index * n + i] / 255;
        return arrays(core.forward(e.data.params, x));
      });
    },
    predictions: function (off1, off2) {
      var e = built()[0];
      return Array.from(core.predictAll(core.withFiltersOff(e.data.params, off1, off2), e.data.images));
    },
    state: function () {
      var e = built()[0];
      return {
        strokes: e.state.strokes, digit: e.state.digit, shift: e.state.shift, example: e.state.example,
        image: Array.from(e.image), empty: e.empty, prediction: e.prediction, unsure: e.unsure,
        accuracy: e.current, accuracyPending: e.accuracyPending, baseline: e.baseline, off: e.off
      };
    },
    attribution: function () {
      var a = built()[0].attribution;
      return a && { label: a.label, gradient: Array.from(a.gradient), occlusion: Array.from(a.occlusion.values) };
    },
    weights: function () {
      var params = built()[0].data.params, out = {};
      ["W1", "b1", "W2", "b2", "W3", "b3"].forEach(function (name) { out[name] = Array.from(params[name]); });
      return out;
    },
    timings: function () { return built()[0].timings.slice(); }
  };

  // The explorer builds itself when it comes near the screen, or as soon as a
  // script asks for it through window.networkExplorer, not while the page loads: a phone
  // shows the text first, and a reader who never scrolls to it pays nothing.
  var started = false;
  function built() {
    if (!started) {
      started = true;
      fetchData(start);
    }
    return explorers;
  }
  // The data file (the weights and the test digits) is large: it is fetched only
  // now, from the address the page gives; a file that fails to load or to run
  // leaves NETWORK_EXPLORER_DATA unset, and start() says so on the page.
  function fetchData(then) {
    var address = window.NETWORK_EXPLORER_DATA_ADDRESS;
    if (window.NETWORK_EXPLORER_DATA || !address) return then();
    var script = document.createElement("script");
    script.src = address;
    script.onload = script.onerror = then;
    document.head.appendChild(script);
  }
  core.whenNear("[data-network-explorer]", built);
})();
