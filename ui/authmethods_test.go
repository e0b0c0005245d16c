package ui

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/plan"
)

// fakeAuthenticator plays internal/authmethods for the page: Proseware passes the checks and has
// two users to switch, an admin, a user without Authenticator and one already fine; Lamna has no
// Entra ID P1; Alpine lacks the roles.
type fakeAuthenticator struct {
	found    string // the text FindUsers was given
	applied  []string
	switched bool
}

func (f *fakeAuthenticator) Tenants(context.Context) ([]Tenant, error) {
	return []Tenant{{ID: "", Name: "Your partner tenant"}, {ID: "t-alpine", Name: "Alpine Ski House"}, {ID: "t-lamna", Name: "Lamna Healthcare"}, {ID: "t-proseware", Name: "Proseware"}}, nil
}

func (f *fakeAuthenticator) Check(_ context.Context, t Tenant) (AccessCheck, error) {
	switch t.ID {
	case "t-lamna":
		return AccessCheck{Stops: []string{"Lamna Healthcare has no Microsoft Entra ID P1 licence."}}, nil
	case "t-alpine":
		return AccessCheck{Stops: []string{"Your GDAP access to Alpine Ski House has no role that can read the sign-in methods report."}, NeedsGDAP: true}, nil
	}
	return AccessCheck{OK: true, Notes: []string{"Admins' default method needs Privileged Authentication Administrator."}}, nil
}

func (f *fakeAuthenticator) users() UserList {
	pat := UserRow{ID: "pat", Name: "Pat Fernandez", UPN: "pat@proseware.onmicrosoft.com", Group: "Default is not Authenticator", Sentence: "Defaults to a text message.", CanFix: true, Ticked: true}
	sam := UserRow{ID: "sam", Name: "Sam Okafor", UPN: "sam@proseware.onmicrosoft.com", Group: "Default is not Authenticator", Sentence: "Defaults to a text message.", CanFix: true, Ticked: true}
	if f.switched {
		for _, u := range []*UserRow{&pat, &sam} {
			u.Group, u.Fine, u.CanFix, u.Ticked, u.Sentence = "Already Authenticator", true, false, false, "Already defaults to a Microsoft Authenticator notification."
		}
	}
	return UserList{
		Users: []UserRow{
			pat, sam,
			{ID: "dana", Name: "Dana Whitfield", UPN: "dana@proseware.onmicrosoft.com", Group: "Default is not Authenticator", Sentence: "This user is an admin.", Admin: true},
			{ID: "kim", Name: "Kim Larsen", UPN: "kim@proseware.onmicrosoft.com", Group: "Authenticator not set up", Sentence: "Only the user can add it.", NeedsSetUp: true},
			{ID: "reception", Name: "Reception", UPN: "reception@proseware.onmicrosoft.com", Group: "Already Authenticator", Fine: true, Sentence: "Already defaults to a Microsoft Authenticator notification."},
		},
		Groups: []GroupCount{{Group: "Default is not Authenticator", Count: 3}, {Group: "Authenticator not set up", Count: 1}, {Group: "Already Authenticator", Count: 1}},
	}
}

func (f *fakeAuthenticator) ReadUsers(_ context.Context, _ Tenant, progress func(int)) (UserList, error) {
	progress(5)
	return f.users(), nil
}

func (f *fakeAuthenticator) FindUsers(_ context.Context, _ Tenant, text string) (UserList, error) {
	f.found = text
	l := f.users()
	l.Users = l.Users[:1]
	l.Groups = []GroupCount{{Group: "Default is not Authenticator", Count: 1}}
	l.Problems = []string{"Nobody signs in as nobody@proseware.onmicrosoft.com in this tenant."}
	return l, nil
}

func (f *fakeAuthenticator) Plan(_ UserList, ids []string) plan.Plan {
	var out plan.Plan
	for _, id := range ids {
		out.Fixes = append(out.Fixes, plan.Fix{ID: id, Who: id, What: id + ": the default changes from a text message to a Microsoft Authenticator notification."})
	}
	return out
}

func (f *fakeAuthenticator) Apply(_ context.Context, p plan.Plan, progress func(int, int)) []plan.Outcome {
	var ids []string
	for _, fx := range p.Fixes {
		ids = append(ids, fx.ID)
	}
	f.applied, f.switched = ids, true
	var out []plan.Outcome
	for i, id := range ids {
		progress(i+1, len(ids))
		out = append(out, plan.Outcome{FixID: id, Who: id, Done: true, Verified: true, Sentence: "Done: this user now defaults to a Microsoft Authenticator notification."})
	}
	return out
}

func (f *fakeAuthenticator) Instructions(UserList) string { return "Set up Microsoft Authenticator" }

