package auth

import (
	"strings"
	"testing"
)

const (
	partnerTID  = "df845f1a-7b35-40a2-ba78-6481de91f8ae"
	customerTID = "3f2a8f7e-1111-4a2b-9c3d-0123456789ab"
	techUPN     = "alex@contosopartners.onmicrosoft.com"
)

func goodClaims() Claims {
	return Claims{Aud: "https://api.partnercenter.microsoft.com", Tid: partnerTID, Upn: techUPN, Amr: []string{"pwd", "mfa"}}
}

func TestCheck(t *testing.T) {
	with := func(f func(*Claims)) Claims { c := goodClaims(); f(&c); return c }
	for _, tc := range []struct {
		name                      string
		claims                    Claims
		wantTenant, wantUPN       string
		mfa, tenant, account, yes bool
		reasonHas                 []string
	}{
		{name: "all good", claims: goodClaims(), wantTenant: partnerTID, wantUPN: techUPN, mfa: true, tenant: true, account: true, yes: true},
		{name: "tenant and UPN compared case-insensitively", claims: goodClaims(), wantTenant: strings.ToUpper(partnerTID), wantUPN: "Alex@ContosoPartners.onmicrosoft.com ",
			mfa: true, tenant: true, account: true, yes: true},
		{name: "no partner tenant known yet", claims: goodClaims(), mfa: true, tenant: true, account: true, yes: true},
		{name: "organizations", claims: goodClaims(), wantTenant: "organizations", mfa: true, tenant: true, account: true, yes: true},
		{name: "a domain is accepted (the authority was that domain)", claims: goodClaims(), wantTenant: "contosopartners.onmicrosoft.com", mfa: true, tenant: true, account: true, yes: true},
		{name: "MFA missing", claims: with(func(c *Claims) { c.Amr = []string{"pwd"} }), wantTenant: partnerTID, wantUPN: techUPN,
			tenant: true, account: true, reasonHas: []string{"did not include multifactor authentication", "only pwd", "900421", "private", "trusted IP", "remember MFA"}},
		{name: "no amr at all", claims: with(func(c *Claims) { c.Amr = nil }), tenant: true, account: true,
			reasonHas: []string{"lists no authentication methods"}},
		{name: "MFA spelt differently is not MFA", claims: with(func(c *Claims) { c.Amr = []string{"MFA", "NGCMFA"} }), tenant: true, account: true,
			reasonHas: []string{"only MFA, NGCMFA"}},
		{name: "ngcmfa is left to Partner Center", claims: with(func(c *Claims) { c.Amr = []string{"ngcmfa"} }), tenant: true, account: true,
			reasonHas: []string{"ngcmfa", "Partner Center's own answer decide"}},
		{name: "wrong tenant", claims: goodClaims(), wantTenant: customerTID, wantUPN: techUPN, mfa: true, account: true,
			reasonHas: []string{"is for the tenant " + partnerTID, "set up for the partner tenant " + customerTID}},
		{name: "a GDAP sign-in into a customer", claims: with(func(c *Claims) {
			c.Tid = customerTID
			c.Idp = "https://sts.windows.net/" + partnerTID + "/"
		}), wantTenant: "fabrikam.onmicrosoft.com", mfa: true, account: true, reasonHas: []string{"home is another organization", "your own partner tenant"}},
		{name: "no tid", claims: with(func(c *Claims) { c.Tid = "" }), mfa: true, account: true, reasonHas: []string{"no tid"}},
		{name: "wrong UPN", claims: goodClaims(), wantTenant: partnerTID, wantUPN: "megan@contosopartners.onmicrosoft.com", mfa: true, tenant: true,
			reasonHas: []string{"You signed in as " + techUPN, "typed for this sign-in was megan@", "another account that was already signed in"}},
		// A typo in the domain: the tenant's real domain is suggested, not the typo again.
		{name: "mistyped domain", claims: goodClaims(), wantTenant: partnerTID, wantUPN: "alex@contosopartner.onmicrosoft.com", mfa: true, tenant: true,
			reasonHas: []string{"Your tenant's domain is contosopartners.onmicrosoft.com, not contosopartner.onmicrosoft.com", "type alex@contosopartners.onmicrosoft.com"}},
		{name: "no UPN in the token", claims: with(func(c *Claims) { c.Upn = "" }), wantUPN: techUPN, mfa: true, tenant: true,
			reasonHas: []string{"does not say which account"}},
		{name: "everything wrong", claims: Claims{Tid: customerTID, Upn: "x@y", Amr: []string{"pwd"}}, wantTenant: partnerTID, wantUPN: techUPN},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Check(tc.claims, tc.wantTenant, tc.wantUPN)
			if v.HasMFA != tc.mfa || v.TenantMatches != tc.tenant || v.AccountMatches != tc.account || v.Compliant != tc.yes {
				t.Errorf("verdict = %+v, want mfa %v tenant %v account %v compliant %v", v, tc.mfa, tc.tenant, tc.account, tc.yes)
			}
			failed := 0
			for _, ok := range []bool{v.HasMFA, v.TenantMatches, v.AccountMatches} {
				if !ok {
					failed++
				}
			}
			if len(v.Reasons) != failed {
				t.Errorf("%d reasons for %d failed checks: %q", len(v.Reasons), failed, v.Reasons)
			}
			all := strings.Join(v.Reasons, " ")
			for _, want := range tc.reasonHas {
				if !strings.Contains(all, want) {
					t.Errorf("reasons %q do not say %q", all, want)
				}
			}
			if tc.yes != strings.HasPrefix(v.String(), "Yes") {
				t.Errorf("String() = %q", v.String())
			}
		})
	}
}

func TestCheckShowsOnlySafeTextFromTheToken(t *testing.T) {
	c := goodClaims()
	c.Amr = []string{"pwd", strings.Repeat("x", 500), "evil\nline"}
	c.Upn = "a\u0000b\nc@" + strings.Repeat("d", 300)
	v := Check(c, partnerTID, techUPN)
	all := strings.Join(v.Reasons, " ")
	if strings.Contains(all, strings.Repeat("x", 30)) || strings.ContainsAny(all, "\x00\n") || len(all) > 4000 {
		t.Errorf("reasons carry unsafe token text: %q", all)
	}
}
