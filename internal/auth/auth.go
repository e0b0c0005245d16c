package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/partnercenter"
)

// Scopes.
const (
	// PartnerCenterScope is what SignIn asks for: Partner Center's delegated permission. MSAL
	// adds openid, profile and offline_access (the refresh token). A sign-in asks for one
	// resource only (Entra refuses two with AADSTS28000): the refresh token is a multi-resource
	// one, so Graph tokens come later from Token, as far as the app's consent reaches.
	PartnerCenterScope = "https://api.partnercenter.microsoft.com/user_impersonation"
	// GraphScope is Microsoft Graph with the permissions the app was consented for.
	GraphScope = "https://graph.microsoft.com/.default"
)

// DefaultSignInTimeout is how long SignIn waits for the browser window to come back.
const DefaultSignInTimeout = 10 * time.Minute

// promptLogin is MSAL's shared.PromptLogin. MSAL's Prompt type lives in an internal package, so
// a caller outside MSAL can only pass the untyped constant: public.WithPrompt(1) sends
// prompt=login.
const promptLogin = 1

// Config sets up an Authenticator.
type Config struct {
	Cloud    cloud.Cloud
	ClientID string              // the app registration's client id
	Tenant   string              // partner tenant id or domain; "" = "organizations"
	Cache    cache.ExportReplace // MSAL's cache persistence (the vault); nil = memory only
	// OpenURL is the launcher MSAL hands the sign-in address to; nil = PrivateBrowser. It may
	// return at once (a browser runs beside the app); SignIn waits for the result either way.
	OpenURL func(url string) error
	// OnLaunch, when set, is told the sign-in address and where it was opened, so the UI can
	// say so (Launch.Message) and offer the address to copy. With OnLaunch set, a launcher that
	// cannot open any browser does not end the sign-in: the user can still copy the address
	// until the sign-in times out.
	OnLaunch func(Launch)
	// SignInTimeout is how long SignIn waits for the browser; 0 = DefaultSignInTimeout.
	SignInTimeout time.Duration
	// SignInScope is what SignIn and SignInWithDeviceCode ask for; "" = PartnerCenterScope. A
	// customer's own administrator signs in with GraphScope (Partner Center is for partners).
	// Several scopes of one resource are separated by spaces (the App registration wizard's
	// administrator asks for the few Graph permissions it needs by name).
	SignInScope string
}

// Authenticator signs the technician in and hands out tokens. It is safe for concurrent use.
type Authenticator struct {
	cfg    Config
	client public.Client

	mu      sync.Mutex
	account public.Account
	hasAcct bool
	gen     uint64 // changes on every sign-in and sign-out; TokenSources refetch when it does
	// The sign-in of this run and its verdict (confirm.go): last is valid while lastGen == gen.
	last      Result
	hasLast   bool
	lastGen   uint64
	confirmed bool // ConfirmSignIn gave last a YES
}

// Result is a finished sign-in: the account, what its token says, and the verdict.
type Result struct {
	Account public.Account
	Claims  Claims
	Verdict Verdict
}

// DeviceCode is what the user needs for a sign-in with a code on another device.
type DeviceCode struct {
	UserCode        string    // the code to type
	VerificationURL string    // where to type it
	Message         string    // Microsoft's sentence with both
	ExpiresOn       time.Time // when the code stops working
}

// TokenSource hands out an access token; internal/graph and internal/partnercenter take one.
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// PartnerCenterClient is the part of *partnercenter.Client that CheckPartnerCenter uses.
type PartnerCenterClient interface {
	GetOrganizationProfile(ctx context.Context) (partnercenter.OrganizationProfile, error)
}

// New makes an Authenticator: an MSAL public client for cfg.Cloud.Authority(cfg.Tenant), whose
// requests go through the cloud's HTTP client (which trusts the cloud's own CA, if any). It
// makes no network request.
func New(cfg Config) (*Authenticator, error) {
	if strings.TrimSpace(cfg.ClientID) == "" {
		return nil, errors.New("the app registration's client ID is missing; open App registration to create or choose the app")
	}
	if err := cfg.Cloud.Validate(); err != nil {
		return nil, fmt.Errorf("the cloud description is not usable: %w", err)
	}
	hc, err := cfg.Cloud.HTTPClient()
	if err != nil {
		return nil, err
	}
	opts := []public.Option{
		public.WithAuthority(cfg.Cloud.Authority(strings.TrimSpace(cfg.Tenant))),
		public.WithHTTPClient(hc),
	}
	if !cloud.IsMicrosoftAuthorityHost(cfg.Cloud.AuthorityHost) {
		opts = append(opts, public.WithInstanceDiscovery(false))
	}
	if cfg.Cache != nil {
		opts = append(opts, public.WithCache(cfg.Cache))
	}
	client, err := public.New(strings.TrimSpace(cfg.ClientID), opts...)
	if err != nil {
		// MSAL's message here is about the settings (the authority address), never a secret.
		return nil, fmt.Errorf("the sign-in settings are not valid (check the tenant and the cloud file): %w", err)
	}
	if cfg.SignInTimeout <= 0 {
		cfg.SignInTimeout = DefaultSignInTimeout
	}
	return &Authenticator{cfg: cfg, client: client}, nil
}