func (f *fakeAuthenticator) ExportInstructions(_ UserList, w io.Writer) error {
	_, err := io.WriteString(w, "<html>")
	return err
}

// selectTenant picks a tenant in the page's drop-down, as a person would.
func selectTenant(t *testing.T, win fyne.Window, name string) {
	t.Helper()
	for _, o := range visible(win.Content()) {
		if sel, ok := o.(*widget.Select); ok && sel.PlaceHolder == "Choose a customer, or your partner tenant" {
			sel.SetSelected(name)
			return
		}
	}
	t.Fatalf("no tenant drop-down in:\n%s", texts(win))
}

func checks(win fyne.Window) []*widget.Check {
	var out []*widget.Check
	for _, o := range visible(win.Content()) {
		if c, ok := o.(*widget.Check); ok {
			out = append(out, c)
		}
	}
	return out
}

func TestAuthenticatorWizardFindsSwitchesAndReadsAgain(t *testing.T) {
	svc := &fakeAuthenticator{}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Authenticator: svc}})
	s.Show(PageAuthenticator)
	if got := texts(win); !strings.Contains(got, "Reading your customers…") {
		t.Fatalf("no word while the customers are read:\n%s", got)
	}
	wait() // the tenants
	test.Tap(button(t, win, "Read the users"))
	if got := texts(win); !strings.Contains(got, "Choose a customer, or your partner tenant, first.") {
		t.Fatalf("Next without a tenant must say what to do:\n%s", got)
	}
	selectTenant(t, win, "Proseware")
	if got := texts(win); !strings.Contains(got, "Checking Proseware…") {
		t.Errorf("no word while checking:\n%s", got)
	}
	wait() // the checks
	got := texts(win)
	for _, want := range []string{"Ready: Proseware passed the checks.", "Admins' default method needs Privileged Authentication Administrator."} {
		if !strings.Contains(got, want) {
			t.Errorf("the first step does not say %q:\n%s", want, got)
		}
	}

	test.Tap(button(t, win, "Read the users"))
	wait()
	got = texts(win)
	for _, want := range []string{
		"Proseware: 5 users. Default is not Authenticator: 3; Authenticator not set up: 1; Already Authenticator: 1.",
		"Pat Fernandez", "Admin", "1 of these users must set up Microsoft Authenticator themselves", "[Copy the instructions]", "2 users ticked.",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the list does not show %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Reception") {
		t.Error("users who need nothing are hidden until asked for")
	}
	cs := checks(win)
	if len(cs) != 4 || !cs[0].Checked || !cs[1].Checked || cs[2].Checked || !cs[2].Disabled() || !cs[3].Disabled() {
		t.Fatalf("Pat and Sam ticked, the admin and Kim unticked and locked; got %d checks", len(cs))
	}

	// Search narrows the list; every user shows Reception too.
	var search *widget.Entry
	for _, o := range visible(win.Content()) {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == "Search by name or sign-in name" {
			search = e
		}
	}
	test.Type(search, "okaf")
	if got := texts(win); strings.Contains(got, "Pat Fernandez") || !strings.Contains(got, "Sam Okafor") {
		t.Errorf("the search did not narrow the list:\n%s", got)
	}
	search.SetText("")
	for _, o := range visible(win.Content()) {
		if sel, ok := o.(*widget.Select); ok && sel.Selected == showAttention {
			sel.SetSelected(showEveryone)
		}
	}
	if got := texts(win); !strings.Contains(got, "Reception") {
		t.Errorf("Every user must show Reception:\n%s", got)
	}

	test.Tap(checks(win)[1]) // untick Sam
	if got := texts(win); !strings.Contains(got, "1 user ticked.") {
		t.Errorf("the count of ticked users does not follow the ticks:\n%s", got)
	}
	test.Tap(button(t, win, "Review the changes"))
	got = texts(win)
	if !strings.Contains(got, "1 user in Proseware will default to a Microsoft Authenticator notification.") ||
		!strings.Contains(got, "pat: the default changes from a text message") || strings.Contains(got, "sam: the default") {
		t.Fatalf("the plan must hold Pat only:\n%s", got)
	}
	// Cancel on the review asks first: what it would change would be lost.
	test.Tap(button(t, win, "Cancel"))
	if got := texts(win); !strings.Contains(got, "Leave this wizard? The choices you made on these steps have not been applied") {
		t.Fatalf("Cancel on the review did not ask:\n%s", got)
	}
	test.Tap(button(t, win, "Stay"))
	test.Tap(button(t, win, "Apply the changes"))
	wait()
	if strings.Join(svc.applied, ",") != "pat" {
		t.Fatalf("applied %v, want only pat", svc.applied)
	}
	got = texts(win)
	if !strings.Contains(got, "1 of 1 user switched. Read again, 1 now defaults to a Microsoft Authenticator notification.") ||
		!strings.Contains(got, "pat: Done: this user now defaults to a Microsoft Authenticator notification.") {
		t.Errorf("the outcome is not shown:\n%s", got)
	}
	test.Tap(button(t, win, "Finish"))
	if got := texts(win); !strings.Contains(got, "Proseware: 1 user switched to Microsoft Authenticator notifications") ||
		!strings.Contains(got, "1 user must still set up Microsoft Authenticator themselves") {
		t.Errorf("no summary:\n%s", got)
	}

	// Start again reads the users again; the switched ones need nothing now.
	test.Tap(button(t, win, "Start again"))
	test.Tap(button(t, win, "Read the users"))
	wait()
	if got := texts(win); strings.Contains(got, "Pat Fernandez") || !strings.Contains(got, "0 users ticked.") {
		t.Errorf("after the switch Pat needs nothing:\n%s", got)
	}
}

