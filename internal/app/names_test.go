package app

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheckSignInName(t *testing.T) {
	for _, tc := range []struct {
		name string
		want string // "" when accepted; else a fragment of the sentence
	}{
		{"", ""},
		{"  ", ""},
		{"alex@contosopartners.onmicrosoft.com", ""},
		{"Alex.Wilber@Contoso.co.uk", ""},
		{"admin@müller.de", ""},
		// The case: no domain ending, accepted and then blamed on MFA.
		{"admin@contosopartners", "perhaps admin@contosopartners.onmicrosoft.com"},
		{"admin", "is not a sign-in name"},
		{"@contoso.com", "is not a sign-in name"},
		{"admin@", "add the domain, for example admin@contoso.onmicrosoft.com"},
		{"alex @contoso.com", "has a space in it"},
		{"a@b@contoso.com", "more than one @"},
		{"admin@contoso..com", "does not end with a domain"},
		{"admin@contoso.com/x", "does not end with a domain"},
	} {
		err := CheckSignInName("the account", tc.name)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: refused: %v", tc.name, err)
		case tc.want != "" && err == nil:
			t.Errorf("%q: accepted, want %q", tc.name, tc.want)
		case tc.want != "" && !strings.Contains(err.Error(), tc.want):
			t.Errorf("%q: %q does not say %q", tc.name, err, tc.want)
		case err != nil && !strings.HasPrefix(err.Error(), "the account "):
			t.Errorf("%q: %q does not name the field", tc.name, err)
		}
	}
}

func TestCheckSignInNames(t *testing.T) {
	for _, tc := range []struct {
		text string
		want string
	}{
		{"pat@contoso.com, lee@contoso.com", ""},
		{"Pat Fernandez <pat@contoso.com>\nlee@contoso.com", ""},
		{"pat@contoso.com, lee@contoso", "perhaps lee@contoso.onmicrosoft.com"},
		{"pat@contoso.com; just a name", `"just a name" is not a sign-in name`},
	} {
		err := CheckSignInNames("the user", tc.text)
		if (tc.want == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.text, err, tc.want)
		}
	}
}

// FuzzCheckSignInName: whatever is typed, the check ends, and its sentence shows the name only
// cleaned and quoted (no control characters, no line breaks), and is not longer than the name
// by much (counted in characters).
func FuzzCheckSignInName(f *testing.F) {
	for _, s := range []string{"alex@contoso.com", "admin@contosopartners", "a@", "@", "a b@c.d", "\x1b]0;x\x07@c.d", "x@" + strings.Repeat("a.", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		err := CheckSignInName("the account", name)
		if err == nil {
			return
		}
		s := err.Error()
		if !utf8.ValidString(s) && utf8.ValidString(name) {
			t.Fatalf("not UTF-8: %q", s)
		}
		for _, r := range s {
			if r < 0x20 && r != '\t' || r == 0x7f || r == 0x1b {
				t.Fatalf("control character %q in %q", r, s)
			}
		}
		// In characters: a byte that is not UTF-8 is shown as one U+FFFD, three bytes long.
		if n, of := utf8.RuneCountInString(s), utf8.RuneCountInString(name); n > 2*of+400 {
			t.Fatalf("sentence of %d characters for a name of %d", n, of)
		}
	})
}
