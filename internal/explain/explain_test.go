package explain

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"
)

// domainAADSTS are the sign-in codes that shared/DOMAIN.md says a user must be
// told about in plain words.
var domainAADSTS = []string{
	"50076", "50079", "50158", "53003", "65001", "90094", "90099",
	"700082", "7000222", "50173", "530034", "530035",
}

// extraAADSTS are further sign-in codes the app meets.
var extraAADSTS = []string{
	"50126", "50020", "700016", "7000215", "50011", "65004", "50105", "90072",
}

// appPages are the pages of the app that Do texts may point to.
var appPages = []string{"Sign in", "App registration", "GDAP relationships", "Authenticator default method", "Troubleshoot", "Settings"}

// checkFilled fails when a field a person sees is empty or the link is not a
// Microsoft Learn page.
func checkFilled(t *testing.T, e Explanation) {
	t.Helper()
	if strings.TrimSpace(e.What) == "" || strings.TrimSpace(e.Why) == "" || strings.TrimSpace(e.Do) == "" {
		t.Errorf("%q: empty text: %+v", e.Code, e)
	}
	if !strings.HasPrefix(e.LearnURL, "https://learn.microsoft.com/") {
		t.Errorf("%q: LearnURL %q is not a Microsoft Learn page", e.Code, e.LearnURL)
	}
}

func TestLookupDomainCodes(t *testing.T) {
	for _, n := range append(append([]string{}, domainAADSTS...), extraAADSTS...) {
		for _, in := range []string{"AADSTS" + n, n, "aadsts" + n, " AADSTS" + n + " "} {
			e, ok := Lookup(in)
			if !ok || !e.Known {
				t.Errorf("Lookup(%q) = %v, known %v; want found", in, ok, e.Known)
				continue
			}
			if e.Code != "AADSTS"+n {
				t.Errorf("Lookup(%q).Code = %q, want AADSTS%s", in, e.Code, n)
			}
			checkFilled(t, e)
		}
	}
}

func TestTableRows(t *testing.T) {
	seen := map[string]bool{}
	for _, row := range table {
		for _, id := range row.ids {
			key := display(row.fam, id)
			if seen[strings.ToLower(key)] {
				t.Errorf("code %q is in the table twice", key)
			}
			seen[strings.ToLower(key)] = true
			e, ok := Lookup(key)
			if !ok {
				t.Errorf("Lookup(%q) not found", key)
				continue
			}
			checkFilled(t, e)
			for _, s := range []string{e.What, e.Why, e.Do} {
				if !strings.HasSuffix(s, ".") {
					t.Errorf("%q: sentence %q does not end with a full stop", key, s)
				}
				if strings.Contains(s, "  ") {
					t.Errorf("%q: double space in %q", key, s)
				}
			}
		}
	}
}

func TestDoNamesAppPages(t *testing.T) {
	// The brief's examples: the Do text sends the person to the right page.
	cases := map[string]string{
		"90099":                 "App registration",
		"530034":                "Troubleshoot",
		"53003":                 "Troubleshoot",
		"700082":                "Sign in",
		"7000222":               "Settings",
		"Partner Center 900421": "Sign in",
	}
	for code, page := range cases {
		e, _ := Lookup(code)
		if !strings.Contains(e.Do, page) {
			t.Errorf("Lookup(%q).Do = %q, want it to name %q", code, e.Do, page)
		}
	}
	e, _ := Lookup("53003")
	if !strings.Contains(e.Why, "service provider") {
		t.Errorf("53003 should mention service provider users: %q", e.Why)
	}
	e, _ = Lookup("900421")
	if !strings.Contains(e.Do, "private browser window") || !strings.Contains(e.Why, "trusted-location") {
		t.Errorf("900421 should send the user to a private window and warn about trusted-location bypass: %+v", e)
	}
	// Every table Do mentions an app page or is about waiting or the consent
	// screen; at least most rows name a page.
	named := 0
	for _, row := range table {
		for _, p := range appPages {
			if strings.Contains(row.do, p) {
				named++
				break
			}
		}
	}
	if named < len(table)/2 {
		t.Errorf("only %d of %d rows name a page of the app", named, len(table))
	}
}

