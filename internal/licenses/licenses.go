// Package licenses knows the licence of every module Onboard365 is built from. The list is made at
// generate time from the LICENSE files in the Go module cache (see .ci/licenses) and kept in
// resources/licenses.json, which the About box shows and a test holds to go.mod.
package licenses

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Module is one dependency: the module path and version from go.mod, and its licence.
type Module struct {
	Path    string `json:"path"`
	Version string `json:"version"`
	// License is an SPDX expression ("MIT", "BSD-3-Clause", "MIT AND Apache-2.0").
	License string `json:"license"`
	// File is the licence file it was read from, relative to the module's root.
	File string `json:"file"`
	// InApp is true when the module is linked into the app on Windows, macOS or Linux; false
	// when only the tests use it.
	InApp bool `json:"inApp"`
}

// List is the content of resources/licenses.json.
type List struct {
	// Go is the licence of the Go standard library and runtime, linked into every Go program.
	Go      string   `json:"go"`
	Modules []Module `json:"modules"`
}

// Parse reads a licence list and checks that every entry names a module, a version and a licence.
func Parse(data []byte) (List, error) {
	var l List
	if err := json.Unmarshal(data, &l); err != nil {
		return List{}, fmt.Errorf("reading the licence list: %w", err)
	}
	if l.Go == "" {
		return List{}, errors.New("reading the licence list: the Go standard library's licence is missing")
	}
	for i, m := range l.Modules {
		if m.Path == "" || m.Version == "" || m.License == "" {
			return List{}, fmt.Errorf("reading the licence list: entry %d lacks a path, a version or a licence", i+1)
		}
	}
	return l, nil
}

// App returns the modules linked into the app, in the list's order.
func (l List) App() []Module {
	var out []Module
	for _, m := range l.Modules {
		if m.InApp {
			out = append(out, m)
		}
	}
	return out
}

// A licence is recognised by phrases of its text that others do not share. Texts are compared
// lower-cased with every run of white space and '*' or '#' decoration made one space.
var known = []struct {
	spdx    string
	phrases []string // all must appear
	unless  []string // none may appear
}{
	{"Apache-2.0", []string{"apache license", "version 2.0"}, nil},
	{"MPL-2.0", []string{"mozilla public license", "2.0"}, nil},
	{"MIT", []string{"permission is hereby granted, free of charge, to any person obtaining a copy"}, nil},
	{"ISC", []string{"permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted"}, nil},
	{"BSD-3-Clause", []string{"redistribution and use in source and binary forms", "used to endorse or promote products derived from this software"}, nil},
	{"BSD-2-Clause", []string{"redistribution and use in source and binary forms", "this list of conditions and the following disclaimer"},
		[]string{"used to endorse or promote products derived from this software"}},
	{"Unlicense", []string{"this is free and unencumbered software released into the public domain"}, nil},
}

var (
	spdxLine = regexp.MustCompile(`(?m)^\s*SPDX-License-Identifier:\s*([A-Za-z0-9.+\- ()]+?)\s*$`)
	blank    = regexp.MustCompile(`[\s*#]+`)
)

// Detect names the licence of a LICENSE file's text as an SPDX expression. A file that states an
// SPDX-License-Identifier is taken at its word; otherwise every licence whose text it holds is
// named, joined with AND (a project under two licences at once). ok is false when no licence is
// recognised: the caller must then not guess.
func Detect(text []byte) (spdx string, ok bool) {
	if m := spdxLine.FindSubmatch(text); m != nil {
		if expr := strings.Join(strings.Fields(string(m[1])), " "); expr != "" {
			return expr, true
		}
	}
	t := " " + strings.ToLower(blank.ReplaceAllString(string(text), " ")) + " "
	var found []string
	for _, k := range known {
		if holdsAll(t, k.phrases) && !holdsAny(t, k.unless) {
			found = append(found, k.spdx)
		}
	}
	if len(found) == 0 {
		return "", false
	}
	return strings.Join(found, " AND "), true
}

func holdsAll(t string, phrases []string) bool {
	for _, p := range phrases {
		if !strings.Contains(t, p) {
			return false
		}
	}
	return true
}

func holdsAny(t string, phrases []string) bool {
	for _, p := range phrases {
		if strings.Contains(t, p) {
			return true
		}
	}
	return false
}
