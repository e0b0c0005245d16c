package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/health"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// TestHealthOnTheSandbox holds the verdicts that the wizards' own checks give the sandbox's
// customers when they are put side by side: Litware fails on Conditional Access (GDAP alone
// says it passes), Relecloud on consent, and every customer has its six parts.
func TestHealthOnTheSandbox(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	_, a := signedIn(t, sandbox.Options{})
	h := app.NewHealth(a)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := h.Check(ctx, app.HealthRequest{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Customers) != 12 || r.Passes() {
		t.Fatalf("%d customers, passes %v", len(r.Customers), r.Passes())
	}
	want := map[string]map[health.Kind]plan.Status{
		"Litware":   {health.ConditionalAccess: plan.Fail, health.GDAPRoles: plan.Pass},
		"Relecloud": {health.Consent: plan.Fail},
		"Fabrikam": {health.GDAPRoles: plan.Pass, health.Consent: plan.Pass, health.ConditionalAccess: plan.Pass,
			health.EntraP1: plan.Pass, health.RelationshipEnd: plan.Pass, health.Invitations: plan.Pass},
		"Woodgrove Bank":   {health.RelationshipEnd: plan.Warning},
		"Trey Research":    {health.Invitations: plan.Warning},
		"Lamna Healthcare": {health.EntraP1: plan.Warning},
	}
	for _, c := range r.Customers {
		if len(c.Checks) < 4 {
			t.Errorf("%s has %d checks, want at least four", c.Name, len(c.Checks))
		}
		for k, st := range want[c.Name] {
			p, ok := c.Check(k)
			if !ok || p.Status != st || p.Sentence == "" {
				t.Errorf("%s %s: %+v, want %s", c.Name, k, p, st)
			}
		}
		t.Logf("%s %s", c.Name, c.Status)
		for _, p := range c.Checks {
			t.Logf("   %s %s %s", p.Check, p.Status, p.Sentence)
		}
	}
	for _, p := range r.Partner.Checks {
		t.Logf("partner %s %s %s", p.Check, p.Status, p.Sentence)
	}
	last, ok, err := h.Last()
	if err != nil || !ok || !last.CheckedAt.Equal(r.CheckedAt) || len(last.Customers) != 12 {
		t.Errorf("the last result kept: %v %v %v", ok, err, last.CheckedAt)
	}
}
