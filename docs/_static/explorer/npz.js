/*
 * Weights files (.npz, as NumPy's np.savez and convviz.tiny_cnn.save_weights write them) read
 * and written in the page, on ConvCore. Pure: bytes in, bytes or arrays out; the page gives the
 * file's bytes and a way to inflate (DecompressionStream("deflate-raw") in the browsers and in Node).
 *
 * Reading trusts nothing: a file that is not a zip archive, a member compressed in a way NumPy
 * never writes, declared sizes beyond the limits, a damaged .npy header, pickled Python objects,
 * the wrong names, shapes or dtypes, NaN, infinity or weights beyond what training gives: each is
 * refused with an NpzError whose message names the problem in words the page shows as they are.
 * Nothing is inflated before its declared size has been checked, and no more than declared is.
 *
 * Writing gives a stored (uncompressed) archive with a fixed timestamp, each member exactly the
 * bytes np.lib.format.write_array writes, so the same weights always give the same file.
 */
(function (ConvCore) {
  "use strict";

  /** The largest file the page reads, and the largest member it inflates (bytes). */
  var LIMITS = { fileBytes: 16 * 1024 * 1024, memberBytes: 16 * 1024 * 1024 };
  var LOCAL = 0x04034b50, CENTRAL = 0x02014b50, END = 0x06054b50;
  /** 1980-01-01 00:00, the earliest a zip file can hold (save_weights stamps every member with it). */
  var DOS_DATE = (0 << 9) | (1 << 5) | 1, DOS_TIME = 0;

  function NpzError(message) {
    this.name = "NpzError";
    this.message = message;
  }
  NpzError.prototype = Object.create(Error.prototype);
  NpzError.prototype.constructor = NpzError;

  function fail(message) {
    throw new NpzError(message);
  }

  function megabytes(bytes) {
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  // ------------------------------------------------------------ CRC-32 (the zip format's checksum)

  var CRC_TABLE = (function () {
    var table = new Uint32Array(256);
    for (var n = 0; n < 256; n++) {
      var c = n;
      for (var k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
    return table;
  })();

  function crc32(bytes) {
    var c = 0xffffffff;
    for (var i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  }

  // ------------------------------------------------------------ reading a zip archive

  function text(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]);
    return out;
  }

  /**
   * The members of a zip archive from its central directory: [{name, method, flags, crc,
   * compressedSize, size, start (of the compressed data)}]. NpzError if it is not one.
   */
  function zipMembers(bytes) {
    if (!(bytes instanceof Uint8Array)) fail("the file could not be read");
    if (bytes.length > LIMITS.fileBytes) {
      fail("the file is too large (" + megabytes(bytes.length) + "; weights files are at most " + megabytes(LIMITS.fileBytes) + ")");
    }
    if (bytes.length >= 6 && bytes[0] === 0x93 && text(bytes.subarray(1, 6)) === "NUMPY") {
      fail("it is a single-array .npy file; the weights come as one .npz archive (np.savez)");
    }
    if (bytes.length < 22 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) fail("it is not a .npz file (a zip archive of .npy arrays)");
    var view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), end = -1;
    for (var at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 65535); at--) {
      if (view.getUint32(at, true) === END) {
        end = at;
        break;
      }
    }
    if (end < 0) fail("the archive is damaged or cut short (no central directory)");
    var count = view.getUint16(end + 10, true), offset = view.getUint32(end + 16, true);
    if (count === 0xffff || offset === 0xffffffff) fail("the archive is too large (a ZIP64 archive)");
    var members = [], p = offset;
    for (var n = 0; n < count; n++) {
      if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL) fail("the archive is damaged (its directory is broken)");
      var nameLength = view.getUint16(p + 28, true), extra = view.getUint16(p + 30, true), comment = view.getUint16(p + 32, true);
      var member = {
        flags: view.getUint16(p + 8, true),
        method: view.getUint16(p + 10, true),
        crc: view.getUint32(p + 16, true),
        compressedSize: view.getUint32(p + 20, true),
        size: view.getUint32(p + 24, true),
        local: view.getUint32(p + 42, true),
        name: text(bytes.subarray(p + 46, p + 46 + nameLength))
      };
      var local = member.local;
      if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL) fail("the archive is damaged (member " + member.name + ")");
      member.start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
      if (member.start + member.compressedSize > bytes.length) fail("the archive is cut short (member " + member.name + ")");
      members.push(member);
      p += 46 + nameLength + extra + comment;
    }
    return members;
  }

  /** Inflate raw deflate data with DecompressionStream, keeping at most limit bytes (a Promise of Uint8Array). */
  function inflate(data, limit) {
    var reader = new Blob([data]).stream().pipeThrough(new DecompressionStream("deflate-raw")).getReader();
    var parts = [], total = 0;
    function read() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          var out = new Uint8Array(total), at = 0;
          parts.forEach(function (part) {
            out.set(part, at);
            at += part.length;
          });
          return out;
        }
        total += chunk.value.length;
        if (total > limit) {
          reader.cancel();
          throw new NpzError("holds more data than it declares");
        }
        parts.push(chunk.value);
        return read();
      });
    }
    return read();
  }

  /** The bytes of member (a Promise): stored or deflated, its declared size and checksum checked. */
  function memberBytes(bytes, member, limit) {
    var where = "array " + member.name.replace(/\.npy$/, "") + " ";
    if (member.flags & 1) return Promise.reject(new NpzError(where + "is encrypted"));
    if (member.size > limit) {
      return Promise.reject(new NpzError(where + "is too large (" + megabytes(member.size) + ")"));
    }
    var raw = bytes.subarray(member.start, member.start + member.compressedSize), done;
    if (member.method === 0) done = Promise.resolve(raw);
    else if (member.method === 8) done = inflate(raw, member.size);
    else return Promise.reject(new NpzError(where + "is compressed in a way NumPy never writes"));
    return done.then(function (out) {
      if (out.length !== member.size || crc32(out) !== member.crc) fail(where + "is damaged (its checksum does not match)");
      return out;
    }, function (error) {
      if (error instanceof NpzError) throw new NpzError(where + error.message);
      throw new NpzError(where + "is damaged (it does not inflate)");
    });
  }

  // ------------------------------------------------------------ .npy arrays

  /** Element types the page reads: NumPy's dtype.str -> {size, get(view, offset, little)}. */
  var DTYPES = {
    f8: { size: 8, kind: "f", get: function (v, o, le) { return v.getFloat64(o, le); } },
    f4: { size: 4, kind: "f", get: function (v, o, le) { return v.getFloat32(o, le); } },
    u1: { size: 1, kind: "u", get: function (v, o) { return v.getUint8(o); } },
    i1: { size: 1, kind: "i", get: function (v, o) { return v.getInt8(o); } },
    i4: { size: 4, kind: "i", get: function (v, o, le) { return v.getInt32(o, le); } },
    u4: { size: 4, kind: "u", get: function (v, o, le) { return v.getUint32(o, le); } },
    i8: { size: 8, kind: "i", get: function (v, o, le) { return Number(v.getBigInt64(o, le)); } },
    u8: { size: 8, kind: "u", get: function (v, o, le) { return Number(v.getBigUint64(o, le)); } }
  };

  /** The header of a .npy file: {descr, fortran, shape, dataStart}; NpzError naming the array. */
  function npyHeader(bytes, name) {
    var where = "array " + name + " ";
    if (bytes.length < 10 || bytes[0] !== 0x93 || text(bytes.subarray(1, 6)) !== "NUMPY") fail(where + "is not a .npy array");
    var major = bytes[6], view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), length, start;
    if (major === 1) {
      length = view.getUint16(8, true);
      start = 10;
    } else if (major === 2 || major === 3) {
      if (bytes.length < 12) fail(where + "has a damaged header");
      length = view.getUint32(8, true);
      start = 12;
    } else fail(where + "is a .npy file of a version NumPy never wrote (" + major + ")");
    if (start + length > bytes.length || length > 65536) fail(where + "has a damaged header");
    var header = text(bytes.subarray(start, start + length));
    if (/'descr'\s*:\s*\[/.test(header)) fail(where + "holds records of several fields, not numbers");
    var descr = /'descr'\s*:\s*'([^']*)'/.exec(header), fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header);
    var shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(header);
    if (!descr || !fortran || !shape) fail(where + "has a damaged header");
    if (descr[1] === "|O" || descr[1] === "O") fail(where + "holds pickled Python objects, which the page never runs");
    var dims = shape[1].split(",").map(function (s) { return s.trim(); }).filter(function (s) { return s !== ""; });
    if (!dims.every(function (s) { return /^\d{1,9}$/.test(s); })) fail(where + "has a damaged header");
    return { descr: descr[1], fortran: fortran[1] === "True", shape: dims.map(Number), dataStart: start + length };
  }

  /**
   * A .npy file -> {shape, kind ("f", "i", "u"), values: Float64Array in C order}. Little- and big-endian
   * floats and whole numbers; Fortran order is turned into C order. NpzError naming the array otherwise.
   */
  function parseNpy(bytes, name) {
    var where = "array " + name + " ";
    var h = npyHeader(bytes, name);
    var order = h.descr.charAt(0), type = DTYPES[h.descr.slice(1)];
    if ("<>|=".indexOf(order) < 0 || !type) fail(where + "holds " + h.descr + ", not numbers the page reads (float64 or float32)");
    var count = h.shape.reduce(function (a, b) { return a * b; }, 1);
    if (bytes.length - h.dataStart !== count * type.size) {
      fail(where + "holds " + (bytes.length - h.dataStart) + " bytes of data; its shape (" + h.shape + ") needs " + count * type.size);
    }
    var view = new DataView(bytes.buffer, bytes.byteOffset + h.dataStart, count * type.size);
    var little = order !== ">", values = new Float64Array(count);
    for (var i = 0; i < count; i++) values[i] = type.get(view, i * type.size, little);
    if (h.fortran && h.shape.length > 1) values = fortranToC(values, h.shape);
    return { shape: h.shape, kind: type.kind, values: values };
  }

  /** Values stored in Fortran order (first index fastest) -> the same array in C order. */
  function fortranToC(values, shape) {
    var out = new Float64Array(values.length), index = shape.map(function () { return 0; });
    for (var c = 0; c < values.length; c++) {
      var f = 0, stride = 1;
      for (var d = 0; d < shape.length; d++) {
        f += index[d] * stride;
        stride *= shape[d];
      }
      out[c] = values[f];
      for (d = shape.length - 1; d >= 0; d--) {
        if (++index[d] < shape[d]) break;
        index[d] = 0;
      }
    }
    return out;
  }

  /** Python's repr of a shape tuple: (4, 3, 3, 1), (10,), (). */
  function shapeText(shape) {
    return "(" + shape.join(", ") + (shape.length === 1 ? ",)" : ")");
  }

  /**
   * The .npy bytes np.lib.format.write_array writes (version 1.0) for values of dtype descr and shape:
   * the header's dict, room for the first axis to grow to 21 digits, spaces up to a multiple of 64
   * bytes (a whole 64 when it fits exactly, as NumPy does), a newline.
   */
  function npyBytes(descr, shape, data) {
    var header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText(shape) + ", }";
    if (shape.length) header += " ".repeat(Math.max(0, 21 - String(shape[0]).length));
    var pad = 64 - ((10 + header.length + 1) % 64);
    header += " ".repeat(pad) + "\n";
    var out = new Uint8Array(10 + header.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
    for (var i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
    out.set(data, 10 + header.length);
    return out;
  }

  /** {descr, shape, data} of a Float64Array, a Uint8Array or whole numbers as int64 (little-endian). */
  function float64Array(values, shape) {
    var data = new Uint8Array(values.length * 8), view = new DataView(data.buffer);
    for (var i = 0; i < values.length; i++) view.setFloat64(8 * i, values[i], true);
    return { descr: "<f8", shape: shape || [values.length], data: data };
  }

  function uint8Array(values, shape) {
    return { descr: "|u1", shape: shape, data: Uint8Array.from(values) };
  }

  function int64Array(values) {
    var data = new Uint8Array(values.length * 8), view = new DataView(data.buffer);
    for (var i = 0; i < values.length; i++) view.setBigInt64(8 * i, BigInt(values[i]), true);
    return { descr: "<i8", shape: [values.length], data: data };
  }

  // ------------------------------------------------------------ writing a zip archive

  /** A stored zip archive of members [{name, data: Uint8Array}], every member dated 1980-01-01. */
  function zipStored(members) {
    var parts = [], central = [], offset = 0;
    members.forEach(function (m) {
      var name = Uint8Array.from(m.name, function (ch) { return ch.charCodeAt(0); }), crc = crc32(m.data);
      var local = new Uint8Array(30 + name.length), v = new DataView(local.buffer);
      v.setUint32(0, LOCAL, true);
      v.setUint16(4, 20, true);
      v.setUint16(10, DOS_TIME, true);
      v.setUint16(12, DOS_DATE, true);
      v.setUint32(14, crc, true);
      v.setUint32(18, m.data.length, true);
      v.setUint32(22, m.data.length, true);
      v.setUint16(26, name.length, true);
      local.set(name, 30);
      var entry = new Uint8Array(46 + name.length), c = new DataView(entry.buffer);
      c.setUint32(0, CENTRAL, true);
      c.setUint16(4, 20, true);
      c.setUint16(6, 20, true);
      c.setUint16(12, DOS_TIME, true);
      c.setUint16(14, DOS_DATE, true);
      c.setUint32(16, crc, true);
      c.setUint32(20, m.data.length, true);
      c.setUint32(24, m.data.length, true);
      c.setUint16(28, name.length, true);
      c.setUint32(38, (0o600 << 16) >>> 0, true);
      c.setUint32(42, offset, true);
      entry.set(name, 46);
      parts.push(local, m.data);
      central.push(entry);
      offset += local.length + m.data.length;
    });
    var size = 0;
    central.forEach(function (entry) { size += entry.length; });
    var end = new Uint8Array(22), e = new DataView(end.buffer);
    e.setUint32(0, END, true);
    e.setUint16(8, members.length, true);
    e.setUint16(10, members.length, true);
    e.setUint32(12, size, true);
    e.setUint32(16, offset, true);
    var all = parts.concat(central, [end]), total = 0;
    all.forEach(function (p) { total += p.length; });
    var out = new Uint8Array(total), at = 0;
    all.forEach(function (p) {
      out.set(p, at);
      at += p.length;
    });
    return out;
  }

  // ------------------------------------------------------------ the weights file

  var PARAMETERS = ["W1", "b1", "W2", "b2", "W3", "b3"];
  /** What a weights file's names mean, for the messages. */
  var LAYOUT = {
    W1: "(filters, rows, columns, input channels)", W2: "(filters, rows, columns, input channels)",
    W3: "(classes, 7·7·8 pool2 values in (row, column, channel) order)", b1: "(filters,)", b2: "(filters,)", b3: "(classes,)"
  };

  /**
   * The weights file the page offers (the layout of convviz.tiny_cnn.save_weights): the six
   * parameters, W1_init and W2_init (where training started), the test digits and labels, and the
   * history (loss, train_accuracy, test_accuracy per epoch; empty when unknown).
   */
  function weightsArchive(network, extra) {
    var arrays = [];
    PARAMETERS.forEach(function (name) { arrays.push([name, float64Array(network[name], network.shapes[name])]); });
    ["W1", "W2"].forEach(function (name) {
      arrays.push([name + "_init", float64Array(extra.initial[name], network.shapes[name])]);
    });
    var side = network.size;
    arrays.push(["test_images", uint8Array(extra.testImages, [extra.testLabels.length, side, side])]);
    arrays.push(["test_labels", int64Array(extra.testLabels)]);
    ["loss", "train_accuracy", "test_accuracy"].forEach(function (name) {
      arrays.push([name, float64Array(extra.history[name] || [])]);
    });
    return zipStored(arrays.map(function (pair) {
      return { name: pair[0] + ".npy", data: npyBytes(pair[1].descr, pair[1].shape, pair[1].data) };
    }));
  }

  /**
   * Read a weights file (a Promise): {params: the six arrays (Float64Array) with shapes and sizes
   * as the explorer uses them, initial: {W1, W2} if the file holds W1_init and W2_init, history
   * (lists, possibly empty), names: every array in the file}. like: the network whose shapes the
   * file must have; limit: the largest weight training gives. NpzError naming the first problem.
   */
  function readWeights(bytes, like, limit) {
    var members;
    try {
      members = zipMembers(bytes);
    } catch (error) {
      return Promise.reject(error);
    }
    var byName = {};
    members.forEach(function (m) { byName[m.name.replace(/\.npy$/, "")] = m; });
    var missing = PARAMETERS.filter(function (name) { return !byName[name]; });
    if (missing.length) {
      var found = Object.keys(byName).slice(0, 8).join(", ") || "none";
      return Promise.reject(new NpzError("the file has no array named " + missing.join(", ") + " (it holds " + found +
        "); a weights file holds W1, b1, W2, b2, W3, b3"));
    }
    var optional = ["W1_init", "W2_init", "loss", "train_accuracy", "test_accuracy"].filter(function (name) { return byName[name]; });
    var names = PARAMETERS.concat(optional), arrays = {};
    var chain = Promise.resolve();
    names.forEach(function (name) {
      chain = chain.then(function () {
        var expected = like.shapes[name.replace("_init", "")], count = expected ? expected.reduce(function (a, b) { return a * b; }, 1) : 100000;
        // A parameter's member holds its header and 8 bytes a number at most.
        return memberBytes(bytes, byName[name], Math.min(LIMITS.memberBytes, 65536 + 8 * count)).then(function (data) {
          arrays[name] = parseNpy(data, name);
        });
      });
    });
    return chain.then(function () { return checkedWeights(arrays, like, limit, Object.keys(byName)); });
  }

  function checkValues(name, array, limit) {
    var values = array.values;
    if (array.kind !== "f") fail("array " + name + " must hold decimal numbers (float64 or float32), it holds whole numbers");
    for (var i = 0; i < values.length; i++) {
      if (!isFinite(values[i])) fail("array " + name + " holds " + values[i] + " at index " + i + ", not a finite number");
      if (Math.abs(values[i]) > limit) {
        fail("array " + name + " holds " + values[i] + ", which training never gives (trained weights stay within ±" + limit + ")");
      }
    }
  }

  function checkedWeights(arrays, like, limit, names) {
    var params = { shapes: {}, size: like.size, conv1: like.conv1, conv2: like.conv2, classes: like.classes };
    PARAMETERS.forEach(function (name) {
      var array = arrays[name], expected = like.shapes[name];
      if (array.shape.join("x") !== expected.join("x")) {
        var hint = name.charAt(0) === "W" && array.shape.length === 4 && array.shape[1] === expected[3] && array.shape[3] === expected[2]
          ? " (PyTorch's order (out, in, rows, columns): use .permute(0, 2, 3, 1))" : "";
        fail("array " + name + " has shape " + shapeText(array.shape) + "; the network needs " + shapeText(expected) + " " +
          LAYOUT[name] + hint);
      }
      checkValues(name, array, limit);
      params[name] = array.values;
      params.shapes[name] = expected.slice();
    });
    var initial = null;
    if (arrays.W1_init && arrays.W2_init) {
      ["W1", "W2"].forEach(function (name) {
        var array = arrays[name + "_init"];
        if (array.shape.join("x") !== like.shapes[name].join("x")) {
          fail("array " + name + "_init has shape " + shapeText(array.shape) + "; it must have the shape of " + name);
        }
        checkValues(name + "_init", array, limit);
      });
      initial = { W1: arrays.W1_init.values, W2: arrays.W2_init.values };
    }
    var history = {};
    ["loss", "train_accuracy", "test_accuracy"].forEach(function (name) {
      var array = arrays[name];
      if (!array) {
        history[name] = [];
        return;
      }
      if (array.shape.length !== 1 || array.kind !== "f" || array.values.some(function (v) { return !isFinite(v); })) {
        fail("array " + name + " must list one finite number per epoch");
      }
      history[name] = Array.from(array.values);
    });
    return { params: params, initial: initial, history: history, names: names };
  }

  Object.assign(ConvCore, {
    NpzError: NpzError,
    NPZ_LIMITS: LIMITS,
    crc32: crc32,
    zipMembers: zipMembers,
    parseNpy: parseNpy,
    npyBytes: npyBytes,
    zipStored: zipStored,
    weightsArchive: weightsArchive,
    readWeights: readWeights
  });
  if (typeof module === "object" && module.exports) module.exports = ConvCore;
})((globalThis.ConvCore = globalThis.ConvCore || {}));
