package auth

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/anode-go/anode/realtime"
)

// RealtimeIdentity is a realtime.IdentityFunc for the request's user (see
// UserFromRequest): the signed-in user of the session cookie, or the user
// of an "Authorization: Bearer" API token; anonymous otherwise. Plug it in
// with app.Realtime().Identify(auth.RealtimeIdentity). The Identity's
// UserID is the user's ID in decimal and its Info {"username": ...},
// which presence shows to other members.
func RealtimeIdentity(r *http.Request) (realtime.Identity, error) {
	u := UserFromRequest(r)
	if u == nil {
		return realtime.Identity{}, nil
	}
	info, err := json.Marshal(map[string]string{"username": u.Username})
	if err != nil {
		return realtime.Identity{}, err
	}
	return realtime.Identity{UserID: strconv.FormatInt(u.ID, 10), Info: info}, nil
}
