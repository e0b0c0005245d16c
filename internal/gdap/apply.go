package gdap

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/graph"
)

// FixResult is what applying one fix did.
type FixResult struct {
	Fix  Fix
	Done bool   // the change is in place (made now, or found made already)
	Note string // what happened, in plain words
	// Pending: Microsoft accepted the change and is still applying it (a new access assignment
	// still "pending" when Apply stopped reading it again); Note says so.
	Pending bool
	// Err is why the fix did not succeed (or was skipped), and Explanation the same in plain
	// words: what happened, why, and what to do.
	Err         error
	Explanation string

	GroupID        string // CreateGroup: the group's id
	RelationshipID string // RequestNewRelationship: the relationship sent for approval
	ApprovalLink   string // RequestNewRelationship: the link for the customer's Global Administrator
	MailText       string // RequestNewRelationship: a message with the link, ready to send
}

// applyWorkers is how many fixes Apply makes at once (the client's own limit still applies).
const applyWorkers = 4

// Apply makes the fixes, in Plan's order: fixes of one step (groups, memberships, assignments,
// extensions, new relationships) run a few at a time, each step after the one before. It goes on
// past failures: a fix that fails only skips the fixes that depend on it, so one customer's
// trouble never stops the others. Every fix is safe to run again: a group of the same name is
// reused, a membership or an assignment that exists already counts as done, and a stale
// If-Match is read again and retried once.
//
// progress, when not nil, is called after each fix with how many are done, one call at a time.
func Apply(ctx context.Context, c *graph.Client, fixes []Fix, progress func(done, total int)) []FixResult {
	results := make([]FixResult, len(fixes))
	index := make(map[string]int, len(fixes))
	for i, f := range fixes {
		index[f.ID] = i
	}
	a := &applier{c: c, groups: map[string]string{}}
	var (
		mu   sync.Mutex
		done int
	)
	for phase := 0; phase <= RequestNewRelationship.phase(); phase++ {
		var todo []int
		for i, f := range fixes {
			if f.Kind.phase() == phase {
				todo = append(todo, i)
			}
		}
		if phase >= SetAutoExtend.phase() {
			a.loadWaiting(ctx, fixes, todo)
		}
		work := make(chan int)
		var wg sync.WaitGroup
		for w := 0; w < min(applyWorkers, len(todo)); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					r := a.apply(ctx, fixes[i], results, index)
					mu.Lock()
					results[i] = r
					done++
					if progress != nil {
						progress(done, len(fixes))
					}
					mu.Unlock()
				}
			}()
		}
		for _, i := range todo {
			work <- i
		}
		close(work)
		wg.Wait()
	}
	return results
}

type applier struct {
	c      *graph.Client
	mu     sync.Mutex
	groups map[string]string // lower-case name -> id of groups CreateGroup made or found
	// waiting are the relationships that wait for approval (or were never sent), read just
	// before new ones are requested, so that applying a plan twice asks the customer only once.
	waiting []Relationship
}

// loadWaiting reads the relationships that wait for a customer, when some of the fixes would
// request new ones. If they cannot be read, the fixes go ahead as planned.
func (a *applier) loadWaiting(ctx context.Context, fixes []Fix, todo []int) {
	need := false
	for _, i := range todo {
		f := fixes[i]
		if (f.Kind == RequestNewRelationship && f.RelationshipID == "") || f.Fallback != nil {
			need = true
		}
	}
	a.waiting = nil
	if !need {
		return
	}
	rels, err := graph.List[Relationship](ctx, a.c, relationshipsPath+"?$top="+fmt.Sprint(pageSize))
	if err != nil {
		return
	}
	for _, r := range rels {
		if st := stateOf(r.Status); st == statePending || st == stateCreated {
			a.waiting = append(a.waiting, r)
		}
	}
}

// waitingFor finds a relationship that already waits for this customer with every role f asks.
func (a *applier) waitingFor(f Fix) (Relationship, bool) {
	if strings.TrimSpace(f.Customer.TenantID) == "" {
		return Relationship{}, false // a request that names no customer is nobody's until approved
	}
	for _, r := range a.waiting {
		if strings.EqualFold(r.Customer.TenantID, f.Customer.TenantID) && len(minus(f.Roles, roleSet(r))) == 0 {
			return r, true
		}
	}
	return Relationship{}, false
}

