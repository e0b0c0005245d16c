package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/words"
)

// partnerName is how the partner's own tenant is named in lists and sentences.
const partnerName = "Your partner tenant"

// Authenticator finds the users of a tenant whose default MFA method is not a Microsoft
// Authenticator notification, and switches the chosen ones: the "Authenticator default method"
// wizard and `onboard365 check authenticator`. It uses internal/gdap for the customers and the
// technician's roles in each.
type Authenticator struct {
	a *Account // the sign-in, and the audit trail the changes are recorded in
	// tenant gives a Graph client for a tenant: a customer's by id, or the partner's own for "".
	tenant func(ctx context.Context, tenantID string) (*graph.Client, error)
}

// NewAuthenticator is the Authenticator task with an account's sign-in.
func NewAuthenticator(a *Account) *Authenticator { return &Authenticator{a: a, tenant: a.Graph} }

// Tenant is a tenant the wizard can work on, with the technician's access there.
type Tenant struct {
	ID   string // "" for the partner's own tenant
	Name string

	access authmethods.Access // the technician's GDAP roles there, read with the list
}

// accessHere is the technician's access in the tenant: in the partner's own, their own roles.
func (t Tenant) accessHere() authmethods.Access {
	if t.ID == "" {
		return authmethods.PartnerAccess()
	}
	return t.access
}

// said is the tenant's name as sentences say it.
func (t Tenant) said() string {
	if t.ID == "" || t.Name == partnerName {
		return "your partner tenant"
	}
	return t.Name
}

// AccessCheck is the outcome of the pre-checks.
type AccessCheck struct {
	OK        bool
	Stops     []string // why the wizard cannot go on, one sentence each
	Notes     []string // worth knowing, does not stop it
	NeedsGDAP bool     // a stop is about roles, which the GDAP relationships wizard fixes
}

// UserList is what reading the users of a tenant found.
type UserList struct {
	Users    []UserRow    // every user, the ones to switch first
	Groups   []GroupCount // how many users each group has, in the order they are shown
	Problems []string     // names that found nobody or could not be looked up, one sentence each

	tenant   Tenant
	findings []authmethods.Finding
}

// GroupCount is one group and how many users are in it.
type GroupCount struct {
	Group string
	Count int
}

// UserRow is one user.
type UserRow struct {
	ID, Name, UPN string
	Group         string // the group the user is in, in a few words
	Fine          bool   // the group of users who need nothing
	Sentence      string // why, and what can be done
	Admin         bool   // holds an admin role: marked, never ticked at first
	CanFix        bool   // may be ticked
	Ticked        bool   // ticked at first
	NeedsSetUp    bool   // must set up Authenticator themselves: the instructions are for them
}

// Tenants lists where the wizard can work: the partner's own tenant first (ID ""), then every
// customer the technician has a GDAP relationship with, each with the technician's roles there.
func (a *Authenticator) Tenants(ctx context.Context) ([]Tenant, error) {
	c, err := a.tenant(ctx, "")
	if err != nil {
		return nil, err
	}
	inv, err := gdap.Read(ctx, c, nil)
	if err != nil {
		return nil, err
	}
	out := []Tenant{{ID: "", Name: partnerName}}
	for _, cu := range inv.Customers() {
		out = append(out, Tenant{ID: cu.TenantID, Name: customerName(cu), access: authmethods.AccessFrom(inv, cu.TenantID)})
	}
	return words.Cleaned(out), nil
}

func customerName(c gdap.Customer) string {
	if c.Name != "" {
		return c.Name
	}
	return c.TenantID
}

// Check runs the pre-checks for one tenant: Entra ID P1, and roles to read and change.
func (a *Authenticator) Check(ctx context.Context, t Tenant) (AccessCheck, error) {
	c, err := a.tenant(ctx, t.ID)
	if err != nil {
		return AccessCheck{}, err
	}
	ch := authmethods.Precheck(ctx, c, t.said(), t.accessHere())
	return words.Cleaned(AccessCheck{OK: ch.OK(), Stops: ch.Stops, Notes: ch.Notes, NeedsGDAP: ch.NeedsGDAP}), nil
}

// ReadUsers reads every user's sign-in methods in the tenant and sorts them into groups.
func (a *Authenticator) ReadUsers(ctx context.Context, t Tenant, progress func(read int)) (UserList, error) {
	c, err := a.tenant(ctx, t.ID)
	if err != nil {
		return UserList{}, err
	}
	regs, err := authmethods.Read(ctx, c, progress)
	if err != nil {
		return UserList{}, err
	}
	return userList(t, authmethods.ClassifyAll(regs, t.accessHere()), nil), nil
}

// FindUsers looks up only the users named in text (sign-in names, one or several).
func (a *Authenticator) FindUsers(ctx context.Context, t Tenant, text string) (UserList, error) {
	upns, notNames := authmethods.ParseUPNs(text)
	if len(upns) == 0 {
		return UserList{}, errors.New("there is no sign-in name in what you typed; type one such as pat@contoso.com, one per line")
	}
	c, err := a.tenant(ctx, t.ID)
	if err != nil {
		return UserList{}, err
	}
	lookups, err := authmethods.Find(ctx, c, upns)
	if err != nil {
		return UserList{}, err
	}
	var problems []string
	for _, n := range notNames {
		problems = append(problems, fmt.Sprintf("%q is not a sign-in name: a sign-in name has an @, such as pat@contoso.com.", n))
	}
	var found []authmethods.Finding
	for _, l := range lookups {
		if l.Found == nil {
			problems = append(problems, l.Sentence())
			continue
		}
		found = append(found, authmethods.ClassifyLookup(l, t.accessHere()))
	}
	return userList(t, found, problems), nil
}

