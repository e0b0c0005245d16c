package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// The Authenticator against a started sandbox, with the real MSAL client. The "browser" is
// sandbox.SignInThroughPages: what a person does on the sign-in pages, over HTTP.

const (
	alexUPN  = "alex@contosopartners.onmicrosoft.com"  // has MFA
	meganUPN = "megan@contosopartners.onmicrosoft.com" // no MFA method
	leeUPN   = "lee@contosopartners.onmicrosoft.com"   // risky
	password = "sandbox"
)

// memoryCache is a cache.ExportReplace in memory, as the vault is until it is flushed.
type memoryCache struct {
	mu   sync.Mutex
	data []byte
}

func (m *memoryCache) Replace(_ context.Context, c cache.Unmarshaler, _ cache.ReplaceHints) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.data) == 0 {
		return nil
	}
	return c.Unmarshal(m.data)
}

func (m *memoryCache) Export(_ context.Context, c cache.Marshaler, _ cache.ExportHints) error {
	data, err := c.Marshal()
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data = data
	return nil
}

// secrets are the refresh and access tokens in the cache: no error may carry any of them.
func (m *memoryCache) secrets(t *testing.T) []string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	var raw map[string]map[string]map[string]any
	if len(m.data) == 0 {
		return nil
	}
	if err := json.Unmarshal(m.data, &raw); err != nil {
		t.Fatalf("the cache is not JSON: %v", err)
	}
	var out []string
	for _, kind := range []string{"RefreshToken", "AccessToken", "IdToken"} {
		for _, entry := range raw[kind] {
			if s, _ := entry["secret"].(string); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func (m *memoryCache) refreshTokens() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	var raw struct {
		RefreshToken map[string]any `json:"RefreshToken"`
	}
	_ = json.Unmarshal(m.data, &raw)
	return len(raw.RefreshToken)
}

type fixture struct {
	t       *testing.T
	s       *sandbox.Server
	cache   *memoryCache
	browser *http.Client // trusts the sandbox CA, like the in-app sandbox sign-in
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	s, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatalf("sandbox.Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	hc, err := s.Cloud().HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	hc.Jar, _ = cookiejar.New(nil)
	hc.Timeout = 10 * time.Second
	return &fixture{t: t, s: s, cache: &memoryCache{}, browser: hc}
}

// authenticator is an Authenticator for the sandbox's partner tenant (or tenant) whose
// launcher runs open.
func (f *fixture) authenticator(tenant string, open func(string) error, mod ...func(*Config)) *Authenticator {
	f.t.Helper()
	if tenant == "" {
		tenant = f.s.PartnerTenantID()
	}
	cfg := Config{Cloud: f.s.Cloud(), ClientID: sandbox.AppID, Tenant: tenant, Cache: f.cache, OpenURL: open}
	for _, m := range mod {
		m(&cfg)
	}
	a, err := New(cfg)
	if err != nil {
		f.t.Fatalf("New: %v", err)
	}
	return a
}

// person is a launcher that signs upn in on the sandbox's pages. It also checks MSAL's
// authorize URL: prompt=login always, and the login hint.
func (f *fixture) person(upn string, approveMFA bool, wantHint string) func(string) error {
	return func(authURL string) error {
		u, err := url.Parse(authURL)
		if err != nil {
			return err
		}
		q := u.Query()
		if q.Get("prompt") != "login" || q.Get("response_mode") != "form_post" || q.Get("login_hint") != wantHint {
			f.t.Errorf("authorize URL: prompt %q, response_mode %q, login_hint %q (want login, form_post, %q)",
				q.Get("prompt"), q.Get("response_mode"), q.Get("login_hint"), wantHint)
		}
		scopes := strings.Fields(q.Get("scope"))
		for _, want := range []string{PartnerCenterScope, "offline_access", "openid", "profile"} {
			if !slices.Contains(scopes, want) {
				f.t.Errorf("authorize scopes %q lack %s", scopes, want)
			}
		}
		return sandbox.SignInThroughPages(context.Background(), f.browser, authURL, upn, password, approveMFA)
	}
}

func (f *fixture) signIn(a *Authenticator, hint string) Result {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := a.SignIn(ctx, hint)
	if err != nil {
		f.t.Fatalf("SignIn: %v", err)
	}
	return res
}

// customers reads the partner's customers from Partner Center, as the app does: name -> tenant id.
func (f *fixture) customers(a *Authenticator) map[string]string {
	f.t.Helper()
	hc, _ := f.s.Cloud().HTTPClient()
	pc := partnercenter.New(f.s.Cloud().PartnerCenterURL, hc, a.TokenSource(f.s.PartnerTenantID(), PartnerCenterScope), partnercenter.Options{})
	list, err := pc.ListCustomers(context.Background())
	if err != nil {
		f.t.Fatalf("ListCustomers: %v", err)
	}
	out := map[string]string{}
	for _, c := range list {
		out[c.CompanyProfile.CompanyName] = c.CompanyProfile.TenantID
	}
	return out
}

// jwtShape is what an access token looks like (as .ci/leakscan looks for it).
var jwtShape = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.`)

// noSecrets fails when an error message carries a token: any secret of the cache, a JWT, or the
// marker every sandbox refresh token carries.
func (f *fixture) noSecrets(err error) {
	f.t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if strings.Contains(msg, sandbox.SecretMarker) || jwtShape.MatchString(msg) {
		f.t.Errorf("the error carries a token (shown redacted): %s", jwtShape.ReplaceAllString(msg, "[JWT]"))
	}
	for _, s := range f.cache.secrets(f.t) {
		if len(s) > 24 && strings.Contains(msg, s[len(s)-24:]) {
			f.t.Error("the error carries a secret of the cache")
		}
	}
}

func TestSignInWithMFAIsCompliant(t *testing.T) {
	f := newFixture(t)
	var launches []Launch
	a := f.authenticator("", f.person(alexUPN, true, alexUPN), func(c *Config) { c.OnLaunch = func(l Launch) { launches = append(launches, l) } })
	res := f.signIn(a, alexUPN)

	v := res.Verdict
	if !v.Compliant || !v.HasMFA || !v.TenantMatches || !v.AccountMatches || len(v.Reasons) != 0 {
		t.Fatalf("verdict = %+v", v)
	}
	c := res.Claims
	if c.Tid != f.s.PartnerTenantID() || c.Upn != alexUPN || c.Aud != "https://api.partnercenter.microsoft.com" || c.Scp != "user_impersonation" ||
		c.AppID != sandbox.AppID || c.Exp.Before(time.Now()) || c.Oid == "" || c.Name == "" {
		t.Errorf("claims = %+v", c)
	}
	if res.Account.PreferredUsername != alexUPN || res.Account.Realm != f.s.PartnerTenantID() {
		t.Errorf("account = %+v", res.Account)
	}
	if len(launches) != 1 || !strings.Contains(launches[0].URL, "/oauth2/v2.0/authorize?") || !launches[0].Opened {
		t.Errorf("OnLaunch got %+v", launches)
	}
	if f.cache.refreshTokens() != 1 {
		t.Errorf("MSAL exported %d refresh tokens to the vault, want 1", f.cache.refreshTokens())
	}

	ctx := context.Background()
	if err := a.CheckPartnerCenter(ctx, nil); err != nil {
		t.Errorf("CheckPartnerCenter: %v", err)
	}
	// The sign-in asked for Partner Center only; Graph comes silently from the same refresh
	// token (what the app's later wizards do).
	g, err := a.Token(ctx, "", GraphScope)
	if err != nil {
		t.Fatalf("a Graph token after the sign-in: %v", err)
	}
	if gc, _ := ParseClaims(g); gc.Aud != "https://graph.microsoft.com" || gc.Tid != f.s.PartnerTenantID() || !slices.Contains(gc.Amr, "mfa") {
		t.Errorf("Graph token claims = %+v", gc)
	}
}

func TestSignInWithoutMFAIsNotCompliant(t *testing.T) {
	f := newFixture(t)
	a := f.authenticator("", f.person(meganUPN, true, meganUPN))
	res := f.signIn(a, meganUPN)
	v := res.Verdict
	if v.Compliant || v.HasMFA || !v.TenantMatches || !v.AccountMatches || len(v.Reasons) != 1 {
		t.Fatalf("verdict = %+v", v)
	}
	for _, want := range []string{"did not include multifactor authentication", "401", "900421", "private", "trusted IP"} {
		if !strings.Contains(v.Reasons[0], want) {
			t.Errorf("reason %q does not say %q", v.Reasons[0], want)
		}
	}
	if !strings.HasPrefix(v.String(), "No: ") {
		t.Errorf("String() = %q", v.String())
	}

	// Partner Center says the same, live.
	err := a.CheckPartnerCenter(context.Background(), nil)
	var pe *PartnerCenterError
	if !errors.As(err, &pe) || !pe.MFARequired || pe.Status != http.StatusUnauthorized || pe.Code != "900421" {
		t.Fatalf("CheckPartnerCenter = %v, want a 401 900421 *PartnerCenterError", err)
	}
	for _, want := range []string{"no MFA", "private browser window", "Partner Center 900421"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	f.noSecrets(err)
}

func TestSignInToACustomerTenantDoesNotMatch(t *testing.T) {
	f := newFixture(t)
	// The tenant set in the app is a customer's: alex can sign in there (GDAP), but the token is
	// Fabrikam's, with alex's home tenant as idp.
	a := f.authenticator("fabrikam.onmicrosoft.com", f.person(alexUPN, true, alexUPN))
	res := f.signIn(a, alexUPN)
	v := res.Verdict
	if v.Compliant || v.TenantMatches || !v.HasMFA || !v.AccountMatches {
		t.Fatalf("verdict = %+v", v)
	}
	if !strings.Contains(v.Reasons[0], "home is another organization") {
		t.Errorf("reason = %q", v.Reasons[0])
	}
	// And the partner's sign-in judged against another tenant id.
	if v := Check(res.Claims, f.s.PartnerTenantID(), alexUPN); v.TenantMatches {
		t.Errorf("a Fabrikam token matched the partner tenant: %+v", v)
	}
}

func TestSignInAsAnotherAccountThanAskedFor(t *testing.T) {
	f := newFixture(t)
	a := f.authenticator("", f.person(meganUPN, true, alexUPN))
	v := f.signIn(a, alexUPN).Verdict
	if v.Compliant || v.AccountMatches {
		t.Fatalf("verdict = %+v", v)
	}
}

func TestSignInFailuresAreExplained(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name     string
		open     func(*fixture) func(string) error
		code     string
		sentence string
	}{
		{"MFA denied", func(f *fixture) func(string) error { return f.person(alexUPN, false, alexUPN) }, "AADSTS500121", "The MFA request was denied."},
		{"cancelled", func(f *fixture) func(string) error {
			return func(u string) error { return sandbox.CancelThroughPages(context.Background(), f.browser, u) }
		}, "AADSTS65004", "The sign-in was cancelled in the browser window."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := f.authenticator("", tc.open(f))
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, err := a.SignIn(ctx, alexUPN)
			var se *SignInError
			if !errors.As(err, &se) || se.Code != tc.code || !strings.Contains(err.Error(), tc.sentence) || !strings.Contains(err.Error(), tc.code) {
				t.Fatalf("SignIn = %v, want a *SignInError %s saying %q", err, tc.code, tc.sentence)
			}
			if strings.Contains(err.Error(), "Trace ID") || strings.Contains(err.Error(), "error_description") {
				t.Errorf("MSAL's text leaked into the error: %v", err)
			}
			f.noSecrets(err)
			if _, ok := a.Account(); ok {
				t.Error("a failed sign-in left an account")
			}
		})
	}
}

func TestSignInTimesOut(t *testing.T) {
	f := newFixture(t)
	stuck := make(chan struct{})
	t.Cleanup(func() { close(stuck) })
	for _, tc := range []struct {
		name string
		open func(string) error
	}{
		{"a browser that never comes back", func(string) error { return nil }},
		{"a launcher that never returns", func(string) error { <-stuck; return nil }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := f.authenticator("", tc.open, func(c *Config) { c.SignInTimeout = 2 * time.Second })
			start := time.Now()
			_, err := a.SignIn(context.Background(), alexUPN)
			var se *SignInError
			if !errors.As(err, &se) || !se.TimedOut || !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("SignIn = %v, want a timed-out *SignInError", err)
			}
			if !strings.Contains(err.Error(), "The sign-in window did not come back within 2 seconds.") {
				t.Errorf("message = %q", err)
			}
			if d := time.Since(start); d > 10*time.Second {
				t.Errorf("SignIn took %v", d)
			}
		})
	}
	t.Run("stopped in the app", func(t *testing.T) {
		a := f.authenticator("", func(string) error { return nil })
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		_, err := a.SignIn(ctx, "")
		var se *SignInError
		if !errors.As(err, &se) || !se.Cancelled || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped in Onboard365") {
			t.Fatalf("SignIn = %v, want a cancelled *SignInError", err)
		}
	})
	t.Run("the caller's deadline", func(t *testing.T) {
		a := f.authenticator("", func(string) error { return nil })
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_, err := a.SignIn(ctx, "")
		if !strings.Contains(err.Error(), "did not come back within 1 second") {
			t.Fatalf("SignIn = %v", err)
		}
	})
}

func TestSignInWhenNoBrowserOpens(t *testing.T) {
	f := newFixture(t)
	broken := func(string) error { return errors.New("exec: \"xdg-open\": executable file not found in $PATH") }
	a := f.authenticator("", broken)
	_, err := a.SignIn(context.Background(), "")
	var se *SignInError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "could not open a browser window") {
		t.Fatalf("SignIn = %v", err)
	}
	// With OnLaunch, the UI shows the address to copy, and the sign-in waits for it.
	var shown Launch
	a = f.authenticator("", broken, func(c *Config) {
		c.SignInTimeout = time.Second
		c.OnLaunch = func(l Launch) { shown = l }
	})
	_, err = a.SignIn(context.Background(), "")
	if !errors.As(err, &se) || !se.TimedOut || shown.Opened || shown.URL == "" || !strings.Contains(shown.Message(), "Copy the address") {
		t.Fatalf("SignIn = %v, launch %+v", err, shown)
	}
}

func TestSignInCannotReachTheCloud(t *testing.T) {
	f := newFixture(t)
	a := f.authenticator("", f.person(alexUPN, true, alexUPN))
	_ = f.s.Close()
	_, err := a.SignIn(context.Background(), alexUPN)
	if err == nil || !strings.Contains(err.Error(), "could not reach the sign-in service at 127.0.0.1:") {
		t.Fatalf("SignIn = %v", err)
	}
}

func TestCustomerTokens(t *testing.T) {
	f := newFixture(t)
	a := f.authenticator("", f.person(alexUPN, true, alexUPN))
	f.signIn(a, alexUPN)
	customers := f.customers(a)
	ctx := context.Background()

	fab := customers["Fabrikam"]
	tok, err := a.Token(ctx, fab, GraphScope)
	if err != nil {
		t.Fatalf("Token(Fabrikam): %v", err)
	}
	if c, _ := ParseClaims(tok); c.Tid != fab || c.Upn != alexUPN || !strings.Contains(c.Idp, f.s.PartnerTenantID()) {
		t.Errorf("Fabrikam token claims = %+v", c)
	}

	for _, tc := range []struct {
		customer, code, says string
	}{
		{"Relecloud", "90099", "App registration"},
		{"Litware", "53003", "Conditional Access"},
		{"Wingtip Toys", "50020", "no delegated (GDAP) access"},
	} {
		t.Run(tc.customer, func(t *testing.T) {
			tenant := customers[tc.customer]
			_, err := a.Token(ctx, tenant, GraphScope)
			var te *TokenError
			if !errors.As(err, &te) || te.Code != tc.code || te.Tenant != tenant {
				t.Fatalf("Token = %v, want a *TokenError with code %s", err, tc.code)
			}
			for _, want := range []string{tc.says, "AADSTS" + tc.code, tenant} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the error %q does not say %q", err, want)
				}
			}
			if strings.Contains(err.Error(), "http call") || strings.Contains(err.Error(), "Trace ID") || strings.Contains(err.Error(), "{") {
				t.Errorf("MSAL's text leaked into the error: %v", err)
			}
			f.noSecrets(err)
		})
	}
}

func TestRiskyPartnerAccount(t *testing.T) {
	f := newFixture(t)
	a := f.authenticator("", f.person(leeUPN, true, leeUPN))
	if v := f.signIn(a, leeUPN).Verdict; !v.Compliant {
		t.Fatalf("lee's verdict = %+v", v)
	}
	_, err := a.Token(context.Background(), "fabrikam.onmicrosoft.com", GraphScope)
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "530034" || !strings.Contains(err.Error(), "risky") {
		t.Fatalf("Token = %v, want 530034", err)
	}
	f.noSecrets(err)
}

func TestTokenSourceCachesAndFollowsSignOut(t *testing.T) {
	f := newFixture(t)
	a := f.authenticator("", f.person(alexUPN, true, alexUPN))
	ctx := context.Background()
	ts := a.TokenSource("fabrikam.onmicrosoft.com", GraphScope)
	if _, err := ts.Token(ctx); err == nil {
		t.Fatal("a token before any sign-in")
	} else if !strings.Contains(err.Error(), "Nobody is signed in") {
		t.Errorf("before sign-in: %v", err)
	}
	f.signIn(a, alexUPN)
	t1, err := ts.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t2, err := ts.Token(ctx)
	if err != nil || t2 != t1 {
		t.Errorf("the second token differs or failed: %v", err)
	}
	if err := a.SignOut(ctx); err != nil {
		t.Fatalf("SignOut: %v", err)
	}
	if f.cache.refreshTokens() != 0 {
		t.Errorf("the vault still holds %d refresh tokens after SignOut", f.cache.refreshTokens())
	}
	if _, err := ts.Token(ctx); err == nil || !strings.Contains(err.Error(), "Nobody is signed in") {
		t.Errorf("after SignOut: %v", err)
	}
}

func TestRestoreFromTheVault(t *testing.T) {
	f := newFixture(t)
	a := f.authenticator("", f.person(alexUPN, true, alexUPN))
	f.signIn(a, alexUPN)
	// The next run: a new Authenticator over the same (flushed) vault.
	b := f.authenticator("", func(string) error { t.Error("Restore opened a browser"); return nil })
	acct, ok, err := b.Restore(context.Background())
	if err != nil || !ok || acct.PreferredUsername != alexUPN {
		t.Fatalf("Restore = %+v, %v, %v", acct, ok, err)
	}
	if _, err := b.Token(context.Background(), "fabrikam.onmicrosoft.com", GraphScope); err != nil {
		t.Errorf("Token after Restore: %v", err)
	}
	// Another partner tenant's Authenticator does not take alex's account.
	c := f.authenticator("00000000-0000-0000-0000-000000000001", nil)
	if _, ok, _ := c.Restore(context.Background()); ok {
		t.Error("Restore took an account of another tenant")
	}
}

func TestSignInWithDeviceCode(t *testing.T) {
	f := newFixture(t)
	a := f.authenticator("", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	walked := make(chan error, 1)
	res, err := a.SignInWithDeviceCode(ctx, func(dc DeviceCode) {
		if dc.UserCode == "" || !strings.Contains(dc.Message, dc.UserCode) || dc.ExpiresOn.Before(time.Now()) {
			t.Errorf("device code = %+v", dc)
		}
		go func() {
			walked <- sandbox.EnterDeviceCode(ctx, f.browser, dc.VerificationURL, dc.UserCode, alexUPN, password, true)
		}()
	})
	if err != nil {
		t.Fatalf("SignInWithDeviceCode: %v", err)
	}
	if err := <-walked; err != nil {
		t.Fatalf("EnterDeviceCode: %v", err)
	}
	if !res.Verdict.Compliant || res.Claims.Upn != alexUPN {
		t.Errorf("result = %+v", res)
	}
}

func TestNew(t *testing.T) {
	f := newFixture(t)
	if _, err := New(Config{Cloud: f.s.Cloud()}); err == nil || !strings.Contains(err.Error(), "client ID") {
		t.Errorf("New without a client ID: %v", err)
	}
	if _, err := New(Config{ClientID: sandbox.AppID}); err == nil {
		t.Error("New without a cloud succeeded")
	}
	for host, want := range map[string]bool{
		"https://login.microsoftonline.com": true, "https://LOGIN.microsoftonline.us/": true, "https://login.partner.microsoftonline.cn": true,
		"https://127.0.0.1:8443": false, "https://login.microsoftonline.com.evil.example": false, "https://sandbox.local": false,
	} {
		if got := cloud.IsMicrosoftAuthorityHost(host); got != want {
			t.Errorf("IsMicrosoftAuthorityHost(%q) = %v", host, got)
		}
	}
}

// A stored sign-in unused for 90 days: Entra refuses its refresh token with AADSTS700082.
func TestTokenAfter90DaysUnused(t *testing.T) {
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, err := sandbox.Start(sandbox.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	hc, _ := s.Cloud().HTTPClient()
	f := &fixture{t: t, s: s, cache: &memoryCache{}, browser: hc}
	a := f.authenticator("", f.person(alexUPN, true, alexUPN))
	f.signIn(a, alexUPN)

	mu.Lock()
	now = now.Add(91 * 24 * time.Hour)
	mu.Unlock()
	// A tenant MSAL has no cached access token for: it must redeem the refresh token.
	_, err = a.Token(context.Background(), "fabrikam.onmicrosoft.com", GraphScope)
	var te *TokenError
	if !errors.As(err, &te) || te.Code != "700082" || !strings.Contains(err.Error(), "sign in again with MFA") {
		t.Fatalf("Token = %v, want 700082", err)
	}
	f.noSecrets(err)
}

func TestSignInWithDeviceCodeNotUsed(t *testing.T) {
	f := newFixture(t)
	a := f.authenticator("", nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err := a.SignInWithDeviceCode(ctx, func(DeviceCode) {})
	var se *SignInError
	if !errors.As(err, &se) || !se.TimedOut || !strings.Contains(err.Error(), "The code was not used within 2 seconds.") {
		t.Fatalf("SignInWithDeviceCode = %v", err)
	}
}
