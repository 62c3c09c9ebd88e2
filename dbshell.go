package anode

import (
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"strings"

	"github.com/spf13/cobra"
)

// dbshellCommand opens the database's own client on the configured database,
// like Django's dbshell: sqlite3 for SQLite, psql for PostgreSQL.
func (a *App) dbshellCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "dbshell",
		Short: "Open sqlite3 or psql on the configured database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			name, argv, err := shellFor(a.databaseURL())
			if err != nil {
				return err
			}
			path, err := exec.LookPath(name)
			if err != nil {
				return fmt.Errorf("anode: dbshell: %s is not installed (Debian: apt-get install %s)", name, map[string]string{"sqlite3": "sqlite3", "psql": "postgresql-client"}[name])
			}
			c := exec.CommandContext(cmd.Context(), path, argv...)
			c.Stdin, c.Stdout, c.Stderr = cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			var exit *exec.ExitError
			if err := c.Run(); errors.As(err, &exit) {
				return &exitError{code: exit.ExitCode()}
			} else if err != nil {
				return fmt.Errorf("anode: dbshell: %w", err)
			}
			return nil
		},
	}
}

// shellFor returns the client and its arguments for a database URL.
func shellFor(rawURL string) (string, []string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", nil, fmt.Errorf("anode: dbshell: cannot parse ANODE_DATABASE_URL")
	}
	switch u.Scheme {
	case "sqlite":
		// sqlite:///rel/path is relative; sqlite:////abs/path absolute.
		path := strings.TrimPrefix(rawURL, "sqlite:///")
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		return "sqlite3", []string{path}, nil
	case "postgres", "postgresql":
		// psql takes the URL itself; libpq parameters pass through.
		return "psql", []string{rawURL}, nil
	}
	return "", nil, fmt.Errorf("anode: dbshell: no client for %q databases", u.Scheme)
}
