package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/ui/wizard"
)

// GDAP is what the GDAP relationships page needs from the rest of the app (internal/gdap and
// internal/roles, wired in cmd): check every customer against a role profile, plan fixes, apply
// the chosen ones, and export the verdicts.
type GDAP interface {
	// Profiles lists the role profiles to check against, built-in and the user's own.
	Profiles() []Profile
	// Check reads every customer and judges it against the profile.
	Check(ctx context.Context, profile string, progress func(done, total int)) ([]CustomerVerdict, error)
	// Plan lists the fixes for the last Check's problems; groupPattern names new groups, with
	// "{role}" for the role's name ("" for the default, "GDAP - {role}").
	Plan(profile, groupPattern string) []PlannedFix
	// Roles lists the roles a profile of one's own can be built from.
	Roles() []RoleChoice
	// SaveProfile keeps a profile of the user's own in the app's settings (not secret).
	SaveProfile(name string, roleIDs []string) error
	// Apply makes the chosen fixes (by id), one customer's failure never stopping the rest.
	Apply(ctx context.Context, fixIDs []string, progress func(done, total int)) []FixOutcome
	// Export writes the last Check's verdicts as "csv" or "html".
	Export(format string, w io.Writer) error
}

// Profile is a set of roles an integration needs.
type Profile struct {
	Name, Description string
	Roles             []string // role names, for the person to read
}

// Verdict statuses, worst first.
const (
	StatusFail          = "Fail"
	StatusCouldNotCheck = "Could not check"
	StatusWarning       = "Warning"
	StatusPass          = "Pass"
)

// CustomerVerdict is the outcome for one customer.
type CustomerVerdict struct {
	Customer string
	Status   string   // one of the Status constants
	Sentence string   // what is wrong (or right), in plain words
	Problems []string // one sentence per problem
}

// RoleChoice is one Entra role to tick when building a profile.
type RoleChoice struct {
	ID, Name, Allows, Risk string
}

// PlannedFix is one change the app proposes: What says what it changes and why, in one sentence.
type PlannedFix struct {
	ID, Customer, What string
}

// FixOutcome says how one fix went.
type FixOutcome struct {
	ID, Customer, Sentence string
	Done                   bool
	ApprovalLink           string // for a new relationship: the link the customer's admin must open
	MailText               string // a ready-to-send message with that link
}

func statusRank(s string) int {
	switch s {
	case StatusFail:
		return 0
	case StatusCouldNotCheck:
		return 1
	case StatusWarning:
		return 2
	}
	return 3
}

// gdapPage is the GDAP relationships wizard.
func (s *Shell) gdapPage() fyne.CanvasObject {
	if s.opts.GDAP == nil {
		return taskPage(gdapTask)
	}
	st := &gdapState{svc: s.opts.GDAP, shell: s}
	return readable(st.wizard().Object())
}

type gdapState struct {
	svc   GDAP
	shell *Shell

	profile  string
	pattern  string // how new groups are named
	byName   bool   // sort the verdicts by name rather than worst first
	verdicts []CustomerVerdict
	before   []CustomerVerdict
	fixes    []PlannedFix
	chosen   map[string]bool
	outcomes []FixOutcome
	filter   string
}

