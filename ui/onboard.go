package ui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
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

// Onboard is what the "Onboard a customer" page needs from the rest of the app (internal/app's
// Onboard): the customers and templates to choose from, a check of where the customer's
// onboarding stands (with the plan of what can be done now), Apply for the reviewed plan, the
// wait for the customer's approval, the connection check, and the list of invitations sent.
type Onboard interface {
	// Customers lists Partner Center's customers, for the picker.
	Customers(ctx context.Context) ([]OnboardCustomer, error)
	// Templates lists the templates, built-in and the user's own; Roles the roles a template of
	// one's own is built from; SaveTemplate keeps one (not secret).
	Templates() []Template
	Roles() []RoleChoice
	SaveTemplate(name string, roleIDs []string, groups map[string]string) error
	// Check reads where every step stands and plans what can be done now.
	Check(ctx context.Context, req OnboardRequest) (OnboardResult, error)
	// Apply makes the fixes of the plan it is given (the reviewed one).
	wizard.Applier
	// Wait reads an invitation again, with backoff, until it is settled or ctx ends; a value on
	// wake reads it at once; report gets every reading.
	Wait(ctx context.Context, inv Invitation, wake <-chan struct{}, report func(Invitation, error)) (Invitation, error)
	// Verify checks the connection: a token through GDAP and one read per role class.
	Verify(ctx context.Context, r OnboardResult) (Verification, error)
	// Invitations lists the invitations sent from this computer; Withdraw stops following one.
	Invitations() ([]Invitation, error)
	Withdraw(ctx context.Context, id string) error
}

// SandboxCustomer plays a customer's administrator on the sandbox: it approves the request (or
// accepts the reseller invitation) a link names, as the organization with this domain or tenant
// id. The window has one only on the sandbox; a real customer approves in Microsoft's admin center.
type SandboxCustomer interface {
	ApproveAsCustomer(domain, link string) error
}

// What the onboarding page shows, as internal/app computes it.
type (
	OnboardCustomer = app.OnboardCustomer
	Template        = app.Template
	OnboardRequest  = app.OnboardRequest
	OnboardResult   = app.OnboardResult
	OnboardStep     = app.OnboardStep
	Invitation      = app.Invitation
	Verification    = app.Verification
)

// Choices of the first step.
const (
	whoExisting = "An existing customer"
	whoNew      = "A new customer, not with you yet"
)

// defaultTemplate is ticked when the person has not chosen: what this app needs.
const defaultTemplate = "Onboard365"

// onboardPage is the "Onboard a customer" wizard.
func (s *Shell) onboardPage() fyne.CanvasObject {
	if s.opts.Onboard == nil {
		return taskPage(onboardTask)
	}
	st := &onboardState{svc: s.opts.Onboard, shell: s, customerSide: s.opts.SandboxCustomer, existing: true, reseller: true,
		pattern: "GDAP - {role}", ticked: map[string]bool{defaultTemplate: true}, wake: make(chan struct{}, 1), applied: map[int]appliedPlan{}}
	s.onboarding = st
	st.wiz = st.wizard()
	obj := wide(st.wiz.Object())
	st.loadCustomers()
	return obj
}

// OnboardCustomer opens the onboarding page for a customer, with a template ticked: the GDAP
// page's "Onboard…" on a customer's row.
func (s *Shell) OnboardCustomer(tenantID, name, template string) {
	s.Show(PageOnboard)
	if st := s.onboarding; st != nil {
		st.preset(OnboardCustomer{TenantID: tenantID, Name: name}, template)
	}
}

type onboardState struct {
	wheel        wizard.Wheel // the mouse wheel over the page's fields scrolls the page
	svc          Onboard
	shell        *Shell
	customerSide SandboxCustomer // the sandbox's customer; nil on a real cloud
	wiz          *wizard.Wizard

	// Who.
	existing     bool
	customers    []OnboardCustomer
	customersErr error
	loading      bool
	search       string
	customer     OnboardCustomer
	chosen       bool
	domain       string
	reseller     bool
	invitations  []Invitation
	invErr       error
	step1        *fyne.Container

	// What access.
	templates    []Template
	ticked       map[string]bool
	globalAdmin  bool
	pattern      string
	step2        *fyne.Container
	summaryLabel *widget.Label

	// What the checks found.
	result       OnboardResult
	before       OnboardResult
	reqReview    *wizard.Review
	finReview    *wizard.Review
	verification *Verification
	send         *wizard.Apply

	// The wait, touched by its work's goroutine, and the plans applied: behind mu.
	mu         sync.Mutex
	generation int                 // counts the checks that make a plan to review
	applied    map[int]appliedPlan // by generation
	waiting    *Invitation
	waitNote   string
	wake       chan struct{}
	waitBody   *fyne.Container
}

