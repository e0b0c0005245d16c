package wizard

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/plan"
)

// labels is every label's text under o, one a line.
func labels(o fyne.CanvasObject) string {
	var b strings.Builder
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return b.String()
}

func checksIn(o fyne.CanvasObject) []*widget.Check {
	var out []*widget.Check
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Check:
			out = append(out, w)
		case *fyne.Container:
			for _, c := range w.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return out
}

var reviewed = plan.Plan{Tenant: plan.Tenant{Name: "Your partner tenant"}, Fixes: []plan.Fix{
	{ID: "safe", Who: "Litware", What: "Exclude the partner.", Safe: true},
	{ID: "weigh", Who: "Your partner tenant", What: "Dismiss the risk.", Caution: "A security decision."},
	{ID: "blocked", Who: "Woodgrove Bank", What: "Exclude the partner there.", Safe: true, Blocked: "A role is missing."},
}}

// TestReviewTicksTheSafeFixesAndKeepsWhatIsTicked: the safe fixes start ticked, a blocked one
// cannot be, and Chosen is exactly what is ticked.
func TestReviewTicksTheSafeFixesAndKeepsWhatIsTicked(t *testing.T) {
	test.NewTempApp(t)
	r := &Review{Title: "Review the plan", Head: func(p plan.Plan) string { return fmt.Sprintf("%d fixes.", len(p.Fixes)) }}
	r.Set(reviewed)
	step := r.Step()
	body := step.Content()
	text := labels(body)
	for _, want := range []string{"3 fixes.", "Litware", "Exclude the partner.", "Weigh this first: A security decision.", "Cannot be applied now: A role is missing."} {
		if !strings.Contains(text, want) {
			t.Errorf("the review does not say %q:\n%s", want, text)
		}
	}
	checks := checksIn(body)
	if len(checks) != 3 || !checks[0].Checked || checks[1].Checked || checks[2].Checked || !checks[2].Disabled() {
		t.Fatalf("ticks: want safe ticked, weigh unticked, blocked unticked and disabled")
	}
	if ids := fixIDs(r.Chosen()); !reflect.DeepEqual(ids, []string{"safe"}) || !step.Unsaved() {
		t.Errorf("chosen %v, unsaved %v", ids, step.Unsaved())
	}
	checks[0].SetChecked(false)
	checks[1].SetChecked(true)
	if ids := fixIDs(r.Chosen()); !reflect.DeepEqual(ids, []string{"weigh"}) {
		t.Errorf("chosen %v after ticking, want weigh only", ids)
	}
	checks[1].SetChecked(false)
	if err := step.Validate(); err == nil || !strings.Contains(err.Error(), "tick at least one fix") || step.Unsaved() {
		t.Errorf("nothing ticked: %v, unsaved %v", err, step.Unsaved())
	}
	r.Set(reviewed) // a new check ticks the safe fixes again
	if ids := fixIDs(r.Chosen()); !reflect.DeepEqual(ids, []string{"safe"}) {
		t.Errorf("chosen %v after a new plan", ids)
	}
}

// A Review with Plan lists what an earlier step chose, without tick boxes, and applies it all.
func TestReviewOfFixesChosenBefore(t *testing.T) {
	test.NewTempApp(t)
	made := 0
	r := &Review{Head: func(p plan.Plan) string { return fmt.Sprintf("%d users.", len(p.Fixes)) }, MaxShown: 2, Empty: "go back and tick a user",
		Plan: func() plan.Plan {
			made++
			return plan.Plan{Fixes: []plan.Fix{{ID: "a", What: "Switch a."}, {ID: "b", What: "Switch b."}, {ID: "c", What: "Switch c."}}}
		}}
	step := r.Step()
	body := step.Content()
	if text := labels(body); !strings.Contains(text, "3 users.") || !strings.Contains(text, "Switch b.") || strings.Contains(text, "Switch c.") ||
		!strings.Contains(text, "…and 1 more.") || len(checksIn(body)) != 0 || made != 1 {
		t.Fatalf("the list (made %d times):\n%s", made, text)
	}
	if ids := fixIDs(r.Chosen()); !reflect.DeepEqual(ids, []string{"a", "b", "c"}) {
		t.Errorf("chosen %v, want all", ids)
	}
	r.Plan = func() plan.Plan { return plan.Plan{} }
	step.Content()
	if err := step.Validate(); err == nil || err.Error() != "go back and tick a user" {
		t.Errorf("empty: %v", err)
	}
}

// TestApplyMakesTheReviewedPlanAndReadsAgain: Apply gets exactly the ticked fixes, Recheck runs
// after it, and the page shows each outcome, what to copy, and what is true now.
func TestApplyMakesTheReviewedPlanAndReadsAgain(t *testing.T) {
	r := &Review{Head: func(plan.Plan) string { return "" }}
	r.Set(reviewed)
	var got []string
	rechecked := false
	a := &Apply{Review: r,
		Apply: func(_ context.Context, p plan.Plan, progress func(int, int)) []plan.Outcome {
			got = fixIDs(p)
			progress(1, 1)
			return []plan.Outcome{
				{FixID: "safe", Who: "Litware", Done: true, Sentence: "Done.", ToCopy: []plan.Text{{Label: "Approval link", Text: "https://example.invalid/x"}}},
				{FixID: "x", Who: "Fabrikam", Sentence: "Not applied."},
			}
		},
		Recheck: func(context.Context, func(Progress)) error { rechecked = true; return nil },
		Head: func(o []plan.Outcome) string {
			done, _ := plan.Count(o)
			return fmt.Sprintf("%d of %d fixes applied.", done, len(o))
		},
		Now: func() fyne.CanvasObject { return widget.NewLabel("2 pass.") },
	}
	w := New(Config{Steps: []Step{r.Step(), a.Step()}})
	show(t, w)
	wait := waitForWork(t, w)
	test.Tap(w.next)
	wait()
	if !reflect.DeepEqual(got, []string{"safe"}) || !rechecked {
		t.Fatalf("applied %v, rechecked %v", got, rechecked)
	}
	text := labels(w.body)
	for _, want := range []string{"1 of 2 fixes applied.", "Litware: Done.", "Approval link", "Fabrikam: Not applied.", "What is true now", "2 pass."} {
		if !strings.Contains(text, want) {
			t.Errorf("the outcome does not say %q:\n%s", want, text)
		}
	}
	if len(a.Outcomes()) != 2 {
		t.Errorf("outcomes %v", a.Outcomes())
	}
}

func fixIDs(p plan.Plan) []string {
	var ids []string
	for _, f := range p.Fixes {
		ids = append(ids, f.ID)
	}
	return ids
}
