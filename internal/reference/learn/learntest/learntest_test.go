package learntest

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/reference/learn/reader"
)

// TestEveryPageHasAReader: every page with an example file is given to a package, every page
// Readers names has its file, and every package named runs Check on its pages in a test.
func TestEveryPageHasAReader(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(Dir(), "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example files in %s: %v", Dir(), err)
	}
	onDisk := map[string]bool{}
	for _, f := range files {
		onDisk[filepath.Base(f)] = true
	}
	for page := range Readers {
		if !onDisk[reader.ExampleFile(page)] {
			t.Errorf("Readers names %s, which has no example file (go generate ./internal/reference/learn)", page)
		}
		delete(onDisk, reader.ExampleFile(page))
	}
	for f := range onDisk {
		t.Errorf("%s: the examples of this page are read by no package; add the page to Readers and read them in that package's test", f)
	}

	_, here, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(here), "..", "..", "..", "..")
	for _, pkg := range dedupe(Readers) {
		b, err := os.ReadFile(filepath.Join(root, "internal", pkg, "examples_test.go"))
		if err != nil || !strings.Contains(string(b), `learntest.Check(t, "`+pkg+`"`) {
			t.Errorf("internal/%s/examples_test.go does not run learntest.Check(t, %q, ...): %v", pkg, pkg, err)
		}
	}
}

func dedupe(m map[string]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range m {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
