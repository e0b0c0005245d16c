// Package conformance holds the app's Microsoft clients and the sandbox to Microsoft's own
// reference data (internal/reference): every Graph request the app sends must be one that
// Microsoft documents, and every property the sandbox writes or the app reads must exist on its
// Graph type. It has tests only.
package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/reference"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/sandbox"
)

const (
	technician = "alex@contosopartners.onmicrosoft.com"
	graphAud   = "https://graph.microsoft.com"
	partnerAud = "https://api.partnercenter.microsoft.com"
)

// issued hands out one token from the sandbox, as a TokenSource for both clients.
type issued struct {
	s   *sandbox.Server
	req sandbox.TokenRequest

	once  sync.Once
	token string
	err   error
}

func (i *issued) Token(context.Context) (string, error) {
	i.once.Do(func() { i.token, i.err = i.s.IssueToken(i.req) })
	return i.token, i.err
}

// lockedBuffer collects the sandbox's trace from its goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) entries(t testing.TB) []sandbox.TraceEntry {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []sandbox.TraceEntry
	dec := json.NewDecoder(bytes.NewReader(b.buf.Bytes()))
	for dec.More() {
		var e sandbox.TraceEntry
		if err := dec.Decode(&e); err != nil {
			t.Fatalf("trace: %v", err)
		}
		out = append(out, e)
	}
	return out
}

type harness struct {
	s       *sandbox.Server
	hc      *http.Client
	trace   *lockedBuffer
	partner *graph.Client // the app's own token in the partner tenant: what its admin consented
	admin   *graph.Client // the App registration wizard's administrator sign-in, with what it asks for
}

func start(t testing.TB, opts sandbox.Options) *harness {
	t.Helper()
	tr := &lockedBuffer{}
	if opts.Trace == nil {
		opts.Trace = tr
	}
	s, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	hc, err := s.Cloud().HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{s: s, hc: hc, trace: tr}
	h.partner = h.graphFor("", graph.Options{})
	pages, err := learn.Load()
	if err != nil {
		t.Fatal(err)
	}
	n, err := permissions.Derive(pages, permissions.Choice{AdminAgents: true})
	if err != nil {
		t.Fatal(err)
	}
	h.admin = graph.New(s.Cloud().GraphURL, hc, &issued{s: s, req: sandbox.TokenRequest{UPN: technician, Audience: graphAud,
		Scopes: strings.Join(n.Admin, " ")}}, graph.Options{})
	return h
}

// graphFor is the app's own Graph client in a tenant ("" for the partner): its token carries what
// the tenant consented for the app, as ".default" gives it.
func (h *harness) graphFor(tenant string, opts graph.Options) *graph.Client {
	src := &issued{s: h.s, req: sandbox.TokenRequest{UPN: technician, Tenant: tenant, Audience: graphAud, Consented: true}}
	return graph.New(h.s.Cloud().GraphURL, h.hc, src, opts)
}

