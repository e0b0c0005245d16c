package permissions_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
)

// FuzzCheckRedirectURI: the redirect address is pasted by a person.
func FuzzCheckRedirectURI(f *testing.F) {
	for _, s := range []string{"https://app.example.com/cb", "http://localhost", "javascript:alert(1)", "https://a@b/", "https://x/#y", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := permissions.CheckRedirectURI(s)
		if err == nil {
			if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
				t.Fatalf("%q was accepted without an http(s) scheme", s)
			}
			if len(s) > 256 || strings.ContainsAny(s, " #\"<>\\") {
				t.Fatalf("%q was accepted", s)
			}
			return
		}
		// The sentence is one of the app's own, short ones: it never echoes what was pasted.
		if msg := err.Error(); !utf8.ValidString(msg) || !strings.HasPrefix(msg, "the redirect address ") || len(msg) > 120 {
			t.Fatalf("the sentence for %q is not the app's own: %q", s, msg)
		}
	})
}

// FuzzMatch: the paths come from the sandbox's trace of what the app sent.
func FuzzMatch(f *testing.F) {
	for _, s := range []string{"/v1.0/me", "/beta/users/x@y/authentication/signInPreferences", "/v1.0/servicePrincipals(appId='a')", "/v1/customers", "//", "/v1.0/%zz"} {
		f.Add("GET", s)
	}
	f.Fuzz(func(t *testing.T, method, path string) {
		r, ok := permissions.Match(permissions.Graph, method, path)
		if ok && !strings.EqualFold(r.Method, method) {
			t.Fatalf("Match(%q, %q) found a %s row", method, path, r.Method)
		}
	})
}
