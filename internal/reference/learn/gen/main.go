// Command gen writes internal/reference/learn's generated files from Microsoft's Learn pages:
// learn.json and testdata/examples/*.json. Run it with go generate in internal/reference/learn
// (the pages are shared/reference/learn beside the repository):
//
//	go generate ./internal/reference/learn
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/onboard365/onboard365/internal/reference/learn/reader"
)

func main() {
	pages := flag.String("pages", "../../../../shared/reference/learn", "the folder of Microsoft's Learn pages")
	descriptions := flag.String("descriptions", "../data/permissions-descriptions.json", "Microsoft Graph's permissions-descriptions.json")
	out := flag.String("out", ".", "internal/reference/learn")
	flag.Parse()
	if err := run(*pages, *descriptions, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(pages, descriptions, out string) error {
	desc, err := os.ReadFile(descriptions)
	if err != nil {
		return err
	}
	files, err := reader.Generate(os.DirFS(pages), desc)
	if err != nil {
		return err
	}
	// Example files of pages no longer in the index go.
	old, _ := filepath.Glob(filepath.Join(out, reader.ExamplesDir, "*.json"))
	for _, f := range old {
		rel, _ := filepath.Rel(out, f)
		if _, keep := files[filepath.ToSlash(rel)]; !keep {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	for name, b := range files {
		path := filepath.Join(out, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			return err
		}
	}
	n := 0
	for name := range files {
		if strings.HasPrefix(name, reader.ExamplesDir) {
			n++
		}
	}
	fmt.Printf("gen: learn.json and %d example files from %s\n", n, pages)
	return nil
}
