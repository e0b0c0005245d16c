package sandbox

import (
	"fmt"
	"strings"
	"time"
)

// Entra role template ids (DOMAIN.md, from Microsoft's permissions reference).
const (
	roleCloudAppAdmin     = "158c047a-c907-4556-b7ef-446551a6b5f7"
	roleAppAdmin          = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
	roleUserAdmin         = "fe930be7-5e62-47db-91af-98c3a49a38b1"
	roleDirectoryWriters  = "9360feb5-f418-4baa-8175-e2a00bac4301"
	roleDirectoryReaders  = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
	roleGlobalReader      = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
	roleSecurityReader    = "5d6b6bb7-de71-4623-b4af-96380a352509"
	roleSecurityAdmin     = "194ae4cb-b126-40b2-bd5b-6091b380977d"
	roleTeamsAdmin        = "69091246-20e8-4a56-aa4d-066075b2a7a8"
	roleReportsReader     = "4a5d8f65-41da-4de4-8968-e035b65339cf"
	rolePrivAuthAdmin     = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
	roleAuthAdmin         = "c4e39bd9-1100-46d3-8c65-fb160da0071f"
	roleGlobalAdmin       = "62e90394-69f5-4237-9190-012177145e10"
	roleHelpdeskAdmin     = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
	roleLicenseAdmin      = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"
	roleServiceSupport    = "f023fd81-a637-4b56-95fd-791ac0226033"
	roleConditionalAccess = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"
)

// Licences (DOMAIN.md): the service plans that carry Entra ID P1 and P2.
const (
	planAADPremium   = "41781fb2-bc02-4b7c-bd55-b576c07bb09d"
	planAADPremiumP2 = "eec0eb4f-6444-4f95-aba0-50c24d67f998"
)

// The sandbox's accounts share one password, shown on its sign-in page.
const sandboxPassword = "sandbox"

// liongardRoles and friends are the role sets that scenarios grant.
var (
	liongardRoles  = []string{roleCloudAppAdmin, roleDirectoryWriters, roleGlobalReader, roleSecurityReader, roleTeamsAdmin, roleReportsReader}
	onboard365Role = []string{roleAuthAdmin, roleConditionalAccess, roleAppAdmin, roleUserAdmin}
)

// Scenario names.
const (
	ScenarioContoso = "contoso" // the default: about a dozen customers, each showing a problem
	ScenarioEmpty   = "empty"   // a partner tenant with no customers
)

