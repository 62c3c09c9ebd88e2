package anode_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/anodetest"
)

// TestPostMigrate: a module's PostMigrate runs after every migrate run
// that leaves nothing pending, through App.Migrate and the command.
func TestPostMigrate(t *testing.T) {
	calls := 0
	cfg := anodetest.Config(t)
	cfg.DatabaseURL = anodetest.SQLiteURL(t)
	app := anodetest.NewUnmigratedApp(t, cfg, anode.Module{
		Name: "hooked",
		PostMigrate: func(ctx context.Context, a *anode.App) error {
			if a.DB() == nil {
				t.Error("PostMigrate without a database")
			}
			calls++
			return nil
		},
	})
	if err := app.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := app.Execute(context.Background(), []string{"migrate"}, &out, &out); code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, out.String())
	}
	if calls != 2 {
		t.Errorf("PostMigrate ran %d times, want 2 (Migrate, then the migrate command)", calls)
	}
}