// exercise makes every Graph and Partner Center call the app makes today, reads and writes.
func exercise(t *testing.T, h *harness) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	g := h.partner

	access, err := gdap.ReadAccess(ctx, g, nil)
	if err != nil {
		t.Fatalf("ReadAccess: %v", err)
	}
	for _, a := range access {
		if a.Err != nil {
			t.Errorf("relationship %s: %v", a.Relationship.DisplayName, a.Err)
		}
	}
	if err := g.Do(ctx, "GET", "/v1.0/me", nil, &map[string]any{}); err != nil {
		t.Errorf("me: %v", err)
	}
	if _, err := graph.List[map[string]any](ctx, g, "/v1.0/me/transitiveMemberOf"); err != nil {
		t.Errorf("transitiveMemberOf: %v", err)
	}
	groups, err := graph.List[struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	}](ctx, g, "/v1.0/groups?$filter=displayName%20eq%20'HelpdeskAgents'")
	if err != nil || len(groups) != 1 {
		t.Fatalf("groups by name: %v %v", groups, err)
	}
	if _, err := graph.List[map[string]any](ctx, g, "/v1.0/groups/"+groups[0].ID+"/transitiveMembers"); err != nil {
		t.Errorf("transitiveMembers: %v", err)
	}

	// Writes: a new relationship locked for approval, and an access assignment.
	var created gdap.Relationship
	body := map[string]any{"displayName": "Conformance - Northwind", "duration": "P730D", "autoExtendDuration": "P180D",
		"accessDetails": map[string]any{"unifiedRoles": []any{map[string]any{"roleDefinitionId": "69091246-20e8-4a56-aa4d-066075b2a7a8"}}}}
	if err := g.Do(ctx, "POST", "/v1.0/tenantRelationships/delegatedAdminRelationships", body, &created); err != nil {
		t.Fatalf("create relationship: %v", err)
	}
	if err := g.Do(ctx, "POST", "/v1.0/tenantRelationships/delegatedAdminRelationships/"+created.ID+"/requests", map[string]any{"action": "lockForApproval"}, nil); err != nil {
		t.Errorf("lockForApproval: %v", err)
	}
	target := access[0]
	assign := map[string]any{
		"accessContainer": map[string]any{"accessContainerId": groups[0].ID, "accessContainerType": "securityGroup"},
		"accessDetails":   map[string]any{"unifiedRoles": []any{map[string]any{"roleDefinitionId": target.Relationship.AccessDetails.UnifiedRoles[0].RoleDefinitionID}}},
	}
	var made gdap.AccessAssignment
	path := "/v1.0/tenantRelationships/delegatedAdminRelationships/" + target.Relationship.ID + "/accessAssignments"
	if err := g.Do(ctx, "POST", path, assign, &made); err != nil {
		t.Fatalf("create access assignment: %v", err)
	}
	if _, err := g.DoWithHeaders(ctx, "PATCH", path+"/"+made.ID, http.Header{"If-Match": {made.ETag}}, map[string]any{"accessDetails": assign["accessDetails"]}, nil); err != nil {
		t.Errorf("patch access assignment: %v", err)
	}

	// The customer side, through GDAP.
	fabrikam := access[0].Relationship.Customer.TenantID
	cg := h.graphFor(fabrikam, graph.Options{})
	if _, err := graph.List[map[string]any](ctx, cg, "/v1.0/subscribedSkus"); err != nil {
		t.Errorf("customer subscribedSkus: %v", err)
	}

	// Authentication methods, in a customer with users to fix.
	proseware := tenantOf(t, access, "Proseware")
	pg := h.graphFor(proseware, graph.Options{})
	regs, err := graph.List[struct {
		ID                string   `json:"id"`
		MethodsRegistered []string `json:"methodsRegistered"`
	}](ctx, pg, "/v1.0/reports/authenticationMethods/userRegistrationDetails")
	if err != nil || len(regs) == 0 {
		t.Fatalf("userRegistrationDetails: %v", err)
	}
	var fixable string
	for _, r := range regs {
		for _, m := range r.MethodsRegistered {
			if m == "microsoftAuthenticatorPush" {
				fixable = r.ID
			}
		}
	}
	if _, err := graph.List[map[string]any](ctx, pg, "/v1.0/users/"+fixable+"/authentication/microsoftAuthenticatorMethods"); err != nil {
		t.Errorf("microsoftAuthenticatorMethods: %v", err)
	}
	if err := pg.Do(ctx, "GET", "/beta/users/"+fixable+"/authentication/signInPreferences", nil, &map[string]any{}); err != nil {
		t.Errorf("get signInPreferences: %v", err)
	}
	if err := pg.Do(ctx, "PATCH", "/beta/users/"+fixable+"/authentication/signInPreferences", map[string]any{"userPreferredMethodForSecondaryAuthentication": "push"}, nil); err != nil {
		t.Errorf("patch signInPreferences: %v", err)
	}
	exerciseAuthenticatorWizard(ctx, t, pg)

	// Conditional Access and sign-in logs, in the customer whose policy blocks the partner.
	litware := tenantOf(t, access, "Litware")
	lg := h.graphFor(litware, graph.Options{})
	policies, err := graph.List[struct {
		ID string `json:"id"`
	}](ctx, lg, "/v1.0/identity/conditionalAccess/policies")
	if err != nil || len(policies) == 0 {
		t.Fatalf("policies: %v", err)
	}
	if err := lg.Do(ctx, "GET", "/v1.0/identity/conditionalAccess/policies/"+policies[0].ID, nil, &map[string]any{}); err != nil {
		t.Errorf("get policy: %v", err)
	}
	if err := lg.Do(ctx, "PATCH", "/v1.0/identity/conditionalAccess/policies/"+policies[0].ID, map[string]any{"displayName": "Block guests and external users (checked)"}, nil); err != nil {
		t.Errorf("patch policy: %v", err)
	}
	if err := lg.Do(ctx, "GET", "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", nil, &map[string]any{}); err != nil {
		t.Errorf("security defaults: %v", err)
	}
	if _, err := graph.List[map[string]any](ctx, lg, "/v1.0/auditLogs/signIns"); err != nil {
		t.Errorf("signIns: %v", err)
	}
	if _, err := graph.List[map[string]any](ctx, lg, "/beta/auditLogs/signIns?$filter=signInEventTypes/any(t:%20t%20eq%20'nonInteractiveUser')"); err != nil {
		t.Errorf("beta signIns: %v", err)
	}

	// Risky users, in the partner tenant.
	risky, err := graph.List[struct {
		ID string `json:"id"`
	}](ctx, g, "/v1.0/identityProtection/riskyUsers")
	if err != nil || len(risky) == 0 {
		t.Fatalf("riskyUsers: %v", err)
	}
	if err := g.Do(ctx, "POST", "/v1.0/identityProtection/riskyUsers/dismiss", map[string]any{"userIds": []string{risky[0].ID}}, nil); err != nil {
		t.Errorf("dismiss: %v", err)
	}

	// App registration, in the partner tenant.
	if _, err := graph.List[map[string]any](ctx, h.admin, "/v1.0/applications"); err != nil {
		t.Errorf("applications: %v", err)
	}
	var app struct {
		ID    string `json:"id"`
		AppID string `json:"appId"`
	}
	newApp := map[string]any{"displayName": "Conformance app", "signInAudience": "AzureADMultipleOrgs", "isFallbackPublicClient": true,
		"publicClient": map[string]any{"redirectUris": []string{"http://localhost"}}}
	if err := h.admin.Do(ctx, "POST", "/v1.0/applications", newApp, &app); err != nil {
		t.Fatalf("create application: %v", err)
	}
	if err := h.admin.Do(ctx, "PATCH", "/v1.0/applications/"+app.ID, map[string]any{"displayName": "Conformance app (renamed)"}, nil); err != nil {
		t.Errorf("patch application: %v", err)
	}
	var secret struct {
		KeyID string `json:"keyId"`
	}
	if err := h.admin.Do(ctx, "POST", "/v1.0/applications/"+app.ID+"/addPassword", map[string]any{"passwordCredential": map[string]any{"displayName": "test"}}, &secret); err != nil {
		t.Errorf("addPassword: %v", err)
	}
	if err := h.admin.Do(ctx, "POST", "/v1.0/applications/"+app.ID+"/removePassword", map[string]any{"keyId": secret.KeyID}, nil); err != nil {
		t.Errorf("removePassword: %v", err)
	}
	var sp, graphSP struct {
		ID string `json:"id"`
	}
	if err := h.admin.Do(ctx, "POST", "/v1.0/servicePrincipals", map[string]any{"appId": app.AppID}, &sp); err != nil {
		t.Fatalf("create service principal: %v", err)
	}
	if _, err := graph.List[map[string]any](ctx, h.admin, "/v1.0/servicePrincipals"); err != nil {
		t.Errorf("servicePrincipals: %v", err)
	}
	if err := h.admin.Do(ctx, "GET", "/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')", nil, &graphSP); err != nil {
		t.Fatalf("Graph's service principal: %v", err)
	}
	if err := h.admin.Do(ctx, "POST", "/v1.0/oauth2PermissionGrants", map[string]any{"clientId": sp.ID, "resourceId": graphSP.ID, "consentType": "AllPrincipals", "scope": "User.Read"}, nil); err != nil {
		t.Errorf("oauth2PermissionGrants: %v", err)
	}
	if _, err := graph.List[map[string]any](ctx, h.admin, "/v1.0/oauth2PermissionGrants"); err != nil {
		t.Errorf("list oauth2PermissionGrants: %v", err)
	}
	if err := h.admin.Do(ctx, "POST", "/v1.0/servicePrincipals/"+graphSP.ID+"/appRoleAssignedTo", map[string]any{"principalId": sp.ID, "resourceId": graphSP.ID, "appRoleId": "f6e9e124-4586-492f-adc0-c6f96e4823fd"}, nil); err != nil {
		t.Errorf("appRoleAssignedTo: %v", err)
	}
	if _, err := graph.List[map[string]any](ctx, h.admin, "/v1.0/servicePrincipals/"+graphSP.ID+"/appRoleAssignedTo"); err != nil {
		t.Errorf("list appRoleAssignedTo: %v", err)
	}

	// Partner Center.
	pc := partnercenter.New(h.s.Cloud().PartnerCenterURL, h.hc, &issued{s: h.s, req: sandbox.TokenRequest{UPN: technician, Audience: partnerAud, Scopes: "user_impersonation"}}, partnercenter.Options{})
	if _, err := pc.GetOrganizationProfile(ctx); err != nil {
		t.Errorf("organization profile: %v", err)
	}
	customers, err := pc.ListCustomers(ctx)
	if err != nil || len(customers) != 12 {
		t.Errorf("customers: %d %v", len(customers), err)
	}

	exerciseGDAPCheck(ctx, t, g)
	exerciseOnboarding(ctx, t, h, pc)
}

