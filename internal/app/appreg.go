package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/words"
)

// AppRegistration creates or repairs the Secure Application Model app registration, consents it
// in customers, and rotates its secret: the App registration wizard, Settings' "Rotate the
// secret" and `onboard365 check app`. An administrator signs in for it (SignInAdmin); that
// sign-in lives in the AppAdmin value, in memory only.
type AppRegistration struct {
	a *Account
	// Waits are the pauses while Microsoft sets up a new app; nil: appreg.DefaultWaits.
	Waits []time.Duration

	refOnce sync.Once
	ref     *learn.Data
	refErr  error
}

// NewAppRegistration is the App registration task on an account's cloud and keychain.
func NewAppRegistration(a *Account) *AppRegistration { return &AppRegistration{a: a} }

// AppIntegration is a tool the app registration can serve.
type AppIntegration struct {
	Name, Description string
	AlwaysOn          bool   // Onboard365 itself
	NeedsRedirect     bool   // the tool gives a redirect address to paste
	RedirectFrom      string // where the person finds it
}

// AppChoice is what the person chose on the first step.
type AppChoice struct {
	Name         string
	Integrations []string
	RedirectURIs []string
	AdminAgents  bool // the DAP-era AdminAgents membership, off by default
}

// AppAdmin is an administrator's sign-in for the app registration, and what it was made for.
type AppAdmin struct {
	Evidence

	session *appreg.AdminSession
	choice  permissions.Choice
	needs   permissions.Needs
}

// AppPlan is what exists and what would change. Apply makes it at most once.
type AppPlan struct {
	Facts   []string // what exists
	Changes []string // one sentence per change
	Notes   []string // what is left as it is, and why
	Consent string   // what the permission counts mean: where each permission is consented

	admin AppAdmin
	state appreg.State
	plan  appreg.Plan
	once  *appliedOnce
}

// appliedOnce remembers that a plan was applied, and what that did (without the secret).
type appliedOnce struct {
	mu      sync.Mutex
	applied bool
	outcome *AppOutcome // nil when the Apply did not get to read everything again
}

// AppOutcome is what Apply (or a rotation) did and what is true now.
type AppOutcome struct {
	AppID     string // the app registration's application (client) id; "" when there is none
	Lines     []AppLine
	Waited    int          // tries that waited for Microsoft to finish setting up a new app
	Secret    *ShownSecret // a new secret, shown here once; nil when none was made (or already shown)
	Now       []string     // what is true after reading again
	Remaining []string     // changes still needed after reading again (empty: the app is right)
}

// AppLine is one change and how it went.
type AppLine struct {
	Done     bool
	Sentence string
}

// ShownSecret is a new client secret, to be shown once and copied.
type ShownSecret struct {
	ClientID, Value string
	Expires         time.Time
	Stored          bool // it is in this computer's keychain
}

// AppSignIn is the sign-in with the app.
type AppSignIn struct {
	Evidence
	Already bool // the kept sign-in already belonged to this app: nothing was asked
	Kept    bool // the sign-in is in the keychain
}

// Customer consent statuses.
const (
	ConsentOK            = "Consented"
	ConsentMissing       = "Needs consent"
	ConsentLacks         = "Consent lacks permissions"
	ConsentCouldNotCheck = "Could not check"
)

// CustomerConsent is one customer's consent, before or after consenting.
type CustomerConsent struct {
	Customer, TenantID string
	Status             string // one of the Consent constants
	Sentence           string
	Planned            bool // ticked by default
	Tried, Done        bool // after Consent: tried, and worked

	c appreg.Customer
}

// Integrations lists the tools the app registration can serve; Onboard365 itself first.
func (s *AppRegistration) Integrations() []AppIntegration {
	var out []AppIntegration
	for _, in := range permissions.Integrations() {
		out = append(out, AppIntegration{Name: in.Name, Description: in.Description, AlwaysOn: in.AlwaysOn,
			NeedsRedirect: in.NeedsWebRedirect, RedirectFrom: in.RedirectFrom})
	}
	return out
}

// reference loads what Microsoft's pages say about the app's requests once (internal/reference/learn).
func (s *AppRegistration) reference() (*learn.Data, error) {
	s.refOnce.Do(func() { s.ref, s.refErr = learn.Load() })
	return s.ref, s.refErr
}

