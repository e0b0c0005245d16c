package appreg_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/vault"
)

const (
	alex     = "alex@contosopartners.onmicrosoft.com"
	password = "sandbox"
)

// keychain is the client secret's keychain entry, in memory.
type keychain struct {
	mu       sync.Mutex
	clientID string
	secret   string
	expires  time.Time
	puts     int
}

func (k *keychain) PutClientSecret(_ context.Context, clientID, secret string, expires time.Time) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.clientID, k.secret, k.expires = clientID, secret, expires
	k.puts++
	return nil
}

func (k *keychain) ClientSecret(context.Context) (string, string, time.Time, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.secret == "" {
		return "", "", time.Time{}, vault.ErrNotFound
	}
	return k.clientID, k.secret, k.expires, nil
}

// trace collects the sandbox's request log.
type trace struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (t *trace) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.Write(p)
}

// requests returns the requests logged since the last call, and forgets them.
func (t *trace) requests(tb testing.TB) []sandbox.TraceEntry {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []sandbox.TraceEntry
	dec := json.NewDecoder(bytes.NewReader(t.buf.Bytes()))
	for dec.More() {
		var e sandbox.TraceEntry
		if err := dec.Decode(&e); err != nil {
			tb.Fatal(err)
		}
		out = append(out, e)
	}
	t.buf.Reset()
	return out
}

func count(entries []sandbox.TraceEntry, host string) int {
	n := 0
	for _, e := range entries {
		if e.Host == host {
			n++
		}
	}
	return n
}

// fixture is a sandbox, its reference data and the person at the keyboard.
type fixture struct {
	t     testing.TB
	s     *sandbox.Server
	hc    *http.Client
	ref   *learn.Data
	trace *trace
	keys  *keychain
	user  string
}

