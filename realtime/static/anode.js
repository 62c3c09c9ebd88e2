// anode.js: the browser client of Anode's realtime endpoints (package
// realtime; the protocol is in docs/realtime.md). No build step, no
// dependencies. It reconnects with jittered exponential backoff, resumes
// every subscription from its last position (recovering missed messages),
// turns acknowledgements into promises, follows presence, and falls back
// from WebSocket to Server-Sent Events.
//
//   const rt = new Anode.Realtime();
//   const room = rt.subscribe("chat:lobby", {
//     message(data) { show(data); },
//     join(member) {}, leave(member) {},
//     reset() { reloadHistory(); }, // missed messages could not be recovered
//   });
//   await rt.publish("chat:lobby", {text: "hi"});
//   const reply = await rt.emit("typing", {on: true});
//   const members = await room.presence();
(function (global) {
  "use strict";

  var OPEN_TIMEOUT = 10000;

  function Subscription(rt, topic, handlers) {
    this.rt = rt;
    this.topic = topic;
    this.handlers = handlers || {};
    this.epoch = "";
    this.offset = 0;
    this.active = true;
    var self = this;
    this.ready = new Promise(function (resolve, reject) {
      self._resolve = resolve;
      self._reject = reject;
    });
    this.ready.catch(function () {}); // handled by those who await it
  }

  // presence resolves with the topic's current members.
  Subscription.prototype.presence = function () {
    return this.rt._request({ type: "presence", topic: this.topic }).then(function (ack) {
      return (ack.data && ack.data.members) || [];
    });
  };

  // publish publishes data to this subscription's topic.
  Subscription.prototype.publish = function (data) {
    return this.rt.publish(this.topic, data);
  };

  // unsubscribe stops the subscription.
  Subscription.prototype.unsubscribe = function () {
    if (!this.active) return Promise.resolve();
    this.active = false;
    delete this.rt.subs[this.topic];
    if (!this.rt._isOpen()) return Promise.resolve();
    return this.rt._request({ type: "unsubscribe", topic: this.topic }).catch(function () {});
  };

  Subscription.prototype._call = function (name, arg, frame) {
    var fn = this.handlers[name];
    if (typeof fn === "function") {
      try { fn.call(this, arg, frame); } catch (e) { setTimeout(function () { throw e; }); }
    }
  };

  // Realtime is one connection to the server, shared by every
  // subscription. Options: base (the endpoints' path, default "/realtime",
  // or an absolute "https://host/realtime" for another origin), transports
  // (default ["websocket", "sse"]), timeout (ack timeout in ms, default
  // 10000), minDelay and maxDelay (reconnect backoff, default 500 and
  // 20000 ms), onState(state) ("connecting", "open", "closed").
  function Realtime(opts) {
    opts = opts || {};
    this.base = (opts.base || "/realtime").replace(/\/$/, "");
    this.transports = opts.transports || ["websocket", "sse"];
    if (typeof WebSocket === "undefined") this.transports = this.transports.filter(function (t) { return t !== "websocket"; });
    this.timeout = opts.timeout || 10000;
    this.minDelay = opts.minDelay || 500;
    this.maxDelay = opts.maxDelay || 20000;
    this.onState = opts.onState || function () {};
    this.onEmit = {}; // server emits to this client, by event name
    this.subs = {};
    this.pending = {};
    this.nextID = 1;
    this.outbox = [];
    this.attempt = 0;
    this.failures = 0; // WebSocket failures before open, in a row
    this.transport = this.transports[0];
    this.closed = false;
    this.state = "closed";
    this.clientID = "";
    this._connect();
  }

  Realtime.prototype._setState = function (s) {
    if (this.state !== s) { this.state = s; this.onState(s); }
  };

  Realtime.prototype._isOpen = function () { return this.state === "open"; };

  Realtime.prototype._url = function (path) {
    if (/^https?:\/\//.test(this.base)) return this.base + path;
    var loc = global.location;
    return loc.protocol + "//" + loc.host + this.base + path;
  };

  Realtime.prototype._connect = function () {
    if (this.closed) return;
    this._setState("connecting");
    var self = this, gen = (this.gen = (this.gen || 0) + 1);
    var opened = false;
    var openTimer = setTimeout(function () { if (!opened) fail(); }, OPEN_TIMEOUT);
    function fail(code) {
      if (gen !== self.gen) return; // a newer connection took over
      clearTimeout(openTimer);
      self.gen++;
      self._teardown();
      if (!opened && self.transport === "websocket" && ++self.failures >= 2 && self.transports.indexOf("sse") >= 0) {
        self.transport = "sse";
      }
      self._reconnect(code);
    }
    function onFrame(text) {
      if (gen !== self.gen) return;
      var f;
      try { f = JSON.parse(text); } catch (e) { return; }
      if (f.type === "hello") { opened = true; clearTimeout(openTimer); self.failures = 0; }
      if (f.type === "close") { fail(f.code); return; }
      self._frame(f);
    }
    if (this.transport === "websocket") {
      var ws = new WebSocket(this._url("/ws").replace(/^http/, "ws"));
      this.ws = ws;
      ws.onmessage = function (ev) { onFrame(ev.data); };
      ws.onclose = function (ev) { fail(ev.code); };
      ws.onerror = function () { fail(); };
    } else {
      var q = [], names = [];
      for (var t in this.subs) {
        var s = this.subs[t];
        q.push("topic=" + encodeURIComponent(s.epoch ? t + "@" + s.epoch + ":" + s.offset : t));
        names.push(t);
      }
      this.sseTopics = names; // the server acks them with their topic and no id
      var es = new EventSource(this._url("/sse") + (q.length ? "?" + q.join("&") : ""));
      this.es = es;
      es.onmessage = function (ev) { onFrame(ev.data); };
      es.onerror = function () { fail(); };
    }
  };

  Realtime.prototype._teardown = function () {
    if (this.ws) { this.ws.onclose = this.ws.onerror = this.ws.onmessage = null; try { this.ws.close(); } catch (e) {} this.ws = null; }
    if (this.es) { this.es.close(); this.es = null; }
    this.clientID = "";
    for (var id in this.pending) {
      var p = this.pending[id];
      delete this.pending[id];
      clearTimeout(p.timer);
      if (p.frame.type === "subscribe") continue; // resent on reconnect
      p.reject(new Error("anode: disconnected"));
    }
  };

  Realtime.prototype._reconnect = function (code) {
    if (this.closed) return;
    this._setState("connecting");
    // 1001: the server is going away; reconnect (elsewhere) at once, with
    // a little jitter so that every client does not arrive together.
    var delay = code === 1001 ? Math.random() * this.minDelay
      : Math.min(this.maxDelay, this.minDelay * Math.pow(2, this.attempt++)) * (0.5 + Math.random() / 2);
    var self = this;
    setTimeout(function () { self._connect(); }, delay);
  };

  Realtime.prototype._frame = function (f) {
    var sub = f.topic ? this.subs[f.topic] : null;
    switch (f.type) {
      case "hello":
        this.clientID = f.client;
        this.token = f.token || "";
        this.attempt = 0;
        this._setState("open");
        if (this.transport === "websocket") {
          for (var t in this.subs) this._sendSubscribe(this.subs[t]);
        } else {
          var names = this.sseTopics || [];
          for (var i = 0; i < names.length; i++) this._track("sub:" + names[i], { type: "subscribe", topic: names[i] }).catch(function () {});
          for (var n in this.subs) if (names.indexOf(n) < 0) this._sendSubscribe(this.subs[n]);
        }
        var out = this.outbox;
        this.outbox = [];
        for (var j = 0; j < out.length; j++) this._send(out[j]);
        return;
      case "message":
        if (!sub) return;
        if (f.epoch === sub.epoch && f.offset <= sub.offset) return; // seen already
        sub.epoch = f.epoch;
        sub.offset = f.offset;
        sub._call("message", f.data, f);
        return;
      case "join":
      case "leave":
        if (sub) sub._call(f.type, f.member, f);
        return;
      case "emit":
        var fn = this.onEmit[f.event];
        if (fn) fn(f.data);
        return;
      case "ack":
      case "error":
        var key = f.id || "sub:" + f.topic;
        var p = this.pending[key];
        if (!p) return;
        delete this.pending[key];
        clearTimeout(p.timer);
        if (f.type === "error") {
          var err = new Error(f.message);
          err.code = f.code;
          p.reject(err);
        } else {
          p.resolve(f);
        }
    }
  };

  Realtime.prototype._track = function (id, frame) {
    var self = this;
    return new Promise(function (resolve, reject) {
      var p = { frame: frame, resolve: resolve, reject: reject };
      p.timer = setTimeout(function () {
        delete self.pending[id];
        reject(new Error("anode: no acknowledgement in time"));
      }, self.timeout);
      self.pending[id] = p;
    }).then(function (ack) {
      if (frame.type === "subscribe") self._subscribed(frame.topic, ack);
      return ack;
    }, function (err) {
      if (frame.type === "subscribe") self._subscribeFailed(frame.topic, err);
      throw err;
    });
  };

  Realtime.prototype._subscribed = function (topic, ack) {
    var sub = this.subs[topic];
    if (!sub) return;
    if (ack.recovered !== true) {
      // A first subscribe, or the missed messages are gone: start from now.
      var reset = ack.recovered === false;
      sub.epoch = ack.epoch;
      sub.offset = ack.offset;
      if (reset) sub._call("reset", ack);
    }
    sub._resolve(ack);
  };

  Realtime.prototype._subscribeFailed = function (topic, err) {
    var sub = this.subs[topic];
    if (!sub || !err.code) return; // a timeout: the next connection retries
    delete this.subs[topic];
    sub.active = false;
    sub._reject(err);
    sub._call("error", err);
  };

  // _request sends frame with a new id and resolves with its ack.
  Realtime.prototype._request = function (frame) {
    frame.id = this.nextID++;
    var p = this._track(frame.id, frame);
    if (this._isOpen()) this._send(frame);
    else this.outbox.push(frame);
    return p;
  };

  Realtime.prototype._sendSubscribe = function (sub) {
    var frame = { type: "subscribe", topic: sub.topic };
    if (sub.epoch) frame.recover = { epoch: sub.epoch, offset: sub.offset };
    frame.id = this.nextID++;
    this._track(frame.id, frame).catch(function () {});
    this._send(frame);
  };

  Realtime.prototype._send = function (frame) {
    var text = JSON.stringify(frame);
    if (this.ws) { this.ws.send(text); return; }
    if (!this.es) return;
    var url = this._url("/sse") + "?client=" + encodeURIComponent(this.clientID), token = this.token;
    // One POST at a time keeps the frames in order.
    this.posting = (this.posting || Promise.resolve()).then(function () {
      return fetch(url, { method: "POST", credentials: "same-origin", body: text,
        headers: { "Content-Type": "application/json", "X-Realtime-Token": token } });
    }).catch(function () {});
  };

  // subscribe subscribes to topic; handlers are message(data, frame),
  // join(member), leave(member), reset(ack) (missed messages could not be
  // recovered) and error(err). Its ready promise resolves with the first
  // ack. Subscribing again to a topic returns the existing subscription.
  Realtime.prototype.subscribe = function (topic, handlers) {
    if (this.subs[topic]) return this.subs[topic];
    var sub = new Subscription(this, topic, handlers);
    this.subs[topic] = sub;
    if (this._isOpen()) this._sendSubscribe(sub);
    return sub;
  };

  // publish publishes data to topic; it resolves with {epoch, offset}.
  Realtime.prototype.publish = function (topic, data) {
    return this._request({ type: "publish", topic: topic, data: data }).then(function (ack) {
      return { epoch: ack.epoch, offset: ack.offset };
    });
  };

  // emit sends event to the server's handler; it resolves with the
  // handler's result.
  Realtime.prototype.emit = function (event, data) {
    return this._request({ type: "emit", event: event, data: data }).then(function (ack) {
      return ack.data;
    });
  };

  // on registers fn for emits the server sends to this client.
  Realtime.prototype.on = function (event, fn) { this.onEmit[event] = fn; };

  // close disconnects for good.
  Realtime.prototype.close = function () {
    this.closed = true;
    this.gen = (this.gen || 0) + 1;
    this._teardown();
    this._setState("closed");
  };

  global.Anode = global.Anode || {};
  global.Anode.Realtime = Realtime;
})(typeof window !== "undefined" ? window : this);
