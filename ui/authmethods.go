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
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/words"
	"github.com/onboard365/onboard365/ui/wizard"
)

// Authenticator is what the "Authenticator default method" page needs from the rest of the app
// (internal/app's Authenticator): find the users of a tenant whose default MFA method is not a
// Microsoft Authenticator notification, plan the switch of the chosen ones, and apply the plan.
type Authenticator interface {
	// Tenants lists where the wizard can work: the partner's own tenant first (ID ""), then
	// every customer.
	Tenants(ctx context.Context) ([]Tenant, error)
	// Check runs the pre-checks for one tenant: Entra ID P1, and roles to read and change.
	Check(ctx context.Context, t Tenant) (AccessCheck, error)
	// ReadUsers reads every user's sign-in methods in the tenant and sorts them into groups.
	ReadUsers(ctx context.Context, t Tenant, progress func(read int)) (UserList, error)
	// FindUsers looks up only the users named in text (sign-in names, one or several).
	FindUsers(ctx context.Context, t Tenant, text string) (UserList, error)
	// Plan is the change for each chosen user (by id) of a list.
	Plan(list UserList, userIDs []string) plan.Plan
	// Apply makes the fixes of the plan it is given (the reviewed one).
	wizard.Applier
	// Instructions is the text that tells a user of the list's tenant how to set up Microsoft
	// Authenticator.
	Instructions(list UserList) string
	// ExportInstructions writes the instructions as a printable page for each user of the list
	// who must set up Authenticator themselves.
	ExportInstructions(list UserList, w io.Writer) error
}

// What the Authenticator page shows, as internal/app computes it.
type (
	Tenant      = app.Tenant
	AccessCheck = app.AccessCheck
	UserList    = app.UserList
	GroupCount  = app.GroupCount
	UserRow     = app.UserRow
)

// maxRows is how many users (or customers) a page lists at once; search narrows the rest. A
// widget costs memory, and a list of thousands would cost tens of megabytes.
const maxRows = 150

// Filters of the user list, and whose users the wizard reads.
const (
	showAttention = "Users who need attention"
	showEveryone  = "Every user"
	modeEveryone  = "Every user in the tenant"
	modeNamed     = "Only the users I name"
)

// authenticatorPage is the "Authenticator default method" wizard.
func (s *Shell) authenticatorPage() fyne.CanvasObject {
	if s.opts.Authenticator == nil {
		return taskPage(authenticatorTask)
	}
	st := &authState{svc: s.opts.Authenticator, shell: s, show: showAttention}
	obj := wide(st.wizard().Object())
	st.loadTenants()
	return obj
}

type authState struct {
	wheel wizard.Wheel // the mouse wheel over the page's fields scrolls the page
	svc   Authenticator
	shell *Shell

	tenants    []Tenant
	tenantsErr error
	loading    bool

	tenant   Tenant
	chosen   bool
	check    *AccessCheck
	checkErr error
	checking bool

	onlyNamed bool
	names     string

	list    UserList
	listKey string // tenant and names the list is for, to keep ticks when coming back to it
	ticked  map[string]bool
	applied bool
	search  string
	show    string
	review  *wizard.Review
	apply   *wizard.Apply

	step1       *fyne.Container // the first step's body, redrawn as the tenants and the checks arrive
	rows        *fyne.Container // the user list, redrawn as the search changes
	tickedLabel *widget.Label   // how many users are ticked
}

