package polls

// voteForm is the detail page's form: one radio button per choice of the
// question. The choices are set per request (SetChoices), so a choice of
// another question is refused as an invalid choice before any SQL runs.
type voteForm struct {
	Choice int64 `form:"choice,required,widget=radio" label:"Your answer"`
}

// The "new poll" page needs no form type of its own: forms.NewModelForm
// builds the question's form from the Question model, and
// forms.NewModelFormSet the rows of its choices from Choice (see newPoll
// in views.go).

// Field lists of the ModelForm and the ModelFormSet: what a staff member
// fills in. Votes start at zero and the question is set by the view.
var (
	questionFields = []string{"Text", "PubDate"}
	choiceFields   = []string{"Text"}
)
