package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// contestant is one server under test.
type contestant struct {
	name  string // anode, go, express, django
	label string // as RESULTS.md names it
	// tests are the test names it implements.
	tests []string
	// command returns the command line, working directory and environment
	// of a server listening on port with its database at dbURL.
	command func(port int, dbURL string) (argv []string, dir string, env []string)
}

// process is a started contestant.
type process struct {
	c       *contestant
	cmd     *exec.Cmd
	port    int
	base    string        // http://127.0.0.1:port
	startup time.Duration // exec to the first 200 from /plaintext
	out     *os.File      // its stdout and stderr
	exited  chan struct{}
}

// env is shared by every contestant's command: the runner's settings.
type env struct {
	root       string // repository root
	tmp        string // build outputs, logs, the SQLite copy
	pin        []string
	sqlitePath string
	secret     string
	pprofAddr  string // ANODE_BENCH_PPROF for the Anode contestant, or ""
}

func contestants(e *env) []*contestant {
	all := []string{"plaintext", "json", "db", "queries", "fortunes", "updates", "cached-queries"}
	return []*contestant{
		{
			name: "anode", label: "Anode",
			tests: append(append([]string(nil), all...), "sqlite-db", "sqlite-fortunes"),
			command: func(port int, dbURL string) ([]string, string, []string) {
				return append(append([]string(nil), e.pin...), filepath.Join(e.tmp, "anode")), e.tmp, []string{
					"ANODE_DEBUG=false",
					"ANODE_SECRET_KEY=" + e.secret,
					"ANODE_ALLOWED_HOSTS=127.0.0.1,localhost",
					"ANODE_ADDR=127.0.0.1:" + strconv.Itoa(port),
					"ANODE_DATABASE_URL=" + dbURL,
					"ANODE_DATABASE_MAX_CONNS=" + strconv.Itoa(poolSize),
					"ANODE_BENCH_SQLITE_URL=sqlite:///" + filepath.ToSlash(e.sqlitePath),
					"ANODE_LOG_LEVEL=info",
					"ANODE_BENCH_PPROF=" + e.pprofAddr,
				}
			},
		},
		{
			name: "go", label: "net/http",
			tests: all,
			command: func(port int, dbURL string) ([]string, string, []string) {
				return append(append([]string(nil), e.pin...), filepath.Join(e.tmp, "gohttp"),
					"-addr", "127.0.0.1:"+strconv.Itoa(port), "-db", withPoolSize(dbURL)), e.tmp, nil
			},
		},
		{
			name: "express", label: "Express",
			tests: all,
			command: func(port int, dbURL string) ([]string, string, []string) {
				return append(append([]string(nil), e.pin...), "node", "app.js"), filepath.Join(e.root, "bench/te/express"), []string{
					"NODE_ENV=production",
					"PORT=" + strconv.Itoa(port),
					"DATABASE_URL=" + dbURL,
					"POOL_SIZE=" + strconv.Itoa(poolSize),
				}
			},
		},
		{
			name: "django", label: "Django",
			tests: all,
			command: func(port int, dbURL string) ([]string, string, []string) {
				return append(append([]string(nil), e.pin...), "/usr/bin/python3", "-m", "gunicorn", "-c", "gunicorn.conf.py"),
					filepath.Join(e.root, "bench/te/django"), []string{
						"PORT=" + strconv.Itoa(port),
						"DATABASE_URL=" + dbURL,
						"DJANGO_SECRET_KEY=" + e.secret,
						"DJANGO_SETTINGS_MODULE=tesite.settings",
						"PYTHONDONTWRITEBYTECODE=1",
					}
			},
		},
	}
}

// poolSize is every contestant's database pool (per process); Django opens
// one connection per thread.
const poolSize = 16

func withPoolSize(dbURL string) string {
	sep := "?"
	if strings.Contains(dbURL, "?") {
		sep = "&"
	}
	return dbURL + sep + "pool_max_conns=" + strconv.Itoa(poolSize)
}

func (c *contestant) has(test string) bool {
	for _, t := range c.tests {
		if t == test {
			return true
		}
	}
	return false
}

// start launches c against dbURL and waits (at most 30 s) for its first 200
// from /plaintext.
func (c *contestant) start(e *env, dbURL, logName string) (*process, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	argv, dir, extra := c.command(port, dbURL)
	out, err := os.Create(filepath.Join(e.tmp, logName+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), extra...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	p := &process{c: c, cmd: cmd, port: port, base: "http://127.0.0.1:" + strconv.Itoa(port), out: out, exited: make(chan struct{})}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("%s: %w", c.name, err)
	}
	go func() { cmd.Wait(); close(p.exited) }()
	client := &http.Client{Timeout: time.Second}
	deadline := began.Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			return nil, fmt.Errorf("%s exited during start-up; its output is in %s", c.name, out.Name())
		default:
		}
		resp, err := client.Get(p.base + "/plaintext")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.startup = time.Since(began)
				return p, nil
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	p.stop()
	return nil, fmt.Errorf("%s did not answer /plaintext within 30s; its output is in %s", c.name, out.Name())
}

// stop ends the process group the contestant runs in (its own: Setpgid),
// SIGTERM first, SIGKILL after 10 s.
func (p *process) stop() {
	syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.exited
	}
	p.out.Close()
}

// rss returns the resident memory of the process and all its descendants
// (cluster and gunicorn workers), in bytes.
func (p *process) rss() int64 {
	var total int64
	for _, pid := range p.tree() {
		total += vmRSS(pid)
	}
	return total
}

// cpu returns the CPU time (user and system) the process and its living
// descendants have used.
func (p *process) cpu() time.Duration {
	var ticks int64
	for _, pid := range p.tree() {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			k, _ := strconv.ParseInt(f[12], 10, 64)
			ticks += u + k
		}
	}
	return time.Duration(ticks) * time.Second / clockTicks
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every
// Linux architecture Go supports.
const clockTicks = 100

// tree returns the process and its descendants.
func (p *process) tree() []int {
	children := map[int][]int{}
	entries, _ := os.ReadDir("/proc")
	for _, de := range entries {
		pid, err := strconv.Atoi(de.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + de.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 2 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		children[ppid] = append(children[ppid], pid)
	}
	var pids []int
	queue := []int{p.cmd.Process.Pid}
	for n := 0; len(queue) > 0 && n < 10000; n++ {
		pid := queue[0]
		queue = append(queue[1:], children[pid]...)
		pids = append(pids, pid)
	}
	return pids
}

func vmRSS(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// freePort returns a port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// build compiles the Go contestants into e.tmp.
func build(ctx context.Context, e *env) error {
	for _, b := range [][2]string{{"anode", "./bench/te/anode"}, {"gohttp", "./bench/te/gohttp"}} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(e.tmp, b[0]), b[1])
		cmd.Dir = e.root
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go build %s: %w", b[1], err)
		}
	}
	if _, err := os.Stat(filepath.Join(e.root, "bench/te/express/node_modules/express")); err != nil {
		return errors.New("bench/te/express/node_modules is missing: run bench/run (it runs npm ci)")
	}
	return nil
}