// adminSession signs an administrator in for the needs, showing the sign-in where it opened.
func (s *AppRegistration) adminSession(ctx context.Context, n permissions.Needs, hint string, launched func(Launch)) (*appreg.AdminSession, Evidence, error) {
	e := newEnding(ctx)
	admin, err := appreg.NewAdminSession(s.a.cloud, n, s.a.tenant, s.a.launcher(s.a.users, launched, e.End), nil)
	if err != nil {
		e.end(nil)
		return nil, Evidence{}, err
	}
	res, err := admin.SignIn(e.ctx, hint)
	if err = e.result(err); err != nil {
		return nil, Evidence{}, err
	}
	return admin, evidence(res.Claims, res.Verdict), nil
}

// CheckChoice says what is wrong with a choice (a redirect address that is not one, an account
// that is not a sign-in name), so the step where it was typed says so; SignInAdmin refuses the
// same choice for the same reason. It reads nothing from Microsoft.
func (s *AppRegistration) CheckChoice(c AppChoice, account string) error {
	if err := CheckSignInName("the administrator account", account); err != nil {
		return err
	}
	_, _, err := s.derive(c)
	return err
}

// derive is what the choice needs, from Microsoft's pages (internal/reference/learn).
func (s *AppRegistration) derive(c AppChoice) (permissions.Choice, permissions.Needs, error) {
	ref, err := s.reference()
	if err != nil {
		return permissions.Choice{}, permissions.Needs{}, err
	}
	choice := permissions.Choice{Name: c.Name, Integrations: c.Integrations, WebRedirects: c.RedirectURIs, AdminAgents: c.AdminAgents}
	n, err := permissions.Derive(ref, choice)
	return choice, n, err
}

// SignInAdmin signs an administrator in to manage the app registration the choice describes.
func (s *AppRegistration) SignInAdmin(ctx context.Context, c AppChoice, hint string, launched func(Launch)) (AppAdmin, error) {
	choice, n, err := s.derive(c)
	if err != nil {
		return AppAdmin{}, err
	}
	session, ev, err := s.adminSession(ctx, n, hint, launched)
	if err != nil {
		return AppAdmin{}, err
	}
	return AppAdmin{Evidence: ev, session: session, choice: choice, needs: n}, nil
}

var errAdminFirst = errors.New("sign in as an administrator first (the step before)")

// Plan reads what exists and lists what would change. It changes nothing.
func (s *AppRegistration) Plan(ctx context.Context, admin AppAdmin, report func(string)) (AppPlan, error) {
	if admin.session == nil {
		return AppPlan{}, errAdminFirst
	}
	report("Reading the app registration and its consent…")
	st, p, err := s.read(ctx, admin)
	if err != nil {
		return AppPlan{}, err
	}
	return words.Cleaned(AppPlan{Facts: p.Facts, Changes: p.Lines(), Notes: p.Notes, Consent: appreg.ConsentWords(admin.needs), admin: admin, state: st, plan: p, once: &appliedOnce{}}), nil
}

func (s *AppRegistration) read(ctx context.Context, admin AppAdmin) (appreg.State, appreg.Plan, error) {
	st, err := appreg.Read(ctx, admin.session.Graph(), appreg.Target{Name: admin.choice.Name}, s.a.vault,
		appreg.ReadOptions{AdminAgents: admin.choice.AdminAgents, Now: s.a.now})
	if err != nil {
		return appreg.State{}, appreg.Plan{}, err
	}
	return st, appreg.PlanChanges(st, admin.needs, admin.choice), nil
}

// Apply makes the planned changes and reads everything again. Applying the same plan again
// changes nothing more: it returns what the first Apply did, without the secret.
func (s *AppRegistration) Apply(ctx context.Context, p AppPlan, report func(done, total int, message string)) (AppOutcome, error) {
	errReadFirst := errors.New("read the app registration first (the step before)")
	if p.admin.session == nil || p.once == nil {
		return AppOutcome{}, errReadFirst
	}
	p.once.mu.Lock()
	defer p.once.mu.Unlock()
	if p.once.applied {
		if p.once.outcome == nil {
			return AppOutcome{}, errReadFirst
		}
		return *p.once.outcome, nil // already applied: nothing more changes, and the secret is not shown again
	}
	p.once.applied = true
	res := appreg.Apply(ctx, p.admin.session.Graph(), p.state, p.plan, appreg.ApplyOptions{
		Now: s.a.now, Keychain: s.a.vault, CheckSecret: p.admin.session.SecretCheck(), Waits: s.Waits,
		Progress: func(pr appreg.Progress) { report(pr.Done, pr.Total, pr.Message) },
	})
	out := outcome(res)
	switch {
	case res.App != nil:
		out.AppID = res.App.AppID
	case p.state.App != nil:
		out.AppID = p.state.App.AppID
	}
	out.Lines = append(out.Lines, auditLines(s.a.recordAppOutcomes(ctx, "app registration", p.admin.Account, out.AppID, res))...)
	report(len(p.plan.Changes), len(p.plan.Changes), "Reading everything again…")
	_, after, err := s.read(ctx, p.admin)
	if err != nil {
		return out, err
	}
	out.Now, out.Remaining = after.Facts, after.Lines()
	out = words.Cleaned(out)
	kept := out
	kept.Secret = nil
	p.once.outcome = &kept
	return out, nil
}

