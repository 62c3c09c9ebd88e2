package static

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"strings"
)

// hashLen is how many hex digits of the SHA-256 go into a hashed name, as in
// Django's ManifestStaticFilesStorage. 32 bits are plenty to tell versions
// of one file apart; nothing relies on them being unique across files.
const hashLen = 8

// encodings lists the precompressed variants looked for beside each file, in
// the server's order of preference.
var encodings = []struct{ coding, ext string }{
	{"br", ".br"},
	{"gzip", ".gz"},
}

// asset is one file of the production manifest. Its bytes are held in memory
// so that what is served always matches the hash in its URL, whatever
// happens to the underlying FS after start-up.
type asset struct {
	hashed   string // name with the content hash, relative to the prefix
	url      string // public URL of hashed
	ctype    string
	identity representation
	variants []variant // in the order of encodings
}

// representation is a body as sent on the wire, with its strong validator.
type representation struct {
	data []byte
	etag string
}

// variant is a precompressed representation of an asset.
type variant struct {
	coding string
	representation
}

func newAsset(name string, data []byte, files map[string][]byte) *asset {
	sum := sha256.Sum256(data)
	full := hex.EncodeToString(sum[:])
	a := &asset{
		hashed:   hashedName(name, full[:hashLen]),
		ctype:    contentType(name, data),
		identity: representation{data: data, etag: `"` + full + `"`},
	}
	for _, e := range encodings {
		if v, ok := files[name+e.ext]; ok {
			a.variants = append(a.variants, variant{
				coding:         e.coding,
				representation: representation{data: v, etag: etag(v)},
			})
		}
	}
	return a
}

// etag returns the strong entity tag of data: its quoted SHA-256.
func etag(data []byte) string {
	sum := sha256.Sum256(data)
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

// readSource lists the regular files of src by slash-separated name. Outside
// debug mode it also reads their content; in debug mode the values are nil,
// since requests read the files again anyway.
func readSource(src Source, debug bool) (map[string][]byte, error) {
	fsys := src.FS
	if src.Dir != "" && (debug || fsys == nil) {
		// os.Root, unlike os.DirFS, refuses symbolic links leading out of
		// the directory.
		root, err := os.OpenRoot(src.Dir)
		if err != nil {
			return nil, fmt.Errorf("static: source %q: %w", src.Name, err)
		}
		defer root.Close()
		fsys = root.FS()
	}
	if fsys == nil {
		return nil, fmt.Errorf("static: source %q has neither FS nor Dir", src.Name)
	}

	files := make(map[string][]byte)
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name == "." {
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !validName(name) {
			return nil
		}
		if !d.Type().IsRegular() {
			// A symbolic link counts as what it points to. Linked
			// directories are not walked, which also rules out cycles.
			fi, err := fs.Stat(fsys, name)
			if err != nil {
				return err
			}
			if !fi.Mode().IsRegular() {
				return nil
			}
		}
		var data []byte
		if !debug {
			if data, err = fs.ReadFile(fsys, name); err != nil {
				return err
			}
		}
		files[name] = data
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static: source %q: %w", src.Name, err)
	}
	return files, nil
}

// variantBase returns the name that name is a precompressed variant of, if
// its extension is that of one of the encodings.
func variantBase(name string) (string, bool) {
	for _, e := range encodings {
		if base, ok := strings.CutSuffix(name, e.ext); ok && base != "" {
			return base, true
		}
	}
	return "", false
}

// isVariant reports whether name is a precompressed variant of another file
// of the same source.
func isVariant(name string, files map[string][]byte) bool {
	base, ok := variantBase(name)
	if !ok {
		return false
	}
	_, ok = files[base]
	return ok
}

// hashedName inserts hash before the extension of name:
// "css/site.css" becomes "css/site.3f2a9c1e.css" and "LICENSE" becomes
// "LICENSE.3f2a9c1e".
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return name[:len(name)-len(ext)] + "." + hash + ext
}

// unhashedName undoes hashedName, returning the original name and the hash.
func unhashedName(name string) (base, hash string, ok bool) {
	ext := path.Ext(name)
	stem := name[:len(name)-len(ext)]
	if i := len(stem) - hashLen - 1; i > 0 && stem[i] == '.' && isHex(stem[i+1:]) && stem[i-1] != '/' {
		return stem[:i] + ext, stem[i+1:], true
	}
	// A name without an extension: "LICENSE.3f2a9c1e".
	if len(ext) == hashLen+1 && isHex(ext[1:]) && stem != "" && !strings.HasSuffix(stem, "/") {
		return stem, ext[1:], true
	}
	return "", "", false
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

// escapePath escapes each segment of a slash-separated name for use in a
// URL path.
func escapePath(name string) string {
	segs := strings.Split(name, "/")
	for i, seg := range segs {
		segs[i] = url.PathEscape(seg)
	}
	return strings.Join(segs, "/")
}

// knownTypes is consulted before the system MIME tables, which differ
// between machines: some map .js to "application/javascript" or even, from
// the Windows registry, "text/plain", which browsers refuse for modules.
var knownTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".mjs":   "text/javascript; charset=utf-8",
	".json":  "application/json",
	".map":   "application/json",
	".svg":   "image/svg+xml",
	".wasm":  "application/wasm",
	".woff":  "font/woff",
	".woff2": "font/woff2",
}

// contentType returns the media type of name, sniffing data when the
// extension is unknown.
func contentType(name string, data []byte) string {
	ext := strings.ToLower(path.Ext(name))
	if t, ok := knownTypes[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return http.DetectContentType(data)
}
