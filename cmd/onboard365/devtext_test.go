package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/ui"
	"github.com/onboard365/onboard365/ui/screenshot"
)

// developerText is what a person must never read in the window: a request's path or method,
// JSON, and the shapes of Go's and its libraries' error texts. (A sign-in address to copy is an
// address, not a request: "/v2.0/authorize" does not match.)
var developerText = []struct {
	name string
	re   *regexp.Regexp
}{
	{"an HTTP path", regexp.MustCompile(`/(v1\.0|beta|v1)/[A-Za-z]`)},
	{"an HTTP method and path", regexp.MustCompile(`\b(GET|POST|PATCH|PUT|DELETE) /`)},
	{"JSON", regexp.MustCompile(`[{\[]\s*"|"\s*:\s*[{\["]`)},
	{"a Go format error", regexp.MustCompile(`%!|<nil>|\(MISSING\)`)},
	{"a Go error text", regexp.MustCompile(`(?i)context canceled|context deadline exceeded|\bdial tcp\b|\bx509:|\bjson:|\btls:|\bhttp2:|unexpected EOF|: EOF\b|invalid character|connection refused|no such host`)},
	{"a library's prefix", regexp.MustCompile(`\b(graph|partnercenter|rest|auth|msal|vault|keyring)\b: `)},
	{"a JSON field name", regexp.MustCompile(`\b(error_description|error_codes|odata|innerError)\b`)},
}

// lookForDeveloperText is a tour action that fails when the window shows developer text.
func lookForDeveloperText(where string) screenshot.Action {
	return screenshot.Action{Look: func(win fyne.Window) error {
		for _, line := range strings.Split(windowText(win), "\n") {
			for _, d := range developerText {
				if d.re.MatchString(line) {
					return fmt.Errorf("%s: the window shows %s: %q", where, d.name, line)
				}
			}
		}
		return nil
	}}
}

// mustShow is a tour action that fails unless the window shows text: so that a walk meant to
// meet an error does meet it.
func mustShow(text string) screenshot.Action {
	return screenshot.Action{Look: func(win fyne.Window) error {
		if !strings.Contains(windowText(win), text) {
			return fmt.Errorf("the window does not show %q:\n%s", text, windowText(win))
		}
		return nil
	}}
}

// mustNotShow is a tour action that fails when the window shows text.
func mustNotShow(text string) screenshot.Action {
	return screenshot.Action{Look: func(win fyne.Window) error {
		if strings.Contains(windowText(win), text) {
			return fmt.Errorf("the window still shows %q:\n%s", text, windowText(win))
		}
		return nil
	}}
}

// withLooks puts a look for developer text after every action of a tour.
func withLooks(name string, tour []screenshot.Action) []screenshot.Action {
	out := []screenshot.Action{lookForDeveloperText(name + ", at the start")}
	for i, a := range tour {
		out = append(out, a, lookForDeveloperText(fmt.Sprintf("%s, after step %d (%+v)", name, i+1, a)))
	}
	return out
}