// exerciseGDAPCheck makes the GDAP check's reads (gdap.Read) and every kind of fix it applies.
func exerciseGDAPCheck(ctx context.Context, t *testing.T, g *graph.Client) {
	inv, err := gdap.Read(ctx, g, nil)
	if err != nil {
		t.Fatalf("gdap.Read: %v", err)
	}
	if inv.GroupsErr != nil || inv.TechnicianErr != nil {
		t.Fatalf("gdap.Read: groups %v, technician %v", inv.GroupsErr, inv.TechnicianErr)
	}
	p, _ := roles.Find(roles.ProfileLiongard)
	fixes := gdap.Plan(gdap.Evaluate(inv, p, time.Now()), inv, p, gdap.PlanOptions{})
	helpdesk, _ := inv.GroupByName("HelpdeskAgents")
	fixes = append(fixes,
		gdap.Fix{ID: "conformance/group", Kind: gdap.CreateGroup, GroupName: "Conformance - GDAP group", TechnicianID: inv.Technician.ID},
		gdap.Fix{ID: "conformance/member", Kind: gdap.AddTechnicianToGroup, GroupID: helpdesk.ID, GroupName: helpdesk.DisplayName, TechnicianID: inv.Technician.ID},
	)
	kinds := map[gdap.FixKind]bool{}
	for _, r := range gdap.Apply(ctx, g, fixes, nil) {
		kinds[r.Fix.Kind] = true
		// The sandbox refuses autoExtendDuration on an active relationship (Microsoft allows it);
		// the PATCH is still made and traced, and the fix falls back to a renewal.
		if !r.Done {
			t.Errorf("GDAP fix %s: %v", r.Fix.ID, r.Err)
		}
	}
	for _, k := range []gdap.FixKind{gdap.CreateGroup, gdap.AddTechnicianToGroup, gdap.AddAccessAssignment,
		gdap.UpdateAccessAssignment, gdap.SetAutoExtend, gdap.RequestNewRelationship} {
		if !kinds[k] {
			t.Errorf("no %s fix was exercised", k)
		}
	}
}

