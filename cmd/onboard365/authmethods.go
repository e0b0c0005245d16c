package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/ui"
)

// authService gives the "Authenticator default method" page (ui.Authenticator) internal/authmethods,
// with internal/gdap for the customers and the technician's roles in each. It remembers the last
// list of users, so that the plan and the changes are about what the person saw.
type authService struct {
	// tenant gives a Graph client for a tenant: a customer's by id, or the partner's own for "".
	tenant func(ctx context.Context, tenantID string) (*graph.Client, error)

	mu       sync.Mutex
	inv      *gdap.Inventory // the partner's relationships and the technician's groups
	names    map[string]string
	tenantID string
	name     string
	access   authmethods.Access
	findings []authmethods.Finding
}

// partnerName is how the partner's own tenant is named in the list and in sentences.
const partnerName = "Your partner tenant"

func newAuthService(tenant func(ctx context.Context, tenantID string) (*graph.Client, error)) *authService {
	return &authService{tenant: tenant}
}

// inventory reads the partner's GDAP relationships once; Tenants reads them again.
func (a *authService) inventory(ctx context.Context, fresh bool) (gdap.Inventory, error) {
	a.mu.Lock()
	inv := a.inv
	a.mu.Unlock()
	if inv != nil && !fresh {
		return *inv, nil
	}
	c, err := a.tenant(ctx, "")
	if err != nil {
		return gdap.Inventory{}, err
	}
	read, err := gdap.Read(ctx, c, nil)
	if err != nil {
		return gdap.Inventory{}, err
	}
	names := map[string]string{"": partnerName}
	for _, cu := range read.Customers() {
		names[cu.TenantID] = customerName(cu)
	}
	a.mu.Lock()
	a.inv, a.names = &read, names
	a.mu.Unlock()
	return read, nil
}

func customerName(c gdap.Customer) string {
	if c.Name != "" {
		return c.Name
	}
	return c.TenantID
}

func (a *authService) Tenants(ctx context.Context) ([]ui.Tenant, error) {
	inv, err := a.inventory(ctx, true)
	if err != nil {
		return nil, err
	}
	out := []ui.Tenant{{ID: "", Name: partnerName}}
	for _, c := range inv.Customers() {
		out = append(out, ui.Tenant{ID: c.TenantID, Name: customerName(c)})
	}
	return out, nil
}

// accessIn is the technician's access in a tenant, and the tenant's name.
func (a *authService) accessIn(ctx context.Context, tenantID string) (authmethods.Access, string, error) {
	if tenantID == "" {
		return authmethods.PartnerAccess(), partnerName, nil
	}
	inv, err := a.inventory(ctx, false)
	if err != nil {
		return authmethods.Access{}, "", err
	}
	a.mu.Lock()
	name, ok := a.names[tenantID]
	a.mu.Unlock()
	if !ok {
		name = tenantID
	}
	return authmethods.AccessFrom(inv, tenantID), name, nil
}

func (a *authService) Check(ctx context.Context, tenantID string) (ui.AccessCheck, error) {
	access, name, err := a.accessIn(ctx, tenantID)
	if err != nil {
		return ui.AccessCheck{}, err
	}
	c, err := a.tenant(ctx, tenantID)
	if err != nil {
		return ui.AccessCheck{}, err
	}
	ch := authmethods.Precheck(ctx, c, tenantName(name), access)
	return ui.AccessCheck{OK: ch.OK(), Stops: ch.Stops, Notes: ch.Notes, NeedsGDAP: ch.NeedsGDAP}, nil
}

// tenantName is the tenant's name as sentences say it.
func tenantName(name string) string {
	if name == partnerName {
		return "your partner tenant"
	}
	return name
}

// start remembers which tenant the next list is for.
func (a *authService) start(ctx context.Context, tenantID string) (*graph.Client, authmethods.Access, error) {
	access, name, err := a.accessIn(ctx, tenantID)
	if err != nil {
		return nil, access, err
	}
	c, err := a.tenant(ctx, tenantID)
	if err != nil {
		return nil, access, err
	}
	a.mu.Lock()
	a.tenantID, a.name, a.access, a.findings = tenantID, name, access, nil
	a.mu.Unlock()
	return c, access, nil
}

