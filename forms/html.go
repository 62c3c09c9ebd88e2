package forms

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/anode-go/anode/orm"
)

// BoundField is one field of a form, for templates: its label, input,
// errors and help text as escaped HTML, and the pieces (Name, ID, Value,
// Errors) for a template that writes its own markup. Get one with
// Form.Field or Form.Fields.
type BoundField struct {
	st *state
	f  *field
}

// Field returns the named field (its form name or Go name). The error names
// the fields there are, so a typo in a template stops its execution.
func (f *Form[T]) Field(name string) (*BoundField, error) {
	f.sync()
	return f.st.field(name)
}

func (st *state) field(name string) (*BoundField, error) {
	fl := st.meta.field(name)
	if fl == nil {
		names := make([]string, len(st.meta.fields))
		for i, x := range st.meta.fields {
			names[i] = x.name
		}
		return nil, fmt.Errorf("forms: %s has no field %q (fields: %s)", st.meta.typ, name, strings.Join(names, ", "))
	}
	return &BoundField{st: st, f: fl}, nil
}

// Fields returns every field in declaration order.
func (f *Form[T]) Fields() []*BoundField {
	f.sync()
	return f.st.fields()
}

func (st *state) fields() []*BoundField {
	out := make([]*BoundField, len(st.meta.fields))
	for i, fl := range st.meta.fields {
		out[i] = &BoundField{st: st, f: fl}
	}
	return out
}

// Multipart reports whether the form has a file field, so its <form> element
// needs enctype="multipart/form-data".
func (f *Form[T]) Multipart() bool {
	f.sync()
	return f.st.meta.multipart
}

// NonFieldErrors returns the list of errors about the form as a whole, as
// HTML (empty when there are none).
func (f *Form[T]) NonFieldErrors() template.HTML {
	f.sync()
	return f.st.nonFieldErrors()
}

func (st *state) nonFieldErrors() template.HTML {
	errs := st.errors.NonField()
	for _, fl := range st.meta.fields {
		if fl.kind == KindHidden {
			// a hidden field has nowhere else to show its errors
			for _, e := range st.errors.Field(fl.name) {
				c := *e
				c.Message = fl.label + ": " + e.Message
				errs = append(errs, &c)
			}
		}
	}
	if len(errs) == 0 {
		return ""
	}
	var w htmlWriter
	w.errorList(errs, st.id("")+"errors", "errorlist nonfield")
	return template.HTML(w.String())
}

// HTML returns every field as a row (label, input, help text, errors),
// after the non-field errors and with hidden fields at the end. The <form>
// element, its CSRF field and the submit button are the template's.
func (f *Form[T]) HTML() template.HTML {
	f.sync()
	return f.st.html()
}

func (st *state) html() template.HTML {
	var b strings.Builder
	b.WriteString(string(st.nonFieldErrors()))
	var hidden strings.Builder
	for _, bf := range st.fields() {
		if bf.f.kind == KindHidden {
			hidden.WriteString(string(bf.Input()))
			continue
		}
		b.WriteString(string(bf.Row()))
	}
	b.WriteString(hidden.String())
	return template.HTML(b.String())
}

func (st *state) id(name string) string {
	if st.prefix == "" {
		return "id_" + name
	}
	return "id_" + st.prefix + "-" + name
}

// Name returns the name the field is submitted under (with the prefix).
func (bf *BoundField) Name() string { return bf.st.full(bf.f) }

// ID returns the id of the field's input: "id_" and its name.
func (bf *BoundField) ID() string { return bf.st.id(bf.f.name) }

// LabelText returns the label as plain text.
func (bf *BoundField) LabelText() string { return bf.f.label }

// HelpText returns the help text as plain text.
func (bf *BoundField) HelpText() string { return bf.f.help }

// Kind returns the field's kind.
func (bf *BoundField) Kind() Kind { return bf.f.kind }

// Required reports whether the field is required.
func (bf *BoundField) Required() bool { return bf.f.required }

// Hidden reports whether the field is a hidden input.
func (bf *BoundField) Hidden() bool { return bf.f.kind == KindHidden }

