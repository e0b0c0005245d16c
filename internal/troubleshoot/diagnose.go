package troubleshoot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
	kit "github.com/onboard365/onboard365/internal/words"
)

// TenantGraph gives a Microsoft Graph client for a tenant with the technician's sign-in: a
// customer's by tenant id (through GDAP), or the partner's own for "". Tokens are fetched on the
// first request, so a refusal shows up as that request's error.
type TenantGraph func(ctx context.Context, tenantID string) (*graph.Client, error)

// Options choose what Diagnose checks.
type Options struct {
	// SignIn is what the technician's sign-in says (auth.ParseClaims of a partner token). Its
	// tenant (Tid) is the partner tenant; it is required.
	SignIn auth.Claims
	// Profile is the integration's role profile, for the GDAP verdict; zero means Liongard's.
	Profile roles.Profile
	// Customers limits the check to these customers, by tenant id or name; empty means all.
	Customers []string
	// ServiceAccount is the integration's own account in the partner tenant (a UPN), checked for
	// risk besides the technician; "" when the user names none.
	ServiceAccount string
	// Admins are sign-ins of customers' own administrators, by tenant id: for a customer whose
	// policy blocks every technician, the checks read (and the fixes change) it with these.
	Admins map[string]*graph.Client
	// Concurrency is how many customers are checked at once; 0 means 32. Each has at most two
	// requests in flight, to its own tenant (Graph throttles per tenant), after its token.
	Concurrency int
	// Progress, when set, is told how many customers are done, from the checking goroutines one
	// call at a time.
	Progress func(done, total int)
	// Now is the time of the check; zero means time.Now().
	Now time.Time
	// Inventory, when set, is the partner's GDAP relationships as read already (the health check
	// reads them once for every part it judges); nil: Diagnose reads them.
	Inventory *gdap.Inventory
}

// Diagnosis is the outcome of Diagnose.
type Diagnosis struct {
	CheckedAt       time.Time
	PartnerTenantID string
	Partner         Checklist   // the partner tenant's checks
	Customers       []Checklist // one per customer, worst first, then by name
	Fixes           []Fix       // every fix the checks found, the partner's first, then in the customers' order
}

// Summary counts the customers of a diagnosis by status.
func (d Diagnosis) Summary() plan.Summary {
	var s plan.Summary
	for _, l := range d.Customers {
		s.Add(l.Status)
	}
	return s
}

// Fix returns the fix with the id, and whether there is one.
func (d Diagnosis) Fix(id string) (Fix, bool) {
	for _, f := range d.Fixes {
		if f.ID == id {
			return f, true
		}
	}
	return Fix{}, false
}

// ErrNoSuchCustomer is wrapped by Diagnose when Options.Customers names a customer that none of
// the partner's GDAP relationships is with.
var ErrNoSuchCustomer = errors.New("no such customer")

