package security

import (
	"net/http"

	"github.com/anode-go/anode/internal/requestinfo"
)

// IsSecure reports whether r came over HTTPS. Inside an App that is the
// connection's TLS or, only when the peer is one of ANODE_TRUSTED_PROXIES,
// X-Forwarded-Proto: https; elsewhere it is r.TLS != nil. Secure cookies,
// HSTS and the HTTPS redirect all ask here.
func IsSecure(r *http.Request) bool { return requestinfo.Secure(r) }

// Host returns the host (with its port, if any) r was sent to: Host, or,
// only from a trusted proxy, X-Forwarded-Host. Inside an App it has passed
// the allowed-hosts check.
func Host(r *http.Request) string { return requestinfo.Host(r) }
