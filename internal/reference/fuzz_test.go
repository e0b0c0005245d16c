package reference

import (
	"strings"
	"testing"
)

// FuzzNormalizePath: NormalizePath never panics, and its output is a path without a query
// string, a fragment, uppercase letters or empty segments. Allows and AllowsOrDocumented take
// the same input and must not panic either.
func FuzzNormalizePath(f *testing.F) {
	for _, s := range []string{
		"/v1.0/tenantRelationships/delegatedAdminRelationships/1234-abc/accessAssignments?$top=5",
		"/v1.0/servicePrincipals(appId='00000003-0000-0000-c000-000000000000')",
		"https://graph.microsoft.com/beta/users/a@b.c/authentication/signInPreferences",
		"/v1.0/%24batch",
		"/v1.0/users/%3Fx%23y/memberOf",
		"/v1.0/reports/getOffice365ActiveUserDetail(period='D7',x=(1,2))",
		"/v1.0/x('a,b'",
		"(((", "{", "}", "://", "?", "%", "/\u0130\u03d2/ABC",
	} {
		f.Add(s)
	}
	r := ref(f)
	f.Fuzz(func(t *testing.T, in string) {
		out := NormalizePath(in)
		if !strings.HasPrefix(out, "/") {
			t.Fatalf("NormalizePath(%q) = %q: does not start with /", in, out)
		}
		if strings.ContainsAny(out, "?#") {
			t.Fatalf("NormalizePath(%q) = %q: has a query or fragment", in, out)
		}
		if strings.ToLower(out) != out {
			t.Fatalf("NormalizePath(%q) = %q: has uppercase", in, out)
		}
		if out != "/" && strings.Contains(out, "//") {
			t.Fatalf("NormalizePath(%q) = %q: has an empty segment", in, out)
		}
		r.Allows("GET", in)
		r.AllowsOrDocumented("PATCH", in)
	})
}
