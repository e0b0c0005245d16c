package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/ui"
	"github.com/onboard365/onboard365/ui/screenshot"
)

// The user guide lives in README.md. Parts of it are made from the app itself, so that they cannot
// drift from it: the troubleshooting table of sign-in errors (from internal/explain) and the
// screenshots of every wizard (from the sandbox). This test fails when the README is not what the
// app would write; to write it again:
//
//	go test -tags migrated_fynedo ./cmd/onboard365 -run TestUserGuide -update
var update = flag.Bool("update", false, "write the user guide's generated parts (README.md, resources/guide) instead of checking them")

const (
	readmePath = "../../README.md"
	guideDir   = "../../resources/guide"
)

// guideTour walks every wizard on the sandbox as a person would, taking the guide's pictures.
var guideTour = []screenshot.Action{
	{Page: ui.PageSignIn}, {Shot: "sign-in-1-account"},
	{Tap: "Sign in"}, {Tap: "Sign in to the sandbox"}, {Wait: true},
	{Tap: "Next"}, {Wait: true}, {Shot: "sign-in-2-verdict"},
	{Tap: "Keep this sign-in"}, {Wait: true}, {Tap: "Finish"}, {Shot: "sign-in-3-done"},
	{Page: ui.PageAppRegistry}, {Shot: "app-registration-1-choose"},
	{Tap: "Sign in as an administrator"}, {Tap: "Sign in to the sandbox"}, {Wait: true},
	{Tap: "Next"}, {Wait: true}, {Shot: "app-registration-2-plan"},
	{Tap: "Apply"}, {Wait: true}, {Shot: "app-registration-3-applied"},
	{Tap: "Sign in with the app"}, {Wait: true},
	{Tap: "Check every customer"}, {Wait: true}, {Shot: "app-registration-4-customers"},
	{Tap: "Consent in the ticked customers"}, {Wait: true}, {Shot: "app-registration-5-consented"},
	{Tap: "Finish"},
	{Page: ui.PageOnboard}, {Field: "Choose a customer", Choose: "Northwind Traders"}, {Shot: "onboard-1-customer"},
	{Tap: "Next"}, {Shot: "onboard-2-access"},
	{Tap: "Check and plan"}, {Wait: true}, {Shot: "onboard-3-request"},
	{Tap: "Send the request"}, {Wait: true}, {Shot: "onboard-4-sent"},
	{Tap: "Wait for approval"}, {Text: "Last checked at"}, {Shot: "onboard-5-waiting"},
	{Tap: "Approve as the customer's administrator"}, {Wait: true},
	{Tap: "Plan the set-up"}, {Wait: true}, {Shot: "onboard-6-setup"},
	{Tap: "Apply"}, {Wait: true},
	{Tap: "Check the connection"}, {Wait: true}, {Shot: "onboard-7-connected"},
	{Tap: "Finish"},
	{Page: ui.PageGDAP}, {Shot: "gdap-1-profile"},
	{Tap: "Check every customer"}, {Wait: true}, {Shot: "gdap-2-verdicts"},
	{Tap: "Review the fixes"}, {Shot: "gdap-3-fixes"},
	{Tap: "Apply the ticked fixes"}, {Wait: true}, {Shot: "gdap-4-applied"},
	{Page: ui.PageTroubleshoot}, {Shot: "troubleshoot-1-choose"},
	{Tap: "Run the checks"}, {Wait: true}, {Shot: "troubleshoot-2-checks"},
	{Tap: "Sign in as Litware's administrator…"}, {Tap: "Sign in to the sandbox"}, {Idle: true}, {Shot: "troubleshoot-3-litware"},
	{Tap: "Fix all safe fixes"}, {Shot: "troubleshoot-4-plan"},
	{Tap: "Apply the ticked fixes"}, {Wait: true}, {Shot: "troubleshoot-5-applied"},
	{Page: ui.PageAuthenticator}, {Field: "Choose a customer", Choose: "Proseware"}, {Shot: "authenticator-1-tenant"},
	{Tap: "Read the users"}, {Wait: true}, {Shot: "authenticator-2-users"},
	{Tap: "Review the changes"}, {Shot: "authenticator-3-review"},
	{Tap: "Apply the changes"}, {Wait: true}, {Shot: "authenticator-4-applied"},
	{Page: ui.PageHome}, {Idle: true}, {Shot: "home-1-health"},
}

// TestUserGuideScreenshots takes the guide's pictures on the sandbox and checks they are the ones
// in resources/guide (with -update, writes them there).
func TestUserGuideScreenshots(t *testing.T) {
	out := t.TempDir()
	if *update {
		out = guideDir
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The same pictures on every run and every computer: a fixed clock for the sandbox and the
	// app, ids and secrets from a seed, times shown in UTC, a keychain in memory,
	guideTime := time.Date(2026, time.November, 23, 9, 30, 0, 0, time.UTC)
	clock := func() time.Time { return guideTime }
	// and no profile of the user's own (os.UserConfigDir on every system).
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("HOME", config)
	t.Setenv("AppData", config)
	local := time.Local
	time.Local = time.UTC
	defer func() { time.Local = local }()
	f := &factory{stderr: os.Stderr, window: true, useSandbox: true, store: app.MemoryKeychain(), clock: clock,
		opts: sandbox.Options{Now: clock, Seed: 365}}
	defer f.close()
	opts, err := f.windowOptions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	files, err := screenshot.Tour(out, opts, fyne.NewSize(1024, 700), guideTour)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d pictures", len(files))
	if *update {
		return
	}
	for _, f := range files {
		got, _ := os.ReadFile(f)
		want, err := os.ReadFile(filepath.Join(guideDir, filepath.Base(f)))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the guide's picture (err %v)", filepath.Base(f), err)
		}
	}
}

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
