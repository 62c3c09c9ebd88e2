package mail

import (
	"bytes"
	"io"

	gomail "github.com/wneessen/go-mail"
)

// compose turns a valid Message into go-mail's Msg, which writes the MIME
// structure: text/plain alone, multipart/alternative when HTML is set,
// multipart/mixed around either when there are attachments. Validate must
// have passed; go-mail parses the addresses again and any error it finds is
// returned.
func compose(m *Message) (*gomail.Msg, error) {
	g := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	if err := g.From(m.From); err != nil {
		return nil, &AddressError{Field: "From", Address: m.From, Err: err}
	}
	set := func(h gomail.AddrHeader, addrs []string) error {
		if len(addrs) == 0 {
			return nil
		}
		if err := g.SetAddrHeader(h, addrs...); err != nil {
			return &AddressError{Field: string(h), Address: addrsString(addrs), Err: err}
		}
		return nil
	}
	for _, f := range []struct {
		h     gomail.AddrHeader
		addrs []string
	}{{gomail.HeaderTo, m.To}, {gomail.HeaderCc, m.Cc}, {gomail.HeaderBcc, m.Bcc}, {gomail.HeaderReplyTo, m.ReplyTo}} {
		if err := set(f.h, f.addrs); err != nil {
			return nil, err
		}
	}
	g.Subject(m.Subject)
	g.SetDate()
	g.SetMessageID()
	for name, value := range m.Headers {
		g.SetGenHeader(gomail.Header(name), value)
	}
	switch {
	case m.HTML == "":
		g.SetBodyString(gomail.TypeTextPlain, m.Body)
	case m.Body == "":
		g.SetBodyString(gomail.TypeTextHTML, m.HTML)
	default:
		g.SetBodyString(gomail.TypeTextPlain, m.Body)
		g.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	for _, a := range m.Attachments {
		err := g.AttachReader(a.Filename, bytes.NewReader(a.Data), gomail.WithFileContentType(gomail.ContentType(a.contentType())))
		if err != nil {
			return nil, &HeaderError{Name: "Content-Disposition", Value: a.Filename, Reason: err.Error()}
		}
	}
	return g, nil
}

// writeMessage writes m as the complete RFC 5322 message an SMTP server
// would receive (Bcc excluded).
func writeMessage(w io.Writer, m *Message) error {
	g, err := compose(m)
	if err != nil {
		return err
	}
	_, err = g.WriteTo(w)
	return err
}

func addrsString(addrs []string) string {
	var b bytes.Buffer
	for i, a := range addrs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(a)
	}
	return b.String()
}
