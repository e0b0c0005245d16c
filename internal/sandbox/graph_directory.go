package sandbox

import (
	"net/http"
	"strings"

	"github.com/onboard365/onboard365/internal/reference/learn"
)

// The directory: the signed-in user, users, groups and their members, and licences.

func (s *Server) directoryRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET /v1.0/me", s.endpoint(getMe))
	s.handle(mux, "GET /v1.0/me/transitiveMemberOf", s.endpoint(myTransitiveGroups))
	s.handle(mux, "GET /v1.0/users", s.endpoint(listUsers))
	s.handle(mux, "GET /v1.0/groups", s.endpoint(listGroups))
	s.handle(mux, "POST /v1.0/groups", s.endpoint(createGroup))
	s.handle(mux, "GET /v1.0/groups/{groupId}/transitiveMembers", s.endpoint(groupTransitiveMembers))
	s.handle(mux, "POST /v1.0/groups/{groupId}/members/$ref", s.endpoint(addGroupMember))
	s.handle(mux, "GET /v1.0/subscribedSkus", s.endpoint(listSubscribedSkus))
}

func userJSON(u *user) map[string]any {
	return map[string]any{
		"@odata.type":       "#microsoft.graph.user",
		"id":                u.id,
		"displayName":       u.displayName,
		"userPrincipalName": u.upn,
		"mail":              u.upn,
		"userType":          u.userType,
		"accountEnabled":    true,
	}
}

func groupJSON(g *group) map[string]any {
	return map[string]any{
		"@odata.type":        "#microsoft.graph.group",
		"id":                 g.id,
		"displayName":        g.displayName,
		"mailEnabled":        false,
		"mailNickname":       strings.ReplaceAll(strings.ToLower(g.displayName), " ", ""),
		"securityEnabled":    true,
		"isAssignableToRole": g.roleAssignable,
		"groupTypes":         []any{},
	}
}

func getMe(c *graphCall) {
	if c.p.user == nil {
		writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "/me request is only valid with delegated authentication flow.")
		return
	}
	c.object(http.StatusOK, "users/$entity", userJSON(c.p.user))
}

// myTransitiveGroups lists the groups the signed-in user is in, directly or through other groups,
// in the tenant the token is for (the partner's, for a partner technician).
func myTransitiveGroups(c *graphCall) {
	if c.p.user == nil {
		writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "/me request is only valid with delegated authentication flow.")
		return
	}
	t := c.p.tenant
	var items []map[string]any
	for _, g := range t.groups {
		if t.memberOf(c.p.user.id, g.id) {
			items = append(items, groupJSON(g))
		}
	}
	c.collection("directoryObjects", items, 100, 999)
}

// listUsers lists the users of the tenant the token is for (user-list).
func listUsers(c *graphCall) {
	items := make([]map[string]any, 0, len(c.p.tenant.users))
	for _, u := range c.p.tenant.users {
		items = append(items, userJSON(u))
	}
	c.collection("users", items, 100, 999)
}

func (c *graphCall) userByIDOrUPN(key string) *user {
	for _, u := range c.p.tenant.users {
		if u.id == key || strings.EqualFold(u.upn, key) {
			return u
		}
	}
	c.notFound(key)
	return nil
}

func listGroups(c *graphCall) {
	items := make([]map[string]any, 0, len(c.p.tenant.groups))
	for _, g := range c.p.tenant.groups {
		items = append(items, groupJSON(g))
	}
	c.collection("groups", items, 100, 999)
}

func (c *graphCall) group() *group {
	id := c.r.PathValue("groupId")
	if g := c.p.tenant.groupByID(id); g != nil {
		return g
	}
	c.notFound(id)
	return nil
}

