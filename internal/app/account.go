package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/vault"
	"github.com/onboard365/onboard365/internal/words"
)

// Account is the sign-in and keychain of one cloud: the window's Sign in page and Settings (and
// every task's Microsoft clients) use it. It wires internal/auth to internal/vault. MSAL's token
// cache lives in the vault's memory until a sign-in passes the checks; only then is it written
// to the keychain (Keep).
type Account struct {
	cloud  cloud.Cloud
	hc     *http.Client
	vault  *vault.Vault
	cache  *vault.MSALCache
	auth   *auth.Authenticator // behind mu (authn): the App registration wizard may switch it (useApp)
	appID  string              // the client id auth signs in with
	noApp  bool                // no client id is known for this cloud yet
	inApp  bool                // the sign-in pages are the sandbox's: the app asks for the account itself
	users  []string
	tenant string
	now    func() time.Time // the clock the tasks judge dates by (the guide's pictures fix it)

	mu       sync.Mutex
	launched func(Launch)   // the current sign-in's way to tell the page where it opened
	ending   *ending        // the current sign-in's ending, for its page to end it (Launch.End)
	kept     bool           // the user chose to keep a sign-in in this run
	recorder audit.Recorder // the audit trail every change is recorded in (audit.go); nil: none
}

// SandboxTechnician is the sandbox's technician, who signs in where nobody else is named.
const SandboxTechnician = "alex@contosopartners.onmicrosoft.com"

// sandboxUsers are the accounts the sandbox's sign-in offers.
var sandboxUsers = []string{
	"alex@contosopartners.onmicrosoft.com",
	"megan@contosopartners.onmicrosoft.com",
	"lee@contosopartners.onmicrosoft.com",
}

// NewAccount wires a cloud to the keychain. Every cloud but Microsoft's worldwide one keeps its
// sign-ins under a keychain service of its own (cloud.KeychainName: the sandbox's, or one per
// exact set of hosts and certificate authority), so a sign-in is only ever used with the cloud
// it was made for.
func NewAccount(c cloud.Cloud, store vault.Store, clientID, tenant string) (*Account, error) {
	hc, err := c.HTTPClient()
	if err != nil {
		return nil, err
	}
	service := vault.Service
	if name := c.KeychainName(); name != "" {
		service += "." + name
	}
	if clientID == "" {
		clientID = c.ClientID // the app the cloud already has (the sandbox's, when its scenario has one)
	}
	v := vault.NewForService(store, service)
	if clientID == "" {
		clientID = storedClientID(v) // the app the App registration wizard made (appreg.go)
	}
	a := &Account{cloud: c, hc: hc, vault: v, cache: vault.NewMSALCache(v), inApp: c.Sandbox, tenant: tenant, now: time.Now}
	if c.Sandbox {
		a.users = sandboxUsers
	}
	if clientID == "" {
		// Before the app registration exists there is no app to sign in with.
		a.noApp = true
		clientID = "00000000-0000-0000-0000-000000000000"
	}
	a.appID = clientID
	a.auth, err = auth.New(auth.Config{
		Cloud: c, ClientID: clientID, Tenant: tenant, Cache: a.cache,
		OpenURL: a.launcher(a.users, a.tell, a.endSignIn),
	})
	if err != nil {
		return nil, fmt.Errorf("set up the sign-in: %w", err)
	}
	return a, nil
}

// Cloud is the cloud the account signs in to.
func (a *Account) Cloud() cloud.Cloud { return a.cloud }

// tell tells the page of the sign-in in progress where its page opened.
func (a *Account) tell(l Launch) {
	a.mu.Lock()
	launched := a.launched
	a.mu.Unlock()
	if launched != nil {
		launched(l)
	}
}

// endSignIn ends the technician's sign-in in progress (its page's Launch.End).
func (a *Account) endSignIn(err error) {
	a.mu.Lock()
	e := a.ending
	a.mu.Unlock()
	if e != nil {
		e.End(err)
	}
}

// NeedsApp says whether the account knows no app registration to sign in with. Then every
// sign-in says ErrNoApp, and the window leads to App registration first.
func (a *Account) NeedsApp() bool { return a.appMissing() }

// noteMissingApp: a sign-in that Microsoft refused because it does not know the app in this
// tenant (AADSTS700016: the app registration was never made here, or was deleted) means there
// is no app to sign in with, until App registration makes or finds one.
func (a *Account) noteMissingApp(err error) {
	if x, ok := explain.Of(err); ok && strings.EqualFold(x.Code, "AADSTS700016") {
		a.mu.Lock()
		a.noApp = true
		a.mu.Unlock()
	}
}

// ErrNoApp is what signing in says before there is an app registration to sign in with.
var ErrNoApp = errors.New("Onboard365 has no app registration in your partner tenant to sign you in with yet. " +
	"Open App registration first: an administrator of your partner tenant signs in there, and Onboard365 creates the app " +
	"(or repairs the one you have) and then signs you in with it")

