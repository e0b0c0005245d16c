package sandbox

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The simulated Microsoft identity platform (login.microsoftonline.com): OpenID discovery, the
// sign-in pages (password, then a simulated Microsoft Authenticator prompt), the token endpoint
// (authorization code with PKCE, refresh token, client credentials, device code) and the checks
// Entra makes when a partner user redeems a refresh token for a customer tenant (GDAP access,
// the app's consent, the partner user's risk, the customer's Conditional Access).
//
// It answers the way MSAL Go (v1.10) expects: the interactive result comes back as a form_post to
// MSAL's loopback listener (which refuses GET), token responses carry client_info, and errors
// carry Entra's AADSTS codes in Entra's JSON shape, so the app's error explanations can be tried
// against it.
//
// Sign-in state (flows in progress, codes, refresh tokens, browser sessions, device codes) lives
// in an identity value with its own mutex. The world's lock and this one are never held together:
// a handler copies what it needs out of the world, lets go, then records its own state.

// Lifetimes, as Entra uses them (sessions are shorter than Entra's, which is harmless here).
const (
	codeLifetime       = 10 * time.Minute    // authorization codes
	flowLifetime       = time.Hour           // a sign-in left half-way
	sessionLifetime    = 24 * time.Hour      // the browser's single sign-on session
	refreshInactivity  = 90 * 24 * time.Hour // refresh tokens unused this long expire (AADSTS700082)
	deviceCodeLifetime = 15 * time.Minute    // expires_in 900
	accessTokenSeconds = 3599                // expires_in of access tokens
	deviceInterval     = 5                   // seconds between polls that the device code response asks for
	sessionCookieName  = "onboard365_sandbox_session"
)

// graphDefaultScopes are the delegated Graph permissions a ".default" request gets when the
// tenant records no grant for the app: the permissions the Onboard365 app registration asks for.
var graphDefaultScopes = []string{
	"User.Read", "Directory.Read.All", "Group.ReadWrite.All", "Application.ReadWrite.All",
	"DelegatedAdminRelationship.ReadWrite.All", "Policy.Read.All", "Policy.ReadWrite.ConditionalAccess",
	"UserAuthenticationMethod.ReadWrite.All", "AuditLog.Read.All", "Reports.Read.All",
	"IdentityRiskyUser.ReadWrite.All", "Organization.Read.All",
}

// identity is the sign-in state of one sandbox.
type identity struct {
	s *Server

	mu        sync.Mutex
	flows     map[string]*signInFlow   // by the random id the pages carry in a hidden field
	codes     map[string]*authCode     // by code
	refresh   map[string]*refreshGrant // by refresh token
	sessions  map[string]*ssoSession   // by the session cookie's value
	devices   map[string]*deviceAuth   // by device_code
	lastPrune time.Time
}

// grant is what a finished sign-in proves: who, in which home tenant, for which app, and how.
type grant struct {
	userID, homeID, appID string
	amr                   []string
	authTime              time.Time
}

type flowKind int

const (
	flowAuthorize flowKind = iota // a browser sign-in that ends in a redirect to the app
	flowDevice                    // a device code sign-in that ends on a "you may close this window" page
)

// signInFlow is a sign-in in progress: the authorize request's parameters, then the user once
// the password was right.
type signInFlow struct {
	id                    string
	kind                  flowKind
	tenantPath            string // the tenant as the request's path wrote it, for the forms' actions
	targetID              string // the tenant the tokens are for; "" for organizations and common
	appID, appName        string
	redirectURI, mode     string // mode: form_post, query or fragment
	state, nonce          string
	scopes                []string
	challenge, method     string
	loginHint, deviceCode string
	userID, homeID        string // set when the password was right
	awaitingMFA           bool
	created               time.Time
}

type authCode struct {
	grant
	clientID, redirectURI string
	challenge, method     string
	targetID              string
	scopes                []string
	nonce                 string
	expires               time.Time
	redeemed              bool
}

type refreshGrant struct {
	grant
	scopes         []string
	issued, usedAt time.Time
}

type ssoSession struct {
	grant
	upn     string
	expires time.Time
}

type deviceStatus int

const (
	devicePending deviceStatus = iota
	deviceApproved
	deviceDeclined
	deviceRedeemed
)

type deviceAuth struct {
	deviceCode, userCode string
	appID, tenantPath    string
	targetID             string
	scopes               []string
	expires              time.Time
	status               deviceStatus
	grant                grant
}

// identityRoutes serves the identity platform on mux.
func (s *Server) identityRoutes(mux *http.ServeMux) {
	id := &identity{
		s:        s,
		flows:    map[string]*signInFlow{},
		codes:    map[string]*authCode{},
		refresh:  map[string]*refreshGrant{},
		sessions: map[string]*ssoSession{},
		devices:  map[string]*deviceAuth{},
	}
	mux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", id.openIDConfiguration)
	mux.HandleFunc("GET /{tenant}/discovery/v2.0/keys", id.keys)
	mux.HandleFunc("GET /{tenant}/discovery/keys", id.keys)
	mux.HandleFunc("GET /common/discovery/instance", id.instanceDiscovery)
	mux.HandleFunc("GET /{tenant}/oauth2/v2.0/authorize", id.authorize)
	mux.HandleFunc("POST /{tenant}/login", id.signIn)
	mux.HandleFunc("POST /{tenant}/login/mfa", id.mfa)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", id.token)
	mux.HandleFunc("POST /{tenant}/oauth2/v2.0/devicecode", id.deviceCode)
	mux.HandleFunc("GET /{tenant}/oauth2/deviceauth", id.devicePage)
	mux.HandleFunc("POST /{tenant}/oauth2/deviceauth", id.deviceCodeEntered)
	mux.HandleFunc("GET /{tenant}/oauth2/v2.0/logout", id.logout)
	mux.HandleFunc("GET /error", id.errorLookup)
	mux.HandleFunc("GET /{$}", id.home)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		renderPage(w, http.StatusNotFound, "", pageError, errorPageData{
			Title:   "This page does not exist",
			Message: "The sandbox's sign-in service has no page at this address. Go back to Onboard365 and start again.",
		})
	})
}

// ---------------------------------------------------------------------------------------------
// Discovery

// tenantRef is the tenant a request's path names.
type tenantRef struct {
	path  string  // as written
	t     *tenant // nil for organizations and common
	multi bool    // organizations or common: the user's home tenant decides
}

// resolveTenant reads the {tenant} path segment. It takes the world's lock.
func (id *identity) resolveTenant(r *http.Request) (tenantRef, bool) {
	seg := r.PathValue("tenant")
	ref := tenantRef{path: seg}
	switch strings.ToLower(seg) {
	case "organizations", "common":
		ref.multi = true
		return ref, true
	}
	id.s.world.mu.Lock()
	ref.t = id.s.world.tenant(seg)
	id.s.world.mu.Unlock()
	return ref, ref.t != nil
}

func (ref tenantRef) id() string {
	if ref.t == nil {
		return ""
	}
	return ref.t.id
}

func (id *identity) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	ref, ok := id.resolveTenant(r)
	if !ok {
		id.writeOAuthError(w, r, errUnknownTenant(ref.path))
		return
	}
	authority := id.s.base + "/" + ref.path
	issuer := authority + "/v2.0"
	if ref.multi {
		// Entra's multi-tenant issuer is a template: the real one is the user's home tenant.
		issuer = id.s.base + "/{tenantid}/v2.0"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                authority + "/oauth2/v2.0/authorize",
		"token_endpoint":                        authority + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         authority + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  authority + "/oauth2/v2.0/logout",
		"jwks_uri":                              authority + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"code_challenge_methods_supported":      []string{"plain", "S256"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "preferred_username", "oid", "tid", "ver"},
		"request_uri_parameter_supported":       false,
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "sandbox",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          strings.TrimPrefix(id.s.base, "https://") + "/graph",
		"rbac_url":                              "https://pas.windows.net",
	})
}