func (st *authState) wizard() *wizard.Wizard {
	st.step1 = container.NewVBox()
	st.review = &wizard.Review{
		Title: "Review the changes",
		Intro: "Here is every change Onboard365 would make, and why. Nothing changes until you press Apply.",
		Plan:  func() plan.Plan { return st.svc.Plan(st.list, st.tickedIDs()) },
		Head: func(p plan.Plan) string {
			return fmt.Sprintf("%s in %s will default to a Microsoft Authenticator notification. "+
				"Microsoft sends their next verification request to the app. Nothing else about them changes.", words.Count(len(p.Fixes), "user"), st.tenant.Name)
		},
		Empty:     "there is no change to make: go back and tick a user who can be switched",
		MaxShown:  maxRows,
		NextLabel: "Apply the changes",
	}
	st.apply = &wizard.Apply{
		Title:  "Apply and read again",
		Intro:  "Onboard365 switches each ticked user to Authenticator notifications, then reads each of them again to show what is true now.",
		Review: st.review,
		Apply: func(ctx context.Context, p plan.Plan, progress func(done, total int)) []plan.Outcome {
			defer func() { st.applied = true }()
			return st.svc.Apply(ctx, p, progress)
		},
		Starting: func(n int) string { return "Switching " + words.Count(n, "user") + "…" },
		Applying: func(done, total int) string {
			return fmt.Sprintf("Switched %d of %s; each is read again at the end…", done, words.Count(total, "user"))
		},
		Head: func(o []plan.Outcome) string {
			done, push := plan.Count(o)
			return fmt.Sprintf("%d of %s switched. Read again, %d now %s to a Microsoft Authenticator notification.", done, words.Count(len(o), "user"), push, words.Plural(push, "defaults", "default"))
		},
		MaxShown:  maxRows,
		Verified:  true,
		NextLabel: "Finish",
	}
	return wizard.New(st.shell.wizardConfig(wizard.Config{
		Wheel: &st.wheel,
		Title: "Authenticator default method",
		Steps: []wizard.Step{
			{
				Title: "Choose the tenant",
				Intro: "Choose whose users to look at. Onboard365 first checks that the tenant has Entra ID P1 and that your GDAP access can read and change sign-in methods there.",
				Content: func() fyne.CanvasObject {
					st.drawStep1()
					return st.step1
				},
				Validate:  st.validateStep1,
				NextLabel: "Read the users",
			},
			{
				Title: "Read the users",
				Intro: "Onboard365 reads every user's sign-in methods from Microsoft's report and sorts them into groups. Nothing is changed.",
				Work:  st.readUsers,
				Content: func() fyne.CanvasObject {
					return st.userView()
				},
				Validate: func() error {
					if len(st.tickedIDs()) == 0 {
						if st.countFixable() == 0 {
							return wizard.Note("there is nobody Onboard365 can switch: everyone listed already uses Authenticator or must act themselves (see the instructions)")
						}
						return errors.New("tick at least one user to switch, or press Cancel to leave everything as it is")
					}
					return nil
				},
				NextLabel: "Review the changes",
			},
			st.review.Step(),
			st.apply.Step(),
		},
		Summary: func() fyne.CanvasObject { return st.summary() },
	}))
}

// loadTenants reads the partner's customers off the UI goroutine.
func (st *authState) loadTenants() {
	if st.loading {
		return
	}
	st.loading, st.tenantsErr = true, nil
	st.drawStep1()
	st.shell.background(2*time.Minute, func(ctx context.Context) func() {
		tenants, err := st.svc.Tenants(ctx)
		return func() {
			st.loading = false
			st.tenants, st.tenantsErr = tenants, err
			st.drawStep1()
		}
	})
}

// choose picks a tenant and checks it off the UI goroutine.
func (st *authState) choose(t Tenant) {
	st.tenant, st.chosen = t, true
	st.check, st.checkErr, st.checking = nil, nil, true
	st.drawStep1()
	st.shell.background(time.Minute, func(ctx context.Context) func() {
		c, err := st.svc.Check(ctx, t)
		return func() {
			if st.tenant.ID != t.ID { // the person chose another tenant meanwhile
				return
			}
			st.checking = false
			st.check, st.checkErr = &c, err
			if err != nil {
				st.check = nil
			}
			st.drawStep1()
		}
	})
}

