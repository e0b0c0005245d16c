package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/onboard"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/words"
)

// GDAP checks every customer's GDAP relationships against a role profile and fixes what it can:
// the GDAP relationships wizard and `onboard365 check gdap`.
type GDAP struct {
	a       *Account // the sign-in, and the audit trail the fixes are recorded in
	partner func(ctx context.Context) (*graph.Client, error)
	now     func() time.Time
	store   *roles.ProfileStore // the user's own profiles; nil means none can be kept
	// Ledger, when set, keeps every relationship request the fixes send, as the onboarding
	// wizard keeps its own: the same list of invitations, resumed and renewed there.
	Ledger *onboard.Ledger
}

// NewGDAP is the GDAP task on an account's partner tenant.
func NewGDAP(a *Account) *GDAP {
	return &GDAP{a: a, partner: a.partnerGraph, now: a.now, store: defaultStore()}
}

// GDAPCovers says what a Pass of the GDAP check covers and what it does not (gdap.Covers).
const GDAPCovers = gdap.Covers

// GDAPRequest says what to check.
type GDAPRequest struct {
	Profile string // the role profile's name
	// GroupPattern names new groups, with "{role}" for the role's name; "" for "GDAP - {role}".
	GroupPattern string
}

// GDAPResult is one check: every customer's verdict and the plan that fixes what can be fixed.
type GDAPResult struct {
	Profile   string
	CheckedAt time.Time
	Verdicts  []GDAPVerdict // worst first, then by name
	Plan      plan.Plan     // in the partner tenant; every fix's Change is a gdap.Fix

	profile  roles.Profile
	verdicts []gdap.Verdict
}

// GDAPVerdict is the outcome for one customer.
type GDAPVerdict struct {
	Customer string
	TenantID string // the customer's tenant
	Status   plan.Status
	Sentence string   // what is wrong (or right), in plain words
	Problems []string // one sentence per problem
}

// Profiles lists the role profiles to check against, built-in and the user's own.
func (g *GDAP) Profiles() []Profile { return profileChoices(allProfiles(g.store)) }

// Roles lists the roles a profile of one's own can be built from.
func (g *GDAP) Roles() []RoleChoice { return roleChoices() }

// SaveProfile keeps a profile of the user's own in the app's settings (not secret).
func (g *GDAP) SaveProfile(name string, roleIDs []string) error {
	return saveProfile(g.store, name, roleIDs)
}

// Check reads every customer, judges it against the profile, and plans the fixes.
func (g *GDAP) Check(ctx context.Context, req GDAPRequest, progress func(done, total int)) (GDAPResult, error) {
	p, err := findProfile(g.store, req.Profile)
	if err != nil {
		return GDAPResult{}, err
	}
	c, err := g.partner(ctx)
	if err != nil {
		return GDAPResult{}, err
	}
	inv, err := gdap.Read(ctx, c, gdap.Progress(progress))
	if err != nil {
		return GDAPResult{}, err
	}
	verdicts := gdap.Evaluate(inv, p, g.now())
	r := GDAPResult{Profile: p.Name, CheckedAt: inv.ReadAt, profile: p, verdicts: verdicts}
	for _, v := range verdicts {
		gv := GDAPVerdict{Customer: v.Customer.Name, TenantID: v.Customer.TenantID, Status: v.Status, Sentence: v.Sentence}
		if gv.Customer == "" {
			gv.Customer = v.Customer.TenantID
		}
		for _, pr := range v.Problems {
			gv.Problems = append(gv.Problems, pr.Sentence)
		}
		r.Verdicts = append(r.Verdicts, gv)
	}
	r.Plan.Tenant = plan.Tenant{Name: partnerName}
	for _, f := range gdap.Plan(verdicts, inv, p, gdap.PlanOptions{GroupPattern: req.GroupPattern}) {
		r.Plan.Fixes = append(r.Plan.Fixes, plan.Fix{ID: f.ID, Who: fixCustomer(f), What: f.Reason, Safe: true, Change: f})
	}
	return words.Cleaned(r), nil
}

func fixCustomer(f gdap.Fix) string {
	if f.Customer.Name != "" {
		return f.Customer.Name
	}
	return partnerName
}

