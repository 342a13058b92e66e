// Check-your-understanding questions: checks what the reader types or picks against the
// answer and the hints the build computed (the data-quiz attribute of each .quiz element).
// Typed numbers are read by ConvCore.parseNumber and parseSize (explorer/numbers.js), the one
// parser of the site's number fields. Plain JavaScript, no network; Enter checks, focus stays
// where the reader is. The checking (readTyped, judge) needs no page and loads under Node.
(function () {
  "use strict";

  var numbers = globalThis.ConvCore;

  function same(a, b) {
    if (typeof a === "string" || typeof b === "string") return a === b;
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  }

  var MESSAGES = {
    size: "Type a size as one number or two, like 12 or 12×12.",
    number: "Type one number, like 42 or −3.5.",
    choice: "Pick one of the answers first.",
  };

  // What the reader typed as a value to compare: {value}, {unequal: true} for a size whose
  // two numbers differ, or {message} if it cannot be read.
  function readTyped(text, kind) {
    if (kind === "size") {
      var size = numbers.parseSize(text);
      if (size === null) return { message: MESSAGES.size };
      if (size.length === 2 && !same(size[0], size[1])) return { unequal: true };
      return { value: size[0] };
    }
    var number = numbers.parseNumber(text);
    return number.error ? { message: MESSAGES.number } : { value: number.value };
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

  // The reader's answer in the question root.
  function readAnswer(root, kind) {
    if (kind === "choice") {
      var picked = root.querySelector("input[type=radio]:checked");
      return picked ? { value: picked.value } : { message: MESSAGES.choice };
    }
    return readTyped(root.querySelector(".quiz-answer").value, kind);
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

  var quiz = {
    // " −12 " -> −12, "3,920" -> 3920, "16,5" -> 16.5, "2.96e2" -> 296; anything else ("12 13", "x") -> null.
    parseNumber: function (text) {
      var parsed = numbers.parseNumber(text);
      return parsed.error ? null : parsed.value;
    },
    parseSize: numbers.parseSize,
    readTyped: readTyped,
    judge: judge
  };
  if (typeof module === "object" && module.exports) {
    module.exports = quiz;
    return;
  }
  window.courseQuiz = quiz;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
