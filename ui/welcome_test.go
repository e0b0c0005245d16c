package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/onboard365/onboard365/internal/cloud"
)

// memoryPrefs is Preferences in memory, shared by the shells of one test like a settings file
// shared by two runs of the app.
type memoryPrefs map[string]string

func (m memoryPrefs) String(key string) string    { return m[key] }
func (m memoryPrefs) SetString(key, value string) { m[key] = value }
func (m memoryPrefs) RemoveValue(key string)      { delete(m, key) }

func TestFirstRunYesGoesToSignIn(t *testing.T) {
	prefs := memoryPrefs{}
	s, win, _ := newShell(t, Options{Cloud: cloud.Public(), Preferences: prefs,
		TrySandbox: func(context.Context) (cloud.Cloud, error) { return sandboxCloud(), nil }})
	if !s.Welcoming() {
		t.Fatal("the first run does not open on the welcome")
	}
	got := texts(win)
	for _, want := range []string{"Do you have a partner tenant account ready?", "[Yes, sign in]", "[No, try the sandbox first]"} {
		if !strings.Contains(got, want) {
			t.Errorf("the welcome does not show %q:\n%s", want, got)
		}
	}
	test.Tap(button(t, win, "Yes, sign in"))
	if s.Welcoming() || s.CurrentPage() != PageSignIn {
		t.Fatalf("after Yes: welcoming %v, page %q; want Sign in", s.Welcoming(), s.CurrentPage())
	}
	if prefs[welcomeKey] != answerPartner {
		t.Errorf("the answer was remembered as %q", prefs[welcomeKey])
	}

	// The next start remembers: no welcome.
	again := newShellForTest(Options{Cloud: cloud.Public(), Preferences: prefs})
	if again.Welcoming() || again.CurrentPage() != PageHome {
		t.Errorf("second start: welcoming %v, page %q; want home", again.Welcoming(), again.CurrentPage())
	}
}

func TestFirstRunNoStartsTheSandbox(t *testing.T) {
	prefs := memoryPrefs{}
	started := 0
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Preferences: prefs,
		TrySandbox: func(context.Context) (cloud.Cloud, error) { started++; return sandboxCloud(), nil }})
	test.Tap(button(t, win, "No, try the sandbox first"))
	wait()
	if started != 1 {
		t.Fatalf("TrySandbox called %d times, want 1", started)
	}
	if s.Welcoming() || s.CurrentPage() != PageHome || !strings.Contains(texts(win), "You are in the sandbox") {
		t.Fatalf("after No: welcoming %v, page %q:\n%s", s.Welcoming(), s.CurrentPage(), texts(win))
	}
	if prefs[welcomeKey] != answerSandbox {
		t.Errorf("the answer was remembered as %q", prefs[welcomeKey])
	}
}

func TestFirstRunOnTheSandboxAlready(t *testing.T) {
	s, win, _ := newShell(t, Options{Cloud: sandboxCloud(), Preferences: memoryPrefs{}})
	test.Tap(button(t, win, "No, try the sandbox first"))
	if s.Welcoming() || s.CurrentPage() != PageHome {
		t.Fatalf("after No on the sandbox: welcoming %v, page %q", s.Welcoming(), s.CurrentPage())
	}
}

func TestWelcomeAgainFromSettings(t *testing.T) {
	prefs := memoryPrefs{welcomeKey: answerPartner}
	s, win, _ := newShell(t, Options{Cloud: cloud.Public(), Preferences: prefs})
	if s.Welcoming() {
		t.Fatal("the welcome shows though it was answered")
	}
	s.Show(PageSettings)
	if got := texts(win); !strings.Contains(got, "you said you have a partner tenant account ready") {
		t.Errorf("Settings does not say what was answered:\n%s", got)
	}
	test.Tap(button(t, win, "Show the welcome again"))
	if !s.Welcoming() {
		t.Fatal("Show the welcome again did not show it")
	}
	if _, ok := prefs[welcomeKey]; ok {
		t.Error("the answer was not forgotten, so the welcome would not show at the next start")
	}
	// Choosing a task instead of answering leaves the welcome, and it comes back next time.
	s.Show(PageGDAP)
	if s.Welcoming() {
		t.Fatal("the welcome stays after a task was chosen")
	}
	if !newShellForTest(Options{Cloud: cloud.Public(), Preferences: prefs}).Welcoming() {
		t.Error("an unanswered welcome does not show at the next start")
	}
}

func TestNoWelcomeWithoutPreferences(t *testing.T) {
	s, win, _ := newShell(t, Options{Cloud: cloud.Public()})
	if s.Welcoming() || strings.Contains(texts(win), "Do you have a partner tenant account ready?") {
		t.Error("the welcome shows without Preferences (screenshots and tests must start on Home)")
	}
	s.Show(PageSettings)
	if strings.Contains(texts(win), "Show the welcome again") {
		t.Error("Settings offers the welcome without Preferences to keep its answer")
	}
}

// TestWelcomeYesWithoutAnAppSaysWhyAppRegistrationComesFirst: on a tenant without the app
// registration, "Yes, sign in" opens Sign in, which says why the app registration comes first and
// leads there; nothing starts a sign-in that Microsoft would refuse (AADSTS700016).
func TestWelcomeYesWithoutAnAppSaysWhyAppRegistrationComesFirst(t *testing.T) {
	signIn := &fakeSignIn{noApp: true}
	s, win, _ := newShell(t, Options{Cloud: cloud.Public(), Preferences: memoryPrefs{}, Services: Services{SignIn: signIn}})
	test.Tap(button(t, win, "Yes, sign in"))
	got := texts(win)
	if s.CurrentPage() != PageSignIn || !strings.Contains(got, "First, the app registration") || signIn.interactiveCalls != 0 {
		t.Fatalf("page %q, %d sign-ins:\n%s", s.CurrentPage(), signIn.interactiveCalls, got)
	}
	test.Tap(button(t, win, "Open App registration"))
	if s.CurrentPage() != PageAppRegistry {
		t.Errorf("the card opened %q", s.CurrentPage())
	}
}