// Diagnose runs every check: the partner tenant's, then each customer's, several customers at
// once. It reads the partner's GDAP relationships first (internal/gdap) to know the customers and
// the technician's roles there; it fails only when those cannot be read, or when Options name a
// customer there is none of. Any other trouble is a check that could not run, with its reason.
// It changes nothing.
func Diagnose(ctx context.Context, tenants TenantGraph, opts Options) (Diagnosis, error) {
	partnerID := strings.TrimSpace(opts.SignIn.Tid)
	if partnerID == "" {
		return Diagnosis{}, errors.New("Onboard365 cannot tell which partner tenant you are signed in to: sign in again")
	}
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	profile := opts.Profile
	if profile.Name == "" {
		profile, _ = roles.Find(roles.ProfileLiongard)
	}
	pc, err := tenants(ctx, "")
	if err != nil {
		return Diagnosis{}, err
	}
	var inv gdap.Inventory
	if opts.Inventory != nil {
		inv = *opts.Inventory
	} else if inv, err = gdap.Read(ctx, pc, nil); err != nil {
		return Diagnosis{}, fmt.Errorf("reading your GDAP relationships, which name your customers: %w", err)
	}
	customers, err := choose(inv.Customers(), opts.Customers)
	if err != nil {
		return Diagnosis{}, err
	}
	verdicts := map[string]*gdap.Verdict{}
	for _, v := range gdap.Evaluate(inv, profile, now) {
		v := v
		verdicts[strings.ToLower(v.Customer.TenantID)] = &v
	}

	// The partner tenant's reads run beside the customers'.
	var partner *partnerReads
	partnerDone := make(chan struct{})
	go func() {
		defer close(partnerDone)
		partner = readPartner(ctx, pc, opts.ServiceAccount)
	}()

	results := make([]customerResult, len(customers))
	workers := opts.Concurrency
	if workers <= 0 {
		workers = 32
	}
	var (
		mu   sync.Mutex
		done int
		wg   sync.WaitGroup
		next = make(chan int)
	)
	if opts.Progress != nil {
		opts.Progress(0, len(customers))
	}
	for w := 0; w < min(workers, max(len(customers), 1)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := customers[i]
				key := strings.ToLower(c.TenantID)
				results[i] = checkCustomer(ctx, tenants, customerInput{
					c: Customer{TenantID: c.TenantID, Name: c.Name}, partner: partnerID, verdict: verdicts[key],
					held: heldRoles(inv, c.TenantID), admin: opts.Admins[key],
				})
				if opts.Progress != nil {
					mu.Lock()
					done++
					opts.Progress(done, len(customers))
					mu.Unlock()
				}
			}
		}()
	}
	for i := range customers {
		next <- i
	}
	close(next)
	wg.Wait()
	<-partnerDone

	facts := partnerFacts{tenantID: partnerID, service: opts.ServiceAccount, claims: opts.SignIn, groupNames: map[string]string{},
		techGroups: map[string]bool{}}
	if inv.TechnicianErr == nil && inv.Technician.ID != "" {
		facts.haveTechnician = true
		facts.technician = person{ID: inv.Technician.ID, UserPrincipalName: inv.Technician.UserPrincipalName, DisplayName: inv.Technician.DisplayName}
		for g, in := range inv.TechnicianGroups {
			facts.techGroups[g] = in
		}
	} else {
		facts.technician = person{UserPrincipalName: opts.SignIn.Upn, DisplayName: opts.SignIn.Name}
	}
	for id, g := range inv.Groups {
		facts.groupNames[id] = g.DisplayName
	}
	if g, ok := inv.GroupByName("AdminAgents"); ok {
		facts.adminAgents = g.ID
	}
	for i, r := range results {
		if r.refusedCode == "530034" || r.refusedCode == "53011" {
			facts.refused = append(facts.refused, customers[i].Name)
		}
	}
	d := Diagnosis{CheckedAt: now, PartnerTenantID: partnerID}
	var partnerFixes []Fix
	d.Partner, partnerFixes = partnerChecklist(ctx, partner, facts)
	d.Fixes = append(d.Fixes, partnerFixes...)
	for _, r := range results {
		d.Customers = append(d.Customers, r.list)
	}
	SortChecklists(d.Customers)
	byTenant := map[string][]Fix{}
	for _, r := range results {
		if len(r.fixes) > 0 {
			byTenant[strings.ToLower(r.list.Customer.TenantID)] = r.fixes
		}
	}
	for _, l := range d.Customers {
		d.Fixes = append(d.Fixes, byTenant[strings.ToLower(l.Customer.TenantID)]...)
	}
	return d, nil
}

// choose picks the customers named by tenant id or name (any letter case, as it came or cleaned
// as the window and the command line show it); none named means all.
func choose(all []gdap.Customer, named []string) ([]gdap.Customer, error) {
	if len(named) == 0 {
		return all, nil
	}
	var out []gdap.Customer
	seen := map[string]bool{}
	for _, n := range named {
		n = strings.TrimSpace(n)
		found := false
		for _, c := range all {
			if strings.EqualFold(c.TenantID, n) || strings.EqualFold(strings.TrimSpace(c.Name), n) || strings.EqualFold(strings.TrimSpace(kit.Clean(c.Name)), n) {
				found = true
				if !seen[strings.ToLower(c.TenantID)] {
					seen[strings.ToLower(c.TenantID)] = true
					out = append(out, c)
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("%w: none of your GDAP relationships is with a customer whose tenant id or name is %s", ErrNoSuchCustomer, quote(n))
		}
	}
	return out, nil
}
