package pagination

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"reflect"
	"strings"
)

// maxCursor bounds the length of a cursor accepted for decoding.
const maxCursor = 2048

var cursorB64 = base64.RawURLEncoding.Strict()

// position is a decoded cursor: the ordering values of the row it starts
// after, and the direction.
type position struct {
	values []any
	back   bool
}

// wireCursor is a cursor's JSON form.
type wireCursor struct {
	O uint32            `json:"o"`           // the keyset's fingerprint
	B bool              `json:"b,omitempty"` // rows before the position
	V []json.RawMessage `json:"v"`           // the ordering values
}

// encode returns the cursor for values, pointing backward when back.
func (ks *keyset) encode(values []any, back bool) string {
	w := wireCursor{O: ks.print, B: back, V: make([]json.RawMessage, len(values))}
	for i, v := range values {
		w.V[i], _ = json.Marshal(v) // values read from rows of the model's field types
	}
	b, _ := json.Marshal(w)
	if ks.signer != nil {
		return ks.signer.Sign(b)
	}
	return cursorB64.EncodeToString(b)
}

// decode checks a cursor strictly and returns its position, or a
// *CursorError.
func (ks *keyset) decode(cursor string) (*position, error) {
	if len(cursor) > maxCursor {
		return nil, &CursorError{Reason: "too long"}
	}
	var payload []byte
	var err error
	if ks.signer != nil {
		if payload, err = ks.signer.Unsign(cursor); err != nil {
			return nil, &CursorError{Reason: "bad signature"}
		}
	} else if payload, err = cursorB64.DecodeString(cursor); err != nil {
		return nil, &CursorError{Reason: "not base64url"}
	}
	dec := json.NewDecoder(bytes.NewReader(payload))
	dec.DisallowUnknownFields()
	var w wireCursor
	if err := dec.Decode(&w); err != nil {
		return nil, &CursorError{Reason: "malformed: " + err.Error()}
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &CursorError{Reason: "trailing data"}
	}
	if w.O != ks.print || len(w.V) != len(ks.types) {
		return nil, &CursorError{Reason: "made for another ordering than " + ks.cursorName()}
	}
	pos := &position{back: w.B, values: make([]any, len(w.V))}
	for i, raw := range w.V {
		if string(raw) == "null" {
			return nil, &CursorError{Reason: "null value for " + ks.terms[i].name}
		}
		v := reflect.New(ks.types[i])
		if err := json.Unmarshal(raw, v.Interface()); err != nil {
			return nil, &CursorError{Reason: ks.terms[i].name + ": " + err.Error()}
		}
		if hasNUL(v.Elem()) {
			return nil, &CursorError{Reason: ks.terms[i].name + ": NUL character"}
		}
		pos.values[i] = v.Elem().Interface()
	}
	return pos, nil
}

// hasNUL reports whether v is a string holding NUL, which PostgreSQL's text
// cannot store (it would fail the query, not match nothing).
func hasNUL(v reflect.Value) bool {
	return v.Kind() == reflect.String && strings.IndexByte(v.String(), 0) >= 0
}
