package forms

import (
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Management form field names, as in Django, so front-end code that adds
// rows by incrementing TOTAL_FORMS works unchanged.
const (
	totalForms   = "TOTAL_FORMS"
	initialForms = "INITIAL_FORMS"
	minForms     = "MIN_NUM_FORMS"
	maxForms     = "MAX_NUM_FORMS"
)

// DefaultMaxForms caps the rows of a formset when Max is not set.
const DefaultMaxForms = 1000

// member is a form a formset holds: a Form or a ModelForm.
type member interface {
	bind(ctx context.Context, sub *submission) error
	core() *state
}

func (f *Form[T]) core() *state       { f.sync(); return &f.st }
func (mf *ModelForm[T]) core() *state { mf.sync(); return &mf.st }

// formSet is the part of a formset that does not depend on the form type.
type formSet struct {
	prefix     string
	min, max   int
	canDelete  bool
	canOrder   bool
	members    []member
	initial    int // members editing existing rows
	deleted    []bool
	empty      []bool // extra rows left blank: not validated, not saved
	order      []int
	bound      bool
	errors     Errors
	extraField func(i int) // adds row i
}

func (s *formSet) name(i int, field string) string {
	return s.prefix + "-" + strconv.Itoa(i) + "-" + field
}

// bind reads the management form, grows the rows to TOTAL_FORMS and binds
// each; blank extra rows and deleted rows are not validated.
func (s *formSet) bind(ctx context.Context, sub *submission) error {
	s.bound = true
	s.errors = Errors{}
	if sub.malformed {
		s.errors.Add(newError("", "malformed", nil))
		return nil
	}
	total, err1 := strconv.Atoi(first(sub.values[s.prefix+"-"+totalForms]))
	initial, err2 := strconv.Atoi(first(sub.values[s.prefix+"-"+initialForms]))
	if err1 != nil || err2 != nil || total < 0 || initial < 0 || initial > total || initial != s.initial {
		s.errors.Add(newError("", "management_form", nil))
		return nil
	}
	if total > s.max {
		s.errors.Add(newError("", "too_many_forms", map[string]any{"max": s.max}))
		return nil
	}
	for len(s.members) < total {
		s.extraField(len(s.members))
	}
	s.members = s.members[:total]
	s.deleted = make([]bool, total)
	s.empty = make([]bool, total)
	s.order = make([]int, total)
	live := 0
	for i, m := range s.members {
		st := m.core()
		if s.canDelete {
			v, _ := (&field{base: baseBool, elem: boolType}).parse(strings.TrimSpace(first(sub.values[s.name(i, "DELETE")])), nil)
			s.deleted[i] = v.IsValid() && v.Bool()
		}
		if s.canOrder {
			s.order[i], _ = strconv.Atoi(strings.TrimSpace(first(sub.values[s.name(i, "ORDER")])))
		}
		if i >= s.initial && !submitted(st, sub) {
			s.empty[i] = true
			st.bound, st.values, st.files = true, sub.values, sub.files
			continue
		}
		if s.deleted[i] {
			st.bound, st.values, st.files = true, sub.values, sub.files
			continue
		}
		if err := m.bind(ctx, sub); err != nil {
			return err
		}
		live++
	}
	if live < s.min {
		s.errors.Add(newError("", "too_few_forms", map[string]any{"min": s.min}))
	}
	return nil
}

// submitted reports whether any field of an unbound row was changed from
// what the row showed.
func submitted(st *state, sub *submission) bool {
	nonEmpty := func(vs []string) []string {
		var out []string
		for _, v := range vs {
			if v = strings.TrimSpace(v); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
	for _, f := range st.meta.fields {
		full := st.full(f)
		vs, ok := sub.values[full]
		if ok && !slices.Equal(nonEmpty(vs), nonEmpty((&BoundField{st: st, f: f}).Values())) {
			return true
		}
		for _, fl := range sub.files[full] {
			if fl.Filename != "" || fl.Size > 0 {
				return true
			}
		}
	}
	return false
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func (s *formSet) valid() bool {
	if !s.bound || s.errors.Len() > 0 {
		return false
	}
	for i, m := range s.members {
		if !s.deleted[i] && !s.empty[i] && m.core().errors.Len() > 0 {
			return false
		}
	}
	return true
}

// live returns the indexes of the rows kept (neither deleted nor blank),
// by ORDER when the set orders and then by position.
func (s *formSet) live() []int {
	var out []int
	for i := range s.members {
		if s.bound && (s.deleted[i] || s.empty[i]) {
			continue
		}
		out = append(out, i)
	}
	if s.canOrder && s.bound {
		slices.SortStableFunc(out, func(a, b int) int {
			oa, ob := s.order[a], s.order[b]
			switch {
			case oa == ob:
				return 0
			case oa == 0: // no order: last
				return 1
			case ob == 0:
				return -1
			case oa < ob:
				return -1
			}
			return 1
		})
	}
	return out
}

func (s *formSet) managementForm() template.HTML {
	var w htmlWriter
	for _, kv := range [...]struct {
		name string
		v    int
	}{{totalForms, len(s.members)}, {initialForms, s.initial}, {minForms, s.min}, {maxForms, s.max}} {
		w.WriteString(`<input type="hidden"`)
		w.attr("name", s.prefix+"-"+kv.name)
		w.attr("value", strconv.Itoa(kv.v))
		w.attr("id", "id_"+s.prefix+"-"+kv.name)
		w.WriteByte('>')
	}
	return template.HTML(w.String())
}

func (s *formSet) nonFormErrors() template.HTML {
	if s.errors.Len() == 0 {
		return ""
	}
	var w htmlWriter
	w.errorList(s.errors.All(), "id_"+s.prefix+"-errors", "errorlist nonform")
	return template.HTML(w.String())
}

// extras writes row i's DELETE checkbox and ORDER input.
func (s *formSet) extras(i int) template.HTML {
	var w htmlWriter
	if s.canOrder {
		id := "id_" + s.name(i, "ORDER")
		w.WriteString(`<div class="field"><label`)
		w.attr("for", id)
		w.WriteString(`>Order</label><input type="number"`)
		w.attr("name", s.name(i, "ORDER"))
		w.attr("id", id)
		if s.bound && s.order[i] != 0 {
			w.attr("value", strconv.Itoa(s.order[i]))
		} else if !s.bound && i < s.initial {
			w.attr("value", strconv.Itoa(i+1))
		}
		w.WriteString("></div>")
	}
	if s.canDelete && i < len(s.members) {
		id := "id_" + s.name(i, "DELETE")
		w.WriteString(`<div class="field"><input type="checkbox" value="true"`)
		w.attr("name", s.name(i, "DELETE"))
		w.attr("id", id)
		if s.bound && s.deleted[i] {
			w.WriteString(" checked")
		}
		w.WriteString(`><label`)
		w.attr("for", id)
		w.WriteString(">Delete</label></div>")
	}
	return template.HTML(w.String())
}

func (s *formSet) html() template.HTML {
	var b strings.Builder
	b.WriteString(string(s.managementForm()))
	b.WriteString(string(s.nonFormErrors()))
	for i, m := range s.members {
		fmt.Fprintf(&b, `<fieldset class="formset-row" id="id_%s-%d">`, template.HTMLEscapeString(s.prefix), i)
		b.WriteString(string(m.core().html()))
		b.WriteString(string(s.extras(i)))
		b.WriteString("</fieldset>")
	}
	return template.HTML(b.String())
}

func (s *formSet) configure(prefix string, min, max int, canDelete, canOrder bool) {
	if prefix == "" {
		prefix = "form"
	}
	if max <= 0 {
		max = DefaultMaxForms
	}
	s.prefix, s.min, s.max, s.canDelete, s.canOrder = prefix, min, max, canDelete, canOrder
}

// FormSet is several forms of type T edited together, as rows of a table:
// one per initial value, plus Extra blank rows; the page's script may add
// rows by raising TOTAL_FORMS in the management form. Rows are named
// "prefix-N-field". Blank extra rows are ignored, rows ticked for deletion
// are not validated, and with CanOrder the kept rows come back in the order
// their ORDER inputs give. A FormSet is used by one goroutine.
type FormSet[T any] struct {
	// Prefix starts every name (default "form").
	Prefix string
	// Extra is the number of blank rows shown after the initial ones.
	Extra int
	// Min and Max bound the rows kept (Max defaults to DefaultMaxForms,
	// which also caps TOTAL_FORMS).
	Min, Max int
	// CanDelete adds a Delete checkbox to each row; CanOrder an Order input.
	CanDelete, CanOrder bool
	// Limits bound what Bind reads.
	Limits Limits

	initial []T
	forms   []*Form[T]
	set     formSet
	built   bool
}

// NewFormSet returns an unbound formset with one row per initial value.
// It panics as New does if T is not a valid form.
func NewFormSet[T any](initial ...T) *FormSet[T] {
	New[T]() // check T once
	return &FormSet[T]{initial: initial}
}

func (fs *FormSet[T]) build() {
	fs.set.configure(fs.Prefix, fs.Min, fs.Max, fs.CanDelete, fs.CanOrder)
	if fs.built {
		return
	}
	fs.built = true
	fs.set.extraField = func(i int) {
		f := New[T]()
		f.Prefix = fs.set.prefix + "-" + strconv.Itoa(i)
		f.Limits = fs.Limits
		fs.forms = append(fs.forms, f)
		fs.set.members = append(fs.set.members, f)
	}
	for i, v := range fs.initial {
		fs.set.extraField(i)
		fs.forms[i].Data = v
	}
	fs.set.initial = len(fs.initial)
	for range fs.Extra {
		fs.set.extraField(len(fs.forms))
	}
}

// Bind reads and validates every row of the request's data. The error is a
// *RequestError for a refused body, or a clean hook's failure; a missing or
// tampered management form is a non-form error.
func (fs *FormSet[T]) Bind(r *http.Request) error {
	sub, err := readRequest(r, fs.Limits.withDefaults())
	if err != nil {
		return err
	}
	fs.build()
	err = fs.set.bind(r.Context(), sub)
	fs.forms = fs.forms[:len(fs.set.members)]
	return err
}

// BindValues binds data already parsed.
func (fs *FormSet[T]) BindValues(ctx context.Context, values url.Values) error {
	fs.build()
	err := fs.set.bind(ctx, &submission{values: values})
	fs.forms = fs.forms[:len(fs.set.members)]
	return err
}

// Forms returns every row's form.
func (fs *FormSet[T]) Forms() []*Form[T] { fs.build(); return fs.forms }

// Valid reports whether the set is bound, its management form is sound, the
// number of rows is within Min and Max, and every kept row is valid.
func (fs *FormSet[T]) Valid() bool { fs.build(); return fs.set.valid() }

// Errors returns the errors of the set as a whole (not of its rows).
func (fs *FormSet[T]) Errors() *Errors { return &fs.set.errors }

// Deleted reports whether row i was ticked for deletion.
func (fs *FormSet[T]) Deleted(i int) bool { return fs.set.bound && fs.set.deleted[i] }

// Initial reports whether row i edits an initial value (rather than being
// an extra row).
func (fs *FormSet[T]) Initial(i int) bool { return i < fs.set.initial }

// Kept returns the rows that are neither deleted nor blank, by their ORDER
// inputs when CanOrder is set.
func (fs *FormSet[T]) Kept() []*Form[T] {
	fs.build()
	var out []*Form[T]
	for _, i := range fs.set.live() {
		out = append(out, fs.forms[i])
	}
	return out
}

// ManagementForm returns the hidden TOTAL_FORMS, INITIAL_FORMS,
// MIN_NUM_FORMS and MAX_NUM_FORMS inputs the <form> must carry.
func (fs *FormSet[T]) ManagementForm() template.HTML { fs.build(); return fs.set.managementForm() }

// NonFormErrors returns the set's own errors as HTML.
func (fs *FormSet[T]) NonFormErrors() template.HTML { return fs.set.nonFormErrors() }

// RowExtras returns row i's Order input and Delete checkbox (those enabled).
func (fs *FormSet[T]) RowExtras(i int) template.HTML { fs.build(); return fs.set.extras(i) }

// HTML returns the management form, the set's errors and every row in a
// <fieldset>.
func (fs *FormSet[T]) HTML() template.HTML { fs.build(); return fs.set.html() }
