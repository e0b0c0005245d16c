package app_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/onboard"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// onboarding is the onboarding service on a signed-in sandbox, with a ledger and an audit trail
// of its own.
func onboarding(t *testing.T, opts sandbox.Options) (*sandbox.Server, *app.Onboard, *audit.Memory, *onboard.Ledger) {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	s, a := signedIn(t, opts)
	ledger := &onboard.Ledger{Path: filepath.Join(t.TempDir(), "invitations.json")}
	rec := &audit.Memory{}
	o := app.NewOnboard(a, ledger, rec)
	o.Pauses = []time.Duration{20 * time.Millisecond}
	return s, o, rec, ledger
}

func TestRunOnboardsAnExistingAndANewCustomer(t *testing.T) {
	for _, tc := range []struct {
		name string
		req  app.OnboardRequest
	}{
		{"Northwind Traders", app.OnboardRequest{Customer: "Northwind Traders"}},
		{"Fourth Coffee", app.OnboardRequest{NewDomain: sandbox.ProspectDomain, Reseller: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, o, rec, ledger := onboarding(t, sandbox.Options{})
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var delivered []string
			rep, err := o.Run(ctx, tc.req, app.RunOptions{Wait: time.Minute, Sent: func(domain string, links []string) {
				for _, l := range links {
					delivered = append(delivered, l)
					if err := s.OpenAsCustomer(domain, l); err != nil {
						t.Errorf("the customer opens %s: %v", l, err)
					}
				}
			}, Progress: func(s string) { t.Log(s) }})
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range rep.Steps {
				t.Logf("%s %s: %s", st.Name, st.Status, st.Sentence)
				if st.Status != "done" && st.Status != "skipped" {
					t.Errorf("step %s is %s", st.Name, st.Status)
				}
			}
			if rep.Status != "done" {
				t.Errorf("status %s", rep.Status)
			}
			if len(delivered) == 0 || !strings.Contains(delivered[0], "granularAdminRelationships/") {
				t.Errorf("delivered %v", delivered)
			}
			for _, e := range rec.Entries() {
				t.Logf("audit: %s %s %s %s", e.TenantName, e.Change, e.After, e.Result)
			}
			invs, _ := ledger.Load()
			for _, i := range invs {
				t.Logf("ledger: %+v", i)
			}
			// Again: nothing to do.
			again, err := o.Check(ctx, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.Plan.Fixes) != 0 || !again.Ready {
				t.Errorf("again: %d fixes, ready %v: %+v", len(again.Plan.Fixes), again.Ready, again.Steps)
			}
		})
	}
}

// TestGDAPFixForMissingRolesIsOneRequest: Wingtip Toys' only relationship expired. The GDAP
// wizard checked against Liongard requests a relationship; checked against MSP Process next, its
// fix asks for the roles of both in one new request, so Wingtip's admin approves one link, the
// newest, and Wingtip passes both profiles. Both requests are in the onboarding ledger.
func TestGDAPFixForMissingRolesIsOneRequest(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	s, a := signedIn(t, sandbox.Options{})
	ledger := &onboard.Ledger{Path: filepath.Join(t.TempDir(), "invitations.json")}
	ctx := context.Background()
	g := app.NewGDAP(a)
	g.Ledger = ledger
	wingtip := func(r app.GDAPResult) []string {
		var ids []string
		for _, f := range r.Plan.Fixes {
			if f.Who == "Wingtip Toys" {
				ids = append(ids, f.ID)
			}
		}
		return ids
	}
	first, err := g.Check(ctx, app.GDAPRequest{Profile: "Liongard inspectors"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range g.Apply(ctx, first.Plan.Only(wingtip(first)), nil) {
		if !out.Done {
			t.Fatalf("Liongard's fix: %s", out.Sentence)
		}
	}
	second, err := g.Check(ctx, app.GDAPRequest{Profile: "MSP Process Authenticator"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ids := wingtip(second)
	if len(ids) != 1 {
		t.Fatalf("Wingtip's fixes for MSP Process: %v", ids)
	}
	fix := second.Plan.Only(ids).Fixes[0]
	for _, want := range []string{"8 roles", "Application Administrator", "Teams Administrator", "approve only the new link"} {
		if !strings.Contains(fix.What, want) {
			t.Errorf("the fix does not say %q: %s", want, fix.What)
		}
	}
	var link string
	for _, out := range g.Apply(ctx, second.Plan.Only(ids), nil) {
		for _, c := range out.ToCopy {
			if strings.HasPrefix(c.Text, "https://admin.microsoft.com/") {
				link = c.Text
			}
		}
	}
	if link == "" {
		t.Fatal("no approval link")
	}
	if err := s.ApproveAsCustomer("wingtiptoys.onmicrosoft.com", link); err != nil { // only the newest
		t.Fatal(err)
	}
	if _, err := g.Check(ctx, app.GDAPRequest{Profile: "Liongard inspectors"}, nil); err != nil { // Microsoft activates it
		t.Fatal(err)
	}
	for _, p := range []string{"Liongard inspectors", "MSP Process Authenticator"} {
		r, err := g.Check(ctx, app.GDAPRequest{Profile: p}, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range r.Verdicts {
			if v.Customer == "Wingtip Toys" && strings.Contains(strings.Join(v.Problems, " "), "no relationship is active") {
				t.Errorf("%s: %s", p, v.Problems)
			}
		}
	}
	invs, err := ledger.Load()
	if err != nil || len(invs) != 2 || invs[0].Templates[0] != "MSP Process Authenticator" || len(invs[0].Roles) != 8 {
		t.Errorf("the ledger: %+v %v", invs, err)
	}
}
