package realtime

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// SSE returns the Server-Sent Events endpoint, for clients and proxies
// without WebSockets. It serves two methods on one path:
//
//   - GET opens the stream, subscribing to each topic query parameter
//     ("?topic=chat:lobby&topic=news"); "topic=NAME@EPOCH:OFFSET" resumes
//     after that position, as a subscribe with recover does; their acks
//     (or errors) carry the topic and no id. Each server
//     frame is one event whose data is the frame's JSON; the first is
//     "hello" with the connection's client ID and send token.
//   - POST sends one client frame (the body, as on a WebSocket) for the
//     connection named by the "client" query parameter, authorized by the
//     "X-Realtime-Token" header carrying the hello's token. It answers
//     202 with no body: the ack or error arrives on the stream, as on a
//     WebSocket, so clients handle both transports alike.
//
// Mount GET on a streaming route.
func (h *Hub) SSE() http.Handler { return http.HandlerFunc(h.serveSSE) }

func (h *Hub) serveSSE(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		h.serveStream(w, r)
	case http.MethodPost:
		h.serveSend(w, r)
	default:
		w.Header().Set("Allow", "GET, HEAD, POST")
		refuse(w, http.StatusMethodNotAllowed, "realtime: method not allowed")
	}
}

// parseSubscription reads a topic query value: NAME or NAME@EPOCH:OFFSET.
func parseSubscription(v string) (inFrame, error) {
	f := inFrame{Type: typeSubscribe, Topic: v}
	name, pos, ok := strings.Cut(v, "@")
	if !ok {
		return f, nil
	}
	epoch, off, ok := strings.Cut(pos, ":")
	n, err := strconv.ParseUint(off, 10, 64)
	if !ok || err != nil || epoch == "" {
		return f, fmt.Errorf("realtime: topic %q: want NAME or NAME@EPOCH:OFFSET", v)
	}
	f.Topic, f.Recover = name, &Position{Epoch: epoch, Offset: n}
	return f, nil
}

func (h *Hub) serveStream(w http.ResponseWriter, r *http.Request) {
	topics := r.URL.Query()["topic"]
	if len(topics) > h.opts.MaxSubscriptions {
		refuse(w, http.StatusBadRequest, "realtime: too many topics")
		return
	}
	frames := make([]inFrame, 0, len(topics))
	for _, t := range topics {
		f, err := parseSubscription(t)
		if err != nil {
			refuse(w, http.StatusBadRequest, err.Error())
			return
		}
		frames = append(frames, f)
	}
	ident, ok := h.handshake(w, r)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	hdr := w.Header()
	hdr.Set("Content-Type", "text/event-stream")
	hdr.Set("Cache-Control", "no-cache")
	hdr.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return
	}
	if err := rc.Flush(); err != nil {
		return
	}
	c := h.newClient(r.Context(), ident, "sse")
	if !h.register(c) {
		return
	}
	defer h.unregister(c)
	h.watchUser(c)
	c.enqueue(encode(helloFrame{Type: typeHello, Client: c.id, User: c.ident.UserID, Ping: int(h.opts.PingInterval / time.Second), Token: c.token}))
	for _, f := range frames {
		c.subscribe(f) // acked with id 0 and the topic
	}
	h.sseWriteLoop(c, w, rc)
	c.cleanup()
}

var dataPrefix, eventEnd = []byte("data: "), []byte("\n\n")

// closeFrame ends an SSE stream, carrying what a WebSocket close frame
// would.
type closeFrame struct {
	Type   string `json:"type"`
	Code   int    `json:"code"`
	Reason string `json:"reason,omitempty"`
}

// sseWriteLoop writes queued frames as events and a comment every
// PingInterval, until the client is closed or a write fails.
func (h *Hub) sseWriteLoop(c *Client, w io.Writer, rc *http.ResponseController) {
	ping := time.NewTicker(h.opts.PingInterval)
	defer ping.Stop()
	var batch [][]byte
	write := func(parts ...[]byte) bool {
		rc.SetWriteDeadline(time.Now().Add(h.opts.WriteTimeout))
		for _, p := range parts {
			if _, err := w.Write(p); err != nil {
				return false
			}
		}
		return rc.Flush() == nil
	}
	writeQueued := func() bool {
		batch = c.q.take(batch)
		defer clear(batch)
		rc.SetWriteDeadline(time.Now().Add(h.opts.WriteTimeout))
		for _, frame := range batch {
			// Frames are single-line JSON (encoding/json escapes
			// newlines), so one data line carries one frame.
			for _, p := range [][]byte{dataPrefix, frame, eventEnd} {
				if _, err := w.Write(p); err != nil {
					return false
				}
			}
		}
		return rc.Flush() == nil // one flush per batch
	}
	for {
		select {
		case <-c.ctx.Done(): // the client went away
			c.close(CloseNormal, "")
			return
		case <-c.done:
			if c.code != CloseSlowConsumer && !writeQueued() {
				return
			}
			write(dataPrefix, encode(closeFrame{Type: "close", Code: c.code, Reason: c.reason}), eventEnd)
			return
		case <-ping.C:
			if !write([]byte(": ping\n\n")) {
				c.close(CloseNormal, "")
				return
			}
		case <-c.q.notify:
			if !writeQueued() {
				c.close(CloseNormal, "")
				return
			}
		}
	}
}

// serveSend takes one client frame for an SSE connection.
func (h *Hub) serveSend(w http.ResponseWriter, r *http.Request) {
	if err := h.checkOrigin(r); err != nil {
		refuse(w, http.StatusForbidden, "realtime: origin not allowed")
		return
	}
	c := h.client(r.URL.Query().Get("client"))
	token := r.Header.Get("X-Realtime-Token")
	if c == nil || c.transport != "sse" || subtle.ConstantTimeCompare([]byte(token), []byte(c.token)) != 1 {
		refuse(w, http.StatusNotFound, "realtime: no such connection")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, h.opts.MaxMessageBytes+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe) || int64(len(body)) > h.opts.MaxMessageBytes:
		refuse(w, http.StatusRequestEntityTooLarge, "realtime: message too big")
		return
	case err != nil:
		refuse(w, http.StatusBadRequest, "realtime: reading the message failed")
		return
	}
	if !c.handle(body) {
		w.Header().Set("Retry-After", "1")
		refuse(w, http.StatusTooManyRequests, "realtime: rate limited")
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
