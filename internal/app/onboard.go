package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/onboard365/onboard365/internal/health"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/onboard"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/words"
)

// Onboard brings one customer, existing or new, to a verified GDAP connection: the "Onboard a
// customer" wizard, `onboard365 onboard`, and the wizard opened from a GDAP row. Each check
// reads where every step stands and returns the plan of what can be done now; Apply takes the
// reviewed plan. Every change goes to the audit trail (the Recorder it is given); every request
// sent goes to the invitation ledger.
type Onboard struct {
	a      *Account
	store  *roles.ProfileStore
	ledger *onboard.Ledger
	rec    audit.Recorder
	// Pauses are the waits between readings of an invitation; nil: onboard.DefaultPauses.
	Pauses []time.Duration

	refOnce sync.Once
	ref     *learn.Data
	refErr  error
}

// NewOnboard is the onboarding task on an account, keeping its invitations in ledger and its
// changes in rec (nil: audit.Discard).
func NewOnboard(a *Account, ledger *onboard.Ledger, rec audit.Recorder) *Onboard {
	if rec == nil {
		rec = audit.Discard{}
	}
	return &Onboard{a: a, store: defaultStore(), ledger: ledger, rec: rec}
}

// OnboardCustomer is one of Partner Center's customers, for the picker.
type OnboardCustomer struct {
	Name, TenantID, Domain string
	New                    bool // not with the partner when onboarding started
}

// Template is a set of roles and the partner groups they go to, for the person to choose.
type Template struct {
	Name, Description string
	Roles             []string // role names
	Groups            []string // "AdminAgents: Global Reader, Reports Reader" for each group the template names
	GlobalAdmin       bool     // it includes Global Administrator
	Own               bool     // one of the user's own
}

// OnboardRequest says whom to onboard and with what.
type OnboardRequest struct {
	Customer  string // an existing customer's name, tenant id or domain
	NewDomain string // or a new customer's domain
	Templates []string
	// GlobalAdmin asks for Global Administrator too (only when ticked: it stops auto-extend).
	GlobalAdmin bool
	// Reseller sends a new customer Partner Center's reseller invitation as well.
	Reseller     bool
	GroupPattern string // "" for "GDAP - {role}"
}

// OnboardStep is one step and where it stands.
type OnboardStep struct {
	Name     string // onboard.StepName: customer, reseller, request, approval, groups, consent, verify
	Title    string // as a list names it
	Status   string // done, waiting, failed, skipped, todo
	Sentence string
}

// Invitation is one request the app sent, as the pages and the command line show it.
type Invitation struct {
	ID               string // the relationship's id
	Customer, Domain string
	TenantID         string
	Templates        []string
	Roles            []string // role names
	Phase            string   // onboard.Phase
	State            string   // the phase in a few words; or closed, renewed, withdrawn
	Sentence         string   // where it stands and what happens next
	Sent             time.Time
	Checked          time.Time // when Microsoft was last asked
	Age              string    // "today", "3 days ago"
	DaysLeft         int       // before Microsoft lets the request expire
	ApprovalLink     string
	ResellerLink     string
	MailText         string
	Waits            bool // the customer or Microsoft has still to act
	Renewable        bool // over without access: a new request is needed
	Open             bool // the app still follows it

	inv onboard.Invitation
}

// OnboardResult is one check of a customer's onboarding: every step, the latest invitation, and
// the plan of what can be done now (every fix's Change is an onboard.Fix).
type OnboardResult struct {
	Customer   OnboardCustomer
	Request    OnboardRequest
	Status     string // done, waiting, failed, todo
	Steps      []OnboardStep
	Invitation *Invitation
	Notes      []string
	Plan       plan.Plan // every fix
	// RequestPlan and FinishPlan split Plan for the window's two reviews: the reseller
	// invitation and the relationship request; then the groups, access assignments and consent.
	RequestPlan, FinishPlan plan.Plan
	Ready                   bool // the connection can be checked (Verify)

	state onboard.State
}

