// Package plan is the contract every Onboard365 wizard keeps: read, judge, plan, review, apply,
// read again.
//
//   - A check reads and judges what it read: each customer, tenant or user gets a Status (Fail,
//     Could not check, Warning, Pass: that order, worst first, and those words everywhere).
//   - What could be fixed becomes a Plan: the tenant it is about and one Fix per change, each
//     with the reason for it. A Fix carries the domain package's own change in Change; the
//     window and the command line read only the words.
//   - The person reviews the plan and unticks what they do not want; Only keeps the ticked fixes.
//   - Apply takes that reviewed plan, and nothing else, and says for each fix its Outcome. Then
//     the wizard reads again, so the person sees what is true now.
//
// The window's shared steps (ui/wizard's Review and Apply) and the application layer
// (internal/app) speak it; each wizard's domain package fills it. A new wizard is its domain
// package plus configuration: internal/app turns its fixes into a Plan (Fix.Change holds each
// domain fix), and its Apply gets them back with Changes.
//
// The package has no dependencies: domain packages, the window and the command line all use it.
package plan

import "fmt"

// Status is how one customer, tenant, user or check stands. The zero value is not a status.
type Status string

// Statuses, worst first.
const (
	Fail          Status = "fail"          // it stops the partner's tools, or will
	CouldNotCheck Status = "couldNotCheck" // something could not be read, so the answer is unknown
	Warning       Status = "warning"       // works today, but needs a look
	Pass          Status = "pass"          // nothing to do
)

// Rank orders statuses worst first: Fail 0, CouldNotCheck 1, Warning 2, Pass (and anything
// else) 3.
func (s Status) Rank() int {
	switch s {
	case Fail:
		return 0
	case CouldNotCheck:
		return 1
	case Warning:
		return 2
	}
	return 3
}

// Word is the status as a person reads it: "Fail", "Could not check", "Warning", "Pass".
func (s Status) Word() string {
	switch s {
	case Fail:
		return "Fail"
	case CouldNotCheck:
		return "Could not check"
	case Warning:
		return "Warning"
	case Pass:
		return "Pass"
	}
	return string(s)
}

// Worst returns the worse of two statuses (a, when they rank the same).
func Worst(a, b Status) Status {
	if b.Rank() < a.Rank() {
		return b
	}
	return a
}

// Summary counts customers (or tenants, or users) by status. Its JSON is part of every report.
type Summary struct {
	Pass          int `json:"pass"`
	Fail          int `json:"fail"`
	Warning       int `json:"warning"`
	CouldNotCheck int `json:"couldNotCheck"`
}

// Add counts one status; one that is not Pass, Fail or Warning counts as could not be checked.
func (s *Summary) Add(st Status) {
	switch st {
	case Pass:
		s.Pass++
	case Fail:
		s.Fail++
	case Warning:
		s.Warning++
	default:
		s.CouldNotCheck++
	}
}

// Total is how many were counted.
func (s Summary) Total() int { return s.Pass + s.Fail + s.Warning + s.CouldNotCheck }

// Tenant is the tenant a plan is about: the partner's own (ID "") or a customer's.
type Tenant struct {
	ID   string // "" for the partner's own tenant
	Name string // as the person reads it
}

// Fix is one change a plan proposes, in the words the person reviews.
type Fix struct {
	ID      string // unique in its plan
	Who     string // whom it is for, as the person reads it: a customer, "Your partner tenant", a user
	What    string // what it changes and why, one sentence
	Caution string // what to weigh before ticking it; "" when nothing
	Blocked string // why it cannot be applied now; "" when it can
	Safe    bool   // ticked at first: it changes exactly what What says
	// Change is the domain package's own fix (a gdap.Fix, a troubleshoot.Fix, ...), which
	// Apply makes. The window never reads it; see Changes.
	Change any
}

// Plan is what a check proposes: the tenant it read and the fixes, in the order Apply makes them.
type Plan struct {
	Tenant Tenant
	Fixes  []Fix
}

// Applicable are the fixes that can be applied now (none Blocked).
func (p Plan) Applicable() []Fix {
	var out []Fix
	for _, f := range p.Fixes {
		if f.Blocked == "" {
			out = append(out, f)
		}
	}
	return out
}

// Only is the plan with just the fixes named (the ones the person kept ticked), in the plan's
// order; a blocked fix is never kept.
func (p Plan) Only(ids []string) Plan {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	out := Plan{Tenant: p.Tenant}
	for _, f := range p.Fixes {
		if want[f.ID] && f.Blocked == "" {
			out.Fixes = append(out.Fixes, f)
		}
	}
	return out
}

// Changes returns the domain changes of a plan's fixes, in order. A fix without a change of
// type C (a plan made by another wizard) is an error, and nothing is returned.
func Changes[C any](p Plan) ([]C, error) {
	out := make([]C, 0, len(p.Fixes))
	for _, f := range p.Fixes {
		c, ok := f.Change.(C)
		if !ok {
			return nil, fmt.Errorf("the fix %q is not one this wizard can apply: review the plan again", f.ID)
		}
		out = append(out, c)
	}
	return out, nil
}

// Outcome says how one fix went.
type Outcome struct {
	FixID    string
	Who      string // as in the Fix
	Done     bool   // Microsoft accepted the change
	Sentence string // what happened and what is true now, in plain words
	// Verified is true when the change was read back on its own right after it was made and
	// holds (the Authenticator wizard reads each user again); wizards that read everything again
	// afterwards leave it false.
	Verified bool
	ToCopy   []Text // texts the person may need to pass on: an approval link, a message
}

// Text is a text to show with a Copy button.
type Text struct {
	Label, Text string
}

// Count says how many outcomes are Done, and how many Verified.
func Count(outcomes []Outcome) (done, verified int) {
	for _, o := range outcomes {
		if o.Done {
			done++
		}
		if o.Verified {
			verified++
		}
	}
	return done, verified
}
