package auth_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/orm"
)

func TestTokens(t *testing.T) {
	anodetest.Databases(t, func(t *testing.T, dbURL string) {
		app, clk := newClockApp(t, dbURL)
		ctx := context.Background()
		db := app.DB()
		ada, err := auth.CreateUser(ctx, db, "ada", "ada@example.com", "correct horse")
		if err != nil {
			t.Fatal(err)
		}
		plain, tok, err := auth.CreateToken(ctx, db, ada, "ci", 2*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(plain, "anode_") || len(plain) != 49 || tok.Prefix != plain[6:14] {
			t.Fatalf("token %q, prefix %q", plain, tok.Prefix)
		}
		row, err := orm.From[auth.Token](db).Filter("id", tok.ID).Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(row.Hash, plain[14:]) || len(row.Hash) != 64 || row.User.ID != ada.ID || !row.Expires.Valid || row.LastUsed.Valid {
			t.Fatalf("stored token %+v", row)
		}
		if got := tok.String(); got != "ci (anode_"+tok.Prefix+"…)" {
			t.Errorf("String() = %q", got)
		}

		bearer := func(h string) *anodetest.Client {
			c := anodetest.NewClient(t, app.Handler())
			c.Header.Set("Authorization", h)
			return c
		}
		bearer("Bearer " + plain).Get("/me").AssertText("ada")
		bearer("bearer " + plain).Get("/secret").AssertStatus(200).AssertText("secret")

		// last_used is set, then written at most once a minute.
		lastUsed := func() orm.Null[time.Time] {
			t.Helper()
			r, err := orm.From[auth.Token](db).Filter("id", tok.ID).Get(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return r.LastUsed
		}
		first := lastUsed()
		if !first.Valid {
			t.Fatal("last_used not set")
		}
		clk.Add(30 * time.Second)
		bearer("Bearer " + plain).Get("/me").AssertText("ada")
		if got := lastUsed(); !got.V.Equal(first.V) {
			t.Errorf("last_used written again after 30s: %v then %v", first.V, got.V)
		}
		clk.Add(31 * time.Second)
		bearer("Bearer " + plain).Get("/me").AssertText("ada")
		if got := lastUsed(); !got.V.After(first.V) {
			t.Errorf("last_used not updated after a minute: %v then %v", first.V, got.V)
		}

		// Wrong, malformed and foreign tokens are anonymous, and a bearer
		// header takes precedence over the session.
		wrong := plain[:14] + strings.Repeat("A", len(plain)-14)
		for _, h := range []string{"Bearer " + wrong, "Bearer " + plain[:30], "Bearer x", "Bearer " + plain + "x", "Basic " + plain} {
			bearer(h).Get("/me").AssertText("anonymous")
		}
		c := anodetest.NewClient(t, app.Handler())
		login(t, c, "ada", "correct horse").AssertStatus(200)
		c.Header.Set("Authorization", "Bearer "+wrong)
		c.Get("/me").AssertText("anonymous")

		// Expired.
		clk.Add(2 * time.Hour)
		bearer("Bearer " + plain).Get("/me").AssertText("anonymous")

		// Revoked; a token without expiry works until then.
		forever, ftok, err := auth.CreateToken(ctx, db, ada, "forever", 0)
		if err != nil {
			t.Fatal(err)
		}
		bearer("Bearer " + forever).Get("/me").AssertText("ada")
		if err := auth.RevokeToken(ctx, db, ftok); err != nil || !ftok.Revoked {
			t.Fatalf("revoke: %v", err)
		}
		bearer("Bearer " + forever).Get("/me").AssertText("anonymous")
		if err := auth.RevokeToken(ctx, db, &auth.Token{ID: 1 << 40}); !errors.Is(err, auth.ErrTokenNotFound) {
			t.Errorf("revoking a missing token: %v", err)
		}

		// An inactive user's tokens stop working.
		other, _, err := auth.CreateToken(ctx, db, ada, "other", 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		bearer("Bearer " + other).Get("/me").AssertText("ada")
		if _, err := orm.From[auth.User](db).Filter("id", ada.ID).Update(ctx, orm.Set("IsActive", false)); err != nil {
			t.Fatal(err)
		}
		bearer("Bearer " + other).Get("/me").AssertText("anonymous")

		if _, _, err := auth.CreateToken(ctx, db, &auth.User{}, "x", 0); err == nil {
			t.Error("CreateToken for an unsaved user succeeded")
		}
	})
}
