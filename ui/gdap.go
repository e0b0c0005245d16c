package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/words"
	"github.com/onboard365/onboard365/ui/wizard"
)

// GDAP is what the GDAP relationships page needs from the rest of the app (internal/app's GDAP):
// check every customer against a role profile (the check plans the fixes too), apply the fixes
// of the reviewed plan, and export a check.
type GDAP interface {
	// Profiles lists the role profiles to check against, built-in and the user's own.
	Profiles() []Profile
	// Check reads every customer, judges it against the request's profile and plans the fixes.
	Check(ctx context.Context, req GDAPRequest, progress func(done, total int)) (GDAPResult, error)
	// Roles lists the roles a profile of one's own can be built from.
	Roles() []RoleChoice
	// SaveProfile keeps a profile of the user's own in the app's settings (not secret).
	SaveProfile(name string, roleIDs []string) error
	// Apply makes the fixes of the plan it is given (the reviewed one).
	wizard.Applier
	// Export writes a check's verdicts as "csv" or "html".
	Export(r GDAPResult, format string, w io.Writer) error
}

// What the GDAP page shows, as internal/app computes it.
type (
	Profile         = app.Profile
	RoleChoice      = app.RoleChoice
	GDAPRequest     = app.GDAPRequest
	GDAPResult      = app.GDAPResult
	CustomerVerdict = app.GDAPVerdict
)

// gdapPage is the GDAP relationships wizard.
func (s *Shell) gdapPage() fyne.CanvasObject {
	if s.opts.GDAP == nil {
		return taskPage(gdapTask)
	}
	st := &gdapState{svc: s.opts.GDAP, shell: s}
	return wide(st.wizard().Object())
}

type gdapState struct {
	wheel wizard.Wheel // the mouse wheel over the page's fields scrolls the page
	svc   GDAP
	shell *Shell

	profile string
	pattern string    // how new groups are named
	table   tableView // how the person sorts and narrows the table
	result  GDAPResult
	before  GDAPResult
	review  *wizard.Review
}

func (st *gdapState) wizard() *wizard.Wizard {
	profiles := st.svc.Profiles()
	if len(profiles) > 0 {
		st.profile = profiles[0].Name
	}
	st.pattern = "GDAP - {role}"
	st.review = &wizard.Review{
		Title: "Review the fixes",
		Intro: "Here is every change Onboard365 would make, and why. Untick what you do not want. Nothing changes until you press Apply.",
		Head: func(p plan.Plan) string {
			return fmt.Sprintf("%s for %s.", words.Count(len(p.Fixes), "fix"), st.profile)
		},
		NextLabel: "Apply the ticked fixes",
	}
	apply := &wizard.Apply{
		Title:  "Apply and check again",
		Intro:  "Onboard365 makes the ticked changes, then reads every customer again to show what is true now.",
		Review: st.review,
		Apply:  st.svc.Apply,
		Recheck: func(ctx context.Context, report func(wizard.Progress)) error {
			report(wizard.Progress{Message: "Reading every customer again…"})
			r, err := st.svc.Check(ctx, st.request(), func(done, total int) {
				report(wizard.Progress{Done: done, Total: total, Message: fmt.Sprintf("Read %d of %s again…", done, words.Count(total, "relationship"))})
			})
			if err != nil {
				return err
			}
			st.result = r
			return nil
		},
		Head: func(o []plan.Outcome) string {
			done, _ := plan.Count(o)
			return fmt.Sprintf("%d of %s applied. Now: %s.", done, words.Count(len(o), "fix"), counts(verdictSummary(st.result.Verdicts)))
		},
		Now:       st.verdictView,
		NextLabel: "Finish",
	}
	return wizard.New(st.shell.wizardConfig(wizard.Config{
		Wheel: &st.wheel,
		Title: "GDAP relationships",
		Steps: []wizard.Step{
			{
				Title: "Choose the role profile",
				Intro: "Which integration must your technicians' GDAP access serve? Each profile is the set of roles it needs; a customer passes when every role is granted to a group the signed-in technician is in.",
				Content: func() fyne.CanvasObject {
					names := make([]string, len(profiles))
					for i, p := range profiles {
						names[i] = p.Name
					}
					detail := paragraph("")
					show := func(name string) {
						for _, p := range profiles {
							if p.Name == name {
								detail.SetText(p.Description + "\n\nRoles: " + strings.Join(p.Roles, ", ") + ".")
							}
						}
					}
					choice := widget.NewRadioGroup(names, func(name string) { st.profile = name; show(name) })
					choice.SetSelected(st.profile)
					show(st.profile)
					build := widget.NewButtonWithIcon("Build a profile of your own…", theme.ContentAddIcon(), func() {
						st.buildProfile(func(name string) {
							profiles = st.svc.Profiles()
							names = names[:0]
							for _, p := range profiles {
								names = append(names, p.Name)
							}
							choice.Options = names
							choice.SetSelected(name)
						})
					})
					pattern := widget.NewEntry()
					pattern.SetText(st.pattern)
					pattern.OnChanged = func(text string) { st.pattern = text }
					return container.NewVBox(choice, container.NewHBox(build), detail,
						widget.NewForm(widget.NewFormItem("Name new groups like", st.wheel.Field(pattern))),
						paragraph("When a role needs a group of its own, Onboard365 creates one with this name; {role} stands for the role's name."))
				},
				Validate: func() error {
					if st.profile == "" {
						return errors.New("choose a role profile first")
					}
					if !strings.Contains(st.pattern, "{role}") {
						return errors.New("the name for new groups must hold {role}, so that each role's group has its own name")
					}
					return nil
				},
				NextLabel: "Check every customer",
			},
			{
				Title: "Check every customer",
				Intro: "Onboard365 reads every customer's relationships, the roles they grant, and the groups those roles are bound to. Nothing is changed.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					r, err := st.svc.Check(ctx, st.request(), func(done, total int) {
						report(wizard.Progress{Done: done, Total: total, Message: fmt.Sprintf("Read %d of %s…", done, words.Count(total, "relationship"))})
					})
					if err != nil {
						return err
					}
					st.result, st.before = r, r
					st.review.Set(r.Plan)
					return nil
				},
				Content: func() fyne.CanvasObject { return st.verdictView() },
				Validate: func() error {
					if len(st.review.Current().Fixes) == 0 {
						return wizard.Note("there is nothing Onboard365 can fix for this profile; export the report if you need it for your records")
					}
					return nil
				},
				NextLabel: "Review the fixes",
			},
			st.review.Step(),
			apply.Step(),
		},
		Summary: func() fyne.CanvasObject { return st.summary() },
	}))
}

