package anode

import (
	"context"
	"fmt"
	"strings"

	"github.com/anode-go/anode/migrate"
	"github.com/anode-go/anode/security"
)

// securityChecks are the deploy checks for the security settings and the
// database schema (check --deploy), like Django's security.W0xx checks.
func (a *App) securityChecks(ctx context.Context) []Finding {
	var out []Finding
	add := func(id string, level CheckLevel, msg, hint string) {
		out = append(out, Finding{ID: id, Level: level, Message: msg, Hint: hint})
	}
	if weakSecret(a.cfg.SecretKey) {
		add("anode.W004", CheckWarning, "ANODE_SECRET_KEY has fewer than 5 different characters", "use at least 32 random bytes, e.g. `openssl rand -hex 32`")
	}
	for _, f := range a.cfg.SecretKeyFallbacks {
		if len(f) < 32 || weakSecret(f) {
			add("anode.W005", CheckWarning, "a key in ANODE_SECRET_KEY_FALLBACKS is short or weak", "fallbacks verify signed values as the secret key does; remove weak ones")
			break
		}
	}
	if a.sec.hosts.Any() {
		add("anode.W034", CheckWarning, "ANODE_ALLOWED_HOSTS contains \"*\": any Host header is accepted", "list the host names this app serves; a forged Host can poison password-reset links and caches")
	}
	tls := a.cfg.TLSCertFile != ""
	if !tls && !a.cfg.HTTPSRedirect {
		add("anode.W035", CheckWarning, "the app neither serves HTTPS (ANODE_TLS_CERT_FILE) nor redirects to it (ANODE_HTTPS_REDIRECT is false)", "behind a TLS-terminating proxy, set ANODE_TRUSTED_PROXIES and ANODE_HTTPS_REDIRECT=true so plain-HTTP requests are sent to HTTPS")
	}
	p := a.sec.headers.Policy()
	if p.HSTS == security.Off {
		add("anode.W036", CheckWarning, "Strict-Transport-Security is off (ANODE_HSTS_SECONDS=0)", "send HSTS so browsers never use plain HTTP for the site again")
	}
	if p.CSP == security.Off {
		add("anode.W037", CheckWarning, "Content-Security-Policy is off (ANODE_CSP=off)", "a CSP limits what injected markup can do; adapt the policy rather than turning it off")
	} else if p.CSPReportOnly {
		add("anode.I034", CheckInfo, "Content-Security-Policy is report-only: violations are reported, not blocked", "")
	}
	if a.db != nil {
		if n, err := a.pendingMigrations(ctx); err != nil {
			add("anode.W040", CheckWarning, "could not read the migration state: "+err.Error(), "check ANODE_DATABASE_URL and run `migrate`")
		} else if n > 0 {
			add("anode.W040", CheckWarning, fmt.Sprintf("%d migration(s) not applied", n), "run `migrate` (or `serve --migrate`) before serving")
		}
	}
	if len(a.registry.Models()) > 0 {
		if changed, err := a.unmigratedChanges(); err != nil {
			add("anode.E041", CheckError, "could not compare the models with their migrations: "+err.Error(), "run `makemigrations --check`")
		} else if len(changed) > 0 {
			add("anode.E041", CheckError, "models have changes with no migration in module(s) "+strings.Join(changed, ", "), "run `makemigrations` and commit the migrations")
		}
	}
	return out
}

// unmigratedChanges returns the modules whose models differ from the state
// their migration files leave (makemigrations --check, without renames).
func (a *App) unmigratedChanges() ([]string, error) {
	if err := a.registry.Resolve(); err != nil {
		return nil, err
	}
	g, err := a.migrationGraph()
	if err != nil {
		return nil, err
	}
	planned, err := migrate.Detect(g, a.registry, migrate.DetectOptions{})
	if err != nil {
		return nil, err
	}
	var mods []string
	for _, p := range planned {
		mods = append(mods, p.Module)
	}
	return mods, nil
}

// weakSecret reports a key with fewer than 5 distinct characters
// ("changeme-changeme…" passes the length check but not this one).
func weakSecret(s string) bool {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return s != "" && len(seen) < 5
}