// userList is what the page shows of the findings.
func userList(t Tenant, found []authmethods.Finding, problems []string) UserList {
	l := UserList{Problems: problems, tenant: t, findings: found}
	count := authmethods.Count(found)
	for _, cat := range authmethods.Categories() {
		l.Groups = append(l.Groups, GroupCount{Group: cat.Words(), Count: count[cat]})
	}
	for _, f := range found {
		l.Users = append(l.Users, UserRow{
			ID: f.User.ID, Name: f.User.Name(), UPN: f.User.UserPrincipalName, Group: f.Category.Words(),
			Fine: f.Category == authmethods.Fine, Sentence: f.Sentence, Admin: f.Admin, CanFix: f.CanFix, Ticked: f.Ticked,
			NeedsSetUp: f.Category == authmethods.NoAuthenticator || f.Category == authmethods.NoMethods,
		})
	}
	return words.Cleaned(l)
}

// Plan is the change for each chosen user (by id) of a list, in the list's tenant.
func (a *Authenticator) Plan(list UserList, userIDs []string) plan.Plan {
	chosen := make(map[string]bool, len(userIDs))
	for _, id := range userIDs {
		chosen[id] = true
	}
	p := plan.Plan{Tenant: plan.Tenant{ID: list.tenant.ID, Name: list.tenant.Name}}
	for _, ch := range authmethods.Plan(list.findings, chosen) {
		p.Fixes = append(p.Fixes, plan.Fix{ID: ch.UserID, Who: ch.Name, What: ch.Reason, Safe: true, Change: ch})
	}
	return words.Cleaned(p)
}

// Apply makes the changes of a reviewed plan in its tenant, then reads each user again.
func (a *Authenticator) Apply(ctx context.Context, p plan.Plan, progress func(done, total int)) []plan.Outcome {
	changes, err := plan.Changes[authmethods.Change](p)
	var c *graph.Client
	if err == nil {
		c, err = a.tenant(ctx, p.Tenant.ID)
	}
	if err != nil {
		out := make([]plan.Outcome, len(p.Fixes))
		for i, f := range p.Fixes {
			out[i] = plan.Outcome{FixID: f.ID, Who: f.Who, Sentence: "Not changed: " + authmethods.Describe(err)}
		}
		return words.Cleaned(out)
	}
	results := authmethods.Apply(ctx, c, changes, progress)
	out := make([]plan.Outcome, len(results))
	for i, r := range results {
		out[i] = plan.Outcome{FixID: r.Change.UserID, Who: r.Change.Name, Done: r.Done, Verified: r.Now == "push", Sentence: r.Sentence}
	}
	return a.a.recordPlan(ctx, "authenticator", p, words.Cleaned(out))
}

// Instructions is the text that tells a user of the list's tenant how to set up Microsoft
// Authenticator.
func (a *Authenticator) Instructions(list UserList) string {
	return authmethods.Instructions(orgName(list.tenant.Name))
}

// ExportInstructions writes the instructions as a printable page for each user of the list who
// must set up Authenticator themselves.
func (a *Authenticator) ExportInstructions(list UserList, w io.Writer) error {
	return authmethods.WriteInstructions(w, orgName(list.tenant.Name), authmethods.NeedInstructions(list.findings))
}

// orgName is the organization the instructions speak of: "your work account" reads better than
// "your Your partner tenant account".
func orgName(name string) string {
	if name == partnerName || strings.TrimSpace(name) == "" {
		return "work"
	}
	return name
}

// Report runs the wizard's reads for one tenant named on the command line (a customer's name or
// tenant id, or "partner"), for `onboard365 check authenticator`; users, when not empty, names
// the only users to look up.
func (a *Authenticator) Report(ctx context.Context, customer, users string) (authmethods.Report, error) {
	tenants, err := a.Tenants(ctx)
	if err != nil {
		return authmethods.Report{}, err
	}
	var chosen *Tenant
	want := strings.TrimSpace(customer)
	for i, t := range tenants {
		if strings.EqualFold(t.Name, want) || (t.ID != "" && strings.EqualFold(t.ID, want)) || (t.ID == "" && strings.EqualFold(want, "partner")) {
			chosen = &tenants[i]
			break
		}
	}
	if chosen == nil {
		names := make([]string, 0, len(tenants))
		for _, t := range tenants[1:] {
			names = append(names, fmt.Sprintf("%q", t.Name))
		}
		return authmethods.Report{}, fmt.Errorf("you have no customer called %q. Your customers are %s; use --customer partner for your own tenant", want, strings.Join(names, ", "))
	}
	c, err := a.tenant(ctx, chosen.ID)
	if err != nil {
		return authmethods.Report{}, err
	}
	r := authmethods.NewReport(chosen.Name, time.Now().UTC(), authmethods.Precheck(ctx, c, chosen.said(), chosen.accessHere()))
	if !r.Check.OK {
		return words.Cleaned(r), nil
	}
	var list UserList
	if strings.TrimSpace(users) != "" {
		list, err = a.FindUsers(ctx, *chosen, users)
	} else {
		list, err = a.ReadUsers(ctx, *chosen, nil)
	}
	if err != nil {
		return r, err
	}
	r.AddUsers(list.findings, list.Problems)
	return words.Cleaned(r), nil
}
