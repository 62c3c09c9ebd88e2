package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

type MtPerson struct {
	ID   int64
	Name string `anode:"max=20"`
}

type MtClub struct {
	ID      int64
	Name    string            `anode:"max=20"`
	Members orm.M2M[MtPerson] `anode:"through=MtMembership,related=clubs"`
}

// MtMembership has a UUID key, a choice with a default and a database
// default: pairs are inserted row by row.
type MtMembership struct {
	ID     orm.UUID
	Club   orm.FK[MtClub]   `anode:"on_delete=cascade"`
	Person orm.FK[MtPerson] `anode:"on_delete=cascade"`
	Role   string           `anode:"max=10,choices=member:Member|admin:Admin,default=member"`
	Since  orm.Date         `anode:"db_default=now"`
}

type MtTeam struct {
	ID      int64
	Name    string            `anode:"max=20"`
	Players orm.M2M[MtPerson] `anode:"through=MtSeat,related=teams"`
}

// MtSeat has a UUID key: pairs are inserted in one statement.
type MtSeat struct {
	ID     orm.UUID
	Team   orm.FK[MtTeam]   `anode:"on_delete=cascade"`
	Person orm.FK[MtPerson] `anode:"on_delete=cascade"`
}

type MtLeague struct {
	ID      int64
	Name    string            `anode:"max=20"`
	Entries orm.M2M[MtPerson] `anode:"through=MtEntry,related=leagues"`
}

// MtEntry has a choice without a default: Add cannot fill it.
type MtEntry struct {
	ID     int64
	League orm.FK[MtLeague] `anode:"on_delete=cascade"`
	Person orm.FK[MtPerson] `anode:"on_delete=cascade"`
	Level  string           `anode:"max=5,choices=a:A|b:B"`
}

// TestManyThroughRowChecks checks that Add and Set prepare each new row of
// an explicit through model as Create does: UUID keys assigned, defaults
// and database defaults applied, values outside the choices refused with
// nothing written.
func TestManyThroughRowChecks(t *testing.T) {
	models := []any{MtPerson{}, MtClub{}, MtMembership{}, MtTeam{}, MtSeat{}, MtLeague{}, MtEntry{}}
	forEachDB(t, models, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		people := []MtPerson{{Name: "ana"}, {Name: "bo"}, {Name: "cy"}}
		must(t, orm.BulkCreate(ctx, db, people, 0))

		club := MtClub{Name: "x"}
		must(t, orm.Create(ctx, db, &club))
		must(t, orm.ManyOf[MtPerson](db, &club, "members").Add(ctx, people[0], people[1]))
		must(t, orm.ManyOf[MtPerson](db, &club, "members").Set(ctx, people[1], people[2]))
		ms, err := orm.From[MtMembership](db).OrderBy("person").All(ctx)
		must(t, err)
		if len(ms) != 2 || ms[0].Person.ID != people[1].ID || ms[1].Person.ID != people[2].ID {
			t.Fatalf("memberships: %+v", ms)
		}
		for _, m := range ms {
			if m.ID.IsZero() || m.Role != "member" || m.Since.IsZero() {
				t.Errorf("membership not prepared as Create would: %+v", m)
			}
		}
		if ms[0].ID == ms[1].ID {
			t.Errorf("two memberships share the key %s", ms[0].ID)
		}

		team := MtTeam{Name: "x"}
		must(t, orm.Create(ctx, db, &team))
		must(t, orm.ManyOf[MtPerson](db, &team, "players").Add(ctx, people...))
		seats, err := orm.From[MtSeat](db).All(ctx)
		must(t, err)
		keys := map[orm.UUID]bool{}
		for _, s := range seats {
			keys[s.ID] = !s.ID.IsZero()
		}
		if len(seats) != 3 || len(keys) != 3 || keys[orm.UUID{}] {
			t.Errorf("seats: want 3 rows with distinct UUID keys, got %+v", seats)
		}

		league := MtLeague{Name: "x"}
		must(t, orm.Create(ctx, db, &league))
		must(t, orm.Create(ctx, db, &MtEntry{League: orm.FK[MtLeague]{ID: league.ID}, Person: orm.FK[MtPerson]{ID: people[0].ID}, Level: "a"}))
		entries := orm.ManyOf[MtPerson](db, &league, "entries")
		for name, change := range map[string]func() error{
			"Add": func() error { return entries.Add(ctx, people[1], people[2]) },
			"Set": func() error { return entries.Set(ctx, people[1]) },
		} {
			err := change()
			var ve *orm.ValueError
			if !errors.As(err, &ve) || !errors.Is(err, orm.ErrInvalidValue) || ve.Field != "Level" || !strings.Contains(err.Error(), "app.MtLeague.Entries") {
				t.Errorf("%s with a through row outside the choices: %v", name, err)
			}
			got, err := orm.ValuesList[int64](ctx, orm.From[MtEntry](db).OrderBy("person"), "person")
			if err != nil || len(got) != 1 || got[0] != people[0].ID {
				t.Errorf("after a refused %s: entries %v, %v; want only %d", name, got, err, people[0].ID)
			}
		}
	})
}

// MtBare has no column but its key; its relations live elsewhere.
type MtBare struct {
	ID      int64
	Members orm.M2M[MtPerson] `anode:"related=bares"`
}

// TestCreateOnlyKey checks that a model with no column but its
// auto-increment key can be created, one by one and in bulk.
func TestCreateOnlyKey(t *testing.T) {
	forEachDB(t, []any{MtPerson{}, MtBare{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		a := MtBare{}
		must(t, orm.Create(ctx, db, &a))
		bulk := make([]MtBare, 3)
		must(t, orm.BulkCreate(ctx, db, bulk, 0))
		if a.ID == 0 || bulk[0].ID <= a.ID || bulk[1].ID <= bulk[0].ID || bulk[2].ID <= bulk[1].ID {
			t.Errorf("keys: %d then %+v", a.ID, bulk)
		}
		if n, err := orm.From[MtBare](db).Count(ctx); err != nil || n != 4 {
			t.Errorf("rows: %d, %v", n, err)
		}
		p := MtPerson{Name: "ana"}
		must(t, orm.Create(ctx, db, &p))
		must(t, orm.ManyOf[MtPerson](db, &a, "members").Add(ctx, p))
		if n, err := orm.ManyOf[MtPerson](db, &a, "members").Query().Count(ctx); err != nil || n != 1 {
			t.Errorf("members: %d, %v", n, err)
		}
	})
}
