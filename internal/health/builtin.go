package health

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/troubleshoot"
	"github.com/onboard365/onboard365/internal/words"
)

// The built-in parts: each a wizard's own check, split into the parts of a verdict and given the
// wizard that fixes it.

// roleKinds are the GDAP problems about roles; the others are about a relationship's end and
// about relationships waiting for the customer.
var roleKinds = map[gdap.ProblemKind]bool{
	gdap.NoActiveRelationship: true, gdap.MissingRoles: true, gdap.UnboundRoles: true,
	gdap.TechnicianNotInGroup: true, gdap.RequiredGroupMissing: true, gdap.CouldNotRead: true,
}

// FromGDAP are three parts from the GDAP relationships wizard's verdicts (gdap.Evaluate for the
// template), read from inv: GDAP roles, relationship end and invitations waiting. A customer
// the verdicts do not name has no GDAP relationship at all. err is why the relationships could
// not be read (then every customer's three parts could not be checked).
func FromGDAP(inv gdap.Inventory, verdicts []gdap.Verdict, template string, err error) []CustomerCheck {
	byTenant := map[string]gdap.Verdict{}
	for _, v := range verdicts {
		byTenant[key(v.Customer.TenantID)] = v
	}
	active := map[string]bool{}
	for _, ra := range inv.Relationships {
		if s := strings.ToLower(ra.Relationship.Status); s == "active" || s == "expiring" {
			active[key(ra.Relationship.Customer.TenantID)] = true
		}
	}
	problems := func(t Tenant, want func(gdap.ProblemKind) bool) (gdap.Verdict, []gdap.Problem, bool) {
		v, ok := byTenant[key(t.ID)]
		var out []gdap.Problem
		for _, p := range v.Problems {
			if want(p.Kind) {
				out = append(out, p)
			}
		}
		return v, out, ok
	}
	isRole := func(k gdap.ProblemKind) bool { return roleKinds[k] }
	roles := given{kind: GDAPRoles, err: err, judge: func(t Tenant) (Part, bool) {
		name := label(t.Name, t.ID)
		_, ps, ok := problems(t, isRole)
		switch {
		case !ok:
			return Part{Status: plan.Fail, Fix: FixOnboard,
				Sentence: name + ": you have no GDAP relationship with this customer, so your technicians cannot manage it. Ask the customer to approve a GDAP relationship."}, true
		case len(ps) > 0:
			return Part{Status: worstProblem(ps), Fix: FixGDAP, Sentence: sentences(ps)}, true
		case !active[key(t.ID)]:
			return Part{Status: plan.Warning, Fix: FixGDAP,
				Sentence: name + ": no relationship is active yet; the roles of " + words.Name(template) + " come with the one that waits for the customer (see Invitations waiting)."}, true
		}
		return Part{Status: plan.Pass, Fix: FixGDAP,
			Sentence: name + ": every role " + words.Name(template) + " needs is granted and assigned to a group you are in."}, true
	}}
	ending := given{kind: RelationshipEnd, err: err, judge: func(t Tenant) (Part, bool) {
		name := label(t.Name, t.ID)
		_, ps, ok := problems(t, func(k gdap.ProblemKind) bool { return k == gdap.Expiring || k == gdap.GlobalAdminAutoExtend })
		switch {
		case !ok:
			return Part{}, false
		case len(ps) > 0:
			stage := ""
			for _, p := range ps {
				if p.Kind == gdap.Expiring {
					stage = laterStage(stage, daysStage(p.Days))
				}
			}
			return Part{Status: plan.Warning, Fix: FixGDAP, Stage: stage, Sentence: sentences(ps)}, true
		case !active[key(t.ID)]:
			return Part{Status: plan.Pass, Fix: FixGDAP, Sentence: name + ": no active relationship is about to end, as none is active."}, true
		}
		return Part{Status: plan.Pass, Fix: FixGDAP, Sentence: name + ": no relationship ends within 30 days without extending itself."}, true
	}}
	waiting := given{kind: Invitations, err: err, judge: func(t Tenant) (Part, bool) {
		name := label(t.Name, t.ID)
		_, ps, ok := problems(t, func(k gdap.ProblemKind) bool { return k == gdap.ApprovalPending })
		switch {
		case !ok:
			return Part{}, false
		case len(ps) > 0:
			longest := 0
			for _, p := range ps {
				longest = max(longest, p.Days)
			}
			return Part{Status: plan.Warning, Fix: FixGDAP, Stage: ageStage(longest), Sentence: sentences(ps)}, true
		}
		return Part{Status: plan.Pass, Fix: FixGDAP, Sentence: name + ": no relationship waits for the customer to approve it."}, true
	}}
	return []CustomerCheck{roles, ending, waiting}
}

