package gdap

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/words"
)

// ProblemKind names what is wrong.
type ProblemKind string

// Problem kinds.
const (
	// MissingRoles: roles the profile needs that no active relationship grants (and no relationship
	// waiting for approval would grant).
	MissingRoles ProblemKind = "missingRoles"
	// UnboundRoles: roles an active relationship grants but no access assignment holds, so nobody
	// can use them.
	UnboundRoles ProblemKind = "unboundRoles"
	// TechnicianNotInGroup: roles held only by groups the technician is not in.
	TechnicianNotInGroup ProblemKind = "technicianNotInGroup"
	// RequiredGroupMissing: the profile wants a role in a named group, and it is in others only.
	RequiredGroupMissing ProblemKind = "requiredGroupMissing"
	// Expiring: an active relationship ends within 30 days and will not extend by itself.
	Expiring ProblemKind = "expiring"
	// GlobalAdminAutoExtend: a relationship grants Global Administrator and says it extends
	// automatically, which Microsoft does not do for Global Administrator.
	GlobalAdminAutoExtend ProblemKind = "globalAdminAutoExtend"
	// ApprovalPending: a relationship waits for the customer to approve it (or, in status created,
	// was never sent for approval).
	ApprovalPending ProblemKind = "approvalPending"
	// NoActiveRelationship: every relationship with the customer has ended.
	NoActiveRelationship ProblemKind = "noActiveRelationship"
	// CouldNotRead: part of what the verdict needs could not be read from Microsoft.
	CouldNotRead ProblemKind = "couldNotRead"
)

// kindOrder lists the kinds in the order a verdict shows them.
var kindOrder = []ProblemKind{NoActiveRelationship, MissingRoles, UnboundRoles, TechnicianNotInGroup,
	RequiredGroupMissing, CouldNotRead, Expiring, GlobalAdminAutoExtend, ApprovalPending}

// Severity is the status a problem of this kind gives a customer.
func (k ProblemKind) Severity() plan.Status {
	switch k {
	case MissingRoles, UnboundRoles, TechnicianNotInGroup, RequiredGroupMissing, NoActiveRelationship:
		return plan.Fail
	case CouldNotRead:
		return plan.CouldNotCheck
	}
	return plan.Warning
}

// Words names a problem kind in a few plain words, for a table column.
func (k ProblemKind) Words() string {
	switch k {
	case MissingRoles:
		return "roles not granted"
	case UnboundRoles:
		return "roles in no group"
	case TechnicianNotInGroup:
		return "you are not in the group"
	case RequiredGroupMissing:
		return "roles not in the required group"
	case Expiring:
		return "ends soon"
	case GlobalAdminAutoExtend:
		return "Global Administrator set to auto-extend"
	case ApprovalPending:
		return "waits for approval"
	case NoActiveRelationship:
		return "no active relationship"
	case CouldNotRead:
		return "could not be read"
	}
	return string(k)
}

// Customer is one customer tenant of the partner.
type Customer struct {
	TenantID string
	Name     string
}

// Problem is one thing wrong with a customer's GDAP access, for one profile.
type Problem struct {
	Kind            ProblemKind
	Roles           []string // template ids involved
	RelationshipIDs []string // relationships involved
	GroupIDs        []string // partner groups involved (for TechnicianNotInGroup and RequiredGroupMissing: where the roles are now)
	RequiredGroup   string   // RequiredGroupMissing: the group the profile wants the roles in
	Days            int      // Expiring: days left (a started day counts); ApprovalPending: days waited
	ApprovalLink    string   // ApprovalPending: the link the customer's admin opens to approve
	Sentence        string   // the problem in plain words, with the customer's name
	Err             error    // CouldNotRead: the reason
}

// Verdict is the answer for one customer.
type Verdict struct {
	Customer Customer
	Status   plan.Status
	Problems []Problem // worst first
	Sentence string    // the verdict in plain words
}

// expiringWithin is how soon an ending relationship is worth a warning.
const expiringWithin = 30 * 24 * time.Hour

// ApprovalLink is the address where the customer's Global Administrator approves a relationship.
func ApprovalLink(relationshipID string) string {
	return "https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/" + relationshipID
}

