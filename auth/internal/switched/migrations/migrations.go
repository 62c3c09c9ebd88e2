// Package migrations holds the auth module's migrations for switched.User: copies of auth/migrations, then what makemigrations added.
package migrations

import "github.com/anode-go/anode/migrate"

// All is the module's migrations: each migration file of the package adds
// its own in init.
var All []*migrate.Migration