// contosoPartners builds the default scenario: the partner tenant "Contoso Partners" and twelve
// customers that together show every problem the wizards handle. Ids are stable across runs.
func contosoPartners(now time.Time) *world {
	w := newWorld(func() time.Time { return now })
	p := partnerTenant()
	w.partner = p
	w.addTenant(p)

	adminAgents, helpdesk := p.groups[0].id, p.groups[1].id
	appAdmins, userAdmins := p.groups[2].id, p.groups[3].id

	type custom func(w *world, c *tenant, r *relationship)
	customers := []struct {
		name, domain string
		problem      string // what this customer shows, for people reading the code
		shape        custom
	}{
		{"Fabrikam", "fabrikam", "healthy: everything passes", nil},
		{"Northwind Traders", "northwindtraders", "missing roles: Teams Administrator and Reports Reader", func(w *world, c *tenant, r *relationship) {
			r.roles = without(r.roles, roleTeamsAdmin, roleReportsReader)
			r.assignments[0].roles = without(r.assignments[0].roles, roleTeamsAdmin, roleReportsReader)
		}},
		{"Tailspin Toys", "tailspintoys", "roles granted but bound to no group: Security Reader, Reports Reader", func(w *world, c *tenant, r *relationship) {
			r.assignments[0].roles = without(r.assignments[0].roles, roleSecurityReader, roleReportsReader)
		}},
		{"Wingtip Toys", "wingtiptoys", "the only relationship expired", func(w *world, c *tenant, r *relationship) {
			r.status = "expired"
			r.ended = now.AddDate(0, 0, -20)
		}},
		{"Woodgrove Bank", "woodgrovebank", "relationship expires in 12 days without auto-extend", func(w *world, c *tenant, r *relationship) {
			r.autoExtend = "PT0S"
			r.ended = now.AddDate(0, 0, 12)
			r.activated = r.ended.AddDate(0, 0, -730)
			r.created = r.activated.Add(-2 * time.Hour)
		}},
		{"Adatum Corporation", "adatum", "Global Administrator granted with auto-extend", func(w *world, c *tenant, r *relationship) {
			r.roles = append(r.roles, roleGlobalAdmin)
			r.assignments[0].roles = append(r.assignments[0].roles, roleGlobalAdmin)
		}},
		{"Litware", "litware", "a Conditional Access policy blocks service provider users; failed sign-ins in the log", func(w *world, c *tenant, r *relationship) {
			policyID := stableID(c.domain, "policy", "block-guests")
			c.policies = append(c.policies, blockGuestsPolicy(policyID, now))
			c.signIns = append(c.signIns, signIn{
				id: stableID(c.domain, "signin", "admin"), created: now.Add(-26 * time.Hour),
				userPrincipalName: c.users[0].upn, homeTenantID: c.id, appDisplayName: "Microsoft 365 admin center",
				policies: []appliedPolicy{{policyID, "Block guests and external users", "notApplied"}},
			})
			for i := 0; i < 3; i++ {
				c.signIns = append(c.signIns, signIn{
					id: stableID(c.domain, "signin", fmt.Sprint(i)), created: now.Add(-time.Duration(i+1) * time.Hour),
					userPrincipalName: p.users[0].upn, homeTenantID: p.id, appDisplayName: "Onboard365",
					errorCode: 53003, failureReason: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
					policies:       []appliedPolicy{{policyID, "Block guests and external users", "failure"}},
					nonInteractive: true,
				})
			}
		}},
		{"Proseware", "proseware", "users whose default MFA method is a text message", func(w *world, c *tenant, r *relationship) {
			c.users = append(c.users, prosewareMethodCases(c)...) // an admin, a guest, no method, a report behind
			c.users = append(c.users,
				&user{id: stableID(c.domain, "user", "pat"), upn: "pat@" + c.domain, displayName: "Pat Fernandez", userType: "Member",
					methods: []string{"microsoftAuthenticatorPush", "mobilePhone"}, preferred: "sms"},
				&user{id: stableID(c.domain, "user", "sam"), upn: "sam@" + c.domain, displayName: "Sam Okafor", userType: "Member",
					methods: []string{"microsoftAuthenticatorPush", "mobilePhone"}, preferred: "sms"},
				&user{id: stableID(c.domain, "user", "kim"), upn: "kim@" + c.domain, displayName: "Kim Larsen", userType: "Member",
					methods: []string{"mobilePhone"}, preferred: "sms"},
				&user{id: stableID(c.domain, "user", "jo"), upn: "jo@" + c.domain, displayName: "Jo Weber", userType: "Member",
					methods: []string{"microsoftAuthenticatorPush", "mobilePhone"}, preferred: "sms", systemPreferred: true},
			)
		}},
		{"Lamna Healthcare", "lamnahealthcare", "no Entra ID P1 licence", func(w *world, c *tenant, r *relationship) {
			c.skus = []subscribedSku{businessBasic()}
		}},
		{"Relecloud", "relecloud", "the app has no consent in this customer", func(w *world, c *tenant, r *relationship) {
			delete(w.consents[c.id], AppID)
			c.servicePrincipals = nil
		}},
		{"Trey Research", "treyresearch", "a new relationship waits for the customer's approval; the old one expired", func(w *world, c *tenant, r *relationship) {
			r.status = "expired"
			r.ended = now.AddDate(0, 0, -3)
			pending := &relationship{
				id: stableID(c.domain, "relationship", "pending"), displayName: "Contoso Partners - Trey Research (renewal)",
				status: "approvalPending", customerID: c.id, customerName: c.displayName, duration: "P730D", autoExtend: "P180D",
				created: now.AddDate(0, 0, -9), modified: now.AddDate(0, 0, -9), roles: append([]string(nil), r.roles...), etag: 1,
			}
			w.relationships = append(w.relationships, pending)
		}},
		{"Alpine Ski House", "alpineskihouse", "every role bound to a group the technician is not in", func(w *world, c *tenant, r *relationship) {
			r.assignments = r.assignments[:1]
			r.assignments[0].groupID = helpdesk
			r.assignments[0].roles = append(r.assignments[0].roles, roleAppAdmin, roleUserAdmin)
		}},
	}

	for i, spec := range customers {
		c := customerTenant(spec.name, spec.domain, i)
		w.customers = append(w.customers, c)
		w.addTenant(c)
		consent(w, c)
		r := standardRelationship(c, adminAgents, appAdmins, userAdmins, now)
		w.relationships = append(w.relationships, r)
		if spec.shape != nil {
			spec.shape(w, c, r)
		}
	}
	troubleshootCases(w, now) // scenario_troubleshoot.go
	addProspects(w)           // scenario_onboard.go
	return w
}

