package forms

import (
	"context"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/anode-go/anode/orm"
)

// ModelForm is a form generated from an ORM model: its fields, kinds,
// labels, help texts, lengths, choices and requiredness come from the
// model's metadata, its values bind straight into an instance of the model,
// and Save writes that instance in a transaction. A foreign key is a choice
// of the related objects (all of them, up to MaxRelatedChoices, labelled by
// their String method; SetChoices with ChoicesFrom narrows them). Unique
// fields and the model's UniqueTogether sets are checked against the
// database when binding; a constraint the database still reports when saving
// becomes a form error too. A ModelForm is used by one goroutine.
type ModelForm[T any] struct {
	// Instance is the object edited: a copy of the one given to
	// NewModelForm (or T's zero value with field defaults for a new one).
	// Bind sets its form fields; Save writes it.
	Instance T
	// Prefix, Limits and Location are as on Form.
	Prefix   string
	Limits   Limits
	Location *time.Location

	db     *orm.DB
	model  *orm.Model
	adding bool
	st     state
}

type modelMetaKey struct {
	t      reflect.Type
	fields string
}

var modelMetas sync.Map // modelMetaKey → metaResult

// NewModelForm returns an unbound form over the model T of db's registry:
// for editing instance, or for a new object when instance is nil. fields
// names the model fields the form has (Go or column names, or the Go names of
// many-to-many fields), in order; none means every field a form can edit
// (all but an auto-increment or UUID key, which Create assigns, and bytes,
// which have no input). A many-to-many field is a multiple
// choice of the related objects' keys; for an instance, NewModelForm reads
// the current ones (the only I/O it does). The error is a *DeclarationError
// for a field that does not exist or cannot be edited, or a database error.
func NewModelForm[T any](ctx context.Context, db *orm.DB, instance *T, fields ...string) (*ModelForm[T], error) {
	m, err := orm.ModelOf[T](db.Registry())
	if err != nil {
		return nil, err
	}
	key := modelMetaKey{m.Type, strings.Join(fields, ",")}
	r, ok := modelMetas.Load(key)
	if !ok {
		mm, err := buildModelMeta(m, fields)
		r, _ = modelMetas.LoadOrStore(key, metaResult{mm, err})
	}
	if err := r.(metaResult).err; err != nil {
		return nil, err
	}
	mf := &ModelForm[T]{db: db, model: m, adding: instance == nil}
	mf.st.meta = r.(metaResult).m
	if err := mf.loadRelatedChoices(ctx); err != nil {
		return nil, err
	}
	if instance != nil {
		mf.Instance = *instance
		for _, f := range mf.st.meta.fields {
			if f.many == nil {
				continue
			}
			keys, err := orm.ManyKeysOf(db, instance, f.many.Name).Keys(ctx)
			if err != nil {
				return nil, err
			}
			v := reflect.MakeSlice(f.ft, 0, len(keys))
			for _, k := range keys {
				kv := reflect.ValueOf(k)
				if !kv.Type().ConvertibleTo(f.elem) {
					return nil, fmt.Errorf("forms: %s.%s: key %v does not fit %s", m.Label(), f.many.Name, k, f.elem)
				}
				v = reflect.Append(v, kv.Convert(f.elem))
			}
			mf.sync()
			mf.st.set(f, v)
		}
	} else {
		v := reflect.ValueOf(&mf.Instance).Elem()
		for _, f := range m.Fields {
			if f.Default != nil && f.Kind != orm.KindForeignKey {
				fv := v.FieldByName(f.Name)
				if dv := reflect.ValueOf(f.Default); dv.Type().AssignableTo(fv.Type()) {
					fv.Set(dv)
				}
			}
		}
	}
	return mf, nil
}

// MaxRelatedChoices is how many related objects a ModelForm offers as the
// choices of a foreign key or many-to-many field. A related model with
// more rows gets none: its field takes a key, which the database's
// constraint checks (set choices of your own with SetChoices, e.g. a
// filtered ChoicesFrom, for such a model).
const MaxRelatedChoices = 1000

