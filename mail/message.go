package mail

import (
	"maps"
	"mime"
	"net/mail"
	"net/textproto"
	"path"
	"slices"
	"strings"
)

// Message is one email. From, To, Cc, Bcc and ReplyTo hold addresses as
// RFC 5322 strings ("ada@example.com" or "Ada Lovelace <ada@example.com>");
// Body is the plain-text part and HTML, when set, an alternative the reader's
// client may show instead. A Message is plain data: build it with a literal,
// hand it to a Mailer, and do not change it while a send is in progress.
type Message struct {
	From    string // empty: the Mailer's DefaultFrom
	To      []string
	Cc      []string
	Bcc     []string // receive the message without appearing in its headers
	ReplyTo []string
	Subject string
	Body    string // text/plain
	HTML    string // optional text/html alternative to Body
	// Attachments are added after the body, in order.
	Attachments []Attachment
	// Headers are extra header fields (List-Unsubscribe, X-Campaign, ...).
	// Fields that have a Message field of their own (From, To, Subject, ...)
	// and the MIME structure headers are refused: set the field instead.
	Headers map[string]string
}

// Attachment is a file sent with a Message.
type Attachment struct {
	Filename string // the name the recipient sees; no path
	// ContentType is the MIME type; empty means guessed from Filename's
	// extension, or application/octet-stream.
	ContentType string
	Data        []byte
}

// Recipients returns every envelope recipient of m: To, then Cc, then Bcc.
func (m *Message) Recipients() []string {
	return slices.Concat(m.To, m.Cc, m.Bcc)
}

// Clone returns a deep copy of m; the Outbox keeps clones so a caller that
// reuses its Message cannot change what was "sent".
func (m *Message) Clone() *Message {
	c := *m
	c.To, c.Cc, c.Bcc, c.ReplyTo = slices.Clone(m.To), slices.Clone(m.Cc), slices.Clone(m.Bcc), slices.Clone(m.ReplyTo)
	c.Headers = maps.Clone(m.Headers)
	if m.Attachments != nil {
		c.Attachments = make([]Attachment, len(m.Attachments))
		for i, a := range m.Attachments {
			a.Data = slices.Clone(a.Data)
			c.Attachments[i] = a
		}
	}
	return &c
}

// reservedHeaders are set from Message fields or by the MIME writer; letting
// Headers set them would allow a second From or a broken MIME structure.
var reservedHeaders = map[string]bool{
	"From": true, "To": true, "Cc": true, "Bcc": true, "Reply-To": true, "Subject": true,
	"Sender": true, "Mime-Version": true, "Content-Type": true, "Content-Transfer-Encoding": true,
	"Content-Disposition": true,
}

// Validate reports the first problem that would stop m from being sent
// safely: a missing or malformed address (*AddressError), no recipient
// (ErrNoRecipients), or a header field that could inject others
// (*HeaderError). Backends call it before sending anything.
func (m *Message) Validate() error {
	if m.From == "" {
		return ErrNoFrom
	}
	if err := checkAddress("From", m.From); err != nil {
		return err
	}
	for _, list := range []struct {
		field string
		addrs []string
	}{{"To", m.To}, {"Cc", m.Cc}, {"Bcc", m.Bcc}, {"Reply-To", m.ReplyTo}} {
		for _, a := range list.addrs {
			if err := checkAddress(list.field, a); err != nil {
				return err
			}
		}
	}
	if len(m.To)+len(m.Cc)+len(m.Bcc) == 0 {
		return ErrNoRecipients
	}
	if err := checkHeaderValue("Subject", m.Subject); err != nil {
		return err
	}
	for name, value := range m.Headers {
		if !validHeaderName(name) {
			return &HeaderError{Name: name, Reason: "a header name is printable ASCII without spaces or colons"}
		}
		if reservedHeaders[textproto.CanonicalMIMEHeaderKey(name)] {
			return &HeaderError{Name: name, Reason: "set by the Message itself; use its field"}
		}
		if err := checkHeaderValue(name, value); err != nil {
			return err
		}
	}
	for _, a := range m.Attachments {
		if a.Filename == "" || strings.ContainsAny(a.Filename, "\r\n\x00/\\") {
			return &HeaderError{Name: "Content-Disposition", Value: a.Filename, Reason: "an attachment needs a file name without path separators, CR, LF or NUL"}
		}
		if a.ContentType != "" {
			if _, _, err := mime.ParseMediaType(a.ContentType); err != nil || strings.ContainsAny(a.ContentType, "\r\n") {
				return &HeaderError{Name: "Content-Type", Value: a.ContentType, Reason: "not a MIME type"}
			}
		}
	}
	return nil
}

func checkAddress(field, a string) error {
	if strings.ContainsAny(a, "\r\n\x00") {
		return &AddressError{Field: field, Address: a, Err: errLineBreak}
	}
	if _, err := mail.ParseAddress(a); err != nil {
		return &AddressError{Field: field, Address: a, Err: err}
	}
	return nil
}

func checkHeaderValue(name, v string) error {
	if strings.ContainsAny(v, "\r\n\x00") {
		return &HeaderError{Name: name, Value: v, Reason: "contains a line break or NUL (header injection)"}
	}
	return nil
}

func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 33 || c > 126 || c == ':' {
			return false
		}
	}
	return true
}

// contentType returns a's MIME type, guessed from its name when unset.
func (a Attachment) contentType() string {
	if a.ContentType != "" {
		return a.ContentType
	}
	if t := mime.TypeByExtension(path.Ext(a.Filename)); t != "" {
		return t
	}
	return "application/octet-stream"
}