// apply makes one fix after checking what it depends on. results holds the outcome of earlier
// steps; it is only read here.
func (a *applier) apply(ctx context.Context, f Fix, results []FixResult, index map[string]int) FixResult {
	r := FixResult{Fix: f}
	for _, dep := range f.DependsOn {
		i, ok := index[dep]
		if ok && !results[i].Done {
			r.Err = fmt.Errorf("skipped, because an earlier step it needs did not succeed (%s)", dep)
			r.Explanation = "This change was not made because the step before it failed: " + firstLine(results[i].Explanation) + " Fix that first, then run the check again."
			return r
		}
	}
	if err := ctx.Err(); err != nil {
		return failed(r, err)
	}
	var err error
	switch f.Kind {
	case CreateGroup:
		err = a.createGroup(ctx, f, &r)
	case AddTechnicianToGroup:
		err = a.addMember(ctx, f.GroupID, f.TechnicianID, &r)
	case AddAccessAssignment, UpdateAccessAssignment:
		err = a.assign(ctx, f, &r)
	case SetAutoExtend:
		err = a.setAutoExtend(ctx, f, &r)
		var ge *graph.Error
		if err != nil && f.Fallback != nil && errors.As(err, &ge) && ge.Status == http.StatusBadRequest {
			refused := fmt.Sprintf("Microsoft Graph answered %d %s", ge.Status, ge.Code)
			fb := FixResult{Fix: *f.Fallback}
			if err = a.requestRelationship(ctx, *f.Fallback, &fb); err == nil {
				r.RelationshipID, r.ApprovalLink, r.MailText = fb.RelationshipID, fb.ApprovalLink, fb.MailText
				r.Note = "Microsoft did not let Onboard365 set the relationship to extend automatically (" + refused + "), so it asked for a new one instead. " + fb.Note
			} else {
				err = fmt.Errorf("Microsoft refused to set the relationship to extend automatically (%s), and requesting a new one failed too: %w", refused, err)
			}
		}
	case RequestNewRelationship:
		err = a.requestRelationship(ctx, f, &r)
	default:
		err = fmt.Errorf("this version of Onboard365 cannot make a change of kind %q", f.Kind)
	}
	if err != nil {
		return failed(r, err)
	}
	r.Done = true
	return r
}

func failed(r FixResult, err error) FixResult {
	r.Done, r.Err = false, err
	r.Explanation = Explain(err)
	return r
}

// Explain says what went wrong in plain words: Microsoft's error explained (what happened, why,
// what to do) when it is one, else the error's own sentence. It never holds a token.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var de *graph.DecodeError
	var x explain.Explainer // Graph's errors, and the HTTP core's "gave up" and network failures
	if !errors.As(err, &de) && errors.As(err, &x) {
		return x.Explanation().String()
	}
	return plainReason(err)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func (a *applier) createGroup(ctx context.Context, f Fix, r *FixResult) error {
	id, err := findGroup(ctx, a.c, f.GroupName)
	if err != nil {
		return fmt.Errorf("look for the group %q: %w", f.GroupName, err)
	}
	if id != "" {
		r.Note = fmt.Sprintf("The group %q existed already; Onboard365 used it.", f.GroupName)
	} else {
		var g Group
		if err := a.c.Do(ctx, "POST", "/v1.0/groups", groupBody(f.GroupName), &g); err != nil {
			return fmt.Errorf("create the group %q: %w", f.GroupName, err)
		}
		if g.ID == "" {
			return fmt.Errorf("create the group %q: Microsoft's answer has no id", f.GroupName)
		}
		id = g.ID
		r.Note = fmt.Sprintf("Created the group %q.", f.GroupName)
	}
	r.GroupID = id
	a.mu.Lock()
	a.groups[strings.ToLower(f.GroupName)] = id
	a.mu.Unlock()
	if f.TechnicianID == "" {
		return nil
	}
	var added FixResult
	if err := a.addMember(ctx, id, f.TechnicianID, &added); err != nil {
		return fmt.Errorf("the group %q is there, but adding you to it failed: %w", f.GroupName, err)
	}
	r.Note += " " + added.Note
	return nil
}

// findGroup returns the id of the partner group with this exact name, or "".
func findGroup(ctx context.Context, c *graph.Client, name string) (string, error) {
	found, err := graph.List[Group](ctx, c, groupByNamePath(name))
	if err != nil {
		return "", err
	}
	best := ""
	for _, g := range found {
		if strings.EqualFold(g.DisplayName, name) && (best == "" || g.ID < best) {
			best = g.ID
		}
	}
	return best, nil
}