// Step is one step's reading, by name (onboard.StepName).
func (r OnboardResult) Step(name string) OnboardStep {
	for _, s := range r.Steps {
		if s.Name == name {
			return s
		}
	}
	return OnboardStep{Name: name}
}

// Verification is the connection check's answer.
type Verification struct {
	Connected bool
	Sentence  string
	Readings  []string // one sentence per read
}

func (o *Onboard) pages() (*learn.Data, error) {
	o.refOnce.Do(func() { o.ref, o.refErr = learn.Load() })
	return o.ref, o.refErr
}

// env is the onboarding's environment on the account: the partner tenant's Graph, Partner
// Center, customers through GDAP, the app registration to consent.
func (o *Onboard) env(ctx context.Context) (onboard.Env, error) {
	g, err := o.a.partnerGraph(ctx)
	if err != nil {
		return onboard.Env{}, err
	}
	ref, err := o.pages()
	if err != nil {
		return onboard.Env{}, err
	}
	n, err := permissions.Derive(ref, permissions.Choice{})
	if err != nil {
		return onboard.Env{}, err
	}
	if o.ledger == nil {
		return onboard.Env{}, errors.New("Onboard365 has nowhere to keep the invitations it sends: no settings folder was found on this computer")
	}
	env := onboard.Env{
		Partner:       g,
		PartnerCenter: o.a.partnerCenter(),
		Customer:      func(ctx context.Context, tenantID string) (*graph.Client, error) { return o.a.Graph(ctx, tenantID) },
		Probe:         appreg.ProbeWith(o.a.authn()),
		App:           onboard.App{ID: o.a.ClientID(), Name: permissions.DefaultName, Needs: n},
		Pages:         ref,
		Ledger:        o.ledger,
		Recorder:      o.rec,
		Now:           o.a.now,
	}
	if acct, ok := o.a.authn().Account(); ok {
		env.Technician, env.PartnerTenant = acct.PreferredUsername, acct.Realm
	}
	return env, nil
}

// Customers lists Partner Center's customers, by name, for the picker.
func (o *Onboard) Customers(ctx context.Context) ([]OnboardCustomer, error) {
	if _, err := o.a.partnerGraph(ctx); err != nil { // signed in, or why not
		return nil, err
	}
	list, err := o.a.partnerCenter().ListCustomers(ctx)
	if err != nil {
		return nil, fmt.Errorf("read your customers from Partner Center: %w", err)
	}
	out := make([]OnboardCustomer, 0, len(list))
	for _, c := range list {
		oc := OnboardCustomer{Name: c.CompanyProfile.CompanyName, TenantID: c.CompanyProfile.TenantID, Domain: c.CompanyProfile.Domain}
		if oc.TenantID == "" {
			oc.TenantID = c.ID
		}
		if oc.Name == "" {
			oc.Name = oc.Domain
		}
		out = append(out, oc)
	}
	sort.SliceStable(out, func(i, j int) bool { return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name) })
	return words.Cleaned(out), nil
}

// Templates lists the templates: the built-in role profiles, then the user's own.
func (o *Onboard) Templates() []Template {
	var out []Template
	builtIn := len(roles.BuiltIn())
	for i, p := range allProfiles(o.store) {
		t := Template{Name: p.Name, Description: p.Description, GlobalAdmin: p.HasGlobalAdministrator(), Own: i >= builtIn}
		var groups []string
		byGroup := map[string][]string{}
		for _, id := range p.Roles {
			t.Roles = append(t.Roles, roles.Name(id))
			if g := p.GroupFor(id); g != "" {
				if byGroup[g] == nil {
					groups = append(groups, g)
				}
				byGroup[g] = append(byGroup[g], roles.Name(id))
			}
		}
		for _, g := range groups {
			t.Groups = append(t.Groups, g+": "+strings.Join(byGroup[g], ", "))
		}
		out = append(out, t)
	}
	return words.Cleaned(out)
}