// keys is the JSON Web Key Set that verifies the sandbox's tokens.
func (id *identity) keys(w http.ResponseWriter, r *http.Request) {
	pub := id.s.keys.key.PublicKey
	e := big32(pub.E)
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": id.s.keys.kid,
		"n":      base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":      base64.RawURLEncoding.EncodeToString(e),
		"issuer": id.s.base + "/{tenantid}/v2.0",
	}}})
}

// big32 is an RSA public exponent as the minimal big-endian bytes JWK wants (65537 is AQAB).
func big32(e int) []byte {
	b := []byte{byte(e >> 24), byte(e >> 16), byte(e >> 8), byte(e)}
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// instanceDiscovery answers as Entra's /common/discovery/instance does. MSAL asks it only when
// instance discovery is on, and then asks login.microsoftonline.com, never this host; it is here
// so that a client which does ask the sandbox gets a sensible answer.
func (id *identity) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	host := strings.TrimPrefix(id.s.base, "https://")
	tenantPath := "common"
	if u, err := url.Parse(r.URL.Query().Get("authorization_endpoint")); err == nil {
		if parts := strings.Split(strings.Trim(u.Path, "/"), "/"); len(parts) > 0 && parts[0] != "" {
			tenantPath = parts[0]
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": id.s.base + "/" + tenantPath + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata":                  []map[string]any{{"preferred_network": host, "preferred_cache": host, "aliases": []string{host}}},
	})
}

// ---------------------------------------------------------------------------------------------
// The authorize request and the sign-in pages

// appInfo is what the identity platform needs of an app registration, copied out of the world.
type appInfo struct {
	appID, name, audience string
	redirectURIs          []string
	publicClient          bool
	passwords             []passwordCredential
}

// partnerApp finds an app registration of the partner tenant. The caller holds the world's lock.
func (id *identity) partnerApp(clientID string) (appInfo, bool) {
	for _, a := range id.s.world.partner.applications {
		if strings.EqualFold(a.appID, clientID) {
			return appInfo{appID: a.appID, name: a.displayName, audience: a.signInAudience,
				redirectURIs: slices.Clone(a.redirectURIs), publicClient: a.fallbackPublicClient,
				passwords: slices.Clone(a.passwords)}, true
		}
	}
	return firstPartyApp(clientID) // Microsoft's own public clients (scenario_appreg.go)
}

func (id *identity) lookupApp(clientID string) (appInfo, bool) {
	id.s.world.mu.Lock()
	defer id.s.world.mu.Unlock()
	return id.partnerApp(clientID)
}

func (id *identity) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	ref, ok := id.resolveTenant(r)
	if !ok {
		id.errorPage(w, r, errUnknownTenant(ref.path))
		return
	}
	clientID := q.Get("client_id")
	app, ok := id.lookupApp(clientID)
	if !ok {
		id.errorPage(w, r, errUnknownApp(clientID, ref.path))
		return
	}
	redirectURI := q.Get("redirect_uri")
	if redirectURI == "" {
		id.errorPage(w, r, &oauthError{err: "invalid_request", code: 900971, text: "No reply address provided."})
		return
	}
	if !redirectAllowed(redirectURI, app.redirectURIs) {
		id.errorPage(w, r, &oauthError{err: "invalid_request", code: 50011, text: fmt.Sprintf(
			"The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.",
			redirectURI, app.appID)})
		return
	}
	mode := q.Get("response_mode")
	switch mode {
	case "":
		mode = "query"
	case "query", "fragment", "form_post":
	default:
		id.errorPage(w, r, &oauthError{err: "invalid_request", code: 900144, text: fmt.Sprintf("The response_mode '%s' is not supported. Use query, fragment or form_post.", mode)})
		return
	}
	f := &signInFlow{
		id: randomToken(18), kind: flowAuthorize, tenantPath: ref.path, targetID: ref.id(),
		appID: app.appID, appName: app.name, redirectURI: redirectURI, mode: mode,
		state: q.Get("state"), nonce: q.Get("nonce"), scopes: strings.Fields(q.Get("scope")),
		challenge: q.Get("code_challenge"), method: q.Get("code_challenge_method"),
		loginHint: q.Get("login_hint"), created: id.s.world.now(),
	}
	// From here on Entra reports errors to the app through its redirect URI.
	if rt := q.Get("response_type"); rt != "code" {
		id.deliver(w, f, errorFields(id.describe(r, &oauthError{err: "unsupported_response_type", code: 700054,
			text: fmt.Sprintf("response_type '%s' is not enabled for the application.", rt)})))
		return
	}
	if len(f.scopes) == 0 {
		id.deliver(w, f, errorFields(id.describe(r, &oauthError{err: "invalid_request", code: 900144,
			text: "The request body must contain the following parameter: 'scope'."})))
		return
	}
	if _, e := parseScopes(f.scopes); e != nil {
		id.deliver(w, f, errorFields(id.describe(r, e)))
		return
	}
	switch f.method {
	case "":
		if f.challenge != "" {
			f.method = "plain"
		}
	case "plain", "S256":
	default:
		id.deliver(w, f, errorFields(id.describe(r, &oauthError{err: "invalid_request", code: 501491,
			text: "Invalid code_challenge_method. The sandbox accepts S256 and plain."})))
		return
	}

	prompt := q.Get("prompt")
	if prompt != "login" {
		// Single sign-on: a browser that already signed in gets its code at once, with the
		// authentication methods of that earlier sign-in (which may not include MFA).
		if sess := id.session(r); sess != nil && (f.loginHint == "" || strings.EqualFold(f.loginHint, sess.upn)) {
			id.finish(w, r, f, sess.grant, false)
			return
		}
		if prompt == "none" {
			id.deliver(w, f, errorFields(id.describe(r, &oauthError{err: "login_required", code: 50058,
				text: "A silent sign-in request was sent but no user is signed in."})))
			return
		}
	}
	id.saveFlow(f)
	id.renderSignIn(w, http.StatusOK, f, f.loginHint, "", 0)
}

// redirectAllowed applies Entra's redirect URI rules: an exact match, except that for a
// registered loopback URI (http://localhost or http://127.0.0.1) any port is accepted, as
// desktop apps listen on a port of their choosing.
func redirectAllowed(requested string, registered []string) bool {
	u, err := url.Parse(requested)
	if err != nil || u.User != nil || u.Fragment != "" || u.Host == "" {
		return false
	}
	for _, reg := range registered {
		if reg == requested {
			return true
		}
		ru, err := url.Parse(reg)
		if err != nil || ru.Scheme != "http" || u.Scheme != "http" || !isLoopback(ru.Hostname()) {
			continue
		}
		if strings.EqualFold(ru.Hostname(), u.Hostname()) && samePath(ru.Path, u.Path) && ru.RawQuery == u.RawQuery {
			return true
		}
	}
	return false
}

func isLoopback(host string) bool {
	return strings.EqualFold(host, "localhost") || host == "127.0.0.1" || host == "::1"
}

func samePath(a, b string) bool {
	return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
}

func (id *identity) saveFlow(f *signInFlow) {
	id.mu.Lock()
	defer id.mu.Unlock()
	id.pruneLocked(f.created)
	id.flows[f.id] = f
}

