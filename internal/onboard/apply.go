package onboard

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/words"
)

// Result is how one fix went.
type Result struct {
	Fix      Fix
	Done     bool   // the change is in place (made now, or found made already)
	Sentence string // what happened and what is true now, in plain words
	// What the person may pass on to the customer: the links, and a message with them.
	ApprovalLink, ResellerLink, MailText string
	Invitation                           *Invitation // RequestAccess: the invitation recorded in the ledger
}

func (k FixKind) order() int {
	switch k {
	case ResellerInvite:
		return 0
	case RequestAccess:
		return 1
	case GroupsAndRoles:
		return 2
	}
	return 3
}

// Apply makes the fixes, in order: the reseller invitation link, the relationship request, the
// groups and access assignments (together, through internal/gdap, which follows Microsoft's
// background work to its end), then the app's consent. One fix's failure skips only what depends
// on it. Every change is recorded in env.Recorder, and a request sent in the ledger. progress,
// when not nil, is called after each fix.
func Apply(ctx context.Context, env Env, fixes []Fix, progress func(done, total int)) []Result {
	order := make([]int, len(fixes))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return fixes[order[a]].Kind.order() < fixes[order[b]].Kind.order() })
	results := make([]Result, len(fixes))
	done := 0
	tick := func() {
		done++
		if progress != nil {
			progress(done, len(fixes))
		}
	}
	reseller := map[string]string{} // customer key -> the reseller link got in this run
	var gdapFixes []int
	for _, i := range order {
		f := fixes[i]
		switch f.Kind {
		case ResellerInvite:
			results[i] = applyReseller(ctx, env, f)
			reseller[key(f.Customer)] = results[i].ResellerLink
			tick()
		case RequestAccess:
			results[i] = applyRequest(ctx, env, f, reseller[key(f.Customer)])
			tick()
		case GroupsAndRoles:
			gdapFixes = append(gdapFixes, i)
		case ConsentApp:
			if len(gdapFixes) > 0 {
				applyGroups(ctx, env, fixes, gdapFixes, results, tick)
				gdapFixes = nil
			}
			results[i] = applyConsent(ctx, env, f)
			tick()
		default:
			results[i] = Result{Fix: f, Sentence: "This version of Onboard365 cannot make this change."}
			tick()
		}
	}
	if len(gdapFixes) > 0 {
		applyGroups(ctx, env, fixes, gdapFixes, results, tick)
	}
	return results
}

func applyReseller(ctx context.Context, env Env, f Fix) Result {
	r := Result{Fix: f}
	rr, err := env.PartnerCenter.GetRelationshipRequest(ctx)
	if err != nil {
		r.Sentence = "Partner Center did not give the reseller invitation link: " + explain.Sentence(err)
		return r
	}
	r.Done, r.ResellerLink = true, rr.URL
	r.Sentence = fmt.Sprintf("Got your reseller invitation link. Send it to the Global Administrator of %s with the approval link: once they accept it, %s is your customer in Partner Center.",
		f.Customer.Domain, f.Customer.Domain)
	// Keep it with an invitation already sent to the customer.
	invs, err := env.Ledger.Load()
	if err == nil {
		if inv, ok := Latest(invs, f.Customer); ok && inv.ResellerLink == "" {
			inv.ResellerLink = rr.URL
			r.MailText = Mail(inv)
			if err := env.Ledger.Record(ctx, inv); err != nil {
				r.Sentence += " It could not be kept with the invitation: " + explain.Sentence(err)
			}
		}
	}
	return r
}

