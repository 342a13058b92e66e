// Check-your-understanding questions: checks what the reader types or picks against the
// answer and the hints the build computed (the data-quiz attribute of each .quiz element).
// Plain JavaScript, no network; Enter checks, focus stays where the reader is.
(function () {
  "use strict";

  var NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

  // " −12 ", "+3.5", "3,920", "3 920" -> a number; anything else ("12 13", "1e3") -> null.
  function parseNumber(text) {
    var t = text.replace(/[\u2212\u2012\u2013]/g, "-").trim().replace(/^([+-])\s+/, "$1");
    if (/^[+-]?\d{1,3}([,\s]\d{3})+(\.\d*)?$/.test(t)) t = t.replace(/[,\s]/g, "");
    if (!NUMBER.test(t)) return null;
    var value = Number(t);
    return isFinite(value) ? value : null;
  }

  // "26", "26x26", "26 × 26", "26, 26", "(26, 26)", "26 by 26" -> [26] or [26, 26]; else null.
  function parseSize(text) {
    var t = text.replace(/[\u2212]/g, "-").replace(/[()[\]]/g, " ").trim();
    var parts = t.split(/\s*(?:[x×X*,;]|\bby\b)\s*|\s+/).filter(function (p) { return p !== ""; });
    if (parts.length < 1 || parts.length > 2) return null;
    var values = parts.map(parseNumber);
    return values.every(function (v) { return v !== null; }) ? values : null;
  }

  function same(a, b) {
    if (typeof a === "string" || typeof b === "string") return a === b;
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  }

  var MESSAGES = {
    size: "Type a size as one number or two, like 12 or 12×12.",
    number: "Type one number, like 42 or −3.5.",
    choice: "Pick one of the answers first.",
  };

  // The reader's answer as a value to compare, {message} if it cannot be read.
  function readAnswer(root, kind) {
    if (kind === "choice") {
      var picked = root.querySelector("input[type=radio]:checked");
      return picked ? { value: picked.value } : { message: MESSAGES.choice };
    }
    var text = root.querySelector(".quiz-answer").value;
    if (kind === "size") {
      var size = parseSize(text);
      if (size === null) return { message: MESSAGES.size };
      if (size.length === 2 && !same(size[0], size[1])) return { unequal: true };
      return { value: size[0] };
    }
    var number = parseNumber(text);
    return number === null ? { message: MESSAGES.number } : { value: number };
  }

  // {state: "correct" | "mistake" | "wrong" | "unreadable", text} for an answer.
  function judge(data, answer) {
    if (answer.message) return { state: "unreadable", text: answer.message };
    if (answer.unequal) {
      return { state: "wrong", text: "The input is square, so the output is square too: both numbers are the same. " + data.hint };
    }
    if (same(answer.value, data.answer)) return { state: "correct", text: "Correct. " + data.explanation };
    for (var i = 0; i < data.mistakes.length; i++) {
      if (same(answer.value, data.mistakes[i].value)) return { state: "mistake", text: "Not quite. " + data.mistakes[i].hint };
    }
    return { state: "wrong", text: "Not quite. " + data.hint };
  }

  function setUp(root) {
    var data = JSON.parse(root.getAttribute("data-quiz"));
    var form = root.querySelector("form");
    var message = root.querySelector(".quiz-message");
    var feedback = root.querySelector(".quiz-feedback");
    var show = root.querySelector(".quiz-show");
    var field = root.querySelector(".quiz-answer");

    function clearMessage() {
      message.textContent = "";
      if (field) field.removeAttribute("aria-invalid");
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var result = judge(data, readAnswer(root, data.kind));
      if (result.state === "unreadable") {
        message.textContent = result.text;
        if (field) field.setAttribute("aria-invalid", "true");
        return;
      }
      clearMessage();
      feedback.textContent = result.text;
      root.setAttribute("data-state", result.state);
      show.hidden = result.state === "correct"; // after a try, the answer may be shown
    });
    // Enter on a radio button checks, as it does in the text field.
    root.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          event.preventDefault();
          form.requestSubmit();
        }
      });
    });
    if (field) field.addEventListener("input", clearMessage);
    show.addEventListener("click", function () {
      feedback.textContent = "The answer: " + data.explanation;
      root.setAttribute("data-state", "shown");
      show.hidden = true;
      feedback.focus();
    });
  }

  function start() {
    document.querySelectorAll(".quiz[data-quiz]").forEach(setUp);
  }

  window.courseQuiz = { parseNumber: parseNumber, parseSize: parseSize };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