// relationship states, as this package groups Graph's statuses.
type state int

const (
	stateEnded   state = iota // expired, terminated, terminating, terminationRequested, or unknown
	stateActive               // active, expiring: roles can be used
	statePending              // approvalPending, approved, activating: waits for the customer or Microsoft
	stateCreated              // created: never sent for approval
)

func stateOf(status string) state {
	switch strings.ToLower(status) {
	case "active", "expiring":
		return stateActive
	case "approvalpending", "approved", "activating":
		return statePending
	case "created":
		return stateCreated
	}
	return stateEnded
}

// holds says whether an access assignment in this status gives its group the roles: an active
// one does, and so does a pending one (Graph is still applying it, which takes minutes; counting
// it keeps a second run from assigning the roles again).
func holds(status string) bool {
	s := strings.ToLower(status)
	return s == "active" || s == "pending" || s == ""
}

// autoExtends says whether a relationship will extend by itself when it ends. Microsoft never
// extends one that includes Global Administrator, whatever autoExtendDuration says.
func autoExtends(r Relationship) bool {
	d := strings.ToUpper(strings.TrimSpace(r.AutoExtendDuration))
	return d != "" && d != "PT0S" && d != "P0D" && !grants(r, roles.GlobalAdministrator)
}

func grants(r Relationship, role string) bool {
	for _, u := range r.AccessDetails.UnifiedRoles {
		if strings.EqualFold(u.RoleDefinitionID, role) {
			return true
		}
	}
	return false
}

func roleSet(r Relationship) map[string]bool {
	m := make(map[string]bool, len(r.AccessDetails.UnifiedRoles))
	for _, u := range r.AccessDetails.UnifiedRoles {
		m[strings.ToLower(u.RoleDefinitionID)] = true
	}
	return m
}

// Evaluate gives one verdict per customer for a profile, worst first, then by name. A customer
// passes when every role the profile needs is granted by an active relationship and assigned to
// a group the technician is in (and to the group the profile names, when it names one), and no
// relationship needs attention soon.
func Evaluate(inv Inventory, p roles.Profile, now time.Time) []Verdict {
	byCustomer := map[string][]*RelationshipAccess{}
	for i := range inv.Relationships {
		ra := &inv.Relationships[i]
		key := strings.ToLower(strings.TrimSpace(ra.Relationship.Customer.TenantID))
		if key != "" {
			byCustomer[key] = append(byCustomer[key], ra)
		}
	}
	customers := inv.Customers()
	out := make([]Verdict, 0, len(customers))
	for _, c := range customers {
		e := evaluator{inv: inv, p: p, now: now, c: c, rels: byCustomer[strings.ToLower(strings.TrimSpace(c.TenantID))]}
		out = append(out, e.verdict())
	}
	SortVerdicts(out)
	return out
}

// SortVerdicts sorts worst first (Fail, CouldNotCheck, Warning, Pass), then by customer name.
func SortVerdicts(vs []Verdict) {
	sort.SliceStable(vs, func(i, j int) bool {
		if a, b := vs[i].Status.Rank(), vs[j].Status.Rank(); a != b {
			return a < b
		}
		return customerLess(vs[i].Customer, vs[j].Customer)
	})
}

func customerLess(a, b Customer) bool {
	if x, y := strings.ToLower(a.Name), strings.ToLower(b.Name); x != y {
		return x < y
	}
	return a.TenantID < b.TenantID
}

// evaluator works out the verdict for one customer.
type evaluator struct {
	inv  Inventory
	p    roles.Profile
	now  time.Time
	c    Customer
	rels []*RelationshipAccess

	problems []Problem
}

func (e *evaluator) add(p Problem) { e.problems = append(e.problems, p) }