func (st *gdapState) wizard() *wizard.Wizard {
	profiles := st.svc.Profiles()
	if len(profiles) > 0 {
		st.profile = profiles[0].Name
	}
	st.pattern = "GDAP - {role}"
	var w *wizard.Wizard
	w = wizard.New(st.shell.wizardConfig(wizard.Config{
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
						widget.NewForm(widget.NewFormItem("Name new groups like", pattern)),
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
					v, err := st.svc.Check(ctx, st.profile, func(done, total int) {
						report(wizard.Progress{Done: done, Total: total, Message: fmt.Sprintf("Read %d of %d relationships…", done, total)})
					})
					if err != nil {
						return err
					}
					st.verdicts, st.before = v, v
					st.fixes = st.svc.Plan(st.profile, st.pattern)
					st.chosen = map[string]bool{}
					for _, f := range st.fixes {
						st.chosen[f.ID] = true
					}
					return nil
				},
				Content: func() fyne.CanvasObject { return st.verdictView() },
				Validate: func() error {
					if len(st.fixes) == 0 {
						return errors.New("there is nothing Onboard365 can fix for this profile; export the report if you need it for your records")
					}
					return nil
				},
				NextLabel: "Review the fixes",
			},
			{
				Title:   "Review the fixes",
				Intro:   "Here is every change Onboard365 would make, and why. Untick what you do not want. Nothing changes until you press Apply.",
				Content: func() fyne.CanvasObject { return st.fixList() },
				Validate: func() error {
					if len(st.chosenIDs()) == 0 {
						return errors.New("tick at least one fix, or press Cancel to leave everything as it is")
					}
					return nil
				},
				NextLabel: "Apply the ticked fixes",
			},
			{
				Title: "Apply and check again",
				Intro: "Onboard365 makes the ticked changes, then reads every customer again to show what is true now.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					ids := st.chosenIDs()
					st.outcomes = st.svc.Apply(ctx, ids, func(done, total int) {
						report(wizard.Progress{Done: done, Total: total, Message: fmt.Sprintf("Applied %d of %d fixes…", done, total)})
					})
					report(wizard.Progress{Message: "Reading every customer again…"})
					v, err := st.svc.Check(ctx, st.profile, func(done, total int) {
						report(wizard.Progress{Done: done, Total: total, Message: fmt.Sprintf("Read %d of %d relationships again…", done, total)})
					})
					if err != nil {
						return err
					}
					st.verdicts = v
					return nil
				},
				Content:   func() fyne.CanvasObject { return st.outcomeView() },
				NextLabel: "Finish",
			},
		},
		Summary: func() fyne.CanvasObject { return st.summary() },
		// Leaving the review (step 3) throws away the ticked fixes: ask first.
		Unsaved: func() bool { return w.Current() == 2 && len(st.chosenIDs()) > 0 },
	}))
	return w
}

func (st *gdapState) chosenIDs() []string {
	var ids []string
	for _, f := range st.fixes {
		if st.chosen[f.ID] {
			ids = append(ids, f.ID)
		}
	}
	return ids
}

// counts says how many customers have each status.
func counts(v []CustomerVerdict) string {
	n := map[string]int{}
	for _, x := range v {
		n[x.Status]++
	}
	return fmt.Sprintf("%d pass, %d fail, %d with a warning, %d could not be checked",
		n[StatusPass], n[StatusFail], n[StatusWarning], n[StatusCouldNotCheck])
}

// verdictView is the table of customers, worst first, with a name filter and the export buttons.
func (st *gdapState) verdictView() fyne.CanvasObject {
	rows := container.NewVBox()
	draw := func() {
		rows.RemoveAll()
		shown := 0
		for _, v := range sortedVerdicts(st.verdicts, st.byName) {
			if st.filter != "" && !strings.Contains(strings.ToLower(v.Customer), strings.ToLower(st.filter)) {
				continue
			}
			rows.Add(verdictRow(v))
			shown++
		}
		if shown == 0 {
			rows.Add(paragraph("No customer matches the filter."))
		}
	}
	filter := widget.NewEntry()
	filter.SetPlaceHolder("Filter by customer name")
	filter.SetText(st.filter)
	filter.OnChanged = func(text string) { st.filter = text; draw() }
	sortBy := widget.NewSelect([]string{"Worst first", "By name"}, func(choice string) {
		st.byName = choice == "By name"
		draw()
	})
	if st.byName {
		sortBy.SetSelected("By name")
	} else {
		sortBy.SetSelected("Worst first")
	}
	draw()
	return container.NewVBox(
		paragraph(fmt.Sprintf("%d customers checked: %s.", len(st.verdicts), counts(st.verdicts))),
		container.NewBorder(nil, nil, nil, container.NewHBox(sortBy, st.exportButtons()), filter),
		rows,
	)
}