func TestLookupForms(t *testing.T) {
	cases := []struct{ in, code string }{
		{"Authorization_RequestDenied", "Authorization_RequestDenied"},
		{"authorization_requestdenied", "Authorization_RequestDenied"},
		{"Request_ResourceNotFound", "Request_ResourceNotFound"},
		{"ResourceNotFound", "ResourceNotFound"},
		{"itemNotFound", "itemNotFound"},
		{"Request_BadRequest", "Request_BadRequest"},
		{"InvalidAuthenticationToken", "InvalidAuthenticationToken"},
		{"accessDenied", "accessDenied"},
		{"invalid_grant", "invalid_grant"},
		{"HTTP 429", "HTTP 429"},
		{"http429", "HTTP 429"},
		{"429", "HTTP 429"},
		{"400", "HTTP 400"},
		{"401", "HTTP 401"},
		{"403", "HTTP 403"},
		{"404", "HTTP 404"},
		{"409", "HTTP 409"},
		{"412", "HTTP 412"},
		{"500", "HTTP 500"},
		{"503", "HTTP 503"},
		{"504", "HTTP 504"},
		{"Partner Center 900421", "Partner Center 900421"},
		{"partner center 900421", "Partner Center 900421"},
		{"900421", "Partner Center 900421"},
		{"Partner Center 403", "Partner Center 403"},
		{"Partner Center 401", "Partner Center 401"},
	}
	for _, c := range cases {
		e, ok := Lookup(c.in)
		if !ok || !e.Known || e.Code != c.code {
			t.Errorf("Lookup(%q) = (%q, %v, known %v), want %q", c.in, e.Code, ok, e.Known, c.code)
		}
		checkFilled(t, e)
	}
	e, _ := Lookup("412")
	if !strings.Contains(e.Why, "ETag") {
		t.Errorf("412 should explain the ETag check: %q", e.Why)
	}
	e, _ = Lookup("429")
	if !strings.Contains(e.Do, "retries") {
		t.Errorf("429 should say the app waits and retries: %q", e.Do)
	}
	e, _ = Lookup("401")
	if !strings.Contains(e.Why, "Partner Center") || !strings.Contains(e.Why, "MFA") {
		t.Errorf("401 should mention Partner Center's MFA requirement: %q", e.Why)
	}
}

func TestLookupUnknown(t *testing.T) {
	cases := []struct{ in, code string }{
		{"AADSTS12345", "AADSTS12345"},
		{"aadsts12345", "AADSTS12345"},
		{"Request_SomethingNew", "Request_SomethingNew"},
		{"HTTP 418", "HTTP 418"},
		{"418", "HTTP 418"},
		{"Partner Center 600008", "Partner Center 600008"},
		{"123456789", "123456789"},
	}
	for _, c := range cases {
		e, ok := Lookup(c.in)
		if ok || e.Known {
			t.Errorf("Lookup(%q) = found, want unknown", c.in)
		}
		if e.Code != c.code {
			t.Errorf("Lookup(%q).Code = %q, want %q", c.in, e.Code, c.code)
		}
		want := c.code
		if strings.HasPrefix(want, "Partner Center ") {
			want = strings.TrimPrefix(want, "Partner Center ")
		}
		if !strings.Contains(e.What, want) {
			t.Errorf("Lookup(%q).What = %q, want it to name %q", c.in, e.What, want)
		}
		checkFilled(t, e)
	}
	// Not a code at all: nothing of it is repeated back.
	for _, in := range []string{"", "   ", "two words", "a.b.c", strings.Repeat("x", 200), "AADSTS", "AADSTSabc", "HTTP 99999"} {
		e, ok := Lookup(in)
		if ok || e.Known || e.Code != "" {
			t.Errorf("Lookup(%q) = (%+v, %v), want the no-code fallback", in, e, ok)
		}
		checkFilled(t, e)
	}
}

