// Command licenses writes resources/licenses.json: every module go.mod requires, its version, and
// the licence read from its LICENSE (or COPYING) file in the Go module cache, plus whether the app
// links it (on Windows, macOS or Linux) or only the tests use it. It refuses to guess: a module
// without a licence file, or with one it does not recognise, stops it with an error.
//
//	go generate ./resources             (runs: go run ../.ci/licenses -o licenses.json)
//	go run ./.ci/licenses -check -o resources/licenses.json   exits 1 if the file is out of date
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/licenses"
)

// The platforms the app ships on; a module linked on any of them is part of the app.
var platforms = []string{"windows", "darwin", "linux"}

const mainPackage = "github.com/onboard365/onboard365/cmd/onboard365"

func main() {
	out := flag.String("o", "resources/licenses.json", "write the list to this `file`")
	check := flag.Bool("check", false, "do not write: exit 1 if the file differs from what would be written")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	data, err := generate(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "licenses:", err)
		os.Exit(1)
	}
	if *check {
		old, err := os.ReadFile(*out)
		if err != nil || !bytes.Equal(old, data) {
			fmt.Fprintf(os.Stderr, "licenses: %s is out of date: run go generate ./resources\n", *out)
			os.Exit(1)
		}
		return
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "licenses:", err)
		os.Exit(1)
	}
}

// generate builds the licence list of the module in the current directory (or a parent).
func generate(ctx context.Context) ([]byte, error) {
	var mod struct {
		Require []struct{ Path, Version string }
	}
	if err := goJSON(ctx, nil, &mod, "mod", "edit", "-json"); err != nil {
		return nil, fmt.Errorf("reading go.mod: %w", err)
	}
	inApp := map[string]bool{}
	for _, goos := range platforms {
		out, err := goCmd(ctx, []string{"GOOS=" + goos, "GOARCH=amd64", "CGO_ENABLED=1"},
			"list", "-e", "-deps", "-tags", "migrated_fynedo", "-f", "{{with .Module}}{{.Path}}{{end}}", mainPackage)
		if err != nil {
			return nil, fmt.Errorf("listing what the app links on %s: %w", goos, err)
		}
		for _, p := range strings.Fields(string(out)) {
			inApp[p] = true
		}
	}

	list := licenses.List{}
	goroot, err := goCmd(ctx, nil, "env", "GOROOT")
	if err != nil {
		return nil, fmt.Errorf("finding GOROOT: %w", err)
	}
	if list.Go, _, err = licenseOf(strings.TrimSpace(string(goroot))); err != nil {
		return nil, fmt.Errorf("the Go standard library: %w", err)
	}

	args := []string{"mod", "download", "-json"}
	for _, r := range mod.Require {
		args = append(args, r.Path+"@"+r.Version)
	}
	dirs := map[string]string{}
	err = goJSONStream(ctx, args, func(dec *json.Decoder) error {
		var d struct{ Path, Version, Dir, Error string }
		if err := dec.Decode(&d); err != nil {
			return err
		}
		if d.Error != "" {
			return fmt.Errorf("downloading %s@%s: %s", d.Path, d.Version, d.Error)
		}
		dirs[d.Path+"@"+d.Version] = d.Dir
		return nil
	})
	if err != nil {
		return nil, err
	}
	var problems []string
	for _, r := range mod.Require {
		dir := dirs[r.Path+"@"+r.Version]
		if dir == "" {
			problems = append(problems, fmt.Sprintf("%s@%s: not in the module cache", r.Path, r.Version))
			continue
		}
		spdx, file, err := licenseOf(dir)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s@%s: %v", r.Path, r.Version, err))
			continue
		}
		list.Modules = append(list.Modules, licenses.Module{
			Path: r.Path, Version: r.Version, License: spdx, File: file, InApp: inApp[r.Path],
		})
	}
	if len(problems) > 0 {
		return nil, errors.New("no licence found for:\n  " + strings.Join(problems, "\n  "))
	}
	sort.Slice(list.Modules, func(i, j int) bool { return list.Modules[i].Path < list.Modules[j].Path })
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// licenseFile matches the names a module's licence is kept under, at its root.
var licenseFile = regexp.MustCompile(`(?i)^(licen[cs]e|copying|unlicense)([.-](md|txt|rst|mit|bsd|apache))?$`)

// licenseOf reads the licence file at the root of dir. With several (LICENSE and COPYING), the
// first in name order that is recognised counts.
func licenseOf(dir string) (spdx, file string, err error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "", "", err
	}
	var tried []string
	for _, e := range entries {
		if e.IsDir() || !licenseFile.MatchString(e.Name()) {
			continue
		}
		text, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return "", "", err
		}
		if spdx, ok := licenses.Detect(text); ok {
			return spdx, e.Name(), nil
		}
		tried = append(tried, e.Name())
	}
	if len(tried) > 0 {
		return "", "", fmt.Errorf("the licence in %s is not one this program recognises; add it to internal/licenses", strings.Join(tried, ", "))
	}
	return "", "", errors.New("no LICENSE or COPYING file at the module's root")
}

func goCmd(ctx context.Context, env []string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

func goJSON(ctx context.Context, env []string, v any, args ...string) error {
	out, err := goCmd(ctx, env, args...)
	if err != nil {
		return err
	}
	return json.Unmarshal(out, v)
}

// goJSONStream runs go with args and hands each JSON value it prints to each.
func goJSONStream(ctx context.Context, args []string, each func(*json.Decoder) error) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	// go mod download exits 1 when one module fails, and still prints every module's JSON.
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		if derr := each(dec); derr != nil {
			if errors.Is(derr, io.EOF) {
				break
			}
			return derr
		}
	}
	if err != nil {
		return fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
