package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/jsonvalue"
)

// The identity platform driven by plain HTTP, as a browser and MSAL would drive it.

const (
	alexUPN  = "alex@contosopartners.onmicrosoft.com"
	meganUPN = "megan@contosopartners.onmicrosoft.com"
	leeUPN   = "lee@contosopartners.onmicrosoft.com"
	// appRedirect is the kind of redirect URI MSAL uses: the registered http://localhost with
	// the port its listener got.
	appRedirect = "http://localhost:53123"
	graphScope  = "https://graph.microsoft.com/Directory.Read.All"
)

// testClock is a clock a test can move.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func newTestClock() *testClock { return &testClock{now: time.Now()} }

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// browser is a sandbox and an HTTP client with a cookie jar that does not follow redirects, so
// that every step of a sign-in can be looked at.
type browser struct {
	t     *testing.T
	s     *Server
	http  *http.Client
	clock *testClock
}

func startBrowser(t *testing.T) *browser {
	t.Helper()
	clock := newTestClock()
	s, err := Start(Options{Now: clock.Now})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	hc, err := s.Cloud().HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	hc.Jar = jar
	hc.Timeout = 10 * time.Second
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, s: s, http: hc, clock: clock}
}

// newBrowser is another browser (no cookies) on the same sandbox.
func (b *browser) newBrowser() *browser {
	hc := *b.http
	jar, _ := cookiejar.New(nil)
	hc.Jar = jar
	return &browser{t: b.t, s: b.s, http: &hc, clock: b.clock}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (b *browser) get(u string) page {
	b.t.Helper()
	resp, err := b.http.Get(u)
	if err != nil {
		b.t.Fatalf("GET %s: %v", u, err)
	}
	return readPage(b.t, resp)
}

func (b *browser) post(u string, form url.Values, header ...string) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatalf("POST %s: %v", u, err)
	}
	return readPage(b.t, resp)
}

func readPage(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{status: resp.StatusCode, header: resp.Header, body: string(body)}
}

var (
	formActionRE  = regexp.MustCompile(`<form method="post" action="([^"]*)"`)
	hiddenInputRE = regexp.MustCompile(`<input type="hidden" name="([^"]*)" value="([^"]*)">`)
)

// form reads a page's (first) form: its action and hidden fields.
func (p page) form(t *testing.T) (action string, fields url.Values) {
	t.Helper()
	m := formActionRE.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no form on the page (status %d):\n%s", p.status, p.body)
	}
	fields = url.Values{}
	for _, h := range hiddenInputRE.FindAllStringSubmatch(p.body, -1) {
		fields.Set(html.UnescapeString(h[1]), html.UnescapeString(h[2]))
	}
	return html.UnescapeString(m[1]), fields
}

func (p page) isSignIn() bool   { return strings.Contains(p.body, `id="password"`) }
func (p page) isMFA() bool      { return strings.Contains(p.body, `id="approve"`) }
func (p page) isFormPost() bool { return strings.Contains(p.body, `id="autopost"`) }

// submit posts a page's form with extra fields, relative to the sandbox.
func (b *browser) submit(p page, extra url.Values) page {
	b.t.Helper()
	action, fields := p.form(b.t)
	for k, v := range extra {
		fields[k] = v
	}
	if strings.HasPrefix(action, "/") {
		action = b.s.base + action
	}
	return b.post(action, fields)
}