// takeFlow finds the sign-in a page's form belongs to and returns a copy of it. A flow left
// longer than flowLifetime is gone, as Entra's flow token expires.
func (id *identity) takeFlow(r *http.Request) (*signInFlow, bool) {
	now := id.s.world.now()
	id.mu.Lock()
	defer id.mu.Unlock()
	f := id.flows[r.PostFormValue("flow")]
	if f == nil || now.Sub(f.created) > flowLifetime {
		return nil, false
	}
	cp := *f
	return &cp, true
}

// endFlow forgets a flow and says whether it was still there: of two requests that race to end
// the same sign-in (a double click), only one goes on.
func (id *identity) endFlow(f *signInFlow) bool {
	id.mu.Lock()
	defer id.mu.Unlock()
	if id.flows[f.id] == nil {
		return false
	}
	delete(id.flows, f.id)
	return true
}

// passwordChecked records who the right password was for, before the MFA page.
func (id *identity) passwordChecked(f *signInFlow, userID, homeID string, awaitingMFA bool) {
	f.userID, f.homeID, f.awaitingMFA = userID, homeID, awaitingMFA
	id.mu.Lock()
	defer id.mu.Unlock()
	if stored := id.flows[f.id]; stored != nil {
		stored.userID, stored.homeID, stored.awaitingMFA = userID, homeID, awaitingMFA
	}
}

var errFlowExpired = &oauthError{err: "invalid_request", code: 50089,
	text: "Authentication failed due to flow token expired. The sign-in took too long or was already finished: go back to Onboard365 and start the sign-in again."}

// signIn handles the first page: the user name and password, or Cancel.
func (id *identity) signIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	f, ok := id.takeFlow(r)
	if !ok {
		id.errorPage(w, r, errFlowExpired)
		return
	}
	if r.PostFormValue("action") == "cancel" {
		if !id.endFlow(f) {
			id.errorPage(w, r, errFlowExpired)
			return
		}
		id.fail(w, r, f, &oauthError{err: "access_denied", code: 65004, text: "User declined to consent to access the app."})
		return
	}
	username := strings.TrimSpace(r.PostFormValue("username"))
	password := r.PostFormValue("password")
	if username == "" {
		id.renderSignIn(w, http.StatusOK, f, "", "Enter a valid email address, phone number, or Skype name.", 900144)
		return
	}

	id.s.world.mu.Lock()
	home, u := id.s.world.userByUPN(username)
	var (
		known, passwordOK, canMFA bool
		userID, upn               string
	)
	if u != nil {
		known = true
		// Users without a password (the customers' own users) cannot sign in to the sandbox.
		passwordOK = u.password != "" && subtle.ConstantTimeCompare([]byte(u.password), []byte(password)) == 1
		canMFA, userID, upn = u.canDoMFA(), u.id, u.upn
	}
	homeID := ""
	if home != nil {
		homeID = home.id
	}
	id.s.world.mu.Unlock()

	switch {
	case !known:
		id.renderSignIn(w, http.StatusOK, f, username, "This username may be incorrect. Make sure you typed it correctly. Otherwise, pick one of the sandbox accounts below.", 50034)
		return
	case !passwordOK:
		id.renderSignIn(w, http.StatusOK, f, username, "Your account or password is incorrect. Every sandbox account's password is \""+sandboxPassword+"\".", 50126)
		return
	}
	id.passwordChecked(f, userID, homeID, canMFA)
	if canMFA {
		renderPage(w, http.StatusOK, "", pageMFA, mfaPageData{
			Action: "/" + url.PathEscape(f.tenantPath) + "/login/mfa", Flow: f.id, UPN: upn, AppName: f.appName,
			Number: mfaNumber(f.id),
		})
		return
	}
	// No MFA method registered: the sign-in ends with the password alone, as it does in a tenant
	// whose policies do not insist. The tokens say so (amr has no "mfa").
	if !id.endFlow(f) {
		id.errorPage(w, r, errFlowExpired)
		return
	}
	id.finish(w, r, f, grant{userID: userID, homeID: homeID, appID: f.appID, amr: []string{"pwd"}, authTime: id.s.world.now()}, true)
}

// mfa handles the simulated Microsoft Authenticator prompt: Approve or Deny.
func (id *identity) mfa(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	f, ok := id.takeFlow(r)
	if !ok || !f.awaitingMFA || f.userID == "" || !id.endFlow(f) {
		id.errorPage(w, r, errFlowExpired)
		return
	}
	if r.PostFormValue("action") != "approve" {
		id.fail(w, r, f, &oauthError{err: "access_denied", code: 500121, text: "Authentication failed during strong authentication request."})
		return
	}
	id.finish(w, r, f, grant{userID: f.userID, homeID: f.homeID, appID: f.appID, amr: []string{"pwd", "mfa"}, authTime: id.s.world.now()}, true)
}

// mfaNumber is the two-digit number shown as in Authenticator's number matching.
func mfaNumber(flowID string) int {
	sum := sha256.Sum256([]byte(flowID))
	return 10 + int(sum[0])%90
}

// finish ends a successful sign-in: it remembers the browser session (after a real sign-in),
// then either issues an authorization code to the app or completes the device code.
func (id *identity) finish(w http.ResponseWriter, r *http.Request, f *signInFlow, g grant, newSession bool) {
	g.appID = f.appID // a session started by another app signs in this one
	if newSession {
		id.startSession(w, g)
	}
	if f.kind == flowDevice {
		now := id.s.world.now()
		id.mu.Lock()
		d := id.devices[f.deviceCode]
		approved := d != nil && d.status == devicePending && now.Before(d.expires)
		if approved {
			d.status, d.grant = deviceApproved, g
		}
		id.mu.Unlock()
		if !approved {
			renderPage(w, http.StatusOK, "", pageDone, donePageData{
				Title:   "That code has expired",
				Message: "The code expired before the sign-in finished. Start the sign-in again in " + f.appName + ".",
				Code:    "AADSTS70020",
			})
			return
		}
		renderPage(w, http.StatusOK, "", pageDone, donePageData{
			Title:   "You’re signed in",
			Message: "You have signed in to " + f.appName + " on your other device. You can close this window.",
		})
		return
	}
	// A sign-in straight into a customer tenant meets the same checks as a refresh token
	// redeemed there; Entra shows the failure before any code is issued.
	if f.targetID != "" && f.targetID != g.homeID {
		id.s.world.mu.Lock()
		e := id.crossTenantCheckLocked(id.s.world.tenant(f.targetID), g, false)
		id.s.world.mu.Unlock()
		if e != nil {
			id.deliver(w, f, errorFields(id.describe(r, e)))
			return
		}
	}
	now := id.s.world.now()
	c := &authCode{grant: g, clientID: f.appID, redirectURI: f.redirectURI, challenge: f.challenge, method: f.method,
		targetID: f.targetID, scopes: f.scopes, nonce: f.nonce, expires: now.Add(codeLifetime)}
	code := randomToken(48)
	id.mu.Lock()
	id.pruneLocked(now)
	id.codes[code] = c
	id.mu.Unlock()
	id.deliver(w, f, [][2]string{{"code", code}})
}

// fail ends a sign-in with an error: to the app's redirect URI, or for a device code on a page
// (the device learns of it from its next poll).
func (id *identity) fail(w http.ResponseWriter, r *http.Request, f *signInFlow, e *oauthError) {
	if f.kind == flowDevice {
		id.mu.Lock()
		if d := id.devices[f.deviceCode]; d != nil && d.status == devicePending {
			d.status = deviceDeclined
		}
		id.mu.Unlock()
		renderPage(w, http.StatusOK, "", pageDone, donePageData{
			Title:   "Sign-in cancelled",
			Message: "Nothing was signed in. You can close this window, or start again from " + f.appName + ".",
			Code:    fmt.Sprintf("AADSTS%d", e.code),
		})
		return
	}
	id.deliver(w, f, errorFields(id.describe(r, e)))
}

