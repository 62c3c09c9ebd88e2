package anode

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/anode-go/anode/orm"
)

var errNoDatabase = errors.New("anode: no database: no installed module has models and ANODE_DATABASE_URL is not set")

// fixtureCommands are dumpdata and loaddata, as in Django: JSON fixtures,
// model-qualified, loaded in dependency order inside one transaction.
func (a *App) fixtureCommands() []*cobra.Command {
	var out string
	dump := &cobra.Command{
		Use:   "dumpdata [module | module.Model ...]",
		Short: "Write the rows of models (all by default) as a JSON fixture",
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.db == nil {
				return errNoDatabase
			}
			var w io.Writer = cmd.OutOrStdout()
			if out != "" {
				f, err := os.Create(out)
				if err != nil {
					return fmt.Errorf("anode: dumpdata: %w", err)
				}
				defer f.Close()
				w = f
			}
			return orm.Dump(cmd.Context(), a.db, w, args...)
		},
	}
	dump.Flags().StringVarP(&out, "output", "o", "", "write to this file instead of standard output")
	load := &cobra.Command{
		Use:   "loaddata FILE...",
		Short: "Load JSON fixtures (each file in one transaction)",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if a.db == nil {
				return errNoDatabase
			}
			total := 0
			for _, name := range args {
				f, err := os.Open(name)
				if err != nil {
					return fmt.Errorf("anode: loaddata: %w", err)
				}
				n, err := orm.Load(cmd.Context(), a.db, f)
				f.Close()
				if err != nil {
					return fmt.Errorf("anode: loaddata %s: %w", name, err)
				}
				total += n
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Installed %d object(s) from %d fixture(s)\n", total, len(args))
			return nil
		},
	}
	return []*cobra.Command{dump, load}
}