func (st *onboardState) wizard() *wizard.Wizard {
	st.step1, st.step2, st.waitBody = container.NewVBox(), container.NewVBox(), container.NewVBox()
	st.reqReview = &wizard.Review{
		Title: "Review the request",
		Head: func(p plan.Plan) string {
			return fmt.Sprintf("What Onboard365 sends for %s. Untick what you do not want; nothing is sent until you press the button.", st.result.Customer.Name)
		},
		NextLabel: "Send the request",
	}
	st.finReview = &wizard.Review{
		Title: "Review the set-up",
		Head: func(p plan.Plan) string {
			return fmt.Sprintf("%s for %s, in your partner tenant and in your relationships with them. Untick what you do not want.", words.Count(len(p.Fixes), "change"), st.result.Customer.Name)
		},
		NextLabel: "Apply",
	}
	st.send = &wizard.Apply{
		Title:  "Send the request",
		Intro:  "Onboard365 sends what you ticked and reads the request back from Microsoft. Pass the link on to the customer's Global Administrator.",
		Review: st.reqReview,
		Apply:  st.applyPlan,
		Recheck: func(ctx context.Context, report func(wizard.Progress)) error {
			return st.check(ctx, report)
		},
		Head: func(o []plan.Outcome) string {
			if len(o) == 0 {
				return "Nothing was sent: " + st.result.Step("request").Sentence
			}
			done, _ := plan.Count(o)
			return fmt.Sprintf("%d of %d done.", done, len(o))
		},
		Now:       st.invitationView,
		NextLabel: "Wait for approval",
	}
	finish := &wizard.Apply{
		Title:  "Set up",
		Intro:  "Onboard365 makes the groups and access assignments you ticked, adds you to the groups, consents the app, and reads everything back.",
		Review: st.finReview,
		Apply:  st.applyPlan,
		Recheck: func(ctx context.Context, report func(wizard.Progress)) error {
			return st.check(ctx, report)
		},
		Head: func(o []plan.Outcome) string {
			if len(o) == 0 {
				return "Nothing to set up: everything is in place."
			}
			done, _ := plan.Count(o)
			return fmt.Sprintf("%d of %s made.", done, words.Count(len(o), "change"))
		},
		Now:       func() fyne.CanvasObject { return stepsView(st.result.Steps) },
		NextLabel: "Check the connection",
	}
	return wizard.New(st.shell.wizardConfig(wizard.Config{
		Wheel: &st.wheel,
		Title: "Onboard a customer",
		Steps: []wizard.Step{
			{
				Title: "Choose the customer",
				Intro: "Whom to onboard: one of your customers in Partner Center, or an organization that is not with you yet, named by its domain. Invitations you sent before are listed below: resume one to carry on where you left off.",
				Content: func() fyne.CanvasObject {
					if !st.loading { // the list as it is now: another window or a command may have sent one
						st.invitations, st.invErr = st.svc.Invitations()
					}
					st.drawStep1()
					return st.step1
				},
				Validate:  st.validateWho,
				NextLabel: "Next",
			},
			{
				Title:     "Choose the access",
				Intro:     "Which integrations the customer's access must serve. Each template is a set of roles and the partner groups they go to; several templates give one request with all their roles.",
				Content:   func() fyne.CanvasObject { st.drawStep2(); return st.step2 },
				Validate:  st.validateAccess,
				NextLabel: "Check and plan",
			},
			{
				Title: "Plan the request",
				Intro: "Onboard365 reads the customer's relationships, your groups and the invitations already sent, and plans the request. Nothing is sent yet.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					if err := st.check(ctx, report); err != nil {
						return err
					}
					st.before = st.result
					st.newPlan()
					return nil
				},
				Content: func() fyne.CanvasObject {
					st.reqReview.Set(st.result.RequestPlan)
					return st.planView(st.reqReview, st.result.RequestPlan, "Nothing to send: ")
				},
				Validate: func() error {
					if len(st.result.RequestPlan.Fixes) > 0 && len(st.reqReview.Chosen().Fixes) == 0 {
						return errors.New("tick the request, or press Cancel to leave the customer as they are")
					}
					return nil
				},
				NextLabel: "Send the request",
			},
			st.send.Step(),
			{
				Title: "Wait for approval",
				Intro: "The customer's Global Administrator approves the request with the link; then Microsoft activates it. Onboard365 checks now and then while this page is open; the invitation is kept, so you can close the app and resume it later.",
				Work:  st.waitWork,
				// The wait is the work: the links, the invitation's age and the sandbox's
				// Approve are shown while it runs, and after it has ended.
				During: func() fyne.CanvasObject {
					st.drawWait()
					return st.waitBody
				},
				Content: func() fyne.CanvasObject {
					st.drawWait()
					return st.waitBody
				},
				Validate:  st.validateWait,
				NextLabel: "Plan the set-up",
			},
			{
				Title: "Plan the set-up",
				Intro: "Onboard365 reads the relationship again and plans your groups, their access assignments, your membership and the app's consent. Nothing changes yet.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					if err := st.check(ctx, report); err != nil {
						return err
					}
					st.newPlan()
					return nil
				},
				Content: func() fyne.CanvasObject {
					st.finReview.Set(st.result.FinishPlan)
					return st.planView(st.finReview, st.result.FinishPlan, "Nothing to set up: ")
				},
				Validate: func() error {
					if len(st.result.FinishPlan.Fixes) > 0 && len(st.finReview.Chosen().Fixes) == 0 {
						return errors.New("tick at least one change, or press Cancel to leave everything as it is")
					}
					return nil
				},
				NextLabel: "Apply",
			},
			finish.Step(),
			{
				Title: "Check the connection",
				Intro: "Onboard365 gets a token for the customer's tenant through GDAP, as your tools will, and makes one read for each kind of role the templates grant.",
				Work: func(ctx context.Context, report func(wizard.Progress)) error {
					report(wizard.Progress{Message: "Checking the connection to " + st.result.Customer.Name + "…"})
					v, err := st.svc.Verify(ctx, st.result)
					if err != nil {
						return err
					}
					st.verification = &v
					steps := append([]OnboardStep(nil), st.result.Steps...)
					for i := range steps {
						if steps[i].Name == "verify" {
							steps[i].Status, steps[i].Sentence = "done", v.Sentence
							if !v.Connected {
								steps[i].Status = "failed"
							}
						}
					}
					st.result.Steps = steps
					return nil
				},
				Content:   st.verificationView,
				NextLabel: "Finish",
			},
		},
		Summary: st.summary,
	}))
}

