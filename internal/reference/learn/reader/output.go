package reader

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"strings"
)

// Files are the generated files, by their path under internal/reference/learn.
type Files map[string][]byte

// ExamplesDir is where the example files go, under internal/reference/learn.
const ExamplesDir = "testdata/examples"

// Generate reads the pages and returns every file go generate writes: learn.json (the facts
// the app and the sandbox embed) and one example file per page under ExamplesDir, named after
// the page.
func Generate(pages fs.FS, descriptions []byte) (Files, error) {
	d, examples, err := Read(pages, descriptions)
	if err != nil {
		return nil, err
	}
	files := Files{}
	if files["learn.json"], err = encode(d); err != nil {
		return nil, err
	}
	for _, pe := range examples {
		b, err := encode(pe)
		if err != nil {
			return nil, err
		}
		files[ExamplesDir+"/"+ExampleFile(pe.Page)] = b
	}
	return files, nil
}

// ExampleFile is the name of a page's example file: its path with "/" as "__".
func ExampleFile(page string) string {
	return strings.ReplaceAll(strings.TrimSuffix(page, ".md"), "/", "__") + ".json"
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
