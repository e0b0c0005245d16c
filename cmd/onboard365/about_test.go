package main

import (
	"bytes"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

func TestCommitFrom(t *testing.T) {
	tests := []struct {
		name     string
		settings []debug.BuildSetting
		want     string
	}{
		{"a clean checkout", []debug.BuildSetting{{Key: "vcs.revision", Value: "ab46b48"}, {Key: "vcs.modified", Value: "false"}}, "ab46b48"},
		{"uncommitted changes", []debug.BuildSetting{{Key: "vcs.modified", Value: "true"}, {Key: "vcs.revision", Value: "ab46b48"}}, "ab46b48-modified"},
		{"no version control", []debug.BuildSetting{{Key: "GOOS", Value: "windows"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := commitFrom(tt.settings); got != tt.want {
				t.Errorf("commitFrom = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestVersionPrintsCommit: --version prints the version and the commit given with -ldflags.
func TestVersionPrintsCommit(t *testing.T) {
	saved := commit
	t.Cleanup(func() { commit = saved })
	commit = "0123456789abcdef0123456789abcdef01234567"
	var stdout, stderr bytes.Buffer
	if code := run([]string{"--version"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit code %d: %s", code, stderr.String())
	}
	want := regexp.MustCompile(`^onboard365 \S+\ncommit 0123456789abcdef0123456789abcdef01234567, built with go\S+ for \w+/\w+\n$`)
	if !want.MatchString(stdout.String()) {
		t.Errorf("--version printed %q", stdout.String())
	}
}

// TestVersionFollowsFyneApp: the development version is FyneApp.toml's, so that a build made
// without -ldflags says which release it is heading for.
func TestVersionFollowsFyneApp(t *testing.T) {
	toml, err := os.ReadFile("../../FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Version\s*=\s*"([^"]+)"`).FindSubmatch(toml)
	if m == nil {
		t.Fatal("FyneApp.toml has no Version")
	}
	if !strings.HasPrefix(version, string(m[1])+"-") && version != string(m[1]) {
		t.Errorf("main.version is %q, and FyneApp.toml says %q: make them agree", version, m[1])
	}
}

func TestAboutThisBuild(t *testing.T) {
	a := aboutThisBuild()
	if a.GoVersion == "" || a.Platform == "" {
		t.Errorf("about = %+v: Go version or platform missing", a)
	}
	if len(a.Licenses.App()) < 10 || a.Licenses.Go == "" {
		t.Errorf("about lists %d modules of the app and Go's licence %q: the licence list did not load", len(a.Licenses.App()), a.Licenses.Go)
	}
}
