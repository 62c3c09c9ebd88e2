package anode_test

import (
	"context"
	"slices"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

func findingIDs(app *anode.App) []string {
	var ids []string
	for _, f := range app.RunChecks(context.Background(), true) {
		ids = append(ids, f.ID)
	}
	return ids
}

func TestDeployChecksSecurity(t *testing.T) {
	good := map[string]string{
		"ANODE_SECRET_KEY":            "0123456789abcdef0123456789abcdef-good",
		"ANODE_ALLOWED_HOSTS":         "example.com",
		"ANODE_HTTPS_REDIRECT":        "true",
		"ANODE_SESSION_COOKIE_SECURE": "true",
		"ANODE_CSRF_COOKIE_SECURE":    "true",
		"ANODE_EMAIL_URL":             "smtp://mail.example.com:587",
		"ANODE_DEFAULT_FROM_EMAIL":    "site@example.com",
	}
	for _, tt := range []struct {
		id  string
		bad map[string]string
	}{
		{"anode.W001", map[string]string{"ANODE_DEBUG": "true"}},
		{"anode.W002", map[string]string{"ANODE_ALLOWED_HOSTS": ""}},
		{"anode.W003", map[string]string{"ANODE_SECRET_KEY": "short-but-varied-key"}},
		{"anode.W004", map[string]string{"ANODE_SECRET_KEY": "abababababababababababababababababab"}},
		{"anode.W005", map[string]string{"ANODE_SECRET_KEY_FALLBACKS": "old"}},
		{"anode.W034", map[string]string{"ANODE_ALLOWED_HOSTS": "*"}},
		{"anode.W035", map[string]string{"ANODE_HTTPS_REDIRECT": "false"}},
		{"anode.W036", map[string]string{"ANODE_HSTS_SECONDS": "0"}},
		{"anode.W037", map[string]string{"ANODE_CSP": "off"}},
		{"anode.W020", map[string]string{"ANODE_SESSION_COOKIE_SECURE": "false"}},
	} {
		env := map[string]string{"ANODE_DATA_DIR": t.TempDir()}
		for k, v := range good {
			env[k] = v
		}
		clean := findingIDs(anode.New(anode.LoadConfig(env, "")))
		if slices.Contains(clean, tt.id) {
			t.Errorf("%s reported for the good configuration: %v", tt.id, clean)
		}
		if len(clean) != 0 {
			t.Errorf("good configuration has findings: %v", clean)
		}
		for k, v := range tt.bad {
			env[k] = v
		}
		if ids := findingIDs(anode.New(anode.LoadConfig(env, ""))); !slices.Contains(ids, tt.id) {
			t.Errorf("%s not reported for %v: %v", tt.id, tt.bad, ids)
		}
	}
}

type deployThing struct {
	ID   int64
	Name string
}

func TestDeployChecksMigrations(t *testing.T) {
	// The sessions module's migrations are not applied yet: W040, then
	// nothing once migrated.
	cfg := anodetest.Config(t)
	cfg.DatabaseURL = "sqlite:///" + cfg.DataDir + "/db.sqlite3"
	app := anodetest.NewUnmigratedApp(t, cfg)
	if ids := findingIDs(app); !slices.Contains(ids, "anode.W040") || slices.Contains(ids, "anode.E041") {
		t.Errorf("before migrate: %v, want anode.W040 and no anode.E041", ids)
	}
	if err := app.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if ids := findingIDs(app); slices.Contains(ids, "anode.W040") {
		t.Errorf("after migrate: %v", ids)
	}
	// A model with no migration at all: E041, an error (check exits 1).
	app = anodetest.NewApp(t, anode.Module{Name: "things", Models: []any{deployThing{}}})
	var found bool
	for _, f := range app.RunChecks(context.Background(), true) {
		if f.ID == "anode.E041" && f.Level == anode.CheckError {
			found = true
		}
	}
	if !found {
		t.Errorf("model without migration not reported: %v", findingIDs(app))
	}
}
