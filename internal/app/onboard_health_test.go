package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/health"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// findingOf is the one finding of a tenant (by id), or fails the test.
func findingOf(t *testing.T, fs []health.Finding, id string) health.Part {
	t.Helper()
	for _, f := range fs {
		if strings.EqualFold(f.Tenant.ID, id) {
			return f.Part
		}
	}
	t.Fatalf("no finding for %s in %+v", id, fs)
	return health.Part{}
}

// TestOnboardingPartsOfTheHealthCheck: onboarding's parts of the health verdict come from its
// ledger. A request that waits for a new customer (Fourth Coffee, which never answers here) is a
// warning under its domain until the customer has a tenant; one the customer declined fails; a
// customer the app onboarded (Northwind Traders) is verified again and passes.
func TestOnboardingPartsOfTheHealthCheck(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	check := func(o *app.Onboard, kind health.Kind) []health.Finding {
		t.Helper()
		for _, c := range o.HealthChecks() {
			if c.Kind() == kind {
				fs, err := c.Check(ctx, nil)
				if err != nil {
					t.Fatalf("%s: %v", kind, err)
				}
				return fs
			}
		}
		t.Fatalf("no %s check", kind)
		return nil
	}

	t.Run("waiting and declined", func(t *testing.T) {
		for _, tc := range []struct {
			answer string
			want   plan.Status
			says   string
		}{
			{sandbox.AnswerNever, plan.Warning, "Waiting for the Global Administrator"},
			{sandbox.AnswerDecline, plan.Fail, "declined"},
		} {
			s, o, _, _ := onboarding(t, sandbox.Options{Answer: tc.answer})
			_, err := o.Run(ctx, app.OnboardRequest{NewDomain: sandbox.ProspectDomain}, app.RunOptions{Wait: 300 * time.Millisecond,
				Sent: func(domain string, links []string) {
					for _, l := range links {
						_ = s.OpenAsCustomer(domain, l) // the administrator reads it and answers as the scenario says
					}
				}})
			if err != nil {
				t.Fatal(err)
			}
			p := findingOf(t, check(o, health.Invitations), sandbox.ProspectDomain)
			if p.Status != tc.want || !strings.Contains(p.Sentence, tc.says) || p.Fix != health.FixOnboard {
				t.Errorf("%s: %+v, want %s saying %q", tc.answer, p, tc.want, tc.says)
			}
			if fs := check(o, health.Connection); len(fs) != 0 {
				t.Errorf("%s: a connection part for a customer not onboarded: %+v", tc.answer, fs)
			}
		}
	})

	t.Run("onboarded", func(t *testing.T) {
		s, o, _, _ := onboarding(t, sandbox.Options{})
		rep, err := o.Run(ctx, app.OnboardRequest{Customer: "Northwind Traders"}, app.RunOptions{Wait: time.Minute,
			Sent: func(domain string, links []string) {
				for _, l := range links {
					if err := s.OpenAsCustomer(domain, l); err != nil {
						t.Errorf("the customer opens %s: %v", l, err)
					}
				}
			}})
		if err != nil || rep.Status != "done" {
			t.Fatalf("onboarding Northwind: %v, %+v", err, rep)
		}
		if fs := check(o, health.Invitations); len(fs) != 0 {
			t.Errorf("an onboarded customer's invitation is still waiting: %+v", fs)
		}
		p := findingOf(t, check(o, health.Connection), rep.Customer.TenantID)
		if p.Status != plan.Pass || !strings.HasPrefix(p.Sentence, "Connected") {
			t.Errorf("Northwind's connection: %+v", p)
		}
	})
}
