package anode_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/anode-go/anode"
)

func TestAccessLogLine(t *testing.T) {
	for _, debug := range []bool{false, true} {
		var logs bytes.Buffer
		app := anode.New(anode.Config{SecretKey: "k", Debug: debug, AllowedHosts: []string{"example.com"}})
		app.SetLogOutput(&logs)
		app.Install(echoModule())
		req := httptest.NewRequest("GET", "/who/", nil)
		req.URL.Path = "/who/\"odd\n\xff" // hostile bytes must not break the line
		app.ServeHTTP(httptest.NewRecorder(), req)
		req = httptest.NewRequest("GET", "/who/", nil)
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		app.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/healthz", nil))

		lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
		if len(lines) != 2 {
			t.Fatalf("debug=%v: %d lines (health checks log at debug level only):\n%s", debug, len(lines), logs.String())
		}
		if debug {
			if !strings.Contains(lines[1], "msg=request method=GET path=/who/ route=\"GET /who/{$}\" status=200") {
				t.Errorf("text line: %s", lines[1])
			}
			continue
		}
		for i, line := range lines {
			var rec map[string]any
			if err := json.Unmarshal([]byte(line), &rec); err != nil {
				t.Fatalf("line %d is not JSON: %v\n%s", i, err, line)
			}
			for _, k := range []string{"time", "level", "msg", "method", "path", "route", "status", "bytes", "duration", "client_ip", "request_id"} {
				if _, ok := rec[k]; !ok {
					t.Errorf("line %d lacks %q: %s", i, k, line)
				}
			}
		}
		var rec2 map[string]any
		json.Unmarshal([]byte(lines[1]), &rec2)
		if rec2["level"] != "INFO" || rec2["msg"] != "request" || rec2["status"] != float64(http.StatusOK) ||
			rec2["route"] != "GET /who/{$}" || rec2["request_id"] != rec.Header().Get("X-Request-ID") || rec2["client_ip"] != "192.0.2.1" {
			t.Errorf("fields: %v", rec2)
		}
	}
}
