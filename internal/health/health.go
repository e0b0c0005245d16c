// Package health gives one verdict per customer and one for the partner: the connection's health
// at a glance, for Home, `onboard365 check all` and the scheduled watch.
//
// It judges nothing of its own where a wizard already does: each part of a verdict is a wizard's
// domain check, read once and put side by side.
//
//   - GDAP roles, relationships ending soon and invitations waiting: internal/gdap's verdict for
//     the chosen role template (FromGDAP);
//   - access (a token through GDAP), Conditional Access and Entra ID P1: internal/troubleshoot's
//     checks (FromTroubleshoot);
//   - consent, present and working (a token redeems): internal/appreg's customer check
//     (FromConsent);
//   - for the partner: the kept sign-in and the app's secret from the keychain, MFA enforcement
//     and a risky technician from internal/troubleshoot, and whether a sign-in-frequency
//     Conditional Access policy will end the kept sign-in sooner (SignInFrequency) (JudgePartner).
//
// Each part of a customer's verdict comes from a CustomerCheck, a small interface: the built-in
// ones above, and any other that judges customers (onboarding's invitation ledger and its verify
// step plug in there: internal/app's Health.Extra). Customers puts them together.
//
//	checks := health.FromTroubleshoot(diagnosis, err)
//	checks = append(checks, health.FromConsent(consents, err))
//	checks = append(checks, health.FromGDAP(inv, gdap.Evaluate(inv, profile, now), profile.Name, err)...)
//	r := health.Report{CheckedAt: now, Template: profile.Name, Partner: health.JudgePartner(facts),
//		Customers: health.Customers(ctx, health.Tenants(inv.Customers(), consents), checks...)}
//	r.Count()
//
// Every part is pass, warning, fail or could not check (internal/plan's Status) with its
// sentence and the wizard that fixes it. Nothing in a Report is secret: it is kept on this
// computer (Save) so that Home shows the last result at once.
package health

import (
	"time"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/plan"
)

// Kind names one part of a verdict: the "check" of the JSON report, the same from one version to
// the next.
type Kind string

// The parts of a customer's verdict.
const (
	Access            Kind = "access"            // Microsoft gives the technician a token for the customer through GDAP
	GDAPRoles         Kind = "gdapRoles"         // the template's roles are granted and assigned to a group the technician is in
	Consent           Kind = "consent"           // the app is consented, and a token for the customer redeems
	ConditionalAccess Kind = "conditionalAccess" // no policy blocks the partner's service provider users
	EntraP1           Kind = "entraIdP1"         // Entra ID P1, which Conditional Access and its sign-in log need
	RelationshipEnd   Kind = "relationshipEnd"   // no relationship ends soon without extending itself
	Invitations       Kind = "invitations"       // no relationship (or invitation) waits for the customer
	Connection        Kind = "connection"        // an onboarded customer still reads through GDAP as the template grants (onboarding's verify)
)

// The parts of the partner's verdict.
const (
	KeptSignIn      Kind = "keptSignIn"      // the sign-in kept in the keychain lasts
	AppSecret       Kind = "appSecret"       // the app's client secret does not expire soon
	MFAEnforcement  Kind = "mfaEnforcement"  // MFA is enforced in the partner tenant
	RiskyTechnician Kind = "riskyTechnician" // the technician is not a risky user
)

// Title is a part's name, for a heading or a column. A kind this package does not know is its
// own title.
func (k Kind) Title() string {
	switch k {
	case Access:
		return "Access"
	case GDAPRoles:
		return "GDAP roles and groups"
	case Consent:
		return "Consent"
	case ConditionalAccess:
		return "Conditional Access"
	case EntraP1:
		return "Entra ID P1"
	case RelationshipEnd:
		return "Relationship end"
	case Invitations:
		return "Invitations waiting"
	case Connection:
		return "Verified connection"
	case KeptSignIn:
		return "Kept sign-in"
	case AppSecret:
		return "App secret"
	case MFAEnforcement:
		return "MFA enforcement"
	case RiskyTechnician:
		return "Risky technician"
	}
	return string(k)
}

// Wizard is the task that fixes a part, as the window's task list names it ("" when no task of
// the app fixes it, such as buying a licence).
type Wizard string

// The tasks that fix parts.
const (
	FixSignIn          Wizard = permissions.FeatureSignIn
	FixAppRegistration Wizard = permissions.FeatureAppReg
	FixGDAP            Wizard = permissions.FeatureGDAP
	FixTroubleshoot    Wizard = permissions.FeatureTroubleshoot
	FixSettings        Wizard = "Settings"
	FixOnboard         Wizard = "Onboard a customer"
	FixNone            Wizard = ""
)

// Part is one part of a verdict.
type Part struct {
	Check    Kind        `json:"check"`
	Title    string      `json:"title"`
	Status   plan.Status `json:"status"`
	Sentence string      `json:"sentence"`
	Fix      Wizard      `json:"fix"`
	// Stage is a step within a status worth telling again when it changes: "30d", "7d", "1d"
	// before a relationship or the secret ends. It never holds what changes every day.
	Stage string `json:"stage,omitempty"`
}

