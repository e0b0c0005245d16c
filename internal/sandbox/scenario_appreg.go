package sandbox

import (
	"net/http"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/reference/learn"
)

// What the App registration wizard meets in the sandbox: a partner tenant that has no app yet,
// apps that are half made, the delay Entra has before a new app can be used everywhere, and the
// refusals a technician meets (no role to manage apps, admin consent forbidden, a customer
// whose relationship does not allow consent). Every App registration scenario starts from the
// default one: the same twelve customers.

// Scenario names of the App registration wizard.
const (
	// ScenarioFresh is the default scenario before Onboard365 was ever set up: the partner
	// tenant has no Onboard365 app, and no customer has consented to one.
	ScenarioFresh = "fresh"
	// ScenarioAppNoSP: the app registration exists, complete, but its service principal (and
	// so its admin consent) is missing.
	ScenarioAppNoSP = "app-without-sp"
	// ScenarioAppExpiredSecret: the app is complete, but its only client secret expired.
	ScenarioAppExpiredSecret = "app-expired-secret"
	// ScenarioAppMissingPermission: the app lacks one permission (AuditLog.Read.All), in its
	// registration and in its admin consent.
	ScenarioAppMissingPermission = "app-missing-permission"
	// ScenarioNoAppAdmin is ScenarioFresh with a technician who has no role that may manage app
	// registrations (Microsoft answers 403).
	ScenarioNoAppAdmin = "no-app-admin"
	// ScenarioConsentDenied is ScenarioFresh where the tenant refuses admin consent to the
	// technician (Microsoft answers 403 to the grants).
	ScenarioConsentDenied = "consent-denied"
)

// AppScenarios are the App registration scenarios, for the command line's help.
var AppScenarios = []string{ScenarioFresh, ScenarioAppNoSP, ScenarioAppExpiredSecret, ScenarioAppMissingPermission, ScenarioNoAppAdmin, ScenarioConsentDenied}

// HalfMadeSecret is the client secret of the half-made apps (their one secret; expired in
// ScenarioAppExpiredSecret), so a test can put it in the keychain as if this computer had made it.
const HalfMadeSecret = SecretMarker + "~half-made-app-secret-0123456789"

// HalfMadeSecretEnd is when HalfMadeSecret ends, relative to the scenario's clock.
func HalfMadeSecretEnd(scenario string, now time.Time) time.Time {
	if scenario == ScenarioAppExpiredSecret {
		return now.AddDate(0, 0, -3).UTC().Truncate(time.Second)
	}
	return now.AddDate(0, 4, 0).UTC().Truncate(time.Second)
}

// GraphCommandLineToolsID is Microsoft's own public client "Microsoft Graph Command Line
// Tools", which every tenant knows (Microsoft Graph PowerShell signs in with it): the App
// registration wizard's administrator signs in with it.
const GraphCommandLineToolsID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

// defaultAppReplication is how many times, in the App registration scenarios, POST
// /servicePrincipals answers that a new app does not exist yet before it does.
const defaultAppReplication = 2

// appregState is the App registration wizard's part of the world.
type appregState struct {
	initial       map[string]bool // app ids the scenario started with (not new, so replicated)
	replication   int             // tries a new app stays invisible to POST /servicePrincipals
	tries         map[string]int  // app id -> tries so far
	consentDenied bool            // POST oauth2PermissionGrants and appRoleAssignedTo answer 403
}

// isAppScenario says whether name is one of AppScenarios.
func isAppScenario(name string) bool {
	for _, s := range AppScenarios {
		if s == name {
			return true
		}
	}
	return false
}

