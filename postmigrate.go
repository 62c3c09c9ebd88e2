package anode

import (
	"context"
	"fmt"
)

// postMigrate runs every module's PostMigrate hook, in install order, once
// a migrate run has left no migration pending. A partial run (a target
// module or migration, unapplying) may leave a module's tables missing, so
// the hooks wait for the run that completes the schema, as Django's
// create_permissions skips apps whose models are not migrated.
func (a *App) postMigrate(ctx context.Context) error {
	hooks := false
	for _, m := range a.modules {
		hooks = hooks || m.PostMigrate != nil
	}
	if !hooks {
		return nil
	}
	if n, err := a.pendingMigrations(ctx); err != nil || n > 0 {
		return err
	}
	for _, m := range a.modules {
		if m.PostMigrate == nil {
			continue
		}
		if err := m.PostMigrate(ctx, a); err != nil {
			return fmt.Errorf("anode: module %q post-migrate: %w", m.Name, err)
		}
	}
	return nil
}
