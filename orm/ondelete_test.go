package orm_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/anode-go/anode/orm"
)

// A chain: deleting a RelAuthor cascades to RelBook, which RelReview protects.
type RelAuthor struct {
	ID   int64
	Name string `anode:"max=50"`
}

type RelBook struct {
	ID     int64
	Author orm.FK[RelAuthor] `anode:"on_delete=cascade,related=books"`
	Title  string            `anode:"max=50"`
}

type RelReview struct {
	ID   int64
	Book orm.FK[RelBook] `anode:"on_delete=protect,related=reviews"`
}

// Django's restrict example: a song restricts its artist, unless the song
// goes too, through the album the artist's delete cascades to.
type RelArtist struct {
	ID   int64
	Name string `anode:"max=50"`
}

type RelAlbum struct {
	ID     int64
	Artist orm.FK[RelArtist] `anode:"on_delete=cascade,related=albums"`
}

type RelSong struct {
	ID     int64
	Album  orm.FK[RelAlbum]  `anode:"on_delete=cascade,related=songs"`
	Artist orm.FK[RelArtist] `anode:"on_delete=restrict,related=songs"`
}

type RelShelf struct {
	ID   int64
	Name string `anode:"max=50"`
}

type RelItem struct {
	ID    int64
	Shelf orm.FK[RelShelf] `anode:"default=1,on_delete=set_default"`
}

