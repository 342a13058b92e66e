/*
 * Network explorer of course module 9.2.2, part 3: the view.
 *
 * The exercise-III network with the weights of tiny_cnn_weights.npz, which reach the page as
 * window.NETWORK_EXPLORER_DATA (written at build time by coursesite/network_data.py, checked
 * by ConvCore.checkNetworkData). Every number shown comes from ConvCore: the drawing becomes
 * the input as in convviz/drawing.py (drawing.js), every layer is ConvCore.forward, the twin of
 * convviz.tiny_cnn.forward_layers (core.js), and what a unit computes and sees is
 * network_units.js. The page helpers are window.CourseViews (views.js). window.networkExplorer
 * exposes the numbers for the tests.
 *
 * Panels. The explorer shows the drawing and the class probabilities, the maps of every layer,
 * the computation of a chosen unit and the accuracy with filters switched off; further panels
 * come from their own scripts through window.NetworkExplorerPanels.add({name, build, update}):
 *   build(explorer)          -> the panel's element, placed below the others;
 *   update(explorer, reason) after every forward pass: reason is "input" (a new input),
 *                            "drawing" (a stroke is being drawn: skip slow work until the next
 *                            "input") or "network" (other weights: explorer.setNetwork).
 * A panel reads explorer.layers (the forward pass of the input), explorer.x (the input, 0-1),
 * explorer.image (the input as 0-255), explorer.empty, explorer.params (the network in use:
 * explorer.network with the switched-off filters zeroed), explorer.data (the checked data
 * file: test digits, drawing constants, colours), and names its pictures in explorer.pictures
 * (name -> CourseViews.mapView) and its numbers in explorer.results[panel name] (the tests read
 * both). network_attribution.js is such a panel;
 * network_training.js calls explorer.setNetwork(params, baseline) with the weights it trains or loads.
 */