func (e *evaluator) verdict() Verdict {
	var active, waiting, ended []*RelationshipAccess
	for _, ra := range e.rels {
		switch stateOf(ra.Relationship.Status) {
		case stateActive:
			active = append(active, ra)
		case statePending, stateCreated:
			waiting = append(waiting, ra)
		default:
			ended = append(ended, ra)
		}
	}
	sortByEnd(active)
	sortByEnd(ended)
	need := e.neededRoles()
	waitingRoles := map[string]bool{}
	for _, ra := range waiting {
		for r := range roleSet(ra.Relationship) {
			waitingRoles[r] = true
		}
	}

	if len(active) == 0 {
		if uncovered := minus(need, waitingRoles); len(waiting) == 0 || len(uncovered) > 0 {
			e.noActive(ended, uncovered)
		}
	} else {
		granted := map[string]bool{}
		for _, ra := range active {
			for r := range roleSet(ra.Relationship) {
				granted[r] = true
			}
		}
		if missing := minus(minus(need, granted), waitingRoles); len(missing) > 0 {
			e.missing(active, missing)
		}
		e.bindings(active, intersect(need, granted))
		e.expiring(active, need, waitingRoles)
	}
	for _, ra := range append(append([]*RelationshipAccess(nil), active...), waiting...) {
		if grants(ra.Relationship, roles.GlobalAdministrator) && hasAutoExtendSetting(ra.Relationship) {
			e.globalAdmin(ra)
		}
	}
	for _, ra := range waiting {
		e.waiting(ra, active)
	}
	return e.finish()
}

