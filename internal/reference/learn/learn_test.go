package learn_test

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/reference/learn/reader"
)

// pagesDir is Microsoft's Learn pages beside the repository (shared/reference/learn). It is not
// part of the repository; CI has it.
const pagesDir = "../../../../shared/reference/learn"

// TestGeneratedFilesMatchThePages reads Microsoft's pages again and holds learn.json and the
// example files to them: a page that changed, or an index entry added without go generate,
// fails here. It needs the pages: without them it fails in CI (CI=true) and is skipped elsewhere.
func TestGeneratedFilesMatchThePages(t *testing.T) {
	if _, err := os.Stat(pagesDir); errors.Is(err, fs.ErrNotExist) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: CI must have Microsoft's pages beside the repository (shared/reference/learn)", pagesDir)
		}
		t.Skipf("%s is absent: the generated files cannot be checked against Microsoft's pages here", pagesDir)
	}
	descriptions, err := os.ReadFile("../data/permissions-descriptions.json")
	if err != nil {
		t.Fatal(err)
	}
	files, err := reader.Generate(os.DirFS(pagesDir), descriptions)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range files {
		got, err := os.ReadFile(filepath.FromSlash(name))
		if err != nil {
			t.Errorf("%s: %v (run go generate ./internal/reference/learn)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from what Microsoft's pages give: run go generate ./internal/reference/learn and review the change", name)
		}
	}
	onDisk, _ := filepath.Glob(filepath.Join(reader.ExamplesDir, "*.json"))
	for _, f := range onDisk {
		if _, ok := files[filepath.ToSlash(f)]; !ok {
			t.Errorf("%s belongs to no request of the index: run go generate ./internal/reference/learn", f)
		}
	}
	if len(files) < 40 {
		t.Fatalf("only %d files were generated", len(files))
	}
}

func TestLoadFindsRequestsAsSent(t *testing.T) {
	d, err := learn.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		service, method, path string
		want                  string // the template; "" for none
	}{
		{learn.Graph, "GET", "/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')", "/v1.0/servicePrincipals(appId={id})"},
		{learn.Graph, "PATCH", "/beta/users/pat@proseware.onmicrosoft.com/authentication/signInPreferences", "/beta/users/{id}/authentication/signInPreferences"},
		{learn.Graph, "PATCH", "/v1.0/users/pat@proseware.onmicrosoft.com/authentication/signInPreferences", ""},
		{learn.Graph, "GET", "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/2b1c6e3a-1234-4321-8888-0123456789ab-c1c2c3c4-1111-2222-3333-444455556666/accessAssignments?$top=5", "/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments"},
		{learn.Graph, "GET", "/v1.0/tenantRelationships/delegatedAdminRelationships/2b1c6e3a-1234-4321-8888-0123456789ab-c1c2c3c4/operations/57e4479a-aafb-4d00-ab0f-8ce6027466cf", "/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/operations/{id}"},
		{learn.Graph, "DELETE", "/v1.0/applications/7a1f3c1e-0000-4000-8000-000000000001", ""},
		{learn.PartnerCenter, "GET", "/v1/customers?size=40", "/v1/customers"},
		{learn.Graph, "GET", "/v1/customers", ""},
	}
	for _, tt := range tests {
		got, ok := d.Find(tt.service, tt.method, tt.path)
		if ok != (tt.want != "") || got.Path != tt.want {
			t.Errorf("Find(%s %s) = %q, %v; want %q", tt.method, tt.path, got.Path, ok, tt.want)
		}
	}
}

