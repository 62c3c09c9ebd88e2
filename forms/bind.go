package forms

import (
	"context"
	"fmt"
	"reflect"
	"strings"
)

// value returns the field's current value: the struct field, or the value
// kept outside the struct for a field that has none.
func (st *state) value(f *field) reflect.Value {
	if f.index == nil {
		if v, ok := st.outside[f.name]; ok {
			return v
		}
		return reflect.Zero(f.ft)
	}
	return st.data.FieldByIndex(f.index)
}

// set stores a field's cleaned value (or its zero value when v is invalid).
func (st *state) set(f *field, v reflect.Value) {
	if !v.IsValid() {
		v = reflect.Zero(f.ft)
	}
	if f.index == nil {
		if st.outside == nil {
			st.outside = map[string]reflect.Value{}
		}
		st.outside[f.name] = v
		return
	}
	st.data.FieldByIndex(f.index).Set(v)
}

// full returns the name a field is submitted under.
func (st *state) full(f *field) string {
	if st.prefix == "" {
		return f.name
	}
	return st.prefix + "-" + f.name
}

func (st *state) choicesOf(f *field) []Choice {
	if c, ok := st.choices[f.name]; ok {
		return c
	}
	return f.choices
}

// bind cleans every field of the submission into the struct, then runs the
// form's Clean hook when every field is valid.
func (st *state) bind(ctx context.Context, sub *submission) error {
	st.bound = true
	st.values, st.files, st.lists, st.temps = sub.values, sub.files, sub.lists, append(st.temps, sub.temps...)
	st.errors = Errors{}
	if sub.malformed {
		st.errors.Add(newError("", "malformed", nil))
		return nil
	}
	form := st.data.Addr()
	for _, f := range st.meta.fields {
		full := st.full(f)
		if key := sub.typeErrs[full]; key != "" {
			st.errors.Add(newError(f.name, key, nil))
			st.set(f, reflect.Value{})
			continue
		}
		v, errs := st.cleanField(f, full, sub)
		if v.IsValid() && f.clean.IsValid() && len(errs) == 0 {
			out, err := f.callClean(ctx, form, v)
			if err != nil {
				es, ok := splitErrors(err, f.name)
				if !ok {
					return fmt.Errorf("forms: %s.Clean%s: %w", st.meta.typ, f.goName, err)
				}
				errs = es
			} else {
				v = out
			}
		}
		if len(errs) > 0 || !v.IsValid() {
			st.set(f, reflect.Value{})
			for _, e := range errs {
				st.errors.Add(e)
			}
			continue
		}
		st.set(f, v)
	}
	if st.errors.Len() > 0 {
		return nil
	}
	var err error
	switch c := form.Interface().(type) {
	case interface{ Clean(context.Context) error }:
		err = c.Clean(ctx)
	case interface{ Clean() error }:
		err = c.Clean()
	}
	if err != nil {
		es, ok := splitErrors(err, "")
		if !ok {
			return fmt.Errorf("forms: %s.Clean: %w", st.meta.typ, err)
		}
		for _, e := range es {
			if e.Field != "" {
				fl := st.meta.field(e.Field)
				if fl == nil {
					return fmt.Errorf("forms: %s.Clean: error for unknown field %q: %w", st.meta.typ, e.Field, err)
				}
				e.Field = fl.name
			}
			st.errors.Add(e)
		}
	}
	return nil
}

