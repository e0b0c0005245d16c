package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/ui"
)

// appregService gives the App registration page (ui.AppRegistration) internal/appreg, with the
// account's keychain and sign-in. It remembers the run: the administrator's sign-in (memory
// only), what was read and planned, the app, and the customers last checked.
type appregService struct {
	a *account

	mu        sync.Mutex
	pages     *learn.Data
	choice    permissions.Choice
	needs     permissions.Needs
	admin     *appreg.AdminSession
	state     appreg.State
	plan      appreg.Plan
	planned   bool           // a plan was read and not applied yet
	last      *ui.AppOutcome // the last Apply's outcome, without its secret
	appID     string
	customers []appreg.Customer
	waits     []time.Duration // the pauses while Microsoft sets up a new app; nil: appreg.DefaultWaits
}

func newAppregService(a *account) *appregService { return &appregService{a: a} }

func (s *appregService) Integrations() []ui.AppIntegration {
	var out []ui.AppIntegration
	for _, in := range permissions.Integrations() {
		out = append(out, ui.AppIntegration{Name: in.Name, Description: in.Description, AlwaysOn: in.AlwaysOn,
			NeedsRedirect: in.NeedsWebRedirect, RedirectFrom: in.RedirectFrom})
	}
	return out
}

// reference loads what Microsoft's pages say about the app's requests once (internal/reference/learn).
func (s *appregService) reference() (*learn.Data, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pages == nil {
		pages, err := learn.Load()
		if err != nil {
			return nil, err
		}
		s.pages = pages
	}
	return s.pages, nil
}

// adminSession signs an administrator in for the needs, showing the sign-in where it opened.
func (s *appregService) adminSession(ctx context.Context, n permissions.Needs, hint string, launched func(ui.Launch)) (*appreg.AdminSession, ui.Evidence, error) {
	a := s.a
	open := func(url string) error {
		if !a.inApp {
			if l := auth.OpenPrivateWindow(url); !l.Opened {
				return errors.New("no browser could be started on this computer")
			}
			return nil
		}
		launched(ui.Launch{URL: url, InAppUsers: a.users, InApp: func(ctx context.Context, user, password string, approve bool) error {
			return sandbox.SignInThroughPages(ctx, a.hc, url, user, password, approve)
		}})
		return nil
	}
	onLaunch := func(l auth.Launch) {
		if a.inApp {
			return // open told the page already
		}
		var failed error
		if !l.Opened {
			failed = errors.New("no browser could be opened")
		}
		launched(ui.Launch{URL: l.URL, Browser: l.Browser, Private: l.Private, Failed: failed})
	}
	admin, err := appreg.NewAdminSession(a.cloud, n, a.tenant, open, onLaunch)
	if err != nil {
		return nil, ui.Evidence{}, err
	}
	res, err := admin.SignIn(ctx, hint)
	if err != nil {
		return nil, ui.Evidence{}, err
	}
	return admin, evidence(res.Claims, res.Verdict), nil
}

func (s *appregService) SignInAdmin(ctx context.Context, c ui.AppChoice, hint string, launched func(ui.Launch)) (ui.Evidence, error) {
	ref, err := s.reference()
	if err != nil {
		return ui.Evidence{}, err
	}
	choice := permissions.Choice{Name: c.Name, Integrations: c.Integrations, WebRedirects: c.RedirectURIs, AdminAgents: c.AdminAgents}
	n, err := permissions.Derive(ref, choice)
	if err != nil {
		return ui.Evidence{}, err
	}
	admin, ev, err := s.adminSession(ctx, n, hint, launched)
	if err != nil {
		return ui.Evidence{}, err
	}
	s.mu.Lock()
	s.choice, s.needs, s.admin, s.planned = choice, n, admin, false
	s.mu.Unlock()
	return ev, nil
}

var errAdminFirst = errors.New("sign in as an administrator first (the step before)")

func (s *appregService) Plan(ctx context.Context, report func(string)) (ui.AppPlan, error) {
	s.mu.Lock()
	admin, choice, n := s.admin, s.choice, s.needs
	s.mu.Unlock()
	if admin == nil {
		return ui.AppPlan{}, errAdminFirst
	}
	report("Reading the app registration and its consent…")
	st, err := appreg.Read(ctx, admin.Graph(), appreg.Target{Name: choice.Name}, s.a.vault, appreg.ReadOptions{AdminAgents: choice.AdminAgents, Now: s.a.now})
	if err != nil {
		return ui.AppPlan{}, err
	}
	p := appreg.PlanChanges(st, n, choice)
	s.mu.Lock()
	s.state, s.plan, s.planned, s.last = st, p, true, nil
	if st.App != nil {
		s.appID = st.App.AppID
	}
	s.mu.Unlock()
	return ui.AppPlan{Facts: p.Facts, Changes: p.Lines(), Notes: p.Notes, Consent: appreg.ConsentWords(n)}, nil
}