func (a *applier) addMember(ctx context.Context, groupID, userID string, r *FixResult) error {
	if groupID == "" || userID == "" {
		return errors.New("the plan names no group or no technician")
	}
	path := "/v1.0/groups/" + url.PathEscape(groupID) + "/members/$ref"
	err := a.c.Do(ctx, "POST", path, memberBody(userID), nil)
	var ge *graph.Error
	switch {
	case err == nil:
		r.Note = "Added you to the group."
	case errors.As(err, &ge) && ge.Status == http.StatusBadRequest && strings.Contains(strings.ToLower(ge.Message), "already exist"):
		r.Note = "You were in the group already."
	default:
		return fmt.Errorf("add you to the group: %w", err)
	}
	return nil
}

// groupID resolves the fix's group: its id, the group CreateGroup made, or one found by name.
func (a *applier) groupID(ctx context.Context, f Fix) (string, error) {
	if f.GroupID != "" {
		return f.GroupID, nil
	}
	a.mu.Lock()
	id := a.groups[strings.ToLower(f.GroupName)]
	a.mu.Unlock()
	if id != "" {
		return id, nil
	}
	id, err := findGroup(ctx, a.c, f.GroupName)
	if err != nil {
		return "", fmt.Errorf("look for the group %q: %w", f.GroupName, err)
	}
	if id == "" {
		return "", fmt.Errorf("the group %q does not exist: apply the change that creates it first", f.GroupName)
	}
	return id, nil
}

// assign adds roles to a group in a relationship: POST a new assignment, or PATCH the group's
// existing one (Graph allows one per group), reading it again when the plan's copy is stale.
func (a *applier) assign(ctx context.Context, f Fix, r *FixResult) error {
	groupID, err := a.groupID(ctx, f)
	if err != nil {
		return err
	}
	if f.Kind == AddAccessAssignment {
		var made AccessAssignment
		err := a.c.Do(ctx, "POST", assignmentsPath(f.RelationshipID), assignmentBody(groupID, f.Roles), &made)
		var ge *graph.Error
		if err == nil {
			return a.settled(ctx, f, made, r)
		}
		if !errors.As(err, &ge) || ge.Status != http.StatusConflict {
			return fmt.Errorf("assign the roles to the group %q: %w", f.GroupName, err)
		}
		// The group got an assignment since the plan was made: add the roles to it.
		return a.mergeInto(ctx, f, groupID, "", r)
	}
	path := assignmentsPath(f.RelationshipID) + "/" + url.PathEscape(f.AssignmentID)
	all := f.AssignmentRoles
	if len(all) == 0 {
		all = f.Roles
	}
	res, err := a.c.DoWithHeaders(ctx, "PATCH", path, http.Header{"If-Match": {f.ETag}}, map[string]any{"accessDetails": unifiedRoles(all)}, nil)
	var ge *graph.Error
	switch {
	case err == nil:
		if err := a.follow(ctx, res, f.GroupName); err != nil {
			return err
		}
		r.Note = fmt.Sprintf("The group %q now holds %s as well.", f.GroupName, roleList(f.Roles))
		return nil
	case errors.As(err, &ge) && (ge.Status == http.StatusPreconditionFailed || ge.Status == http.StatusNotFound):
		return a.mergeInto(ctx, f, groupID, f.AssignmentID, r)
	}
	return fmt.Errorf("add the roles to the group %q: %w", f.GroupName, err)
}

// mergeInto reads the relationship's assignments again and adds the fix's roles to the group's.
func (a *applier) mergeInto(ctx context.Context, f Fix, groupID, assignmentID string, r *FixResult) error {
	current, err := graph.List[AccessAssignment](ctx, a.c, assignmentsPath(f.RelationshipID))
	if err != nil {
		return fmt.Errorf("read the relationship's access assignments again: %w", err)
	}
	for _, as := range current {
		if as.AccessContainer.AccessContainerID != groupID || strings.EqualFold(as.Status, "deleted") || strings.EqualFold(as.Status, "deleting") {
			continue
		}
		have := make([]string, 0, len(as.AccessDetails.UnifiedRoles))
		for _, u := range as.AccessDetails.UnifiedRoles {
			have = append(have, strings.ToLower(u.RoleDefinitionID))
		}
		add := minus(f.Roles, toSet(have))
		if len(add) == 0 {
			r.Note = fmt.Sprintf("The group %q held %s already.", f.GroupName, roleList(f.Roles))
			return nil
		}
		path := assignmentsPath(f.RelationshipID) + "/" + url.PathEscape(as.ID)
		res, err := a.c.DoWithHeaders(ctx, "PATCH", path, http.Header{"If-Match": {as.ETag}}, map[string]any{"accessDetails": unifiedRoles(append(have, add...))}, nil)
		if err != nil {
			return fmt.Errorf("add the roles to the group %q: %w", f.GroupName, err)
		}
		if err := a.follow(ctx, res, f.GroupName); err != nil {
			return err
		}
		r.Note = fmt.Sprintf("The group %q now holds %s as well.", f.GroupName, roleList(add))
		return nil
	}
	if assignmentID != "" {
		// The assignment the plan saw is gone: make a new one.
		g := f
		g.Kind, g.GroupID = AddAccessAssignment, groupID
		return a.assign(ctx, g, r)
	}
	return fmt.Errorf("Microsoft said the group %q has an access assignment in the relationship, but none was found", f.GroupName)
}

