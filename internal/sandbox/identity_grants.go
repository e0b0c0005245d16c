package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Grants: the token endpoint, the grants it redeems (authorization code, refresh token, client
// credentials), the checks Entra makes before a partner user gets a customer's token, what
// ".default" stands for, and how a scope parameter is read. Part of the simulated identity
// platform (identity.go); device codes are in identity_device.go, signing in identity_signing.go.

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
		short = w.consentedScopes(target, app.appID, u.id, req.resource)
		if len(short) == 0 {
			w.mu.Unlock()
			return nil, &oauthError{err: "invalid_grant", code: 65001, text: fmt.Sprintf(
				"The user or administrator has not consented to use the application with ID '%s' named '%s'. Send an interactive authorization request for this user and resource.", app.appID, app.name)}
		}
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

// consentedScopes is what ".default" stands for, as Entra decides it: the permissions the
// tenant records as granted to the app (for a customer, those of its Partner Center consent; and
// the tenant's delegated permission grants for everyone or for this user). Nothing recorded
// gives nothing (the caller answers AADSTS65001, as Entra does). The caller holds the world's lock.
func (w *world) consentedScopes(t *tenant, appID, userID, resource string) []string {
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
	for _, g := range w.consents[t.id][appID] {
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
	return out
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
