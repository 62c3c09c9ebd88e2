package migrate_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/anode-go/anode/migrate"
)

func mig(name string, deps ...string) *migrate.Migration {
	return &migrate.Migration{Name: name, Dependencies: deps}
}

// shop: auth (2) <- polls (3, the first depends on auth's first), blog (1)
// depends on polls' second.
func shop() []migrate.Source {
	return []migrate.Source{
		{Module: "auth", Migrations: []*migrate.Migration{
			mig("0002_user_email", "auth.0001_initial"),
			mig("0001_initial"),
		}},
		{Module: "polls", Migrations: []*migrate.Migration{
			mig("0001_initial", "auth.0001_initial"),
			mig("0002_slug", "polls.0001_initial"),
			mig("0003_votes", "polls.0002_slug"),
		}},
		{Module: "blog", Migrations: []*migrate.Migration{
			mig("0001_initial", "polls.0002_slug"),
		}},
		{Module: "empty"},
	}
}

func keys(ks []migrate.Key) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = k.String()
	}
	return strings.Join(s, " ")
}

func applied(names ...string) map[migrate.Key]bool {
	m := map[migrate.Key]bool{}
	for _, n := range names {
		k, err := migrate.ParseKey(n)
		if err != nil {
			panic(err)
		}
		m[k] = true
	}
	return m
}

func TestGraphPlans(t *testing.T) {
	g, err := migrate.NewGraph(shop())
	if err != nil {
		t.Fatal(err)
	}
	if got := keys(g.Keys()); got != "auth.0001_initial auth.0002_user_email polls.0001_initial polls.0002_slug polls.0003_votes blog.0001_initial" {
		t.Fatalf("order: %s", got)
	}
	if k, ok := g.Leaf("polls"); !ok || k.Name != "0003_votes" {
		t.Fatalf("leaf: %v %v", k, ok)
	}
	if _, ok := g.Leaf("empty"); ok {
		t.Fatal("a module without migrations has no leaf")
	}
	if n := g.NextNumber("polls"); n != 4 {
		t.Fatalf("next number %d", n)
	}
	if n := g.NextNumber("empty"); n != 1 {
		t.Fatalf("next number for a new module %d", n)
	}

	fwd := []struct {
		applied []string
		targets []string
		want    string
	}{
		{nil, nil, "auth.0001_initial auth.0002_user_email polls.0001_initial polls.0002_slug polls.0003_votes blog.0001_initial"},
		{[]string{"auth.0001_initial", "polls.0001_initial"}, nil, "auth.0002_user_email polls.0002_slug polls.0003_votes blog.0001_initial"},
		{nil, []string{"blog.0001_initial"}, "auth.0001_initial polls.0001_initial polls.0002_slug blog.0001_initial"},
		{nil, []string{"polls.0001_initial"}, "auth.0001_initial polls.0001_initial"},
		{[]string{"auth.0001_initial", "auth.0002_user_email", "polls.0001_initial", "polls.0002_slug", "polls.0003_votes", "blog.0001_initial"}, nil, ""},
	}
	for _, c := range fwd {
		var targets []migrate.Key
		for _, s := range c.targets {
			k, _ := migrate.ParseKey(s)
			targets = append(targets, k)
		}
		plan, err := g.Forward(applied(c.applied...), targets...)
		if err != nil || keys(plan) != c.want {
			t.Errorf("forward from %v to %v: %q, %v; want %q", c.applied, c.targets, keys(plan), err, c.want)
		}
	}

	all := []string{"auth.0001_initial", "auth.0002_user_email", "polls.0001_initial", "polls.0002_slug", "polls.0003_votes", "blog.0001_initial"}
	back := []struct {
		module, target, want string
	}{
		{"polls", "0002_slug", "polls.0003_votes"},
		{"polls", "0001_initial", "blog.0001_initial polls.0003_votes polls.0002_slug"},
		{"polls", "", "blog.0001_initial polls.0003_votes polls.0002_slug polls.0001_initial"},
		{"auth", "", "blog.0001_initial polls.0003_votes polls.0002_slug polls.0001_initial auth.0002_user_email auth.0001_initial"},
		{"blog", "0001_initial", ""},
	}
	for _, c := range back {
		plan, err := g.Backward(applied(all...), c.module, c.target)
		if err != nil || keys(plan) != c.want {
			t.Errorf("backward %s to %q: %q, %v; want %q", c.module, c.target, keys(plan), err, c.want)
		}
	}
	// Only applied migrations are unapplied.
	plan, err := g.Backward(applied("auth.0001_initial", "polls.0001_initial"), "auth", "")
	if err != nil || keys(plan) != "polls.0001_initial auth.0001_initial" {
		t.Errorf("partial backward: %q, %v", keys(plan), err)
	}
	if _, err := g.Backward(nil, "nope", ""); err == nil {
		t.Error("backward on an unknown module")
	}
	if _, err := g.Backward(nil, "polls", "0009_x"); err == nil {
		t.Error("backward to an unknown target")
	}
	if _, err := g.Forward(nil, migrate.Key{Module: "polls", Name: "0009_x"}); err == nil {
		t.Error("forward to an unknown target")
	}
}

