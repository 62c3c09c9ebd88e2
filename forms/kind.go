package forms

// Kind is what a form field holds and how it is shown: it chooses the
// parsing, the built-in validation and the HTML input.
type Kind uint8

// Field kinds. The Go type of a field gives its default kind (string: text,
// integers: integer, float64 and orm.Decimal: decimal, bool: boolean,
// orm.Date: date, orm.TimeOfDay: time, time.Time: datetime, orm.UUID:
// uuid, time.Duration: duration, orm.JSON[T]: json, slices: multiple
// choice, *File: file; a pointer or orm.Null[T] as T); the kind= tag option
// picks another that fits the type, and a choices tag turns a text or
// integer field into a choice.
const (
	KindText           Kind = iota + 1 // <input type="text">
	KindTextarea                       // <textarea>
	KindInteger                        // <input type="number">
	KindDecimal                        // <input type="number" step=…>
	KindBoolean                        // <input type="checkbox">
	KindChoice                         // <select>, or radio buttons with widget=radio
	KindMultipleChoice                 // <select multiple>, or checkboxes with widget=checkboxes
	KindEmail                          // <input type="email">
	KindURL                            // <input type="url">
	KindSlug                           // <input type="text" pattern=…>
	KindDate                           // <input type="date">
	KindTime                           // <input type="time">
	KindDateTime                       // <input type="datetime-local">
	KindFile                           // <input type="file">
	KindPassword                       // <input type="password">, never filled back in
	KindHidden                         // <input type="hidden">
	KindUUID                           // <input type="text">, a UUID shown in canonical lower case
	KindDuration                       // <input type="text">, "[D ]HH:MM:SS[.ffffff]" or Go's "1h30m"
	KindJSON                           // <textarea> holding JSON, shown indented
)

var kindNames = [...]string{
	KindText: "text", KindTextarea: "textarea", KindInteger: "integer", KindDecimal: "decimal",
	KindBoolean: "boolean", KindChoice: "choice", KindMultipleChoice: "multiple_choice",
	KindEmail: "email", KindURL: "url", KindSlug: "slug", KindDate: "date", KindTime: "time",
	KindDateTime: "datetime", KindFile: "file", KindPassword: "password", KindHidden: "hidden",
	KindUUID: "uuid", KindDuration: "duration", KindJSON: "json",
}

// String returns the kind's name as written in the kind= tag option.
func (k Kind) String() string {
	if int(k) < len(kindNames) && kindNames[k] != "" {
		return kindNames[k]
	}
	return "kind(?)"
}

func kindByName(name string) (Kind, bool) {
	for k, n := range kindNames {
		if n == name && n != "" {
			return Kind(k), true
		}
	}
	return 0, false
}

// Choice is one option of a choice field: the submitted value and its label.
type Choice struct {
	Value string
	Label string
}
