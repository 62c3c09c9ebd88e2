package security

import (
	"fmt"
	"strings"
)

// Hosts matches request hosts against an allow-list with Django's
// ALLOWED_HOSTS rules: an exact name ("example.com", "127.0.0.1",
// "[::1]"), a leading dot for a domain and all its subdomains
// (".example.com"), or "*" for any host. Matching ignores case, the port
// and a trailing dot; a Host header that is not a valid name or address is
// never allowed (except by "*"). The zero Hosts allows nothing. A Hosts is
// immutable and safe for concurrent use.
type Hosts struct {
	any      bool
	exact    map[string]struct{}
	suffixes []string // ".example.com"
}

// NewHosts returns the matcher for patterns. A pattern with a port, a
// scheme, a path or a wildcard anywhere but alone ("*.example.com": write
// ".example.com") is an error.
func NewHosts(patterns ...string) (*Hosts, error) {
	h := &Hosts{exact: map[string]struct{}{}}
	for _, p := range patterns {
		p = strings.ToLower(strings.TrimSpace(p))
		switch {
		case p == "*":
			h.any = true
		case strings.HasPrefix(p, ".") && validHost(p[1:]):
			h.suffixes = append(h.suffixes, strings.TrimSuffix(p, "."))
		case validHost(p):
			h.exact[strings.TrimSuffix(p, ".")] = struct{}{}
		default:
			return nil, fmt.Errorf("security: allowed host %q: want a host name, an IP address ([::1] for IPv6), .domain for a domain and its subdomains, or *", p)
		}
	}
	return h, nil
}

// Any reports whether the list contains "*".
func (h *Hosts) Any() bool { return h != nil && h.any }

// Allow reports whether host (a Host header: name or address, optional
// port) matches the list. It allocates only for a host with upper-case
// letters.
func (h *Hosts) Allow(host string) bool {
	if h == nil {
		return false
	}
	if h.any {
		return true
	}
	name, ok := hostName(host)
	if !ok {
		return false
	}
	if _, ok := h.exact[name]; ok {
		return true
	}
	for _, s := range h.suffixes {
		if name == s[1:] || strings.HasSuffix(name, s) {
			return true
		}
	}
	return false
}

// hostName returns host without its port and trailing dot, lower-cased,
// and whether it is well-formed.
func hostName(host string) (string, bool) {
	name := host
	if strings.HasPrefix(host, "[") {
		i := strings.IndexByte(host, ']')
		if i < 0 {
			return "", false
		}
		name, host = host[:i+1], host[i+1:]
		if host != "" && !validPort(host) {
			return "", false
		}
	} else if i := strings.IndexByte(host, ':'); i >= 0 {
		if !validPort(host[i:]) {
			return "", false
		}
		name = host[:i]
	}
	if !validHost(name) {
		return "", false
	}
	name = strings.TrimSuffix(name, ".")
	for i := 0; i < len(name); i++ {
		if c := name[i]; 'A' <= c && c <= 'Z' {
			return strings.ToLower(name), true
		}
	}
	return name, true
}

// validPort reports whether s is ":" and up to 5 digits.
func validPort(s string) bool {
	if len(s) < 2 || len(s) > 6 || s[0] != ':' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validHost reports whether s is a DNS name (letters, digits, '-', '.',
// '_') or a bracketed IPv6 address, without a port.
func validHost(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	if s[0] == '[' {
		if len(s) < 4 || s[len(s)-1] != ']' {
			return false
		}
		for i := 1; i < len(s)-1; i++ {
			c := s[i] | 0x20
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || s[i] == ':' || s[i] == '.') {
				return false
			}
		}
		return strings.Contains(s, ":")
	}
	if s[0] == '.' || s[0] == '-' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= 'a' && c <= 'z' || s[i] >= '0' && s[i] <= '9' || s[i] == '-' || s[i] == '.' || s[i] == '_') {
			return false
		}
	}
	return true
}
