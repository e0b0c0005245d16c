package redact

import (
	"strings"
	"testing"
)

const jwt = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2lnbmF0dXJlc2lnbmF0dXJl"

func TestTokens(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text stays", "plain text stays"},
		{"Bearer " + jwt + " was refused", "Bearer [removed] was refused"},
		{"version 1.2.3 stays", "version 1.2.3 stays"},
		{strings.Repeat("x", 1500), strings.Repeat("x", 1000)},
	} {
		if got := Tokens(tc.in); got != tc.want {
			t.Errorf("Tokens(%.40q) = %.40q, want %.40q", tc.in, got, tc.want)
		}
	}
}

func TestField(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Authorization_RequestDenied", "Authorization_RequestDenied"},
		{" 2026-11-23T18:42:12 ", "2026-11-23T18:42:12"},
		{jwt, ""},
		{"<script>", ""},
		{strings.Repeat("a", 65), ""},
	} {
		if got := Field(tc.in); got != tc.want {
			t.Errorf("Field(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