func (a *authService) ReadUsers(ctx context.Context, tenantID string, progress func(read int)) (ui.UserList, error) {
	c, access, err := a.start(ctx, tenantID)
	if err != nil {
		return ui.UserList{}, err
	}
	regs, err := authmethods.Read(ctx, c, progress)
	if err != nil {
		return ui.UserList{}, err
	}
	found := authmethods.ClassifyAll(regs, access)
	a.keep(found)
	return userList(found, nil), nil
}

func (a *authService) FindUsers(ctx context.Context, tenantID, text string) (ui.UserList, error) {
	upns, notNames := authmethods.ParseUPNs(text)
	if len(upns) == 0 {
		return ui.UserList{}, errors.New("there is no sign-in name in what you typed; type one such as pat@contoso.com, one per line")
	}
	c, access, err := a.start(ctx, tenantID)
	if err != nil {
		return ui.UserList{}, err
	}
	lookups, err := authmethods.Find(ctx, c, upns)
	if err != nil {
		return ui.UserList{}, err
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
		found = append(found, authmethods.ClassifyLookup(l, access))
	}
	a.keep(found)
	return userList(found, problems), nil
}

func (a *authService) keep(found []authmethods.Finding) {
	a.mu.Lock()
	a.findings = found
	a.mu.Unlock()
}

// userList is what the page shows of the findings.
func userList(found []authmethods.Finding, problems []string) ui.UserList {
	l := ui.UserList{Problems: problems}
	count := authmethods.Count(found)
	for _, cat := range authmethods.Categories() {
		l.Groups = append(l.Groups, ui.GroupCount{Group: cat.Words(), Count: count[cat]})
	}
	for _, f := range found {
		l.Users = append(l.Users, ui.UserRow{
			ID: f.User.ID, Name: f.User.Name(), UPN: f.User.UserPrincipalName, Group: f.Category.Words(),
			Fine: f.Category == authmethods.Fine, Sentence: f.Sentence, Admin: f.Admin, CanFix: f.CanFix, Ticked: f.Ticked,
			NeedsSetUp: f.Category == authmethods.NoAuthenticator || f.Category == authmethods.NoMethods,
		})
	}
	return l
}

func chosenSet(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func (a *authService) Plan(ids []string) []ui.PlannedChange {
	a.mu.Lock()
	plan := authmethods.Plan(a.findings, chosenSet(ids))
	a.mu.Unlock()
	out := make([]ui.PlannedChange, len(plan))
	for i, ch := range plan {
		out[i] = ui.PlannedChange{UserID: ch.UserID, What: ch.Reason}
	}
	return out
}

func (a *authService) Apply(ctx context.Context, ids []string, progress func(done, total int)) []ui.ChangeOutcome {
	a.mu.Lock()
	plan := authmethods.Plan(a.findings, chosenSet(ids))
	tenantID := a.tenantID
	a.mu.Unlock()
	c, err := a.tenant(ctx, tenantID)
	if err != nil {
		out := make([]ui.ChangeOutcome, len(plan))
		for i, ch := range plan {
			out[i] = ui.ChangeOutcome{UserID: ch.UserID, Name: ch.Name, Sentence: "Not changed: " + authmethods.Describe(err)}
		}
		return out
	}
	results := authmethods.Apply(ctx, c, plan, progress)
	out := make([]ui.ChangeOutcome, len(results))
	for i, r := range results {
		out[i] = ui.ChangeOutcome{UserID: r.Change.UserID, Name: r.Change.Name, Done: r.Done, NowPush: r.Now == "push", Sentence: r.Sentence}
	}
	return out
}

func (a *authService) Instructions() string {
	a.mu.Lock()
	name := a.name
	a.mu.Unlock()
	return authmethods.Instructions(orgName(name))
}

func (a *authService) ExportInstructions(w io.Writer) error {
	a.mu.Lock()
	name, people := a.name, authmethods.NeedInstructions(a.findings)
	a.mu.Unlock()
	return authmethods.WriteInstructions(w, orgName(name), people)
}

// orgName is the organisation the instructions speak of: "your work account" reads better than
// "your Your partner tenant account".
func orgName(name string) string {
	if name == partnerName || strings.TrimSpace(name) == "" {
		return "work"
	}
	return name
}
