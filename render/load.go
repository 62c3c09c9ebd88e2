package render

import (
	"errors"
	"fmt"
	"hash/fnv"
	"html/template"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"
)

// state is one parse of every source: what a render reads. It is never
// changed once built; a debug reload builds a new one.
type state struct {
	pages       map[string]*page
	files       map[string]*file
	names       []string
	overridden  []string
	err         error     // a load error: every render returns it (debug reloads only)
	watched     bool      // a source is read from a Dir in debug mode
	fingerprint uint64    // of the watched directories, taken before loading
	text        textPages // text/template builds for ExecuteText
}

// file is one template file, parsed on its own.
type file struct {
	name   string
	source string
	text   string
	trees  map[string]*parse.Tree // the file's root tree and its defines
	refs   []ref                  // {{template}} calls, in file order
}

// ref is a {{template "name"}} call and where it is.
type ref struct {
	name, loc string
}

// page is the template set built for one file: the file and every file it
// names, parsed in dependency order.
type page struct {
	tmpl  *template.Template
	files map[string]*file // every file of the state, for error excerpts
}

// useDir reports whether src is read from its Dir.
func (e *Engine) useDir(src Source) bool {
	return src.Dir != "" && (e.opts.Debug || src.FS == nil)
}

// open returns the file system to read src from, and a function that
// releases it.
func (e *Engine) open(src Source) (fs.FS, func(), error) {
	if !e.useDir(src) {
		if src.FS == nil {
			return nil, nil, fmt.Errorf("render: source %q has neither FS nor Dir", src.Name)
		}
		return src.FS, func() {}, nil
	}
	// os.Root keeps symbolic links from leading out of the directory.
	root, err := os.OpenRoot(src.Dir)
	if err != nil {
		return nil, nil, fmt.Errorf("render: source %q: %w", src.Name, err)
	}
	return root.FS(), func() { root.Close() }, nil
}

// walk calls fn for every regular file of fsys whose path has no segment
// starting with a dot.
func walk(fsys fs.FS, fn func(name string, d fs.DirEntry) error) error {
	return fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && name != "." {
			return nil // removed while walking: an edit in debug mode
		}
		if err != nil {
			return err
		}
		if name != "." && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return fn(name, d)
	})
}

// fingerprint summarizes the names, sizes and modification times of every
// file in the directories read in debug mode, so a change is noticed
// without reading any file.
func (e *Engine) fingerprint() uint64 {
	h := fnv.New64a()
	var b []byte
	for i, src := range e.sources {
		if !e.opts.Debug || src.Dir == "" {
			continue
		}
		fsys, done, err := e.open(src)
		if err != nil {
			fmt.Fprintf(h, "%d %v\n", i, err)
			continue
		}
		err = walk(fsys, func(name string, d fs.DirEntry) error {
			info, err := d.Info()
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			b = strconv.AppendInt(append(b[:0], name...), info.Size(), 10)
			b = strconv.AppendInt(append(b, ' '), info.ModTime().UnixNano(), 10)
			h.Write(append(b, '\n'))
			return nil
		})
		done()
		if err != nil {
			fmt.Fprintf(h, "%d %v\n", i, err)
		}
	}
	return h.Sum64()
}

// load reads and parses every source and builds every page. Errors are
// kept in the state.
func (e *Engine) load() *state {
	st := &state{pages: map[string]*page{}, files: map[string]*file{}}
	if e.opts.Debug {
		for _, src := range e.sources {
			st.watched = st.watched || src.Dir != ""
		}
		if st.watched {
			// Taken before reading: a change made while loading is seen
			// by the next render's check.
			st.fingerprint = e.fingerprint()
		}
	}
	var errs []error
	for _, src := range e.sources {
		fsys, done, err := e.open(src)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		err = walk(fsys, func(name string, d fs.DirEntry) error {
			if _, ok := st.files[name]; ok {
				if !slices.Contains(st.overridden, name) {
					st.overridden = append(st.overridden, name)
				}
				return nil
			}
			text, err := fs.ReadFile(fsys, name)
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			if err != nil {
				return err
			}
			f, err := e.parseFile(name, src.Name, string(text))
			if err != nil {
				errs = append(errs, err)
			}
			st.files[name] = f
			return nil
		})
		done()
		if err != nil {
			errs = append(errs, fmt.Errorf("render: reading source %q: %w", src.Name, err))
		}
	}
	if len(errs) == 0 {
		errs = st.checkRefs()
	}
	if len(errs) == 0 {
		for name, f := range st.files {
			pg, err := st.build(e, f)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			st.pages[name] = pg
		}
	}
	for name := range st.files {
		st.names = append(st.names, name)
	}
	slices.Sort(st.names)
	slices.Sort(st.overridden)
	if len(errs) > 0 {
		slices.SortFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
		st.err = errors.Join(errs...)
	}
	return st
}

