package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/troubleshoot"
	"github.com/onboard365/onboard365/ui"
	"github.com/onboard365/onboard365/ui/wizard"
)

// troubleshootService gives the Troubleshoot page (ui.Troubleshoot) internal/troubleshoot on the
// signed-in technician's tenants. It remembers the last diagnosis, so that the plan, the fixes and
// the export are about what the person saw, and the sign-ins of customers' own administrators for
// this run (in memory only: they are never kept).
type troubleshootService struct {
	tenants troubleshoot.TenantGraph
	// bulk gives the clients of a whole diagnosis (see account.bulkTenants); nil means tenants.
	bulk   func(ctx context.Context) (troubleshoot.TenantGraph, error)
	claims func(ctx context.Context) (auth.Claims, error)
	// adminSignIn signs a customer's own administrator in to the customer's tenant and returns a
	// Graph client with that sign-in; nil when the app cannot offer it.
	adminSignIn func(ctx context.Context, tenantID string, launched func(ui.Launch)) (*graph.Client, error)
	profiles    func() []roles.Profile
	now         func() time.Time // the clock the checks judge dates by; nil: time.Now

	mu     sync.Mutex
	req    ui.TroubleshootRequest
	last   troubleshoot.Diagnosis
	admins map[string]*graph.Client // by lower-case tenant id
}

// newTroubleshootService wires the page to an account's sign-in.
func newTroubleshootService(a *account) *troubleshootService {
	s := &troubleshootService{tenants: a.tenantGraph, bulk: a.bulkTenants, admins: map[string]*graph.Client{}, now: a.now}
	s.claims = func(ctx context.Context) (auth.Claims, error) { return partnerClaims(ctx, a.tenantGraph, a.authn()) }
	s.adminSignIn = a.customerAdminSignIn
	s.profiles = func() []roles.Profile {
		all := roles.BuiltIn()
		if store, err := roles.DefaultProfileStore(); err == nil {
			if mine, err := store.Load(); err == nil {
				all = append(all, mine...)
			}
		}
		return all
	}
	return s
}

// partnerClaims reads the technician's sign-in from a token for their own tenant: its tenant is
// the partner tenant, and its methods say whether it carries MFA.
func partnerClaims(ctx context.Context, tenants troubleshoot.TenantGraph, a *auth.Authenticator) (auth.Claims, error) {
	if _, err := tenants(ctx, ""); err != nil { // restores a kept sign-in, or says nobody is signed in
		return auth.Claims{}, err
	}
	tok, err := a.Token(ctx, "", auth.GraphScope)
	if err != nil {
		return auth.Claims{}, err
	}
	return auth.ParseClaims(tok)
}

// bulkTenants gives Graph clients for a whole diagnosis: their tokens come from a second MSAL
// client that starts from the sign-in this run holds (or the keychain keeps) and keeps what it
// gets in memory. The account's own client exports MSAL's whole cache to the vault after every
// token, which over hundreds of customers grows with their square: BenchmarkDiagnose500 measured
// 12 s for 500 customers that way and 5.7 s this way. The refresh tokens Entra hands back with
// these customer tokens are not kept; the sign-in's own refresh token is, as before.
func (a *account) bulkTenants(ctx context.Context) (troubleshoot.TenantGraph, error) {
	if _, err := a.tenantGraph(ctx, ""); err != nil { // a sign-in of this run, or the kept one
		return nil, err
	}
	clientID := a.clientID()
	if clientID == "" {
		return nil, errNoApp
	}
	side, err := auth.New(auth.Config{Cloud: a.cloud, ClientID: clientID, Tenant: a.tenant, Cache: &seededCache{from: a.cache}})
	if err != nil {
		return nil, err
	}
	if _, ok, err := side.Restore(ctx); err != nil {
		return nil, err
	} else if !ok {
		return nil, a.notSignedIn(ctx)
	}
	return func(_ context.Context, tenantID string) (*graph.Client, error) {
		return graph.New(a.cloud.GraphURL, a.hc, side.TokenSource(tenantID, auth.GraphScope), graph.Options{}), nil
	}, nil
}

// seededCache hands MSAL the cache of another client once, then leaves MSAL's own copy in its
// memory: nothing is written back.
type seededCache struct {
	from cache.ExportReplace
	once sync.Once
	err  error
}

