package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
)

// Security: authentication methods, Conditional Access, security defaults, sign-in logs and risky
// users. Several of these need a premium licence, as in Microsoft's cloud: Entra ID P1 for
// reports, Conditional Access and sign-in logs; P2 for risky users.

func (s *Server) securityRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /v1.0/reports/authenticationMethods/userRegistrationDetails", s.endpoint(listRegistrationDetails))
	s.handle(mux, "GET /v1.0/users/{userId}/authentication/microsoftAuthenticatorMethods", s.endpoint(listAuthenticatorMethods))
	s.handle(mux, "GET /beta/users/{userId}/authentication/signInPreferences", s.endpoint(getSignInPreferences))
	s.handle(mux, "PATCH /beta/users/{userId}/authentication/signInPreferences", s.endpoint(patchSignInPreferences))
	s.handle(mux, "GET /v1.0/identity/conditionalAccess/policies", s.endpoint(listPolicies))
	s.handle(mux, "GET /v1.0/identity/conditionalAccess/policies/{policyId}", s.endpoint(getPolicy))
	s.handle(mux, "PATCH /v1.0/identity/conditionalAccess/policies/{policyId}", s.endpoint(patchPolicy))
	s.handle(mux, "GET /v1.0/policies/identitySecurityDefaultsEnforcementPolicy", s.endpoint(getSecurityDefaults))
	s.handle(mux, "GET /v1.0/auditLogs/signIns", s.endpoint(listSignIns))
	s.handle(mux, "GET /beta/auditLogs/signIns", s.endpoint(listSignIns))
	s.handle(mux, "GET /v1.0/identityProtection/riskyUsers", s.endpoint(listRiskyUsers))
	s.handle(mux, "POST /v1.0/identityProtection/riskyUsers/dismiss", s.endpoint(dismissRiskyUsers))
}

// needsLicence answers 403 as Graph does when the tenant lacks the premium licence a feature needs.
func (c *graphCall) needsLicence(planID, what string) bool {
	if c.p.tenant.hasServicePlan(planID) {
		return true
	}
	writeGraphError(c.w, http.StatusForbidden, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
		"Tenant does not have a SKU required for this feature ("+what+").")
	return false
}

func registrationJSON(u *user, now string) map[string]any {
	shown := u.methods
	if u.reportMethods != nil {
		shown = u.reportMethods // Microsoft refreshes the report every few hours
	}
	methods := make([]any, len(shown))
	for i, m := range shown {
		methods[i] = m
	}
	preferred := u.preferred
	if preferred == "" {
		preferred = "none"
	}
	system := []any{}
	if u.systemPreferred && len(u.methods) > 0 {
		system = append(system, "push")
	}
	return map[string]any{
		"id": u.id, "userPrincipalName": u.upn, "userDisplayName": u.displayName, "userType": strings.ToLower(u.userType),
		"isAdmin": u.isAdmin, "isMfaRegistered": len(shown) > 0, "isMfaCapable": len(shown) > 0,
		"isSsprRegistered": false, "isSsprEnabled": false, "isSsprCapable": false, "isPasswordlessCapable": false,
		"methodsRegistered": methods, "isSystemPreferredAuthenticationMethodEnabled": u.systemPreferred,
		"systemPreferredAuthenticationMethods": system, "userPreferredMethodForSecondaryAuthentication": preferred,
		"lastUpdatedDateTime": now,
	}
}

func listRegistrationDetails(c *graphCall) {
	if !c.needsLicence(planAADPremium, "Microsoft Entra ID P1") {
		return
	}
	now := timeString(c.s.world.now()).(string)
	items := make([]map[string]any, 0, len(c.p.tenant.users))
	for _, u := range c.p.tenant.users {
		items = append(items, registrationJSON(u, now))
	}
	c.collection("reports/authenticationMethods/userRegistrationDetails", items, 200, 999)
}

func listAuthenticatorMethods(c *graphCall) {
	u := c.userByIDOrUPN(c.r.PathValue("userId"))
	if u == nil {
		return
	}
	var items []map[string]any
	for _, m := range u.methods {
		if m == "microsoftAuthenticatorPush" {
			items = append(items, map[string]any{
				"id": stableID(u.id, "authenticator"), "displayName": "Phone of " + u.displayName,
				"deviceTag": "SoftwareTokenActivated", "phoneAppVersion": "6.8.0", "createdDateTime": "2025-03-01T10:00:00Z",
			})
		}
	}
	c.collection("users('"+u.id+"')/authentication/microsoftAuthenticatorMethods", items, 100, 999)
}