// SignIn signs the technician in interactively: MSAL's authorization code flow with PKCE,
// prompt=login ALWAYS (a fresh password and MFA, never an earlier browser session),
// loginHint pre-filled when given, and the sign-in page opened by Config.OpenURL (default: a
// private browser window). It waits up to Config.SignInTimeout for the browser to come back.
//
// It returns the account, the token's claims and the verdict, checked against Config.Tenant
// and loginHint. It stores nothing itself (see the package doc): MSAL passes its cache to the
// vault, which holds it in memory until the caller flushes it for a compliant verdict. Errors
// are *SignInError.
func (a *Authenticator) SignIn(ctx context.Context, loginHint string) (Result, error) {
	loginHint = strings.TrimSpace(loginHint)
	signInCtx, cancel := context.WithTimeout(ctx, a.cfg.SignInTimeout)
	defer cancel()
	started := time.Now()
	res, err := a.interactive(signInCtx, strings.Fields(a.signInScope()), loginHint)
	if err != nil {
		return Result{}, signInFailure(signInCtx, ctx, err, time.Since(started))
	}
	return a.accept(res, loginHint)
}

// interactive is MSAL's interactive flow (authorization code with PKCE, prompt=login,
// response_mode=form_post) with the app's own loopback listener (loopback.go) instead of MSAL's:
// MSAL makes the sign-in address (AuthCodeURL) and redeems the code (AcquireTokenByAuthCode, which
// fills MSAL's cache as AcquireTokenInteractive does); the state, the PKCE pair and the listener
// are the app's.
func (a *Authenticator) interactive(ctx context.Context, scopes []string, loginHint string) (public.AuthResult, error) {
	state, err := randomText(32)
	if err != nil {
		return public.AuthResult{}, err
	}
	verifier, err := randomText(32)
	if err != nil {
		return public.AuthResult{}, err
	}
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])

	lb, err := listenLoopback(state)
	if err != nil {
		return public.AuthResult{}, err
	}
	defer lb.close()
	redirect := lb.redirectURI()

	// MSAL's interactive flow asks for openid, profile and offline_access (the refresh token)
	// besides the scopes; its AuthCodeURL does not add them.
	urlScopes := append(append([]string(nil), scopes...), "openid", "profile", "offline_access")
	urlOpts := []public.AuthCodeURLOption{public.WithPrompt(promptLogin)}
	if loginHint != "" {
		urlOpts = append(urlOpts, public.WithLoginHint(loginHint))
	}
	raw, err := a.client.AuthCodeURL(ctx, strings.TrimSpace(a.cfg.ClientID), redirect, urlScopes, urlOpts...)
	if err != nil {
		return public.AuthResult{}, err
	}
	u, err := url.Parse(raw)
	if err != nil {
		return public.AuthResult{}, err
	}
	q := u.Query()
	q.Set("state", state)
	q.Set("code_challenge", challenge)
	q.Set("code_challenge_method", "S256")
	q.Set("response_mode", "form_post")
	u.RawQuery = q.Encode()

	if err := a.opener(ctx)(u.String()); err != nil {
		return public.AuthResult{}, err
	}
	code, err := lb.wait(ctx)
	if err != nil {
		return public.AuthResult{}, err
	}
	return a.client.AcquireTokenByAuthCode(ctx, code, redirect, scopes, public.WithChallenge(verifier))
}