// auditLines are the lines that say which changes the audit trail could not record.
func auditLines(problems []string) []AppLine {
	var out []AppLine
	for _, p := range problems {
		out = append(out, AppLine{Sentence: "Onboard365 could not write this change to its audit trail: " + p + "."})
	}
	return out
}

func outcome(res appreg.Result) AppOutcome {
	out := AppOutcome{Waited: res.Waited}
	for _, o := range res.Outcomes {
		sentence := o.Change.Sentence
		if o.Sentence != "" {
			sentence += " " + o.Sentence
		}
		out.Lines = append(out.Lines, AppLine{Done: o.Done, Sentence: sentence})
	}
	if sec := res.Secret; sec != nil {
		out.Secret = &ShownSecret{ClientID: sec.ClientID, Value: sec.Text, Expires: sec.Expires, Stored: sec.Stored}
	}
	return words.Cleaned(out)
}

// SignInWithApp signs the technician in with the app appID (so the kept sign-in and its refresh
// token belong to it) and keeps a compliant sign-in in the keychain.
func (s *AppRegistration) SignInWithApp(ctx context.Context, appID, hint string, launched func(Launch)) (AppSignIn, error) {
	if appID == "" {
		return AppSignIn{}, errors.New("there is no app registration yet: go back and apply the plan")
	}
	a := s.a
	if a.ClientID() == appID {
		if acct, ok := a.authn().Account(); ok {
			return AppSignIn{Evidence: Evidence{Compliant: true, Account: words.Clean(acct.PreferredUsername)}, Already: true, Kept: true}, nil
		}
		if acct, ok, err := a.authn().Restore(ctx); err == nil && ok {
			return AppSignIn{Evidence: Evidence{Compliant: true, Account: words.Clean(acct.PreferredUsername)}, Already: true, Kept: true}, nil
		}
	}
	if err := a.useApp(appID); err != nil {
		return AppSignIn{}, err
	}
	ev, err := a.Interactive(ctx, hint, launched)
	if err != nil {
		_ = a.Discard(context.WithoutCancel(ctx))
		return AppSignIn{}, err
	}
	if ev.Compliant {
		ev, _ = a.CheckPartnerCenter(ctx) // the final verdict: Partner Center's answer included
	}
	if !ev.Compliant {
		_ = a.Discard(ctx)
		return AppSignIn{Evidence: ev}, nil
	}
	if err := a.Keep(ctx); err != nil {
		return AppSignIn{Evidence: ev}, err
	}
	return AppSignIn{Evidence: ev, Kept: true}, nil
}

// Customers reads the app's consent in every customer, with the app's own sign-in, against the
// permissions the administrator's choice needs.
func (s *AppRegistration) Customers(ctx context.Context, admin AppAdmin, progress func(done, total int)) ([]CustomerConsent, error) {
	cs, err := appreg.ReadCustomers(ctx, s.a.partnerCenter(), appreg.ProbeWith(s.a.authn()), admin.needs, progress)
	if err != nil {
		return nil, err
	}
	out := make([]CustomerConsent, len(cs))
	for i, c := range cs {
		out[i] = CustomerConsent{Customer: c.Name, TenantID: c.TenantID, Status: string(c.Status), Sentence: c.Sentence, Planned: c.Planned(), c: c}
	}
	return words.Cleaned(out), nil
}