// errorFields are the parameters of an error sent to a redirect URI.
func errorFields(d oauthErrorBody) [][2]string {
	return [][2]string{{"error", d.Error}, {"error_description", d.Description}, {"error_uri", d.ErrorURI}}
}

func (id *identity) deliver(w http.ResponseWriter, f *signInFlow, fields [][2]string) {
	if f.state != "" {
		fields = append(fields, [2]string{"state", f.state})
	}
	id.deliverFields(w, f, fields)
}

// deliverFields sends the result to the app in the response mode it asked for. form_post is an
// auto-submitting form (MSAL Go 1.7 and later ask for it, and its listener refuses GET).
func (id *identity) deliverFields(w http.ResponseWriter, f *signInFlow, fields [][2]string) {
	switch f.mode {
	case "form_post":
		data := formPostData{Action: f.redirectURI, Nonce: randomToken(12), AppName: f.appName}
		for _, kv := range fields {
			data.Fields = append(data.Fields, formField{Name: kv[0], Value: kv[1]})
		}
		origin := f.redirectURI
		if u, err := url.Parse(f.redirectURI); err == nil {
			origin = u.Scheme + "://" + u.Host
		}
		renderPage(w, http.StatusOK, "form-action 'self' "+origin+"; script-src 'nonce-"+data.Nonce+"'", pageFormPost, data)
	default:
		v := url.Values{}
		for _, kv := range fields {
			v.Set(kv[0], kv[1])
		}
		target := f.redirectURI
		if f.mode == "fragment" {
			target += "#" + v.Encode()
		} else if strings.Contains(target, "?") {
			target += "&" + v.Encode()
		} else {
			target += "?" + v.Encode()
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Location", target)
		w.WriteHeader(http.StatusFound)
	}
}

// renderSignIn shows the first page, with an error when a try failed.
func (id *identity) renderSignIn(w http.ResponseWriter, status int, f *signInFlow, username, problem string, code int) {
	data := signInPageData{
		Action: "/" + url.PathEscape(f.tenantPath) + "/login", Flow: f.id, Username: username,
		AppName: f.appName, Error: problem, Password: sandboxPassword,
	}
	if code != 0 {
		data.ErrorCode = fmt.Sprintf("AADSTS%d", code)
	}
	id.s.world.mu.Lock()
	if f.targetID != "" {
		if t := id.s.world.tenant(f.targetID); t != nil {
			data.Organization = t.displayName
		}
	}
	for _, u := range id.s.world.partner.users {
		if u.password == "" {
			continue
		}
		data.Accounts = append(data.Accounts, accountHint{UPN: u.upn, Name: u.displayName, Note: accountNote(u)})
	}
	id.s.world.mu.Unlock()
	renderPage(w, status, "", pageSignIn, data)
}

// accountNote says in a sentence what signing in as a sandbox account shows.
func accountNote(u *user) string {
	note := "Has no MFA method set up: signs in with the password alone, so Partner Center will refuse its tokens."
	if u.canDoMFA() {
		note = "Approves sign-ins in Microsoft Authenticator (MFA)."
	}
	if u.riskState == "atRisk" || u.riskState == "confirmedCompromised" {
		note += " Flagged as risky by Identity Protection, so customers refuse it delegated access."
	}
	return note
}

// ---------------------------------------------------------------------------------------------
// The browser session (single sign-on)

func (id *identity) startSession(w http.ResponseWriter, g grant) {
	id.s.world.mu.Lock()
	upn := ""
	if t := id.s.world.tenant(g.homeID); t != nil {
		if u := t.userByID(g.userID); u != nil {
			upn = u.upn
		}
	}
	id.s.world.mu.Unlock()
	value := randomToken(32)
	id.mu.Lock()
	id.sessions[value] = &ssoSession{grant: g, upn: upn, expires: g.authTime.Add(sessionLifetime)}
	id.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookieName, Value: value, Path: "/", Secure: true, HttpOnly: true,
		SameSite: http.SameSiteLaxMode})
}

// session is the browser's valid single sign-on session, or nil.
func (id *identity) session(r *http.Request) *ssoSession {
	c, err := r.Cookie(sessionCookieName)
	if err != nil {
		return nil
	}
	now := id.s.world.now()
	id.mu.Lock()
	defer id.mu.Unlock()
	sess := id.sessions[c.Value]
	if sess == nil || now.After(sess.expires) {
		return nil
	}
	return sess
}

// logout ends the browser session, as the end_session_endpoint does.
func (id *identity) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookieName); err == nil {
		id.mu.Lock()
		delete(id.sessions, c.Value)
		id.mu.Unlock()
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookieName, Value: "", Path: "/", Secure: true, HttpOnly: true, MaxAge: -1})
	if back := r.URL.Query().Get("post_logout_redirect_uri"); back != "" {
		if u, err := url.Parse(back); err == nil && u.Scheme == "http" && isLoopback(u.Hostname()) {
			http.Redirect(w, r, back, http.StatusFound)
			return
		}
	}
	renderPage(w, http.StatusOK, "", pageDone, donePageData{Title: "You signed out", Message: "You have signed out of the Onboard365 sandbox in this browser. You can close this window."})
}

// ---------------------------------------------------------------------------------------------
// Device code

func (id *identity) deviceCode(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		id.writeOAuthError(w, r, &oauthError{err: "invalid_request", code: 900144, text: "The request body is not a valid form."})
		return
	}
	ref, ok := id.resolveTenant(r)
	if !ok {
		id.writeOAuthError(w, r, errUnknownTenant(ref.path))
		return
	}
	clientID := r.PostFormValue("client_id")
	app, ok := id.lookupApp(clientID)
	if !ok {
		id.writeOAuthError(w, r, errUnknownApp(clientID, ref.path))
		return
	}
	scopes := strings.Fields(r.PostFormValue("scope"))
	if len(scopes) == 0 {
		id.writeOAuthError(w, r, &oauthError{err: "invalid_request", code: 900144, text: "The request body must contain the following parameter: 'scope'."})
		return
	}
	if _, e := parseScopes(scopes); e != nil {
		id.writeOAuthError(w, r, e)
		return
	}
	now := id.s.world.now()
	d := &deviceAuth{deviceCode: randomToken(48), userCode: userCode(), appID: app.appID, tenantPath: ref.path,
		targetID: ref.id(), scopes: scopes, expires: now.Add(deviceCodeLifetime)}
	id.mu.Lock()
	id.pruneLocked(now)
	id.devices[d.deviceCode] = d
	id.mu.Unlock()
	verify := id.s.base + "/common/oauth2/deviceauth"
	writeJSON(w, http.StatusOK, map[string]any{
		"user_code":        d.userCode,
		"device_code":      d.deviceCode,
		"verification_uri": verify,
		"expires_in":       int(deviceCodeLifetime / time.Second),
		"interval":         deviceInterval,
		"message":          fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verify, d.userCode),
	})
}

// userCode is eight capital letters, without the ones easily misread (I, L, O).
func userCode() string {
	const letters = "ABCDEFGHJKMNPQRSTUVWXYZ"
	var b [8]byte
	_, _ = rand.Read(b[:])
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b[:])
}

func (id *identity) devicePage(w http.ResponseWriter, r *http.Request) {
	renderPage(w, http.StatusOK, "", pageDevice, devicePageData{Action: "/" + url.PathEscape(r.PathValue("tenant")) + "/oauth2/deviceauth"})
}