// randomText is n random bytes in base64url.
func randomText(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("make the sign-in's random values: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// SignInWithDeviceCode signs in with a code typed on any device, where no browser can be opened
// here. show is called once with the code; the call then waits until the code is used, expires,
// or ctx ends. The device's browser may still have an earlier session: the verdict checks the
// MFA claim as for SignIn. Errors are *SignInError.
func (a *Authenticator) SignInWithDeviceCode(ctx context.Context, show func(DeviceCode)) (Result, error) {
	started := time.Now()
	dc, err := a.client.AcquireTokenByDeviceCode(ctx, strings.Fields(a.signInScope()))
	if err != nil {
		return Result{}, signInFailure(ctx, ctx, err, time.Since(started))
	}
	if show != nil {
		show(DeviceCode{UserCode: dc.Result.UserCode, VerificationURL: dc.Result.VerificationURL,
			Message: dc.Result.Message, ExpiresOn: dc.Result.ExpiresOn})
	}
	res, err := dc.AuthenticationResult(ctx)
	if err != nil {
		err = signInFailure(ctx, ctx, err, time.Since(started))
		if se, ok := err.(*SignInError); ok && se.TimedOut {
			se.Explained.What = "The code was not used within " + humanDuration(time.Since(started)) + "."
			se.Explained.Why = "Onboard365 waits a limited time for the code to be entered and the sign-in to finish on the other device. Nothing was stored."
			se.Explained.Do = "Choose the sign-in with a code again, and enter the new code within 15 minutes."
		}
		return Result{}, err
	}
	return a.accept(res, "")
}

func (a *Authenticator) signInScope() string {
	if a.cfg.SignInScope != "" {
		return a.cfg.SignInScope
	}
	return PartnerCenterScope
}

// accept reads a fresh sign-in's token, judges it, and keeps the account for this run.
func (a *Authenticator) accept(res public.AuthResult, wantUPN string) (Result, error) {
	claims, err := ParseClaims(res.AccessToken)
	if err != nil {
		return Result{}, &SignInError{Explained: explain.Explanation{
			What: "Microsoft's answer to the sign-in could not be read.",
			Why:  "The access token it sent is not in the format Microsoft Entra uses.",
			Do:   "Choose Sign in again. If it happens again, check the cloud file Onboard365 was started with.",
		}}
	}
	out := Result{Account: res.Account, Claims: claims, Verdict: Check(claims, a.cfg.Tenant, wantUPN)}
	a.mu.Lock()
	a.account, a.hasAcct = res.Account, true
	a.gen++
	a.last, a.hasLast, a.lastGen, a.confirmed = out, true, a.gen, false
	a.mu.Unlock()
	return out, nil
}

// launchError marks a launcher that could not open the sign-in page.
type launchError struct{ err error }

func (e *launchError) Error() string { return "open the sign-in page: " + e.err.Error() }
func (e *launchError) Unwrap() error { return e.err }

// opener is the function MSAL calls with the sign-in address. It runs the launcher beside the
// sign-in, so a launcher that never returns cannot hold the sign-in past its context.
func (a *Authenticator) opener(ctx context.Context) func(string) error {
	return func(u string) error {
		done := make(chan struct {
			l   Launch
			err error
		}, 1)
		go func() {
			var l Launch
			var err error
			if a.cfg.OpenURL != nil {
				err = a.cfg.OpenURL(u)
				l = Launch{URL: u, Opened: err == nil}
			} else {
				l = OpenPrivateWindow(u)
				if !l.Opened {
					err = errNoBrowser
				}
			}
			done <- struct {
				l   Launch
				err error
			}{l, err}
		}()
		select {
		case r := <-done:
			if a.cfg.OnLaunch != nil {
				a.cfg.OnLaunch(r.l)
				return nil // the UI shows the address; the sign-in goes on until it times out
			}
			if r.err != nil {
				return &launchError{r.err}
			}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Account is the signed-in account of this run, if any.
func (a *Authenticator) Account() (public.Account, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.account, a.hasAcct
}

// Restore picks up the account of a sign-in stored earlier (in Config.Cache), so Token works
// without a new sign-in. With a partner tenant id in Config.Tenant, only an account of that
// tenant is taken. It reports false when there is none.
func (a *Authenticator) Restore(ctx context.Context) (public.Account, bool, error) {
	accounts, err := a.client.Accounts(ctx)
	if err != nil {
		return public.Account{}, false, fmt.Errorf("read the stored sign-in: %w", err)
	}
	want := strings.TrimSpace(a.cfg.Tenant)
	for _, acct := range accounts {
		if guidRE.MatchString(want) && !strings.EqualFold(acct.Realm, want) && !strings.HasSuffix(strings.ToLower(acct.HomeAccountID), "."+strings.ToLower(want)) {
			continue
		}
		a.mu.Lock()
		a.account, a.hasAcct = acct, true
		a.gen++
		a.mu.Unlock()
		return acct, true, nil
	}
	return public.Account{}, false, nil
}

// Token returns an access token for scope (several scopes of one resource: space-separated) in
// tenantID ("" = the partner tenant), redeemed
// silently from the sign-in's refresh token (MSAL's cache first). For a customer this is the GDAP
// path: Entra checks the relationship, the app's consent, the partner user's risk and the
// customer's Conditional Access. Errors are *TokenError with a plain sentence and the AADSTS
// code: 90099 (the app is not consented in the customer), 700082 (the stored sign-in expired
// after 90 days unused), 50173 (revoked), 53003 (blocked by the customer's Conditional Access),
// 50020 (no GDAP access), 530034 (the partner account is risky).
func (a *Authenticator) Token(ctx context.Context, tenantID, scope string) (string, error) {
	tok, _, err := a.token(ctx, tenantID, scope)
	return tok, err
}

func (a *Authenticator) token(ctx context.Context, tenantID, scope string) (string, time.Time, error) {
	tenantID = strings.TrimSpace(tenantID)
	acct, ok := a.Account()
	if !ok {
		return "", time.Time{}, &TokenError{Tenant: tenantID, Explained: notSignedIn}
	}
	opts := []public.AcquireSilentOption{public.WithSilentAccount(acct)}
	if tenantID != "" {
		opts = append(opts, public.WithTenantID(tenantID))
	}
	res, err := a.client.AcquireTokenSilent(ctx, strings.Fields(scope), opts...)
	if err != nil {
		return "", time.Time{}, tokenFailure(ctx, tenantID, err)
	}
	return res.AccessToken, res.ExpiresOn, nil
}

func (a *Authenticator) generation() uint64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.gen
}

// TokenSource is Token for one tenant and scope, as internal/graph and internal/partnercenter
// take it. It keeps the token until 5 minutes before it expires (MSAL caches too; this saves
// the cache round trip through the vault on every request), and fetches anew after a sign-in
// or sign-out.
func (a *Authenticator) TokenSource(tenantID, scope string) TokenSource {
	return &cachedSource{a: a, tenant: tenantID, scope: scope}
}

type cachedSource struct {
	a             *Authenticator
	tenant, scope string

	mu      sync.Mutex
	token   string
	expires time.Time
	gen     uint64
}

// refreshMargin is how long before its expiry a cached token is replaced.
const refreshMargin = 5 * time.Minute

func (s *cachedSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	gen := s.a.generation()
	if s.token != "" && s.gen == gen && time.Until(s.expires) > refreshMargin {
		return s.token, nil
	}
	tok, exp, err := s.a.token(ctx, s.tenant, s.scope)
	if err != nil {
		s.token = ""
		return "", err
	}
	s.token, s.expires, s.gen = tok, exp, gen
	return tok, nil
}

// CheckPartnerCenter proves the sign-in live: GET /v1/profiles/organization, which Partner
// Center answers only for an App+User token with MFA. pc nil means a Partner Center client for
// Config.Cloud with this Authenticator's token for the partner tenant. It returns nil when
// Partner Center accepts the sign-in, and otherwise a *PartnerCenterError (MFARequired for 401
// with error 900421) or the *TokenError of getting the token.
func (a *Authenticator) CheckPartnerCenter(ctx context.Context, pc PartnerCenterClient) error {
	if pc == nil {
		hc, err := a.cfg.Cloud.HTTPClient()
		if err != nil {
			return err
		}
		pc = partnercenter.New(a.cfg.Cloud.PartnerCenterURL, hc, a.TokenSource(a.partnerTenant(), PartnerCenterScope), partnercenter.Options{})
	}
	_, err := pc.GetOrganizationProfile(ctx)
	if err == nil {
		return nil
	}
	var pe *partnercenter.Error
	var te *TokenError
	switch {
	case errors.As(err, &te):
		return te
	case errors.As(err, &pe):
		return &PartnerCenterError{Status: pe.Status, Code: pe.Code, MFARequired: pe.MFARequired(), Explained: pe.Explanation()}
	case ctx.Err() != nil:
		return ctx.Err()
	}
	if x, ok := explainTransport(err); ok {
		x.What = strings.Replace(x.What, "the sign-in service", "Partner Center", 1)
		return &PartnerCenterError{Explained: x}
	}
	return &PartnerCenterError{Explained: explain.FromText(err.Error())}
}

// partnerTenant is the tenant of the signed-in account, else Config.Tenant.
func (a *Authenticator) partnerTenant() string {
	if acct, ok := a.Account(); ok && acct.Realm != "" {
		return acct.Realm
	}
	return a.cfg.Tenant
}

// SignOut forgets the sign-in: every account is removed from MSAL's cache (which MSAL then
// exports to Config.Cache, the vault), and this run's account and cached tokens are dropped.
func (a *Authenticator) SignOut(ctx context.Context) error {
	a.mu.Lock()
	a.account, a.hasAcct = public.Account{}, false
	a.gen++
	a.mu.Unlock()
	accounts, err := a.client.Accounts(ctx)
	if err != nil {
		return fmt.Errorf("read the stored sign-in to remove it: %w", err)
	}
	for _, acct := range accounts {
		if err := a.client.RemoveAccount(ctx, acct); err != nil {
			return fmt.Errorf("remove the stored sign-in of %s: %w", shown(acct.PreferredUsername), err)
		}
	}
	return nil
}
