package cache

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// NeverCache marks the response as not to be cached by browsers or proxies
// (Django's never_cache): Cache-Control "max-age=0, no-cache, no-store,
// must-revalidate, private" and an Expires in the past. The Page
// middleware does not store such a response either. Call it before the
// response is written.
func NeverCache(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Cache-Control", "max-age=0, no-cache, no-store, must-revalidate, private")
	h.Set("Expires", time.Now().UTC().Format(http.TimeFormat))
}

// MaxAge lets browsers and proxies keep the response for d: it sets
// Cache-Control max-age (keeping the other directives) and Expires.
func MaxAge(w http.ResponseWriter, d time.Duration) {
	h := w.Header()
	PatchCacheControl(h, "max-age="+strconv.FormatInt(int64(d/time.Second), 10))
	h.Set("Expires", time.Now().Add(d).UTC().Format(http.TimeFormat))
}

// Private marks the response as for this visitor only: shared caches (and
// the Page middleware) must not store it. It removes "public".
func Private(w http.ResponseWriter) {
	PatchCacheControl(w.Header(), "private")
}

// PatchCacheControl adds directives ("max-age=60", "public") to h's
// Cache-Control, replacing a directive of the same name; "private" and
// "public" replace each other.
func PatchCacheControl(h http.Header, directives ...string) {
	cur := parseCacheControl(h.Get("Cache-Control"))
	for _, d := range directives {
		name, _, _ := strings.Cut(d, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		switch name {
		case "private":
			cur = without(cur, "public")
		case "public":
			cur = without(cur, "private")
		}
		cur = without(cur, name)
		cur = append(cur, strings.TrimSpace(d))
	}
	h.Set("Cache-Control", strings.Join(cur, ", "))
}

func parseCacheControl(v string) []string {
	var out []string
	for _, d := range strings.Split(v, ",") {
		if d = strings.TrimSpace(d); d != "" {
			out = append(out, d)
		}
	}
	return out
}

func without(ds []string, name string) []string {
	out := ds[:0]
	for _, d := range ds {
		n, _, _ := strings.Cut(d, "=")
		if !strings.EqualFold(strings.TrimSpace(n), name) {
			out = append(out, d)
		}
	}
	return out
}

// cacheControl returns the directive name's presence and value in h.
func cacheControl(h http.Header, name string) (string, bool) {
	for _, v := range h.Values("Cache-Control") {
		for _, d := range strings.Split(v, ",") {
			n, val, _ := strings.Cut(strings.TrimSpace(d), "=")
			if strings.EqualFold(n, name) {
				return strings.Trim(val, `"`), true
			}
		}
	}
	return "", false
}
