package sandbox

import (
	"encoding/base64"
	"net/http"
	"strings"
	"time"
)

// App registrations: applications and their secrets, service principals, and the grants that
// consent creates (oauth2PermissionGrants for delegated permissions, appRoleAssignedTo for
// application permissions).

func (s *Server) appRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /v1.0/applications", s.endpoint(listApplications))
	s.handle(mux, "POST /v1.0/applications", s.endpoint(createApplication))
	s.handle(mux, "GET /v1.0/applications/{applicationId}", s.endpoint(getApplication))
	s.handle(mux, "PATCH /v1.0/applications/{applicationId}", s.endpoint(patchApplication))
	s.handle(mux, "POST /v1.0/applications/{applicationId}/addPassword", s.endpoint(addPassword))
	s.handle(mux, "POST /v1.0/applications/{applicationId}/removePassword", s.endpoint(removePassword))
	s.handle(mux, "GET /v1.0/servicePrincipals", s.endpoint(listServicePrincipals))
	s.handle(mux, "POST /v1.0/servicePrincipals", s.endpoint(createServicePrincipal))
	s.handle(mux, "GET /v1.0/servicePrincipals/{servicePrincipalId}/appRoleAssignedTo", s.endpoint(listAppRoleAssignedTo))
	s.handle(mux, "POST /v1.0/servicePrincipals/{servicePrincipalId}/appRoleAssignedTo", s.endpoint(createAppRoleAssignedTo))
	s.handle(mux, "GET /v1.0/oauth2PermissionGrants", s.endpoint(listOAuth2Grants))
	s.handle(mux, "POST /v1.0/oauth2PermissionGrants", s.endpoint(createOAuth2Grant))
	// Key segments such as servicePrincipals(appId='...') are one path segment.
	s.handle(mux, "GET /v1.0/{keySegment}", s.endpoint(getByAlternateKey))
}

func applicationJSON(a *application) map[string]any {
	creds := make([]any, len(a.passwords))
	for i, p := range a.passwords {
		creds[i] = map[string]any{"keyId": p.keyID, "displayName": p.displayName, "hint": p.hint,
			"startDateTime": timeString(p.start), "endDateTime": timeString(p.end), "secretText": nil}
	}
	uris := make([]any, len(a.redirectURIs))
	for i, u := range a.redirectURIs {
		uris[i] = u
	}
	web := make([]any, len(a.webRedirectURIs))
	for i, u := range a.webRedirectURIs {
		web[i] = u
	}
	rra := make([]any, len(a.requiredResourceAccess))
	for i, r := range a.requiredResourceAccess {
		rra[i] = r
	}
	return map[string]any{
		"id": a.id, "appId": a.appID, "displayName": a.displayName, "signInAudience": a.signInAudience,
		"isFallbackPublicClient": a.fallbackPublicClient, "publicClient": map[string]any{"redirectUris": uris},
		"web":                    map[string]any{"redirectUris": web},
		"requiredResourceAccess": rra, "passwordCredentials": creds,
	}
}

func servicePrincipalJSON(sp *servicePrincipal) map[string]any {
	return map[string]any{"id": sp.id, "appId": sp.appID, "displayName": sp.displayName, "servicePrincipalType": "Application", "accountEnabled": true}
}

func listApplications(c *graphCall) {
	items := make([]map[string]any, 0, len(c.p.tenant.applications))
	for _, a := range c.p.tenant.applications {
		items = append(items, applicationJSON(a))
	}
	c.collection("applications", items, 100, 999)
}

func (c *graphCall) application() *application {
	id := c.r.PathValue("applicationId")
	for _, a := range c.p.tenant.applications {
		if a.id == id {
			return a
		}
	}
	c.notFound(id)
	return nil
}

func getApplication(c *graphCall) {
	if a := c.application(); a != nil {
		c.object(http.StatusOK, "applications/$entity", applicationJSON(a))
	}
}