// neededRoles is the profile's roles, lower-cased, in the profile's order.
func (e *evaluator) neededRoles() []string {
	out := make([]string, 0, len(e.p.Roles))
	seen := map[string]bool{}
	for _, r := range e.p.Roles {
		r = strings.ToLower(strings.TrimSpace(r))
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return out
}

func hasAutoExtendSetting(r Relationship) bool {
	d := strings.ToUpper(strings.TrimSpace(r.AutoExtendDuration))
	return d != "" && d != "PT0S" && d != "P0D"
}

// sortByEnd puts the relationship that lasts longest first.
func sortByEnd(rs []*RelationshipAccess) {
	sort.SliceStable(rs, func(i, j int) bool {
		a, b := rs[i].Relationship.EndDateTime, rs[j].Relationship.EndDateTime
		switch {
		case a == nil || b == nil:
			return a == nil && b != nil
		default:
			return a.After(*b)
		}
	})
}

func (e *evaluator) noActive(ended []*RelationshipAccess, uncovered []string) {
	pr := Problem{Kind: NoActiveRelationship, Roles: uncovered, RelationshipIDs: ids(ended)}
	var last string
	if len(ended) > 0 {
		r := ended[0].Relationship
		verb := "ended"
		switch strings.ToLower(r.Status) {
		case "expired":
			verb = "expired"
		case "terminated", "terminating", "terminationrequested":
			verb = "was terminated"
		}
		if r.EndDateTime != nil {
			last = fmt.Sprintf(": the last one, %q, %s on %s", r.DisplayName, verb, words.Day(*r.EndDateTime))
		} else {
			last = fmt.Sprintf(": the last one, %q, %s", r.DisplayName, verb)
		}
	}
	pr.Sentence = fmt.Sprintf("%s: no relationship is active, so you cannot manage this customer%s. Onboard365 can request a new relationship with the roles %s needs, for the customer to approve.",
		e.c.label(), last, words.Name(e.p.Name))
	e.add(pr)
}

func (e *evaluator) missing(active []*RelationshipAccess, missing []string) {
	subject := "the relationship does not grant"
	if len(active) > 1 {
		subject = fmt.Sprintf("none of its %d active relationships grants", len(active))
	}
	e.add(Problem{Kind: MissingRoles, Roles: missing, RelationshipIDs: ids(active),
		Sentence: fmt.Sprintf("%s: %s %s, which %s needs. Roles cannot be added to an existing relationship: Onboard365 can request a new one for the customer to approve.",
			e.c.label(), subject, roleList(missing), words.Name(e.p.Name))})
}

// bindings checks, role by role, that the roles the profile needs are held by a group the
// technician is in (and the group the profile names).
func (e *evaluator) bindings(active []*RelationshipAccess, granted []string) {
	if e.inv.TechnicianErr != nil {
		e.add(Problem{Kind: CouldNotRead, Roles: granted, Err: e.inv.TechnicianErr,
			Sentence: fmt.Sprintf("%s: could not check who can use the roles, because %s", e.c.label(), plainReason(e.inv.TechnicianErr))})
		return
	}
	var unbound, notIn, unknown []string
	notInGroups, unknownRels, unboundRels, notInRels := newOrderedSet(), newOrderedSet(), newOrderedSet(), newOrderedSet()
	required := map[string][]string{} // group name -> roles
	requiredHolders := map[string]*orderedSet{}
	var requiredOrder []string
	var firstErr error
	for _, role := range granted {
		holders := newOrderedSet()
		var grantors, unreadable []string
		for _, ra := range active {
			if !grants(ra.Relationship, role) {
				continue
			}
			grantors = append(grantors, ra.Relationship.ID)
			if ra.Err != nil {
				unreadable = append(unreadable, ra.Relationship.ID)
				if firstErr == nil {
					firstErr = ra.Err
				}
				continue
			}
			for _, a := range ra.Assignments {
				if holds(a.Status) && assignmentHolds(a, role) {
					holders.add(a.AccessContainer.AccessContainerID)
				}
			}
		}
		techOK := false
		for _, g := range holders.items {
			if e.inv.TechnicianGroups[g] {
				techOK = true
			}
		}
		req := e.p.GroupFor(role)
		inReq := false
		if req != "" {
			for _, g := range holders.items {
				if strings.EqualFold(e.inv.GroupName(g), req) {
					inReq = true
				}
			}
		}
		if req != "" && !inReq && techOK && e.inv.GroupsErr != nil {
			// The groups' names could not be read, so whether one of them is the profile's
			// group cannot be told.
			unreadable = append(unreadable, grantors...)
			if firstErr == nil {
				firstErr = e.inv.GroupsErr
			}
		}
		switch {
		case techOK && (req == "" || inReq):
		case len(unreadable) > 0:
			unknown = append(unknown, role)
			unknownRels.add(unreadable...)
		case len(holders.items) == 0:
			unbound = append(unbound, role)
			unboundRels.add(grantors...)
		case !techOK:
			notIn = append(notIn, role)
			notInGroups.add(holders.items...)
			notInRels.add(grantors...)
		default:
			if _, ok := required[req]; !ok {
				requiredOrder = append(requiredOrder, req)
				requiredHolders[req] = newOrderedSet()
			}
			required[req] = append(required[req], role)
			requiredHolders[req].add(holders.items...)
		}
	}
	if len(unbound) > 0 {
		e.add(Problem{Kind: UnboundRoles, Roles: unbound, RelationshipIDs: unboundRels.items,
			Sentence: fmt.Sprintf("%s: the relationship grants %s, but no group holds %s, so nobody can use %s. Onboard365 can assign %s to %s.",
				e.c.label(), roleList(unbound), them(unbound), them(unbound), them(unbound), e.targetGroups(unbound))})
	}
	if len(notIn) > 0 {
		e.add(Problem{Kind: TechnicianNotInGroup, Roles: notIn, RelationshipIDs: notInRels.items, GroupIDs: notInGroups.items,
			Sentence: fmt.Sprintf("%s: %s %s assigned only to %s, which you are not in, so you cannot use %s. %s",
				e.c.label(), roleList(notIn), isAre(notIn), e.groupList(notInGroups.items), them(notIn), e.notInFix(notIn, notInGroups.items))})
	}
	for _, req := range requiredOrder {
		rs := required[req]
		exists := ""
		if _, ok := e.inv.GroupByName(req); !ok && e.inv.GroupsErr == nil {
			exists = fmt.Sprintf(" Your tenant has no group called %q yet.", req)
		}
		e.add(Problem{Kind: RequiredGroupMissing, Roles: rs, GroupIDs: requiredHolders[req].items, RequiredGroup: req,
			RelationshipIDs: e.grantorsOf(active, rs),
			Sentence: fmt.Sprintf("%s: %s wants %s assigned to the group %q, but %s only in %s.%s Onboard365 can assign %s to %q.",
				e.c.label(), words.Name(e.p.Name), roleList(rs), req, isAre(rs), e.groupList(requiredHolders[req].items), exists, them(rs), req)})
	}
	if len(unknown) > 0 {
		e.add(Problem{Kind: CouldNotRead, Roles: unknown, RelationshipIDs: unknownRels.items, Err: firstErr,
			Sentence: fmt.Sprintf("%s: could not read which groups hold %s, because %s", e.c.label(), roleList(unknown), plainReason(firstErr))})
	}
}

func (e *evaluator) grantorsOf(active []*RelationshipAccess, rs []string) []string {
	set := newOrderedSet()
	for _, ra := range active {
		for _, r := range rs {
			if grants(ra.Relationship, r) {
				set.add(ra.Relationship.ID)
			}
		}
	}
	return set.items
}

// targetGroups says where a fix would put roles: the group the profile names, or a group named
// after the role.
func (e *evaluator) targetGroups(rs []string) string {
	names := newOrderedSet()
	for _, r := range rs {
		if g := e.p.GroupFor(r); g != "" {
			names.add(fmt.Sprintf("%q", g))
		} else {
			names.add("a group named after the role that you are in")
		}
	}
	return words.JoinAnd(names.items)
}

func (e *evaluator) notInFix(rs, groups []string) string {
	names := newOrderedSet()
	for _, r := range rs {
		if g := e.p.GroupFor(r); g != "" {
			names.add(g)
		}
	}
	if len(names.items) > 0 {
		quoted := make([]string, len(names.items))
		for i, n := range names.items {
			quoted[i] = fmt.Sprintf("%q", n)
		}
		return fmt.Sprintf("%s wants %s in %s: Onboard365 can assign %s there.", words.Name(e.p.Name), them(rs), words.JoinAnd(quoted), them(rs))
	}
	if e.inv.Groups[groups[0]].IsAssignableToRole {
		return fmt.Sprintf("%s is role-assignable, so only a Privileged Role Administrator of your partner tenant can add you "+
			"(in the Microsoft Entra admin center); Onboard365 does not ask for the permission that would take, as it could grant any role.", e.groupList(groups[:1]))
	}
	return fmt.Sprintf("Onboard365 can add you to %s.", e.groupList(groups[:1]))
}

func (e *evaluator) groupList(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = fmt.Sprintf("%q", e.inv.GroupName(id))
	}
	return words.JoinAnd(names)
}

