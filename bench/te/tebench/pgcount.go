package main

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
)

// stmtCounts are the statements a contestant sent, by kind.
type stmtCounts struct {
	WorldSelects   int // SELECTs on world naming one row
	WorldMulti     int // SELECTs on world with IN or ANY (several rows at once)
	FortuneSelects int
	WorldUpdates   int
	Other          int // BEGIN, COMMIT, SET, catalogue queries
	Parses         int // statements prepared (extended protocol)
	Syncs          int // round trips the client asked for (Sync messages)
	Texts          []string
}

func (c stmtCounts) sub(o stmtCounts) stmtCounts {
	return stmtCounts{
		WorldSelects:   c.WorldSelects - o.WorldSelects,
		WorldMulti:     c.WorldMulti - o.WorldMulti,
		FortuneSelects: c.FortuneSelects - o.FortuneSelects,
		WorldUpdates:   c.WorldUpdates - o.WorldUpdates,
		Other:          c.Other - o.Other,
		Parses:         c.Parses - o.Parses,
		Syncs:          c.Syncs - o.Syncs,
		Texts:          c.Texts[len(o.Texts):],
	}
}

// countingProxy forwards connections to PostgreSQL and counts the statements
// clients execute, by reading the frontend side of the wire protocol: a
// simple Query is one statement; in the extended protocol each Execute runs
// the statement its portal was bound to (Parse names statements, Bind binds
// portals). Counting on the wire sees every statement whatever the client
// library does (prepared statements, pipelining, batches), needs no server
// extension or restart, and is exact: a response arrives only after the
// server received the statements it answers, and the proxy counts a message
// before forwarding it.
type countingProxy struct {
	ln       net.Listener
	upstream string

	mu     sync.Mutex
	counts stmtCounts
}

func newCountingProxy(upstream string) (*countingProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &countingProxy{ln: ln, upstream: upstream}
	go p.serve()
	return p, nil
}

func (p *countingProxy) addr() string { return p.ln.Addr().String() }

func (p *countingProxy) close() error { return p.ln.Close() }

// snapshot returns the counts so far; sub of two snapshots gives what
// happened between them.
func (p *countingProxy) snapshot() stmtCounts {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.counts
	c.Texts = c.Texts[:len(c.Texts):len(c.Texts)]
	return c
}

func (p *countingProxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.handle(c)
	}
}

func (p *countingProxy) handle(client net.Conn) {
	defer client.Close()
	server, err := net.Dial("tcp", p.upstream)
	if err != nil {
		return
	}
	defer server.Close()
	go func() {
		io.Copy(client, server)
		client.Close()
	}()
	p.frontend(bufio.NewReader(client), server)
}

const (
	sslRequest   = 80877103
	gssEncRequst = 80877104
)

// frontend copies the client's messages to server, counting statements.
func (p *countingProxy) frontend(r *bufio.Reader, server io.Writer) {
	// Start-up: untyped messages until the StartupMessage (an SSL or GSS
	// request is answered "N" by a server without TLS and the client tries
	// again; the suite connects with sslmode=disable).
	for {
		msg, err := readUntyped(r)
		if err != nil {
			return
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
		code := binary.BigEndian.Uint32(msg[4:8])
		if code != sslRequest && code != gssEncRequst {
			break
		}
	}
	stmts := map[string]string{}
	portals := map[string]string{}
	for {
		typ, msg, err := readTyped(r)
		if err != nil {
			return
		}
		body := msg[5:]
		switch typ {
		case 'Q':
			p.count(cstring(body))
		case 'S':
			p.mu.Lock()
			p.counts.Syncs++
			p.mu.Unlock()
		case 'P':
			p.mu.Lock()
			p.counts.Parses++
			p.mu.Unlock()
			name := cstring(body)
			stmts[name] = cstring(body[len(name)+1:])
		case 'B':
			portal := cstring(body)
			portals[portal] = stmts[cstring(body[len(portal)+1:])]
		case 'E':
			p.count(portals[cstring(body)])
		}
		if _, err := server.Write(msg); err != nil {
			return
		}
	}
}

func (p *countingProxy) count(sql string) {
	s := strings.ToLower(strings.TrimSpace(sql))
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts.Texts = append(p.counts.Texts, sql)
	switch {
	case strings.HasPrefix(s, "select") && strings.Contains(s, "fortune"):
		p.counts.FortuneSelects++
	case strings.HasPrefix(s, "select") && strings.Contains(s, "world"):
		if strings.Contains(s, " in (") || strings.Contains(s, "any(") || strings.Contains(s, "any (") {
			p.counts.WorldMulti++
		} else {
			p.counts.WorldSelects++
		}
	case strings.HasPrefix(s, "update") && strings.Contains(s, "world"):
		p.counts.WorldUpdates++
	default:
		p.counts.Other++
	}
}

var errBadMessage = errors.New("pgcount: malformed message")

func readUntyped(r *bufio.Reader) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n < 8 || n > 1<<20 {
		return nil, errBadMessage
	}
	msg := make([]byte, n)
	copy(msg, hdr[:])
	_, err := io.ReadFull(r, msg[4:])
	return msg, err
}

func readTyped(r *bufio.Reader) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return 0, nil, err
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n < 4 || n > 1<<30 {
		return 0, nil, errBadMessage
	}
	msg := make([]byte, 1+n)
	copy(msg, hdr[:])
	_, err := io.ReadFull(r, msg[5:])
	return hdr[0], msg, err
}

// cstring returns the NUL-terminated string at the start of b.
func cstring(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
