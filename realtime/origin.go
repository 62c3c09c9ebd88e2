package realtime

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/anode-go/anode/internal/requestinfo"
)

// checkOrigin blocks cross-site WebSocket hijacking: a browser page from
// another site must not open a connection carrying the user's cookies.
// Browsers always send Origin on WebSocket handshakes (and on
// cross-origin requests); a request without one comes from a
// non-browser client, which holds its own credentials, and is allowed.
//
// An origin is allowed when it is the request's own host (same origin;
// behind a trusted proxy, the host it forwarded),
// one of Options.TrustedOrigins exactly, or its host name matches
// Options.AllowedHosts ("example.com", or ".example.com" for the domain
// and its subdomains; "*" matches nothing here).
func (h *Hub) checkOrigin(r *http.Request) error {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return nil
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || (u.Path != "" && u.Path != "/") {
		return fmt.Errorf("realtime: origin %q refused: not an http(s) origin", origin)
	}
	if strings.EqualFold(u.Host, requestinfo.Host(r)) {
		return nil
	}
	for _, t := range h.opts.TrustedOrigins {
		if strings.EqualFold(strings.TrimSuffix(t, "/"), u.Scheme+"://"+u.Host) {
			return nil
		}
	}
	host := strings.ToLower(u.Hostname())
	for _, a := range h.opts.AllowedHosts {
		a = strings.ToLower(a)
		switch {
		case a == "" || a == "*":
		case a[0] == '.':
			if host == a[1:] || strings.HasSuffix(host, a) {
				return nil
			}
		case strings.Trim(a, "[]") == strings.Trim(host, "[]"):
			return nil
		}
	}
	return fmt.Errorf("realtime: origin %q refused: not the request's host, a trusted origin or an allowed host", origin)
}