func pkce() (verifier, challenge string) {
	verifier = randomToken(32)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorizeRequest is an authorize request as MSAL makes it.
type authorizeRequest struct {
	tenant, clientID, redirect, scope, prompt, loginHint, nonce, mode string
	challenge                                                         string
}

func (b *browser) authorize(a authorizeRequest) page {
	b.t.Helper()
	if a.tenant == "" {
		a.tenant = b.s.PartnerTenantID()
	}
	if a.clientID == "" {
		a.clientID = AppID
	}
	if a.redirect == "" {
		a.redirect = appRedirect
	}
	if a.scope == "" {
		a.scope = graphScope + " openid profile offline_access"
	}
	if a.mode == "" {
		a.mode = "form_post"
	}
	q := url.Values{"client_id": {a.clientID}, "response_type": {"code"}, "redirect_uri": {a.redirect},
		"scope": {a.scope}, "state": {"state-123"}, "response_mode": {a.mode}}
	if a.challenge != "" {
		q.Set("code_challenge", a.challenge)
		q.Set("code_challenge_method", "S256")
	}
	for k, v := range map[string]string{"prompt": a.prompt, "login_hint": a.loginHint, "nonce": a.nonce} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return b.get(b.s.base + "/" + a.tenant + "/oauth2/v2.0/authorize?" + q.Encode())
}

// signInAs finishes a sign-in page as upn: password, then Approve when MFA is asked for. It
// returns the auto-post page with the result.
func (b *browser) signInAs(p page, upn string) page {
	b.t.Helper()
	if !p.isSignIn() {
		b.t.Fatalf("expected the sign-in page, got status %d:\n%s", p.status, p.body)
	}
	p = b.submit(p, url.Values{"username": {upn}, "password": {sandboxPassword}, "action": {"signin"}})
	if p.isMFA() {
		p = b.submit(p, url.Values{"action": {"approve"}})
	}
	if !p.isFormPost() {
		b.t.Fatalf("expected the auto-post page, got status %d:\n%s", p.status, p.body)
	}
	return p
}

// codeFor runs a whole interactive sign-in with PKCE and returns the code and its verifier.
func (b *browser) codeFor(upn string, a authorizeRequest) (code, verifier string) {
	b.t.Helper()
	verifier, a.challenge = pkce()
	if a.prompt == "" {
		a.prompt = "login"
	}
	result := b.signInAs(b.authorize(a), upn)
	action, fields := result.form(b.t)
	if action != appRedirect && (a.redirect == "" || action != a.redirect) {
		b.t.Fatalf("the result goes to %q", action)
	}
	if fields.Get("error") != "" {
		b.t.Fatalf("sign-in failed: %s: %s", fields.Get("error"), fields.Get("error_description"))
	}
	if fields.Get("state") != "state-123" {
		b.t.Fatalf("state = %q", fields.Get("state"))
	}
	return fields.Get("code"), verifier
}

// tokenAnswer is the token endpoint's answer.
type tokenAnswer struct {
	status int
	body   map[string]any
	raw    string
}

func (a tokenAnswer) str(k string) string { s, _ := a.body[k].(string); return s }

func (a tokenAnswer) aadsts() string {
	return a.str("error") + " " + a.str("error_description")
}

func (b *browser) tokenRequest(tenant string, form url.Values, header ...string) tokenAnswer {
	b.t.Helper()
	if tenant == "" {
		tenant = b.s.PartnerTenantID()
	}
	p := b.post(b.s.base+"/"+tenant+"/oauth2/v2.0/token", form, header...)
	var body map[string]any
	if err := json.Unmarshal([]byte(p.body), &body); err != nil {
		b.t.Fatalf("token endpoint answered %d with non-JSON: %s", p.status, p.body)
	}
	return tokenAnswer{status: p.status, body: body, raw: p.body}
}

func (b *browser) redeem(code, verifier string) tokenAnswer {
	b.t.Helper()
	return b.tokenRequest("", url.Values{"grant_type": {"authorization_code"}, "client_id": {AppID}, "code": {code},
		"code_verifier": {verifier}, "redirect_uri": {appRedirect}, "scope": {graphScope + " openid profile offline_access"},
		"client_info": {"1"}})
}

func (b *browser) refresh(tenant, rt, scope string) tokenAnswer {
	b.t.Helper()
	return b.tokenRequest(tenant, url.Values{"grant_type": {"refresh_token"}, "client_id": {AppID}, "refresh_token": {rt},
		"scope": {scope}, "client_info": {"1"}})
}

// tokensFor signs upn in and returns the first token answer (200).
func (b *browser) tokensFor(upn string) tokenAnswer {
	b.t.Helper()
	code, verifier := b.codeFor(upn, authorizeRequest{})
	a := b.redeem(code, verifier)
	if a.status != http.StatusOK {
		b.t.Fatalf("redeeming the code: %d %s", a.status, a.raw)
	}
	return a
}

// claimsOf verifies a token with the sandbox's key and returns its claims.
func (b *browser) claimsOf(token string) claims {
	b.t.Helper()
	c, err := b.s.keys.verify(token, b.s.world.now())
	if err != nil {
		b.t.Fatalf("the token does not verify: %v", err)
	}
	return c
}

func (b *browser) customer(name string) *tenant {
	b.t.Helper()
	b.s.world.mu.Lock()
	defer b.s.world.mu.Unlock()
	for _, c := range b.s.world.customers {
		if c.displayName == name {
			return c
		}
	}
	b.t.Fatalf("no customer %q", name)
	return nil
}

func userIDOf(b *browser, upn string) string {
	b.s.world.mu.Lock()
	defer b.s.world.mu.Unlock()
	_, u := b.s.world.userByUPN(upn)
	return u.id
}

// ---------------------------------------------------------------------------------------------

func TestIdentityOpenIDConfigurationIsConsistent(t *testing.T) {
	b := startBrowser(t)
	fabrikam := b.customer("Fabrikam").id
	for _, tenant := range []string{b.s.PartnerTenantID(), "contosopartners.onmicrosoft.com", "organizations", "common", fabrikam} {
		t.Run(tenant, func(t *testing.T) {
			p := b.get(b.s.base + "/" + tenant + "/v2.0/.well-known/openid-configuration")
			if p.status != http.StatusOK {
				t.Fatalf("status %d: %s", p.status, p.body)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(p.body), &doc); err != nil {
				t.Fatal(err)
			}
			issuer, _ := url.Parse(doc["issuer"].(string))
			if issuer.Scheme+"://"+issuer.Host != b.s.base {
				t.Errorf("issuer %v is not on %s", issuer, b.s.base)
			}
			for _, k := range []string{"authorization_endpoint", "token_endpoint", "device_authorization_endpoint", "end_session_endpoint", "jwks_uri"} {
				v, _ := doc[k].(string)
				if !strings.HasPrefix(v, b.s.base+"/"+tenant+"/") {
					t.Errorf("%s = %q, want it under %s/%s/", k, v, b.s.base, tenant)
				}
			}
			if modes := fmt.Sprint(doc["response_modes_supported"]); !strings.Contains(modes, "form_post") {
				t.Errorf("response_modes_supported = %s", modes)
			}
			keys := b.get(doc["jwks_uri"].(string))
			var jwks struct {
				Keys []struct{ Kty, Kid, N, E string }
			}
			if err := json.Unmarshal([]byte(keys.body), &jwks); err != nil || len(jwks.Keys) != 1 {
				t.Fatalf("jwks %d %s: %v", keys.status, keys.body, err)
			}
			k := jwks.Keys[0]
			if k.Kty != "RSA" || k.Kid != b.s.keys.kid || k.E != "AQAB" ||
				k.N != base64.RawURLEncoding.EncodeToString(b.s.keys.key.PublicKey.N.Bytes()) {
				t.Errorf("the JWKS does not hold the signing key: %+v", k)
			}
		})
	}
	p := b.get(b.s.base + "/nosuchtenant.onmicrosoft.com/v2.0/.well-known/openid-configuration")
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, "AADSTS90002") {
		t.Errorf("an unknown tenant answered %d %s, want 400 AADSTS90002", p.status, p.body)
	}
}