// exerciseAuthenticatorWizard makes the Authenticator wizard's requests in a customer: licences,
// the report (paged, and filtered by name in a v1.0 $batch with Authenticator registrations), and
// the sign-in preferences changed and read again in a beta $batch.
func exerciseAuthenticatorWizard(ctx context.Context, t *testing.T, c *graph.Client) {
	if check := authmethods.Precheck(ctx, c, "Proseware", authmethods.PartnerAccess()); check.Licence != authmethods.HasP1 {
		t.Errorf("Authenticator pre-check: %+v", check)
	}
	if _, err := authmethods.Read(ctx, c, nil); err != nil {
		t.Errorf("Authenticator report: %v", err)
	}
	found, err := authmethods.Find(ctx, c, []string{"pat@proseware.onmicrosoft.com", "kim@proseware.onmicrosoft.com"})
	if err != nil || found[0].Found == nil {
		t.Fatalf("Authenticator lookup: %v", err)
	}
	for _, r := range authmethods.Apply(ctx, c, []authmethods.Change{{UserID: found[0].Found.ID, UPN: found[0].UPN}}, nil) {
		if !r.Done || r.Now != "push" {
			t.Errorf("Authenticator apply: %+v", r)
		}
	}
}

// tenantOf finds a customer's tenant id by name among the relationships.
func tenantOf(t *testing.T, access []gdap.RelationshipAccess, name string) string {
	t.Helper()
	for _, a := range access {
		if a.Relationship.Customer.DisplayName == name {
			return a.Relationship.Customer.TenantID
		}
	}
	t.Fatalf("no customer called %s", name)
	return ""
}

