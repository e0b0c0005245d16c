package wizard

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// waitForWork installs the hook that signals the end of each run of Work and returns a function
// that waits for the next one.
func waitForWork(t *testing.T, w *Wizard) func() {
	t.Helper()
	ended := make(chan struct{}, 8)
	w.afterWork = func() { ended <- struct{}{} }
	return func() {
		t.Helper()
		select {
		case <-ended:
		case <-time.After(10 * time.Second):
			t.Fatal("the step's work did not end within 10 s")
		}
	}
}

func show(t *testing.T, w *Wizard) fyne.Window {
	t.Helper()
	test.NewTempApp(t)
	win := test.NewTempWindow(t, w.Object())
	win.Resize(fyne.NewSize(900, 600))
	return win
}

func TestTapThroughThreeSteps(t *testing.T) {
	closed := false
	w := New(Config{
		Title: "Demo",
		Steps: []Step{
			{Title: "Choose", Intro: "Pick what to check."},
			{Title: "Review", Intro: "Read the plan.", NextLabel: "Apply 2 changes"},
			{Title: "Apply", Intro: "Make the changes."},
		},
		Summary: func() fyne.CanvasObject { return widget.NewLabel("2 changes applied") },
		OnClose: func() { closed = true },
	})
	show(t, w)

	steps := []struct {
		heading, next string
		backOn        bool
	}{
		{"Step 1 of 4: Choose", "Next", false},
		{"Step 2 of 4: Review", "Apply 2 changes", true},
		{"Step 3 of 4: Apply", "Finish", true},
	}
	for i, want := range steps {
		if w.Current() != i {
			t.Fatalf("current = %d, want %d", w.Current(), i)
		}
		if w.heading.Text != want.heading {
			t.Errorf("heading = %q, want %q", w.heading.Text, want.heading)
		}
		if w.next.Text != want.next {
			t.Errorf("next button says %q, want %q", w.next.Text, want.next)
		}
		if w.back.Disabled() == want.backOn {
			t.Errorf("step %d: back enabled = %v, want %v", i+1, !w.back.Disabled(), want.backOn)
		}
		if got := len(w.strip.Objects); got != 4 {
			t.Errorf("numbered strip has %d entries, want 4 (3 steps and the summary)", got)
		}
		test.Tap(w.next)
	}
	if w.Current() != 3 || w.heading.Text != "Step 4 of 4: Summary" {
		t.Fatalf("after Finish: current %d, heading %q; want the summary", w.Current(), w.heading.Text)
	}
	if !strings.Contains(test.RenderObjectToMarkup(w.body), "2 changes applied") {
		t.Error("summary content not shown")
	}
	if w.next.Visible() {
		t.Error("Next must be hidden on the summary page")
	}

	test.Tap(w.back) // "Start again"
	if w.Current() != 0 {
		t.Fatalf("Start again went to step %d", w.Current())
	}
	test.Tap(w.next)
	test.Tap(w.back)
	if w.Current() != 0 {
		t.Fatalf("Back from step 2 went to step %d", w.Current())
	}
	test.Tap(w.cancel)
	if !closed {
		t.Fatal("Cancel with nothing running must close the wizard")
	}
}

func TestValidationBlocksNext(t *testing.T) {
	name := ""
	w := New(Config{Title: "Demo", Steps: []Step{
		{Title: "Name", Intro: "Type a name.", Validate: func() error {
			if name == "" {
				return errors.New("type the customer's name first, then press Next")
			}
			return nil
		}},
		{Title: "Done", Intro: "Nothing more."},
	}})
	show(t, w)

	test.Tap(w.next)
	if w.Current() != 0 {
		t.Fatal("Next moved on although validation failed")
	}
	if !w.problems.Visible() || w.problem.Text != "Type the customer's name first, then press Next." {
		t.Fatalf("problem shown = %v %q", w.problems.Visible(), w.problem.Text)
	}
	if w.retry.Visible() {
		t.Error("a validation problem needs no Try again button")
	}

	name = "Fabrikam"
	test.Tap(w.next)
	if w.Current() != 1 {
		t.Fatal("Next did not move on once the input was valid")
	}
	if w.problems.Visible() {
		t.Error("the old problem is still shown on the next step")
	}
}

