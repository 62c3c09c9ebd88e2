// Package static serves static files with content-hashed URLs.
//
// Each installed module contributes a [Source], usually an embedded
// [io/fs.FS]. [New] walks every source once, hashes every file and builds a
// manifest, the way Django's ManifestStaticFilesStorage does; [Server.URL]
// then turns a logical name such as "css/site.css" into a URL that changes
// whenever the content does ("/static/css/site.3f2a9c1e.css"), so browsers
// may cache it forever.
//
// # Precedence
//
// Sources are searched in the order given to [New]; when two provide the
// same name the earlier one wins, like Django's STATICFILES_FINDERS. The
// losers are reported by [Server.Overridden] rather than treated as errors,
// because overriding a module's stylesheet is a feature.
//
// # Caching
//
// A request for a hashed name whose hash matches the current content is
// answered with "Cache-Control: public, max-age=31536000, immutable".
// A request for the plain name (for files referenced from CSS, say) is
// served with "Cache-Control: no-cache": caches may keep it but must
// revalidate, which the strong ETag makes a cheap 304. A hashed name whose
// hash does not match the current content is a 404, never the new content:
// answering it would let a cache store today's bytes as immutable under
// yesterday's URL.
//
// Outside debug mode every file is read into memory by [New], so that the
// bytes served always match the hash in the URL and requests touch no file
// system: a map lookup finds the file.
//
// Every response carries a strong ETag, the quoted SHA-256 of the bytes
// sent, and Range and conditional requests are handled by
// [net/http.ServeContent].
//
// # Precompressed files
//
// When a source holds "name.br" or "name.gz" beside "name", those bytes are
// sent instead to clients whose Accept-Encoding allows it (br preferred on a
// tie), with Content-Encoding, the original's Content-Type, its own ETag and
// "Vary: Accept-Encoding". Such variants are not assets of their own: they
// have no URL and are not served directly.
//
// # Debug mode
//
// With [Options.Debug] every request reads the file again, from
// [Source.Dir] when set, so edits show without a rebuild; responses carry
// "Cache-Control: no-cache", [Server.URL] returns unhashed URLs (hashed
// ones are still served while their hash matches), and precompressed
// variants are ignored because they would go stale as soon as the original
// is edited.
//
// # Security
//
// Only GET and HEAD are allowed. Names are checked with [io/fs.ValidPath];
// backslashes, NUL bytes, empty segments and any segment starting with a
// dot are refused with 404, and directories are never listed. On-disk
// directories are read through [os.Root], so neither ".." nor a symbolic
// link can reach a file outside them.
package static

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
)

// ErrNotFound is wrapped by the errors [Server.URL] returns for names that
// are not static files.
var ErrNotFound = errors.New("static: file not found")

// Source is one module's static files.
//
// Name identifies the source in errors and in [Server.Overridden].
// FS holds the files, usually from go:embed. Dir, when set, is the on-disk
// directory holding the same files as FS: in debug mode files are read from
// Dir, so edits show without a rebuild, and FS is used when Dir is empty.
// Outside debug mode FS is used, and Dir only when FS is nil. Dir is read
// through [os.Root]; prefer it to an [os.DirFS] in FS, which follows
// symbolic links out of the directory.
type Source struct {
	Name string
	FS   fs.FS
	Dir  string
}

// Options configures [New]. The zero value serves production files under
// "/static/".
type Options struct {
	// Prefix is the URL path the files are served under; it defaults to
	// "/static/" and is given leading and trailing slashes if it lacks them.
	Prefix string

	// Debug reads files on every request instead of once at start-up; see
	// the package documentation.
	Debug bool

	// Error, when set, writes the response for a 404 or 405 (the App passes its
	// error renderer); by default a plain-text response is written.
	Error func(w http.ResponseWriter, r *http.Request, status int)
}

