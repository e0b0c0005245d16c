package conformance

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/onboard"
	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// exerciseOnboarding onboards a new customer, Fourth Coffee, end to end through internal/onboard,
// as the wizard does: the reseller invitation link, a relationship request that names no
// customer, the customer's approval, groups and access assignments, consent, and the connection
// check's reads in the customer.
func exerciseOnboarding(ctx context.Context, t *testing.T, h *harness, pc *partnercenter.Client) {
	pages, err := learn.Load()
	if err != nil {
		t.Fatal(err)
	}
	n, err := permissions.Derive(pages, permissions.Choice{})
	if err != nil {
		t.Fatal(err)
	}
	probe := func(ctx context.Context, tenantID string) ([]string, error) {
		tok, err := h.s.IssueToken(sandbox.TokenRequest{UPN: technician, Tenant: tenantID, Audience: graphAud, Consented: true})
		if err != nil {
			return nil, err
		}
		c, err := auth.ParseClaims(tok)
		if err != nil {
			return nil, err
		}
		if c.Scp == "" {
			return nil, fmt.Errorf("%w: no consent", appreg.ErrNotConsented)
		}
		return appreg.ParseScopes(c.Scp), nil
	}
	env := onboard.Env{
		Partner: h.partner, PartnerCenter: pc, Probe: probe, Pages: pages,
		Customer: func(ctx context.Context, tenantID string) (*graph.Client, error) {
			return h.graphFor(tenantID, graph.Options{}), nil
		},
		App:      onboard.App{ID: sandbox.AppID, Name: "Onboard365", Needs: n},
		Ledger:   &onboard.Ledger{Path: filepath.Join(t.TempDir(), "invitations.json")},
		Recorder: &audit.Memory{}, Technician: technician,
	}
	var all []roles.Profile
	for _, name := range []string{roles.ProfileOnboard365, roles.ProfileLiongard} {
		p, _ := roles.Find(name)
		all = append(all, p)
	}
	access, err := onboard.Combine(all, false)
	if err != nil {
		t.Fatal(err)
	}
	req := onboard.Request{NewDomain: sandbox.ProspectDomain, Access: access, Reseller: true}
	for round := 0; round < 6; round++ {
		st, err := onboard.Check(ctx, env, req)
		if err != nil {
			t.Fatalf("onboarding check: %v", err)
		}
		if st.Ready {
			if v := onboard.Verify(ctx, env, st.Customer, access); !v.Connected {
				t.Errorf("onboarding: %s", v.Sentence)
			}
			return
		}
		if len(st.Fixes) > 0 {
			for _, r := range onboard.Apply(ctx, env, st.Fixes, nil) {
				if !r.Done {
					t.Errorf("onboarding fix %s: %s", r.Fix.ID, r.Sentence)
				}
			}
			continue
		}
		inv := st.Invitation
		if inv == nil {
			t.Fatalf("onboarding waits for nothing: %+v", st.Steps)
		}
		for _, link := range []string{inv.ApprovalLink, inv.ResellerLink} {
			if err := h.s.OpenAsCustomer(sandbox.ProspectDomain, link); err != nil {
				t.Fatalf("the customer opens %s: %v", link, err)
			}
		}
		if _, err := onboard.Wait(ctx, env, *inv, []time.Duration{10 * time.Millisecond}, nil, nil); err != nil && !strings.Contains(err.Error(), "context") {
			t.Fatalf("wait: %v", err)
		}
	}
	t.Errorf("onboarding Fourth Coffee did not end")
}
