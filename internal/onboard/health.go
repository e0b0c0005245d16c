package onboard

import (
	"context"
	"strings"

	"github.com/onboard365/onboard365/internal/health"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
)

// HealthChecks are onboarding's parts of every customer's verdict in internal/health, from the
// invitation ledger: the invitations sent and still open (read again from Microsoft, with their
// age against the 90 days), a new customer's among them, and for every customer onboarded by the
// app, the verify step again (a token through GDAP and one read per role class its request
// granted).
func HealthChecks(env Env) []health.CustomerCheck {
	return []health.CustomerCheck{invitationsCheck{env}, connectionCheck{env}}
}

// invitationsCheck judges the open invitations of the ledger.
type invitationsCheck struct{ env Env }

func (invitationsCheck) Kind() health.Kind { return health.Invitations }

func (c invitationsCheck) Check(ctx context.Context, _ []health.Tenant) ([]health.Finding, error) {
	invs, err := c.env.Ledger.Load()
	if err != nil {
		return nil, err
	}
	now := c.env.now()
	var out []health.Finding
	for _, inv := range invs {
		if !inv.Open() {
			continue
		}
		if got, err := Read(ctx, c.env, inv); err == nil {
			inv = got
		} // else: judged as last read; Sentence says when that was
		part := health.Part{Sentence: Sentence(inv, now), Fix: health.FixOnboard}
		switch {
		case inv.Phase == AwaitingApproval:
			part.Status = plan.Warning
			part.Stage = waitStage(int(now.Sub(inv.Sent).Hours() / 24))
		case inv.Phase.Waits(), inv.Phase == Active:
			// Activating, or active but the set-up (groups, consent, verify) not finished yet.
			part.Status = plan.Warning
		default: // declined, expired, ended, gone: the customer is not connected by it
			part.Status = plan.Fail
		}
		out = append(out, health.Finding{Tenant: healthTenant(inv.Customer), Part: part})
	}
	return out, nil
}

// waitStage tells a longer wait again: after a week, and after 30 days.
func waitStage(days int) string {
	switch {
	case days >= 30:
		return "30d"
	case days >= 7:
		return "7d"
	}
	return ""
}

// healthTenant is the tenant a finding names: a new customer that has not approved yet has no tenant
// id, so its domain stands for it (a stable key, never empty).
func healthTenant(c Customer) health.Tenant {
	id := c.TenantID
	if id == "" {
		id = strings.ToLower(c.Domain)
	}
	return health.Tenant{ID: id, Name: c.Label()}
}

// connectionCheck verifies again every customer the app onboarded.
type connectionCheck struct{ env Env }

func (connectionCheck) Kind() health.Kind { return health.Connection }

func (c connectionCheck) Check(ctx context.Context, _ []health.Tenant) ([]health.Finding, error) {
	invs, err := c.env.Ledger.Load()
	if err != nil {
		return nil, err
	}
	var out []health.Finding
	seen := map[string]bool{}
	for _, inv := range invs {
		id := strings.ToLower(inv.Customer.TenantID)
		if inv.Closed != "onboarded" || id == "" || seen[id] {
			continue
		}
		seen[id] = true
		v := Verify(ctx, c.env, inv.Customer, Access{Profile: roles.Profile{Roles: inv.Roles}})
		part := health.Part{Status: plan.Pass, Sentence: v.Sentence}
		if !v.Connected {
			part.Status, part.Fix = plan.Fail, health.FixOnboard
		}
		out = append(out, health.Finding{Tenant: healthTenant(inv.Customer), Part: part})
	}
	return out, nil
}