func sortedVerdicts(v []CustomerVerdict, byName bool) []CustomerVerdict {
	out := append([]CustomerVerdict(nil), v...)
	sort.SliceStable(out, func(i, j int) bool {
		if ri, rj := statusRank(out[i].Status), statusRank(out[j].Status); ri != rj && !byName {
			return ri < rj
		}
		return strings.ToLower(out[i].Customer) < strings.ToLower(out[j].Customer)
	})
	return out
}

func verdictRow(v CustomerVerdict) fyne.CanvasObject {
	icon := theme.ConfirmIcon()
	importance := widget.SuccessImportance
	switch v.Status {
	case StatusFail:
		icon, importance = theme.ErrorIcon(), widget.DangerImportance
	case StatusCouldNotCheck:
		icon, importance = theme.QuestionIcon(), widget.WarningImportance
	case StatusWarning:
		icon, importance = theme.WarningIcon(), widget.WarningImportance
	}
	status := widget.NewLabelWithStyle(v.Status, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	status.Importance = importance
	name := widget.NewLabelWithStyle(v.Customer, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	lines := container.NewVBox(container.NewHBox(widget.NewIcon(icon), status, name))
	for _, p := range v.Problems {
		lines.Add(paragraph("• " + p))
	}
	if len(v.Problems) == 0 && v.Sentence != "" {
		lines.Add(paragraph(v.Sentence))
	}
	return container.NewVBox(lines, widget.NewSeparator())
}

func (st *gdapState) fixList() fyne.CanvasObject {
	list := container.NewVBox(paragraph(fmt.Sprintf("%d fixes for %s.", len(st.fixes), st.profile)))
	for _, f := range st.fixes {
		f := f
		// The check box has no text of its own: a check's text does not wrap, and a long one
		// would widen the page past the window.
		check := widget.NewCheck("", func(on bool) { st.chosen[f.ID] = on })
		check.SetChecked(st.chosen[f.ID])
		customer := widget.NewLabelWithStyle(f.Customer, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		list.Add(container.NewBorder(nil, nil, container.NewVBox(check), nil, container.NewVBox(customer, paragraph(f.What))))
		list.Add(widget.NewSeparator())
	}
	return list
}

func (st *gdapState) outcomeView() fyne.CanvasObject {
	done := 0
	body := container.NewVBox()
	for _, o := range st.outcomes {
		icon := theme.ConfirmIcon()
		if o.Done {
			done++
		} else {
			icon = theme.ErrorIcon()
		}
		body.Add(withIcon(icon, o.Customer+": "+o.Sentence))
		if o.ApprovalLink != "" {
			body.Add(copyable("Approval link for the customer's admin", o.ApprovalLink))
		}
		if o.MailText != "" {
			body.Add(copyable("A message you can send", o.MailText))
		}
	}
	head := paragraph(fmt.Sprintf("%d of %d fixes applied. Now: %s.", done, len(st.outcomes), counts(st.verdicts)))
	return container.NewVBox(head, body, subheading("What is true now"), st.verdictView())
}

// copyable shows a text with a Copy button.
func copyable(label, text string) fyne.CanvasObject {
	entry := widget.NewMultiLineEntry()
	entry.SetText(text)
	entry.Wrapping = fyne.TextWrapWord
	if !strings.Contains(text, "\n") {
		entry.MultiLine = false
	}
	copyButton := widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		fyne.CurrentApp().Clipboard().SetContent(text)
	})
	return container.NewVBox(widget.NewLabel(label), container.NewBorder(nil, nil, nil, copyButton, entry))
}

func (st *gdapState) summary() fyne.CanvasObject {
	return container.NewVBox(
		paragraph("Before: "+counts(st.before)+"."),
		paragraph("Now: "+counts(st.verdicts)+"."),
		paragraph("Relationships that need the customer's approval turn to Pass once their admin approves the link; run this check again then."),
		container.NewHBox(st.exportButtons()),
	)
}

// exportButtons save the verdicts as CSV or a printable HTML report.
func (st *gdapState) exportButtons() fyne.CanvasObject {
	return exportButtons(st.shell, st.svc.Export, "gdap-check")
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
			dialog.ShowInformation("The profile was not saved", wizard.Sentence(err), win)
			return
		}
		saved(strings.TrimSpace(name.Text))
	}, win)
	d.Show()
}
