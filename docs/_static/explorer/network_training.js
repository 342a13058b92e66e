/*
 * The network explorer's training panel: train the exercise-4 network in the page, watch its
 * filters, loss and accuracy change, download the weights, load weights from a file. A panel of
 * network_explorer.js (window.NetworkExplorerPanels); every weight it shows or hands to the
 * explorer (explorer.setNetwork) comes from ConvCore: training.js (the twin of
 * convviz.tiny_cnn.train, run by training_worker.js in a Web Worker, or in the page in short
 * slices where a page opened as a file may not start one) and npz.js (weights files).
 * Nothing leaves the reader's machine: files are read and written in the page.
 */
(function () {
  "use strict";

  var core = window.ConvCore;
  var views = window.CourseViews;
  var el = views.el;
  var WORKER = new URL("training_worker.js", (document.currentScript && document.currentScript.src) || location.href).href;
  var FILTER_PIXELS = 48;
  var CURVE = { width: 360, height: 160 };
  var SHAPES_OF = ["W1", "W2", "W3"];
  /** Training in the page (no Worker): slices of at most this long (ms), a snapshot at most this often,
   *  the test digits measured at most this often (training_worker.js works in slices of 100 ms). */
  var PAGE_TIMING = { slice: 12, every: 250, testEvery: 500 };

  var states = new WeakMap();

  function button(text) {
    return el("button", { type: "button" }, text);
  }

  function input(value, attrs) {
    var node = el("input", Object.assign({ type: "text", autocomplete: "off", spellcheck: "false" }, attrs || {}));
    node.value = String(value);
    return node;
  }

  function checkbox(label, checked) {
    var box = el("input", { type: "checkbox", id: views.uid("nx-train") });
    box.checked = checked;
    var wrapper = el("div", { class: "nx-field nx-check" });
    wrapper.appendChild(box);
    wrapper.appendChild(el("label", { for: box.id }, label));
    return { box: box, field: wrapper };
  }

  // ---------------------------------------------------------------- building the panel

  function build(explorer) {
    var defaults = explorer.data.training;
    var p = {
      explorer: explorer,
      state: "idle", // idle, running, paused, done
      origin: { kind: "site" },
      curve: [],
      snapshot: null,
      seed: input(defaults.seed, { inputmode: "numeric", size: "11" }),
      rate: input(defaults.learning_rate, { inputmode: "decimal", size: "8" }),
      epochs: input(defaults.epochs, { inputmode: "numeric", size: "4" }),
      augment: checkbox("Distort the training digits (augmentation)", true),
      freeze: checkbox("Keep conv1 at its random start", false),
      go: button("Train"),
      reset: button("Reset"),
      save: button("Download these weights"),
      open: button("Load weights…"),
      file: el("input", { type: "file", accept: ".npz,application/zip,application/octet-stream", hidden: "",
        "aria-label": "a weights file (.npz) to load" }),
      problem: el("p", { class: "nx-problem", role: "alert" }),
      status: el("p", { class: "nx-help nx-train-status" }),
      announce: el("p", { class: "nx-visually-hidden", "aria-live": "polite" }),
      progress: el("progress", { max: "1", value: "0", "aria-label": "training progress" }),
      inUse: el("p", { class: "nx-help nx-in-use" }),
      filters: { W1: [], W2: [] },
      curveCanvas: el("canvas", { class: "nx-curve", role: "img", "aria-label": "loss while training" })
    };
    states.set(explorer, p);
    var root = el("section", { class: "nx-training", "aria-label": "Train the network in the page" });
    root.appendChild(el("p", { class: "nx-title" }, "Train it yourself"));
    root.appendChild(el("p", { class: "nx-help" },
      "Train starts from random weights and trains on the " + explorer.data.train.trainLabels.length +
      " training digits with the recipe of exercise 4, here in your browser; the maps above follow the " +
      "network as it learns. Download these weights saves it as a .npz file; Load weights reads one."));
    var fields = el("div", { class: "nx-train-fields" });
    fields.appendChild(views.field("Seed", p.seed, "nx-field"));
    fields.appendChild(views.field("Learning rate", p.rate, "nx-field"));
    fields.appendChild(views.field("Epochs", p.epochs, "nx-field"));
    root.appendChild(fields);
    root.appendChild(p.augment.field);
    root.appendChild(p.freeze.field);
    var buttons = el("div", { class: "nx-buttons" });
    [p.go, p.reset, p.save, p.open].forEach(function (b) { buttons.appendChild(b); });
    root.appendChild(buttons);
    root.appendChild(p.file);
    root.appendChild(p.problem);
    p.problem.hidden = true;
    root.appendChild(p.progress);
    p.progress.style.width = "100%";
    root.appendChild(p.status);
    root.appendChild(p.inUse);
    root.appendChild(p.announce);
    root.appendChild(buildPictures(p));
    p.go.addEventListener("click", function () { onGo(p); });
    p.reset.addEventListener("click", function () { reset(p); });
    p.save.addEventListener("click", function () { download(p); });
    p.open.addEventListener("click", function () { p.file.click(); });
    p.file.addEventListener("change", function () {
      var file = p.file.files && p.file.files[0];
      p.file.value = "";
      if (file) loadFile(p, file);
    });
    explorer.results.training = {};
    showNetwork(p);
    return root;
  }

  function buildPictures(p) {
    var box = el("div", { class: "nx-train-pictures" });
    var one = el("figure", { class: "nx-train-figure" }), grid1 = el("div", { class: "nx-filter-grid", style: "grid-template-columns: repeat(4, auto)" });
    var params = p.explorer.data.params;
    for (var f = 0; f < params.conv1; f++) {
      var view = views.mapView(3, FILTER_PIXELS, { role: "img", class: "nx-filter", "aria-label": "weights of conv1 filter " + (f + 1) });
      p.filters.W1.push(view);
      grid1.appendChild(view.canvas);
    }
    one.appendChild(grid1);
    one.appendChild(el("figcaption", {}, "conv1: the " + params.conv1 + " filters (orange positive, purple negative)"));
    var two = el("figure", { class: "nx-train-figure" });
    var grid2 = el("div", { class: "nx-filter-grid", style: "grid-template-columns: repeat(" + params.conv1 + ", auto)" });
    for (f = 0; f < params.conv2; f++) {
      for (var c = 0; c < params.conv1; c++) {
        var small = views.mapView(3, FILTER_PIXELS / 2, { role: "img", class: "nx-filter",
          "aria-label": "weights of conv2 filter " + (f + 1) + ", channel " + (c + 1) });
        p.filters.W2.push(small);
        grid2.appendChild(small.canvas);
      }
    }
    two.appendChild(grid2);
    two.appendChild(el("figcaption", {}, "conv2: " + params.conv2 + " filters (rows) × " + params.conv1 + " channels"));
    var three = el("figure", { class: "nx-train-figure" });
    p.curveCanvas.width = CURVE.width;
    p.curveCanvas.height = CURVE.height;
    p.curveCanvas.style.maxWidth = "100%";
    three.appendChild(p.curveCanvas);
    three.appendChild(el("figcaption", {}, "loss (mean cross-entropy) over the epochs: the line while an epoch runs, dots at its end"));
    [one, two, three].forEach(function (fig) { box.appendChild(fig); });
    p.explorer.pictures.conv1_filters = p.filters.W1[0];
    return box;
  }

  // ---------------------------------------------------------------- settings

  /** The settings typed in, checked: {settings} or {error} naming the field. */
  function readSettings(p) {
    function whole(field, name, low, high) {
      var read = core.parseNumber(field.value);
      if (read.error || !Number.isInteger(read.value) || read.value < low || read.value > high) {
        throw new Error(name + ": enter a whole number from " + low + " to " + high);
      }
      return read.value;
    }
    try {
      var seed = whole(p.seed, "Seed", 0, 4294967294), epochs = whole(p.epochs, "Epochs", 1, 200);
      var rate = core.parseNumber(p.rate.value);
      if (rate.error || !(rate.value > 0 && rate.value <= 1)) throw new Error("Learning rate: enter a number greater than 0 and at most 1");
    } catch (error) {
      return { error: error.message };
    }
    var d = p.explorer.data.training;
    return {
      settings: {
        seed: seed, epochs: epochs, learningRate: rate.value, batchSize: d.batch_size, augment: p.augment.box.checked,
        decay: true, frozen: p.freeze.box.checked ? ["W1", "b1"] : [], ranges: d.ranges
      }
    };
  }

  function shapes(explorer) {
    var out = {};
    SHAPES_OF.forEach(function (name) { out[name] = explorer.data.params.shapes[name]; });
    return out;
  }

  // ---------------------------------------------------------------- running the training

  function onGo(p) {
    if (p.state === "running") return pause(p);
    if (p.state === "paused") return resume(p);
    start(p);
  }

  function start(p) {
    var read = readSettings(p);
    if (read.error) return showProblem(p, read.error);
    showProblem(p, null);
    if (p.origin.kind === "site" && p.explorer.baseline) p.siteBaseline = p.explorer.baseline;
    stopRunner(p);
    var train = p.explorer.data.train;
    p.settings = read.settings;
    p.curve = [];
    p.snapshot = null;
    p.origin = { kind: "training", settings: read.settings };
    // Where this training starts (the worker draws the same numbers): the download's W1_init and W2_init.
    var first = core.initParameters(new core.SeededRandom(read.settings.seed + 1), shapes(p.explorer));
    p.startWeights = { W1: first.W1, W2: first.W2 };
    p.message = { type: "start", settings: read.settings, shapes: shapes(p.explorer), data: {
      trainImages: train.trainImages, trainLabels: train.trainLabels, testImages: train.testImages, testLabels: train.testLabels
    } };
    startRunner(p, true);
    p.runner.post(p.message);
    setState(p, "running", "Training started.");
  }

  /** A Worker if the page may start one, else the same runner in the page, in short slices. */
  function startRunner(p, worker) {
    var report = function (snapshot) { onSnapshot(p, snapshot); };
    if (worker && typeof Worker === "function") {
      try {
        var w = new Worker(WORKER);
        w.onmessage = function (event) { report(event.data); };
        w.onerror = function (event) {
          // The worker could not load its scripts (a page opened as a file): train in the page.
          event.preventDefault();
          if (p.runner && p.runner.worker === w && !p.snapshot) {
            stopRunner(p);
            startRunner(p, false);
            p.runner.post(p.message);
          }
        };
        p.runner = { worker: w, post: function (m) { w.postMessage(m); }, stop: function () { w.terminate(); }, kind: "worker" };
        return;
      } catch {
        // Not allowed here: the runner below does the same work in the page.
      }
    }
    var runner = new core.TrainingRunner(report, Object.assign({}, PAGE_TIMING));
    p.runner = {
      post: function (m) { runner.handle(m); },
      stop: function () { runner.handle({ type: "stop" }); },
      kind: "page"
    };
  }

  function stopRunner(p) {
    if (p.runner) p.runner.stop();
    p.runner = null;
  }

  function pause(p) {
    p.runner.post({ type: "pause" });
    setState(p, "paused", "Training paused.");
  }

  function resume(p) {
    p.runner.post({ type: "resume" });
    setState(p, "running", "Training resumed.");
  }

  /** Stop training and go back to the site's network. */
  function reset(p) {
    stopRunner(p);
    p.snapshot = null;
    p.curve = [];
    p.origin = { kind: "site" };
    showProblem(p, null);
    p.explorer.setNetwork(p.explorer.data.params, p.siteBaseline);
    setState(p, "idle", "Back to the site's trained network.");
  }

  function onSnapshot(p, snapshot) {
    if (!p.runner) return; // a report that arrived after Reset
    if (snapshot.error) {
      stopRunner(p);
      showProblem(p, snapshot.error);
      return setState(p, "idle", "");
    }
    p.snapshot = snapshot;
    if (snapshot.running) p.curve.push([snapshot.progress, snapshot.running.loss]);
    // The explorer takes the weights whose test accuracy was measured with them; the panel shows every snapshot.
    if (snapshot.test) {
      p.tested = { steps: snapshot.steps, test: snapshot.test };
      p.explorer.setNetwork(Object.assign({}, p.explorer.data.params, snapshot.params), snapshot.test);
    }
    if (snapshot.done) setState(p, "done", "Training finished: test accuracy " + core.percent(p.tested.test.fraction) + ".");
    else showNetwork(p);
  }

  function setState(p, state, said) {
    p.state = state;
    p.go.textContent = { idle: "Train", running: "Pause", paused: "Resume", done: "Train again" }[state];
    p.go.setAttribute("aria-pressed", state === "running" ? "true" : "false");
    if (said) p.announce.textContent = said;
    showNetwork(p);
  }

  // ---------------------------------------------------------------- what the panel shows

  function showNetwork(p) {
    var explorer = p.explorer, s = p.snapshot;
    var network = s ? Object.assign({}, explorer.data.params, s.params) : explorer.network;
    paintFilters(p, network);
    drawCurve(p);
    p.progress.value = s ? s.progress : 0;
    var result = explorer.results.training;
    result.state = p.state;
    result.runner = p.runner ? p.runner.kind : null;
    if (s) {
      var epoch = Math.min(s.epoch + 1, s.epochs), last = s.history.loss.length;
      var text = "Epoch " + epoch + " of " + s.epochs + " (" + Math.round(100 * s.progress) + " % done, " + s.steps + " steps)";
      if (s.running) {
        text += "; this epoch so far: loss " + core.formatNumber(s.running.loss, 3) + ", training accuracy " +
          core.percent(s.running.accuracy);
      } else if (last) {
        text += "; epoch " + last + ": loss " + core.formatNumber(s.history.loss[last - 1], 3) + ", training accuracy " +
          core.percent(s.history.train_accuracy[last - 1]);
      }
      var t = p.tested.test;
      text += ". Test accuracy after step " + p.tested.steps + ": " + core.percent(t.fraction) + " (" + t.correct + " of " + t.total + ").";
      p.status.textContent = text + (p.state === "paused" ? " Paused." : "");
      Object.assign(result, {
        epoch: s.epoch, steps: s.steps, progress: s.progress, history: s.history, test: p.tested.test.fraction, test_steps: p.tested.steps, paused: !!s.paused,
        running_loss: s.running ? s.running.loss : null, running_accuracy: s.running ? s.running.accuracy : null
      });
    } else {
      p.status.textContent = "Not training.";
    }
    var o = p.origin;
    p.inUse.textContent = "The explorer uses " + (o.kind === "site" ? "the site's trained network (tiny_cnn_weights.npz)."
      : o.kind === "file" ? "the weights loaded from " + o.name + "."
        : "the network trained here (seed " + o.settings.seed + ", learning rate " + o.settings.learningRate + ", " +
          (o.settings.augment ? "with" : "without") + " augmentation" + (o.settings.frozen.length ? ", conv1 kept at its start" : "") + ").");
    result.origin = o.kind;
    core.TRAINED_PARAMETERS.forEach(function (name) { result[name] = network[name]; });
  }

  function paintFilters(p, network) {
    var colours = p.explorer.data.colours;
    // One colour scale for the filters of conv1, so their sizes compare.
    var top = 0;
    network.W1.forEach(function (v) { top = Math.max(top, Math.abs(v)); });
    p.filters.W1.forEach(function (view, f) {
      var values = network.W1.slice(9 * f, 9 * (f + 1)).map(function (v) { return v / (top || 1); });
      views.paintMap(view, relativeRgba(values, colours), []);
    });
    // One colour scale per filter of conv2, over its channels, so the channels compare.
    var cin = network.conv1;
    for (var f = 0; f < network.conv2; f++) {
      var w = network.W2.subarray(9 * cin * f, 9 * cin * (f + 1)), big = 0, i;
      for (i = 0; i < w.length; i++) big = Math.max(big, Math.abs(w[i]));
      for (var c = 0; c < cin; c++) {
        var values = new Float64Array(9);
        for (i = 0; i < 9; i++) values[i] = w[i * cin + c] / (big || 1);
        views.paintMap(p.filters.W2[f * cin + c], relativeRgba(values, colours), []);
      }
    }
  }

  /** Values already within ±1 -> the signed colours, without stretching them again. */
  function relativeRgba(values, colours) {
    var padded = new Float64Array(values.length + 1);
    padded.set(values);
    padded[values.length] = 1; // the scale's end, so signedRgba keeps ±1 as the extremes
    return core.signedRgba(padded, colours).subarray(0, 4 * values.length);
  }

  function drawCurve(p) {
    var canvas = p.curveCanvas, ctx = canvas.getContext("2d");
    var w = canvas.width, h = canvas.height, left = 34, bottom = 18, top = 8;
    var style = getComputedStyle(canvas);
    // The theme's text and primary colours, which it sets for light and dark mode alike.
    var ink = style.color || "#444", line = style.getPropertyValue("--pst-color-primary").trim() || "#1565c0";
    ctx.clearRect(0, 0, w, h);
    var points = p.curve, s = p.snapshot, epochs = s ? s.history.loss : [];
    var most = 0;
    points.forEach(function (pt) { most = Math.max(most, pt[1]); });
    epochs.forEach(function (v) { most = Math.max(most, v); });
    most = most > 0 ? Math.ceil(most * 2) / 2 : 2.5;
    ctx.strokeStyle = ctx.fillStyle = ink;
    ctx.lineWidth = 1;
    ctx.font = "11px sans-serif";
    ctx.beginPath();
    ctx.moveTo(left, top);
    ctx.lineTo(left, h - bottom);
    ctx.lineTo(w - 4, h - bottom);
    ctx.stroke();
    ctx.fillText(core.formatNumber(most, 1), 2, top + 8);
    ctx.fillText("0", 2, h - bottom);
    ctx.fillText("epochs →", w - 60, h - 4);
    function x(progress) { return left + progress * (w - left - 6); }
    function y(loss) { return h - bottom - (loss / most) * (h - bottom - top); }
    ctx.strokeStyle = line;
    ctx.lineWidth = 2;
    ctx.beginPath();
    points.forEach(function (pt, i) {
      if (i) ctx.lineTo(x(pt[0]), y(pt[1]));
      else ctx.moveTo(x(pt[0]), y(pt[1]));
    });
    ctx.stroke();
    ctx.fillStyle = line;
    var count = s ? s.epochs : 1;
    epochs.forEach(function (loss, e) {
      ctx.beginPath();
      ctx.arc(x((e + 1) / count), y(loss), 3, 0, 2 * Math.PI);
      ctx.fill();
    });
  }

  function showProblem(p, text) {
    p.problem.hidden = !text;
    p.problem.textContent = text || "";
  }

  // ---------------------------------------------------------------- weights files

  /** The bytes of the weights file for the network in use (npz.js, convviz.tiny_cnn.save_weights' layout). */
  function weightsFile(p) {
    var explorer = p.explorer, data = explorer.data, o = p.origin, network = explorer.network;
    var initial = o.kind === "site" ? data.start : o.kind === "file" ? o.initial || { W1: network.W1, W2: network.W2 }
      : p.startWeights || { W1: network.W1, W2: network.W2 };
    var history = o.kind === "site" ? data.history : o.kind === "file" ? o.history : p.snapshot ? p.snapshot.history : {};
    return core.weightsArchive(network, { initial: initial, history: history, testImages: data.images, testLabels: data.labels });
  }

  function fileName(p) {
    var o = p.origin;
    if (o.kind === "site") return "tiny_cnn_weights.npz";
    if (o.kind === "file") return o.name.replace(/\.npz$/i, "") + ".npz";
    return "tiny_cnn_weights_seed" + o.settings.seed + ".npz";
  }

  function download(p) {
    var bytes = weightsFile(p), url = URL.createObjectURL(new Blob([bytes], { type: "application/zip" }));
    var link = el("a", { href: url, download: fileName(p), hidden: "" });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 10000);
    p.announce.textContent = "Saved " + fileName(p) + " (" + bytes.length + " bytes).";
  }

  function loadFile(p, file) {
    var name = file.name || "the file";
    if (file.size > core.NPZ_LIMITS.fileBytes) {
      return showProblem(p, "Could not load " + name + ": the file is too large (" + (file.size / 1048576).toFixed(1) +
        " MB; weights files are at most " + core.NPZ_LIMITS.fileBytes / 1048576 + " MB). The explorer keeps the network it had.");
    }
    file.arrayBuffer().then(function (buffer) {
      return core.readWeights(new Uint8Array(buffer), p.explorer.data.params, p.explorer.data.limit);
    }).then(function (loaded) {
      var was = p.state;
      stopRunner(p);
      p.snapshot = null;
      p.curve = [];
      p.origin = { kind: "file", name: name, initial: loaded.initial, history: loaded.history };
      showProblem(p, null);
      p.explorer.setNetwork(loaded.params);
      setState(p, "idle", "Loaded " + name + (was === "running" || was === "paused" ? "; training stopped." : "."));
    }, function (error) {
      var reason = error instanceof core.NpzError ? error.message : "the file could not be read";
      showProblem(p, "Could not load " + name + ": " + reason + ". The explorer keeps the network it had.");
    });
  }

  function update(explorer, reason) {
    var p = states.get(explorer);
    if (p && reason === "network") showNetwork(p);
  }

  window.NetworkExplorerPanels.add({ name: "training", build: build, update: update });
})();
