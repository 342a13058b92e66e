/*
 * Numbers as people type and read them: the one parser of every number field of the
 * site (the convolution explorer's kernel, the quiz's answers) and the formatting of
 * shown numbers. Pure functions on ConvCore; loads in the page, a Worker and Node.
 *
 * What parseNumber reads, after trimming and turning the Unicode minus (−) and
 * dashes into "-":
 *   42  -3.5  +.5  5.         decimal point
 *   16,5  0,125  2,96e2       decimal comma (a comma followed by anything but
 *                             exactly three digits, or after a leading 0)
 *   3,920  1,234,567  3 920   thousands grouped in threes by commas or spaces
 *   1e3  2.96E2  1e-3         powers of ten
 *   1/16  -3 / 4              a fraction
 *   - 12                      a sign apart from its number
 * and nothing else: no words, no Infinity, no NaN, no sums.
 */
(function (ConvCore) {
  "use strict";

  /** The longest text a number field accepts; longer text is refused before any other work. */
  var MAX_FIELD_LENGTH = 32;

  var DASHES = /[\u2212\u2012\u2013\u2014\uFE63\uFF0D]/g;
  var SPACES = /[\u00A0\u2007\u2009\u202F]/g;
  var PLAIN = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;
  var GROUPED = /^[-+]?[1-9]\d{0,2}(?:(,)\d{3}(?:,\d{3})*|( )\d{3}(?: \d{3})*)(?:\.\d*)?$/;
  var DECIMAL_COMMA = /^[-+]?(?:\d+,\d*|,\d+)(?:e[-+]?\d+)?$/i;
  var FRACTION = /^([-+]?(?:\d+\.?\d*|\.\d+))\s*\/\s*(\d+\.?\d*|\.\d+)$/;

  /** Text with one kind of minus and of space, trimmed, a lone sign joined to its number. */
  function normalised(text) {
    return String(text).replace(DASHES, "-").replace(SPACES, " ").trim().replace(/^([-+])\s+/, "$1");
  }

  /** The number the text spells (see the top of this file), or NaN. */
  function readNumber(t) {
    if (PLAIN.test(t)) return Number(t);
    if (GROUPED.test(t)) return Number(t.replace(/[, ]/g, ""));
    if (DECIMAL_COMMA.test(t)) return Number(t.replace(",", "."));
    var fraction = FRACTION.exec(t);
    if (fraction) return Number(fraction[1]) / Number(fraction[2]);
    return NaN;
  }

  /**
   * A typed number: {value} when the text is a finite number within ±limit (no limit when
   * omitted), else {error} saying why, in words for the reader. Work is bounded by
   * MAX_FIELD_LENGTH.
   */
  function parseNumber(text, limit) {
    text = String(text);
    if (text.length > MAX_FIELD_LENGTH) return { error: "too long (at most " + MAX_FIELD_LENGTH + " characters)" };
    var t = normalised(text);
    if (t === "") return { error: "enter a number" };
    var value = readNumber(t);
    if (value !== value) return { error: "not a number" };
    if (!isFinite(value)) return { error: "not a finite number" };
    if (limit !== undefined && Math.abs(value) > limit) {
      return { error: "use a value between \u2212" + limit + " and " + limit };
    }
    return { value: value === 0 ? 0 : value };
  }

  /**
   * A typed size, "26", "26x26", "26 × 26", "26, 26", "(26, 26)", "26 by 26", "26 26":
   * [n] or [rows, columns] (numbers as parseNumber reads them), or null. A comma
   * between two numbers separates them when a space stands beside it or when both
   * are the same whole number ("26,26"); otherwise it is a decimal comma ("16,5").
   */
  function parseSize(text) {
    text = String(text);
    if (text.length > MAX_FIELD_LENGTH) return null;
    var t = normalised(text.replace(/[()[\]]/g, " "));
    var twin = /^(\d+),(\d+)$/.exec(t);
    var parts = twin && twin[1] === twin[2] ? [twin[1], twin[2]]
      : t.split(/\s*(?:[x×X*;]|\bby\b)\s*|\s*,\s+|\s+,\s*|\s+/).filter(function (p) { return p !== ""; });
    if (parts.length < 1 || parts.length > 2) return null;
    var values = parts.map(function (part) { return parseNumber(part).value; });
    return values.every(function (v) { return v !== undefined; }) ? values : null;
  }

  /** Python's round() and NumPy's: halves go to the even neighbour (round(22.5) = 22). */
  function roundHalfEven(x) {
    var r = Math.round(x);
    return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
  }

  /** A number for people: whole numbers as they are, others to `digits` decimals (default 3). */
  function formatNumber(v, digits) {
    if (Object.is(v, -0)) v = 0;
    if (Number.isInteger(v)) return String(v);
    var scale = Math.pow(10, digits === undefined ? 3 : digits);
    var rounded = Math.round(v * scale) / scale;
    return String(Object.is(rounded, -0) ? 0 : rounded);
  }

  /** A fraction as a percentage with one decimal: 0.9751 -> "97.5 %". */
  function percent(fraction) {
    return (Math.round(fraction * 1000) / 10).toFixed(1) + " %";
  }

  Object.assign(ConvCore, {
    MAX_FIELD_LENGTH: MAX_FIELD_LENGTH,
    parseNumber: parseNumber,
    parseSize: parseSize,
    roundHalfEven: roundHalfEven,
    formatNumber: formatNumber,
    percent: percent
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