// expiring warns about active relationships that end within 30 days and do not extend by
// themselves, unless a relationship waiting for approval already covers what the profile would
// lose (the renewal was requested).
func (e *evaluator) expiring(active []*RelationshipAccess, need []string, waitingRoles map[string]bool) {
	for _, ra := range active {
		r := ra.Relationship
		if r.EndDateTime == nil || autoExtends(r) || r.EndDateTime.Sub(e.now) > expiringWithin {
			continue
		}
		// What the profile would lose: its roles this relationship grants and no lasting one does.
		kept := map[string]bool{}
		for _, other := range active {
			o := other.Relationship
			if o.ID != r.ID && (autoExtends(o) || o.EndDateTime == nil || o.EndDateTime.Sub(e.now) > expiringWithin) {
				for role := range roleSet(o) {
					kept[role] = true
				}
			}
		}
		lose := minus(intersect(need, roleSet(r)), kept)
		if len(lose) > 0 && len(minus(lose, waitingRoles)) == 0 {
			continue // a renewal waits for approval; that problem says so
		}
		days := daysLeft(e.now, *r.EndDateTime)
		pr := Problem{Kind: Expiring, Roles: lose, RelationshipIDs: []string{r.ID}, Days: days}
		when := fmt.Sprintf("ends in %s (on %s)", words.Count(days, "day"), words.Day(*r.EndDateTime))
		if days <= 0 {
			when = "ends today"
		}
		fix := "Onboard365 can set it to extend automatically by 180 days."
		if grants(r, roles.GlobalAdministrator) {
			fix = "It includes Global Administrator, which Microsoft never extends automatically: Onboard365 can request a new relationship for the customer to approve."
		}
		loses := ""
		if len(lose) > 0 {
			loses = fmt.Sprintf(" Then %s loses %s.", words.Name(e.p.Name), roleList(lose))
		}
		pr.Sentence = fmt.Sprintf("%s: the relationship %q %s and is not set to extend automatically.%s %s", e.c.label(), r.DisplayName, when, loses, fix)
		e.add(pr)
	}
}

