package sandbox

import (
	"math"
	"strings"
	"testing"
	"time"
)

// TestStartRefusesImpossibleFaults: NaN, infinite, negative and above-one rates are refused
// before the sandbox starts, with a sentence.
func TestStartRefusesImpossibleFaults(t *testing.T) {
	for _, f := range []Faults{
		Faults{}.Rate(math.NaN()),
		{Dropped: math.Inf(1)},
		{Malformed: -0.1},
		{RateLimited: 1.5},
		{Dropped: 0.6, Malformed: 0.6},
		{Latency: -time.Second},
	} {
		s, err := Start(Options{Faults: f})
		if err == nil {
			s.Close()
			t.Errorf("faults %+v were accepted", f)
			continue
		}
		if strings.Contains(err.Error(), "NaN") && !strings.Contains(err.Error(), "fraction from 0 to 1") {
			t.Errorf("faults %+v: %v", f, err)
		}
	}
	if err := (Options{Faults: Faults{Dropped: 0.2, Malformed: 0.1}.Rate(0.5)}).Validate(); err != nil {
		t.Errorf("fractions adding up to 0.8 were refused: %v", err)
	}
}

// TestUnknownScenarioNamesEveryScenario: the message lists every scenario Start accepts, from
// the one list, and every name in it starts.
func TestUnknownScenarioNamesEveryScenario(t *testing.T) {
	_, err := Start(Options{Scenario: "nope"})
	if err == nil {
		t.Fatal("an unknown scenario started")
	}
	names := Scenarios()
	if len(names) < 10 {
		t.Fatalf("only %d scenarios listed: %v", len(names), names)
	}
	for _, n := range names {
		if !strings.Contains(err.Error(), `"`+n+`"`) {
			t.Errorf("the message does not name %q: %v", n, err)
		}
		if err := (Options{Scenario: n}).Validate(); err != nil {
			t.Errorf("scenario %q does not validate: %v", n, err)
		}
		w, err := buildWorld(Options{Scenario: n, Customers: map[bool]int{true: 3}[n == ScenarioTroubleshoot]}, time.Now())
		if err != nil || w == nil {
			t.Errorf("scenario %q is listed but does not build: %v", n, err)
		}
	}
}
