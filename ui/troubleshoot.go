package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/words"
	"github.com/onboard365/onboard365/ui/wizard"
)

// Troubleshoot is what the Troubleshoot "400" errors page needs from the rest of the app
// (internal/app's Troubleshoot): run every check for one customer or all, sign a blocked
// customer's own administrator in, apply the fixes of the reviewed plan, and export a result.
type Troubleshoot interface {
	// Customers names the customers the technician has GDAP relationships with.
	Customers(ctx context.Context) ([]string, error)
	// Profiles names the role profiles the GDAP roles check can judge against, the default first.
	Profiles() []string
	// Check runs every check; its result carries the plan of the fixes.
	Check(ctx context.Context, req TroubleshootRequest, progress func(done, total int)) (TroubleshootResult, error)
	// SignInAsAdmin signs one of a customer's own administrators in (launched tells where the
	// sign-in page opened, or asks for the account in the app on the sandbox), checks that
	// customer again with that sign-in, and returns last with the customer's new checklist.
	SignInAsAdmin(ctx context.Context, last TroubleshootResult, customer string, launched func(Launch)) (TroubleshootResult, error)
	// Apply makes the fixes of the plan it is given (the reviewed one).
	wizard.Applier
	// Export writes a result as "csv" or "html".
	Export(r TroubleshootResult, format string, w io.Writer) error
}

// What the Troubleshoot page shows, as internal/app computes it.
type (
	TroubleshootRequest   = app.TroubleshootRequest
	TroubleshootResult    = app.TroubleshootResult
	TroubleshootChecklist = app.TroubleshootChecklist
	TroubleshootCheck     = app.TroubleshootCheck
)

func (s *Shell) troubleshootPage() fyne.CanvasObject {
	if s.opts.Troubleshoot == nil {
		return taskPage(troubleshootTask)
	}
	st := &troubleshootState{svc: s.opts.Troubleshoot, shell: s, all: true}
	return wide(st.wizard().Object())
}

type troubleshootState struct {
	wheel wizard.Wheel // the mouse wheel over the page's fields scrolls the page
	svc   Troubleshoot
	shell *Shell

	customers   []string
	profiles    []string
	all         bool
	one         string
	req         TroubleshootRequest
	result      TroubleshootResult
	before      TroubleshootResult
	review      *wizard.Review
	view        tableView // how the person sorts and narrows the table
	partnerView tableView // which of the partner's checks are open

	table *fyne.Container // the checklists, redrawn after a customer administrator's sign-in
}