(function () {
  "use strict";

  var core = window.ConvCore;
  var views = window.CourseViews;
  var el = views.el;
  var MAP_PIXELS = 112; // every map is drawn this many canvas pixels wide
  var TOP_CONTRIBUTIONS = 8;
  var UNSURE_BELOW = 0.5; // a top probability below this: the sentence names the two most likely digits
  var CURSOR_COLOUR = "#e040fb";
  /** What the explorer needs of the browser (CourseViews.missing), and what a reader can do without it. */
  var NEEDS = ["canvas", "pointer events"];
  var WITHOUT = "draw with the keyboard instead (focus the grid, arrows move, Space paints).";

  /** Panels added by other scripts (see the top of this file), in the order they were added. */
  var panels = [];

  function fmt(v, digits) {
    return core.formatNumber(v, digits === undefined ? 4 : digits);
  }

  function numberSpan(cls, value, digits) {
    return el("span", { class: cls, "data-value": String(value) }, fmt(value, digits));
  }

  function emptyState() {
    return { strokes: [], digit: null, shift: [0, 0], example: null };
  }

  // ---------------------------------------------------------------- the explorer

  function Explorer(root, data) {
    this.root = root;
    this.data = data;
    this.d = data.drawing;
    this.grid = data.drawing.grid;
    // What the reader put in the grid: a drawn example (the explorer opens with one; the
    // first stroke drawn replaces it), a stored test digit moved by shift, strokes.
    this.state = { strokes: data.examples[0].strokes, digit: null, shift: [0, 0], example: 0 };
    this.history = [];
    this.cursor = [Math.floor(this.grid / 2), Math.floor(this.grid / 2)];
    this.pointers = new core.PointerStrokes();
    this.drawingNow = false;
    this.normalise = true; // a drawing is scaled and centred as the training digits were
    this.off = { conv1: [], conv2: [] };
    this.selected = null;
    this.timings = [];
    this.network = data.params;
    this.params = data.params;
    this.baseline = null;
    this.panels = [];
    this.pictures = {}; // name -> the CourseViews.mapView a picture is painted in (for the tests)
    this.results = {}; // a panel's name -> the numbers it shows, {name: number or typed array} (for the tests)
    this.build();
    this.update();
    this.updateAccuracy();
  }

  /**
   * The stage holds cause and effect together (explorer.css lays it out): .nx-top, the drawing
   * and the probabilities; .nx-middle, the help and the pickers (.nx-controls) above the maps
   * (.nx-layers); .nx-side, the panels placed "beside" (the attribution maps) above the
   * explanation of the unit asked. On a wide screen the three stand side by side within the
   * screen's height, the maps and the explanation scrolling inside their columns; on a phone
   * the probabilities follow the drawing, and asking a unit scrolls its explanation into view.
   */
  Explorer.prototype.build = function () {
    this.root.textContent = "";
    this.root.classList.add("nx");
    var stage = el("div", { class: "nx-stage" });
    var top = el("div", { class: "nx-top" });
    top.appendChild(this.buildInput());
    top.appendChild(this.buildOutput());
    stage.appendChild(top);
    var middle = el("div", { class: "nx-middle" });
    middle.appendChild(this.controls);
    middle.appendChild(this.buildLayers());
    stage.appendChild(middle);
    this.side = el("div", { class: "nx-side" });
    this.beside = el("div", { class: "nx-beside" });
    this.side.appendChild(this.beside);
    // Focusable: on a wide screen the explanation scrolls inside its box, and the keys scroll it.
    this.explain = el("div", { class: "nx-explain", tabindex: "0", role: "region", "aria-label": "The unit asked" });
    this.explain.appendChild(el("p", {}, "Click a unit of any map (or focus a map and press Enter) to see its computation."));
    this.side.appendChild(this.explain);
    stage.appendChild(this.side);
    this.root.appendChild(stage);
    this.announce = el("p", { class: "nx-visually-hidden", "aria-live": "polite" });
    this.root.appendChild(this.announce);
    this.root.appendChild(this.buildWhatIf());
    var self = this;
    panels.forEach(function (panel) { self.addPanel(panel); });
  };

  /** Build panel into this explorer (see the top of this file) and bring it up to date: a panel
   *  with place "beside" goes beside the maps, above the explanation; the others below. */
  Explorer.prototype.addPanel = function (panel) {
    this.panels.push(panel);
    var box = panel.build(this);
    if (panel.place === "beside") this.beside.appendChild(box);
    else this.root.appendChild(box);
    if (this.layers && panel.update) panel.update(this, "input");
  };

  Explorer.prototype.tellPanels = function (reason) {
    var self = this;
    this.panels.forEach(function (panel) { if (panel.update) panel.update(self, reason); });
  };

  /**
   * Use other weights (same shapes as the data file's): every layer, the accuracy and the panels
   * follow. baseline, if known, is their accuracy on the stored test digits (ConvCore.accuracy of
   * these very weights, as a training worker measures it): the page need not compute it again.
   */
  Explorer.prototype.setNetwork = function (params, baseline) {
    this.network = params;
    this.params = core.withFiltersOff(this.network, this.off.conv1, this.off.conv2);
    this.baseline = baseline || null;
    this.update("network");
    this.updateAccuracy();
  };

  // ---------------------------------------------------------------- the drawing and the pickers

  Explorer.prototype.buildInput = function () {
    var self = this;
    var box = el("div", { class: "nx-input" });
    var pair = el("div", { class: "nx-pair" });
    var drawn = el("figure", { class: "nx-drawn" }), id = views.uid("nx-grid"), helpId = views.uid("nx-help");
    drawn.appendChild(el("p", { class: "nx-title", id: id }, "Your drawing"));
    this.gridView = views.mapView(this.grid, this.grid * 10, {
      class: "nx-grid",
      tabindex: "0",
      role: "application",
      "aria-labelledby": id,
      "aria-describedby": helpId,
      "aria-roledescription": "drawing grid"
    });
    this.canvas = this.gridView.canvas;
    this.pictures.grid = this.gridView;
    drawn.appendChild(this.canvas);
    pair.appendChild(drawn);
    var seen = el("figure", { class: "nx-seen" }), seenId = views.uid("nx-input");
    seen.appendChild(el("p", { class: "nx-title", id: seenId }, "What the network gets"));
    this.inputView = views.mapView(this.grid, this.grid * 6, { class: "nx-input-map", role: "img", "aria-labelledby": seenId });
    this.pictures.input = this.inputView;
    seen.appendChild(this.inputView.canvas);
    this.inputCaption = el("figcaption", { class: "nx-help" });
    seen.appendChild(this.inputCaption);
    pair.appendChild(seen);
    box.appendChild(pair);
    var buttons = el("div", { class: "nx-buttons" });
    this.undoButton = el("button", { type: "button" }, "Undo");
    this.clearButton = el("button", { type: "button" }, "Clear");
    buttons.appendChild(this.undoButton);
    buttons.appendChild(this.clearButton);
    box.appendChild(buttons);
    // The help and the pickers sit apart from the drawing (this.controls, placed by build).
    var controls = (this.controls = el("div", { class: "nx-controls" }));
    controls.appendChild(el("p", { class: "nx-help", id: helpId },
      "Draw with the mouse, a pen or a finger, any size, anywhere in the grid. Keys: arrows move the cursor, " +
        "Space paints, Shift+arrows move the drawing, Backspace undoes, Delete clears."));
    this.examplePick = el("select");
    this.examplePick.appendChild(el("option", { value: "" }, "none"));
    this.data.examples.forEach(function (example, i) {
      self.examplePick.appendChild(el("option", { value: String(i) }, example.name));
    });
    controls.appendChild(views.field("Drawn digit", this.examplePick, "nx-field"));
    this.pick = el("select");
    this.pick.appendChild(el("option", { value: "" }, "none (draw your own)"));
    for (var i = 0; i < this.data.labels.length; i++) {
      this.pick.appendChild(el("option", { value: String(i) }, "No. " + i + ": a " + this.data.labels[i]));
    }
    controls.appendChild(views.field("Test digit", this.pick, "nx-field"));
    // The size normalisation can be switched off, to see what the network makes of a drawing as drawn.
    this.normaliseBox = el("input", { type: "checkbox", id: views.uid("nx-normalise") });
    this.normaliseBox.checked = true;
    var normaliseField = el("div", { class: "nx-field" });
    normaliseField.appendChild(this.normaliseBox);
    normaliseField.appendChild(el("label", { for: this.normaliseBox.id }, "Scale and centre my drawing, as the training digits were"));
    controls.appendChild(normaliseField);
    this.normaliseBox.addEventListener("change", function () {
      self.normalise = self.normaliseBox.checked;
      self.update();
    });
    this.showPickers();
    this.undoButton.addEventListener("click", function () { self.undo(); });
    this.clearButton.addEventListener("click", function () { self.clear(); });
    this.pick.addEventListener("change", function () {
      var state = emptyState();
      state.digit = self.pick.value === "" ? null : Number(self.pick.value);
      self.replaceState(state);
    });
    this.examplePick.addEventListener("change", function () {
      var state = emptyState();
      state.example = self.examplePick.value === "" ? null : Number(self.examplePick.value);
      if (state.example !== null) state.strokes = self.data.examples[state.example].strokes;
      self.replaceState(state);
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

  /** Put state in the grid (undo brings the previous one back). */
  Explorer.prototype.replaceState = function (state) {
    this.remember();
    this.pointers.clear();
    this.state = state;
    this.showPickers();
    this.update();
  };

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
      this.state = emptyState();
      this.showPickers();
    }
    var stroke = [point];
    this.state.strokes.push(stroke);
    return stroke;
  };

  /** Every pointer (mouse, pen, each finger) draws its own stroke (ConvCore.PointerStrokes). */
  Explorer.prototype.bindPointer = function () {
    var self = this, canvas = this.canvas;
    canvas.style.touchAction = "none";
    canvas.addEventListener("pointerdown", function (event) {
      if (event.button !== 0) return;
      event.preventDefault();
      canvas.focus({ preventScroll: true }); // a stroke never moves the page under the pen
      try {
        canvas.setPointerCapture(event.pointerId);
      } catch {
        // A pointer the browser no longer tracks: the stroke is drawn all the same.
      }
      self.pointers.start(event.pointerId, self.startStroke(self.gridPoint(event)));
      self.scheduleUpdate();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (self.pointers.add(event.pointerId, self.gridPoint(event))) self.scheduleUpdate();
    });
    function end(event) {
      if (!self.pointers.end(event.pointerId)) return;
      self.drawingNow = self.pointers.drawing();
      if (!self.drawingNow) self.update();
    }
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  };

  /** One update per frame while strokes are drawn; attribution and other slow panels wait for the end. */
  Explorer.prototype.scheduleUpdate = function () {
    var self = this;
    this.drawingNow = true;
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(function () {
      self.pending = false;
      self.update(self.drawingNow ? "drawing" : "input");
    });
  };

  Explorer.prototype.remember = function () {
    this.history.push(JSON.stringify(this.state));
    if (this.history.length > 200) this.history.shift();
  };

  Explorer.prototype.undo = function () {
    if (!this.history.length) return;
    this.pointers.clear();
    this.state = JSON.parse(this.history.pop());
    this.showPickers();
    this.update();
  };

  Explorer.prototype.clear = function () {
    this.replaceState(emptyState());
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
    this.state.strokes = core.shiftStrokes(this.state.strokes, move);
    this.update();
  };

  // ---------------------------------------------------------------- the probabilities

  Explorer.prototype.buildOutput = function () {
    var box = el("div", { class: "nx-output" });
    box.appendChild(el("p", { class: "nx-title" }, "Class probabilities (softmax)"));
    this.bars = [];
    var list = el("ol", { class: "nx-bars", start: "0" });
    for (var k = 0; k < this.data.params.classes; k++) {
      var item = el("li", { class: "nx-bar", tabindex: "0", "data-class": String(k) });
      var track = el("span", { class: "nx-bar-track" });
      var fill = el("span", { class: "nx-bar-fill" });
      track.appendChild(fill);
      var value = el("span", { class: "nx-bar-value" });
      item.appendChild(el("span", { class: "nx-bar-name" }, String(k)));
      item.appendChild(track);
      item.appendChild(value);
      item.addEventListener("click", this.select.bind(this, { layer: "class", channel: k, row: 0, col: 0 }));
      item.addEventListener("keydown", this.onBarKey.bind(this, k));
      list.appendChild(item);
      this.bars.push({ item: item, fill: fill, value: value });
    }
    // The verdict comes first, right under the title: on a short screen it stays in view.
    this.sentence = el("p", { class: "nx-sentence", role: "status" });
    box.appendChild(this.sentence);
    box.appendChild(list);
    return box;
  };

  Explorer.prototype.onBarKey = function (k, event) {
    if (event.key !== "Enter" && event.key !== " ") return;
    event.preventDefault();
    this.select({ layer: "class", channel: k, row: 0, col: 0 });
  };

  // ---------------------------------------------------------------- the maps of every layer

  Explorer.prototype.buildLayers = function () {
    var self = this;
    var box = el("div", { class: "nx-layers" });
    this.maps = {};
    this.toggles = { conv1: [], conv2: [] };
    core.LAYERS.forEach(function (layer) {
      var size = self.grid / core.SHRINK[layer.name];
      var channels = layer.name.slice(-1) === "1" ? self.data.params.conv1 : self.data.params.conv2;
      var row = el("div", { class: "nx-layer" });
      row.appendChild(el("p", { class: "nx-title" }, layer.title + " (" + channels + " maps, " + size + "×" + size + ")"));
      var maps = el("div", { class: "nx-maps" });
      self.maps[layer.name] = [];
      for (var ch = 0; ch < channels; ch++) {
        var fig = el("figure", { class: "nx-figure" });
        var map = {
          layer: layer.name, channel: ch, cursor: [0, 0],
          view: views.mapView(size, MAP_PIXELS, {
            tabindex: "0", role: "img", class: "nx-map",
            "aria-label": layer.title + ", map " + (ch + 1) + ": arrows choose a unit, Enter explains it"
          })
        };
        self.bindMap(map);
        fig.appendChild(map.view.canvas);
        var caption = el("figcaption");
        if (layer.name === "conv1" || layer.name === "conv2") {
          var toggle = el("input", { type: "checkbox", id: views.uid("nx-filter") });
          toggle.checked = true;
          toggle.addEventListener("change", self.onToggle.bind(self, layer.name, ch, toggle));
          caption.appendChild(toggle);
          caption.appendChild(el("label", { for: toggle.id }, layer.name + " filter " + (ch + 1)));
          self.toggles[layer.name].push(toggle);
        } else {
          caption.textContent = "map " + (ch + 1);
        }
        fig.appendChild(caption);
        maps.appendChild(fig);
        self.maps[layer.name].push(map);
      }
      row.appendChild(maps);
      box.appendChild(row);
    });
    return box;
  };

  /** Click a unit, or move a map's cursor with the arrows and press Enter: its computation is explained. */
  Explorer.prototype.bindMap = function (map) {
    var self = this, canvas = map.view.canvas, size = map.view.size;
    function choose() {
      self.select({ layer: map.layer, channel: map.channel, row: map.cursor[0], col: map.cursor[1] });
    }
    canvas.addEventListener("click", function (event) {
      var rect = canvas.getBoundingClientRect();
      map.cursor = [
        Math.min(Math.floor(((event.clientY - rect.top) / rect.height) * size), size - 1),
        Math.min(Math.floor(((event.clientX - rect.left) / rect.width) * size), size - 1)
      ];
      choose();
    });
    canvas.addEventListener("keydown", function (event) {
      var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
      var move = moves[event.key];
      if (move) {
        map.cursor = [
          Math.min(Math.max(map.cursor[0] + move[0], 0), size - 1),
          Math.min(Math.max(map.cursor[1] + move[1], 0), size - 1)
        ];
      }
      if (move || event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        event.stopPropagation();
        choose();
      }
    });
  };

  // ---------------------------------------------------------------- what if: filters switched off

  Explorer.prototype.buildWhatIf = function () {
    var box = el("div", { class: "nx-whatif" });
    this.accuracyText = el("p", { class: "nx-accuracy", "aria-live": "polite" });
    box.appendChild(this.accuracyText);
    return box;
  };

  Explorer.prototype.onToggle = function (layer, ch, toggle) {
    var list = this.off[layer].filter(function (i) { return i !== ch; });
    if (!toggle.checked) list.push(ch);
    this.off[layer] = core.sortedNumbers(list);
    this.params = core.withFiltersOff(this.network, this.off.conv1, this.off.conv2);
    this.update();
    this.updateAccuracy();
  };

  /** Accuracy over the stored test digits, with every filter and with the current ones; computed
   *  after the maps are painted, since it runs the network on every stored digit. */
  Explorer.prototype.updateAccuracy = function () {
    var self = this;
    var ticket = (this.accuracyTicket = (this.accuracyTicket || 0) + 1);
    this.accuracyPending = true;
    // Weights whose accuracy is known (a training panel's) keep the sentence in place: nothing to compute.
    if (!this.baseline || this.off.conv1.length + this.off.conv2.length) {
      this.accuracyText.textContent = "Computing the accuracy on the stored test digits…";
    }
    setTimeout(function () {
      if (ticket !== self.accuracyTicket) return;
      var data = self.data, off = self.off.conv1.length + self.off.conv2.length;
      if (!self.baseline) self.baseline = core.accuracy(core.predictAll(self.network, data.images), data.labels);
      var all = self.baseline;
      var now = off ? core.accuracy(core.predictAll(self.params, data.images), data.labels) : all;
      self.current = now;
      self.accuracyPending = false;
      self.accuracyText.textContent =
        "Accuracy on the " + all.total + " stored test digits: " + core.percent(all.fraction) + " (" + all.correct +
        " right) with every filter; " + (off ? core.percent(now.fraction) + " (" + now.correct + " right) with the " +
        off + " filter" + (off > 1 ? "s" : "") + " you switched off." : "switch a filter off to compare.");
    }, 30);
  };

  // ---------------------------------------------------------------- update and drawing

  /** The input from the grid, every layer, every map and bar, the panels. */
  Explorer.prototype.update = function (reason) {
    var started = performance.now();
    this.image = core.inputImage(this.state, this.data.images, this.d, this.normalise);
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
    this.tellPanels(reason || (this.drawingNow ? "drawing" : "input"));
  };

  Explorer.prototype.redraw = function () {
    this.drawInput();
    this.drawLayers();
    this.drawBars();
    this.explainSelected();
  };

  /** The boxes outlined on map channel of layer for the selected unit (ConvCore.highlights). */
  Explorer.prototype.highlights = function (layer, channel) {
    return core.highlights(this.selected, layer, channel, this.grid);
  };

  /** The drawing as drawn (its strokes over the test digit, if one is chosen) and, beside it, the input. */
  Explorer.prototype.drawInput = function () {
    var n = this.grid, digit = this.state.digit !== null;
    var under = digit ? core.shiftImage(this.data.images.subarray(this.state.digit * n * n, (this.state.digit + 1) * n * n), n,
      this.state.shift) : new Uint8Array(n * n);
    var boxes = [];
    if (document.activeElement === this.canvas) {
      boxes.push({ r0: this.cursor[1], r1: this.cursor[1], c0: this.cursor[0], c1: this.cursor[0], color: CURSOR_COLOUR });
    }
    views.paintMap(this.gridView, core.grayRgba(under), boxes);
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
    views.paintMap(this.inputView, core.grayRgba(this.image), this.highlights("input", 0));
    this.inputCaption.textContent = digit
      ? "The stored test digit, with your strokes inked where you drew them."
      : this.state.strokes.length
        ? n + "×" + n + ": " + (this.normalise ? "scaled and centred like the training digits, " : "as drawn (not scaled or centred), ") +
          "inked with a pen " + this.d.pen_width + " cells wide, counted in " + this.d.block + "×" + this.d.block +
          " blocks, enlarged."
        : "Nothing yet: draw in the grid on the left.";
  };

  Explorer.prototype.drawLayers = function () {
    var self = this;
    core.LAYERS.forEach(function (layer) {
      var t = self.layers[layer.name], top = core.largest(t.values);
      self.maps[layer.name].forEach(function (map) {
        var rgba = core.grayRgba(core.scaledLevels(t, map.channel, top));
        views.paintMap(map.view, rgba, self.highlights(layer.name, map.channel));
      });
    });
  };

  Explorer.prototype.drawBars = function () {
    var p = this.layers.probabilities, said = core.verdict(p, UNSURE_BELOW), best = said.best;
    for (var k = 0; k < this.bars.length; k++) {
      var bar = this.bars[k];
      bar.fill.style.width = ((this.empty ? 0 : p[k]) * 100).toFixed(2) + "%";
      bar.value.textContent = this.empty ? "–" : core.percent(p[k]);
      var predicted = !this.empty && k === best;
      bar.item.classList.toggle("nx-predicted", predicted);
      bar.item.setAttribute(
        "aria-label",
        "class " + k + ": " + (this.empty ? "no input" : core.percent(p[k])) + (predicted ? ", the prediction" : "")
      );
    }
    this.prediction = this.empty ? null : best;
    this.unsure = !this.empty && said.unsure;
    var verdict = this.unsure
      ? "The network is unsure: it says " + best + ", with probability only " + core.percent(p[best]) +
        "; next comes " + said.runnerUp + ", with " + core.percent(p[said.runnerUp]) + "."
      : "The network says " + best + ", with probability " + core.percent(p[best]) + ".";
    this.sentence.textContent = this.empty
      ? "The grid is empty: draw a digit or pick a test digit, and the network will say what it sees."
      : verdict + (this.state.digit !== null ? " The digit's label is " + this.data.labels[this.state.digit] + "." : "");
  };

  // ---------------------------------------------------------------- a unit explains itself

  Explorer.prototype.select = function (unit) {
    this.selected = unit;
    this.redraw();
    this.markSelectedMap();
    var result = this.explain.querySelector(".nx-result");
    this.announce.textContent =
      this.explain.querySelector(".nx-title").textContent + ": " + (result ? result.textContent : "");
    this.showExplanation();
  };

  /** The map (or class bar) of the unit asked is marked, every other one unmarked. */
  Explorer.prototype.markSelectedMap = function () {
    var unit = this.selected;
    var self = this;
    core.LAYERS.forEach(function (layer) {
      self.maps[layer.name].forEach(function (map) {
        var chosen = !!unit && unit.layer === layer.name && unit.channel === map.channel;
        map.view.canvas.parentNode.classList.toggle("nx-chosen", chosen);
      });
    });
    this.bars.forEach(function (bar, k) {
      bar.item.classList.toggle("nx-chosen", !!unit && unit.layer === "class" && unit.channel === k);
    });
  };

  /** Scroll the explanation just into view when it is not (on a phone it lies below the maps). */
  Explorer.prototype.showExplanation = function () {
    var box = this.explain.getBoundingClientRect();
    var header = document.querySelector(".bd-header");
    var top = header ? header.getBoundingClientRect().bottom : 0;
    var bottom = window.innerHeight || document.documentElement.clientHeight;
    if (box.top >= top && box.top + Math.min(box.height, 160) <= bottom) return;
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    window.scrollBy({ top: box.top - top - 8, behavior: reduce ? "auto" : "smooth" });
  };

  /** The numbers behind a unit: ConvCore.computation on the current layers. */
  Explorer.prototype.computation = function (unit) {
    return core.computation(unit, this.layers, this.params, TOP_CONTRIBUTIONS);
  };

  function grid3(values, caption) {
    var table = el("table", { class: "nx-table" });
    table.appendChild(el("caption", {}, caption));
    var body = el("tbody");
    for (var r = 0; r < 3; r++) {
      var tr = el("tr");
      for (var c = 0; c < 3; c++) tr.appendChild(el("td", { "data-value": String(values[r * 3 + c]) }, fmt(values[r * 3 + c], 2)));
      body.appendChild(tr);
    }
    table.appendChild(body);
    return table;
  }

  function line(parts) {
    return views.line(parts, "nx-line");
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
    if (info.kind === "conv") explainConv(box, info, unit);
    else if (info.kind === "pool") explainPool(box, info);
    else explainClass(box, info);
  };

  function explainConv(box, info, unit) {
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
    box.appendChild(line([fmt(sum) + " + bias ", numberSpan("nx-bias", info.bias), " = ", numberSpan("nx-total", info.total)]));
    box.appendChild(line([
      "ReLU: max(0, " + fmt(info.total) + ") = ", numberSpan("nx-result", info.value),
      " (the value of " + unit.layer + " here)"
    ]));
  }

  function explainPool(box, info) {
    var parts = ["the four candidates "];
    info.candidates.forEach(function (value, i) {
      parts.push(numberSpan("nx-candidate", value));
      if (i < 3) parts.push(", ");
    });
    box.appendChild(line(parts));
    box.appendChild(line(["the largest: ", numberSpan("nx-result", info.value)]));
  }

  function explainClass(box, info) {
    var list = el("ul", { class: "nx-terms" });
    var c = info.channels, w = info.width;
    info.top.forEach(function (t) {
      var ch = t.index % c, cell = Math.floor(t.index / c);
      var item = el("li");
      item.appendChild(line([
        "pool2 map " + (ch + 1) + " (row " + Math.floor(cell / w) + ", column " + (cell % w) + "): " +
          fmt(t.input) + " × weight " + fmt(t.weight) + " = ", numberSpan("nx-term", t.value)
      ]));
      list.appendChild(item);
    });
    box.appendChild(el("p", {}, "The " + TOP_CONTRIBUTIONS + " largest contributions (pool2 value × weight):"));
    box.appendChild(list);
    box.appendChild(line(["the other " + info.restCount + " together: ", numberSpan("nx-term", info.rest)]));
    box.appendChild(line(["+ bias ", numberSpan("nx-bias", info.bias), " = score (logit) ", numberSpan("nx-total", info.total)]));
    box.appendChild(line(["softmax over the ten scores: probability ", numberSpan("nx-result", info.probability)]));
  }

  // ---------------------------------------------------------------- start

  var SELECTOR = "[data-network-explorer]";
  var explorers = [];
  var failure = null;

  function start() {
    var roots = document.querySelectorAll(SELECTOR);
    if (!roots.length) return;
    var data;
    try {
      data = core.checkNetworkData(window.NETWORK_EXPLORER_DATA);
    } catch (error) {
      failure = "The network explorer could not load its data file (" + error.message + "); " +
        "reload the page, or rebuild the site if it persists.";
      return views.showProblem(roots, failure);
    }
    var note = views.featureNote(views.missing(NEEDS), WITHOUT);
    for (var i = 0; i < roots.length; i++) {
      try {
        explorers.push(new Explorer(roots[i], data));
      } catch (error) {
        failure = "The network explorer stopped: " + error.message + ".";
        views.showProblem([roots[i]], failure);
      }
      if (note) roots[i].insertBefore(note.cloneNode(true), roots[i].firstChild);
    }
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

  /** Add a panel (see the top of this file) to every explorer, built or still to build. */
  window.NetworkExplorerPanels = {
    add: function (panel) {
      panels.push(panel);
      explorers.forEach(function (explorer) { explorer.addPanel(panel); });
    }
  };

  window.networkExplorer = {
    failure: function () { return built() && failure; },
    explorer: function (i) { return built()[i || 0]; },
    ready: function () { return built().length > 0; },
    layers: function () {
      return arrays(built()[0].layers);
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
        normalised: e.normalise,
        image: Array.from(e.image), empty: e.empty, prediction: e.prediction, unsure: e.unsure,
        accuracy: e.current, accuracyPending: e.accuracyPending, baseline: e.baseline, off: e.off
      };
    },
    /** The numbers a panel shows (explorer.results[name]), typed arrays as arrays; null before it has any. */
    result: function (name) {
      var found = built()[0].results[name], out = {};
      if (!found) return null;
      Object.keys(found).forEach(function (key) {
        out[key] = ArrayBuffer.isView(found[key]) ? Array.from(found[key]) : found[key];
      });
      return out;
    },
    attribution: function () { return this.result("attribution"); },
    /** The RGBA bytes a picture shows at its own size: "grid", "input" or a panel's picture by name. */
    pixels: function (name) {
      var view = built()[0].pictures[name];
      return view ? views.shownPixels(view) : null;
    },
    weights: function () {
      var params = built()[0].data.params, out = {};
      ["W1", "b1", "W2", "b2", "W3", "b3"].forEach(function (name) { out[name] = Array.from(params[name]); });
      return out;
    },
    timings: function () { return built()[0].timings.slice(); }
  };

  // The explorer builds itself when it comes near the screen, or as soon as a script asks for
  // it through window.networkExplorer, not while the page loads: a phone shows the text first,
  // and a reader who never scrolls to it pays nothing. Its data file (the weights and the test
  // digits) is large: it is fetched only then, from the address the page gives; a file that
  // fails to load or to run leaves NETWORK_EXPLORER_DATA unset, and start() says so on the page.
  var begin = views.lazyStart(SELECTOR, function () {
    var address = window.NETWORK_EXPLORER_DATA_ADDRESS;
    if (window.NETWORK_EXPLORER_DATA || !address) return start();
    var script = document.createElement("script");
    script.src = address;
    script.onload = script.onerror = start;
    document.head.appendChild(script);
  });
  function built() {
    begin();
    return explorers;
  }
})();