// request is what the first two steps chose.
func (st *onboardState) request() OnboardRequest {
	req := OnboardRequest{GlobalAdmin: st.globalAdmin, GroupPattern: st.pattern}
	if st.existing {
		req.Customer = st.customer.TenantID
		if req.Customer == "" {
			req.Customer = st.customer.Name
		}
	} else {
		req.NewDomain, req.Reseller = strings.TrimSpace(st.domain), st.reseller
	}
	for _, t := range st.templateList() {
		if st.ticked[t.Name] {
			req.Templates = append(req.Templates, t.Name)
		}
	}
	return req
}

func (st *onboardState) check(ctx context.Context, report func(wizard.Progress)) error {
	report(wizard.Progress{Message: "Reading the customer's relationships, your groups and the invitations sent…"})
	r, err := st.svc.Check(ctx, st.request())
	if err != nil {
		return err
	}
	st.result = r
	st.mu.Lock()
	st.waiting = r.Invitation
	st.mu.Unlock()
	return nil
}

// newPlan marks that a check has made a new plan to review.
func (st *onboardState) newPlan() {
	st.mu.Lock()
	st.generation++
	st.mu.Unlock()
}

// applyPlan makes a reviewed plan; an empty one (nothing to do) changes nothing.
// A plan is applied once: coming Back to its step shows what it did, and never sends it again
// (a second request to a new customer would be a second link). A new check is a new plan.
func (st *onboardState) applyPlan(ctx context.Context, p plan.Plan, progress func(done, total int)) []plan.Outcome {
	if len(p.Fixes) == 0 {
		return nil
	}
	st.mu.Lock()
	done, ok := st.applied[st.generation]
	st.mu.Unlock()
	if ok && samePlan(done.plan, p) {
		return done.outcomes
	}
	out := st.svc.Apply(ctx, p, progress)
	st.mu.Lock()
	st.applied[st.generation] = appliedPlan{plan: p, outcomes: out}
	st.mu.Unlock()
	return out
}

type appliedPlan struct {
	plan     plan.Plan
	outcomes []plan.Outcome
}

func samePlan(a, b plan.Plan) bool {
	if len(a.Fixes) != len(b.Fixes) {
		return false
	}
	for i := range a.Fixes {
		if a.Fixes[i].ID != b.Fixes[i].ID {
			return false
		}
	}
	return true
}

// loadCustomers reads Partner Center's customers and the invitations off the UI goroutine.
func (st *onboardState) loadCustomers() {
	if st.loading {
		return
	}
	st.loading, st.customersErr = true, nil
	st.drawStep1()
	st.shell.background(2*time.Minute, func(ctx context.Context) func() {
		cs, err := st.svc.Customers(ctx)
		invs, invErr := st.svc.Invitations()
		return func() {
			st.loading = false
			st.customers, st.customersErr = cs, err
			st.invitations, st.invErr = invs, invErr
			st.drawStep1()
		}
	})
}

// preset chooses a customer and ticks one template (from a GDAP row), and starts again.
func (st *onboardState) preset(c OnboardCustomer, template string) {
	st.existing, st.customer, st.chosen = true, c, true
	if template != "" {
		st.ticked = map[string]bool{template: true}
	}
	st.wiz.Restart()
}

// resume carries on with an invitation: its customer and templates, straight to the check.
func (st *onboardState) resume(inv Invitation) {
	req := inv.RequestFor()
	st.existing = req.NewDomain == ""
	if st.existing {
		st.customer, st.chosen = OnboardCustomer{TenantID: req.Customer, Name: inv.Customer, Domain: inv.Domain}, true
	} else {
		st.domain, st.reseller = req.NewDomain, req.Reseller
	}
	if len(req.Templates) > 0 {
		st.ticked = map[string]bool{}
		for _, t := range req.Templates {
			st.ticked[t] = true
		}
	}
	st.wiz.Restart()
	st.wiz.Next() // the customer
	st.wiz.Next() // the templates: to the check
}

