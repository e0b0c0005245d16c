package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// What the Troubleshoot "400" wizard meets in the sandbox, besides the causes the default scenario
// already shows (Litware's blocking policy and its failed sign-ins, the risky technician lee, the
// partner's MFA policy with a break-glass exclusion, Lamna Healthcare without P1, Relecloud without
// consent, and the GDAP problems): Conditional Access policies that do NOT stop the partner and
// must be left alone, a report-only policy that would, customer administrators who can sign in
// (the only way to reach a customer whose policy blocks every technician), and a generated fleet
// of customers to measure the wizard on.

// ScenarioTroubleshoot is a generated partner whose customers show, one in ten each, every cause
// of "400" the Troubleshoot wizard finds (see troubleshootFleet): the scenario of its speed
// benchmark. Options.Customers sets how many customers it has; 0 means TroubleshootCustomers.
const ScenarioTroubleshoot = "troubleshoot"

// TroubleshootCustomers is how many customers ScenarioTroubleshoot has by default.
const TroubleshootCustomers = 500

// CustomerAdmin is the account of a sandbox customer's own Global Administrator, which signs in
// with the sandbox password: for example admin@litware.onmicrosoft.com.
func CustomerAdmin(customerDomain string) string { return "admin@" + customerDomain }

// troubleshootCases adds to the default scenario what the Troubleshoot wizard must judge.
func troubleshootCases(w *world, now time.Time) {
	adminsCanSignIn(w)
	for _, c := range w.customers {
		switch c.displayName {
		case "Litware":
			// Policies that apply to nobody from the partner, or that a partner sign-in satisfies:
			// the wizard must name them as harmless and never change them.
			c.policies = append(c.policies, harmlessPolicies(c.domain, now)...)
		case "Woodgrove Bank":
			// Report-only today: it blocks nobody yet, but would block every technician once
			// Woodgrove turns it on.
			c.policies = append(c.policies, compliantDeviceReportOnly(stableID(c.domain, "policy", "compliant-device"), now))
		}
	}
}

// adminsCanSignIn gives every customer's own admin (its first user) the sandbox password, so that
// a customer administrator can sign in where the partner's technicians are blocked.
func adminsCanSignIn(w *world) {
	for _, c := range w.customers {
		if len(c.users) > 0 && c.users[0].isAdmin {
			c.users[0].password = sandboxPassword
		}
	}
}

// harmlessPolicies are four policies that a customer commonly has and that never stop the
// partner's service provider users: MFA for everyone (a partner sign-in carries MFA), a block of
// legacy clients (technicians use modern ones), a block of B2B guests only, and an old block of
// every external user that is switched off.
func harmlessPolicies(domain string, now time.Time) []map[string]any {
	created := now.AddDate(0, -5, 0).UTC().Format(time.RFC3339)
	base := func(id, name, state string, users map[string]any, clientApps []any, controls []any) map[string]any {
		return map[string]any{
			"id": stableID(domain, "policy", id), "displayName": name, "state": state,
			"createdDateTime": created, "modifiedDateTime": created,
			"conditions": map[string]any{
				"clientAppTypes": clientApps,
				"applications":   map[string]any{"includeApplications": []any{"All"}, "excludeApplications": []any{}},
				"users":          users,
			},
			"grantControls": map[string]any{"operator": "OR", "builtInControls": controls},
		}
	}
	users := func(include []any) map[string]any {
		return map[string]any{"includeUsers": include, "excludeUsers": []any{}, "includeGroups": []any{}, "excludeGroups": []any{},
			"includeRoles": []any{}, "excludeRoles": []any{}}
	}
	guestsOnly := users([]any{})
	guestsOnly["includeGuestsOrExternalUsers"] = map[string]any{
		"guestOrExternalUserTypes": "b2bCollaborationGuest,b2bCollaborationMember",
		"externalTenants":          map[string]any{"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"},
	}
	everyExternal := users([]any{})
	everyExternal["includeGuestsOrExternalUsers"] = map[string]any{
		"guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider",
		"externalTenants":          map[string]any{"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"},
	}
	return []map[string]any{
		base("mfa-everyone", "Require MFA for everyone", "enabled", users([]any{"All"}), []any{"all"}, []any{"mfa"}),
		base("legacy", "Block legacy authentication", "enabled", users([]any{"All"}), []any{"exchangeActiveSync", "other"}, []any{"block"}),
		base("b2b-guests", "Block B2B guests", "enabled", guestsOnly, []any{"all"}, []any{"block"}),
		base("old-external", "Block all external users (old)", "disabled", everyExternal, []any{"all"}, []any{"block"}),
	}
}

