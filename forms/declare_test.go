package forms_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/anode-go/anode/forms"
)

type badKind struct {
	N int `form:"n,kind=email"`
}
type badOption struct {
	S string `form:"s,maxlength=3"`
}
type badPattern struct {
	S string `form:"s" pattern:"("`
}
type badType struct {
	M map[string]string
}
type badHook struct{ S string }

func (*badHook) CleanS(v int) (int, error) { return v, nil }

type strayHook struct{ S string }

func (*strayHook) CleanT(v string) (string, error) { return v, nil }

type badBounds struct {
	N int `form:"n,min=5,max=1"`
}
type dupName struct {
	A string `form:"x"`
	B string `form:"x"`
}
type badChoice struct {
	N int `form:"n" choices:"one|two"`
}
type badWidget struct {
	S string `form:"s,widget=checkboxes"`
}

func TestDeclarationErrors(t *testing.T) {
	for _, c := range []struct {
		check func() error
		want  string
	}{
		{forms.Check[badKind], "field N: kind=email does not fit Go type int"},
		{forms.Check[badOption], `field S: unknown tag option "maxlength"`},
		{forms.Check[badPattern], "field S: pattern \"(\""},
		{forms.Check[badType], "field M: type map[string]string is not a form field type"},
		{forms.Check[badHook], "field S: method CleanS must be func(string) (string, error)"},
		{forms.Check[strayHook], "method CleanT names no form field T"},
		{forms.Check[badBounds], "min=5 is more than max=1"},
		{forms.Check[dupName], `form name "x" is also used by field A`},
		{forms.Check[badChoice], `choices: "one" is not a valid int`},
		{forms.Check[badWidget], "widget=checkboxes does not apply to a choice field"},
	} {
		err := c.check()
		var de *forms.DeclarationError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want %q", err, c.want)
		}
		if err2 := c.check(); err2 != err {
			t.Error("not cached")
		}
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("New did not panic")
		}
	}()
	forms.New[badKind]()
}
