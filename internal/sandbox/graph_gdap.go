package sandbox

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// GDAP on the partner side: delegated admin relationships, their access assignments, and the
// customers they cover (Graph v1.0 tenantRelationships).

const relationshipsPath = "/v1.0/tenantRelationships/delegatedAdminRelationships"

func (s *Server) gdapRoutes(mux *http.ServeMux) {
	s.handle(mux, "GET "+relationshipsPath, s.endpoint(listRelationships))
	s.handle(mux, "POST "+relationshipsPath, s.endpoint(createRelationship))
	s.handle(mux, "GET "+relationshipsPath+"/{relationshipId}", s.endpoint(getRelationship))
	s.handle(mux, "PATCH "+relationshipsPath+"/{relationshipId}", s.endpoint(patchRelationship))
	s.handle(mux, "POST "+relationshipsPath+"/{relationshipId}/requests", s.endpoint(requestRelationshipAction))
	s.handle(mux, "GET "+relationshipsPath+"/{relationshipId}/accessAssignments", s.endpoint(listAccessAssignments))
	s.handle(mux, "POST "+relationshipsPath+"/{relationshipId}/accessAssignments", s.endpoint(createAccessAssignment))
	s.handle(mux, "GET "+relationshipsPath+"/{relationshipId}/accessAssignments/{accessAssignmentId}", s.endpoint(getAccessAssignment))
	s.handle(mux, "PATCH "+relationshipsPath+"/{relationshipId}/accessAssignments/{accessAssignmentId}", s.endpoint(patchAccessAssignment))
	s.handle(mux, "GET "+relationshipsPath+"/{relationshipId}/operations/{operationId}", s.endpoint(getOperation))
}

// relationshipJSON is a relationship as Microsoft's examples show it
// (tenantrelationship-post-delegatedadminrelationships): @odata.type on every object,
// activatedDateTime an empty string until the customer approves, and endDateTime the creation
// time plus the duration until then.
func relationshipJSON(r *relationship) map[string]any {
	roles := make([]any, len(r.roles))
	for i, id := range r.roles {
		roles[i] = map[string]any{"roleDefinitionId": id}
	}
	end := r.ended
	if end.IsZero() {
		if days, ok := durationDays(r.duration); ok {
			end = r.created.AddDate(0, 0, days)
		}
	}
	return map[string]any{
		"@odata.type":          "#microsoft.graph.delegatedAdminRelationship",
		"@odata.etag":          etag(r.etag),
		"id":                   r.id,
		"displayName":          r.displayName,
		"duration":             r.duration,
		"status":               r.status,
		"autoExtendDuration":   r.autoExtend,
		"customer":             map[string]any{"tenantId": r.customerID, "displayName": r.customerName},
		"accessDetails":        map[string]any{"unifiedRoles": roles},
		"createdDateTime":      timeString(r.created),
		"activatedDateTime":    emptyTime(r.activated),
		"lastModifiedDateTime": timeString(r.modified),
		"endDateTime":          timeString(end),
	}
}

// emptyTime is a date-time, or the empty string Microsoft's examples show for one not reached yet.
func emptyTime(t time.Time) any {
	if t.IsZero() {
		return ""
	}
	return timeString(t)
}

func assignmentJSON(a *accessAssignment) map[string]any {
	roles := make([]any, len(a.roles))
	for i, id := range a.roles {
		roles[i] = map[string]any{"roleDefinitionId": id}
	}
	return map[string]any{
		"@odata.type":          "#microsoft.graph.delegatedAdminAccessAssignment",
		"@odata.etag":          etag(a.etag),
		"id":                   a.id,
		"status":               a.status,
		"accessContainer":      map[string]any{"accessContainerId": a.groupID, "accessContainerType": "securityGroup"},
		"accessDetails":        map[string]any{"unifiedRoles": roles},
		"createdDateTime":      timeString(a.created),
		"lastModifiedDateTime": timeString(a.modified),
	}
}

func etag(n int) string {
	return fmt.Sprintf(`W/"JyIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAi%04d"`, n)
}

func listRelationships(c *graphCall) {
	if !c.partnerOnly() {
		return
	}
	items := make([]map[string]any, 0, len(c.s.world.relationships))
	for _, r := range c.s.world.relationships {
		c.s.world.settleRelationship(r)
		items = append(items, relationshipJSON(r))
	}
	c.collection("tenantRelationships/delegatedAdminRelationships", items, 100, 300)
}

func (c *graphCall) relationship() *relationship {
	if !c.partnerOnly() {
		return nil
	}
	id := c.r.PathValue("relationshipId")
	for _, r := range c.s.world.relationships {
		if r.id == id {
			c.s.world.settleRelationship(r)
			return r
		}
	}
	c.notFound(id)
	return nil
}