// compliantDeviceReportOnly asks every user for a device marked compliant in the customer's own
// Intune, in report-only mode. A technician's device never is, so once enforced it blocks them.
func compliantDeviceReportOnly(id string, now time.Time) map[string]any {
	created := now.AddDate(0, 0, -6).UTC().Format(time.RFC3339)
	return map[string]any{
		"id": id, "displayName": "Require a compliant device (testing)", "state": "enabledForReportingButNotEnforced",
		"createdDateTime": created, "modifiedDateTime": created,
		"conditions": map[string]any{
			"clientAppTypes": []any{"all"},
			"applications":   map[string]any{"includeApplications": []any{"All"}, "excludeApplications": []any{}},
			"users": map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{}, "includeGroups": []any{},
				"excludeGroups": []any{}, "includeRoles": []any{}, "excludeRoles": []any{}},
		},
		"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"compliantDevice"}},
	}
}

// troubleshootFleet is ScenarioTroubleshoot: n generated customers (as the generated scenario
// builds them: two healthy relationships each), of which, by the last digit of their number,
//
//	1: a policy blocks every guest and external user, and two blocked sign-ins are in the log;
//	2: a report-only policy would block technicians once enforced;
//	3: the same, and the technician holds neither Conditional Access Administrator nor
//	   Security Administrator there, so the wizard cannot fix it through GDAP;
//	4: no Entra ID P1;
//	5: four policies that do not stop the partner;
//	6: the app has no consent;
//
// and the others are healthy.
func troubleshootFleet(n int, now time.Time) *world {
	w := generated(n, now)
	adminsCanSignIn(w)
	p := w.partner
	for i, c := range w.customers {
		switch (i + 1) % 10 {
		case 1:
			id := stableID(c.domain, "policy", "block-guests")
			c.policies = append(c.policies, blockGuestsPolicy(id, now))
			for j := 0; j < 2; j++ {
				c.signIns = append(c.signIns, signIn{
					id: stableID(c.domain, "signin", fmt.Sprint(j)), created: now.Add(-time.Duration(j+1) * time.Hour),
					userPrincipalName: p.users[0].upn, homeTenantID: p.id, appDisplayName: "Onboard365", errorCode: 53003,
					failureReason:  "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
					policies:       []appliedPolicy{{id, "Block guests and external users", "failure"}},
					nonInteractive: true,
				})
			}
		case 2:
			c.policies = append(c.policies, compliantDeviceReportOnly(stableID(c.domain, "policy", "compliant-device"), now))
		case 3:
			c.policies = append(c.policies, compliantDeviceReportOnly(stableID(c.domain, "policy", "compliant-device"), now))
			for _, r := range w.relationships {
				if strings.EqualFold(r.customerID, c.id) {
					for _, a := range r.assignments {
						a.roles = without(a.roles, roleConditionalAccess, roleSecurityAdmin)
					}
				}
			}
		case 4:
			c.skus = []subscribedSku{businessBasic()}
		case 5:
			c.policies = append(c.policies, harmlessPolicies(c.domain, now)...)
		case 6:
			delete(w.consents[c.id], AppID)
			c.servicePrincipals = nil
		}
	}
	return w
}
