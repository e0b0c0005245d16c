package reference

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// A GDAP relationship id as Microsoft writes them (<guid>-<guid>) and other ids.
const (
	relID    = "5e5594d3-6f82-458b-b567-77db4811f0cd-00000000-0000-0000-0000-000000000000"
	guid     = "0e9bb8ea-a40a-4e3b-aa43-c93a0a3e6f6a"
	graphApp = "00000003-0000-0000-c000-000000000000"
)

func TestNormalizePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"/v1.0/tenantRelationships/delegatedAdminRelationships/1234-abc/accessAssignments?$top=5",
			"/tenantrelationships/delegatedadminrelationships/{id}/accessassignments"},
		{"/v1.0/tenantRelationships/delegatedAdminRelationships/" + relID + "/accessAssignments/" + guid,
			"/tenantrelationships/delegatedadminrelationships/{id}/accessassignments/{id}"},
		{"/beta/users/" + guid + "/authentication/signInPreferences",
			"/users/{id}/authentication/signinpreferences"},
		{"/v1.0/users/alex@contoso.onmicrosoft.com", "/users/{id}"},
		{"/v1.0/users/{user-id}/memberOf", "/users/{id}/memberof"},
		{"/v1.0/servicePrincipals(appId='" + graphApp + "')", "/serviceprincipals(appid={value})"},
		{"/v1.0/servicePrincipals(appId=%27" + graphApp + "%27)/appRoleAssignedTo", "/serviceprincipals(appid={value})/approleassignedto"},
		{"/v1.0/reports/getOffice365ActiveUserDetail(period='D7')", "/reports/getoffice365activeuserdetail(period={value})"},
		{"https://graph.microsoft.com/v1.0/$batch", "/$batch"},
		{"/v1.0/%24batch", "/$batch"},
		{"https://graph.microsoft.com/beta/auditLogs/signIns?$filter=signInEventTypes/any(t: t eq 'nonInteractiveUser')", "/auditlogs/signins"},
		{"/v1.0/groups/" + guid + "/members/$ref", "/groups/{id}/members/$ref"},
		{"/v1.0/users/delta()", "/users/delta"},
		{"//v1.0//me///transitiveMemberOf/", "/me/transitivememberof"},
		{"/V1.0/Me#frag", "/me"},
		{"/v1.0", "/"},
		{"", "/"},
		{"/v1.0/beta/x", "/beta/x"}, // only the first segment is a version
	}
	for _, tc := range tests {
		if got := NormalizePath(tc.in); got != tc.want {
			t.Errorf("NormalizePath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestAllows(t *testing.T) {
	r := ref(t)
	tests := []struct {
		method, path string
		want         bool
	}{
		// GDAP
		{"GET", "/v1.0/tenantRelationships/delegatedAdminRelationships", true},
		{"POST", "/v1.0/tenantRelationships/delegatedAdminRelationships", true},
		{"GET", "/v1.0/tenantRelationships/delegatedAdminRelationships/" + relID, true},
		{"PATCH", "/v1.0/tenantRelationships/delegatedAdminRelationships/" + relID, true},
		{"DELETE", "/v1.0/tenantRelationships/delegatedAdminRelationships/" + relID, true},
		{"POST", "/v1.0/tenantRelationships/delegatedAdminRelationships/" + relID + "/requests", true},
		{"GET", "/v1.0/tenantRelationships/delegatedAdminRelationships/" + relID + "/accessAssignments", true},
		{"GET", "/v1.0/tenantRelationships/delegatedAdminRelationships/1234-abc/accessAssignments?$top=5", true},
		{"POST", "/v1.0/tenantRelationships/delegatedAdminRelationships/" + relID + "/accessAssignments", true},
		{"PATCH", "/v1.0/tenantRelationships/delegatedAdminRelationships/" + relID + "/accessAssignments/" + guid, true},
		{"GET", "/v1.0/tenantRelationships/delegatedAdminCustomers", true},
		// app registration
		{"POST", "/v1.0/applications", true},
		{"POST", "/v1.0/applications/" + guid + "/addPassword", true},
		{"POST", "/v1.0/servicePrincipals", true},
		{"GET", "/v1.0/servicePrincipals(appId='" + graphApp + "')", true},
		{"GET", "/v1.0/servicePrincipals(appId='" + graphApp + "')?$select=id,appRoles,oauth2PermissionScopes", true},
		{"POST", "/v1.0/servicePrincipals/" + guid + "/appRoleAssignedTo", true},
		{"POST", "/v1.0/oauth2PermissionGrants", true},
		// authentication methods
		{"GET", "/v1.0/reports/authenticationMethods/userRegistrationDetails", true},
		{"GET", "/v1.0/reports/authenticationMethods/userRegistrationDetails?$filter=userType eq 'member'", true},
		{"GET", "/v1.0/users/" + guid + "/authentication/microsoftAuthenticatorMethods", true},
		// conditional access, security defaults, sign-ins, risk, licences
		{"GET", "/v1.0/identity/conditionalAccess/policies", true},
		{"GET", "/v1.0/identity/conditionalAccess/policies/" + guid, true},
		{"PATCH", "/v1.0/identity/conditionalAccess/policies/" + guid, true},
		{"GET", "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", true},
		{"GET", "/v1.0/auditLogs/signIns", true},
		{"GET", "/beta/auditLogs/signIns?$filter=signInEventTypes/any(t: t eq 'nonInteractiveUser')", true},
		{"GET", "/v1.0/identityProtection/riskyUsers", true},
		{"POST", "/v1.0/identityProtection/riskyUsers/dismiss", true},
		{"GET", "/v1.0/subscribedSkus", true},
		// groups and the signed-in user
		{"GET", "/v1.0/groups/" + guid + "/transitiveMembers", true},
		{"GET", "/v1.0/me/transitiveMemberOf", true},
		{"GET", "/v1.0/me", true},
		{"GET", "/v1.0/organization", true},
		// absent: made-up paths, wrong methods, documented-only paths
		{"GET", "/v1.0/tenantRelationships/madeUp", false},
		{"GET", "/v1.0/tenantRelationships/delegatedAdminRelationships/" + relID + "/madeUp", false},
		{"PUT", "/v1.0/tenantRelationships/delegatedAdminRelationships", false},
		{"DELETE", "/v1.0/subscribedSkus", false},
		{"POST", "/v1.0/reports/authenticationMethods/userRegistrationDetails", false},
		{"GET", "/v1.0/identityProtection/riskyUsers/dismiss", false},
		{"POST", "/v1.0/$batch", false},
		{"PATCH", "/beta/users/" + guid + "/authentication/signInPreferences", false},
		{"GET", "/v1.0/servicePrincipals(madeUpKey='x')", false},
		{"GET", "/v1.0/users/$count/madeUp", false},
		{"", "", false},
	}
	for _, tc := range tests {
		if got := r.Allows(tc.method, tc.path); got != tc.want {
			t.Errorf("Allows(%s %s) = %v, want %v (normalised %s)", tc.method, tc.path, got, tc.want, NormalizePath(tc.path))
		}
	}
}

func TestAllowsMethodIsCaseInsensitive(t *testing.T) {
	if !ref(t).Allows("get", "/v1.0/subscribedSkus") {
		t.Error(`Allows("get", ...) = false`)
	}
}

func TestAllowsPrefersLiteralSegments(t *testing.T) {
	r := ref(t)
	// /users/delta is a function; /users/{id} covers PATCH but /users/delta does not.
	if !r.Allows("GET", "/v1.0/users/delta") {
		t.Error("GET /users/delta should be allowed")
	}
	if !r.Allows("PATCH", "/v1.0/users/"+guid) {
		t.Error("PATCH /users/{id} should be allowed")
	}
}

func TestDocumentedPaths(t *testing.T) {
	r := ref(t)
	for _, d := range DocumentedPaths() {
		if !strings.HasPrefix(d.LearnURL, "https://learn.microsoft.com/graph/") {
			t.Errorf("%s %s: Learn URL %q is not a Microsoft Graph page on learn.microsoft.com", d.Method, d.Path, d.LearnURL)
		}
		if d.Why == "" {
			t.Errorf("%s %s: no reason given", d.Method, d.Path)
		}
		if !strings.HasPrefix(d.Path, "/v1.0/") && !strings.HasPrefix(d.Path, "/beta/") {
			t.Errorf("%s: path without version prefix", d.Path)
		}
		// Documented paths are those that permissions.json does not cover; once Microsoft adds
		// one, remove it from the list.
		if r.Allows(d.Method, d.Path) {
			t.Errorf("%s %s is in permissions.json now: remove it from DocumentedPaths", d.Method, d.Path)
		}
		concrete := strings.ReplaceAll(d.Path, "{id}", guid)
		if !r.AllowsOrDocumented(d.Method, concrete) {
			t.Errorf("AllowsOrDocumented(%s %s) = false", d.Method, concrete)
		}
	}
	if _, ok := MatchDocumented("GET", "/beta/auditLogs/signIns"); ok {
		t.Error("GET /beta/auditLogs/signIns is in permissions.json and must not be a documented path")
	}
}

func TestAllowsOrDocumented(t *testing.T) {
	r := ref(t)
	tests := []struct {
		method, path string
		want         bool
	}{
		{"PATCH", "/beta/users/" + guid + "/authentication/signInPreferences", true},
		{"PATCH", "/beta/users/alex@contoso.com/authentication/signInPreferences", true},
		{"GET", "/beta/users/" + guid + "/authentication/signInPreferences", true},
		{"POST", "/v1.0/$batch", true},
		{"POST", "https://graph.microsoft.com/v1.0/$batch", true},
		{"GET", "/v1.0/subscribedSkus", true},
		// beta-only: not documented for v1.0
		{"PATCH", "/v1.0/users/" + guid + "/authentication/signInPreferences", false},
		{"DELETE", "/beta/users/" + guid + "/authentication/signInPreferences", false},
		{"GET", "/v1.0/$batch", false},
		{"PATCH", "/beta/users/" + guid + "/authentication/signInPreferences/extra", false},
	}
	for _, tc := range tests {
		if got := r.AllowsOrDocumented(tc.method, tc.path); got != tc.want {
			t.Errorf("AllowsOrDocumented(%s %s) = %v, want %v", tc.method, tc.path, got, tc.want)
		}
	}
}

func TestLeastPrivileged(t *testing.T) {
	r := ref(t)
	tests := []struct {
		method, path, scheme string
		want                 []string // exactly, in order
	}{
		{"GET", "/v1.0/tenantRelationships/delegatedAdminRelationships", "DelegatedWork",
			[]string{"DelegatedAdminRelationship.Read.All", "DelegatedAdminRelationship.ReadWrite.All"}},
		{"POST", "/v1.0/tenantRelationships/delegatedAdminRelationships", "DelegatedWork",
			[]string{"DelegatedAdminRelationship.ReadWrite.All"}},
		{"GET", "/v1.0/reports/authenticationMethods/userRegistrationDetails", "DelegatedWork",
			[]string{"AuditLog.Read.All"}},
		{"GET", "/v1.0/identityProtection/riskyUsers", "Application", []string{"IdentityRiskyUser.Read.All"}},
		{"POST", "/v1.0/identityProtection/riskyUsers/dismiss", "DelegatedWork", []string{"IdentityRiskyUser.ReadWrite.All"}},
		{"GET", "/v1.0/subscribedSkus", "DelegatedWork", []string{"LicenseAssignment.Read.All"}},
		{"GET", "/v1.0/me/transitiveMemberOf", "DelegatedWork", []string{"User.Read"}},
		{"GET", "/v1.0/groups/" + guid + "/transitiveMembers", "DelegatedWork", []string{"GroupMember.ReadBasic.All"}},
		// Application.ReadWrite.All is level 4 for Application, but only 3 for DelegatedWork
		{"POST", "/v1.0/applications", "Application", []string{"AppRegistration.Create", "Application.ReadWrite.OwnedBy"}},
		{"GET", "/v1.0/servicePrincipals(appId='" + graphApp + "')", "DelegatedWork",
			[]string{"Application.Read.All", "Application.ReadWrite.All"}},
	}
	for _, tc := range tests {
		got, err := r.LeastPrivileged(tc.method, tc.path, tc.scheme)
		if err != nil {
			t.Errorf("LeastPrivileged(%s %s, %s): %v", tc.method, tc.path, tc.scheme, err)
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("LeastPrivileged(%s %s, %s) = %v, want %v", tc.method, tc.path, tc.scheme, got, tc.want)
		}
	}
}

func TestLeastPrivilegedErrors(t *testing.T) {
	r := ref(t)
	tests := []struct {
		method, path, scheme string
		want                 error
	}{
		{"GET", "/v1.0/tenantRelationships/madeUp", "DelegatedWork", ErrNotInReference},
		{"PATCH", "/beta/users/" + guid + "/authentication/signInPreferences", "DelegatedWork", ErrNotInReference},
		// delegated only: no Application scheme for /me
		{"GET", "/v1.0/me/transitiveMemberOf", "Application", ErrNotInReference},
		// covered, but Microsoft marks no permission least-privileged for it
		{"POST", "/v1.0/oauth2PermissionGrants", "DelegatedWork", ErrNoLeastPrivileged},
	}
	for _, tc := range tests {
		got, err := r.LeastPrivileged(tc.method, tc.path, tc.scheme)
		if !errors.Is(err, tc.want) {
			t.Errorf("LeastPrivileged(%s %s, %s) = %v, %v; want error %v", tc.method, tc.path, tc.scheme, got, err, tc.want)
		}
	}
	if _, err := r.LeastPrivileged("GET", "/v1.0/me", "Delegated"); err == nil {
		t.Error("unknown scheme accepted")
	}
}

func TestPermissions(t *testing.T) {
	r := ref(t)
	got := r.Permissions("POST", "/v1.0/oauth2PermissionGrants", "DelegatedWork")
	want := []string{"DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"}
	if !slices.Equal(got, want) {
		t.Errorf("Permissions(POST /oauth2PermissionGrants) = %v, want %v", got, want)
	}
	if got := r.Permissions("GET", "/v1.0/tenantRelationships/madeUp", "DelegatedWork"); got != nil {
		t.Errorf("Permissions(made-up path) = %v, want nil", got)
	}
}

func TestPermissionID(t *testing.T) {
	r := ref(t)
	tests := []struct {
		name, scheme, want string
		ok                 bool
	}{
		{"User.Read", "DelegatedWork", "e1fe6dd8-ba31-4d61-89e7-88639da4683d", true},
		{"user.read", "DelegatedWork", "e1fe6dd8-ba31-4d61-89e7-88639da4683d", true},
		{"offline_access", "DelegatedWork", "7427e0e9-2fba-42fe-b0c0-848c9e6a8182", true},
		{"DelegatedAdminRelationship.Read.All", "DelegatedWork", "0c0064ea-477b-4130-82a5-4c2cc4ff68aa", true},
		{"DelegatedAdminRelationship.ReadWrite.All", "DelegatedWork", "885f682f-a990-4bad-a642-36736a74b0c7", true},
		{"DelegatedAdminRelationship.Read.All", "Application", "f6e9e124-4586-492f-adc0-c6f96e4823fd", true},
		{"DelegatedAdminRelationship.ReadWrite.All", "Application", "cc13eba4-8cd8-44c6-b4d4-f93237adce58", true},
		{"User.Read", "DelegatedPersonal", "e1fe6dd8-ba31-4d61-89e7-88639da4683d", true},
		{"offline_access", "Application", "", false}, // delegated only
		{"Made.Up.All", "DelegatedWork", "", false},
		{"User.Read", "Delegated", "", false},
	}
	for _, tc := range tests {
		got, ok := r.PermissionID(tc.name, tc.scheme)
		if got != tc.want || ok != tc.ok {
			t.Errorf("PermissionID(%q, %q) = %q, %v; want %q, %v", tc.name, tc.scheme, got, ok, tc.want, tc.ok)
		}
	}
}

// permissions-descriptions.json (6cbd6bb) lacks the GUIDs of about 200 permissions that
// permissions.json names, among them two that permissions.json marks least-privileged for
// requests this app makes. The app registration wizard cannot put a permission without a GUID
// into requiredResourceAccess, so for every request the app makes there must be some covering
// permission with a GUID: a least-privileged one, or else the lowest-privileged one that has one.
func TestRequestsHaveAPermissionWithID(t *testing.T) {
	r := ref(t)
	// Least-privileged, but absent from permissions-descriptions.json. When Microsoft adds them,
	// this test fails: delete the entry.
	noID := map[string]bool{
		"LicenseAssignment.Read.All": true, // least for GET /subscribedSkus
		"AppRegistration.Create":     true, // least for POST /applications
		// least for GET /users/{id}/authentication/microsoftAuthenticatorMethods
		"UserAuthMethod-MicrosoftAuthApp.Read":     true,
		"UserAuthMethod-MicrosoftAuthApp.Read.All": true,
		"GroupMember.ReadBasic.All":                true, // least for GET /groups/{id}/transitiveMembers
	}
	requests := [][2]string{
		{"GET", "/v1.0/tenantRelationships/delegatedAdminRelationships"},
		{"POST", "/v1.0/tenantRelationships/delegatedAdminRelationships/" + relID + "/accessAssignments"},
		{"GET", "/v1.0/reports/authenticationMethods/userRegistrationDetails"},
		{"GET", "/v1.0/identity/conditionalAccess/policies"},
		{"GET", "/v1.0/identityProtection/riskyUsers"},
		{"GET", "/v1.0/subscribedSkus"},
		{"POST", "/v1.0/applications"},
		{"POST", "/v1.0/oauth2PermissionGrants"},
		{"POST", "/v1.0/servicePrincipals/" + guid + "/appRoleAssignedTo"},
		{"GET", "/v1.0/users/" + guid + "/authentication/microsoftAuthenticatorMethods"},
		{"PATCH", "/v1.0/identity/conditionalAccess/policies/" + guid},
		{"GET", "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy"},
		{"GET", "/v1.0/auditLogs/signIns"},
		{"POST", "/v1.0/identityProtection/riskyUsers/dismiss"},
		{"GET", "/v1.0/groups/" + guid + "/transitiveMembers"},
	}
	for _, scheme := range []string{SchemeDelegatedWork, SchemeApplication} {
		for _, q := range requests {
			least, _ := r.LeastPrivileged(q[0], q[1], scheme)
			for _, n := range least {
				if _, ok := r.PermissionID(n, scheme); ok == noID[n] {
					t.Errorf("%s %s %s: least-privileged %s: has id = %v, expected %v", scheme, q[0], q[1], n, ok, !noID[n])
				}
			}
			found := ""
			for _, n := range append(least, r.Permissions(q[0], q[1], scheme)...) {
				if _, ok := r.PermissionID(n, scheme); ok {
					found = n
					break
				}
			}
			if found == "" {
				t.Errorf("%s %s %s: no covering permission has a %s id", scheme, q[0], q[1], scheme)
			}
		}
	}
}
