package wizard

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/words"
)

// The two steps every wizard that fixes things ends with, built from internal/plan's contract:
// Review shows a plan for the person to untick what they do not want, and Apply makes exactly
// the reviewed plan, then reads again and shows what is true now. A page makes one of each,
// gives the Review the plan its check found (Set), and puts Review.Step() and Apply.Step() in
// its wizard:
//
//	review := &wizard.Review{Title: "Review the fixes", Head: ...}
//	apply := &wizard.Apply{Title: "Apply and check again", Review: review, Apply: svc.Apply, Recheck: ...}
//	wizard.New(wizard.Config{Steps: []wizard.Step{choose, check, review.Step(), apply.Step()}})

// Applier makes the fixes of a reviewed plan, one fix's failure never stopping the rest, and says
// how each went: every task's service (internal/app) is one, and an Apply step calls it.
type Applier interface {
	Apply(ctx context.Context, p plan.Plan, progress func(done, total int)) []plan.Outcome
}

// Review is the step that lists a plan's fixes, each with who it is for, what it changes and
// why, what to weigh first and why it cannot be applied now. Nothing changes on it.
type Review struct {
	Title, Intro, NextLabel string
	// Head is the line above the list, for example "3 fixes, 2 of them safe."
	Head func(p plan.Plan) string
	// Plan, when set, makes the plan each time the step is shown: its fixes were chosen on an
	// earlier step (the Authenticator wizard's user list), so they are listed without tick boxes
	// and all applied. Without it the page gives the plan with Set and every fix has a tick box.
	Plan func() plan.Plan
	// Empty is what Next says when nothing would be applied; "" for "tick at least one fix".
	Empty string
	// MaxShown is how many fixes are listed at most; 0 lists them all.
	MaxShown int

	current plan.Plan
	ticked  map[string]bool
}

// Set gives the review a new plan and ticks its safe fixes, and no other.
func (r *Review) Set(p plan.Plan) {
	r.current = p
	r.ticked = map[string]bool{}
	for _, f := range p.Fixes {
		r.ticked[f.ID] = f.Safe && f.Blocked == ""
	}
}

// Current is the whole plan under review.
func (r *Review) Current() plan.Plan { return r.current }

// Chosen is the reviewed plan: only the fixes ticked (all of them for a Review with Plan).
func (r *Review) Chosen() plan.Plan {
	if r.Plan != nil {
		return r.current
	}
	var ids []string
	for _, f := range r.current.Fixes {
		if r.ticked[f.ID] {
			ids = append(ids, f.ID)
		}
	}
	return r.current.Only(ids)
}

// Step is the review as a wizard step. Leaving it with fixes ticked asks first.
func (r *Review) Step() Step {
	empty := r.Empty
	if empty == "" {
		empty = "tick at least one fix, or press Cancel to leave everything as it is"
	}
	return Step{
		Title:   r.Title,
		Intro:   r.Intro,
		Content: r.view,
		Validate: func() error {
			if len(r.Chosen().Fixes) == 0 {
				return errors.New(empty)
			}
			return nil
		},
		NextLabel: r.NextLabel,
		Unsaved:   func() bool { return len(r.Chosen().Fixes) > 0 },
	}
}

