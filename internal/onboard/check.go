package onboard

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/words"
)

// PartnerCenter is the part of *partnercenter.Client onboarding uses: the customer list (who
// the customers are, and whether a new one accepted the reseller invitation), the reseller
// invitation link, and the app's consent in a customer.
type PartnerCenter interface {
	ListCustomers(ctx context.Context) ([]partnercenter.Customer, error)
	GetRelationshipRequest(ctx context.Context) (partnercenter.RelationshipRequest, error)
	appreg.Consenter
}

// App is the app registration consented in the customer: the one the technician signs in with.
type App struct {
	ID, Name string
	Needs    permissions.Needs // what its consent in a customer must hold (Needs.Customers)
}

// Env is what the journey works with: Microsoft's services as the signed-in technician, and where
// it keeps what it did. internal/app builds it from the account.
type Env struct {
	Partner       *graph.Client                                                     // Microsoft Graph in the partner tenant
	PartnerCenter PartnerCenter                                                     // Partner Center
	Customer      func(ctx context.Context, tenantID string) (*graph.Client, error) // Graph in a customer, through GDAP
	Probe         appreg.Probe                                                      // the app's permissions in a customer, from a fresh token
	App           App
	Pages         *learn.Data // Microsoft's pages: the roles each check of Verify needs
	Ledger        *Ledger
	Recorder      audit.Recorder // every change is recorded here
	Technician    string         // the signed-in technician's UPN, for the audit trail
	PartnerTenant string         // the partner tenant's id, for the audit trail of partner-side changes
	Now           func() time.Time
}

func (e Env) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

func (e Env) recorder() audit.Recorder {
	if e.Recorder == nil {
		return audit.Discard{}
	}
	return e.Recorder
}

// Request says whom to onboard, and with what access.
type Request struct {
	Customer  string // an existing customer: its name, tenant id or domain
	NewDomain string // or a new one, not with the partner yet: its domain
	Access    Access
	// Reseller sends a new customer Partner Center's reseller invitation as well as the GDAP
	// request (PSA tools see only reseller customers).
	Reseller     bool
	GroupPattern string // names new groups; "{role}" stands for the role's name; "" for "GDAP - {role}"
}

// StepName names a step of the journey; the command line's JSON uses these.
type StepName string

// Steps, in order.
const (
	StepCustomer StepName = "customer" // who: found in Partner Center, or a new domain
	StepReseller StepName = "reseller" // a new customer's reseller invitation, accepted
	StepRequest  StepName = "request"  // the GDAP relationship request, sent
	StepApproval StepName = "approval" // the customer's approval, and Microsoft's activation
	StepGroups   StepName = "groups"   // groups, access assignments and the technician's membership
	StepConsent  StepName = "consent"  // the app's consent in the customer
	StepVerify   StepName = "verify"   // a token through GDAP and one read per role class
)

// StepStatus is where a step stands.
type StepStatus string

// Step statuses. The command line's JSON has done, waiting, failed and skipped; ToDo is a step
// the plan would carry out.
const (
	Done    StepStatus = "done"
	Waiting StepStatus = "waiting"
	Failed  StepStatus = "failed"
	Skipped StepStatus = "skipped"
	ToDo    StepStatus = "todo"
)

// Step is one step and where it stands, in a sentence.
type Step struct {
	Name     StepName
	Status   StepStatus
	Sentence string
}

// Title is the step as a list names it.
func (n StepName) Title() string {
	switch n {
	case StepCustomer:
		return "Customer"
	case StepReseller:
		return "Reseller invitation"
	case StepRequest:
		return "Relationship request"
	case StepApproval:
		return "Customer's approval"
	case StepGroups:
		return "Groups and roles"
	case StepConsent:
		return "App consent"
	case StepVerify:
		return "Connection check"
	}
	return string(n)
}

// FixKind names a change onboarding makes.
type FixKind string

// Fix kinds, in the order Apply makes them.
const (
	// ResellerInvite gets Partner Center's reseller invitation link for a new customer (a read:
	// it changes nothing, and the link is the same for every customer).
	ResellerInvite FixKind = "resellerInvitation"
	// RequestAccess creates the GDAP relationship request and locks it for approval (or locks
	// one created and never sent), and records the invitation.
	RequestAccess FixKind = "requestAccess"
	// GroupsAndRoles is one of internal/gdap's fixes in the partner tenant: a group, the
	// technician's membership, an access assignment.
	GroupsAndRoles FixKind = "groupsAndRoles"
	// ConsentApp consents the app registration in the customer through Partner Center.
	ConsentApp FixKind = "consent"
)