// appScenario builds one of AppScenarios.
func appScenario(name string, now time.Time) (*world, error) {
	w := contosoPartners(now)
	p := w.partner
	// Before Onboard365: no app, no consent in any customer.
	p.applications, p.servicePrincipals = nil, nil
	for _, c := range w.customers {
		delete(w.consents[c.id], AppID)
		var kept []*servicePrincipal
		for _, sp := range c.servicePrincipals {
			if sp.appID != AppID {
				kept = append(kept, sp)
			}
		}
		c.servicePrincipals = kept
	}
	// A customer that refuses consent: Woodgrove Bank's relationship grants neither Application
	// Administrator nor Cloud Application Administrator, so Partner Center will not consent there.
	for _, r := range w.relationships {
		if r.customerName == "Woodgrove Bank" {
			r.roles = without(r.roles, roleAppAdmin, roleCloudAppAdmin)
			for _, a := range r.assignments {
				a.roles = without(a.roles, roleAppAdmin, roleCloudAppAdmin)
			}
		}
	}
	switch name {
	case ScenarioNoAppAdmin:
		// Members may not register applications here (a tenant setting), and Alex holds no
		// role that may: Microsoft refuses to create the app (rbac-application-apis-write).
		p.restrictAppRegistration = true
		for _, u := range p.users {
			if strings.HasPrefix(u.upn, "alex@") {
				u.isAdmin = false
				u.displayName = "Alex Wilber (technician, no admin role)"
			}
		}
	case ScenarioConsentDenied:
		w.appreg.consentDenied = true
	case ScenarioAppNoSP, ScenarioAppExpiredSecret, ScenarioAppMissingPermission:
		if err := halfMadeApp(w, name, now); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// halfMadeApp gives the partner the Onboard365 app as the wizard makes it (with the consent the
// scenarios record, scenario_consent.go), with one thing broken.
func halfMadeApp(w *world, scenario string, now time.Time) error {
	partner, customers := onboard365PartnerConsent, onboard365CustomerConsent
	if scenario == ScenarioAppMissingPermission {
		partner, customers = withoutName(partner, "AuditLog.Read.All"), withoutName(customers, "AuditLog.Read.All")
	}
	p := w.partner
	app := &application{
		id: stableID("partner", "application", "onboard365"), appID: AppID, displayName: appDefaultName,
		signInAudience: "AzureADMultipleOrgs", redirectURIs: []string{"http://localhost"}, fallbackPublicClient: true,
		scopes: union(partner, customers),
		passwords: []passwordCredential{{keyID: stableID("partner", "application", "onboard365", "secret"), displayName: "Onboard365",
			hint: HalfMadeSecret[:3], secret: HalfMadeSecret, start: now.AddDate(0, -5, 0), end: HalfMadeSecretEnd(scenario, now)}},
	}
	p.applications = []*application{app}
	if scenario != ScenarioAppNoSP {
		sp := &servicePrincipal{id: stableID("partner", "sp", "onboard365"), appID: AppID, displayName: appDefaultName}
		p.servicePrincipals = []*servicePrincipal{sp}
		p.grants = onboard365Grants(p, sp.id, partner)
	}
	for _, c := range w.customers {
		if c.displayName == "Relecloud" {
			continue // as in the default scenario: the app has no consent there
		}
		w.consents[c.id] = map[string][]applicationGrant{AppID: {{enterpriseApplicationID: graphAppID, scope: strings.Join(customers, ",")}}}
		c.servicePrincipals = append(c.servicePrincipals, &servicePrincipal{id: stableID(c.domain, "sp", "onboard365"), appID: AppID, displayName: appDefaultName})
	}
	return nil
}

// appDefaultName is the name the App registration wizard gives the app unless told otherwise.
const appDefaultName = "Onboard365"

func withoutName(names []string, drop string) []string {
	var out []string
	for _, n := range names {
		if !strings.EqualFold(n, drop) {
			out = append(out, n)
		}
	}
	return out
}

// resolveAccess turns the scenario apps' permission names into requiredResourceAccess, with
// the GUIDs of Microsoft's reference data.
func (w *world) resolveAccess(pages *learn.Data) {
	for _, t := range w.tenantList() {
		for _, a := range t.applications {
			if a.scopes != nil && a.requiredResourceAccess == nil {
				a.requiredResourceAccess = onboard365Access(pages, a.scopes)
			}
		}
	}
}

// setUpAppreg records the scenario's apps as replicated and sets the replication delay: the
// option when given, else the App registration scenarios' default.
func (w *world) setUpAppreg(scenario string, replication int) {
	if w.appreg.initial == nil {
		w.appreg.initial = map[string]bool{}
	}
	w.appreg.tries = map[string]int{}
	for _, a := range w.partner.applications {
		w.appreg.initial[a.appID] = true
	}
	switch {
	case replication > 0:
		w.appreg.replication = replication
	case replication == 0 && isAppScenario(scenario):
		w.appreg.replication = defaultAppReplication
	}
}

// notReplicated says whether POST /servicePrincipals must still answer that a new app does not
// exist: Entra's replication delay, counted in tries so tests stay quick. The caller holds the
// world's lock.
func (w *world) notReplicated(appID string) bool {
	if w.appreg.initial[appID] || w.appreg.replication <= 0 {
		return false
	}
	w.appreg.tries[appID]++
	return w.appreg.tries[appID] <= w.appreg.replication
}

// consentRefused answers 403 when the scenario forbids the technician admin consent.
func (c *graphCall) consentRefused() bool {
	if !c.s.world.appreg.consentDenied {
		return false
	}
	writeGraphError(c.w, http.StatusForbidden, "Authorization_RequestDenied",
		"Insufficient privileges to complete the operation. The tenant does not allow this user to grant consent on behalf of the organization.")
	return true
}

// firstPartyApp is one of Microsoft's own public clients that every tenant knows.
func firstPartyApp(clientID string) (appInfo, bool) {
	if strings.EqualFold(clientID, GraphCommandLineToolsID) {
		return appInfo{appID: GraphCommandLineToolsID, name: "Microsoft Graph Command Line Tools", audience: "AzureADMultipleOrgs",
			redirectURIs: []string{"http://localhost"}, publicClient: true}, true
	}
	return appInfo{}, false
}

// resourceAppOf names the Microsoft resource app whose service principal spID is: the sandbox
// makes Microsoft Graph's and Partner Center's service principals up on request (every tenant
// has them), with ids of its own.
func resourceAppOf(t *tenant, spID string) string {
	for _, appID := range []string{graphAppID, partnerCenterAppID} {
		if spID == stableID(t.id, "sp", appID) {
			return appID
		}
	}
	return ""
}

func (s *Server) appregRoutes(mux *http.ServeMux) {
	s.handle(mux, "PATCH /v1.0/oauth2PermissionGrants/{grantId}", s.endpoint(patchOAuth2Grant))
}

// patchOAuth2Grant changes the scope of a delegated grant (admin consent to more permissions).
func patchOAuth2Grant(c *graphCall) {
	if c.consentRefused() {
		return
	}
	id := c.r.PathValue("grantId")
	var g *oauth2Grant
	for _, x := range c.p.tenant.grants {
		if x.id == id {
			g = x
		}
	}
	if g == nil {
		c.notFound(id)
		return
	}
	var body struct {
		Scope *string `json:"scope"`
	}
	if !c.readJSON(&body) {
		return
	}
	if body.Scope == nil || strings.TrimSpace(*body.Scope) == "" {
		writeGraphError(c.w, http.StatusBadRequest, "Request_BadRequest", "A grant needs a scope.")
		return
	}
	g.scope = strings.TrimSpace(*body.Scope)
	c.w.WriteHeader(http.StatusNoContent)
}

func (t *tenant) servicePrincipalByID(id string) *servicePrincipal {
	for _, sp := range t.servicePrincipals {
		if sp.id == id {
			return sp
		}
	}
	return nil
}

// relationshipAllowsConsent says whether an active relationship with the customer grants a
// role that may consent an application (Application Administrator or Cloud Application
// Administrator): Partner Center refuses applicationconsents without one. The caller holds the
// world's lock.
func (w *world) relationshipAllowsConsent(customerID string) bool {
	for _, r := range w.activeRelationships(customerID) {
		for _, role := range r.roles {
			if role == roleAppAdmin || role == roleCloudAppAdmin || role == roleGlobalAdmin {
				return true
			}
		}
	}
	return false
}

// withoutOIDC drops the OpenID Connect scopes MSAL adds to every token request, which Entra
// ignores in a client credentials request (the App registration wizard proves a new secret so).
func withoutOIDC(scopes []string) []string {
	var out []string
	for _, s := range scopes {
		switch strings.ToLower(s) {
		case "openid", "profile", "offline_access", "email":
			continue
		}
		out = append(out, s)
	}
	return out
}