func (r *Review) view() fyne.CanvasObject {
	if r.Plan != nil {
		r.current = r.Plan()
	}
	list := container.NewVBox(Paragraph(r.Head(r.current)))
	for i, f := range r.current.Fixes {
		if r.MaxShown > 0 && i == r.MaxShown {
			list.Add(Paragraph(fmt.Sprintf("…and %d more.", len(r.current.Fixes)-r.MaxShown)))
			break
		}
		if r.Plan != nil {
			list.Add(WithIcon(theme.NavigateNextIcon(), f.What))
			continue
		}
		// The check box has no text of its own: a check's text does not wrap, and a long one
		// would widen the page past the window.
		check := widget.NewCheck("", func(on bool) { r.ticked[f.ID] = on })
		check.SetChecked(r.ticked[f.ID])
		who := widget.NewLabelWithStyle(f.Who, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		lines := container.NewVBox(who, Paragraph(f.What))
		switch {
		case f.Blocked != "":
			check.SetChecked(false)
			check.Disable()
			lines.Add(WithIcon(theme.ErrorIcon(), "Cannot be applied now: "+f.Blocked))
		case f.Caution != "":
			lines.Add(WithIcon(theme.WarningIcon(), "Weigh this first: "+f.Caution))
		}
		list.Add(container.NewBorder(nil, nil, container.NewVBox(check), nil, lines))
		list.Add(widget.NewSeparator())
	}
	return list
}

// Apply is the step that makes the reviewed plan (Review.Chosen), then reads again (Recheck),
// and shows each fix's outcome and what is true now.
type Apply struct {
	Title, Intro, NextLabel string
	Review                  *Review
	// Apply makes the fixes of the plan it is given, one fix's failure never stopping the rest.
	Apply func(ctx context.Context, p plan.Plan, progress func(done, total int)) []plan.Outcome
	// Applying is the progress line while fixes are made; nil for "Applied 2 of 5 fixes…".
	Applying func(done, total int) string
	// Starting, when set, is the line shown before the first fix is made.
	Starting func(fixes int) string
	// Recheck, when set, reads everything again after the fixes, so Now can show it.
	Recheck func(ctx context.Context, report func(Progress)) error
	// Head is the line above the outcomes, for example "2 of 2 fixes applied. Now: ...".
	Head func(outcomes []plan.Outcome) string
	// Now, when set, shows what is true now under the heading "What is true now".
	Now func() fyne.CanvasObject
	// MaxShown is how many outcomes are listed at most; 0 lists them all.
	MaxShown int
	// Verified: each fix is read back on its own, so an outcome shows as done only when it is
	// both Done and Verified.
	Verified bool

	outcomes []plan.Outcome
}

// Outcomes are what the last run of the step did.
func (a *Apply) Outcomes() []plan.Outcome { return a.outcomes }

// Step is the apply-and-read-again step.
func (a *Apply) Step() Step {
	return Step{
		Title:     a.Title,
		Intro:     a.Intro,
		Work:      a.work,
		Content:   a.view,
		NextLabel: a.NextLabel,
	}
}

func (a *Apply) work(ctx context.Context, report func(Progress)) error {
	chosen := a.Review.Chosen()
	if a.Starting != nil {
		report(Progress{Total: len(chosen.Fixes), Message: a.Starting(len(chosen.Fixes))})
	}
	applying := a.Applying
	if applying == nil {
		applying = func(done, total int) string {
			return fmt.Sprintf("Applied %d of %s…", done, words.Count(total, "fix"))
		}
	}
	a.outcomes = a.Apply(ctx, chosen, func(done, total int) {
		report(Progress{Done: done, Total: total, Message: applying(done, total)})
	})
	if a.Recheck != nil {
		return a.Recheck(ctx, report)
	}
	return nil
}

func (a *Apply) view() fyne.CanvasObject {
	body := container.NewVBox()
	for i, o := range a.outcomes {
		if a.MaxShown > 0 && i == a.MaxShown {
			body.Add(Paragraph(fmt.Sprintf("…and %d more.", len(a.outcomes)-a.MaxShown)))
			break
		}
		icon := theme.ConfirmIcon()
		if !o.Done || (a.Verified && !o.Verified) {
			icon = theme.ErrorIcon()
		}
		body.Add(WithIcon(icon, o.Who+": "+o.Sentence))
		for _, t := range o.ToCopy {
			body.Add(Copyable(t.Label, t.Text))
		}
	}
	out := container.NewVBox(Paragraph(a.Head(a.outcomes)), body)
	if a.Now != nil {
		out.Add(Subheading("What is true now"))
		out.Add(a.Now())
	}
	return out
}