func TestFromResponse(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		code   string
		known  bool
	}{
		{"entra MFA required", 400, `{"error":"invalid_grant","error_description":"AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access '797f4846-ba00-4fd7-ba43-dac1f8f63013'.\r\nTrace ID: 0000aaaa-11bb-cccc-dd33-eeeeee333333\r\nCorrelation ID: aaaa0000-bb11-2222-33cc-444444dddddd\r\nTimestamp: 2026-04-02 10:11:12Z","error_codes":[50076],"timestamp":"2026-04-02 10:11:12Z","trace_id":"0000aaaa-11bb-cccc-dd33-eeeeee333333","correlation_id":"aaaa0000-bb11-2222-33cc-444444dddddd","error_uri":"https://login.microsoftonline.com/error?code=50076","suberror":"basic_action"}`, "AADSTS50076", true},
		{"entra refresh token expired", 400, `{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2025-12-01T09:00:00Z and was inactive for 90.00:00:00.","error_codes":[700082],"timestamp":"2026-03-01 09:00:00Z"}`, "AADSTS700082", true},
		{"entra error_codes wins", 400, `{"error":"invalid_client","error_description":"AADSTS50076: text","error_codes":[7000222]}`, "AADSTS7000222", true},
		{"entra description only", 400, `{"error":"invalid_request","error_description":"AADSTS90099: The application has not been authorized in the tenant."}`, "AADSTS90099", true},
		{"entra code as string", 400, `{"error":"interaction_required","error_codes":["53003"]}`, "AADSTS53003", true},
		{"entra unknown code", 400, `{"error":"invalid_grant","error_description":"AADSTS9999999: new","error_codes":[9999999]}`, "AADSTS9999999", false},
		{"entra oauth word only", 400, `{"error":"invalid_grant"}`, "invalid_grant", true},
		{"graph denied", 403, `{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2026-04-02T10:11:12","request-id":"b5b1b1b1-0000-4000-8000-000000000001","client-request-id":"b5b1b1b1-0000-4000-8000-000000000002"}}}`, "Authorization_RequestDenied", true},
		{"graph not found", 404, `{"error":{"code":"Request_ResourceNotFound","message":"Resource 'x' does not exist or one of its queried reference-property objects are not present.","innerError":{"date":"2026-04-02T10:11:12"}}}`, "Request_ResourceNotFound", true},
		{"graph token", 401, `{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid.","innerError":{}}}`, "InvalidAuthenticationToken", true},
		{"graph item not found", 404, `{"error":{"code":"itemNotFound","message":"The resource could not be found."}}`, "itemNotFound", true},
		{"graph bad request", 400, `{"error":{"code":"Request_BadRequest","message":"Invalid value specified for property 'displayName'."}}`, "Request_BadRequest", true},
		{"graph 429 with code", 429, `{"error":{"code":"activityLimitReached","message":"The request has been throttled","innerError":{"code":"throttledRequest"}}}`, "activityLimitReached", true},
		{"graph 429 unknown code", 429, `{"error":{"code":"UnknownError","message":"","innerError":{"date":"2026-04-02T10:11:12"}}}`, "HTTP 429", true},
		{"graph 429 empty code", 429, `{"error":{"code":"","message":"Throttled"}}`, "HTTP 429", true},
		{"graph 429 no body", 429, ``, "HTTP 429", true},
		{"graph 412 unknown code", 412, `{"error":{"code":"PreconditionFailed","message":"The ETag does not match."}}`, "PreconditionFailed", false},
		{"graph 503", 503, `{"error":{"code":"serviceNotAvailable","message":"Service unavailable"}}`, "HTTP 503", true},
		{"graph 504 html", 504, `<html><body>Gateway Timeout</body></html>`, "HTTP 504", true},
		{"graph 500 no body", 500, ``, "HTTP 500", true},
		{"graph 409", 409, `{"error":{"code":"Request_MultipleObjectsWithSameKeyValue","message":"Another object with the same value for property displayName already exists."}}`, "Request_MultipleObjectsWithSameKeyValue", false},
		{"pc mfa number", 401, `{"code":900421,"description":"Multi-factor authentication is required.","errorName":"MfaRequired","isRetryable":false,"source":"PartnerFD"}`, "Partner Center 900421", true},
		{"pc mfa string", 401, `{"code":"900421","description":"MFA required","data":[],"source":"PartnerFD"}`, "Partner Center 900421", true},
		{"pc 401 empty", 401, ``, "HTTP 401", true},
		{"pc 401 unknown code", 401, `{"code":"800001","description":"Partner Token missing in request context","source":"PartnerFD"}`, "Partner Center 401", true},
		{"pc 403 access denied", 403, `{"code":2032,"description":"Access denied","errorName":"AccessDenied","isRetryable":false,"source":"PartnerFD"}`, "Partner Center 403", true},
		{"pc 400 unknown", 400, `{"code":600008,"description":"The application consent is not valid.","errorName":"InvalidInput","isRetryable":false,"source":"PartnerFD"}`, "Partner Center 600008", false},
		{"pc errorName only", 400, `{"errorName":"SomethingWrong","description":"x"}`, "Partner Center SomethingWrong", false},
		{"unknown status empty", 418, ``, "HTTP 418", false},
		{"200 garbage", 200, `garbage <<>> not json`, "", false},
		{"200 empty", 200, ``, "", false},
		{"0 empty", 0, ``, "", false},
		{"negative status", -5, `{}`, "", false},
		{"truncated graph", 403, `{"error":{"code":"Authoriz`, "HTTP 403", true},
		{"truncated entra with code", 400, `{"error":"invalid_grant","error_description":"AADSTS700082: The refresh tok`, "AADSTS700082", true},
		{"json array", 400, `[{"code":"x"}]`, "HTTP 400", true},
		{"json null", 400, `null`, "HTTP 400", true},
		{"wrong types", 400, `{"error":5,"error_codes":"x","code":{"a":1},"error_description":7}`, "HTTP 400", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := FromResponse(c.status, []byte(c.body))
			if e.Code != c.code || e.Known != c.known {
				t.Errorf("FromResponse(%d, ...) = (%q, known %v), want (%q, known %v)\n%+v", c.status, e.Code, e.Known, c.code, c.known, e)
			}
			checkFilled(t, e)
			if !c.known && c.code != "" {
				name := strings.TrimPrefix(c.code, "Partner Center ")
				if !strings.Contains(e.What, name) {
					t.Errorf("unknown code %q not named in What %q", c.code, e.What)
				}
			}
		})
	}
}

