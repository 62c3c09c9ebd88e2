package hello

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/anode-go/anode"
)

func index(w http.ResponseWriter, r *http.Request) error {
	return page(w, r, "World")
}

func greet(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if utf8.RuneCountInString(name) > 40 || strings.TrimSpace(name) == "" {
		return anode.NewError(http.StatusBadRequest, "Names are 1 to 40 characters.", nil)
	}
	return page(w, r, name)
}

func page(w http.ResponseWriter, r *http.Request, name string) error {
	app := anode.FromContext(r.Context())
	css, err := app.StaticURL("css/hello.css")
	if err != nil {
		return err
	}
	api, err := app.URL("api-hello")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, "index.html", map[string]any{"Name": name, "CSS": css, "API": api}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(buf.Bytes())
	return err
}

func apiHello(w http.ResponseWriter, r *http.Request) error {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "World"
	}
	if utf8.RuneCountInString(name) > 40 {
		return anode.NewError(http.StatusBadRequest, "Names are at most 40 characters.", nil)
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(map[string]string{"message": "Hello, " + name + "!"})
}

var helloWorld = []byte("Hello, World!")

// plaintext and jsonMessage are the TechEmpower-style endpoints bench/ measures.
func plaintext(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write(helloWorld)
	return err
}

func jsonMessage(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(struct {
		Message string `json:"message"`
	}{"Hello, World!"})
}
