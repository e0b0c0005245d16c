package ui

import (
	"context"
	"errors"
	"fmt"
	"fyne.io/fyne/v2"
	"io"
	"strings"
	"sync"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/plan"
)

// fakeTroubleshoot plays internal/troubleshoot for the page: Fabrikam passes; Litware blocks the
// technician until its administrator signs in, which shows the policy and its fix; applying the
// fix turns Litware to Pass.
type fakeTroubleshoot struct {
	mu       sync.Mutex
	requests []TroubleshootRequest
	admin    string // the account Litware's administrator signed in with
	applied  []string
	fixed    bool
}

func (f *fakeTroubleshoot) Customers(context.Context) ([]string, error) {
	return []string{"Fabrikam", "Litware"}, nil
}
func (f *fakeTroubleshoot) Profiles() []string { return []string{"Liongard inspectors", "CIPP"} }

func (f *fakeTroubleshoot) result() TroubleshootResult {
	pass := func(title string) TroubleshootCheck {
		return TroubleshootCheck{Title: title, Status: plan.Pass, Sentence: title + " passes."}
	}
	r := TroubleshootResult{
		Partner: TroubleshootChecklist{Name: "Your partner tenant", Status: plan.Warning, Checks: []TroubleshootCheck{
			{Title: "MFA enforcement", Status: plan.Warning, Sentence: "Your partner tenant enforces MFA.", Details: []string{"The MFA policies leave out an admin: Break glass account."}},
			pass("Your sign-in has MFA"),
		}},
	}
	fabrikam := TroubleshootChecklist{Name: "Fabrikam", Status: plan.Pass, Checks: []TroubleshootCheck{pass("Access to the customer"), pass("Conditional Access")}}
	litware := TroubleshootChecklist{Name: "Litware", Status: plan.Fail, NeedsAdmin: true, Checks: []TroubleshootCheck{
		{Title: "Access to the customer", Status: plan.Fail, Sentence: "Microsoft refused your technician a token for Litware (AADSTS53003)."},
		{Title: "Conditional Access", Status: plan.Fail, Sentence: "Litware's Conditional Access blocks your technicians."},
	}}
	switch {
	case f.fixed:
		litware = TroubleshootChecklist{Name: "Litware", Status: plan.Pass, Checks: []TroubleshootCheck{pass("Access to the customer"), pass("Conditional Access")}}
	case f.admin != "":
		litware.NeedsAdmin, litware.AdminSignedIn = false, true
		litware.Checks[1].Sentence = `One of Litware's 5 Conditional Access policies blocks your technicians: "Block guests and external users".`
		r.Plan.Fixes = []plan.Fix{
			{ID: "dismiss", Who: "Your partner tenant", What: "Dismiss the risk on lee.", Caution: "Dismissing a risk is a security decision."},
			{ID: "exclude", Who: "Litware", What: `In Litware, exclude your partner tenant's service provider users from "Block guests and external users".`, Safe: true},
			{ID: "blocked", Who: "Woodgrove Bank", What: "In Woodgrove Bank, exclude them from a report-only policy.", Blocked: "Changing a policy needs Conditional Access Administrator."},
		}
	}
	r.Customers = []TroubleshootChecklist{litware, fabrikam}
	if f.fixed {
		r.Customers = []TroubleshootChecklist{fabrikam, litware}
	}
	return r
}

func (f *fakeTroubleshoot) Check(ctx context.Context, req TroubleshootRequest, progress func(done, total int)) (TroubleshootResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, req)
	progress(1, 2)
	progress(2, 2)
	return f.result(), nil
}

func (f *fakeTroubleshoot) SignInAsAdmin(ctx context.Context, _ TroubleshootResult, customer string, launched func(Launch)) (TroubleshootResult, error) {
	if customer != "Litware" {
		return TroubleshootResult{}, errors.New("only Litware blocks")
	}
	signedIn := make(chan string, 1)
	launched(Launch{URL: "https://127.0.0.1:1/authorize", InAppUsers: []string{"admin@litware.onmicrosoft.com"}, End: func(error) {},
		InApp: func(ctx context.Context, user, password string, approve bool) error {
			if password != "sandbox" || !approve {
				return errors.New("wrong password")
			}
			signedIn <- user
			return nil
		}})
	select {
	case user := <-signedIn:
		f.mu.Lock()
		defer f.mu.Unlock()
		f.admin = user
		return f.result(), nil
	case <-ctx.Done():
		return TroubleshootResult{}, ctx.Err()
	}
}