// Fix is one change onboarding plans, with everything Apply needs.
type Fix struct {
	ID       string
	Kind     FixKind
	Customer Customer
	What     string   // the change and why, one sentence
	GDAP     gdap.Fix // RequestAccess, GroupsAndRoles
	// Consent is where the app's consent stands in the customer (ConsentApp).
	Consent   appreg.Customer
	Templates []string // the templates it serves
	Renews    string   // RequestAccess: the relationship id of the invitation it replaces
	// Declined: the request it replaces was declined by the customer, so it is sent only when
	// the person chooses to (they should talk to the customer first).
	Declined bool
}

// State is one reading of a customer's onboarding: every step, and what can be done now.
type State struct {
	Customer   Customer
	Access     Access
	Steps      []Step
	Invitation *Invitation // the latest invitation for the customer, read again; nil when none
	Fixes      []Fix       // what can be done now, in the order Apply makes them
	Notes      []string    // what the person should know besides the steps
	// Ready: nothing is left to do or wait for before the connection check.
	Ready bool
	// ResellerAccepted: the customer is a reseller customer in Partner Center's list.
	ResellerAccepted bool

	listed bool // the customer is in Partner Center's list (so Partner Center can consent there)
}

// Status is the whole journey in one word: done (every step done or skipped), waiting (for the
// customer or Microsoft), failed, or todo (the plan has changes to apply).
func (s State) Status() StepStatus {
	status := Done
	for _, st := range s.Steps {
		switch st.Status {
		case Failed:
			return Failed
		case Waiting:
			status = Waiting
		case ToDo:
			if status != Waiting {
				status = ToDo
			}
		}
	}
	return status
}

// Step finds a step's reading.
func (s State) Step(n StepName) Step {
	for _, st := range s.Steps {
		if st.Name == n {
			return st
		}
	}
	return Step{Name: n}
}

func (s *State) set(n StepName, status StepStatus, sentence string) {
	for i := range s.Steps {
		if s.Steps[i].Name == n {
			s.Steps[i].Status, s.Steps[i].Sentence = status, sentence
			return
		}
	}
	s.Steps = append(s.Steps, Step{Name: n, Status: status, Sentence: sentence})
}

// ErrNoSuchCustomer is wrapped by Check's error when the customer named is not in Partner
// Center's list.
var ErrNoSuchCustomer = errors.New("no such customer")

// domainPattern is a DNS name of two labels or more.
var domainPattern = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// CheckDomain says what is wrong with a new customer's domain, or nil.
func CheckDomain(domain string) error {
	if !domainPattern.MatchString(strings.ToLower(strings.TrimSpace(domain))) {
		return fmt.Errorf("%q is not a domain: give the new customer's domain, for example fourthcoffee.onmicrosoft.com", domain)
	}
	return nil
}

