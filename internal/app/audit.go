package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/troubleshoot"
	"github.com/onboard365/onboard365/internal/words"
)

// The audit trail (internal/audit): every change the app applies, from any wizard or command,
// is recorded once, after Microsoft answered, with who made it, in which tenant, what it was
// before and after, and how it ended. Never a secret: audit.Record takes out what looks like one.
//
// The wizards that keep the plan contract (GDAP, Troubleshoot, Authenticator) record through one
// place, recordPlan: a reviewed plan.Plan holds every fix with its domain change, and Apply's
// outcomes say how each went, so one function turns any of them into entries (describe knows
// each wizard's change; a change it does not know is recorded from the fix's own words). The App
// registration wizard is not on the plan contract (its Apply takes its own plan), so it records
// its outcomes itself, through the same Recorder.

// UseRecorder makes every change the account's services apply go to r (nil: none is recorded).
// The factory gives every account the one Recorder of its cloud (cmd/onboard365).
func (a *Account) UseRecorder(r audit.Recorder) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.recorder = r
}

// Recorder is where the account's services record their changes: the one to hand to a service
// built elsewhere (onboarding). audit.Discard when none was set.
func (a *Account) Recorder() audit.Recorder {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.recorder == nil {
		return audit.Discard{}
	}
	return a.recorder
}

// technician is who is signed in, and the partner tenant, as the audit trail names them.
func (a *Account) technician() (upn, tenantID string) {
	if acct, ok := a.authn().Account(); ok {
		upn, tenantID = acct.PreferredUsername, acct.Realm
		if tenantID == "" {
			if i := strings.LastIndexByte(acct.HomeAccountID, '.'); i >= 0 {
				tenantID = acct.HomeAccountID[i+1:]
			}
		}
	}
	if upn == "" {
		upn = "(unknown technician)"
	}
	if tenantID == "" {
		tenantID = a.tenant
	}
	if tenantID == "" {
		tenantID = "(partner tenant)"
	}
	return upn, tenantID
}

// record writes one entry, with the technician and (for a change in the partner's own tenant)
// the partner tenant filled in.
func (a *Account) record(ctx context.Context, e audit.Entry) error {
	upn, partner := a.technician()
	if e.Technician == "" {
		e.Technician = upn
	}
	if e.TenantID == "" {
		e.TenantID, e.TenantName = partner, partnerName
	}
	return a.Recorder().Record(context.WithoutCancel(ctx), e)
}

// recordPlan records one entry for each outcome of a reviewed plan that source's Apply made, and
// returns the outcomes, each whose entry could not be written saying so.
func (a *Account) recordPlan(ctx context.Context, source string, p plan.Plan, outcomes []plan.Outcome) []plan.Outcome {
	fixes := map[string]plan.Fix{}
	for _, f := range p.Fixes {
		fixes[f.ID] = f
	}
	_, partner := a.technician()
	for i, o := range outcomes {
		f, ok := fixes[o.FixID]
		if !ok {
			continue
		}
		e := describe(f, o, p.Tenant, partner)
		e.Source = source
		e.Result = audit.Succeeded
		if !o.Done {
			e.Result, e.Detail = audit.Failed, o.Sentence
		}
		if err := a.record(ctx, e); err != nil {
			outcomes[i].Sentence = strings.TrimSpace(o.Sentence + " Onboard365 could not write this change to its audit trail: " + err.Error() + ".")
		}
	}
	return outcomes
}

// describe is the audit entry of one fix, without its result: the tenant it changed and what it
// was before and after. The outcome tells a fix that was made another way (GDAP's fallback).
func describe(f plan.Fix, o plan.Outcome, t plan.Tenant, partnerTenant string) audit.Entry {
	e := audit.Entry{TenantID: t.ID, TenantName: t.Name, Change: f.What}
	if t.ID == "" {
		e.TenantID, e.TenantName = partnerTenant, partnerName
	}
	customer := func(id, name string) {
		if id != "" {
			e.TenantID, e.TenantName = id, name
		}
	}
	switch c := f.Change.(type) {
	case gdap.Fix:
		customer(c.Customer.TenantID, c.Customer.Name)
		if c.Kind == gdap.SetAutoExtend && c.Fallback != nil && o.Done && len(o.ToCopy) > 0 {
			// Microsoft refused the auto-extend, and Apply asked for a new relationship instead
			// (the outcome carries its approval link): that is what changed.
			describeGDAP(&e, *c.Fallback)
			e.Change += ", as Microsoft did not let " + words.Quote(c.RelationshipName) + " extend automatically"
			break
		}
		describeGDAP(&e, c)
	case troubleshoot.Fix:
		customer(c.Customer.TenantID, c.Customer.Name)
		switch c.Kind {
		case troubleshoot.ExcludeServiceProviders:
			e.Change = "Excluded your partner tenant's service provider users from the Conditional Access policy " + words.Quote(c.PolicyName)
			if c.AsCustomerAdmin {
				e.Change += ", with the customer administrator's sign-in"
			}
			e.Target = c.PolicyID
			e.Before = "The policy applies to service provider users from tenant " + c.PartnerTenantID + "."
			e.After = "The policy excludes service provider users from tenant " + c.PartnerTenantID + "; the rest of it is as it was."
		case troubleshoot.DismissRisk:
			e.Change = "Dismissed the user risk of " + words.Name(c.UserName)
			e.Target = c.UserID
			e.Before, e.After = "At risk.", "Risk dismissed."
		}
	case authmethods.Change:
		e.Change = "Set the default sign-in method of " + words.Name(c.Name) + " (" + c.UPN + ") to a Microsoft Authenticator notification"
		e.Target = c.UserID
		e.Before = authmethods.MethodWords(c.From)
		e.After = authmethods.MethodWords("push")
	}
	if strings.TrimSpace(e.Change) == "" {
		e.Change = f.ID
	}
	return e
}