func (st *onboardState) drawStep1() {
	if st.step1 == nil {
		return
	}
	st.step1.RemoveAll()
	who := widget.NewRadioGroup([]string{whoExisting, whoNew}, func(choice string) {
		if existing := choice == whoExisting; existing != st.existing {
			st.existing = existing
			st.drawStep1()
		}
	})
	who.Selected = whoNew
	if st.existing {
		who.Selected = whoExisting
	}
	st.step1.Add(who)
	if st.existing {
		st.drawCustomerPicker()
	} else {
		domain := widget.NewEntry()
		domain.SetPlaceHolder("Their domain, for example fourthcoffee.onmicrosoft.com")
		domain.SetText(st.domain)
		domain.OnChanged = func(text string) { st.domain = text }
		st.step1.Add(widget.NewForm(widget.NewFormItem("Domain", st.wheel.Field(domain))))
		reseller := widget.NewCheck("Also send your reseller invitation from Partner Center", func(on bool) { st.reseller = on })
		reseller.SetChecked(st.reseller)
		st.step1.Add(reseller)
		st.step1.Add(paragraph("The GDAP request names no customer: whoever approves it with its link becomes its customer, so send the link only to their Global Administrator. " +
			"The reseller invitation makes you their reseller in Partner Center, where tools such as your PSA see them; many MSPs need both."))
	}
	st.drawInvitations()
	st.step1.Refresh()
}

func (st *onboardState) drawCustomerPicker() {
	switch {
	case st.loading:
		st.step1.Add(withIcon(theme.SearchIcon(), "Reading your customers from Partner Center…"))
		return
	case st.customersErr != nil:
		st.step1.Add(withIcon(theme.ErrorIcon(), "Onboard365 could not list your customers. "+explain.Sentence(st.customersErr)))
		st.step1.Add(container.NewHBox(widget.NewButtonWithIcon("Try again", theme.ViewRefreshIcon(), st.loadCustomers)))
		return
	}
	var names []string
	for _, c := range st.customers {
		if st.search == "" || strings.Contains(strings.ToLower(c.Name+" "+c.Domain), strings.ToLower(st.search)) {
			names = append(names, c.Name)
		}
	}
	pick := widget.NewSelect(names, func(name string) {
		for _, c := range st.customers {
			if c.Name == name {
				st.customer, st.chosen = c, true
			}
		}
	})
	pick.PlaceHolder = "Choose a customer"
	if st.chosen {
		pick.Selected = st.customer.Name
	}
	search := widget.NewEntry()
	search.SetPlaceHolder("Search your customers by name or domain")
	search.SetText(st.search)
	search.OnChanged = func(text string) {
		st.search = text
		var shown []string
		for _, c := range st.customers {
			if text == "" || strings.Contains(strings.ToLower(c.Name+" "+c.Domain), strings.ToLower(text)) {
				shown = append(shown, c.Name)
			}
		}
		pick.SetOptions(shown)
	}
	st.step1.Add(widget.NewForm(widget.NewFormItem("Search", st.wheel.Field(search)), widget.NewFormItem("Customer", pick)))
	st.step1.Add(paragraph(fmt.Sprintf("%s in Partner Center.", words.Count(len(st.customers), "customer"))))
}

// drawInvitations lists the invitations sent from this computer, open ones with Resume and Withdraw.
func (st *onboardState) drawInvitations() {
	if st.invErr != nil {
		st.step1.Add(withIcon(theme.ErrorIcon(), "The invitations sent before could not be read. "+explain.Sentence(st.invErr)))
		return
	}
	if len(st.invitations) == 0 {
		return
	}
	st.step1.Add(subheading("Invitations you sent"))
	shown := 0
	for _, inv := range st.invitations {
		if shown == 10 {
			st.step1.Add(paragraph(fmt.Sprintf("…and %d more: onboard365 onboard status lists them all.", len(st.invitations)-shown)))
			break
		}
		shown++
		inv := inv
		line := fmt.Sprintf("%s: %s, sent %s", inv.Customer, inv.State, inv.Age)
		if inv.Open && inv.Waits {
			line += fmt.Sprintf(" (%s before Microsoft lets it expire)", words.Count(inv.DaysLeft, "day"))
		}
		icon := theme.ConfirmIcon()
		switch {
		case inv.Renewable:
			icon = theme.ErrorIcon()
		case inv.Waits:
			icon = theme.HistoryIcon()
		case !inv.Open:
			icon = theme.InfoIcon()
		}
		row := container.NewBorder(nil, nil, nil, nil, withIcon(icon, line))
		if inv.Open {
			buttons := container.NewHBox(widget.NewButtonWithIcon("Resume", theme.MediaPlayIcon(), func() { st.resume(inv) }))
			withdraw := widget.NewButtonWithIcon("Withdraw", theme.DeleteIcon(), func() { st.withdraw(inv) })
			buttons.Add(withdraw)
			row = container.NewBorder(nil, nil, nil, buttons, withIcon(icon, line))
		}
		st.step1.Add(row)
	}
}

