// Package wizard is the one stepper every guided task in Onboard365 uses: numbered steps, a plain
// sentence on each, Back / Next / Cancel, checks before Next, background work with a progress bar
// that can be stopped, and a summary at the end.
//
// Work runs on its own goroutine and touches widgets only through fyne.Do, so the window never
// freezes while the app talks to Microsoft.
package wizard

import (
	"context"
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/words"
)

// Progress is what long work reports while it runs.
type Progress struct {
	Done, Total int    // items finished and items in all; Total 0 means "not known yet"
	Message     string // what is happening now, in plain words ("Reading customer 12 of 40")
}

// Step is one page of a wizard.
type Step struct {
	// Title is short ("Review the plan"); it appears in the numbered strip and as the heading.
	Title string
	// Intro is one plain sentence: what happens on this step and why.
	Intro string
	// Content builds the body of the step. For a step without Work it is called when the step is
	// shown; for a step with Work, each time the work has ended (also after an error), so that it
	// shows what the work found and never, beside the progress bar, an outcome the work has not
	// reached yet. Nil shows the intro alone.
	Content func() fyne.CanvasObject
	// During, when set, is the body while the step's Work runs: what the person must see or do
	// meanwhile (where a sign-in opened, the sandbox's sign-in form). Nil: the intro and the
	// progress alone.
	During func() fyne.CanvasObject
	// Validate runs when the user presses Next. An error keeps the user on this step and is shown
	// in plain words.
	Validate func() error
	// Work, when set, starts off the UI goroutine as soon as the step is shown. Next stays off
	// until it succeeds. It must return soon after ctx is cancelled. report may be called from
	// any goroutine.
	Work func(ctx context.Context, report func(Progress)) error
	// NextLabel replaces "Next" on this step, for example "Apply 3 changes".
	NextLabel string
	// Unsaved, when set and true while this step is shown, makes Cancel (and Escape) ask before
	// leaving, as Config.Unsaved does for the whole wizard (a Review step sets it).
	Unsaved func() bool
	// Ready, when set, says whether the person may go on from this step as it shows now (after
	// its Work has ended): false keeps Next off, for a step whose content already says why
	// there is no going on (a sign-in whose verdict is NO). Nil: Next is on.
	Ready func() bool
}

// Config describes a whole wizard.
type Config struct {
	Title   string
	Steps   []Step
	Summary func() fyne.CanvasObject // the last page, after the last step; nil shows "All done"
	OnClose func()                   // called when the user leaves the wizard (Cancel or Close)
	// Unsaved, when set and true, makes Cancel (and Escape) ask before leaving: the user has made
	// choices on these steps that leaving would throw away (see keys.go).
	Unsaved func() bool
	// AfterWork, when set, is called on the UI goroutine each time a step's Work has ended and
	// the page shows its outcome (err is what Work returned).
	AfterWork func(step int, err error)
	// OnUI, when set, is how the wizard runs a page update from its background work on the UI
	// goroutine; nil means fyne.Do. The window sets it so that a headless driver (a test, the
	// guide's screenshots) runs every update on its own goroutine.
	OnUI func(func())
	// Busy, when set, is told on the UI goroutine that background work has started (true) and,
	// after its outcome is shown and AfterWork has run, that it has ended (false).
	Busy func(bool)
	// Failed, when set, is the body of a step whose work failed with err: where to go to put it
	// right (a button to Sign in, to App registration), or nil. The error itself is the step's
	// problem line; the step's Content, which shows an outcome, is not drawn for a failed run.
	Failed func(step int, err error) fyne.CanvasObject
	// Wheel, when set, is the page's Wheel: the fields it wrapped hand the mouse wheel to this
	// wizard's body (see wheel.go).
	Wheel *Wheel
}

