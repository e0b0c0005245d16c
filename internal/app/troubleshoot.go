package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/troubleshoot"
	"github.com/onboard365/onboard365/internal/vault"
	"github.com/onboard365/onboard365/internal/words"
)

// Troubleshoot finds why customers refuse the partner's tools ("400" errors) and fixes what it
// can: the Troubleshoot wizard and `onboard365 check troubleshoot`. Besides the technician's
// sign-in it keeps, for this run and in memory only, the sign-ins of customers' own
// administrators (SignInAsAdmin): never in the keychain.
type Troubleshoot struct {
	a     *Account
	store *roles.ProfileStore

	mu     sync.Mutex
	admins map[string]*graph.Client // by lower-case tenant id
}

// NewTroubleshoot is the Troubleshoot task with an account's sign-in.
func NewTroubleshoot(a *Account) *Troubleshoot {
	return &Troubleshoot{a: a, store: defaultStore(), admins: map[string]*graph.Client{}}
}

// ErrNoSuchCustomer is Check's error when the request names a customer the technician has no
// GDAP relationship with.
var ErrNoSuchCustomer = troubleshoot.ErrNoSuchCustomer

// TroubleshootRequest says what to check.
type TroubleshootRequest struct {
	Customer       string // a customer's name or tenant id; "" for every customer
	ServiceAccount string // the integration's own account, to check for risk too; "" for none
	Profile        string // the role profile of the GDAP check; "" for the default
}

// TroubleshootResult is every checklist, and the plan of the fixes they found.
type TroubleshootResult struct {
	Partner   TroubleshootChecklist
	Customers []TroubleshootChecklist // worst first
	Plan      plan.Plan               // every fix's Change is a troubleshoot.Fix

	d   troubleshoot.Diagnosis
	req TroubleshootRequest
}

// TroubleshootChecklist is the checks of one tenant.
type TroubleshootChecklist struct {
	Name          string
	Status        plan.Status // the worst of Checks
	Checks        []TroubleshootCheck
	NeedsAdmin    bool // the technician's access is blocked: the customer's own administrator can sign in
	AdminSignedIn bool // the checks read the customer with its administrator's sign-in
}

// TroubleshootCheck is one check: its outcome and the reason.
type TroubleshootCheck struct {
	Title    string
	Status   plan.Status
	Sentence string
	Details  []string
}

// Customers names the customers the technician has GDAP relationships with.
func (s *Troubleshoot) Customers(ctx context.Context) ([]string, error) {
	c, err := s.a.Graph(ctx, "")
	if err != nil {
		return nil, err
	}
	inv, err := gdap.Read(ctx, c, nil)
	if err != nil {
		return nil, fmt.Errorf("reading your GDAP relationships: %w", err)
	}
	var names []string
	for _, cu := range inv.Customers() {
		names = append(names, customerName(cu))
	}
	return words.Cleaned(names), nil
}

// Profiles names the role profiles the GDAP check can use, the built-in ones first.
func (s *Troubleshoot) Profiles() []string {
	var names []string
	for _, p := range allProfiles(s.store) {
		names = append(names, p.Name)
	}
	return names
}

func (s *Troubleshoot) options(ctx context.Context, req TroubleshootRequest, progress func(done, total int)) (troubleshoot.Options, error) {
	claims, err := s.a.partnerClaims(ctx)
	if err != nil {
		return troubleshoot.Options{}, err
	}
	opts := troubleshoot.Options{SignIn: claims, ServiceAccount: strings.TrimSpace(req.ServiceAccount), Progress: progress, Now: s.a.now()}
	if req.Customer != "" {
		opts.Customers = []string{req.Customer}
	}
	if req.Profile != "" {
		p, err := findProfile(s.store, req.Profile)
		if err != nil {
			return opts, err
		}
		opts.Profile = p
	}
	s.mu.Lock()
	opts.Admins = map[string]*graph.Client{}
	for k, v := range s.admins {
		opts.Admins[k] = v
	}
	s.mu.Unlock()
	return opts, nil
}

// Check runs every check of the request.
func (s *Troubleshoot) Check(ctx context.Context, req TroubleshootRequest, progress func(done, total int)) (TroubleshootResult, error) {
	opts, err := s.options(ctx, req, progress)
	if err != nil {
		return TroubleshootResult{}, err
	}
	tenants := troubleshoot.TenantGraph(s.a.Graph)
	if bulk, err := s.a.bulkTenants(ctx); err == nil {
		tenants = bulk
	}
	d, err := troubleshoot.Diagnose(ctx, tenants, opts)
	if err != nil {
		return TroubleshootResult{}, err
	}
	return troubleshootResult(d, req), nil
}

