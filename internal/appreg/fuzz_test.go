package appreg_test

import (
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/appreg"
)

// FuzzParseScopes: a token's scp claim and Partner Center's scope lists are outside input.
func FuzzParseScopes(f *testing.F) {
	for _, s := range []string{"User.Read Policy.Read.All", "a,b,,c", "", " \t\n", "User.Read,user.read"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appreg.ParseScopes(s)
		seen := map[string]bool{}
		for _, p := range got {
			if p == "" || strings.ContainsAny(p, " ,\t\r\n") {
				t.Fatalf("ParseScopes(%q) gave %q", s, p)
			}
			if seen[strings.ToLower(p)] {
				t.Fatalf("ParseScopes(%q) repeats %q", s, p)
			}
			seen[strings.ToLower(p)] = true
			if !strings.Contains(s, p) {
				t.Fatalf("ParseScopes(%q) made up %q", s, p)
			}
		}
	})
}

func TestParseScopes(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"User.Read Policy.Read.All", []string{"User.Read", "Policy.Read.All"}},
		{"User.Read,Policy.Read.All,,user.read", []string{"User.Read", "Policy.Read.All"}},
		{"  ", nil},
	}
	for _, tt := range tests {
		got := appreg.ParseScopes(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("ParseScopes(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