func (s *seededCache) Replace(ctx context.Context, u cache.Unmarshaler, h cache.ReplaceHints) error {
	s.once.Do(func() { s.err = s.from.Replace(ctx, u, h) })
	return s.err
}

func (s *seededCache) Export(context.Context, cache.Marshaler, cache.ExportHints) error { return nil }

// customerAdminSignIn signs one of a customer's own administrators in to the customer's tenant,
// with a fresh sign-in (prompt=login) in a private browser window, or on the sandbox's pages in
// the app. The sign-in is kept in memory for this run only: never in the keychain.
func (a *account) customerAdminSignIn(ctx context.Context, tenantID string, launched func(ui.Launch)) (*graph.Client, error) {
	clientID := a.clientID()
	if clientID == "" {
		return nil, errNoApp
	}
	cfg := auth.Config{Cloud: a.cloud, ClientID: clientID, Tenant: tenantID, SignInScope: auth.GraphScope}
	if a.inApp {
		var users []string
		if domain := a.customerDomain(ctx, tenantID); domain != "" {
			users = []string{sandbox.CustomerAdmin(domain)}
		}
		cfg.OpenURL = func(url string) error {
			launched(ui.Launch{URL: url, InAppUsers: users, InApp: func(ctx context.Context, user, password string, approve bool) error {
				return sandbox.SignInThroughPages(ctx, a.hc, url, user, password, approve)
			}})
			return nil
		}
	} else {
		cfg.OpenURL = func(url string) error {
			l := auth.OpenPrivateWindow(url)
			launched(ui.Launch{URL: l.URL, Browser: l.Browser, Private: l.Private, Failed: map[bool]error{false: errors.New("no browser could be opened")}[l.Opened]})
			return nil
		}
	}
	admin, err := auth.New(cfg)
	if err != nil {
		return nil, err
	}
	res, err := admin.SignIn(ctx, "")
	if err != nil {
		return nil, err
	}
	if err := customerAdminProblem(res.Claims, tenantID); err != nil {
		_ = admin.SignOut(ctx)
		return nil, err
	}
	return graph.New(a.cloud.GraphURL, a.hc, admin.TokenSource("", auth.GraphScope), graph.Options{}), nil
}

