package cache_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/anode-go/anode/cache"
)

type Poll struct {
	ID       int64
	Question string
}

func ExampleGetOrSet() {
	c, _ := cache.Open("memory://?size=16MB", cache.Options{})
	defer c.Close()
	ctx := context.Background()
	load := func(ctx context.Context) (Poll, error) {
		fmt.Println("loading from the database")
		return Poll{ID: 7, Question: "Tea or coffee?"}, nil
	}
	p, _ := cache.GetOrSet(ctx, c, "poll:7", 10*time.Minute, load)
	p, _ = cache.GetOrSet(ctx, c, "poll:7", 10*time.Minute, load) // cached
	fmt.Println(p.Question, c.Stats().Hits)
	// Output:
	// loading from the database
	// Tea or coffee? 1
}

func ExampleCache_Incr() {
	c, _ := cache.Open("memory://", cache.Options{})
	defer c.Close()
	ctx := context.Background()
	// A counter that must fail closed uses the strict view: an outage is an
	// error, not a count of zero.
	strict := c.Strict()
	for range 3 {
		if _, err := strict.Incr(ctx, "login-attempts:alice", 1, time.Minute); err != nil {
			fmt.Println("refuse: cannot count", err)
		}
	}
	n, _, _ := cache.Get[int64](ctx, c, "login-attempts:alice")
	fmt.Println(n)
	// Output: 3
}

func ExampleCache_Namespace() {
	c, _ := cache.Open("memory://", cache.Options{})
	defer c.Close()
	ctx := context.Background()
	polls := c.Namespace("polls")
	cache.Set(ctx, polls, "index", "<ul>…</ul>", cache.DefaultTTL)
	cache.Set(ctx, polls, "poll:7", "<h1>…</h1>", cache.DefaultTTL)
	polls.Clear(ctx) // both keys at once, on every store
	_, found, _ := cache.Get[string](ctx, polls, "index")
	fmt.Println(found)
	// Output: false
}

func ExamplePage() {
	c, _ := cache.Open("memory://", cache.Options{})
	defer c.Close()
	calls := 0
	index := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		fmt.Fprint(w, "the polls")
	})
	h := cache.Page(c, cache.PageOptions{TTL: 15 * time.Minute})(index)
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/polls/", nil))
	}
	fmt.Println("handler ran", calls, "time(s)")
	// Output: handler ran 1 time(s)
}
