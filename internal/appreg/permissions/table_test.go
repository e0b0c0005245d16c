package permissions_test

import (
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/reference/learn"
)

// TestTableFollowsThePages holds every row of the table to what Microsoft's page of its request
// says (internal/reference/learn, generated from the Learn pages): the row has a page, its
// permissions are one of the page's alternatives, and a row that chooses other than the page's
// first nameable alternative says why.
func TestTableFollowsThePages(t *testing.T) {
	pages, err := learn.Load()
	if err != nil {
		t.Fatal(err)
	}
	rows, err := permissions.Resolve(pages)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		name := r.Method + " " + r.Path
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
		if !learn.Satisfied(r.Page.Delegated, r.Chosen) {
			t.Errorf("%s: %v is none of the page's alternatives %v", name, r.Chosen, r.Page.Delegated)
		}
		if len(r.Permissions) > 0 && r.Why == "" {
			t.Errorf("%s names its own permissions %v and does not say why", name, r.Permissions)
		}
		if len(r.Permissions) == 0 {
			if first := permissions.Choose(pages, r.Page, r.Client); !equalFold(first, r.Chosen) {
				t.Errorf("%s: chose %v, not the page's first nameable alternative %v", name, r.Chosen, first)
			}
		}
		if r.Client == permissions.App && r.Service == permissions.Graph {
			for _, p := range r.Chosen {
				if _, ok := pages.PermissionID(p, false); !ok {
					t.Errorf("%s: %s has no GUID, which an app registration needs", name, p)
				}
			}
		}
	}
}

// TestDerivedPermissionsMeetEveryPage holds what the app registration asks for to the pages: every
// request of the table, with the permissions consented where it is made (the partner's admin
// consent, Partner Center's consent in customers, the administrator's sign-in), meets one of the
// alternatives its page documents. The permission table can no longer drift from the pages: a
// page that changes its requirement fails here after go generate.
func TestDerivedPermissionsMeetEveryPage(t *testing.T) {
	pages, err := learn.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, choice := range []permissions.Choice{{}, {AdminAgents: true}} {
		n, err := permissions.Derive(pages, choice)
		if err != nil {
			t.Fatal(err)
		}
		rows, _ := permissions.Resolve(pages)
		partner, customers := names(n.Partner), names(n.Customers)
		for _, r := range rows {
			if r.Option == permissions.AdminAgents && !choice.AdminAgents {
				continue
			}
			var have []string
			switch {
			case r.Service == permissions.PartnerCenter:
				have = names(n.PartnerCenter)
			case r.Client == permissions.Admin:
				have = n.Admin
			}
			check := func(where string, have []string) {
				if !learn.Satisfied(r.Page.Delegated, have) {
					t.Errorf("%s %s in %s: %v meets none of the page's alternatives %v", r.Method, r.Path, where, have, r.Page.Delegated)
				}
				for _, when := range r.Meets {
					if c, _ := r.Page.Condition(when); !learn.Satisfied(c.Delegated, have) {
						t.Errorf("%s %s: %v does not meet the page's %s case %v", r.Method, r.Path, have, when, c.Delegated)
					}
				}
			}
			switch {
			case have != nil || r.Service == permissions.PartnerCenter || r.Client == permissions.Admin:
				check("its sign-in", have)
			default:
				if r.Where&permissions.Partner != 0 {
					check("the partner tenant", partner)
				}
				if r.Where&permissions.Customers != 0 {
					check("customers", customers)
				}
			}
		}
	}
}

func names(ps []permissions.Permission) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func equalFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
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
	pages, err := learn.Load()
	if err != nil {
		t.Fatal(err)
	}
	n, err := permissions.Derive(pages, permissions.Choice{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range append(append([]permissions.Permission{}, n.Partner...), n.Customers...) {
		if p.ID == "" {
			t.Errorf("%s has no GUID", p.Name)
		}
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
		// The sign-in logs' page joins AuditLog.Read.All and Directory.Read.All; the risky-user
		// list's page accepts IdentityRiskyUser.Read.All only.
		{partner, []string{"DelegatedAdminRelationship.ReadWrite.All", "IdentityRiskyUser.ReadWrite.All", "IdentityRiskyUser.Read.All", "AuditLog.Read.All", "Directory.Read.All", "GroupMember.ReadWrite.All"},
			[]string{"DelegatedAdminRelationship.Read.All", "GroupMember.Read.All", "UserAuthenticationMethod.ReadWrite", "RoleManagement.ReadWrite.Directory", "User.ReadWrite.All"}},
		// Customers get what the Authenticator and Troubleshoot wizards do there, and nothing of
		// GDAP; PATCH of a Conditional Access policy joins three permissions on its page.
		{customers, []string{"UserAuthenticationMethod.ReadWrite", "Policy.ReadWrite.ConditionalAccess", "Policy.Read.All", "Application.Read.All", "AuditLog.Read.All", "Directory.Read.All"},
			[]string{"DelegatedAdminRelationship.ReadWrite.All", "Group.ReadWrite.All", "IdentityRiskyUser.ReadWrite.All", "UserAuthenticationMethod.ReadWrite.All"}},
		// Managing app registrations is for the administrator's one-off sign-in, never the app.
		{n.Admin, []string{"Application.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All", "AppRoleAssignment.ReadWrite.All", "Application.Read.All"},
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
		if strings.HasPrefix(p, "Application.ReadWrite") || strings.HasPrefix(p, "Directory.ReadWrite") || strings.HasPrefix(p, "DelegatedPermissionGrant") {
			t.Errorf("the app itself asks for %s, which lets it manage app registrations or consent", p)
		}
	}
	if len(n.AppRoles) != 0 || len(n.WebRedirects) != 0 || len(n.PartnerCenter) != 1 {
		t.Errorf("Onboard365 alone needs no application permission nor web redirect, and Partner Center once: %+v", n)
	}

	// MSP Process adds its application permission and its redirect address; the AdminAgents
	// option adds group membership to the administrator's sign-in.
	msp, err := permissions.Derive(pages, permissions.Choice{Integrations: []string{"MSP Process Authenticator"}, WebRedirects: []string{"https://app.mspprocess.com/callback"}, AdminAgents: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(msp.AppRoles) != 1 || msp.AppRoles[0].Name != "DelegatedAdminRelationship.Read.All" || msp.AppRoles[0].ID != "f6e9e124-4586-492f-adc0-c6f96e4823fd" {
		t.Errorf("MSP Process's application permission: %+v", msp.AppRoles)
	}
	if !containsFold(msp.Admin, "GroupMember.ReadWrite.All") {
		t.Errorf("the AdminAgents option needs GroupMember.ReadWrite.All: %v", msp.Admin)
	}
	if _, err := permissions.Derive(pages, permissions.Choice{Integrations: []string{"MSP Process Authenticator"}}); err == nil || !strings.Contains(err.Error(), "redirect address") {
		t.Errorf("MSP Process without its redirect address: %v", err)
	}
	if _, err := permissions.Derive(pages, permissions.Choice{Integrations: []string{"Something else"}}); err == nil {
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