func (st *authState) drawStep1() {
	if st.step1 == nil {
		return
	}
	st.step1.RemoveAll()
	switch {
	case st.loading:
		st.step1.Add(withIcon(theme.SearchIcon(), "Reading your customers…"))
		st.step1.Refresh()
		return
	case st.tenantsErr != nil:
		st.step1.Add(withIcon(theme.ErrorIcon(), "Onboard365 could not list your customers. "+explain.Sentence(st.tenantsErr)))
		st.step1.Add(container.NewHBox(widget.NewButtonWithIcon("Try again", theme.ViewRefreshIcon(), st.loadTenants)))
		st.step1.Refresh()
		return
	}
	names := make([]string, len(st.tenants))
	for i, t := range st.tenants {
		names[i] = t.Name
	}
	pick := widget.NewSelect(names, func(name string) {
		for _, t := range st.tenants {
			if t.Name == name && (!st.chosen || t.ID != st.tenant.ID) {
				st.choose(t)
				return
			}
		}
	})
	pick.PlaceHolder = "Choose a customer, or your partner tenant"
	if st.chosen {
		pick.Selected = st.tenant.Name
	}
	st.step1.Add(widget.NewForm(widget.NewFormItem("Tenant", pick)))

	switch {
	case st.checking:
		st.step1.Add(withIcon(theme.SearchIcon(), "Checking "+st.tenant.Name+"…"))
	case st.checkErr != nil:
		st.step1.Add(withIcon(theme.ErrorIcon(), "The checks could not run. "+explain.Sentence(st.checkErr)))
		st.step1.Add(container.NewHBox(widget.NewButtonWithIcon("Check again", theme.ViewRefreshIcon(), func() { st.choose(st.tenant) })))
	case st.check != nil:
		for _, s := range st.check.Stops {
			st.step1.Add(withIcon(theme.ErrorIcon(), s))
		}
		if st.check.OK {
			st.step1.Add(withIcon(theme.ConfirmIcon(), "Ready: "+st.tenant.Name+" passed the checks."))
		}
		for _, n := range st.check.Notes {
			st.step1.Add(withIcon(theme.InfoIcon(), n))
		}
		if st.check.NeedsGDAP {
			st.step1.Add(container.NewHBox(widget.NewButtonWithIcon("Open GDAP relationships", theme.NavigateNextIcon(), func() { st.shell.Show(PageGDAP) })))
		}
	}

	mode := widget.NewRadioGroup([]string{modeEveryone, modeNamed}, func(choice string) {
		if named := choice == modeNamed; named != st.onlyNamed {
			st.onlyNamed = named
			st.drawStep1()
		}
	})
	mode.Selected = modeEveryone
	if st.onlyNamed {
		mode.Selected = modeNamed
	}
	st.step1.Add(subheading("Whose default method"))
	st.step1.Add(mode)
	if st.onlyNamed {
		names := widget.NewMultiLineEntry()
		names.SetPlaceHolder("Sign-in names, one per line or separated by commas, for example pat@contoso.com")
		names.SetText(st.names)
		names.Wrapping = fyne.TextWrapWord
		names.SetMinRowsVisible(3)
		names.OnChanged = func(text string) { st.names = text }
		st.step1.Add(st.wheel.Field(names))
		st.step1.Add(paragraph("Useful for a ticket about one person: only these users are read, which is quicker on a large tenant."))
	}
	st.step1.Refresh()
}

func (st *authState) validateStep1() error {
	switch {
	case st.loading:
		return errors.New("wait a moment: Onboard365 is still reading your customers")
	case !st.chosen:
		return errors.New("choose a customer, or your partner tenant, first")
	case st.checking:
		return errors.New("wait a moment: Onboard365 is still checking " + st.tenant.Name)
	case st.checkErr != nil:
		return errors.New("the checks of " + st.tenant.Name + " could not run; press Check again")
	case st.check == nil:
		return errors.New("choose the tenant again so that Onboard365 can check it")
	case !st.check.OK:
		return errors.New(strings.TrimSuffix(strings.Join(st.check.Stops, " "), "."))
	case st.onlyNamed && strings.TrimSpace(st.names) == "":
		return errors.New("type the sign-in name of at least one user, such as pat@contoso.com, or choose every user in the tenant")
	case st.onlyNamed:
		return app.CheckSignInNames("the user", st.names) // said here, where the names were typed
	}
	return nil
}

