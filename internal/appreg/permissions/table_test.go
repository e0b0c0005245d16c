package permissions_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/reference"
)

// TestTableFollowsMicrosoftsReference holds every choice of the permission table to
// permissions.json: a Graph permission must cover its request there, and must be the one marked
// least-privileged unless the row says why not; a request permissions.json does not list must
// be one of the documented ones, and say which permission Learn names.
func TestTableFollowsMicrosoftsReference(t *testing.T) {
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range permissions.Requests() {
		name := r.Method + " " + r.Path
		// The app registration names its permissions by GUID; the administrator's sign-in asks
		// for its own by name, so only the app's need one.
		key := string(r.Service) + " " + name + " " + string(rune('0'+r.Client))
		if seen[key] {
			t.Errorf("%s is in the table twice", name)
		}
		seen[key] = true
		if r.Feature == "" {
			t.Errorf("%s: no feature says which wizard makes it", name)
		}
		if got, ok := permissions.Match(r.Service, r.Method, r.Path); !ok || got.Path != r.Path {
			t.Errorf("%s: Match does not find its own row (found %q)", name, got.Path)
		}
		if r.Service == permissions.PartnerCenter {
			if len(r.Permissions) != 1 || r.Permissions[0] != permissions.PartnerCenterImpersonation {
				t.Errorf("%s: Partner Center has one delegated permission, user_impersonation; the row names %v", name, r.Permissions)
			}
			continue
		}
		if _, documented := reference.MatchDocumented(r.Method, r.Path); documented {
			if r.Why == "" {
				t.Errorf("%s is not in permissions.json: the row must say which permission Learn names", name)
			}
			continue
		}
		if len(r.Permissions) == 0 {
			t.Errorf("%s names no permission", name)
		}
		covering := ref.Permissions(r.Method, r.Path, reference.SchemeDelegatedWork)
		least, err := ref.LeastPrivileged(r.Method, r.Path, reference.SchemeDelegatedWork)
		if err != nil && !errors.Is(err, reference.ErrNoLeastPrivileged) {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, p := range r.Permissions {
			if !containsFold(covering, p) {
				t.Errorf("%s: %s does not cover it in permissions.json (%v do)", name, p, covering)
			}
			if !containsFold(least, p) && r.Why == "" {
				t.Errorf("%s: %s is not the least-privileged permission %v, and the row does not say why", name, p, least)
			}
			if _, ok := ref.PermissionID(p, reference.SchemeDelegatedWork); !ok && r.Client == permissions.App {
				t.Errorf("%s: %s has no GUID in permissions-descriptions.json", name, p)
			}
		}
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func TestDeriveSplitsPartnerAndCustomerConsent(t *testing.T) {
	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	n, err := permissions.Derive(ref, permissions.Choice{})
	if err != nil {
		t.Fatal(err)
	}
	names := func(ps []permissions.Permission) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
			if p.ID == "" {
				t.Errorf("%s has no GUID", p.Name)
			}
		}
		return out
	}
	partner, customers := names(n.Partner), names(n.Customers)
	t.Logf("partner consent (%d): %v", len(partner), partner)
	t.Logf("customer consent (%d): %v", len(customers), customers)
	t.Logf("administrator sign-in (%d): %v", len(n.Admin), n.Admin)
	tests := []struct {
		list []string
		has  []string
		not  []string
	}{
		// GDAP is managed from the partner tenant only; the reads its writes cover are left out.
		{partner, []string{"DelegatedAdminRelationship.ReadWrite.All", "User.Read", "IdentityRiskyUser.ReadWrite.All"},
			[]string{"DelegatedAdminRelationship.Read.All", "Group.ReadBasic.All", "UserAuthenticationMethod.ReadWrite.All"}},
		// Customers get what the Authenticator and Troubleshoot wizards do there, and nothing of GDAP.
		{customers, []string{"UserAuthenticationMethod.ReadWrite.All", "Policy.ReadWrite.ConditionalAccess", "AuditLog.Read.All", "User.Read.All"},
			[]string{"DelegatedAdminRelationship.ReadWrite.All", "Group.ReadWrite.All", "IdentityRiskyUser.ReadWrite.All"}},
		// Managing app registrations is for the administrator's one-off sign-in, never the app.
		{n.Admin, []string{"Application.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All", "AppRoleAssignment.ReadWrite.All"},
			[]string{"Directory.Read.All", "GroupMember.ReadWrite.All"}},
	}
	for _, tt := range tests {
		for _, p := range tt.has {
			if !containsFold(tt.list, p) {
				t.Errorf("%v lacks %s", tt.list, p)
			}
		}
		for _, p := range tt.not {
			if containsFold(tt.list, p) {
				t.Errorf("%v has %s", tt.list, p)
			}
		}
	}
	for _, p := range append(append([]string{}, partner...), customers...) {
		if strings.HasPrefix(p, "Application.") || strings.HasPrefix(p, "Directory.ReadWrite") || strings.HasPrefix(p, "DelegatedPermissionGrant") {
			t.Errorf("the app itself asks for %s, which lets it manage app registrations or consent", p)
		}
	}
	if len(n.AppRoles) != 0 || len(n.WebRedirects) != 0 || len(n.PartnerCenter) != 1 {
		t.Errorf("Onboard365 alone needs no application permission nor web redirect, and Partner Center once: %+v", n)
	}

	// MSP Process adds its application permission and its redirect address; the AdminAgents
	// option adds group membership to the administrator's sign-in.
	msp, err := permissions.Derive(ref, permissions.Choice{Integrations: []string{"MSP Process Authenticator"}, WebRedirects: []string{"https://app.mspprocess.com/callback"}, AdminAgents: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(msp.AppRoles) != 1 || msp.AppRoles[0].Name != "DelegatedAdminRelationship.Read.All" || msp.AppRoles[0].ID != "f6e9e124-4586-492f-adc0-c6f96e4823fd" {
		t.Errorf("MSP Process's application permission: %+v", msp.AppRoles)
	}
	if !containsFold(msp.Admin, "GroupMember.ReadWrite.All") {
		t.Errorf("the AdminAgents option needs GroupMember.ReadWrite.All: %v", msp.Admin)
	}
	if _, err := permissions.Derive(ref, permissions.Choice{Integrations: []string{"MSP Process Authenticator"}}); err == nil || !strings.Contains(err.Error(), "redirect address") {
		t.Errorf("MSP Process without its redirect address: %v", err)
	}
	if _, err := permissions.Derive(ref, permissions.Choice{Integrations: []string{"Something else"}}); err == nil {
		t.Error("an unknown integration was accepted")
	}
}

func TestCheckRedirectURI(t *testing.T) {
	tests := []struct {
		uri  string
		want string // "" when valid, else part of the sentence
	}{
		{"https://app.mspprocess.com/integrations/callback?id=12", ""},
		{"http://localhost", ""},
		{"http://localhost:8400/callback", ""},
		{"http://app.example.com/callback", "https://"},
		{"app.example.com/callback", "whole web address"},
		{"https://user:pw@app.example.com/", "user name"},
		{"https://app.example.com/#frag", "#"},
		{"https://app.example.com/a b", "spaces"},
		{"https://example.com/" + strings.Repeat("a", 300), "256"},
	}
	for _, tt := range tests {
		err := permissions.CheckRedirectURI(tt.uri)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.uri, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: %v, want a sentence about %q", tt.uri, err, tt.want)
		}
	}
}

func TestMatchMapsRequestsAsSent(t *testing.T) {
	tests := []struct {
		service permissions.Service
		method  string
		path    string
		want    string // the row's path; "" for none
	}{
		{permissions.Graph, "GET", "/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')", "/v1.0/servicePrincipals(appId={id})"},
		{permissions.Graph, "PATCH", "/beta/users/pat@proseware.onmicrosoft.com/authentication/signInPreferences", "/beta/users/{id}/authentication/signInPreferences"},
		{permissions.Graph, "PATCH", "/v1.0/users/pat@proseware.onmicrosoft.com/authentication/signInPreferences", ""},
		{permissions.Graph, "GET", "/v1.0/tenantRelationships/delegatedAdminRelationships/2b1c6e3a-1234-4321-8888-0123456789ab-c1c2c3c4-1111-2222-3333-444455556666/accessAssignments?$top=5", "/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments"},
		{permissions.Graph, "DELETE", "/v1.0/applications/7a1f3c1e-0000-4000-8000-000000000001", ""},
		{permissions.PartnerCenter, "POST", "/v1/customers/7a1f3c1e-0000-4000-8000-000000000001/applicationconsents", "/v1/customers/{id}/applicationconsents"},
		{permissions.PartnerCenter, "GET", "/v1/customers?size=40", "/v1/customers"},
	}
	for _, tt := range tests {
		got, ok := permissions.Match(tt.service, tt.method, tt.path)
		if ok != (tt.want != "") || got.Path != tt.want {
			t.Errorf("Match(%s %s) = %q, %v; want %q", tt.method, tt.path, got.Path, ok, tt.want)
		}
	}
}