// deviceCodeEntered checks the code typed on the device page and starts the sign-in for it.
func (id *identity) deviceCodeEntered(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	typed := strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(r.PostFormValue("otc")))
	now := id.s.world.now()
	var found *deviceAuth
	id.mu.Lock()
	for _, d := range id.devices {
		if typed != "" && subtle.ConstantTimeCompare([]byte(d.userCode), []byte(typed)) == 1 && d.status == devicePending && now.Before(d.expires) {
			found = d
		}
	}
	var f *signInFlow
	if found != nil {
		f = &signInFlow{id: randomToken(18), kind: flowDevice, tenantPath: found.tenantPath, targetID: found.targetID,
			appID: found.appID, deviceCode: found.deviceCode, scopes: found.scopes, created: now}
	}
	id.mu.Unlock()
	if f == nil {
		renderPage(w, http.StatusOK, "", pageDevice, devicePageData{
			Action: "/" + url.PathEscape(r.PathValue("tenant")) + "/oauth2/deviceauth",
			Error:  "That code didn’t work. Check the code and try again: it is shown by the app, and it expires after 15 minutes.",
		})
		return
	}
	if app, ok := id.lookupApp(f.appID); ok {
		f.appName = app.name
	}
	id.saveFlow(f)
	id.renderSignIn(w, http.StatusOK, f, "", "", 0)
}

// ---------------------------------------------------------------------------------------------
// The token endpoint

func (id *identity) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		id.writeOAuthError(w, r, &oauthError{err: "invalid_request", code: 900144, text: "The request body is not a valid form."})
		return
	}
	ref, ok := id.resolveTenant(r)
	if !ok {
		id.writeOAuthError(w, r, errUnknownTenant(ref.path))
		return
	}
	clientID, secret := r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	if u, p, ok := r.BasicAuth(); ok { // client_secret_basic
		clientID, secret = u, p
	}
	grantType := r.PostFormValue("grant_type")
	if grantType == "" {
		id.writeOAuthError(w, r, &oauthError{err: "invalid_request", code: 900144, text: "The request body must contain the following parameter: 'grant_type'."})
		return
	}
	if clientID == "" {
		id.writeOAuthError(w, r, &oauthError{err: "invalid_request", code: 900144, text: "The request body must contain the following parameter: 'client_id'."})
		return
	}
	app, ok := id.lookupApp(clientID)
	if !ok {
		id.writeOAuthError(w, r, errUnknownApp(clientID, ref.path))
		return
	}
	if secret != "" || grantType == "client_credentials" {
		if e := id.checkSecret(app, secret); e != nil {
			id.writeOAuthError(w, r, e)
			return
		}
	}
	var (
		body map[string]any
		e    *oauthError
	)
	switch grantType {
	case "authorization_code":
		body, e = id.redeemCode(r, ref, app)
	case "refresh_token":
		body, e = id.redeemRefreshToken(r, ref, app)
	case "client_credentials":
		body, e = id.clientCredentials(r, ref, app)
	case "urn:ietf:params:oauth:grant-type:device_code", "device_code":
		body, e = id.redeemDeviceCode(r, ref, app)
	default:
		e = &oauthError{err: "unsupported_grant_type", code: 70003, text: fmt.Sprintf("The app requested an unsupported grant type '%s'.", grantType)}
	}
	if e != nil {
		id.writeOAuthError(w, r, e)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, body)
}

