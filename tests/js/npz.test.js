// Weights files read and written in the page (npz.js) against the files NumPy writes: np.savez,
// np.savez_compressed, convviz.tiny_cnn.save_weights, and hostile files of every kind.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { ConvCore, fixture, bytes, networkParams } = require("./load.js");

const found = fixture("npz");
const like = networkParams(found.params);
const LIMIT = 100;

async function read(name) {
  return ConvCore.readWeights(bytes(name), like, LIMIT);
}

function assertWeights(params, expected) {
  for (const name of ConvCore.TRAINED_PARAMETERS) {
    assert.deepEqual(Array.from(params[name]), Array.isArray(expected[name]) ? expected[name] : expected[name].values, name);
  }
}

test("files NumPy writes are read exactly: save_weights, np.savez, compressed, big-endian, Fortran order", async () => {
  for (const file of [found.saved, found.stored, found.compressed, found.big_endian, found.fortran]) {
    const got = await read(file);
    assertWeights(got.params, found.params);
    assert.deepEqual(got.params.shapes.W3, [10, 392]);
  }
  const saved = await read(found.saved);
  assert.deepEqual(Array.from(saved.initial.W1), found.initial.W1_init);
  assert.deepEqual(saved.history, found.history);
  assert.ok(saved.names.includes("test_images"));
  const plain = await read(found.stored);
  assert.equal(plain.initial, null);
  assert.deepEqual(plain.history, { loss: [], train_accuracy: [], test_accuracy: [] });
});

test("float32 weights are read as the float64 numbers they are", async () => {
  assertWeights((await read(found.float32)).params, found.float32_values);
});

test("every .npy member the page writes has the bytes np.lib.format.write_array writes", () => {
  const archive = ConvCore.weightsArchive(like, {
    initial: { W1: Float64Array.from(found.initial.W1_init), W2: Float64Array.from(found.initial.W2_init) },
    testImages: bytes(found.images), testLabels: Int32Array.from(found.labels), history: found.history
  });
  const members = ConvCore.zipMembers(archive);
  assert.deepEqual(members.map((m) => m.name.replace(".npy", "")), Object.keys(found.members));
  for (const m of members) {
    assert.equal(m.method, 0);
    const data = archive.subarray(m.start, m.start + m.size);
    assert.deepEqual(Buffer.from(data).toString("base64"), found.members[m.name.replace(".npy", "")], m.name);
    assert.equal(ConvCore.crc32(data), m.crc);
  }
});

test("save, then load, then save gives the same bytes and the same weights", async () => {
  const extra = {
    initial: { W1: Float64Array.from(found.initial.W1_init), W2: Float64Array.from(found.initial.W2_init) },
    testImages: bytes(found.images), testLabels: Int32Array.from(found.labels), history: found.history
  };
  const first = ConvCore.weightsArchive(like, extra);
  const loaded = await ConvCore.readWeights(first, like, LIMIT);
  assertWeights(loaded.params, found.params);
  const again = ConvCore.weightsArchive(loaded.params, Object.assign({}, extra, { initial: loaded.initial, history: loaded.history }));
  assert.deepEqual(again, first);
});

// [file, the words its one message must hold]
const HOSTILE = {
  "a pickled W1": /array W1 holds pickled Python objects, which the page never runs/,
  "W2 of the wrong shape": /array W2 has shape \(8, 4, 3, 3\); the network needs \(8, 3, 3, 4\) \(filters, rows, columns, input channels\) \(PyTorch's order .*permute\(0, 2, 3, 1\)\)/,
  "W3 of whole numbers": /array W3 must hold decimal numbers/,
  "a NaN in b2": /array b2 holds NaN at index 2, not a finite number/,
  "an infinity in W1": /array W1 holds Infinity at index 0/,
  "a weight of 1e6": /array W3 holds 1000000, which training never gives \(trained weights stay within ±100\)/,
  "no b3": /the file has no array named b3 \(it holds W1, b1, W2, b2, W3\)/,
  "a text file": /it is not a \.npz file/,
  "a .npy file": /single-array \.npy file/,
  "cut short": /the archive is damaged or cut short/,
  "a huge W3": /array W3 is too large \(29\.9 MB\)/,
  "strings for W1": /array W1 holds <U1, not numbers the page reads/,
  "records for b1": /array b1 holds records of several fields, not numbers/,
};

test("hostile files are refused, each with one message naming its problem", async () => {
  assert.deepEqual(Object.keys(HOSTILE).sort(), Object.keys(found.hostile).sort());
  for (const [what, words] of Object.entries(HOSTILE)) {
    await assert.rejects(read(found.hostile[what]), (error) => {
      assert.ok(error instanceof ConvCore.NpzError, what + ": " + error);
      assert.match(error.message, words, what);
      return true;
    });
  }
});

test("damage the checksum, the compression or the size notices", async () => {
  const good = bytes(found.compressed);
  const members = ConvCore.zipMembers(good);
  const w3 = members.find((m) => m.name === "W3.npy");
  const flipped = good.slice();
  flipped[w3.start + 5] ^= 0xff;
  await assert.rejects(ConvCore.readWeights(flipped, like, LIMIT), /array W3 is damaged/);
  const method = good.slice();
  const view = new DataView(method.buffer);
  // The central directory's compression method of the first member: 12 (bzip2), which NumPy never writes.
  const central = members[0];
  let at = method.length - 22;
  at = view.getUint32(at + 16, true);
  view.setUint16(at + 10, 12, true);
  await assert.rejects(ConvCore.readWeights(method, like, LIMIT), new RegExp("array " + central.name.replace(".npy", "") + " is compressed in a way NumPy never writes"));
  await assert.rejects(ConvCore.readWeights(new Uint8Array(ConvCore.NPZ_LIMITS.fileBytes + 1), like, LIMIT), /the file is too large \(16\.0 MB/);
  await assert.rejects(ConvCore.readWeights(new Uint8Array(0), like, LIMIT), /not a \.npz file/);
});
