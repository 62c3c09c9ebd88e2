// Package scaffold writes new Anode projects and apps from the templates
// embedded in it: the work behind "anode new" and "anode startapp".
//
// Files are written into a temporary directory next to the target and
// renamed into place at the end, so a failure leaves nothing half written.
package scaffold

import (
	"bufio"
	"context"
	"crypto/rand"
	"embed"
	"errors"
	"fmt"
	"go/token"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"strings"
	"text/template"
	"unicode"
)

// anodeModule is Anode's module path, which a new project requires.
const anodeModule = "github.com/anode-go/anode"

//go:embed templates
var files embed.FS

// UsageError is a bad name, flag or target: nothing was written. The anode
// command exits with status 2 for it.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

func usagef(format string, args ...any) error {
	return &UsageError{Msg: fmt.Sprintf(format, args...)}
}

// ProjectOptions are the inputs of NewProject.
type ProjectOptions struct {
	// Name is the project's directory and, by default, its module path:
	// lower-case letters, digits and underscores, starting with a letter.
	Name string
	// Module is the go.mod module path (default Name).
	Module string
	// App is the first app's name (default "notes"); it gets an example
	// model (Note), views, templates and a test.
	App string
	// Parent is the directory the project is created in (default ".").
	Parent string
	// AnodeDir is a checkout of Anode for a replace directive. Empty: the
	// checkout this program was built from, if it was; otherwise the
	// project requires the published version this program is.
	AnodeDir string
	// Out receives what was done (nil: discarded).
	Out io.Writer
}

// AppOptions are the inputs of StartApp.
type AppOptions struct {
	// Name is the app's package and module name.
	Name string
	// Dir is the project's directory, the one holding go.mod (default ".").
	Dir string
	// Out receives what was done (nil: discarded).
	Out io.Writer
}

// data is what the templates see.
type data struct {
	Name         string // project name
	Module       string // module path
	App          string // app name (package and anode.Module name)
	Title        string // App with a capital first letter
	Example      bool   // the app gets the Note example
	GoVersion    string
	AnodeVersion string
	AnodeDir     string // replace target; "" for none
	SecretKey    string
}

var (
	nameRE       = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	pseudoRE     = regexp.MustCompile(`-(0\.)?\d{14}-[0-9a-f]{12}`) // a pseudo-version's time and commit
	moduleElemRE = regexp.MustCompile(`^[A-Za-z0-9._~-]+$`)
)

// reserved are app names that would shadow a package an app imports, or
// that Go gives another meaning.
var reserved = map[string]bool{
	"main": true, "test": true, "anode": true, "auth": true, "orm": true, "forms": true,
	"migrate": true, "migrations": true, "render": true, "session": true, "messages": true,
	"security": true, "cache": true, "realtime": true, "mail": true, "static": true,
	"templates": true, "internal": true, "vendor": true, "testdata": true, "http": true,
	"time": true, "url": true, "strings": true, "testing": true, "embed": true, "fs": true,
	"data": true, "cmd": true,
}

func checkName(kind, name string) error {
	switch {
	case name == "":
		return usagef("%s name is empty", kind)
	case !nameRE.MatchString(name) || len(name) > 40:
		return usagef("%s name %q: use 1 to 40 lower-case letters, digits and underscores, starting with a letter (it becomes a Go package name)", kind, name)
	case token.IsKeyword(name):
		return usagef("%s name %q is a Go keyword", kind, name)
	case reserved[name]:
		return usagef("%s name %q would clash with a package of the same name; choose another", kind, name)
	}
	return nil
}

// NewProject writes the project opts describes into Parent/Name and returns
// that directory. It writes files only: Setup runs the go commands that
// complete it.
func NewProject(ctx context.Context, opts ProjectOptions) (string, error) {
	if err := checkName("project", opts.Name); err != nil {
		return "", err
	}
	if opts.App == "" {
		opts.App = "notes"
	}
	if err := checkName("app", opts.App); err != nil {
		return "", err
	}
	if opts.Module == "" {
		opts.Module = opts.Name
	}
	if err := checkModulePath(opts.Module); err != nil {
		return "", err
	}
	if opts.Parent == "" {
		opts.Parent = "."
	}
	version, replaceDir, err := anodeRequirement(opts.AnodeDir)
	if err != nil {
		return "", err
	}
	d := data{
		Name:         opts.Name,
		Module:       opts.Module,
		App:          opts.App,
		Title:        title(opts.App),
		Example:      true,
		GoVersion:    goVersion(),
		AnodeVersion: version,
		AnodeDir:     replaceDir,
		SecretKey:    secretKey(),
	}
	target := filepath.Join(opts.Parent, opts.Name)
	err = writeAtomically(target, func(tmp string) error {
		if err := render("templates/project", tmp, d, projectPath); err != nil {
			return err
		}
		return render("templates/app", filepath.Join(tmp, opts.App), d, appPath(opts.App))
	})
	if err != nil {
		return "", err
	}
	logf(opts.Out, "Created project %s (module %s) with app %s in %s\n", opts.Name, opts.Module, opts.App, target)
	if replaceDir != "" {
		logf(opts.Out, "go.mod uses the Anode checkout at %s\n", replaceDir)
	}
	return target, nil
}