// cleanField parses and validates one field's submitted data into a value of
// the struct field's type (invalid when there are errors).
func (st *state) cleanField(f *field, full string, sub *submission) (reflect.Value, []*Error) {
	ft := f.ft
	if f.base == baseFile {
		return st.cleanFiles(f, ft, sub.files[full])
	}
	raw := sub.values[full]
	if f.multi {
		out := reflect.MakeSlice(ft, 0, len(raw))
		choices := st.choicesOf(f)
		for _, s := range raw {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if !checkText(s) {
				return reflect.Value{}, []*Error{newError(f.name, "invalid_text", nil)}
			}
			v, key := f.parse(s, st.loc)
			if key != "" {
				return reflect.Value{}, []*Error{newError(f.name, key, nil)}
			}
			if e := f.validate(f.name, s, v, choices); e != nil {
				return reflect.Value{}, []*Error{e}
			}
			out = reflect.Append(out, v)
		}
		return out, st.checkCount(f, out.Len())
	}
	if sub.lists[full] && len(raw) != 1 {
		return reflect.Value{}, []*Error{newError(f.name, "multiple_values", nil)}
	}
	s := ""
	if len(raw) > 0 {
		s = raw[len(raw)-1] // the last, as a checkbox after its hidden fallback
	}
	if f.kind != KindPassword {
		s = strings.TrimSpace(s)
	}
	if !checkText(s) {
		return reflect.Value{}, []*Error{newError(f.name, "invalid_text", nil)}
	}
	if f.base == baseBool {
		v, key := f.parse(s, st.loc)
		switch {
		case key != "":
			return reflect.Value{}, []*Error{newError(f.name, key, nil)}
		case f.required && !v.Bool():
			return reflect.Value{}, []*Error{newError(f.name, "required", nil)}
		case s == "" && (f.ptr || f.null):
			return reflect.Zero(ft), nil
		}
		return f.wrap(v), nil
	}
	if s == "" {
		if f.required {
			return reflect.Value{}, []*Error{newError(f.name, "required", nil)}
		}
		return reflect.Zero(ft), nil
	}
	if f.kind == KindURL && !strings.Contains(s, "://") && !strings.HasPrefix(s, "/") {
		s = "https://" + s
	}
	v, key := f.parse(s, st.loc)
	if key != "" {
		return reflect.Value{}, []*Error{newError(f.name, key, nil)}
	}
	if e := f.validate(f.name, s, v, st.choicesOf(f)); e != nil {
		return reflect.Value{}, []*Error{e}
	}
	return f.wrap(v), nil
}

// wrap turns a parsed value into the struct field's type: a pointer to it,
// or a valid orm.Null holding it, for optional fields.
func (f *field) wrap(v reflect.Value) reflect.Value {
	switch {
	case f.ptr:
		p := reflect.New(f.ft.Elem())
		p.Elem().Set(v)
		return p
	case f.null:
		n := reflect.New(f.ft).Elem()
		n.Field(0).Set(v)
		n.Field(1).SetBool(true)
		return n
	}
	return v
}

func (st *state) checkCount(f *field, n int) []*Error {
	switch {
	case n == 0 && f.required:
		return []*Error{newError(f.name, "required", nil)}
	case n == 0:
		return nil
	case f.minLen >= 0 && n < f.minLen:
		return []*Error{newError(f.name, "min_count", map[string]any{"min": f.minLen})}
	case f.maxLen >= 0 && n > f.maxLen:
		if f.base == baseFile {
			return []*Error{newError(f.name, "max_files", map[string]any{"max": f.maxLen})}
		}
		return []*Error{newError(f.name, "max_count", map[string]any{"max": f.maxLen})}
	}
	return nil
}

func (st *state) cleanFiles(f *field, ft reflect.Type, files []*File) (reflect.Value, []*Error) {
	var kept []*File
	for _, fl := range files {
		if fl.Filename == "" && fl.Size == 0 {
			continue // an empty file input
		}
		if fl.tooLarge || f.maxSize > 0 && fl.Size > f.maxSize {
			max := f.maxSize
			if max == 0 || fl.tooLarge {
				max = st.fileLimit(f)
			}
			return reflect.Value{}, []*Error{newError(f.name, "file_too_large", map[string]any{"max": max})}
		}
		if len(f.accept) > 0 && !accepts(f.accept, fl.ContentType) {
			ct, _, _ := strings.Cut(fl.ContentType, ";")
			return reflect.Value{}, []*Error{newError(f.name, "file_type", map[string]any{"type": ct, "allowed": strings.Join(f.accept, ", ")})}
		}
		kept = append(kept, fl)
	}
	if errs := st.checkCount(f, len(kept)); errs != nil {
		return reflect.Value{}, errs
	}
	if f.multi {
		return reflect.ValueOf(kept), nil
	}
	if len(kept) == 0 {
		return reflect.Zero(ft), nil
	}
	return reflect.ValueOf(kept[0]), nil
}

// fileLimit is the per-file limit in force for f.
func (st *state) fileLimit(f *field) int64 {
	if f.maxSize > 0 {
		return f.maxSize
	}
	if st.maxFile > 0 {
		return st.maxFile
	}
	return Limits{}.withDefaults().MaxFileBytes
}

// accepts reports whether a sniffed content type matches one of the allowed
// patterns ("image/png", "image/*").
func accepts(allowed []string, ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	ct = strings.TrimSpace(ct)
	for _, a := range allowed {
		if a == ct || strings.HasSuffix(a, "/*") && strings.HasPrefix(ct, a[:len(a)-1]) {
			return true
		}
	}
	return false
}
