package mail

import (
	"context"
	"sync"
)

// Outbox is the in-memory backend for tests, like Django's locmem backend
// and mail.outbox: Send validates each message and keeps a copy instead of
// delivering it; Messages returns what was sent. Its zero value is an empty
// outbox and it is safe for concurrent use.
type Outbox struct {
	mu   sync.Mutex
	msgs []*Message
}

var _ Backend = (*Outbox)(nil)

// Send validates every message and, if all are valid, appends copies of them
// to the outbox (all or none). A message that would fail to render as MIME
// fails here too, so tests catch what SMTP would refuse.
func (o *Outbox) Send(ctx context.Context, msgs ...*Message) error {
	if err := validateAll(msgs); err != nil {
		return err
	}
	copies := make([]*Message, len(msgs))
	for i, m := range msgs {
		if _, err := compose(m); err != nil {
			return err
		}
		copies[i] = m.Clone()
	}
	if err := ctx.Err(); err != nil {
		return &SendError{Backend: "memory", Err: err}
	}
	o.mu.Lock()
	o.msgs = append(o.msgs, copies...)
	o.mu.Unlock()
	return nil
}

// Messages returns copies of the messages sent so far, oldest first.
func (o *Outbox) Messages() []*Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make([]*Message, len(o.msgs))
	for i, m := range o.msgs {
		out[i] = m.Clone()
	}
	return out
}

// Len returns the number of messages sent so far.
func (o *Outbox) Len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.msgs)
}

// Clear empties the outbox.
func (o *Outbox) Clear() {
	o.mu.Lock()
	o.msgs = nil
	o.mu.Unlock()
}
