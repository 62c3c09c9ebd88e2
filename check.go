package anode

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// CheckLevel is the severity of a Finding.
type CheckLevel int

// Levels of findings; an Error makes `check` exit non-zero.
const (
	CheckInfo CheckLevel = iota
	CheckWarning
	CheckError
)

func (l CheckLevel) String() string {
	return [...]string{"INFO", "WARNING", "ERROR"}[l]
}

// Finding is one result of a system check, like Django's check messages: a
// stable ID ("anode.E001") that can be searched for and silenced, a level, a
// message and a hint on how to fix it.
type Finding struct {
	ID      string
	Level   CheckLevel
	Message string
	Hint    string
}

// Check inspects the App and returns findings. deploy is true for
// `check --deploy`, which adds the checks that matter only in production.
type Check func(ctx context.Context, app *App, deploy bool) []Finding

// AddCheck registers a system check run by the `check` command; modules add
// theirs from Init or before Run.
func (a *App) AddCheck(c Check) { a.checks = append(a.checks, c) }

// RunChecks runs the kernel's and every registered check and returns the
// findings in order.
func (a *App) RunChecks(ctx context.Context, deploy bool) []Finding {
	var out []Finding
	if err := a.Start(ctx); err != nil {
		out = append(out, Finding{ID: "anode.E001", Level: CheckError, Message: err.Error(), Hint: "fix the configuration or module named above"})
		return out
	}
	if deploy {
		if a.cfg.Debug {
			out = append(out, Finding{ID: "anode.W001", Level: CheckWarning, Message: "ANODE_DEBUG is true in a deployment", Hint: "never run production with debug on: it shows error details and stack traces"})
		}
		if len(a.cfg.AllowedHosts) == 0 {
			out = append(out, Finding{ID: "anode.W002", Level: CheckWarning, Message: "ANODE_ALLOWED_HOSTS is empty: every request is refused with 400", Hint: "list the host names this app serves"})
		}
		if len(a.cfg.SecretKey) < 32 {
			out = append(out, Finding{ID: "anode.W003", Level: CheckWarning, Message: "ANODE_SECRET_KEY is shorter than 32 characters", Hint: "use at least 32 random bytes, e.g. `openssl rand -hex 32`"})
		}
		out = append(out, a.mailChecks()...)
		out = append(out, a.sessionChecks()...)
		out = append(out, a.securityChecks(ctx)...)
	}
	if a.static != nil {
		for _, name := range a.static.Overridden() {
			out = append(out, Finding{ID: "anode.I001", Level: CheckInfo, Message: fmt.Sprintf("static file %s is provided by more than one module; the first installed wins", name)})
		}
	}
	for _, c := range a.checks {
		out = append(out, c(ctx, a, deploy)...)
	}
	return out
}

func (a *App) checkCommand() *cobra.Command {
	var deploy bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Run system checks; exit 1 if any finding is an error",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			findings := a.RunChecks(cmd.Context(), deploy)
			out := cmd.OutOrStdout()
			errs := 0
			for _, f := range findings {
				fmt.Fprintf(out, "%s %s: %s\n", f.Level, f.ID, f.Message)
				if f.Hint != "" {
					fmt.Fprintf(out, "    hint: %s\n", f.Hint)
				}
				if f.Level == CheckError {
					errs++
				}
			}
			fmt.Fprintf(out, "System check identified %d issue(s).\n", len(findings))
			if errs > 0 {
				return &exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&deploy, "deploy", false, "also run the checks for production deployments")
	return cmd
}
