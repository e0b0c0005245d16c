package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strconv"
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
// The flows live in their own files: identity_discovery.go (OpenID configuration, keys),
// identity_signin.go (the authorize request, the sign-in pages, single sign-on),
// identity_device.go (device code), identity_grants.go (the token endpoint, its grants, the
// cross-tenant checks, scopes) and identity_signing.go (the tokens themselves). This file holds
// the state they share, the routes, Entra's error shape and small helpers.
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