func applyRequest(ctx context.Context, env Env, f Fix, resellerLink string) Result {
	r := Result{Fix: f}
	now := env.now()
	res := gdap.Apply(ctx, env.Partner, []gdap.Fix{f.GDAP}, nil)[0]
	c := f.Customer
	entry := audit.Entry{Technician: env.Technician, TenantID: tenantOf(c), TenantName: c.Label(), Source: "onboard",
		Change: fmt.Sprintf("Requested the GDAP relationship %q for the customer's approval", f.GDAP.RelationshipName),
		After:  fmt.Sprintf("%s (%s); %s; %s", words.Count(len(f.GDAP.Roles), "role"), roleNames(f.GDAP.Roles), durationWords(f.GDAP.Duration), extendWords(f.GDAP))}
	if f.GDAP.RelationshipID != "" {
		entry.Change = fmt.Sprintf("Sent the GDAP relationship %q for the customer's approval", f.GDAP.RelationshipName)
		entry.Before, entry.After = "created, not sent", "waiting for the customer's approval"
	}
	if !res.Done {
		r.Sentence = res.Explanation
		entry.Result, entry.Detail = audit.Failed, words.OneLine(res.Explanation)
		record(ctx, env, entry, &r)
		return r
	}
	entry.Result, entry.Target = audit.Succeeded, res.RelationshipID

	// Read the request back: its name (made unique by Microsoft's answer) and its status.
	inv := Invitation{RelationshipID: res.RelationshipID, RelationshipName: f.GDAP.RelationshipName, Customer: c, Templates: f.Templates,
		Roles: f.GDAP.Roles, Duration: f.GDAP.Duration, ApprovalLink: res.ApprovalLink, ResellerLink: resellerLink, Sent: now,
		Technician: env.Technician, Phase: AwaitingApproval, Checked: now}
	if old := openFor(env, c); old != nil && inv.ResellerLink == "" && old.RelationshipID != res.RelationshipID {
		inv.ResellerLink, inv.ResellerAccepted = old.ResellerLink, old.ResellerAccepted
	}
	back, err := readRelationship(ctx, env, res.RelationshipID)
	switch {
	case err != nil:
		r.Sentence = fmt.Sprintf("%s (Onboard365 could not read the request back: %s)", res.Note, explain.Sentence(err))
	default:
		inv.RelationshipName = back.DisplayName
		inv.Phase = PhaseOf(back, now, now)
		entry.Change = strings.Replace(entry.Change, f.GDAP.RelationshipName, back.DisplayName, 1)
		r.Sentence = fmt.Sprintf("Sent the request %q to %s for approval; Microsoft shows it %s.", back.DisplayName, words.Name(c.Label()), inv.Phase.Word())
	}
	r.Done, r.ApprovalLink, r.ResellerLink = true, inv.ApprovalLink, inv.ResellerLink
	r.MailText = Mail(inv)
	record(ctx, env, entry, &r)
	if err := env.Ledger.Update(ctx, func(invs []Invitation) ([]Invitation, error) {
		replaced := false
		for i := range invs {
			switch {
			case strings.EqualFold(invs[i].RelationshipID, inv.RelationshipID):
				invs[i], replaced = inv, true
			case f.Renews != "" && strings.EqualFold(invs[i].RelationshipID, f.Renews) && invs[i].Open():
				invs[i].Closed, invs[i].ClosedAt, invs[i].RenewedBy = "renewed", now, inv.RelationshipID
			}
		}
		if !replaced {
			invs = append(invs, inv)
		}
		return invs, nil
	}); err != nil {
		r.Sentence += " It could not be kept in the list of invitations: " + explain.Sentence(err)
	}
	r.Invitation = &inv
	return r
}

// openFor is the customer's latest open invitation in the ledger, or nil.
func openFor(env Env, c Customer) *Invitation {
	invs, err := env.Ledger.Load()
	if err != nil {
		return nil
	}
	if inv, ok := Latest(invs, c); ok {
		return &inv
	}
	return nil
}

func readRelationship(ctx context.Context, env Env, id string) (gdap.Relationship, error) {
	var r gdap.Relationship
	err := env.Partner.Do(ctx, "GET", "/v1.0/tenantRelationships/delegatedAdminRelationships/"+url.PathEscape(id), nil, &r)
	return r, err
}