func (st *authState) readUsers(ctx context.Context, report func(wizard.Progress)) error {
	var (
		list UserList
		err  error
		key  = st.tenant.ID + "\x00" + fmt.Sprint(st.onlyNamed) + "\x00" + st.names
	)
	if st.onlyNamed {
		report(wizard.Progress{Message: "Looking up the users you named…"})
		list, err = st.svc.FindUsers(ctx, st.tenant, st.names)
	} else {
		report(wizard.Progress{Message: "Reading the sign-in methods of " + st.tenant.Name + "'s users…"})
		list, err = st.svc.ReadUsers(ctx, st.tenant, func(read int) {
			report(wizard.Progress{Message: "Read " + words.Count(read, "user") + "…"})
		})
	}
	if err != nil {
		return err
	}
	// Coming back to the same list keeps the person's ticks, unless changes were applied since.
	keep := key == st.listKey && !st.applied && st.ticked != nil
	ticked := map[string]bool{}
	for _, u := range list.Users {
		if keep {
			ticked[u.ID] = st.ticked[u.ID] && u.CanFix
		} else {
			ticked[u.ID] = u.Ticked && u.CanFix
		}
	}
	if !keep { // a new list starts with the users who need attention
		st.search, st.show = "", showAttention
	}
	st.list, st.listKey, st.ticked, st.applied = list, key, ticked, false
	return nil
}

