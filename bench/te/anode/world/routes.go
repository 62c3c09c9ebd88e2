package world

import "github.com/anode-go/anode"

func routes(r *anode.Router) {
	fortunesPage := r.Template("world/fortunes.html")
	r.Get("/plaintext", plaintext).Name("plaintext")
	r.Get("/json", jsonMessage).Name("json")
	r.Get("/db", db).Name("db")
	r.Get("/queries", queries).Name("queries")
	r.Get("/fortunes", fortunes(fortunesPage, mainDB)).Name("fortunes")
	r.Get("/updates", updates).Name("updates")
	r.Get("/cached-queries", cachedQueries).Name("cached-queries")
	r.Get("/sqlite/db", sqliteWorld).Name("sqlite-db")
	r.Get("/sqlite/fortunes", fortunes(fortunesPage, sqlite)).Name("sqlite-fortunes")
}
