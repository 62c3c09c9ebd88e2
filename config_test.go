package anode_test

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

func TestConfigDefaults(t *testing.T) {
	c := anode.LoadConfig(map[string]string{}, "")
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	if c.Debug || c.Addr != ":8000" || c.MaxBodyBytes != 10<<20 || c.ShutdownTimeout != 25*time.Second ||
		c.ReadHeaderTimeout != 5*time.Second || !*c.AppendSlash || !*c.Compress || c.DataDir != "data" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestConfigValues(t *testing.T) {
	c := anode.LoadConfig(map[string]string{
		"ANODE_DEBUG":           "yes",
		"ANODE_ADDR":            "127.0.0.1:9000",
		"ANODE_ALLOWED_HOSTS":   " example.com, .example.org ,",
		"ANODE_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7, ::1",
		"ANODE_MAX_BODY_BYTES":  "2MiB",
		"ANODE_LOG_LEVEL":       "debug",
		"ANODE_WRITE_TIMEOUT":   "90s",
		"ANODE_COMPRESS":        "off",
		"ANODE_DATABASE_URL":    "postgres://x@127.0.0.1/db",
	}, "")
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.168.1.7/32"), netip.MustParsePrefix("::1/128")}
	if !c.Debug || c.Addr != "127.0.0.1:9000" || !reflect.DeepEqual(c.AllowedHosts, []string{"example.com", ".example.org"}) ||
		!reflect.DeepEqual(c.TrustedProxies, want) || c.MaxBodyBytes != 2<<20 || c.LogLevel.String() != "DEBUG" ||
		c.WriteTimeout != 90*time.Second || *c.Compress || c.DatabaseURL != "postgres://x@127.0.0.1/db" {
		t.Fatalf("parsed: %+v", c)
	}
}

func TestConfigErrorsNameTheVariable(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"ANODE_DEBUG", "maybe", "want true or false"},
		{"ANODE_MAX_BODY_BYTES", "ten megs", "want a positive size"},
		{"ANODE_MAX_BODY_BYTES", "-5", "want a positive size"},
		{"ANODE_READ_TIMEOUT", "5", "Go duration"},
		{"ANODE_LOG_LEVEL", "loud", "debug, info, warn, error"},
		{"ANODE_TRUSTED_PROXIES", "10.0.0.0/33", "CIDR"},
		{"ANODE_TRUSTED_PROXIES", "proxy.local", "CIDR"},
		{"ANODE_TLS_CERT_FILE", "cert.pem", "must be set together"},
	}
	for _, tt := range tests {
		c := anode.LoadConfig(map[string]string{tt.name: tt.value}, "")
		err := c.Err()
		var ce *anode.ConfigError
		if !errors.As(err, &ce) || ce.Var != tt.name || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s=%q: error %v, want a ConfigError for %s saying %q", tt.name, tt.value, err, tt.name, tt.want)
		}
	}
}

func TestSecretKeyRequiredOutsideDebug(t *testing.T) {
	app := anode.New(anode.LoadConfig(map[string]string{}, ""))
	err := app.Start(t.Context())
	var ce *anode.ConfigError
	if !errors.As(err, &ce) || ce.Var != "ANODE_SECRET_KEY" {
		t.Fatalf("Start = %v, want a ConfigError for ANODE_SECRET_KEY", err)
	}
	debug := anode.New(anode.LoadConfig(map[string]string{"ANODE_DEBUG": "true"}, ""))
	debug.SetLogOutput(io.Discard)
	if err := debug.Start(t.Context()); err != nil || len(debug.Config().SecretKey) != 64 {
		t.Fatalf("debug gets a random key: %v, %q", err, debug.Config().SecretKey)
	}
	other := anode.New(anode.LoadConfig(map[string]string{"ANODE_DEBUG": "true"}, ""))
	if other.Config().SecretKey == debug.Config().SecretKey {
		t.Fatal("random debug keys repeat")
	}
}