func (st *troubleshootState) wizard() *wizard.Wizard {
	st.review = &wizard.Review{
		Title: "Review the plan",
		Intro: "Here is every change Onboard365 can make, and why. The safe ones are ticked; tick the others only after " +
			"reading what to weigh. Nothing changes until you press Apply.",
		Head: func(p plan.Plan) string {
			safe := 0
			for _, f := range p.Fixes {
				if f.Safe && f.Blocked == "" {
					safe++
				}
			}
			return fixesHead(len(p.Fixes), safe)
		},
		NextLabel: "Apply the ticked fixes",
	}
	apply := &wizard.Apply{
		Title:  "Apply and check again",
		Intro:  "Onboard365 makes the ticked changes, then runs the checks again to show what is true now.",
		Review: st.review,
		Apply:  st.svc.Apply,
		Recheck: func(ctx context.Context, report func(wizard.Progress)) error {
			r, err := st.svc.Check(ctx, st.req, func(done, total int) {
				report(wizard.Progress{Done: done, Total: total, Message: fmt.Sprintf("Checked %d of %s again…", done, words.Count(total, "customer"))})
			})
			if err != nil {
				return err
			}
			st.result = r
			return nil
		},
		Head: func(o []plan.Outcome) string {
			done, _ := plan.Count(o)
			return fmt.Sprintf("%d of %s applied. Now: %s.", done, words.Count(len(o), "fix"), counts(checklistSummary(st.result)))
		},
		Now:       st.resultView,
		NextLabel: "Finish",
	}
	return wizard.New(st.shell.wizardConfig(wizard.Config{
		Wheel: &st.wheel,
		Title: `Troubleshoot "400" errors`,
		Steps: []wizard.Step{
			{
				Title: "Choose what to check",
				Intro: "Onboard365 checks your partner tenant (MFA enforcement, risky accounts, your sign-in) and your customers " +
					"(access, Conditional Access, failed sign-ins, GDAP roles, licences): every cause of an integration's \"400\" error it knows.",
				Content:   func() fyne.CanvasObject { return st.choice() },
				Validate:  st.validateChoice,
				NextLabel: "Run the checks",
			},
			{
				Title: "Run the checks",
				Intro: "Onboard365 reads, for every customer chosen, what Microsoft and the customer's tenant say. Nothing is changed.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					r, err := st.svc.Check(ctx, st.req, func(done, total int) {
						report(wizard.Progress{Done: done, Total: total, Message: fmt.Sprintf("Checked %d of %s…", done, words.Count(total, "customer"))})
					})
					if err != nil {
						return err
					}
					st.result, st.before = r, r
					st.review.Set(r.Plan)
					return nil
				},
				Content: func() fyne.CanvasObject { return st.resultView() },
				Validate: func() error {
					if len(st.result.Plan.Applicable()) == 0 {
						return wizard.Note("there is nothing Onboard365 can fix for you here; the checks that do not pass say what to do, and you can export the report")
					}
					return nil
				},
				NextLabel: "Fix all safe fixes",
			},
			st.review.Step(),
			apply.Step(),
		},
		Summary: func() fyne.CanvasObject { return st.summary() },
	}))
}

// fixesHead is the line above the review's fixes: how many, and how many are safe.
func fixesHead(n, safe int) string {
	switch {
	case n == 1 && safe == 1:
		return "1 fix, a safe one."
	case n == 1:
		return "1 fix, to weigh before you tick it."
	}
	return fmt.Sprintf("%d fixes, %d of them safe.", n, safe)
}

// choice is the first step: every customer or one, the integration's account, the profile. The
// customers are read in the background; until then the list is empty.
func (st *troubleshootState) choice() fyne.CanvasObject {
	if st.profiles == nil {
		st.profiles = st.svc.Profiles()
		if st.req.Profile == "" && len(st.profiles) > 0 {
			st.req.Profile = st.profiles[0]
		}
	}
	one := widget.NewSelect(st.customers, func(name string) { st.one = name })
	one.PlaceHolder = "Choose a customer"
	if st.one != "" {
		one.SetSelected(st.one)
	}
	count := paragraph("Reading your customers…")
	show := func() {
		one.Options = st.customers
		one.Refresh()
		switch len(st.customers) {
		case 1:
			count.SetText("You have GDAP relationships with one customer.")
		default:
			count.SetText(fmt.Sprintf("You have GDAP relationships with %d customers.", len(st.customers)))
		}
	}
	if st.customers != nil {
		show()
	} else {
		st.shell.background(2*time.Minute, func(ctx context.Context) func() {
			names, err := st.svc.Customers(ctx)
			return func() {
				if err != nil {
					count.SetText(explain.Sentence(err))
					return
				}
				st.customers = append([]string{}, names...)
				show()
			}
		})
	}
	scope := widget.NewRadioGroup([]string{"Every customer", "One customer"}, func(choice string) {
		st.all = choice != "One customer"
		if st.all {
			one.Disable()
		} else {
			one.Enable()
		}
	})
	if st.all {
		scope.SetSelected("Every customer")
	} else {
		scope.SetSelected("One customer")
	}
	service := widget.NewEntry()
	service.SetPlaceHolder("integration@yourpartner.onmicrosoft.com (optional)")
	service.SetText(st.req.ServiceAccount)
	service.OnChanged = func(text string) { st.req.ServiceAccount = strings.TrimSpace(text) }
	profile := widget.NewSelect(st.profiles, func(name string) { st.req.Profile = name })
	if st.req.Profile != "" {
		profile.SetSelected(st.req.Profile)
	}
	return container.NewVBox(
		count,
		scope, one,
		widget.NewForm(
			widget.NewFormItem("The integration's own account", st.wheel.Field(service)),
			widget.NewFormItem("Roles the integration needs", profile),
		),
		paragraph("If your integration signs in with an account of its own, name it: Onboard365 checks that account for risk too. "+
			"The GDAP check judges each customer's roles against the profile you choose."),
	)
}

