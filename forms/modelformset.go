package forms

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/anode-go/anode/orm"
)

// ModelFormSet is a FormSet of ModelForms: one row per existing object, plus
// blank rows for new ones, saved together by Save in one transaction (rows
// ticked for deletion are deleted). Each existing row carries its object's
// primary key in a hidden input; if the rows no longer match the objects
// given to NewModelFormSet (a row was added or removed since the page was
// loaded), binding reports it as a non-form error rather than editing the
// wrong object. A ModelFormSet is used by one goroutine.
type ModelFormSet[T any] struct {
	// Prefix, Extra, Min, Max, CanDelete, CanOrder and Limits are as on
	// FormSet.
	Prefix              string
	Extra               int
	Min, Max            int
	CanDelete, CanOrder bool
	Limits              Limits

	db        *orm.DB
	fields    []string
	instances []T
	forms     []*ModelForm[T]
	set       formSet
	built     bool
}

// NewModelFormSet returns an unbound formset over the objects (usually a
// query's rows), each row with the given model fields (as NewModelForm, which
// reads each object's many-to-many keys).
func NewModelFormSet[T any](ctx context.Context, db *orm.DB, objects []T, fields ...string) (*ModelFormSet[T], error) {
	fs := &ModelFormSet[T]{db: db, fields: fields, instances: objects}
	if _, err := NewModelForm[T](ctx, db, nil, fields...); err != nil {
		return nil, err
	}
	for i := range objects {
		mf, err := NewModelForm(ctx, db, &objects[i], fields...)
		if err != nil {
			return nil, err
		}
		fs.forms = append(fs.forms, mf)
		fs.set.members = append(fs.set.members, mf)
	}
	fs.set.initial = len(objects)
	return fs, nil
}

func (fs *ModelFormSet[T]) build() {
	fs.set.configure(fs.Prefix, fs.Min, fs.Max, fs.CanDelete, fs.CanOrder)
	for i, mf := range fs.forms {
		mf.Prefix = fs.set.prefix + "-" + strconv.Itoa(i)
	}
	if fs.built {
		return
	}
	fs.built = true
	fs.set.extraField = func(i int) {
		// a new object: NewModelForm does no I/O, and the type was checked
		mf, _ := NewModelForm[T](context.Background(), fs.db, nil, fs.fields...)
		mf.Prefix = fs.set.prefix + "-" + strconv.Itoa(i)
		fs.forms = append(fs.forms, mf)
		fs.set.members = append(fs.set.members, mf)
	}
	for range fs.Extra {
		fs.set.extraField(len(fs.forms))
	}
}

func (fs *ModelFormSet[T]) pkName(i int) string { return fs.set.name(i, "pk") }

func (fs *ModelFormSet[T]) bind(ctx context.Context, sub *submission) error {
	fs.build()
	for i, mf := range fs.forms[:fs.set.initial] {
		if first(sub.values[fs.pkName(i)]) != fmt.Sprint(mf.pkValue()) {
			fs.set.bound = true
			fs.set.errors = Errors{}
			fs.set.errors.Add(newError("", "stale_rows", nil))
			return nil
		}
	}
	err := fs.set.bind(ctx, sub)
	fs.forms = fs.forms[:len(fs.set.members)]
	return err
}

// Bind reads and validates every row, as FormSet.Bind, with each row's
// unique checks.
func (fs *ModelFormSet[T]) Bind(r *http.Request) error {
	sub, err := readRequest(r, fs.Limits.withDefaults())
	if err != nil {
		return err
	}
	return fs.bind(r.Context(), sub)
}

// BindValues binds data already parsed.
func (fs *ModelFormSet[T]) BindValues(ctx context.Context, values url.Values) error {
	return fs.bind(ctx, &submission{values: values})
}

// Forms returns every row's form.
func (fs *ModelFormSet[T]) Forms() []*ModelForm[T] { fs.build(); return fs.forms }

// Valid reports whether the set and every kept row are valid.
func (fs *ModelFormSet[T]) Valid() bool { fs.build(); return fs.set.valid() }

// Errors returns the errors of the set as a whole.
func (fs *ModelFormSet[T]) Errors() *Errors { return &fs.set.errors }

// Deleted reports whether row i was ticked for deletion.
func (fs *ModelFormSet[T]) Deleted(i int) bool { return fs.set.bound && fs.set.deleted[i] }

// Kept returns the rows neither deleted nor blank, in ORDER when CanOrder.
func (fs *ModelFormSet[T]) Kept() []*ModelForm[T] {
	fs.build()
	var out []*ModelForm[T]
	for _, i := range fs.set.live() {
		out = append(out, fs.forms[i])
	}
	return out
}

// Save writes the set in one transaction: deletes the existing objects
// ticked for deletion, then creates or updates the kept rows in Kept order,
// calling prepare (when not nil) on each object first — to set the parent of
// an inline row, or a position from the order. If the database refuses a
// row, nothing is written, the row shows the error, and Save returns that
// row's *Errors; it returns an error without writing when the set is not
// valid.
func (fs *ModelFormSet[T]) Save(ctx context.Context, prepare func(obj *T)) error {
	if !fs.Valid() {
		return errors.New("forms: Save on a formset that is not valid")
	}
	var failed *ModelForm[T]
	var ie *orm.IntegrityError
	err := fs.db.Atomic(ctx, func(ctx context.Context) error {
		for i, mf := range fs.forms {
			if fs.set.deleted[i] && i < fs.set.initial {
				if err := orm.Delete(ctx, fs.db, &mf.Instance); err != nil {
					return err
				}
			}
		}
		for _, mf := range fs.Kept() {
			if prepare != nil {
				prepare(&mf.Instance)
			}
			var err error
			if mf.adding {
				err = orm.Create(ctx, fs.db, &mf.Instance)
			} else {
				err = orm.Save(ctx, fs.db, &mf.Instance)
			}
			if err == nil {
				var blame *field
				err = mf.saveMany(ctx, &blame)
			}
			if errors.As(err, &ie) {
				failed = mf
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		for _, mf := range fs.forms {
			if mf.adding {
				mf.resetKey() // the transaction was rolled back
			}
		}
	}
	if failed != nil {
		failed.st.errors.Add(failed.integrityError(ie))
		return failed.Err()
	}
	return err
}

// ManagementForm returns the hidden management inputs.
func (fs *ModelFormSet[T]) ManagementForm() template.HTML { fs.build(); return fs.set.managementForm() }

// NonFormErrors returns the set's own errors as HTML.
func (fs *ModelFormSet[T]) NonFormErrors() template.HTML { return fs.set.nonFormErrors() }

// RowExtras returns row i's hidden primary key (for an existing object), its
// Order input and its Delete checkbox.
func (fs *ModelFormSet[T]) RowExtras(i int) template.HTML {
	fs.build()
	var w htmlWriter
	if i < fs.set.initial {
		w.WriteString(`<input type="hidden"`)
		w.attr("name", fs.pkName(i))
		w.attr("value", fmt.Sprint(fs.forms[i].pkValue()))
		w.WriteByte('>')
	}
	return template.HTML(w.String()) + fs.set.extras(i)
}

// HTML returns the management form, the set's errors and every row.
func (fs *ModelFormSet[T]) HTML() template.HTML {
	fs.build()
	out := fs.set.managementForm() + fs.set.nonFormErrors()
	for i, mf := range fs.forms {
		out += template.HTML(fmt.Sprintf(`<fieldset class="formset-row" id="id_%s-%d">`, template.HTMLEscapeString(fs.set.prefix), i))
		out += mf.core().html() + fs.RowExtras(i) + "</fieldset>"
	}
	return out
}