func (st *onboardState) withdraw(inv Invitation) {
	win := st.shell.window()
	if win == nil {
		return
	}
	dialog.ShowConfirm("Stop following this invitation?",
		"Microsoft offers no way to take back a request once it is sent: it stays until it expires, on day 90. Onboard365 stops following it, "+
			"and the customer can ignore its link. Stop following the request for "+inv.Customer+"?",
		func(ok bool) {
			if !ok {
				return
			}
			st.shell.background(time.Minute, func(ctx context.Context) func() {
				err := st.svc.Withdraw(ctx, inv.ID)
				invs, invErr := st.svc.Invitations()
				return func() {
					if err != nil {
						dialog.ShowInformation("The invitation was not withdrawn", explain.Sentence(err), win)
					}
					st.invitations, st.invErr = invs, invErr
					st.drawStep1()
				}
			})
		}, win)
}

func (st *onboardState) validateWho() error {
	if st.existing {
		switch {
		case st.loading && !st.chosen:
			return errors.New("wait a moment: Onboard365 is still reading your customers")
		case !st.chosen:
			return errors.New("choose a customer first, or onboard a new one by its domain")
		}
		return nil
	}
	d := strings.TrimSpace(st.domain)
	if d == "" || !strings.Contains(d, ".") || strings.ContainsAny(d, " /@") {
		return errors.New("type the new customer's domain, for example fourthcoffee.onmicrosoft.com")
	}
	return nil
}

func (st *onboardState) templateList() []Template {
	if st.templates == nil {
		st.templates = st.svc.Templates()
	}
	return st.templates
}

func (st *onboardState) drawStep2() {
	st.step2.RemoveAll()
	st.summaryLabel = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	st.summaryLabel.Wrapping = fyne.TextWrapWord
	st.step2.Add(st.summaryLabel)
	for _, t := range st.templateList() {
		t := t
		check := widget.NewCheck(t.Name, func(on bool) {
			st.ticked[t.Name] = on
			st.refreshAccessSummary()
		})
		check.SetChecked(st.ticked[t.Name])
		text := t.Description + " Roles: " + strings.Join(t.Roles, ", ") + "."
		if len(t.Groups) > 0 {
			text += " Groups: " + strings.Join(t.Groups, "; ") + "."
		}
		lines := container.NewVBox(check, paragraph(text))
		if t.Own {
			lines.Add(container.NewHBox(widget.NewButtonWithIcon("Edit", theme.DocumentCreateIcon(), func() { st.buildTemplate(&t) })))
		}
		st.step2.Add(lines)
	}
	st.step2.Add(container.NewHBox(widget.NewButtonWithIcon("Build a template of your own…", theme.ContentAddIcon(), func() { st.buildTemplate(nil) })))
	st.step2.Add(widget.NewSeparator())
	ga := widget.NewCheck("Also ask for Global Administrator (not recommended)", func(on bool) {
		st.globalAdmin = on
		st.refreshAccessSummary()
	})
	ga.SetChecked(st.globalAdmin)
	st.step2.Add(ga)
	st.step2.Add(paragraph("With Global Administrator the relationship cannot extend itself (Microsoft does not allow it): it ends after two years and the customer must approve a new one. Most tools need far less."))
	pattern := widget.NewEntry()
	pattern.SetText(st.pattern)
	pattern.OnChanged = func(text string) { st.pattern = text }
	st.step2.Add(widget.NewForm(widget.NewFormItem("Name new groups like", st.wheel.Field(pattern))))
	st.step2.Add(paragraph("A role that a template names no group for goes to a group of this name, {role} standing for the role's name; Onboard365 makes ordinary security groups and adds you to them."))
	st.refreshAccessSummary()
	st.step2.Refresh()
}

// refreshAccessSummary says what the ticked templates ask for together.
func (st *onboardState) refreshAccessSummary() {
	if st.summaryLabel == nil {
		return
	}
	seen := map[string]bool{}
	var names []string
	n := 0
	for _, t := range st.templateList() {
		if !st.ticked[t.Name] {
			continue
		}
		names = append(names, t.Name)
		for _, r := range t.Roles {
			if r == "Global Administrator" && !st.globalAdmin {
				continue
			}
			if !seen[r] {
				seen[r] = true
				n++
			}
		}
	}
	if st.globalAdmin && !seen["Global Administrator"] {
		n++
	}
	switch len(names) {
	case 0:
		st.summaryLabel.SetText("Tick at least one template.")
	case 1:
		st.summaryLabel.SetText(fmt.Sprintf("One relationship with %s: those of %s.", words.Count(n, "role"), names[0]))
	default:
		st.summaryLabel.SetText(fmt.Sprintf("One relationship with %s, the union of %s: the customer approves one link.", words.Count(n, "role"), strings.Join(names, ", ")))
	}
}

