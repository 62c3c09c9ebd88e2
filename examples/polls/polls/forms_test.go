package polls

import (
	"context"
	"testing"

	"github.com/anode-go/anode/anodetest"
	"github.com/anode-go/anode/forms"
)

func TestVoteFormDeclared(t *testing.T) {
	if err := forms.Check[voteForm](); err != nil {
		t.Fatal(err)
	}
}

// The "new poll" page's field lists name editable fields of the models.
func TestModelFormFields(t *testing.T) {
	ctx, db := context.Background(), anodetest.NewApp(t, Module()).DB()
	if _, err := forms.NewModelForm[Question](ctx, db, nil, questionFields...); err != nil {
		t.Fatal(err)
	}
	if _, err := forms.NewModelFormSet[Choice](ctx, db, nil, choiceFields...); err != nil {
		t.Fatal(err)
	}
}
