package auth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/anode-go/anode"
	"github.com/anode-go/anode/auth"
	"github.com/anode-go/anode/auth/internal/customuser"
	"github.com/anode-go/anode/orm"
)

// An application's own user model: customuser.User embeds auth.User and
// adds Bio and Timezone,
//
//	type User struct {
//		auth.User
//		Bio      string `anode:"max=200"`
//		Timezone string `anode:"max=40,default=UTC"`
//	}
//
// and customuser.Module() is
// auth.ModuleFor[User](migrations.All, anode.SourceDir(".")), whose
// migrations makemigrations wrote. Handlers read the request's user as
// that model with UserAs; everything auth does (here an API token) works
// on its rows.
func ExampleModuleFor() {
	app, done := exampleAppWith(customuser.Module(), anode.Module{Name: "profile", Routes: func(r *anode.Router) {
		r.Get("/me", func(w http.ResponseWriter, r *http.Request) error {
			if u := auth.UserAs[customuser.User](r.Context()); u != nil {
				fmt.Fprintf(w, "%s (%s): %s", u.Username, u.Timezone, u.Bio)
			}
			return nil
		})
	}})
	defer done()
	ctx := context.Background()

	ada := &customuser.User{Bio: "wrote the first program", Timezone: "Europe/London"}
	ada.Username, ada.IsActive, ada.DateJoined = "ada", true, time.Now().UTC()
	ada.SetUnusablePassword()
	if err := orm.Create(ctx, app.DB(), ada); err != nil {
		panic(err)
	}
	token, _, err := auth.CreateToken(ctx, app.DB(), &ada.User, "cli", 0)
	if err != nil {
		panic(err)
	}

	req := httptest.NewRequest("GET", "/me", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	app.Handler().ServeHTTP(w, req)
	fmt.Println(w.Body.String())
	// Output: ada (Europe/London): wrote the first program
}
