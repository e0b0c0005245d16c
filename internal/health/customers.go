package health

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/words"
)

// Tenant is a customer tenant a verdict is about.
type Tenant struct {
	ID   string
	Name string
}

// Finding is one part of one customer's verdict.
type Finding struct {
	Tenant Tenant
	Part   Part
}

// CustomerCheck judges one part of every customer's verdict. The built-in ones are the wizards'
// own checks (FromGDAP, FromTroubleshoot, FromConsent); another package adds a part by being one
// (onboarding's invitations waiting, its verify step).
type CustomerCheck interface {
	// Kind is the part it judges.
	Kind() Kind
	// Check judges the customers. It may leave out a customer it has nothing to say about, and
	// name one that is not in the list (an invited customer that is not one yet): that customer
	// is added. An error means it could not check any of them; each customer then has the part
	// as could not check, with the error's sentence.
	Check(ctx context.Context, customers []Tenant) ([]Finding, error)
}

// Customers runs every check (all at once) for the customers and gives each customer its
// verdict: its parts in the order of the checks, and the worst of them as its status; worst
// first, then by name. Two findings of the same part for one customer become one, the worse of
// the two (their sentences joined when they are as bad).
func Customers(ctx context.Context, tenants []Tenant, checks ...CustomerCheck) []Customer {
	results := make([][]Finding, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			found, err := c.Check(ctx, tenants)
			if err != nil {
				found = couldNot(c.Kind(), tenants, err)
			}
			for j := range found {
				if found[j].Part.Check == "" {
					found[j].Part.Check = c.Kind()
				}
			}
			results[i] = found
		}()
	}
	wg.Wait()

	var out []Customer
	index := map[string]int{}
	add := func(t Tenant) int {
		key := strings.ToLower(strings.TrimSpace(t.ID))
		if i, ok := index[key]; ok {
			if out[i].Name == "" {
				out[i].Name = t.Name
			}
			return i
		}
		index[key] = len(out)
		out = append(out, Customer{TenantID: t.ID, Name: t.Name})
		return len(out) - 1
	}
	for _, t := range tenants {
		add(t)
	}
	for _, found := range results {
		for _, f := range found {
			if strings.TrimSpace(f.Tenant.ID) == "" {
				continue
			}
			i := add(f.Tenant)
			out[i].Checks = merge(out[i].Checks, tidy(f.Part))
		}
	}
	for i := range out {
		out[i].Status = worstOf(out[i].Checks)
		if len(out[i].Checks) == 0 {
			out[i].Status = plan.CouldNotCheck
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].Status.Rank(), out[j].Status.Rank(); a != b {
			return a < b
		}
		if a, b := strings.ToLower(label(out[i].Name, out[i].TenantID)), strings.ToLower(label(out[j].Name, out[j].TenantID)); a != b {
			return a < b
		}
		return out[i].TenantID < out[j].TenantID
	})
	return words.Cleaned(out)
}

// couldNot is the part of kind as could not check, for every customer, with err's sentence.
func couldNot(k Kind, tenants []Tenant, err error) []Finding {
	why := explain.Sentence(err)
	out := make([]Finding, len(tenants))
	for i, t := range tenants {
		out[i] = Finding{Tenant: t, Part: Part{Check: k, Status: plan.CouldNotCheck,
			Sentence: "Onboard365 could not check the " + strings.ToLower(k.Title()) + " of " + label(t.Name, t.ID) + ". " + why}}
	}
	return out
}

// tidy fills a part's title and makes its status one of plan's.
func tidy(p Part) Part {
	if p.Title == "" {
		p.Title = p.Check.Title()
	}
	switch p.Status {
	case plan.Pass, plan.Warning, plan.Fail, plan.CouldNotCheck:
	default:
		p.Status = plan.CouldNotCheck
	}
	return p
}

// merge adds p to parts, joining it with a part of the same kind.
func merge(parts []Part, p Part) []Part {
	for i, q := range parts {
		if q.Check != p.Check {
			continue
		}
		switch {
		case p.Status.Rank() < q.Status.Rank():
			parts[i] = p
		case p.Status == q.Status && p.Sentence != "" && !strings.Contains(q.Sentence, p.Sentence):
			parts[i].Sentence = strings.TrimSpace(q.Sentence + " " + p.Sentence)
			if parts[i].Fix == FixNone {
				parts[i].Fix = p.Fix
			}
			if p.Stage > parts[i].Stage {
				parts[i].Stage = p.Stage
			}
		}
		return parts
	}
	return append(parts, p)
}

// stableSortByStatus puts the worst problems first, keeping their order otherwise.
func stableSortByStatus(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Status.Rank() < ps[j].Status.Rank() })
}

// given is a CustomerCheck over findings made already (the wizards' checks, read together).
type given struct {
	kind  Kind
	judge func(t Tenant) (Part, bool)
	err   error
}

func (g given) Kind() Kind { return g.kind }

func (g given) Check(_ context.Context, tenants []Tenant) ([]Finding, error) {
	if g.err != nil {
		return nil, g.err
	}
	var out []Finding
	for _, t := range tenants {
		if p, ok := g.judge(t); ok {
			p.Check = g.kind
			out = append(out, Finding{Tenant: t, Part: p})
		}
	}
	return out, nil
}

func key(id string) string { return strings.ToLower(strings.TrimSpace(id)) }
