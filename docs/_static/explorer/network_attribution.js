/*
 * The network explorer's attribution panel: where the network looks, for the predicted class of
 * the current input. Saliency (|gradient| of the class's score), gradient × input, integrated
 * gradients from a black image, Grad-CAM on conv2 and occlusion (the score's drop under a black
 * patch, the digits' background), all from ConvCore (attribution.js), the twins of
 * convviz.attribution and convviz.attribution_methods; signed maps in the figures' colours.
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
  /** Points on the path from black for integrated gradients (as the page's figures). */
  var STEPS = 64;
  var TOGGLE = "Show where the network looks (attribution maps)";

  /** The maps: name, caption, size, and how each is painted ("gray": 0 black to largest white). */
  var MAPS = [
    { name: "saliency", caption: "saliency |∂ score / ∂ pixel|", paint: "gray" },
    { name: "gradientTimesInput", caption: "gradient × input", paint: "signed" },
    { name: "integratedGradients", caption: "integrated gradients (from black)", paint: "signed" },
    { name: "gradCam", caption: "Grad-CAM on conv2 (14×14)", paint: "gray", size: 14 },
    { name: "occlusion", caption: "occlusion: drop of the score (6×6 black patch)", paint: "signed" }
  ];

  /** Each explorer's panel: its elements (the toggle says whether the maps are shown). */
  var states = new WeakMap();

  function build(explorer) {
    var grid = explorer.grid;
    var panel = {
      toggle: el("input", { type: "checkbox", id: views.uid("nx-attr") }),
      box: el("div", { class: "nx-maps", hidden: "" }),
      text: el("p", { class: "nx-help nx-attribution-text", "aria-live": "polite" }),
      views: {}
    };
    MAPS.forEach(function (map) {
      var size = map.size || grid;
      var view = views.mapView(size, MAP_PIXELS, { role: "img", class: "nx-map", "aria-label": map.caption });
      panel.views[map.name] = view;
      explorer.pictures[map.name] = view;
      var fig = el("figure", { class: "nx-figure nx-wide" });
      fig.appendChild(view.canvas);
      fig.appendChild(el("figcaption", {}, map.caption));
      panel.box.appendChild(fig);
    });
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
    return root;
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

  /** Recompute and paint the maps when the panel is shown (not while a stroke is being drawn). */
  function update(explorer, reason) {
    var panel = states.get(explorer);
    if (!panel.toggle.checked || reason === "drawing") return;
    if (explorer.empty) {
      delete explorer.results.attribution;
      panel.text.textContent = "Draw a digit first: an empty grid has nothing to attribute.";
      return;
    }
    var params = explorer.params, x = explorer.x;
    var label = core.argmax(explorer.layers.logits);
    var found = {
      label: label,
      gradient: core.inputGradient(params, x, label),
      gradientTimesInput: core.gradientTimesInput(params, x, label),
      integratedGradients: core.integratedGradients(params, x, label, STEPS),
      gradCam: core.gradCam(params, x, label),
      occlusion: core.occlusionMap(params, x, label, OCCLUSION.size, OCCLUSION.stride, OCCLUSION.value).values
    };
    found.saliency = found.gradient;
    explorer.results.attribution = found;
    var colours = explorer.data.colours, count = core.outputSize(explorer.grid, OCCLUSION.size, 0, OCCLUSION.stride);
    MAPS.forEach(function (map) {
      var picture = map.name === "occlusion" ? occlusionRgba(found.occlusion, count, explorer.grid, colours) :
        rgba(found[map.name], map.paint, colours);
      views.paintMap(panel.views[map.name], picture, []);
    });
    panel.text.textContent =
      "For class " + label + ", each map on its own scale. Saliency and Grad-CAM: brighter where the score " +
      "is more sensitive. Signed maps: orange where the pixels add to the score, purple where they take " +
      "away; occlusion: orange where covering the patch centred there lowers the score, purple where it " +
      "raises it.";
  }

  window.NetworkExplorerPanels.add({ name: "attribution", build: build, update: update });
})();
