package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

type cell struct {
	runs     []wrkResult // accepted runs
	rejected int
}

func (c *cell) medianRPS() float64 {
	var xs []float64
	for _, r := range c.runs {
		xs = append(xs, r.rps)
	}
	return median(xs)
}

func (c *cell) medianP99() time.Duration {
	var xs []time.Duration
	for _, r := range c.runs {
		xs = append(xs, r.p99)
	}
	return median(xs)
}

func (c *cell) medianCPU() time.Duration {
	var xs []time.Duration
	for _, r := range c.runs {
		xs = append(xs, r.cpu)
	}
	return median(xs)
}

type procStats struct {
	startups         []time.Duration // verification start, timing start
	idleRSS, peakRSS int64
}

type results struct {
	settings              settings
	contestants           []*contestant
	tests                 []string
	cells                 map[string]map[string]*cell // test, contestant
	stats                 map[string]*procStats
	loadBefore, loadAfter string
	pinned                bool
	versions              string
}

// targets are issue 11's minimum ratios Anode/peer, by test.
var targets = map[string]map[string]float64{
	"plaintext": {"go": 0.95, "express": 3, "django": 12},
	"json":      {"go": 0.95, "express": 3, "django": 12},
	"db":        {"go": 0.90, "express": 2, "django": 6},
	"fortunes":  {"go": 0.90, "express": 2, "django": 6},
	"queries":   {"go": 1.0, "express": 2, "django": 6},
	"updates":   {"go": 1.0, "express": 2, "django": 6},
}

const (
	beginMarker = "<!-- bench/run: generated results begin -->"
	endMarker   = "<!-- bench/run: generated results end -->"
)

func (r *results) markdown() string {
	var b strings.Builder
	s := r.settings
	pin := "unpinned"
	if r.pinned {
		pin = "servers on CPU 0, wrk on CPU 1 (PostgreSQL unpinned)"
	}
	fmt.Fprintf(&b, "%s\n\n", beginMarker)
	fmt.Fprintf(&b, "Run of %s UTC on %s (%d CPUs); %s. Load average (1, 5, 15 min) %s before the run, %s after.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04"), cpuModel(), runtime.NumCPU(), r.versions, r.loadBefore, r.loadAfter)
	fmt.Fprintf(&b, "wrk -t1 -c%d, %s warm-up, median of %d × %s per contestant and test, contestants alternating; %s; queries, updates and cached-queries at N=%d.\n\n",
		s.connections, s.warmup, s.runs, s.duration, pin, s.queries)

	b.WriteString("| test |")
	for _, c := range r.contestants {
		fmt.Fprintf(&b, " %s req/s | %s p99 |", c.label, c.label)
	}
	b.WriteString("\n|---|")
	for range r.contestants {
		b.WriteString("---:|---:|")
	}
	b.WriteString("\n")
	for _, t := range r.tests {
		fmt.Fprintf(&b, "| %s |", t)
		for _, c := range r.contestants {
			cl := r.cells[t][c.name]
			switch {
			case cl == nil:
				b.WriteString(" — | — |")
			case len(cl.runs) == 0:
				b.WriteString(" rejected | — |")
			default:
				fmt.Fprintf(&b, " %s | %s |", thousands(cl.medianRPS()), fmtDur(cl.medianP99()))
			}
		}
		b.WriteString("\n")
	}

	if r.cells[r.tests[0]]["anode"] != nil {
		b.WriteString("\nAnode / peer (requests/s), against the issue's targets (**bold**: target missed):\n\n")
		b.WriteString("| test |")
		var peers []*contestant
		for _, c := range r.contestants {
			if c.name != "anode" {
				peers = append(peers, c)
				fmt.Fprintf(&b, " vs %s |", c.label)
			}
		}
		b.WriteString("\n|---|")
		for range peers {
			b.WriteString("---:|")
		}
		b.WriteString("\n")
		for _, t := range r.tests {
			a := r.cells[t]["anode"]
			if a == nil || len(a.runs) == 0 {
				continue
			}
			anyPeer := false
			for _, p := range peers {
				if r.cells[t][p.name] != nil {
					anyPeer = true
				}
			}
			if !anyPeer {
				continue
			}
			fmt.Fprintf(&b, "| %s |", t)
			for _, p := range peers {
				pc := r.cells[t][p.name]
				if pc == nil || len(pc.runs) == 0 {
					b.WriteString(" — |")
					continue
				}
				ratio := a.medianRPS() / pc.medianRPS()
				want, ok := targets[t][p.name]
				switch {
				case !ok:
					fmt.Fprintf(&b, " %.2f× |", ratio)
				case ratio >= want:
					fmt.Fprintf(&b, " %.2f× (≥ %g×) |", ratio, want)
				default:
					fmt.Fprintf(&b, " **%.2f×** (≥ %g×) |", ratio, want)
				}
			}
			b.WriteString("\n")
		}
	}

	b.WriteString("\n| contestant | start-up (verification start, timing start) | idle RSS | peak RSS under load |\n|---|---:|---:|---:|\n")
	for _, c := range r.contestants {
		st := r.stats[c.name]
		var ups []string
		for _, d := range st.startups {
			ups = append(ups, fmtDur(d))
		}
		fmt.Fprintf(&b, "| %s | %s | %.1f MB | %.1f MB |\n", c.label, strings.Join(ups, ", "), mb(st.idleRSS), mb(st.peakRSS))
	}
	b.WriteString("\nStart-up: from exec to the first 200 from /plaintext. RSS: the process and its children (cluster and gunicorn workers), from /proc; idle is one second after start-up, peak the largest reading after a measured run. Anode's targets: idle RSS ≤ 30 MB, start-up ≤ 100 ms.\n")

	var rejected []string
	for _, t := range r.tests {
		for _, c := range r.contestants {
			if cl := r.cells[t][c.name]; cl != nil && cl.rejected > 0 {
				rejected = append(rejected, fmt.Sprintf("%s %s: %d", t, c.label, cl.rejected))
			}
		}
	}
	if len(rejected) > 0 {
		fmt.Fprintf(&b, "\nRuns rejected (more than 0.1%% errors) and repeated once: %s.\n", strings.Join(rejected, "; "))
	}

	b.WriteString("\nServer CPU time per request (median; the process and its workers, from /proc). Steadier than requests/s when other work shares the machine, though a load average far above the CPU count inflates it too:\n\n| test |")
	for _, c := range r.contestants {
		fmt.Fprintf(&b, " %s |", c.label)
	}
	b.WriteString("\n|---|")
	for range r.contestants {
		b.WriteString("---:|")
	}
	b.WriteString("\n")
	for _, t := range r.tests {
		fmt.Fprintf(&b, "| %s |", t)
		for _, c := range r.contestants {
			if cl := r.cells[t][c.name]; cl != nil && len(cl.runs) > 0 {
				fmt.Fprintf(&b, " %s |", fmtDur(cl.medianCPU()))
			} else {
				b.WriteString(" — |")
			}
		}
		b.WriteString("\n")
	}

	b.WriteString("\nEvery run (requests/s):\n\n| test | contestant | runs |\n|---|---|---|\n")
	for _, t := range r.tests {
		for _, c := range r.contestants {
			cl := r.cells[t][c.name]
			if cl == nil {
				continue
			}
			var xs []string
			for _, run := range cl.runs {
				xs = append(xs, thousands(run.rps))
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", t, c.label, strings.Join(xs, ", "))
		}
	}
	fmt.Fprintf(&b, "\n%s\n", endMarker)
	return b.String()
}