func getRelationship(c *graphCall) {
	if r := c.relationship(); r != nil {
		c.object(http.StatusOK, "tenantRelationships/delegatedAdminRelationships/$entity", relationshipJSON(r))
	}
}

// relationshipBody is what POST and PATCH of a relationship may carry.
type relationshipBody struct {
	DisplayName *string `json:"displayName"`
	Duration    *string `json:"duration"`
	AutoExtend  *string `json:"autoExtendDuration"`
	Customer    *struct {
		TenantID    string `json:"tenantId"`
		DisplayName string `json:"displayName"`
	} `json:"customer"`
	AccessDetails *struct {
		UnifiedRoles []struct {
			RoleDefinitionID string `json:"roleDefinitionId"`
		} `json:"unifiedRoles"`
	} `json:"accessDetails"`
}

var isoDays = regexp.MustCompile(`^P(\d+)D$`)

func createRelationship(c *graphCall) {
	if !c.partnerOnly() {
		return
	}
	var body relationshipBody
	if !c.readJSON(&body) {
		return
	}
	bad := func(msg string) { writeGraphError(c.w, http.StatusBadRequest, "BadRequest", msg) }
	switch {
	case body.DisplayName == nil || *body.DisplayName == "":
		bad("The displayName is required.")
		return
	case len(*body.DisplayName) > 50:
		bad("The displayName must be 50 characters or fewer.")
		return
	case body.Duration == nil || !validDuration(*body.Duration):
		bad("The duration must be between P1D and P730D.")
		return
	case body.AccessDetails == nil || len(body.AccessDetails.UnifiedRoles) == 0:
		bad("The accessDetails must name at least one role.")
		return
	}
	for _, r := range c.s.world.relationships {
		if strings.EqualFold(r.displayName, *body.DisplayName) {
			writeGraphError(c.w, http.StatusConflict, "Conflict", "A relationship with this displayName already exists.")
			return
		}
	}
	r := &relationship{
		id: c.s.world.ids.newID("relationship", *body.DisplayName) + "-" + c.s.world.ids.newID("relationship-2", *body.DisplayName), displayName: *body.DisplayName, duration: *body.Duration, status: "created",
		autoExtend: "PT0S", created: c.s.world.now(), modified: c.s.world.now(), etag: 1,
	}
	if body.AutoExtend != nil {
		r.autoExtend = *body.AutoExtend
	}
	for _, role := range body.AccessDetails.UnifiedRoles {
		r.roles = append(r.roles, role.RoleDefinitionID)
	}
	if r.autoExtend != "PT0S" && r.autoExtend != "P180D" {
		bad("The autoExtendDuration must be PT0S or P180D.")
		return
	}
	for _, role := range r.roles {
		if role == roleGlobalAdmin && r.autoExtend != "PT0S" {
			bad("A relationship that includes the Global Administrator role cannot be extended automatically; set autoExtendDuration to PT0S.")
			return
		}
	}
	if body.Customer != nil && body.Customer.TenantID != "" {
		r.customerID, r.customerName = body.Customer.TenantID, body.Customer.DisplayName
		if t := c.s.world.tenant(r.customerID); t != nil {
			r.customerName = t.displayName
		}
	}
	c.s.world.relationships = append(c.s.world.relationships, r)
	c.w.Header().Set("Location", c.graphURL("/tenantRelationships/delegatedAdminRelationships/"+r.id))
	c.object(http.StatusCreated, "tenantRelationships/delegatedAdminRelationships/$entity", relationshipJSON(r))
}

func validDuration(d string) bool {
	n, ok := durationDays(d)
	return ok && n >= 1 && n <= 730
}

// durationDays reads an ISO 8601 duration of days (P730D).
func durationDays(d string) (int, bool) {
	m := isoDays.FindStringSubmatch(d)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(m[1])
	return n, err == nil
}

// checkIfMatch enforces the ETag on writes where Graph requires it.
func (c *graphCall) checkIfMatch(current int) bool {
	got := c.r.Header.Get("If-Match")
	if got == "" {
		writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "The If-Match header is required for this request.")
		return false
	}
	if got != "*" && got != etag(current) {
		writeGraphError(c.w, http.StatusPreconditionFailed, "PreconditionFailed", "The ETag in If-Match does not match the current version of the resource.")
		return false
	}
	return true
}

