package gdap

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/words"
)

// FixKind names a change Onboard365 can make.
type FixKind string

// Fix kinds, in the order Apply makes them (a group exists before roles are assigned to it).
const (
	// CreateGroup creates a security group in the partner tenant (an ordinary one, not
	// role-assignable: see OrdinaryGroups) and adds the technician to it.
	CreateGroup FixKind = "createGroup"
	// AddTechnicianToGroup adds the technician to an existing partner group.
	AddTechnicianToGroup FixKind = "addTechnicianToGroup"
	// AddAccessAssignment assigns roles of a relationship to a group that has no assignment in it.
	AddAccessAssignment FixKind = "addAccessAssignment"
	// UpdateAccessAssignment adds roles to a group's existing assignment (PATCH with If-Match).
	UpdateAccessAssignment FixKind = "updateAccessAssignment"
	// SetAutoExtend sets an active relationship to extend automatically by 180 days. The pages
	// disagree: the stored delegatedadminrelationship-update page allows a PATCH only in status
	// created, Microsoft's current one and Partner Center's GDAP pages allow autoExtendDuration on
	// an active relationship. Both are handled: the PATCH is tried, and a refusal falls back to
	// requesting a new relationship (Fix.Fallback).
	SetAutoExtend FixKind = "setAutoExtend"
	// RequestNewRelationship creates a relationship with the profile's roles and locks it for the
	// customer's approval (or only locks one that was created and never sent).
	RequestNewRelationship FixKind = "requestNewRelationship"
)

func (k FixKind) phase() int {
	switch k {
	case CreateGroup:
		return 0
	case AddTechnicianToGroup:
		return 1
	case AddAccessAssignment, UpdateAccessAssignment:
		return 2
	case SetAutoExtend:
		return 3
	}
	return 4
}