// applicationBody is what POST and PATCH of an application may set.
type applicationBody struct {
	DisplayName            *string `json:"displayName"`
	SignInAudience         *string `json:"signInAudience"`
	IsFallbackPublicClient *bool   `json:"isFallbackPublicClient"`
	PublicClient           *struct {
		RedirectURIs []string `json:"redirectUris"`
	} `json:"publicClient"`
	Web *struct {
		RedirectURIs []string `json:"redirectUris"`
	} `json:"web"`
	RequiredResourceAccess []map[string]any `json:"requiredResourceAccess"`
}

func (b applicationBody) applyTo(a *application) {
	if b.DisplayName != nil {
		a.displayName = *b.DisplayName
	}
	if b.SignInAudience != nil {
		a.signInAudience = *b.SignInAudience
	}
	if b.IsFallbackPublicClient != nil {
		a.fallbackPublicClient = *b.IsFallbackPublicClient
	}
	if b.PublicClient != nil {
		a.redirectURIs = b.PublicClient.RedirectURIs
	}
	if b.Web != nil {
		a.webRedirectURIs = b.Web.RedirectURIs
	}
	if b.RequiredResourceAccess != nil {
		a.requiredResourceAccess = b.RequiredResourceAccess
	}
}

func createApplication(c *graphCall) {
	var body applicationBody
	if !c.readJSON(&body) {
		return
	}
	if body.DisplayName == nil || *body.DisplayName == "" {
		writeGraphError(c.w, http.StatusBadRequest, "Request_BadRequest", "The application needs a displayName.")
		return
	}
	a := &application{id: c.s.world.ids.newID("application", *body.DisplayName), appID: c.s.world.ids.newID("appId", *body.DisplayName), signInAudience: "AzureADMyOrg"}
	body.applyTo(a)
	c.p.tenant.applications = append(c.p.tenant.applications, a)
	c.object(http.StatusCreated, "applications/$entity", applicationJSON(a))
}

func patchApplication(c *graphCall) {
	a := c.application()
	if a == nil {
		return
	}
	var body applicationBody
	if !c.readJSON(&body) {
		return
	}
	body.applyTo(a)
	c.w.WriteHeader(http.StatusNoContent)
}

// addPassword makes a client secret. Its text is in this answer only, as in Microsoft's cloud.
func addPassword(c *graphCall) {
	a := c.application()
	if a == nil {
		return
	}
	var body struct {
		PasswordCredential struct {
			DisplayName string     `json:"displayName"`
			EndDateTime *time.Time `json:"endDateTime"`
		} `json:"passwordCredential"`
	}
	if !c.readJSON(&body) {
		return
	}
	now := c.s.world.now()
	end := now.AddDate(0, 6, 0)
	if e := body.PasswordCredential.EndDateTime; e != nil {
		if e.Before(now) || e.After(now.AddDate(2, 0, 1)) {
			writeGraphError(c.w, http.StatusBadRequest, "InvalidPasswordCredentialEndDateTime", "The secret must expire within two years from now.")
			return
		}
		end = *e
	}
	var raw [30]byte
	c.s.world.ids.read(raw[:], "secret", a.id)
	secret := SecretMarker + "~" + base64.RawURLEncoding.EncodeToString(raw[:])
	p := passwordCredential{keyID: c.s.world.ids.newID("password", a.id), displayName: body.PasswordCredential.DisplayName, hint: secret[:3], secret: secret, start: now, end: end}
	a.passwords = append(a.passwords, p)
	c.object(http.StatusOK, "microsoft.graph.passwordCredential", map[string]any{
		"keyId": p.keyID, "displayName": p.displayName, "hint": p.hint, "secretText": secret,
		"startDateTime": timeString(p.start), "endDateTime": timeString(p.end),
	})
}