func (e *evaluator) globalAdmin(ra *RelationshipAccess) {
	r := ra.Relationship
	end := ""
	if r.EndDateTime != nil && stateOf(r.Status) == stateActive {
		end = fmt.Sprintf(": it will end on %s", words.Day(*r.EndDateTime))
	}
	e.add(Problem{Kind: GlobalAdminAutoExtend, Roles: []string{roles.GlobalAdministrator}, RelationshipIDs: []string{r.ID},
		Sentence: fmt.Sprintf("%s: the relationship %q grants Global Administrator and says it extends automatically, which Microsoft does not do for Global Administrator%s. Ask whether the customer needs to give you Global Administrator at all: a relationship without it can extend automatically. This needs a person's decision, so Onboard365 does not change it.",
			e.c.label(), r.DisplayName, end)})
}

func (e *evaluator) waiting(ra *RelationshipAccess, active []*RelationshipAccess) {
	r := ra.Relationship
	pr := Problem{Kind: ApprovalPending, Roles: sortedRoles(roleSet(r)), RelationshipIDs: []string{r.ID}}
	since := r.CreatedDateTime
	if r.LastModified != nil {
		since = r.LastModified
	}
	if since != nil {
		pr.Days = max(0, int(e.now.Sub(*since).Hours()/24))
	}
	noAccess := ""
	if len(active) == 0 {
		noAccess = " Until then no relationship is active, so you cannot manage this customer."
	}
	if stateOf(r.Status) == stateCreated {
		pr.Sentence = fmt.Sprintf("%s: the relationship %q was created but never sent to the customer for approval.%s Onboard365 can send it for approval and give you the link for the customer.",
			e.c.label(), r.DisplayName, noAccess)
		e.add(pr)
		return
	}
	pr.ApprovalLink = ApprovalLink(r.ID)
	if s := strings.ToLower(r.Status); s == "approved" || s == "activating" {
		pr.Sentence = fmt.Sprintf("%s: the customer approved the relationship %q and Microsoft is activating it; check again in a few minutes.", e.c.label(), r.DisplayName)
		e.add(pr)
		return
	}
	state := "was sent to the customer for approval today"
	if pr.Days > 0 {
		state = "has waited " + words.Count(pr.Days, "day") + " for the customer to approve it"
	}
	pr.Sentence = fmt.Sprintf("%s: the relationship %q %s.%s Send the customer's Global Administrator this link to approve it: %s",
		e.c.label(), r.DisplayName, state, noAccess, pr.ApprovalLink)
	e.add(pr)
}

// finish sorts the problems and writes the verdict's status and sentence.
func (e *evaluator) finish() Verdict {
	rank := map[ProblemKind]int{}
	for i, k := range kindOrder {
		rank[k] = i
	}
	sort.SliceStable(e.problems, func(i, j int) bool {
		a, b := e.problems[i], e.problems[j]
		if x, y := a.Kind.Severity().Rank(), b.Kind.Severity().Rank(); x != y {
			return x < y
		}
		return rank[a.Kind] < rank[b.Kind]
	})
	v := Verdict{Customer: e.c, Status: plan.Pass, Problems: e.problems}
	for _, pr := range e.problems {
		if pr.Kind.Severity().Rank() < v.Status.Rank() {
			v.Status = pr.Kind.Severity()
		}
	}
	switch {
	case len(e.problems) == 0:
		v.Sentence = fmt.Sprintf("%s passes %s: every role it needs is assigned to a group you are in.", e.c.label(), words.Name(e.p.Name))
	case len(e.problems) == 1:
		v.Sentence = e.problems[0].Sentence
	default:
		parts := make([]string, len(e.problems))
		for i, pr := range e.problems {
			parts[i] = e.short(pr)
		}
		verb := map[plan.Status]string{plan.Fail: "fails", plan.CouldNotCheck: "could not be checked for", plan.Warning: "passes, with warnings,"}[v.Status]
		v.Sentence = fmt.Sprintf("%s %s %s: %s.", e.c.label(), verb, words.Name(e.p.Name), strings.Join(parts, "; "))
	}
	return v
}

