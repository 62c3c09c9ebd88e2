package mail

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// TLSMode says how an SMTP connection is encrypted.
type TLSMode int

const (
	// TLSOpportunistic (the zero value) upgrades with STARTTLS when the server
	// offers it and sends in clear otherwise. Passwords are still never sent
	// in clear to a host other than localhost: PLAIN and LOGIN authentication
	// refuse an unencrypted connection.
	TLSOpportunistic TLSMode = iota
	// TLSStartTLS requires STARTTLS (submission, port 587); a server that
	// does not offer it is an error.
	TLSStartTLS
	// TLSImplicit connects with TLS from the first byte (smtps, port 465).
	TLSImplicit
	// TLSNone never encrypts. Use it only for a relay on the same host or
	// network that offers a certificate that cannot be verified.
	TLSNone
)

// String returns the mode's name as the email URL spells it.
func (m TLSMode) String() string {
	switch m {
	case TLSStartTLS:
		return "starttls"
	case TLSImplicit:
		return "implicit"
	case TLSNone:
		return "none"
	}
	return "opportunistic"
}

// DefaultTimeout bounds an SMTP send whose context has no earlier deadline
// and whose SMTP.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// SMTP delivers through an SMTP server, one connection per Send (all its
// messages go through that connection). Its fields are read at each Send;
// set them before first use. It is safe for concurrent use.
//
// Every Send is bounded by its context and by Timeout: when the context ends
// the connection is closed at once, whatever the server is doing, and the
// error wraps the context's error.
type SMTP struct {
	Host string // default "localhost"
	Port int    // default 25, or 465 with TLSImplicit
	// Username and Password, when Username is set, authenticate with the
	// strongest mechanism the server offers among SCRAM-SHA-256, SCRAM-SHA-1,
	// CRAM-MD5, PLAIN and LOGIN.
	Username, Password string
	TLS                TLSMode
	// TLSConfig customises certificate checks (a private CA, say). Its
	// ServerName defaults to Host.
	TLSConfig *tls.Config
	// Timeout bounds the whole send when the context allows longer.
	// Default DefaultTimeout.
	Timeout time.Duration
	// LocalName is sent in EHLO. Default: go-mail's (the machine's host name).
	LocalName string
}

var _ Backend = (*SMTP)(nil)

// Addr returns the host:port Send connects to.
func (s *SMTP) Addr() string {
	return net.JoinHostPort(s.host(), strconv.Itoa(s.port()))
}

func (s *SMTP) host() string {
	if s.Host == "" {
		return "localhost"
	}
	return s.Host
}

func (s *SMTP) port() int {
	switch {
	case s.Port != 0:
		return s.Port
	case s.TLS == TLSImplicit:
		return 465
	}
	return 25
}

// Send validates every message and, if all are valid, delivers them over one
// connection. A failure after validation is a *SendError.
func (s *SMTP) Send(ctx context.Context, msgs ...*Message) error {
	if err := validateAll(msgs); err != nil {
		return err
	}
	if len(msgs) == 0 {
		return nil
	}
	gms := make([]*gomail.Msg, len(msgs))
	for i, m := range msgs {
		g, err := compose(m)
		if err != nil {
			return err
		}
		gms[i] = g
	}
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := s.send(ctx, gms)
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		// The closed connection surfaces as "use of closed network
		// connection"; say why it was closed.
		err = fmt.Errorf("%w: %w", ctxErr, err)
	}
	return &SendError{Backend: "smtp", Addr: s.Addr(), Err: err}
}

func (s *SMTP) send(ctx context.Context, gms []*gomail.Msg) error {
	// go-mail bounds only the dial by the context and each command by a
	// fixed timeout; closing the connection when ctx ends bounds the rest.
	var stops []func() bool
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	tlsConfig := s.tlsConfig()
	dial := func(dctx context.Context, network, addr string) (net.Conn, error) {
		var d net.Dialer
		var conn net.Conn
		var err error
		if s.TLS == TLSImplicit {
			conn, err = (&tls.Dialer{NetDialer: &d, Config: tlsConfig}).DialContext(dctx, network, addr)
		} else {
			conn, err = d.DialContext(dctx, network, addr)
		}
		if err != nil {
			return nil, err
		}
		stops = append(stops, context.AfterFunc(ctx, func() { conn.Close() }))
		return conn, nil
	}
	// go-mail's own timeout applies per command; keep it just past ctx's
	// deadline so that the context, which closes the connection, decides and
	// the error says so.
	deadline, _ := ctx.Deadline()
	opts := []gomail.Option{
		gomail.WithPort(s.port()),
		gomail.WithTimeout(time.Until(deadline) + time.Second),
		gomail.WithTLSConfig(tlsConfig),
		gomail.WithDialContextFunc(dial),
	}
	switch s.TLS {
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSOpportunistic:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	default: // implicit TLS is done by dial; none means none
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.Username != "" {
		opts = append(opts,
			gomail.WithUsername(s.Username), gomail.WithPassword(s.Password),
			gomail.WithOpportunisticSMTPAuth(gomail.SMTPAuthSCRAMSHA256, gomail.SMTPAuthSCRAMSHA1,
				gomail.SMTPAuthCramMD5, gomail.SMTPAuthPlain, gomail.SMTPAuthLogin))
	}
	if s.LocalName != "" {
		opts = append(opts, gomail.WithHELO(s.LocalName))
	}
	c, err := gomail.NewClient(s.host(), opts...)
	if err != nil {
		return err
	}
	return c.DialAndSendWithContext(ctx, gms...)
}

func (s *SMTP) tlsConfig() *tls.Config {
	var c *tls.Config
	if s.TLSConfig != nil {
		c = s.TLSConfig.Clone()
	} else {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.ServerName == "" {
		c.ServerName = s.host()
	}
	return c
}