func (f *fakeTroubleshoot) Apply(ctx context.Context, p plan.Plan, progress func(done, total int)) []plan.Outcome {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for _, fx := range p.Fixes {
		ids = append(ids, fx.ID)
	}
	f.applied = ids
	f.fixed = true
	var out []plan.Outcome
	for i, id := range ids {
		progress(i+1, len(ids))
		out = append(out, plan.Outcome{FixID: id, Who: "Litware", Done: true, Sentence: `Done: "Block guests and external users" in Litware now excludes your partner tenant's service provider users.`})
	}
	return out
}

func (f *fakeTroubleshoot) Export(_ TroubleshootResult, format string, w io.Writer) error {
	_, err := io.WriteString(w, "Tenant,Check\n")
	return err
}

// TestTroubleshootPageChecksSignsInFixesAndChecksAgain walks the page headless: choose, check
// (progress, the table of every customer with its checklist), sign a blocked customer's own
// administrator in within the page, review the plan (safe fixes ticked, the others not, blocked
// ones disabled), apply only what is ticked, and read again.
func TestTroubleshootPageChecksSignsInFixesAndChecksAgain(t *testing.T) {
	svc := &fakeTroubleshoot{}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Troubleshoot: svc}})
	s.Show(PageTroubleshoot)
	wait() // the customers are read
	if got := texts(win); !strings.Contains(got, "You have GDAP relationships with 2 customers.") || !strings.Contains(got, "[Run the checks]") {
		t.Fatalf("the first step:\n%s", got)
	}

	// One customer needs a name; a malformed account is refused.
	var scope *widget.RadioGroup
	var entries []*widget.Entry
	for _, o := range visible(win.Content()) {
		switch w := o.(type) {
		case *widget.RadioGroup:
			scope = w
		case *widget.Entry:
			entries = append(entries, w)
		}
	}
	scope.SetSelected("One customer")
	test.Tap(button(t, win, "Run the checks"))
	if got := texts(win); !strings.Contains(got, "Choose the customer to check, or choose every customer.") {
		t.Fatalf("no customer chosen, yet:\n%s", got)
	}
	scope.SetSelected("Every customer")
	account := entries[len(entries)-1]
	test.Type(account, "notanaccount")
	test.Tap(button(t, win, "Run the checks"))
	if got := texts(win); !strings.Contains(got, "looks like name@domain") {
		t.Fatalf("a malformed account was taken:\n%s", got)
	}
	account.SetText("inspector@contosopartners.onmicrosoft.com")

	test.Tap(button(t, win, "Run the checks"))
	wait()
	got := texts(win)
	for _, want := range []string{
		"Your partner tenant", "MFA enforcement", "Your partner tenant enforces MFA.",
		"2 customers checked: 1 pass, 1 fail, 0 with a warning, 0 could not be checked.",
		"Fails: Access to the customer, Conditional Access.",
		"[Sign in as Litware's administrator…]", "[Export CSV]", "[Export report]", "[Fix all safe fixes]",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the checks do not show %q:\n%s", want, got)
		}
	}
	if strings.Index(got, "Litware") > strings.Index(got, "Fabrikam") {
		t.Error("the failing customer must come first")
	}
	// A customer's whole checklist opens on demand (Litware's line is the first).
	if strings.Contains(got, "Microsoft refused your technician a token for Litware (AADSTS53003).") {
		t.Error("the checklist is open before it was asked for")
	}
	openDetails(t, win, "Litware")
	got = texts(win)
	for _, want := range []string{"Access to the customer: Fail", "Microsoft refused your technician a token for Litware (AADSTS53003)."} {
		if !strings.Contains(got, want) {
			t.Errorf("Litware's opened checklist does not show %q:\n%s", want, got)
		}
	}
	if r := svc.requests[0]; r.Customer != "" || r.ServiceAccount != "inspector@contosopartners.onmicrosoft.com" || r.Profile != "Liongard inspectors" {
		t.Errorf("request %+v", r)
	}

	// Nothing to fix before Litware's administrator signs in.
	test.Tap(button(t, win, "Fix all safe fixes"))
	if got := texts(win); !strings.Contains(got, "There is nothing Onboard365 can fix for you here") {
		t.Fatalf("Next with nothing to fix:\n%s", texts(win))
	}

	// Litware's administrator signs in, in the page.
	test.Tap(button(t, win, "Sign in as Litware's administrator…"))
	wait() // the sign-in page opened: the form is shown
	got = texts(win)
	if !strings.Contains(got, "Sign in to the sandbox below") || !strings.Contains(got, "Your partner account cannot") || !strings.Contains(got, "[Cancel the sign-in]") {
		t.Fatalf("no sign-in form:\n%s", got)
	}
	var admin *widget.SelectEntry
	for _, o := range visible(win.Content()) {
		if e, ok := o.(*widget.SelectEntry); ok {
			admin = e
		}
	}
	if admin == nil || admin.Text != "admin@litware.onmicrosoft.com" {
		t.Fatalf("the form does not offer Litware's administrator: %v", admin)
	}
	test.Tap(button(t, win, "Sign in to the sandbox"))
	wait() // signed in: Litware is read again
	got = texts(win)
	if svc.admin != "admin@litware.onmicrosoft.com" || !strings.Contains(got, `One of Litware's 5 Conditional Access policies blocks your technicians: "Block guests and external users".`) ||
		!strings.Contains(got, "Read with the sign-in of Litware's own administrator") || strings.Contains(got, "[Sign in as Litware's administrator…]") {
		t.Fatalf("after the administrator's sign-in (%q):\n%s", svc.admin, got)
	}

	// The plan: the safe fix is ticked, the one to weigh is not, the blocked one cannot be.
	test.Tap(button(t, win, "Fix all safe fixes"))
	got = texts(win)
	for _, want := range []string{"3 fixes, 1 of them safe.", "Weigh this first: Dismissing a risk is a security decision.",
		"Cannot be applied now: Changing a policy needs Conditional Access Administrator."} {
		if !strings.Contains(got, want) {
			t.Errorf("the plan does not say %q:\n%s", want, got)
		}
	}
	var checks []*widget.Check
	for _, o := range visible(win.Content()) {
		if c, ok := o.(*widget.Check); ok {
			checks = append(checks, c)
		}
	}
	if len(checks) != 3 || checks[0].Checked || !checks[1].Checked || checks[2].Checked || !checks[2].Disabled() {
		t.Fatalf("ticks: %d boxes; want dismiss unticked, exclude ticked, blocked unticked and disabled", len(checks))
	}
	// Cancel on the review asks first: what it would change would be lost.
	test.Tap(button(t, win, "Cancel"))
	if got := texts(win); !strings.Contains(got, "Leave this wizard? The choices you made on these steps have not been applied") {
		t.Fatalf("Cancel on the review did not ask:\n%s", got)
	}
	test.Tap(button(t, win, "Stay"))
	test.Tap(button(t, win, "Apply the ticked fixes"))
	wait()
	if len(svc.applied) != 1 || svc.applied[0] != "exclude" {
		t.Fatalf("applied %v, want only the ticked safe fix", svc.applied)
	}
	got = texts(win)
	for _, want := range []string{"1 of 1 fix applied. Now: 2 pass, 0 fail", "now excludes your partner tenant's service provider users", "What is true now"} {
		if !strings.Contains(got, want) {
			t.Errorf("after applying the page does not say %q:\n%s", want, got)
		}
	}
	if len(svc.requests) != 2 {
		t.Errorf("checked %d times, want 2 (before and after)", len(svc.requests))
	}
	test.Tap(button(t, win, "Finish"))
	if got := texts(win); !strings.Contains(got, "Before: 1 pass, 1 fail") || !strings.Contains(got, "Now: 2 pass, 0 fail") {
		t.Errorf("no summary with before and after:\n%s", got)
	}
}

