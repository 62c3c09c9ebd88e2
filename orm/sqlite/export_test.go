package sqlite

import "net/url"

// Open is the dialect's orm.Opener, for the black-box tests (the orm package
// reaches it through RegisterDialect).
var Open = open

// ParseURL returns the file path and busy timeout a URL asks for.
func ParseURL(raw string) (path string, busyTimeout int, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", 0, err
	}
	c, err := parseURL(u)
	return c.path, c.busyTimeout, err
}