func TestIdentityAuthorizeChecksTheAppAndItsRedirect(t *testing.T) {
	b := startBrowser(t)
	for _, tc := range []struct {
		name     string
		req      authorizeRequest
		status   int
		contains string
	}{
		{"unknown client", authorizeRequest{clientID: "11111111-2222-4333-8444-555555555555"}, 400, "AADSTS700016"},
		{"redirect not registered", authorizeRequest{redirect: "https://evil.example/callback"}, 400, "AADSTS50011"},
		{"loopback with another path", authorizeRequest{redirect: "http://localhost:8080/elsewhere"}, 400, "AADSTS50011"},
		{"unknown tenant", authorizeRequest{tenant: "nosuchtenant.onmicrosoft.com"}, 400, "AADSTS90002"},
		{"loopback on any port", authorizeRequest{redirect: "http://localhost:61000"}, 200, `id="username"`},
		{"loopback with a trailing slash", authorizeRequest{redirect: "http://localhost:61000/"}, 200, `id="username"`},
		{"organizations", authorizeRequest{tenant: "organizations"}, 200, `id="username"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := b.authorize(tc.req)
			if p.status != tc.status || !strings.Contains(p.body, tc.contains) {
				t.Errorf("status %d, want %d with %q:\n%s", p.status, tc.status, tc.contains, p.body)
			}
			if tc.status != 200 && p.isFormPost() {
				t.Error("an untrusted client or redirect must not get a redirect")
			}
		})
	}
}

func TestIdentitySignInPageIsSelfContainedAndHelpful(t *testing.T) {
	b := startBrowser(t)
	p := b.authorize(authorizeRequest{loginHint: meganUPN})
	for _, want := range []string{
		"Sign in to the Onboard365 sandbox",
		"This is a simulated Microsoft sign-in page. Nothing you type here leaves this computer.",
		`id="username"`, `id="password"`, `id="signin"`, `id="cancel"`,
		`value="` + meganUPN + `"`, // the login hint
		alexUPN, meganUPN, leeUPN, "Microsoft Authenticator", "no MFA method", "risky",
		`<strong class="upn">sandbox</strong>`,
	} {
		if !strings.Contains(p.body, want) {
			t.Errorf("the sign-in page lacks %q", want)
		}
	}
	if m := regexp.MustCompile(`(?i)(src|href)\s*=|@import|url\(`).FindString(p.body); m != "" {
		t.Errorf("the sign-in page loads something (%q); it must be self-contained", m)
	}
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	// No secret in the page: the only hidden field is the flow's random id.
	_, fields := p.form(t)
	if len(fields) != 1 || fields.Get("flow") == "" {
		t.Errorf("hidden fields = %v, want only flow", fields)
	}
}

func TestIdentityCodeFlow(t *testing.T) {
	for _, tc := range []struct {
		upn     string
		wantMFA bool
	}{
		{alexUPN, true},
		{meganUPN, false},
	} {
		t.Run(tc.upn, func(t *testing.T) {
			b := startBrowser(t)
			verifier, challenge := pkce()
			p := b.authorize(authorizeRequest{challenge: challenge, prompt: "login", nonce: "nonce-1", loginHint: tc.upn})
			p = b.submit(p, url.Values{"username": {tc.upn}, "password": {sandboxPassword}, "action": {"signin"}})
			if p.isMFA() != tc.wantMFA {
				t.Fatalf("MFA page shown = %v, want %v:\n%s", p.isMFA(), tc.wantMFA, p.body)
			}
			if tc.wantMFA {
				if !strings.Contains(p.body, "Approve the sign-in request in Microsoft Authenticator") {
					t.Errorf("the MFA page does not say what to do:\n%s", p.body)
				}
				p = b.submit(p, url.Values{"action": {"approve"}})
			}
			action, fields := p.form(t)
			if action != appRedirect || fields.Get("code") == "" || fields.Get("state") != "state-123" {
				t.Fatalf("auto-post to %q with %v", action, fields)
			}
			if !strings.Contains(p.body, `id="continue"`) || !strings.Contains(p.body, "<script nonce=") {
				t.Error("the auto-post page needs a script and a visible Continue button")
			}
			if cookie := strings.Join(p.header.Values("Set-Cookie"), "; "); !strings.Contains(cookie, sessionCookieName+"=") ||
				!strings.Contains(cookie, "Secure") || !strings.Contains(cookie, "HttpOnly") || !strings.Contains(cookie, "Path=/") {
				t.Errorf("the finished sign-in sets the session cookie Secure, HttpOnly, Path=/: %q", cookie)
			}

			a := b.tokenRequest("", url.Values{"grant_type": {"authorization_code"}, "client_id": {AppID}, "code": {fields.Get("code")},
				"code_verifier": {verifier}, "redirect_uri": {appRedirect}, "scope": {graphScope + " openid profile offline_access"}})
			if a.status != http.StatusOK {
				t.Fatalf("token: %d %s", a.status, a.raw)
			}
			for _, k := range []string{"access_token", "refresh_token", "id_token", "client_info", "scope"} {
				if a.str(k) == "" {
					t.Errorf("the token response has no %s", k)
				}
			}
			if a.str("token_type") != "Bearer" || a.body["expires_in"] != float64(3599) || a.body["ext_expires_in"] != float64(3599) {
				t.Errorf("token_type %v expires_in %v ext_expires_in %v", a.body["token_type"], a.body["expires_in"], a.body["ext_expires_in"])
			}
			if !strings.Contains(a.str("scope"), graphScope) {
				t.Errorf("scope = %q", a.str("scope"))
			}
			partner := b.s.PartnerTenantID()
			userID := userIDOf(b, tc.upn)
			at := b.claimsOf(a.str("access_token"))
			if at.Aud != audGraph || at.Tid != partner || at.Upn != tc.upn || at.Oid != userID || at.Scp != "Directory.Read.All" ||
				at.Ver != "1.0" || at.AppID != AppID || at.Iss != "https://sts.windows.net/"+partner+"/" || at.Idp != "" {
				t.Errorf("access token claims = %+v", at)
			}
			if slices.Contains(at.Amr, "mfa") != tc.wantMFA || !slices.Contains(at.Amr, "pwd") {
				t.Errorf("amr = %v, want mfa %v", at.Amr, tc.wantMFA)
			}
			id := b.claimsOf(a.str("id_token"))
			if id.Aud != AppID || id.Tid != partner || id.Oid != userID || id.Username != tc.upn || id.Nonce != "nonce-1" ||
				id.Ver != "2.0" || id.Iss != b.s.base+"/"+partner+"/v2.0" || id.Sub == "" || id.Name == "" {
				t.Errorf("id token claims = %+v", id)
			}
			raw, err := base64.RawURLEncoding.DecodeString(a.str("client_info"))
			var ci map[string]string
			if err != nil || json.Unmarshal(raw, &ci) != nil || ci["uid"] != userID || ci["utid"] != partner {
				t.Errorf("client_info = %s (%v)", raw, err)
			}
		})
	}
}

func TestIdentitySignInPageAnswers(t *testing.T) {
	b := startBrowser(t)
	for _, tc := range []struct {
		name       string
		upn, pass  string
		action     string
		mfaAction  string
		wantPage   string // text on the sign-in page that comes back, or
		wantError  string // the error posted back to the app
		wantAADSTS string
	}{
		{name: "wrong password", upn: alexUPN, pass: "wrong", action: "signin", wantPage: "Your account or password is incorrect", wantAADSTS: "AADSTS50126"},
		{name: "unknown account", upn: "nobody@contosopartners.onmicrosoft.com", pass: "sandbox", action: "signin", wantPage: "This username may be incorrect", wantAADSTS: "AADSTS50034"},
		{name: "customer user without a password", upn: "admin@fabrikam.onmicrosoft.com", pass: "", action: "signin", wantPage: "Your account or password is incorrect", wantAADSTS: "AADSTS50126"},
		{name: "cancel", upn: "", action: "cancel", wantError: "access_denied", wantAADSTS: "AADSTS65004"},
		{name: "deny in Authenticator", upn: alexUPN, pass: "sandbox", action: "signin", mfaAction: "deny", wantError: "access_denied", wantAADSTS: "AADSTS500121"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := b.authorize(authorizeRequest{prompt: "login"})
			p = b.submit(p, url.Values{"username": {tc.upn}, "password": {tc.pass}, "action": {tc.action}})
			if tc.mfaAction != "" {
				if !p.isMFA() {
					t.Fatalf("no MFA page:\n%s", p.body)
				}
				p = b.submit(p, url.Values{"action": {tc.mfaAction}})
			}
			if tc.wantPage != "" {
				if !p.isSignIn() || !strings.Contains(p.body, tc.wantPage) || !strings.Contains(p.body, tc.wantAADSTS) {
					t.Errorf("want the sign-in page again with %q and %s:\n%s", tc.wantPage, tc.wantAADSTS, p.body)
				}
				return
			}
			_, fields := p.form(t)
			if fields.Get("error") != tc.wantError || !strings.HasPrefix(fields.Get("error_description"), tc.wantAADSTS+":") ||
				fields.Get("state") != "state-123" || fields.Get("code") != "" {
				t.Errorf("posted back %v, want error %s %s", fields, tc.wantError, tc.wantAADSTS)
			}
		})
	}
	// A finished flow cannot be replayed.
	p := b.authorize(authorizeRequest{prompt: "login"})
	_, fields := p.form(t)
	b.signInAs(p, meganUPN)
	again := b.post(b.s.base+"/"+b.s.PartnerTenantID()+"/login", url.Values{"flow": {fields.Get("flow")}, "username": {meganUPN}, "password": {"sandbox"}, "action": {"signin"}})
	if again.status != http.StatusBadRequest || !strings.Contains(again.body, "AADSTS50089") {
		t.Errorf("a replayed flow answered %d:\n%s", again.status, again.body)
	}
}

func TestIdentityCodeRedemptionIsStrict(t *testing.T) {
	b := startBrowser(t)
	for _, tc := range []struct {
		name   string
		mangle func(form url.Values)
		before func()
		want   string
	}{
		{"wrong PKCE verifier", func(f url.Values) { f.Set("code_verifier", randomToken(32)) }, nil, "AADSTS501481"},
		{"no PKCE verifier", func(f url.Values) { f.Del("code_verifier") }, nil, "AADSTS501481"},
		{"another redirect URI", func(f url.Values) { f.Set("redirect_uri", "http://localhost:1") }, nil, "AADSTS70000"},
		{"expired after 10 minutes", nil, func() { b.clock.advance(11 * time.Minute) }, "AADSTS70008"},
		{"unknown code", func(f url.Values) { f.Set("code", "not-a-code") }, nil, "AADSTS9002313"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, verifier := b.codeFor(alexUPN, authorizeRequest{})
			form := url.Values{"grant_type": {"authorization_code"}, "client_id": {AppID}, "code": {code},
				"code_verifier": {verifier}, "redirect_uri": {appRedirect}, "scope": {graphScope + " offline_access"}}
			if tc.mangle != nil {
				tc.mangle(form)
			}
			if tc.before != nil {
				tc.before()
			}
			a := b.tokenRequest("", form)
			if a.status != http.StatusBadRequest || a.str("error") != "invalid_grant" || !strings.Contains(a.str("error_description"), tc.want) {
				t.Errorf("answer %d %s, want invalid_grant %s", a.status, a.raw, tc.want)
			}
			if strings.Contains(a.raw, verifier) || strings.Contains(a.raw, code) {
				t.Error("the error echoes the code or the verifier")
			}
		})
	}
	t.Run("code used twice", func(t *testing.T) {
		code, verifier := b.codeFor(alexUPN, authorizeRequest{})
		if a := b.redeem(code, verifier); a.status != http.StatusOK {
			t.Fatalf("first redemption: %s", a.raw)
		}
		a := b.redeem(code, verifier)
		if a.status != http.StatusBadRequest || a.str("error") != "invalid_grant" || !strings.Contains(a.aadsts(), "AADSTS54005") {
			t.Errorf("second redemption: %d %s", a.status, a.raw)
		}
	})
}

func TestIdentityErrorShapeIsEntras(t *testing.T) {
	b := startBrowser(t)
	const correlation = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9"
	a := b.tokenRequest("", url.Values{"grant_type": {"refresh_token"}, "client_id": {AppID}, "refresh_token": {"bogus"}, "scope": {graphScope}},
		"client-request-id", correlation)
	if a.status != 400 {
		t.Fatalf("status %d", a.status)
	}
	desc := a.str("error_description")
	if !regexp.MustCompile(`^AADSTS9002313: .+\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: ` + correlation + `\r\nTimestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$`).MatchString(desc) {
		t.Errorf("error_description = %q", desc)
	}
	if codes, _ := a.body["error_codes"].([]any); len(codes) != 1 || codes[0] != float64(9002313) {
		t.Errorf("error_codes = %v", a.body["error_codes"])
	}
	for _, k := range []string{"timestamp", "trace_id", "correlation_id", "error_uri"} {
		if a.str(k) == "" {
			t.Errorf("no %s", k)
		}
	}
	if a.str("correlation_id") != correlation {
		t.Errorf("correlation_id = %q", a.str("correlation_id"))
	}
	if help := b.get(a.str("error_uri")); help.status != 200 || !strings.Contains(help.body, "AADSTS9002313") {
		t.Errorf("error_uri page: %d", help.status)
	}
}

func TestIdentitySingleSignOnSession(t *testing.T) {
	b := startBrowser(t)
	// megan signs in (password only): her browser now has a session without MFA.
	b.tokensFor(meganUPN)

	t.Run("no prompt reuses the session and its amr", func(t *testing.T) {
		verifier, challenge := pkce()
		p := b.authorize(authorizeRequest{challenge: challenge, prompt: "select_account"})
		if !p.isFormPost() {
			t.Fatalf("want the code at once, got:\n%s", p.body)
		}
		_, fields := p.form(t)
		a := b.redeem(fields.Get("code"), verifier)
		at := b.claimsOf(a.str("access_token"))
		if at.Upn != meganUPN || slices.Contains(at.Amr, "mfa") {
			t.Errorf("upn %s amr %v: the session's sign-in is reused as it was", at.Upn, at.Amr)
		}
	})
	t.Run("prompt=login always asks", func(t *testing.T) {
		p := b.authorize(authorizeRequest{prompt: "login"})
		if !p.isSignIn() {
			t.Fatalf("prompt=login skipped the sign-in page:\n%s", p.body)
		}
		code, verifier := b.codeFor(alexUPN, authorizeRequest{prompt: "login"})
		at := b.claimsOf(b.redeem(code, verifier).str("access_token"))
		if at.Upn != alexUPN || !slices.Contains(at.Amr, "mfa") {
			t.Errorf("upn %s amr %v", at.Upn, at.Amr)
		}
	})
	t.Run("another login_hint asks", func(t *testing.T) {
		if p := b.authorize(authorizeRequest{loginHint: leeUPN}); !p.isSignIn() {
			t.Errorf("a login hint for another user must show the sign-in page")
		}
	})
	t.Run("prompt=none without a session", func(t *testing.T) {
		p := b.newBrowser().authorize(authorizeRequest{prompt: "none"})
		_, fields := p.form(t)
		if fields.Get("error") != "login_required" || !strings.Contains(fields.Get("error_description"), "AADSTS50058") {
			t.Errorf("posted back %v", fields)
		}
	})
	t.Run("signing out ends the session", func(t *testing.T) {
		b.get(b.s.base + "/common/oauth2/v2.0/logout")
		if p := b.authorize(authorizeRequest{}); !p.isSignIn() {
			t.Errorf("after sign-out the sign-in page must show")
		}
	})
	t.Run("the session expires", func(t *testing.T) {
		b.tokensFor(alexUPN)
		b.clock.advance(25 * time.Hour)
		if p := b.authorize(authorizeRequest{}); !p.isSignIn() {
			t.Errorf("an expired session must not sign in")
		}
	})
}

func TestIdentityRefreshTokenRotation(t *testing.T) {
	b := startBrowser(t)
	first := b.tokensFor(alexUPN)
	rt1 := first.str("refresh_token")
	second := b.refresh("", rt1, graphScope+" openid profile offline_access")
	if second.status != http.StatusOK {
		t.Fatalf("refresh: %s", second.raw)
	}
	rt2 := second.str("refresh_token")
	if rt2 == "" || rt2 == rt1 {
		t.Fatalf("want a new refresh token, got %q", rt2)
	}
	if again := b.refresh("", rt1, graphScope+" offline_access"); again.status != http.StatusOK {
		t.Errorf("the old refresh token must stay valid: %s", again.raw)
	}
	if third := b.refresh("", rt2, graphScope+" offline_access"); third.status != http.StatusOK {
		t.Errorf("the new refresh token: %s", third.raw)
	}
	at := b.claimsOf(second.str("access_token"))
	if !slices.Contains(at.Amr, "mfa") || at.Upn != alexUPN {
		t.Errorf("a refreshed token keeps the sign-in's amr: %+v", at)
	}
	if noOffline := b.refresh("", rt2, graphScope); noOffline.str("refresh_token") != "" {
		t.Error("without offline_access there is no new refresh token")
	}
	if other := b.tokenRequest("", url.Values{"grant_type": {"refresh_token"}, "client_id": {"11111111-2222-4333-8444-555555555555"},
		"refresh_token": {rt2}, "scope": {graphScope}}); other.status == http.StatusOK {
		t.Error("another client redeemed the refresh token")
	}
}

func TestIdentityRefreshTokenExpiresAfter90DaysUnused(t *testing.T) {
	b := startBrowser(t)
	rt := b.tokensFor(alexUPN).str("refresh_token")
	b.clock.advance(89 * 24 * time.Hour)
	used := b.refresh("", rt, graphScope+" offline_access")
	if used.status != http.StatusOK {
		t.Fatalf("after 89 days: %s", used.raw)
	}
	// Using it restarted its clock; the rotated one starts now too.
	b.clock.advance(89 * 24 * time.Hour)
	if a := b.refresh("", rt, graphScope); a.status != http.StatusOK {
		t.Fatalf("89 days after its last use: %s", a.raw)
	}
	b.clock.advance(91 * 24 * time.Hour)
	a := b.refresh("", rt, graphScope)
	if a.status != http.StatusBadRequest || a.str("error") != "invalid_grant" || !strings.Contains(a.aadsts(), "AADSTS700082") {
		t.Errorf("after 91 days unused: %d %s", a.status, a.raw)
	}
}

func TestIdentityCustomerTokens(t *testing.T) {
	b := startBrowser(t)
	alex := b.tokensFor(alexUPN).str("refresh_token")
	megan := b.newBrowser().tokensFor(meganUPN).str("refresh_token")
	lee := b.newBrowser().tokensFor(leeUPN).str("refresh_token")
	partner := b.s.PartnerTenantID()
	litware := b.customer("Litware")
	b.s.world.mu.Lock()
	litwareSignIns := len(litware.signIns)
	b.s.world.mu.Unlock()

	for _, tc := range []struct {
		name     string
		customer string
		rt       string
		want     string // "" for success, else the AADSTS code
	}{
		{"healthy customer", "Fabrikam", alex, ""},
		{"customer by domain", "fabrikam.onmicrosoft.com", alex, ""},
		{"app not consented", "Relecloud", alex, "AADSTS90099"},
		{"Conditional Access blocks service providers", "Litware", alex, "AADSTS53003"},
		{"relationship expired", "Wingtip Toys", alex, "AADSTS50020"},
		{"roles bound to a group the technician is not in", "Alpine Ski House", alex, "AADSTS50020"},
		{"old relationship expired, new one pending", "Trey Research", alex, "AADSTS50020"},
		{"user in no assigned group", "Fabrikam", megan, "AADSTS50020"},
		{"risky partner user", "Fabrikam", lee, "AADSTS530034"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := tc.customer
			var want *tenant
			if !strings.Contains(target, ".") {
				want = b.customer(target)
				target = want.id
			} else {
				want = b.customer("Fabrikam")
			}
			a := b.refresh(target, tc.rt, graphScope+" openid profile offline_access")
			if tc.want != "" {
				if a.status != http.StatusBadRequest || a.str("error") != "invalid_grant" || !strings.Contains(a.aadsts(), tc.want) {
					t.Errorf("answer %d %s, want invalid_grant %s", a.status, a.raw, tc.want)
				}
				return
			}
			if a.status != http.StatusOK {
				t.Fatalf("answer %d %s", a.status, a.raw)
			}
			at := b.claimsOf(a.str("access_token"))
			if at.Tid != want.id || at.Upn != alexUPN || at.Idp != "https://sts.windows.net/"+partner+"/" ||
				at.Iss != "https://sts.windows.net/"+want.id+"/" || !slices.Contains(at.Amr, "mfa") || at.Scp != "Directory.Read.All" {
				t.Errorf("customer token claims = %+v", at)
			}
			raw, _ := base64.RawURLEncoding.DecodeString(a.str("client_info"))
			if !strings.Contains(string(raw), `"utid":"`+partner+`"`) {
				t.Errorf("client_info names the home tenant: %s", raw)
			}
		})
	}

	b.s.world.mu.Lock()
	defer b.s.world.mu.Unlock()
	if got := len(litware.signIns); got != litwareSignIns+1 {
		t.Fatalf("Litware has %d sign-ins, want %d", got, litwareSignIns+1)
	}
	rec := litware.signIns[len(litware.signIns)-1]
	if rec.errorCode != 53003 || !rec.nonInteractive || rec.userPrincipalName != alexUPN || rec.homeTenantID != partner ||
		rec.appDisplayName != "Onboard365" || len(rec.policies) != 1 || rec.policies[0].displayName != "Block guests and external users" ||
		rec.policies[0].result != "failure" {
		t.Errorf("the failed sign-in record = %+v", rec)
	}
}

func TestIdentityScopesAndAudiences(t *testing.T) {
	b := startBrowser(t)
	rt := b.tokensFor(alexUPN).str("refresh_token")
	fabrikam, relecloud := b.customer("Fabrikam").id, b.customer("Relecloud").id
	b.s.world.mu.Lock()
	consented := strings.ReplaceAll(b.s.world.consents[fabrikam][AppID][0].scope, ",", " ")
	b.s.world.mu.Unlock()
	for _, tc := range []struct {
		name, tenant, scope string
		aud, scp            string
		want                string // an error instead
	}{
		{name: "Graph by URI", scope: "https://graph.microsoft.com/User.Read https://graph.microsoft.com/Directory.Read.All offline_access", aud: audGraph, scp: "User.Read Directory.Read.All"},
		{name: "Graph by bare name", scope: "User.Read openid", aud: audGraph, scp: "User.Read"},
		{name: "Graph by app id", scope: graphAppID + "/Group.Read.All", aud: audGraph, scp: "Group.Read.All"},
		{name: "Partner Center", scope: "https://api.partnercenter.microsoft.com/user_impersonation offline_access", aud: audPartnerCenter, scp: "user_impersonation"},
		{name: "Partner Center .default", scope: "https://api.partnercenter.microsoft.com/.default", aud: audPartnerCenter, scp: "user_impersonation"},
		{name: "Graph .default in the partner tenant is its admin consent", scope: "https://graph.microsoft.com/.default", aud: audGraph, scp: strings.Join(onboard365PartnerConsent, " ")},
		{name: "Graph .default in a customer is its consent", tenant: fabrikam, scope: "https://graph.microsoft.com/.default", aud: audGraph, scp: consented},
		{name: "Graph .default in a customer without consent", tenant: relecloud, scope: "https://graph.microsoft.com/.default", want: "invalid_grant AADSTS90099"},
		{name: "two resources", scope: "https://graph.microsoft.com/User.Read https://api.partnercenter.microsoft.com/user_impersonation", want: "invalid_request AADSTS28000"},
		{name: "unknown resource", scope: "https://management.azure.com/user_impersonation", want: "invalid_resource AADSTS500011"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := b.refresh(tc.tenant, rt, tc.scope)
			if tc.want != "" {
				code := strings.Fields(tc.want)
				if a.status != 400 || a.str("error") != code[0] || !strings.Contains(a.str("error_description"), code[1]) {
					t.Errorf("answer %d %s, want %s", a.status, a.raw, tc.want)
				}
				return
			}
			if a.status != 200 {
				t.Fatalf("answer %d %s", a.status, a.raw)
			}
			at := b.claimsOf(a.str("access_token"))
			if at.Aud != tc.aud || at.Scp != tc.scp {
				t.Errorf("aud %q scp %q, want %q %q", at.Aud, at.Scp, tc.aud, tc.scp)
			}
			// MSAL treats a requested scope missing from the answer as declined.
			for _, s := range strings.Fields(tc.scope) {
				if !slices.Contains(strings.Fields(a.str("scope")), s) {
					t.Errorf("scope %q = %q lacks %q", tc.scope, a.str("scope"), s)
				}
			}
		})
	}
}

// TestIdentityDefaultWithoutConsent: ".default" stands for what the tenant's consent records;
// with none for the app and resource, Entra answers AADSTS65001 (not a token without scopes).
func TestIdentityDefaultWithoutConsent(t *testing.T) {
	b := startBrowser(t)
	rt := b.tokensFor(alexUPN).str("refresh_token")
	b.s.world.mu.Lock()
	b.s.world.partner.grants = nil // the partner tenant's admin consent, withdrawn
	b.s.world.mu.Unlock()
	a := b.refresh("", rt, "https://graph.microsoft.com/.default")
	if a.status != 400 || a.str("error") != "invalid_grant" || !strings.Contains(a.str("error_description"), "AADSTS65001") {
		t.Errorf("answer %d %s, want invalid_grant AADSTS65001", a.status, a.raw)
	}
}

func TestIdentityClientCredentials(t *testing.T) {
	b := startBrowser(t)
	const secret = "sbx~Th1s-is-the-secret-value"
	const oldSecret = "sbx~an-expired-secret-value"
	now := b.s.world.now()
	b.s.world.mu.Lock()
	app := b.s.world.partner.applications[0]
	app.passwords = append(app.passwords,
		passwordCredential{keyID: newID(), displayName: "test", hint: "sbx", secret: secret, start: now.Add(-time.Hour), end: now.AddDate(0, 6, 0)},
		passwordCredential{keyID: newID(), displayName: "old", hint: "sbx", secret: oldSecret, start: now.AddDate(-1, 0, 0), end: now.AddDate(0, 0, -1)})
	b.s.world.mu.Unlock()
	partner := b.s.PartnerTenantID()
	fabrikam, relecloud := b.customer("Fabrikam").id, b.customer("Relecloud").id

	for _, tc := range []struct {
		name, tenant, secret, scope string
		status                      int
		want                        string
	}{
		{"partner tenant", partner, secret, "https://graph.microsoft.com/.default", 200, ""},
		{"consented customer", fabrikam, secret, "https://graph.microsoft.com/.default", 200, ""},
		{"customer without consent", relecloud, secret, "https://graph.microsoft.com/.default", 400, "AADSTS700016"},
		{"wrong secret", partner, "sbx~guess", "https://graph.microsoft.com/.default", 401, "AADSTS7000215"},
		{"expired secret", partner, oldSecret, "https://graph.microsoft.com/.default", 401, "AADSTS7000222"},
		{"no secret", partner, "", "https://graph.microsoft.com/.default", 401, "AADSTS7000218"},
		{"delegated scope", partner, secret, "https://graph.microsoft.com/User.Read", 400, "AADSTS1002012"},
		{"organizations", "organizations", secret, "https://graph.microsoft.com/.default", 400, "AADSTS900023"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {AppID}, "scope": {tc.scope}}
			if tc.secret != "" {
				form.Set("client_secret", tc.secret)
			}
			a := b.tokenRequest(tc.tenant, form)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.raw)
			}
			if strings.Contains(a.raw, secret) || strings.Contains(a.raw, oldSecret) || (tc.secret != "" && strings.Contains(a.raw, tc.secret)) {
				t.Error("the answer echoes a secret")
			}
			if tc.want != "" {
				if !strings.Contains(a.str("error_description"), tc.want) {
					t.Errorf("error = %s, want %s", a.raw, tc.want)
				}
				return
			}
			at := b.claimsOf(a.str("access_token"))
			if at.Aud != audGraph || at.Tid != tc.tenant || at.AppID != AppID || at.Upn != "" || at.Scp != "" || len(at.Amr) != 0 || at.Oid == "" {
				t.Errorf("app-only token claims = %+v", at)
			}
			if a.str("refresh_token") != "" || a.str("id_token") != "" {
				t.Error("an app-only answer has no refresh or id token")
			}
		})
	}
	// client_secret_basic works too.
	req, _ := http.NewRequest(http.MethodPost, b.s.base+"/"+partner+"/oauth2/v2.0/token",
		strings.NewReader(url.Values{"grant_type": {"client_credentials"}, "scope": {"https://graph.microsoft.com/.default"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(AppID, secret)
	resp, err := b.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("client_secret_basic: %d", resp.StatusCode)
	}
}

func TestIdentityDeviceCode(t *testing.T) {
	b := startBrowser(t)
	start := func() map[string]any {
		p := b.post(b.s.base+"/organizations/oauth2/v2.0/devicecode", url.Values{"client_id": {AppID}, "scope": {graphScope + " openid profile offline_access"}})
		var dc map[string]any
		if p.status != 200 || json.Unmarshal([]byte(p.body), &dc) != nil {
			t.Fatalf("devicecode: %d %s", p.status, p.body)
		}
		return dc
	}
	poll := func(dc map[string]any) tokenAnswer {
		return b.tokenRequest("organizations", url.Values{"grant_type": {"urn:ietf:params:oauth:grant-type:device_code"},
			"client_id": {AppID}, "device_code": {dc["device_code"].(string)}})
	}
	enter := func(dc map[string]any) page {
		p := b.get(dc["verification_uri"].(string))
		if !strings.Contains(p.body, `id="code"`) || !strings.Contains(p.body, `id="next"`) {
			t.Fatalf("device page:\n%s", p.body)
		}
		// Codes are accepted in lower case and with spaces, as people type them.
		return b.submit(p, url.Values{"otc": {" " + strings.ToLower(dc["user_code"].(string)) + " "}})
	}

	dc := start()
	code, _ := dc["user_code"].(string)
	if !regexp.MustCompile(`^[A-Z]{8}$`).MatchString(code) || dc["expires_in"] != float64(900) || dc["interval"] != float64(5) ||
		!strings.Contains(dc["message"].(string), code) || !strings.Contains(dc["message"].(string), dc["verification_uri"].(string)) {
		t.Errorf("device code answer = %v", dc)
	}
	if a := poll(dc); a.status != 400 || a.str("error") != "authorization_pending" || !strings.Contains(a.aadsts(), "AADSTS70016") {
		t.Fatalf("before sign-in: %d %s", a.status, a.raw)
	}
	p := enter(dc)
	p = b.submit(p, url.Values{"username": {alexUPN}, "password": {sandboxPassword}, "action": {"signin"}})
	if !p.isMFA() {
		t.Fatalf("want the MFA page:\n%s", p.body)
	}
	p = b.submit(p, url.Values{"action": {"approve"}})
	if !strings.Contains(p.body, "You’re signed in") {
		t.Errorf("final page:\n%s", p.body)
	}
	a := poll(dc)
	if a.status != 200 {
		t.Fatalf("after sign-in: %d %s", a.status, a.raw)
	}
	at := b.claimsOf(a.str("access_token"))
	if at.Upn != alexUPN || !slices.Contains(at.Amr, "mfa") || a.str("refresh_token") == "" {
		t.Errorf("device code token: %+v", at)
	}
	if again := poll(dc); again.status != 400 || again.str("error") != "invalid_grant" {
		t.Errorf("a device code is redeemed once: %s", again.raw)
	}

	t.Run("bad code", func(t *testing.T) {
		p := b.submit(b.get(dc["verification_uri"].(string)), url.Values{"otc": {"NOTACODE"}})
		if !strings.Contains(p.body, "That code didn’t work") {
			t.Errorf("page:\n%s", p.body)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		dc := start()
		b.submit(enter(dc), url.Values{"action": {"cancel"}})
		if a := poll(dc); a.str("error") != "authorization_declined" {
			t.Errorf("after cancel: %s", a.raw)
		}
	})
	t.Run("expired", func(t *testing.T) {
		dc := start()
		b.clock.advance(16 * time.Minute)
		if a := poll(dc); a.status != 400 || a.str("error") != "expired_token" || !strings.Contains(a.aadsts(), "AADSTS70020") {
			t.Errorf("after 16 minutes: %s", a.raw)
		}
	})
}

func TestIdentityFormPostAndQueryModes(t *testing.T) {
	b := startBrowser(t)
	b.tokensFor(alexUPN) // a session, so that authorize answers at once
	p := b.authorize(authorizeRequest{mode: "query"})
	loc, err := url.Parse(p.header.Get("Location"))
	if p.status != http.StatusFound || err != nil || loc.Query().Get("code") == "" || loc.Query().Get("state") != "state-123" {
		t.Errorf("query mode: %d %s", p.status, p.header.Get("Location"))
	}
	p = b.authorize(authorizeRequest{mode: "fragment"})
	if frag, _ := url.ParseQuery(strings.SplitN(p.header.Get("Location"), "#", 2)[1]); frag.Get("code") == "" {
		t.Errorf("fragment mode: %s", p.header.Get("Location"))
	}
	p = b.authorize(authorizeRequest{})
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "form-action 'self' http://localhost:53123") || !strings.Contains(csp, "script-src 'nonce-") {
		t.Errorf("the auto-post page's Content-Security-Policy = %q", csp)
	}
}

func TestIdentitySignInIntoACustomerChecksAccessFirst(t *testing.T) {
	b := startBrowser(t)
	relecloud := b.customer("Relecloud").id
	p := b.signInAs(b.authorize(authorizeRequest{tenant: relecloud, prompt: "login"}), alexUPN)
	_, fields := p.form(t)
	if fields.Get("error") != "invalid_grant" || !strings.Contains(fields.Get("error_description"), "AADSTS90099") {
		t.Errorf("posted back %v", fields)
	}
	fabrikam := b.customer("Fabrikam").id
	verifier, challenge := pkce()
	p = b.signInAs(b.authorize(authorizeRequest{tenant: fabrikam, prompt: "login", challenge: challenge}), alexUPN)
	_, fields = p.form(t)
	a := b.tokenRequest(fabrikam, url.Values{"grant_type": {"authorization_code"}, "client_id": {AppID}, "code": {fields.Get("code")},
		"code_verifier": {verifier}, "redirect_uri": {appRedirect}, "scope": {graphScope}})
	if at := b.claimsOf(a.str("access_token")); at.Tid != fabrikam {
		t.Errorf("tid = %s", at.Tid)
	}
}

func TestIdentityTraceKeepsTheTenant(t *testing.T) {
	var buf safeBuffer
	s, err := Start(Options{Trace: &buf})
	if err != nil {
		t.Fatal(err)
	}
	hc, _ := s.Cloud().HTTPClient()
	resp, err := hc.Get(s.base + "/organizations/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = hc.PostForm(s.base+"/organizations/oauth2/v2.0/token", url.Values{"grant_type": {"refresh_token"}, "client_id": {AppID}, "refresh_token": {"x"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`"path":"/{tenant}/v2.0/.well-known/openid-configuration"`, `"path":"/{tenant}/oauth2/v2.0/token"`, `"host":"identity"`} {
		if !strings.Contains(out, want) {
			t.Errorf("trace lacks %s:\n%s", want, out)
		}
	}
}

// safeBuffer is a bytes.Buffer the trace can write while the test reads.
type safeBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *safeBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *safeBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestIdentityConcurrentRedemptions(t *testing.T) {
	b := startBrowser(t)
	rt := b.tokensFor(alexUPN).str("refresh_token")
	fabrikam, litware := b.customer("Fabrikam").id, b.customer("Litware").id
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			tenant, want := fabrikam, http.StatusOK
			if i%2 == 1 {
				tenant, want = litware, http.StatusBadRequest
			}
			req, _ := http.NewRequest(http.MethodPost, b.s.base+"/"+tenant+"/oauth2/v2.0/token", strings.NewReader(url.Values{
				"grant_type": {"refresh_token"}, "client_id": {AppID}, "refresh_token": {rt}, "scope": {graphScope + " offline_access"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := b.http.Do(req)
			if err != nil {
				errs <- err.Error()
				return
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				errs <- fmt.Sprintf("%s: %d", tenant, resp.StatusCode)
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// ---------------------------------------------------------------------------------------------
// Conditional Access

func TestBlockingPolicy(t *testing.T) {
	const partner = "0c2d1e9a-5b4f-4a3e-8d2c-1b0a9f8e7d6c"
	const other = "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918"
	users := func(kv ...any) map[string]any {
		m := map[string]any{"includeUsers": []any{}, "excludeUsers": []any{}}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	guests := func(types string, tenants ...string) map[string]any {
		g := map[string]any{"guestOrExternalUserTypes": types}
		switch {
		case len(tenants) == 1 && tenants[0] == "all":
			g["externalTenants"] = map[string]any{"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}
		case len(tenants) > 0:
			members := []any{}
			for _, t := range tenants {
				members = append(members, t)
			}
			g["externalTenants"] = map[string]any{"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants", "membershipKind": "enumerated", "members": members}
		}
		return g
	}
	policy := func(state string, controls []any, operator string, u map[string]any) map[string]any {
		return map[string]any{"id": "p1", "displayName": "Policy one", "state": state,
			"conditions":    map[string]any{"users": u, "applications": map[string]any{"includeApplications": []any{"All"}}},
			"grantControls": map[string]any{"operator": operator, "builtInControls": controls}}
	}
	block := []any{"block"}
	all := users("includeUsers", []any{"All"})
	for _, tc := range []struct {
		name   string
		policy map[string]any
		want   bool
	}{
		{"block all users", policy("enabled", block, "OR", all), true},
		{"report-only does not block", policy("enabledForReportingButNotEnforced", block, "OR", all), false},
		{"disabled does not block", policy("disabled", block, "OR", all), false},
		{"MFA is satisfiable", policy("enabled", []any{"mfa"}, "OR", all), false},
		{"compliant device alone", policy("enabled", []any{"compliantDevice"}, "OR", all), true},
		{"compliant or domain joined", policy("enabled", []any{"compliantDevice", "domainJoinedDevice"}, "OR", all), true},
		{"MFA or compliant device", policy("enabled", []any{"mfa", "compliantDevice"}, "OR", all), false},
		{"MFA and compliant device", policy("enabled", []any{"mfa", "compliantDevice"}, "AND", all), true},
		{"no grant controls", policy("enabled", []any{}, "OR", all), false},
		{"block service providers of all tenants", policy("enabled", block, "OR", users("includeGuestsOrExternalUsers", guests("b2bCollaborationGuest,serviceProvider", "all"))), true},
		{"block service providers without externalTenants", policy("enabled", block, "OR", users("includeGuestsOrExternalUsers", guests("serviceProvider"))), true},
		{"block service providers of this partner", policy("enabled", block, "OR", users("includeGuestsOrExternalUsers", guests("serviceProvider", other, partner))), true},
		{"block service providers of another partner", policy("enabled", block, "OR", users("includeGuestsOrExternalUsers", guests("serviceProvider", other))), false},
		{"block B2B guests only", policy("enabled", block, "OR", users("includeGuestsOrExternalUsers", guests("b2bCollaborationGuest,b2bCollaborationMember", "all"))), false},
		{"block legacy guests value", policy("enabled", block, "OR", users("includeUsers", []any{"GuestsOrExternalUsers"})), true},
		{"block one user", policy("enabled", block, "OR", users("includeUsers", []any{"3f2a1b0c-1111-4222-8333-444455556666"})), false},
		{"all users, this partner excluded", policy("enabled", block, "OR", users("includeUsers", []any{"All"},
			"excludeGuestsOrExternalUsers", guests("internalGuest,serviceProvider", partner))), false},
		{"all users, all service providers excluded", policy("enabled", block, "OR", users("includeUsers", []any{"All"},
			"excludeGuestsOrExternalUsers", guests("serviceProvider", "all"))), false},
		{"all users, another partner excluded", policy("enabled", block, "OR", users("includeUsers", []any{"All"},
			"excludeGuestsOrExternalUsers", guests("serviceProvider", other))), true},
		{"all users, B2B guests excluded", policy("enabled", block, "OR", users("includeUsers", []any{"All"},
			"excludeGuestsOrExternalUsers", guests("b2bCollaborationGuest", "all"))), true},
		{"all users, legacy guests excluded", policy("enabled", block, "OR", users("includeUsers", []any{"All"},
			"excludeUsers", []any{"GuestsOrExternalUsers"})), false},
		{"Go-built string slices", map[string]any{"id": "p1", "displayName": "Policy one", "state": "enabled",
			"conditions":    map[string]any{"users": map[string]any{"includeUsers": []string{"All"}}},
			"grantControls": map[string]any{"builtInControls": []string{"block"}}}, true},
		{"no conditions", map[string]any{"id": "p1", "state": "enabled", "grantControls": map[string]any{"builtInControls": block}}, false},
		{"conditions of the wrong type", map[string]any{"id": "p1", "state": "enabled", "conditions": "all", "grantControls": map[string]any{"builtInControls": block}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &tenant{policies: []map[string]any{tc.policy}}
			id, name, blocked := blockingPolicy(c, partner)
			if blocked != tc.want {
				t.Fatalf("blocked = %v, want %v", blocked, tc.want)
			}
			if blocked && (id != "p1" || name != "Policy one") {
				t.Errorf("policy = %q %q", id, name)
			}
		})
	}
	// The first blocking policy is named, after ones that do not block.
	c := &tenant{policies: []map[string]any{
		policy("enabled", []any{"mfa"}, "OR", all),
		{"id": "p2", "displayName": "Second", "state": "enabled", "conditions": map[string]any{"users": all}, "grantControls": map[string]any{"builtInControls": block}},
	}}
	if id, _, blocked := blockingPolicy(c, partner); !blocked || id != "p2" {
		t.Errorf("got %q %v, want p2", id, blocked)
	}
	if _, _, blocked := blockingPolicy(nil, partner); blocked {
		t.Error("no tenant, no block")
	}
	// The scenario's Litware policy blocks; the partner's own MFA policy does not.
	litware := blockGuestsPolicy("litware-policy", time.Now())
	if _, _, blocked := blockingPolicy(&tenant{policies: []map[string]any{litware}}, partner); !blocked {
		t.Error("the scenario's block-guests policy must block")
	}
	if _, _, blocked := blockingPolicy(&tenant{policies: []map[string]any{requireMFAPolicy("mfa", "x")}}, partner); blocked {
		t.Error("an MFA policy must not block")
	}
}

func FuzzBlockingPolicy(f *testing.F) {
	seed, _ := json.Marshal(blockGuestsPolicy("p", time.Unix(0, 0)))
	f.Add(seed, "partner")
	seed, _ = json.Marshal(requireMFAPolicy("p", "u"))
	f.Add(seed, "partner")
	f.Add([]byte(`{"state":"enabled","conditions":{"users":{"includeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider","externalTenants":{"membershipKind":"enumerated","members":["partner",1,null]}}}},"grantControls":{"operator":"AND","builtInControls":["compliantDevice",{}]}}`), "partner")
	f.Add([]byte(`{"state":"enabled","conditions":{"users":{"includeUsers":"All","excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":7,"externalTenants":[]}}},"grantControls":null}`), "")
	f.Add([]byte(`{"state":"enabled","conditions":{"users":{"includeUsers":["All"],"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider","externalTenants":null}}},"grantControls":{"builtInControls":["block"]}}`), "x")
	f.Fuzz(func(t *testing.T, policyJSON []byte, partner string) {
		var p map[string]any
		if json.Unmarshal(policyJSON, &p) != nil {
			return
		}
		id, _, blocked := blockingPolicy(&tenant{policies: []map[string]any{p, nil}}, partner)
		if blocked && id != jsonvalue.String(p["id"]) {
			t.Errorf("blocked by %q, but the policy's id is %v", id, p["id"])
		}
		if blocked && jsonvalue.String(p["state"]) != "enabled" {
			t.Errorf("a policy in state %v blocked", p["state"])
		}
	})
}
