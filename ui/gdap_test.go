package ui

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/plan"
)

// fakeGDAP plays internal/gdap for the page: two customers, one failing until its fix is applied.
type fakeGDAP struct {
	checks  int
	applied []string
	fixed   bool
}

func (f *fakeGDAP) Profiles() []Profile {
	return []Profile{
		{Name: "Liongard inspectors", Description: "What Liongard's inspectors read.", Roles: []string{"Global Reader", "Reports Reader"}},
		{Name: "CIPP", Description: "What CIPP manages.", Roles: []string{"User Administrator"}},
	}
}

func (f *fakeGDAP) Check(ctx context.Context, req GDAPRequest, progress func(done, total int)) (GDAPResult, error) {
	f.checks++
	progress(1, 2)
	progress(2, 2)
	northwind := CustomerVerdict{Customer: "Northwind Traders", Status: plan.Fail,
		Problems: []string{"Reports Reader is granted but bound to no group."}}
	if f.fixed {
		northwind = CustomerVerdict{Customer: "Northwind Traders", Status: plan.Pass, Sentence: "Every role is granted to a group you are in."}
	}
	return GDAPResult{Verdicts: []CustomerVerdict{
		{Customer: "Fabrikam", Status: plan.Pass, Sentence: "Every role is granted to a group you are in."},
		northwind,
	}, Plan: f.plan()}, nil
}

func (f *fakeGDAP) Roles() []RoleChoice {
	return []RoleChoice{{ID: "r1", Name: "Reports Reader", Allows: "read reports", Risk: "low"}}
}

func (f *fakeGDAP) SaveProfile(name string, ids []string) error { return nil }

func (f *fakeGDAP) plan() plan.Plan {
	if f.fixed {
		return plan.Plan{}
	}
	return plan.Plan{Fixes: []plan.Fix{
		{ID: "fix-1", Who: "Northwind Traders", What: "Assign Reports Reader to AdminAgents: the role is granted but no group holds it.", Safe: true},
		{ID: "fix-2", Who: "Northwind Traders", What: "Request a new relationship with Teams Administrator: roles cannot be added to a relationship.", Safe: true},
	}}
}

func (f *fakeGDAP) Apply(ctx context.Context, p plan.Plan, progress func(done, total int)) []plan.Outcome {
	var ids []string
	for _, fx := range p.Fixes {
		ids = append(ids, fx.ID)
	}
	f.applied = ids
	f.fixed = true
	var out []plan.Outcome
	for i, id := range ids {
		progress(i+1, len(ids))
		out = append(out, plan.Outcome{FixID: id, Who: "Northwind Traders", Done: true, Sentence: "Reports Reader now belongs to AdminAgents."})
	}
	return out
}

func (f *fakeGDAP) Export(_ GDAPResult, format string, w io.Writer) error {
	_, err := io.WriteString(w, "customer,status\n")
	return err
}