// generated builds a partner with n customers, each with two active relationships that grant the
// Liongard roles to AdminAgents: the scenario for benchmarks.
func generated(n int, now time.Time) *world {
	w := newWorld(func() time.Time { return now })
	p := partnerTenant()
	w.partner = p
	w.addTenant(p)
	adminAgents, appAdmins, userAdmins := p.groups[0].id, p.groups[2].id, p.groups[3].id
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("Customer %04d", i+1)
		c := customerTenant(name, fmt.Sprintf("customer%04d", i+1), i)
		w.customers = append(w.customers, c)
		w.addTenant(c)
		consent(w, c)
		first := standardRelationship(c, adminAgents, appAdmins, userAdmins, now)
		second := standardRelationship(c, adminAgents, appAdmins, userAdmins, now)
		second.id = stableID(c.domain, "relationship", "second")
		second.displayName += " (2)"
		for j, a := range second.assignments {
			a.id = stableID(c.domain, "assignment", "second", fmt.Sprint(j))
		}
		w.relationships = append(w.relationships, first, second)
	}
	return w
}

// AppID is the application (client) id of the Onboard365 app registration that the sandbox's
// partner tenant already has. Its sign-ins and customer tokens use it. (It is
// stableID("application", "onboard365"), written out so that it can be a constant.)
const AppID = "faf809ac-676e-4be8-be33-a2890280dbb1"

// Resource application ids (DOMAIN.md).
const (
	graphAppID         = "00000003-0000-0000-c000-000000000000"
	partnerCenterAppID = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"
)

// consent records the partner app's Partner Center consent in a customer (scenario_consent.go),
// and the service principal that consent creates there.
func consent(w *world, c *tenant) {
	w.consents[c.id] = map[string][]applicationGrant{
		AppID: {{enterpriseApplicationID: graphAppID, scope: strings.Join(onboard365CustomerConsent, ",")}},
	}
	c.servicePrincipals = append(c.servicePrincipals, &servicePrincipal{id: stableID(c.domain, "sp", "onboard365"), appID: AppID, displayName: "Onboard365"})
}