func (st *troubleshootState) validateChoice() error {
	if err := app.CheckSignInName("the integration's account", st.req.ServiceAccount); err != nil {
		return err
	}
	st.req.Customer = ""
	if !st.all {
		if st.one == "" {
			return errors.New("choose the customer to check, or choose every customer")
		}
		st.req.Customer = st.one
	}
	return nil
}

// checklistSummary counts the customers of a result by status.
func checklistSummary(r TroubleshootResult) plan.Summary {
	var s plan.Summary
	for _, c := range r.Customers {
		s.Add(c.Status)
	}
	return s
}

// resultView is the partner tenant's checklist, then every customer in one table (ui/table.go):
// worst first, sortable, narrowed to the failing ones or by name, each line opening to its whole
// checklist; where a customer blocks the technician, the sign-in of its own administrator.
func (st *troubleshootState) resultView() fyne.CanvasObject {
	st.table = container.NewVBox()
	st.drawTable()
	return container.NewVBox(
		subheading("Your partner tenant"),
		st.partnerTable(),
		subheading("Your customers"),
		st.table,
	)
}

// partnerTable is the partner tenant's checks as a short table: a line per check, its paragraph
// on demand, so the customers' table starts on the first screen.
func (st *troubleshootState) partnerTable() fyne.CanvasObject {
	p := st.result.Partner
	rows := make([]tableRow, 0, len(p.Checks))
	for _, k := range p.Checks {
		k := k
		rows = append(rows, tableRow{Name: k.Title, Status: k.Status, Line: k.Sentence, Fix: fixFor(st.result.Plan, p.Name),
			Detail: func() fyne.CanvasObject { return checksView(TroubleshootChecklist{Checks: []TroubleshootCheck{k}}) }})
	}
	t := newCheckTable("checks", rows, &st.partnerView, nil, &st.wheel)
	t.first, t.bare = "Check", true
	return container.NewVBox(
		container.NewHBox(widget.NewIcon(statusIcon(p.Status)), statusWord(p.Status), widget.NewLabelWithStyle(p.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})),
		t.object())
}

func (st *troubleshootState) drawTable() {
	if st.table == nil {
		return
	}
	r := st.result
	rows := make([]tableRow, 0, len(r.Customers))
	for _, c := range r.Customers {
		c := c
		row := tableRow{Name: c.Name, Status: c.Status, Line: checksInBrief(c), Fix: fixFor(r.Plan, c.Name),
			Detail: func() fyne.CanvasObject { return checksView(c) }}
		below := container.NewVBox()
		if c.NeedsAdmin {
			if row.Fix == "" {
				row.Fix = "Sign in as " + c.Name + "'s administrator to read its policies"
			}
			panel := container.NewVBox()
			var b *widget.Button
			b = widget.NewButtonWithIcon("Sign in as "+c.Name+"'s administrator…", theme.LoginIcon(), func() {
				b.Disable()
				st.signInAdmin(c.Name, panel, b)
			})
			below.Add(container.NewHBox(b))
			below.Add(panel)
		}
		if c.AdminSignedIn {
			below.Add(withIcon(theme.InfoIcon(), "Read with the sign-in of "+c.Name+"'s own administrator, kept for this run only."))
		}
		if len(below.Objects) > 0 {
			row.Below = below
		}
		rows = append(rows, row)
	}
	table := newCheckTable("customers", rows, &st.view, st.exportButtons(), &st.wheel)
	st.table.Objects = []fyne.CanvasObject{
		paragraph(fmt.Sprintf("%s checked: %s.", words.Count(len(r.Customers), "customer"), counts(checklistSummary(r)))),
		table.object(),
	}
	st.table.Refresh()
}