// checkSecret verifies a client secret against the app's password credentials.
func (id *identity) checkSecret(app appInfo, secret string) *oauthError {
	if secret == "" {
		return &oauthError{status: http.StatusUnauthorized, err: "invalid_client", code: 7000218,
			text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."}
	}
	now := id.s.world.now()
	for _, p := range app.passwords {
		if p.secret != "" && subtle.ConstantTimeCompare([]byte(p.secret), []byte(secret)) == 1 {
			if !p.end.IsZero() && now.After(p.end) {
				return &oauthError{status: http.StatusUnauthorized, err: "invalid_client", code: 7000222, text: fmt.Sprintf(
					"The provided client secret keys for app '%s' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", app.appID)}
			}
			return nil
		}
	}
	return &oauthError{status: http.StatusUnauthorized, err: "invalid_client", code: 7000215, text: fmt.Sprintf(
		"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.appID)}
}

func (id *identity) redeemCode(r *http.Request, ref tenantRef, app appInfo) (map[string]any, *oauthError) {
	code := r.PostFormValue("code")
	if code == "" {
		return nil, &oauthError{err: "invalid_request", code: 900144, text: "The request body must contain the following parameter: 'code'."}
	}
	now := id.s.world.now()
	id.mu.Lock()
	c := id.codes[code]
	var wasRedeemed bool
	if c != nil {
		// A code is burnt by its first redemption, right or wrong: a second try, or a guess at
		// the verifier, gets nothing.
		wasRedeemed, c.redeemed = c.redeemed, true
	}
	id.mu.Unlock()
	switch {
	case c == nil:
		return nil, &oauthError{err: "invalid_grant", code: 9002313, text: "Invalid request. Request is malformed or invalid."}
	case wasRedeemed:
		return nil, &oauthError{err: "invalid_grant", code: 54005, text: "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token."}
	case now.After(c.expires):
		return nil, &oauthError{err: "invalid_grant", code: 70008, text: "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource."}
	case !strings.EqualFold(c.clientID, app.appID):
		return nil, &oauthError{err: "invalid_grant", code: 70000, text: "The provided authorization code was issued to a different client."}
	case r.PostFormValue("redirect_uri") != c.redirectURI:
		return nil, &oauthError{err: "invalid_grant", code: 70000, text: "The redirect_uri does not match the one the authorization code was requested with."}
	case c.challenge != "" && !pkceMatches(c.challenge, c.method, r.PostFormValue("code_verifier")):
		return nil, &oauthError{err: "invalid_grant", code: 501481, text: "The Code_Verifier does not match the code_challenge supplied in the authorization request."}
	}
	scopes := strings.Fields(r.PostFormValue("scope"))
	if len(scopes) == 0 {
		scopes = c.scopes
	}
	target := c.targetID
	if !ref.multi {
		target = ref.id()
	}
	return id.issueUserTokens(app, target, c.grant, scopes, c.nonce)
}

func pkceMatches(challenge, method, verifier string) bool {
	if verifier == "" {
		return false
	}
	want := verifier
	if method == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}

func (id *identity) redeemRefreshToken(r *http.Request, ref tenantRef, app appInfo) (map[string]any, *oauthError) {
	token := r.PostFormValue("refresh_token")
	if token == "" {
		return nil, &oauthError{err: "invalid_request", code: 900144, text: "The request body must contain the following parameter: 'refresh_token'."}
	}
	now := id.s.world.now()
	id.mu.Lock()
	rt := id.refresh[token]
	var (
		g      grant
		scopes []string
		stale  bool
		issued time.Time
	)
	if rt != nil {
		g, scopes, issued = rt.grant, rt.scopes, rt.issued
		stale = now.Sub(rt.usedAt) > refreshInactivity
		if !stale && strings.EqualFold(rt.appID, app.appID) {
			rt.usedAt = now
		}
	}
	id.mu.Unlock()
	switch {
	case rt == nil:
		return nil, &oauthError{err: "invalid_grant", code: 9002313, text: "Invalid request. Request is malformed or invalid."}
	case stale:
		return nil, &oauthError{err: "invalid_grant", code: 700082, text: fmt.Sprintf(
			"The refresh token has expired due to inactivity. The token was issued on %s and was inactive for 90.00:00:00.", issued.UTC().Format("2006-01-02T15:04:05.0000000Z"))}
	case !strings.EqualFold(g.appID, app.appID):
		return nil, &oauthError{err: "invalid_grant", code: 70000, text: "The refresh token was issued to a different client."}
	}
	if s := strings.Fields(r.PostFormValue("scope")); len(s) > 0 {
		scopes = s
	}
	return id.issueUserTokens(app, ref.id(), g, scopes, "")
}

func (id *identity) redeemDeviceCode(r *http.Request, ref tenantRef, app appInfo) (map[string]any, *oauthError) {
	if !app.publicClient {
		return nil, &oauthError{status: http.StatusUnauthorized, err: "invalid_client", code: 7000218,
			text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'. (Allow public client flows is off for this app registration.)"}
	}
	code := r.PostFormValue("device_code")
	now := id.s.world.now()
	id.mu.Lock()
	d := id.devices[code]
	var (
		status deviceStatus
		g      grant
		d2     deviceAuth
	)
	if d != nil {
		d2 = *d
		status, g = d.status, d.grant
		if status == deviceApproved && now.Before(d.expires) && strings.EqualFold(d.appID, app.appID) {
			d.status = deviceRedeemed
		}
	}
	id.mu.Unlock()
	switch {
	case d == nil || code == "":
		return nil, &oauthError{err: "invalid_grant", code: 70000, text: "The provided value for the input parameter 'device_code' is not valid."}
	case !strings.EqualFold(d2.appID, app.appID):
		return nil, &oauthError{err: "invalid_grant", code: 70000, text: "The device code was issued to a different client."}
	case !now.Before(d2.expires):
		return nil, &oauthError{err: "expired_token", code: 70020, text: "The provided value for the input parameter 'device_code' is not valid. This device code has expired."}
	case status == devicePending:
		return nil, &oauthError{err: "authorization_pending", code: 70016, text: "The provided request has not yet been authorized by the user. The user must input their code."}
	case status == deviceDeclined:
		return nil, &oauthError{err: "authorization_declined", code: 70000, text: "The user declined the sign-in request."}
	case status == deviceRedeemed:
		return nil, &oauthError{err: "invalid_grant", code: 54005, text: "The device code was already redeemed. Start a new sign-in."}
	}
	scopes := strings.Fields(r.PostFormValue("scope"))
	if len(scopes) == 0 {
		scopes = d2.scopes
	}
	target := d2.targetID
	if !ref.multi {
		target = ref.id()
	}
	return id.issueUserTokens(app, target, g, scopes, "")
}

// clientCredentials issues an app-only token: the app acting as itself in a tenant where it has
// a service principal (its own, or a customer that consented to it).
func (id *identity) clientCredentials(r *http.Request, ref tenantRef, app appInfo) (map[string]any, *oauthError) {
	if ref.multi {
		return nil, &oauthError{err: "invalid_request", code: 900023, text: fmt.Sprintf(
			"Specified tenant identifier '%s' is not valid for the client credentials flow: use the tenant's id or domain.", ref.path)}
	}
	scopes := withoutOIDC(strings.Fields(r.PostFormValue("scope"))) // MSAL adds openid, profile and offline_access; Entra ignores them here
	if len(scopes) != 1 || !strings.HasSuffix(scopes[0], "/.default") {
		return nil, &oauthError{err: "invalid_scope", code: 1002012, text: fmt.Sprintf(
			"The provided value for scope %s is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).", strings.Join(scopes, " "))}
	}
	req, e := parseScopes(scopes)
	if e != nil {
		return nil, e
	}
	w := id.s.world
	w.mu.Lock()
	t := ref.t
	var spID string
	for _, sp := range t.servicePrincipals {
		if strings.EqualFold(sp.appID, app.appID) {
			spID = sp.id
		}
	}
	_, consented := w.consents[t.id][app.appID]
	inHome := t == w.partner
	tid := t.id
	w.mu.Unlock()
	if !inHome && !consented && spID == "" {
		return nil, errAppNotInTenant(app, ref.path)
	}
	if spID == "" {
		spID = stableID(tid, "sp", app.appID)
	}
	now := id.s.world.now()
	at, err := id.s.keys.sign(claims{Aud: req.resource, Iss: "https://sts.windows.net/" + tid + "/",
		Iat: now.Add(-5 * time.Minute).Unix(), Nbf: now.Add(-5 * time.Minute).Unix(), Exp: now.Add(accessTokenSeconds * time.Second).Unix(),
		AppID: app.appID, Oid: spID, Sub: spID, Tid: tid, Ver: "1.0"})
	if err != nil {
		return nil, &oauthError{status: http.StatusInternalServerError, err: "temporarily_unavailable", code: 90033, text: "A transient error has occurred. Please try again."}
	}
	return map[string]any{"token_type": "Bearer", "expires_in": accessTokenSeconds, "ext_expires_in": accessTokenSeconds, "access_token": at}, nil
}

// tokenPlan is everything a token response needs, copied out of the world under its lock.
type tokenPlan struct {
	app                 appInfo
	userID, upn, name   string
	homeID, targetID    string
	amr                 []string
	req                 scopeRequest
	scp                 string // the access token's scp
	grantedScopes       string // the response's scope
	nonce               string
	authTime            time.Time
	wantRefresh, wantID bool
}

// issueUserTokens checks that the grant may have tokens in the target tenant ("" is the user's
// home) and issues them: an access token for the requested resource, an id token when openid was
// asked for, and a new refresh token when offline_access was (rotation: the old one stays valid,
// as in Entra). A refusal by Conditional Access is logged as a non-interactive sign-in.
func (id *identity) issueUserTokens(app appInfo, targetID string, g grant, scopes []string, nonce string) (map[string]any, *oauthError) {
	req, e := parseScopes(scopes)
	if e != nil {
		return nil, e
	}
	plan := tokenPlan{app: app, userID: g.userID, homeID: g.homeID, amr: g.amr, req: req, nonce: nonce, authTime: g.authTime,
		wantRefresh: req.offline, wantID: req.openid}

	w := id.s.world
	w.mu.Lock()
	home := w.tenant(g.homeID)
	var u *user
	if home != nil {
		u = home.userByID(g.userID)
	}
	if u == nil {
		w.mu.Unlock()
		return nil, &oauthError{err: "invalid_grant", code: 50173, text: "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password."}
	}
	target := home
	if targetID != "" {
		target = w.tenant(targetID)
	}
	if target == nil {
		w.mu.Unlock()
		return nil, errUnknownTenant(targetID)
	}
	if target != home {
		if e := id.crossTenantCheckLocked(target, g, true); e != nil {
			w.mu.Unlock()
			return nil, e
		}
	}
	plan.upn, plan.name, plan.targetID = u.upn, u.displayName, target.id
	short := req.short
	if req.isDefault {
		short = id.defaultScopesLocked(target, app.appID, u.id, req.resource)
	}
	w.mu.Unlock()

	plan.scp = strings.Join(short, " ")
	granted := slices.Clone(req.requested)
	if req.isDefault {
		// Entra answers a ".default" request with the permissions it stands for, and the
		// ".default" itself (MSAL counts a requested scope missing from the answer as declined).
		for _, s := range short {
			granted = append(granted, req.prefix+s)
		}
	}
	granted = append(granted, req.oidc...)
	plan.grantedScopes = strings.Join(granted, " ")
	return id.signTokens(plan)
}

// crossTenantCheckLocked applies the checks Entra makes when a partner user asks for a token in a
// customer tenant. The caller holds the world's lock. nonInteractive marks a failed sign-in that
// is recorded in the customer's sign-in log.
func (id *identity) crossTenantCheckLocked(target *tenant, g grant, nonInteractive bool) *oauthError {
	w := id.s.world
	if target == nil {
		return errUnknownTenant("")
	}
	home := w.tenant(g.homeID)
	if home == nil {
		return &oauthError{err: "invalid_grant", code: 50173, text: "The provided grant has expired due to it being revoked, a fresh auth token is needed."}
	}
	u := home.userByID(g.userID)
	if u == nil {
		return &oauthError{err: "invalid_grant", code: 50173, text: "The provided grant has expired due to it being revoked, a fresh auth token is needed."}
	}
	app, _ := id.partnerApp(g.appID)
	appName := app.name
	notInTenant := &oauthError{err: "invalid_grant", code: 50020, text: fmt.Sprintf(
		"User account '%s' from identity provider 'https://sts.windows.net/%s/' does not exist in tenant '%s' and cannot access the application '%s'(%s) in that tenant. The account needs to be added as an external user in the tenant first. Sign out and sign in again with a different Azure Active Directory user account.",
		u.upn, home.id, target.displayName, g.appID, appName)}

	// (1) Only the partner's own users reach customers, and (2) only through an active GDAP
	// relationship whose access assignment names a group the user is in (nested groups count).
	if home != w.partner {
		return notInTenant
	}
	if !id.hasGDAPAccessLocked(target.id, u.id) {
		return notInTenant
	}
	// (3) The app must be consented in the customer (Partner Center applicationconsents).
	if _, ok := w.consents[target.id][g.appID]; !ok {
		return &oauthError{err: "invalid_grant", code: 90099, text: fmt.Sprintf(
			"The application '%s' (%s) has not been authorized in the tenant '%s'. Applications must be authorized to access the customer tenant before partner delegated administrators can use them. Provide pre-consent or execute the appropriate Partner Center API to authorize the application.",
			g.appID, appName, target.id)}
	}
	if app.audience == "AzureADMyOrg" {
		return errAppNotInTenant(app, target.id)
	}
	// (4) A partner user flagged as risky in the partner tenant loses delegated access.
	if u.riskState == "atRisk" || u.riskState == "confirmedCompromised" {
		return &oauthError{err: "invalid_grant", code: 530034, text: fmt.Sprintf(
			"Delegated admin access for '%s' is blocked because the user is at risk in the partner tenant. Remediate the user's risk in the partner tenant (for example, dismiss the risky user in Identity Protection), then try again.", u.upn)}
	}
	// (5) The customer's Conditional Access may block service provider users.
	if pid, pname, blocked := blockingPolicy(target, w.partner.id); blocked {
		target.signIns = append(target.signIns, signIn{
			id: w.ids.newID("signIn", target.id, u.upn), created: w.now(), userPrincipalName: u.upn, homeTenantID: home.id, appDisplayName: appName,
			errorCode: 53003, failureReason: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.",
			policies:       []appliedPolicy{{id: pid, displayName: pname, result: "failure"}},
			nonInteractive: nonInteractive,
		})
		return &oauthError{err: "invalid_grant", code: 53003, text: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."}
	}
	return nil
}

// hasGDAPAccessLocked says whether an active relationship with the customer has an active access
// assignment to a group the user is in.
func (id *identity) hasGDAPAccessLocked(customerID, userID string) bool {
	w := id.s.world
	for _, rel := range w.activeRelationships(customerID) {
		for _, a := range rel.assignments {
			if a.status == "active" && w.partner.memberOf(userID, a.groupID) {
				return true
			}
		}
	}
	return false
}

// defaultScopesLocked is what ".default" stands for: the permissions the tenant granted the app
// (for a customer, those of its Partner Center consent; else the tenant's delegated grants),
// or the app's usual set when the tenant records none. The caller holds the world's lock.
func (id *identity) defaultScopesLocked(t *tenant, appID, userID, resource string) []string {
	resourceApp := graphAppID
	if resource == audPartnerCenter {
		resourceApp = partnerCenterAppID
	}
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, s) }) {
			out = append(out, s)
		}
	}
	for _, g := range id.s.world.consents[t.id][appID] {
		if strings.EqualFold(g.enterpriseApplicationID, resourceApp) {
			for _, s := range strings.Split(g.scope, ",") {
				add(s)
			}
		}
	}
	spOf := func(spID string) string {
		for _, sp := range t.servicePrincipals {
			if sp.id == spID {
				return sp.appID
			}
		}
		return resourceAppOf(t, spID) // Graph's and Partner Center's, made up on request
	}
	for _, g := range t.grants {
		if !strings.EqualFold(spOf(g.clientID), appID) || !strings.EqualFold(spOf(g.resourceID), resourceApp) {
			continue
		}
		if g.consentType == "AllPrincipals" || g.principalID == userID {
			for _, s := range strings.Fields(g.scope) {
				add(s)
			}
		}
	}
	if len(out) == 0 {
		if resource == audPartnerCenter {
			return []string{"user_impersonation"}
		}
		return slices.Clone(graphDefaultScopes)
	}
	return out
}

// signTokens signs the plan's tokens and stores the new refresh token.
func (id *identity) signTokens(p tokenPlan) (map[string]any, *oauthError) {
	now := id.s.world.now()
	internal := &oauthError{status: http.StatusInternalServerError, err: "temporarily_unavailable", code: 90033, text: "A transient error has occurred. Please try again."}
	ac := claims{Aud: p.req.resource, Iss: "https://sts.windows.net/" + p.targetID + "/",
		Iat: now.Add(-5 * time.Minute).Unix(), Nbf: now.Add(-5 * time.Minute).Unix(), Exp: now.Add(accessTokenSeconds * time.Second).Unix(),
		Amr: p.amr, AppID: p.app.appID, Name: p.name, Oid: p.userID, Scp: p.scp, Sub: pairwiseSub(p.userID, p.req.resource),
		Tid: p.targetID, Upn: p.upn, Ver: "1.0"}
	if p.targetID != p.homeID {
		ac.Idp = "https://sts.windows.net/" + p.homeID + "/"
	}
	at, err := id.s.keys.sign(ac)
	if err != nil {
		return nil, internal
	}
	clientInfo, _ := json.Marshal(map[string]string{"uid": p.userID, "utid": p.homeID})
	body := map[string]any{
		"token_type":     "Bearer",
		"scope":          p.grantedScopes,
		"expires_in":     accessTokenSeconds,
		"ext_expires_in": accessTokenSeconds,
		"access_token":   at,
		"client_info":    base64.RawURLEncoding.EncodeToString(clientInfo),
	}
	if p.wantID {
		ic := claims{Aud: p.app.appID, Iss: id.s.base + "/" + p.targetID + "/v2.0",
			Iat: now.Add(-5 * time.Minute).Unix(), Nbf: now.Add(-5 * time.Minute).Unix(), Exp: now.Add(time.Hour).Unix(),
			Name: p.name, Oid: p.userID, Sub: pairwiseSub(p.userID, p.app.appID), Tid: p.targetID, Username: p.upn,
			Nonce: p.nonce, Ver: "2.0"}
		if p.targetID != p.homeID {
			ic.Idp = "https://sts.windows.net/" + p.homeID + "/"
		}
		idt, err := id.s.keys.sign(ic)
		if err != nil {
			return nil, internal
		}
		body["id_token"] = idt
	}
	if p.wantRefresh {
		rt := "0.A" + SecretMarker + randomToken(64)
		id.mu.Lock()
		id.pruneLocked(now)
		id.refresh[rt] = &refreshGrant{
			grant:  grant{userID: p.userID, homeID: p.homeID, appID: p.app.appID, amr: slices.Clone(p.amr), authTime: p.authTime},
			scopes: slices.Clone(p.req.all), issued: now, usedAt: now,
		}
		id.mu.Unlock()
		body["refresh_token"] = rt
	}
	return body, nil
}

// pairwiseSub is a subject that differs per app (or resource), as Entra's sub does.
func pairwiseSub(userID, audience string) string {
	sum := sha256.Sum256([]byte(userID + "|" + audience))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:43]
}