// Roles lists the roles a template of one's own can be built from.
func (o *Onboard) Roles() []RoleChoice { return roleChoices() }

// SaveTemplate keeps a template of the user's own: its roles and, for any of them, the partner
// group the role goes to (not secret; the same store as the GDAP wizard's own profiles).
func (o *Onboard) SaveTemplate(name string, roleIDs []string, groups map[string]string) error {
	if err := saveProfile(o.store, name, roleIDs); err != nil {
		return err
	}
	if len(groups) == 0 {
		return nil
	}
	mine, err := o.store.Load()
	if err != nil {
		return err
	}
	for i := range mine {
		if mine[i].Name == name {
			mine[i].Groups = map[string]string{}
			for role, g := range groups {
				if g = strings.TrimSpace(g); g != "" {
					mine[i].Groups[role] = g
				}
			}
		}
	}
	return o.store.Save(mine)
}

// access combines the request's templates.
func (o *Onboard) access(req OnboardRequest) (onboard.Access, error) {
	if len(req.Templates) == 0 {
		req.Templates = []string{roles.ProfileOnboard365}
	}
	var ps []roles.Profile
	for _, name := range req.Templates {
		p, err := findProfile(o.store, name)
		if err != nil {
			return onboard.Access{}, err
		}
		ps = append(ps, p)
	}
	return onboard.Combine(ps, req.GlobalAdmin)
}

// Check reads where the customer's onboarding stands and plans what can be done now.
func (o *Onboard) Check(ctx context.Context, req OnboardRequest) (OnboardResult, error) {
	a, err := o.access(req)
	if err != nil {
		return OnboardResult{}, err
	}
	env, err := o.env(ctx)
	if err != nil {
		return OnboardResult{}, err
	}
	st, err := onboard.Check(ctx, env, onboard.Request{Customer: req.Customer, NewDomain: req.NewDomain, Access: a, Reseller: req.Reseller, GroupPattern: req.GroupPattern})
	if err != nil {
		return OnboardResult{}, err
	}
	return o.result(req, st), nil
}

// ErrNoSuchCustomer is wrapped by Check's error when the customer is not in Partner Center's list.
var ErrNoSuchOnboardCustomer = onboard.ErrNoSuchCustomer

func (o *Onboard) result(req OnboardRequest, st onboard.State) OnboardResult {
	c := st.Customer
	r := OnboardResult{Customer: OnboardCustomer{Name: c.Label(), TenantID: c.TenantID, Domain: c.Domain, New: c.New},
		Request: req, Status: string(st.Status()), Notes: append(append([]string(nil), st.Access.Notes...), st.Notes...), Ready: st.Ready, state: st}
	r.Request.Templates = st.Access.Templates
	for _, s := range st.Steps {
		r.Steps = append(r.Steps, OnboardStep{Name: string(s.Name), Title: s.Name.Title(), Status: string(s.Status), Sentence: s.Sentence})
	}
	if st.Invitation != nil {
		v := o.view(*st.Invitation)
		r.Invitation = &v
	}
	r.Plan.Tenant = plan.Tenant{ID: c.TenantID, Name: c.Label()}
	r.RequestPlan.Tenant, r.FinishPlan.Tenant = r.Plan.Tenant, r.Plan.Tenant
	for _, f := range st.Fixes {
		pf := plan.Fix{ID: f.ID, Who: fixWho(f), What: f.What, Safe: !f.Declined, Change: f}
		if f.Declined {
			pf.Caution = "The customer declined the last request. Talk to them before you send another, or they may decline it again."
		}
		r.Plan.Fixes = append(r.Plan.Fixes, pf)
		if f.Kind == onboard.ResellerInvite || f.Kind == onboard.RequestAccess {
			r.RequestPlan.Fixes = append(r.RequestPlan.Fixes, pf)
		} else {
			r.FinishPlan.Fixes = append(r.FinishPlan.Fixes, pf)
		}
	}
	return words.Cleaned(r)
}

