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
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/ui"
	"github.com/onboard365/onboard365/ui/wizard"
)

// authService gives the "Authenticator default method" page (ui.Authenticator) internal/authmethods,
// with internal/gdap for the customers and the technician's roles in each. It remembers the last
// list of users, so that the plan and the changes are about what the person saw.
type authService struct {
	// tenant gives a Graph client for a tenant: a customer's by id, or the partner's own for "".
	tenant func(ctx context.Context, tenantID string) (*graph.Client, error)

	mu       sync.Mutex
	inv      *gdap.Inventory // the partner's relationships and the technician's groups
	names    map[string]string
	tenantID string
	name     string
	access   authmethods.Access
	findings []authmethods.Finding
}

// partnerName is how the partner's own tenant is named in the list and in sentences.
const partnerName = "Your partner tenant"

func newAuthService(tenant func(ctx context.Context, tenantID string) (*graph.Client, error)) *authService {
	return &authService{tenant: tenant}
}

// inventory reads the partner's GDAP relationships once; Tenants reads them again.
func (a *authService) inventory(ctx context.Context, fresh bool) (gdap.Inventory, error) {
	a.mu.Lock()
	inv := a.inv
	a.mu.Unlock()
	if inv != nil && !fresh {
		return *inv, nil
	}
	c, err := a.tenant(ctx, "")
	if err != nil {
		return gdap.Inventory{}, err
	}
	read, err := gdap.Read(ctx, c, nil)
	if err != nil {
		return gdap.Inventory{}, err
	}
	names := map[string]string{"": partnerName}
	for _, cu := range read.Customers() {
		names[cu.TenantID] = customerName(cu)
	}
	a.mu.Lock()
	a.inv, a.names = &read, names
	a.mu.Unlock()
	return read, nil
}

func customerName(c gdap.Customer) string {
	if c.Name != "" {
		return c.Name
	}
	return c.TenantID
}

func (a *authService) Tenants(ctx context.Context) ([]ui.Tenant, error) {
	inv, err := a.inventory(ctx, true)
	if err != nil {
		return nil, err
	}
	out := []ui.Tenant{{ID: "", Name: partnerName}}
	for _, c := range inv.Customers() {
		out = append(out, ui.Tenant{ID: c.TenantID, Name: customerName(c)})
	}
	return out, nil
}

// accessIn is the technician's access in a tenant, and the tenant's name.
func (a *authService) accessIn(ctx context.Context, tenantID string) (authmethods.Access, string, error) {
	if tenantID == "" {
		return authmethods.PartnerAccess(), partnerName, nil
	}
	inv, err := a.inventory(ctx, false)
	if err != nil {
		return authmethods.Access{}, "", err
	}
	a.mu.Lock()
	name, ok := a.names[tenantID]
	a.mu.Unlock()
	if !ok {
		name = tenantID
	}
	return authmethods.AccessFrom(inv, tenantID), name, nil
}

func (a *authService) Check(ctx context.Context, tenantID string) (ui.AccessCheck, error) {
	access, name, err := a.accessIn(ctx, tenantID)
	if err != nil {
		return ui.AccessCheck{}, err
	}
	c, err := a.tenant(ctx, tenantID)
	if err != nil {
		return ui.AccessCheck{}, err
	}
	ch := authmethods.Precheck(ctx, c, tenantName(name), access)
	return ui.AccessCheck{OK: ch.OK(), Stops: ch.Stops, Notes: ch.Notes, NeedsGDAP: ch.NeedsGDAP}, nil
}

// tenantName is the tenant's name as sentences say it.
func tenantName(name string) string {
	if name == partnerName {
		return "your partner tenant"
	}
	return name
}

// start remembers which tenant the next list is for.
func (a *authService) start(ctx context.Context, tenantID string) (*graph.Client, authmethods.Access, error) {
	access, name, err := a.accessIn(ctx, tenantID)
	if err != nil {
		return nil, access, err
	}
	c, err := a.tenant(ctx, tenantID)
	if err != nil {
		return nil, access, err
	}
	a.mu.Lock()
	a.tenantID, a.name, a.access, a.findings = tenantID, name, access, nil
	a.mu.Unlock()
	return c, access, nil
}

func (a *authService) ReadUsers(ctx context.Context, tenantID string, progress func(read int)) (ui.UserList, error) {
	c, access, err := a.start(ctx, tenantID)
	if err != nil {
		return ui.UserList{}, err
	}
	regs, err := authmethods.Read(ctx, c, progress)
	if err != nil {
		return ui.UserList{}, err
	}
	found := authmethods.ClassifyAll(regs, access)
	a.keep(found)
	return userList(found, nil), nil
}