func TestOnDeleteProtectThroughCascade(t *testing.T) {
	forEachDB(t, []any{RelAuthor{}, RelBook{}, RelReview{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		a := RelAuthor{Name: "ann"}
		must(t, orm.Create(ctx, db, &a))
		b1 := RelBook{Author: orm.FK[RelAuthor]{ID: a.ID}, Title: "one"}
		b2 := RelBook{Author: orm.FK[RelAuthor]{ID: a.ID}, Title: "two"}
		must(t, orm.Create(ctx, db, &b1))
		must(t, orm.Create(ctx, db, &b2))
		r := RelReview{Book: orm.FK[RelBook]{ID: b2.ID}}
		must(t, orm.Create(ctx, db, &r))

		for name, del := range map[string]func() error{
			"Delete":          func() error { return orm.Delete(ctx, db, &a) },
			"QuerySet.Delete": func() error { _, err := orm.From[RelAuthor](db).Filter("name", "ann").Delete(ctx); return err },
			"direct":          func() error { return orm.Delete(ctx, db, &b2) },
		} {
			err := del()
			var pe *orm.ProtectedError
			if !errors.As(err, &pe) || !errors.Is(err, orm.ErrProtected) {
				t.Fatalf("%s: %v, want a ProtectedError", name, err)
			}
			if pe.Model != "app.RelBook" || pe.Referencing != "app.RelReview" || pe.Field != "Book" || pe.Rule != orm.Protect || pe.Count != 1 || len(pe.Keys) != 1 || pe.Keys[0] != r.ID {
				t.Fatalf("%s: %+v", name, pe)
			}
			var ie *orm.IntegrityError
			if !errors.As(err, &ie) || ie.Kind != orm.IntegrityForeignKey {
				t.Fatalf("%s: a ProtectedError is also a foreign key IntegrityError: %v", name, err)
			}
			if !strings.Contains(err.Error(), "protect foreign key Book") {
				t.Errorf("%s: message %q", name, err)
			}
			// Nothing was deleted.
			if n, _ := orm.From[RelBook](db).Count(ctx); n != 2 {
				t.Fatalf("%s: %d books left, want 2", name, n)
			}
			if n, _ := orm.From[RelAuthor](db).Count(ctx); n != 1 {
				t.Fatalf("%s: %d authors left, want 1", name, n)
			}
		}

		// Without the review, the cascade goes through.
		must(t, orm.Delete(ctx, db, &r))
		n, err := orm.From[RelAuthor](db).Delete(ctx)
		if err != nil || n != 1 {
			t.Fatalf("delete: %d, %v", n, err)
		}
		if n, _ := orm.From[RelBook](db).Count(ctx); n != 0 {
			t.Fatalf("cascade left %d books", n)
		}
	})
}

func TestOnDeleteRestrict(t *testing.T) {
	forEachDB(t, []any{RelArtist{}, RelAlbum{}, RelSong{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		x := RelArtist{Name: "x"}
		y := RelArtist{Name: "y"}
		must(t, orm.Create(ctx, db, &x))
		must(t, orm.Create(ctx, db, &y))
		albumX := RelAlbum{Artist: orm.FK[RelArtist]{ID: x.ID}}
		albumY := RelAlbum{Artist: orm.FK[RelArtist]{ID: y.ID}}
		must(t, orm.Create(ctx, db, &albumX))
		must(t, orm.Create(ctx, db, &albumY))
		// A song by x on x's album: deleting x deletes it through the album.
		must(t, orm.Create(ctx, db, &RelSong{Album: orm.FK[RelAlbum]{ID: albumX.ID}, Artist: orm.FK[RelArtist]{ID: x.ID}}))
		// A song by y on x's album too.
		guest := RelSong{Album: orm.FK[RelAlbum]{ID: albumX.ID}, Artist: orm.FK[RelArtist]{ID: y.ID}}
		must(t, orm.Create(ctx, db, &guest))
		// A song by x on y's album: it blocks deleting x.
		feat := RelSong{Album: orm.FK[RelAlbum]{ID: albumY.ID}, Artist: orm.FK[RelArtist]{ID: x.ID}}
		must(t, orm.Create(ctx, db, &feat))

		err := orm.Delete(ctx, db, &x)
		var pe *orm.ProtectedError
		if !errors.As(err, &pe) || pe.Rule != orm.Restrict || pe.Model != "app.RelArtist" || pe.Referencing != "app.RelSong" || pe.Count != 1 || pe.Keys[0] != feat.ID {
			t.Fatalf("restrict: %v (%+v)", err, pe)
		}
		if n, _ := orm.From[RelSong](db).Count(ctx); n != 3 {
			t.Fatalf("refused delete removed songs: %d left", n)
		}

		// Deleting y is refused by the guest song (on x's album, which stays).
		if _, err := orm.From[RelArtist](db).Filter("name", "y").Delete(ctx); !errors.Is(err, orm.ErrProtected) {
			t.Fatalf("restrict y: %v", err)
		}
		// Deleting both: every restricting song goes with the albums.
		n, err := orm.From[RelArtist](db).Delete(ctx)
		if err != nil || n != 2 {
			t.Fatalf("delete both: %d, %v", n, err)
		}
		if n, _ := orm.From[RelSong](db).Count(ctx); n != 0 {
			t.Fatalf("%d songs left", n)
		}

		// Once feat is gone, x alone can be deleted: its own song goes with its album.
		x2 := RelArtist{Name: "x2"}
		must(t, orm.Create(ctx, db, &x2))
		al := RelAlbum{Artist: orm.FK[RelArtist]{ID: x2.ID}}
		must(t, orm.Create(ctx, db, &al))
		must(t, orm.Create(ctx, db, &RelSong{Album: orm.FK[RelAlbum]{ID: al.ID}, Artist: orm.FK[RelArtist]{ID: x2.ID}}))
		must(t, orm.Delete(ctx, db, &x2))
		if n, _ := orm.From[RelSong](db).Count(ctx); n != 0 {
			t.Fatalf("%d songs left after cascade", n)
		}
	})
}

func TestOnDeleteDatabaseBackstop(t *testing.T) {
	// Rows deleted behind the ORM's back (here with plain SQL) still meet
	// the constraints: protect and restrict refuse, cascade cascades.
	forEachDB(t, []any{RelArtist{}, RelAlbum{}, RelSong{}, RelAuthor{}, RelBook{}, RelReview{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		a := RelAuthor{Name: "ann"}
		must(t, orm.Create(ctx, db, &a))
		b := RelBook{Author: orm.FK[RelAuthor]{ID: a.ID}}
		must(t, orm.Create(ctx, db, &b))
		must(t, orm.Create(ctx, db, &RelReview{Book: orm.FK[RelBook]{ID: b.ID}}))
		q := db.Dialect().QuoteIdent
		_, err := db.Conn(ctx).Exec(ctx, "DELETE FROM "+q("app_relauthor"))
		var ie *orm.IntegrityError
		if !errors.As(err, &ie) || ie.Kind != orm.IntegrityForeignKey {
			t.Fatalf("protect in the database: %v", err)
		}
		x := RelArtist{Name: "x"}
		y := RelArtist{Name: "y"}
		must(t, orm.Create(ctx, db, &x))
		must(t, orm.Create(ctx, db, &y))
		al := RelAlbum{Artist: orm.FK[RelArtist]{ID: y.ID}}
		must(t, orm.Create(ctx, db, &al))
		must(t, orm.Create(ctx, db, &RelSong{Album: orm.FK[RelAlbum]{ID: al.ID}, Artist: orm.FK[RelArtist]{ID: x.ID}}))
		_, err = db.Conn(ctx).Exec(ctx, "DELETE FROM "+q("app_relartist")+" WHERE "+q("name")+" = "+db.Dialect().Placeholder(1), "x")
		if !errors.As(err, &ie) || ie.Kind != orm.IntegrityForeignKey {
			t.Fatalf("restrict in the database: %v", err)
		}
		// Through the ORM, the restricting song goes with y's album: allowed.
		if n, err := orm.From[RelArtist](db).Delete(ctx); err != nil || n != 2 {
			t.Fatalf("restrict with the referencing rows cascaded in the same delete: %d, %v", n, err)
		}
		if n, _ := orm.From[RelSong](db).Count(ctx); n != 0 {
			t.Fatalf("%d songs left", n)
		}
	})
}

func TestOnDeleteSetDefault(t *testing.T) {
	forEachDB(t, []any{RelShelf{}, RelItem{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		def := RelShelf{Name: "default"}
		other := RelShelf{Name: "other"}
		must(t, orm.Create(ctx, db, &def))
		must(t, orm.Create(ctx, db, &other))
		if def.ID != 1 {
			t.Fatalf("default shelf got key %d", def.ID)
		}
		unset := RelItem{}
		must(t, orm.Create(ctx, db, &unset))
		if unset.Shelf.ID != 1 {
			t.Fatalf("a new item gets the default key: %d", unset.Shelf.ID)
		}
		it := RelItem{Shelf: orm.FK[RelShelf]{ID: other.ID}}
		must(t, orm.Create(ctx, db, &it))
		must(t, orm.Delete(ctx, db, &other))
		got, err := orm.From[RelItem](db).Filter("id", it.ID).Get(ctx)
		if err != nil || got.Shelf.ID != def.ID {
			t.Fatalf("set_default: %+v, %v", got, err)
		}
		if n, _ := orm.From[RelItem](db).Filter("shelf", def.ID).Count(ctx); n != 2 {
			t.Fatalf("items on the default shelf: %d", n)
		}
	})
}

func TestOnDeleteDefinitionErrors(t *testing.T) {
	type RelNoDefault struct {
		ID    int64
		Shelf orm.FK[RelShelf] `anode:"on_delete=set_default"`
	}
	type RelBadDefault struct {
		ID    int64
		Shelf orm.FK[RelShelf] `anode:"default=x,on_delete=set_default"`
	}
	type RelBadOneToOne struct {
		ID   int64
		Name string `anode:"one_to_one"`
	}
	for _, tt := range []struct {
		model any
		want  string
	}{
		{RelNoDefault{}, "set_default needs a default= key"},
		{RelBadDefault{}, `default="x"`},
		{RelBadOneToOne{}, "one_to_one applies to foreign keys only"},
	} {
		err := orm.NewRegistry().Register("app", RelShelf{}, tt.model)
		var me *orm.ModelError
		if !errors.As(err, &me) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%T: %v, want a ModelError containing %q", tt.model, err, tt.want)
		}
	}
}

// A self-referencing cascade (a tree) reaching a protected row.
type RelFolder struct {
	ID     int64
	Name   string            `anode:"max=20"`
	Parent orm.FK[RelFolder] `anode:"null,on_delete=cascade,related=subfolders"`
}

type RelPin struct {
	ID     int64
	Folder orm.FK[RelFolder] `anode:"on_delete=protect"`
}

func TestOnDeleteSelfCascade(t *testing.T) {
	forEachDB(t, []any{RelFolder{}, RelPin{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		root := RelFolder{Name: "root"}
		must(t, orm.Create(ctx, db, &root))
		prev := root
		var deepest RelFolder
		for i := range 4 {
			f := RelFolder{Name: "f" + string(rune('0'+i)), Parent: orm.FK[RelFolder]{ID: prev.ID}}
			must(t, orm.Create(ctx, db, &f))
			prev, deepest = f, f
		}
		pin := RelPin{Folder: orm.FK[RelFolder]{ID: deepest.ID}}
		must(t, orm.Create(ctx, db, &pin))
		var pe *orm.ProtectedError
		if err := orm.Delete(ctx, db, &root); !errors.As(err, &pe) || pe.Model != "app.RelFolder" || pe.Keys[0] != pin.ID {
			t.Fatalf("protected four levels down: %v", err)
		}
		if n, _ := orm.From[RelFolder](db).Count(ctx); n != 5 {
			t.Fatalf("%d folders left, want 5", n)
		}
		must(t, orm.Delete(ctx, db, &pin))
		must(t, orm.Delete(ctx, db, &root))
		if n, _ := orm.From[RelFolder](db).Count(ctx); n != 0 {
			t.Fatalf("%d folders left after the cascade", n)
		}
	})
}

type RelLogEntry struct {
	ID     int64
	Author orm.FK[RelAuthor] `anode:"on_delete=do_nothing"`
	Editor orm.FK[RelAuthor] `anode:"null,on_delete=set_null"`
}

func TestOnDeleteDoNothingAndSetNull(t *testing.T) {
	forEachDB(t, []any{RelAuthor{}, RelLogEntry{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		a, e := RelAuthor{Name: "a"}, RelAuthor{Name: "e"}
		must(t, orm.Create(ctx, db, &a))
		must(t, orm.Create(ctx, db, &e))
		entry := RelLogEntry{Author: orm.FK[RelAuthor]{ID: a.ID}, Editor: orm.FK[RelAuthor]{ID: e.ID}}
		must(t, orm.Create(ctx, db, &entry))
		// do_nothing: no check by the ORM; the constraint refuses.
		err := orm.Delete(ctx, db, &a)
		var ie *orm.IntegrityError
		if !errors.As(err, &ie) || ie.Kind != orm.IntegrityForeignKey || errors.Is(err, orm.ErrProtected) {
			t.Fatalf("do_nothing: %v, want the database's foreign key error", err)
		}
		// set_null: the database clears the key.
		must(t, orm.Delete(ctx, db, &e))
		got, err := orm.From[RelLogEntry](db).Get(ctx)
		if err != nil || !got.Editor.IsZero() || got.Author.ID != a.ID {
			t.Fatalf("set_null: %+v, %v", got, err)
		}
	})
}

type RelUShelf struct {
	ID   orm.UUID
	Name string `anode:"max=50"`
}

type RelUItem struct {
	ID    int64
	Shelf orm.Ref[RelUShelf, orm.UUID] `anode:"default=0190F3A2-1B2C-7D3E-8F40-5A6B7C8D9E0F,on_delete=set_default"`
}

// TestOnDeleteSetDefaultUUID checks set_default on a foreign key to a
// model with a UUID key: the default is parsed as an orm.UUID (any case),
// rendered into the schema in canonical form, applied to new rows and by
// the database when the referenced row is deleted.
func TestOnDeleteSetDefaultUUID(t *testing.T) {
	forEachDB(t, []any{RelUShelf{}, RelUItem{}}, func(t *testing.T, db *orm.DB) {
		ctx := context.Background()
		want, err := orm.ParseUUID("0190f3a2-1b2c-7d3e-8f40-5a6b7c8d9e0f")
		must(t, err)
		m, err := orm.ModelOf[RelUItem](db.Registry())
		must(t, err)
		f, _ := m.Field("Shelf")
		if f.Default != want {
			t.Fatalf("Default = %#v, want the orm.UUID %s", f.Default, want)
		}
		ddl, err := orm.CreateTableSQL(db.Dialect(), m)
		must(t, err)
		if !strings.Contains(strings.Join(ddl, "\n"), "DEFAULT '"+want.String()+"'") {
			t.Errorf("schema lacks the canonical default: %s", ddl)
		}
		def := RelUShelf{ID: want, Name: "default"}
		other := RelUShelf{Name: "other"}
		must(t, orm.Create(ctx, db, &def))
		must(t, orm.Create(ctx, db, &other))
		unset := RelUItem{}
		must(t, orm.Create(ctx, db, &unset))
		if unset.Shelf.ID != want {
			t.Fatalf("a new item gets the default key: %s", unset.Shelf.ID)
		}
		it := RelUItem{Shelf: orm.Ref[RelUShelf, orm.UUID]{ID: other.ID}}
		must(t, orm.Create(ctx, db, &it))
		must(t, orm.Delete(ctx, db, &other))
		got, err := orm.From[RelUItem](db).Filter("id", it.ID).Get(ctx)
		if err != nil || got.Shelf.ID != want {
			t.Fatalf("set_default: %+v, %v", got, err)
		}
		if n, err := orm.From[RelUItem](db).Filter("shelf", want).Count(ctx); err != nil || n != 2 {
			t.Fatalf("items on the default shelf: %d, %v", n, err)
		}
	})
	type RelBadUUIDDefault struct {
		ID    int64
		Shelf orm.Ref[RelUShelf, orm.UUID] `anode:"default=0190f3a2,on_delete=set_default"`
	}
	err := orm.NewRegistry().Register("app", RelUShelf{}, RelBadUUIDDefault{})
	var me *orm.ModelError
	if !errors.As(err, &me) || me.Field != "Shelf" || !strings.Contains(err.Error(), `default="0190f3a2"`) {
		t.Errorf("an invalid UUID default: %v, want a *ModelError naming Shelf", err)
	}
}