func start(t *testing.T, scenario string) *fixture {
	t.Helper()
	tr := &trace{}
	s, err := sandbox.Start(sandbox.Options{Scenario: scenario, Trace: tr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	hc, err := s.Cloud().HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := loadRef()
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, s: s, hc: hc, ref: ref, trace: tr, keys: &keychain{}, user: alex}
}

func (f *fixture) open(url string) error {
	return sandbox.SignInThroughPages(context.Background(), f.hc, url, f.user, password, true)
}

func (f *fixture) needs(c permissions.Choice) permissions.Needs {
	f.t.Helper()
	n, err := permissions.Derive(f.ref, c)
	if err != nil {
		f.t.Fatal(err)
	}
	return n
}

// admin signs the administrator in through the sandbox's pages.
func (f *fixture) admin(n permissions.Needs) *appreg.AdminSession {
	f.t.Helper()
	a, err := appreg.NewAdminSession(f.s.Cloud(), n, "", f.open, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := a.SignIn(context.Background(), f.user)
	if err != nil {
		f.t.Fatalf("admin sign-in: %v", err)
	}
	if !res.Verdict.Compliant {
		f.t.Fatalf("admin sign-in is not compliant: %v", res.Verdict.Reasons)
	}
	return a
}

var quick = []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond, time.Millisecond}

func (f *fixture) applyOptions(a *appreg.AdminSession) appreg.ApplyOptions {
	return appreg.ApplyOptions{Keychain: f.keys, CheckSecret: a.SecretCheck(), Waits: quick}
}

func (f *fixture) read(g *graph.Client, c permissions.Choice) appreg.State {
	f.t.Helper()
	st, err := appreg.Read(context.Background(), g, appreg.Target{Name: c.Name}, f.keys, appreg.ReadOptions{AdminAgents: c.AdminAgents})
	if err != nil {
		f.t.Fatalf("read: %v", err)
	}
	return st
}

func kinds(p appreg.Plan) []appreg.Kind {
	var out []appreg.Kind
	for _, c := range p.Changes {
		out = append(out, c.Kind)
	}
	return out
}

func sameKinds(got []appreg.Kind, want ...appreg.Kind) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

// signInWithApp signs the technician in with the app, as the wizard's last steps do.
func (f *fixture) signInWithApp(appID string) *auth.Authenticator {
	f.t.Helper()
	a, err := auth.New(auth.Config{Cloud: f.s.Cloud(), ClientID: appID, OpenURL: f.open})
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := a.SignIn(context.Background(), f.user)
	if err != nil {
		f.t.Fatalf("sign-in with the new app: %v", err)
	}
	if !res.Verdict.Compliant {
		f.t.Fatalf("the sign-in with the new app is not compliant: %v", res.Verdict.Reasons)
	}
	return a
}

func TestFreshTenantEndsWithAWorkingConsentedApp(t *testing.T) {
	f := start(t, sandbox.ScenarioFresh)
	ctx := context.Background()
	choice := permissions.Choice{}
	n := f.needs(choice)
	admin := f.admin(n)
	g := admin.Graph()
	f.trace.requests(t)

	began := time.Now()
	st := f.read(g, choice)
	if st.App != nil || st.SP != nil {
		t.Fatalf("the fresh tenant has an app: %+v", st.App)
	}
	plan := appreg.PlanChanges(st, n, choice)
	want := []appreg.Kind{appreg.CreateApp, appreg.AddPublicRedirects, appreg.AddPermissions, appreg.AddPermissions,
		appreg.CreateSP, appreg.AddSecret, appreg.GrantDelegated, appreg.GrantDelegated}
	if !sameKinds(kinds(plan), want...) {
		t.Fatalf("plan %v, want %v:\n%s", kinds(plan), want, strings.Join(plan.Lines(), "\n"))
	}
	readRequests := count(f.trace.requests(t), "graph")

	var reports []appreg.Progress
	opts := f.applyOptions(admin)
	opts.Progress = func(p appreg.Progress) { reports = append(reports, p) }
	res := appreg.Apply(ctx, g, st, plan, opts)
	for _, o := range res.Outcomes {
		if !o.Done {
			t.Errorf("%s: %s", o.Change.Kind, o.Sentence)
		}
	}
	if res.Waited != 2 {
		t.Errorf("waited %d times for the new app to replicate, want 2 (the scenario hides it from 2 tries)", res.Waited)
	}
	waitShown := false
	for _, r := range reports {
		waitShown = waitShown || strings.Contains(r.Message, "still setting up the new app")
	}
	if !waitShown {
		t.Error("the wait for replication was not reported")
	}
	if res.Secret == nil || !res.Secret.Works || !res.Secret.Stored || f.keys.secret != res.Secret.Text || f.keys.clientID != res.App.AppID {
		t.Fatalf("the new secret was not checked and kept: %v", res.Secret)
	}
	applyRequests := count(f.trace.requests(t), "graph")

	// Verify: read again; nothing is left to do.
	again := f.read(g, choice)
	verify := appreg.PlanChanges(again, n, choice)
	if !verify.Empty() {
		t.Fatalf("after applying, the plan still has %v:\n%s", kinds(verify), strings.Join(verify.Lines(), "\n"))
	}
	elapsed := time.Since(began)
	t.Logf("fresh tenant: plan of %d changes; %d Graph requests to read, %d to apply (%d waits for replication), %d to verify; %s",
		len(plan.Changes), readRequests, applyRequests, res.Waited, count(f.trace.requests(t), "graph"), elapsed.Round(time.Millisecond))

	// The technician signs in with the new app: its sign-in (and refresh token) belong to it.
	app := f.signInWithApp(res.App.AppID)
	tok, err := app.Token(ctx, "", auth.GraphScope)
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := auth.ParseClaims(tok)
	if claims.AppID != res.App.AppID {
		t.Errorf("the token belongs to %s, want the new app %s", claims.AppID, res.App.AppID)
	}
	for _, p := range n.Partner {
		if !strings.Contains(" "+claims.Scp+" ", " "+p.Name+" ") {
			t.Errorf("the admin consent does not reach the token: %s missing from %q", p.Name, claims.Scp)
		}
	}

	// Customers: consent through Partner Center, each with its own result.
	pc := partnercenter.New(f.s.Cloud().PartnerCenterURL, f.hc, app.TokenSource("", auth.PartnerCenterScope), partnercenter.Options{})
	probe := appreg.ProbeWith(app)
	customers, err := appreg.ReadCustomers(ctx, pc, probe, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]appreg.CustomerStatus{}
	var chosen []appreg.Customer
	for _, c := range customers {
		status[c.Name] = c.Status
		if c.Planned() || c.Name == "Wingtip Toys" { // the person also ticks one that could not be checked
			chosen = append(chosen, c)
		}
		if c.Sentence == "" {
			t.Errorf("%s: no sentence", c.Name)
		}
	}
	for name, want := range map[string]appreg.CustomerStatus{"Fabrikam": appreg.NeedsConsent, "Relecloud": appreg.NeedsConsent,
		"Woodgrove Bank": appreg.NeedsConsent, "Wingtip Toys": appreg.CouldNotCheck, "Alpine Ski House": appreg.CouldNotCheck} {
		if status[name] != want {
			t.Errorf("%s: %s, want %s", name, status[name], want)
		}
	}
	results := appreg.ConsentCustomers(ctx, pc, res.App.AppID, permissions.DefaultName, n, chosen, probe, nil)
	done := map[string]appreg.CustomerResult{}
	for _, r := range results {
		done[r.Customer.Name] = r
	}
	if r := done["Fabrikam"]; !r.Done || !strings.Contains(r.Sentence, "Consented") {
		t.Errorf("Fabrikam: %+v", r)
	}
	if r := done["Woodgrove Bank"]; r.Done || !strings.Contains(r.Sentence, "Application Administrator") || !strings.Contains(r.Sentence, "GDAP relationships") {
		t.Errorf("Woodgrove Bank refuses consent; the sentence must say why and what to do: %+v", r)
	}
	if r := done["Wingtip Toys"]; r.Done || !strings.Contains(r.Sentence, "Partner Center refused") {
		t.Errorf("Wingtip Toys has no active relationship; Partner Center refuses: %+v", r)
	}
	// Litware's Conditional Access blocks the technician: the consent is made, but the app's
	// token there cannot be had, and the sentence says why.
	if r := done["Litware"]; !r.Done || r.Customer.Status != appreg.CouldNotCheck || !strings.Contains(r.Sentence, "Conditional Access") {
		t.Errorf("Litware: %+v", r)
	}

	// A second run changes nothing.
	second := appreg.PlanChanges(f.read(g, choice), n, choice)
	if !second.Empty() {
		t.Errorf("a second run plans %v", kinds(second))
	}
	customers, err = appreg.ReadCustomers(ctx, pc, probe, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range customers {
		if c.Planned() && c.Name != "Woodgrove Bank" {
			t.Errorf("a second run plans consent in %s: %s", c.Name, c.Sentence)
		}
	}
}

func TestHalfMadeAppsAreRepairedExactly(t *testing.T) {
	tests := []struct {
		scenario string
		want     []appreg.Kind
	}{
		{sandbox.ScenarioAppNoSP, []appreg.Kind{appreg.CreateSP, appreg.GrantDelegated, appreg.GrantDelegated}},
		{sandbox.ScenarioAppExpiredSecret, []appreg.Kind{appreg.AddSecret, appreg.RemoveSecret}},
		{sandbox.ScenarioAppMissingPermission, []appreg.Kind{appreg.AddPermissions, appreg.GrantDelegated}},
	}
	for _, tt := range tests {
		t.Run(tt.scenario, func(t *testing.T) {
			f := start(t, tt.scenario)
			// This computer made the app: its keychain holds the app's secret.
			f.keys.clientID, f.keys.secret = sandbox.AppID, sandbox.HalfMadeSecret
			f.keys.expires = sandbox.HalfMadeSecretEnd(tt.scenario, time.Now())
			choice := permissions.Choice{}
			n := f.needs(choice)
			admin := f.admin(n)
			g := admin.Graph()
			st := f.read(g, choice)
			if st.App == nil || st.App.AppID != sandbox.AppID || st.FoundBy != "client id" {
				t.Fatalf("the half-made app was not found by its client id: %+v", st.App)
			}
			plan := appreg.PlanChanges(st, n, choice)
			if !sameKinds(kinds(plan), tt.want...) {
				t.Fatalf("plan %v, want exactly %v:\n%s", kinds(plan), tt.want, strings.Join(plan.Lines(), "\n"))
			}
			res := appreg.Apply(context.Background(), g, st, plan, f.applyOptions(admin))
			if res.Failed() > 0 {
				for _, o := range res.Outcomes {
					t.Logf("%s: %v %s", o.Change.Kind, o.Done, o.Sentence)
				}
				t.Fatalf("%d changes failed", res.Failed())
			}
			after := appreg.PlanChanges(f.read(g, choice), n, choice)
			if !after.Empty() {
				t.Errorf("after the repair the plan still has %v", kinds(after))
			}
			// The repaired app signs in, and its token carries the partner permissions.
			f.signInWithApp(sandbox.AppID)
		})
	}
}

func TestFailuresAreSentencesWithTheFix(t *testing.T) {
	t.Run("no Application Administrator", func(t *testing.T) {
		// Any member may read app registrations (rbac-application-apis-read); creating one in a
		// tenant that restricts it needs a role (rbac-application-apis-write): Apply says which.
		f := start(t, sandbox.ScenarioNoAppAdmin)
		choice := permissions.Choice{}
		n := f.needs(choice)
		admin := f.admin(n)
		g := admin.Graph()
		st, err := appreg.Read(context.Background(), g, appreg.Target{}, f.keys, appreg.ReadOptions{})
		if err != nil {
			t.Fatalf("reading as a member: %v", err)
		}
		res := appreg.Apply(context.Background(), g, st, appreg.PlanChanges(st, n, choice), f.applyOptions(admin))
		if res.Failed() == 0 || len(res.Outcomes) == 0 {
			t.Fatalf("creating the app without a role succeeded: %+v", res)
		}
		err = nil
		for _, o := range res.Outcomes {
			if o.Err != nil && err == nil {
				err = o.Err
			}
		}
		var p *appreg.Problem
		if !errors.As(err, &p) {
			t.Fatalf("err = %v, want a *Problem", err)
		}
		for _, want := range []string{"Application Administrator", "Global Administrator", "Try again"} {
			if !strings.Contains(p.Error(), want) {
				t.Errorf("the sentence does not say %q: %s", want, p.Error())
			}
		}
		if strings.Contains(p.Error(), "403") || strings.Contains(p.Error(), "Authorization_RequestDenied") {
			t.Errorf("the sentence shows Microsoft's code: %s", p.Error())
		}
	})
	t.Run("admin consent denied", func(t *testing.T) {
		f := start(t, sandbox.ScenarioConsentDenied)
		choice := permissions.Choice{}
		n := f.needs(choice)
		admin := f.admin(n)
		g := admin.Graph()
		st := f.read(g, choice)
		res := appreg.Apply(context.Background(), g, st, appreg.PlanChanges(st, n, choice), f.applyOptions(admin))
		refused := 0
		for _, o := range res.Outcomes {
			if o.Change.Kind == appreg.GrantDelegated {
				if o.Done || !strings.Contains(o.Sentence, "Grant admin consent") || !strings.Contains(o.Sentence, "Global Administrator") {
					t.Errorf("a refused consent must say what to do: %+v", o)
				}
				refused++
			} else if !o.Done {
				t.Errorf("%s failed: %s", o.Change.Kind, o.Sentence)
			}
		}
		if refused != 2 {
			t.Errorf("%d consents refused, want 2 (Graph and Partner Center)", refused)
		}
		// The app itself was made; a second run (after a Global Administrator consents) finds it.
		again := appreg.PlanChanges(f.read(g, choice), n, choice)
		if !sameKinds(kinds(again), appreg.GrantDelegated, appreg.GrantDelegated) {
			t.Errorf("after a refused consent the next plan is %v, want only the two consents", kinds(again))
		}
	})
}

func TestRotateKeepsTheOldSecretUntilTheNewOneWorks(t *testing.T) {
	f := start(t, sandbox.ScenarioAppMissingPermission)
	f.keys.clientID, f.keys.secret = sandbox.AppID, sandbox.HalfMadeSecret
	f.keys.expires = sandbox.HalfMadeSecretEnd(sandbox.ScenarioAppMissingPermission, time.Now())
	choice := permissions.Choice{}
	n := f.needs(choice)
	admin := f.admin(n)
	g := admin.Graph()
	st := f.read(g, choice)
	old := st.Ours()
	if old == nil {
		t.Fatal("the keychain's secret does not match the app's")
	}

	// A secret check that fails: nothing is removed, the keychain keeps the old secret.
	opts := f.applyOptions(admin)
	opts.CheckSecret = func(context.Context, string, string) error {
		return errors.New("the sign-in service refused the secret")
	}
	res, _, err := appreg.Rotate(context.Background(), g, st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Secret != nil || f.keys.secret != sandbox.HalfMadeSecret {
		t.Fatal("a secret that does not work replaced the old one")
	}
	st = f.read(g, choice)
	if len(st.App.PasswordCredentials) != 1 || st.Ours() == nil {
		t.Fatalf("after a failed rotation the app has %d secrets", len(st.App.PasswordCredentials))
	}

	// A real check: the new secret works, is kept, and only then is the old one removed.
	res, _, err = appreg.Rotate(context.Background(), g, st, f.applyOptions(admin))
	if err != nil || res.Failed() > 0 {
		t.Fatalf("rotate: %v %+v", err, res.Outcomes)
	}
	if res.Secret == nil || !res.Secret.Works || f.keys.secret != res.Secret.Text {
		t.Fatal("the new secret was not kept")
	}
	st = f.read(g, choice)
	if len(st.App.PasswordCredentials) != 1 || st.App.PasswordCredentials[0].KeyID == old.KeyID || st.Ours() == nil {
		t.Fatalf("after rotation the app's secrets are %+v", st.App.PasswordCredentials)
	}
	if err := admin.SecretCheck()(context.Background(), sandbox.AppID, sandbox.HalfMadeSecret); err == nil {
		t.Error("the old secret still works after rotation")
	}
}

// TestDefaultScenarioAppIsConsentedAsTheWizardAsks: the default scenario records the consent
// the App registration wizard gives (scenario_consent.go in the sandbox), so the wizard finds
// only the secret this computer lacks.
func TestDefaultScenarioAppIsConsentedAsTheWizardAsks(t *testing.T) {
	f := start(t, sandbox.ScenarioContoso)
	choice := permissions.Choice{}
	n := f.needs(choice)
	st := f.read(f.admin(n).Graph(), choice)
	if st.App == nil || st.App.AppID != sandbox.AppID || st.SP == nil {
		t.Fatalf("the default scenario's app was not found: %+v", st.App)
	}
	if plan := appreg.PlanChanges(st, n, choice); !sameKinds(kinds(plan), appreg.AddSecret) {
		t.Fatalf("plan %v, want only the secret:\n%s", kinds(plan), strings.Join(plan.Lines(), "\n"))
	}
}

// TestConsentsLackingAPermissionAreRenewed runs the wizard where the app and its customers'
// consents lack a permission the app now uses (AuditLog.Read.All). The app is repaired, the
// consents are removed and made again, and the app's fresh token in each customer then carries
// every permission (not a token from before the renewal).
func TestConsentsLackingAPermissionAreRenewed(t *testing.T) {
	f := start(t, sandbox.ScenarioAppMissingPermission)
	f.keys.PutClientSecret(context.Background(), sandbox.AppID, sandbox.HalfMadeSecret, sandbox.HalfMadeSecretEnd(sandbox.ScenarioAppMissingPermission, time.Now()))
	ctx := context.Background()
	choice := permissions.Choice{}
	n := f.needs(choice)
	admin := f.admin(n)
	g := admin.Graph()
	st := f.read(g, choice)
	if st.App == nil || st.App.AppID != sandbox.AppID || st.SP == nil {
		t.Fatalf("the scenario's app was not found: %+v", st.App)
	}
	plan := appreg.PlanChanges(st, n, choice)
	if res := appreg.Apply(ctx, g, st, plan, f.applyOptions(admin)); res.Failed() > 0 || res.Waited != 0 {
		t.Fatalf("apply: %d failed, %d waits (an existing app needs none)", res.Failed(), res.Waited)
	}

	app := f.signInWithApp(sandbox.AppID)
	pc := partnercenter.New(f.s.Cloud().PartnerCenterURL, f.hc, app.TokenSource("", auth.PartnerCenterScope), partnercenter.Options{})
	probe := appreg.ProbeWith(app)
	customers, err := appreg.ReadCustomers(ctx, pc, probe, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	var chosen []appreg.Customer
	renew := 0
	for _, c := range customers {
		if c.Status == appreg.NeedsRenewal {
			renew++
			if !strings.Contains(c.Sentence, "AuditLog.Read.All") {
				t.Errorf("%s: the sentence must name what is missing: %s", c.Name, c.Sentence)
			}
		}
		if c.Planned() {
			chosen = append(chosen, c)
		}
	}
	if renew < 5 {
		t.Fatalf("only %d customers need their consent renewed: %+v", renew, customers)
	}
	f.trace.requests(t)
	for _, r := range appreg.ConsentCustomers(ctx, pc, sandbox.AppID, permissions.DefaultName, n, chosen, probe, nil) {
		if !r.Done && r.Customer.Name != "Woodgrove Bank" {
			t.Errorf("%s: %s", r.Customer.Name, r.Sentence)
		}
	}
	deletes := 0
	for _, e := range f.trace.requests(t) {
		if e.Host == "partnercenter" && e.Method == "DELETE" {
			deletes++
		}
	}
	if deletes != renew {
		t.Errorf("%d consents removed before being made again, want %d", deletes, renew)
	}
	again, err := appreg.ReadCustomers(ctx, pc, probe, n, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range again {
		if c.Planned() && c.Name != "Woodgrove Bank" {
			t.Errorf("after renewal %s is %s: %s", c.Name, c.Status, c.Sentence)
		}
	}
}

func loadRef() (*learn.Data, error) { return learn.Load() }
