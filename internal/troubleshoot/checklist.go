package troubleshoot

import (
	"sort"
	"strings"

	"github.com/onboard365/onboard365/internal/plan"
)

// Kind names a check.
type Kind string

// Checks of the partner tenant.
const (
	MFAEnforcement Kind = "mfaEnforcement" // security defaults, or a CA policy requiring MFA for all users
	RiskyAccount   Kind = "riskyAccount"   // the technician (or service account) is not a risky user
	SignInMFA      Kind = "signInMfa"      // the technician's sign-in carries MFA
)

// Checks of each customer.
const (
	Access            Kind = "access"            // Microsoft issues the technician a token there
	ConditionalAccess Kind = "conditionalAccess" // no policy blocks the partner's service provider users
	SignInLog         Kind = "signInLog"         // no recent sign-in from the partner failed with 53003
	GDAPRoles         Kind = "gdapRoles"         // the GDAP verdict for the integration's roles
	EntraP1           Kind = "entraIdP1"         // the customer has Entra ID P1
)

// Title is a check's name, for a column or a heading.
func (k Kind) Title() string {
	switch k {
	case MFAEnforcement:
		return "MFA enforcement"
	case RiskyAccount:
		return "Risky account"
	case SignInMFA:
		return "Your sign-in has MFA"
	case Access:
		return "Access to the customer"
	case ConditionalAccess:
		return "Conditional Access"
	case SignInLog:
		return "Sign-in log"
	case GDAPRoles:
		return "GDAP roles and groups"
	case EntraP1:
		return "Entra ID P1 licence"
	}
	return string(k)
}

// Check is the outcome of one check.
type Check struct {
	Kind     Kind
	Status   plan.Status
	Sentence string   // what was found and what to do, in plain words, naming the tenant
	Details  []string // the evidence, one plain line each: policies and their clauses, sign-ins, exclusions
	FixIDs   []string // the fixes (Diagnosis.Fixes) that would turn it to Pass
}

// Customer is a customer tenant.
type Customer struct {
	TenantID string
	Name     string
}

// Label is the customer's name, or its tenant id when the name is unknown.
func (c Customer) Label() string {
	if strings.TrimSpace(c.Name) != "" {
		return c.Name
	}
	return c.TenantID
}

// Checklist is every check of one tenant.
type Checklist struct {
	Customer Customer    // for the partner tenant: its id, and the name "Your partner tenant"
	Status   plan.Status // the worst status of Checks
	Checks   []Check
	// AdminSignedIn is true when the checks read the customer with its own administrator's
	// sign-in, because the technician's access could not.
	AdminSignedIn bool
	// NeedsAdmin is true when the technician's access is blocked or cannot read what the checks
	// need, and a customer administrator's sign-in would let them run.
	NeedsAdmin bool
}

// Check returns the check of a kind, and whether the list has one.
func (l Checklist) Check(k Kind) (Check, bool) {
	for _, c := range l.Checks {
		if c.Kind == k {
			return c, true
		}
	}
	return Check{}, false
}

func (l *Checklist) add(c Check) {
	l.Checks = append(l.Checks, c)
	if len(l.Checks) == 1 {
		l.Status = c.Status
		return
	}
	l.Status = plan.Worst(l.Status, c.Status)
}

// SortChecklists puts the worst first, then sorts by name.
func SortChecklists(ls []Checklist) {
	sort.SliceStable(ls, func(i, j int) bool {
		if a, b := ls[i].Status.Rank(), ls[j].Status.Rank(); a != b {
			return a < b
		}
		if x, y := strings.ToLower(ls[i].Customer.Name), strings.ToLower(ls[j].Customer.Name); x != y {
			return x < y
		}
		return ls[i].Customer.TenantID < ls[j].Customer.TenantID
	})
}