func TestWorkShowsProgressThenResult(t *testing.T) {
	found := 0
	w := New(Config{Title: "Demo", Steps: []Step{
		{Title: "Start", Intro: "Press Next to read."},
		{
			Title: "Read",
			Intro: "Reading your customers.",
			Work: func(ctx context.Context, report func(Progress)) error {
				for i := 1; i <= 3; i++ {
					report(Progress{Done: i, Total: 3, Message: "Reading customer"})
				}
				found = 3
				return nil
			},
			Content: func() fyne.CanvasObject { return widget.NewLabel(strings.Repeat("x", found) + " customers found") },
		},
	}})
	wait := waitForWork(t, w)
	show(t, w)

	test.Tap(w.next)
	wait()
	if w.running {
		t.Fatal("still running after the work ended")
	}
	if w.next.Disabled() {
		t.Error("Next must be on once the work succeeded")
	}
	if w.progress.Visible() || w.spinner.Visible() {
		t.Error("the progress bar must go away once the work has ended")
	}
	if !strings.Contains(test.RenderObjectToMarkup(w.body), "xxx customers found") {
		t.Errorf("the content was not rebuilt after the work: %s", test.RenderObjectToMarkup(w.body))
	}
}

func TestCancelStopsTheWork(t *testing.T) {
	started := make(chan struct{})
	var sawCancel bool
	runs := 0
	w := New(Config{Title: "Demo", Steps: []Step{{Title: "Start", Intro: "Press Next."}, {
		Title: "Apply",
		Intro: "Applying changes.",
		Work: func(ctx context.Context, report func(Progress)) error {
			runs++
			if runs > 1 {
				return nil // the second run (Try again) succeeds at once
			}
			report(Progress{Done: 1, Total: 10, Message: "Changing customer 1 of 10"})
			close(started)
			<-ctx.Done()
			sawCancel = true
			return ctx.Err()
		},
	}}})
	wait := waitForWork(t, w)
	show(t, w)
	test.Tap(w.next)

	<-started
	if !w.running || !w.next.Disabled() || w.cancel.Text != "Stop" {
		t.Fatalf("while working: running %v, next disabled %v, cancel %q", w.running, w.next.Disabled(), w.cancel.Text)
	}
	if !w.progress.Visible() || w.progress.Value != 1 || w.progress.Max != 10 {
		t.Errorf("progress bar: visible %v, %v of %v", w.progress.Visible(), w.progress.Value, w.progress.Max)
	}
	if w.status.Text != "Changing customer 1 of 10" {
		t.Errorf("status = %q", w.status.Text)
	}

	test.Tap(w.cancel)
	wait()
	if !sawCancel {
		t.Fatal("the work's context was not cancelled")
	}
	if !strings.HasPrefix(w.problem.Text, "Stopped before it finished.") || !w.retry.Visible() {
		t.Fatalf("after Stop: problem %q, retry visible %v", w.problem.Text, w.retry.Visible())
	}
	if !w.next.Disabled() {
		t.Error("Next must stay off when the work did not finish")
	}

	test.Tap(w.retry)
	wait()
	if w.next.Disabled() || w.problems.Visible() {
		t.Fatalf("Try again succeeded but next disabled %v, problem %q", w.next.Disabled(), w.problem.Text)
	}
}

func TestErrorsAreSentences(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want []string // fragments the sentence must hold
		not  []string // fragments it must not hold
	}{
		{"own error", errors.New("the partner tenant has no customers yet"), []string{"The partner tenant has no customers yet."}, nil},
		{"microsoft code", errors.New("redeem token: invalid_grant: AADSTS700082: The refresh token has expired due to inactivity"), []string{"sign in again"}, []string{"invalid_grant"}},
		{"timeout", context.DeadlineExceeded, []string{"took too long"}, nil},
		{"cancelled", context.Canceled, []string{"Stopped"}, nil},
		{"empty", errors.New(""), []string{"Try again"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := New(Config{Title: "Demo", Steps: []Step{{Title: "Start", Intro: "Press Next."}, {
				Title: "Read", Intro: "Reading.",
				Work: func(context.Context, func(Progress)) error { return tt.err },
			}}})
			wait := waitForWork(t, w)
			show(t, w)
			test.Tap(w.next)
			wait()
			got := w.problem.Text
			if !w.problems.Visible() {
				t.Fatal("the error is not shown")
			}
			for _, f := range tt.want {
				if !strings.Contains(strings.ToLower(got), strings.ToLower(f)) {
					t.Errorf("sentence %q does not say %q", got, f)
				}
			}
			for _, f := range tt.not {
				if strings.Contains(got, f) {
					t.Errorf("sentence %q shows the raw %q", got, f)
				}
			}
		})
	}
}
