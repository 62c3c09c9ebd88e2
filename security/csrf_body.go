package security

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
)

// maxMultipartScan bounds what the check reads of a multipart body before
// the token field: the fields in front of it (files end the scan).
const maxMultipartScan = 1 << 20

// replayBody is a request body whose first bytes were read by the check
// and are served again before the rest.
type replayBody struct {
	io.Reader
	io.Closer
}

// formToken reads the csrf_token field of a urlencoded or multipart body
// and restores r.Body so the handler reads the whole body. Other bodies
// (JSON) carry the token in the header only: "" without reading anything.
// A body over its limit returns the *http.MaxBytesError.
func (c *CSRF) formToken(r *http.Request) (string, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return "", nil
	}
	media, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		return "", nil
	}
	switch media {
	case "application/x-www-form-urlencoded":
		return c.urlencodedToken(r)
	case "multipart/form-data":
		if params["boundary"] == "" {
			return "", nil
		}
		return multipartToken(r, params["boundary"])
	}
	return "", nil
}

func (c *CSRF) urlencodedToken(r *http.Request) (string, error) {
	limit := c.opts.MaxFormBytes
	if r.ContentLength > limit {
		return "", &http.MaxBytesError{Limit: limit}
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	r.Body = replayBody{io.MultiReader(bytes.NewReader(b), r.Body), r.Body}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return "", err
	case err != nil:
		return "", nil // a broken body: the handler meets the same error
	case int64(len(b)) > limit:
		return "", &http.MaxBytesError{Limit: limit}
	}
	// A malformed pair elsewhere in the body does not hide the token.
	v, _ := url.ParseQuery(string(b))
	return v.Get(CSRFFieldName), nil
}

// multipartToken reads parts up to the token field, stopping at the first
// file: browsers send fields in document order, and {{.CSRFField}} comes
// first in a form, so the token is found without reading any upload.
func multipartToken(r *http.Request, boundary string) (string, error) {
	var seen bytes.Buffer
	orig := r.Body
	mr := multipart.NewReader(io.TeeReader(io.LimitReader(orig, maxMultipartScan), &seen), boundary)
	token, err := scanParts(mr)
	r.Body = replayBody{io.MultiReader(bytes.NewReader(seen.Bytes()), orig), orig}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return "", err
	}
	return token, nil
}

func scanParts(mr *multipart.Reader) (string, error) {
	for {
		p, err := mr.NextPart()
		if err != nil {
			return "", err
		}
		if p.FileName() != "" {
			return "", nil
		}
		if p.FormName() == CSRFFieldName {
			b, err := io.ReadAll(io.LimitReader(p, maxTokenLength+1))
			if err != nil {
				return "", err
			}
			return string(b), nil
		}
		if _, err := io.Copy(io.Discard, p); err != nil {
			return "", err
		}
	}
}