// SignInAsAdmin signs one of a customer's own administrators in (launched tells where the
// sign-in page opened, or asks for the account in the app on the sandbox), checks that customer
// again with that sign-in, and returns last with the customer's new checklist and fixes.
func (s *Troubleshoot) SignInAsAdmin(ctx context.Context, last TroubleshootResult, customer string, launched func(Launch)) (TroubleshootResult, error) {
	var target troubleshoot.Customer
	for _, l := range last.d.Customers {
		if words.Clean(l.Customer.Name) == customer || strings.EqualFold(l.Customer.TenantID, customer) {
			target = l.Customer
		}
	}
	if target.TenantID == "" {
		return TroubleshootResult{}, fmt.Errorf("run the checks first: Onboard365 does not know a customer called %q", customer)
	}
	c, err := s.a.customerAdminSignIn(ctx, target.TenantID, launched)
	if err != nil {
		return TroubleshootResult{}, err
	}
	s.mu.Lock()
	s.admins[strings.ToLower(target.TenantID)] = c
	s.mu.Unlock()
	one := last.req
	one.Customer = target.TenantID
	opts, err := s.options(ctx, one, nil)
	if err != nil {
		return TroubleshootResult{}, err
	}
	again, err := troubleshoot.Diagnose(ctx, s.a.Graph, opts)
	if err != nil {
		return TroubleshootResult{}, err
	}
	return troubleshootResult(last.d.WithCustomer(again), last.req), nil
}

// Apply makes the fixes of a reviewed plan, one's failure never stopping the rest.
func (s *Troubleshoot) Apply(ctx context.Context, p plan.Plan, progress func(done, total int)) []plan.Outcome {
	fixes, err := plan.Changes[troubleshoot.Fix](p)
	if err != nil {
		out := make([]plan.Outcome, len(p.Fixes))
		for i, f := range p.Fixes {
			out[i] = plan.Outcome{FixID: f.ID, Who: f.Who, Sentence: "Not applied: " + explain.Sentence(err)}
		}
		return words.Cleaned(out)
	}
	s.mu.Lock()
	admins := map[string]*graph.Client{}
	for k, v := range s.admins {
		admins[k] = v
	}
	s.mu.Unlock()
	results := troubleshoot.Apply(ctx, s.a.Graph, admins, fixes, progress)
	out := make([]plan.Outcome, len(results))
	for i, r := range results {
		out[i] = plan.Outcome{FixID: r.Fix.ID, Who: fixTenant(r.Fix), Done: r.Done, Sentence: r.Sentence}
	}
	return s.a.recordPlan(ctx, "troubleshoot", p, words.Cleaned(out))
}

// Export writes a result as "table" (plain text), "json" (troubleshoot.Report), "csv" or "html"
// (a printable page).
func (s *Troubleshoot) Export(r TroubleshootResult, format string, w io.Writer) error {
	switch format {
	case "table":
		return troubleshoot.WriteTable(w, r.d)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(troubleshoot.NewReport(r.d))
	case "csv":
		return troubleshoot.WriteCSV(w, r.d)
	case "html":
		return troubleshoot.WriteHTML(w, r.d, r.d.Title())
	}
	return fmt.Errorf("cannot export as %q", format)
}

// Passes says whether every check passes.
func (r TroubleshootResult) Passes() bool { return r.d.Passes() }

func fixTenant(f troubleshoot.Fix) string {
	if f.Customer.TenantID == "" {
		return partnerName
	}
	return f.Customer.Label()
}

// troubleshootResult is what the page shows of a diagnosis.
func troubleshootResult(d troubleshoot.Diagnosis, req TroubleshootRequest) TroubleshootResult {
	out := TroubleshootResult{Partner: checklist(d.Partner), d: d, req: req, Plan: plan.Plan{Tenant: plan.Tenant{Name: partnerName}}}
	for _, l := range d.Customers {
		out.Customers = append(out.Customers, checklist(l))
	}
	for _, f := range d.Fixes {
		out.Plan.Fixes = append(out.Plan.Fixes, plan.Fix{ID: f.ID, Who: fixTenant(f), What: f.Reason, Caution: f.Caution,
			Blocked: f.Blocked, Safe: f.Safe, Change: f})
	}
	return words.Cleaned(out)
}

func checklist(l troubleshoot.Checklist) TroubleshootChecklist {
	out := TroubleshootChecklist{Name: l.Customer.Label(), Status: l.Status, NeedsAdmin: l.NeedsAdmin && !l.AdminSignedIn,
		AdminSignedIn: l.AdminSignedIn}
	for _, c := range l.Checks {
		out.Checks = append(out.Checks, TroubleshootCheck{Title: c.Kind.Title(), Status: c.Status, Sentence: c.Sentence, Details: c.Details})
	}
	return out
}

