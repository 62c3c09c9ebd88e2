package hello_test

import (
	"strings"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/examples/hello/hello"
)

func TestHello(t *testing.T) {
	app := anodetest.NewApp(t, hello.Module())
	c := anodetest.NewClient(t, app)

	css, err := app.StaticURL("css/hello.css")
	if err != nil || !strings.HasPrefix(css, "/static/css/hello.") {
		t.Fatalf("StaticURL = %q, %v", css, err)
	}
	c.Get("/").AssertStatus(200).AssertTitle("Hello, World!").AssertContains(`href="` + css + `"`)
	c.Get("/hello/Ada/").AssertStatus(200).AssertTitle("Hello, Ada!")
	c.Get("/hello/%3Cscript%3Ealert(1)%3C%2Fscript%3E/").AssertStatus(200).AssertContains("Hello, &lt;script&gt;alert(1)&lt;/script&gt;!").AssertNotContains("<script>")
	c.Get("/hello/" + strings.Repeat("a", 41) + "/").AssertStatus(400).AssertText("Names are 1 to 40 characters.")
	c.Get("/hello/Ada").AssertRedirect("/hello/Ada/")
	c.Get("/api/hello?name=Go").AssertStatus(200).AssertHeader("Content-Type", "application/json").AssertJSON(map[string]string{"message": "Hello, Go!"})
	c.Get("/plaintext").AssertStatus(200).AssertHeader("Content-Type", "text/plain; charset=utf-8").AssertContains("Hello, World!")
	c.Get("/json").AssertJSON(map[string]string{"message": "Hello, World!"})
	c.Get(css).AssertStatus(200).AssertHeader("Cache-Control", "public, max-age=31536000, immutable").AssertContains("font:")
	c.Get("/missing/").AssertStatus(404)
}