func partnerTenant() *tenant {
	const domain = "contosopartners.onmicrosoft.com"
	p := &tenant{id: stableID("partner"), displayName: "Contoso Partners", domain: domain}
	alex := &user{id: stableID("partner", "alex"), upn: "alex@" + domain, displayName: "Alex Wilber (technician)",
		password: sandboxPassword, userType: "Member", methods: []string{"microsoftAuthenticatorPush"}, preferred: "push", isAdmin: true}
	megan := &user{id: stableID("partner", "megan"), upn: "megan@" + domain, displayName: "Megan Bowen (no MFA set up)",
		password: sandboxPassword, userType: "Member"}
	lee := &user{id: stableID("partner", "lee"), upn: "lee@" + domain, displayName: "Lee Gu (risky technician)",
		password: sandboxPassword, userType: "Member", methods: []string{"microsoftAuthenticatorPush"}, preferred: "push",
		riskLevel: "high", riskState: "atRisk"}
	breakGlass := &user{id: stableID("partner", "breakglass"), upn: "breakglass@" + domain, displayName: "Break glass account",
		password: sandboxPassword, userType: "Member", isAdmin: true}
	p.users = []*user{alex, megan, lee, breakGlass}
	p.groups = []*group{
		{id: stableID("partner", "group", "AdminAgents"), displayName: "AdminAgents", members: []string{alex.id, lee.id}},
		{id: stableID("partner", "group", "HelpdeskAgents"), displayName: "HelpdeskAgents", members: []string{megan.id}},
		{id: stableID("partner", "group", "app-admin"), displayName: "GDAP - Application Administrator", roleAssignable: true, members: []string{alex.id}},
		{id: stableID("partner", "group", "user-admin"), displayName: "GDAP - User Administrator", roleAssignable: true, members: []string{stableID("partner", "group", "AdminAgents")}},
	}
	p.skus = []subscribedSku{businessPremium(25), entraP2(5)}
	p.policies = []map[string]any{requireMFAPolicy(stableID("partner", "policy", "mfa"), breakGlass.id)}
	p.applications = []*application{{
		id: stableID("partner", "application", "onboard365"), appID: AppID, displayName: "Onboard365",
		signInAudience: "AzureADMultipleOrgs", redirectURIs: []string{"http://localhost"}, fallbackPublicClient: true,
		scopes: union(onboard365PartnerConsent, onboard365CustomerConsent),
	}}
	sp := &servicePrincipal{id: stableID("partner", "sp", "onboard365"), appID: AppID, displayName: "Onboard365"}
	p.servicePrincipals = []*servicePrincipal{sp}
	// The partner's administrator consented the app for everyone, as the App registration wizard
	// does; ".default" gives what this records.
	p.grants = onboard365Grants(p, sp.id, onboard365PartnerConsent)
	return p
}

func customerTenant(name, short string, i int) *tenant {
	domain := short + ".onmicrosoft.com"
	c := &tenant{id: stableID("customer", short), displayName: name, domain: domain}
	c.users = []*user{
		{id: stableID(short, "user", "admin"), upn: "admin@" + domain, displayName: name + " Admin", userType: "Member",
			methods: []string{"microsoftAuthenticatorPush"}, preferred: "push", isAdmin: true},
		{id: stableID(short, "user", "reception"), upn: "reception@" + domain, displayName: "Reception", userType: "Member",
			methods: []string{"microsoftAuthenticatorPush"}, preferred: "push"},
	}
	c.skus = []subscribedSku{businessPremium(10 + i)}
	c.secDefault = false
	return c
}

// standardRelationship grants the Liongard roles to AdminAgents and this app's own roles to the
// role-named groups, active for two years with auto-extend: a healthy relationship.
func standardRelationship(c *tenant, adminAgents, appAdmins, userAdmins string, now time.Time) *relationship {
	activated := now.AddDate(0, -3, 0)
	r := &relationship{
		id: stableID(c.domain, "relationship"), displayName: "Contoso Partners - " + c.displayName,
		status: "active", customerID: c.id, customerName: c.displayName, duration: "P730D", autoExtend: "P180D",
		created: activated.Add(-48 * time.Hour), activated: activated, ended: activated.AddDate(0, 0, 730),
		modified: activated, roles: append(append([]string(nil), liongardRoles...), onboard365Role...), etag: 1,
	}
	r.assignments = []*accessAssignment{
		{id: stableID(c.domain, "assignment", "admin-agents"), groupID: adminAgents, status: "active",
			roles: append(append([]string(nil), liongardRoles...), roleAuthAdmin, roleConditionalAccess), created: activated, modified: activated, etag: 1},
		{id: stableID(c.domain, "assignment", "app-admins"), groupID: appAdmins, status: "active",
			roles: []string{roleAppAdmin}, created: activated, modified: activated, etag: 1},
		{id: stableID(c.domain, "assignment", "user-admins"), groupID: userAdmins, status: "active",
			roles: []string{roleUserAdmin}, created: activated, modified: activated, etag: 1},
	}
	return r
}

