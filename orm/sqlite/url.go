package sqlite

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// memoryPath is the path of an in-memory database.
const memoryPath = ":memory:"

// defaultBusyTimeout is how long, in milliseconds, a statement waits for a
// lock another process holds.
const defaultBusyTimeout = 5000

// config is what a sqlite URL asks for.
type config struct {
	path        string // file path, or memoryPath
	busyTimeout int    // milliseconds
}

func (c config) memory() bool { return c.path == memoryPath }

// parseURL reads a sqlite:// URL (see the package doc).
func parseURL(u *url.URL) (config, error) {
	fail := func(format string, args ...any) (config, error) {
		return config{}, fmt.Errorf("sqlite: database URL %q: %s (want sqlite:///relative/path.db, sqlite:////absolute/path.db or sqlite:///:memory:)",
			u.Redacted(), fmt.Sprintf(format, args...))
	}
	if !strings.EqualFold(u.Scheme, "sqlite") {
		return fail("scheme is %q, not sqlite", u.Scheme)
	}
	if u.Opaque != "" {
		return fail("no path after sqlite:///")
	}
	if u.User != nil {
		return fail("user information is not allowed")
	}
	if u.Host != "" {
		return fail("host %q is not allowed: start the path with three slashes", u.Host)
	}
	if u.Fragment != "" {
		return fail("fragment is not allowed")
	}
	path, ok := strings.CutPrefix(u.Path, "/")
	if !ok || path == "" || strings.HasSuffix(path, "/") {
		return fail("no file name after sqlite:///")
	}
	if strings.ContainsAny(path, "?\x00") {
		return fail("the path may not contain ? or NUL")
	}
	if strings.HasPrefix(path, "file:") {
		// The driver would read this as an SQLite URI, not a file name.
		path = "./" + path
	}
	c := config{path: path, busyTimeout: defaultBusyTimeout}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return fail("bad query: %v", err)
	}
	for key, vals := range q {
		switch key {
		case "busy_timeout":
			n, err := strconv.Atoi(vals[len(vals)-1])
			if err != nil || n < 0 {
				return fail("busy_timeout=%q: want milliseconds, a whole number >= 0", vals[len(vals)-1])
			}
			c.busyTimeout = n
		default:
			return fail("unknown parameter %q (known: busy_timeout)", key)
		}
	}
	return c, nil
}

// dsn is the driver's data source name for c: the file name and the PRAGMAs
// every connection of the pool runs when it opens.
func (c config) dsn(readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.Itoa(c.busyTimeout)+")")
	q.Add("_pragma", "foreign_keys(1)")
	if !c.memory() {
		// WAL is a property of the file: the writer sets it at open, before
		// any reader connects; a reader asking again could only fail.
		if !readOnly {
			q.Add("_pragma", "journal_mode(WAL)")
		}
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	}
	return c.path + "?" + q.Encode()
}