// Without the service the page explains the task, as every task without a wizard does.
func TestTroubleshootWithoutServiceShowsTheTask(t *testing.T) {
	s, win, _ := newShell(t, Options{Cloud: cloud.Public()})
	s.Show(PageTroubleshoot)
	if got := texts(win); !strings.Contains(got, "This wizard is not in this version of Onboard365 yet.") {
		t.Errorf("no outline:\n%s", got)
	}
}

// manyCustomers is a fake with more customers than the table opens at once.
type manyCustomers struct{ fakeTroubleshoot }

func (m *manyCustomers) Check(ctx context.Context, req TroubleshootRequest, progress func(done, total int)) (TroubleshootResult, error) {
	var r TroubleshootResult
	for i := 0; i < 25; i++ {
		status := plan.Pass
		if i == 0 {
			status = plan.Fail
		}
		r.Customers = append(r.Customers, TroubleshootChecklist{Name: fmt.Sprintf("Customer %02d", i), Status: status, Checks: []TroubleshootCheck{
			{Title: "Access to the customer", Status: status, Sentence: fmt.Sprintf("Access of customer %02d.", i)},
			{Title: "Entra ID P1 licence", Status: plan.CouldNotCheck, Sentence: "Licences unread."},
		}})
	}
	return r, nil
}