// Check reads where a customer's onboarding stands, step by step, and plans what can be done
// now. It changes nothing at Microsoft; it writes the ledger's last reading of the invitation
// (its phase, and the customer's tenant once it approved).
func Check(ctx context.Context, env Env, req Request) (State, error) {
	now := env.now()
	st := State{Access: req.Access}
	for _, n := range []StepName{StepCustomer, StepReseller, StepRequest, StepApproval, StepGroups, StepConsent, StepVerify} {
		st.Steps = append(st.Steps, Step{Name: n}) // in order; each is set below
	}
	listed, err := env.PartnerCenter.ListCustomers(ctx)
	if err != nil {
		return State{}, fmt.Errorf("read your customers from Partner Center: %w", err)
	}
	c, note, err := who(req, listed)
	if err != nil {
		return State{}, err
	}
	if note != "" {
		st.Notes = append(st.Notes, note)
	}
	invs, err := env.Ledger.Load()
	if err != nil {
		return State{}, err
	}
	inv, err := gdap.Read(ctx, env.Partner, nil)
	if err != nil {
		return State{}, err
	}
	if env.Technician == "" {
		env.Technician = inv.Technician.UserPrincipalName
	}

	// The latest invitation for the customer, read again; a new customer's tenant is known once
	// it approved.
	if latest, ok := Latest(invs, c); ok {
		latest = reread(latest, inv, now)
		if c.TenantID == "" && latest.Customer.TenantID != "" {
			c.TenantID, c.Name = latest.Customer.TenantID, latest.Customer.Name
		}
		if latest.Customer.New && !c.New { // in the customer list since it approved: still onboarding as new
			c.New, st.Notes = true, nil
		}
		if latest.Customer.New && resellerOf(listed, c.Domain) {
			latest.ResellerAccepted = true
		}
		st.Invitation = &latest
		if err := env.Ledger.Record(ctx, latest); err != nil {
			return State{}, err
		}
	}
	st.Customer = c
	if c.New {
		st.set(StepCustomer, Done, fmt.Sprintf("%s is not your customer yet: Onboard365 asks them for access with a link their Global Administrator opens.", c.Domain))
	} else {
		st.set(StepCustomer, Done, fmt.Sprintf("%s is your customer in Partner Center.", words.Name(c.Label())))
	}
	st.ResellerAccepted = !c.New || resellerOf(listed, c.Domain)
	st.listed = c.TenantID != "" && inList(listed, c.TenantID)
	planReseller(&st, req, c)
	planRequest(&st, env, req, c, inv, now)
	planFinish(ctx, &st, env, req, c, inv, now)
	return st, nil
}

// who finds the customer a request names: in Partner Center's list, or a new domain (which may
// turn out to be a customer already).
func who(req Request, listed []partnercenter.Customer) (Customer, string, error) {
	if d := strings.ToLower(strings.TrimSpace(req.NewDomain)); d != "" {
		if err := CheckDomain(d); err != nil {
			return Customer{}, "", err
		}
		for _, pc := range listed {
			if strings.EqualFold(pc.CompanyProfile.Domain, d) {
				c := fromList(pc)
				return c, fmt.Sprintf("%s is already your customer in Partner Center (%s), so Onboard365 onboards it as one.", d, words.Name(c.Name)), nil
			}
		}
		return Customer{Name: d, Domain: d, New: true}, "", nil
	}
	name := strings.TrimSpace(req.Customer)
	if name == "" {
		return Customer{}, "", errors.New("say which customer to onboard: an existing customer, or the domain of a new one")
	}
	for _, pc := range listed {
		c := fromList(pc)
		if strings.EqualFold(c.TenantID, name) || strings.EqualFold(c.Name, name) || strings.EqualFold(c.Domain, name) {
			return c, "", nil
		}
	}
	return Customer{}, "", fmt.Errorf("%w: there is no customer %q in your Partner Center customer list. For an organization that is not your customer yet, onboard it as a new customer by its domain", ErrNoSuchCustomer, name)
}

func fromList(pc partnercenter.Customer) Customer {
	c := Customer{TenantID: pc.CompanyProfile.TenantID, Name: pc.CompanyProfile.CompanyName, Domain: strings.ToLower(pc.CompanyProfile.Domain)}
	if c.TenantID == "" {
		c.TenantID = pc.ID
	}
	if c.Name == "" {
		c.Name = c.Domain
	}
	return c
}

// resellerOf says whether the organization with this domain is a reseller customer of the
// partner's: it accepted the reseller invitation. (An organization that only approved a GDAP
// request is in the list too, with relationshipToPartner "none".)
func resellerOf(listed []partnercenter.Customer, domain string) bool {
	for _, pc := range listed {
		if domain != "" && strings.EqualFold(pc.CompanyProfile.Domain, domain) && strings.EqualFold(pc.RelationshipToPartner, "reseller") {
			return true
		}
	}
	return false
}

// inList says whether the tenant is in the partner's customer list, where Partner Center can
// consent an app.
func inList(listed []partnercenter.Customer, tenantID string) bool {
	for _, pc := range listed {
		if strings.EqualFold(fromList(pc).TenantID, tenantID) {
			return true
		}
	}
	return false
}