func createGroup(c *graphCall) {
	var body struct {
		DisplayName        string   `json:"displayName"`
		MailEnabled        bool     `json:"mailEnabled"`
		MailNickname       string   `json:"mailNickname"`
		SecurityEnabled    bool     `json:"securityEnabled"`
		IsAssignableToRole bool     `json:"isAssignableToRole"`
		GroupTypes         []string `json:"groupTypes"`
	}
	if !c.readJSON(&body) {
		return
	}
	// Only a Privileged Role Administrator (or Global Administrator), with
	// RoleManagement.ReadWrite.Directory, may make a group that roles can be assigned to (the
	// group resource page, isAssignableToRole).
	if body.IsAssignableToRole && !c.meets(learn.RoleAssignableGroup) {
		return
	}
	if body.DisplayName == "" || body.MailNickname == "" || !body.SecurityEnabled || body.MailEnabled {
		writeGraphError(c.w, http.StatusBadRequest, "Request_BadRequest",
			"A security group needs displayName and mailNickname, securityEnabled true and mailEnabled false.")
		return
	}
	g := &group{id: c.s.world.ids.newID("group", body.DisplayName), displayName: body.DisplayName, roleAssignable: body.IsAssignableToRole}
	c.p.tenant.groups = append(c.p.tenant.groups, g)
	c.object(http.StatusCreated, "groups/$entity", groupJSON(g))
}

func groupTransitiveMembers(c *graphCall) {
	g := c.group()
	if g == nil {
		return
	}
	t := c.p.tenant
	var items []map[string]any
	for _, u := range t.users {
		if t.memberOf(u.id, g.id) {
			items = append(items, userJSON(u))
		}
	}
	for _, other := range t.groups {
		if other.id != g.id && t.memberOf(other.id, g.id) {
			items = append(items, groupJSON(other))
		}
	}
	for _, sp := range t.servicePrincipals { // an app added to AdminAgents (DAP-era pre-consent)
		if t.memberOf(sp.id, g.id) {
			items = append(items, servicePrincipalJSON(sp))
		}
	}
	c.collection("directoryObjects", items, 100, 999)
}

func addGroupMember(c *graphCall) {
	g := c.group()
	if g == nil {
		return
	}
	// The members of a role-assignable group are changed only with RoleManagement.ReadWrite.Directory,
	// by a Privileged Role Administrator (group-post-members, current page).
	if g.roleAssignable && !c.meets(learn.RoleAssignableGroup) {
		return
	}
	var body struct {
		ODataID string `json:"@odata.id"`
	}
	if !c.readJSON(&body) {
		return
	}
	id := body.ODataID[strings.LastIndex(body.ODataID, "/")+1:]
	if c.p.tenant.userByID(id) == nil && c.p.tenant.groupByID(id) == nil && c.p.tenant.servicePrincipalByID(id) == nil {
		writeGraphError(c.w, http.StatusNotFound, "Request_ResourceNotFound", "Resource '"+id+"' does not exist or one of its queried reference-property objects are not present.")
		return
	}
	for _, m := range g.members {
		if m == id {
			writeGraphError(c.w, http.StatusBadRequest, "Request_BadRequest", "One or more added object references already exist for the following modified properties: 'members'.")
			return
		}
	}
	g.members = append(g.members, id)
	c.w.WriteHeader(http.StatusNoContent)
}

func listSubscribedSkus(c *graphCall) {
	var items []map[string]any
	for _, s := range c.p.tenant.skus {
		plans := make([]any, len(s.servicePlans))
		for i, p := range s.servicePlans {
			plans[i] = map[string]any{"servicePlanId": p.id, "servicePlanName": p.name, "provisioningStatus": "Success", "appliesTo": "User"}
		}
		items = append(items, map[string]any{
			"id":               c.p.tenant.id + "_" + s.skuID,
			"skuId":            s.skuID,
			"skuPartNumber":    s.skuPartNumber,
			"capabilityStatus": "Enabled",
			"consumedUnits":    1,
			"prepaidUnits":     map[string]any{"enabled": s.enabled, "suspended": 0, "warning": 0, "lockedOut": 0},
			"servicePlans":     plans,
			"appliesTo":        "User",
		})
	}
	c.collection("subscribedSkus", items, 100, 999)
}
