package app

import (
	"encoding/json"
	"testing"

	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/troubleshoot"
	"github.com/onboard365/onboard365/internal/words"
)

// What the window shows is cleaned the way every output is: no escape sequence or direction
// change from a tenant reaches a page (issue 15), and the plan's own fixes stay what they were.
func TestResultsForTheWindowAreClean(t *testing.T) {
	hostile := words.Hostile
	d := troubleshoot.Diagnosis{
		Partner: troubleshoot.Checklist{Customer: troubleshoot.Customer{Name: partnerName}, Status: plan.Pass},
		Customers: []troubleshoot.Checklist{{Customer: troubleshoot.Customer{TenantID: "t1", Name: hostile}, Status: plan.Fail,
			Checks: []troubleshoot.Check{{Kind: troubleshoot.Access, Status: plan.Fail, Sentence: hostile + " refuses.", Details: []string{hostile}}}}},
		Fixes: []troubleshoot.Fix{{ID: "f1", Customer: troubleshoot.Customer{TenantID: "t1", Name: hostile}, PolicyName: hostile, Reason: "In " + hostile + "."}},
	}
	r := troubleshootResult(d, TroubleshootRequest{})
	var fixes []string // what the review shows of each fix (its Change is the window's to hold, not to show)
	for _, f := range r.Plan.Fixes {
		fixes = append(fixes, f.Who, f.What, f.Caution, f.Blocked)
	}
	shown, err := json.Marshal(struct {
		Partner, Customers, Fixes any
	}{r.Partner, r.Customers, fixes})
	if err != nil {
		t.Fatal(err)
	}
	if leaks := words.Leaks(string(shown), false); leaks != nil {
		t.Errorf("the page would show %q: %s", leaks, shown)
	}
	changes, err := plan.Changes[troubleshoot.Fix](r.Plan)
	if err != nil || changes[0].PolicyName != hostile {
		t.Errorf("the fix to apply changed: %+v %v", changes, err)
	}
}