// reread gives an invitation the phase its relationship has now in the inventory, and the
// customer Microsoft set when it was approved.
func reread(latest Invitation, inv gdap.Inventory, now time.Time) Invitation {
	latest.Checked = now
	for _, ra := range inv.Relationships {
		r := ra.Relationship
		if !strings.EqualFold(r.ID, latest.RelationshipID) {
			continue
		}
		latest.Phase = PhaseOf(r, latest.Sent, now)
		if r.Customer.TenantID != "" {
			latest.Customer.TenantID = r.Customer.TenantID
			if r.Customer.DisplayName != "" {
				latest.Customer.Name = r.Customer.DisplayName
			}
		}
		return latest
	}
	latest.Phase = Gone
	return latest
}

func planReseller(st *State, req Request, c Customer) {
	switch {
	case !c.New:
		st.set(StepReseller, Skipped, fmt.Sprintf("%s is your customer already: no reseller invitation is needed.", words.Name(c.Label())))
	case st.ResellerAccepted:
		st.set(StepReseller, Done, fmt.Sprintf("%s accepted your reseller invitation: it is in your Partner Center customer list.", words.Name(c.Label())))
	case !req.Reseller && (st.Invitation == nil || st.Invitation.ResellerLink == ""):
		st.set(StepReseller, Skipped, "No reseller invitation was asked for: the customer gets the GDAP request only.")
	case st.Invitation != nil && st.Invitation.ResellerLink != "" && st.Invitation.Phase != "":
		st.set(StepReseller, Waiting, fmt.Sprintf("Waiting for the Global Administrator of %s to accept your reseller invitation with its link.", c.Domain))
	default:
		st.Fixes = append(st.Fixes, Fix{ID: "reseller/" + c.Domain, Kind: ResellerInvite, Customer: c,
			What: fmt.Sprintf("Get your reseller invitation link from Partner Center, to send %s with the GDAP request: once they accept it they are your customer in Partner Center, where tools such as your PSA see them.", c.Domain)})
		st.set(StepReseller, ToDo, "Onboard365 gets your reseller invitation link from Partner Center.")
	}
}

// grantedByActive is every role the customer's active relationships grant.
func grantedByActive(inv gdap.Inventory, c Customer) map[string]bool {
	granted := map[string]bool{}
	if c.TenantID == "" {
		return granted
	}
	for _, ra := range inv.Relationships {
		r := ra.Relationship
		if !strings.EqualFold(r.Customer.TenantID, c.TenantID) {
			continue
		}
		if s := strings.ToLower(r.Status); s != "active" && s != "expiring" {
			continue
		}
		for _, u := range r.AccessDetails.UnifiedRoles {
			granted[strings.ToLower(u.RoleDefinitionID)] = true
		}
	}
	return granted
}

func missingRoles(a Access, granted map[string]bool) []string {
	var out []string
	for _, r := range a.Profile.Roles {
		if !granted[strings.ToLower(r)] {
			out = append(out, strings.ToLower(r))
		}
	}
	return out
}

// waitingFor finds a relationship of the customer's that waits for approval (or was created
// and never sent) and asks for every role missing: a request the app (or someone) sent before.
func waitingFor(inv gdap.Inventory, c Customer, missing []string) (gdap.Relationship, bool) {
	if c.TenantID == "" {
		return gdap.Relationship{}, false
	}
	for _, ra := range inv.Relationships {
		r := ra.Relationship
		if !strings.EqualFold(r.Customer.TenantID, c.TenantID) {
			continue
		}
		switch strings.ToLower(r.Status) {
		case "approvalpending", "approved", "activating", "created":
		default:
			continue
		}
		asked := map[string]bool{}
		for _, u := range r.AccessDetails.UnifiedRoles {
			asked[strings.ToLower(u.RoleDefinitionID)] = true
		}
		if len(missingRoles(Access{Profile: roles.Profile{Roles: missing}}, asked)) == 0 {
			return r, true
		}
	}
	return gdap.Relationship{}, false
}