func (st *gdapState) request() GDAPRequest {
	return GDAPRequest{Profile: st.profile, GroupPattern: st.pattern}
}

// verdictSummary counts the verdicts by status.
func verdictSummary(vs []CustomerVerdict) plan.Summary {
	var s plan.Summary
	for _, v := range vs {
		s.Add(v.Status)
	}
	return s
}

// verdictView is the table of customers (ui/table.go): worst first, sortable, narrowed to the
// failing ones or by name, each line opening to its problems; with the export buttons, and what
// the GDAP check covers and what it does not.
func (st *gdapState) verdictView() fyne.CanvasObject {
	rows := make([]tableRow, 0, len(st.result.Verdicts))
	for _, v := range st.result.Verdicts {
		v := v
		line := v.Sentence
		if len(v.Problems) > 0 {
			line = v.Problems[0]
			if len(v.Problems) > 1 {
				line += fmt.Sprintf(" (and %d more)", len(v.Problems)-1)
			}
		}
		rows = append(rows, tableRow{Name: v.Customer, Status: v.Status, Line: line, Fix: fixFor(st.result.Plan, v.Customer),
			Detail: func() fyne.CanvasObject { return st.verdictDetail(v) }})
	}
	table := newCheckTable("customers", rows, &st.table, st.exportButtons(), &st.wheel)
	return container.NewVBox(
		paragraph(fmt.Sprintf("%s checked: %s.", words.Count(len(st.result.Verdicts), "customer"), counts(verdictSummary(st.result.Verdicts)))),
		table.object(),
		noteLine(app.GDAPCovers),
		container.NewHBox(st.shell.goButton(`Troubleshoot "400" errors`, PageTroubleshoot), st.shell.goButton("App registration (consent)", PageAppRegistry)),
	)
}

// verdictDetail is one customer's whole verdict: every problem, or why it passes; under a failing
// customer's problems, "Onboard…" opens the onboarding wizard for it, which sends one request with
// the roles of every template chosen there.
func (st *gdapState) verdictDetail(v CustomerVerdict) fyne.CanvasObject {
	lines := container.NewVBox()
	for _, p := range v.Problems {
		lines.Add(paragraph("• " + p))
	}
	if len(v.Problems) == 0 && v.Sentence != "" {
		lines.Add(paragraph(v.Sentence))
	}
	if v.Status == plan.Fail && st.shell.opts.Onboard != nil && v.TenantID != "" {
		lines.Add(container.NewHBox(widget.NewButtonWithIcon("Onboard…", theme.ContentAddIcon(), func() {
			st.shell.OnboardCustomer(v.TenantID, v.Customer, st.profile)
		})))
	}
	return lines
}

func (st *gdapState) summary() fyne.CanvasObject {
	return beforeAndNow(verdictSummary(st.before.Verdicts), verdictSummary(st.result.Verdicts),
		"Relationships that need the customer's approval turn to Pass once their admin approves the link; run this check again then.",
		st.exportButtons())
}

// exportButtons save the verdicts on screen as CSV or a printable HTML report.
func (st *gdapState) exportButtons() fyne.CanvasObject {
	return exportButtons(st.shell, func(format string, w io.Writer) error { return st.svc.Export(st.result, format, w) }, "gdap-check")
}

// buildProfile asks for a name and the roles of a profile of the user's own, and saves it.
func (st *gdapState) buildProfile(saved func(name string)) {
	win := st.shell.window()
	if win == nil {
		return
	}
	name := widget.NewEntry()
	name.SetPlaceHolder("For example: Our RMM")
	chosen := map[string]bool{}
	list := container.NewVBox()
	for _, r := range st.svc.Roles() {
		r := r
		check := widget.NewCheck("", func(on bool) { chosen[r.ID] = on })
		text := paragraph(r.Name + " (" + r.Risk + " risk): " + r.Allows)
		list.Add(container.NewBorder(nil, nil, container.NewVBox(check), nil, text))
	}
	scroll := container.NewVScroll(list)
	scroll.SetMinSize(fyne.NewSize(560, 320))
	problem := paragraph("")
	problem.Importance = widget.DangerImportance
	content := container.NewBorder(widget.NewForm(widget.NewFormItem("Name", name)), problem, nil, nil, scroll)
	var d dialog.Dialog
	d = dialog.NewCustomConfirm("Build a profile of your own", "Save", "Cancel", content, func(ok bool) {
		if !ok {
			return
		}
		var ids []string
		for _, r := range st.svc.Roles() {
			if chosen[r.ID] {
				ids = append(ids, r.ID)
			}
		}
		if err := st.svc.SaveProfile(strings.TrimSpace(name.Text), ids); err != nil {
			dialog.ShowInformation("The profile was not saved", explain.Sentence(err), win)
			return
		}
		saved(strings.TrimSpace(name.Text))
	}, win)
	d.Show()
}
