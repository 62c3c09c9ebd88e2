package auth_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/auth"
)

// TestAuthenticateTiming is the timing bar: over 200 attempts each,
// the median time of Authenticate for an unknown username and for a known
// username with a wrong password differ by less than 5%, so response times
// do not reveal which accounts exist. It uses the default hasher parameters
// (about 20 ms a verification: some 8 s in all) and alternates the two
// kinds of attempt so that drifts in machine load hit both alike. The
// database is SQLite: the password work dominates, and running the two
// databases' halves concurrently would only add noise.
func TestAuthenticateTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("timing test: about 8 s")
	}
	const attempts = 200
	app := newApp(t, anodetest.SQLiteURL(t))
	ctx := context.Background()
	db := app.DB()
	if _, err := auth.CreateUser(ctx, db, "ada", "ada@example.com", "correct horse"); err != nil {
		t.Fatal(err)
	}
	attempt := func(username string) time.Duration {
		start := time.Now()
		_, err := auth.Authenticate(ctx, db, username, "wrong password")
		d := time.Since(start)
		if !errors.Is(err, auth.ErrInvalidCredentials) {
			t.Fatalf("Authenticate(%q): %v, want ErrInvalidCredentials", username, err)
		}
		return d
	}
	attempt("ada") // warm up: the statement cache, argon2's first allocation
	attempt("nobody")
	unknown := make([]time.Duration, 0, attempts)
	wrong := make([]time.Duration, 0, attempts)
	for i := range attempts {
		// Alternate which kind goes first, too.
		if i%2 == 0 {
			unknown = append(unknown, attempt("nobody"))
			wrong = append(wrong, attempt("ada"))
		} else {
			wrong = append(wrong, attempt("ada"))
			unknown = append(unknown, attempt("nobody"))
		}
	}
	mu, mw := median(unknown), median(wrong)
	diff := math.Abs(float64(mu-mw)) / float64(min(mu, mw))
	t.Logf("median over %d attempts: unknown user %v, wrong password %v (difference %.2f%%)", attempts, mu, mw, 100*diff)
	if diff >= 0.05 {
		t.Errorf("the medians differ by %.2f%%, want under 5%%: response time tells unknown users from wrong passwords", 100*diff)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
