package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/explain"
)

// The user guide lives in README.md. Parts of it are made from the app itself, so that they cannot
// drift from it: the troubleshooting table of sign-in errors (from internal/explain) and the
// screenshots of every wizard (from the sandbox). This test fails when the README is not what the
// app would write; to write it again:
//
//	go test -tags migrated_fynedo ./cmd/onboard365 -run TestUserGuide -update
var update = flag.Bool("update", false, "write the user guide's generated parts (README.md, resources/guide) instead of checking them")

const readmePath = "../../README.md"

func TestUserGuide(t *testing.T) {
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	got, err := replaceSection(readme, "sign-in-errors", signInErrorsSection())
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(readmePath, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, readme) {
		t.Errorf("README.md's generated section is out of date: run\n\tgo test -tags migrated_fynedo ./cmd/onboard365 -run TestUserGuide -update")
	}
}

// signInErrorsSection is one entry per AADSTS code the app explains: what happened, why, and what
// to do, in the words the app itself shows.
func signInErrorsSection() string {
	var b strings.Builder
	for _, e := range explain.SignInErrors() {
		fmt.Fprintf(&b, "\n#### %s\n\n%s %s\n\n**What to do:** %s ([Microsoft Learn](%s))\n", e.Code, e.What, e.Why, e.Do, e.LearnURL)
	}
	return b.String()
}

// replaceSection puts body between the README's markers <!-- guide:NAME --> and <!-- /guide:NAME -->.
func replaceSection(doc []byte, name, body string) ([]byte, error) {
	open, end := []byte("<!-- guide:"+name+" -->\n"), []byte("<!-- /guide:"+name+" -->")
	i := bytes.Index(doc, open)
	j := bytes.Index(doc, end)
	if i < 0 || j < i {
		return nil, fmt.Errorf("README.md has no %s section between %q and %q", name, open, end)
	}
	var out bytes.Buffer
	out.Write(doc[:i+len(open)])
	out.WriteString(strings.TrimPrefix(body, "\n"))
	out.WriteString("\n")
	out.Write(doc[j:])
	return out.Bytes(), nil
}