func (st *authState) tickedIDs() []string {
	var ids []string
	for _, u := range st.list.Users {
		if st.ticked[u.ID] && u.CanFix {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

func (st *authState) countFixable() int {
	n := 0
	for _, u := range st.list.Users {
		if u.CanFix {
			n++
		}
	}
	return n
}

// groupsLine says how many users each group has.
func groupsLine(gs []GroupCount) string {
	var parts []string
	total := 0
	for _, g := range gs {
		total += g.Count
		if g.Count > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d", g.Group, g.Count))
		}
	}
	if total == 0 {
		return "No users."
	}
	return fmt.Sprintf("%s. %s.", words.Count(total, "user"), strings.Join(parts, "; "))
}

// userView is the list of users with their groups, a search, a group filter, and the
// instructions for users who must act themselves.
func (st *authState) userView() fyne.CanvasObject {
	body := container.NewVBox(paragraph(st.tenant.Name + ": " + groupsLine(st.list.Groups)))
	for _, p := range st.list.Problems {
		body.Add(withIcon(theme.WarningIcon(), p))
	}
	setUp := 0
	for _, u := range st.list.Users {
		if u.NeedsSetUp {
			setUp++
		}
	}
	if setUp > 0 {
		body.Add(card(theme.ColorNamePrimary, widget.NewIcon(theme.InfoIcon()),
			paragraph(fmt.Sprintf("%d of these users must set up Microsoft Authenticator themselves: Microsoft lets nobody else do it. "+
				"Give them the instructions; once they have done it, run this wizard again.", setUp)),
			container.NewHBox(
				widget.NewButtonWithIcon("Copy the instructions", theme.ContentCopyIcon(), func() {
					fyne.CurrentApp().Clipboard().SetContent(st.svc.Instructions(st.list))
				}),
				widget.NewButtonWithIcon("Save them for printing…", theme.DocumentPrintIcon(), st.saveInstructions),
			)))
	}

	search := widget.NewEntry()
	search.SetPlaceHolder("Search by name or sign-in name")
	search.SetText(st.search)
	search.OnChanged = func(text string) { st.search = text; st.drawRows() }
	options := []string{showAttention, showEveryone}
	for _, g := range st.list.Groups {
		if g.Count > 0 {
			options = append(options, g.Group)
		}
	}
	show := widget.NewSelect(options, func(choice string) { st.show = choice; st.drawRows() })
	show.Selected = st.show
	tickAll := widget.NewButtonWithIcon("Tick all that can be switched", theme.CheckButtonCheckedIcon(), func() {
		for _, u := range st.list.Users {
			st.ticked[u.ID] = u.CanFix && !u.Admin
		}
		st.drawRows()
	})
	untickAll := widget.NewButtonWithIcon("Untick all", theme.CheckButtonIcon(), func() {
		st.ticked = map[string]bool{}
		st.drawRows()
	})
	st.rows = container.NewVBox()
	st.drawRows()
	body.Add(widget.NewForm(widget.NewFormItem("Search", st.wheel.Field(search)), widget.NewFormItem("Show", show)))
	body.Add(container.NewHBox(tickAll, untickAll))
	body.Add(st.rows)
	return body
}

func (st *authState) visibleUser(u UserRow) bool {
	switch st.show {
	case showEveryone:
	case showAttention, "":
		if u.Fine {
			return false
		}
	default:
		if u.Group != st.show {
			return false
		}
	}
	q := strings.ToLower(strings.TrimSpace(st.search))
	return q == "" || strings.Contains(strings.ToLower(u.Name), q) || strings.Contains(strings.ToLower(u.UPN), q)
}

func (st *authState) drawRows() {
	if st.rows == nil {
		return
	}
	st.rows.RemoveAll()
	shown, matching := 0, 0
	for _, u := range st.list.Users {
		if !st.visibleUser(u) {
			continue
		}
		matching++
		if shown == maxRows {
			continue
		}
		shown++
		st.rows.Add(st.userRow(u))
	}
	switch {
	case matching == 0 && st.show == showAttention && st.search == "":
		st.rows.Add(withIcon(theme.ConfirmIcon(), "Nobody needs attention: every user already defaults to a Microsoft Authenticator notification."))
	case matching == 0:
		st.rows.Add(paragraph("No user matches the search."))
	case matching > shown:
		st.rows.Add(paragraph(fmt.Sprintf("Showing %d of %s; search by name to find the others. Ticks apply to every user, shown or not.", shown, words.Count(matching, "user"))))
	}
	st.tickedLabel = paragraph("")
	st.countTicked()
	st.rows.Add(st.tickedLabel)
	st.rows.Refresh()
}

// countTicked says how many users are ticked, shown or not.
func (st *authState) countTicked() {
	if st.tickedLabel != nil {
		st.tickedLabel.SetText(words.Count(len(st.tickedIDs()), "user") + " ticked.")
	}
}

func (st *authState) userRow(u UserRow) fyne.CanvasObject {
	// The check box has no text of its own: a check's text does not wrap.
	check := widget.NewCheck("", func(on bool) {
		st.ticked[u.ID] = on
		st.countTicked()
	})
	check.SetChecked(st.ticked[u.ID])
	if !u.CanFix {
		check.Disable()
	}
	name := widget.NewLabelWithStyle(u.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	group := widget.NewLabel(u.Group)
	group.Importance = widget.LowImportance
	if u.CanFix {
		group.Importance = widget.HighImportance
	}
	head := container.NewHBox(name, group)
	if u.Admin {
		admin := widget.NewLabelWithStyle("Admin", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		admin.Importance = widget.WarningImportance
		head.Add(admin)
	}
	upn := widget.NewLabel(u.UPN)
	upn.Truncation = fyne.TextTruncateEllipsis
	lines := container.NewVBox(head, upn, paragraph(u.Sentence))
	return container.NewVBox(container.NewBorder(nil, nil, container.NewVBox(check), nil, lines), widget.NewSeparator())
}

func (st *authState) saveInstructions() {
	win := st.shell.window()
	if win == nil {
		return
	}
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			return
		}
		defer w.Close()
		if err := st.svc.ExportInstructions(st.list, w); err != nil {
			dialog.ShowInformation("The instructions were not saved", explain.Sentence(err), win)
		}
	}, win)
	d.SetFileName("set-up-microsoft-authenticator.html")
	d.Show()
}

func (st *authState) summary() fyne.CanvasObject {
	done, push := plan.Count(st.apply.Outcomes())
	body := container.NewVBox(
		paragraph(fmt.Sprintf("%s: %s switched to Microsoft Authenticator notifications; %d checked afterwards %s to it.", st.tenant.Name, words.Count(done, "user"), push, words.Plural(push, "defaults", "default"))),
		paragraph("Before: "+groupsLine(st.list.Groups)),
	)
	setUp := 0
	for _, u := range st.list.Users {
		if u.NeedsSetUp {
			setUp++
		}
	}
	if setUp > 0 {
		body.Add(paragraph(fmt.Sprintf("%s must still set up Microsoft Authenticator themselves. Once they have, start again to switch them.", words.Count(setUp, "user"))))
	}
	body.Add(paragraph("Press Start again to check another tenant, or the same one again: running it again changes nothing that is already right."))
	return body
}
