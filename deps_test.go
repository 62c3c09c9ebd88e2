package anode_test

import (
	"os/exec"
	"strings"
	"testing"
)

const modPath = "github.com/anode-go/anode"

// layer places a package of this module in the dependency order DESIGN.md
// sets: leaves (and internal/) import only the standard library, third-party
// modules and lower leaves; the root assembles leaves; app-level packages sit
// on the root; anodetest, cmd and examples are on top and imported by nothing.
func layer(pkg string) int {
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, modPath), "/")
	first, _, _ := strings.Cut(rel, "/")
	switch first {
	case "internal", "orm", "migrate", "render", "forms", "session", "cache", "security", "realtime", "mail", "messages", "pagination":
		return 0
	case "":
		return 1
	case "auth", "admin", "graphql", "rest", "tasks":
		return 2
	case "anodetest":
		return 3
	}
	return 4 // cmd, examples, bench, testdata: programs
}

func TestDependencyDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		for _, imp := range imports {
			if !strings.HasPrefix(imp, modPath) {
				continue
			}
			checked++
			from, to := layer(pkg), layer(imp)
			switch {
			case to == 4 && from == 4:
				// programs may use each other's packages (bench measures examples)
			case to == 4:
				t.Errorf("%s imports %s: library code never imports programs (cmd, examples, bench)", pkg, imp)
			case to == 3 && from != 4:
				t.Errorf("%s imports the test kit %s outside tests", pkg, imp)
			case to > from && from != 4:
				t.Errorf("%s (layer %d) imports %s (layer %d): dependencies point downward only", pkg, from, imp, to)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no module-internal imports seen: is go list working?")
	}
}
