package explain

import (
	"strings"
	"testing"
)

// checkFuzzed holds for every input: the text is filled in, the link is a
// Microsoft Learn page, and no token-shaped piece of the input comes back out.
func checkFuzzed(t *testing.T, e Explanation, input string) {
	t.Helper()
	if strings.TrimSpace(e.What) == "" || strings.TrimSpace(e.Why) == "" || strings.TrimSpace(e.Do) == "" {
		t.Fatalf("empty text for input %q: %+v", input, e)
	}
	if !strings.HasPrefix(e.LearnURL, "https://learn.microsoft.com/") {
		t.Fatalf("LearnURL %q for input %q", e.LearnURL, input)
	}
	if len(e.Code) > 100 {
		t.Fatalf("Code too long (%d bytes) for input %q", len(e.Code), input)
	}
	fields := []string{e.Code, e.What, e.Why, e.Do, e.LearnURL}
	for _, tok := range jwtRE.FindAllString(input, -1) {
		for _, f := range fields {
			if strings.Contains(f, tok) {
				t.Fatalf("token-shaped input %q came back in %q", tok, f)
			}
		}
	}
	for _, f := range fields {
		if jwtRE.MatchString(f) {
			t.Fatalf("token-shaped text in output %q", f)
		}
	}
}

func responseSeeds() []struct {
	status int
	body   string
} {
	return []struct {
		status int
		body   string
	}{
		{400, `{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity.\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333","error_codes":[700082],"timestamp":"2026-04-02 10:11:12Z","trace_id":"0000aaaa-11bb-cccc-dd33-eeeeee333333","correlation_id":"aaaa0000-bb11-2222-33cc-444444dddddd"}`},
		{400, `{"error":"interaction_required","error_description":"AADSTS53003: Access has been blocked by Conditional Access policies.","error_codes":[53003],"suberror":"message_only"}`},
		{400, `{"access_token":"` + testJWT + `","refresh_token":"` + testRefreshToken + `","error":"invalid_grant","error_codes":[50173]}`},
		{403, `{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2026-04-02T10:11:12","request-id":"b5b1b1b1-0000-4000-8000-000000000001","client-request-id":"b5b1b1b1-0000-4000-8000-000000000002"}}}`},
		{401, `{"error":{"code":"InvalidAuthenticationToken","message":"Bearer ` + testJWT + `"}}`},
		{429, `{"error":{"code":"UnknownError","message":""}}`},
		{429, ``},
		{412, `{"error":{"code":"PreconditionFailed"}}`},
		{401, `{"code":900421,"description":"MFA required","errorName":"MfaRequired","isRetryable":false,"source":"PartnerFD"}`},
		{403, `{"code":"2032","description":"Access denied","data":[],"source":"PartnerFD"}`},
		{401, ``},
		{200, `garbage`},
		{400, `{"error":{"code":"Authoriz`},
		{0, `[[[[`},
		{999, `{"code":"` + testJWT + `"}`},
	}
}

func FuzzFromResponse(f *testing.F) {
	for _, s := range responseSeeds() {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := FromResponse(status, body)
		checkFuzzed(t, e, string(body))
	})
}

func FuzzFromText(f *testing.F) {
	seeds := []string{
		"redeem refresh token for tenant 11112222-bbbb-3333-cccc-4444dddd5555: invalid_grant: AADSTS700082: The refresh token has expired due to inactivity.",
		"AADSTS530034: Delegated admin blocked",
		"aadsts0000050076",
		`graph: 403 Forbidden: {"error":{"code":"Authorization_RequestDenied","message":"x"}}`,
		`partnercenter: {"code":900421,"description":"MFA required"}`,
		"HTTP/1.1 429 Too Many Requests",
		"status code 503",
		"refresh_token=" + testRefreshToken + " access_token=" + testJWT,
		`{"error":{"code":"` + testJWT + `"}}`,
		"",
		"{",
		"}{",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		e := FromText(raw)
		checkFuzzed(t, e, raw)
		// Lookup must hold to the same rules.
		l, _ := Lookup(raw)
		checkFuzzed(t, l, raw)
	})
}
