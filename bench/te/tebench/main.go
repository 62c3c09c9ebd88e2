// Command tebench runs Anode's TechEmpower-style suite; bench/run is its
// entry point, which installs what the peers need first. It creates a
// dedicated PostgreSQL database (World: 10,000 rows; Fortune: 12) and its
// SQLite copy, builds the Go contestants, verifies every contestant against
// the rules (statements counted on the wire by a proxy in front of
// PostgreSQL), and then, unless BENCH_QUICK=1, times each test with wrk,
// contestants alternating, and writes bench/RESULTS.md. See
// docs/benchmarks.md for the method and the settings.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// settings are the runner's environment variables.
type settings struct {
	quick       bool
	profile     bool // BENCH_PROFILE=1: a CPU profile of Anode per test
	duration    time.Duration
	warmup      time.Duration
	runs        int
	connections int
	queries     int
	postgres    string
	results     string
	tests       map[string]bool // nil: all
	only        map[string]bool // contestants; nil: all
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func readSettings() (settings, error) {
	s := settings{
		quick:    os.Getenv("BENCH_QUICK") == "1",
		profile:  os.Getenv("BENCH_PROFILE") == "1",
		postgres: envOr("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"),
		results:  os.Getenv("BENCH_RESULTS"),
	}
	var errs []error
	num := func(name string, def, lo, hi int) int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		n, err := strconv.Atoi(strings.TrimSuffix(v, "s"))
		if err != nil || n < lo || n > hi {
			errs = append(errs, fmt.Errorf("%s=%q: want a whole number in %d..%d", name, v, lo, hi))
			return def
		}
		return n
	}
	s.duration = time.Duration(num("BENCH_DURATION", 10, 1, 600)) * time.Second
	s.warmup = time.Duration(num("BENCH_WARMUP", 3, 0, 600)) * time.Second
	s.runs = num("BENCH_RUNS", 3, 1, 15)
	s.connections = num("BENCH_CONNECTIONS", 64, 1, 4096)
	s.queries = num("BENCH_QUERIES", 20, 1, 500)
	list := func(name string, valid func(string) bool) map[string]bool {
		v := os.Getenv(name)
		if v == "" {
			return nil
		}
		m := map[string]bool{}
		for _, x := range strings.Split(v, ",") {
			x = strings.TrimSpace(x)
			if !valid(x) {
				errs = append(errs, fmt.Errorf("%s: unknown name %q", name, x))
			}
			m[x] = true
		}
		return m
	}
	s.tests = list("BENCH_TESTS", func(x string) bool {
		for _, t := range testOrder {
			if t.name == x {
				return true
			}
		}
		return false
	})
	s.only = list("BENCH_CONTESTANTS", func(x string) bool {
		return x == "anode" || x == "go" || x == "express" || x == "django"
	})
	return s, errors.Join(errs...)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func run(ctx context.Context) error {
	s, err := readSettings()
	if err != nil {
		return err
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	if s.results == "" {
		s.results = filepath.Join(root, "bench", "RESULTS.md")
	}
	tmp, err := os.MkdirTemp("", "anode-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	e := &env{root: root, tmp: tmp, secret: randomHex(32)}
	var pinClient []string
	if _, err := exec.LookPath("taskset"); err == nil && runtime.NumCPU() >= 2 && os.Getenv("BENCH_PIN") != "0" {
		e.pin, pinClient = []string{"taskset", "-c", "0"}, []string{"taskset", "-c", "1"}
	}
	loadBefore := loadAvg()

	name := "anode_bench_" + randomHex(4)
	logf("creating database %s (World %d rows, Fortune %d rows) and its SQLite copy", name, worldRows, len(fortunes))
	db, err := createDatabase(ctx, s.postgres, name, tmp)
	if db != nil {
		defer func() {
			if err := db.drop(context.Background()); err != nil {
				logf("dropping database %s: %v", name, err)
			}
		}()
	}
	if err != nil {
		return fmt.Errorf("preparing the database: %w", err)
	}
	e.sqlitePath = db.sqlite

	logf("building the Go contestants")
	if err := build(ctx, e); err != nil {
		return err
	}
	var cs []*contestant
	for _, c := range contestants(e) {
		if s.only == nil || s.only[c.name] {
			cs = append(cs, c)
		}
	}
	if s.tests != nil {
		for _, c := range cs {
			var kept []string
			for _, t := range c.tests {
				if s.tests[t] {
					kept = append(kept, t)
				}
			}
			c.tests = kept
		}
	}

	// Verification: each contestant alone, its database connections through
	// the counting proxy.
	proxy, err := newCountingProxy(db.host)
	if err != nil {
		return err
	}
	defer proxy.close()
	proxied, err := url.Parse(db.url)
	if err != nil {
		return err
	}
	proxied.Host = proxy.addr()
	var failed []string
	startups := map[string][]time.Duration{}
	for _, c := range cs {
		p, err := c.start(e, proxied.String(), c.name+"-verify")
		if err != nil {
			return err
		}
		startups[c.name] = append(startups[c.name], p.startup)
		fails := verify(ctx, db, proxy, p)
		p.stop()
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if len(fails) == 0 {
			logf("ok    %-8s %s (start-up %s)", c.name, strings.Join(c.tests, ", "), p.startup.Round(time.Millisecond))
			continue
		}
		for _, f := range fails {
			failed = append(failed, c.name+" "+f)
			logf("FAIL  %-8s %s", c.name, f)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("%d verification failures", len(failed))
	}
	if s.quick {
		logf("BENCH_QUICK=1: every contestant passed verification; no timing")
		return nil
	}

	// Timing: every contestant running, each test in turn, contestants
	// alternating.
	procs := map[string]*process{}
	defer func() {
		for _, p := range procs {
			p.stop()
		}
	}()
	if s.profile {
		port, err := freePort()
		if err != nil {
			return err
		}
		e.pprofAddr = "127.0.0.1:" + strconv.Itoa(port)
	}
	res := &results{settings: s, contestants: cs, cells: map[string]map[string]*cell{}, stats: map[string]*procStats{}, loadBefore: loadBefore, pinned: e.pin != nil}
	for _, c := range cs {
		p, err := c.start(e, db.url, c.name)
		if err != nil {
			return err
		}
		procs[c.name] = p
		time.Sleep(time.Second)
		st := &procStats{startups: append(startups[c.name], p.startup), idleRSS: p.rss()}
		st.peakRSS = st.idleRSS
		res.stats[c.name] = st
		logf("started %-8s in %s, idle RSS %.1f MB", c.name, p.startup.Round(time.Millisecond), mb(st.idleRSS))
	}
	for _, t := range testOrder {
		path := t.path
		if strings.Contains(path, "%d") {
			path = fmt.Sprintf(path, s.queries)
		}
		var who []*contestant
		for _, c := range cs {
			if c.has(t.name) {
				who = append(who, c)
			}
		}
		if len(who) == 0 {
			continue
		}
		res.tests = append(res.tests, t.name)
		res.cells[t.name] = map[string]*cell{}
		for _, c := range who {
			res.cells[t.name][c.name] = &cell{}
			if s.warmup > 0 {
				if _, err := runWrk(ctx, pinClient, s.connections, s.warmup, procs[c.name].base+path); err != nil {
					return err
				}
			}
		}
		for i := 1; i <= s.runs; i++ {
			for _, c := range who {
				p := procs[c.name]
				var r wrkResult
				for attempt := 1; attempt <= 2; attempt++ {
					cpu0 := p.cpu()
					if r, err = runWrk(ctx, pinClient, s.connections, s.duration, p.base+path); err != nil {
						return err
					}
					r.cpu = (p.cpu() - cpu0) / time.Duration(r.requests)
					if !r.rejected() {
						break
					}
					logf("  rejected: %s %s run %d: %d errors in %d requests", t.name, c.name, i, r.errors, r.requests)
					res.cells[t.name][c.name].rejected++
				}
				if rss := p.rss(); rss > res.stats[c.name].peakRSS {
					res.stats[c.name].peakRSS = rss
				}
				select {
				case <-p.exited:
					return fmt.Errorf("%s exited during %s; its output is in %s", c.name, t.name, p.out.Name())
				default:
				}
				if !r.rejected() {
					res.cells[t.name][c.name].runs = append(res.cells[t.name][c.name].runs, r)
				}
				logf("  %-15s run %d %-8s %10.0f req/s  p99 %-9s CPU %s/req", t.name, i, c.name, r.rps, r.p99.Round(10*time.Microsecond), fmtDur(r.cpu))
			}
		}
		if s.profile && procs["anode"] != nil && procs["anode"].c.has(t.name) {
			if err := profileRun(ctx, e, s, pinClient, procs["anode"].base+path, t.name); err != nil {
				return err
			}
		}
	}
	res.loadAfter = loadAvg()
	res.versions = versions(ctx, root)
	md := res.markdown()
	fmt.Println(md)
	return writeResults(s.results, md)
}

// profileRun loads url for one more run and saves a CPU profile of the Anode
// contestant over it in bench/results/anode-<test>.pprof (not committed).
func profileRun(ctx context.Context, e *env, s settings, pinClient []string, url, test string) error {
	dir := filepath.Join(e.root, "bench", "results")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	out := filepath.Join(dir, "anode-"+test+".pprof")
	secs := max(1, int(s.duration/time.Second)-1)
	errc := make(chan error, 1)
	go func() {
		resp, err := http.Get(fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", e.pprofAddr, secs))
		if err != nil {
			errc <- err
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err == nil && resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("pprof: status %d: %s", resp.StatusCode, b)
		}
		if err == nil {
			err = os.WriteFile(out, b, 0o644)
		}
		errc <- err
	}()
	if _, err := runWrk(ctx, pinClient, s.connections, s.duration, url); err != nil {
		return err
	}
	if err := <-errc; err != nil {
		return fmt.Errorf("profiling %s: %w", test, err)
	}
	logf("  %-15s CPU profile of anode in %s", test, out)
	return nil
}

func repoRoot() (string, error) {
	out, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		wd, _ := os.Getwd()
		return wd, nil
	}
	return strings.TrimSpace(string(out)), nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05")+" "+format+"\n", args...)
}

func mb(b int64) float64 { return float64(b) / 1e6 }