func (s *appregService) Apply(ctx context.Context, report func(done, total int, message string)) (ui.AppOutcome, error) {
	s.mu.Lock()
	admin, st, p, planned, last := s.admin, s.state, s.plan, s.planned, s.last
	s.planned = false
	s.mu.Unlock()
	if admin == nil {
		return ui.AppOutcome{}, errAdminFirst
	}
	if !planned {
		if last != nil {
			return *last, nil // already applied: nothing more changes, and the secret is not shown again
		}
		return ui.AppOutcome{}, errors.New("read the app registration first (the step before)")
	}
	res := appreg.Apply(ctx, admin.Graph(), st, p, appreg.ApplyOptions{
		Now: s.a.now, Keychain: s.a.vault, CheckSecret: admin.SecretCheck(), Waits: s.waits,
		Progress: func(pr appreg.Progress) { report(pr.Done, pr.Total, pr.Message) },
	})
	out := outcome(res)
	report(len(p.Changes), len(p.Changes), "Reading everything again…")
	if err := s.verify(ctx, &out); err != nil {
		return out, err
	}
	kept := out
	kept.Secret = nil
	s.mu.Lock()
	s.last = &kept
	if res.App != nil {
		s.appID = res.App.AppID
	}
	s.mu.Unlock()
	return out, nil
}

// verify reads everything again: what is true now, and what (if anything) is still to do.
func (s *appregService) verify(ctx context.Context, out *ui.AppOutcome) error {
	s.mu.Lock()
	admin, choice, n := s.admin, s.choice, s.needs
	s.mu.Unlock()
	st, err := appreg.Read(ctx, admin.Graph(), appreg.Target{Name: choice.Name}, s.a.vault, appreg.ReadOptions{AdminAgents: choice.AdminAgents, Now: s.a.now})
	if err != nil {
		return err
	}
	p := appreg.PlanChanges(st, n, choice)
	out.Now, out.Remaining = p.Facts, p.Lines()
	s.mu.Lock()
	s.state = st
	s.mu.Unlock()
	return nil
}

func outcome(res appreg.Result) ui.AppOutcome {
	out := ui.AppOutcome{Waited: res.Waited}
	for _, o := range res.Outcomes {
		sentence := o.Change.Sentence
		if o.Sentence != "" {
			sentence += " " + o.Sentence
		}
		out.Lines = append(out.Lines, ui.AppLine{Done: o.Done, Sentence: sentence})
	}
	if sec := res.Secret; sec != nil {
		out.Secret = &ui.ShownSecret{ClientID: sec.ClientID, Value: sec.Text, Expires: sec.Expires, Stored: sec.Stored}
	}
	return out
}

func (s *appregService) SignInWithApp(ctx context.Context, hint string, launched func(ui.Launch)) (ui.AppSignIn, error) {
	s.mu.Lock()
	appID := s.appID
	s.mu.Unlock()
	if appID == "" {
		return ui.AppSignIn{}, errors.New("there is no app registration yet: go back and apply the plan")
	}
	a := s.a
	if a.clientID() == appID {
		if acct, ok := a.authn().Account(); ok {
			return ui.AppSignIn{Evidence: ui.Evidence{Compliant: true, Account: acct.PreferredUsername}, Already: true, Kept: true}, nil
		}
		if acct, ok, err := a.authn().Restore(ctx); err == nil && ok {
			return ui.AppSignIn{Evidence: ui.Evidence{Compliant: true, Account: acct.PreferredUsername}, Already: true, Kept: true}, nil
		}
	}
	if err := a.useApp(appID); err != nil {
		return ui.AppSignIn{}, err
	}
	ev, err := a.Interactive(ctx, hint, launched)
	if err != nil {
		_ = a.Discard(context.WithoutCancel(ctx))
		return ui.AppSignIn{}, err
	}
	if ev.Compliant {
		ev, _ = a.CheckPartnerCenter(ctx) // the final verdict: Partner Center's answer included
	}
	if !ev.Compliant {
		_ = a.Discard(ctx)
		return ui.AppSignIn{Evidence: ev}, nil
	}
	if err := a.Keep(ctx); err != nil {
		return ui.AppSignIn{Evidence: ev}, err
	}
	return ui.AppSignIn{Evidence: ev, Kept: true}, nil
}

// partnerCenter is a Partner Center client with the app's own sign-in.
func (s *appregService) partnerCenter() *partnercenter.Client {
	return partnercenter.New(s.a.cloud.PartnerCenterURL, s.a.hc, s.a.authn().TokenSource("", auth.PartnerCenterScope), partnercenter.Options{})
}

