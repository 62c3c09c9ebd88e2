package mail

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
)

// Console is the debug backend: it writes every message, complete with its
// headers and MIME parts, to W (os.Stdout when nil), each followed by a line
// of dashes, like Django's console backend. Nothing is delivered. Its zero
// value is ready to use and it is safe for concurrent use: messages are never
// interleaved.
type Console struct {
	W io.Writer

	mu sync.Mutex
}

var _ Backend = (*Console)(nil)

var consoleSeparator = strings.Repeat("-", 79) + "\n"

// Send validates every message, then writes them all. It returns the first
// validation error without writing anything, or a *SendError if W fails.
func (c *Console) Send(ctx context.Context, msgs ...*Message) error {
	if err := validateAll(msgs); err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, m := range msgs {
		if err := ctx.Err(); err != nil {
			return &SendError{Backend: "console", Err: err}
		}
		if err := writeMessage(&buf, m); err != nil {
			return err
		}
		if len(m.Bcc) > 0 {
			// The written message has no Bcc header (it is envelope-only), but
			// the developer reading the console wants to see who gets a copy.
			buf.WriteString("\r\n[envelope Bcc: " + addrsString(m.Bcc) + "]")
		}
		buf.WriteString("\r\n" + consoleSeparator)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.W
	if w == nil {
		w = os.Stdout
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return &SendError{Backend: "console", Err: err}
	}
	return nil
}

func validateAll(msgs []*Message) error {
	for i, m := range msgs {
		if m == nil {
			return fmt.Errorf("mail: message %d of %d is nil", i+1, len(msgs))
		}
		if err := m.Validate(); err != nil {
			return err
		}
	}
	return nil
}
