// The explorers' pure modules loaded as the pages load them (one ConvCore namespace), and the
// fixtures Python wrote for them (write_fixtures.py; folder JS_FIXTURES, else _build/js-fixtures).
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const MODULES = [
  "numbers.js", "core.js", "checks.js", "attribution.js", "drawing.js", "random.js", "augmentation.js",
  "training.js", "npz.js", "patterns.js", "pixels.js", "network_units.js",
];

for (const name of MODULES) require(path.join(ROOT, "docs", "_static", "explorer", name));
const ConvCore = globalThis.ConvCore;
const quiz = require(path.join(ROOT, "docs", "_static", "quiz", "quiz.js"));

const FIXTURES = process.env.JS_FIXTURES || path.join(ROOT, "_build", "js-fixtures");

/** The fixture name.json that write_fixtures.py wrote. */
function fixture(name) {
  const file = path.join(FIXTURES, name + ".json");
  if (!fs.existsSync(file)) {
    throw new Error(file + " is missing: run `.venv/bin/python tests/js/write_fixtures.py " + FIXTURES + "` first");
  }
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

/** Base64 bytes -> Uint8Array. */
function bytes(text) {
  return new Uint8Array(Buffer.from(text, "base64"));
}

/** The network parameters of a fixture as ConvCore.forward takes them. */
function networkParams(stored) {
  const params = { shapes: {} };
  for (const [name, entry] of Object.entries(stored)) {
    params[name] = Float64Array.from(entry.values);
    params.shapes[name] = entry.shape;
  }
  params.size = 28;
  params.conv1 = params.shapes.W1[0];
  params.conv2 = params.shapes.W2[0];
  params.classes = params.shapes.W3[0];
  return params;
}

/** Largest |a[i] - b[i]| (arrays of the same length; Infinity when the lengths differ). */
function maxDifference(a, b) {
  if (a.length !== b.length) return Infinity;
  let most = 0;
  for (let i = 0; i < a.length; i++) most = Math.max(most, Math.abs(a[i] - b[i]));
  return most;
}

module.exports = { ConvCore, quiz, fixture, bytes, networkParams, maxDifference };
