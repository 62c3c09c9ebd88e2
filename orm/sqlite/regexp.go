package sqlite

import (
	"database/sql/driver"
	"fmt"
	"regexp"
	"sync"

	"github.com/anode-go/anode/orm"
	sqlite "modernc.org/sqlite"
)

// SQLite has the REGEXP operator but no function behind it: X REGEXP Y calls
// regexp(Y, X). The driver registers one backed by Go's regexp (RE2 syntax)
// for every connection it opens.
func init() {
	if err := sqlite.RegisterDeterministicScalarFunction("regexp", 2, regexpFunc); err != nil {
		panic("sqlite: registering REGEXP: " + err.Error())
	}
}

// regexpFunc is regexp(pattern, text): 1 when text matches, NULL when
// either is NULL.
func regexpFunc(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
	if args[0] == nil || args[1] == nil {
		return nil, nil
	}
	pattern, ok := textOf(args[0])
	if !ok {
		return nil, fmt.Errorf("sqlite: REGEXP pattern must be text, not %T", args[0])
	}
	re, err := compiled(pattern)
	if err != nil {
		return nil, err
	}
	text, ok := textOf(args[1])
	if !ok {
		text = fmt.Sprint(args[1])
	}
	if re.MatchString(text) {
		return int64(1), nil
	}
	return int64(0), nil
}

func textOf(v driver.Value) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	}
	return "", false
}

// patternCache holds compiled patterns, so a query compiles its pattern once
// rather than once per row. It is cleared when full: patterns come from
// queries, and a caller varying them must not grow memory without bound.
var patternCache struct {
	sync.RWMutex
	m map[string]*regexp.Regexp
}

const maxCachedPatterns = 256

// compiled returns pattern compiled, from the cache when it is there; an
// invalid pattern is an *orm.PatternError.
func compiled(pattern string) (*regexp.Regexp, error) {
	patternCache.RLock()
	re, ok := patternCache.m[pattern]
	patternCache.RUnlock()
	if ok {
		return re, nil
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, &orm.PatternError{Pattern: pattern, Err: err}
	}
	patternCache.Lock()
	if len(patternCache.m) >= maxCachedPatterns || patternCache.m == nil {
		patternCache.m = make(map[string]*regexp.Regexp, maxCachedPatterns)
	}
	patternCache.m[pattern] = re
	patternCache.Unlock()
	return re, nil
}

var _ orm.RegexDialect = dialect{}

// Regex renders col REGEXP ph, with Go's regexp syntax (RE2); fold prefixes
// the pattern with (?i). The pattern is compiled here, so an invalid one is
// refused before the query is sent.
func (dialect) Regex(col, ph, pattern string, fold bool) (string, any, error) {
	if fold {
		pattern = "(?i)" + pattern
	}
	if _, err := compiled(pattern); err != nil {
		return "", nil, err
	}
	return col + " REGEXP " + ph, pattern, nil
}