func getSignInPreferences(c *graphCall) {
	if u := c.userByIDOrUPN(c.r.PathValue("userId")); u != nil {
		c.object(http.StatusOK, "users('"+u.id+"')/authentication/signInPreferences", signInPreferencesJSON(u))
	}
}

func signInPreferencesJSON(u *user) map[string]any {
	preferred := u.preferred
	if preferred == "" {
		preferred = "none"
	}
	return map[string]any{
		"isSystemPreferredAuthenticationMethodEnabled":  u.systemPreferred,
		"userPreferredMethodForSecondaryAuthentication": preferred,
	}
}

// methodFor says which registered method a preferred-method value needs.
var methodFor = map[string]string{
	"push": "microsoftAuthenticatorPush", "oath": "softwareOneTimePasscode", "sms": "mobilePhone",
	"voiceMobile": "mobilePhone", "voiceAlternateMobile": "alternateMobilePhone", "voiceOffice": "officePhone",
}

func patchSignInPreferences(c *graphCall) {
	u := c.userByIDOrUPN(c.r.PathValue("userId"))
	if u == nil || !c.mayChangeMethodsOf(u) {
		return
	}
	var body struct {
		Preferred *string `json:"userPreferredMethodForSecondaryAuthentication"`
	}
	if !c.readJSON(&body) || body.Preferred == nil {
		if body.Preferred == nil {
			writeGraphError(c.w, http.StatusBadRequest, "badRequest", "The body must set userPreferredMethodForSecondaryAuthentication.")
		}
		return
	}
	need, ok := methodFor[*body.Preferred]
	if !ok {
		writeGraphError(c.w, http.StatusBadRequest, "badRequest", "'"+*body.Preferred+"' is not a valid value for userPreferredMethodForSecondaryAuthentication.")
		return
	}
	registered := false
	for _, m := range u.methods {
		registered = registered || m == need
	}
	if !registered {
		writeGraphError(c.w, http.StatusBadRequest, "badRequest", "The user has not registered the method needed for '"+*body.Preferred+"'.")
		return
	}
	u.preferred = *body.Preferred
	c.w.WriteHeader(http.StatusNoContent)
}

func listPolicies(c *graphCall) {
	if !c.needsLicence(planAADPremium, "Microsoft Entra ID P1") {
		return
	}
	c.collection("identity/conditionalAccess/policies", c.p.tenant.policies, 100, 999)
}

func (c *graphCall) policy() map[string]any {
	id := c.r.PathValue("policyId")
	for _, p := range c.p.tenant.policies {
		if p["id"] == id {
			return p
		}
	}
	c.notFound(id)
	return nil
}

func getPolicy(c *graphCall) {
	if !c.needsLicence(planAADPremium, "Microsoft Entra ID P1") {
		return
	}
	if p := c.policy(); p != nil {
		c.object(http.StatusOK, "identity/conditionalAccess/policies/$entity", p)
	}
}

// patchPolicy merges the body into the policy as Graph does: objects are merged member by member,
// everything else (arrays included) is replaced. Read-only fields cannot be changed.
func patchPolicy(c *graphCall) {
	if !c.needsLicence(planAADPremium, "Microsoft Entra ID P1") {
		return
	}
	p := c.policy()
	if p == nil {
		return
	}
	var body map[string]any
	if !c.readJSON(&body) {
		return
	}
	for _, readOnly := range []string{"id", "createdDateTime", "modifiedDateTime", "templateId"} {
		if _, ok := body[readOnly]; ok {
			writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "The property '"+readOnly+"' cannot be changed.")
			return
		}
	}
	merged := mergeJSON(p, body).(map[string]any)
	// Keep the stored policy a plain JSON tree, as if it had been read from Graph.
	raw, _ := json.Marshal(merged)
	var clean map[string]any
	_ = json.Unmarshal(raw, &clean)
	clean["modifiedDateTime"] = timeString(c.s.world.now())
	for k := range p {
		delete(p, k)
	}
	for k, v := range clean {
		p[k] = v
	}
	c.w.WriteHeader(http.StatusNoContent)
}

func mergeJSON(dst, patch any) any {
	d, okD := dst.(map[string]any)
	pm, okP := patch.(map[string]any)
	if !okD || !okP {
		return patch
	}
	out := map[string]any{}
	for k, v := range d {
		out[k] = v
	}
	for k, v := range pm {
		out[k] = mergeJSON(d[k], v)
	}
	return out
}

