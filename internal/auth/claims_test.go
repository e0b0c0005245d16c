package auth

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

var b64 = base64.RawURLEncoding

// jwt builds a JWT-shaped token: a header, the claims as given (a map, or raw JSON text) and a
// fake signature. The signature is never checked.
func jwt(claims any) string {
	header := b64.EncodeToString([]byte(`{"typ":"JWT","alg":"RS256","kid":"nOo3ZDrODXEK1jKWhXslHR_KXEg"}`))
	var body []byte
	switch c := claims.(type) {
	case string:
		body = []byte(c)
	default:
		body, _ = json.Marshal(c)
	}
	return header + "." + b64.EncodeToString(body) + ".c2lnbmF0dXJlLW5vdC1jaGVja2Vk"
}

// partnerCenterToken is the decoded token of Microsoft's "How to validate your solution"
// post (seed 001), as Entra issues v1 access tokens for Partner Center.
func partnerCenterToken() map[string]any {
	return map[string]any{
		"aud": "https://api.partnercenter.microsoft.com", "iss": "https://sts.windows.net/df845f1a-7b35-40a2-ba78-6481de91f8ae/",
		"iat": 1549088552, "nbf": 1549088552, "exp": 1549092452, "acr": "1", "amr": []string{"pwd", "mfa"},
		"appid": "23ec45a3-5127-4185-9eff-c8887839e6ab", "appidacr": "0", "family_name": "Williams", "given_name": "Isaiah",
		"ipaddr": "127.0.0.1", "name": "Isaiah Williams", "oid": "4988e250-5aee-482a-9136-6d269cb755c0", "scp": "user_impersonation",
		"tenant_region_scope": "NA", "tid": "df845f1a-7b35-40a2-ba78-6481de91f8ae",
		"unique_name": "Isaiah.Williams@testtestpartner.onmicrosoft.com", "upn": "Isaiah.Williams@testtestpartner.onmicrosoft.com", "ver": "1.0",
	}
}