func TestAuthenticatorWizardStopsWithoutP1(t *testing.T) {
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Authenticator: &fakeAuthenticator{}}})
	s.Show(PageAuthenticator)
	wait()
	selectTenant(t, win, "Lamna Healthcare")
	wait()
	test.Tap(button(t, win, "Read the users"))
	got := texts(win)
	if !strings.Contains(got, "Step 1 of 5: Choose the tenant") || strings.Count(got, "Lamna Healthcare has no Microsoft Entra ID P1 licence.") != 2 {
		t.Errorf("the wizard must stay on step 1 and give the reason, on the page and for Next:\n%s", got)
	}
	if strings.Contains(got, "[Open GDAP relationships]") {
		t.Error("a missing licence is not a GDAP problem")
	}
}

func TestAuthenticatorWizardPointsToGDAPForMissingRoles(t *testing.T) {
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Authenticator: &fakeAuthenticator{}}})
	s.Show(PageAuthenticator)
	wait()
	selectTenant(t, win, "Alpine Ski House")
	wait()
	if got := texts(win); !strings.Contains(got, "has no role that can read the sign-in methods report") {
		t.Fatalf("the missing role is not named:\n%s", got)
	}
	test.Tap(button(t, win, "Open GDAP relationships"))
	if s.CurrentPage() != PageGDAP {
		t.Errorf("the link opened %q", s.CurrentPage())
	}
}

func TestAuthenticatorWizardOnlyNamedUsers(t *testing.T) {
	svc := &fakeAuthenticator{}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Authenticator: svc}})
	s.Show(PageAuthenticator)
	wait()
	selectTenant(t, win, "Proseware")
	wait()
	for _, o := range visible(win.Content()) {
		if r, ok := o.(*widget.RadioGroup); ok {
			r.SetSelected(modeNamed)
		}
	}
	test.Tap(button(t, win, "Read the users"))
	if got := texts(win); !strings.Contains(got, "Type the sign-in name of at least one user") {
		t.Fatalf("no names, no next step:\n%s", got)
	}
	var names *widget.Entry
	for _, o := range visible(win.Content()) {
		if e, ok := o.(*widget.Entry); ok && e.MultiLine {
			names = e
		}
	}
	if names == nil {
		t.Fatalf("no box for the names:\n%s", texts(win))
	}
	test.Type(names, "pat@proseware.onmicrosoft.com, nobody@proseware.onmicrosoft.com")
	test.Tap(button(t, win, "Read the users"))
	wait()
	if svc.found != "pat@proseware.onmicrosoft.com, nobody@proseware.onmicrosoft.com" {
		t.Errorf("FindUsers got %q", svc.found)
	}
	if got := texts(win); !strings.Contains(got, "Nobody signs in as nobody@proseware.onmicrosoft.com") || !strings.Contains(got, "Pat Fernandez") {
		t.Errorf("the found user and the sentence for the unknown name must both show:\n%s", got)
	}
}

// errorAuthenticator fails to list the customers.
type errorAuthenticator struct{ fakeAuthenticator }

func (errorAuthenticator) Tenants(context.Context) ([]Tenant, error) {
	return nil, errors.New("nobody is signed in yet: open Sign in, sign in with your partner account and keep the sign-in, then come back")
}

func TestAuthenticatorWizardSaysWhyNoTenants(t *testing.T) {
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Authenticator: &errorAuthenticator{}}})
	s.Show(PageAuthenticator)
	wait()
	if got := texts(win); !strings.Contains(got, "Onboard365 could not list your customers. Nobody is signed in yet: open Sign in") || !strings.Contains(got, "[Try again]") {
		t.Errorf("the reason and a way to try again must show:\n%s", got)
	}
}