func TestFromResponseHybridUsesStatusAdvice(t *testing.T) {
	e := FromResponse(412, []byte(`{"error":{"code":"PreconditionFailed"}}`))
	if !strings.Contains(e.What, "PreconditionFailed") || !strings.Contains(e.What, "412") {
		t.Errorf("What should name the code and the status: %q", e.What)
	}
	if !strings.Contains(e.Why, "ETag") {
		t.Errorf("Why should come from the 412 row: %q", e.Why)
	}
}

func TestFromResponseLargeBodies(t *testing.T) {
	pad := strings.Repeat("x", 3<<20)
	cases := []struct {
		name string
		body []byte
		code string
	}{
		{"code before padding", []byte(`{"error_description":"AADSTS50076: MFA","pad":"` + pad + `"}`), "AADSTS50076"},
		{"code after the limit", []byte(`{"pad":"` + pad + `","error_codes":[50076]}`), "HTTP 400"},
		{"junk", bytes.Repeat([]byte{0xff, '{', '"', 0}, 4<<20), "HTTP 400"},
		{"deep nesting", []byte(strings.Repeat("[", 1<<20)), "HTTP 400"},
		{"deep object", []byte(strings.Repeat(`{"error":`, 200000)), "HTTP 400"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			e := FromResponse(400, c.body)
			if e.Code != c.code {
				t.Errorf("Code = %q, want %q", e.Code, c.code)
			}
			checkFilled(t, e)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

func TestFromText(t *testing.T) {
	cases := []struct {
		name, raw, code string
		known           bool
	}{
		{"go wrapped refresh", "redeem refresh token for tenant 11112222-bbbb-3333-cccc-4444dddd5555: invalid_grant: AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2025-12-01T09:00:00Z and was inactive for 90.00:00:00.", "AADSTS700082", true},
		{"msal style", "CallErr: http call(https://login.microsoftonline.com/contoso/oauth2/v2.0/token)(POST) error: reply status code was 400:\n{\"error\":\"invalid_grant\",\"error_description\":\"AADSTS50173: The provided grant has expired due to it being revoked.\",\"error_codes\":[50173]}", "AADSTS50173", true},
		{"first AADSTS wins", "AADSTS530034: blocked; later AADSTS50076", "AADSTS530034", true},
		{"lower case", "error aadsts53003 blocked", "AADSTS53003", true},
		{"at end", "sign-in failed: AADSTS90099", "AADSTS90099", true},
		{"unknown AADSTS", "AADSTS12345: something new", "AADSTS12345", false},
		{"graph json in text", `graph: PATCH /identity/conditionalAccess/policies/1: 403 Forbidden: {"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}`, "Authorization_RequestDenied", true},
		{"graph unknown json in text", `graph: 400 Bad Request: {"error":{"code":"Request_UnsupportedQuery","message":"x"}}`, "Request_UnsupportedQuery", false},
		{"graph code word", "create relationship: Request_BadRequest (displayName too long)", "Request_BadRequest", true},
		{"pc json in text", `partnercenter: POST applicationconsents: {"code":900421,"description":"MFA required"}`, "Partner Center 900421", true},
		{"pc code word", "partner center refused with error 900421", "Partner Center 900421", true},
		{"http status", "partnercenter: GET /v1/customers: HTTP 401", "HTTP 401", true},
		{"http version", "HTTP/1.1 429 Too Many Requests", "HTTP 429", true},
		{"status code", "request failed: status code 503", "HTTP 503", true},
		{"reason phrase", "unexpected answer 412 Precondition Failed", "HTTP 412", true},
		{"status 200 ignored", "HTTP 200 OK", "", false},
		{"nothing", "the network is unreachable", "", false},
		{"empty", "", "", false},
		{"url only", "Get \"https://graph.microsoft.com/v1.0/users/404\": dial tcp: timeout", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := FromText(c.raw)
			if e.Code != c.code || e.Known != c.known {
				t.Errorf("FromText(%q) = (%q, known %v), want (%q, known %v)", c.raw, e.Code, e.Known, c.code, c.known)
			}
			checkFilled(t, e)
		})
	}
}

func TestFromTextLarge(t *testing.T) {
	raw := strings.Repeat("lorem ipsum { dolor } ", 1<<19) + " AADSTS50076 at the very end"
	start := time.Now()
	e := FromText(raw)
	if e.Code != "AADSTS50076" {
		t.Errorf("Code = %q", e.Code)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v", d)
	}
	e = FromText(strings.Repeat("{", 4<<20))
	if e.Known {
		t.Errorf("braces only: %+v", e)
	}
}

// jwtRE matches anything shaped like a JSON Web Token: three base64url parts
// joined by dots.
var jwtRE = regexp.MustCompile(`[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)

const (
	testJWT          = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkFCQyJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJhbXIiOlsicHdkIl19.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmU"
	testRefreshToken = "0.AXEAbcdEFGhijkLMNopqRSTuvwxYZ0123456789-_abcdEFGHijklMNOPqrstUVWXyz.AgABAAEAAADnfolhJpSnRYB1SVj-Hgd8AgDs_wUA9P_secretsecret"
	testClientSecret = "Abc8Q~s3cr3tV4lu3-ThatMustNeverShow_000"
)

// checkNoSecrets fails when any field holds one of the secrets.
func checkNoSecrets(t *testing.T, e Explanation, secrets ...string) {
	t.Helper()
	for _, f := range []string{e.Code, e.What, e.Why, e.Do, e.LearnURL, e.String()} {
		for _, s := range secrets {
			if strings.Contains(f, s) {
				t.Errorf("secret %.12q... leaked into %q", s, f)
			}
			// Also no sizeable piece of it.
			if len(s) > 24 && strings.Contains(f, s[:24]) {
				t.Errorf("part of secret %.12q... leaked into %q", s, f)
			}
		}
		if jwtRE.MatchString(f) {
			t.Errorf("token-shaped text in %q", f)
		}
	}
}

func TestNoSecrets(t *testing.T) {
	secrets := []string{testJWT, testRefreshToken, testClientSecret}
	bodies := []struct {
		status int
		body   string
	}{
		{400, `{"access_token":"` + testJWT + `","refresh_token":"` + testRefreshToken + `","client_secret":"` + testClientSecret + `","error":"invalid_grant","error_description":"AADSTS700082: token ` + testRefreshToken + ` expired","error_codes":[700082]}`},
		{401, `{"error":{"code":"InvalidAuthenticationToken","message":"Bearer ` + testJWT + ` is not valid","innerError":{"refresh_token":"` + testRefreshToken + `"}}}`},
		{401, `{"error":{"code":"` + testJWT + `","message":"` + testRefreshToken + `"}}`},
		{401, `{"code":"` + testJWT + `","description":"` + testRefreshToken + `","errorName":"` + testClientSecret + `"}`},
		{400, `{"error":"` + testRefreshToken + `","error_description":"` + testJWT + `"}`},
		{400, `{"error":"` + testClientSecret + `"}`},
		{403, `refresh_token=` + testRefreshToken + `&access_token=` + testJWT + `&client_secret=` + testClientSecret},
		{400, `{"error":{"code":"Request_BadRequest","message":"` + testJWT + `"},"refresh_token":"` + testRefreshToken + `"}`},
	}
	for i, b := range bodies {
		e := FromResponse(b.status, []byte(b.body))
		checkNoSecrets(t, e, secrets...)
		checkFilled(t, e)
		e = FromText(b.body)
		checkNoSecrets(t, e, secrets...)
		checkFilled(t, e)
		e = FromText("redeem refresh token: " + b.body)
		checkNoSecrets(t, e, secrets...)
		_ = i
	}
	for _, s := range secrets {
		e, _ := Lookup(s)
		checkNoSecrets(t, e, secrets...)
	}
}

func TestString(t *testing.T) {
	e, _ := Lookup("AADSTS700082")
	if got, want := e.String(), e.What+" "+e.Why+" "+e.Do; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

func TestSignInErrorsListsEveryAADSTSRowOnce(t *testing.T) {
	got := SignInErrors()
	seen := map[string]bool{}
	for _, e := range got {
		if !strings.HasPrefix(e.Code, "AADSTS") || !e.Known || e.What == "" || e.Do == "" || e.LearnURL == "" {
			t.Errorf("incomplete or foreign entry: %+v", e)
		}
		if seen[e.Code] {
			t.Errorf("%s listed twice", e.Code)
		}
		seen[e.Code] = true
		if l, ok := Lookup(e.Code); !ok || l != e {
			t.Errorf("Lookup(%s) = %+v, want the listed %+v", e.Code, l, e)
		}
	}
	// DOMAIN.md's AADSTS codes are all there.
	for _, c := range []string{"AADSTS50076", "AADSTS50079", "AADSTS50158", "AADSTS53003", "AADSTS65001", "AADSTS90094", "AADSTS90099", "AADSTS700082", "AADSTS7000222", "AADSTS50173", "AADSTS530034", "AADSTS530035"} {
		if !seen[c] {
			t.Errorf("%s is missing from SignInErrors", c)
		}
	}
}