// customerDomain is a customer's domain as Partner Center lists it, or "" when it cannot say: on
// the sandbox it names the customer's administrator for the sign-in form.
func (a *account) customerDomain(ctx context.Context, tenantID string) string {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	pc := partnercenter.New(a.cloud.PartnerCenterURL, a.hc, a.authn().TokenSource("", auth.PartnerCenterScope), partnercenter.Options{})
	list, err := pc.ListCustomers(ctx)
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

// customerAdminProblem says why a sign-in is not one of the customer's own accounts, or nil.
func customerAdminProblem(c auth.Claims, tenantID string) error {
	switch {
	case !strings.EqualFold(strings.TrimSpace(c.Tid), strings.TrimSpace(tenantID)):
		return errors.New("that sign-in is not for the customer's tenant; sign in with an account of the customer itself")
	case strings.TrimSpace(c.Idp) != "" && !strings.Contains(strings.ToLower(c.Idp), strings.ToLower(c.Tid)):
		return errors.New("that was a sign-in with an account of another organisation (your partner account, reaching the customer " +
			"through GDAP, which the customer's policy blocks); sign in with an account of the customer itself, such as its Global Administrator")
	}
	return nil
}

// Customers lists the customers the technician has GDAP relationships with, by name.
func (s *troubleshootService) Customers(ctx context.Context) ([]string, error) {
	c, err := s.tenants(ctx, "")
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
	return names, nil
}

// Profiles names the role profiles the GDAP check can use, the built-in ones first.
func (s *troubleshootService) Profiles() []string {
	var names []string
	for _, p := range s.profiles() {
		names = append(names, p.Name)
	}
	return names
}

func (s *troubleshootService) options(ctx context.Context, req ui.TroubleshootRequest, progress func(done, total int)) (troubleshoot.Options, error) {
	claims, err := s.claims(ctx)
	if err != nil {
		return troubleshoot.Options{}, err
	}
	opts := troubleshoot.Options{SignIn: claims, ServiceAccount: strings.TrimSpace(req.ServiceAccount), Progress: progress}
	if s.now != nil {
		opts.Now = s.now()
	}
	if req.Customer != "" {
		opts.Customers = []string{req.Customer}
	}
	if req.Profile != "" {
		p, ok := roles.Lookup(s.profiles(), req.Profile)
		if !ok {
			return opts, fmt.Errorf("there is no role profile called %q", req.Profile)
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

// Check runs every check and remembers the diagnosis.
func (s *troubleshootService) Check(ctx context.Context, req ui.TroubleshootRequest, progress func(done, total int)) (ui.TroubleshootResult, error) {
	opts, err := s.options(ctx, req, progress)
	if err != nil {
		return ui.TroubleshootResult{}, err
	}
	tenants := s.tenants
	if s.bulk != nil {
		if bulk, err := s.bulk(ctx); err == nil {
			tenants = bulk
		}
	}
	d, err := troubleshoot.Diagnose(ctx, tenants, opts)
	if err != nil {
		return ui.TroubleshootResult{}, err
	}
	s.mu.Lock()
	s.req, s.last = req, d
	s.mu.Unlock()
	return uiDiagnosis(d), nil
}

// SignInAsAdmin signs one of a customer's own administrators in, then checks that customer again
// with that sign-in, and returns the whole diagnosis with the customer's new checklist.
func (s *troubleshootService) SignInAsAdmin(ctx context.Context, customer string, launched func(ui.Launch)) (ui.TroubleshootResult, error) {
	s.mu.Lock()
	d, req := s.last, s.req
	s.mu.Unlock()
	var target troubleshoot.Customer
	for _, l := range d.Customers {
		if l.Customer.Name == customer || strings.EqualFold(l.Customer.TenantID, customer) {
			target = l.Customer
		}
	}
	if target.TenantID == "" {
		return ui.TroubleshootResult{}, fmt.Errorf("run the checks first: Onboard365 does not know a customer called %q", customer)
	}
	if s.adminSignIn == nil {
		return ui.TroubleshootResult{}, errors.New("this version of Onboard365 cannot sign a customer's administrator in")
	}
	c, err := s.adminSignIn(ctx, target.TenantID, launched)
	if err != nil {
		return ui.TroubleshootResult{}, err
	}
	s.mu.Lock()
	s.admins[strings.ToLower(target.TenantID)] = c
	s.mu.Unlock()
	one := req
	one.Customer = target.TenantID
	opts, err := s.options(ctx, one, nil)
	if err != nil {
		return ui.TroubleshootResult{}, err
	}
	again, err := troubleshoot.Diagnose(ctx, s.tenants, opts)
	if err != nil {
		return ui.TroubleshootResult{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last = replaceCustomer(s.last, again)
	return uiDiagnosis(s.last), nil
}

// replaceCustomer puts a one-customer diagnosis into the whole one: its checklist, its fixes,
// and the partner tenant's newer checks.
func replaceCustomer(all, one troubleshoot.Diagnosis) troubleshoot.Diagnosis {
	if len(one.Customers) != 1 {
		return all
	}
	l := one.Customers[0]
	key := strings.ToLower(l.Customer.TenantID)
	out := all
	out.Partner = one.Partner
	out.Customers = nil
	for _, c := range all.Customers {
		if strings.ToLower(c.Customer.TenantID) == key {
			c = l
		}
		out.Customers = append(out.Customers, c)
	}
	troubleshoot.SortChecklists(out.Customers)
	byTenant := map[string][]troubleshoot.Fix{}
	for _, f := range all.Fixes {
		if f.Customer.TenantID != "" && strings.ToLower(f.Customer.TenantID) != key {
			byTenant[strings.ToLower(f.Customer.TenantID)] = append(byTenant[strings.ToLower(f.Customer.TenantID)], f)
		}
	}
	for _, f := range one.Fixes {
		if f.Customer.TenantID != "" {
			byTenant[key] = append(byTenant[key], f)
		}
	}
	out.Fixes = nil
	for _, f := range one.Fixes {
		if f.Customer.TenantID == "" {
			out.Fixes = append(out.Fixes, f) // the partner's, as read now
		}
	}
	for _, c := range out.Customers {
		out.Fixes = append(out.Fixes, byTenant[strings.ToLower(c.Customer.TenantID)]...)
	}
	return out
}

// Apply makes the chosen fixes of the last diagnosis.
func (s *troubleshootService) Apply(ctx context.Context, ids []string, progress func(done, total int)) []ui.FixOutcome {
	s.mu.Lock()
	var chosen []troubleshoot.Fix
	for _, id := range ids {
		if f, ok := s.last.Fix(id); ok {
			chosen = append(chosen, f)
		}
	}
	admins := map[string]*graph.Client{}
	for k, v := range s.admins {
		admins[k] = v
	}
	s.mu.Unlock()
	results := troubleshoot.Apply(ctx, s.tenants, admins, chosen, progress)
	out := make([]ui.FixOutcome, len(results))
	for i, r := range results {
		out[i] = ui.FixOutcome{ID: r.Fix.ID, Customer: fixTenant(r.Fix), Done: r.Done, Sentence: r.Sentence}
	}
	return out
}

func fixTenant(f troubleshoot.Fix) string {
	if f.Customer.TenantID == "" {
		return "Your partner tenant"
	}
	return f.Customer.Label()
}

// Export writes the last diagnosis as "csv" or "html".
func (s *troubleshootService) Export(format string, w io.Writer) error {
	s.mu.Lock()
	d := s.last
	s.mu.Unlock()
	switch format {
	case "csv":
		return troubleshoot.WriteCSV(w, d)
	case "html":
		return troubleshoot.WriteHTML(w, d, troubleshootTitle(d))
	}
	return fmt.Errorf("cannot export as %q", format)
}

func troubleshootTitle(d troubleshoot.Diagnosis) string {
	return `Troubleshoot "400" errors, ` + d.CheckedAt.UTC().Format("2 January 2006 15:04 UTC")
}

// uiDiagnosis is what the page shows of a diagnosis.
func uiDiagnosis(d troubleshoot.Diagnosis) ui.TroubleshootResult {
	out := ui.TroubleshootResult{Partner: uiChecklist(d.Partner)}
	for _, l := range d.Customers {
		out.Customers = append(out.Customers, uiChecklist(l))
	}
	for _, f := range d.Fixes {
		out.Fixes = append(out.Fixes, ui.TroubleshootFix{ID: f.ID, Tenant: fixTenant(f), What: f.Reason, Caution: f.Caution,
			Blocked: f.Blocked, Safe: f.Safe})
	}
	return out
}

func uiChecklist(l troubleshoot.Checklist) ui.TroubleshootChecklist {
	out := ui.TroubleshootChecklist{Name: l.Customer.Label(), Status: uiStatus(l.Status), NeedsAdmin: l.NeedsAdmin && !l.AdminSignedIn,
		AdminSignedIn: l.AdminSignedIn}
	for _, c := range l.Checks {
		out.Checks = append(out.Checks, ui.TroubleshootCheck{Title: c.Kind.Title(), Status: uiStatus(c.Status), Sentence: c.Sentence, Details: c.Details})
	}
	return out
}

func uiStatus(s troubleshoot.Status) string {
	switch s {
	case troubleshoot.Fail:
		return ui.StatusFail
	case troubleshoot.CouldNotCheck:
		return ui.StatusCouldNotCheck
	case troubleshoot.Warning:
		return ui.StatusWarning
	}
	return ui.StatusPass
}

// The command line: onboard365 check troubleshoot.

const troubleshootUsage = `Usage: onboard365 check troubleshoot [--customer ID | --all] [--format table|json|csv|html] [--service-account UPN] [--sandbox]

Finds why customers refuse your tools (the "400" errors of integrations): MFA enforcement in your
partner tenant, risky partner accounts, your sign-in's MFA, and for each customer whether
Microsoft gives your technician a token, which Conditional Access policies block service provider
users, failed sign-ins (53003) in the customer's sign-in log, GDAP roles and groups, and Entra ID
P1. It changes nothing: open Troubleshoot in the app to review and apply the fixes.

It uses the sign-in you kept in the app (sign in once in the window and keep the sign-in). With
--sandbox it checks the built-in sandbox's customers instead, signed in there as its technician.

Exit code: 0 when every check passes, 1 when one does not (or the check could not run), 2 when
the command line is wrong.

Options:
`

// runTroubleshootCheck handles "onboard365 check troubleshoot ...".
func runTroubleshootCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "onboard365 check troubleshoot:"
	flags := flag.NewFlagSet("onboard365 check troubleshoot", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprint(stderr, troubleshootUsage)
		flags.PrintDefaults()
	}
	customer := flags.String("customer", "", "check only this customer: its tenant `id` or name")
	everyone := flags.Bool("all", false, "check every customer (the default)")
	format := flags.String("format", "table", "how to print the result: `table`, json, csv or html")
	service := flags.String("service-account", "", "also check this `account` of your partner tenant for risk: the integration's own account, if it has one")
	profileName := flags.String("profile", roles.ProfileLiongard, "the role `profile` the GDAP check judges against ("+builtInNames()+", or one you made in the app)")
	useSandbox := flags.Bool("sandbox", false, "check the built-in sandbox (a simulated Microsoft cloud on this computer); needs no sign-in")
	cloudFile := flags.String("cloud", "", "check the cloud described in this JSON `file` (default: Microsoft's worldwide cloud)")
	allowHosts := flags.Bool(cloud.AllowFlag, false, cloud.AllowFlagHelp)
	clientID := flags.String("client-id", "", "the application (client) `id` of your Onboard365 app registration, as you signed in with")
	tenant := flags.String("tenant", "", "your partner tenant's `id` or domain, as you signed in with")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitAllPass
		}
		return exitUsage
	}
	switch {
	case flags.NArg() > 0:
		fmt.Fprintf(stderr, "%s %q is not an option. Run onboard365 check troubleshoot --help to see the options.\n", name, flags.Arg(0))
		return exitUsage
	case *everyone && strings.TrimSpace(*customer) != "":
		fmt.Fprintln(stderr, name, "choose either --customer or --all, not both.")
		return exitUsage
	case *format != "table" && *format != "json" && *format != "csv" && *format != "html":
		fmt.Fprintf(stderr, "%s --format is table, json, csv or html, not %q.\n", name, *format)
		return exitUsage
	case *useSandbox && *cloudFile != "":
		fmt.Fprintln(stderr, name, "choose either --sandbox or --cloud, not both.")
		return exitUsage
	}
	profile, err := findProfile(*profileName)
	if err != nil {
		fmt.Fprintln(stderr, name, err)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	var (
		tenants troubleshoot.TenantGraph
		claims  auth.Claims
	)
	if *useSandbox {
		s, err := sandbox.Start(sandbox.Options{})
		if err != nil {
			fmt.Fprintln(stderr, name, err)
			return exitProblem
		}
		defer s.Close()
		if tenants, claims, err = sandboxTechnician(ctx, s); err != nil {
			fmt.Fprintln(stderr, name, wizard.Sentence(err))
			return exitProblem
		}
	} else {
		a, err := signedInAccount(ctx, *cloudFile, *allowHosts, *clientID, *tenant)
		if err != nil {
			fmt.Fprintln(stderr, name, err)
			return exitProblem
		}
		if tenants, err = a.bulkTenants(ctx); err != nil {
			tenants = a.tenantGraph
		}
		if claims, err = partnerClaims(ctx, a.tenantGraph, a.authn()); err != nil {
			fmt.Fprintln(stderr, name, wizard.Sentence(err))
			return exitProblem
		}
	}
	opts := troubleshoot.Options{SignIn: claims, Profile: profile, ServiceAccount: strings.TrimSpace(*service)}
	if c := strings.TrimSpace(*customer); c != "" {
		opts.Customers = []string{c}
	}
	d, err := troubleshoot.Diagnose(ctx, tenants, opts)
	if err != nil {
		if errors.Is(err, troubleshoot.ErrNoSuchCustomer) {
			fmt.Fprintln(stderr, name, wizard.Sentence(err))
			return exitUsage
		}
		fmt.Fprintln(stderr, name, wizard.Sentence(err))
		return exitProblem
	}
	if err := writeTroubleshoot(stdout, *format, d); err != nil {
		fmt.Fprintln(stderr, name, "could not write the result:", err)
		return exitProblem
	}
	return troubleshootExitCode(d)
}

// troubleshootExitCode is 0 when every check passes, else 1.
func troubleshootExitCode(d troubleshoot.Diagnosis) int {
	for _, l := range append([]troubleshoot.Checklist{d.Partner}, d.Customers...) {
		if l.Status != troubleshoot.Pass {
			return exitProblem
		}
	}
	return exitAllPass
}

// sandboxTechnician signs the sandbox's technician in with the real MSAL client, answering the
// sandbox's pages in this process (nothing is kept), so that every customer token comes from the
// sandbox's token endpoint with its refusals, as from Microsoft's.
func sandboxTechnician(ctx context.Context, s *sandbox.Server) (troubleshoot.TenantGraph, auth.Claims, error) {
	c := s.Cloud()
	hc, err := c.HTTPClient()
	if err != nil {
		return nil, auth.Claims{}, err
	}
	a, err := auth.New(auth.Config{Cloud: c, ClientID: sandbox.AppID, Tenant: s.PartnerTenantID(), OpenURL: func(url string) error {
		return sandbox.SignInThroughPages(ctx, hc, url, checkSandboxTechnician, "sandbox", true)
	}})
	if err != nil {
		return nil, auth.Claims{}, err
	}
	signInCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := a.SignIn(signInCtx, checkSandboxTechnician); err != nil {
		return nil, auth.Claims{}, err
	}
	tenants := func(_ context.Context, tenantID string) (*graph.Client, error) {
		return graph.New(c.GraphURL, hc, a.TokenSource(tenantID, auth.GraphScope), graph.Options{}), nil
	}
	claims, err := partnerClaims(ctx, tenants, a)
	return tenants, claims, err
}

// writeTroubleshoot prints a diagnosis in the chosen format.
func writeTroubleshoot(w io.Writer, format string, d troubleshoot.Diagnosis) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(troubleshoot.NewReport(d))
	case "csv":
		return troubleshoot.WriteCSV(w, d)
	case "html":
		return troubleshoot.WriteHTML(w, d, troubleshootTitle(d))
	}
	return writeTroubleshootTable(w, d)
}

// writeTroubleshootTable prints the partner tenant's checks, a table of customers with the checks
// that do not pass, then what is wrong and the fixes the app offers.
func writeTroubleshootTable(w io.Writer, d troubleshoot.Diagnosis) error {
	fmt.Fprintf(w, "%s\n\n", troubleshootTitle(d))
	fmt.Fprintf(w, "Your partner tenant: %s\n", d.Partner.Status.Word())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range d.Partner.Checks {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Status.Word(), c.Kind.Title(), oneLine(c.Sentence))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if len(d.Customers) == 0 {
		_, err := fmt.Fprintln(w, "You have no GDAP relationships with customers yet.")
		return err
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCUSTOMER\tCHECKS THAT DO NOT PASS")
	for _, l := range d.Customers {
		var not []string
		for _, c := range l.Checks {
			if c.Status != troubleshoot.Pass {
				not = append(not, c.Kind.Title())
			}
		}
		if len(not) == 0 {
			not = []string{"-"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l.Status.Word(), oneLine(l.Customer.Label()), strings.Join(not, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := d.Summary()
	fmt.Fprintf(w, "\n%d customers: %d pass, %d fail, %d with warnings, %d could not be checked.\n",
		len(d.Customers), s.Pass, s.Fail, s.Warning, s.CouldNotCheck)

	first := true
	for _, l := range append([]troubleshoot.Checklist{d.Partner}, d.Customers...) {
		access, _ := l.Check(troubleshoot.Access)
		for _, c := range l.Checks {
			if c.Status == troubleshoot.Pass || (access.Status == troubleshoot.Fail && c.Status == troubleshoot.CouldNotCheck) {
				continue // a customer that refuses the token: the checks it stops say so in the table
			}
			if first {
				fmt.Fprintln(w, "\nWhat is wrong, and what to do:")
				first = false
			}
			fmt.Fprintf(w, "  - %s, %s (%s): %s\n", oneLine(l.Customer.Label()), c.Kind.Title(), strings.ToLower(c.Status.Word()), oneLine(c.Sentence))
			for _, x := range c.Details {
				fmt.Fprintf(w, "      %s\n", oneLine(x))
			}
		}
	}
	if len(d.Fixes) > 0 {
		fixes := append([]troubleshoot.Fix(nil), d.Fixes...)
		sort.SliceStable(fixes, func(i, j int) bool { return fixes[i].Safe && !fixes[j].Safe })
		fmt.Fprintln(w, "\nFixes Onboard365 can make (open Troubleshoot in the app to review and apply them):")
		for _, f := range fixes {
			mark := "needs your judgement"
			switch {
			case f.Blocked != "":
				mark = "cannot be applied now"
			case f.Safe:
				mark = "safe"
			}
			fmt.Fprintf(w, "  - [%s] %s\n", mark, oneLine(f.Reason))
			for _, x := range []string{f.Caution, f.Blocked} {
				if x != "" {
					fmt.Fprintf(w, "      %s\n", oneLine(x))
				}
			}
		}
	}
	return nil
}