// planRequest decides the request and approval steps: nothing to ask (the active relationships
// grant every role), a request on its way (the ledger's, or one waiting at Microsoft), or a new
// one (also to renew a request that was declined or expired).
func planRequest(st *State, env Env, req Request, c Customer, inv gdap.Inventory, now time.Time) {
	granted := grantedByActive(inv, c)
	missing := missingRoles(req.Access, granted)
	who := words.Name(c.Label())
	if len(missing) == 0 {
		if i := st.Invitation; i != nil && i.Phase == Active { // this onboarding's request, approved
			st.set(StepRequest, Done, fmt.Sprintf("Onboard365 sent the request %q to %s %s.", i.RelationshipName, who, Age(*i, now)))
			st.set(StepApproval, Done, Sentence(*i, now))
			return
		}
		st.set(StepRequest, Skipped, fmt.Sprintf("Your active relationships with %s already grant every role of the template: no new request is needed.", who))
		st.set(StepApproval, Skipped, "Nothing waits for the customer's approval.")
		return
	}
	// A request already on its way: the ledger's latest (the only one a new customer has), or
	// one waiting at Microsoft with every missing role. One that lacks roles of the template is
	// replaced by a new request that asks for its roles too, so the customer approves one link.
	var replaces *Invitation
	if i := st.Invitation; i != nil && !i.Phase.Renewable() {
		if len(i.Roles) == 0 || len(missingRoles(Access{Profile: roles.Profile{Roles: missing}}, toSet(i.Roles))) == 0 {
			st.set(StepRequest, Done, fmt.Sprintf("Onboard365 sent the request %q to %s %s.", i.RelationshipName, who, Age(*i, now)))
			approval(st, *i, now)
			if i.Phase == NotSent {
				st.Fixes = append(st.Fixes, lockFix(c, i.RelationshipID, i.RelationshipName, i.Roles, req.Access))
			}
			return
		}
		replaces = i
	}
	if r, ok := waitingFor(inv, c, missing); ok && replaces == nil {
		i := Invitation{RelationshipID: r.ID, RelationshipName: r.DisplayName, Customer: c, ApprovalLink: gdap.ApprovalLink(r.ID),
			Roles: missing, Duration: r.Duration, Sent: firstTime(time.Time{}, r.CreatedDateTime), Templates: req.Access.Templates}
		if i.Sent.IsZero() {
			i.Sent = now
		}
		i.Phase = PhaseOf(r, time.Time{}, now)
		st.Invitation = &i
		st.set(StepRequest, Done, fmt.Sprintf("The request %q with every role the template needs already waits for %s.", r.DisplayName, who))
		approval(st, i, now)
		if i.Phase == NotSent {
			st.Fixes = append(st.Fixes, lockFix(c, r.ID, r.DisplayName, missing, req.Access))
		}
		return
	}
	profile := req.Access.Profile
	if replaces != nil && c.TenantID == "" { // a known customer's waiting request is in the inventory: RequestFix adds its roles
		profile.Roles = append(append([]string(nil), profile.Roles...), missingRoles(Access{Profile: roles.Profile{Roles: replaces.Roles}}, toSet(profile.Roles))...)
	}
	// The request is named "Customer - Template"; with several templates, "Customer - onboarding"
	// (the names together would not fit Microsoft's 50 characters).
	pattern := ""
	if len(req.Access.Templates) > 1 {
		pattern = "{customer} - onboarding"
	}
	f := gdap.RequestFix(gdap.Customer{TenantID: c.TenantID, Name: c.Label()}, profile, inv, gdap.PlanOptions{GroupPattern: req.GroupPattern, RelationshipPattern: pattern})
	fix := Fix{ID: "request/" + key(c), Kind: RequestAccess, Customer: c, GDAP: f, Templates: req.Access.Templates}
	of := "the templates' roles"
	if len(req.Access.Templates) == 1 {
		of = "the roles " + words.Name(req.Access.Templates[0]) + " needs"
	}
	if len(f.Roles) > len(req.Access.Profile.Roles) {
		of += " and those of the request that already waits for them"
	}
	if c.New {
		fix.What = fmt.Sprintf("Request one relationship %q that grants %s, %s (%s), for %s, naming no customer: whoever approves it with the link becomes its customer, so send the link only to the Global Administrator of %s. %s",
			f.RelationshipName, words.Count(len(f.Roles), "role"), of, roleNames(f.Roles), durationWords(f.Duration), c.Domain, extendWords(f))
	} else {
		fix.What = fmt.Sprintf("Request one relationship %q with %s that grants %s, %s (%s), for %s. %s Roles cannot be added to a relationship once it exists, so their Global Administrator approves this one with the link Onboard365 gives you; then the wizard sets up your groups.",
			f.RelationshipName, who, words.Count(len(f.Roles), "role"), of, roleNames(f.Roles), durationWords(f.Duration), extendWords(f))
	}
	switch i := st.Invitation; {
	case replaces != nil:
		fix.Renews = replaces.RelationshipID
		fix.What += fmt.Sprintf(" It replaces the request %q, which waits but lacks some of the template's roles: their admin needs to approve only the new link.", replaces.RelationshipName)
		st.set(StepApproval, Waiting, fmt.Sprintf("Once the new request is sent, the Global Administrator of %s approves it with its link.", who))
	case i != nil && i.Phase.Renewable():
		fix.Renews, fix.Declined = i.RelationshipID, i.Phase == Declined
		fix.What += fmt.Sprintf(" The earlier request, %q, %s, so this one replaces it.", i.RelationshipName, i.Phase.Word())
		st.set(StepApproval, Failed, Sentence(*i, now))
	default:
		st.set(StepApproval, Waiting, fmt.Sprintf("Once the request is sent, the Global Administrator of %s approves it with the link Onboard365 gives you.", who))
	}
	st.Fixes = append(st.Fixes, fix)
	st.set(StepRequest, ToDo, fmt.Sprintf("Onboard365 requests one relationship with %s for %s and gives you the approval link.", words.Count(len(f.Roles), "role"), who))
}