func patchRelationship(c *graphCall) {
	r := c.relationship()
	if r == nil || !c.checkIfMatch(r.etag) {
		return
	}
	var body relationshipBody
	if !c.readJSON(&body) {
		return
	}
	// The stored update page (delegatedadminrelationship-update.md) allows changes only in status
	// created; Microsoft's current page (https://learn.microsoft.com/graph/api/delegatedadminrelationship-update)
	// also allows autoExtendDuration while the relationship is active, and Partner Center's GDAP
	// pages say an active relationship can be set to extend automatically. The sandbox follows the
	// current page; the app handles both (it falls back to a new relationship on a refusal).
	onlyAutoExtend := body.AutoExtend != nil && body.DisplayName == nil && body.Duration == nil && body.AccessDetails == nil
	switch {
	case r.status == "created":
	case onlyAutoExtend && r.status == "active":
		for _, role := range r.roles {
			if role == roleGlobalAdmin && *body.AutoExtend != "PT0S" {
				writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "A relationship that includes the Global Administrator role cannot be extended automatically.")
				return
			}
		}
		if *body.AutoExtend != "PT0S" && *body.AutoExtend != "P180D" {
			writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "The autoExtendDuration must be PT0S or P180D.")
			return
		}
	default:
		writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "Only a relationship in status 'created' can be changed (an active one only its autoExtendDuration); this one is '"+r.status+"'.")
		return
	}
	if body.DisplayName != nil {
		r.displayName = *body.DisplayName
	}
	if body.Duration != nil {
		r.duration = *body.Duration
	}
	if body.AutoExtend != nil {
		r.autoExtend = *body.AutoExtend
	}
	if body.AccessDetails != nil {
		r.roles = nil
		for _, role := range body.AccessDetails.UnifiedRoles {
			r.roles = append(r.roles, role.RoleDefinitionID)
		}
	}
	r.etag++
	r.modified = c.s.world.now()
	c.object(http.StatusOK, "tenantRelationships/delegatedAdminRelationships/$entity", relationshipJSON(r))
}

// requestRelationshipAction handles lockForApproval (created -> approvalPending) and terminate.
func requestRelationshipAction(c *graphCall) {
	r := c.relationship()
	if r == nil {
		return
	}
	var body struct {
		Action string `json:"action"`
	}
	if !c.readJSON(&body) {
		return
	}
	switch {
	case body.Action == "lockForApproval" && r.status == "created":
		r.status = "approvalPending"
		c.s.world.locked(r) // scenario_onboard.go: the customer's administrator gets the link
	case body.Action == "terminate" && (r.status == "active" || r.status == "expiring"):
		r.status = "terminated"
		r.ended = c.s.world.now()
	default:
		writeGraphError(c.w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("The action %q cannot be requested for a relationship in status %q.", body.Action, r.status))
		return
	}
	r.etag++
	r.modified = c.s.world.now()
	now := timeString(c.s.world.now())
	id := c.s.world.ids.newID("request", r.id)
	// As delegatedadminrelationship-post-requests shows: 201, a Location to the request, and the
	// request in status created (Microsoft carries it out in the background).
	c.w.Header().Set("Location", c.graphURL("/tenantRelationships/delegatedAdminRelationships/"+r.id+"/requests/"+id))
	c.object(http.StatusCreated, "tenantRelationships/delegatedAdminRelationships('"+r.id+"')/requests/$entity", map[string]any{
		"@odata.type": "#microsoft.graph.delegatedAdminRelationshipRequest",
		"id":          id, "action": body.Action, "status": "created",
		"createdDateTime": now, "lastModifiedDateTime": now,
	})
}

func listAccessAssignments(c *graphCall) {
	r := c.relationship()
	if r == nil {
		return
	}
	items := make([]map[string]any, 0, len(r.assignments))
	for _, a := range r.assignments {
		c.s.world.settle(a)
		items = append(items, assignmentJSON(a))
	}
	c.collection("tenantRelationships/delegatedAdminRelationships('"+r.id+"')/accessAssignments", items, 100, 300)
}

func (c *graphCall) assignment(r *relationship) *accessAssignment {
	id := c.r.PathValue("accessAssignmentId")
	for _, a := range r.assignments {
		if a.id == id {
			return a
		}
	}
	c.notFound(id)
	return nil
}

func getAccessAssignment(c *graphCall) {
	r := c.relationship()
	if r == nil {
		return
	}
	if a := c.assignment(r); a != nil {
		c.s.world.settle(a)
		c.object(http.StatusOK, "tenantRelationships/delegatedAdminRelationships('"+r.id+"')/accessAssignments/$entity", assignmentJSON(a))
	}
}

// assignmentBody is what POST and PATCH of an access assignment carry.
type assignmentBody struct {
	AccessContainer *struct {
		AccessContainerID   string `json:"accessContainerId"`
		AccessContainerType string `json:"accessContainerType"`
	} `json:"accessContainer"`
	AccessDetails *struct {
		UnifiedRoles []struct {
			RoleDefinitionID string `json:"roleDefinitionId"`
		} `json:"unifiedRoles"`
	} `json:"accessDetails"`
}