// ---------------------------------------------------------------------------------------------
// Scopes

// scopeRequest is a scope parameter read the way Entra reads it: OpenID scopes, and the
// permissions of exactly one resource.
type scopeRequest struct {
	all             []string // as sent
	resource        string   // the access token's aud: audGraph or audPartnerCenter
	prefix          string   // how the client wrote the resource ("" when it wrote bare Graph names)
	requested       []string // the resource's scopes as the client wrote them
	short           []string // the same without the resource: the access token's scp
	isDefault       bool     // "<resource>/.default"
	oidc            []string
	openid, offline bool
}

var guidShape = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func parseScopes(scopes []string) (scopeRequest, *oauthError) {
	req := scopeRequest{all: slices.Clone(scopes)}
	for _, s := range scopes {
		switch strings.ToLower(s) {
		case "openid", "profile", "email", "offline_access":
			req.oidc = append(req.oidc, s)
			req.openid = req.openid || strings.EqualFold(s, "openid")
			req.offline = req.offline || strings.EqualFold(s, "offline_access")
			continue
		}
		resource, prefix, name := audGraph, "", s
		if i := strings.LastIndex(s, "/"); i > 0 && (strings.Contains(s[:i], "://") || guidShape.MatchString(s[:i])) {
			prefix, name = s[:i+1], s[i+1:]
			switch strings.ToLower(strings.TrimRight(s[:i], "/")) {
			case audGraph, graphAppID, "https://graph.microsoft.com/v1.0":
				resource = audGraph
			case audPartnerCenter, partnerCenterAppID:
				resource = audPartnerCenter
			default:
				return req, &oauthError{err: "invalid_resource", code: 500011, text: fmt.Sprintf(
					"The resource principal named %s was not found in the tenant. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. The sandbox simulates only Microsoft Graph and Partner Center.", s[:i])}
			}
		}
		if name == "" {
			return req, &oauthError{err: "invalid_scope", code: 70011, text: fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", s)}
		}
		if len(req.requested) > 0 && req.resource != resource {
			return req, &oauthError{err: "invalid_request", code: 28000, text: fmt.Sprintf(
				"Provided value for the input parameter scope is not valid because it contains more than one resource. Scope %s is not valid.", strings.Join(scopes, " "))}
		}
		req.resource = resource
		if req.prefix == "" {
			req.prefix = prefix
		}
		req.requested = append(req.requested, s)
		if name == ".default" {
			req.isDefault = true
			continue
		}
		req.short = append(req.short, name)
	}
	if req.resource == "" {
		// Only OpenID scopes: Entra issues a token for Graph to read the user's own profile.
		req.resource, req.short = audGraph, []string{"User.Read"}
	}
	if req.prefix == "" && req.resource == audGraph && req.isDefault {
		req.prefix = audGraph + "/"
	}
	return req, nil
}

// ---------------------------------------------------------------------------------------------
// Errors, in Entra's shape

// oauthError is an Entra error: the OAuth error, the AADSTS number and its text.
type oauthError struct {
	status int // 400 when 0
	err    string
	code   int
	text   string
}

type oauthErrorBody struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
}

