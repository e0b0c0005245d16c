package sandbox

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// The real MSAL Go public client against the sandbox: what the app's sign-in does.

// promptLogin is shared.PromptLogin. MSAL's Prompt type lives in an internal package, so a caller
// outside MSAL can only pass the untyped constant (public.WithPrompt(1) sends prompt=login).
const promptLogin = 1

// memoryCache is a cache.ExportReplace that keeps MSAL's serialized cache in memory, as the app
// keeps it in the OS keychain.
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

func (m *memoryCache) snapshot() []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.data)
}

// msalFixture is a sandbox, an MSAL public client for the partner tenant, and a "browser" (an
// HTTP client with cookies that trusts the sandbox CA) that the launcher drives.
type msalFixture struct {
	t       *testing.T
	s       *Server
	client  public.Client
	cache   *memoryCache
	browser *http.Client
	drove   chan error // one result per sign-in the launcher drove
}

func newMSALFixture(t *testing.T) *msalFixture {
	t.Helper()
	s, err := Start(Options{})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	c := s.Cloud()
	msalHTTP, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	mc := &memoryCache{}
	client, err := public.New(AppID,
		public.WithAuthority(c.Authority(s.PartnerTenantID())),
		public.WithHTTPClient(msalHTTP),
		public.WithInstanceDiscovery(false), // a host MSAL does not know: no call to login.microsoftonline.com
		public.WithCache(mc))
	if err != nil {
		t.Fatal(err)
	}
	browser, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	browser.Jar, _ = cookiejar.New(nil)
	browser.Timeout = 10 * time.Second
	return &msalFixture{t: t, s: s, client: client, cache: mc, browser: browser, drove: make(chan error, 4)}
}

// launcher is the WithOpenURL function: instead of a browser window, a goroutine walks the
// sign-in pages as upn and posts the result to MSAL's loopback listener.
func (f *msalFixture) launcher(upn string, wantPrompt string) func(string) error {
	return func(authURL string) error {
		u, err := url.Parse(authURL)
		if err != nil {
			return err
		}
		q := u.Query()
		if q.Get("response_mode") != "form_post" || q.Get("code_challenge_method") != "S256" || q.Get("prompt") != wantPrompt {
			f.t.Errorf("MSAL's authorize URL: response_mode %q, code_challenge_method %q, prompt %q (want %q)",
				q.Get("response_mode"), q.Get("code_challenge_method"), q.Get("prompt"), wantPrompt)
		}
		// What a person does in the browser window (browser.go), in a goroutine, as a real
		// browser runs beside the app.
		go func() {
			f.drove <- SignInThroughPages(context.Background(), f.browser, authURL, upn, sandboxPassword, true)
		}()
		return nil
	}
}

func (f *msalFixture) waitDrive() {
	f.t.Helper()
	select {
	case err := <-f.drove:
		if err != nil {
			f.t.Fatalf("driving the sign-in pages: %v", err)
		}
	case <-time.After(10 * time.Second):
		f.t.Fatal("the sign-in pages were not driven")
	}
}

