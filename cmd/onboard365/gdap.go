package main

import (
	"context"
	"fmt"
	"github.com/onboard365/onboard365/internal/plan"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/ui"
)

// gdapService gives the GDAP relationships page (ui.GDAP) internal/gdap and internal/roles, on
// the signed-in technician's partner tenant. It remembers the last check, so that the plan, the
// fixes and the export are about what the person saw.
type gdapService struct {
	partner func(ctx context.Context) (*graph.Client, error)
	now     func() time.Time    // nil: time.Now
	store   *roles.ProfileStore // the user's own profiles; nil means none can be kept

	mu       sync.Mutex
	profile  roles.Profile
	inv      gdap.Inventory
	verdicts []gdap.Verdict
	fixes    []gdap.Fix
}

// profiles are the built-in profiles and then the user's own.
func (g *gdapService) profiles() []roles.Profile {
	all := roles.BuiltIn()
	if g.store != nil {
		if mine, err := g.store.Load(); err == nil {
			all = append(all, mine...)
		}
	}
	return all
}

func (g *gdapService) Profiles() []ui.Profile {
	var out []ui.Profile
	for _, p := range g.profiles() {
		names := make([]string, len(p.Roles))
		for i, id := range p.Roles {
			names[i] = roles.Name(id)
		}
		out = append(out, ui.Profile{Name: p.Name, Description: p.Description, Roles: names})
	}
	return out
}

func (g *gdapService) Check(ctx context.Context, name string, progress func(done, total int)) ([]ui.CustomerVerdict, error) {
	p, ok := roles.Lookup(g.profiles(), name)
	if !ok {
		return nil, fmt.Errorf("there is no role profile called %q", name)
	}
	c, err := g.partner(ctx)
	if err != nil {
		return nil, err
	}
	inv, err := gdap.Read(ctx, c, gdap.Progress(progress))
	if err != nil {
		return nil, err
	}
	verdicts := gdap.Evaluate(inv, p, g.clock())
	g.mu.Lock()
	g.profile, g.inv, g.verdicts, g.fixes = p, inv, verdicts, nil
	g.mu.Unlock()
	return uiVerdicts(verdicts), nil
}

func uiVerdicts(vs []gdap.Verdict) []ui.CustomerVerdict {
	out := make([]ui.CustomerVerdict, len(vs))
	for i, v := range vs {
		status := ui.StatusPass
		switch v.Status {
		case plan.Fail:
			status = ui.StatusFail
		case plan.CouldNotCheck:
			status = ui.StatusCouldNotCheck
		case plan.Warning:
			status = ui.StatusWarning
		}
		cv := ui.CustomerVerdict{Customer: v.Customer.Name, Status: status, Sentence: v.Sentence}
		if cv.Customer == "" {
			cv.Customer = v.Customer.TenantID
		}
		for _, pr := range v.Problems {
			cv.Problems = append(cv.Problems, pr.Sentence)
		}
		out[i] = cv
	}
	return out
}

func (g *gdapService) Plan(_, groupPattern string) []ui.PlannedFix {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.fixes = gdap.Plan(g.verdicts, g.inv, g.profile, gdap.PlanOptions{GroupPattern: groupPattern})
	out := make([]ui.PlannedFix, len(g.fixes))
	for i, f := range g.fixes {
		out[i] = ui.PlannedFix{ID: f.ID, Customer: fixCustomer(f), What: f.Reason}
	}
	return out
}

func fixCustomer(f gdap.Fix) string {
	if f.Customer.Name != "" {
		return f.Customer.Name
	}
	return "Your partner tenant"
}

func (g *gdapService) Apply(ctx context.Context, ids []string, progress func(done, total int)) []ui.FixOutcome {
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	g.mu.Lock()
	var chosen []gdap.Fix
	for _, f := range g.fixes {
		if want[f.ID] {
			chosen = append(chosen, f)
		}
	}
	g.mu.Unlock()
	c, err := g.partner(ctx)
	if err != nil {
		out := make([]ui.FixOutcome, len(chosen))
		for i, f := range chosen {
			out[i] = ui.FixOutcome{ID: f.ID, Customer: fixCustomer(f), Sentence: "Not applied: " + err.Error() + "."}
		}
		return out
	}
	results := gdap.Apply(ctx, c, chosen, progress)
	out := make([]ui.FixOutcome, len(results))
	for i, r := range results {
		o := ui.FixOutcome{ID: r.Fix.ID, Customer: fixCustomer(r.Fix), Done: r.Done, ApprovalLink: r.ApprovalLink, MailText: r.MailText}
		switch {
		case r.Done && r.Note != "":
			o.Sentence = r.Note
		case r.Done:
			o.Sentence = "Done. " + r.Fix.Reason
		case r.Explanation != "":
			o.Sentence = r.Explanation
		default:
			o.Sentence = "Not applied. " + r.Fix.Reason
		}
		out[i] = o
	}
	return out
}

func (g *gdapService) Export(format string, w io.Writer) error {
	g.mu.Lock()
	verdicts := g.verdicts
	title := "GDAP check: " + g.profile.Name
	g.mu.Unlock()
	switch format {
	case "csv":
		return gdap.WriteCSV(w, verdicts)
	case "html":
		return gdap.WriteHTML(w, verdicts, title)
	}
	return fmt.Errorf("cannot export as %q", format)
}

func (g *gdapService) Roles() []ui.RoleChoice {
	var out []ui.RoleChoice
	for _, r := range roles.Catalog() {
		out = append(out, ui.RoleChoice{ID: r.ID, Name: r.Name, Allows: r.Allows, Risk: strings.ToLower(string(r.Risk))})
	}
	return out
}

// SaveProfile adds (or replaces) a profile of the user's own.
func (g *gdapService) SaveProfile(name string, roleIDs []string) error {
	if g.store == nil {
		return fmt.Errorf("profiles of your own cannot be kept on this computer: no settings folder was found")
	}
	if name == "" {
		return fmt.Errorf("give the profile a name")
	}
	if len(roleIDs) == 0 {
		return fmt.Errorf("tick at least one role for the profile")
	}
	mine, err := g.store.Load()
	if err != nil {
		return err
	}
	p := roles.Profile{Name: name, Description: "Your own profile.", Roles: roleIDs}
	kept := mine[:0]
	for _, m := range mine {
		if m.Name != name {
			kept = append(kept, m)
		}
	}
	return g.store.Save(append(kept, p))
}

func (g *gdapService) clock() time.Time {
	if g.now == nil {
		return time.Now()
	}
	return g.now()
}
