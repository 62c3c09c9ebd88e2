package anodetest_test

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

// TestServiceOutcomes runs this test binary again with the variable unset, with
// and without CI=true, and checks the outcome: skip on a laptop, fail in CI.
func TestServiceOutcomes(t *testing.T) {
	if os.Getenv("ANODETEST_CHILD") == "1" {
		anodetest.Service(t, "ANODE_TEST_NOT_A_REAL_SERVICE")
		return
	}
	for _, tt := range []struct {
		ci   string
		fail bool
		want string
	}{
		{"", false, "SKIP"},
		{"true", true, "CI=true requires"},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestServiceOutcomes$", "-test.v")
		cmd.Env = append(os.Environ(), "ANODETEST_CHILD=1", "CI="+tt.ci)
		out, err := cmd.CombinedOutput()
		if (err != nil) != tt.fail || !strings.Contains(string(out), tt.want) || !strings.Contains(string(out), "ANODE_TEST_NOT_A_REAL_SERVICE") {
			t.Errorf("CI=%q: err=%v output:\n%s", tt.ci, err, out)
		}
	}
	t.Setenv("ANODE_TEST_SET_SERVICE", "redis://127.0.0.1:6379/0")
	if got := anodetest.Service(t, "ANODE_TEST_SET_SERVICE"); got != "redis://127.0.0.1:6379/0" {
		t.Fatalf("Service = %q", got)
	}
}

func TestClientCookiesAndRedirects(t *testing.T) {
	app := anodetest.NewApp(t, anode.Module{Name: "c", Routes: func(r *anode.Router) {
		r.Get("/set/", func(w http.ResponseWriter, r *http.Request) error {
			http.SetCookie(w, &http.Cookie{Name: "flavour", Value: "oat", Path: "/"})
			http.Redirect(w, r, "/show/", http.StatusFound)
			return nil
		})
		r.Get("/show/", func(w http.ResponseWriter, r *http.Request) error {
			c, err := r.Cookie("flavour")
			if err != nil {
				return anode.NewError(http.StatusBadRequest, "no cookie", err)
			}
			_, err = w.Write([]byte("<html><head><title> Cookie </title></head><body><p>flavour:\n  " + c.Value + "</p><script>var x = 1</script></body></html>"))
			return err
		})
	}})
	c := anodetest.NewClient(t, app)
	c.Get("/set/").AssertRedirect("/show/")
	if ck := c.Cookie("/", "flavour"); ck == nil || ck.Value != "oat" {
		t.Fatalf("cookie jar: %v", ck)
	}
	c.FollowRedirects = true
	res := c.Get("/set/").AssertStatus(200).AssertTitle("Cookie").AssertText("flavour: oat")
	if strings.Contains(res.Text(), "var x") {
		t.Fatalf("Text includes script contents: %q", res.Text())
	}
}

// TestAssertionsFail checks that the assertions report failures (a test kit
// whose assertions cannot fail would make every test using it hollow).
func TestAssertionsFail(t *testing.T) {
	app := anodetest.NewApp(t, anode.Module{Name: "x", Routes: func(r *anode.Router) {
		r.Get("/j/", func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "application/json")
			_, err := w.Write([]byte(`{"a":1}`))
			return err
		})
	}})
	for name, check := range map[string]func(c *anodetest.Client){
		"status":   func(c *anodetest.Client) { c.Get("/j/").AssertStatus(201) },
		"header":   func(c *anodetest.Client) { c.Get("/j/").AssertHeader("Content-Type", "text/html") },
		"json":     func(c *anodetest.Client) { c.Get("/j/").AssertJSON(map[string]int{"a": 2}) },
		"contains": func(c *anodetest.Client) { c.Get("/j/").AssertContains("zzz") },
		"redirect": func(c *anodetest.Client) { c.Get("/j/").AssertRedirect("/x/") },
		"title":    func(c *anodetest.Client) { c.Get("/j/").AssertTitle("x") },
	} {
		ft := &fakeT{TB: t}
		check(anodetest.ClientFor(ft, anodetest.NewClient(t, app).BaseURL))
		if !ft.failed {
			t.Errorf("%s assertion did not fail", name)
		}
	}
}

// fakeT records Errorf instead of failing the real test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Errorf(format string, args ...any) { f.failed = true }
func (f *fakeT) Helper()                           {}
