package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// test is one TechEmpower test type as the suite runs it.
type test struct {
	name string
	path string // with its query string
}

// testOrder lists the tests in the order they are verified and timed:
// cached-queries before updates, whose writes the peers' caches would not see.
var testOrder = []test{
	{"plaintext", "/plaintext"},
	{"json", "/json"},
	{"db", "/db"},
	{"queries", "/queries?queries=%d"},
	{"fortunes", "/fortunes"},
	{"cached-queries", "/cached-queries?count=%d"},
	{"updates", "/updates?queries=%d"},
	{"sqlite-db", "/sqlite/db"},
	{"sqlite-fortunes", "/sqlite/fortunes"},
}

// wrkResult is one wrk run.
type wrkResult struct {
	requests int64
	rps      float64
	p99      time.Duration
	errors   int64         // non-2xx/3xx responses and socket errors
	cpu      time.Duration // server CPU time per request, set by the caller
}

func (r wrkResult) rejected() bool { return float64(r.errors) > float64(r.requests)*0.001 }

// runWrk runs wrk -t1 against url for d and parses its report.
func runWrk(ctx context.Context, pin []string, connections int, d time.Duration, url string) (wrkResult, error) {
	ctx, cancel := context.WithTimeout(ctx, d+60*time.Second)
	defer cancel()
	argv := append(append([]string(nil), pin...), "wrk", "-t1", "-c"+strconv.Itoa(connections),
		"-d"+strconv.Itoa(int(d/time.Second))+"s", "--timeout", "5s", "--latency", url)
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return wrkResult{}, fmt.Errorf("wrk %s: %v: %s", url, err, out)
	}
	return parseWrk(out)
}

func parseWrk(out []byte) (wrkResult, error) {
	var r wrkResult
	var haveRPS, haveP99 bool
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 2 && f[0] == "Requests/sec:":
			r.rps, _ = strconv.ParseFloat(f[1], 64)
			haveRPS = true
		case len(f) >= 2 && f[0] == "99%":
			if d, err := parseWrkDuration(f[1]); err == nil {
				r.p99, haveP99 = d, true
			}
		case len(f) >= 3 && f[1] == "requests" && f[2] == "in":
			r.requests, _ = strconv.ParseInt(f[0], 10, 64)
		case strings.HasPrefix(sc.Text(), "  Non-2xx or 3xx responses:"):
			n, _ := strconv.ParseInt(f[len(f)-1], 10, 64)
			r.errors += n
		case strings.HasPrefix(sc.Text(), "  Socket errors:"):
			// "Socket errors: connect 0, read 0, write 0, timeout 0"
			for i := 2; i+1 < len(f); i += 2 {
				n, _ := strconv.ParseInt(strings.TrimSuffix(f[i+1], ","), 10, 64)
				r.errors += n
			}
		}
	}
	if !haveRPS || !haveP99 || r.requests == 0 {
		return r, fmt.Errorf("cannot read wrk's report:\n%s", out)
	}
	return r, nil
}

// parseWrkDuration reads wrk's 1.23ms / 456.00us / 1.20s / 2.00m.
func parseWrkDuration(s string) (time.Duration, error) {
	for _, u := range []struct {
		suffix string
		unit   time.Duration
	}{{"us", time.Microsecond}, {"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}} {
		if v, ok := strings.CutSuffix(s, u.suffix); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return 0, err
			}
			return time.Duration(f * float64(u.unit)), nil
		}
	}
	return 0, fmt.Errorf("unknown duration %q", s)
}

func median[T int64 | float64 | time.Duration](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