// describe fills in an error as Entra reports it, with a trace id and the caller's correlation id
// (the client-request-id header MSAL sends).
func (id *identity) describe(r *http.Request, e *oauthError) oauthErrorBody {
	correlation := r.Header.Get("client-request-id")
	if !guidShape.MatchString(correlation) {
		correlation = newID()
	}
	trace := newID()
	stamp := id.s.world.now().UTC().Format("2006-01-02 15:04:05Z")
	return oauthErrorBody{
		Error: e.err,
		Description: fmt.Sprintf("AADSTS%d: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\nTimestamp: %s",
			e.code, e.text, trace, correlation, stamp),
		Codes: []int{e.code}, Timestamp: stamp, TraceID: trace, CorrelationID: correlation,
		ErrorURI: fmt.Sprintf("%s/error?code=%d", id.s.base, e.code),
	}
}

func (id *identity) writeOAuthError(w http.ResponseWriter, r *http.Request, e *oauthError) {
	status := e.status
	if status == 0 {
		status = http.StatusBadRequest
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, id.describe(r, e))
}

// errorPage shows an error that cannot go back to the app (its client id or redirect URI is not
// trusted), as Entra's "Sorry, but we're having trouble signing you in" page does.
func (id *identity) errorPage(w http.ResponseWriter, r *http.Request, e *oauthError) {
	d := id.describe(r, e)
	renderPage(w, http.StatusBadRequest, "", pageError, errorPageData{
		Title:         "Sorry, but we’re having trouble signing you in.",
		Message:       fmt.Sprintf("AADSTS%d: %s", e.code, e.text),
		Advice:        adviceFor(e.code),
		TraceID:       d.TraceID,
		CorrelationID: d.CorrelationID,
		Timestamp:     d.Timestamp,
	})
}

// errorLookup is the page an error_uri points to.
func (id *identity) errorLookup(w http.ResponseWriter, r *http.Request) {
	code, _ := strconv.Atoi(r.URL.Query().Get("code"))
	renderPage(w, http.StatusOK, "", pageError, errorPageData{
		Title:   fmt.Sprintf("Error AADSTS%d", code),
		Message: adviceFor(code),
	})
}

func errUnknownTenant(t string) *oauthError {
	return &oauthError{err: "invalid_tenant", code: 90002, text: fmt.Sprintf(
		"Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", t)}
}

func errUnknownApp(clientID, tenantPath string) *oauthError {
	return &oauthError{err: "unauthorized_client", code: 700016, text: fmt.Sprintf(
		"Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, tenantPath)}
}

func errAppNotInTenant(app appInfo, tenantPath string) *oauthError {
	return errUnknownApp(app.appID, tenantPath)
}

// ---------------------------------------------------------------------------------------------
// Small helpers

// randomToken is n random bytes, base64url: codes, refresh tokens, session and flow ids.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// pruneLocked forgets what can no longer be used, at most once a minute. The caller holds id.mu.
func (id *identity) pruneLocked(now time.Time) {
	if now.Sub(id.lastPrune) < time.Minute && !now.Before(id.lastPrune) {
		return
	}
	id.lastPrune = now
	for k, f := range id.flows {
		if now.Sub(f.created) > flowLifetime {
			delete(id.flows, k)
		}
	}
	for k, c := range id.codes {
		if now.After(c.expires.Add(codeLifetime)) {
			delete(id.codes, k)
		}
	}
	for k, s := range id.sessions {
		if now.After(s.expires) {
			delete(id.sessions, k)
		}
	}
	for k, d := range id.devices {
		if now.After(d.expires.Add(deviceCodeLifetime)) {
			delete(id.devices, k)
		}
	}
	// Refresh tokens are kept a little past their inactivity limit, so that a late redemption
	// still gets the helpful AADSTS700082 rather than "malformed".
	for k, rt := range id.refresh {
		if now.Sub(rt.usedAt) > 2*refreshInactivity {
			delete(id.refresh, k)
		}
	}
}

// home is the sandbox's landing page: what it is and how to use it.
func (id *identity) home(w http.ResponseWriter, r *http.Request) {
	id.s.world.mu.Lock()
	data := homePageData{Partner: id.s.world.partner.displayName, PartnerID: id.s.world.partner.id, Password: sandboxPassword,
		Customers: len(id.s.world.customers)}
	for _, u := range id.s.world.partner.users {
		if u.password != "" {
			data.Accounts = append(data.Accounts, accountHint{UPN: u.upn, Name: u.displayName, Note: accountNote(u)})
		}
	}
	id.s.world.mu.Unlock()
	renderPage(w, http.StatusOK, "", pageHome, data)
}