// TestEveryGraphRequestIsDocumented runs every call and checks the trace against permissions.json.
func TestEveryGraphRequestIsDocumented(t *testing.T) {
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, sandbox.Options{})
	exercise(t, h)

	checked := map[string]bool{}
	for _, e := range h.trace.entries(t) {
		if e.Host != "graph" {
			continue
		}
		key := e.Method + " " + e.Path
		if checked[key] {
			continue
		}
		checked[key] = true
		if !ref.AllowsOrDocumented(e.Method, e.RawPath) {
			t.Errorf("%s %s (sent as %s) is not in Microsoft's permissions reference nor in the documented list", e.Method, e.Path, e.RawPath)
		}
	}
	// The check must have seen the calls above, or it proves nothing.
	if len(checked) < 35 {
		t.Fatalf("only %d distinct Graph requests were traced: %v", len(checked), checked)
	}
	t.Logf("%d distinct Graph requests, all in Microsoft's reference or its documented list", len(checked))
}

// TestSandboxWritesOnlyGraphProperties fetches every kind of object the sandbox serves and checks
// each property against its type in Microsoft's metadata.
func TestSandboxWritesOnlyGraphProperties(t *testing.T) {
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, sandbox.Options{})
	ctx := context.Background()
	access, err := gdap.ReadAccess(ctx, h.partner, nil)
	if err != nil {
		t.Fatal(err)
	}
	rel := access[0].Relationship.ID
	fabrikam := access[0].Relationship.Customer.TenantID
	proseware, litware := tenantOf(t, access, "Proseware"), tenantOf(t, access, "Litware")
	prosewareUser := "pat@proseware.onmicrosoft.com"
	caNested := map[string]string{"conditions": "conditionalAccessConditionSet", "users": "conditionalAccessUsers",
		"applications": "conditionalAccessApplications", "grantControls": "conditionalAccessGrantControls",
		"includeGuestsOrExternalUsers": "conditionalAccessGuestsOrExternalUsers", "excludeGuestsOrExternalUsers": "conditionalAccessGuestsOrExternalUsers",
		"externalTenants": "conditionalAccessExternalTenants"}
	signInNested := map[string]string{"status": "signInStatus", "appliedConditionalAccessPolicies": "appliedConditionalAccessPolicy"}
	gdapNested := map[string]string{"customer": "delegatedAdminRelationshipCustomerParticipant", "accessDetails": "delegatedAdminAccessDetails",
		"unifiedRoles": "unifiedRole", "accessContainer": "delegatedAdminAccessContainer"}
	tests := []struct {
		tenant, path, typ string
		nested            map[string]string
	}{
		{"", "/v1.0/tenantRelationships/delegatedAdminRelationships", "delegatedAdminRelationship", gdapNested},
		{"", "/v1.0/tenantRelationships/delegatedAdminRelationships/" + rel, "delegatedAdminRelationship", gdapNested},
		{"", "/v1.0/tenantRelationships/delegatedAdminRelationships/" + rel + "/accessAssignments", "delegatedAdminAccessAssignment", gdapNested},
		{"", "/v1.0/me", "user", nil},
		{"", "/v1.0/me/transitiveMemberOf", "group", nil},
		{"", "/v1.0/groups", "group", nil},
		{fabrikam, "/v1.0/subscribedSkus", "subscribedSku", map[string]string{"prepaidUnits": "licenseUnitsDetail", "servicePlans": "servicePlanInfo"}},
		{proseware, "/v1.0/reports/authenticationMethods/userRegistrationDetails", "userRegistrationDetails", nil},
		{proseware, "/v1.0/users/" + prosewareUser + "/authentication/microsoftAuthenticatorMethods", "microsoftAuthenticatorAuthenticationMethod", nil},
		{litware, "/v1.0/identity/conditionalAccess/policies", "conditionalAccessPolicy", caNested},
		{litware, "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", "identitySecurityDefaultsEnforcementPolicy", nil},
		{litware, "/v1.0/auditLogs/signIns", "signIn", signInNested},
		{"", "/v1.0/identityProtection/riskyUsers", "riskyUser", nil},
		{"", "/v1.0/applications", "application", map[string]string{"publicClient": "publicClientApplication", "passwordCredentials": "passwordCredential", "requiredResourceAccess": "requiredResourceAccess"}},
		{"", "/v1.0/servicePrincipals", "servicePrincipal", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			var raw json.RawMessage
			if err := h.graphFor(tt.tenant, graph.Options{}).Do(ctx, "GET", tt.path, nil, &raw); err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(raw, []byte(`"id"`)) {
				t.Fatalf("the answer holds no object to check: %s", raw)
			}
			for _, p := range ref.CheckJSON("v1.0", tt.typ, raw, tt.nested) {
				t.Error(p)
			}
		})
	}
}

