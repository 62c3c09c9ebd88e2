package security

import "net/http"

// CSRFReason says which CSRF check refused a request.
type CSRFReason int

// The reasons a CSRF check fails, in the order the checks run.
const (
	// CSRFCrossOrigin: the browser said the request came from another
	// origin (Sec-Fetch-Site: cross-site or same-site) and its Origin is
	// not a trusted origin.
	CSRFCrossOrigin CSRFReason = iota + 1
	// CSRFOriginUntrusted: no Sec-Fetch-Site (an older browser), and the
	// Origin header names neither this host nor a trusted origin.
	CSRFOriginUntrusted
	// CSRFSecretMissing: the request carries no CSRF secret (no CSRF
	// cookie, or none in the session with session storage): the form was
	// not made by this site for this browser, or the cookie was refused or
	// has expired.
	CSRFSecretMissing
	// CSRFTokenMissing: neither the X-CSRF-Token header nor the form's
	// csrf_token field is present.
	CSRFTokenMissing
	// CSRFTokenMalformed: a token is present but has the wrong length or
	// characters.
	CSRFTokenMalformed
	// CSRFTokenIncorrect: a well-formed token that does not match the
	// secret: made for another browser, or before the secret rotated (at
	// login and logout).
	CSRFTokenIncorrect
)

var reasonText = [...]string{
	CSRFCrossOrigin:     "cross-origin request (Sec-Fetch-Site says another site sent it, and its Origin is not trusted)",
	CSRFOriginUntrusted: "Origin not trusted (the Origin header names neither this host nor a trusted origin)",
	CSRFSecretMissing:   "CSRF cookie missing (no CSRF secret for this browser)",
	CSRFTokenMissing:    "CSRF token missing (no X-CSRF-Token header and no csrf_token form field)",
	CSRFTokenMalformed:  "CSRF token malformed (wrong length or characters)",
	CSRFTokenIncorrect:  "CSRF token incorrect (made for another browser, or before the secret rotated at login or logout)",
}

var reasonHint = [...]string{
	CSRFCrossOrigin:     "A page on another site posted here. If that site is yours, add its origin (scheme://host[:port]) to ANODE_CSRF_TRUSTED_ORIGINS; if the route is a webhook, mark it CSRFExempt.",
	CSRFOriginUntrusted: "If the origin is yours, add it to ANODE_CSRF_TRUSTED_ORIGINS. Behind a proxy, check that it passes the original Host header.",
	CSRFSecretMissing:   "Render the form with {{.CSRFField}} (or call security.Token) on a GET first, so the browser gets the CSRF cookie; check that cookies are not blocked.",
	CSRFTokenMissing:    "Put {{.CSRFField}} inside the <form>, or send the token from {{.CSRFToken}} in the X-CSRF-Token header (fetch, htmx). API clients authenticate with an Authorization: Bearer header and no cookies.",
	CSRFTokenMalformed:  "Send the token exactly as rendered by {{.CSRFToken}}.",
	CSRFTokenIncorrect:  "Reload the page to get a fresh token (the secret changes at login and logout).",
}

// String returns the reason as the debug page shows it.
func (r CSRFReason) String() string {
	if r > 0 && int(r) < len(reasonText) {
		return reasonText[r]
	}
	return "unknown CSRF failure"
}

// CSRFError is the error of a request refused by the CSRF checks. The App
// renders it as 403 Forbidden: in debug the page names the failed check
// (Reason) and how to fix it; in production the client sees only a plain
// message, and the reason goes to the debug log.
type CSRFError struct {
	Reason CSRFReason
}

// Error returns the reason, for logs.
func (e *CSRFError) Error() string { return "security: CSRF check failed: " + e.Reason.String() }

// HTTPStatus returns 403.
func (e *CSRFError) HTTPStatus() int { return http.StatusForbidden }

// PublicMessage is the message any client may see; it does not say which
// check failed.
func (e *CSRFError) PublicMessage() string {
	return "Forbidden: CSRF verification failed. Reload the page and try again."
}

// DebugDetails returns the failed check and a hint, for the debug page.
func (e *CSRFError) DebugDetails() [][2]string {
	hint := ""
	if e.Reason > 0 && int(e.Reason) < len(reasonHint) {
		hint = reasonHint[e.Reason]
	}
	return [][2]string{{"CSRF check failed", e.Reason.String()}, {"How to fix", hint}}
}
