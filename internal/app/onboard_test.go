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