// On a long list every customer is one line saying which checks do not pass; its checks open on
// demand.
func TestTroubleshootLongListOpensOnDemand(t *testing.T) {
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Troubleshoot: &manyCustomers{}}})
	s.Show(PageTroubleshoot)
	wait()
	test.Tap(button(t, win, "Run the checks"))
	wait()
	got := texts(win)
	if !strings.Contains(got, "Fails: Access to the customer. Could not check: Entra ID P1 licence.") ||
		strings.Contains(got, "Access of customer 00.") || strings.Count(got, "[Details]") != 25 {
		t.Fatalf("the long list is not in brief:\n%s", got)
	}
	test.Tap(button(t, win, "Details"))
	if got := texts(win); !strings.Contains(got, "Access of customer 00.") || !strings.Contains(got, "[Hide]") {
		t.Fatalf("the first customer's checks did not open:\n%s", got)
	}
	// The open line's columns stay in line with the closed ones: "Hide" takes the room of
	// "Details".
	nameAt := func(name string) float32 {
		for _, o := range visible(win.Content()) {
			if l, ok := o.(*widget.Label); ok && l.Text == name {
				return fyne.CurrentApp().Driver().AbsolutePositionForObject(l).X
			}
		}
		t.Fatalf("no %q on screen", name)
		return 0
	}
	if open, closed := nameAt("Customer 00"), nameAt("Customer 01"); open != closed {
		t.Errorf("the open line's name starts at x=%v, a closed line's at x=%v", open, closed)
	}
	test.Tap(button(t, win, "Hide"))
	if got := texts(win); strings.Contains(got, "Access of customer 00.") {
		t.Fatalf("the checks did not close:\n%s", got)
	}
}

// veryManyCustomers is a fake with more customers than the page lists at all.
type veryManyCustomers struct{ fakeTroubleshoot }

func (m *veryManyCustomers) Check(ctx context.Context, req TroubleshootRequest, progress func(done, total int)) (TroubleshootResult, error) {
	var r TroubleshootResult
	for i := 0; i < maxRows+5; i++ {
		r.Customers = append(r.Customers, TroubleshootChecklist{Name: fmt.Sprintf("Customer %03d", i), Status: plan.Pass,
			Checks: []TroubleshootCheck{{Title: "Access to the customer", Status: plan.Pass, Sentence: "Token given."}}})
	}
	return r, nil
}

// Past maxRows customers the table says how to find the others, instead of drawing them all.
func TestTroubleshootVeryLongListIsCut(t *testing.T) {
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{Troubleshoot: &veryManyCustomers{}}})
	s.Show(PageTroubleshoot)
	wait()
	test.Tap(button(t, win, "Run the checks"))
	wait()
	got := texts(win)
	if !strings.Contains(got, fmt.Sprintf("Showing %d of %d customers", maxRows, maxRows+5)) || strings.Contains(got, fmt.Sprintf("Customer %03d", maxRows)) {
		t.Fatalf("the very long list is not cut:\n%.400s", got)
	}
}

// openDetails opens one customer's paragraph in the table: the filter narrows the table to it,
// and its Details button opens it (the partner tenant's checks come first, with their own).
func openDetails(t *testing.T, win fyne.Window, customer string) {
	t.Helper()
	for _, o := range visible(win.Content()) {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == "Filter by customer name" {
			e.SetText(customer)
			var last *widget.Button
			for _, o := range visible(win.Content()) {
				if b, ok := o.(*widget.Button); ok && b.Text == "Details" {
					last = b // the customers' table is below the partner's
				}
			}
			if last == nil {
				t.Fatalf("no Details for %s:\n%s", customer, texts(win))
			}
			test.Tap(last)
			e.SetText("")
			return
		}
	}
	t.Fatalf("no filter in:\n%s", texts(win))
}
