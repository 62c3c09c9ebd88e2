// Package vary adds fields to a response's Vary header without repeating
// one that is already there.
package vary

import (
	"net/http"
	"strings"
)

// Add adds field ("Cookie", "Origin") to h's Vary header unless the
// response already varies by it, or by everything ("*"). Field names are
// compared case-insensitively, across every Vary line and comma-separated
// entry.
func Add(h http.Header, field string) {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); strings.EqualFold(f, field) || f == "*" {
				return
			}
		}
	}
	h.Add("Vary", field)
}
