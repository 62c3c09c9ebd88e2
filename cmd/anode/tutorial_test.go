package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// step is one action of the tutorial: a command with the output lines it
// must print, or a file to write.
type step struct {
	line    int    // line in docs/tutorial.md
	command string // a $ command, or ""
	want    []string
	file    string // a file= block's path, or ""
	content string
}

// parseTutorial reads the replayable steps of a tutorial page: every
// ```sh block (not ```sh norun), and every block whose info string names a
// file=PATH.
func parseTutorial(t *testing.T, path string) []step {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []step
	var (
		in      bool
		info    string
		start   int
		content strings.Builder
	)
	s := bufio.NewScanner(f)
	for n := 1; s.Scan(); n++ {
		line := s.Text()
		if !in {
			if rest, ok := strings.CutPrefix(line, "```"); ok && rest != "" {
				in, info, start = true, rest, n
				content.Reset()
			}
			continue
		}
		if line == "```" {
			in = false
			fields := strings.Fields(info)
			for _, f := range fields[1:] {
				if p, ok := strings.CutPrefix(f, "file="); ok {
					steps = append(steps, step{line: start, file: p, content: content.String()})
				}
			}
			continue
		}
		if !strings.HasPrefix(info, "sh") || info == "sh norun" {
			content.WriteString(line + "\n")
			continue
		}
		if cmd, ok := strings.CutPrefix(line, "$ "); ok {
			steps = append(steps, step{line: n, command: cmd})
		} else if len(steps) > 0 && steps[len(steps)-1].command != "" && strings.TrimSpace(line) != "" {
			last := &steps[len(steps)-1]
			last.want = append(last.want, line)
		}
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	if in {
		t.Fatalf("%s: the block opened at line %d is not closed", path, start)
	}
	return steps
}

// TestTutorial replays docs/tutorial.md in a temporary directory with an
// anode built from this checkout: every command must succeed and print the
// lines shown under it, so the tutorial cannot rot.
func TestTutorial(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a whole project several times: not in -short")
	}
	steps := parseTutorial(t, filepath.Join("..", "..", "docs", "tutorial.md"))
	if len(steps) < 20 {
		t.Fatalf("docs/tutorial.md: only %d steps found; is the page's format intact?", len(steps))
	}
	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "anode"), ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/anode: %v\n%s", err, out)
	}
	// The project's .env decides its settings: none of this process's ANODE_*.
	var env []string
	for _, kv := range os.Environ() {
		switch {
		case strings.HasPrefix(kv, "ANODE_"), strings.HasPrefix(kv, "GOFLAGS="):
		case strings.HasPrefix(kv, "PATH="):
			env = append(env, "PATH="+bin+string(os.PathListSeparator)+strings.TrimPrefix(kv, "PATH="))
		default:
			env = append(env, kv)
		}
	}
	dir := t.TempDir()
	for _, st := range steps {
		if st.file != "" {
			p := filepath.Join(dir, filepath.FromSlash(st.file))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(st.content), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if to, ok := strings.CutPrefix(st.command, "cd "); ok {
			dir = filepath.Join(dir, to)
			continue
		}
		cmd := exec.Command("bash", "-c", st.command)
		cmd.Dir = dir
		cmd.Env = env
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("docs/tutorial.md:%d: $ %s: %v\n%s", st.line, st.command, err, out)
		}
		got := collapse(string(out))
		for _, w := range st.want {
			if !strings.Contains(got, collapse(w)) {
				t.Errorf("docs/tutorial.md:%d: $ %s: the output has no line like %q:\n%s", st.line, st.command, w, out)
			}
		}
	}
}

// collapse turns every run of white space into one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }
