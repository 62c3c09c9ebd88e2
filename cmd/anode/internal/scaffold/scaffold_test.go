package scaffold_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anode-go/anode/cmd/anode/internal/scaffold"
)

// repoRoot is the Anode checkout these tests run in.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", dir, err)
	}
	return dir
}

// goCmd runs the go command in dir and returns its combined output,
// failing the test when it fails.
func goCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	// The project's own .env decides (debug): none of this process's ANODE_*.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANODE_") && !strings.HasPrefix(kv, "GOFLAGS=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

// TestNewProjectBuildsAndPasses is the promise of anode new: the project it
// writes builds, vets, has a migration that matches its models, and its own
// test passes at once. Then startapp adds a second app that does the same
// once installed.
func TestNewProjectBuildsAndPasses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a whole project: not in -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Fatalf("the go command is needed: %v", err)
	}
	ctx := context.Background()
	parent := t.TempDir()
	var out bytes.Buffer
	dir, err := scaffold.NewProject(ctx, scaffold.ProjectOptions{
		Name: "mysite", Module: "example.com/mysite", Parent: parent, AnodeDir: repoRoot(t), Out: &out,
	})
	if err != nil {
		t.Fatal(err)
	}
	gomod, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !strings.Contains(string(gomod), "module example.com/mysite") || !strings.Contains(string(gomod), "replace github.com/anode-go/anode => "+repoRoot(t)) {
		t.Fatalf("go.mod:\n%s", gomod)
	}
	var setupOut bytes.Buffer
	if err := scaffold.Setup(ctx, dir, &setupOut, &setupOut); err != nil {
		t.Fatalf("Setup: %v\n%s", err, setupOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "notes", "migrations", "0001_initial.go")); err != nil {
		t.Fatalf("no first migration: %v\n%s", err, setupOut.String())
	}
	if got := goCmd(t, dir, "run", ".", "makemigrations", "--check"); !strings.Contains(got, "No changes") {
		t.Errorf("makemigrations --check after anode new:\n%s", got)
	}
	goCmd(t, dir, "vet", "./...")
	if got := goCmd(t, dir, "test", "-count=1", "./..."); !strings.Contains(got, "ok  \texample.com/mysite/notes") {
		t.Errorf("go test in the new project:\n%s", got)
	}
	if got := goCmd(t, dir, "run", ".", "routes"); !strings.Contains(got, "/notes/{id}/") || !strings.Contains(got, "/accounts/login/") {
		t.Errorf("routes:\n%s", got)
	}

	// startapp: a second app, installed by hand as the instructions say.
	out.Reset()
	if err := scaffold.StartApp(ctx, scaffold.AppOptions{Name: "polls", Dir: dir, Out: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "app.Install(polls.Module()") {
		t.Errorf("startapp's next steps:\n%s", out.String())
	}
	for _, f := range []string{"module.go", "models.go", "views.go", "routes.go", "polls_test.go", "migrations/migrations.go", "templates/polls/base.html", "templates/polls/index.html", "static/polls/css/polls.css"} {
		if _, err := os.Stat(filepath.Join(dir, "polls", f)); err != nil {
			t.Errorf("startapp wrote no %s: %v", f, err)
		}
	}
	for _, f := range []string{"templates/polls/detail.html", "templates/polls/form.html"} {
		if _, err := os.Stat(filepath.Join(dir, "polls", f)); err == nil {
			t.Errorf("startapp wrote the example's %s", f)
		}
	}
	main := filepath.Join(dir, "main.go")
	src, _ := os.ReadFile(main)
	edited := strings.Replace(string(src), "\t\tnotes.Module(),\n", "\t\tnotes.Module(),\n\t\tpolls.Module(),\n", 1)
	edited = strings.Replace(edited, "\t\"example.com/mysite/notes\"\n", "\t\"example.com/mysite/notes\"\n\t\"example.com/mysite/polls\"\n", 1)
	if edited == string(src) {
		t.Fatalf("main.go has not the expected shape:\n%s", src)
	}
	if err := os.WriteFile(main, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	// A model, as the tutorial's next step adds.
	models := "package polls\n\nimport \"time\"\n\n// Question is a poll question.\ntype Question struct {\n\tID      int64\n\tText    string    `anode:\"max=200\"`\n\tPubDate time.Time `anode:\"index\"`\n}\n"
	if err := os.WriteFile(filepath.Join(dir, "polls", "models.go"), []byte(models), 0o644); err != nil {
		t.Fatal(err)
	}
	modSrc, _ := os.ReadFile(filepath.Join(dir, "polls", "module.go"))
	withModel := strings.Replace(string(modSrc), "Models:     []any{},", "Models:     []any{Question{}},", 1)
	if withModel == string(modSrc) {
		t.Fatalf("polls/module.go has not the expected Models line:\n%s", modSrc)
	}
	if err := os.WriteFile(filepath.Join(dir, "polls", "module.go"), []byte(withModel), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := goCmd(t, dir, "run", ".", "makemigrations", "polls"); !strings.Contains(got, "Create model polls.Question") {
		t.Errorf("makemigrations polls:\n%s", got)
	}
	goCmd(t, dir, "vet", "./...")
	if got := goCmd(t, dir, "test", "-count=1", "./..."); !strings.Contains(got, "ok  \texample.com/mysite/polls") {
		t.Errorf("go test after startapp:\n%s", got)
	}
}

// Bad names and occupied targets are usage errors that write nothing.
func TestRefusals(t *testing.T) {
	ctx := context.Background()
	parent := t.TempDir()
	root := repoRoot(t)
	for _, tc := range []struct {
		opts scaffold.ProjectOptions
		want string
	}{
		{scaffold.ProjectOptions{Name: ""}, "name is empty"},
		{scaffold.ProjectOptions{Name: "My-Site"}, "lower-case letters"},
		{scaffold.ProjectOptions{Name: "9lives"}, "starting with a letter"},
		{scaffold.ProjectOptions{Name: "func"}, "Go keyword"},
		{scaffold.ProjectOptions{Name: "site", App: "auth"}, "clash"},
		{scaffold.ProjectOptions{Name: "site", App: "Notes"}, "lower-case"},
		{scaffold.ProjectOptions{Name: "site", Module: "example.com//x"}, "module path"},
		{scaffold.ProjectOptions{Name: "site", Module: "../x"}, "module path"},
		{scaffold.ProjectOptions{Name: "site", AnodeDir: parent}, "not a checkout"},
	} {
		tc.opts.Parent = parent
		if tc.opts.AnodeDir == "" {
			tc.opts.AnodeDir = root
		}
		_, err := scaffold.NewProject(ctx, tc.opts)
		var ue *scaffold.UsageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NewProject(%+v) = %v, want a UsageError containing %q", tc.opts, err, tc.want)
		}
	}
	// An occupied directory is left as it was.
	occupied := filepath.Join(parent, "taken")
	if err := os.MkdirAll(occupied, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(occupied, "mine.txt"), []byte("keep"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := scaffold.NewProject(ctx, scaffold.ProjectOptions{Name: "taken", Parent: parent, AnodeDir: root}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("NewProject into a non-empty directory: %v", err)
	}
	entries, _ := os.ReadDir(parent)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != "taken" {
		t.Errorf("the parent holds %v after refusals, want only [taken] (no temporary directories left)", names)
	}
	if b, _ := os.ReadFile(filepath.Join(occupied, "mine.txt")); string(b) != "keep" {
		t.Errorf("mine.txt = %q", b)
	}
	// startapp outside a project, and over an existing app.
	if err := scaffold.StartApp(ctx, scaffold.AppOptions{Name: "polls", Dir: parent}); err == nil || !strings.Contains(err.Error(), "go.mod not found") {
		t.Errorf("StartApp without go.mod: %v", err)
	}
	if err := os.WriteFile(filepath.Join(occupied, "go.mod"), []byte("module example.com/taken\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := scaffold.StartApp(ctx, scaffold.AppOptions{Name: "polls", Dir: occupied}); err != nil {
		t.Fatal(err)
	}
	if err := scaffold.StartApp(ctx, scaffold.AppOptions{Name: "polls", Dir: occupied}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("StartApp over an existing app: %v", err)
	}
	src, err := os.ReadFile(filepath.Join(occupied, "polls", "module.go"))
	if err != nil || !strings.Contains(string(src), `"example.com/taken/polls/migrations"`) {
		t.Errorf("polls/module.go imports its migrations by the project's module path:\n%s (%v)", src, err)
	}
}