func TestParseClaimsRealShapes(t *testing.T) {
	v2 := map[string]any{
		"aud": []any{"00000003-0000-0000-c000-000000000000", 7}, "tid": "72f988bf-86f1-41af-91ab-2d7cd011db47",
		"preferred_username": "megan@contoso.com", "azp": "app-id-v2", "amr": "pwd", "exp": "1700000000", "iat": 1699996400.5,
		"idp": "https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/", "scp": "User.Read Directory.Read.All",
	}
	for _, tc := range []struct {
		name  string
		token string
		want  Claims
	}{
		{"Partner Center v1 token (seed 001)", jwt(partnerCenterToken()), Claims{
			Aud: "https://api.partnercenter.microsoft.com", Tid: "df845f1a-7b35-40a2-ba78-6481de91f8ae",
			Upn: "Isaiah.Williams@testtestpartner.onmicrosoft.com", Oid: "4988e250-5aee-482a-9136-6d269cb755c0",
			Name: "Isaiah Williams", Scp: "user_impersonation", AppID: "23ec45a3-5127-4185-9eff-c8887839e6ab",
			Amr: []string{"pwd", "mfa"}, Exp: time.Unix(1549092452, 0).UTC(), Iat: time.Unix(1549088552, 0).UTC(), Alg: "RS256",
		}},
		{"with a Bearer prefix and spaces", "  Bearer " + jwt(partnerCenterToken()) + "\n", Claims{
			Aud: "https://api.partnercenter.microsoft.com", Tid: "df845f1a-7b35-40a2-ba78-6481de91f8ae",
			Upn: "Isaiah.Williams@testtestpartner.onmicrosoft.com", Oid: "4988e250-5aee-482a-9136-6d269cb755c0",
			Name: "Isaiah Williams", Scp: "user_impersonation", AppID: "23ec45a3-5127-4185-9eff-c8887839e6ab",
			Amr: []string{"pwd", "mfa"}, Exp: time.Unix(1549092452, 0).UTC(), Iat: time.Unix(1549088552, 0).UTC(), Alg: "RS256",
		}},
		{"v2 shapes: aud array, azp, preferred_username, amr as a string, exp as a string", jwt(v2), Claims{
			Aud: "00000003-0000-0000-c000-000000000000", Tid: "72f988bf-86f1-41af-91ab-2d7cd011db47", Upn: "megan@contoso.com",
			AppID: "app-id-v2", Amr: []string{"pwd"}, Exp: time.Unix(1700000000, 0).UTC(), Iat: time.Unix(1699996400, 5e8).UTC(),
			Idp: "https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/", Scp: "User.Read Directory.Read.All", Alg: "RS256",
		}},
		{"base64url with padding", b64.EncodeToString([]byte(`{"alg":"RS256"}`)) + "." + base64.URLEncoding.EncodeToString([]byte(`{"tid":"t","upn":"u?>"}`)) + ".sig", Claims{Tid: "t", Upn: "u?>", Alg: "RS256"}},
		{"wrong types are left empty", jwt(`{"tid":5,"upn":null,"amr":[1,"mfa",{}],"exp":"soon","iat":-5,"name":["x"]}`), Claims{Amr: []string{"mfa"}, Alg: "RS256"}},
		{"dates out of range are zero", jwt(`{"exp":1e300,"iat":1e11}`), Claims{Iat: time.Unix(1e11, 0).UTC(), Alg: "RS256"}},
		{"an empty object", jwt(`{}`), Claims{Alg: "RS256"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseClaims(tc.token)
			if err != nil {
				t.Fatalf("ParseClaims: %v", err)
			}
			if !equalClaims(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestParseClaimsStandardBase64(t *testing.T) {
	// Some tools write the payload in standard base64 with padding; the claims still read.
	body := base64.StdEncoding.EncodeToString([]byte(`{"tid":"abc","upn":"x~y@z?"}`))
	tok := b64.EncodeToString([]byte(`{"alg":"none"}`)) + "." + body + ".sig"
	got, err := ParseClaims(tok)
	if err != nil || got.Tid != "abc" || got.Upn != "x~y@z?" {
		t.Fatalf("ParseClaims = %+v, %v", got, err)
	}
}

func equalClaims(a, b Claims) bool {
	if !a.Exp.Equal(b.Exp) || !a.Iat.Equal(b.Iat) {
		return false
	}
	a.Exp, b.Exp, a.Iat, b.Iat = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if len(a.Amr) == 0 && len(b.Amr) == 0 {
		a.Amr, b.Amr = nil, nil
	}
	return reflect.DeepEqual(a, b)
}

func TestParseClaimsRefusesGarbage(t *testing.T) {
	head := b64.EncodeToString([]byte(`{"alg":"RS256"}`))
	good := b64.EncodeToString([]byte(`{"tid":"t"}`))
	huge := jwt(map[string]any{"tid": "t", "pad": strings.Repeat("A", maxTokenLen)})
	for _, tc := range []struct {
		name, token, reason string
	}{
		{"empty", "", "empty"},
		{"spaces", "   ", "empty"},
		{"a word", "garbage", "three dot-separated parts"},
		{"two parts", head + "." + good, "three dot-separated parts"},
		{"four parts", head + "." + good + ".sig.extra", "three dot-separated parts"},
		{"five parts (JWE)", head + ".key.iv.cipher.tag", "encrypted token"},
		{"bad base64 claims", head + ".!!!not base64!!!.sig", "not base64url"},
		{"bad base64 header", "%%%." + good + ".sig", "header is not base64url"},
		{"header not JSON", b64.EncodeToString([]byte("hello")) + "." + good + ".sig", "header is not a JSON object"},
		{"claims not JSON", head + "." + b64.EncodeToString([]byte("not json")) + ".sig", "not a JSON object"},
		{"claims a JSON array", head + "." + b64.EncodeToString([]byte(`["tid"]`)) + ".sig", "not a JSON object"},
		{"claims null", head + "." + b64.EncodeToString([]byte(`null`)) + ".sig", "not a JSON object"},
		{"claims cut off", head + "." + b64.EncodeToString([]byte(`{"tid":"t"`)) + ".sig", "not a JSON object"},
		{"empty claims", head + "..sig", "not a JSON object"},
		{"huge", huge, "longer than any access token"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseClaims(tc.token)
			var fe *TokenFormatError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a *TokenFormatError", err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("err = %q, want it to say %q", err, tc.reason)
			}
			if len(tc.token) > 8 && strings.Contains(err.Error(), tc.token[:8]) && !strings.Contains(tc.reason, tc.token[:8]) {
				t.Errorf("the error repeats the token: %q", err)
			}
		})
	}
}
