package auth

import (
	"strings"
	"testing"
)

// FuzzParseClaims: any text, never a panic; an error never repeats the text; what Check makes
// of the claims never panics either.
func FuzzParseClaims(f *testing.F) {
	f.Add(jwt(partnerCenterToken()))
	f.Add(jwt(`{"aud":["a",1],"amr":"mfa","exp":"12","iat":1e300,"tid":null}`))
	f.Add("Bearer " + jwt(`{}`))
	f.Add("a.b.c")
	f.Add("a.b.c.d.e")
	f.Add("..")
	f.Add("e30.e30.")
	f.Add("e30=.bnVsbA==.x")
	f.Add(strings.Repeat(".", 5))
	f.Fuzz(func(t *testing.T, token string) {
		c, err := ParseClaims(token)
		if err != nil {
			if c.Tid != "" || c.Upn != "" || c.Amr != nil {
				t.Fatalf("claims returned with an error: %+v", c)
			}
			if len(token) >= 12 && strings.Contains(err.Error(), token) {
				t.Fatalf("the error repeats the input: %q", err)
			}
			return
		}
		v := Check(c, c.Tid, c.Upn)
		if !v.AccountMatches || (c.Tid != "" && c.Idp == "" && !v.TenantMatches) {
			t.Fatalf("claims checked against themselves do not match: %+v", v)
		}
		if v.Compliant != (v.HasMFA && v.TenantMatches && v.AccountMatches) || v.Compliant != (len(v.Reasons) == 0) {
			t.Fatalf("inconsistent verdict: %+v", v)
		}
	})
}
