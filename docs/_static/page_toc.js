/*
 * "On this page": the entry of the section being read is marked (class active, aria-current),
 * as the theme marks it, but from where the headings are after every scroll and resize: the
 * section read is the last one whose heading lies above a line a quarter of the screen below
 * the header. The theme's own marker waits for a heading to cross the top of the screen, which
 * a jump, a fast scroll or an explorer growing above never makes happen, and kept marking
 * "Summary" while Concept 2 was read. docs/_templates/page-toc.html names the list
 * course-page-toc-nav, so the theme's marker finds nothing to mark.
 */
(function () {
  "use strict";

  var READING_LINE = 0.25; // of the screen's height, below the header

  function start() {
    var nav = document.getElementById("course-page-toc-nav");
    if (!nav) return;
    var links = Array.prototype.filter.call(nav.querySelectorAll("a[href]"), function (link) {
      return link.hash.length > 1 && link.pathname === window.location.pathname;
    });
    var entries = nav.querySelectorAll(".toc-entry");
    var headings = links.map(function (link) {
      var section = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      return section && (section.querySelector("h1, h2, h3, h4, h5, h6") || section);
    });
    var header = document.querySelector(".bd-header");
    var current = null;
    var pending = false;

    function mark(link) {
      if (link === current) return;
      current = link;
      links.forEach(function (other) {
        other.classList.toggle("active", other === link);
        if (other === link) other.setAttribute("aria-current", "true");
        else other.removeAttribute("aria-current");
      });
      Array.prototype.forEach.call(entries, function (entry) {
        entry.classList.toggle("active", entry.contains(link));
      });
    }

    /** The link of the section being read. */
    function reading() {
      var top = header ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
      var line = top + (window.innerHeight - top) * READING_LINE;
      var atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
      var found = links[0];
      for (var i = 0; i < links.length; i++) {
        if (!headings[i]) continue;
        var at = headings[i].getBoundingClientRect().top;
        // At the very end of the page the last headings may never reach the line.
        if (at <= line || (atEnd && at < window.innerHeight)) found = links[i];
      }
      return found;
    }

    function update() {
      pending = false;
      mark(reading());
    }

    function later() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(update);
    }

    window.addEventListener("scroll", later, { passive: true });
    window.addEventListener("resize", later);
    if ("ResizeObserver" in window) new ResizeObserver(later).observe(document.body);
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