// Interactive signs in with a fresh session.
func (a *Account) Interactive(ctx context.Context, hint string, launched func(Launch)) (Evidence, error) {
	if a.appMissing() {
		return Evidence{}, ErrNoApp
	}
	e := newEnding(ctx)
	a.mu.Lock()
	a.launched, a.ending = launched, &e
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.launched, a.ending = nil, nil
		a.mu.Unlock()
	}()
	res, err := a.authn().SignIn(e.ctx, hint)
	if err = e.result(err); err != nil {
		a.noteMissingApp(err)
		return Evidence{}, err
	}
	return evidence(res.Claims, res.Verdict), nil
}

// DeviceCode signs in on another device.
func (a *Account) DeviceCode(ctx context.Context, show func(DeviceCode)) (Evidence, error) {
	if a.appMissing() {
		return Evidence{}, ErrNoApp
	}
	e := newEnding(ctx)
	res, err := a.authn().SignInWithDeviceCode(e.ctx, func(c auth.DeviceCode) {
		dc := DeviceCode{UserCode: c.UserCode, VerificationURL: c.VerificationURL, Message: c.Message, End: e.End}
		if a.inApp {
			// The sandbox's device page is answered in the app, as its sign-in page is: "another
			// device" would need the sandbox's own certificate authority trusted there.
			dc.InAppUsers = a.users
			dc.InApp = func(ctx context.Context, user, password string, approve bool) error {
				err := sandbox.EnterDeviceCode(ctx, a.hc, c.VerificationURL, c.UserCode, user, password, approve)
				if err != nil {
					e.End(err)
				}
				return err
			}
		}
		show(dc)
	})
	if err = e.result(err); err != nil {
		a.noteMissingApp(err)
		return Evidence{}, err
	}
	return evidence(res.Claims, res.Verdict), nil
}

// CheckPartnerCenter asks Partner Center about the new sign-in and gives the final verdict
// (auth.ConfirmSignIn), with the partner tenant of the sign-in kept before as the pinned one.
func (a *Account) CheckPartnerCenter(ctx context.Context) (Evidence, error) {
	res, err := a.authn().ConfirmSignIn(ctx, nil, a.keptTenants(ctx)...)
	if res.Claims.Tid == "" && res.Claims.Upn == "" {
		return Evidence{}, err
	}
	return evidence(res.Claims, res.Verdict), err
}

// keptTenants are the home tenants of the sign-ins kept in the keychain.
func (a *Account) keptTenants(ctx context.Context) []string {
	sum, err := a.cache.Summary(ctx)
	if err != nil {
		return nil
	}
	var out []string
	for _, acct := range sum.Accounts {
		if acct.HasRefreshToken && !acct.RefreshTokenStored.IsZero() {
			out = append(out, acct.HomeTenantID)
		}
	}
	return out
}

// KeptForThisRun is what Keep says on the sandbox when the keychain cannot be used (locked,
// missing): the sign-in stays in memory and works until Onboard365 is closed, so the sandbox can
// be walked through anyway. Keychain is the keychain's own sentence (how to unlock it).
type KeptForThisRun struct{ Keychain error }

func (e *KeptForThisRun) Error() string {
	return "The sign-in is kept in memory for this run of the sandbox only, and works until you close Onboard365: " +
		"the keychain could not be used. " + e.Keychain.Error()
}

func (e *KeptForThisRun) Unwrap() error { return e.Keychain }

// Keep writes the sign-in to the keychain: only one whose final verdict is YES (auth.Keepable).
// When the keychain cannot be used, the sign-in stays in memory for this run and works there
// until the app closes; the error says how to make the keychain usable (vault's sentence for
// each system), and on the sandbox it is a *KeptForThisRun.
func (a *Account) Keep(ctx context.Context) error {
	if err := a.authn().Keepable(); err != nil {
		return err
	}
	if err := a.cache.Flush(ctx); err != nil {
		var unavailable *vault.UnavailableError
		if a.cloud.Sandbox && errors.As(err, &unavailable) {
			return &KeptForThisRun{Keychain: err}
		}
		return err
	}
	a.mu.Lock()
	a.kept = true
	a.mu.Unlock()
	return nil
}

// Discard forgets everything of a sign-in that failed the checks: MSAL's copy in memory is
// replaced by what the keychain holds.
func (a *Account) Discard(ctx context.Context) error {
	_ = a.authn().SignOut(ctx)
	return a.cache.Discard(ctx)
}

// Inspect decodes a pasted access token on this computer (auth.InspectPasted).
func (a *Account) Inspect(token, wantTenant, wantUPN string) (Evidence, error) {
	c, v, err := auth.InspectPasted(token, wantTenant, wantUPN, time.Now())
	if err != nil {
		return Evidence{}, err
	}
	return evidence(c, v), nil
}