func toSet(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[strings.ToLower(s)] = true
	}
	return m
}

func lockFix(c Customer, id, name string, roleIDs []string, a Access) Fix {
	f := gdap.Fix{ID: "relationship/" + key(c) + "/" + id, Kind: gdap.RequestNewRelationship, Customer: gdap.Customer{TenantID: c.TenantID, Name: c.Label()},
		RelationshipID: id, RelationshipName: name, Roles: roleIDs}
	return Fix{ID: "request/" + key(c) + "/" + id, Kind: RequestAccess, Customer: c, GDAP: f, Templates: a.Templates,
		What: fmt.Sprintf("Send the relationship %q to %s for approval (it was created but never sent), and give you the link for them.", name, words.Name(c.Label()))}
}

// approval sets the approval step from the invitation's phase.
func approval(st *State, i Invitation, now time.Time) {
	switch i.Phase {
	case Active:
		st.set(StepApproval, Done, Sentence(i, now))
	case AwaitingApproval, Activating, NotSent:
		st.set(StepApproval, Waiting, Sentence(i, now))
	default:
		st.set(StepApproval, Failed, Sentence(i, now))
	}
}

func key(c Customer) string {
	if c.TenantID != "" {
		return strings.ToLower(c.TenantID)
	}
	return "new:" + strings.ToLower(c.Domain)
}

