package anode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/anode-go/anode/migrate"
)

// migrationGraph links the migrations of every installed module.
func (a *App) migrationGraph() (*migrate.Graph, error) {
	var sources []migrate.Source
	for _, m := range a.modules {
		sources = append(sources, migrate.Source{Module: m.Name, Migrations: m.Migrations})
	}
	return migrate.NewGraph(sources)
}

// migrator returns a Migrator over the App's database, printing progress
// to the command's output.
func (a *App) migrator(cmd *cobra.Command) (*migrate.Migrator, *migrate.Graph, error) {
	if a.db == nil {
		return nil, nil, errors.New("anode: no database: no module has models and ANODE_DATABASE_URL is not set")
	}
	g, err := a.migrationGraph()
	if err != nil {
		return nil, nil, err
	}
	m, err := migrate.NewMigrator(a.db, g, migrate.Options{Progress: cmd.OutOrStdout()})
	return m, g, err
}

// Migrate applies every pending migration of every installed module, as the
// migrate command does: serve runs it at start-up in debug, or with
// --migrate.
func (a *App) Migrate(ctx context.Context) error {
	if a.db == nil {
		return nil
	}
	g, err := a.migrationGraph()
	if err != nil {
		return err
	}
	m, err := migrate.NewMigrator(a.db, g, migrate.Options{Progress: logLines{a.logger}})
	if err != nil {
		return err
	}
	ran, err := m.Migrate(ctx, migrate.Target{})
	if len(ran) > 0 {
		a.logger.Info("migrations applied", "count", len(ran))
	}
	if err != nil {
		return err
	}
	return a.postMigrate(ctx)
}

// migrateOnServe applies pending migrations before serving: always in
// debug, in production only when asked (serve --migrate), saying so in the
// log; otherwise it warns about pending ones.
func (a *App) migrateOnServe(ctx context.Context, asked bool) error {
	if a.cfg.Debug || asked {
		if !a.cfg.Debug {
			a.logger.Info("serve --migrate: applying pending migrations before serving")
		}
		return a.Migrate(ctx)
	}
	n, err := a.pendingMigrations(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		a.logger.Warn("unapplied migrations: run the migrate command, or serve --migrate", "count", n)
	}
	return nil
}

// logLines logs each line written to it: migration progress in the log.
type logLines struct{ l *slog.Logger }

func (w logLines) Write(p []byte) (int, error) {
	for _, line := range strings.Split(string(p), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			w.l.Info("migrate: " + line)
		}
	}
	return len(p), nil
}

// pendingMigrations counts the migrations not applied yet.
func (a *App) pendingMigrations(ctx context.Context) (int, error) {
	if a.db == nil {
		return 0, nil
	}
	g, err := a.migrationGraph()
	if err != nil {
		return 0, err
	}
	m, err := migrate.NewMigrator(a.db, g, migrate.Options{})
	if err != nil {
		return 0, err
	}
	plan, err := m.Plan(ctx, migrate.Target{})
	return len(plan), err
}

// target reads [module [name|zero]] arguments.
func target(args []string) migrate.Target {
	var t migrate.Target
	if len(args) > 0 {
		t.Module = args[0]
	}
	if len(args) > 1 {
		t.Name = args[1]
	}
	return t
}

func (a *App) migrateCommand() *cobra.Command {
	var plan, fake bool
	cmd := &cobra.Command{
		Use:   "migrate [module [name|zero]]",
		Short: "Apply (or unapply) migrations",
		Long: "Apply every pending migration, or bring one module to a migration: forward to it, or back to it\n" +
			"when it is applied (zero unapplies them all). Each migration runs in a transaction; two processes\n" +
			"migrating at once never apply one migration twice.",
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			m, _, err := a.migrator(cmd)
			if err != nil {
				return err
			}
			t := target(args)
			out := cmd.OutOrStdout()
			if plan {
				steps, err := m.Plan(ctx, t)
				if err != nil {
					return err
				}
				if len(steps) == 0 {
					fmt.Fprintln(out, "No migrations to apply.")
				}
				for _, s := range steps {
					fmt.Fprintln(out, s)
				}
				return nil
			}
			var ran []migrate.Step
			if fake {
				ran, err = m.Fake(ctx, t)
			} else {
				ran, err = m.Migrate(ctx, t)
			}
			if err != nil {
				return err
			}
			if len(ran) == 0 {
				fmt.Fprintln(out, "No migrations to apply.")
			}
			return a.postMigrate(ctx)
		},
	}
	cmd.Flags().BoolVar(&plan, "plan", false, "print the migrations that would run, and run none")
	cmd.Flags().BoolVar(&fake, "fake", false, "record the migrations as applied (or unapplied) without running them")
	return cmd
}

func (a *App) showmigrationsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "showmigrations [module...]",
		Short: "List every module's migrations, applied [X] or not [ ]",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			m, g, err := a.migrator(cmd)
			if err != nil {
				return err
			}
			applied, err := m.Applied(ctx)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			for _, module := range g.Modules() {
				if len(args) > 0 && !slices.Contains(args, module) {
					continue
				}
				fmt.Fprintln(out, module)
				n := 0
				for _, k := range g.Keys() {
					if k.Module != module {
						continue
					}
					mark := " "
					if applied[k] {
						mark = "X"
					}
					fmt.Fprintf(out, " [%s] %s\n", mark, k.Name)
					n++
				}
				if n == 0 {
					fmt.Fprintln(out, " (no migrations)")
				}
			}
			for _, a := range args {
				if !slices.Contains(g.Modules(), a) {
					return fmt.Errorf("showmigrations: no installed module %q (modules: %s)", a, strings.Join(g.Modules(), ", "))
				}
			}
			return nil
		},
	}
}

func (a *App) sqlmigrateCommand() *cobra.Command {
	var backward bool
	cmd := &cobra.Command{
		Use:   "sqlmigrate module name",
		Short: "Print the SQL a migration runs on the configured database",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			m, _, err := a.migrator(cmd)
			if err != nil {
				return err
			}
			stmts, err := m.SQL(cmd.Context(), migrate.Key{Module: args[0], Name: args[1]}, backward)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintln(out, "BEGIN;")
			for _, s := range stmts {
				if strings.HasPrefix(s, "--") {
					fmt.Fprintln(out, s)
					continue
				}
				fmt.Fprintf(out, "%s;\n", s)
			}
			fmt.Fprintln(out, "COMMIT;")
			return nil
		},
	}
	cmd.Flags().BoolVar(&backward, "backward", false, "print the SQL that unapplies the migration")
	return cmd
}