func fixWho(f onboard.Fix) string {
	if f.Kind == onboard.GroupsAndRoles && f.GDAP.Customer.TenantID == "" {
		return partnerName
	}
	return f.Customer.Label()
}

// view is an invitation as the pages show it.
func (o *Onboard) view(i onboard.Invitation) Invitation {
	now := o.a.now()
	v := Invitation{ID: i.RelationshipID, Customer: i.Customer.Label(), Domain: i.Customer.Domain, TenantID: i.Customer.TenantID,
		Templates: i.Templates, Phase: string(i.Phase), State: i.Phase.Word(), Sentence: onboard.Sentence(i, now), Sent: i.Sent, Checked: i.Checked,
		Age: onboard.Age(i, now), DaysLeft: onboard.DaysLeft(i, now), ApprovalLink: i.ApprovalLink, ResellerLink: i.ResellerLink,
		MailText: onboard.Mail(i), Waits: i.Phase.Waits() && i.Open(), Renewable: i.Phase.Renewable() && i.Open(), Open: i.Open(), inv: i}
	for _, id := range i.Roles {
		v.Roles = append(v.Roles, roles.Name(id))
	}
	switch i.Closed {
	case "onboarded":
		v.State, v.Sentence = "onboarded", fmt.Sprintf("%s approved the request and is connected.", words.Name(i.Customer.Label()))
	case "renewed":
		v.State, v.Sentence = "replaced", "A newer request replaced this one; its link is no longer needed."
	case "withdrawn":
		v.State, v.Sentence = "withdrawn", "You stopped following this request. Microsoft keeps it until it expires; the customer can ignore its link."
	}
	if i.ResellerLink != "" && !i.ResellerAccepted && i.Open() && !i.Phase.Renewable() {
		v.Sentence += " The reseller invitation waits for them to accept it too."
		v.Waits = true
	}
	return words.Cleaned(v)
}

// Apply makes the fixes of a reviewed plan; one fix's failure never stops the rest.
func (o *Onboard) Apply(ctx context.Context, p plan.Plan, progress func(done, total int)) []plan.Outcome {
	fixes, err := plan.Changes[onboard.Fix](p)
	var env onboard.Env
	if err == nil {
		env, err = o.env(ctx)
	}
	if err != nil {
		out := make([]plan.Outcome, len(p.Fixes))
		for i, f := range p.Fixes {
			out[i] = plan.Outcome{FixID: f.ID, Who: f.Who, Sentence: "Not applied: " + explain.Sentence(err)}
		}
		return words.Cleaned(out)
	}
	results := onboard.Apply(ctx, env, fixes, progress)
	out := make([]plan.Outcome, len(results))
	for i, r := range results {
		o := plan.Outcome{FixID: r.Fix.ID, Who: fixWho(r.Fix), Done: r.Done, Sentence: r.Sentence}
		if r.ApprovalLink != "" {
			o.ToCopy = append(o.ToCopy, plan.Text{Label: "Approval link for the customer's Global Administrator", Text: r.ApprovalLink})
		}
		if r.ResellerLink != "" {
			o.ToCopy = append(o.ToCopy, plan.Text{Label: "Reseller invitation link", Text: r.ResellerLink})
		}
		if r.MailText != "" {
			o.ToCopy = append(o.ToCopy, plan.Text{Label: "A message you can send", Text: r.MailText})
		}
		out[i] = o
	}
	return words.Cleaned(out)
}

// Wait reads an invitation again with backoff (Pauses) until it is settled (approved and
// active, declined, expired) or ctx ends; a value on wake reads it at once. report gets every
// reading, with the error of a reading that failed (it is tried again after the next pause).
func (o *Onboard) Wait(ctx context.Context, inv Invitation, wake <-chan struct{}, report func(Invitation, error)) (Invitation, error) {
	env, err := o.env(ctx)
	if err != nil {
		return inv, err
	}
	got, err := onboard.Wait(ctx, env, inv.inv, o.Pauses, wake, func(i onboard.Invitation, err error) {
		if report != nil {
			report(o.view(i), err)
		}
	})
	return o.view(got), err
}

