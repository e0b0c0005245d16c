package ui

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/cloud"
)

type fakeKeychain struct {
	stored    Stored
	err       error
	forgotten int
}

func (f *fakeKeychain) Stored(context.Context) (Stored, error) { return f.stored, f.err }
func (f *fakeKeychain) ForgetAll(context.Context) error {
	f.forgotten++
	f.stored = Stored{}
	return nil
}

func TestDescribeStored(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	lines := strings.Join(describeStored(Stored{
		SignedIn: true, Account: "alex@contoso", Tenant: "t1", Renewed: now.Add(-2 * 24 * time.Hour),
		ClientID: "app-1", SecretExpires: now.Add(20*24*time.Hour - time.Hour),
	}, now), "\n")
	for _, want := range []string{"Sign-in: alex@contoso, in tenant t1.", "(88 days left)", "App secret for app app-1", "(20 days left)"} {
		if !strings.Contains(lines, want) {
			t.Errorf("%q missing from:\n%s", want, lines)
		}
	}
	expired := strings.Join(describeStored(Stored{SignedIn: true, Renewed: now.Add(-100 * 24 * time.Hour)}, now), "\n")
	if !strings.Contains(expired, "expired: sign in again") || !strings.Contains(expired, "No app secret is stored.") {
		t.Errorf("expired sign-in:\n%s", expired)
	}
	if none := strings.Join(describeStored(Stored{}, now), "\n"); !strings.Contains(none, "No sign-in is stored.") {
		t.Errorf("nothing stored:\n%s", none)
	}
}

func TestSettingsSignOutAndForget(t *testing.T) {
	kc := &fakeKeychain{stored: Stored{SignedIn: true, Account: "alex@contoso", Tenant: "t1", Renewed: time.Now()}}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Keychain: kc}})
	s.Show(PageSettings)
	wait()
	if !strings.Contains(texts(win), "Sign-in: alex@contoso") {
		t.Fatalf("Settings does not show the stored sign-in:\n%s", texts(win))
	}
	test.Tap(button(t, win, "Sign out and forget"))
	overlay := win.Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("no confirmation before forgetting")
	}
	var yes *widget.Button
	for _, o := range visible(overlay) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Yes" {
			yes = b
		}
	}
	if yes == nil {
		t.Fatal("the confirmation has no Yes button")
	}
	test.Tap(yes)
	wait() // forgetting
	wait() // reading again
	if kc.forgotten != 1 || !strings.Contains(texts(win), "No sign-in is stored.") {
		t.Fatalf("forgotten %d times; page:\n%s", kc.forgotten, texts(win))
	}
}

// TestSettingsOffersToForgetWhatCannotBeUsed: a kept sign-in that is damaged, saved by a newer
// version or unreadable is told in its own words, and "Sign out and forget" is offered to clear it.
func TestSettingsOffersToForgetWhatCannotBeUsed(t *testing.T) {
	const problem = "The sign-in saved in this computer's keychain was written by a newer version of Onboard365."
	kc := &fakeKeychain{stored: Stored{Problem: problem}}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Keychain: kc}})
	s.Show(PageSettings)
	wait()
	got := texts(win)
	if !strings.Contains(got, problem) || strings.Contains(got, "No sign-in is stored") {
		t.Fatalf("Settings does not tell the problem in its own words:\n%s", got)
	}
	test.Tap(button(t, win, "Sign out and forget"))
	overlay := win.Canvas().Overlays().Top()
	if overlay == nil {
		t.Fatal("no confirmation before forgetting")
	}
	for _, o := range visible(overlay) {
		if b, ok := o.(*widget.Button); ok && strings.Contains(b.Text, "Yes") {
			test.Tap(b)
		}
	}
	wait()
	if kc.forgotten != 1 {
		t.Fatalf("forgotten %d times", kc.forgotten)
	}
}

func TestSettingsKeychainUnavailable(t *testing.T) {
	kc := &fakeKeychain{err: errors.New("Onboard365 could not reach this computer's keychain (the Secret Service). Nothing was stored.")}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Keychain: kc}})
	s.Show(PageSettings)
	wait()
	if !strings.Contains(texts(win), "could not reach this computer's keychain") {
		t.Fatalf("the keychain problem is not shown:\n%s", texts(win))
	}
}