// writeResults replaces the generated part of path (between the markers),
// keeping what was written around it by hand, or creates the file.
func writeResults(path, generated string) error {
	old, err := os.ReadFile(path)
	if err == nil {
		i := bytes.Index(old, []byte(beginMarker))
		j := bytes.Index(old, []byte(endMarker))
		if i >= 0 && j > i {
			out := append(append(append([]byte(nil), old[:i]...), generated...), old[j+len(endMarker)+1:]...)
			return os.WriteFile(path, out, 0o644)
		}
	}
	head := "# TechEmpower-style suite: results\n\nWritten by `bench/run` (see docs/benchmarks.md for the method). Figures are as measured, in one run on one machine.\n\n"
	return os.WriteFile(path, []byte(head+generated), 0o644)
}

func thousands(f float64) string {
	s := fmt.Sprintf("%.0f", f)
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

func fmtDur(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	case d >= 100*time.Microsecond:
		return fmt.Sprintf("%.0f µs", float64(d)/1e3)
	default:
		return fmt.Sprintf("%.1f µs", float64(d)/1e3)
	}
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// versions names the software measured.
func versions(ctx context.Context, root string) string {
	run := func(dir string, argv ...string) string {
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			return "?"
		}
		return strings.TrimSpace(string(out))
	}
	goVer := run(root, "go", "env", "GOVERSION")
	node := run(root, "node", "--version")
	express := run(root+"/bench/te/express", "node", "-p", "require('express/package.json').version + ' / pg ' + require('pg/package.json').version")
	django := run(root, "/usr/bin/python3", "-c", "import sys, django, gunicorn; print('Python %d.%d.%d' % sys.version_info[:3], '/ Django', django.get_version(), '/ gunicorn', gunicorn.__version__)")
	pg := run(root, "psql", "-V")
	wrk := strings.SplitN(run(root, "sh", "-c", "wrk -v 2>&1 | head -1"), " [", 2)[0]
	return fmt.Sprintf("%s; Node %s, Express %s; %s; %s; %s", goVer, node, express, django, pg, wrk)
}
