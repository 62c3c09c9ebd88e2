package anode

import (
	"bytes"
	"strings"
	"testing"

	"github.com/anode-go/anode/migrate"
	"github.com/anode-go/anode/orm"
)

type serveMemo struct {
	ID int64
}

// TestServeMigrates checks when serve applies pending migrations: always
// in debug, in production only with --migrate (said in the log), and
// otherwise a warning names how many are pending.
func TestServeMigrates(t *testing.T) {
	cases := []struct {
		name         string
		debug, asked bool
		applied      bool
		log          string
	}{
		{"debug", true, false, true, "migrate: Applying memos.0001_initial"},
		{"production", false, false, false, "unapplied migrations"},
		{"production --migrate", false, true, true, "serve --migrate: applying pending migrations"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env := map[string]string{"ANODE_DATA_DIR": t.TempDir(), "ANODE_SECRET_KEY": strings.Repeat("k", 64)}
			if c.debug {
				env["ANODE_DEBUG"] = "true"
			}
			a := New(LoadConfig(env, ""))
			var logs bytes.Buffer
			a.SetLogOutput(&logs)
			a.Install(Module{Name: "memos", Models: []any{serveMemo{}}, Migrations: []*migrate.Migration{
				{Name: "0001_initial", Operations: []migrate.Operation{migrate.CreateModel{Model: orm.ModelSpec{
					Module: "memos", Name: "serveMemo", Table: "memos_servememo",
					Fields: []orm.FieldSpec{{Name: "ID", Column: "id", Kind: orm.KindInt, PrimaryKey: true, AutoIncrement: true}}}}}},
			}})
			a.serving, a.serveMigrate = true, c.asked
			if err := a.Start(t.Context()); err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			n, err := a.pendingMigrations(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if (n == 0) != c.applied {
				t.Errorf("%d pending after start, want applied %v", n, c.applied)
			}
			if !strings.Contains(logs.String(), c.log) {
				t.Errorf("log lacks %q:\n%s", c.log, logs.String())
			}
		})
	}
}
