package security_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/security"
)

const trustedOrigin = "http://trusted.example"

// csrfApp is an App (debug on, so refusals name their reason) with a
// route answering every method, a page handing out tokens and an exempt
// route rotating the secret.
func csrfApp(t *testing.T) *anode.App {
	t.Helper()
	cfg := anodetest.Config(t)
	cfg.Debug = true
	cfg.CSRFTrustedOrigins = []string{trustedOrigin}
	return anodetest.NewAppConfig(t, cfg, anode.Module{Name: "matrix", Routes: func(r *anode.Router) {
		r.HandleFunc("/target/", func(w http.ResponseWriter, r *http.Request) error {
			_, err := w.Write([]byte("done"))
			return err
		})
		r.Get("/token/", func(w http.ResponseWriter, r *http.Request) error {
			_, err := w.Write([]byte(security.Token(r)))
			return err
		})
		r.Post("/rotate/", func(w http.ResponseWriter, r *http.Request) error {
			security.Rotate(r)
			return nil
		}).CSRFExempt()
	}})
}

// The expected outcome of every cell, written out rather than computed by
// the code under test.
//
// Layer 1 (CrossOriginProtection), for unsafe methods: does the request
// pass, by Sec-Fetch-Site (rows) and Origin (columns)?
var layer1Pass = map[string]map[string]bool{
	//               absent   same   other  trusted
	"":            {"": true, "same": true, "other": false, "trusted": true},
	"same-origin": {"": true, "same": true, "other": true, "trusted": true},
	"none":        {"": true, "same": true, "other": true, "trusted": true},
	"same-site":   {"": false, "same": false, "other": false, "trusted": true},
	"cross-site":  {"": false, "same": false, "other": false, "trusted": true},
}

// The reason a refused request gives, by which layer refused it.
var (
	layer1Reason = map[string]security.CSRFReason{ // by Sec-Fetch-Site
		"":           security.CSRFOriginUntrusted,
		"same-site":  security.CSRFCrossOrigin,
		"cross-site": security.CSRFCrossOrigin,
	}
	layer2Reason = map[string]security.CSRFReason{ // by token; valid passes
		"missing": security.CSRFTokenMissing,
		"stale":   security.CSRFTokenIncorrect,
		"other":   security.CSRFTokenIncorrect,
	}
	safeMethod = map[string]bool{"GET": true, "HEAD": true, "OPTIONS": true}
)

func TestCSRFMatrix(t *testing.T) {
	app := csrfApp(t)
	browser := anodetest.NewClient(t, app)
	other := anodetest.ClientFor(t, browser.BaseURL)

	stale := browser.Get("/token/").AssertStatus(200).Text()
	browser.Post("/rotate/", nil).AssertStatus(200).AssertHeaderContains("Set-Cookie", "csrftoken=")
	tokens := map[string]string{
		"valid":   browser.Get("/token/").AssertStatus(200).Text(),
		"missing": "",
		"stale":   stale,
		"other":   other.Get("/token/").AssertStatus(200).Text(),
	}
	if tokens["valid"] == "" || tokens["valid"] == stale || tokens["other"] == "" {
		t.Fatalf("tokens not handed out: %q", tokens)
	}
	origins := map[string]string{"": "", "same": browser.BaseURL, "other": "http://evil.example", "trusted": trustedOrigin}

	cells := 0
	for _, method := range []string{"GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"} {
		for _, site := range []string{"", "same-origin", "same-site", "cross-site", "none"} {
			for _, origin := range []string{"", "same", "other", "trusted"} {
				for _, tok := range []string{"valid", "missing", "stale", "other"} {
					cells++
					want, wantReason := http.StatusOK, security.CSRFReason(0)
					switch {
					case safeMethod[method]:
					case !layer1Pass[site][origin]:
						want, wantReason = http.StatusForbidden, layer1Reason[site]
					case tok != "valid":
						want, wantReason = http.StatusForbidden, layer2Reason[tok]
					}

					req, _ := http.NewRequest(method, browser.BaseURL+"/target/", strings.NewReader("x=1"))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Accept", "application/json")
					if site != "" {
						req.Header.Set("Sec-Fetch-Site", site)
					}
					if o := origins[origin]; o != "" {
						req.Header.Set("Origin", o)
					}
					if v := tokens[tok]; v != "" {
						req.Header.Set(security.CSRFHeader, v)
					}
					res := browser.Do(req)
					name := fmt.Sprintf("%s Sec-Fetch-Site=%q Origin=%s token=%s", method, site, origin, tok)
					if res.StatusCode != want {
						t.Errorf("%s: status %d, want %d; body %s", name, res.StatusCode, want, res.Body)
						continue
					}
					if wantReason != 0 {
						var body struct{ Error struct{ Chain []string } }
						json.Unmarshal(res.Body, &body)
						if !strings.Contains(strings.Join(body.Error.Chain, "\n"), wantReason.String()) {
							t.Errorf("%s: refused for %q, want %q", name, body.Error.Chain, wantReason)
						}
					}
				}
			}
		}
	}
	if cells != 7*5*4*4 {
		t.Fatalf("%d cells", cells)
	}
}
