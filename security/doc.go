// Package security holds Anode's protections that are on by default, and
// the building blocks to adjust them. The App wires them into every request;
// the package imports no part of the root, so its middleware also works in a
// plain net/http server.
//
// # Security headers
//
// Every response of an App carries a Content-Security-Policy, X-Content-Type-
// Options, X-Frame-Options, Referrer-Policy, Cross-Origin-Opener-Policy,
// Cross-Origin-Resource-Policy and Permissions-Policy, and on HTTPS
// Strict-Transport-Security (see Policy for the defaults). The values are
// built once at start-up (HeaderSet) and assigned to each response without
// allocating. Change them for the App with Config.SecurityHeaders, for some
// routes with the Headers middleware, or in a handler by setting the header
// before writing:
//
//	r.With(security.Headers(security.HeaderPolicy{FrameOptions: "SAMEORIGIN"})).Get("/embed/", h)
//
// # CSP nonces
//
// Nonce (in templates {{.CSPNonce}}) returns a per-response random nonce for
// inline scripts and styles, and adds 'nonce-…' to that response's policy.
// It is made only when asked for: a page without inline code gets the policy
// without a nonce and pays nothing.
//
// # Hosts and HTTPS
//
// Hosts matches Host headers against ANODE_ALLOWED_HOSTS (Django's rules).
// IsSecure and Host report the scheme and host of a request, trusting
// X-Forwarded-Proto and X-Forwarded-Host only from ANODE_TRUSTED_PROXIES;
// Secure cookies and HSTS follow IsSecure.
//
// # CORS
//
// CORS is middleware for APIs called from other origins; it is off unless
// installed.
//
// # Signing
//
// Signer signs values that leave the server and must come back unchanged,
// with optional timestamps and a maximum age, and verifies values signed
// with earlier secret keys (ANODE_SECRET_KEY_FALLBACKS).
//
// docs/security.md lists every protection, its default and how to change
// or turn it off.
package security