// Verify gets a token for the customer through GDAP and makes one read per class of roles the
// request's templates grant, then gives one verdict.
func (o *Onboard) Verify(ctx context.Context, r OnboardResult) (Verification, error) {
	env, err := o.env(ctx)
	if err != nil {
		return Verification{}, err
	}
	v := onboard.Verify(ctx, env, r.state.Customer, r.state.Access)
	out := Verification{Connected: v.Connected, Sentence: v.Sentence}
	for _, rd := range v.Readings {
		out.Readings = append(out.Readings, rd.Sentence)
	}
	return words.Cleaned(out), nil
}

// Invitations lists the ledger, newest first, as last read.
func (o *Onboard) Invitations() ([]Invitation, error) {
	if o.ledger == nil {
		return nil, nil
	}
	invs, err := o.ledger.Load()
	if err != nil {
		return nil, err
	}
	out := make([]Invitation, len(invs))
	for i, inv := range invs {
		out[i] = o.view(inv)
	}
	return out, nil
}

// Withdraw stops following an invitation. Microsoft offers no way to take back a request sent
// for approval (a relationship can be deleted only before it is sent, and terminated only once
// active), so the request stays until it expires; the customer can ignore its link.
func (o *Onboard) Withdraw(ctx context.Context, id string) error {
	if o.ledger == nil {
		return errors.New("there is no list of invitations on this computer")
	}
	found := false
	err := o.ledger.Update(ctx, func(invs []onboard.Invitation) ([]onboard.Invitation, error) {
		for i := range invs {
			if strings.EqualFold(invs[i].RelationshipID, id) && invs[i].Open() {
				invs[i].Closed, invs[i].ClosedAt, found = "withdrawn", o.a.now(), true
			}
		}
		return invs, nil
	})
	if err == nil && !found {
		err = errors.New("that invitation is not in the list, or is closed already")
	}
	return err
}

// RequestFor is the request that resumes an invitation: its customer and its templates.
func (inv Invitation) RequestFor() OnboardRequest {
	i := inv.inv
	r := OnboardRequest{Templates: i.Templates, Reseller: i.ResellerLink != ""}
	switch {
	case i.Customer.New:
		r.NewDomain = i.Customer.Domain
	case i.Customer.TenantID != "":
		r.Customer = i.Customer.TenantID
	default:
		r.Customer = i.Customer.Domain
	}
	return r
}

// Ledger is the invitation ledger the onboarding keeps (nil when this computer has no settings
// folder), for the GDAP wizard to keep the requests it sends in the same list.
func (o *Onboard) Ledger() *onboard.Ledger { return o.ledger }

// HealthChecks are onboarding's parts of the health check (internal/onboard's HealthChecks):
// the open invitations, and the verify step again for every customer it onboarded. Without a
// ledger there is nothing to say, and they find nothing.
func (o *Onboard) HealthChecks() []health.CustomerCheck {
	return []health.CustomerCheck{onboardCheck{o, health.Invitations}, onboardCheck{o, health.Connection}}
}

// onboardCheck is one of internal/onboard's health checks, on the environment of the moment
// (the sign-in the health check runs with).
type onboardCheck struct {
	o    *Onboard
	kind health.Kind
}

func (c onboardCheck) Kind() health.Kind { return c.kind }

func (c onboardCheck) Check(ctx context.Context, customers []health.Tenant) ([]health.Finding, error) {
	if c.o.ledger == nil {
		return nil, nil
	}
	env, err := c.o.env(ctx)
	if err != nil {
		return nil, err
	}
	for _, chk := range onboard.HealthChecks(env) {
		if chk.Kind() == c.kind {
			return chk.Check(ctx, customers)
		}
	}
	return nil, nil
}
