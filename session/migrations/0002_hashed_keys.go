// Written by hand: a data migration.

package migrations

import "github.com/anode-go/anode/migrate"

func init() {
	All = append(All, &migrate.Migration{
		Name:         "0002_hashed_keys",
		Dependencies: []string{"sessions.0001_initial"},
		Operations: []migrate.Operation{
			// Sessions are stored under the SHA-256 of their key from now
			// on: rows saved under the plain key can no longer be found,
			// and would only be a replayable copy of live keys. Everyone
			// signs in again once.
			migrate.RunSQL{SQL: []string{"DELETE FROM anode_session"}, Reverse: []string{}},
		},
	})
}