func (st *onboardState) validateAccess() error {
	if len(st.request().Templates) == 0 {
		return errors.New("tick at least one template")
	}
	if !strings.Contains(st.pattern, "{role}") {
		return errors.New("the name for new groups must hold {role}, so that each role's group has its own name")
	}
	return nil
}

// buildTemplate asks for the name, roles and groups of a template of the user's own (edit, when
// given one), and saves it.
func (st *onboardState) buildTemplate(edit *Template) {
	win := st.shell.window()
	if win == nil {
		return
	}
	name := widget.NewEntry()
	name.SetPlaceHolder("For example: Our RMM")
	chosen := map[string]bool{}
	groups := map[string]*widget.Entry{}
	if edit != nil {
		name.SetText(edit.Name)
		for _, r := range edit.Roles {
			chosen[r] = true
		}
	}
	list := container.NewVBox()
	var wheel wizard.Wheel // the wheel over a group's field scrolls the list
	roles := st.svc.Roles()
	for _, r := range roles {
		r := r
		check := widget.NewCheck("", func(on bool) { chosen[r.Name] = on })
		check.SetChecked(chosen[r.Name])
		group := widget.NewEntry()
		group.SetPlaceHolder("Group (optional)")
		if edit != nil {
			for _, g := range edit.Groups {
				if gname, members, ok := strings.Cut(g, ": "); ok && slices.Contains(strings.Split(members, ", "), r.Name) {
					group.SetText(gname)
				}
			}
		}
		groups[r.ID] = group
		text := paragraph(r.Name + " (" + r.Risk + " risk): " + r.Allows)
		list.Add(container.NewBorder(nil, nil, container.NewVBox(check), container.NewGridWrap(fyne.NewSize(200, group.MinSize().Height), wheel.Field(group)), text))
	}
	scroll := container.NewVScroll(list)
	scroll.SetMinSize(fyne.NewSize(720, 360))
	wheel.Scrolls(scroll)
	help := paragraph("Tick the roles; name a group for a role that must go to a particular partner group (for example AdminAgents), or leave it empty for the group named after the role.")
	content := container.NewBorder(container.NewVBox(widget.NewForm(widget.NewFormItem("Name", name)), help), nil, nil, nil, scroll)
	title := "Build a template of your own"
	if edit != nil {
		title = "Edit " + edit.Name
	}
	dialog.NewCustomConfirm(title, "Save", "Cancel", content, func(ok bool) {
		if !ok {
			return
		}
		var ids []string
		gs := map[string]string{}
		for _, r := range roles {
			if chosen[r.Name] {
				ids = append(ids, r.ID)
				if g := strings.TrimSpace(groups[r.ID].Text); g != "" {
					gs[r.ID] = g
				}
			}
		}
		n := strings.TrimSpace(name.Text)
		if err := st.svc.SaveTemplate(n, ids, gs); err != nil {
			dialog.ShowInformation("The template was not saved", explain.Sentence(err), win)
			return
		}
		st.templates = nil
		st.ticked[n] = true
		st.drawStep2()
	}, win).Show()
}

// planView shows where every step stands, then the review of a plan (or why there is nothing).
func (st *onboardState) planView(review *wizard.Review, p plan.Plan, nothing string) fyne.CanvasObject {
	out := container.NewVBox()
	for _, n := range st.result.Notes {
		out.Add(withIcon(theme.InfoIcon(), n))
	}
	out.Add(subheading(review.Title))
	if len(p.Fixes) == 0 {
		out.Add(withIcon(theme.ConfirmIcon(), nothing+st.nothingSentence()))
	} else {
		out.Add(review.Step().Content())
	}
	out.Add(subheading("Where every step stands"))
	out.Add(stepsView(st.result.Steps))
	return out
}

// nothingSentence says why a plan is empty.
func (st *onboardState) nothingSentence() string {
	r := st.result
	failed, waiting := false, false
	for _, s := range r.Steps {
		failed = failed || s.Status == "failed"
		waiting = waiting || s.Status == "waiting"
	}
	switch {
	case r.Invitation != nil && r.Invitation.Open && r.Invitation.Waits:
		return "the request is sent; the next step waits for the customer's approval."
	case r.Ready:
		return "every step is done or not needed; the last step checks the connection."
	case failed:
		return "a step above needs you first."
	case waiting:
		return "it waits for the step marked waiting above."
	}
	return "every step is done or not needed."
}

// stepsView lists the steps with where each stands.
func stepsView(steps []OnboardStep) fyne.CanvasObject {
	box := container.NewVBox()
	for _, s := range steps {
		icon := theme.NavigateNextIcon()
		word := "to do"
		switch s.Status {
		case "done":
			icon, word = theme.ConfirmIcon(), "done"
		case "skipped":
			icon, word = theme.ConfirmIcon(), "not needed"
		case "waiting":
			icon, word = theme.HistoryIcon(), "waiting"
		case "failed":
			icon, word = theme.ErrorIcon(), "needs you"
		}
		box.Add(withIcon(icon, s.Title+" ("+word+"): "+s.Sentence))
	}
	return box
}