// TestNoDeveloperTextOnAnyPage walks every page and every wizard on the sandbox as a person
// would, the ways that work and the ways that go wrong (nobody signed in yet, no app
// registration, a wrong password, a pasted text that is no token, Microsoft's refusals and
// faults), and fails on any developer text the window shows on the way.
func TestNoDeveloperTextOnAnyPage(t *testing.T) {
	config := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", config)
	t.Setenv("HOME", config)
	t.Setenv("AppData", config)
	pages := []screenshot.Action{}
	for _, id := range []string{ui.PageHome, ui.PageSignIn, ui.PageAppRegistry, ui.PageGDAP, ui.PageAuthenticator, ui.PageTroubleshoot, ui.PageSettings} {
		pages = append(pages, screenshot.Action{Page: id}, screenshot.Action{Idle: true})
	}
	beforeSignIn := []screenshot.Action{
		// Every check before anyone signed in: "nobody is signed in", with the way to Sign in.
		{Page: ui.PageGDAP}, {Tap: "Check every customer"}, {Wait: true}, mustShow("[Open Sign in]"),
		{Page: ui.PageTroubleshoot}, {Idle: true}, {Tap: "Run the checks"}, {Wait: true},
		{Page: ui.PageAuthenticator}, {Idle: true},
		// A pasted text that is no access token.
		{Page: ui.PageSignIn}, {Tap: "Check a token from another tool"},
		{Field: "Paste an access token", Type: "eyJhbGciOi.not-a-token.x"}, {Tap: "Check this token"},
		mustShow("This is not an access token Onboard365 can read."),
		// A wrong password on the sandbox's sign-in page.
		{Tap: "Sign in"}, {Field: "The sandbox's password", Type: "wrong"}, {Tap: "Sign in to the sandbox"}, {Wait: true},
		mustShow("The user name or password is wrong."),
	}
	troubled := append([]screenshot.Action{
		{Page: ui.PageSignIn}, {Tap: "Sign in"}, {Tap: "Sign in to the sandbox"}, {Wait: true}, {Tap: "Next"}, {Wait: true},
		{Tap: "Keep this sign-in"}, {Wait: true}, {Tap: "Finish"},
		{Page: ui.PageGDAP}, {Tap: "Check every customer"}, {Wait: true}, mustShow("[Try again]"),
		{Page: ui.PageTroubleshoot}, {Idle: true}, {Tap: "Run the checks"}, {Wait: true},
	}, pages...)
	for _, tc := range []struct {
		name     string
		scenario string
		faults   *sandbox.Faults
		tour     []screenshot.Action
	}{
		{"every page, nobody signed in", "", nil, append(pages, beforeSignIn...)},
		{"every wizard, the guide's walk", "", nil, append(append([]screenshot.Action{}, guideTour...), pages...)},
		{"a partner tenant without the app registration", sandbox.ScenarioFresh, nil, append(append([]screenshot.Action{
			// Sign in leads to App registration first, and is off until there is an app.
			{Page: ui.PageSignIn}, mustShow("First, the app registration"), mustShow("[Open App registration]"),
			{Page: ui.PageAppRegistry},
			{Tap: "Sign in as an administrator"}, {Tap: "Sign in to the sandbox"}, {Wait: true},
			{Tap: "Next"}, {Wait: true}, {Tap: "Apply"}, {Wait: true},
			{Tap: "Sign in with the app"}, {Tap: "Sign in to the sandbox"}, {Wait: true},
			{Tap: "Check every customer"}, {Wait: true}, {Tap: "Consent in the ticked customers"}, {Wait: true}, {Tap: "Finish"},
		}, pages...), screenshot.Action{Page: ui.PageSignIn}, mustNotShow("First, the app registration"), screenshot.Action{Page: ui.PageGDAP}, screenshot.Action{Tap: "Check every customer"}, screenshot.Action{Wait: true},
			mustShow("customers checked"))},
		{"the technician may not manage apps", sandbox.ScenarioNoAppAdmin, nil, []screenshot.Action{
			{Page: ui.PageAppRegistry}, {Tap: "Sign in as an administrator"}, {Tap: "Sign in to the sandbox"}, {Wait: true},
			{Tap: "Next"}, {Wait: true}, {Tap: "Apply"}, {Wait: true},
		}},
		// Microsoft's trouble, once the technician is signed in (the sign-in makes six requests,
		// the last Partner Center's answer to it): every answer busy, every connection dropped,
		// every answer cut off.
		{"Microsoft is busy", "", &sandbox.Faults{Unavailable: 1, RetryAfter: time.Millisecond, FirstRequest: 7}, troubled},
		// (Dropped connections and cut-off answers are tried again with a growing pause, some 30 s
		// before the app gives up: one check is enough to see what it then says.)
		{"connections drop and answers are cut off", "", &sandbox.Faults{Dropped: 0.5, Malformed: 0.5, FirstRequest: 7}, troubled[:13]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := sandbox.Options{Seed: 365, Trace: traceTo(t, tc.name)}
			if tc.faults != nil {
				o.Faults = *tc.faults
			}
			f := &factory{stderr: os.Stderr, window: true, useSandbox: true, scenario: tc.scenario, store: app.MemoryKeychain(), opts: o}
			defer f.close()
			opts, err := f.windowOptions(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := screenshot.Tour(t.TempDir(), opts, fyne.NewSize(1024, 700), withLooks(tc.name, tc.tour)); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// The look itself: it finds each kind of developer text the issue met, and passes the sentences
// that replaced them.
func TestDeveloperTextIsFound(t *testing.T) {
	for _, s := range []string{
		"graph GET /v1.0/tenantRelationships/delegatedAdminRelationships: get an access token",
		"The access token cannot be read: its header is not a JSON object: {\"alg\"",
		"Microsoft Graph GET /v1.0/users answered 403",
		"sign in: context canceled",
		"auth: no account",
		"POST localhost:4000: dial tcp 127.0.0.1:4000: connect: connection refused",
	} {
		found := false
		for _, d := range developerText {
			found = found || d.re.MatchString(s)
		}
		if !found {
			t.Errorf("%q is not found", s)
		}
	}
	for _, s := range []string{
		"Nobody is signed in yet: open Sign in, sign in with your partner account and keep the sign-in, then come back.",
		"This is not an access token Onboard365 can read. Part of it is not what an access token holds.",
		"https://127.0.0.1:41234/ce29f0c1-c307-46ab-907a-ccc9f83bbb6b/oauth2/v2.0/authorize?client_id=x",
		"Microsoft Graph kept asking Onboard365 to slow down, and after 6 tries Onboard365 stopped waiting.",
		`One of Litware's 5 Conditional Access policies blocks your technicians: "Block guests and external users".`,
	} {
		for _, d := range developerText {
			if d.re.MatchString(s) {
				t.Errorf("%q is taken for %s", s, d.name)
			}
		}
	}
}

// traceTo writes the sandbox's request log to the test's log when ONBOARD365_TRACE is set (to
// count the requests a walk makes before its faults start).
func traceTo(t *testing.T, name string) io.Writer {
	if os.Getenv("ONBOARD365_TRACE") == "" {
		return nil
	}
	return testWriter{t}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}
