// The one parser of typed numbers (numbers.js) and the quiz's checking (quiz.js) that uses it.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { ConvCore, quiz, fixture } = require("./load.js");

// [text, the number parseNumber reads (null: refused)]
const NUMBERS = [
  ["42", 42], [" 42 ", 42], ["-3.5", -3.5], ["+.5", 0.5], ["5.", 5], ["0", 0], ["-0", 0],
  ["\u22121", -1], ["\u2212 12", -12], ["- 12", -12], ["\u20130.25", -0.25], ["1\u00a0000", 1000],
  ["16,5", 16.5], ["26,0", 26], ["0,125", 0.125], [",5", 0.5], ["2,96e2", 296], ["12,3456", 12.3456],
  ["3,920", 3920], ["1,234,567", 1234567], ["3 920", 3920], ["3,920.5", 3920.5],
  ["1e3", 1000], ["2.96e2", 296], ["2.96E2", 296], ["1e-3", 0.001], ["-1.5e+2", -150],
  ["1/16", 0.0625], ["-3 / 4", -0.75], ["1/0", null], ["0/0", null],
  ["", null], ["   ", null], ["abc", null], ["twelve", null], ["Infinity", null], ["NaN", null],
  ["1e999", null], ["1+1", null], ["--2", null], ["12 13", null], ["1,2,3", null], ["1,234,5", null],
  ["<img src=x onerror=alert(1)>", null], ["0x10", null], ["1_000", null], ["3 920 1", null],
];

test("parseNumber reads what people type and refuses the rest", () => {
  for (const [text, expected] of NUMBERS) {
    const parsed = ConvCore.parseNumber(text);
    if (expected === null) assert.ok(parsed.error, JSON.stringify(text) + " should be refused");
    else assert.deepEqual(parsed, { value: expected }, JSON.stringify(text));
  }
});

test("parseNumber says why, keeps to its limit and stops at its length", () => {
  assert.equal(ConvCore.parseNumber("").error, "enter a number");
  assert.equal(ConvCore.parseNumber("abc").error, "not a number");
  assert.equal(ConvCore.parseNumber("1e999").error, "not a finite number");
  assert.equal(ConvCore.parseNumber("5000", 1000).error, "use a value between \u22121000 and 1000");
  assert.deepEqual(ConvCore.parseNumber("\u22121000", 1000), { value: -1000 });
  const limit = ConvCore.MAX_FIELD_LENGTH;
  assert.deepEqual(ConvCore.parseNumber("1".repeat(limit)), { value: Number("1".repeat(limit)) });
  assert.match(ConvCore.parseNumber("9".repeat(100000)).error, /too long/);
});

// [text, the size parseSize reads (null: refused)]
const SIZES = [
  ["26", [26]], ["26x26", [26, 26]], ["26 X 26", [26, 26]], ["26 × 26", [26, 26]], ["26*26", [26, 26]],
  ["26, 26", [26, 26]], ["26 ,26", [26, 26]], ["(26, 26)", [26, 26]], ["[26;26]", [26, 26]], ["26 by 26", [26, 26]],
  ["26 26", [26, 26]], ["26,26", [26, 26]], ["26x", [26]], ["\u221212", [-12]], ["- 12", [-12]],
  ["16,5", [16.5]], ["26,0", [26]], ["12,5", [12.5]], ["2.96e2", [296]], ["3,920", [3920]], ["3 920", [3, 920]],
  ["100 100", [100, 100]], ["13.5 x 13.5", [13.5, 13.5]], ["27/2", [13.5]],
  ["", null], ["x", null], ["12 13 14", null], ["twelve", null], ["Infinity", null], ["--4", null], ["1e999", null],
];

test("parseSize reads one number or two, and a decimal comma as one number", () => {
  for (const [text, expected] of SIZES) assert.deepEqual(ConvCore.parseSize(text), expected, JSON.stringify(text));
});

test("formatNumber and percent", () => {
  assert.equal(ConvCore.formatNumber(-0), "0");
  assert.equal(ConvCore.formatNumber(3), "3");
  assert.equal(ConvCore.formatNumber(1 / 3), "0.333");
  assert.equal(ConvCore.formatNumber(-0.0001), "0");
  assert.equal(ConvCore.formatNumber(2 / 3, 4), "0.6667");
  assert.equal(ConvCore.percent(0.9751), "97.5 %");
  assert.equal(ConvCore.percent(1), "100.0 %");
  assert.equal(ConvCore.roundHalfEven(22.5), 22);
  assert.equal(ConvCore.roundHalfEven(23.5), 24);
  assert.equal(ConvCore.roundHalfEven(-0.5), -0);
  assert.equal(ConvCore.roundHalfEven(2.4999), 2);
});

// The quiz's questions as the build computes them (coursesite.quiz), answered as readers type.
const questions = fixture("quiz");

function typed(value) {
  return Number.isInteger(value) ? String(value) : String(value);
}

function answer(qid, text) {
  const data = questions[qid];
  return quiz.judge(data, quiz.readTyped(text, data.kind));
}

test("every typed question: the answer, each mistake, and the same in other spellings", () => {
  for (const [qid, data] of Object.entries(questions)) {
    if (data.kind === "choice") continue;
    const spellings = (v) => [typed(v), " " + typed(v) + " ", typed(v).replace(".", ","), v.toExponential()]
      .concat(data.kind === "size" ? [typed(v) + "×" + typed(v), "(" + typed(v) + ", " + typed(v) + ")"] : []);
    for (const text of spellings(data.answer)) assert.equal(answer(qid, text).state, "correct", qid + ": " + text);
    for (const mistake of data.mistakes) {
      for (const text of spellings(mistake.value)) {
        const result = answer(qid, text);
        assert.equal(result.state, "mistake", qid + ": " + text);
        assert.ok(result.text.includes(mistake.hint), qid + ": " + text);
      }
    }
    assert.equal(answer(qid, typed(data.answer + 1000)).state, "wrong");
    for (const text of ["", "twenty", "12 13 14", "1e999", "--4"]) assert.equal(answer(qid, text).state, "unreadable", text);
  }
});

test("issue 23 S2: a decimal comma gets the hint of its number, not 'the input is square'", () => {
  const padded = questions["padded-strided-size"];
  const half = padded.mistakes.find((m) => !Number.isInteger(m.value));
  const text = typed(half.value).replace(".", ",");
  const result = answer("padded-strided-size", text);
  assert.equal(result.state, "mistake", text);
  assert.ok(result.text.includes(half.hint));
  assert.ok(!result.text.includes("square"));
  assert.equal(answer("valid-output-size", typed(questions["valid-output-size"].answer) + ",0").state, "correct");
  const count = questions["conv2-parameters"].answer;
  assert.equal(answer("conv2-parameters", (count / 100).toFixed(2) + "e2").state, "correct");
  assert.equal(answer("valid-output-size", "26x27").state, "wrong");
  assert.ok(answer("valid-output-size", "26x27").text.includes("square"));
});

test("the quiz's own parseNumber gives a number or null", () => {
  assert.equal(quiz.parseNumber("\u221212"), -12);
  assert.equal(quiz.parseNumber("3,920"), 3920);
  assert.equal(quiz.parseNumber("1e3"), 1000);
  assert.equal(quiz.parseNumber("12 13"), null);
});