// invitationView is the invitation with its links, for the customer's Global Administrator.
func (st *onboardState) invitationView() fyne.CanvasObject {
	box := container.NewVBox()
	inv := st.result.Invitation
	if inv == nil || !inv.Open {
		box.Add(stepsView(st.result.Steps))
		return box
	}
	box.Add(withIcon(theme.InfoIcon(), inv.Sentence))
	if len(st.send.Outcomes()) > 0 {
		return box // the links are above, with what was sent
	}
	box.Add(wizard.Copyable("Approval link for the Global Administrator of "+inv.Customer, inv.ApprovalLink))
	if inv.ResellerLink != "" {
		box.Add(wizard.Copyable("Reseller invitation link", inv.ResellerLink))
	}
	box.Add(wizard.Copyable("A message you can send them", inv.MailText))
	return box
}

// waitWork reads the invitation again with backoff while the page is open, until Microsoft
// says it is active (or it needs the person: declined, expired).
func (st *onboardState) waitWork(ctx context.Context, report func(wizard.Progress)) error {
	for {
		st.mu.Lock()
		inv := st.waiting
		st.mu.Unlock()
		// Active is enough to go on: a reseller invitation still open is shown, not waited for.
		if inv == nil || !inv.Open || inv.Phase == "active" || (!inv.Waits && !inv.Renewable) {
			st.shell.later(st.drawWait)
			return nil
		}
		if inv.Renewable {
			// The page offers to renew it; a new request wakes this up.
			report(wizard.Progress{Message: inv.Sentence + " Press Renew the request to send a new one, or Stop to leave it."})
			select {
			case <-st.wake:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		report(wizard.Progress{Message: inv.Sentence})
		wctx, active := context.WithCancel(ctx)
		got, err := st.svc.Wait(wctx, *inv, st.wake, func(i Invitation, err error) {
			if i.Phase == "active" {
				active() // approved and active: the set-up can go on
			}
			st.mu.Lock()
			st.waiting = &i
			st.waitNote = ""
			if err != nil {
				st.waitNote = "The last check did not get through; Onboard365 tries again. " + explain.Sentence(err)
			}
			st.mu.Unlock()
			st.shell.later(st.drawWait)
			msg := "Onboard365 checks again now and then while this page is open."
			if !i.Checked.IsZero() {
				msg += " Last checked at " + i.Checked.Local().Format("15:04") + "."
			}
			if err != nil {
				msg = st.waitNote
			}
			report(wizard.Progress{Message: msg})
		})
		active()
		if err != nil && ctx.Err() != nil {
			return err
		}
		if err == nil || got.Phase == "active" {
			st.mu.Lock()
			st.waiting = &got
			st.mu.Unlock()
		}
		st.shell.later(st.drawWait)
	}
}

// drawWait shows where the invitation stands: the links, its age, and on the sandbox the
// customer's administrator's button; renew when it is over.
func (st *onboardState) drawWait() {
	if st.waitBody == nil {
		return
	}
	st.mu.Lock()
	inv, note := st.waiting, st.waitNote
	st.mu.Unlock()
	st.waitBody.RemoveAll()
	switch {
	case inv == nil || !inv.Open:
		st.waitBody.Add(withIcon(theme.ConfirmIcon(), "Nothing waits for the customer: "+st.result.Step("approval").Sentence))
		st.waitBody.Refresh()
		return
	case inv.Phase == "active":
		st.waitBody.Add(withIcon(theme.ConfirmIcon(), inv.Sentence))
		if inv.Waits && inv.ResellerLink != "" { // the reseller invitation is not accepted yet
			st.waitBody.Add(wizard.Copyable("Reseller invitation link", inv.ResellerLink))
		}
	case inv.Renewable:
		st.waitBody.Add(withIcon(theme.ErrorIcon(), inv.Sentence))
		st.waitBody.Add(container.NewHBox(widget.NewButtonWithIcon("Renew the request…", theme.ViewRefreshIcon(), st.renew)))
	default:
		st.waitBody.Add(withIcon(theme.HistoryIcon(), inv.Sentence))
		if note != "" {
			st.waitBody.Add(withIcon(theme.WarningIcon(), note))
		}
		if st.customerSide != nil && (inv.Phase == "waiting" || inv.Waits && inv.ResellerLink != "" && inv.Phase != "activating") {
			st.waitBody.Add(st.sandboxCustomerCard(*inv))
		}
		st.waitBody.Add(wizard.Copyable("Approval link for the Global Administrator of "+inv.Customer, inv.ApprovalLink))
		if inv.ResellerLink != "" {
			st.waitBody.Add(wizard.Copyable("Reseller invitation link", inv.ResellerLink))
		}
		st.waitBody.Add(container.NewHBox(widget.NewButtonWithIcon("Check now", theme.ViewRefreshIcon(), st.wakeUp)))
	}
	st.waitBody.Refresh()
}

func (st *onboardState) wakeUp() {
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// sandboxCustomerCard is the sandbox's own action: approving as the customer's administrator.
func (st *onboardState) sandboxCustomerCard(inv Invitation) fyne.CanvasObject {
	approve := widget.NewButtonWithIcon("Approve as the customer's administrator", theme.ConfirmIcon(), nil)
	approve.Importance = widget.WarningImportance
	result := paragraph("")
	approve.OnTapped = func() {
		approve.Disable()
		who := inv.Domain
		if who == "" {
			who = inv.TenantID
		}
		links := []string{inv.ApprovalLink}
		if inv.ResellerLink != "" {
			links = append(links, inv.ResellerLink)
		}
		st.shell.background(time.Minute, func(ctx context.Context) func() {
			var err error
			for _, l := range links {
				if e := st.customerSide.ApproveAsCustomer(who, l); e != nil && err == nil {
					err = e
				}
			}
			return func() {
				if err != nil {
					result.SetText("The sandbox's customer could not approve: " + explain.Sentence(err))
					approve.Enable()
					return
				}
				result.SetText("Approved, as the administrator of " + inv.Customer + " in the sandbox. Onboard365 checks again now.")
				st.wakeUp()
			}
		})
	}
	return card(theme.ColorNameWarning, widget.NewIcon(theme.WarningIcon()),
		widget.NewLabelWithStyle("Sandbox only", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		paragraph("On the sandbox you can act for "+inv.Customer+": approve the request as their Global Administrator would with the link below. A real customer approves in Microsoft's admin center, and only they can."),
		container.NewHBox(approve), result)
}

// renew plans a new request for the customer, asks, and sends it; the wait starts again.
func (st *onboardState) renew() {
	win := st.shell.window()
	if win == nil {
		return
	}
	st.shell.background(2*time.Minute, func(ctx context.Context) func() {
		r, err := st.svc.Check(ctx, st.request())
		return func() {
			if err != nil {
				dialog.ShowInformation("The request could not be planned", explain.Sentence(err), win)
				return
			}
			if len(r.RequestPlan.Fixes) == 0 {
				dialog.ShowInformation("Nothing to renew", "Onboard365 finds nothing to send: "+r.Step("request").Sentence, win)
				return
			}
			var what []string
			for _, f := range r.RequestPlan.Fixes {
				what = append(what, f.What)
				if f.Caution != "" {
					what = append(what, "Weigh this first: "+f.Caution)
				}
			}
			msg := paragraph(strings.Join(what, "\n\n"))
			box := container.NewVScroll(msg)
			box.SetMinSize(fyne.NewSize(560, 200))
			dialog.NewCustomConfirm("Send a new request?", "Send it", "Cancel", box, func(ok bool) {
				if !ok {
					return
				}
				st.shell.background(2*time.Minute, func(ctx context.Context) func() {
					outcomes := st.svc.Apply(ctx, r.RequestPlan, nil)
					again, err := st.svc.Check(ctx, st.request())
					return func() {
						for _, o := range outcomes {
							if !o.Done {
								dialog.ShowInformation("The new request was not sent", o.Sentence, win)
							}
						}
						if err == nil {
							st.result = again
							st.mu.Lock()
							st.waiting = again.Invitation
							st.mu.Unlock()
						}
						st.drawWait()
						st.wakeUp() // the wait reads the new request
					}
				})
			}, win).Show()
		}
	})
}

func (st *onboardState) validateWait() error {
	st.mu.Lock()
	inv := st.waiting
	st.mu.Unlock()
	switch {
	case inv == nil || !inv.Open:
		return nil
	case inv.Renewable:
		return errors.New(inv.Sentence)
	case inv.Phase != "active":
		return errors.New("the customer has not approved the request yet: wait here, or press Cancel and resume the invitation later (it is kept)")
	}
	return nil
}

func (st *onboardState) verificationView() fyne.CanvasObject {
	box := container.NewVBox()
	v := st.verification
	if v == nil {
		return box
	}
	icon := theme.ConfirmIcon()
	if !v.Connected {
		icon = theme.ErrorIcon()
	}
	box.Add(withIcon(icon, v.Sentence))
	for _, r := range v.Readings {
		box.Add(paragraph("• " + r))
	}
	return box
}

func (st *onboardState) summary() fyne.CanvasObject {
	box := container.NewVBox()
	if v := st.verification; v != nil {
		icon := theme.ConfirmIcon()
		if !v.Connected {
			icon = theme.ErrorIcon()
		}
		box.Add(withIcon(icon, v.Sentence))
	}
	box.Add(stepsView(st.result.Steps))
	box.Add(paragraph("Run this wizard again at any time: on a customer that is onboarded it finds nothing to do."))
	return box
}
