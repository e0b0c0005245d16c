package plan

import (
	"reflect"
	"strings"
	"testing"
)

func TestStatusOrderAndWords(t *testing.T) {
	tests := []struct {
		s    Status
		rank int
		word string
	}{
		{Fail, 0, "Fail"},
		{CouldNotCheck, 1, "Could not check"},
		{Warning, 2, "Warning"},
		{Pass, 3, "Pass"},
		{"odd", 3, "odd"},
	}
	for _, tt := range tests {
		if got := tt.s.Rank(); got != tt.rank {
			t.Errorf("%q.Rank() = %d, want %d", tt.s, got, tt.rank)
		}
		if got := tt.s.Word(); got != tt.word {
			t.Errorf("%q.Word() = %q, want %q", tt.s, got, tt.word)
		}
	}
}

func TestWorst(t *testing.T) {
	tests := []struct{ a, b, want Status }{
		{Pass, Fail, Fail},
		{Fail, Pass, Fail},
		{Warning, CouldNotCheck, CouldNotCheck},
		{Pass, Warning, Warning},
		{Pass, Pass, Pass},
	}
	for _, tt := range tests {
		if got := Worst(tt.a, tt.b); got != tt.want {
			t.Errorf("Worst(%s, %s) = %s, want %s", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSummaryCounts(t *testing.T) {
	var s Summary
	for _, st := range []Status{Pass, Pass, Fail, Warning, CouldNotCheck, ""} {
		s.Add(st)
	}
	if want := (Summary{Pass: 2, Fail: 1, Warning: 1, CouldNotCheck: 2}); s != want || s.Total() != 6 {
		t.Errorf("summary %+v (total %d), want %+v", s, s.Total(), want)
	}
}

func TestOnlyKeepsTheTickedApplicableFixesInOrder(t *testing.T) {
	p := Plan{Tenant: Tenant{ID: "t1", Name: "Litware"}, Fixes: []Fix{
		{ID: "a"}, {ID: "b", Blocked: "needs a role"}, {ID: "c"}, {ID: "d"},
	}}
	got := p.Only([]string{"d", "b", "a", "nope"})
	var ids []string
	for _, f := range got.Fixes {
		ids = append(ids, f.ID)
	}
	if !reflect.DeepEqual(ids, []string{"a", "d"}) || got.Tenant != p.Tenant {
		t.Errorf("Only = %v for %+v; want a and d of the same tenant", ids, got.Tenant)
	}
	if n := len(p.Applicable()); n != 3 {
		t.Errorf("%d applicable fixes, want 3", n)
	}
}

type change struct{ n int }

func TestChangesGivesBackTheDomainFixes(t *testing.T) {
	p := Plan{Fixes: []Fix{{ID: "a", Change: change{1}}, {ID: "b", Change: change{2}}}}
	got, err := Changes[change](p)
	if err != nil || !reflect.DeepEqual(got, []change{{1}, {2}}) {
		t.Fatalf("Changes = %v, %v", got, err)
	}
	p.Fixes = append(p.Fixes, Fix{ID: "c", Change: "a string"})
	if got, err := Changes[change](p); err == nil || got != nil || !strings.Contains(err.Error(), `"c"`) {
		t.Errorf("a fix of another wizard: %v, %v", got, err)
	}
}

func TestCount(t *testing.T) {
	done, verified := Count([]Outcome{{Done: true, Verified: true}, {Done: true}, {}})
	if done != 2 || verified != 1 {
		t.Errorf("done %d, verified %d", done, verified)
	}
}