func TestGraphErrors(t *testing.T) {
	cases := []struct {
		name    string
		sources []migrate.Source
		want    string
	}{
		{"bad name", []migrate.Source{{Module: "polls", Migrations: []*migrate.Migration{mig("1_initial")}}},
			"polls.1_initial (polls/migrations/1_initial.go): name must be"},
		{"upper case", []migrate.Source{{Module: "polls", Migrations: []*migrate.Migration{mig("0001_Initial")}}},
			"name must be"},
		{"duplicate", []migrate.Source{{Module: "polls", Migrations: []*migrate.Migration{mig("0001_initial"), mig("0001_initial")}}},
			"polls.0001_initial (polls/migrations/0001_initial.go): listed twice"},
		{"missing dependency", []migrate.Source{{Module: "polls", Migrations: []*migrate.Migration{mig("0001_initial"), mig("0002_x", "polls.0007_gone")}}},
			"polls.0002_x (polls/migrations/0002_x.go): dependency polls.0007_gone does not exist"},
		{"missing module", []migrate.Source{{Module: "polls", Migrations: []*migrate.Migration{mig("0001_initial", "auth.0001_initial")}}},
			"module auth is not installed"},
		{"bad reference", []migrate.Source{{Module: "polls", Migrations: []*migrate.Migration{mig("0001_initial", "0000_zero")}}},
			"is not a migration reference"},
		{"cycle", []migrate.Source{{Module: "a", Migrations: []*migrate.Migration{mig("0001_initial", "b.0001_initial")}}, {Module: "b", Migrations: []*migrate.Migration{mig("0001_initial", "a.0001_initial")}}},
			"dependency cycle: a.0001_initial -> b.0001_initial -> a.0001_initial"},
		{"self", []migrate.Source{{Module: "a", Migrations: []*migrate.Migration{mig("0001_initial", "a.0001_initial")}}},
			"depends on itself"},
		{"conflict", []migrate.Source{{Module: "polls", Migrations: []*migrate.Migration{mig("0001_initial"), mig("0002_b", "polls.0001_initial"), mig("0002_a", "polls.0001_initial")}}},
			"module polls has conflicting migrations 0002_a and 0002_b"},
		{"nil", []migrate.Source{{Module: "polls", Migrations: []*migrate.Migration{nil}}}, "nil *Migration"},
		{"module twice", []migrate.Source{{Module: "polls"}, {Module: "polls"}}, `module "polls" is listed twice`},
	}
	for _, c := range cases {
		_, err := migrate.NewGraph(c.sources)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	// A conflict is typed, with the leaves.
	_, err := migrate.NewGraph(cases[8].sources)
	var ce *migrate.ConflictError
	if !errors.As(err, &ce) || ce.Module != "polls" || fmt.Sprint(ce.Leaves) != "[0002_a 0002_b]" {
		t.Fatalf("conflict error: %#v", err)
	}
	// A merge migration depending on both leaves resolves it.
	merged := append(cases[8].sources[0].Migrations, mig("0003_merge", "polls.0002_a", "polls.0002_b"))
	g, err := migrate.NewGraph([]migrate.Source{{Module: "polls", Migrations: merged}})
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := g.Leaf("polls"); k.Name != "0003_merge" {
		t.Fatalf("leaf after merge: %v", k)
	}
}
