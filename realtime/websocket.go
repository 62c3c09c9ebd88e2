package realtime

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/coder/websocket"
)

// socket is the WebSocket a connection needs. coder/websocket implements
// it today (coderSocket); a netpoll-based implementation that holds no
// goroutine or buffer for an idle connection can replace it without
// touching the protocol code.
type socket interface {
	// Read returns the next text message; a binary message is an error.
	Read(ctx context.Context) ([]byte, error)
	// Write sends one text message.
	Write(ctx context.Context, p []byte) error
	// Ping sends a ping and waits for the pong (Read must be running).
	Ping(ctx context.Context) error
	// Close sends a close frame with code and reason and closes.
	Close(code int, reason string) error
}

type coderSocket struct{ c *websocket.Conn }

var _ socket = coderSocket{}

var errBinary = errors.New("realtime: binary frames are not part of the protocol")

func (s coderSocket) Read(ctx context.Context) ([]byte, error) {
	typ, p, err := s.c.Read(ctx)
	if err != nil {
		return nil, err
	}
	if typ != websocket.MessageText {
		return nil, errBinary
	}
	return p, nil
}

func (s coderSocket) Write(ctx context.Context, p []byte) error {
	return s.c.Write(ctx, websocket.MessageText, p)
}

func (s coderSocket) Ping(ctx context.Context) error { return s.c.Ping(ctx) }

func (s coderSocket) Close(code int, reason string) error {
	return s.c.Close(websocket.StatusCode(code), reason)
}

// WebSocket returns the WebSocket endpoint: an http.Handler that checks
// the handshake (Origin, identity), upgrades, and speaks the JSON protocol
// of docs/realtime.md. Mount it on a streaming route.
func (h *Hub) WebSocket() http.Handler { return http.HandlerFunc(h.serveWebSocket) }

func (h *Hub) serveWebSocket(w http.ResponseWriter, r *http.Request) {
	ident, ok := h.handshake(w, r)
	if !ok {
		return
	}
	mode := websocket.CompressionDisabled
	if h.opts.Compression {
		mode = websocket.CompressionContextTakeover
	}
	// The Origin was checked by handshake, against more than the host
	// patterns coder/websocket knows.
	conn, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: mode})
	if err != nil {
		return // Accept has answered (400 for a request that is not an upgrade)
	}
	conn.SetReadLimit(h.opts.MaxMessageBytes)
	// The connection outlives this handler: net/http cancels the request's
	// context when the handler returns, so the client's keeps its values
	// but not its cancellation.
	c := h.newClient(context.WithoutCancel(r.Context()), ident, "websocket")
	if !h.register(c) {
		conn.Close(CloseGoingAway, "server shutting down")
		return
	}
	// Read on a fresh goroutine and return: the handler's goroutine has
	// grown a stack through every middleware (16 KiB against 8 KiB), which
	// an idle connection would otherwise keep.
	go func() {
		defer h.unregister(c)
		h.watchUser(c)
		h.run(c, coderSocket{conn})
	}()
}

// run serves a connected socket until it ends: this goroutine reads,
// another writes, and a timer pings.
func (h *Hub) run(c *Client, s socket) {
	c.enqueue(encode(helloFrame{Type: typeHello, Client: c.id, User: c.ident.UserID, Ping: int(h.opts.PingInterval / time.Second)}))
	writerDone := make(chan struct{})
	go func() {
		defer close(writerDone)
		h.writeLoop(c, s)
	}()
	var ping *time.Timer
	ping = time.AfterFunc(h.opts.PingInterval, func() {
		ctx, cancel := context.WithTimeout(c.ctx, h.opts.PongTimeout)
		defer cancel()
		if err := s.Ping(ctx); err != nil {
			if c.ctx.Err() == nil {
				c.close(CloseIdleTimeout, "no pong")
			}
			return
		}
		ping.Reset(h.opts.PingInterval)
	})
	for {
		p, err := s.Read(c.ctx)
		if err != nil {
			// A frame over the read limit has already been answered
			// with 1009 by coder/websocket.
			if errors.Is(err, errBinary) {
				c.close(CloseProtocolError, "binary frame")
			} else {
				c.close(CloseNormal, "")
			}
			break
		}
		c.handle(p)
	}
	ping.Stop()
	<-writerDone
	c.cleanup()
}

// writeLoop writes queued frames until the client is closed, then sends
// the close frame. Frames still queued at a close are written first,
// except for a slow consumer, whose queue is what it failed to read.
func (h *Hub) writeLoop(c *Client, s socket) {
	var batch [][]byte
	write := func() bool {
		batch = c.q.take(batch)
		defer clear(batch)
		for _, frame := range batch {
			ctx, cancel := context.WithTimeout(c.ctx, h.opts.WriteTimeout)
			err := s.Write(ctx, frame)
			cancel()
			if err != nil {
				return false
			}
		}
		return true
	}
	for {
		select {
		case <-c.done:
			if c.code != CloseSlowConsumer {
				write()
			}
			s.Close(c.code, c.reason)
			return
		case <-c.q.notify:
			if !write() {
				c.close(CloseNormal, "")
			}
		}
	}
}
