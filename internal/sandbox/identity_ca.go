package sandbox

import (
	"strings"

	"github.com/onboard365/onboard365/internal/jsonvalue"
)

// Conditional Access, as far as the sandbox evaluates it: does a customer's policy stop the
// partner's service provider users (GDAP technicians) from getting a token in that customer?
//
// Entra evaluates many conditions (applications, platforms, locations, client apps, sign-in and
// user risk). The sandbox assumes most of those match and looks only at what decides the problem
// the Troubleshoot wizard diagnoses: whom the policy targets, whether it covers modern clients
// (a block of legacy clients, the commonest policy of all, never stops a partner), and whether a
// partner user could ever satisfy its grant controls.

// blockingPolicy returns the first enabled Conditional Access policy of customer that refuses
// tokens to the service provider users of the partner tenant partnerTenantID.
//
// A policy blocks them when all of these hold:
//   - its state is "enabled" ("enabledForReportingButNotEnforced" only logs, "disabled" does nothing);
//   - its grant controls cannot be met by a partner user: "block", or device controls that a
//     technician's own device never meets in the customer's tenant ("compliantDevice" and
//     "domainJoinedDevice": the device is registered in the partner's tenant, not the
//     customer's). With operator "OR" every control must be unsatisfiable; with "AND" one is
//     enough. MFA, authentication strengths and terms of use are satisfiable (the customer's
//     cross-tenant access settings trust the partner's MFA for service providers);
//   - its users condition includes them: includeUsers has "All" (or the legacy
//     "GuestsOrExternalUsers"), or includeGuestsOrExternalUsers names the "serviceProvider" type
//     for all external tenants or for an enumeration that contains the partner;
//   - its client apps condition takes in modern clients (no clientAppTypes, or "all", "browser" or
//     "mobileAppsAndDesktopClients"): a policy for legacy clients only ("exchangeActiveSync",
//     "other") never meets a technician's or an integration's OAuth sign-in;
//   - and does not exclude them: excludeGuestsOrExternalUsers names "serviceProvider" for all
//     external tenants or for an enumeration that contains the partner (or excludeUsers has the
//     legacy "GuestsOrExternalUsers").
//
// Policies are kept as Graph JSON (map[string]any), so every value is checked for its type: a
// policy of an unexpected shape is simply not blocking. The caller holds the world's lock.
func blockingPolicy(customer *tenant, partnerTenantID string) (id, name string, blocked bool) {
	if customer == nil {
		return "", "", false
	}
	for _, p := range customer.policies {
		if p == nil || jsonvalue.String(p["state"]) != "enabled" {
			continue
		}
		if !unsatisfiableForPartner(jsonvalue.Object(p["grantControls"])) {
			continue
		}
		if !forModernClients(jsonvalue.Object(p["conditions"])) {
			continue
		}
		users := jsonvalue.Object(jsonvalue.Object(p["conditions"])["users"])
		if !includesServiceProviders(users, partnerTenantID) || excludesServiceProviders(users, partnerTenantID) {
			continue
		}
		return jsonvalue.String(p["id"]), jsonvalue.String(p["displayName"]), true
	}
	return "", "", false
}

// forModernClients says whether a policy's conditions take in the modern clients (browsers,
// desktop and mobile apps using modern authentication) that partner sign-ins come from.
func forModernClients(conditions map[string]any) bool {
	types := jsonvalue.Strings(conditions["clientAppTypes"])
	if len(types) == 0 {
		return true
	}
	for _, t := range types {
		switch strings.ToLower(t) {
		case "all", "browser", "mobileappsanddesktopclients":
			return true
		}
	}
	return false
}

// unsatisfiableForPartner says whether a partner user can never meet the grant controls.
func unsatisfiableForPartner(grant map[string]any) bool {
	controls := jsonvalue.Strings(grant["builtInControls"])
	if len(controls) == 0 {
		return false // no grant controls (session controls only): nothing to meet
	}
	unmeetable := func(c string) bool {
		switch strings.ToLower(c) {
		case "block", "compliantdevice", "domainjoineddevice":
			return true
		}
		return false
	}
	for _, c := range controls {
		if strings.EqualFold(c, "block") {
			return true // block wins whatever the operator
		}
	}
	if strings.EqualFold(jsonvalue.String(grant["operator"]), "AND") {
		for _, c := range controls {
			if unmeetable(c) {
				return true
			}
		}
		return false
	}
	for _, c := range controls {
		if !unmeetable(c) {
			return false
		}
	}
	return true
}

func includesServiceProviders(users map[string]any, partnerTenantID string) bool {
	for _, u := range jsonvalue.Strings(users["includeUsers"]) {
		if strings.EqualFold(u, "All") || strings.EqualFold(u, "GuestsOrExternalUsers") {
			return true
		}
	}
	return namesServiceProviders(jsonvalue.Object(users["includeGuestsOrExternalUsers"]), partnerTenantID)
}

func excludesServiceProviders(users map[string]any, partnerTenantID string) bool {
	for _, u := range jsonvalue.Strings(users["excludeUsers"]) {
		if strings.EqualFold(u, "GuestsOrExternalUsers") {
			return true
		}
	}
	return namesServiceProviders(jsonvalue.Object(users["excludeGuestsOrExternalUsers"]), partnerTenantID)
}

// namesServiceProviders reads a conditionalAccessGuestsOrExternalUsers object: does it name the
// serviceProvider type for the partner's tenant? guestOrExternalUserTypes is a comma-separated
// flags string; externalTenants is "all" tenants, an enumeration, or absent (meaning all).
func namesServiceProviders(g map[string]any, partnerTenantID string) bool {
	if g == nil {
		return false
	}
	named := false
	for _, t := range strings.Split(jsonvalue.String(g["guestOrExternalUserTypes"]), ",") {
		if strings.EqualFold(strings.TrimSpace(t), "serviceProvider") {
			named = true
		}
	}
	if !named {
		return false
	}
	ext, present := g["externalTenants"]
	if !present || ext == nil {
		return true
	}
	tenants := jsonvalue.Object(ext)
	switch kind := jsonvalue.String(tenants["membershipKind"]); {
	case strings.EqualFold(kind, "all"):
		return true
	case strings.EqualFold(kind, "enumerated"):
		for _, m := range jsonvalue.Strings(tenants["members"]) {
			if strings.EqualFold(m, partnerTenantID) {
				return true
			}
		}
	}
	return false
}