func TestGDAPWizardChecksFixesAndChecksAgain(t *testing.T) {
	svc := &fakeGDAP{}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{GDAP: svc}})
	s.Show(PageGDAP)
	if got := texts(win); !strings.Contains(got, "Roles: Global Reader, Reports Reader.") {
		t.Fatalf("the profile's roles are not shown:\n%s", got)
	}
	test.Tap(button(t, win, "Check every customer"))
	wait()
	got := texts(win)
	if !strings.Contains(got, "2 customers checked: 1 pass, 1 fail") {
		t.Fatalf("no count of the verdicts:\n%s", got)
	}
	if strings.Index(got, "Northwind Traders") > strings.Index(got, "Fabrikam") {
		t.Error("the failing customer must come first")
	}

	// The table: one line per customer, with its fix, and what the check covers.
	for _, want := range []string{"Reports Reader is granted but bound to no group.", "Assign Reports Reader to AdminAgents: the role is granted but no group holds it. (and 1 more fix)",
		"What this check covers", "[Troubleshoot \"400\" errors]"} {
		if !strings.Contains(got, want) {
			t.Errorf("the table does not say %q:\n%s", want, got)
		}
	}
	// Sorting by name (the Customer column's header) puts Fabrikam first.
	test.Tap(button(t, win, "Customer"))
	if got := texts(win); strings.Index(got, "Fabrikam") > strings.Index(got, "Northwind Traders") {
		t.Error("sorting by name did not put Fabrikam first")
	}
	test.Tap(button(t, win, "Status"))
	if got := texts(win); strings.Index(got, "Northwind Traders") > strings.Index(got, "Fabrikam") {
		t.Error("sorting by status did not put the failing customer first again")
	}
	// Failing only leaves Fabrikam (a Pass) out.
	for _, o := range visible(win.Content()) {
		if c, ok := o.(*widget.Check); ok && c.Text == "Only those that do not pass" {
			c.SetChecked(true)
		}
	}
	if got := texts(win); strings.Contains(got, "Fabrikam\n") || !strings.Contains(got, "Northwind Traders") {
		t.Errorf("failing only did not leave the passing customer out:\n%s", got)
	}
	for _, o := range visible(win.Content()) {
		if c, ok := o.(*widget.Check); ok && c.Text == "Only those that do not pass" {
			c.SetChecked(false)
		}
	}

	// The filter narrows the list.
	var filter *widget.Entry
	for _, o := range visible(win.Content()) {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == "Filter by customer name" {
			filter = e
		}
	}
	test.Type(filter, "fabri")
	if got := texts(win); strings.Contains(got, "Reports Reader is granted") || !strings.Contains(got, "Fabrikam") {
		t.Errorf("the filter did not narrow the list:\n%s", got)
	}
	filter.SetText("")

	test.Tap(button(t, win, "Review the fixes"))
	var checks []*widget.Check
	for _, o := range visible(win.Content()) {
		if c, ok := o.(*widget.Check); ok {
			checks = append(checks, c)
		}
	}
	if len(checks) != 2 || !checks[0].Checked || !checks[1].Checked || !strings.Contains(texts(win), "Request a new relationship with Teams Administrator") {
		t.Fatalf("every planned fix must be listed and ticked:\n%s", texts(win))
	}
	// Cancel on the review asks first: the ticked fixes would be lost.
	test.Tap(button(t, win, "Cancel"))
	if got := texts(win); !strings.Contains(got, "Leave this wizard? The choices you made on these steps have not been applied") || s.CurrentPage() != PageGDAP {
		t.Fatalf("Cancel with ticked fixes did not ask:\n%s", got)
	}
	test.Tap(button(t, win, "Stay"))
	second := checks[1]
	test.Tap(second) // untick it
	test.Tap(button(t, win, "Apply the ticked fixes"))
	wait()
	if len(svc.applied) != 1 || svc.applied[0] != "fix-1" {
		t.Fatalf("applied %v, want only the ticked fix-1", svc.applied)
	}
	if svc.checks != 2 {
		t.Errorf("the customers were read %d times, want 2 (before and after)", svc.checks)
	}
	got = texts(win)
	for _, want := range []string{"1 of 1 fix applied. Now: 2 pass, 0 fail", "Reports Reader now belongs to AdminAgents."} {
		if !strings.Contains(got, want) {
			t.Errorf("after applying the page does not say %q:\n%s", want, got)
		}
	}
	test.Tap(button(t, win, "Finish"))
	if got := texts(win); !strings.Contains(got, "Before: 1 pass, 1 fail") || !strings.Contains(got, "[Export CSV]") {
		t.Errorf("no summary with before and after:\n%s", got)
	}
	var csv bytes.Buffer
	if err := svc.Export(GDAPResult{}, "csv", &csv); err != nil || csv.Len() == 0 {
		t.Error("export wrote nothing")
	}
}

func TestGDAPNothingToFixSaysSo(t *testing.T) {
	svc := &fakeGDAP{fixed: true}
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{GDAP: svc}})
	s.Show(PageGDAP)
	test.Tap(button(t, win, "Check every customer"))
	wait()
	test.Tap(button(t, win, "Review the fixes"))
	if got := texts(win); !strings.Contains(got, "There is nothing Onboard365 can fix for this profile") {
		t.Errorf("Next with nothing to fix must say so:\n%s", got)
	}
}

// manyVerdicts is a fake with more customers than the page lists at once.
type manyVerdicts struct{ fakeGDAP }

func (m *manyVerdicts) Check(ctx context.Context, req GDAPRequest, progress func(done, total int)) (GDAPResult, error) {
	var r GDAPResult
	for i := 0; i < maxRows+40; i++ {
		r.Verdicts = append(r.Verdicts, CustomerVerdict{Customer: fmt.Sprintf("Customer %03d", i), Status: plan.Pass, Sentence: "Every role is granted."})
	}
	return r, nil
}

// A long list shows the first maxRows customers and says how to find the others: thousands of
// rows would cost the window tens of megabytes.
func TestGDAPLongListShowsTheWorstFirstAndFilters(t *testing.T) {
	s, win, wait := newShell(t, Options{Cloud: cloud.Public(), Services: Services{GDAP: &manyVerdicts{}}})
	s.Show(PageGDAP)
	test.Tap(button(t, win, "Check every customer"))
	wait()
	got := texts(win)
	if !strings.Contains(got, fmt.Sprintf("Showing %d of %d customers", maxRows, maxRows+40)) || strings.Contains(got, fmt.Sprintf("Customer %03d", maxRows+1)) {
		t.Fatalf("the long list is not cut:\n%.600s", got)
	}
	for _, o := range visible(win.Content()) {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == "Filter by customer name" {
			test.Type(e, fmt.Sprintf("Customer %03d", maxRows+1))
		}
	}
	if got := texts(win); !strings.Contains(got, fmt.Sprintf("Customer %03d", maxRows+1)) || strings.Contains(got, "Showing") {
		t.Errorf("the filter does not find a customer past the cut:\n%.600s", got)
	}
}