// The frame every wizard gets, whatever its steps (the headless tests in ui/ hold it for each):
//
//   - A new page starts at its top: every step change, and every redraw after a step's work,
//     scrolls the body back up, so the new content is on screen.
//   - One count: the numbered strip has one circle per step plus the summary, and the heading
//     says "Step N of M" with the same M (the summary is the last one).
//   - The spinner always stops: when the work ends, with or without an error, and when the
//     person stops it (Stop, Escape, or Stop called by the page). A step shows its outcome
//     (Content) only once its work has ended well: while it runs, During; after an error,
//     where to go to put it right (Config.Failed), never a stale or empty outcome.
//   - The body scrolls with the mouse wheel wherever the pointer is: over a field one types
//     into too, when the page wraps it with its Wheel (see wheel.go; read-only texts are
//     labels, not fields: see Copyable), and the scroll bar has a lane of its own, so it never
//     covers a button at the right edge (Copy, Export).

// Wizard is a running stepper. Build it with New and place Object() in a window.
type Wizard struct {
	cfg     Config
	current int // index into cfg.Steps; len(cfg.Steps) means the summary page

	// widgets
	root        *fyne.Container
	strip       *fyne.Container
	heading     *widget.Label
	intro       *widget.Label
	body        *fyne.Container
	scroll      *container.Scroll
	progress    *widget.ProgressBar
	spinner     *widget.ProgressBarInfinite
	status      *widget.Label
	problem     *widget.Label
	problemIcon *widget.Icon
	retry       *Button
	problems    *fyne.Container
	back        *Button
	next        *Button
	cancel      *Button
	confirm     *fyne.Container // "leave without applying?", shown by Cancel when Unsaved says so
	leave       *Button
	view        *view // the root as a widget, so that Find can tell a wizard in a window

	// work in flight; touched only on the UI goroutine
	running   bool
	stopWork  context.CancelFunc
	workRound int // increases with every run, so a late result from an old run is ignored

	afterWork func() // test hook: called on the UI goroutine when a run of Work has ended
}