// TestFactsOfThePages checks facts the app and the sandbox rely on against what the pages say,
// so that a reader change that loses one is seen.
func TestFactsOfThePages(t *testing.T) {
	d, err := learn.Load()
	if err != nil {
		t.Fatal(err)
	}
	get := func(method, path string) learn.Request {
		t.Helper()
		service := learn.Graph
		if strings.HasPrefix(path, "/v1/") {
			service = learn.PartnerCenter
		}
		r, ok := d.Get(service, method, path)
		if !ok {
			t.Fatalf("no %s %s", method, path)
		}
		return r
	}
	ca := get("PATCH", "/v1.0/identity/conditionalAccess/policies/{id}")
	if learn.Satisfied(ca.Delegated, []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"}) ||
		!learn.Satisfied(ca.Delegated, []string{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Application.Read.All"}) {
		t.Errorf("PATCH a policy needs all three of Policy.Read.All, Policy.ReadWrite.ConditionalAccess and Application.Read.All: %v", ca.Delegated)
	}
	signIns := get("GET", "/beta/auditLogs/signIns")
	if learn.Satisfied(signIns.Delegated, []string{"AuditLog.Read.All"}) || !learn.Satisfied(signIns.Delegated, []string{"AuditLog.Read.All", "Directory.Read.All"}) {
		t.Errorf("signIns needs AuditLog.Read.All and Directory.Read.All: %v", signIns.Delegated)
	}
	assign := get("POST", "/v1.0/servicePrincipals/{id}/appRoleAssignedTo")
	if learn.Satisfied(assign.Delegated, []string{"AppRoleAssignment.ReadWrite.All"}) || !learn.Satisfied(assign.Delegated, []string{"AppRoleAssignment.ReadWrite.All", "Application.Read.All"}) {
		t.Errorf("appRoleAssignedTo needs AppRoleAssignment.ReadWrite.All with Application.Read.All or Directory.Read.All: %v", assign.Delegated)
	}
	report := get("GET", "/v1.0/reports/authenticationMethods/userRegistrationDetails")
	if report.SupportsQuery("$select") || report.SupportsQuery("$top") || !report.SupportsQuery("$filter") || !report.SupportsQuery("$orderBy") {
		t.Errorf("userRegistrationDetails supports $filter and $orderBy only: %v", report.Query)
	}
	if report.CanFilterOn("isAdmin") || !report.CanFilterOn("userPrincipalName") {
		t.Errorf("userRegistrationDetails: isAdmin is not marked filterable, userPrincipalName is: %v", report.Filterable)
	}
	if m := get("GET", "/v1.0/users/{id}/authentication/microsoftAuthenticatorMethods"); m.SupportsQuery("$select") {
		t.Errorf("microsoftAuthenticatorMethods supports no query option: %v %v", m.Query, m.AnyQuery)
	}
	if p := get("PATCH", "/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments/{id}"); !p.Async || p.Status[0] != 202 {
		t.Errorf("PATCH an access assignment answers 202 with an operation: %v %v", p.Status, p.Async)
	}
	if g := get("POST", "/v1.0/groups"); len(g.Conditions) != 1 || g.Conditions[0].When != learn.RoleAssignableGroup {
		t.Errorf("POST /groups: a role-assignable group needs more: %+v", g.Conditions)
	}
	for _, r := range d.Requests {
		if len(r.Status) == 0 {
			t.Errorf("%s has no success status", r.Key())
		}
		if r.Service == learn.Graph && !strings.HasSuffix(r.Path, "$batch") && len(r.Delegated) == 0 {
			t.Errorf("%s names no delegated permission", r.Key())
		}
		for _, role := range r.Roles {
			if _, ok := d.RoleID(role); !ok && role != learn.Member {
				t.Errorf("%s: no template id for %q", r.Key(), role)
			}
		}
	}
	if id, ok := d.PermissionID("Policy.ReadWrite.ConditionalAccess", false); !ok || id != "ad902697-1014-4ef5-81ef-2b4301988e8c" {
		t.Errorf("Policy.ReadWrite.ConditionalAccess: %q %v", id, ok)
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := learn.Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFill(t *testing.T) {
	r := learn.Request{Shapes: map[string]map[string]any{
		"":                      {"id": nil, "tags": []any{}, "note": "", "web": map[string]any{"redirectUris": []any{}, "logoutUrl": nil}},
		"#microsoft.graph.user": {"@odata.type": "#microsoft.graph.user", "mail": nil},
	}}
	item := map[string]any{"id": "1", "web": map[string]any{"redirectUris": []any{"https://x"}}}
	got := r.Fill(item)
	want := map[string]any{"id": "1", "tags": []any{}, "note": "", "web": map[string]any{"redirectUris": []any{"https://x"}, "logoutUrl": nil}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Fill: got %v, want %v", got, want)
	}
	if _, changed := item["tags"]; changed || len(item["web"].(map[string]any)) != 1 {
		t.Errorf("Fill changed its item: %v", item)
	}
	got["web"].(map[string]any)["logoutUrl"] = "changed"
	if r.Shapes[""]["web"].(map[string]any)["logoutUrl"] != nil {
		t.Error("an answer shares the shape's maps")
	}
	if u := r.Fill(map[string]any{"@odata.type": "#microsoft.graph.user", "id": "2"}); u["mail"] != nil || len(u) != 3 {
		t.Errorf("a user takes the user shape: %v", u)
	}
	if g := r.Fill(map[string]any{"@odata.type": "#microsoft.graph.group", "id": "3"}); g["note"] != "" {
		t.Errorf("a type without a shape of its own takes the untyped one: %v", g)
	}
	only := learn.Request{Shapes: map[string]map[string]any{"#microsoft.graph.riskyUser": {"@odata.type": "#microsoft.graph.riskyUser", "riskState": nil}}}
	if u := only.Fill(map[string]any{"id": "4"}); u["@odata.type"] != "#microsoft.graph.riskyUser" {
		t.Errorf("an untyped item of a one-type request takes its type: %v", u)
	}
}