// evidence turns claims and a verdict into what the page shows: nothing secret.
func evidence(c auth.Claims, v auth.Verdict) Evidence {
	ev := Evidence{Compliant: v.Compliant, Reasons: v.Reasons, Notes: v.Notes, Account: c.Upn,
		Pending: !v.Compliant && v.PartnerCenter == auth.PartnerCenterNotAsked && v.MFALeftToPartnerCenter && v.TenantMatches && v.AccountMatches}
	add := func(name, value string) {
		if value != "" {
			ev.Claims = append(ev.Claims, [2]string{name, value})
		}
	}
	add("Sign-in methods (amr)", strings.Join(c.Amr, ", "))
	add("Tenant (tid)", c.Tid)
	add("Account (upn)", c.Upn)
	add("Home tenant (idp)", c.Idp)
	add("For (aud)", c.Aud)
	add("Permissions (scp)", c.Scp)
	if !c.Exp.IsZero() {
		add("Expires (exp)", c.Exp.Local().Format("2 January 2006 15:04"))
	}
	return words.Cleaned(ev) // the claims are the token's: outside strings
}

// Stored says what the keychain holds, without secrets.
func (a *Account) Stored(ctx context.Context) (Stored, error) {
	sum, err := a.cache.Summary(ctx)
	if err != nil {
		return Stored{}, err
	}
	var st Stored
	for _, acct := range sum.Accounts {
		if acct.HasRefreshToken && !acct.RefreshTokenStored.IsZero() {
			st = Stored{SignedIn: true, Account: acct.Username, Tenant: acct.HomeTenantID, Renewed: acct.RefreshTokenStored}
			break
		}
	}
	var problems []string
	if sum.Problem != nil { // damaged, a newer version's, or unreadable: vault's own sentence
		problems = append(problems, sum.Problem.Error())
	}
	clientID, _, expires, err := a.vault.ClientSecret(ctx)
	switch {
	case err == nil:
		st.ClientID, st.SecretExpires = clientID, expires
	case vault.Forgettable(err):
		problems = append(problems, err.Error())
	case !errors.Is(err, vault.ErrNotFound):
		return st, err
	}
	st.Problem = strings.Join(problems, " ")
	return words.Cleaned(st), nil
}

// notSignedIn is why a task finds no sign-in: the kept one's problem in the keychain (locked,
// missing, damaged, a newer version's, unreadable: each vault's own sentence), else ErrSignInFirst.
//
// On the sandbox a keychain that cannot be used (locked, missing) is not the reason: the sandbox
// keeps a sign-in in memory for the run (KeptForThisRun), so what is missing is the sign-in.
func (a *Account) notSignedIn(ctx context.Context) error {
	if err := a.cache.Load(ctx); err != nil {
		var unusable *vault.UnavailableError
		if a.cloud.Sandbox && errors.As(err, &unusable) {
			return ErrSignInFirst
		}
		return err
	}
	return ErrSignInFirst
}

// ForgetAll signs out and removes every entry the app keeps in the keychain.
func (a *Account) ForgetAll(ctx context.Context) error {
	_ = a.authn().SignOut(ctx)
	if err := a.vault.DeleteAll(ctx); err != nil {
		return err
	}
	return a.cache.Discard(ctx)
}

// Flush writes what MSAL renewed since the last write, before the app exits: only for a sign-in
// the user chose to keep, in this run or an earlier one. A sign-in never kept stays unstored.
func (a *Account) Flush() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a.mu.Lock()
	kept := a.kept
	a.mu.Unlock()
	if !kept {
		sum, err := a.cache.Summary(ctx)
		if err != nil || !sum.Stored {
			return
		}
	}
	_ = a.cache.Flush(ctx)
}

// ErrSignInFirst is what a task says when nobody is signed in.
var ErrSignInFirst = errors.New("nobody is signed in yet: open Sign in, sign in with your partner account and keep the sign-in, then come back")

// partnerGraph is a Microsoft Graph client for the signed-in technician's own tenant, using the
// sign-in of this run or the one kept in the keychain.
func (a *Account) partnerGraph(ctx context.Context) (*graph.Client, error) {
	return a.Graph(ctx, "")
}

// Graph is a Microsoft Graph client for one tenant: a customer's (by tenant id, reached through
// GDAP with the technician's sign-in) or, for "", the partner's own.
func (a *Account) Graph(ctx context.Context, tenantID string) (*graph.Client, error) {
	if _, ok := a.authn().Account(); !ok {
		if _, ok, err := a.authn().Restore(ctx); err != nil {
			return nil, err
		} else if !ok {
			return nil, a.notSignedIn(ctx)
		}
	}
	return graph.New(a.cloud.GraphURL, a.hc, a.authn().TokenSource(tenantID, auth.GraphScope), graph.Options{}), nil
}
