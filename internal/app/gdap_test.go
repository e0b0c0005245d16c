package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// TestGDAPOnTheSandbox walks what the GDAP page does: check (which plans), apply the reviewed
// plan, check again.
func TestGDAPOnTheSandbox(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no profiles of the person running the tests
	_, a := signedIn(t, sandbox.Options{})
	svc := app.NewGDAP(a)
	if len(svc.Profiles()) < 5 {
		t.Fatalf("profiles: %+v", svc.Profiles())
	}
	ctx := context.Background()
	before, err := svc.Check(ctx, app.GDAPRequest{Profile: "Liongard inspectors"}, func(int, int) {})
	if err != nil {
		t.Fatal(err)
	}
	if len(before.Verdicts) != 12 {
		t.Fatalf("%d verdicts, want 12 customers", len(before.Verdicts))
	}
	status := map[string]plan.Status{}
	for _, v := range before.Verdicts {
		status[v.Customer] = v.Status
	}
	for name, want := range map[string]plan.Status{"Fabrikam": plan.Pass, "Northwind Traders": plan.Fail, "Tailspin Toys": plan.Fail, "Alpine Ski House": plan.Fail} {
		if status[name] != want {
			t.Errorf("%s: %s, want %s", name, status[name], want)
		}
	}
	fixes := before.Plan.Fixes
	if len(fixes) == 0 {
		t.Fatal("no fixes planned")
	}
	var ids []string
	for _, f := range fixes {
		if f.What == "" || f.Who == "" {
			t.Errorf("a fix without words: %+v", f)
		}
		ids = append(ids, f.ID)
	}
	outcomes := svc.Apply(ctx, before.Plan.Only(ids), func(int, int) {})
	links := 0
	for _, o := range outcomes {
		if !o.Done {
			t.Errorf("%s: %s", o.Who, o.Sentence)
		}
		for _, c := range o.ToCopy {
			if c.Label == "Approval link for the customer's admin" && c.Text != "" {
				links++
			}
		}
	}
	if links == 0 {
		t.Error("a missing role needs a new relationship, with an approval link for the customer")
	}
	after, err := svc.Check(ctx, app.GDAPRequest{Profile: "Liongard inspectors"}, func(int, int) {})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range after.Verdicts {
		if v.Customer == "Tailspin Toys" && v.Status != plan.Pass {
			t.Errorf("Tailspin Toys after the fix: %s %v", v.Status, v.Problems)
		}
	}
	var html bytes.Buffer
	if err := svc.Export(before, "html", &html); err != nil || !strings.Contains(html.String(), "Northwind Traders") {
		t.Errorf("the HTML report: %v", err)
	}
}

// What was reviewed is what is applied: Apply makes the fixes of the plan it is given and no
// other, and a check plans for the profile it was asked about.
func TestGDAPAppliesTheReviewedPlanOfTheProfileChecked(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	_, a := signedIn(t, sandbox.Options{})
	svc := app.NewGDAP(a)
	ctx := context.Background()
	liongard, err := svc.Check(ctx, app.GDAPRequest{Profile: "Liongard inspectors"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cipp, err := svc.Check(ctx, app.GDAPRequest{Profile: "CIPP"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if liongard.Profile == cipp.Profile || fixWords(liongard.Plan) == fixWords(cipp.Plan) {
		t.Fatalf("two profiles, one plan: %q and %q", liongard.Profile, cipp.Profile)
	}
	one := liongard.Plan.Only([]string{liongard.Plan.Fixes[0].ID})
	outcomes := svc.Apply(ctx, one, nil)
	if len(outcomes) != 1 || outcomes[0].FixID != one.Fixes[0].ID {
		t.Fatalf("applied %+v, want only %s", outcomes, one.Fixes[0].ID)
	}
	// A plan of another wizard is refused, changing nothing.
	other := plan.Plan{Fixes: []plan.Fix{{ID: "x", Who: "Litware", Change: "not a GDAP fix"}}}
	if out := svc.Apply(ctx, other, nil); len(out) != 1 || out[0].Done || !strings.Contains(out[0].Sentence, "Not applied") {
		t.Errorf("a foreign plan: %+v", out)
	}
}

func fixWords(p plan.Plan) string {
	var b strings.Builder
	for _, f := range p.Fixes {
		b.WriteString(f.What + "\n")
	}
	return b.String()
}

func TestGDAPKeepsProfilesOfYourOwn(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	a, err := app.NewAccount(cloud.Public(), app.MemoryKeychain(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	svc := app.NewGDAP(a)
	if err := svc.SaveProfile("Our RMM", nil); err == nil {
		t.Error("a profile without roles was kept")
	}
	rs := svc.Roles()
	if len(rs) < 20 {
		t.Fatalf("%d roles to choose from", len(rs))
	}
	if err := svc.SaveProfile("Our RMM", []string{rs[0].ID, rs[1].ID}); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range svc.Profiles() {
		if p.Name == "Our RMM" && len(p.Roles) == 2 {
			found = true
		}
	}
	if !found {
		t.Fatalf("the saved profile is not offered: %+v", svc.Profiles())
	}
}

// A check passes (the command's exit code 0) only when every customer passes.
func TestGDAPResultPasses(t *testing.T) {
	tests := []struct {
		name     string
		statuses []plan.Status
		want     bool
	}{
		{"no customers", nil, true},
		{"all pass", []plan.Status{plan.Pass, plan.Pass}, true},
		{"a warning", []plan.Status{plan.Pass, plan.Warning}, false},
		{"could not check", []plan.Status{plan.CouldNotCheck}, false},
		{"a failure", []plan.Status{plan.Fail, plan.Pass}, false},
	}
	for _, tt := range tests {
		var r app.GDAPResult
		for _, s := range tt.statuses {
			r.Verdicts = append(r.Verdicts, app.GDAPVerdict{Status: s})
		}
		if got := r.Passes(); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