func (a *authService) FindUsers(ctx context.Context, tenantID, text string) (ui.UserList, error) {
	upns, notNames := authmethods.ParseUPNs(text)
	if len(upns) == 0 {
		return ui.UserList{}, errors.New("there is no sign-in name in what you typed; type one such as pat@contoso.com, one per line")
	}
	c, access, err := a.start(ctx, tenantID)
	if err != nil {
		return ui.UserList{}, err
	}
	lookups, err := authmethods.Find(ctx, c, upns)
	if err != nil {
		return ui.UserList{}, err
	}
	var problems []string
	for _, n := range notNames {
		problems = append(problems, fmt.Sprintf("%q is not a sign-in name: a sign-in name has an @, such as pat@contoso.com.", n))
	}
	var found []authmethods.Finding
	for _, l := range lookups {
		if l.Found == nil {
			problems = append(problems, l.Sentence())
			continue
		}
		found = append(found, authmethods.ClassifyLookup(l, access))
	}
	a.keep(found)
	return userList(found, problems), nil
}

func (a *authService) keep(found []authmethods.Finding) {
	a.mu.Lock()
	a.findings = found
	a.mu.Unlock()
}

// userList is what the page shows of the findings.
func userList(found []authmethods.Finding, problems []string) ui.UserList {
	l := ui.UserList{Problems: problems}
	count := authmethods.Count(found)
	for _, cat := range authmethods.Categories() {
		l.Groups = append(l.Groups, ui.GroupCount{Group: cat.Words(), Count: count[cat]})
	}
	for _, f := range found {
		l.Users = append(l.Users, ui.UserRow{
			ID: f.User.ID, Name: f.User.Name(), UPN: f.User.UserPrincipalName, Group: f.Category.Words(),
			Fine: f.Category == authmethods.Fine, Sentence: f.Sentence, Admin: f.Admin, CanFix: f.CanFix, Ticked: f.Ticked,
			NeedsSetUp: f.Category == authmethods.NoAuthenticator || f.Category == authmethods.NoMethods,
		})
	}
	return l
}

