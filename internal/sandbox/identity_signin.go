package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// The browser sign-in: the authorize request, the sign-in pages (password, then the simulated
// Microsoft Authenticator prompt), the answer to the app's redirect URI and the browser's single
// sign-on session. Part of the simulated identity platform (identity.go).

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
