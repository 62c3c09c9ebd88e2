package anode

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/anode-go/anode/internal/reload"
)

// Run makes the binary its own manage.py: it dispatches os.Args to a subcommand
// (serve, the default; check; routes; version; and every installed module's
// commands) and exits the process with its status: 0 on success, 1 on a
// command error, 2 on invalid configuration or usage.
func (a *App) Run() {
	os.Exit(a.Execute(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// Execute runs one command line (without the program name) and returns the exit
// status instead of exiting. SIGINT and SIGTERM cancel the command's context; a
// second signal kills the process. Commands read os.Stdin (see ExecuteInput).
func (a *App) Execute(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return a.ExecuteInput(ctx, args, os.Stdin, stdout, stderr)
}

// ExecuteInput is Execute with the commands' standard input read from stdin
// (cobra's cmd.InOrStdin), so tests can answer a command's prompts. A
// command that prompts for a secret turns echo off only when stdin is an
// *os.File that is a terminal.
func (a *App) ExecuteInput(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal now takes the default action
	}()
	defer stop()
	root := a.commands()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if len(args) == 0 {
		root.SetArgs([]string{"serve"})
	}
	err := root.ExecuteContext(ctx)
	if cerr := a.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err == nil {
		return 0
	}
	var ce *ConfigError
	var ex *exitError
	switch {
	case errors.As(err, &ex):
		return ex.code
	case errors.As(err, &ce):
		fmt.Fprintf(stderr, "configuration error:\n  %s\n", strings.ReplaceAll(err.Error(), "\n", "\n  "))
		return 2
	}
	fmt.Fprintf(stderr, "error: %v\n", err)
	return 1
}

// exitError ends a command with a status and no further message.
type exitError struct{ code int }

func (e *exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func (a *App) commands() *cobra.Command {
	root := &cobra.Command{
		Use:           filepath.Base(os.Args[0]),
		Short:         "An Anode application",
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			switch cmd.Name() {
			case "version", "check", "help", "routes", "serve", "makemigrations":
				return nil // these start the App themselves, or need not
			}
			return a.Start(cmd.Context())
		},
	}
	root.AddCommand(a.serveCommand(), a.checkCommand(), a.routesCommand(), a.versionCommand(), a.dbshellCommand())
	root.AddCommand(a.fixtureCommands()...)
	root.AddCommand(a.migrateCommand(), a.showmigrationsCommand(), a.sqlmigrateCommand(), a.makemigrationsCommand())
	for _, m := range a.modules {
		if m.Commands != nil {
			root.AddCommand(m.Commands(a)...)
		}
	}
	return root
}

func (a *App) serveCommand() *cobra.Command {
	var addr string
	var reloadFlag, migrateFlag bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve HTTP (the default command)",
		Long: "Serve HTTP on --addr (default ANODE_ADDR or :8000) until SIGINT or SIGTERM, then shut down gracefully.\n" +
			"With --reload (debug only) rebuild and restart on source, template and static changes.\n" +
			"Pending migrations are applied first in debug; in production only with --migrate.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if addr == "" {
				addr = a.cfg.Addr
			}
			if reloadFlag {
				return a.superviseReload(ctx, addr)
			}
			a.serving, a.serveMigrate = true, migrateFlag // Start migrates before the modules' Init hooks
			if err := a.Start(ctx); err != nil {
				return err
			}
			ln, inherited, err := reload.Listener()
			if err != nil {
				return err
			}
			if !inherited {
				if ln, err = net.Listen("tcp", addr); err != nil {
					return fmt.Errorf("anode: serve: %w", err)
				}
			}
			if err := reload.Ready(); err != nil {
				a.logger.Warn("reload: could not signal readiness", "error", err)
			}
			return a.Serve(ctx, ln)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "", "address to listen on (default ANODE_ADDR or :8000)")
	cmd.Flags().BoolVar(&reloadFlag, "reload", false, "rebuild and restart on changes (needs ANODE_DEBUG=true)")
	cmd.Flags().BoolVar(&migrateFlag, "migrate", false, "apply pending migrations before serving (always done in debug)")
	return cmd
}

// superviseReload runs serve --reload: this process owns the listener and a
// child built from the main package serves on it, replaced on every change.
func (a *App) superviseReload(ctx context.Context, addr string) error {
	if !a.cfg.Debug {
		return &ConfigError{Var: "ANODE_DEBUG", Reason: "serve --reload needs ANODE_DEBUG=true (it rebuilds from source)"}
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Path == "" || strings.HasSuffix(bi.Path, ".test") {
		return errors.New("anode: serve --reload: cannot tell which main package to rebuild (build info missing)")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("anode: serve: %w", err)
	}
	defer ln.Close()
	var env []string
	if _, set := a.cfg.Lookup("ANODE_SECRET_KEY"); !set {
		// Every child would otherwise draw its own random key, and each reload
		// would log the developer out.
		env = append(env, "ANODE_SECRET_KEY="+a.cfg.SecretKey)
	}
	return reload.Supervise(ctx, reload.Options{
		Listener: ln,
		Package:  bi.Path,
		Dir:      ".",
		Args:     []string{"serve"},
		Env:      env,
		Logger:   a.logger,
	})
}

func (a *App) routesCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "routes",
		Short: "List routes: method, pattern, name and handler",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			a.finalize()
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "METHOD\tPATTERN\tNAME\tHANDLER")
			for _, rt := range a.router.table.routes {
				method := rt.Method
				if method == "" {
					method = "*"
				}
				_, host, path := splitPattern(rt.Pattern)
				path = host + strings.TrimSuffix(path, "{$}")
				name := rt.name
				if name == "" {
					name = "-"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", method, path, name, rt.handlerName)
			}
			return tw.Flush()
		},
	}
}

func (a *App) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the app, Anode and Go versions",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			out := cmd.OutOrStdout()
			app, anodeV := "(unknown)", "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok {
				app = bi.Main.Path + " " + bi.Main.Version
				if bi.Main.Path == "github.com/anode-go/anode" {
					anodeV = bi.Main.Version
				}
				for _, d := range bi.Deps {
					if d.Path == "github.com/anode-go/anode" {
						anodeV = d.Version
					}
				}
			}
			fmt.Fprintf(out, "app    %s\nanode  %s\ngo     %s %s/%s\n", app, anodeV, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}
