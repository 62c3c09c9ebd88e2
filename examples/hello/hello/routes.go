package hello

import "github.com/anode-go/anode"

func routes(r *anode.Router) {
	r.Get("/", index).Name("index")
	r.Get("/hello/{name}/", greet).Name("greet")
	r.Get("/api/hello", apiHello).Name("api-hello")
	r.Get("/plaintext", plaintext).Name("plaintext")
	r.Get("/json", jsonMessage).Name("json")
}