// Apply makes the fixes of a reviewed plan, one customer's failure never stopping the rest.
func (g *GDAP) Apply(ctx context.Context, p plan.Plan, progress func(done, total int)) []plan.Outcome {
	fixes, err := plan.Changes[gdap.Fix](p)
	if err == nil {
		var c *graph.Client
		if c, err = g.partner(ctx); err == nil {
			results := gdap.Apply(ctx, c, fixes, progress)
			out := g.a.recordPlan(ctx, "gdap", p, gdapOutcomes(results))
			g.keep(ctx, results, out)
			return out
		}
	}
	out := make([]plan.Outcome, len(p.Fixes))
	for i, f := range p.Fixes {
		out[i] = plan.Outcome{FixID: f.ID, Who: f.Who, Sentence: "Not applied: " + explain.Sentence(err)}
	}
	return words.Cleaned(out)
}

// keep records in the ledger every relationship request the fixes sent (for the onboarding
// wizard's list of invitations); an outcome says when its request could not be kept.
func (g *GDAP) keep(ctx context.Context, results []gdap.FixResult, out []plan.Outcome) {
	if g.Ledger == nil {
		return
	}
	for i, r := range results {
		if !r.Done || r.RelationshipID == "" || r.ApprovalLink == "" {
			continue
		}
		f := r.Fix
		if f.Kind != gdap.RequestNewRelationship && f.Fallback != nil {
			f = *f.Fallback
		}
		inv := onboard.Invitation{RelationshipID: r.RelationshipID, RelationshipName: f.RelationshipName,
			Customer: onboard.Customer{TenantID: f.Customer.TenantID, Name: f.Customer.Name}, Roles: f.Roles, Duration: f.Duration,
			ApprovalLink: r.ApprovalLink, Sent: g.now(), Phase: onboard.AwaitingApproval, Checked: g.now()}
		if f.Profile != "" {
			inv.Templates = []string{f.Profile}
		}
		if err := g.Ledger.Update(ctx, func(invs []onboard.Invitation) ([]onboard.Invitation, error) {
			for _, have := range invs {
				if strings.EqualFold(have.RelationshipID, inv.RelationshipID) {
					return invs, nil // known already (a request that waited, whose link was given again)
				}
			}
			return append(invs, inv), nil
		}); err != nil {
			out[i].Sentence += " It could not be kept in the list of invitations: " + words.Clean(err.Error())
		}
	}
}

func gdapOutcomes(results []gdap.FixResult) []plan.Outcome {
	out := make([]plan.Outcome, len(results))
	for i, r := range results {
		o := plan.Outcome{FixID: r.Fix.ID, Who: fixCustomer(r.Fix), Done: r.Done}
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
		if r.ApprovalLink != "" {
			o.ToCopy = append(o.ToCopy, plan.Text{Label: "Approval link for the customer's admin", Text: r.ApprovalLink})
		}
		if r.MailText != "" {
			o.ToCopy = append(o.ToCopy, plan.Text{Label: "A message you can send", Text: r.MailText})
		}
		out[i] = o
	}
	return words.Cleaned(out)
}

// Export writes a check as "table" (plain text columns), "json" (gdap.Report), "csv" or "html"
// (a printable page).
func (g *GDAP) Export(r GDAPResult, format string, w io.Writer) error {
	switch format {
	case "table":
		return gdap.WriteTable(w, r.profile, r.CheckedAt, r.verdicts)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(gdap.NewReport(r.Profile, r.CheckedAt, r.verdicts))
	case "csv":
		return gdap.WriteCSV(w, r.verdicts)
	case "html":
		return gdap.WriteHTML(w, r.verdicts, "GDAP check: "+r.Profile+", "+r.CheckedAt.UTC().Format("2 January 2006 15:04 UTC"))
	}
	return fmt.Errorf("cannot export as %q", format)
}

// Passes says whether every customer passes (or there are none).
func (r GDAPResult) Passes() bool {
	for _, v := range r.Verdicts {
		if v.Status != plan.Pass {
			return false
		}
	}
	return true
}
