package ui

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLayersStayApart holds the house rule of DESIGN.md: the UI never talks HTTP itself, and the
// domain packages know nothing of Fyne, so the same domain code serves the window, the command
// line and the tests.
func TestLayersStayApart(t *testing.T) {
	rules := []struct {
		dir       string
		forbidden string
		why       string
	}{
		{".", "net/http", "ui/ must reach Microsoft through internal/ packages"},
		{"../internal", "fyne.io/fyne/v2", "internal/ must not depend on the UI toolkit"},
	}
	for _, rule := range rules {
		checked := 0
		err := filepath.WalkDir(rule.dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
			if err != nil {
				return err
			}
			checked++
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				if p == rule.forbidden || strings.HasPrefix(p, rule.forbidden+"/") {
					t.Errorf("%s imports %s: %s", path, p, rule.why)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if checked == 0 {
			t.Errorf("no Go files found under %s: the rule checked nothing", rule.dir)
		}
	}
}