// Request is one Graph request a fix sends, shown to the user before anything changes. Path is
// below the Graph host and starts with the version; an id in braces, such as {new group}, is
// known only once an earlier request of the fix is answered.
type Request struct {
	Method  string            `json:"method"`
	Path    string            `json:"path"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    any               `json:"body,omitempty"`
}

// Fix is one change, planned: what it is, for whom, why, and exactly what it will send.
type Fix struct {
	ID        string   // stable and unique in a plan, such as "assign/{relationship}/{group}"
	Kind      FixKind  //
	Customer  Customer // zero for a change in the partner tenant that serves several customers
	Reason    string   // why, in plain words
	DependsOn []string // ids of fixes that must succeed first
	Requests  []Request

	GroupID      string   // the group (empty when CreateGroup makes it first)
	GroupName    string   //
	TechnicianID string   // CreateGroup, AddTechnicianToGroup: who is added
	Roles        []string // template ids the fix adds: to a group's assignment, or in a new relationship
	// AssignmentRoles is, for UpdateAccessAssignment, every role the group's assignment holds
	// after the fix (what it had and Roles): Graph's PATCH replaces the list.
	AssignmentRoles []string

	RelationshipID     string // the relationship changed (or, for RequestNewRelationship, the created one to lock)
	RelationshipName   string // its display name (for RequestNewRelationship: the new one's)
	AssignmentID       string // UpdateAccessAssignment
	ETag               string // UpdateAccessAssignment, SetAutoExtend: the version the plan saw, for If-Match
	Duration           string // RequestNewRelationship: P730D
	AutoExtendDuration string // RequestNewRelationship, SetAutoExtend: P180D or PT0S

	// Profile is the role profile the fix serves (RequestNewRelationship: the invitation's
	// template, as the onboarding ledger records it).
	Profile string

	// Fallback is made instead when Microsoft refuses this fix's change as not allowed (400):
	// for SetAutoExtend, a new relationship with the profile's roles for the customer to approve.
	Fallback *Fix
}

// PlanOptions tune Plan. The zero value gives the defaults.
type PlanOptions struct {
	// GroupPattern names the group for a role the profile names no group for; "{role}" stands for
	// the role's name. Default "GDAP - {role}", as MSP Process suggests.
	GroupPattern string
	// RelationshipPattern names new relationships; "{customer}" and "{profile}" stand for the
	// names. Default "{customer} - {profile}". Names are cut to Graph's 50 characters and made
	// unique among the partner's relationships.
	RelationshipPattern string
	// Duration of new relationships, P1D to P730D. Default P730D (two years, the longest).
	Duration string
}

// Defaults of PlanOptions.
const (
	DefaultGroupPattern        = "GDAP - {role}"
	DefaultRelationshipPattern = "{customer} - {profile}"
	DefaultDuration            = "P730D"
	maxRelationshipName        = 50
	autoExtend180              = "P180D"
	noAutoExtend               = "PT0S"
)

// reservedGroups are groups Partner Center makes; a group of the same name made by hand is not
// the same thing, so Onboard365 never creates one.
var reservedGroups = map[string]bool{"adminagents": true, "helpdeskagents": true, "salesagents": true}

// Plan turns verdicts into fixes, ordered so that each runs after what it needs (a group is
// created before roles are assigned to it). Problems that need a person's decision (Global
// Administrator set to extend), that wait for the customer (approval) or that could not be read
// get no fix. Plan is pure: it reads inv and sends nothing. On an inventory read after the fixes
// were applied it plans nothing for the problems they fixed.
func Plan(verdicts []Verdict, inv Inventory, p roles.Profile, opts PlanOptions) []Fix {
	pl := newPlanner(inv, p, opts)
	for _, v := range verdicts {
		for _, pr := range v.Problems {
			pl.problem(v.Customer, pr)
		}
	}
	return pl.finish()
}

// newPlanner is a planner on an inventory, with the options' defaults: it knows every
// relationship's name (new ones must differ) and each customer's relationships.
func newPlanner(inv Inventory, p roles.Profile, opts PlanOptions) *planner {
	if opts.GroupPattern == "" {
		opts.GroupPattern = DefaultGroupPattern
	}
	if opts.RelationshipPattern == "" {
		opts.RelationshipPattern = DefaultRelationshipPattern
	}
	if opts.Duration == "" {
		opts.Duration = DefaultDuration
	}
	pl := &planner{inv: inv, p: p, opts: opts, fixes: map[string]*Fix{}, names: map[string]bool{},
		purpose: map[string]*purpose{}, byCustomer: map[string][]*RelationshipAccess{}}
	for i := range inv.Relationships {
		ra := &inv.Relationships[i]
		pl.names[strings.ToLower(ra.Relationship.DisplayName)] = true
		key := strings.ToLower(ra.Relationship.Customer.TenantID)
		pl.byCustomer[key] = append(pl.byCustomer[key], ra)
	}
	return pl
}

type planner struct {
	inv        Inventory
	p          roles.Profile
	opts       PlanOptions
	fixes      map[string]*Fix
	order      []string
	names      map[string]bool // lower-case names of relationships, existing and planned
	purpose    map[string]*purpose
	byCustomer map[string][]*RelationshipAccess
}

// purpose collects, for a partner-wide fix, which customers and roles it serves.
type purpose struct {
	customers *orderedSet
	roles     *orderedSet
}

func (pl *planner) fix(f Fix) (*Fix, bool) {
	if existing, ok := pl.fixes[f.ID]; ok {
		return existing, false
	}
	pl.fixes[f.ID] = &f
	pl.order = append(pl.order, f.ID)
	pl.purpose[f.ID] = &purpose{customers: newOrderedSet(), roles: newOrderedSet()}
	return &f, true
}

func (pl *planner) serve(id string, c Customer, rs ...string) {
	if pu := pl.purpose[id]; pu != nil {
		pu.customers.add(c.label())
		pu.roles.add(rs...)
	}
}

func (pl *planner) problem(c Customer, pr Problem) {
	switch pr.Kind {
	case MissingRoles:
		pl.newRelationship(c, "Roles cannot be added to an existing relationship.")
	case NoActiveRelationship:
		pl.newRelationship(c, "No relationship with this customer is active, and one that has ended or was terminated cannot be started again: a new one must be approved.")
	case Expiring:
		ra := pl.relationship(c, first(pr.RelationshipIDs))
		if ra == nil {
			return
		}
		if grants(ra.Relationship, roles.GlobalAdministrator) {
			if len(pr.Roles) > 0 {
				pl.newRelationship(c, "The relationship that grants them ends soon, and Microsoft does not let one with Global Administrator extend automatically: a new one keeps your access.")
			}
			return
		}
		pl.setAutoExtend(c, ra.Relationship)
	case UnboundRoles:
		for _, role := range pr.Roles {
			pl.assign(c, role, pl.groupFor(role))
		}
	case RequiredGroupMissing:
		for _, role := range pr.Roles {
			pl.assign(c, role, pr.RequiredGroup)
		}
	case TechnicianNotInGroup:
		for _, role := range pr.Roles {
			pl.technicianNotIn(c, role)
		}
	case ApprovalPending:
		ra := pl.relationship(c, first(pr.RelationshipIDs))
		if ra != nil && stateOf(ra.Relationship.Status) == stateCreated {
			pl.lock(c, ra.Relationship)
		}
	}
}

func first(ss []string) string {
	if len(ss) == 0 {
		return ""
	}
	return ss[0]
}

func (pl *planner) relationship(c Customer, id string) *RelationshipAccess {
	for _, ra := range pl.byCustomer[strings.ToLower(c.TenantID)] {
		if ra.Relationship.ID == id {
			return ra
		}
	}
	return nil
}

// groupFor is the group a role goes to: the profile's, or the pattern's.
func (pl *planner) groupFor(role string) string {
	if g := pl.p.GroupFor(role); g != "" {
		return g
	}
	return strings.ReplaceAll(pl.opts.GroupPattern, "{role}", roles.Name(role))
}

// technicianNotIn fixes a role held only by groups the technician is not in: the profile's group
// gets the role (or the technician, when that group holds it already); without a profile group,
// the technician joins the group that holds the role.
func (pl *planner) technicianNotIn(c Customer, role string) {
	holders := newOrderedSet()
	for _, ra := range pl.activeGrantors(c, role) {
		for _, a := range ra.Assignments {
			if holds(a.Status) && assignmentHolds(a, role) {
				holders.add(a.AccessContainer.AccessContainerID)
			}
		}
	}
	if req := pl.p.GroupFor(role); req != "" {
		for _, g := range holders.items {
			if strings.EqualFold(pl.inv.GroupName(g), req) {
				pl.member(c, g, role)
				return
			}
		}
		pl.assign(c, role, req)
		return
	}
	// Prefer the group named after the role, then the first by name.
	pattern := pl.groupFor(role)
	best := ""
	for _, g := range holders.items {
		name := pl.inv.GroupName(g)
		switch {
		case best == "":
			best = g
		case strings.EqualFold(name, pattern) && !strings.EqualFold(pl.inv.GroupName(best), pattern):
			best = g
		case !strings.EqualFold(pl.inv.GroupName(best), pattern) && strings.ToLower(name) < strings.ToLower(pl.inv.GroupName(best)):
			best = g
		}
	}
	if best != "" {
		pl.member(c, best, role)
	}
}

// activeGrantors are the customer's active relationships that grant role and whose assignments
// were read, the one that lasts longest first (auto-extending ones before others).
func (pl *planner) activeGrantors(c Customer, role string) []*RelationshipAccess {
	var out []*RelationshipAccess
	for _, ra := range pl.byCustomer[strings.ToLower(c.TenantID)] {
		if stateOf(ra.Relationship.Status) == stateActive && ra.Err == nil && grants(ra.Relationship, role) {
			out = append(out, ra)
		}
	}
	sortByEnd(out)
	sort.SliceStable(out, func(i, j int) bool { return autoExtends(out[i].Relationship) && !autoExtends(out[j].Relationship) })
	return out
}

// assign plans role -> group in the best relationship that grants it.
func (pl *planner) assign(c Customer, role, groupName string) {
	grantors := pl.activeGrantors(c, role)
	if len(grantors) == 0 {
		return
	}
	ra := grantors[0]
	groupID, deps, ok := pl.group(c, groupName, role)
	if !ok {
		return
	}
	key := groupID
	if key == "" {
		key = "new:" + strings.ToLower(groupName)
	}
	id := "assign/" + ra.Relationship.ID + "/" + key
	f, _ := pl.fix(Fix{ID: id, Kind: AddAccessAssignment, Customer: c, GroupID: groupID, GroupName: groupName,
		RelationshipID: ra.Relationship.ID, RelationshipName: ra.Relationship.DisplayName, DependsOn: deps})
	if !containsFold(f.Roles, role) {
		f.Roles = append(f.Roles, strings.ToLower(role))
	}
}

// group finds or plans the group called name. ok is false when it cannot be known or made.
func (pl *planner) group(c Customer, name, role string) (id string, deps []string, ok bool) {
	if pl.inv.GroupsErr != nil {
		return "", nil, false // without the list, a new group could be a duplicate
	}
	if g, found := pl.inv.GroupByName(name); found {
		if pl.inv.TechnicianErr == nil && !pl.inv.TechnicianGroups[g.ID] {
			pl.member(c, g.ID, role)
		}
		return g.ID, nil, true
	}
	if reservedGroups[strings.ToLower(strings.TrimSpace(name))] || pl.inv.Technician.ID == "" {
		return "", nil, false
	}
	id = "group/" + strings.ToLower(name)
	pl.fix(Fix{ID: id, Kind: CreateGroup, GroupName: name, TechnicianID: pl.inv.Technician.ID})
	pl.serve(id, c, role)
	return "", []string{id}, true
}

// member plans adding the technician to an existing group. Not to a role-assignable one: only a
// Privileged Role Administrator, with a permission Onboard365 does not ask for, may change its
// members (the verdict says so, notInFix).
func (pl *planner) member(c Customer, groupID, role string) {
	if pl.inv.Technician.ID == "" || pl.inv.TechnicianGroups[groupID] || pl.inv.Groups[groupID].IsAssignableToRole {
		return
	}
	id := "member/" + groupID
	pl.fix(Fix{ID: id, Kind: AddTechnicianToGroup, GroupID: groupID, GroupName: pl.inv.GroupName(groupID), TechnicianID: pl.inv.Technician.ID})
	pl.serve(id, c, role)
}

func (pl *planner) setAutoExtend(c Customer, r Relationship) {
	f, isNew := pl.fix(Fix{ID: "autoextend/" + r.ID, Kind: SetAutoExtend, Customer: c, RelationshipID: r.ID,
		RelationshipName: r.DisplayName, ETag: r.ETag, AutoExtendDuration: autoExtend180})
	if !isNew {
		return
	}
	end := ""
	if r.EndDateTime != nil {
		end = fmt.Sprintf(", so that it does not end on %s", words.Day(*r.EndDateTime))
	}
	f.Reason = fmt.Sprintf("Set the relationship %q with %s to extend automatically by 180 days%s. Microsoft allows this change on an active relationship; nothing else about it changes.",
		r.DisplayName, c.label(), end)
	if _, renewing := pl.fixes["relationship/"+strings.ToLower(c.TenantID)]; !renewing {
		renewal := pl.newRelationshipFix(c, "It takes over when the relationship ends.")
		renewal.ID = f.ID + "/renewal"
		f.Fallback = &renewal
		f.Reason += fmt.Sprintf(" If Microsoft refuses the change, Onboard365 requests a new relationship %q with the roles %s needs instead, for the customer to approve.",
			renewal.RelationshipName, words.Name(pl.p.Name))
	}
}

// newRelationship plans a relationship with the profile's roles for a customer; why says, in a
// sentence, why a new one is the fix (and not a change of the one there is).
func (pl *planner) newRelationship(c Customer, why string) {
	id := "relationship/" + strings.ToLower(c.TenantID)
	if _, ok := pl.fixes[id]; ok {
		return
	}
	pl.fix(pl.newRelationshipFix(c, why))
}

// newRelationshipFix plans a relationship with the profile's roles for a customer; why says, in a
// sentence, why a new one is the fix ("" when there is nothing to say, as for an invitation). A
// request that already waits for the same customer's approval (approvalPending) but lacks some of
// the roles gives its roles to the new one as well, so that the customer's admin approves one
// link, the new one, and nothing they were asked for before is lost (roles cannot be added to a
// request once it is sent).
func (pl *planner) newRelationshipFix(c Customer, why string) Fix {
	rs := make([]string, 0, len(pl.p.Roles))
	for _, r := range pl.p.Roles {
		if r = strings.ToLower(r); !containsFold(rs, r) {
			rs = append(rs, r)
		}
	}
	var older []Relationship
	if strings.TrimSpace(c.TenantID) != "" {
		for _, ra := range pl.byCustomer[strings.ToLower(c.TenantID)] {
			if !strings.EqualFold(ra.Relationship.Status, "approvalPending") {
				continue
			}
			older = append(older, ra.Relationship)
			rs = append(rs, minus(sortedRoles(roleSet(ra.Relationship)), toSet(rs))...)
		}
	}
	ext := autoExtend180
	note := "It extends automatically by 180 days."
	if containsFold(rs, roles.GlobalAdministrator) {
		ext = noAutoExtend
		note = "It includes Global Administrator, so Microsoft does not let it extend automatically."
	}
	name := pl.uniqueName(c)
	id := "relationship/" + strings.ToLower(c.TenantID)
	if strings.TrimSpace(c.TenantID) == "" {
		id = "relationship/new:" + strings.ToLower(strings.TrimSpace(c.Name))
	}
	f := Fix{ID: id, Kind: RequestNewRelationship, Customer: c, Roles: rs, RelationshipName: name,
		Duration: pl.opts.Duration, AutoExtendDuration: ext, Profile: pl.p.Name}
	needs := "that grants the " + words.Count(len(pl.p.Roles), "role") + " " + words.Name(pl.p.Name) + " needs"
	if len(rs) > len(pl.p.Roles) {
		needs = "that grants " + words.Count(len(rs), "role") + ", " + words.Count(len(pl.p.Roles), "role") + " for " + words.Name(pl.p.Name) + " and the rest from the request that already waits for them"
	}
	if why != "" {
		why += " "
	}
	f.Reason = fmt.Sprintf("Request a new relationship %q with %s %s (%s), for %s. %s%s "+
		"The customer's Global Administrator approves it with the link Onboard365 gives you; then run this check again to assign the roles to your groups.",
		name, c.label(), needs, roleList(rs), durationWords(pl.opts.Duration), why, note)
	for _, r := range older {
		f.Reason += fmt.Sprintf(" The request %q, which waits for their approval, lacks some of these roles: their admin needs to approve only the new link; the older one can be left to expire unused.", r.DisplayName)
	}
	f.Requests = requestsFor(f)
	return f
}

// RequestFix plans one relationship request for a customer with a profile's roles, as the GDAP
// check plans it for missing roles: the onboarding wizard's invitation. Its name is unique among
// the inventory's relationships; a request that already waits for the customer adds its roles
// (newRelationshipFix). A customer that is not with the partner yet has no tenant id: the
// request then names no customer (Microsoft's create page lets customer be left out; the
// relationship's customer is set when a customer approves it), and c.Name (its domain) names it.
func RequestFix(c Customer, p roles.Profile, inv Inventory, opts PlanOptions) Fix {
	return newPlanner(inv, p, opts).newRelationshipFix(c, "")
}

// lock plans sending a relationship that was created but never sent for approval.
func (pl *planner) lock(c Customer, r Relationship) {
	id := "relationship/" + strings.ToLower(c.TenantID) + "/" + r.ID
	f, isNew := pl.fix(Fix{ID: id, Kind: RequestNewRelationship, Customer: c, RelationshipID: r.ID, RelationshipName: r.DisplayName,
		Roles: sortedRoles(roleSet(r)), Profile: pl.p.Name})
	if isNew {
		f.Reason = fmt.Sprintf("Send the relationship %q with %s to the customer for approval (it was created but never sent), and give you the link for the customer.", r.DisplayName, c.label())
	}
}

// uniqueName names a new relationship: the pattern, cut to 50 characters, with " (2)" and so on
// when the partner has a relationship of that name already.
func (pl *planner) uniqueName(c Customer) string {
	base := strings.NewReplacer("{customer}", c.label(), "{profile}", words.Name(pl.p.Name)).Replace(pl.opts.RelationshipPattern)
	base = strings.Join(strings.Fields(base), " ")
	for n := 1; ; n++ {
		suffix := ""
		if n > 1 {
			suffix = fmt.Sprintf(" (%d)", n)
		}
		name := cut(base, maxRelationshipName-len(suffix)) + suffix
		if !pl.names[strings.ToLower(name)] {
			pl.names[strings.ToLower(name)] = true
			return name
		}
	}
}

// cut shortens s to at most n bytes on a character boundary, without trailing spaces or dashes.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strings.TrimRight(s[:n], " -")
}

// finish writes the requests and reasons and orders the fixes.
func (pl *planner) finish() []Fix {
	out := make([]Fix, 0, len(pl.order))
	for _, id := range pl.order {
		f := pl.fixes[id]
		pu := pl.purpose[id]
		switch f.Kind {
		case CreateGroup:
			f.Reason = fmt.Sprintf("Create the security group %q in your partner tenant and add you to it, so that %s can be assigned to it for %s. %s",
				f.GroupName, roleList(pu.roles.items), words.JoinAnd(pu.customers.items), OrdinaryGroups)
		case AddTechnicianToGroup:
			f.Reason = fmt.Sprintf("Add you (%s) to the group %q, which holds %s for %s. Everyone in a group can use every role it holds in every customer that assigns it.",
				pl.technicianLabel(), f.GroupName, roleList(pu.roles.items), words.JoinAnd(pu.customers.items))
		case AddAccessAssignment:
			pl.assignment(f)
		}
		f.Requests = requestsFor(*f)
		out = append(out, *f)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].Kind.phase(), out[j].Kind.phase(); a != b {
			return a < b
		}
		if out[i].Customer != out[j].Customer {
			return customerLess(out[i].Customer, out[j].Customer)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (pl *planner) technicianLabel() string {
	if pl.inv.Technician.UserPrincipalName != "" {
		return words.Name(pl.inv.Technician.UserPrincipalName)
	}
	return "the signed-in technician"
}

// assignment turns an AddAccessAssignment into an UpdateAccessAssignment when the group already
// has an assignment in the relationship (Graph allows one per group).
func (pl *planner) assignment(f *Fix) {
	ra := pl.relationship(f.Customer, f.RelationshipID)
	if ra != nil && f.GroupID != "" {
		for _, a := range ra.Assignments {
			if a.AccessContainer.AccessContainerID != f.GroupID || strings.EqualFold(a.Status, "deleted") || strings.EqualFold(a.Status, "deleting") {
				continue
			}
			f.Kind, f.AssignmentID, f.ETag = UpdateAccessAssignment, a.ID, a.ETag
			merged := make([]string, 0, len(a.AccessDetails.UnifiedRoles)+len(f.Roles))
			for _, u := range a.AccessDetails.UnifiedRoles {
				merged = append(merged, strings.ToLower(u.RoleDefinitionID))
			}
			added := minus(f.Roles, toSet(merged))
			f.Roles, f.AssignmentRoles = added, append(merged, added...)
			f.Reason = fmt.Sprintf("Add %s to what the group %q holds in the relationship %q with %s, so that you can use %s.",
				roleList(added), f.GroupName, f.RelationshipName, f.Customer.label(), them(added))
			return
		}
	}
	f.Reason = fmt.Sprintf("Assign %s in the relationship %q with %s to the group %q, so that you can use %s.",
		roleList(f.Roles), f.RelationshipName, f.Customer.label(), f.GroupName, them(f.Roles))
}

func toSet(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[strings.ToLower(s)] = true
	}
	return m
}

func containsFold(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Request bodies, shared by Plan (to show them) and Apply (to send them).

func unifiedRoles(rs []string) map[string]any {
	list := make([]map[string]string, len(rs))
	for i, r := range rs {
		list[i] = map[string]string{"roleDefinitionId": r}
	}
	return map[string]any{"unifiedRoles": list}
}

func groupBody(name string) map[string]any {
	return map[string]any{
		"displayName":        name,
		"description":        "GDAP access for customers, managed with Onboard365",
		"mailEnabled":        false,
		"mailNickname":       mailNickname(name),
		"securityEnabled":    true,
		"isAssignableToRole": false,
	}
}

// OrdinaryGroups says why Onboard365 makes ordinary security groups for GDAP, not role-assignable
// ones. GDAP access assignments take any security group (delegatedAdminAccessContainer); a
// group that Entra roles can be assigned to can be created, and its members changed, only by a
// Privileged Role Administrator (or Global Administrator) with RoleManagement.ReadWrite.Directory
// (the group resource page, isAssignableToRole; group-post-members). That permission would let
// the app grant any role in the partner tenant, so it does not ask for it: least privilege.
const OrdinaryGroups = "Onboard365 makes ordinary security groups: GDAP can assign roles to any security group, " +
	"while a role-assignable group can only be made, or its members changed, by a Privileged Role Administrator " +
	"with a permission that could grant any role in your partner tenant, which Onboard365 does not ask for."

var (
	notNickname = regexp.MustCompile(`[^A-Za-z0-9._-]+`)
	dashes      = regexp.MustCompile(`-{2,}`)
)

// mailNickname makes Graph's required mailNickname from a group name: letters, digits, dots,
// dashes and underscores only, at most 64 characters.
func mailNickname(name string) string {
	n := strings.Trim(dashes.ReplaceAllString(notNickname.ReplaceAllString(name, "-"), "-"), "-.")
	if n == "" {
		n = "gdap-group"
	}
	return cut(n, 64)
}

func memberBody(userID string) map[string]any {
	return map[string]any{"@odata.id": directoryObjects + userID}
}

func assignmentBody(groupID string, rs []string) map[string]any {
	return map[string]any{
		"accessContainer": map[string]any{"accessContainerId": groupID, "accessContainerType": "securityGroup"},
		"accessDetails":   unifiedRoles(rs),
	}
}

// relationshipBody is a new relationship. For a customer that is not with the partner yet (no
// tenant id) customer is left out, as tenantrelationship-post-delegatedadminrelationships allows:
// Microsoft sets it when the customer approves.
func relationshipBody(f Fix) map[string]any {
	body := map[string]any{
		"displayName":        f.RelationshipName,
		"duration":           f.Duration,
		"autoExtendDuration": f.AutoExtendDuration,
		"accessDetails":      unifiedRoles(f.Roles),
	}
	if strings.TrimSpace(f.Customer.TenantID) != "" {
		body["customer"] = map[string]any{"tenantId": f.Customer.TenantID, "displayName": f.Customer.Name}
	}
	return body
}

var lockBody = map[string]any{"action": "lockForApproval"}

func relationshipPath(id string) string { return relationshipsPath + "/" + url.PathEscape(id) }

func assignmentsPath(relID string) string { return relationshipPath(relID) + "/accessAssignments" }

func groupByNamePath(name string) string {
	q := url.Values{}
	q.Set("$filter", "displayName eq '"+strings.ReplaceAll(name, "'", "''")+"'")
	q.Set("$select", "id,displayName")
	return "/v1.0/groups?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}

// requestsFor lists what a fix sends, in order.
func requestsFor(f Fix) []Request {
	groupRef := f.GroupID
	if groupRef == "" {
		groupRef = "{new group}"
	}
	switch f.Kind {
	case CreateGroup:
		return []Request{
			{Method: "GET", Path: groupByNamePath(f.GroupName)},
			{Method: "POST", Path: "/v1.0/groups", Body: groupBody(f.GroupName)},
			{Method: "POST", Path: "/v1.0/groups/{new group}/members/$ref", Body: memberBody(f.TechnicianID)},
		}
	case AddTechnicianToGroup:
		return []Request{{Method: "POST", Path: "/v1.0/groups/" + url.PathEscape(f.GroupID) + "/members/$ref", Body: memberBody(f.TechnicianID)}}
	case AddAccessAssignment:
		return []Request{{Method: "POST", Path: assignmentsPath(f.RelationshipID), Body: assignmentBody(groupRef, f.Roles)}}
	case UpdateAccessAssignment:
		return []Request{{Method: "PATCH", Path: assignmentsPath(f.RelationshipID) + "/" + url.PathEscape(f.AssignmentID),
			Headers: map[string]string{"If-Match": f.ETag}, Body: map[string]any{"accessDetails": unifiedRoles(f.AssignmentRoles)}}}
	case SetAutoExtend:
		return []Request{{Method: "PATCH", Path: relationshipPath(f.RelationshipID), Headers: map[string]string{"If-Match": f.ETag},
			Body: map[string]any{"autoExtendDuration": f.AutoExtendDuration}}}
	case RequestNewRelationship:
		if f.RelationshipID != "" {
			return []Request{{Method: "POST", Path: relationshipPath(f.RelationshipID) + "/requests", Body: lockBody}}
		}
		return []Request{
			{Method: "POST", Path: relationshipsPath, Body: relationshipBody(f)},
			{Method: "POST", Path: relationshipsPath + "/{new relationship}/requests", Body: lockBody},
		}
	}
	return nil
}

var isoDays = regexp.MustCompile(`^P(\d+)D$`)

// durationWords says an ISO 8601 duration of days in words: "730 days".
func durationWords(d string) string {
	if m := isoDays.FindStringSubmatch(strings.ToUpper(d)); m != nil {
		return m[1] + " days"
	}
	return d
}

// ApprovalMail is a message a technician can send the customer's Global Administrator: what is
// asked, for how long, and the link to approve it. It holds no secret.
func ApprovalMail(customer string, roleIDs []string, duration, link string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Subject: Please approve our admin access request for %s\n\n", customer)
	b.WriteString("Hello,\n\n")
	fmt.Fprintf(&b, "To keep managing Microsoft 365 for %s, we have asked Microsoft for delegated admin access (a GDAP relationship). It gives our technicians only these roles", customer)
	if duration != "" {
		fmt.Fprintf(&b, ", for %s", durationWords(duration))
	}
	b.WriteString(":\n\n")
	for _, id := range roleIDs {
		if r, ok := roles.ByID(id); ok {
			fmt.Fprintf(&b, "  - %s: %s\n", r.Name, r.Allows)
		} else {
			fmt.Fprintf(&b, "  - %s\n", id)
		}
	}
	fmt.Fprintf(&b, "\nPlease sign in as a Global Administrator of %s and approve the request here:\n\n  %s\n\n", customer, link)
	b.WriteString("You can see and end this access at any time in the Microsoft 365 admin center, under Settings > Partner relationships.\n\nThank you.\n")
	return b.String()
}
