package migrate_test

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/migrate"
	"github.com/anode-go/anode/orm"
)

// Spec builders for model versions: a model has an auto-increment ID first.

func model(label string, fields ...orm.FieldSpec) orm.ModelSpec {
	mod, name, _ := strings.Cut(label, ".")
	id := orm.FieldSpec{Name: "ID", Column: "id", Kind: orm.KindInt, PrimaryKey: true, AutoIncrement: true}
	return orm.ModelSpec{Module: mod, Name: name, Table: mod + "_" + strings.ToLower(name), Fields: append([]orm.FieldSpec{id}, fields...)}
}

func str(name string, max int) orm.FieldSpec {
	return orm.FieldSpec{Name: name, Column: strings.ToLower(name), Kind: orm.KindString, MaxLength: max}
}

func num(name string) orm.FieldSpec {
	return orm.FieldSpec{Name: name, Column: strings.ToLower(name), Kind: orm.KindInt}
}

func fk(name, related string) orm.FieldSpec {
	return orm.FieldSpec{Name: name, Column: strings.ToLower(name) + "_id", Kind: orm.KindForeignKey, Related: related, OnDelete: orm.Cascade}
}

func nullFK(name, related string) orm.FieldSpec {
	f := fk(name, related)
	f.Null, f.OnDelete = true, orm.SetNull
	return f
}