// checkRoles refuses roles the relationship does not grant: roles cannot be added to an
// existing relationship, only assigned from what it has.
func (c *graphCall) checkRoles(r *relationship, body assignmentBody) ([]string, bool) {
	if body.AccessDetails == nil || len(body.AccessDetails.UnifiedRoles) == 0 {
		writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "The accessDetails must name at least one role.")
		return nil, false
	}
	granted := map[string]bool{}
	for _, g := range r.roles {
		granted[g] = true
	}
	var roles []string
	for _, role := range body.AccessDetails.UnifiedRoles {
		if !granted[role.RoleDefinitionID] {
			writeGraphError(c.w, http.StatusBadRequest, "BadRequest",
				"The role "+role.RoleDefinitionID+" is not part of this relationship's access details; roles can only be assigned from the relationship.")
			return nil, false
		}
		roles = append(roles, role.RoleDefinitionID)
	}
	return roles, true
}

func createAccessAssignment(c *graphCall) {
	r := c.relationship()
	if r == nil {
		return
	}
	if r.status != "active" && r.status != "expiring" {
		writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "Access can only be assigned in an active relationship; this one is '"+r.status+"'.")
		return
	}
	var body assignmentBody
	if !c.readJSON(&body) {
		return
	}
	if body.AccessContainer == nil || body.AccessContainer.AccessContainerType != "securityGroup" || c.s.world.partner.groupByID(body.AccessContainer.AccessContainerID) == nil {
		writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "The accessContainer must be a security group of the partner tenant.")
		return
	}
	roles, ok := c.checkRoles(r, body)
	if !ok {
		return
	}
	for _, a := range r.assignments {
		if a.groupID == body.AccessContainer.AccessContainerID && a.status != "deleted" {
			writeGraphError(c.w, http.StatusConflict, "Conflict", "This group already has an access assignment in this relationship; change that one instead.")
			return
		}
	}
	now := c.s.world.now()
	// Microsoft's example answers status "pending": the roles take effect once Microsoft has
	// applied the assignment, which the sandbox does by the next read of it.
	a := &accessAssignment{id: c.s.world.ids.newID("accessAssignment", r.id, body.AccessContainer.AccessContainerID), groupID: body.AccessContainer.AccessContainerID, status: "pending", roles: roles, created: now, modified: now, etag: 1}
	r.assignments = append(r.assignments, a)
	c.w.Header().Set("Location", c.graphURL("/tenantRelationships/delegatedAdminRelationships/"+r.id+"/accessAssignments/"+a.id))
	c.object(http.StatusCreated, "tenantRelationships/delegatedAdminRelationships('"+r.id+"')/accessAssignments/$entity", assignmentJSON(a))
}

func patchAccessAssignment(c *graphCall) {
	r := c.relationship()
	if r == nil {
		return
	}
	a := c.assignment(r)
	if a == nil || !c.checkIfMatch(a.etag) {
		return
	}
	var body assignmentBody
	if !c.readJSON(&body) {
		return
	}
	roles, ok := c.checkRoles(r, body)
	if !ok {
		return
	}
	// As delegatedadminaccessassignment-update says: 200 with the assignment when nothing
	// changes, else 202 Accepted with a Location to a long-running operation and Retry-After.
	// The change is made when the operation succeeds (operation.go).
	if sameRoles(a.roles, roles) {
		c.s.world.settle(a)
		c.object(http.StatusOK, "tenantRelationships/delegatedAdminRelationships('"+r.id+"')/accessAssignments/$entity", assignmentJSON(a))
		return
	}
	op := c.s.world.startAssignmentUpdate(r, a, roles)
	c.w.Header().Set("Location", c.graphURL("/tenantRelationships/delegatedAdminRelationships/"+r.id+"/operations/"+op.id))
	c.w.Header().Set("Retry-After", strconv.Itoa(operationRetryAfter))
	writeJSON(c.w, http.StatusAccepted, map[string]any{})
}

func sameRoles(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	have := map[string]bool{}
	for _, r := range a {
		have[strings.ToLower(r)] = true
	}
	for _, r := range b {
		if !have[strings.ToLower(r)] {
			return false
		}
	}
	return true
}

func getOperation(c *graphCall) {
	r := c.relationship()
	if r == nil {
		return
	}
	id := c.r.PathValue("operationId")
	for _, op := range r.operations {
		if op.id == id {
			c.s.world.poll(op)
			c.object(http.StatusOK, "operations/$entity", operationJSON(op))
			return
		}
	}
	c.notFound(id)
}
