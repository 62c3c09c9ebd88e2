package anode

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/anode-go/anode/migrate"
)

func (a *App) makemigrationsCommand() *cobra.Command {
	var name string
	var renames []string
	var empty, dryRun, check, merge, noInput bool
	cmd := &cobra.Command{
		Use:   "makemigrations [module...]",
		Short: "Write migrations for changes to the models",
		Long: "Compare the installed models with the state the migration files leave (never with a database)\n" +
			"and write one migration per changed module into its migrations package (Module.Dir/migrations).\n" +
			"Renames are asked about, or given with --rename polls.Question=Poll / --rename polls.Question.Votes=Count.\n" +
			"--check exits 1 when models have changes with no migration (for CI).",
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.cfg.Err(); err != nil {
				return err
			}
			if err := a.registry.Resolve(); err != nil {
				return err
			}
			for _, m := range args {
				if a.module(m) == nil {
					return fmt.Errorf("makemigrations: no installed module %q", m)
				}
			}
			out := cmd.OutOrStdout()
			g, err := a.migrationGraph()
			var conflict *migrate.ConflictError
			switch {
			case merge && errors.As(err, &conflict):
				return a.writeMerge(cmd, conflict, dryRun)
			case merge && err == nil:
				fmt.Fprintln(out, "No conflicts to merge.")
				return nil
			case err != nil:
				return err
			}
			var planned []migrate.Planned
			if empty {
				if len(args) != 1 {
					return errors.New("makemigrations --empty: name one module")
				}
				deps := []string{}
				if leaf, ok := g.Leaf(args[0]); ok {
					deps = append(deps, leaf.String())
				}
				n := name
				if n == "" {
					n = "custom"
				}
				planned = []migrate.Planned{{Module: args[0], Migration: migrate.EmptyMigration(fmt.Sprintf("%04d_%s", g.NextNumber(args[0]), n), deps)}}
			} else {
				o := migrate.DetectOptions{Renames: renames, Modules: args, Name: name}
				if !noInput && isTerminal(os.Stdin) {
					o.Ask = ask(bufio.NewReader(cmd.InOrStdin()), out)
				}
				if planned, err = migrate.Detect(g, a.registry, o); err != nil {
					return err
				}
			}
			if len(planned) == 0 {
				fmt.Fprintln(out, "No changes detected.")
				return nil
			}
			for _, p := range planned {
				fmt.Fprintf(out, "Migrations for %s:\n  %s/migrations/%s.go\n", p.Module, p.Module, p.Migration.Name)
				for _, op := range p.Migration.Operations {
					fmt.Fprintf(out, "    - %s\n", op.Describe())
				}
			}
			if check {
				fmt.Fprintln(out, "Models have changes that no migration covers: run makemigrations.")
				return &exitError{1}
			}
			if dryRun {
				return nil
			}
			for _, p := range planned {
				if err := a.writeMigration(out, p.Module, p.Migration); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&name, "name", "", "the migration's descriptive name (0002_<name>)")
	f.StringArrayVar(&renames, "rename", nil, "a rename to apply without asking: polls.Question=Poll or polls.Question.Votes=Count (repeatable)")
	f.BoolVar(&empty, "empty", false, "write an empty migration to fill in (a data migration)")
	f.BoolVar(&dryRun, "dry-run", false, "show the migrations without writing them")
	f.BoolVar(&check, "check", false, "exit 1 if models have changes without a migration; write nothing")
	f.BoolVar(&merge, "merge", false, "write a migration merging a module's two latest migrations")
	f.BoolVar(&noInput, "no-input", false, "never ask; only --rename renames")
	return cmd
}

// module returns the installed module named name, or nil.
func (a *App) module(name string) *Module {
	for _, m := range a.modules {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// writeMerge writes the migration that depends on both latest migrations
// of a module.
func (a *App) writeMerge(cmd *cobra.Command, c *migrate.ConflictError, dryRun bool) error {
	out := cmd.OutOrStdout()
	number := 0
	var deps, parts []string
	for _, leaf := range c.Leaves {
		deps = append(deps, migrate.Key{Module: c.Module, Name: leaf}.String())
		var n int
		fmt.Sscanf(leaf[:4], "%d", &n)
		number = max(number, n)
		parts = append(parts, leaf)
	}
	m := &migrate.Migration{Name: fmt.Sprintf("%04d_merge_%s", number+1, strings.Join(parts, "_")), Dependencies: deps}
	fmt.Fprintf(out, "Merging %s: %s\n  %s/migrations/%s.go\n", c.Module, strings.Join(deps, " and "), c.Module, m.Name)
	if dryRun {
		return nil
	}
	return a.writeMigration(out, c.Module, m)
}

// writeMigration writes m into module's migrations package, and the
// package's list file when it is new.
func (a *App) writeMigration(out io.Writer, module string, m *migrate.Migration) error {
	mod := a.module(module)
	if mod == nil || mod.Dir == "" {
		return fmt.Errorf("makemigrations: module %s has no Dir: set Dir: anode.SourceDir(\".\") in its Module so makemigrations knows where its source is", module)
	}
	dir := filepath.Join(mod.Dir, "migrations")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	list := filepath.Join(dir, "migrations.go")
	if _, err := os.Stat(list); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(list, migrate.PackageFile(module), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "Created the %s/migrations package: set Migrations: migrations.All in the %s module.\n", module, module)
	}
	src, err := migrate.WriteFile(m, time.Now())
	if err != nil {
		return err
	}
	file := filepath.Join(dir, m.Name+".go")
	if _, err := os.Stat(file); err == nil {
		return fmt.Errorf("makemigrations: %s already exists", file)
	}
	return os.WriteFile(file, src, 0o644)
}

// ask returns a DetectOptions.Ask reading y/N answers from in.
func ask(in *bufio.Reader, out io.Writer) func(string) bool {
	return func(q string) bool {
		fmt.Fprintf(out, "%s ", q)
		line, _ := in.ReadString('\n')
		a := strings.ToLower(strings.TrimSpace(line))
		return a == "y" || a == "yes"
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