// Errors returns the field's errors.
func (bf *BoundField) Errors() []*Error { return bf.st.errors.Field(bf.f.name) }

// Invalid reports whether the field has errors.
func (bf *BoundField) Invalid() bool { return len(bf.Errors()) > 0 }

// Values returns what the input shows: the submitted text of a bound form,
// the Data value of an unbound one; nothing for passwords and files.
func (bf *BoundField) Values() []string {
	f := bf.f
	if f.kind == KindPassword || f.base == baseFile {
		return nil
	}
	if bf.st.bound {
		vs := bf.st.values[bf.Name()]
		if !f.multi && f.kind != KindHidden && len(vs) > 1 {
			vs = vs[len(vs)-1:]
		}
		return vs
	}
	return f.values(bf.st.value(f), bf.st.loc)
}

// Value returns the last of Values (the one a single-valued field binds),
// or "".
func (bf *BoundField) Value() string {
	if vs := bf.Values(); len(vs) > 0 {
		return vs[len(vs)-1]
	}
	return ""
}

func (bf *BoundField) errorsID() string { return bf.ID() + "_errors" }
func (bf *BoundField) helpID() string   { return bf.ID() + "_help" }

// describedBy is the aria-describedby value: the help text and error list.
func (bf *BoundField) describedBy() string {
	var ids []string
	if bf.f.help != "" {
		ids = append(ids, bf.helpID())
	}
	if bf.Invalid() {
		ids = append(ids, bf.errorsID())
	}
	return strings.Join(ids, " ")
}

// group reports whether the field renders as several inputs in a fieldset.
func (bf *BoundField) group() bool {
	return bf.f.kind == KindChoice && bf.f.widget == "radio" || bf.f.kind == KindMultipleChoice && bf.f.widget == "checkboxes"
}

// Label returns <label for=…>, with the label text escaped. A radio or
// checkbox group is labelled by its fieldset's legend instead (see Row); its
// Label has no for attribute.
func (bf *BoundField) Label() template.HTML {
	var w htmlWriter
	w.WriteString("<label")
	if !bf.group() {
		w.attr("for", bf.ID())
	}
	w.WriteByte('>')
	w.text(bf.f.label)
	w.WriteString("</label>")
	return template.HTML(w.String())
}

// ErrorList returns the field's errors as <ul class="errorlist"> with the id
// the input's aria-describedby names, or "" when there are none.
func (bf *BoundField) ErrorList() template.HTML {
	errs := bf.Errors()
	if len(errs) == 0 {
		return ""
	}
	var w htmlWriter
	w.errorList(errs, bf.errorsID(), "errorlist")
	return template.HTML(w.String())
}

// Help returns the help text in an element with the id the input's
// aria-describedby names, or "" when there is none.
func (bf *BoundField) Help() template.HTML {
	if bf.f.help == "" {
		return ""
	}
	var w htmlWriter
	w.WriteString(`<div class="helptext"`)
	w.attr("id", bf.helpID())
	w.WriteByte('>')
	w.text(bf.f.help)
	w.WriteString("</div>")
	return template.HTML(w.String())
}

// Row returns the label, input, help text and errors in a <div
// class="field">; a checkbox comes before its label, and a radio or
// checkbox group sits in a <fieldset> with the label as its <legend>.
func (bf *BoundField) Row() template.HTML {
	if bf.f.kind == KindHidden {
		return bf.Input()
	}
	var w htmlWriter
	w.WriteString(`<div class="field`)
	if bf.Invalid() {
		w.WriteString(" invalid")
	}
	w.WriteString(`">`)
	switch {
	case bf.group():
		w.WriteString("<fieldset")
		if d := bf.describedBy(); d != "" {
			w.attr("aria-describedby", d)
		}
		w.WriteString("><legend>")
		w.text(bf.f.label)
		w.WriteString("</legend>")
		w.WriteString(string(bf.Input()))
		w.WriteString("</fieldset>")
	case bf.f.kind == KindBoolean:
		w.WriteString(string(bf.Input()))
		w.WriteString(string(bf.Label()))
	default:
		w.WriteString(string(bf.Label()))
		w.WriteString(string(bf.Input()))
	}
	w.WriteString(string(bf.Help()))
	w.WriteString(string(bf.ErrorList()))
	w.WriteString("</div>")
	return template.HTML(w.String())
}

