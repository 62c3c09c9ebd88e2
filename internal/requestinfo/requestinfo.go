// Package requestinfo answers "did this request come over HTTPS?" and "what
// host did the client ask for?" for leaf packages (session, messages,
// security) that cannot import the root. A server in front of them (the App)
// decides, honouring X-Forwarded-Proto and X-Forwarded-Host only from its
// trusted proxies, and answers the context key with an Info; without one the
// connection's own values are used.
package requestinfo

import "net/http"

// Info is what a server knows about a request after reading trusted proxy
// headers.
type Info interface {
	// Secure reports whether the client's connection is HTTPS.
	Secure() bool
	// Host is the host (and port, if any) the client asked for.
	Host() string
}

type key struct{}

// IsKey reports whether k is the context key under which an Info is looked
// up; a server's context answers it with its Info.
func IsKey(k any) bool {
	_, ok := k.(key)
	return ok
}

// Secure reports whether r came over HTTPS: the server's answer when one is
// in r's context, else whether r's connection is TLS.
func Secure(r *http.Request) bool {
	if i, ok := r.Context().Value(key{}).(Info); ok {
		return i.Secure()
	}
	return r.TLS != nil
}

// Host returns the host r asked for: the server's answer when one is in r's
// context, else r.Host.
func Host(r *http.Request) string {
	if i, ok := r.Context().Value(key{}).(Info); ok {
		return i.Host()
	}
	return r.Host
}