// checksInBrief names the checks that do not pass, by outcome.
func checksInBrief(c TroubleshootChecklist) string {
	by := map[plan.Status][]string{}
	for _, k := range c.Checks {
		by[k.Status] = append(by[k.Status], k.Title)
	}
	var parts []string
	for _, s := range []struct {
		status plan.Status
		words  string
	}{
		{plan.Fail, "Fails"}, {plan.Warning, "Needs a look"}, {plan.CouldNotCheck, "Could not check"},
	} {
		if len(by[s.status]) > 0 {
			parts = append(parts, s.words+": "+strings.Join(by[s.status], ", ")+".")
		}
	}
	if len(parts) == 0 {
		return "Every check passes."
	}
	return strings.Join(parts, " ")
}

// checklistView shows one tenant's status and every check with its reason.
func checklistView(c TroubleshootChecklist) fyne.CanvasObject {
	head := widget.NewLabelWithStyle(c.Status.Word(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head.Importance = statusImportance(c.Status)
	name := widget.NewLabelWithStyle(c.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewVBox(container.NewHBox(widget.NewIcon(statusIcon(c.Status)), head, name), checksView(c))
}

// checksView is every check of a tenant with its outcome, reason and evidence.
func checksView(c TroubleshootChecklist) fyne.CanvasObject {
	box := container.NewVBox()
	for _, k := range c.Checks {
		title := widget.NewLabelWithStyle(k.Title+": "+k.Status.Word(), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		title.Importance = statusImportance(k.Status)
		lines := container.NewVBox(title, paragraph(k.Sentence))
		for _, d := range k.Details {
			lines.Add(paragraph("• " + d))
		}
		box.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(statusIcon(k.Status))), nil, lines))
	}
	return box
}

// signInAdmin signs one of a blocked customer's own administrators in, in the customer's row,
// then shows the customer's checks read with that sign-in.
func (st *troubleshootState) signInAdmin(customer string, panel *fyne.Container, button *widget.Button) {
	launch := newLaunchPanel(st.shell)
	launch.cancel = true // this sign-in runs outside a wizard step: it needs a Cancel of its own
	launch.note = "In the sandbox, every customer's administrator is admin@ and the customer's domain, for example " +
		"admin@litware.onmicrosoft.com, with the password \"sandbox\"."
	launch.status.SetText("Opening the sign-in for " + customer + "'s administrator…")
	panel.Objects = []fyne.CanvasObject{
		withIcon(theme.LoginIcon(), "Sign in with an account of "+customer+" itself: a Global Administrator, Conditional Access "+
			"Administrator or Security Administrator of "+customer+". Your partner account cannot: "+customer+"'s policy blocks it. "+
			"Onboard365 keeps this sign-in for this run only, never in the keychain."),
		launch.object(),
	}
	panel.Refresh()
	st.shell.background(10*time.Minute, func(ctx context.Context) func() {
		r, err := st.svc.SignInAsAdmin(ctx, st.result, customer, launch.show)
		return func() {
			if err != nil {
				// Said here, beside the button that tries again, in the colour of a problem.
				launch.reset()
				panel.Objects = []fyne.CanvasObject{problemLine(
					"The sign-in of "+customer+"'s administrator did not work. "+explain.Sentence(err),
					"Press the button above to sign in again as "+customer+"'s administrator.")}
				panel.Refresh()
				button.Enable()
				return
			}
			st.result = r
			st.review.Set(r.Plan)
			st.drawTable()
		}
	})
}

func (st *troubleshootState) summary() fyne.CanvasObject {
	return beforeAndNow(checklistSummary(st.before), checklistSummary(st.result),
		"A new GDAP relationship turns its customer to Pass once the customer's admin approves it, and app consent once "+
			"it is given (App registration); run the checks again then.",
		st.exportButtons())
}

// exportButtons save the result on screen as CSV or a printable HTML report.
func (st *troubleshootState) exportButtons() fyne.CanvasObject {
	return exportButtons(st.shell, func(format string, w io.Writer) error { return st.svc.Export(st.result, format, w) }, "troubleshoot")
}