// StartApp writes the app opts describes into Dir/Name.
func StartApp(ctx context.Context, opts AppOptions) error {
	if err := checkName("app", opts.Name); err != nil {
		return err
	}
	if opts.Dir == "" {
		opts.Dir = "."
	}
	module, err := modulePath(filepath.Join(opts.Dir, "go.mod"))
	if err != nil {
		return err
	}
	d := data{Module: module, App: opts.Name, Title: title(opts.Name)}
	target := filepath.Join(opts.Dir, opts.Name)
	if err := writeAtomically(target, func(tmp string) error {
		return render("templates/app", tmp, d, appPath(opts.Name))
	}); err != nil {
		return err
	}
	logf(opts.Out, "Created app %s in %s. Next:\n", opts.Name, target)
	logf(opts.Out, "  1. install it in main.go:   app.Install(%s.Module(), …)  (import %q)\n", opts.Name, module+"/"+opts.Name)
	logf(opts.Out, "  2. add models to %s/models.go and to Models in %s/module.go\n", opts.Name, opts.Name)
	logf(opts.Out, "  3. go run . makemigrations %s && go test ./...\n", opts.Name)
	return nil
}

// Setup completes a project NewProject wrote: "go mod tidy" fills go.sum,
// and the project's own makemigrations writes the first migration.
func Setup(ctx context.Context, dir string, stdout, stderr io.Writer) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("the go command is not on PATH (%w); install Go, then run \"go mod tidy\" and \"go run . makemigrations\" in %s", err, dir)
	}
	for _, args := range [][]string{{"mod", "tidy"}, {"run", ".", "makemigrations", "--no-input"}} {
		logf(stdout, "$ go %s\n", strings.Join(args, " "))
		cmd := exec.CommandContext(ctx, goTool, args...)
		cmd.Dir = dir
		cmd.Stdout = stdout
		cmd.Stderr = stderr
		// The project's .env turns debug on; makemigrations needs no more.
		cmd.Env = append(os.Environ(), "ANODE_DEBUG=true")
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("go %s in %s: %w", strings.Join(args, " "), dir, err)
		}
	}
	return nil
}

// render executes every template under root into dir, naming each output
// with rename (which sees the path relative to root without ".tmpl").
func render(root, dir string, d data, rename func(string) string) error {
	return fs.WalkDir(files, root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, root+"/"), ".tmpl")
		src, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		t, err := template.New(rel).Delims("[[", "]]").Option("missingkey=error").Parse(string(src))
		if err != nil {
			return fmt.Errorf("scaffold: template %s: %w", p, err)
		}
		out := filepath.Join(dir, filepath.FromSlash(rename(rel)))
		var b strings.Builder
		if err := t.Execute(&b, d); err != nil {
			return fmt.Errorf("scaffold: template %s: %w", p, err)
		}
		text := b.String()
		if strings.TrimSpace(text) == "" {
			return nil // a file only the example has
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, []byte(text), 0o644)
	})
}

// projectPath maps a project template to its file.
func projectPath(rel string) string {
	switch rel {
	case "env":
		return ".env"
	case "gitignore":
		return ".gitignore"
	}
	return rel
}

// appPath maps an app template to its file: templates and static files go
// under a folder named after the app, as in a Django app, so names of
// different apps never collide.
func appPath(app string) func(string) string {
	return func(rel string) string {
		switch {
		case rel == "app_test.go":
			return app + "_test.go"
		case rel == "static/app.css":
			return path.Join("static", app, "css", app+".css")
		case strings.HasPrefix(rel, "templates/"):
			return path.Join("templates", app, strings.TrimPrefix(rel, "templates/"))
		}
		return rel
	}
}

