package static_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing/fstest"

	"github.com/anode-go/anode/internal/static"
)

func Example() {
	// Usually an embed.FS per installed module.
	blog := fstest.MapFS{"css/site.css": {Data: []byte("body { color: red }\n")}}

	srv, err := static.New(static.Options{}, static.Source{Name: "blog", FS: blog})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/static/", srv)

	url, err := srv.URL("css/site.css") // for templates
	if err != nil {
		panic(err)
	}
	fmt.Println(url)

	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", url, nil))
	fmt.Println(w.Code, w.Header().Get("Content-Type"))
	fmt.Println(w.Header().Get("Cache-Control"))
	// Output:
	// /static/css/site.d92e15bd.css
	// 200 text/css; charset=utf-8
	// public, max-age=31536000, immutable
}