func (a *applier) setAutoExtend(ctx context.Context, f Fix, r *FixResult) error {
	path := relationshipPath(f.RelationshipID)
	body := map[string]any{"autoExtendDuration": f.AutoExtendDuration}
	_, err := a.c.DoWithHeaders(ctx, "PATCH", path, http.Header{"If-Match": {f.ETag}}, body, nil)
	var ge *graph.Error
	if err != nil && errors.As(err, &ge) && ge.Status == http.StatusPreconditionFailed {
		var fresh Relationship
		if err := a.c.Do(ctx, "GET", path, nil, &fresh); err != nil {
			return fmt.Errorf("read the relationship %q again: %w", f.RelationshipName, err)
		}
		if strings.EqualFold(fresh.AutoExtendDuration, f.AutoExtendDuration) {
			r.Note = "The relationship was set to extend automatically already."
			return nil
		}
		_, err = a.c.DoWithHeaders(ctx, "PATCH", path, http.Header{"If-Match": {fresh.ETag}}, body, nil)
	}
	if err != nil {
		return fmt.Errorf("set the relationship %q to extend automatically: %w", f.RelationshipName, err)
	}
	r.Note = fmt.Sprintf("The relationship %q now extends automatically by %s.", f.RelationshipName, durationWords(f.AutoExtendDuration))
	return nil
}

// maxNameTries is how many names requestRelationship tries when Graph says one is taken.
const maxNameTries = 5

func (a *applier) requestRelationship(ctx context.Context, f Fix, r *FixResult) error {
	id := f.RelationshipID
	if w, ok := a.waitingFor(f); ok && id == "" {
		if stateOf(w.Status) == stateCreated {
			id, f.RelationshipName = w.ID, w.DisplayName
		} else {
			r.RelationshipID = w.ID
			r.ApprovalLink = ApprovalLink(w.ID)
			r.MailText = ApprovalMail(f.Customer.label(), f.Roles, w.Duration, r.ApprovalLink)
			r.Note = fmt.Sprintf("The relationship %q with these roles already waits for %s to approve it. Send their Global Administrator this link: %s", w.DisplayName, f.Customer.label(), r.ApprovalLink)
			return nil
		}
	}
	if id == "" {
		base := f.RelationshipName
		for try := 1; ; try++ {
			var made Relationship
			err := a.c.Do(ctx, "POST", relationshipsPath, relationshipBody(f), &made)
			var ge *graph.Error
			if err != nil && errors.As(err, &ge) && ge.Status == http.StatusConflict && try < maxNameTries {
				suffix := fmt.Sprintf(" (%d)", try+1)
				f.RelationshipName = cut(base, maxRelationshipName-len(suffix)) + suffix
				continue
			}
			if err != nil {
				return fmt.Errorf("request a new relationship with %s: %w", f.Customer.label(), err)
			}
			if made.ID == "" {
				return fmt.Errorf("request a new relationship with %s: Microsoft's answer has no id", f.Customer.label())
			}
			id = made.ID
			break
		}
	}
	r.RelationshipID = id
	if err := a.c.Do(ctx, "POST", relationshipPath(id)+"/requests", lockBody, nil); err != nil {
		return fmt.Errorf("the relationship %q was created but could not be sent to the customer for approval (run the check again to send it): %w", f.RelationshipName, err)
	}
	r.ApprovalLink = ApprovalLink(id)
	r.MailText = ApprovalMail(f.Customer.label(), f.Roles, f.Duration, r.ApprovalLink)
	r.Note = fmt.Sprintf("Sent the relationship %q to %s for approval. Send their Global Administrator this link: %s", f.RelationshipName, f.Customer.label(), r.ApprovalLink)
	return nil
}