// short is a problem in a few words, for a verdict's summary.
func (e *evaluator) short(pr Problem) string {
	switch pr.Kind {
	case MissingRoles:
		return roleList(pr.Roles) + " not granted"
	case UnboundRoles:
		return roleList(pr.Roles) + " granted but in no group"
	case TechnicianNotInGroup:
		return roleList(pr.Roles) + " only in groups you are not in"
	case RequiredGroupMissing:
		return fmt.Sprintf("%s not in %q", roleList(pr.Roles), pr.RequiredGroup)
	case Expiring:
		if pr.Days <= 0 {
			return "a relationship ends today"
		}
		return "a relationship ends in " + words.Count(pr.Days, "day")
	case GlobalAdminAutoExtend:
		return "Global Administrator set to extend automatically"
	case ApprovalPending:
		if pr.ApprovalLink == "" {
			return "a relationship was never sent for approval"
		}
		if pr.Days == 0 {
			return "a relationship was sent for approval today"
		}
		return "a relationship has waited " + words.Count(pr.Days, "day") + " for approval"
	case NoActiveRelationship:
		return "no active relationship"
	case CouldNotRead:
		return "some access could not be read"
	}
	return string(pr.Kind)
}

// label is the customer's name (made fit for a sentence), or its tenant id when the
// relationship gave no name.
func (c Customer) label() string {
	if strings.TrimSpace(c.Name) != "" {
		return words.Name(c.Name)
	}
	return "Customer " + words.Name(c.TenantID)
}

func assignmentHolds(a AccessAssignment, role string) bool {
	for _, u := range a.AccessDetails.UnifiedRoles {
		if strings.EqualFold(u.RoleDefinitionID, role) {
			return true
		}
	}
	return false
}

// plainReason says why something could not be read, as the end of a sentence ("because ..."):
// Microsoft's error, the HTTP core's "gave up" or network failure, explained (internal/explain),
// or the error's own words.
func plainReason(err error) string {
	if err == nil {
		return "Microsoft did not answer."
	}
	var de *graph.DecodeError
	if errors.As(err, &de) {
		return "Microsoft's answer could not be read (" + de.Reason + "). Try again in a few minutes."
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return "the work was stopped before it finished. Run it again."
	}
	if x, ok := explain.Of(err); ok {
		return strings.TrimSpace(words.LowerFirst(x.What) + " " + x.Do)
	}
	return words.LowerFirst(explain.Sentence(err)) + " Try again in a few minutes."
}

// minus is the roles of a (in a's order) that are not in b.
func minus(a []string, b map[string]bool) []string {
	var out []string
	for _, r := range a {
		if !b[strings.ToLower(r)] {
			out = append(out, r)
		}
	}
	return out
}

// intersect is the roles of a (in a's order) that are in b.
func intersect(a []string, b map[string]bool) []string {
	var out []string
	for _, r := range a {
		if b[strings.ToLower(r)] {
			out = append(out, r)
		}
	}
	return out
}

func sortedRoles(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return roles.Name(out[i]) < roles.Name(out[j]) })
	return out
}

func ids(rs []*RelationshipAccess) []string {
	out := make([]string, len(rs))
	for i, ra := range rs {
		out[i] = ra.Relationship.ID
	}
	return out
}

// roleList names roles for a sentence: "Teams Administrator and Reports Reader".
func roleList(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = roles.Name(id)
	}
	return words.JoinAnd(names)
}

func them(rs []string) string {
	if len(rs) == 1 {
		return "it"
	}
	return "them"
}

func isAre(rs []string) string {
	if len(rs) == 1 {
		return "is"
	}
	return "are"
}

// daysLeft counts the days until end; a started day counts as a whole one.
func daysLeft(now, end time.Time) int {
	return int(math.Ceil(end.Sub(now).Hours() / 24))
}

// orderedSet keeps strings once, in the order first added.
type orderedSet struct {
	items []string
	seen  map[string]bool
}

func newOrderedSet() *orderedSet { return &orderedSet{seen: map[string]bool{}} }

func (s *orderedSet) add(items ...string) {
	for _, it := range items {
		if !s.seen[it] {
			s.seen[it] = true
			s.items = append(s.items, it)
		}
	}
}
