// Package realtime pushes live updates to browsers and other clients over
// WebSockets and Server-Sent Events: topics with namespaces, per-topic
// authorization, client events with acknowledgements, presence, and
// history so that a client that reconnects receives exactly the messages
// it missed.
//
// # Hub
//
// A [Hub] serves the two endpoints ([Hub.WebSocket], [Hub.SSE]) and is
// what the rest of the application talks to:
//
//	hub := realtime.New(realtime.Options{Identify: identify})
//	hub.Topic("chat:*", realtime.Rule{Subscribe: realtime.SignedIn, Publish: realtime.SignedIn, Presence: true})
//	hub.Handle("typing", func(ctx context.Context, c *realtime.Client, data json.RawMessage) (any, error) { ... })
//	hub.Publish(ctx, "chat:lobby", msg) // from any handler, hook or command
//
// In an Anode application, App.Realtime builds the Hub from the
// configuration and mounts it at /realtime/ws and /realtime/sse; the
// JavaScript client is served at /static/anode.js.
//
// # Topics and rules
//
// A topic is a name such as "chat:lobby"; the part before the first ":"
// is its namespace. [Hub.Topic] sets a [Rule] for a topic or a pattern
// ("chat:*"): who may subscribe, who may publish, whether presence is
// kept, how much history. Topics without a rule are closed to clients; the
// server may always publish.
//
// # Brokers
//
// A [Broker] carries messages between the instances of an application and
// keeps each topic's history with increasing offsets within an epoch. The
// [MemoryBroker] serves a single instance; [RedisBroker] and [NATSBroker]
// let any number of instances serve the same topics, with history and
// presence shared between them, so a client may reconnect to any instance
// and recover what it missed. [OpenBroker] opens one from a URL
// (ANODE_BROKER_URL); docs/realtime.md describes how each stores topics.
//
// # Safety
//
// Handshakes are checked against the Origin (cross-site WebSocket
// hijacking), client frames against a size limit and a per-connection rate
// limit; each connection's send queue is bounded and a client that does
// not keep up is disconnected ([CloseSlowConsumer]) without slowing
// anyone else; pings detect dead peers; [Hub.Shutdown] closes every client
// with 1001.
//
// The wire protocol and the JavaScript client are described in
// docs/realtime.md.
package realtime
