package authmethods

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/graph"
)

// The parsers of Graph answers and of what a person types must never panic, and must either
// fail or give something the rest of the wizard can use.

func FuzzDecodeLookup(f *testing.F) {
	for _, s := range []string{
		`{"value":[{"id":"1","userPrincipalName":"pat@contoso.com","methodsRegistered":["microsoftAuthenticatorPush"],"userPreferredMethodForSecondaryAuthentication":"sms"}]}`,
		`{"value":[]}`,
		`{"value":[{"id":"","userPrincipalName":"pat@contoso.com"}]}`,
		`{"value":[{"id":"2","userPrincipalName":"other@contoso.com"}]}`,
		`{"value":null}`,
		`{}`,
		`[]`,
		`{"value":[{"id":1}]}`,
		``,
	} {
		f.Add("pat@contoso.com", 200, s)
	}
	f.Add("pat@contoso.com", 403, `{"error":{"code":"Authentication_RequestFromNonPremiumTenantOrB2CTenant","message":"x"}}`)
	f.Fuzz(func(t *testing.T, upn string, status int, body string) {
		a := graph.BatchResponse{ID: upn, Status: status, Body: json.RawMessage(body)}
		if status >= 400 {
			a.Err = &graph.Error{Status: status}
		}
		reg, err := decodeLookup(a)
		if err != nil && reg != nil {
			t.Fatal("a registration and an error")
		}
		if reg != nil && (reg.ID == "" || !strings.EqualFold(reg.UserPrincipalName, upn)) {
			t.Fatalf("found a row that is not the user asked for: %+v", reg)
		}
		if reg != nil {
			f := Classify(*reg, PartnerAccess())
			if f.Sentence == "" || f.Category == "" {
				t.Fatalf("no group or sentence: %+v", f)
			}
			if f.Ticked && !f.CanFix {
				t.Fatal("ticked but cannot be fixed")
			}
		}
	})
}

func FuzzDecodePreferences(f *testing.F) {
	for _, s := range []string{
		`{"userPreferredMethodForSecondaryAuthentication":"push","isSystemPreferredAuthenticationMethodEnabled":false}`,
		`{"userPreferredMethodForSecondaryAuthentication":"sms","isSystemPreferredAuthenticationMethodEnabled":null}`,
		`{"userPreferredMethodForSecondaryAuthentication":""}`,
		`{"userPreferredMethodForSecondaryAuthentication":5}`,
		`null`,
		`{`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		p, err := decodePreferences(graph.BatchResponse{Status: 200, Body: json.RawMessage(body)})
		if err == nil && strings.TrimSpace(p.Preferred) == "" {
			t.Fatal("accepted preferences without a default method")
		}
		if err == nil && MethodWords(p.Preferred) == "" {
			t.Fatal("a default method without words")
		}
	})
}

func FuzzParseUPNs(f *testing.F) {
	for _, s := range []string{"pat@contoso.com", "Pat <pat@contoso.com>; sam@contoso.com\nkim", "@,@@,a@", "mailto:x@y", "ü@ö.de, \"a b\" <c@d>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		upns, bad := ParseUPNs(text)
		seen := map[string]bool{}
		for _, u := range upns {
			at := strings.Index(u, "@")
			if at <= 0 || at == len(u)-1 || strings.ContainsAny(u, ",;\n\r \t") {
				t.Fatalf("%q is not a sign-in name", u)
			}
			if seen[strings.ToLower(u)] {
				t.Fatalf("%q twice", u)
			}
			seen[strings.ToLower(u)] = true
			if lookupURL(u) == "" {
				t.Fatal("no lookup URL")
			}
		}
		for _, b := range bad {
			if strings.TrimSpace(b) == "" {
				t.Fatal("an empty entry reported as not a name")
			}
		}
	})
}

func FuzzClassifyReportRow(f *testing.F) {
	for _, s := range []string{
		`{"id":"1","userPrincipalName":"a@b","userType":"member","isAdmin":true,"methodsRegistered":["microsoftAuthenticatorPush","mobilePhone"],"userPreferredMethodForSecondaryAuthentication":"sms","isSystemPreferredAuthenticationMethodEnabled":true,"systemPreferredAuthenticationMethods":["push"]}`,
		`{"id":"2","userType":"guest"}`,
		`{"methodsRegistered":null,"userPreferredMethodForSecondaryAuthentication":null}`,
	} {
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, row string, checked bool) {
		var r Registration
		if json.Unmarshal([]byte(row), &r) != nil {
			return
		}
		access := PartnerAccess()
		if checked {
			access = Access{Checked: true, Active: 1, Roles: map[string]bool{}}
		}
		fd := Classify(r, access)
		if fd.Sentence == "" || fd.Category.Words() == "" {
			t.Fatalf("no sentence: %+v", fd)
		}
		if fd.Ticked && (!fd.CanFix || fd.Admin) {
			t.Fatalf("ticked wrongly: %+v", fd)
		}
		if fd.CanFix && !r.HasAuthenticator() {
			t.Fatalf("fixable without Authenticator: %+v", fd)
		}
		plan := Plan([]Finding{fd}, map[string]bool{r.ID: true})
		if len(plan) > 1 || (len(plan) == 1) != fd.CanFix {
			t.Fatalf("plan %+v for %+v", plan, fd)
		}
	})
}
