package mail_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/mail"
	"strings"
	"sync"
	"testing"

	anodemail "github.com/anode-go/anode/mail"
)

func TestConsoleWritesWholeMessage(t *testing.T) {
	var buf bytes.Buffer
	c := &anodemail.Console{W: &buf}
	m := valid()
	m.HTML = "<p>hello</p>"
	m.Bcc = []string{"hidden@example.com"}
	m.Headers = map[string]string{"X-Campaign": "spring"}
	if err := c.Send(context.Background(), m, valid()); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if n := strings.Count(out, strings.Repeat("-", 79)); n != 2 {
		t.Fatalf("want 2 separators, got %d:\n%s", n, out)
	}
	first, _, _ := strings.Cut(out, strings.Repeat("-", 79))
	msg, err := mail.ReadMessage(strings.NewReader(first))
	if err != nil {
		t.Fatalf("console output is not a message: %v\n%s", err, out)
	}
	for h, want := range map[string]string{"Subject": "Hi", "X-Campaign": "spring", "To": `"Ada" <ada@example.com>`, "From": "<site@example.com>"} {
		if got := msg.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if msg.Header.Get("Message-Id") == "" || msg.Header.Get("Date") == "" {
		t.Error("Message-ID and Date missing")
	}
	if !strings.Contains(msg.Header.Get("Content-Type"), "multipart/alternative") {
		t.Errorf("Content-Type = %q", msg.Header.Get("Content-Type"))
	}
	if !strings.Contains(out, "[envelope Bcc: hidden@example.com]") {
		t.Error("Bcc recipients not shown")
	}
}

func TestConsoleConcurrentNoInterleave(t *testing.T) {
	var buf bytes.Buffer
	c := &anodemail.Console{W: &buf}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if err := c.Send(context.Background(), valid()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	parts := strings.Split(buf.String(), strings.Repeat("-", 79)+"\n")
	if len(parts) != 9 {
		t.Fatalf("want 8 messages, got %d parts", len(parts)-1)
	}
	for _, p := range parts[:8] {
		if _, err := mail.ReadMessage(strings.NewReader(p)); err != nil {
			t.Fatalf("garbled message: %v\n%s", err, p)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

func TestConsoleErrors(t *testing.T) {
	c := &anodemail.Console{W: failWriter{}}
	var se *anodemail.SendError
	if err := c.Send(context.Background(), valid()); !errors.As(err, &se) || !errors.Is(err, io.ErrClosedPipe) {
		t.Fatalf("write failure: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Send(ctx, valid()); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
}

func TestConsoleHTMLOnlyAndNil(t *testing.T) {
	var buf bytes.Buffer
	c := &anodemail.Console{W: &buf}
	m := valid()
	m.Body, m.HTML = "", "<p>only html</p>"
	if err := c.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	if ct := msg.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("Content-Type = %q", ct)
	}
	buf.Reset()
	if err := c.Send(context.Background(), valid(), nil); err == nil || buf.Len() != 0 {
		t.Fatalf("nil message: err %v, wrote %d bytes", err, buf.Len())
	}
}
