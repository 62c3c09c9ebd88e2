package forms

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/textproto"
	"os"
)

// File is an uploaded file. Its content is kept in memory or, past
// Limits.MaxMemory, in a temporary file removed when the request ends (or by
// Form.RemoveFiles).
type File struct {
	// Filename is the base name the client sent; never use it as a path.
	Filename string
	// Size is the content's length in bytes.
	Size int64
	// ContentType is sniffed from the content by http.DetectContentType,
	// not taken from the client.
	ContentType string
	// Header is the part's MIME header as the client sent it.
	Header textproto.MIMEHeader

	data     []byte // in memory, or
	path     string // a temporary file
	tooLarge bool   // over Limits.MaxFileBytes: content dropped
}

// Open returns a reader over the content. The caller closes it.
func (f *File) Open() (multipart.File, error) {
	if f.path != "" {
		return os.Open(f.path)
	}
	return nopCloser{bytes.NewReader(f.data)}, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

var _ multipart.File = nopCloser{}

// fileWriter receives one upload, keeping it in memory until the shared
// memory budget is spent, then in a temporary file.
type fileWriter struct {
	f      *File
	buf    bytes.Buffer
	tmp    *os.File
	budget *int64 // memory left for all uploads
}

func (w *fileWriter) Write(p []byte) (int, error) {
	if w.tmp == nil && int64(w.buf.Len()+len(p)) > *w.budget {
		t, err := os.CreateTemp("", "anode-upload-*")
		if err != nil {
			return 0, err
		}
		w.tmp = t
		w.f.path = t.Name()
		if _, err := t.Write(w.buf.Bytes()); err != nil {
			return 0, err
		}
		w.buf = bytes.Buffer{}
	}
	if w.tmp != nil {
		return w.tmp.Write(p)
	}
	return w.buf.Write(p)
}

func (w *fileWriter) close() error {
	if w.tmp != nil {
		return w.tmp.Close()
	}
	w.f.data = w.buf.Bytes()
	*w.budget -= int64(len(w.f.data))
	return nil
}

var _ io.Writer = (*fileWriter)(nil)