// planFinish decides the groups, consent and verify steps, once the active relationships grant
// every role: internal/gdap's fixes for the template's groups and assignments, then the app's
// consent.
func planFinish(ctx context.Context, st *State, env Env, req Request, c Customer, inv gdap.Inventory, now time.Time) {
	who := words.Name(c.Label())
	if len(missingRoles(req.Access, grantedByActive(inv, c))) > 0 {
		after := fmt.Sprintf("After %s approves the request.", who)
		st.set(StepGroups, Waiting, after)
		st.set(StepConsent, Waiting, after)
		st.set(StepVerify, Waiting, after)
		return
	}
	verdict, ok := verdictFor(inv, req.Access.Profile, c, now)
	groups := 0
	if ok {
		for _, f := range gdap.Plan([]gdap.Verdict{verdict}, inv, req.Access.Profile, gdap.PlanOptions{GroupPattern: req.GroupPattern}) {
			switch f.Kind {
			case gdap.CreateGroup, gdap.AddTechnicianToGroup, gdap.AddAccessAssignment, gdap.UpdateAccessAssignment:
				st.Fixes = append(st.Fixes, Fix{ID: "gdap/" + f.ID, Kind: GroupsAndRoles, Customer: c, GDAP: f, Templates: req.Access.Templates, What: f.Reason})
				groups++
			}
		}
	}
	var left []string
	for _, p := range verdict.Problems {
		switch p.Kind {
		case gdap.UnboundRoles, gdap.TechnicianNotInGroup, gdap.RequiredGroupMissing, gdap.CouldNotRead:
			left = append(left, p.Sentence)
		}
	}
	switch {
	case groups > 0:
		st.set(StepGroups, ToDo, fmt.Sprintf("Onboard365 makes %s so that every role of the template is assigned to a group you are in.", words.Count(groups, "change")))
	case len(left) > 0:
		st.set(StepGroups, Failed, strings.Join(left, " "))
	case pendingAssignments(inv, c):
		st.set(StepGroups, Waiting, "Microsoft is still applying an access assignment (status pending), which usually takes a few minutes.")
	default:
		st.set(StepGroups, Skipped, fmt.Sprintf("Every role of the template is assigned to a group you are in, in your relationships with %s.", who))
	}

	// The app's consent, from its own token in the customer. Before the groups are made the
	// technician may have no access yet to read it; the consent is then planned all the same
	// (Partner Center keeps a consent that exists) and read again after it is made.
	cc := appreg.CheckCustomer(ctx, appreg.Customer{TenantID: c.TenantID, Name: c.Label()}, env.Probe, env.App.Needs)
	switch {
	case cc.Status == appreg.Consented:
		st.set(StepConsent, Skipped, fmt.Sprintf("The app %q is consented in %s with every permission it uses there.", env.App.Name, who))
	case !st.listed:
		st.set(StepConsent, Waiting, fmt.Sprintf("Partner Center consents an app only in your customers, and %s is not in your customer list yet.", who))
	default:
		what := fmt.Sprintf("Consent the app %q in %s through Partner Center, so that your tools can use it there with your technicians' access.", env.App.Name, who)
		if cc.Status == appreg.NeedsRenewal {
			what = cc.Sentence
		}
		st.Fixes = append(st.Fixes, Fix{ID: "consent/" + key(c), Kind: ConsentApp, Customer: c, Consent: cc, Templates: req.Access.Templates, What: what + ownApps(req.Access)})
		st.set(StepConsent, ToDo, fmt.Sprintf("Onboard365 consents the app %q in %s.", env.App.Name, who))
	}
	switch {
	case len(st.Fixes) == 0 && st.Step(StepGroups).Status != Failed && st.Step(StepGroups).Status != Waiting && st.Step(StepConsent).Status != Waiting:
		st.Ready = true
		st.set(StepVerify, ToDo, fmt.Sprintf("Onboard365 gets a token for %s through GDAP and reads what the template's roles allow.", who))
	default:
		st.set(StepVerify, Waiting, "After the changes above.")
	}
}

// ownApps says which chosen integrations sign in with an app of their own, consented from the
// integration itself.
func ownApps(a Access) string {
	var own []string
	for _, in := range permissions.Integrations() {
		if in.OwnApp && contains(a.Templates, in.Profile) {
			own = append(own, in.Name)
		}
	}
	if len(own) == 0 {
		return ""
	}
	return fmt.Sprintf(" %s signs in with an app of its own: consent it in the setup of %s itself.", words.JoinAnd(own), words.JoinAnd(own))
}

func verdictFor(inv gdap.Inventory, p roles.Profile, c Customer, now time.Time) (gdap.Verdict, bool) {
	for _, v := range gdap.Evaluate(inv, p, now) {
		if strings.EqualFold(v.Customer.TenantID, c.TenantID) {
			return v, true
		}
	}
	return gdap.Verdict{}, false
}

func pendingAssignments(inv gdap.Inventory, c Customer) bool {
	for _, ra := range inv.Relationships {
		if !strings.EqualFold(ra.Relationship.Customer.TenantID, c.TenantID) {
			continue
		}
		for _, a := range ra.Assignments {
			if strings.EqualFold(a.Status, "pending") {
				return true
			}
		}
	}
	return false
}

func roleNames(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = roles.Name(id)
	}
	return words.JoinAnd(names)
}

func durationWords(d string) string {
	if strings.EqualFold(d, "P730D") {
		return "730 days"
	}
	if n := strings.TrimSuffix(strings.TrimPrefix(strings.ToUpper(d), "P"), "D"); n != "" && n != strings.ToUpper(d) {
		return n + " days"
	}
	return d
}

func extendWords(f gdap.Fix) string {
	if strings.EqualFold(f.AutoExtendDuration, "PT0S") {
		return "It includes Global Administrator, so Microsoft does not let it extend automatically."
	}
	return "It extends automatically by 180 days."
}
