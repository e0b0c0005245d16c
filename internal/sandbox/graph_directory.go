package sandbox

import (
	"net/http"
	"strings"
)

// The directory: the signed-in user, users, groups and their members, and licences.

var (
	userRead  = []string{"User.Read"}
	usersRead = []string{"User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	groupRead = []string{"Group.ReadBasic.All", "GroupMember.ReadBasic.All", "GroupMember.Read.All", "Group.Read.All", "Group.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"}
	groupMake = []string{"Group.Create", "Group.ReadWrite.All", "Directory.ReadWrite.All"}
	groupEdit = []string{"GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"}
	skuRead   = []string{"LicenseAssignment.Read.All", "Organization.Read.All", "Directory.Read.All", "Organization.ReadWrite.All", "Directory.ReadWrite.All"}
)

// Roles that may read or change a customer's directory through GDAP.
var (
	directoryReaderRoles = []string{roleGlobalReader, roleDirectoryReaders, roleDirectoryWriters, roleUserAdmin, roleGlobalAdmin, roleSecurityReader, roleSecurityAdmin}
	licenceReaderRoles   = []string{roleGlobalReader, roleLicenseAdmin, roleGlobalAdmin, roleDirectoryReaders, roleUserAdmin}
)

func (s *Server) directoryRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /v1.0/me", s.endpoint(userRead, getMe))
	mux.HandleFunc("GET /v1.0/me/transitiveMemberOf", s.endpoint(groupRead, myTransitiveGroups))
	mux.HandleFunc("GET /v1.0/users", s.endpoint(usersRead, listUsers))
	mux.HandleFunc("GET /v1.0/users/{userId}", s.endpoint(usersRead, getUser))
	mux.HandleFunc("GET /v1.0/groups", s.endpoint(groupRead, listGroups))
	mux.HandleFunc("POST /v1.0/groups", s.endpoint(groupMake, createGroup))
	mux.HandleFunc("GET /v1.0/groups/{groupId}", s.endpoint(groupRead, getGroup))
	mux.HandleFunc("GET /v1.0/groups/{groupId}/transitiveMembers", s.endpoint(groupRead, groupTransitiveMembers))
	mux.HandleFunc("POST /v1.0/groups/{groupId}/members/$ref", s.endpoint(groupEdit, addGroupMember))
	mux.HandleFunc("GET /v1.0/subscribedSkus", s.endpoint(skuRead, listSubscribedSkus))
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

func listUsers(c *graphCall) {
	if !c.requireRole(directoryReaderRoles...) {
		return
	}
	items := make([]map[string]any, 0, len(c.p.tenant.users))
	for _, u := range c.p.tenant.users {
		items = append(items, userJSON(u))
	}
	c.collection("users", items, 100, 999)
}

// userByIDOrUPN finds a user of the call's tenant by id or user principal name.
func (c *graphCall) userByIDOrUPN(key string) *user {
	for _, u := range c.p.tenant.users {
		if u.id == key || strings.EqualFold(u.upn, key) {
			return u
		}
	}
	c.notFound(key)
	return nil
}

func getUser(c *graphCall) {
	if !c.requireRole(directoryReaderRoles...) {
		return
	}
	if u := c.userByIDOrUPN(c.r.PathValue("userId")); u != nil {
		c.object(http.StatusOK, "users/$entity", userJSON(u))
	}
}

func listGroups(c *graphCall) {
	if !c.requireRole(directoryReaderRoles...) {
		return
	}
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

func getGroup(c *graphCall) {
	if !c.requireRole(directoryReaderRoles...) {
		return
	}
	if g := c.group(); g != nil {
		c.object(http.StatusOK, "groups/$entity", groupJSON(g))
	}
}

func createGroup(c *graphCall) {
	if !c.requireRole(roleUserAdmin, roleGlobalAdmin) {
		return
	}
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
	if !c.requireRole(directoryReaderRoles...) {
		return
	}
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
	if !c.requireRole(roleUserAdmin, roleGlobalAdmin) {
		return
	}
	g := c.group()
	if g == nil {
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
	if !c.requireRole(licenceReaderRoles...) {
		return
	}
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