func TestDotenv(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, ".env")
	os.WriteFile(path, []byte(`# local settings
ANODE_DEBUG=true
export ANODE_ADDR=127.0.0.1:7000
ANODE_SECRET_KEY='single # quoted'
ANODE_DATABASE_URL="postgres://u@h/db?x=\"1\""
ANODE_CACHE_URL=redis://127.0.0.1:6379/0 # a comment
`), 0o600)
	c := anode.LoadConfig(map[string]string{"ANODE_ADDR": ":9999"}, path)
	if err := c.Err(); err != nil {
		t.Fatal(err)
	}
	if !c.Debug || c.Addr != ":9999" || c.SecretKey != "single # quoted" ||
		c.DatabaseURL != `postgres://u@h/db?x="1"` || c.CacheURL != "redis://127.0.0.1:6379/0" {
		t.Fatalf("dotenv: environment must win over the file, values must unquote: %+v", c)
	}

	// Outside debug the file is ignored.
	os.WriteFile(path, []byte("ANODE_ADDR=127.0.0.1:7000\n"), 0o600)
	c = anode.LoadConfig(map[string]string{}, path)
	if c.Addr != ":8000" {
		t.Fatalf(".env read outside debug: Addr=%q", c.Addr)
	}

	// A broken file is an error naming the line.
	os.WriteFile(path, []byte("ANODE_DEBUG=true\nnot a setting\n"), 0o600)
	c = anode.LoadConfig(map[string]string{}, path)
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), ".env:2") {
		t.Fatalf("broken .env: %v", err)
	}
}

func TestModuleSettings(t *testing.T) {
	var pageSize int
	var timeout time.Duration
	var tags []string
	var beta bool
	var name string
	mod := func() anode.Module {
		return anode.Module{Name: "polls", Settings: []anode.Setting{
			anode.Var(&pageSize, "ANODE_POLLS_PAGE_SIZE", 20, "questions per page"),
			anode.Var(&timeout, "ANODE_POLLS_TIMEOUT", 5*time.Second, "vote timeout"),
			anode.Var(&tags, "ANODE_POLLS_TAGS", []string{"a"}, "default tags"),
			anode.Var(&beta, "ANODE_POLLS_BETA", false, "beta features"),
			anode.Var(&name, "ANODE_POLLS_NAME", "Polls", "site name"),
		}}
	}
	cfg := anodetest.Config(t)
	app := anode.New(cfg)
	app.Install(mod())
	if pageSize != 20 || timeout != 5*time.Second || !reflect.DeepEqual(tags, []string{"a"}) || beta || name != "Polls" {
		t.Fatalf("defaults: %d %s %v %v %q", pageSize, timeout, tags, beta, name)
	}

	env := map[string]string{"ANODE_SECRET_KEY": "k", "ANODE_POLLS_PAGE_SIZE": "50", "ANODE_POLLS_TIMEOUT": "1m",
		"ANODE_POLLS_TAGS": "x, y", "ANODE_POLLS_BETA": "true", "ANODE_POLLS_NAME": "My polls"}
	app = anode.New(anode.LoadConfig(env, ""))
	app.Install(mod())
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	if pageSize != 50 || timeout != time.Minute || !reflect.DeepEqual(tags, []string{"x", "y"}) || !beta || name != "My polls" {
		t.Fatalf("from env: %d %s %v %v %q", pageSize, timeout, tags, beta, name)
	}

	env["ANODE_POLLS_PAGE_SIZE"] = "lots"
	app = anode.New(anode.LoadConfig(env, ""))
	app.Install(mod())
	err := app.Start(t.Context())
	var ce *anode.ConfigError
	if !errors.As(err, &ce) || ce.Var != "ANODE_POLLS_PAGE_SIZE" || !strings.Contains(err.Error(), "want an integer") {
		t.Fatalf("bad module setting: %v", err)
	}
}
