// Loaded into sphinxcontrib-katex's Node.js renderer with `node --require` (docs/_ext/katex_tcp.py).
// The renderer answers each formula with two writes, its length and then its text; with Nagle's
// algorithm on, the second write waits for the reader's delayed acknowledgement, about 40 ms a
// formula. Every connection the renderer accepts sends at once instead.
"use strict";

const net = require("node:net");

const createServer = net.createServer;
net.createServer = function createServerWithoutDelay(...args) {
  const server = createServer.apply(this, args);
  server.on("connection", (socket) => socket.setNoDelay(true));
  return server;
};