// Input returns the field's control: an <input> of the kind's type, a
// <textarea>, a <select>, or a group of radio buttons or checkboxes, with
// the submitted or initial value (never a password's), the constraints a
// browser checks too (required, minlength, maxlength, min, max, pattern,
// accept), and aria-invalid and aria-describedby. Every value is escaped.
func (bf *BoundField) Input() template.HTML {
	f := bf.f
	var w htmlWriter
	switch {
	case f.kind == KindHidden:
		vs := bf.Values()
		if len(vs) == 0 {
			vs = []string{""}
		}
		for _, v := range vs {
			w.WriteString(`<input type="hidden"`)
			w.attr("name", bf.Name())
			w.attr("value", v)
			w.WriteByte('>')
		}
	case f.kind == KindTextarea || f.kind == KindJSON:
		w.WriteString("<textarea")
		bf.common(&w, f.required)
		bf.constraints(&w)
		w.WriteString(">\n")
		w.text(bf.Value())
		w.WriteString("</textarea>")
	case bf.group():
		bf.group1(&w)
	case (f.kind == KindChoice || f.kind == KindMultipleChoice) && !(f.fk && bf.st.choicesOf(f) == nil):
		bf.selectHTML(&w)
	case f.kind == KindBoolean:
		w.WriteString(`<input type="checkbox"`)
		bf.common(&w, f.required)
		w.attr("value", "true")
		if v, _ := f.parse(strings.TrimSpace(bf.Value()), bf.st.loc); v.IsValid() && v.Bool() {
			w.WriteString(" checked")
		}
		w.WriteByte('>')
	default:
		w.WriteString(`<input type="`)
		if f.fk && (f.base == baseInt || f.base == baseUint) {
			w.WriteString("number") // a foreign key without choices: its key
		} else {
			w.WriteString(inputType(f.kind))
		}
		w.WriteByte('"')
		bf.common(&w, f.required)
		bf.constraints(&w)
		if f.kind != KindPassword && f.kind != KindFile {
			if v := bf.Value(); v != "" {
				w.attr("value", v)
			}
		}
		w.WriteByte('>')
	}
	return template.HTML(w.String())
}

func inputType(k Kind) string {
	switch k {
	case KindInteger, KindDecimal:
		return "number"
	case KindEmail:
		return "email"
	case KindURL:
		return "url"
	case KindDate:
		return "date"
	case KindTime:
		return "time"
	case KindDateTime:
		return "datetime-local"
	case KindFile:
		return "file"
	case KindPassword:
		return "password"
	}
	return "text"
}

// common writes name, id, required and the aria attributes.
func (bf *BoundField) common(w *htmlWriter, required bool) {
	w.attr("name", bf.Name())
	w.attr("id", bf.ID())
	if required {
		w.WriteString(" required")
	}
	if bf.f.autocomplete != "" {
		w.attr("autocomplete", bf.f.autocomplete)
	}
	if bf.Invalid() {
		w.WriteString(` aria-invalid="true"`)
	}
	if d := bf.describedBy(); d != "" {
		w.attr("aria-describedby", d)
	}
}

// constraints writes the browser-side checks of an <input>.
func (bf *BoundField) constraints(w *htmlWriter) {
	f := bf.f
	if f.base == baseString {
		if f.minLen > 0 {
			w.attr("minlength", strconv.Itoa(f.minLen))
		}
		if f.maxLen >= 0 {
			w.attr("maxlength", strconv.Itoa(f.maxLen))
		}
		if f.htmlPattern != "" {
			w.attr("pattern", f.htmlPattern)
		}
	}
	if f.min != nil && f.base != baseDuration { // a text input has no min and max
		w.attr("min", bf.boundAttr(f.min))
	}
	if f.max != nil && f.base != baseDuration {
		w.attr("max", bf.boundAttr(f.max))
	}
	switch {
	case f.base == baseDecimal && f.places >= 0:
		w.attr("step", step(f.places))
	case f.base == baseDecimal || f.base == baseFloat:
		w.attr("step", "any")
	case f.kind == KindTime || f.kind == KindDateTime:
		w.attr("step", "1") // seconds may be given
	}
	if f.kind == KindDecimal {
		w.attr("inputmode", "decimal")
	}
	if f.base == baseFile {
		if len(f.accept) > 0 {
			w.attr("accept", strings.Join(f.accept, ","))
		}
		if f.multi {
			w.WriteString(" multiple")
		}
	}
}

