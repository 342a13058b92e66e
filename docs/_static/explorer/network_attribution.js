/*
 * The network explorer's attribution panel: where the network looks, for the predicted class
 * of the current input. Saliency (|gradient| of the class score, ConvCore.inputGradient) and
 * occlusion (the probability's drop under a gray patch, ConvCore.occlusionMap), the twins of
 * convviz.attribution; occlusion in the figures' signed colours. A panel of network_explorer.js
 * (window.NetworkExplorerPanels): further maps belong in this panel or a panel beside it.
 */
(function () {
  "use strict";

  var core = window.ConvCore;
  var views = window.CourseViews;
  var el = views.el;
  var MAP_PIXELS = 112;
  var OCCLUSION = { size: 6, stride: 2, value: 0.5 };
  /** The digit's outline over the maps: the figures' cyan on the gray saliency, a dark teal on the
   *  mostly white occlusion map; the occlusion map's cells are centred on its patches. */
  var OUTLINE = { saliency: "#2ee6ff", occlusion: "#00606b" };
  var OCCLUSION_FRAME = { origin: (OCCLUSION.size - OCCLUSION.stride) / 2, step: OCCLUSION.stride };

  /** Each explorer's panel: its elements (the toggle says whether the maps are shown). */
  var states = new WeakMap();

  function build(explorer) {
    var grid = explorer.grid, count = core.outputSize(grid, OCCLUSION.size, 0, OCCLUSION.stride);
    var panel = {
      toggle: el("input", { type: "checkbox", id: views.uid("nx-attr") }),
      box: el("div", { class: "nx-maps", hidden: "" }),
      text: el("p", { class: "nx-help nx-attribution-text", "aria-live": "polite" }),
      saliency: views.mapView(grid, MAP_PIXELS, { role: "img", class: "nx-map",
        "aria-label": "Saliency map: absolute gradient of the predicted class's score" }),
      occlusion: views.mapView(count, MAP_PIXELS, { role: "img", class: "nx-map",
        "aria-label": "Occlusion map: drop of the predicted class's probability" })
    };
    states.set(explorer, panel);
    explorer.pictures.saliency = panel.saliency;
    explorer.pictures.occlusion = panel.occlusion;
    var root = el("div", { class: "nx-attribution" });
    var field = el("div", { class: "nx-field" });
    field.appendChild(panel.toggle);
    field.appendChild(el("label", { for: panel.toggle.id }, "Show where the network looks (saliency and occlusion)"));
    root.appendChild(field);
    [
      [panel.saliency, "saliency |∂ score / ∂ pixel|"],
      [panel.occlusion, "occlusion: probability drop (" + OCCLUSION.size + "×" + OCCLUSION.size + " gray patch)"]
    ].forEach(function (pair) {
      var fig = el("figure", { class: "nx-figure nx-wide" });
      fig.appendChild(pair[0].canvas);
      fig.appendChild(el("figcaption", {}, pair[1]));
      panel.box.appendChild(fig);
    });
    root.appendChild(panel.box);
    root.appendChild(panel.text);
    panel.toggle.addEventListener("change", function () {
      panel.box.hidden = !panel.toggle.checked;
      update(explorer, "input");
    });
    return root;
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
    var gradient = core.inputGradient(params, x, label);
    var occlusion = core.occlusionMap(params, x, label, OCCLUSION.size, OCCLUSION.stride, OCCLUSION.value);
    explorer.results.attribution = { label: label, gradient: gradient, occlusion: occlusion.values };
    var saliency = core.tensor(explorer.grid, explorer.grid, 1, gradient.map(Math.abs));
    views.paintMap(panel.saliency, core.grayRgba(core.scaledLevels(saliency, 0, core.largest(saliency.values))), []);
    views.paintMap(panel.occlusion, core.signedRgba(occlusion.values, explorer.data.colours), []);
    var outline = core.outlineSegments(explorer.image, explorer.grid);
    views.drawOutline(panel.saliency, outline, OUTLINE.saliency);
    views.drawOutline(panel.occlusion, outline, OUTLINE.occlusion, OCCLUSION_FRAME);
    panel.text.textContent =
      "For class " + label + ". Saliency: bright pixels change the score most. Occlusion: orange where covering " +
      "the patch lowers the probability, purple where it raises it. The line is the digit's outline, where " +
      "the input is half as bright as its brightest pixel.";
  }

  window.NetworkExplorerPanels.add({ name: "attribution", place: "beside", build: build, update: update });
})();
