package security

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
)

// nonceMark stands where a response's nonce source goes in a CSP template;
// it cannot occur in a valid policy (control characters are refused).
const nonceMark = "\x00"

// compileCSP checks a Content-Security-Policy and returns it normalised
// ("; "-separated directives) and its nonce template: script-src and
// style-src with nonceMark appended, added from default-src's sources when
// the policy has none of its own. The template is "" when the policy
// restricts neither scripts nor styles (no nonce is needed).
func compileCSP(v string) (csp, tmpl string, err error) {
	if err := checkValue(hCSP, v); err != nil {
		return "", "", err
	}
	type directive struct{ name, value string }
	var ds []directive
	seen := map[string]bool{}
	for part := range strings.SplitSeq(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, _ := strings.Cut(part, " ")
		name = strings.ToLower(name)
		for i := 0; i < len(name); i++ {
			if c := name[i]; (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
				return "", "", fmt.Errorf("security: Content-Security-Policy: bad directive name %q in %q", name, v)
			}
		}
		if seen[name] {
			return "", "", fmt.Errorf("security: Content-Security-Policy: directive %q appears twice in %q (browsers ignore the second)", name, v)
		}
		seen[name] = true
		ds = append(ds, directive{name, strings.Join(strings.Fields(value), " ")})
	}
	if len(ds) == 0 {
		return "", "", fmt.Errorf("security: Content-Security-Policy: no directives in %q (use security.Off to send none)", v)
	}
	join := func(nonce bool) string {
		var b strings.Builder
		for i, d := range ds {
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(d.name)
			if d.value != "" {
				b.WriteByte(' ')
				b.WriteString(d.value)
			}
			if nonce && (d.name == "script-src" || d.name == "style-src") && !strings.Contains(d.value, "'none'") {
				b.WriteString(nonceMark)
			}
		}
		return b.String()
	}
	csp = join(false)
	def, hasDefault := "", false
	for _, d := range ds {
		if d.name == "default-src" {
			def, hasDefault = d.value, true
		}
	}
	needed := false
	for _, name := range []string{"script-src", "style-src"} {
		if seen[name] {
			needed = true
			continue
		}
		if hasDefault && def != "'none'" {
			ds = append(ds, directive{name, def})
			needed = true
		}
	}
	if needed {
		tmpl = join(true)
	}
	return csp, tmpl, nil
}

// withNonce fills a CSP template with nonce.
func withNonce(tmpl, nonce string) string {
	return strings.ReplaceAll(tmpl, nonceMark, " 'nonce-"+nonce+"'")
}

// newNonce returns 16 random bytes, base64url without padding (valid in a
// CSP nonce source and an HTML attribute as they are).
func newNonce() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}