// partnerClaims reads the technician's sign-in from a token for their own tenant: its tenant is
// the partner tenant, and its methods say whether it carries MFA.
func (a *Account) partnerClaims(ctx context.Context) (auth.Claims, error) {
	if _, err := a.Graph(ctx, ""); err != nil { // restores a kept sign-in, or says nobody is signed in
		return auth.Claims{}, err
	}
	tok, err := a.authn().Token(ctx, "", auth.GraphScope)
	if err != nil {
		return auth.Claims{}, err
	}
	return auth.ParseClaims(tok)
}

// bulkTenants gives Graph clients for a whole diagnosis: their tokens come from a second MSAL
// client that starts from the sign-in this run holds (or the keychain keeps) and keeps what it
// gets in memory (vault.Seeded). The account's own client exports MSAL's whole cache to the vault
// after every token, which over hundreds of customers grows with their square:
// BenchmarkDiagnose500 measured 12 s for 500 customers that way and 5.7 s this way. The refresh
// tokens Entra hands back with these customer tokens are not kept; the sign-in's own refresh
// token is, as before.
func (a *Account) bulkTenants(ctx context.Context) (troubleshoot.TenantGraph, error) {
	side, err := a.sideAuthn(ctx)
	if err != nil {
		return nil, err
	}
	return func(_ context.Context, tenantID string) (*graph.Client, error) {
		return graph.New(a.cloud.GraphURL, a.hc, side.TokenSource(tenantID, auth.GraphScope), graph.Options{}), nil
	}, nil
}

// sideAuthn is a second MSAL client that starts from the sign-in this run holds (or the keychain
// keeps) and keeps what it gets in memory (vault.Seeded), for many customers' tokens at once
// (bulkTenants, and the health check's consent probes).
func (a *Account) sideAuthn(ctx context.Context) (*auth.Authenticator, error) {
	if _, err := a.Graph(ctx, ""); err != nil { // a sign-in of this run, or the kept one
		return nil, err
	}
	clientID := a.ClientID()
	if clientID == "" {
		return nil, ErrNoApp
	}
	side, err := auth.New(auth.Config{Cloud: a.cloud, ClientID: clientID, Tenant: a.tenant, Cache: vault.Seeded(a.cache)})
	if err != nil {
		return nil, err
	}
	if _, ok, err := side.Restore(ctx); err != nil {
		return nil, err
	} else if !ok {
		return nil, a.notSignedIn(ctx)
	}
	return side, nil
}

// customerAdminSignIn signs one of a customer's own administrators in to the customer's tenant,
// with a fresh sign-in (prompt=login) in a private browser window, or on the sandbox's pages in
// the app. The sign-in is kept in memory for this run only: never in the keychain.
func (a *Account) customerAdminSignIn(ctx context.Context, tenantID string, launched func(Launch)) (*graph.Client, error) {
	clientID := a.ClientID()
	if clientID == "" {
		return nil, ErrNoApp
	}
	var users []string
	if a.inApp {
		if domain := a.customerDomain(ctx, tenantID); domain != "" {
			users = []string{sandbox.CustomerAdmin(domain)}
		}
	}
	e := newEnding(ctx)
	defer e.end(nil)
	admin, err := auth.New(auth.Config{Cloud: a.cloud, ClientID: clientID, Tenant: tenantID, SignInScope: auth.GraphScope,
		OpenURL: a.launcher(users, launched, e.End)})
	if err != nil {
		return nil, err
	}
	res, err := admin.SignIn(e.ctx, "")
	if err = e.result(err); err != nil {
		return nil, err
	}
	if err := troubleshoot.CustomerAdminProblem(res.Claims, tenantID); err != nil {
		_ = admin.SignOut(ctx)
		return nil, err
	}
	return graph.New(a.cloud.GraphURL, a.hc, admin.TokenSource("", auth.GraphScope), graph.Options{}), nil
}

// customerDomain is a customer's domain as Partner Center lists it, or "" when it cannot say: on
// the sandbox it names the customer's administrator for the sign-in form.
func (a *Account) customerDomain(ctx context.Context, tenantID string) string {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	list, err := a.partnerCenter().ListCustomers(ctx)
	if err != nil {
		return ""
	}
	for _, c := range list {
		if strings.EqualFold(c.CompanyProfile.TenantID, tenantID) {
			return c.CompanyProfile.Domain
		}
	}
	return ""
}
