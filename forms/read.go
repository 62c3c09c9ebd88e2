package forms

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// submission is a request body read and checked against the limits, before
// any form field is touched.
type submission struct {
	values    map[string][]string
	files     map[string][]*File
	lists     map[string]bool   // JSON: the value was an array
	typeErrs  map[string]string // JSON: the value had a shape no field takes
	malformed bool
	temps     []string // temporary files to remove
}

func (s *submission) removeTemps() {
	for _, p := range s.temps {
		os.Remove(p)
	}
	s.temps = nil
}

// errBodyCap is returned by capReader past its limit.
var errBodyCap = errors.New("forms: body over limit")

// capReader reads at most left bytes and then fails with errBodyCap, so a
// body over the limit is never read whole.
type capReader struct {
	r    io.Reader
	left int64
}

func (c *capReader) Read(p []byte) (int, error) {
	if c.left < 0 {
		return 0, errBodyCap
	}
	if int64(len(p)) > c.left+1 {
		p = p[:c.left+1]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	if c.left < 0 {
		return n, errBodyCap
	}
	return n, err
}

// readRequest reads the request's form data: the query string for GET and
// HEAD, the body otherwise (urlencoded, multipart or JSON). A body over the
// limits is a *RequestError; a body that cannot be parsed is a submission
// marked malformed (a form error, not a refused request).
func readRequest(r *http.Request, lim Limits) (*submission, error) {
	sub := &submission{values: map[string][]string{}}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return sub, readURLEncoded(r.URL.RawQuery, lim, sub)
	}
	if r.ContentLength > lim.MaxBytes {
		return nil, &RequestError{Err: ErrBodyTooLarge, Limit: lim.MaxBytes}
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" && (r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0) {
		return sub, nil
	}
	media, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return nil, &RequestError{Err: ErrUnsupportedMediaType, Media: truncate(ct, 100)}
	}
	body := &capReader{r: r.Body, left: lim.MaxBytes}
	switch {
	case media == "application/x-www-form-urlencoded":
		b, err := io.ReadAll(body)
		if err != nil {
			return readFailed(sub, err, lim)
		}
		return sub, readURLEncoded(string(b), lim, sub)
	case media == "multipart/form-data":
		if params["boundary"] == "" {
			sub.malformed = true
			return sub, nil
		}
		if err := readMultipart(multipart.NewReader(body, params["boundary"]), lim, sub); err != nil {
			return readFailed(sub, err, lim)
		}
		return sub, nil
	case media == "application/json" || strings.HasPrefix(media, "application/") && strings.HasSuffix(media, "+json"):
		b, err := io.ReadAll(body)
		if err != nil {
			return readFailed(sub, err, lim)
		}
		return sub, readJSON(b, lim, sub)
	}
	return nil, &RequestError{Err: ErrUnsupportedMediaType, Media: truncate(media, 100)}
}

// readFailed sorts a read error: over a limit refuses the request (and
// drops what was read), anything else marks the data malformed.
func readFailed(sub *submission, err error, lim Limits) (*submission, error) {
	var re *RequestError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &re):
	case errors.Is(err, errBodyCap):
		re = &RequestError{Err: ErrBodyTooLarge, Limit: lim.MaxBytes}
	case errors.As(err, &mbe):
		re = &RequestError{Err: ErrBodyTooLarge, Limit: mbe.Limit}
	default:
		sub.removeTemps()
		return &submission{values: map[string][]string{}, malformed: true}, nil
	}
	sub.removeTemps()
	return nil, re
}

func readURLEncoded(s string, lim Limits, sub *submission) error {
	n := 0
	for part := range strings.SplitSeq(s, "&") {
		if part != "" {
			n++
		}
	}
	if n > lim.MaxFields {
		return &RequestError{Err: ErrTooManyFields, Limit: int64(lim.MaxFields)}
	}
	vs, err := url.ParseQuery(s)
	if err != nil {
		sub.malformed = true
		return nil
	}
	sub.values = vs
	return nil
}

func readMultipart(mr *multipart.Reader, lim Limits, sub *submission) error {
	budget := lim.MaxMemory
	nFields, nFiles := 0, 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := p.FormName()
		if p.FileName() == "" {
			nFields++
			if nFields > lim.MaxFields {
				return &RequestError{Err: ErrTooManyFields, Limit: int64(lim.MaxFields)}
			}
			b, err := io.ReadAll(p)
			if err != nil {
				return err
			}
			if name != "" {
				sub.values[name] = append(sub.values[name], string(b))
			}
			continue
		}
		nFiles++
		if nFiles > lim.MaxFiles {
			return &RequestError{Err: ErrTooManyFiles, Limit: int64(lim.MaxFiles)}
		}
		f, err := readFile(p, lim, &budget, sub)
		if err != nil {
			return err
		}
		if name != "" {
			if sub.files == nil {
				sub.files = map[string][]*File{}
			}
			sub.files[name] = append(sub.files[name], f)
		}
	}
}

// sniffLen is how much http.DetectContentType looks at.
const sniffLen = 512

func readFile(p *multipart.Part, lim Limits, budget *int64, sub *submission) (*File, error) {
	f := &File{Filename: p.FileName(), Header: p.Header}
	w := &fileWriter{f: f, budget: budget}
	var head [sniffLen]byte
	hn, err := io.ReadFull(p, head[:])
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, err
	}
	f.ContentType = http.DetectContentType(head[:hn])
	w.Write(head[:hn])
	n, err := io.Copy(w, io.LimitReader(p, lim.MaxFileBytes+1-int64(hn)))
	if f.path != "" {
		sub.temps = append(sub.temps, f.path)
	}
	if err != nil {
		w.close()
		return nil, err
	}
	f.Size = int64(hn) + n
	if f.Size > lim.MaxFileBytes {
		f.tooLarge = true
		if _, err := io.Copy(io.Discard, p); err != nil {
			w.close()
			return nil, err
		}
		w.buf = bytes.Buffer{}
	}
	if err := w.close(); err != nil {
		return nil, err
	}
	if f.tooLarge {
		f.data = nil
		if f.path != "" {
			os.Remove(f.path)
			f.path = ""
		}
	}
	return f, nil
}

func readJSON(b []byte, lim Limits, sub *submission) error {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil || obj == nil {
		sub.malformed = true
		return nil
	}
	if _, err := dec.Token(); err != io.EOF {
		sub.malformed = true
		return nil
	}
	n := 0
	for _, v := range obj {
		if l, ok := v.([]any); ok {
			n += len(l)
		} else {
			n++
		}
	}
	if n > lim.MaxFields {
		return &RequestError{Err: ErrTooManyFields, Limit: int64(lim.MaxFields)}
	}
	sub.lists = map[string]bool{}
	sub.typeErrs = map[string]string{}
	for k, v := range obj {
		if l, ok := v.([]any); ok {
			sub.lists[k] = true
			vs := make([]string, 0, len(l))
			for _, e := range l {
				s, ok := jsonScalar(e)
				if !ok {
					sub.typeErrs[k] = "invalid_type"
				}
				vs = append(vs, s)
			}
			sub.values[k] = vs
			continue
		}
		if v == nil {
			continue
		}
		s, ok := jsonScalar(v)
		if !ok {
			sub.typeErrs[k] = "invalid_type"
		}
		sub.values[k] = []string{s}
	}
	return nil
}

func jsonScalar(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	case nil:
		return "", true
	}
	return "", false
}