// TestSandboxBetaAnswersUseBetaProperties checks the beta endpoints against the beta types.
func TestSandboxBetaAnswersUseBetaProperties(t *testing.T) {
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	h := start(t, sandbox.Options{})
	ctx := context.Background()
	access, err := gdap.ReadAccess(ctx, h.partner, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		tenant, path, typ string
		nested            map[string]string
	}{
		{tenantOf(t, access, "Litware"), "/beta/auditLogs/signIns?$filter=signInEventTypes/any(t:%20t%20eq%20'nonInteractiveUser')", "signIn",
			map[string]string{"status": "signInStatus", "appliedConditionalAccessPolicies": "appliedConditionalAccessPolicy"}},
		{tenantOf(t, access, "Proseware"), "/beta/users/pat@proseware.onmicrosoft.com/authentication/signInPreferences", "signInPreferences", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			var raw json.RawMessage
			if err := h.graphFor(tt.tenant, graph.Options{}).Do(ctx, "GET", tt.path, nil, &raw); err != nil {
				t.Fatal(err)
			}
			if len(raw) < 20 {
				t.Fatalf("the answer holds nothing to check: %s", raw)
			}
			for _, p := range ref.CheckJSON("beta", tt.typ, raw, tt.nested) {
				t.Error(p)
			}
		})
	}
}

// TestClientTypesUseGraphNames checks, by reflection, that every JSON name the app's own model
// types read exists on the Graph type they stand for.
func TestClientTypesUseGraphNames(t *testing.T) {
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		v   any
		typ string
	}{
		{gdap.Relationship{}, "delegatedAdminRelationship"},
		{gdap.CustomerParticipant{}, "delegatedAdminRelationshipCustomerParticipant"},
		{gdap.AccessDetails{}, "delegatedAdminAccessDetails"},
		{gdap.UnifiedRole{}, "unifiedRole"},
		{gdap.AccessAssignment{}, "delegatedAdminAccessAssignment"},
		{gdap.AccessContainer{}, "delegatedAdminAccessContainer"},
		{gdap.Group{}, "group"},
		{gdap.Technician{}, "user"},
		{authmethods.Registration{}, "userRegistrationDetails"},
		{authmethods.SubscribedSku{}, "subscribedSku"},
	}
	for _, tt := range tests {
		rt := reflect.TypeOf(tt.v)
		for i := 0; i < rt.NumField(); i++ {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if name == "" || name == "-" || strings.HasPrefix(name, "@") {
				continue
			}
			if !ref.HasProperty("v1.0", tt.typ, name) {
				t.Errorf("%s.%s reads %q, which %s does not have", rt.Name(), rt.Field(i).Name, name, tt.typ)
			}
		}
	}
}
