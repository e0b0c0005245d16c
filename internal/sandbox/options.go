package sandbox

import (
	"fmt"
	"math"
	"strings"
)

// Scenarios are the names of every scenario Options.Scenario takes, in the order the help lists
// them: the one list the error for an unknown scenario (and any help text) is made from.
func Scenarios() []string {
	out := []string{ScenarioContoso, ScenarioEmpty, ScenarioLargeTenant}
	out = append(out, AppScenarios...)
	return append(out, ScenarioTroubleshoot)
}

// knownScenario says whether name is one of Scenarios ("" is the default, contoso).
func knownScenario(name string) bool {
	if name == "" {
		return true
	}
	for _, s := range Scenarios() {
		if s == name {
			return true
		}
	}
	return false
}

// Validate says what is wrong with the options, in a sentence, before anything starts: an
// unknown scenario (naming every known one), a customer count out of range, or fault rates that
// are not fractions (NaN, infinite, negative, above 1, or together above 1).
func (o Options) Validate() error {
	if !knownScenario(o.Scenario) {
		return fmt.Errorf("the sandbox has no scenario called %q; the scenarios are %s", o.Scenario, quotedList(Scenarios()))
	}
	if o.Customers < 0 || o.Customers > MaxCustomers {
		return fmt.Errorf("a generated sandbox has from 1 to %d customers, not %d", MaxCustomers, o.Customers)
	}
	switch o.Answer {
	case "", AnswerApprove, AnswerDecline, AnswerNever:
	default:
		return fmt.Errorf("the customers' administrators answer %q, %q or %q, not %q", AnswerApprove, AnswerDecline, AnswerNever, o.Answer)
	}
	if o.ApprovalDelay < 0 {
		return fmt.Errorf("the customers' administrators cannot answer before they are asked: the approval delay must not be negative")
	}
	return o.Faults.Validate()
}

// Validate checks that every rate is a fraction from 0 to 1, that they add up to at most 1 (each
// is a share of the same requests), and that the durations are not negative.
func (f Faults) Validate() error {
	sum := 0.0
	for _, r := range []struct {
		what string
		rate float64
	}{
		{"answered 429 (rate-limited)", f.RateLimited},
		{"answered 503 (unavailable)", f.Unavailable},
		{"cut off without an answer", f.Dropped},
		{"answered with a cut-off body", f.Malformed},
	} {
		if math.IsNaN(r.rate) || math.IsInf(r.rate, 0) || r.rate < 0 || r.rate > 1 {
			return fmt.Errorf("the share of requests %s must be a fraction from 0 to 1, for example 0.05 for 5%%, not %v", r.what, r.rate)
		}
		sum += r.rate
	}
	if sum > 1+1e-9 {
		return fmt.Errorf("the shares of requests that fail add up to %.2f; together they must be at most 1", sum)
	}
	if f.Latency < 0 || f.RetryAfter < 0 {
		return fmt.Errorf("the latency and the Retry-After must not be negative")
	}
	return nil
}

func quotedList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}