func describeGDAP(e *audit.Entry, f gdap.Fix) {
	roleNames := func(ids []string) string {
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = roles.Name(id)
		}
		if len(names) == 0 {
			return "no roles"
		}
		return strings.Join(names, ", ")
	}
	group := words.Quote(f.GroupName)
	rel := words.Quote(f.RelationshipName)
	switch f.Kind {
	case gdap.CreateGroup:
		e.Change, e.Target = "Created the security group "+group+" in your partner tenant", f.GroupID
		e.Before, e.After = "No group called "+group+".", "The group "+group+", with you in it."
		e.TenantID, e.TenantName = "", "" // the partner's own tenant
	case gdap.AddTechnicianToGroup:
		e.Change, e.Target = "Added you to the security group "+group, f.GroupID
		e.Before, e.After = "Not a member of "+group+".", "A member of "+group+"."
		e.TenantID, e.TenantName = "", ""
	case gdap.AddAccessAssignment:
		e.Change, e.Target = "Assigned roles of the GDAP relationship "+rel+" to the group "+group, f.RelationshipID
		e.Before, e.After = group+" holds no roles of the relationship.", group+" holds "+roleNames(f.Roles)+"."
	case gdap.UpdateAccessAssignment:
		before := minusRoles(f.AssignmentRoles, f.Roles)
		e.Change, e.Target = "Added roles to the group "+group+" in the GDAP relationship "+rel, f.AssignmentID
		e.Before, e.After = group+" holds "+roleNames(before)+".", group+" holds "+roleNames(f.AssignmentRoles)+"."
	case gdap.SetAutoExtend:
		e.Change, e.Target = "Set the GDAP relationship "+rel+" to extend automatically", f.RelationshipID
		e.Before, e.After = "Does not extend automatically.", "Extends automatically by "+f.AutoExtendDuration+"."
	case gdap.RequestNewRelationship:
		e.Change, e.Target = "Requested the new GDAP relationship "+rel+" for the customer to approve", f.RelationshipID
		e.Before = "No relationship grants " + roleNames(f.Roles) + "."
		e.After = fmt.Sprintf("Relationship %s for %s with %s, auto-extend %s, waiting for the customer's approval.", rel, f.Duration, roleNames(f.Roles), f.AutoExtendDuration)
	}
	if e.TenantID == "" {
		e.TenantName = ""
	}
}

func minusRoles(all, drop []string) []string {
	var out []string
	for _, r := range all {
		keep := true
		for _, d := range drop {
			keep = keep && !strings.EqualFold(r, d)
		}
		if keep {
			out = append(out, r)
		}
	}
	return out
}

// recordAppOutcomes records the App registration wizard's changes in the partner tenant, made
// with the administrator's sign-in (admin, a UPN).
func (a *Account) recordAppOutcomes(ctx context.Context, source, admin, appID string, res appreg.Result) []string {
	var problems []string
	for _, o := range res.Outcomes {
		e := audit.Entry{Technician: admin, Source: source, Change: o.Change.Sentence, Target: appID, Result: audit.Succeeded}
		if !o.Done {
			e.Result, e.Detail = audit.Failed, o.Sentence
		} else if o.Sentence != "" {
			e.After = o.Sentence
		}
		if err := a.record(ctx, e); err != nil {
			problems = append(problems, err.Error())
		}
	}
	return problems
}

// AuditTrail reads back the audit trail an account's changes are recorded in: Settings' list of
// every change per customer, and its check that no entry was edited.
type AuditTrail struct{ a *Account }

// NewAuditTrail is the account's audit trail.
func NewAuditTrail(a *Account) *AuditTrail { return &AuditTrail{a: a} }

// errUnreadable is what a Recorder that keeps nothing to read back (audit.Discard) answers.
var errUnreadable = errors.New("this audit trail keeps nothing Onboard365 can read back")

// Entries are the entries the filter keeps, oldest first. With a log some of whose lines are not
// whole entries, they come with an *audit.DamagedError that names those lines.
func (t *AuditTrail) Entries(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var (
		all []audit.Entry
		err error
	)
	switch r := t.a.Recorder().(type) {
	case interface {
		Read(context.Context) ([]audit.Entry, error)
	}:
		all, err = r.Read(ctx)
	case *audit.Memory:
		all = r.Entries()
	default:
		return nil, errUnreadable
	}
	return audit.Select(all, f), err
}

// Verify checks the whole chain of the log (audit.Log.Verify), with times in the computer's
// time zone.
func (t *AuditTrail) Verify(ctx context.Context) (audit.Report, error) {
	if v, ok := t.a.Recorder().(interface {
		Verify(context.Context, *time.Location) (audit.Report, error)
	}); ok {
		return v.Verify(ctx, nil)
	}
	if m, ok := t.a.Recorder().(*audit.Memory); ok {
		n := len(m.Entries())
		return audit.Report{Entries: n, OK: true, Sentence: fmt.Sprintf("The audit trail of this run holds %s, in memory only.", fmt.Sprintf("%d %s", n, words.Plural(n, "entry", "entries")))}, nil
	}
	return audit.Report{}, errUnreadable
}