// loadRelatedChoices offers the related objects as the choices of every
// foreign key and many-to-many field, labelled by their String method, as
// Django's ModelChoiceField does.
func (mf *ModelForm[T]) loadRelatedChoices(ctx context.Context) error {
	for _, f := range mf.st.meta.fields {
		var related *orm.Model
		switch {
		case f.fk && f.model != nil:
			related = f.model.Related
		case f.many != nil:
			related = f.many.Related
		}
		if related == nil {
			continue
		}
		rows, more, err := orm.RowChoices(ctx, mf.db, related, MaxRelatedChoices)
		if err != nil {
			return err
		}
		if more {
			continue
		}
		choices := make([]Choice, len(rows))
		for i, c := range rows {
			choices[i] = Choice{Value: fmt.Sprint(c.Key), Label: c.Label}
		}
		mf.st.setChoices(f.name, choices)
	}
	return nil
}

func buildModelMeta(m *orm.Model, names []string) (*meta, error) {
	mt := &meta{typ: m.Type, byName: map[string]*field{}}
	fail := func(field, reason string) error {
		return &DeclarationError{Form: "ModelForm[" + m.Label() + "]", Field: field, Reason: reason}
	}
	var ofs []*orm.Field
	var many []*orm.ManyToMany
	if len(names) == 0 {
		for _, of := range m.Fields {
			if of.PrimaryKey && (of.AutoIncrement || of.Kind == orm.KindUUID) || editable(of) != "" {
				continue
			}
			ofs = append(ofs, of)
		}
		many = m.ManyToMany
	}
	for _, n := range names {
		of, ok := m.Field(n)
		if !ok {
			if mm := manyField(m, n); mm != nil {
				many = append(many, mm)
				continue
			}
			return nil, fail(n, fmt.Sprintf("no such model field (fields: %s)", strings.Join(m.FieldNames(), ", ")))
		}
		if why := editable(of); why != "" {
			return nil, fail(of.Name, why)
		}
		ofs = append(ofs, of)
	}
	for _, of := range ofs {
		sf, _ := m.Type.FieldByName(of.Name)
		f := &field{index: sf.Index, ft: sf.Type, goName: of.Name, name: snakeCase(of.Name), minLen: -1, maxLen: -1, places: -1,
			help: of.HelpText, label: capitalize(of.VerboseName), model: of}
		t := sf.Type
		if of.Kind == orm.KindForeignKey {
			idf, _ := t.FieldByName("ID")
			f.index = append(append([]int{}, sf.Index...), idf.Index...)
			f.ft = idf.Type
			t = idf.Type
			f.fk = true
		}
		if err := f.setType(t); err != nil {
			return nil, fail(of.Name, err.Error())
		}
		for _, c := range of.Choices {
			f.choices = append(f.choices, Choice{Value: fmt.Sprint(c.Value), Label: c.Label})
		}
		if of.MaxLength > 0 {
			f.maxLen = of.MaxLength
		}
		if of.Kind == orm.KindDecimal {
			f.places = of.Places
		}
		f.required = !of.Null && f.base != baseBool
		switch {
		case f.fk || len(f.choices) > 0:
			f.kind = KindChoice
		case of.Kind == orm.KindText:
			f.kind = KindTextarea
		default:
			f.kind = f.defaultKind()
		}
		mt.fields = append(mt.fields, f)
		mt.byName[f.name] = f
		mt.byName[f.goName] = f
	}
	for _, mm := range many {
		key := mm.Related.PK.ValueType()
		f := &field{ft: reflect.SliceOf(key), goName: mm.Name, name: snakeCase(mm.Name), minLen: -1, maxLen: -1, places: -1,
			label: labelFor(mm.Name), kind: KindMultipleChoice, fk: true, many: mm}
		if err := f.setType(f.ft); err != nil {
			return nil, fail(mm.Name, err.Error())
		}
		mt.fields = append(mt.fields, f)
		mt.byName[f.name] = f
		mt.byName[f.goName] = f
	}
	return mt, nil
}