func chosenSet(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

func (a *authService) Plan(ids []string) []ui.PlannedChange {
	a.mu.Lock()
	plan := authmethods.Plan(a.findings, chosenSet(ids))
	a.mu.Unlock()
	out := make([]ui.PlannedChange, len(plan))
	for i, ch := range plan {
		out[i] = ui.PlannedChange{UserID: ch.UserID, What: ch.Reason}
	}
	return out
}

func (a *authService) Apply(ctx context.Context, ids []string, progress func(done, total int)) []ui.ChangeOutcome {
	a.mu.Lock()
	plan := authmethods.Plan(a.findings, chosenSet(ids))
	tenantID := a.tenantID
	a.mu.Unlock()
	c, err := a.tenant(ctx, tenantID)
	if err != nil {
		out := make([]ui.ChangeOutcome, len(plan))
		for i, ch := range plan {
			out[i] = ui.ChangeOutcome{UserID: ch.UserID, Name: ch.Name, Sentence: "Not changed: " + authmethods.Describe(err)}
		}
		return out
	}
	results := authmethods.Apply(ctx, c, plan, progress)
	out := make([]ui.ChangeOutcome, len(results))
	for i, r := range results {
		out[i] = ui.ChangeOutcome{UserID: r.Change.UserID, Name: r.Change.Name, Done: r.Done, NowPush: r.Now == "push", Sentence: r.Sentence}
	}
	return out
}

func (a *authService) Instructions() string {
	a.mu.Lock()
	name := a.name
	a.mu.Unlock()
	return authmethods.Instructions(orgName(name))
}

func (a *authService) ExportInstructions(w io.Writer) error {
	a.mu.Lock()
	name, people := a.name, authmethods.NeedInstructions(a.findings)
	a.mu.Unlock()
	return authmethods.WriteInstructions(w, orgName(name), people)
}

// orgName is the organisation the instructions speak of: "your work account" reads better than
// "your Your partner tenant account".
func orgName(name string) string {
	if name == partnerName || strings.TrimSpace(name) == "" {
		return "work"
	}
	return name
}

const checkAuthenticatorUsage = `Usage: onboard365 check authenticator --customer NAME [--user UPN,...] [--format table|json] [--sandbox]

Lists the users of a customer (or of your partner tenant, --customer partner) whose default MFA
method is not a Microsoft Authenticator notification, grouped as the app's wizard groups them,
after checking that the tenant has Entra ID P1 and that your GDAP roles can read and change
sign-in methods there. It changes nothing: the wizard in the app does the switching.

It uses the sign-in you kept in the app. With --sandbox it checks the built-in sandbox instead.

Exit code: 0 when every user already defaults to Authenticator (guests aside), 1 when a user
does not or the check could not run, 2 when the command line is wrong.

Options:
`

// runCheckAuthenticator handles "onboard365 check authenticator ...".
func runCheckAuthenticator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("onboard365 check authenticator", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprint(stderr, checkAuthenticatorUsage)
		flags.PrintDefaults()
	}
	customer := flags.String("customer", "", "the customer's `name` or tenant id, or \"partner\" for your own tenant")
	users := flags.String("user", "", "only these users: sign-in `names`, separated by commas")
	format := flags.String("format", "table", "how to print the result: `table` or json")
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
	const name = "onboard365 check authenticator:"
	switch {
	case flags.NArg() > 0:
		fmt.Fprintf(stderr, "%s %q is not an option. Run onboard365 check authenticator --help to see the options.\n", name, flags.Arg(0))
		return exitUsage
	case strings.TrimSpace(*customer) == "":
		fmt.Fprintln(stderr, name, "say which tenant to check with --customer NAME (or --customer partner for your own).")
		return exitUsage
	case *format != "table" && *format != "json":
		fmt.Fprintf(stderr, "%s --format is table or json, not %q.\n", name, *format)
		return exitUsage
	case *useSandbox && *cloudFile != "":
		fmt.Fprintln(stderr, name, "choose either --sandbox or --cloud, not both.")
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	var tenantGraph func(context.Context, string) (*graph.Client, error)
	if *useSandbox {
		s, err := sandbox.Start(sandbox.Options{})
		if err != nil {
			fmt.Fprintln(stderr, name, err)
			return exitProblem
		}
		defer s.Close()
		if tenantGraph, err = sandboxTenants(s); err != nil {
			fmt.Fprintln(stderr, name, err)
			return exitProblem
		}
	} else {
		a, err := signedInAccount(ctx, *cloudFile, *allowHosts, *clientID, *tenant)
		if err != nil {
			fmt.Fprintln(stderr, name, err)
			return exitProblem
		}
		tenantGraph = a.tenantGraph
	}
	report, err := checkAuthenticator(ctx, newAuthService(tenantGraph), *customer, *users)
	if err != nil {
		fmt.Fprintln(stderr, name, wizard.Sentence(err))
		return exitProblem
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(report)
	} else {
		err = writeAuthenticatorTable(stdout, report)
	}
	if err != nil {
		fmt.Fprintln(stderr, name, "could not write the result:", err)
		return exitProblem
	}
	if !report.Check.OK || report.NeedAttention > 0 {
		return exitProblem
	}
	return exitAllPass
}

// AuthenticatorReport is what "check authenticator" prints as JSON.
type AuthenticatorReport struct {
	Tenant        string        `json:"tenant"`
	CheckedAt     time.Time     `json:"checkedAt"`
	Check         ReportCheck   `json:"check"`
	Groups        []ReportGroup `json:"groups,omitempty"`
	NeedAttention int           `json:"needAttention"` // users who do not default to Authenticator, guests aside
	Users         []ReportUser  `json:"users,omitempty"`
	Problems      []string      `json:"problems,omitempty"` // names that found nobody, one sentence each
}

// ReportCheck is the outcome of the pre-checks.
type ReportCheck struct {
	OK        bool     `json:"ok"`
	Stops     []string `json:"stops,omitempty"`
	Notes     []string `json:"notes,omitempty"`
	NeedsGDAP bool     `json:"needsGdap"`
}

// ReportGroup is one group of users and how many it holds.
type ReportGroup struct {
	Group string `json:"group"`
	Count int    `json:"count"`
}

// ReportUser is one user in the report.
type ReportUser struct {
	Name      string `json:"name"`
	UPN       string `json:"userPrincipalName"`
	Group     string `json:"group"`
	Admin     bool   `json:"admin"`
	CanSwitch bool   `json:"canSwitch"`
	Sentence  string `json:"sentence"`
}

// checkAuthenticator runs the wizard's reads for one tenant named on the command line.
func checkAuthenticator(ctx context.Context, svc *authService, customer, users string) (AuthenticatorReport, error) {
	tenants, err := svc.Tenants(ctx)
	if err != nil {
		return AuthenticatorReport{}, err
	}
	var chosen *ui.Tenant
	want := strings.TrimSpace(customer)
	for i, t := range tenants {
		if strings.EqualFold(t.Name, want) || (t.ID != "" && strings.EqualFold(t.ID, want)) || (t.ID == "" && strings.EqualFold(want, "partner")) {
			chosen = &tenants[i]
			break
		}
	}
	if chosen == nil {
		names := make([]string, 0, len(tenants))
		for _, t := range tenants[1:] {
			names = append(names, fmt.Sprintf("%q", t.Name))
		}
		return AuthenticatorReport{}, fmt.Errorf("you have no customer called %q. Your customers are %s; use --customer partner for your own tenant", want, strings.Join(names, ", "))
	}
	r := AuthenticatorReport{Tenant: chosen.Name, CheckedAt: time.Now().UTC()}
	check, err := svc.Check(ctx, chosen.ID)
	if err != nil {
		return r, err
	}
	r.Check = ReportCheck{OK: check.OK, Stops: check.Stops, Notes: check.Notes, NeedsGDAP: check.NeedsGDAP}
	if !r.Check.OK {
		return r, nil
	}
	var list ui.UserList
	if strings.TrimSpace(users) != "" {
		list, err = svc.FindUsers(ctx, chosen.ID, users)
	} else {
		list, err = svc.ReadUsers(ctx, chosen.ID, nil)
	}
	if err != nil {
		return r, err
	}
	r.Problems = list.Problems
	for _, g := range list.Groups {
		r.Groups = append(r.Groups, ReportGroup{Group: g.Group, Count: g.Count})
	}
	for _, u := range list.Users {
		if u.Fine {
			continue
		}
		if u.Group != authmethods.Guest.Words() {
			r.NeedAttention++
		}
		r.Users = append(r.Users, ReportUser{Name: u.Name, UPN: u.UPN, Group: u.Group, Admin: u.Admin, CanSwitch: u.CanFix, Sentence: u.Sentence})
	}
	return r, nil
}

func writeAuthenticatorTable(w io.Writer, r AuthenticatorReport) error {
	fmt.Fprintf(w, "Authenticator default method in %s, %s\n\n", r.Tenant, r.CheckedAt.Format("2 January 2006 15:04 UTC"))
	for _, s := range r.Check.Stops {
		fmt.Fprintf(w, "Stopped: %s\n", oneLine(s))
	}
	for _, n := range r.Check.Notes {
		fmt.Fprintf(w, "Note: %s\n", oneLine(n))
	}
	for _, p := range r.Problems {
		fmt.Fprintf(w, "Not found: %s\n", oneLine(p))
	}
	if !r.Check.OK {
		if r.Check.NeedsGDAP {
			fmt.Fprintln(w, "\nOpen GDAP relationships in the app (or run onboard365 check gdap) to add the roles.")
		}
		return nil
	}
	var counts []string
	total := 0
	for _, g := range r.Groups {
		total += g.Count
		if g.Count > 0 {
			counts = append(counts, fmt.Sprintf("%s: %d", g.Group, g.Count))
		}
	}
	fmt.Fprintf(w, "%d users. %s.\n", total, strings.Join(counts, "; "))
	if len(r.Users) == 0 {
		_, err := fmt.Fprintln(w, "\nEvery user already defaults to a Microsoft Authenticator notification.")
		return err
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tUSER\tSIGN-IN NAME\tCAN SWITCH")
	for _, u := range r.Users {
		can := "no"
		if u.CanSwitch {
			can = "yes"
		}
		if u.Admin {
			can += " (admin)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Group, oneLine(u.Name), oneLine(u.UPN), can)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nWhy, and what to do:")
	for _, u := range r.Users {
		fmt.Fprintf(w, "  - %s: %s\n", oneLine(u.Name), oneLine(u.Sentence))
	}
	_, err := fmt.Fprintln(w, "\nOpen Authenticator default method in the app to switch the users who can be switched.")
	return err
}

// sandboxTenants gives Graph clients on a sandbox in this process, as its technician in any
// tenant: the sandbox issues the tokens itself, so no sign-in happens and nothing is kept.
func sandboxTenants(s *sandbox.Server) (func(context.Context, string) (*graph.Client, error), error) {
	hc, err := s.Cloud().HTTPClient()
	if err != nil {
		return nil, err
	}
	return func(_ context.Context, tenant string) (*graph.Client, error) {
		return graph.New(s.Cloud().GraphURL, hc, &sandboxTenantToken{s: s, tenant: tenant}, graph.Options{}), nil
	}, nil
}

type sandboxTenantToken struct {
	s      *sandbox.Server
	tenant string
	once   sync.Once
	tok    string
	err    error
}

func (t *sandboxTenantToken) Token(context.Context) (string, error) {
	t.once.Do(func() {
		t.tok, t.err = t.s.IssueToken(sandbox.TokenRequest{UPN: checkSandboxTechnician, Tenant: t.tenant,
			Audience: "https://graph.microsoft.com", Consented: true}) // what the app is consented for there, as .default gives it
	})
	return t.tok, t.err
}