// writeAtomically runs write on a new temporary directory beside target,
// then renames it to target. target must not exist (an empty directory is
// replaced); on any failure nothing is left behind.
func writeAtomically(target string, write func(tmp string) error) error {
	if entries, err := os.ReadDir(target); err == nil {
		if len(entries) > 0 {
			return usagef("%s already exists and is not empty; nothing written", target)
		}
		if err := os.Remove(target); err != nil {
			return err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		if _, statErr := os.Stat(target); statErr == nil {
			return usagef("%s already exists and is not a directory; nothing written", target)
		}
		return err
	}
	parent := filepath.Dir(target)
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return usagef("%s is not a directory; nothing written", parent)
	}
	tmp, err := os.MkdirTemp(parent, ".anode-"+filepath.Base(target)+"-")
	if err != nil {
		return err
	}
	if err := write(tmp); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	if err := os.Rename(tmp, target); err != nil {
		os.RemoveAll(tmp)
		return err
	}
	return nil
}

// anodeRequirement returns the Anode version for go.mod and, when Anode is
// a local checkout, the directory for a replace directive.
func anodeRequirement(dir string) (version, replaceDir string, err error) {
	const unpublished = "v0.0.0-00010101000000-000000000000"
	if dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			return "", "", err
		}
		if !isAnodeCheckout(abs) {
			return "", "", usagef("--anode-dir %s: not a checkout of %s (no go.mod declaring it)", dir, anodeModule)
		}
		return unpublished, abs, nil
	}
	if src := sourceCheckout(); src != "" {
		return unpublished, src, nil
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Path == anodeModule && isRelease(bi.Main.Version) {
		return bi.Main.Version, "", nil
	}
	return "", "", usagef("cannot tell which Anode to use: this anode command was not built from a checkout nor installed at a released version; pass --anode-dir with a checkout of %s", anodeModule)
}

// sourceCheckout returns the Anode checkout this program was compiled from,
// or "" when it was built elsewhere (a module cache, -trimpath).
func sourceCheckout() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	root := filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", "..", ".."))
	if strings.Contains(filepath.ToSlash(root), "/pkg/mod/") || strings.Contains(filepath.Base(root), "@") {
		return "" // a published version in the module cache
	}
	if !isAnodeCheckout(root) {
		return ""
	}
	return root
}

func isAnodeCheckout(dir string) bool {
	mod, err := modulePath(filepath.Join(dir, "go.mod"))
	return err == nil && mod == anodeModule
}

// isRelease reports whether v is a version the module proxy can serve: a
// tag, not a pseudo-version of a local build.
func isRelease(v string) bool {
	if v == "" || v == "(devel)" || strings.Contains(v, "+dirty") {
		return false
	}
	return strings.HasPrefix(v, "v") && !pseudoRE.MatchString(v)
}

// modulePath reads the module line of a go.mod.
func modulePath(gomod string) (string, error) {
	f, err := os.Open(gomod)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", usagef("%s not found: run startapp in a project's directory (or pass --dir)", gomod)
		}
		return "", err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if rest, ok := strings.CutPrefix(line, "module"); ok && rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
			return strings.Trim(strings.TrimSpace(rest), `"`), nil
		}
	}
	if err := s.Err(); err != nil {
		return "", err
	}
	return "", usagef("%s has no module line", gomod)
}

// checkModulePath accepts the module paths go.mod accepts in practice:
// slash-separated elements of letters, digits and ._~-.
func checkModulePath(p string) error {
	for _, e := range strings.Split(p, "/") {
		if e == "" || e == "." || e == ".." || !moduleElemRE.MatchString(e) || strings.HasSuffix(e, ".") {
			return usagef("module path %q: use slash-separated elements of letters, digits and ._~- (like example.com/mysite)", p)
		}
	}
	return nil
}

// goVersion is the running toolchain's language version, like "1.26".
func goVersion() string {
	v := strings.TrimPrefix(runtime.Version(), "go")
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return "1.26"
	}
	minor := strings.TrimRightFunc(parts[1], func(r rune) bool { return !unicode.IsDigit(r) })
	return parts[0] + "." + minor
}

// secretKey is a new random key for the project's .env (debug only).
func secretKey() string {
	return "dev-" + rand.Text() + rand.Text()
}

func title(name string) string {
	words := strings.Split(name, "_")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format, args...)
	}
}