// specs returns a registry of models built from specs.
func specs(ms ...orm.ModelSpec) func(t *testing.T) *orm.Registry {
	return func(t *testing.T) *orm.Registry {
		t.Helper()
		r, err := orm.NewRegistryFromSpecs(ms)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
}

// planned is what a detected migration should be.
type planned struct {
	module, name string
	deps         []string
	ops          []migrate.Operation
}

// detectStep is one version of the models: Detect with opts gives want (a
// function of the registry for generated specs), and asks the questions
// in asked (answering those in yes).
type detectStep struct {
	name   string
	models func(t *testing.T) *orm.Registry
	opts   migrate.DetectOptions
	yes    []string
	asked  []string
	want   func(r *orm.Registry) []planned
}

// history is the migrations detected so far, by module.
type history struct {
	modules []string
	ms      map[string][]*migrate.Migration
}

func (h *history) graph(t *testing.T) *migrate.Graph {
	t.Helper()
	var sources []migrate.Source
	for _, mod := range h.modules {
		sources = append(sources, migrate.Source{Module: mod, Migrations: h.ms[mod]})
	}
	g, err := migrate.NewGraph(sources)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func (h *history) add(ps []migrate.Planned) {
	if h.ms == nil {
		h.ms = map[string][]*migrate.Migration{}
	}
	for _, p := range ps {
		if !slices.Contains(h.modules, p.Module) {
			h.modules = append(h.modules, p.Module)
		}
		h.ms[p.Module] = append(h.ms[p.Module], p.Migration)
	}
}

func describe(ops []migrate.Operation) string {
	var s []string
	for _, op := range ops {
		s = append(s, fmt.Sprintf("%#v", op))
	}
	return strings.Join(s, "\n\t")
}

// runSteps runs an evolution: each step's migrations are detected,
// checked, added to the history, and then leave exactly the step's models,
// with nothing more to detect.
func runSteps(t *testing.T, steps []detectStep) *history {
	t.Helper()
	h := &history{}
	for _, st := range steps {
		r := st.models(t)
		var asked []string
		opts := st.opts
		opts.Ask = func(q string) bool {
			asked = append(asked, q)
			return slices.Contains(st.yes, q)
		}
		got, err := migrate.Detect(h.graph(t), r, opts)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		want := st.want(r)
		if len(got) != len(want) {
			t.Fatalf("%s: %d migrations, want %d: %+v", st.name, len(got), len(want), got)
		}
		for i, w := range want {
			g := got[i]
			if g.Module != w.module || g.Migration.Name != w.name || !slices.Equal(g.Migration.Dependencies, w.deps) {
				t.Errorf("%s: migration %d is %s.%s after %v, want %s.%s after %v", st.name, i,
					g.Module, g.Migration.Name, g.Migration.Dependencies, w.module, w.name, w.deps)
			}
			if !reflect.DeepEqual(g.Migration.Operations, w.ops) {
				t.Errorf("%s: %s operations:\n\t%s\nwant\n\t%s", st.name, w.module, describe(g.Migration.Operations), describe(w.ops))
			}
		}
		if !slices.Equal(asked, st.asked) {
			t.Errorf("%s: asked %q, want %q", st.name, asked, st.asked)
		}
		h.add(got)
		g := h.graph(t)
		s, err := g.State()
		if err != nil {
			t.Fatalf("%s: replaying: %v", st.name, err)
		}
		if gotSpecs, wantSpecs := sortedSpecs(s.Models()), installedSpecs(r); !reflect.DeepEqual(gotSpecs, wantSpecs) {
			t.Errorf("%s: the migrations leave\n%+v\nwant\n%+v", st.name, gotSpecs, wantSpecs)
		}
		again, err := migrate.Detect(g, r, migrate.DetectOptions{Ask: func(q string) bool {
			t.Errorf("%s: detecting again asks %q", st.name, q)
			return false
		}})
		if err != nil || len(again) != 0 {
			t.Errorf("%s: detecting again: %+v, %v; want nothing", st.name, again, err)
		}
	}
	return h
}

func installedSpecs(r *orm.Registry) []orm.ModelSpec {
	var out []orm.ModelSpec
	for _, m := range r.Models() {
		out = append(out, m.Spec())
	}
	return sortedSpecs(out)
}

// sortedSpecs sorts specs by label; a removed last index, unique set or
// check leaves an empty list where a model declares none, the same.
func sortedSpecs(ms []orm.ModelSpec) []orm.ModelSpec {
	slices.SortFunc(ms, func(a, b orm.ModelSpec) int { return cmp.Compare(a.Label(), b.Label()) })
	for i := range ms {
		if len(ms[i].UniqueTogether) == 0 {
			ms[i].UniqueTogether = nil
		}
		if len(ms[i].Indexes) == 0 {
			ms[i].Indexes = nil
		}
		if len(ms[i].Checks) == 0 {
			ms[i].Checks = nil
		}
	}
	return ms
}

func fixed(ps ...planned) func(*orm.Registry) []planned {
	return func(*orm.Registry) []planned { return ps }
}

// The versions of the polls and auth models the evolution test goes
// through.
var (
	user     = model("auth.User", str("Name", 50))
	question = model("polls.Question", str("Text", 200), nullFK("Author", "auth.User"))
	choice   = model("polls.Choice", fk("Question", "polls.Question"), str("Text", 100), num("Votes"))
)

// edit returns a copy of m changed by fn.
func edit(m orm.ModelSpec, fn func(m *orm.ModelSpec)) orm.ModelSpec {
	m.Fields = slices.Clone(m.Fields)
	fn(&m)
	return m
}

func field(m *orm.ModelSpec, name string) *orm.FieldSpec {
	f, ok := m.Field(name)
	if !ok {
		panic("no field " + name)
	}
	return f
}

func TestDetectEvolution(t *testing.T) {
	question2 := edit(question, func(m *orm.ModelSpec) { m.Fields = append(m.Fields, str("Slug", 50)) })
	voter := nullFK("Voter", "auth.User")
	choice2 := edit(choice, func(m *orm.ModelSpec) { m.Fields = append(m.Fields[:3], voter) })
	choice3 := edit(choice2, func(m *orm.ModelSpec) { field(m, "Text").MaxLength = 200 })
	question3 := edit(question2, func(m *orm.ModelSpec) { field(m, "Text").Null = true })
	choice4 := edit(choice3, func(m *orm.ModelSpec) { *field(m, "Text") = str("Label", 200) })
	poll := edit(question3, func(m *orm.ModelSpec) { m.Name, m.Table = "Poll", "polls_poll" })
	choice5 := edit(choice4, func(m *orm.ModelSpec) { field(m, "Question").Related = "polls.Poll" })
	check := orm.Check{Name: "polls_choice_label_set", Cond: orm.Not(orm.Q("Label", ""))}
	choice6 := edit(choice5, func(m *orm.ModelSpec) {
		m.UniqueTogether = [][]string{{"Question", "Label"}}
		m.Checks = []orm.Check{check}
	})
	poll6 := edit(poll, func(m *orm.ModelSpec) { m.Indexes = []orm.Index{{Fields: []string{"Slug"}}} })
	check7 := orm.Check{Name: "polls_choice_label_set", Cond: orm.Not(orm.Q("Label__in", []string{"", "-"}))}
	choice7 := edit(choice6, func(m *orm.ModelSpec) {
		m.Table, m.UniqueTogether, m.Checks = "polls_answer", nil, []orm.Check{check7}
	})
	poll7 := edit(poll, func(m *orm.ModelSpec) { m.Indexes = []orm.Index{{Fields: []string{"Slug", "Text"}}} })

	poll8 := edit(poll7, func(m *orm.ModelSpec) {
		m.Fields = slices.DeleteFunc(m.Fields, func(f orm.FieldSpec) bool { return f.Name == "Author" })
	})

	askPoll := "Did you rename the polls.Question model to Poll? [y/N]"
	runSteps(t, []detectStep{
		{name: "initial", models: specs(choice, question, user), want: fixed(
			planned{"auth", "0001_initial", nil, []migrate.Operation{migrate.CreateModel{Model: user}}},
			planned{"polls", "0001_initial", []string{"auth.0001_initial"}, []migrate.Operation{
				migrate.CreateModel{Model: question}, migrate.CreateModel{Model: choice}}},
		)},
		{name: "add and remove fields", models: specs(choice2, question2, user), want: fixed(
			planned{"polls", "0002_add_choice_voter_and_add_question_slug_and_more", []string{"polls.0001_initial", "auth.0001_initial"}, []migrate.Operation{
				migrate.AddField{Model: "polls.Choice", Field: voter},
				migrate.AddField{Model: "polls.Question", Field: str("Slug", 50)},
				migrate.RemoveField{Model: "polls.Choice", Name: "Votes"}}},
		)},
		{name: "alter fields", models: specs(choice3, question3, user), want: fixed(
			planned{"polls", "0003_alter_choice_text_and_more", []string{"polls.0002_add_choice_voter_and_add_question_slug_and_more"}, []migrate.Operation{
				migrate.AlterField{Model: "polls.Choice", Field: *field(&choice3, "Text")},
				migrate.AlterField{Model: "polls.Question", Field: *field(&question3, "Text")}}},
		)},
		{name: "rename a field (Renames)", models: specs(choice4, question3, user),
			opts: migrate.DetectOptions{Renames: []string{"polls.Choice.Text=Label"}},
			want: fixed(planned{"polls", "0004_rename_choice_text_label", []string{"polls.0003_alter_choice_text_and_more"}, []migrate.Operation{
				migrate.RenameField{Model: "polls.Choice", Name: "Text", NewName: "Label", NewColumn: "label"}}},
			)},
		{name: "rename a model (Ask)", models: specs(choice5, poll, user), yes: []string{askPoll}, asked: []string{askPoll},
			want: fixed(planned{"polls", "0005_rename_question_poll", []string{"polls.0004_rename_choice_text_label"}, []migrate.Operation{
				migrate.RenameModel{Model: "polls.Question", NewName: "Poll"}}},
			)},
		{name: "indexes and constraints", models: specs(choice6, poll6, user),
			want: fixed(planned{"polls", "0006_unique_choice_question_label_and_more", []string{"polls.0005_rename_question_poll"}, []migrate.Operation{
				migrate.AddConstraint{Model: "polls.Choice", Unique: []string{"Question", "Label"}},
				migrate.AddConstraint{Model: "polls.Choice", Check: &check},
				migrate.AddIndex{Model: "polls.Poll", Index: orm.Index{Fields: []string{"Slug"}}}}},
			)},
		{name: "changed index and constraints, table rename", models: specs(choice7, poll7, user),
			want: fixed(planned{"polls", "0007_alter_choice_table_and_more", []string{"polls.0006_unique_choice_question_label_and_more"}, []migrate.Operation{
				migrate.AlterModelTable{Model: "polls.Choice", Table: "polls_answer"},
				migrate.RemoveConstraint{Model: "polls.Choice", Unique: []string{"Question", "Label"}},
				migrate.RemoveConstraint{Model: "polls.Choice", Check: &check},
				migrate.RemoveIndex{Model: "polls.Poll", Index: orm.Index{Fields: []string{"Slug"}}},
				migrate.AddConstraint{Model: "polls.Choice", Check: &check7},
				migrate.AddIndex{Model: "polls.Poll", Index: orm.Index{Fields: []string{"Slug", "Text"}}}}},
			)},
		{name: "delete models across modules", models: specs(poll8),
			want: fixed(
				planned{"polls", "0008_remove_poll_author_and_delete_choice", []string{"polls.0007_alter_choice_table_and_more"}, []migrate.Operation{
					migrate.RemoveField{Model: "polls.Poll", Name: "Author"},
					migrate.DeleteModel{Model: "polls.Choice"}}},
				planned{"auth", "0002_delete_user", []string{"auth.0001_initial", "polls.0008_remove_poll_author_and_delete_choice"}, []migrate.Operation{
					migrate.DeleteModel{Model: "auth.User"}}},
			)},
	})
}

// register returns a registry of Go model types of module polls.
func register(models ...any) func(t *testing.T) *orm.Registry {
	return func(t *testing.T) *orm.Registry {
		t.Helper()
		r := orm.NewRegistry()
		if err := r.Register("polls", models...); err != nil {
			t.Fatal(err)
		}
		if err := r.Resolve(); err != nil {
			t.Fatal(err)
		}
		return r
	}
}

func specOf(r *orm.Registry, label string) orm.ModelSpec {
	m, ok := r.ByLabel(label)
	if !ok {
		panic("no model " + label)
	}
	return m.Spec()
}

// The versions of the many-to-many test are Go types local to functions,
// so that each version can name its models alike.

func m2mV1() []any {
	type Tag struct {
		ID   int64
		Name string `anode:"max=30"`
	}
	type Question struct {
		ID   int64
		Text string `anode:"max=200"`
	}
	return []any{Tag{}, Question{}}
}

func m2mV2() []any {
	type Tag struct {
		ID   int64
		Name string `anode:"max=30"`
	}
	type Question struct {
		ID   int64
		Text string       `anode:"max=200"`
		Tags orm.M2M[Tag] `anode:"related=questions"`
	}
	return []any{Tag{}, Question{}}
}

func m2mV3() []any {
	type Tag struct {
		ID   int64
		Name string `anode:"max=30"`
	}
	type Poll struct {
		ID   int64
		Text string       `anode:"max=200"`
		Tags orm.M2M[Tag] `anode:"related=polls"`
	}
	return []any{Tag{}, Poll{}}
}

func m2mV3b() []any {
	type Label struct {
		ID   int64
		Name string `anode:"max=30"`
	}
	type Poll struct {
		ID   int64
		Text string         `anode:"max=200"`
		Tags orm.M2M[Label] `anode:"related=polls"`
	}
	return []any{Label{}, Poll{}}
}

func m2mV4() []any {
	type Poll struct {
		ID   int64
		Text string `anode:"max=200"`
	}
	return []any{Poll{}}
}

func TestDetectManyToMany(t *testing.T) {
	askLabel := "Did you rename the polls.Tag model to Label? [y/N]"
	runSteps(t, []detectStep{
		{name: "initial", models: register(m2mV1()...), want: func(r *orm.Registry) []planned {
			return []planned{{"polls", "0001_initial", nil, []migrate.Operation{
				migrate.CreateModel{Model: specOf(r, "polls.Tag")}, migrate.CreateModel{Model: specOf(r, "polls.Question")}}}}
		}},
		{name: "add a many-to-many field", models: register(m2mV2()...), want: func(r *orm.Registry) []planned {
			return []planned{{"polls", "0002_question_tags", []string{"polls.0001_initial"}, []migrate.Operation{
				migrate.CreateModel{Model: specOf(r, "polls.Question_tags")}}}}
		}},
		{name: "rename the model: its through model follows", models: register(m2mV3()...),
			opts: migrate.DetectOptions{Renames: []string{"polls.Question=Poll"}},
			want: fixed(planned{"polls", "0003_rename_question_poll_and_more", []string{"polls.0002_question_tags"}, []migrate.Operation{
				migrate.RenameModel{Model: "polls.Question", NewName: "Poll"},
				migrate.RenameModel{Model: "polls.Question_tags", NewName: "Poll_tags"},
				migrate.RenameField{Model: "polls.Poll_tags", Name: "Question", NewName: "Poll", NewColumn: "poll_id"}}}),
		},
		{name: "rename the target: the through key follows", models: register(m2mV3b()...), yes: []string{askLabel}, asked: []string{askLabel},
			want: fixed(planned{"polls", "0004_rename_tag_label_and_more", []string{"polls.0003_rename_question_poll_and_more"}, []migrate.Operation{
				migrate.RenameModel{Model: "polls.Tag", NewName: "Label"},
				migrate.RenameField{Model: "polls.Poll_tags", Name: "Tag", NewName: "Label", NewColumn: "label_id"}}}),
		},
		{name: "remove the field and its target", models: register(m2mV4()...),
			want: fixed(planned{"polls", "0005_delete_poll_tags_and_delete_label", []string{"polls.0004_rename_tag_label_and_more"}, []migrate.Operation{
				migrate.DeleteModel{Model: "polls.Poll_tags"},
				migrate.DeleteModel{Model: "polls.Label"}}}),
		},
	})
}

// TestDetectDeclinedRenames checks that a rename the user declines is a
// removal and an addition, in the order that keeps every step valid.
func TestDetectDeclinedRenames(t *testing.T) {
	choice := model("polls.Choice", fk("Question", "polls.Question"), num("Votes"))
	question := model("polls.Question", str("Text", 200))
	poll := edit(question, func(m *orm.ModelSpec) { m.Name, m.Table = "Poll", "polls_poll" })
	choice2 := edit(choice, func(m *orm.ModelSpec) {
		field(m, "Question").Related = "polls.Poll"
		*field(m, "Votes") = num("Count")
	})
	askPoll := "Did you rename the polls.Question model to Poll? [y/N]"
	askCount := "Did you rename polls.Choice.Votes to Count (an int field)? [y/N]"
	runSteps(t, []detectStep{
		{name: "initial", models: specs(question, choice), want: fixed(planned{"polls", "0001_initial", nil, []migrate.Operation{
			migrate.CreateModel{Model: question}, migrate.CreateModel{Model: choice}}})},
		{name: "declined", models: specs(poll, choice2), asked: []string{askPoll, askCount},
			opts: migrate.DetectOptions{Name: "replace"},
			want: fixed(planned{"polls", "0002_replace", []string{"polls.0001_initial"}, []migrate.Operation{
				migrate.CreateModel{Model: poll},
				migrate.AlterField{Model: "polls.Choice", Field: *field(&choice2, "Question")},
				migrate.AddField{Model: "polls.Choice", Field: num("Count")},
				migrate.RemoveField{Model: "polls.Choice", Name: "Votes"},
				migrate.DeleteModel{Model: "polls.Question"}}})},
	})
}

// TestDetectFieldOrder checks that fields declared in another order are no
// change.
func TestDetectFieldOrder(t *testing.T) {
	before := model("polls.Question", str("Text", 200), num("Votes"))
	h := runSteps(t, []detectStep{{name: "initial", models: specs(before), want: fixed(planned{"polls", "0001_initial", nil, []migrate.Operation{
		migrate.CreateModel{Model: before}}})}})
	after := model("polls.Question", num("Votes"), str("Text", 200))
	got, err := migrate.Detect(h.graph(t), specs(after)(t), migrate.DetectOptions{})
	if err != nil || len(got) != 0 {
		t.Errorf("reordered fields: %+v, %v; want no change", got, err)
	}
}

// TestDetectModules checks Modules and the dependency on another module's
// latest migration.
func TestDetectModules(t *testing.T) {
	group := model("auth.Group", str("Name", 50))
	user2 := edit(user, func(m *orm.ModelSpec) { m.Fields = append(m.Fields, str("Email", 100)) })
	question2 := edit(question, func(m *orm.ModelSpec) { m.Fields = append(m.Fields, nullFK("Group", "auth.Group")) })
	runSteps(t, []detectStep{
		{name: "initial", models: specs(user, question), want: fixed(
			planned{"auth", "0001_initial", nil, []migrate.Operation{migrate.CreateModel{Model: user}}},
			planned{"polls", "0001_initial", []string{"auth.0001_initial"}, []migrate.Operation{migrate.CreateModel{Model: question}}},
		)},
		{name: "auth only", models: specs(user2, question), opts: migrate.DetectOptions{Modules: []string{"auth"}}, want: fixed(
			planned{"auth", "0002_add_user_email", []string{"auth.0001_initial"}, []migrate.Operation{migrate.AddField{Model: "auth.User", Field: str("Email", 100)}}},
		)},
		{name: "a key to a new model of another module", models: specs(user2, group, question2), want: fixed(
			planned{"auth", "0003_group", []string{"auth.0002_add_user_email"}, []migrate.Operation{migrate.CreateModel{Model: group}}},
			planned{"polls", "0002_add_question_group", []string{"polls.0001_initial", "auth.0003_group"}, []migrate.Operation{
				migrate.AddField{Model: "polls.Question", Field: nullFK("Group", "auth.Group")}}},
		)},
	})
}

func TestDetectErrors(t *testing.T) {
	h := runSteps(t, []detectStep{{name: "initial", models: specs(user, question, choice), want: fixed(
		planned{"auth", "0001_initial", nil, []migrate.Operation{migrate.CreateModel{Model: user}}},
		planned{"polls", "0001_initial", []string{"auth.0001_initial"}, []migrate.Operation{
			migrate.CreateModel{Model: question}, migrate.CreateModel{Model: choice}}},
	)}})
	group := model("auth.Group", str("Name", 50))
	question2 := edit(question, func(m *orm.ModelSpec) { m.Fields = append(m.Fields, nullFK("Group", "auth.Group")) })
	a := model("polls.A", nullFK("B", "polls.B"))
	b := model("polls.B", nullFK("A", "polls.A"))
	cases := []struct {
		name   string
		models []orm.ModelSpec
		opts   migrate.DetectOptions
		want   []string
	}{
		{"rename of no field", []orm.ModelSpec{user, question, choice}, migrate.DetectOptions{Renames: []string{"polls.Choice.Txt=Label"}},
			[]string{`"polls.Choice.Txt=Label"`, "matches nothing", "no field Txt"}},
		{"rename of an installed model", []orm.ModelSpec{user, question, choice}, migrate.DetectOptions{Renames: []string{"polls.Choice=Answer"}},
			[]string{`"polls.Choice=Answer"`, "still installed"}},
		{"malformed rename", []orm.ModelSpec{user, question, choice}, migrate.DetectOptions{Renames: []string{"polls.Choice"}},
			[]string{`"polls.Choice"`, "module.Model=NewName"}},
		{"key to a model of a module left out", []orm.ModelSpec{user, group, question2, choice}, migrate.DetectOptions{Modules: []string{"polls"}},
			[]string{"polls.Question", "Group", "auth.Group"}},
		{"unknown module", []orm.ModelSpec{user, question, choice}, migrate.DetectOptions{Modules: []string{"blog"}},
			[]string{`"blog"`}},
		{"bad name", []orm.ModelSpec{user, question, choice}, migrate.DetectOptions{Name: "New Name"},
			[]string{`"New Name"`}},
		{"cycle of new models", []orm.ModelSpec{user, question, choice, a, b}, migrate.DetectOptions{},
			[]string{"polls.A", "polls.B", "cycle"}},
	}
	for _, c := range cases {
		_, err := migrate.Detect(h.graph(t), specs(c.models...)(t), c.opts)
		if err == nil {
			t.Errorf("%s: no error", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v, want it to mention %s", c.name, err, w)
			}
		}
	}
}

// TestDetectApply applies the detected migrations of a three-step
// evolution on both databases, with rows inserted between the steps: the
// rows survive renames of a field and a model, an added and an altered
// field, and a new unique constraint holds.
func TestDetectApply(t *testing.T) {
	question := model("polls.Question", str("Text", 50))
	choice := model("polls.Choice", fk("Question", "polls.Question"), str("Text", 50), num("Votes"))
	question2 := edit(question, func(m *orm.ModelSpec) { m.Fields = append(m.Fields, str("Slug", 50)) })
	choice2 := edit(choice, func(m *orm.ModelSpec) { *field(m, "Votes") = num("Count") })
	poll := edit(question2, func(m *orm.ModelSpec) { m.Name, m.Table = "Poll", "polls_poll" })
	choice3 := edit(choice2, func(m *orm.ModelSpec) {
		field(m, "Question").Related = "polls.Poll"
		field(m, "Text").MaxLength = 200
		m.UniqueTogether = [][]string{{"Question", "Text"}}
	})
	steps := []struct {
		models  []orm.ModelSpec
		renames []string
		rows    []string // inserted after migrating
		check   string   // a query of two columns
		want    string
	}{
		{[]orm.ModelSpec{question, choice}, nil,
			[]string{"INSERT INTO polls_question (text) VALUES ('Lunch?'), ('Dinner?')",
				"INSERT INTO polls_choice (question_id, text, votes) VALUES (1, 'Pizza', 3), (1, 'Soup', 0), (2, 'Fish', 7)"},
			"SELECT text, votes FROM polls_choice ORDER BY id", "Pizza|3;Soup|0;Fish|7"},
		{[]orm.ModelSpec{question2, choice2}, []string{"polls.Choice.Votes=Count"},
			[]string{"INSERT INTO polls_question (text, slug) VALUES ('Breakfast?', 'bfast')",
				"INSERT INTO polls_choice (question_id, text, count) VALUES (3, 'Eggs', 2)"},
			"SELECT text, count FROM polls_choice ORDER BY id", "Pizza|3;Soup|0;Fish|7;Eggs|2"},
		{[]orm.ModelSpec{poll, choice3}, []string{"polls.Question=Poll"}, nil,
			"SELECT text, slug FROM polls_poll ORDER BY id", "Lunch?|;Dinner?|;Breakfast?|bfast"},
	}
	anodetest.Databases(t, func(t *testing.T, rawURL string) {
		ctx := context.Background()
		db := open(t, rawURL)
		h := &history{}
		for i, st := range steps {
			ps, err := migrate.Detect(h.graph(t), specs(st.models...)(t), migrate.DetectOptions{Renames: st.renames})
			if err != nil {
				t.Fatalf("step %d: %v", i+1, err)
			}
			if len(ps) != 1 {
				t.Fatalf("step %d: %d migrations, want 1", i+1, len(ps))
			}
			h.add(ps)
			mig, err := migrate.NewMigrator(db, h.graph(t), migrate.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := mig.Migrate(ctx, migrate.Target{}); err != nil {
				t.Fatalf("step %d: %v", i+1, err)
			}
			// The migrated schema is the one the installed models get fresh,
			// and detecting again finds nothing (makemigrations --check).
			installed := specs(st.models...)(t)
			assertSchemaOf(t, db, rawURL, installed, ps[0].Migration.Name)
			if again, err := migrate.Detect(h.graph(t), installed, migrate.DetectOptions{}); err != nil || len(again) != 0 {
				t.Errorf("step %d: detecting again: %v, %v", i+1, again, err)
			}
			exec(t, db, st.rows...)
			if got := query(t, db, st.check); got != st.want {
				t.Errorf("step %d: %s: %q, want %q", i+1, st.check, got, st.want)
			}
		}
		// A new pool, as the application has after migrating: PostgreSQL
		// refuses statements the old pool prepared before a column changed
		// type ("cached plan must not change result type").
		db = open(t, rawURL)
		if got, want := query(t, db, "SELECT text, count FROM polls_choice ORDER BY id"), "Pizza|3;Soup|0;Fish|7;Eggs|2"; got != want {
			t.Errorf("choices at the end: %q, want %q", got, want)
		}
		_, err := db.Conn(ctx).Exec(ctx, "INSERT INTO polls_choice (question_id, text, count) VALUES (1, 'Pizza', 1)")
		if !isIntegrity(err) {
			t.Errorf("a second Pizza for poll 1: %v, want an integrity error (unique together)", err)
		}
		exec(t, db, "INSERT INTO polls_choice (question_id, text, count) VALUES (1, '"+strings.Repeat("x", 150)+"', 1)")
		// Unapplied to zero and applied again, the schema is the same.
		m, err := migrate.NewMigrator(db, h.graph(t), migrate.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := m.Migrate(ctx, migrate.Target{Module: "polls", Name: "zero"}); err != nil {
			t.Fatalf("zero: %v", err)
		}
		if _, err := m.Migrate(ctx, migrate.Target{}); err != nil {
			t.Fatalf("forward again: %v", err)
		}
		assertSchemaOf(t, db, rawURL, specs(steps[len(steps)-1].models...)(t), "zero and forward again")
	})
}

// TestDetectRenameKeepsMeta checks that indexes and unique sets follow a
// renamed field, that a check over it is removed before the rename and
// added after, and that a model referring to itself can be renamed.
func TestDetectRenameKeepsMeta(t *testing.T) {
	oldCheck := orm.Check{Name: "polls_choice_votes_gte_0", Cond: orm.Q("Votes__gte", 0)}
	newCheck := orm.Check{Name: "polls_choice_votes_gte_0", Cond: orm.Q("Count__gte", 0)}
	choice := model("polls.Choice", str("Text", 50), num("Votes"))
	choice.Indexes = []orm.Index{{Fields: []string{"Votes"}}}
	choice.UniqueTogether = [][]string{{"Text", "Votes"}}
	choice.Checks = []orm.Check{oldCheck}
	choice2 := edit(choice, func(m *orm.ModelSpec) {
		*field(m, "Votes") = num("Count")
		m.Indexes = []orm.Index{{Fields: []string{"Count"}}}
		m.UniqueTogether = [][]string{{"Text", "Count"}}
		m.Checks = []orm.Check{newCheck}
	})
	category := model("polls.Category", nullFK("Parent", "polls.Category"))
	section := edit(category, func(m *orm.ModelSpec) {
		m.Name, m.Table = "Section", "polls_section"
		field(m, "Parent").Related = "polls.Section"
	})
	askSection := "Did you rename the polls.Category model to Section? [y/N]"
	runSteps(t, []detectStep{
		{name: "initial", models: specs(choice, category), want: fixed(planned{"polls", "0001_initial", nil, []migrate.Operation{
			migrate.CreateModel{Model: choice}, migrate.CreateModel{Model: category}}})},
		{name: "renames", models: specs(choice2, section), opts: migrate.DetectOptions{Renames: []string{"polls.Choice.Votes=Count"}},
			yes: []string{askSection}, asked: []string{askSection},
			want: fixed(planned{"polls", "0002_rename_category_section_and_more", []string{"polls.0001_initial"}, []migrate.Operation{
				migrate.RenameModel{Model: "polls.Category", NewName: "Section"},
				migrate.RemoveConstraint{Model: "polls.Choice", Check: &oldCheck},
				migrate.RenameField{Model: "polls.Choice", Name: "Votes", NewName: "Count", NewColumn: "count"},
				migrate.AddConstraint{Model: "polls.Choice", Check: &newCheck}}})},
	})
}
