package static

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"time"
)

// serveLive serves name in debug mode, reading it from the sources again so
// that edits and new files show at once.
func (s *Server) serveLive(w http.ResponseWriter, r *http.Request, name string) {
	data, modtime, err := s.readLive(name)
	if err != nil {
		// A hashed URL rendered by a production build is still served
		// while its hash matches, as it would be in production.
		base, hash, ok := unhashedName(name)
		if !ok {
			s.fail(w, r, http.StatusNotFound)
			return
		}
		if data, modtime, err = s.readLive(base); err != nil {
			s.fail(w, r, http.StatusNotFound)
			return
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:])[:hashLen] != hash {
			s.fail(w, r, http.StatusNotFound)
			return
		}
		name = base
	}
	w.Header().Set("Cache-Control", cacheRevalidate)
	serve(w, r, contentType(name, data), etag(data), modtime, data)
}

// readLive returns the content and modification time of name as debug mode
// resolves it.
func (s *Server) readLive(name string) ([]byte, time.Time, error) {
	f, fi, err := s.openLive(name)
	if err != nil {
		return nil, time.Time{}, err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	return data, fi.ModTime(), err
}

// openLive opens name in the first source holding it as a regular file,
// reading Dir when set and FS otherwise. Like New, it passes over
// directories and precompressed variants of another file of the same
// source. An error other than fs.ErrNotExist, such as a symbolic link
// leading out of Dir, ends the search.
func (s *Server) openLive(name string) (fs.File, fs.FileInfo, error) {
	for _, src := range s.sources {
		f, fi, err := openRegular(src, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		if base, ok := variantBase(name); ok {
			if g, _, err := openRegular(src, base); err == nil {
				g.Close()
				f.Close()
				continue
			}
		}
		return f, fi, nil
	}
	return nil, nil, fs.ErrNotExist
}

// openRegular opens name in src, reporting fs.ErrNotExist for directories
// and anything else that is not a regular file.
func openRegular(src Source, name string) (fs.File, fs.FileInfo, error) {
	var f fs.File
	if src.Dir != "" {
		// os.OpenInRoot refuses ".." and symbolic links leading out of
		// Dir, whatever the caller checked before.
		of, err := os.OpenInRoot(src.Dir, name)
		if err != nil {
			return nil, nil, err
		}
		f = of
	} else {
		var err error
		if f, err = src.FS.Open(name); err != nil {
			return nil, nil, err
		}
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = fs.ErrNotExist
	}
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}