// Server serves static files and builds their URLs. It is safe for
// concurrent use once [New] has returned it.
type Server struct {
	prefix  string
	debug   bool
	onError func(w http.ResponseWriter, r *http.Request, status int)

	// sources is consulted on every request in debug mode only.
	sources []Source

	// byName and byHashed are the production manifest: logical and hashed
	// names, both relative to prefix, to the same assets.
	byName   map[string]*asset
	byHashed map[string]*asset

	names      []string
	overridden []string
}

// New returns a Server for sources, earlier sources taking precedence.
//
// New walks every source once, skipping dotfiles and dot-directories. Outside
// debug mode it reads every file into memory and names it by the first
// 8 hex digits of the SHA-256 of its content; in debug mode it only records
// the names. Files found in an earlier source are recorded for
// [Server.Overridden]. New returns an error naming the source and the file
// when a source cannot be read, including when a symbolic link leads out of
// Dir, and when a source has neither FS nor Dir.
func New(o Options, sources ...Source) (*Server, error) {
	s := &Server{
		prefix:   cleanPrefix(o.Prefix),
		debug:    o.Debug,
		onError:  o.Error,
		byName:   make(map[string]*asset),
		byHashed: make(map[string]*asset),
	}
	if s.debug {
		s.sources = make([]Source, len(sources))
		for i, src := range sources {
			if src.Dir != "" {
				// Requests may come after the process changes directory.
				abs, err := filepath.Abs(src.Dir)
				if err != nil {
					return nil, fmt.Errorf("static: source %q: %w", src.Name, err)
				}
				src.Dir = abs
			}
			s.sources[i] = src
		}
	}

	owner := make(map[string]string) // logical name -> winning source
	for _, src := range sources {
		files, err := readSource(src, s.debug)
		if err != nil {
			return nil, err
		}
		for _, name := range slices.Sorted(maps.Keys(files)) {
			if isVariant(name, files) {
				continue
			}
			if _, taken := owner[name]; taken {
				s.overridden = append(s.overridden, src.Name+":"+name)
				continue
			}
			owner[name] = src.Name
			s.names = append(s.names, name)
			if s.debug {
				continue
			}
			a := newAsset(name, files[name], files)
			a.url = s.prefix + escapePath(a.hashed)
			s.byName[name] = a
			s.byHashed[a.hashed] = a
		}
	}
	slices.Sort(s.names)
	slices.Sort(s.overridden)
	return s, nil
}

// URL returns the public URL of the static file name, a slash-separated
// path such as "css/site.css": "/static/css/site.3f2a9c1e.css" in
// production and the unhashed "/static/css/site.css" in debug mode, where
// the sources are checked on every call so that new files are found. For a
// name that is not a static file URL returns an error wrapping
// [ErrNotFound] that names it.
func (s *Server) URL(name string) (string, error) {
	if s.debug {
		if validName(name) {
			if f, _, err := s.openLive(name); err == nil {
				f.Close()
				return s.prefix + escapePath(name), nil
			}
		}
	} else if a := s.byName[name]; a != nil {
		return a.url, nil
	}
	return "", fmt.Errorf("%w: %q", ErrNotFound, name)
}

// Names returns the logical names of all static files, sorted, as found by
// [New]; in debug mode files added later are not included.
func (s *Server) Names() []string {
	return slices.Clone(s.names)
}

// Overridden returns the files that an earlier source shadowed, sorted, each
// as "source:name" where source is the Name of the source whose copy is
// ignored. It returns nil when no two sources share a name.
func (s *Server) Overridden() []string {
	return slices.Clone(s.overridden)
}

// cleanPrefix gives prefix a leading and trailing slash, defaulting to
// "/static/".
func cleanPrefix(prefix string) string {
	if prefix == "" {
		return "/static/"
	}
	if !strings.HasPrefix(prefix, "/") {
		prefix = "/" + prefix
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	return prefix
}

// fail answers a request with status through the configured Error hook.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, status int) {
	if s.onError != nil {
		s.onError(w, r, status)
		return
	}
	if status == http.StatusNotFound {
		http.NotFound(w, r)
		return
	}
	http.Error(w, http.StatusText(status), status)
}
