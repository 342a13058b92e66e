/*
 * The page helpers every explorer view shares: window.CourseViews.
 *
 *   el, field, select, line     elements, labelled controls, text mixed with elements
 *   mapView, paintMap           a small picture shown large without smoothing, as a plain
 *                               object {canvas, small, size} (no state kept on the canvas)
 *   paintRgba                   RGBA bytes (ConvCore.pixels) onto a canvas of their size
 *   lazyStart                   build an explorer once, when it comes near the screen; mark the
 *                               page explorer-in-view while one is on the screen
 *   showProblem                 one visible message in place of an explorer
 *   missing, featureNote        what the browser lacks that an explorer needs, said on the page
 *
 * The numbers come from ConvCore; nothing here computes what the explorers show.
 */
(function () {
  "use strict";

  var counter = 0;

  /** document.createElement(tag) with attributes and, optionally, text. */
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** A fresh id for an element: prefix-N. */
  function uid(prefix) {
    return prefix + "-" + ++counter;
  }

  /** <div class=className><label>labelText</label>control</div>, the label tied to the control. */
  function field(labelText, control, className) {
    if (!control.id) control.id = uid("field");
    var wrapper = el("div", { class: className });
    wrapper.appendChild(el("label", { for: control.id }, labelText));
    wrapper.appendChild(control);
    return wrapper;
  }

  /** A <select> of {value: text} options, chosen selected. */
  function select(options, chosen) {
    var node = el("select");
    Object.keys(options).forEach(function (key) {
      var option = el("option", { value: key }, options[key]);
      if (key === chosen) option.selected = true;
      node.appendChild(option);
    });
    return node;
  }

  /** Append parts (strings become text, elements stay elements) to node; returns node. */
  function append(node, parts) {
    parts.forEach(function (part) {
      node.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
    return node;
  }

  /** <p class=className> holding parts. */
  function line(parts, className) {
    return append(el("p", { class: className }), parts);
  }

  /** Put RGBA bytes of width × height onto canvas (resized to fit them). */
  function paintRgba(canvas, rgba, width, height) {
    canvas.width = width;
    canvas.height = height;
    var ctx = canvas.getContext("2d");
    var pixels = ctx.createImageData(width, height);
    pixels.data.set(rgba);
    ctx.putImageData(pixels, 0, 0);
  }

  /**
   * A size × size picture shown on a canvas `pixels` wide: {canvas, small, size}. small is
   * the picture at its own size (an off-page canvas), drawn enlarged without smoothing.
   */
  function mapView(size, pixels, attrs) {
    var canvas = el("canvas", attrs);
    canvas.width = canvas.height = pixels;
    var small = document.createElement("canvas");
    small.width = small.height = size;
    return { canvas: canvas, small: small, size: size };
  }

  /**
   * Draw segments ([x0, y0, x1, y1] in an image's pixel-edge units, ConvCore.outlineSegments) over
   * view.canvas in colour. frame {origin, step} says where the view's cells lie on the image: cell
   * coordinate (p − origin) / step (the default, 0 and 1: one cell per image pixel).
   */
  function drawOutline(view, segments, colour, frame) {
    var origin = frame ? frame.origin : 0, step = frame ? frame.step : 1;
    var out = view.canvas.getContext("2d"), cell = view.canvas.width / view.size;
    function at(p) {
      return ((p - origin) / step) * cell;
    }
    out.save();
    out.strokeStyle = colour;
    out.lineWidth = 1.5;
    out.lineCap = "round";
    out.beginPath();
    segments.forEach(function (s) {
      out.moveTo(at(s[0]), at(s[1]));
      out.lineTo(at(s[2]), at(s[3]));
    });
    out.stroke();
    out.restore();
  }

  /** Paint RGBA bytes into view.small, then draw it enlarged with boxes ({r0, r1, c0, c1, color}) outlined. */
  function paintMap(view, rgba, boxes) {
    var ctx = view.small.getContext("2d"), pixels = ctx.createImageData(view.size, view.size);
    pixels.data.set(rgba);
    ctx.putImageData(pixels, 0, 0);
    drawScaled(view, boxes);
  }

  /** Draw view.small enlarged onto view.canvas and outline the boxes. */
  function drawScaled(view, boxes) {
    var out = view.canvas.getContext("2d");
    out.imageSmoothingEnabled = false;
    out.drawImage(view.small, 0, 0, view.canvas.width, view.canvas.height);
    var cell = view.canvas.width / view.size;
    (boxes || []).forEach(function (box) {
      out.lineWidth = Math.max(2, cell / 4);
      out.strokeStyle = box.color;
      out.strokeRect(
        box.c0 * cell + out.lineWidth / 2, box.r0 * cell + out.lineWidth / 2,
        (box.c1 - box.c0 + 1) * cell - out.lineWidth, (box.r1 - box.r0 + 1) * cell - out.lineWidth
      );
    });
  }

  /** The RGBA bytes a view shows at its own size (for the tests). */
  function shownPixels(view) {
    return Array.from(view.small.getContext("2d").getImageData(0, 0, view.size, view.size).data);
  }

  /**
   * Call build() once, when the first element matching selector comes within 800 px of the
   * screen (at once without IntersectionObserver or without such an element), after the page
   * is parsed. Returns a function that builds at once (the explorers' test hooks call it).
   */
  function lazyStart(selector, build) {
    var started = false;
    function begin() {
      if (started) return;
      started = true;
      build();
    }
    function watch() {
      var roots = document.querySelectorAll(selector);
      if (!roots.length || !("IntersectionObserver" in window)) return begin();
      markInView(roots);
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          begin();
        }
      }, { rootMargin: "800px 0px" });
      for (var i = 0; i < roots.length; i++) observer.observe(roots[i]);
    }
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
    else watch();
    return begin;
  }

  var inView = [];

  /** While any of roots is on the screen the page carries the class explorer-in-view (course.css
   *  moves the theme's Back-to-top button out of the way then). */
  function markInView(roots) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) {
        inView = inView.filter(function (root) { return root !== entry.target; });
        if (entry.isIntersecting) inView.push(entry.target);
      });
      document.documentElement.classList.toggle("explorer-in-view", inView.length > 0);
    });
    for (var i = 0; i < roots.length; i++) observer.observe(roots[i]);
  }

  /** Replace the content of each root with one visible message (role alert). */
  function showProblem(roots, text) {
    for (var i = 0; i < roots.length; i++) {
      roots[i].textContent = "";
      roots[i].appendChild(el("p", { class: "explorer-problem", role: "alert" }, text));
    }
  }

  /** What the page can use, by the name a reader would know it by. */
  var FEATURES = {
    canvas: function () {
      var canvas = document.createElement("canvas");
      return !!(canvas.getContext && canvas.getContext("2d"));
    },
    "pointer events": function () { return "PointerEvent" in window; },
    "Web Workers": function () { return "Worker" in window; },
    OffscreenCanvas: function () { return "OffscreenCanvas" in window; }
  };

  /** The names among needs (keys of FEATURES) that this browser lacks. */
  function missing(needs) {
    return needs.filter(function (name) {
      try {
        return !FEATURES[name]();
      } catch {
        return true;
      }
    });
  }

  /** A note for the top of an explorer naming what this browser lacks and what still works, or null. */
  function featureNote(lacking, consequence) {
    if (!lacking.length) return null;
    return el("p", { class: "explorer-note", role: "note" },
      "This browser lacks " + lacking.join(" and ") + ", which this explorer uses: " + consequence);
  }

  window.CourseViews = {
    el: el,
    uid: uid,
    field: field,
    select: select,
    append: append,
    line: line,
    paintRgba: paintRgba,
    mapView: mapView,
    paintMap: paintMap,
    drawScaled: drawScaled,
    drawOutline: drawOutline,
    shownPixels: shownPixels,
    lazyStart: lazyStart,
    showProblem: showProblem,
    missing: missing,
    featureNote: featureNote
  };
})();
