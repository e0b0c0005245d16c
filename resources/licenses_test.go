package resources

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/licenses"
)

// requires reads the module path and version of every require line of a go.mod file.
func requires(t *testing.T, gomod []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	inBlock := false
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "//"); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		switch {
		case line == "require (":
			inBlock = true
			continue
		case inBlock && line == ")":
			inBlock = false
			continue
		case strings.HasPrefix(line, "require "):
			line = strings.TrimPrefix(line, "require ")
		case !inBlock:
			continue
		}
		if f := strings.Fields(line); len(f) == 2 {
			out[f[0]] = f[1]
		}
	}
	return out
}

// TestLicensesMatchGoMod fails when go.mod and resources/licenses.json disagree: a module added,
// removed or moved to another version without running `go generate ./resources`.
func TestLicensesMatchGoMod(t *testing.T) {
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	want := requires(t, gomod)
	if len(want) < 5 {
		t.Fatalf("read only %d requirements from go.mod: %v", len(want), want)
	}
	list, err := licenses.Parse(Licenses())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, m := range list.Modules {
		got[m.Path] = m.Version
	}
	for path, v := range want {
		switch g, ok := got[path]; {
		case !ok:
			t.Errorf("go.mod requires %s %s, and licenses.json does not list it: run go generate ./resources", path, v)
		case g != v:
			t.Errorf("go.mod requires %s %s, and licenses.json lists %s: run go generate ./resources", path, v, g)
		}
	}
	for path, v := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("licenses.json lists %s %s, which go.mod does not require: run go generate ./resources", path, v)
		}
	}
	if len(list.App()) == 0 {
		t.Error("licenses.json marks no module as part of the app")
	}
}

func TestRequires(t *testing.T) {
	gomod := []byte("module x\n\ngo 1.25\n\nrequire a.example/one v1.0.0\n\nrequire (\n\tb.example/two v0.2.0 // indirect\n\t// a comment\n\tc.example/three v3.0.0\n)\n\nreplace d.example/four => ../four\n")
	got := requires(t, gomod)
	want := map[string]string{"a.example/one": "v1.0.0", "b.example/two": "v0.2.0", "c.example/three": "v3.0.0"}
	if len(got) != len(want) {
		t.Fatalf("requires = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("requires[%s] = %q, want %q", k, got[k], v)
		}
	}
}