func (s *appregService) Customers(ctx context.Context, progress func(done, total int)) ([]ui.CustomerConsent, error) {
	s.mu.Lock()
	n := s.needs
	s.mu.Unlock()
	cs, err := appreg.ReadCustomers(ctx, s.partnerCenter(), appreg.ProbeWith(s.a.authn()), n, progress)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.customers = cs
	s.mu.Unlock()
	out := make([]ui.CustomerConsent, len(cs))
	for i, c := range cs {
		out[i] = ui.CustomerConsent{Customer: c.Name, TenantID: c.TenantID, Status: string(c.Status), Sentence: c.Sentence, Planned: c.Planned()}
	}
	return out, nil
}

func (s *appregService) Consent(ctx context.Context, tenantIDs []string, progress func(done, total int)) ([]ui.CustomerConsent, error) {
	s.mu.Lock()
	n, appID, all, name := s.needs, s.appID, s.customers, s.choice.Name
	s.mu.Unlock()
	want := map[string]bool{}
	for _, id := range tenantIDs {
		want[strings.ToLower(id)] = true
	}
	var chosen []appreg.Customer
	for _, c := range all {
		if want[strings.ToLower(c.TenantID)] {
			chosen = append(chosen, c)
		}
	}
	if name == "" {
		name = permissions.DefaultName
	}
	results := appreg.ConsentCustomers(ctx, s.partnerCenter(), appID, name, n, chosen, appreg.ProbeWith(s.a.authn()), progress)
	out := make([]ui.CustomerConsent, len(results))
	for i, r := range results {
		out[i] = ui.CustomerConsent{Customer: r.Customer.Name, TenantID: r.Customer.TenantID, Status: string(r.Customer.Status),
			Sentence: r.Sentence, Tried: true, Done: r.Done}
	}
	return out, nil
}

func (s *appregService) RotateSecret(ctx context.Context, hint string, launched func(ui.Launch)) (ui.AppOutcome, error) {
	ref, err := s.reference()
	if err != nil {
		return ui.AppOutcome{}, err
	}
	n, err := permissions.Derive(ref, permissions.Choice{})
	if err != nil {
		return ui.AppOutcome{}, err
	}
	admin, ev, err := s.adminSession(ctx, n, hint, launched)
	if err != nil {
		return ui.AppOutcome{}, err
	}
	defer admin.SignOut(context.WithoutCancel(ctx))
	if !ev.Compliant {
		return ui.AppOutcome{}, errors.New("this sign-in did not use MFA or is not in your partner tenant, so Onboard365 changed nothing: " + strings.Join(ev.Reasons, " "))
	}
	target := appreg.Target{ClientID: s.a.clientID()}
	st, err := appreg.Read(ctx, admin.Graph(), target, s.a.vault, appreg.ReadOptions{Now: s.a.now})
	if err != nil {
		return ui.AppOutcome{}, err
	}
	res, _, err := appreg.Rotate(ctx, admin.Graph(), st, appreg.ApplyOptions{Now: s.a.now, Keychain: s.a.vault, CheckSecret: admin.SecretCheck(), Waits: s.waits})
	if err != nil {
		return ui.AppOutcome{}, err
	}
	out := outcome(res)
	after, err := appreg.Read(ctx, admin.Graph(), target, s.a.vault, appreg.ReadOptions{Now: s.a.now})
	if err == nil && after.App != nil {
		out.Now = append(out.Now, fmt.Sprintf("The app %q has %d client %s.", after.App.DisplayName, len(after.App.PasswordCredentials),
			map[bool]string{true: "secret", false: "secrets"}[len(after.App.PasswordCredentials) == 1]))
		if ours := after.Ours(); ours != nil && ours.EndDateTime != nil {
			out.Now = append(out.Now, "The secret in this computer's keychain is valid until "+ours.EndDateTime.Local().Format("2 January 2006")+".")
		}
	}
	return out, nil
}

// authn is the account's Authenticator: the App registration wizard may switch it to a new app.
func (a *account) authn() *auth.Authenticator {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.auth
}

func (a *account) appMissing() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.noApp
}

// clientID is the app the account signs in with; "" before there is one.
func (a *account) clientID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.noApp {
		return ""
	}
	return a.appID
}

// useApp makes the account sign in with another app registration from now on (the one the
// App registration wizard made), keeping the same keychain.
func (a *account) useApp(clientID string) error {
	if a.clientID() == clientID {
		return nil
	}
	n, err := auth.New(auth.Config{Cloud: a.cloud, ClientID: clientID, Tenant: a.tenant, Cache: a.cache, OpenURL: a.open, OnLaunch: a.onLaunch})
	if err != nil {
		return fmt.Errorf("set up the sign-in with the new app: %w", err)
	}
	a.mu.Lock()
	a.auth, a.appID, a.noApp = n, clientID, false
	a.mu.Unlock()
	return nil
}

// storedClientID is the application id of the app whose secret the keychain holds, or "".
func storedClientID(v interface {
	ClientSecret(ctx context.Context) (string, string, time.Time, error)
}) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	id, _, _, err := v.ClientSecret(ctx)
	if err != nil {
		return ""
	}
	return id
}