func removePassword(c *graphCall) {
	a := c.application()
	if a == nil {
		return
	}
	var body struct {
		KeyID string `json:"keyId"`
	}
	if !c.readJSON(&body) {
		return
	}
	kept := a.passwords[:0]
	found := false
	for _, p := range a.passwords {
		if p.keyID == body.KeyID {
			found = true
			continue
		}
		kept = append(kept, p)
	}
	if !found {
		writeGraphError(c.w, http.StatusBadRequest, "Request_BadRequest", "No password credential with keyId "+body.KeyID+".")
		return
	}
	a.passwords = kept
	c.w.WriteHeader(http.StatusNoContent)
}

func listServicePrincipals(c *graphCall) {
	items := make([]map[string]any, 0, len(c.p.tenant.servicePrincipals))
	for _, sp := range c.p.tenant.servicePrincipals {
		items = append(items, servicePrincipalJSON(sp))
	}
	c.collection("servicePrincipals", items, 100, 999)
}

func createServicePrincipal(c *graphCall) {
	var body struct {
		AppID string `json:"appId"`
	}
	if !c.readJSON(&body) {
		return
	}
	var app *application
	for _, a := range c.p.tenant.applications {
		if a.appID == body.AppID {
			app = a
		}
	}
	if app == nil || c.s.world.notReplicated(app.appID) {
		// A new app takes a few seconds to replicate in Entra; the sandbox answers the same way
		// for an app id it does not know, so the app's wait-and-retry is exercised.
		writeGraphError(c.w, http.StatusBadRequest, "Request_BadRequest", "The appId '"+body.AppID+"' of the service principal does not reference a valid application object.")
		return
	}
	for _, sp := range c.p.tenant.servicePrincipals {
		if sp.appID == body.AppID {
			writeGraphError(c.w, http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "A service principal for this app already exists.")
			return
		}
	}
	sp := &servicePrincipal{id: c.s.world.ids.newID("servicePrincipal", app.appID), appID: app.appID, displayName: app.displayName}
	c.p.tenant.servicePrincipals = append(c.p.tenant.servicePrincipals, sp)
	c.object(http.StatusCreated, "servicePrincipals/$entity", servicePrincipalJSON(sp))
}

