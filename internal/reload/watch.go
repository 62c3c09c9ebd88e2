package reload

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"
)

// A watcher reports changes to the files that go into a build, anywhere under root.
// fsnotify watches single directories, so the watcher adds every directory of the tree
// and each new one as it appears.
type watcher struct {
	root string
	skip string // the build directory, never watched even if it lies under root
	log  *slog.Logger
	fs   *fsnotify.Watcher
	dirs map[string]bool // watched directories; touched only by newWatcher, then run
	done chan struct{}   // closed when run returns
}

func newWatcher(root, skip string, log *slog.Logger) (*watcher, error) {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("reload: watch %s: %w", root, err)
	}
	w := &watcher{
		root: root,
		skip: skip,
		log:  log,
		fs:   fw,
		dirs: make(map[string]bool),
		done: make(chan struct{}),
	}
	if _, err := w.addTree(root); err != nil {
		fw.Close()
		return nil, fmt.Errorf("reload: watch %s: %w", root, err)
	}
	return w, nil
}

// run turns file events into sends on out, one per burst: a burst ends when debounce
// passes without an event that matters. A send is dropped when one is already pending,
// since a pending change already means a build. run returns when ctx is done or the
// watcher is closed.
func (w *watcher) run(ctx context.Context, debounce time.Duration, out chan<- string) {
	defer close(w.done)
	t := time.NewTimer(debounce)
	t.Stop()
	var first string // the first path of the burst, for the log
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.fs.Events:
			if !ok {
				return
			}
			if w.handle(ev) {
				if first == "" {
					first = ev.Name
				}
				t.Reset(debounce)
			}
		case err, ok := <-w.fs.Errors:
			if !ok {
				return
			}
			w.log.Warn("reload: file watcher error", "err", err)
		case <-t.C:
			select {
			case out <- first:
			default:
			}
			first = ""
		}
	}
}

// close stops the watcher and waits for run to return; run must have been started.
func (w *watcher) close() {
	w.fs.Close()
	<-w.done
}

// handle keeps the set of watched directories up to date and reports whether ev
// should cause a build.
func (w *watcher) handle(ev fsnotify.Event) bool {
	switch {
	case ev.Op == fsnotify.Chmod:
		return false
	case ev.Has(fsnotify.Create):
		fi, err := os.Lstat(ev.Name)
		if err != nil || !fi.IsDir() {
			break
		}
		if w.skipDir(ev.Name) {
			return false
		}
		// Files may have landed in the directory before it was watched (a checkout,
		// a move), so look inside instead of waiting for events that will never come.
		found, err := w.addTree(ev.Name)
		if err != nil {
			w.log.Warn("reload: cannot watch new directory", "dir", ev.Name, "err", err)
		}
		return found
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		if w.dirs[ev.Name] {
			// Whatever the directory held is gone from the build.
			w.forgetTree(ev.Name)
			return true
		}
	}
	return w.matters(ev.Name)
}

// addTree watches dir and the directories below it and reports whether it holds a file
// that matters. Only an error on dir itself is returned; deeper ones are logged.
func (w *watcher) addTree(dir string) (found bool, err error) {
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == dir {
				return err
			}
			return nil // vanished or unreadable meanwhile
		}
		if !d.IsDir() {
			found = found || w.matters(path)
			return nil
		}
		if path != w.root && w.skipDir(path) {
			return filepath.SkipDir
		}
		if err := w.fs.Add(path); err != nil {
			if path == dir {
				return err
			}
			// Most likely the inotify watch limit (fs.inotify.max_user_watches).
			w.log.Warn("reload: cannot watch directory", "dir", path, "err", err)
			return filepath.SkipDir
		}
		w.dirs[path] = true
		return nil
	})
	return found, err
}

// forgetTree drops dir and the directories below it after dir was removed or renamed.
func (w *watcher) forgetTree(dir string) {
	prefix := dir + string(filepath.Separator)
	for d := range w.dirs {
		if d == dir || strings.HasPrefix(d, prefix) {
			w.fs.Remove(d) // fails when the kernel already dropped the watch; harmless
			delete(w.dirs, d)
		}
	}
}

// skipDir reports whether the directory at path is left unwatched.
func (w *watcher) skipDir(path string) bool {
	if path == w.skip || strings.HasPrefix(path, w.skip+string(filepath.Separator)) {
		return true
	}
	return skipDirName(filepath.Base(path))
}

// skipDirName reports whether a directory with this name is left unwatched: version
// control and other dot-directories, and trees of third-party code.
func skipDirName(name string) bool {
	return strings.HasPrefix(name, ".") || name == "node_modules" || name == "vendor"
}

// matters reports whether a change to the file at path should cause a build.
func (w *watcher) matters(path string) bool {
	rel, err := filepath.Rel(w.root, path)
	if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
		return false
	}
	return triggersBuild(rel)
}

// triggersBuild reports whether a change to the file at rel, a path relative to the
// watched root, should cause a build: Go sources other than tests, go.mod, go.sum and
// go.work, templates (.html, .tmpl, .gohtml, .txt) under a templates/ directory, and
// any file under a static/ directory. Hidden files and editor temporaries never do.
func triggersBuild(rel string) bool {
	name := filepath.Base(rel)
	if isTemp(name) {
		return false
	}
	if strings.HasSuffix(name, ".go") {
		return !strings.HasSuffix(name, "_test.go")
	}
	switch name {
	case "go.mod", "go.sum", "go.work":
		return true
	}
	dirs := strings.Split(filepath.ToSlash(filepath.Dir(rel)), "/")
	if slices.Contains(dirs, "static") {
		return true
	}
	if slices.Contains(dirs, "templates") {
		switch filepath.Ext(name) {
		case ".html", ".tmpl", ".gohtml", ".txt":
			return true
		}
	}
	return false
}

// isTemp reports whether name is a hidden file or one an editor writes while saving:
// backups (x~), Vim's swap files (.x.swp) and its write test (4913), Emacs lock and
// auto-save files (.#x, #x#) and JetBrains' safe-write files (x___jb_tmp___).
func isTemp(name string) bool {
	switch {
	case name == "", name == "4913",
		strings.HasPrefix(name, "."),
		strings.HasSuffix(name, "~"),
		strings.HasSuffix(name, ".swp"), strings.HasSuffix(name, ".swx"),
		strings.HasPrefix(name, "#") && strings.HasSuffix(name, "#"),
		strings.Contains(name, "___jb_"):
		return true
	}
	return false
}
