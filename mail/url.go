package mail

import (
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// ParseURL returns the backend an email URL (ANODE_EMAIL_URL) names:
//
//	console://                                   Console writing to console (nil: os.Stdout)
//	memory://                                    a new, empty *Outbox
//	smtp://host[:port]                           SMTP, port 25, STARTTLS when offered
//	smtp://user:pass@host:587?tls=starttls       SMTP submission, STARTTLS required
//	smtps://user:pass@host[:465]                 SMTP over implicit TLS
//
// SMTP URLs accept the query parameters tls (opportunistic, starttls, none;
// smtp:// only), timeout (a Go duration, default 30s) and helo (the EHLO
// name). User name and password are percent-encoded as in any URL
// ("p%40ss" for "p@ss"). Anything else is a *URLError, whose message never
// shows the password.
func ParseURL(raw string, console io.Writer) (Backend, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, &URLError{URL: redact(raw), Reason: "not a URL"}
	}
	bad := func(reason string) error { return &URLError{URL: u.Redacted(), Reason: reason} }
	switch u.Scheme {
	case "console", "memory":
		if u.Host != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil {
			return nil, bad(u.Scheme + ":// takes no host, path or parameters")
		}
		if u.Scheme == "memory" {
			return &Outbox{}, nil
		}
		return &Console{W: console}, nil
	case "smtp", "smtps":
	default:
		return nil, bad("unknown scheme: want console://, memory://, smtp:// or smtps://")
	}
	s := &SMTP{Host: u.Hostname()}
	if s.Host == "" {
		return nil, bad("missing host, e.g. smtp://localhost:25")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, bad("an SMTP URL has no path")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return nil, bad("port must be 1-65535")
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	if u.Scheme == "smtps" {
		s.TLS = TLSImplicit
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, bad("malformed query")
	}
	for key, vals := range q {
		v := vals[len(vals)-1]
		switch key {
		case "tls":
			if u.Scheme == "smtps" {
				return nil, bad("smtps:// is always TLS; tls= applies to smtp:// only")
			}
			switch strings.ToLower(v) {
			case "opportunistic", "":
				s.TLS = TLSOpportunistic
			case "starttls":
				s.TLS = TLSStartTLS
			case "none":
				s.TLS = TLSNone
			default:
				return nil, bad("tls must be opportunistic, starttls or none (use smtps:// for implicit TLS)")
			}
		case "timeout":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return nil, bad(`timeout must be a positive Go duration such as "10s"`)
			}
			s.Timeout = d
		case "helo":
			if v == "" || strings.ContainsAny(v, " \r\n") {
				return nil, bad("helo must be a host name")
			}
			s.LocalName = v
		default:
			return nil, bad("unknown parameter " + strconv.Quote(key) + " (known: tls, timeout, helo)")
		}
	}
	return s, nil
}

// redact hides whatever follows "://" up to an "@" in a URL that did not
// parse, since it may be a password.
func redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return raw
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		return scheme + "://xxxxx@" + rest[at+1:]
	}
	return raw
}