// FromTroubleshoot are three parts from the Troubleshoot wizard's checks of each customer:
// access (a token through GDAP), Conditional Access and Entra ID P1. err is why the diagnosis
// could not run. A part that does not pass says its evidence too (the policy that blocks).
//
// The licence check fails a customer without Entra ID P1; here that is a warning: the
// connection works without it, and the parts that need it (Conditional Access, the sign-in log)
// say so themselves.
func FromTroubleshoot(d troubleshoot.Diagnosis, err error) []CustomerCheck {
	byTenant := map[string]troubleshoot.Checklist{}
	for _, l := range d.Customers {
		byTenant[key(l.Customer.TenantID)] = l
	}
	part := func(k troubleshoot.Kind, fix Wizard) func(t Tenant) (Part, bool) {
		return func(t Tenant) (Part, bool) {
			c, ok := byTenant[key(t.ID)].Check(k)
			if !ok {
				return Part{}, false
			}
			p := Part{Status: c.Status, Sentence: withDetails(c), Fix: fix}
			if k == troubleshoot.EntraP1 && p.Status == plan.Fail {
				p.Status = plan.Warning
			}
			if k == troubleshoot.Access {
				p.Fix = accessFix(c.Sentence)
			}
			return p, true
		}
	}
	return []CustomerCheck{
		given{kind: Access, err: err, judge: part(troubleshoot.Access, FixTroubleshoot)},
		given{kind: ConditionalAccess, err: err, judge: part(troubleshoot.ConditionalAccess, FixTroubleshoot)},
		given{kind: EntraP1, err: err, judge: part(troubleshoot.EntraP1, FixNone)},
	}
}

// FromConsent is the consent part from the App registration wizard's check of each customer
// (appreg.ReadCustomers: a fresh token for the customer, and the permissions it carries). err is
// why the customers could not be listed.
func FromConsent(cs []appreg.Customer, err error) CustomerCheck {
	byTenant := map[string]appreg.Customer{}
	for _, c := range cs {
		byTenant[key(c.TenantID)] = c
	}
	return given{kind: Consent, err: err, judge: func(t Tenant) (Part, bool) {
		c, ok := byTenant[key(t.ID)]
		if !ok {
			return Part{Status: plan.CouldNotCheck, Fix: FixAppRegistration,
				Sentence: "Partner Center does not list " + label(t.Name, t.ID) + " among your customers, so the app's consent there cannot be checked."}, true
		}
		p := Part{Sentence: c.Sentence, Fix: FixAppRegistration}
		switch c.Status {
		case appreg.Consented:
			p.Status = plan.Pass
			p.Sentence += " A token for it redeems."
		case appreg.NeedsConsent:
			p.Status = plan.Fail
			p.Sentence += " Your tools get no token for it until the app is consented: open App registration and consent it."
		case appreg.NeedsRenewal:
			p.Status = plan.Warning
		default:
			// Why is the token's refusal, which the Access part names with the task that fixes it.
			p.Status, p.Fix = plan.CouldNotCheck, FixNone
		}
		return p, true
	}}
}

// Tenants are the customers a health check covers: those of the GDAP relationships and those
// Partner Center lists (a customer without any relationship is one too), once each, in that order.
func Tenants(gdapCustomers []gdap.Customer, pc []appreg.Customer) []Tenant {
	var out []Tenant
	seen := map[string]bool{}
	for _, c := range gdapCustomers {
		if k := key(c.TenantID); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, Tenant{ID: c.TenantID, Name: c.Name})
		}
	}
	for _, c := range pc {
		if k := key(c.TenantID); k != "" && !seen[k] {
			seen[k] = true
			out = append(out, Tenant{ID: c.TenantID, Name: c.Name})
		}
	}
	return out
}

// withDetails is a check's sentence, and for one that does not pass its first few lines of
// evidence (the policy and the clause that blocks, the admins an exclusion leaves out).
func withDetails(c troubleshoot.Check) string {
	s := strings.TrimSpace(c.Sentence)
	if c.Status == plan.Pass {
		return s
	}
	for i, d := range c.Details {
		if i == 3 {
			s += fmt.Sprintf(" (And %d more.)", len(c.Details)-3)
			break
		}
		s += " " + strings.TrimSpace(d)
	}
	return s
}

// accessFix is the task that fixes a refused token, from the code the Access check names:
// consent (AADSTS90099, 65001, 90094) in App registration, missing GDAP access (50020) in GDAP
// relationships, Conditional Access and a risky account in Troubleshoot.
func accessFix(sentence string) Wizard {
	m := aadsts.FindStringSubmatch(sentence)
	if m == nil {
		return FixTroubleshoot
	}
	switch m[1] {
	case "90099", "65001", "90094":
		return FixAppRegistration
	case "50020":
		return FixGDAP
	case "700082", "50173":
		return FixSignIn
	}
	return FixTroubleshoot
}

var aadsts = regexp.MustCompile(`AADSTS(\d{4,9})`)

func worstProblem(ps []gdap.Problem) plan.Status {
	st := plan.Pass
	for _, p := range ps {
		st = plan.Worst(st, p.Kind.Severity())
	}
	return st
}

func sentences(ps []gdap.Problem) string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, strings.TrimSpace(p.Sentence))
	}
	return strings.Join(out, " ")
}

// daysStage is the stage of something that ends in days: "30d", "7d" or "1d" (or "ended").
func daysStage(days int) string {
	switch {
	case days <= 0:
		return "ended"
	case days <= 1:
		return "1d"
	case days <= 7:
		return "7d"
	case days <= 30:
		return "30d"
	}
	return ""
}

// laterStage is the closer of two ending stages.
func laterStage(a, b string) string {
	order := map[string]int{"": 0, "30d": 1, "7d": 2, "1d": 3, "ended": 4}
	if order[b] > order[a] {
		return b
	}
	return a
}

// ageStage is the stage of something that has waited days: "" for under a week, "7d", "30d".
func ageStage(days int) string {
	switch {
	case days >= 30:
		return "30d"
	case days >= 7:
		return "7d"
	}
	return ""
}

// daysWords says when something ends: "today", "in 1 day", "in 12 days".
func daysWords(days int) string {
	if days <= 0 {
		return "today"
	}
	return fmt.Sprintf("in %s", words.Count(days, "day"))
}