// parseFile parses one file on its own and records the names it calls.
func (e *Engine) parseFile(name, source, text string) (*file, error) {
	f := &file{name: name, source: source, text: text, trees: map[string]*parse.Tree{}}
	t, err := template.New(name).Funcs(e.funcs).Parse(text)
	if err != nil {
		loc := parseLocation(err.Error())
		return f, &Error{Name: name, File: loc.file, Source: source, Line: loc.line, Column: loc.col, Err: err, excerpt: excerpt(text, loc.line)}
	}
	for _, d := range t.Templates() {
		if d.Tree == nil {
			continue
		}
		if d.Name() != name && parse.IsEmptyTree(d.Tree.Root) {
			// text/template keeps an earlier non-empty definition over an
			// empty one; a page's {{define "footer"}}{{end}} must empty
			// its layout's block all the same.
			d.Tree.Root.Nodes = append(d.Tree.Root.Nodes, noop.Copy())
		}
		f.trees[d.Name()] = d.Tree
		collectRefs(d.Tree, d.Tree.Root, &f.refs)
	}
	if root := f.trees[name]; root != nil {
		trimExtends(root)
	}
	return f, nil
}

// noop is an action that writes nothing but makes a tree non-empty.
var noop = func() parse.Node {
	trees, err := parse.Parse("noop", "{{if false}}{{end}}", "", "")
	if err != nil {
		panic(err)
	}
	return trees["noop"].Root.Nodes[0]
}()

// trimExtends drops the white space around the one {{template}} call of a
// root that holds nothing else: a page extending its layout.
func trimExtends(t *parse.Tree) {
	var call parse.Node
	for _, n := range t.Root.Nodes {
		switch n := n.(type) {
		case *parse.TextNode:
			if len(strings.TrimSpace(string(n.Text))) > 0 {
				return
			}
		case *parse.TemplateNode:
			if call != nil {
				return
			}
			call = n
		default:
			return
		}
	}
	if call != nil {
		t.Root.Nodes = []parse.Node{call}
	}
}

func collectRefs(t *parse.Tree, n parse.Node, out *[]ref) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			collectRefs(t, c, out)
		}
	case *parse.IfNode:
		collectRefs(t, n.List, out)
		collectRefs(t, n.ElseList, out)
	case *parse.RangeNode:
		collectRefs(t, n.List, out)
		collectRefs(t, n.ElseList, out)
	case *parse.WithNode:
		collectRefs(t, n.List, out)
		collectRefs(t, n.ElseList, out)
	case *parse.TemplateNode:
		loc, _ := t.ErrorContext(n)
		*out = append(*out, ref{n.Name, loc})
	}
}

// checkRefs reports every {{template}} call naming neither a file nor a
// template defined in some file. A name defined only by other pages (a
// block a layout leaves to its pages) is not an error here.
func (st *state) checkRefs() []error {
	defined := map[string]bool{}
	for _, f := range st.files {
		for name := range f.trees {
			defined[name] = true
		}
	}
	var errs []error
	for _, f := range st.files {
		for _, r := range f.refs {
			if defined[r.name] {
				continue
			}
			loc := parseLocation("template: " + r.loc + ": ")
			errs = append(errs, &Error{Name: f.name, File: f.name, Source: f.source, Line: loc.line, Column: loc.col,
				Err:     notFound{r.name, st.hint(r.name)},
				excerpt: excerpt(f.text, loc.line)})
		}
	}
	return errs
}

// build makes the template set of page f: the files f names, directly or
// not, each after the files it names, then f itself, so that a page's
// {{define}} replaces its layout's {{block}}, and a nearer layout's a
// farther one's.
func (st *state) build(e *Engine, f *file) (*page, error) {
	set := template.New(f.name).Funcs(e.funcs)
	var root *template.Template
	for _, d := range st.pageFiles(f) {
		for name, tree := range d.trees {
			t, err := set.AddParseTree(name, tree.Copy())
			if err != nil {
				return nil, &Error{Name: f.name, File: d.name, Source: d.source, Err: err}
			}
			if name == f.name {
				// AddParseTree returns a new template for the set's own
				// name; the one New returned stays without a tree.
				root = t
			}
		}
	}
	return &page{tmpl: root, files: st.files}, nil
}

// pageFiles returns f and every file it calls, callees first.
func (st *state) pageFiles(f *file) []*file {
	var order []*file
	seen := map[string]bool{}
	var visit func(f *file)
	visit = func(f *file) {
		if seen[f.name] {
			return
		}
		seen[f.name] = true
		for _, r := range f.refs {
			if d, ok := st.files[r.name]; ok {
				visit(d)
			}
		}
		order = append(order, f)
	}
	visit(f)
	return order
}

// notFound returns the error for a missing template name.
func (st *state) notFound(name string) error {
	return &Error{Name: name, Err: notFound{name, st.hint(name)}}
}

// hint suggests template names close to name.
func (st *state) hint(name string) string {
	base := name[strings.LastIndexByte(name, '/')+1:]
	var close []string
	for n := range st.files {
		nb := n[strings.LastIndexByte(n, '/')+1:]
		if nb == base || strings.Contains(n, name) || strings.Contains(name, n) || editDistance(n, name) <= 2 {
			close = append(close, n)
		}
	}
	if len(close) == 0 {
		return ""
	}
	slices.Sort(close)
	if len(close) > 5 {
		close = close[:5]
	}
	return " (did you mean " + strings.Join(close, ", ") + "?)"
}

// editDistance is the Levenshtein distance of a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