// getByAlternateKey serves servicePrincipals(appId='...') and applications(appId='...').
func getByAlternateKey(c *graphCall) {
	key := c.r.PathValue("keySegment")
	entity, rest, ok := strings.Cut(key, "(appId='")
	appID, ok2 := strings.CutSuffix(rest, "')")
	if !ok || !ok2 || (entity != "servicePrincipals" && entity != "applications") {
		writeGraphError(c.w, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment '"+key+"'.")
		return
	}
	if entity == "servicePrincipals" {
		for _, sp := range c.p.tenant.servicePrincipals {
			if strings.EqualFold(sp.appID, appID) {
				c.object(http.StatusOK, "servicePrincipals/$entity", servicePrincipalJSON(sp))
				return
			}
		}
		if strings.EqualFold(appID, graphAppID) || strings.EqualFold(appID, partnerCenterAppID) {
			// Microsoft's own resource apps exist in every tenant.
			name := "Microsoft Graph"
			if strings.EqualFold(appID, partnerCenterAppID) {
				name = "Microsoft Partner Center"
			}
			sp := &servicePrincipal{id: stableID(c.p.tenant.id, "sp", appID), appID: appID, displayName: name}
			c.object(http.StatusOK, "servicePrincipals/$entity", servicePrincipalJSON(sp))
			return
		}
	} else {
		for _, a := range c.p.tenant.applications {
			if strings.EqualFold(a.appID, appID) {
				c.object(http.StatusOK, "applications/$entity", applicationJSON(a))
				return
			}
		}
	}
	c.notFound(key)
}

func listOAuth2Grants(c *graphCall) {
	items := make([]map[string]any, 0, len(c.p.tenant.grants))
	for _, g := range c.p.tenant.grants {
		items = append(items, oauth2GrantJSON(g))
	}
	c.collection("oauth2PermissionGrants", items, 100, 999)
}

func oauth2GrantJSON(g *oauth2Grant) map[string]any {
	var principal any
	if g.principalID != "" {
		principal = g.principalID
	}
	return map[string]any{"id": g.id, "clientId": g.clientID, "resourceId": g.resourceID, "consentType": g.consentType, "principalId": principal, "scope": g.scope}
}

func createOAuth2Grant(c *graphCall) {
	if c.consentRefused() {
		return
	}
	var body struct {
		ClientID    string `json:"clientId"`
		ResourceID  string `json:"resourceId"`
		ConsentType string `json:"consentType"`
		PrincipalID string `json:"principalId"`
		Scope       string `json:"scope"`
	}
	if !c.readJSON(&body) {
		return
	}
	if body.ClientID == "" || body.ResourceID == "" || (body.ConsentType != "AllPrincipals" && body.ConsentType != "Principal") || strings.TrimSpace(body.Scope) == "" {
		writeGraphError(c.w, http.StatusBadRequest, "Request_BadRequest", "A grant needs clientId, resourceId, consentType AllPrincipals or Principal, and a scope.")
		return
	}
	for _, g := range c.p.tenant.grants {
		if g.clientID == body.ClientID && g.resourceID == body.ResourceID && g.consentType == body.ConsentType && g.principalID == body.PrincipalID {
			writeGraphError(c.w, http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "Permission entry already exists.")
			return
		}
	}
	g := &oauth2Grant{id: c.s.world.ids.newID("grant", body.ClientID, body.ResourceID, body.PrincipalID), clientID: body.ClientID, resourceID: body.ResourceID, consentType: body.ConsentType, principalID: body.PrincipalID, scope: body.Scope}
	c.p.tenant.grants = append(c.p.tenant.grants, g)
	c.object(http.StatusCreated, "oauth2PermissionGrants/$entity", oauth2GrantJSON(g))
}

func listAppRoleAssignedTo(c *graphCall) {
	resource := c.r.PathValue("servicePrincipalId")
	var items []map[string]any
	for _, a := range c.p.tenant.appRoleGrants {
		if a.resourceID == resource {
			items = append(items, appRoleAssignmentJSON(a))
		}
	}
	c.collection("servicePrincipals('"+resource+"')/appRoleAssignedTo", items, 100, 999)
}

func appRoleAssignmentJSON(a *appRoleAssignment) map[string]any {
	return map[string]any{"id": a.id, "principalId": a.principalID, "resourceId": a.resourceID, "appRoleId": a.appRoleID, "principalType": "ServicePrincipal"}
}

func createAppRoleAssignedTo(c *graphCall) {
	if c.consentRefused() {
		return
	}
	var body struct {
		PrincipalID string `json:"principalId"`
		ResourceID  string `json:"resourceId"`
		AppRoleID   string `json:"appRoleId"`
	}
	if !c.readJSON(&body) {
		return
	}
	if body.PrincipalID == "" || body.AppRoleID == "" || body.ResourceID != c.r.PathValue("servicePrincipalId") {
		writeGraphError(c.w, http.StatusBadRequest, "Request_BadRequest", "An app role assignment needs principalId, appRoleId, and the resourceId of the service principal in the path.")
		return
	}
	a := &appRoleAssignment{id: c.s.world.ids.newID("appRoleAssignment", body.PrincipalID, body.ResourceID, body.AppRoleID), principalID: body.PrincipalID, resourceID: body.ResourceID, appRoleID: body.AppRoleID}
	c.p.tenant.appRoleGrants = append(c.p.tenant.appRoleGrants, a)
	c.object(http.StatusCreated, "servicePrincipals('"+body.ResourceID+"')/appRoleAssignedTo/$entity", appRoleAssignmentJSON(a))
}
