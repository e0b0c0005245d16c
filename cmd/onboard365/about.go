package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/onboard365/onboard365/internal/licenses"
	"github.com/onboard365/onboard365/resources"
	"github.com/onboard365/onboard365/ui"
)

// commit is set at release time, with -ldflags "-X main.commit=<sha>" or, as .ci/build-windows
// and .ci/build-macos do, by a file they add to the copy they package. Without it, the commit
// comes from Go's build information, which go build records when it runs in a git checkout.
var commit = ""

// aboutThisBuild says which build this is and what it is made of.
func aboutThisBuild() ui.About {
	a := ui.About{
		Commit:    buildCommit(),
		GoVersion: runtime.Version(),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
	}
	if l, err := licenses.Parse(resources.Licenses()); err == nil {
		a.Licenses = l
	}
	return a
}

// buildCommit is the commit this binary was built from: -ldflags first, then the vcs.revision
// that go build records (with "-modified" when the tree had uncommitted changes); "" if neither.
func buildCommit() string {
	if commit != "" {
		return commit
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	return commitFrom(info.Settings)
}

func commitFrom(settings []debug.BuildSetting) string {
	var rev string
	modified := false
	for _, s := range settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" && modified {
		rev += "-modified"
	}
	return rev
}

// printVersion is `onboard365 --version`: the version, then the commit and the Go release.
func printVersion(w io.Writer) {
	fmt.Fprintln(w, "onboard365", version)
	c := buildCommit()
	if c == "" {
		c = "unknown"
	}
	fmt.Fprintf(w, "commit %s, built with %s for %s/%s\n", c, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