// Consent consents the app appID in the chosen customers and checks each again.
func (s *AppRegistration) Consent(ctx context.Context, admin AppAdmin, appID string, chosen []CustomerConsent, progress func(done, total int)) ([]CustomerConsent, error) {
	name := admin.choice.Name
	if name == "" {
		name = permissions.DefaultName
	}
	customers := make([]appreg.Customer, len(chosen))
	for i, c := range chosen {
		customers[i] = c.c
	}
	results := appreg.ConsentCustomers(ctx, s.a.partnerCenter(), appID, name, admin.needs, customers, appreg.ProbeWith(s.a.authn()), progress)
	out := make([]CustomerConsent, len(results))
	for i, r := range results {
		out[i] = CustomerConsent{Customer: r.Customer.Name, TenantID: r.Customer.TenantID, Status: string(r.Customer.Status),
			Sentence: r.Sentence, Tried: true, Done: r.Done, c: r.Customer}
		e := audit.Entry{TenantID: r.Customer.TenantID, TenantName: r.Customer.Name, Source: "app registration",
			Change: "Consented the app " + words.Quote(name) + " in the customer through Partner Center", Target: appID,
			Before: string(customers[i].Status) + ".", After: string(r.Customer.Status) + ".", Result: audit.Succeeded}
		if !r.Done {
			e.Result, e.Detail = audit.Failed, r.Sentence
		}
		if err := s.a.record(ctx, e); err != nil {
			out[i].Sentence += " Onboard365 could not write this change to its audit trail: " + err.Error() + "."
		}
	}
	return words.Cleaned(out), nil
}

// RotateSecret signs an administrator in and replaces the app's client secret; the old one is
// removed only after the new one works.
func (s *AppRegistration) RotateSecret(ctx context.Context, hint string, launched func(Launch)) (AppOutcome, error) {
	ref, err := s.reference()
	if err != nil {
		return AppOutcome{}, err
	}
	n, err := permissions.Derive(ref, permissions.Choice{})
	if err != nil {
		return AppOutcome{}, err
	}
	admin, ev, err := s.adminSession(ctx, n, hint, launched)
	if err != nil {
		return AppOutcome{}, err
	}
	defer admin.SignOut(context.WithoutCancel(ctx))
	if !ev.Compliant {
		return AppOutcome{}, errors.New("this sign-in did not use MFA or is not in your partner tenant, so Onboard365 changed nothing: " + strings.Join(ev.Reasons, " "))
	}
	target := appreg.Target{ClientID: s.a.ClientID()}
	st, err := appreg.Read(ctx, admin.Graph(), target, s.a.vault, appreg.ReadOptions{Now: s.a.now})
	if err != nil {
		return AppOutcome{}, err
	}
	res, _, err := appreg.Rotate(ctx, admin.Graph(), st, appreg.ApplyOptions{Now: s.a.now, Keychain: s.a.vault, CheckSecret: admin.SecretCheck(), Waits: s.Waits})
	if err != nil {
		return AppOutcome{}, err
	}
	out := outcome(res)
	out.Lines = append(out.Lines, auditLines(s.a.recordAppOutcomes(ctx, "rotate secret", ev.Account, target.ClientID, res))...)
	after, err := appreg.Read(ctx, admin.Graph(), target, s.a.vault, appreg.ReadOptions{Now: s.a.now})
	if err == nil && after.App != nil {
		out.AppID = after.App.AppID
		out.Now = append(out.Now, fmt.Sprintf("The app %q has %d client %s.", after.App.DisplayName, len(after.App.PasswordCredentials),
			map[bool]string{true: "secret", false: "secrets"}[len(after.App.PasswordCredentials) == 1]))
		if ours := after.Ours(); ours != nil && ours.EndDateTime != nil {
			out.Now = append(out.Now, "The secret in this computer's keychain is valid until "+ours.EndDateTime.Local().Format("2 January 2006")+".")
		}
	}
	return words.Cleaned(out), nil
}

// WritePlan prints what exists, what would change and what is left alone, a line each:
// `onboard365 check app`'s output.
func WritePlan(w io.Writer, p AppPlan) {
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintln(w, title)
		for _, l := range lines {
			fmt.Fprintln(w, "  - "+l)
		}
	}
	section("What exists:", p.Facts)
	if len(p.Changes) == 0 {
		fmt.Fprintln(w, "Nothing to change: the app registration is correct.")
	} else {
		section(fmt.Sprintf("What the App registration wizard would change (%d):", len(p.Changes)), p.Changes)
	}
	section("Left as it is:", p.Notes)
}