// manyField returns m's many-to-many field with the Go or snake-case name.
func manyField(m *orm.Model, name string) *orm.ManyToMany {
	for _, mm := range m.ManyToMany {
		if mm.Name == name || snakeCase(mm.Name) == name {
			return mm
		}
	}
	return nil
}

// editable says why a model field cannot be in a ModelForm, or "". Bytes
// have no input a person types: a file upload would be one, and the view
// decides how to store it, as Django's BinaryField is not editable.
func editable(of *orm.Field) string {
	if of.Kind == orm.KindBytes {
		return fmt.Sprintf("a %s field has no form input (upload a file with a *forms.File field and store it yourself)", of.Kind)
	}
	return ""
}

func capitalize(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

func (mf *ModelForm[T]) sync() {
	mf.st.prefix = mf.Prefix
	mf.st.loc = mf.Location
	if mf.st.loc == nil {
		mf.st.loc = time.UTC
	}
	mf.st.data = reflect.ValueOf(&mf.Instance).Elem()
}

// Bind reads and validates the request's data as Form.Bind does, then checks
// the unique fields and UniqueTogether sets against the database. The error
// is a *RequestError for a refused body, or a database error.
func (mf *ModelForm[T]) Bind(r *http.Request) error {
	lim := mf.Limits.withDefaults()
	mf.st.maxFile = lim.MaxFileBytes
	sub, err := readRequest(r, lim)
	if err != nil {
		return err
	}
	return mf.bind(r.Context(), sub)
}

// BindValues binds and validates data already parsed, as Form.BindValues.
func (mf *ModelForm[T]) BindValues(ctx context.Context, values url.Values) error {
	if values == nil {
		values = url.Values{}
	}
	return mf.bind(ctx, &submission{values: values})
}

func (mf *ModelForm[T]) bind(ctx context.Context, sub *submission) error {
	mf.sync()
	if err := mf.st.bind(ctx, sub); err != nil {
		return err
	}
	return mf.validateUnique(ctx)
}

// pkValue returns the instance's primary key.
func (mf *ModelForm[T]) pkValue() any {
	return reflect.ValueOf(&mf.Instance).Elem().FieldByName(mf.model.PK.Name).Interface()
}

// lookupValue returns a form field's value for a query filter, false when it
// is NULL (which never conflicts).
func (mf *ModelForm[T]) lookupValue(f *field) (any, bool) {
	v := mf.st.value(f)
	switch {
	case f.ptr:
		if v.IsNil() {
			return nil, false
		}
		v = v.Elem()
	case f.null:
		if !v.Field(1).Bool() {
			return nil, false
		}
		v = v.Field(0)
	}
	if f.fk && f.model.Null && v.IsZero() {
		return nil, false
	}
	return v.Interface(), true
}

// validateUnique checks unique fields and UniqueTogether sets whose fields
// are all valid, excluding the instance itself.
func (mf *ModelForm[T]) validateUnique(ctx context.Context) error {
	others := func() *orm.QuerySet[T] {
		q := orm.From[T](mf.db)
		if !mf.adding {
			q = q.Exclude(mf.model.PK.Name, mf.pkValue())
		}
		return q
	}
	for _, f := range mf.st.meta.fields {
		if f.model == nil || !f.model.Unique || len(mf.st.errors.Field(f.name)) > 0 {
			continue
		}
		v, ok := mf.lookupValue(f)
		if !ok {
			continue
		}
		taken, err := others().Filter(f.model.Name, v).Exists(ctx)
		if err != nil {
			return err
		}
		if taken {
			mf.st.errors.Add(mf.uniqueError(f))
		}
	}
sets:
	for _, set := range mf.model.Meta.UniqueTogether {
		q := others()
		var labels []string
		for _, name := range set {
			f := mf.st.meta.field(name)
			if f == nil {
				if of, ok := mf.model.Field(name); ok {
					f = mf.st.meta.field(of.Name)
				}
			}
			if f == nil || f.model == nil || len(mf.st.errors.Field(f.name)) > 0 {
				continue sets // a field outside the form, or already invalid
			}
			v, ok := mf.lookupValue(f)
			if !ok {
				continue sets
			}
			q = q.Filter(f.model.Name, v)
			labels = append(labels, f.label)
		}
		taken, err := q.Exists(ctx)
		if err != nil {
			return err
		}
		if taken {
			mf.st.errors.Add(newError("", "unique_together", map[string]any{"model": capitalize(mf.verboseName()), "fields": strings.Join(labels, " and ")}))
		}
	}
	return nil
}

func (mf *ModelForm[T]) verboseName() string {
	if n := mf.model.Meta.VerboseName; n != "" {
		return n
	}
	return strings.ReplaceAll(snakeCase(mf.model.Name), "_", " ")
}

func (mf *ModelForm[T]) uniqueError(f *field) *Error {
	return newError(f.name, "unique", map[string]any{"model": capitalize(mf.verboseName()), "field": strings.ToLower(f.label)})
}

// Save writes the instance in a transaction: it creates a new object or
// updates the edited one. It returns the form's *Errors, without writing,
// when the form is not valid, and also when the database refuses the write
// with a constraint violation it can pin on a field (a unique value taken
// since Bind, a related object deleted): the form is then invalid and shows
// the error. Other failures are returned as they are.
func (mf *ModelForm[T]) Save(ctx context.Context) error {
	if !mf.Valid() {
		if !mf.st.bound {
			return errors.New("forms: Save on a form that is not bound")
		}
		return mf.Err()
	}
	var blame *field
	err := mf.db.Atomic(ctx, func(ctx context.Context) error {
		var err error
		if mf.adding {
			err = orm.Create(ctx, mf.db, &mf.Instance)
		} else {
			err = orm.Save(ctx, mf.db, &mf.Instance)
		}
		if err != nil {
			return err
		}
		return mf.saveMany(ctx, &blame)
	})
	var ie *orm.IntegrityError
	if !errors.As(err, &ie) {
		if err != nil && mf.adding {
			mf.resetKey()
		}
		return err
	}
	if mf.adding {
		mf.resetKey()
	}
	if blame != nil && ie.Kind == orm.IntegrityForeignKey {
		mf.st.errors.Add(newError(blame.name, "invalid_choice", map[string]any{"value": fmt.Sprint(mf.st.value(blame).Interface())}))
	} else {
		mf.st.errors.Add(mf.integrityError(ie))
	}
	return mf.Err()
}

// saveMany sets the many-to-many relations of the saved instance; blame is
// the field being saved when it fails.
func (mf *ModelForm[T]) saveMany(ctx context.Context, blame **field) error {
	mf.sync()
	for _, f := range mf.st.meta.fields {
		if f.many == nil {
			continue
		}
		v := mf.st.value(f)
		keys := make([]any, v.Len())
		for i := range keys {
			keys[i] = v.Index(i).Interface()
		}
		*blame = f
		if err := orm.ManyKeysOf(mf.db, &mf.Instance, f.many.Name).Set(ctx, keys...); err != nil {
			return err
		}
	}
	*blame = nil
	return nil
}

// resetKey clears an auto-increment key a rolled-back Create had set, so a
// second Save creates again.
func (mf *ModelForm[T]) resetKey() {
	if mf.model.PK.AutoIncrement {
		reflect.ValueOf(&mf.Instance).Elem().FieldByName(mf.model.PK.Name).SetZero()
	}
}

// integrityError turns a constraint violation into a form error: on the
// field whose column it names when there is one.
func (mf *ModelForm[T]) integrityError(ie *orm.IntegrityError) *Error {
	var f *field
	if len(ie.Columns) == 1 {
		if of, ok := mf.model.Field(ie.Columns[0]); ok {
			f = mf.st.meta.field(of.Name)
		}
	}
	switch {
	case f != nil && ie.Kind == orm.IntegrityUnique:
		return mf.uniqueError(f)
	case f != nil && ie.Kind == orm.IntegrityForeignKey:
		return newError(f.name, "invalid_choice", map[string]any{"value": fmt.Sprint(mf.st.value(f).Interface())})
	case f != nil && ie.Kind == orm.IntegrityNotNull:
		return newError(f.name, "required", nil)
	case ie.Kind == orm.IntegrityUnique:
		return newError("", "unique_together", map[string]any{"model": capitalize(mf.verboseName()), "fields": strings.Join(ie.Columns, ", ")})
	}
	return newError("", "constraint", map[string]any{"constraint": ie.Constraint})
}

// Adding reports whether the form creates a new object (NewModelForm was
// given no instance).
func (mf *ModelForm[T]) Adding() bool { return mf.adding }

// IsBound reports whether the form has been bound to submitted data.
func (mf *ModelForm[T]) IsBound() bool { return mf.st.bound }

// Valid reports whether the form is bound and has no errors.
func (mf *ModelForm[T]) Valid() bool { return mf.st.bound && mf.st.errors.Len() == 0 }

// Errors returns the form's errors.
func (mf *ModelForm[T]) Errors() *Errors { return &mf.st.errors }

// Err returns the errors as an error, or nil when there are none.
func (mf *ModelForm[T]) Err() error {
	if mf.st.errors.Len() == 0 {
		return nil
	}
	return &mf.st.errors
}

// SetChoices sets a choice field's choices, as Form.SetChoices; for a
// foreign key, the related objects (see ChoicesFrom).
func (mf *ModelForm[T]) SetChoices(field string, choices []Choice) {
	mf.sync()
	mf.st.setChoices(field, choices)
}

// Field returns the named field, as Form.Field.
func (mf *ModelForm[T]) Field(name string) (*BoundField, error) {
	mf.sync()
	return mf.st.field(name)
}

// Fields returns every field in order.
func (mf *ModelForm[T]) Fields() []*BoundField {
	mf.sync()
	return mf.st.fields()
}

// NonFieldErrors returns the errors about the form as a whole, as HTML.
func (mf *ModelForm[T]) NonFieldErrors() htmltemplate.HTML {
	mf.sync()
	return mf.st.nonFieldErrors()
}

// HTML returns every field as a row, as Form.HTML.
func (mf *ModelForm[T]) HTML() htmltemplate.HTML {
	mf.sync()
	return mf.st.html()
}

// ChoicesFrom runs a query and returns its rows as choices: the primary key
// as the value and label(row) as the label (the row's String method, or its
// key, when label is nil). Use it for a ModelForm's foreign keys:
//
//	qs, err := forms.ChoicesFrom(ctx, orm.From[Question](db).OrderBy("text"), Question.Label)
//	form.SetChoices("question", qs)
func ChoicesFrom[R any](ctx context.Context, q *orm.QuerySet[R], label func(R) string) ([]Choice, error) {
	m := q.Model()
	if m == nil {
		return nil, q.Err()
	}
	rows, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Choice, len(rows))
	for i, row := range rows {
		key := fmt.Sprint(reflect.ValueOf(row).FieldByName(m.PK.Name).Interface())
		l := key
		switch {
		case label != nil:
			l = label(row)
		default:
			if s, ok := any(row).(fmt.Stringer); ok {
				l = s.String()
			}
		}
		out[i] = Choice{Value: key, Label: l}
	}
	return out, nil
}
