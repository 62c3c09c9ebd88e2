// The Node peer of bench/rtbroadcast: a WebSocket broadcast server written
// the usual way with the ws package. Clients connected to /sub receive every
// text message that a client connected to /pub sends. One process, as a
// Node server that keeps its subscribers in memory must be.
//
//   node server.js 127.0.0.1:9001
"use strict";
const { WebSocketServer } = require("ws");

const [host, port] = (process.argv[2] || "127.0.0.1:9001").split(":");
const subs = new Set();
const wss = new WebSocketServer({ host, port: Number(port), perMessageDeflate: false, maxPayload: 64 * 1024 });

wss.on("connection", (ws, req) => {
  if (req.url === "/pub") {
    ws.on("message", (data, isBinary) => {
      for (const c of subs) {
        if (c.readyState === 1) c.send(data, { binary: isBinary });
      }
    });
    return;
  }
  subs.add(ws);
  ws.on("close", () => subs.delete(ws));
  ws.on("error", () => subs.delete(ws));
});
wss.on("listening", () => console.log("listening on " + host + ":" + port));
