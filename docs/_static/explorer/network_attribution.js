/*
 * The network explorer's attribution panel: where the network looks, for the predicted class of
 * the current input. Saliency (|gradient| of the class's score), gradient × input, SmoothGrad,
 * integrated gradients from a black image, Grad-CAM on conv2 and occlusion (the score's drop under
 * a black patch, the digits' background), all from ConvCore (attribution.js), the twins of
 * convviz.attribution and convviz.attribution_methods; signed maps in the figures' colours.
 * SmoothGrad (tens of backward passes) is computed after the other maps are painted; the
 * settings of it and of integrated gradients come from the data file (convviz's defaults).
 * The sanity check (Adebayo et al. 2018) lives here too: the maps of the network with its layers
 * re-initialised from the top, each with its rank correlation to the trained network's map; and
 * fooling: the smallest change of the 8×8 blocks (ConvCore.foolTowards, the twin of convviz.fooling)
 * that makes the network read a digit the reader picks, with the change shown.
 * A panel of network_explorer.js (window.NetworkExplorerPanels): further maps belong here or in
 * a panel beside it.
 */
(function () {
  "use strict";

  var core = window.ConvCore;
  var views = window.CourseViews;
  var el = views.el;
  var MAP_PIXELS = 112;
  /** The occlusion patch: 6×6, every second row and column, black (the background). */
  var OCCLUSION = { size: 6, stride: 2, value: 0 };
  var TOGGLE = "Show where the network looks (attribution maps)";
  /** The stages of the sanity check: the layers re-initialised, from the top (CASCADE in convviz). */
  var STAGES = [
    { layers: [], label: "trained" },
    { layers: ["dense"], label: "dense layer re-initialised" },
    { layers: ["dense", "conv2"], label: "dense and conv2 re-initialised" },
    { layers: ["dense", "conv2", "conv1"], label: "every layer re-initialised" }
  ];
  /** The digit's outline over the maps: the figures' cyan on the gray maps, a dark teal on the
   *  signed maps, which are mostly white. */
  var OUTLINE = { gray: "#2ee6ff", signed: "#00606b" };
  /** Fooling: at most this many steps of one count (of 16) per block. */
  var FOOL_STEPS = 16;

  /**
   * The maps (the two the page starts with first): name, caption, size, and how each is painted
   * ("gray": 0 black to largest white); later: computed after the others are painted.
   */
  var MAPS = [
    { name: "saliency", caption: "saliency |∂ score / ∂ pixel|", paint: "gray" },
    { name: "occlusion", caption: "occlusion: drop of the score (6×6 black patch)", paint: "signed" },
    { name: "gradientTimesInput", caption: "gradient × input", paint: "signed" },
    { name: "smoothGrad", caption: "SmoothGrad (mean gradient of noisy copies)", paint: "signed", later: true },
    { name: "integratedGradients", caption: "integrated gradients (from black)", paint: "signed" },
    { name: "gradCam", caption: "Grad-CAM on conv2 (14×14)", paint: "gray", size: 14 }
  ];

  /** Each explorer's panel: its elements (the toggle says whether the maps are shown). */
  var states = new WeakMap();

  function build(explorer) {
    var grid = explorer.grid;
    var panel = {
      toggle: el("input", { type: "checkbox", id: views.uid("nx-attr") }),
      box: el("div", { class: "nx-maps", hidden: "" }),
      text: el("p", { class: "nx-help nx-attribution-text", "aria-live": "polite" }),
      stage: el("select", { id: views.uid("nx-stage") }),
      captions: {},
      views: {}
    };
    STAGES.forEach(function (stage, i) { panel.stage.appendChild(el("option", { value: String(i) }, stage.label)); });
    var stageField = el("div", { class: "nx-field" });
    stageField.appendChild(el("label", { for: panel.stage.id }, "Weights for the maps (sanity check)"));
    stageField.appendChild(panel.stage);
    MAPS.forEach(function (map) {
      var size = map.size || grid;
      var view = views.mapView(size, MAP_PIXELS, { role: "img", class: "nx-map", "aria-label": map.caption });
      panel.views[map.name] = view;
      explorer.pictures[map.name] = view;
      var fig = el("figure", { class: "nx-figure nx-wide" });
      fig.appendChild(view.canvas);
      panel.captions[map.name] = el("figcaption", {}, map.caption);
      fig.appendChild(panel.captions[map.name]);
      panel.box.appendChild(fig);
    });
    panel.box.appendChild(stageField);
    panel.box.appendChild(buildFooling(explorer, panel));
    states.set(explorer, panel);
    var root = el("div", { class: "nx-attribution" });
    var field = el("div", { class: "nx-field" });
    field.appendChild(panel.toggle);
    field.appendChild(el("label", { for: panel.toggle.id }, TOGGLE));
    root.appendChild(field);
    root.appendChild(panel.box);
    root.appendChild(panel.text);
    panel.toggle.addEventListener("change", function () {
      panel.box.hidden = !panel.toggle.checked;
      update(explorer, "input");
    });
    panel.stage.addEventListener("change", function () { update(explorer, "input"); });
    return root;
  }

  /** The fooling controls: a target digit, a button, the change of the blocks and the changed input. */
  function buildFooling(explorer, panel) {
    var box = el("div", { class: "nx-fool" });
    panel.target = el("select", { id: views.uid("nx-target") });
    for (var k = 0; k < explorer.data.params.classes; k++) panel.target.appendChild(el("option", { value: String(k) }, String(k)));
    panel.foolButton = el("button", { type: "button" }, "Find the smallest change");
    panel.foolText = el("p", { class: "nx-help nx-fool-text", "aria-live": "polite" });
    var field = el("div", { class: "nx-field" });
    field.appendChild(el("label", { for: panel.target.id }, "Fool it: make it read"));
    field.appendChild(panel.target);
    field.appendChild(panel.foolButton);
    box.appendChild(field);
    var small = explorer.data.drawing.bitmap / explorer.data.drawing.block;
    panel.change = views.mapView(small, MAP_PIXELS, { role: "img", class: "nx-map",
      "aria-label": "The change of the 8×8 blocks: orange more ink, purple less" });
    panel.changed = views.mapView(explorer.grid, MAP_PIXELS, { role: "img", class: "nx-map",
      "aria-label": "The changed input the network reads as the chosen digit" });
    explorer.pictures.foolChange = panel.change;
    explorer.pictures.foolInput = panel.changed;
    panel.foolBox = el("div", { class: "nx-maps", hidden: "" });
    [[panel.change, "change of the 8×8 blocks (counts of 16)"], [panel.changed, "the changed input"]].forEach(function (pair) {
      var fig = el("figure", { class: "nx-figure nx-wide" });
      fig.appendChild(pair[0].canvas);
      fig.appendChild(el("figcaption", {}, pair[1]));
      panel.foolBox.appendChild(fig);
    });
    box.appendChild(panel.foolBox);
    box.appendChild(panel.foolText);
    panel.foolButton.addEventListener("click", function () { fool(explorer, panel); });
    return box;
  }

  /** Find and show the smallest change of the blocks that makes the network read the chosen digit. */
  function fool(explorer, panel) {
    if (explorer.empty) {
      panel.foolBox.hidden = true;
      panel.foolText.textContent = "Draw a digit first: there is nothing to change.";
      return;
    }
    var target = Number(panel.target.value), d = explorer.data.drawing;
    var found = core.foolTowards(explorer.params, explorer.image, target, d, FOOL_STEPS);
    found.target = target;
    found.input = explorer.image.join();
    explorer.results.fooling = found;
    var changedBlocks = 0, largest = 0;
    found.delta.forEach(function (v) {
      if (v !== 0) changedBlocks++;
      largest = Math.max(largest, Math.abs(v));
    });
    views.paintMap(panel.change, core.signedRgba(found.delta, explorer.data.colours), []);
    var levels = new Uint8ClampedArray(found.image);
    views.paintMap(panel.changed, core.grayRgba(levels), []);
    panel.foolBox.hidden = found.steps === 0;
    var p = found.probabilities[target].toFixed(2);
    if (found.steps === 0) {
      panel.foolText.textContent = "The network already reads " + target + ": nothing to change.";
    } else if (found.reached) {
      panel.foolText.textContent = "After " + found.steps + " step" + (found.steps > 1 ? "s" : "") + " the network reads " +
        target + " (probability " + p + "): no block changed by more than " + largest + " of its 16 counts, " +
        changedBlocks + " of the " + found.delta.length + " blocks changed. To a person it is still the same digit.";
    } else {
      panel.foolText.textContent = "Not within " + FOOL_STEPS + " steps: the network still does not read " + target +
        " (probability " + p + ").";
    }
  }

  /** RGBA bytes of a map: its absolute values in gray (0 black, largest white) or signed colours. */
  function rgba(values, paint, colours) {
    if (paint === "signed") return core.signedRgba(values, colours);
    var size = Math.round(Math.sqrt(values.length));
    var t = core.tensor(size, size, 1, values.map(Math.abs));
    return core.grayRgba(core.scaledLevels(t, 0, core.largest(t.values)));
  }

  /**
   * The occlusion map as a picture of the input's size: each cell on the 2×2 pixels at the centre
   * of its patch (rows stride·a + size/2 − 1 …), the frame where no patch is centred in the zero colour.
   */
  function occlusionRgba(values, count, grid, colours) {
    var cells = core.signedRgba(values, colours), zero = colours[(colours.length - 1) / 2];
    var out = new Uint8ClampedArray(4 * grid * grid), offset = OCCLUSION.size / 2 - 1, i;
    for (i = 0; i < grid * grid; i++) out.set([zero[0], zero[1], zero[2], 255], 4 * i);
    for (var a = 0; a < count; a++) {
      for (var b = 0; b < count; b++) {
        for (var u = 0; u < OCCLUSION.stride; u++) {
          for (var v = 0; v < OCCLUSION.stride; v++) {
            var row = a * OCCLUSION.stride + offset + u, col = b * OCCLUSION.stride + offset + v;
            out.set(cells.subarray(4 * (a * count + b), 4 * (a * count + b) + 4), 4 * (row * grid + col));
          }
        }
      }
    }
    return out;
  }

  /** Every map but SmoothGrad of the class label for input x with these params (the gradient is the saliency's). */
  function maps(params, x, label, settings) {
    var found = {
      label: label,
      gradient: core.inputGradient(params, x, label),
      gradientTimesInput: core.gradientTimesInput(params, x, label),
      integratedGradients: core.integratedGradients(params, x, label, settings.integrated_gradients_steps),
      gradCam: core.gradCam(params, x, label),
      occlusion: core.occlusionMap(params, x, label, OCCLUSION.size, OCCLUSION.stride, OCCLUSION.value).values
    };
    found.saliency = found.gradient;
    return found;
  }

  /** The caption of a map: its name, and with re-initialised layers its rank correlation ρ. */
  function captionText(map, found) {
    if (!found.correlations) return map.caption;
    var rho = found.correlations[map.name];
    if (rho === undefined) return map.caption + ": computing…";
    return map.caption + (isNaN(rho) ? ": an empty map" : ": ρ = " + rho.toFixed(2) + " with the trained map");
  }

  /** Paint one map of found (its values, its caption, the digit's outline over it). */
  function drawMap(explorer, panel, map, found, outline) {
    var colours = explorer.data.colours, grid = explorer.grid;
    var picture = map.name === "occlusion" ?
      occlusionRgba(found.occlusion, core.outputSize(grid, OCCLUSION.size, 0, OCCLUSION.stride), grid, colours) :
      rgba(found[map.name], map.paint, colours);
    views.paintMap(panel.views[map.name], picture, []);
    var size = map.size || grid; // a coarser map: each of its cells covers grid / size pixels
    views.drawOutline(panel.views[map.name], outline, OUTLINE[map.paint], { origin: 0, step: grid / size });
    panel.captions[map.name].textContent = captionText(map, found);
  }

  /**
   * The later maps (SmoothGrad), after the others are painted: the page stays responsive while
   * they are computed, and a newer update (ticket) drops them. found.pending lists them until then.
   */
  function paintLater(explorer, panel, found, trained, stageParams, x, outline) {
    var ticket = panel.ticket, sg = explorer.data.attribution.smoothgrad;
    function smoothOf(params) { return core.smoothGrad(params, x, found.label, sg.samples, sg.noise, sg.seed); }
    found.pending = MAPS.filter(function (map) { return map.later; }).map(function (map) { return map.name; });
    found.pending.forEach(function (name) {
      panel.captions[name].textContent = MAPS.find(function (map) { return map.name === name; }).caption + ": computing…";
      views.paintMap(panel.views[name], core.signedRgba(new Float64Array(explorer.grid * explorer.grid), explorer.data.colours), []);
    });
    function compute() {
      if (ticket !== panel.ticket) return;
      found.smoothGrad = smoothOf(stageParams);
      if (trained) {
        trained.smoothGrad = smoothOf(explorer.params);
        found.correlations.smoothGrad = core.rankCorrelation(trained.smoothGrad.map(Math.abs), found.smoothGrad.map(Math.abs));
      }
      delete found.pending;
      MAPS.forEach(function (map) { if (map.later) drawMap(explorer, panel, map, found, outline); });
    }
    // The next frame shows the other maps; the task after it computes these.
    requestAnimationFrame(function () { setTimeout(compute, 0); });
  }

  /** Recompute and paint the maps when the panel is shown (not while a stroke is being drawn). */
  function update(explorer, reason) {
    var panel = states.get(explorer);
    panel.ticket = (panel.ticket || 0) + 1; // maps still to come were for an older input
    if (reason === "drawing") return;
    if (explorer.results.fooling && explorer.results.fooling.input !== explorer.image.join()) {
      delete explorer.results.fooling; // a change found for another input
      panel.foolBox.hidden = true;
      panel.foolText.textContent = "";
    }
    if (!panel.toggle.checked) return;
    if (explorer.empty) {
      delete explorer.results.attribution;
      panel.text.textContent = "Draw a digit first: an empty grid has nothing to attribute.";
      return;
    }
    var x = explorer.x, label = core.argmax(explorer.layers.logits);
    var stage = STAGES[Number(panel.stage.value)], initial = null;
    if (stage.layers.length) {
      try {
        initial = panel.initial || (panel.initial = core.initialParams(window.NETWORK_EXPLORER_DATA.initial_params, explorer.params));
      } catch (error) {
        panel.text.textContent = "The sanity check cannot run: " + error.message;
        return;
      }
    }
    var settings = explorer.data.attribution, stageParams = explorer.params, trained = null;
    var found = maps(explorer.params, x, label, settings);
    if (initial) {
      trained = found;
      stageParams = core.randomisedParams(explorer.params, initial, stage.layers);
      found = maps(stageParams, x, label, settings);
      found.correlations = {};
      MAPS.forEach(function (map) {
        if (map.later) return;
        found.correlations[map.name] = core.rankCorrelation(trained[map.name].map(Math.abs), found[map.name].map(Math.abs));
      });
    }
    found.stage = stage.layers.slice();
    explorer.results.attribution = found;
    var outline = core.outlineSegments(explorer.image, explorer.grid);
    MAPS.forEach(function (map) { if (!map.later) drawMap(explorer, panel, map, found, outline); });
    paintLater(explorer, panel, found, trained, stageParams, x, outline);
    var sg = settings.smoothgrad;
    panel.text.textContent =
      "For class " + label + ", each map on its own scale. Saliency and Grad-CAM: brighter where the score " +
      "is more sensitive. Signed maps: orange where the pixels add to the score, purple where they take " +
      "away; occlusion: orange where covering the patch centred there lowers the score, purple where it " +
      "raises it. SmoothGrad averages the gradient over " + sg.samples + " copies of the input with noise of " +
      "standard deviation " + sg.noise + " added: orange where more ink would raise the score, purple where it " +
      "would lower it. The line is the digit's outline, where the input is half as bright as its brightest pixel." +
      (found.correlations ? " With " + stage.label + ", ρ is the rank correlation of each map's " +
      "absolute values with the trained network's: maps that stay alike do not show what the training put in." : "");
  }

  window.NetworkExplorerPanels.add({ name: "attribution", place: "beside", build: build, update: update });
})();