func businessPremium(seats int) subscribedSku {
	return subscribedSku{skuID: "cbdc14ab-d96c-4c30-b9f4-6ada7cdc1d46", skuPartNumber: "SPB", enabled: seats,
		servicePlans: []servicePlan{{planAADPremium, "AAD_PREMIUM"}, {"9aaf7827-d63c-4b61-89c3-182f06f82e5c", "EXCHANGE_S_STANDARD"}}}
}

func businessBasic() subscribedSku {
	return subscribedSku{skuID: "3b555118-da6a-4418-894f-7df1e2096870", skuPartNumber: "O365_BUSINESS_ESSENTIALS", enabled: 10,
		servicePlans: []servicePlan{{"9aaf7827-d63c-4b61-89c3-182f06f82e5c", "EXCHANGE_S_STANDARD"}}}
}

func entraP2(seats int) subscribedSku {
	return subscribedSku{skuID: "84a661c4-e949-4bd2-a560-ed7766fcaf2b", skuPartNumber: "AAD_PREMIUM_P2", enabled: seats,
		servicePlans: []servicePlan{{planAADPremium, "AAD_PREMIUM"}, {planAADPremiumP2, "AAD_PREMIUM_P2"}}}
}

// requireMFAPolicy is the partner's own MFA enforcement, with a break-glass exclusion.
func requireMFAPolicy(id, excludedUser string) map[string]any {
	return map[string]any{
		"id": id, "displayName": "Require MFA for all users", "state": "enabled",
		"createdDateTime": "2025-01-10T09:00:00Z", "modifiedDateTime": "2025-01-10T09:00:00Z",
		"conditions": map[string]any{
			"clientAppTypes": []any{"all"},
			"applications":   map[string]any{"includeApplications": []any{"All"}, "excludeApplications": []any{}},
			"users": map[string]any{"includeUsers": []any{"All"}, "excludeUsers": []any{excludedUser},
				"includeGroups": []any{}, "excludeGroups": []any{}, "includeRoles": []any{}, "excludeRoles": []any{}},
		},
		"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"mfa"}},
	}
}

// blockGuestsPolicy blocks every guest and external user, service provider users included.
func blockGuestsPolicy(id string, now time.Time) map[string]any {
	created := now.AddDate(0, -2, 0).UTC().Format(time.RFC3339)
	return map[string]any{
		"id": id, "displayName": "Block guests and external users", "state": "enabled",
		"createdDateTime": created, "modifiedDateTime": created,
		"conditions": map[string]any{
			"clientAppTypes": []any{"all"},
			"applications":   map[string]any{"includeApplications": []any{"All"}, "excludeApplications": []any{}},
			"users": map[string]any{
				"includeUsers": []any{}, "excludeUsers": []any{}, "includeGroups": []any{}, "excludeGroups": []any{},
				"includeRoles": []any{}, "excludeRoles": []any{},
				"includeGuestsOrExternalUsers": map[string]any{
					"guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider",
					"externalTenants": map[string]any{
						"@odata.type":    "#microsoft.graph.conditionalAccessAllExternalTenants",
						"membershipKind": "all",
					},
				},
			},
		},
		"grantControls": map[string]any{"operator": "OR", "builtInControls": []any{"block"}},
	}
}

func without(roles []string, drop ...string) []string {
	var out []string
	for _, r := range roles {
		keep := true
		for _, d := range drop {
			if strings.EqualFold(r, d) {
				keep = false
			}
		}
		if keep {
			out = append(out, r)
		}
	}
	return out
}