func getSecurityDefaults(c *graphCall) {
	c.object(http.StatusOK, "policies/identitySecurityDefaultsEnforcementPolicy/$entity", map[string]any{
		"id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults",
		"description": "Security defaults is a set of basic identity security mechanisms recommended by Microsoft.",
		"isEnabled":   c.p.tenant.secDefault,
	})
}

// listSignIns serves the sign-in log. v1.0 has interactive sign-ins only; beta takes
// $filter=signInEventTypes/any(t: t eq 'nonInteractiveUser') for the non-interactive ones.
func listSignIns(c *graphCall) {
	if !c.needsLicence(planAADPremium, "Microsoft Entra ID P1") {
		return
	}
	beta := strings.HasPrefix(c.r.URL.Path, "/beta/")
	filter := c.r.URL.Query().Get("$filter")
	wantNonInteractive := false
	const nonInteractive = "signInEventTypes/any(t: t eq 'nonInteractiveUser')"
	if strings.Contains(filter, nonInteractive) {
		if !beta {
			writeGraphError(c.w, http.StatusBadRequest, "Request_UnsupportedQuery", "signInEventTypes is only available in the beta endpoint.")
			return
		}
		wantNonInteractive = true
		filter = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(strings.Replace(filter, nonInteractive, "", 1), " and "), " and "))
	}
	var items []map[string]any
	for i := len(c.p.tenant.signIns) - 1; i >= 0; i-- { // newest first, as Graph lists them
		si := c.p.tenant.signIns[i]
		if si.nonInteractive != wantNonInteractive {
			continue
		}
		policies := make([]any, len(si.policies))
		for j, p := range si.policies {
			policies[j] = map[string]any{"id": p.id, "displayName": p.displayName, "result": p.result,
				"enforcedGrantControls": []any{"Block"}, "enforcedSessionControls": []any{}}
		}
		item := map[string]any{
			"id": si.id, "createdDateTime": timeString(si.created), "userPrincipalName": si.userPrincipalName,
			"userDisplayName": si.userPrincipalName, "appDisplayName": si.appDisplayName, "isInteractive": !si.nonInteractive,
			"status":                           map[string]any{"errorCode": si.errorCode, "failureReason": si.failureReason, "additionalDetails": nil},
			"appliedConditionalAccessPolicies": policies,
			"conditionalAccessStatus":          map[bool]string{true: "failure", false: "success"}[si.errorCode == 53003],
		}
		if beta {
			item["homeTenantId"] = si.homeTenantID
			item["crossTenantAccessType"] = "serviceProvider"
			item["signInEventTypes"] = []any{map[bool]string{true: "nonInteractiveUser", false: "interactiveUser"}[si.nonInteractive]}
		}
		items = append(items, item)
	}
	q := c.r.URL.Query()
	q.Set("$filter", filter)
	c.r.URL.RawQuery = q.Encode()
	c.collection("auditLogs/signIns", items, 100, 1000)
}

func listRiskyUsers(c *graphCall) {
	if !c.needsLicence(planAADPremiumP2, "Microsoft Entra ID P2") {
		return
	}
	var items []map[string]any
	for _, u := range c.p.tenant.users {
		if u.riskLevel == "" {
			continue
		}
		items = append(items, map[string]any{
			"id": u.id, "userPrincipalName": u.upn, "userDisplayName": u.displayName, "riskLevel": u.riskLevel,
			"riskState": u.riskState, "riskDetail": "none", "isDeleted": false, "isProcessing": false,
			"riskLastUpdatedDateTime": timeString(c.s.world.now()),
		})
	}
	c.collection("identityProtection/riskyUsers", items, 100, 500)
}

func dismissRiskyUsers(c *graphCall) {
	if !c.needsLicence(planAADPremiumP2, "Microsoft Entra ID P2") {
		return
	}
	var body struct {
		UserIDs []string `json:"userIds"`
	}
	if !c.readJSON(&body) {
		return
	}
	if len(body.UserIDs) == 0 {
		writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "userIds must name at least one user.")
		return
	}
	for _, id := range body.UserIDs {
		if u := c.p.tenant.userByID(id); u != nil && u.riskLevel != "" {
			u.riskLevel, u.riskState = "none", "dismissed"
		}
	}
	c.w.WriteHeader(http.StatusNoContent)
}
