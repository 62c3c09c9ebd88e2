// Command anode starts new Anode projects and apps, as Django's
// django-admin startproject and startapp do:
//
//	anode new mysite              # a project: go.mod, main.go, one app, its migration and test
//	anode new mysite --app blog   # the same with the first app named blog
//	cd mysite && anode startapp polls
//
// A project's own binary is its manage.py (go run . migrate, go run .
// makemigrations, …); this command only writes files. Run from a checkout of
// Anode (go run ./cmd/anode new …), the project gets a replace directive to
// that checkout. See docs/tutorial.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/anode-go/anode/cmd/anode/internal/scaffold"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit status: 0 done, 1 the
// command failed, 2 bad usage.
func run(ctx context.Context, args []string) int {
	root := rootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	fmt.Fprintln(os.Stderr, "anode:", err)
	var u *scaffold.UsageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

func rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "anode",
		Short:         "Start Anode projects and apps",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newCommand(), startappCommand())
	return root
}

func newCommand() *cobra.Command {
	var opts scaffold.ProjectOptions
	var noSetup bool
	cmd := &cobra.Command{
		Use:   "new NAME",
		Short: "Create a project: go.mod, main.go and a first app with a model, views, templates, a migration and a test",
		Long: `Create the project NAME in a new directory ./NAME.

The project has a go.mod (module path NAME unless --module says otherwise),
main.go installing the auth module and a first app (--app, default "notes")
with a model, views, templates, a migrations package and a test. Unless
--no-setup is given, "go mod tidy" fills go.sum and the project's own
"makemigrations" writes the first migration, so "go test ./..." passes at once.

Run from a checkout of Anode, the go.mod replaces Anode with that checkout
(--anode-dir names another one).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			opts.Out = cmd.OutOrStdout()
			dir, err := scaffold.NewProject(cmd.Context(), opts)
			if err != nil {
				return err
			}
			if !noSetup {
				if err := scaffold.Setup(cmd.Context(), dir, cmd.OutOrStdout(), cmd.ErrOrStderr()); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\nNext:\n  cd %s\n  go run .          # http://localhost:8000\n  go test ./...\n", opts.Name)
			return nil
		},
	}
	cmd.Flags().StringVar(&opts.Module, "module", "", "the module path of the project's go.mod (default: NAME)")
	cmd.Flags().StringVar(&opts.App, "app", "notes", "the name of the project's first app")
	cmd.Flags().StringVar(&opts.AnodeDir, "anode-dir", "", "a checkout of Anode to use through a replace directive (default: the checkout this command was built from, if any)")
	cmd.Flags().BoolVar(&noSetup, "no-setup", false, `write the files only: skip "go mod tidy" and "makemigrations"`)
	return cmd
}

func startappCommand() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "startapp NAME",
		Short: "Add an app (a module: module.go, models.go, views.go, routes.go, templates, migrations, a test) to the project",
		Long: `Add the app NAME to the project in the current directory (or --dir): a
package ./NAME with the same shape as every Anode module. Install it in
main.go (app.Install(NAME.Module(), …)), add models, then run
"go run . makemigrations NAME".`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return scaffold.StartApp(cmd.Context(), scaffold.AppOptions{Name: args[0], Dir: dir, Out: cmd.OutOrStdout()})
		},
	}
	cmd.Flags().StringVar(&dir, "dir", ".", "the project's directory (the one holding go.mod)")
	return cmd
}
