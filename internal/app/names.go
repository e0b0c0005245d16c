package app

import (
	"fmt"
	"strings"

	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/words"
)

// CheckSignInName checks the form of a sign-in name (a user principal name) where it is typed,
// so that the page that asks for it says what is wrong, rather than a sign-in later failing for
// another reason: name@domain, with a domain that has a dot in it (contoso.onmicrosoft.com), and
// no spaces. what names the field in the sentence ("the account"); "" is accepted (the fields
// that take one are optional), as is a name Microsoft would accept.
func CheckSignInName(what, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return nil
	}
	shown := words.Quote(name)
	local, domain, ok := strings.Cut(name, "@")
	l, d := words.Name(local), words.Name(domain) // as the sentence shows them
	switch {
	case strings.ContainsAny(name, " \t\n"):
		return fmt.Errorf("%s %s has a space in it; a sign-in name has none, for example alex@contoso.onmicrosoft.com", what, shown)
	case !ok || local == "":
		return fmt.Errorf("%s %s is not a sign-in name: it looks like name@domain, for example alex@contoso.onmicrosoft.com", what, shown)
	case strings.Contains(domain, "@"):
		return fmt.Errorf("%s %s has more than one @; a sign-in name has one, for example alex@contoso.onmicrosoft.com", what, shown)
	case domain == "":
		return fmt.Errorf("%s %s ends at the @: add the domain, for example %s@contoso.onmicrosoft.com", what, shown, l)
	case !strings.Contains(domain, "."):
		return fmt.Errorf("%s %s has no domain ending: a sign-in name ends with a whole domain, such as %s.onmicrosoft.com, so perhaps %s@%s.onmicrosoft.com",
			what, shown, d, l, d)
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || !domainLabel(label) {
			return fmt.Errorf("%s %s does not end with a domain: a domain is made of letters, digits and hyphens between dots, such as contoso.onmicrosoft.com", what, shown)
		}
	}
	return nil
}

// CheckSignInNames checks the sign-in names typed or pasted into a list (as
// authmethods.ParseUPNs reads it: one a line, or between commas, maybe with a name before the
// address), each as CheckSignInName does one.
func CheckSignInNames(what, text string) error {
	upns, notNames := authmethods.ParseUPNs(text)
	if len(notNames) > 0 {
		return fmt.Errorf("%s %s is not a sign-in name: each looks like name@domain, for example pat@contoso.onmicrosoft.com", what, words.Quote(notNames[0]))
	}
	for _, n := range upns {
		if err := CheckSignInName(what, n); err != nil {
			return err
		}
	}
	return nil
}

func domainLabel(s string) bool {
	for _, r := range s {
		switch {
		case r == '-', r >= '0' && r <= '9', r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r > 127:
		default:
			return false
		}
	}
	return true
}