func TestMSALInteractiveSignInThenCustomerTokens(t *testing.T) {
	f := newMSALFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	scopes := []string{graphScope}

	result, err := f.client.AcquireTokenInteractive(ctx, scopes,
		public.WithPrompt(promptLogin),
		public.WithLoginHint(alexUPN),
		public.WithOpenURL(f.launcher(alexUPN, "login")))
	f.waitDrive()
	if err != nil {
		t.Fatalf("AcquireTokenInteractive: %v", err)
	}
	b := &browser{t: t, s: f.s}
	at := b.claimsOf(result.AccessToken)
	if !slices.Contains(at.Amr, "mfa") || at.Tid != f.s.PartnerTenantID() || at.Upn != alexUPN {
		t.Errorf("the interactive token: %+v", at)
	}
	if result.Account.PreferredUsername != alexUPN || result.Account.Realm != f.s.PartnerTenantID() ||
		result.Account.HomeAccountID != userIDOf(b, alexUPN)+"."+f.s.PartnerTenantID() {
		t.Errorf("account = %+v", result.Account)
	}
	if result.IDToken.Oid != userIDOf(b, alexUPN) {
		t.Errorf("id token = %+v", result.IDToken)
	}

	// The cache the app keeps in the keychain now holds a refresh token.
	var raw struct {
		RefreshToken map[string]map[string]any `json:"RefreshToken"`
	}
	snapshot := f.cache.snapshot()
	if err := json.Unmarshal(snapshot, &raw); err != nil {
		t.Fatalf("the exported cache is not JSON: %v", err)
	}
	if len(raw.RefreshToken) != 1 {
		t.Fatalf("the exported cache has %d refresh tokens: %s", len(raw.RefreshToken), snapshot)
	}
	for _, rt := range raw.RefreshToken {
		if s, _ := rt["secret"].(string); s == "" || rt["credential_type"] != "RefreshToken" {
			t.Errorf("refresh token entry = %v", rt)
		}
	}

	// The same tenant again: from MSAL's cache, no request.
	again, err := f.client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(result.Account))
	if err != nil || again.Metadata.TokenSource != public.TokenSourceCache {
		t.Errorf("silent in the partner tenant: source %v, %v", again.Metadata.TokenSource, err)
	}

	// A customer: MSAL redeems the refresh token at the customer's token endpoint.
	fabrikam := b.customer("Fabrikam").id
	customer, err := f.client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(result.Account), public.WithTenantID(fabrikam))
	if err != nil {
		t.Fatalf("silent for Fabrikam: %v", err)
	}
	ct := b.claimsOf(customer.AccessToken)
	if ct.Tid != fabrikam || ct.Upn != alexUPN || !slices.Contains(ct.Amr, "mfa") || ct.Idp != "https://sts.windows.net/"+f.s.PartnerTenantID()+"/" {
		t.Errorf("the Fabrikam token: %+v", ct)
	}

	relecloud := b.customer("Relecloud").id
	_, err = f.client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(result.Account), public.WithTenantID(relecloud))
	if err == nil || !strings.Contains(err.Error(), "AADSTS90099") {
		t.Errorf("silent for Relecloud: %v, want AADSTS90099", err)
	}
	litware := b.customer("Litware").id
	_, err = f.client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(result.Account), public.WithTenantID(litware))
	if err == nil || !strings.Contains(err.Error(), "AADSTS53003") {
		t.Errorf("silent for Litware: %v, want AADSTS53003", err)
	}
	if err != nil && strings.Contains(err.Error(), string(snapshotSecret(raw.RefreshToken))) {
		t.Error("MSAL's error carries the refresh token")
	}

	// Partner Center is a second resource: a second access token from the same refresh token.
	pc, err := f.client.AcquireTokenSilent(ctx, []string{"https://api.partnercenter.microsoft.com/user_impersonation"}, public.WithSilentAccount(result.Account))
	if err != nil {
		t.Fatalf("silent for Partner Center: %v", err)
	}
	if pt := b.claimsOf(pc.AccessToken); pt.Aud != audPartnerCenter || pt.Scp != "user_impersonation" || !slices.Contains(pt.Amr, "mfa") {
		t.Errorf("the Partner Center token: %+v", pt)
	}
}

func snapshotSecret(rts map[string]map[string]any) string {
	for _, rt := range rts {
		if s, _ := rt["secret"].(string); s != "" {
			return s
		}
	}
	return "\x00no secret\x00"
}

// Without prompt=login, MSAL asks for select_account, and a browser that still has a session
// signs in at once with that session's methods: the stale session without MFA that fools
// tools which do not force a fresh sign-in.
func TestMSALWithoutPromptLoginReusesAStaleSession(t *testing.T) {
	f := newMSALFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	scopes := []string{graphScope}

	first, err := f.client.AcquireTokenInteractive(ctx, scopes, public.WithPrompt(promptLogin), public.WithOpenURL(f.launcher(meganUPN, "login")))
	f.waitDrive()
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{t: t, s: f.s}
	if at := b.claimsOf(first.AccessToken); slices.Contains(at.Amr, "mfa") {
		t.Fatalf("megan has no MFA method, yet amr = %v", at.Amr)
	}
	// The second sign-in means to be alex, but the browser's session answers first.
	second, err := f.client.AcquireTokenInteractive(ctx, scopes, public.WithOpenURL(f.launcher(alexUPN, "select_account")))
	f.waitDrive()
	if err != nil {
		t.Fatal(err)
	}
	if at := b.claimsOf(second.AccessToken); at.Upn != meganUPN || slices.Contains(at.Amr, "mfa") {
		t.Errorf("the session's sign-in was not reused: upn %s amr %v", at.Upn, at.Amr)
	}
}

func TestMSALDeviceCode(t *testing.T) {
	f := newMSALFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dc, err := f.client.AcquireTokenByDeviceCode(ctx, []string{graphScope})
	if err != nil {
		t.Fatalf("AcquireTokenByDeviceCode: %v", err)
	}
	if !strings.HasPrefix(dc.Result.VerificationURL, f.s.base+"/") || !strings.Contains(dc.Result.Message, dc.Result.UserCode) {
		t.Errorf("device code result = %+v", dc.Result)
	}
	go func() {
		f.drove <- EnterDeviceCode(context.Background(), f.browser, dc.Result.VerificationURL, dc.Result.UserCode, alexUPN, sandboxPassword, true)
	}()
	result, err := dc.AuthenticationResult(ctx)
	f.waitDrive()
	if err != nil {
		t.Fatalf("AuthenticationResult: %v", err)
	}
	b := &browser{t: t, s: f.s}
	if at := b.claimsOf(result.AccessToken); at.Upn != alexUPN || !slices.Contains(at.Amr, "mfa") {
		t.Errorf("device code token: %+v", at)
	}
}
