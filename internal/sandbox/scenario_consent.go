package sandbox

import (
	"strings"

	"github.com/onboard365/onboard365/internal/reference/learn"
)

// The consent the scenarios record for the Onboard365 app: what its partner's administrator
// granted in the partner tenant (an oauth2PermissionGrant for everyone), and what Partner Center
// consented in each customer (applicationconsents). Entra's ".default" gives exactly these
// (identity_grants.go), so they are the scenarios' own data: a partner that ran Onboard365's App
// registration wizard has consented what that wizard asks for. A conformance test
// (internal/conformance) holds them equal to what the app registration asks for; when the app's
// permission table changes, that test says what to write here.
var (
	onboard365PartnerConsent = []string{
		"AuditLog.Read.All", "DelegatedAdminRelationship.ReadWrite.All", "Directory.Read.All", "Group.ReadWrite.All",
		"GroupMember.ReadWrite.All", "IdentityRiskyUser.Read.All", "IdentityRiskyUser.ReadWrite.All", "Policy.Read.All",
	}
	onboard365CustomerConsent = []string{
		"Application.Read.All", "AuditLog.Read.All", "Directory.Read.All", "Policy.Read.All", "Policy.ReadWrite.ConditionalAccess",
		"UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite",
	}
)

// ScenarioConsent is what the scenarios record as consented for the Onboard365 app (AppID): in
// the partner tenant and, through Partner Center, in each customer. Tests compare it with what
// the app's permission table derives.
func ScenarioConsent() (partner, customers []string) {
	return append([]string(nil), onboard365PartnerConsent...), append([]string(nil), onboard365CustomerConsent...)
}

// onboard365Grants are the partner tenant's delegated permission grants for the app: Graph with
// the partner consent, Partner Center with user_impersonation. spID is the app's service principal.
func onboard365Grants(p *tenant, spID string, graphScopes []string) []*oauth2Grant {
	return []*oauth2Grant{
		{id: stableID("partner", "grant", "graph"), clientID: spID, resourceID: stableID(p.id, "sp", graphAppID), consentType: "AllPrincipals", scope: strings.Join(graphScopes, " ")},
		{id: stableID("partner", "grant", "partnercenter"), clientID: spID, resourceID: stableID(p.id, "sp", partnerCenterAppID), consentType: "AllPrincipals", scope: partnerCenterScope},
	}
}

// partnerCenterScope and partnerCenterScopeID are Partner Center's one delegated permission
// (DOMAIN.md).
const (
	partnerCenterScope   = "user_impersonation"
	partnerCenterScopeID = "1cebfa2a-fb4d-419e-b5f9-839b4383e05a"
)

// onboard365Access is the app registration's requiredResourceAccess for these Graph permissions
// (by GUID, from Microsoft's permissions-descriptions.json through internal/reference/learn) and
// Partner Center's user_impersonation.
func onboard365Access(pages *learn.Data, graphScopes []string) []map[string]any {
	var graph []any
	for _, name := range graphScopes {
		if id, ok := pages.PermissionID(name, false); ok {
			graph = append(graph, map[string]any{"id": id, "type": "Scope"})
		}
	}
	return []map[string]any{
		{"resourceAppId": graphAppID, "resourceAccess": graph},
		{"resourceAppId": partnerCenterAppID, "resourceAccess": []any{map[string]any{"id": partnerCenterScopeID, "type": "Scope"}}},
	}
}

// union is a and b, each name once, in order.
func union(a, b []string) []string {
	out := append([]string(nil), a...)
	for _, x := range b {
		found := false
		for _, y := range out {
			found = found || strings.EqualFold(x, y)
		}
		if !found {
			out = append(out, x)
		}
	}
	return out
}