// New builds a wizard and shows its first step.
func New(cfg Config) *Wizard {
	w := &Wizard{cfg: cfg}
	w.strip = container.NewHBox()
	w.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	w.heading.SizeName = theme.SizeNameSubHeadingText
	w.intro = widget.NewLabel("")
	w.intro.Wrapping = fyne.TextWrapWord
	w.body = container.NewStack()
	w.progress = widget.NewProgressBar()
	w.spinner = widget.NewProgressBarInfinite()
	w.status = widget.NewLabel("")
	w.status.Wrapping = fyne.TextWrapWord
	w.problem = widget.NewLabel("")
	w.problem.Wrapping = fyne.TextWrapWord
	w.problem.Importance = widget.DangerImportance
	w.retry = newButton("Try again", theme.ViewRefreshIcon(), w.startWork, w.escape)
	w.problemIcon = widget.NewIcon(theme.ErrorIcon())
	w.problems = container.NewBorder(nil, nil, w.problemIcon, nil, w.problem)
	w.back = newButton("Back", theme.NavigateBackIcon(), w.Back, w.escape)
	w.next = newButton("Next", theme.NavigateNextIcon(), w.Next, w.escape)
	w.next.Importance = widget.HighImportance
	w.next.IconPlacement = widget.ButtonIconTrailingText
	w.cancel = newButton("Cancel", theme.CancelIcon(), w.Cancel, w.escape)
	w.confirm = w.newConfirm()

	title := widget.NewLabelWithStyle(cfg.Title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	top := container.NewVBox(title, w.strip, widget.NewSeparator(), w.heading, w.intro)
	activity := container.NewVBox(w.progress, w.spinner, w.status, container.NewBorder(nil, nil, nil, container.NewCenter(w.retry), w.problems))
	buttons := container.NewBorder(nil, nil, w.cancel, container.NewHBox(w.back, w.next))
	bottom := container.NewVBox(activity, widget.NewSeparator(), w.confirm, buttons)
	// The body keeps a lane free at its right edge for the scroll bar, which Fyne draws over
	// the content: so the bar never covers a button there.
	w.scroll = container.NewVScroll(container.New(layout.NewCustomPaddedLayout(0, 0, 0, scrollLane()), w.body))
	if cfg.Wheel != nil {
		cfg.Wheel.Scrolls(w.scroll)
	}
	w.root = container.NewBorder(top, bottom, nil, nil, w.scroll)
	w.view = newView(w, w.root)
	w.show(0)
	return w
}

// Object is the wizard's widget tree, to place in a window or a page.
func (w *Wizard) Object() fyne.CanvasObject { return w.view }

// Current returns the index of the step on screen; len(steps) means the summary page.
func (w *Wizard) Current() int { return w.current }

// Next validates the current step and moves on; after the last step it shows the summary.
func (w *Wizard) Next() {
	if w.running || w.current >= len(w.cfg.Steps) {
		return
	}
	if v := w.cfg.Steps[w.current].Validate; v != nil {
		if err := v(); err != nil {
			var n *note
			if errors.As(err, &n) {
				w.showNote(n.text)
				return
			}
			w.showProblem(explain.Sentence(err), false)
			return
		}
	}
	w.show(w.current + 1)
}

// Back returns to the previous step. Work on that step runs again, so what it shows is current.
func (w *Wizard) Back() {
	if w.running || w.current == 0 {
		return
	}
	w.show(w.current - 1)
}

// Cancel stops work in flight; with nothing running it leaves the wizard, after asking when
// Config.Unsaved says there are choices to lose.
func (w *Wizard) Cancel() {
	if w.running {
		w.Stop()
		return
	}
	if w.unsaved() {
		w.askToLeave()
		return
	}
	if w.cfg.OnClose != nil {
		w.cfg.OnClose()
	}
}

// Stop stops the step's work in flight, as the Stop button does; with nothing running it does
// nothing. A page calls it when the person gives up on the step somewhere else (the Cancel of
// a sign-in dialog). It runs on the UI goroutine.
func (w *Wizard) Stop() {
	if !w.running {
		return
	}
	w.cancel.Disable()
	w.status.SetText("Stopping… the step ends as soon as the current request returns.")
	// Cancel last: the work may end at once, and its result must find the widgets settled.
	if w.stopWork != nil {
		w.stopWork()
	}
}

// Running says whether a step's work is in flight (the spinner or the progress bar is on).
func (w *Wizard) Running() bool { return w.running }

// Heading is the step's heading as shown: "Step 2 of 5: Sign in", or "Step 5 of 5: Summary".
func (w *Wizard) Heading() string { return w.heading.Text }

// Steps is how many pages the wizard has: its steps and the summary. The strip shows one
// circle for each, and Heading counts to it.
func (w *Wizard) Steps() int { return len(w.cfg.Steps) + 1 }

// unsaved says whether leaving now would throw away choices the person made.
func (w *Wizard) unsaved() bool {
	if w.cfg.Unsaved != nil && w.cfg.Unsaved() {
		return true
	}
	if w.current < len(w.cfg.Steps) {
		if u := w.cfg.Steps[w.current].Unsaved; u != nil && u() {
			return true
		}
	}
	return false
}

// Restart goes back to the first step, as if the wizard had just opened.
func (w *Wizard) Restart() {
	if !w.running {
		w.show(0)
	}
}

func (w *Wizard) show(i int) {
	w.current = i
	w.confirm.Hide()
	w.releaseFocus()
	w.hideActivity()
	w.refreshStrip()
	if i == len(w.cfg.Steps) {
		w.showSummary()
		return
	}
	s := w.cfg.Steps[i]
	w.heading.SetText(w.stepHeading(i, s.Title))
	w.intro.SetText(s.Intro)
	if s.Work == nil {
		w.setBody(s.Content)
	}
	w.back.Enable()
	if i == 0 {
		w.back.Disable()
	}
	w.cancel.SetText("Cancel")
	w.cancel.Enable()
	w.next.Show()
	switch {
	case s.NextLabel != "":
		w.next.SetText(s.NextLabel)
	case i == len(w.cfg.Steps)-1:
		w.next.SetText("Finish")
	default:
		w.next.SetText("Next")
	}
	w.next.Enable()
	w.gateNext()
	if s.Work != nil {
		w.startWork()
	}
}

// stepHeading is the heading of page i: the same count as the strip's circles (Steps).
func (w *Wizard) stepHeading(i int, title string) string {
	return fmt.Sprintf("Step %d of %d: %s", i+1, w.Steps(), title)
}

// gateNext turns Next off when the step says the person cannot go on from what it shows.
func (w *Wizard) gateNext() {
	if w.current < len(w.cfg.Steps) {
		if ready := w.cfg.Steps[w.current].Ready; ready != nil && !ready() {
			w.next.Disable()
		}
	}
}

func (w *Wizard) showSummary() {
	w.heading.SetText(w.stepHeading(len(w.cfg.Steps), "Summary"))
	w.intro.SetText("Here is what this wizard did. You can close it, or start again to check that everything is still right.")
	if w.cfg.Summary != nil {
		w.setBody(w.cfg.Summary)
	} else {
		w.setBody(func() fyne.CanvasObject { return widget.NewLabel("All done.") })
	}
	w.back.SetText("Start again")
	w.back.SetIcon(theme.ViewRefreshIcon())
	w.back.OnTapped = w.Restart
	w.back.Enable()
	w.next.Hide()
	w.cancel.SetText("Close")
	w.cancel.Enable()
}

func (w *Wizard) setBody(content func() fyne.CanvasObject) {
	if w.current < len(w.cfg.Steps) {
		// The summary page repurposes Back as "Start again"; every step page has a plain Back.
		w.back.SetText("Back")
		w.back.SetIcon(theme.NavigateBackIcon())
		w.back.OnTapped = w.Back
	}
	w.body.Objects = nil
	if content != nil {
		if o := content(); o != nil { // a step may have nothing to show (yet)
			w.body.Objects = []fyne.CanvasObject{o}
			w.submitsNext(o)
		}
	}
	w.body.Refresh()
	w.scroll.ScrollToTop() // new content starts at its top, never where the last page was scrolled
}

// scrollLane is the width kept free at the body's right edge for the scroll bar.
func scrollLane() float32 {
	return theme.Size(theme.SizeNameScrollBar) + theme.Padding()
}

// stripBudget is how many characters of step titles fit in the numbered strip of a 1024-pixel
// window; past it, only the current step shows its title and the others their number.
const stripBudget = 75

func (w *Wizard) refreshStrip() {
	w.strip.RemoveAll()
	n := len(w.cfg.Steps)
	titles := make([]string, n+1)
	total := 0
	for i := range titles {
		titles[i] = "Summary"
		if i < n {
			titles[i] = w.cfg.Steps[i].Title
		}
		total += len(titles[i]) + 4
	}
	for i := 0; i <= n; i++ {
		text := fmt.Sprintf("%d. %s", i+1, titles[i])
		if total > stripBudget && i != w.current {
			text = fmt.Sprintf("%d", i+1)
		}
		label := widget.NewLabel(text)
		icon := theme.RadioButtonIcon()
		switch {
		case i < w.current:
			icon = theme.ConfirmIcon()
			label.Importance = widget.SuccessImportance
		case i == w.current:
			icon = theme.RadioButtonCheckedIcon()
			label.Importance = widget.HighImportance
			label.TextStyle.Bold = true
		default:
			label.Importance = widget.LowImportance
		}
		w.strip.Add(container.NewHBox(widget.NewIcon(icon), label))
	}
}

// startWork runs the current step's Work off the UI goroutine. It is called on the UI goroutine.
func (w *Wizard) startWork() {
	s := w.cfg.Steps[w.current]
	if s.Work == nil || w.running {
		return
	}
	ctx, stop := context.WithCancel(context.Background())
	w.running, w.stopWork = true, stop
	w.workRound++
	round := w.workRound

	w.hideActivity()
	w.setBody(s.During) // never the outcome of a run that has not ended
	w.spinner.Show()
	w.spinner.Start()
	w.status.SetText("Working…")
	w.status.Show()
	w.next.Disable()
	w.back.Disable()
	w.cancel.SetText("Stop")
	w.cancel.Enable()

	if w.cfg.Busy != nil {
		w.cfg.Busy(true)
	}
	report := func(p Progress) {
		w.onUI(func() {
			if round == w.workRound && w.running {
				w.showProgress(p)
			}
		})
	}
	go func() {
		err := s.Work(ctx, report)
		w.onUI(func() {
			stop()
			if w.cfg.Busy != nil {
				defer w.cfg.Busy(false)
			}
			if round != w.workRound {
				return
			}
			w.finishWork(err)
			if w.cfg.AfterWork != nil {
				w.cfg.AfterWork(w.current, err)
			}
			if w.afterWork != nil {
				w.afterWork()
			}
		})
	}()
}

// onUI runs f on the UI goroutine, the way the wizard's Config says.
func (w *Wizard) onUI(f func()) {
	if w.cfg.OnUI != nil {
		w.cfg.OnUI(f)
		return
	}
	fyne.Do(f)
}

func (w *Wizard) showProgress(p Progress) {
	if p.Total > 0 {
		w.spinner.Stop()
		w.spinner.Hide()
		w.progress.Max = float64(p.Total)
		w.progress.SetValue(float64(p.Done))
		w.progress.Show()
	}
	if p.Message != "" {
		w.status.SetText(p.Message)
	}
}

func (w *Wizard) finishWork(err error) {
	w.running, w.stopWork = false, nil
	w.hideActivity()
	w.cancel.SetText("Cancel")
	w.cancel.Enable()
	if w.current > 0 {
		w.back.Enable()
	}
	if err != nil {
		// No outcome was reached: the body says where to go to put it right, if anywhere, and
		// never what the step had shown before (a sign-in "answered" that was stopped) nor an
		// empty outcome ("0 customers checked").
		var where func() fyne.CanvasObject
		if w.cfg.Failed != nil {
			step := w.current
			where = func() fyne.CanvasObject {
				if o := w.cfg.Failed(step, err); o != nil {
					return container.NewVBox(o) // at the top, under the intro
				}
				return nil
			}
		}
		w.setBody(where)
		w.showProblem(explain.Sentence(err), true)
		w.next.Disable()
		return
	}
	w.setBody(w.cfg.Steps[w.current].Content)
	w.next.Enable()
	w.gateNext()
}

// Note is what a step's Validate returns when there is no going on, but nothing is wrong: there
// is nothing to fix, nobody to switch. It is shown as information, in the page's own colour,
// not as a problem in red.
func Note(sentence string) error { return &note{text: words.Sentence(sentence)} }

type note struct{ text string }

func (n *note) Error() string { return n.text }

func (w *Wizard) showNote(sentence string) {
	w.problemIcon.SetResource(theme.InfoIcon())
	w.problem.Importance = widget.MediumImportance
	w.problem.SetText(sentence)
	w.problems.Show()
	w.retry.Hide()
}

func (w *Wizard) showProblem(sentence string, canRetry bool) {
	w.problemIcon.SetResource(theme.ErrorIcon())
	w.problem.Importance = widget.DangerImportance
	w.problem.SetText(sentence)
	w.problems.Show()
	if canRetry {
		w.retry.Show()
	} else {
		w.retry.Hide()
	}
}

func (w *Wizard) hideActivity() {
	w.spinner.Stop()
	w.spinner.Hide()
	w.progress.Hide()
	w.progress.SetValue(0)
	w.status.SetText("")
	w.status.Hide()
	w.problems.Hide()
	w.retry.Hide()
}