// applyGroups makes internal/gdap's fixes together (so each group is made before its roles are
// assigned to it), and records each.
func applyGroups(ctx context.Context, env Env, fixes []Fix, idx []int, results []Result, tick func()) {
	gf := make([]gdap.Fix, len(idx))
	for j, i := range idx {
		gf[j] = fixes[i].GDAP
	}
	for j, res := range gdap.Apply(ctx, env.Partner, gf, func(int, int) { tick() }) {
		i := idx[j]
		f := fixes[i]
		r := Result{Fix: f, Done: res.Done}
		entry := audit.Entry{Technician: env.Technician, Source: "onboard", Change: gdapChange(f.GDAP), Target: res.GroupID}
		switch f.GDAP.Kind {
		case gdap.CreateGroup, gdap.AddTechnicianToGroup:
			entry.TenantID, entry.TenantName = env.PartnerTenant, "Your partner tenant"
			if entry.Target == "" {
				entry.Target = f.GDAP.GroupID
			}
		default:
			entry.TenantID, entry.TenantName = tenantOf(f.Customer), f.Customer.Label()
			entry.Target = f.GDAP.RelationshipID
			entry.Before = fmt.Sprintf("the group %q holds none of %s", f.GDAP.GroupName, roleNames(f.GDAP.Roles))
			entry.After = fmt.Sprintf("the group %q holds %s", f.GDAP.GroupName, roleNames(f.GDAP.Roles))
		}
		if res.Done {
			r.Sentence = res.Note
			if r.Sentence == "" {
				r.Sentence = "Done. " + f.What
			}
			entry.Result = audit.Succeeded
		} else {
			r.Sentence = res.Explanation
			entry.Result, entry.Detail = audit.Failed, words.OneLine(res.Explanation)
		}
		record(ctx, env, entry, &r)
		results[i] = r
	}
}

// gdapChange says in a short sentence what a gdap fix changes, for the audit trail.
func gdapChange(f gdap.Fix) string {
	switch f.Kind {
	case gdap.CreateGroup:
		return fmt.Sprintf("Created the security group %q in the partner tenant and added the technician to it", f.GroupName)
	case gdap.AddTechnicianToGroup:
		return fmt.Sprintf("Added the technician to the group %q", f.GroupName)
	case gdap.UpdateAccessAssignment:
		return fmt.Sprintf("Added %s to what the group %q holds in the relationship %q", roleNames(f.Roles), f.GroupName, f.RelationshipName)
	}
	return fmt.Sprintf("Assigned %s to the group %q in the relationship %q", roleNames(f.Roles), f.GroupName, f.RelationshipName)
}

func applyConsent(ctx context.Context, env Env, f Fix) Result {
	r := Result{Fix: f}
	c := f.Customer
	cr := appreg.ConsentCustomers(ctx, env.PartnerCenter, env.App.ID, env.App.Name, env.App.Needs, []appreg.Customer{f.Consent}, env.Probe, nil)[0]
	r.Done, r.Sentence = cr.Done, cr.Sentence
	names := make([]string, len(env.App.Needs.Customers))
	for i, p := range env.App.Needs.Customers {
		names[i] = p.Name
	}
	entry := audit.Entry{Technician: env.Technician, TenantID: tenantOf(c), TenantName: c.Label(), Source: "onboard",
		Change: fmt.Sprintf("Consented the app %q in the customer through Partner Center", env.App.Name), Target: env.App.ID,
		Before: string(f.Consent.Status), After: "consented: " + strings.Join(names, ", "), Result: audit.Succeeded}
	if cr.Err != nil || !cr.Done {
		entry.Result, entry.Detail = audit.Failed, words.OneLine(cr.Sentence)
	}
	record(ctx, env, entry, &r)
	return r
}

// record writes an audit entry; when the trail cannot keep it the result says so.
func record(ctx context.Context, env Env, e audit.Entry, r *Result) {
	if e.Technician == "" {
		e.Technician = "the signed-in technician"
	}
	if e.TenantID == "" {
		e.TenantID = "unknown"
	}
	if err := env.recorder().Record(ctx, e); err != nil {
		r.Sentence += " (The audit trail could not record this change: " + explain.Sentence(err) + ")"
	}
}

// tenantOf names a customer's tenant for the audit trail: its id, or its domain before it has one.
func tenantOf(c Customer) string {
	if c.TenantID != "" {
		return c.TenantID
	}
	return c.Domain
}

// Mail is a message the technician can send the customer's Global Administrator: what is asked,
// for how long, the approval link, and for a new customer the reseller invitation too. It holds
// no secret.
func Mail(inv Invitation) string {
	m := gdap.ApprovalMail(inv.Customer.Label(), inv.Roles, inv.Duration, inv.ApprovalLink)
	if inv.ResellerLink == "" {
		return m
	}
	extra := "\nWe also invite you to make us your Microsoft reseller, so that we can manage your subscriptions. Please accept it here, signed in the same way:\n\n  " +
		inv.ResellerLink + "\n"
	if i := strings.Index(m, "\nYou can see and end"); i >= 0 {
		return m[:i] + extra + m[i:]
	}
	return m + extra
}