func step(places int) string {
	if places == 0 {
		return "1"
	}
	return "0." + strings.Repeat("0", places-1) + "1"
}

func (bf *BoundField) boundAttr(b any) string {
	switch b := b.(type) {
	case time.Time:
		if bf.f.kind == KindDate {
			return b.Format(time.DateOnly)
		}
		return b.In(bf.st.loc).Format("2006-01-02T15:04")
	case orm.TimeOfDay:
		return fmt.Sprintf("%02d:%02d", b.Hour, b.Minute)
	case float64:
		return strconv.FormatFloat(b, 'f', -1, 64)
	}
	return fmt.Sprint(b)
}

// selected reports which choice values the field shows as chosen.
func (bf *BoundField) selected() map[string]bool {
	sel := map[string]bool{}
	for _, v := range bf.Values() {
		sel[strings.TrimSpace(v)] = true
	}
	return sel
}

func (bf *BoundField) selectHTML(w *htmlWriter) {
	f := bf.f
	w.WriteString("<select")
	bf.common(w, f.required)
	if f.multi {
		w.WriteString(" multiple")
	}
	w.WriteByte('>')
	sel := bf.selected()
	if !f.multi {
		w.WriteString(`<option value="">---------</option>`)
	}
	for _, c := range bf.st.choicesOf(f) {
		w.WriteString("<option")
		w.attr("value", c.Value)
		if sel[c.Value] {
			w.WriteString(" selected")
		}
		w.WriteByte('>')
		w.text(c.Label)
		w.WriteString("</option>")
	}
	w.WriteString("</select>")
}

// group1 writes radio buttons or checkboxes, each inside its label.
func (bf *BoundField) group1(w *htmlWriter) {
	f := bf.f
	typ := "radio"
	if f.multi {
		typ = "checkbox"
	}
	sel := bf.selected()
	w.WriteString(`<div`)
	w.attr("id", bf.ID())
	w.WriteByte('>')
	for i, c := range bf.st.choicesOf(f) {
		id := bf.ID() + "_" + strconv.Itoa(i)
		w.WriteString("<label")
		w.attr("for", id)
		w.WriteString("><input")
		w.attr("type", typ)
		w.attr("name", bf.Name())
		w.attr("value", c.Value)
		w.attr("id", id)
		if f.required && !f.multi {
			w.WriteString(" required")
		}
		if bf.Invalid() {
			w.WriteString(` aria-invalid="true"`)
		}
		if sel[c.Value] {
			w.WriteString(" checked")
		}
		w.WriteString("> ")
		w.text(c.Label)
		w.WriteString("</label>")
	}
	w.WriteString("</div>")
}

// htmlWriter builds markup; every text and attribute value goes through
// html/template's escaper.
type htmlWriter struct{ strings.Builder }

func (w *htmlWriter) attr(name, value string) {
	w.WriteByte(' ')
	w.WriteString(name)
	w.WriteString(`="`)
	w.WriteString(template.HTMLEscapeString(value))
	w.WriteByte('"')
}

func (w *htmlWriter) text(s string) { w.WriteString(template.HTMLEscapeString(s)) }

func (w *htmlWriter) errorList(errs []*Error, id, class string) {
	w.WriteString("<ul")
	w.attr("class", class)
	w.attr("id", id)
	w.WriteByte('>')
	for _, e := range errs {
		w.WriteString("<li>")
		w.text(e.Message)
		w.WriteString("</li>")
	}
	w.WriteString("</ul>")
}
