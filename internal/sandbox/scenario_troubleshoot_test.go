package sandbox

import (
	"strings"
	"testing"
	"time"
)

// The Troubleshoot cases must agree with the sandbox's own Conditional Access: the policies meant
// to be harmless never block the partner, the report-only one does not block yet, and Litware's
// block still does.
func TestTroubleshootCasesAgreeWithConditionalAccess(t *testing.T) {
	now := time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC)
	w := contosoPartners(now)
	partner := w.partner.id
	byName := map[string]*tenant{}
	for _, c := range w.customers {
		byName[c.displayName] = c
	}
	litware := byName["Litware"]
	if len(litware.policies) != 5 {
		t.Fatalf("Litware has %d policies, want its block and four harmless ones", len(litware.policies))
	}
	if id, _, blocked := blockingPolicy(litware, partner); !blocked || id != stableID("litware.onmicrosoft.com", "policy", "block-guests") {
		t.Errorf("Litware: blocked %v by %s, want its block-guests policy", blocked, id)
	}
	for _, p := range litware.policies[1:] {
		if _, _, blocked := blockingPolicy(&tenant{policies: []map[string]any{p}}, partner); blocked {
			t.Errorf("the harmless policy %q blocks the partner", p["displayName"])
		}
	}
	woodgrove := byName["Woodgrove Bank"]
	if len(woodgrove.policies) != 1 || woodgrove.policies[0]["state"] != "enabledForReportingButNotEnforced" {
		t.Fatalf("Woodgrove's policies: %v", woodgrove.policies)
	}
	if _, _, blocked := blockingPolicy(woodgrove, partner); blocked {
		t.Error("a report-only policy blocks")
	}
	// Enforced, it would.
	enforced := map[string]any{}
	for k, v := range woodgrove.policies[0] {
		enforced[k] = v
	}
	enforced["state"] = "enabled"
	if _, _, blocked := blockingPolicy(&tenant{policies: []map[string]any{enforced}}, partner); !blocked {
		t.Error("the compliant-device policy, enforced, does not block")
	}
	for _, c := range w.customers {
		if c.users[0].password != sandboxPassword || !c.users[0].isAdmin || c.users[0].upn != CustomerAdmin(c.domain) {
			t.Errorf("%s: its admin %s cannot sign in", c.displayName, c.users[0].upn)
		}
		for _, u := range c.users[1:] {
			if u.password != "" {
				t.Errorf("%s: %s, not an admin, can sign in", c.displayName, u.upn)
			}
		}
	}
}

func TestLegacyClientsOnlyDoNotBlock(t *testing.T) {
	const partner = "0c2d1e9a-5b4f-4a3e-8d2c-1b0a9f8e7d6c"
	policy := func(clients []any) map[string]any {
		return map[string]any{"id": "p", "state": "enabled",
			"conditions":    map[string]any{"clientAppTypes": clients, "users": map[string]any{"includeUsers": []any{"All"}}},
			"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"block"}}}
	}
	for _, tc := range []struct {
		clients []any
		want    bool
	}{
		{nil, true},
		{[]any{}, true},
		{[]any{"all"}, true},
		{[]any{"browser"}, true},
		{[]any{"mobileAppsAndDesktopClients", "other"}, true},
		{[]any{"exchangeActiveSync", "other"}, false},
		{[]any{"easSupported"}, false},
		{[]any{7, "other"}, false},
	} {
		if _, _, got := blockingPolicy(&tenant{policies: []map[string]any{policy(tc.clients)}}, partner); got != tc.want {
			t.Errorf("clientAppTypes %v: blocked %v, want %v", tc.clients, got, tc.want)
		}
	}
}

// TestTroubleshootFleet: one customer in ten of each kind, and the technician has no way to change
// policies where the scenario takes the roles away.
func TestTroubleshootFleet(t *testing.T) {
	w := troubleshootFleet(20, time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC))
	if len(w.customers) != 20 {
		t.Fatalf("%d customers", len(w.customers))
	}
	alex := w.partner.users[0].id
	for i, c := range w.customers {
		_, _, blocks := blockingPolicy(c, w.partner.id)
		held := w.gdapRoles(c.id, alex)
		kind := (i + 1) % 10
		if blocks != (kind == 1) {
			t.Errorf("%s (kind %d): blocks %v", c.displayName, kind, blocks)
		}
		if kind == 1 && len(c.signIns) != 2 {
			t.Errorf("%s: %d failed sign-ins, want 2", c.displayName, len(c.signIns))
		}
		if got := held[roleConditionalAccess] || held[roleSecurityAdmin]; got == (kind == 3) {
			t.Errorf("%s (kind %d): can change policies %v", c.displayName, kind, got)
		}
		if p1 := c.hasServicePlan(planAADPremium); p1 == (kind == 4) {
			t.Errorf("%s (kind %d): P1 %v", c.displayName, kind, p1)
		}
		if _, consented := w.consents[c.id][AppID]; consented == (kind == 6) {
			t.Errorf("%s (kind %d): consented %v", c.displayName, kind, consented)
		}
		if n := len(c.policies); (kind == 5) != (n == 4) {
			t.Errorf("%s (kind %d): %d policies", c.displayName, kind, n)
		}
	}
	if w, err := buildWorld(Options{Scenario: ScenarioTroubleshoot}, time.Now()); err != nil || len(w.customers) != TroubleshootCustomers {
		t.Errorf("the default troubleshoot scenario: %v", err)
	}
	if !strings.HasPrefix(CustomerAdmin("litware.onmicrosoft.com"), "admin@") {
		t.Error("CustomerAdmin")
	}
}