// Customer is one customer's verdict: the worst of its parts.
type Customer struct {
	TenantID string      `json:"tenantId"`
	Name     string      `json:"name"`
	Status   plan.Status `json:"status"`
	Checks   []Part      `json:"checks"`
}

// Check is the part of a kind, and whether the verdict has one.
func (c Customer) Check(k Kind) (Part, bool) { return find(c.Checks, k) }

// Partner is the partner tenant's verdict.
type Partner struct {
	TenantID   string      `json:"tenantId"`
	Technician string      `json:"technician"` // who is signed in
	Status     plan.Status `json:"status"`
	Checks     []Part      `json:"checks"`
	// SignIn and Secret are the dates behind the first two parts; nil when nothing is kept.
	SignIn *SignIn `json:"signIn,omitempty"`
	Secret *Secret `json:"secret,omitempty"`
}

// Check is the part of a kind, and whether the verdict has one.
func (p Partner) Check(k Kind) (Part, bool) { return find(p.Checks, k) }

// SignIn is what is known of the kept sign-in.
type SignIn struct {
	Renewed time.Time `json:"renewed"` // when its refresh token was last written to the keychain
	Ends    time.Time `json:"ends"`    // when 90 days of disuse would end it
	// Policy and EveryHours name a sign-in-frequency policy that asks for a new sign-in sooner
	// (EveryHours 0: at every sign-in); "" when none does.
	Policy     string `json:"policy,omitempty"`
	EveryHours int    `json:"everyHours,omitempty"`
}

// Secret is what is known of the app's client secret kept in the keychain.
type Secret struct {
	ClientID string    `json:"clientId"`
	Expires  time.Time `json:"expires"`
}

// Report is one health check of everything: what `onboard365 check all --format json` prints.
// Its fields only ever grow.
type Report struct {
	CheckedAt time.Time    `json:"checkedAt"`
	Template  string       `json:"template"` // the role template the GDAP roles were judged against
	Partner   Partner      `json:"partner"`
	Customers []Customer   `json:"customers"` // worst first, then by name
	Summary   plan.Summary `json:"summary"`   // the customers by status
}

// Count sets Summary from the customers.
func (r *Report) Count() {
	r.Summary = plan.Summary{}
	for _, c := range r.Customers {
		r.Summary.Add(c.Status)
	}
}

// Passes says whether the partner and every customer pass.
func (r Report) Passes() bool {
	if r.Partner.Status != plan.Pass {
		return false
	}
	for _, c := range r.Customers {
		if c.Status != plan.Pass {
			return false
		}
	}
	return true
}

// Problem is one part that does not pass, with whom it is about.
type Problem struct {
	Subject  string // the customer's name, or "Your partner tenant"
	TenantID string // "" for the partner
	Part
}

// PartnerName is how the partner's own tenant is named in lists and sentences.
const PartnerName = "Your partner tenant"

// Problems lists every part that does not pass, worst first: the partner's first within a
// status, then the customers' in the report's order.
func (r Report) Problems() []Problem {
	var out []Problem
	for _, p := range r.Partner.Checks {
		if p.Status != plan.Pass {
			out = append(out, Problem{Subject: PartnerName, Part: p})
		}
	}
	for _, c := range r.Customers {
		for _, p := range c.Checks {
			if p.Status != plan.Pass {
				out = append(out, Problem{Subject: label(c.Name, c.TenantID), TenantID: c.TenantID, Part: p})
			}
		}
	}
	stableSortByStatus(out)
	return out
}

// PartCount is how many customers stand how in one part.
type PartCount struct {
	Check Kind
	Title string
	plan.Summary
	Failing []string // the names of the customers that fail it
}

// ByPart counts, for each part in the order the customers have them, how many customers have
// each status.
func (r Report) ByPart() []PartCount {
	var out []PartCount
	index := map[Kind]int{}
	for _, c := range r.Customers {
		for _, p := range c.Checks {
			i, ok := index[p.Check]
			if !ok {
				i = len(out)
				index[p.Check] = i
				out = append(out, PartCount{Check: p.Check, Title: p.Title})
			}
			out[i].Add(p.Status)
			if p.Status == plan.Fail {
				out[i].Failing = append(out[i].Failing, label(c.Name, c.TenantID))
			}
		}
	}
	return out
}

func find(parts []Part, k Kind) (Part, bool) {
	for _, p := range parts {
		if p.Check == k {
			return p, true
		}
	}
	return Part{}, false
}

// worstOf is the worst status of the parts; Pass when there are none.
func worstOf(parts []Part) plan.Status {
	st := plan.Pass
	for _, p := range parts {
		st = plan.Worst(st, p.Status)
	}
	return st
}

func label(name, id string) string {
	if name != "" {
		return name
	}
	return id
}
