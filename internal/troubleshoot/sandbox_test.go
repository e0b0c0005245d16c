package troubleshoot_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/sandbox"
	ts "github.com/onboard365/onboard365/internal/troubleshoot"
)

// seeded is what the default scenario shows, customer by customer: the status of each check and,
// for the checks that find a cause, a phrase of the sentence that names it.
var seeded = []struct {
	customer string
	want     map[ts.Kind]plan.Status
	says     map[ts.Kind]string
}{
	{"Fabrikam", all(plan.Pass), nil},
	{"Northwind Traders", with(all(plan.Pass), ts.GDAPRoles, plan.Fail), map[ts.Kind]string{ts.GDAPRoles: "Teams Administrator"}},
	{"Tailspin Toys", with(all(plan.Pass), ts.GDAPRoles, plan.Fail), map[ts.Kind]string{ts.GDAPRoles: "Security Reader"}},
	{"Wingtip Toys", blocked(plan.Fail), map[ts.Kind]string{ts.Access: "no GDAP access to Wingtip Toys (AADSTS50020)"}},
	{"Woodgrove Bank", with(with(all(plan.Pass), ts.ConditionalAccess, plan.Warning), ts.GDAPRoles, plan.Warning),
		map[ts.Kind]string{ts.ConditionalAccess: `report-only mode and would block your technicians once turned on: "Require a compliant device (testing)"`}},
	{"Adatum Corporation", with(all(plan.Pass), ts.GDAPRoles, plan.Warning), map[ts.Kind]string{ts.GDAPRoles: "Global Administrator"}},
	{"Litware", with(with(blocked(plan.Pass), ts.ConditionalAccess, plan.Fail), ts.Access, plan.Fail), map[ts.Kind]string{
		ts.Access:            "because a Conditional Access policy of Litware blocks it (AADSTS53003)",
		ts.ConditionalAccess: "Litware's Conditional Access blocks your technicians: Microsoft refused a token with AADSTS53003",
	}},
	{"Proseware", all(plan.Pass), nil},
	{"Lamna Healthcare", with(with(with(all(plan.Pass), ts.EntraP1, plan.Fail), ts.ConditionalAccess, plan.CouldNotCheck), ts.SignInLog, plan.CouldNotCheck),
		map[ts.Kind]string{ts.EntraP1: "Lamna Healthcare has no Entra ID P1 licence"}},
	{"Relecloud", with(blocked(plan.Pass), ts.Access, plan.Fail), map[ts.Kind]string{ts.Access: "not consented there (AADSTS90099)"}},
	{"Trey Research", with(blocked(plan.Warning), ts.Access, plan.Fail), map[ts.Kind]string{ts.Access: "(AADSTS50020)"}},
	{"Alpine Ski House", blocked(plan.Fail), map[ts.Kind]string{ts.Access: "(AADSTS50020)", ts.GDAPRoles: "Cloud Application Administrator"}},
}

var customerKinds = []ts.Kind{ts.Access, ts.ConditionalAccess, ts.SignInLog, ts.GDAPRoles, ts.EntraP1}

func all(s plan.Status) map[ts.Kind]plan.Status {
	m := map[ts.Kind]plan.Status{}
	for _, k := range customerKinds {
		m[k] = s
	}
	return m
}

func with(m map[ts.Kind]plan.Status, k ts.Kind, s plan.Status) map[ts.Kind]plan.Status {
	out := map[ts.Kind]plan.Status{}
	for kk, v := range m {
		out[kk] = v
	}
	out[k] = s
	return out
}

// blocked is a customer that refuses the technician a token: nothing but the GDAP verdict (gdap)
// can be read.
func blocked(gdap plan.Status) map[ts.Kind]plan.Status {
	return map[ts.Kind]plan.Status{ts.Access: plan.Fail, ts.ConditionalAccess: plan.CouldNotCheck, ts.SignInLog: plan.CouldNotCheck,
		ts.GDAPRoles: gdap, ts.EntraP1: plan.CouldNotCheck}
}

// TestDefaultScenarioCausesFixesAndLeftAlone is the "done when": on the default scenario
// every seeded cause is found for the right customer with the right sentence; each fix turns its
// check to Pass when read again; and policies that do not affect the partner are left alone, byte
// for byte in meaning.
func TestDefaultScenarioCausesFixesAndLeftAlone(t *testing.T) {
	e := start(t, sandbox.Options{})
	d := e.diagnose(ts.Options{ServiceAccount: riskyUser})

	// The partner tenant.
	if d.PartnerTenantID != e.s.PartnerTenantID() {
		t.Errorf("partner tenant %s, want %s", d.PartnerTenantID, e.s.PartnerTenantID())
	}
	mfa := checkOf(t, d.Partner, ts.MFAEnforcement)
	if mfa.Status != plan.Warning || !strings.Contains(mfa.Sentence, `"Require MFA for all users"`) ||
		!strings.Contains(strings.Join(mfa.Details, " "), `Break glass account (breakglass@contosopartners.onmicrosoft.com)`) ||
		!strings.Contains(strings.Join(mfa.Details, " "), "break-glass") {
		t.Errorf("MFA enforcement: %s %q %q", mfa.Status, mfa.Sentence, mfa.Details)
	}
	var risks []ts.Check
	for _, c := range d.Partner.Checks {
		if c.Kind == ts.RiskyAccount {
			risks = append(risks, c)
		}
	}
	if len(risks) != 2 || risks[0].Status != plan.Pass || !strings.Contains(risks[0].Sentence, technician) ||
		risks[1].Status != plan.Fail || !strings.Contains(risks[1].Sentence, riskyUser) || !strings.Contains(risks[1].Sentence, "AADSTS530034") ||
		len(risks[1].FixIDs) != 1 {
		t.Fatalf("risky accounts: %+v", risks)
	}
	if c := checkOf(t, d.Partner, ts.SignInMFA); c.Status != plan.Pass || !strings.Contains(c.Sentence, "carries MFA") {
		t.Errorf("sign-in: %s %q", c.Status, c.Sentence)
	}
	dismiss, ok := d.Fix(risks[1].FixIDs[0])
	if !ok || dismiss.Kind != ts.DismissRisk || dismiss.Safe || !strings.Contains(dismiss.Caution, "security decision") {
		t.Fatalf("dismiss fix: %+v", dismiss)
	}

	// Every customer.
	if len(d.Customers) != len(seeded) {
		t.Fatalf("%d customers, want %d", len(d.Customers), len(seeded))
	}
	for _, s := range seeded {
		l := checklistOf(t, d, s.customer)
		for _, k := range customerKinds {
			c := checkOf(t, l, k)
			if c.Status != s.want[k] {
				t.Errorf("%s, %s: %s (%q), want %s", s.customer, k, c.Status, c.Sentence, s.want[k])
			}
			if phrase := s.says[k]; phrase != "" && !strings.Contains(c.Sentence+" "+strings.Join(c.Details, " "), phrase) {
				t.Errorf("%s, %s says %q %q, want it to say %q", s.customer, k, c.Sentence, c.Details, phrase)
			}
		}
	}
	if l := checklistOf(t, d, "Litware"); !l.NeedsAdmin || l.AdminSignedIn {
		t.Errorf("Litware: needs admin %v, admin signed in %v; want true, false", l.NeedsAdmin, l.AdminSignedIn)
	}
	// Worst first.
	for i := 1; i < len(d.Customers); i++ {
		if rank(d.Customers[i].Status) < rank(d.Customers[i-1].Status) {
			t.Errorf("%s (%s) comes after %s (%s)", d.Customers[i].Customer.Name, d.Customers[i].Status, d.Customers[i-1].Customer.Name, d.Customers[i-1].Status)
		}
	}

	// Litware blocks every technician: its own administrator signs in, and the checks read it.
	litware := checklistOf(t, d, "Litware").Customer
	admin := e.customerAdmin(litware.TenantID, "litware.onmicrosoft.com")
	admins := map[string]*graph.Client{strings.ToLower(litware.TenantID): admin}
	withAdmin := e.diagnose(ts.Options{ServiceAccount: riskyUser, Admins: admins})
	l := checklistOf(t, withAdmin, "Litware")
	if !l.AdminSignedIn {
		t.Error("Litware was not read with its administrator's sign-in")
	}
	ca := checkOf(t, l, ts.ConditionalAccess)
	details := strings.Join(ca.Details, "\n")
	if ca.Status != plan.Fail || !strings.Contains(ca.Sentence, `One of Litware's 5 Conditional Access policies blocks your technicians: "Block guests and external users".`) {
		t.Errorf("Litware CA with its admin: %s %q", ca.Status, ca.Sentence)
	}
	for _, want := range []string{
		`"Block guests and external users": It applies to every kind of guest and external user (service provider users among them) from any organization, for all cloud apps, and blocks access.`,
		`"Require MFA for everyone": It applies to your service provider users too, and a partner sign-in meets it: it requires multifactor authentication.`,
		`"Block legacy authentication": It applies only to legacy sign-in clients (exchangeActiveSync, other)`,
		`"Block B2B guests": It does not apply to your service provider users: it is for B2B collaboration guests and B2B collaboration members, which does not include service provider users.`,
		`"Block all external users (old)": It is turned off`,
	} {
		if !strings.Contains(details, want) {
			t.Errorf("Litware's policies are not explained with %q:\n%s", want, details)
		}
	}
	if log := checkOf(t, l, ts.SignInLog); log.Status != plan.Fail || !strings.Contains(log.Sentence, `by "Block guests and external users"`) ||
		!strings.Contains(log.Sentence, "refused by Conditional Access (error 53003)") || len(log.Details) < 3 {
		t.Errorf("Litware's sign-in log: %s %q %q", log.Status, log.Sentence, log.Details)
	}
	if p1 := checkOf(t, l, ts.EntraP1); p1.Status != plan.Pass {
		t.Errorf("Litware's licence with its admin: %s %q", p1.Status, p1.Sentence)
	}
	if len(ca.FixIDs) != 1 {
		t.Fatalf("Litware's CA check offers %d fixes, want 1", len(ca.FixIDs))
	}
	exclude, _ := withAdmin.Fix(ca.FixIDs[0])
	if exclude.Kind != ts.ExcludeServiceProviders || !exclude.Safe || !exclude.AsCustomerAdmin || exclude.Blocked != "" ||
		exclude.PolicyName != "Block guests and external users" || !strings.Contains(exclude.Reason, "Everything else in the policy stays as it is") {
		t.Fatalf("Litware's fix: %+v", exclude)
	}
	woodgrove := checkOf(t, checklistOf(t, withAdmin, "Woodgrove Bank"), ts.ConditionalAccess)
	if len(woodgrove.FixIDs) != 1 {
		t.Fatalf("Woodgrove's CA check offers %d fixes, want 1", len(woodgrove.FixIDs))
	}
	reportOnly, _ := withAdmin.Fix(woodgrove.FixIDs[0])
	if reportOnly.Safe || reportOnly.AsCustomerAdmin || reportOnly.Blocked != "" || !strings.Contains(reportOnly.Caution, "report-only") {
		t.Fatalf("Woodgrove's fix: %+v", reportOnly)
	}
	// The safe fixes are exactly Litware's exclusion: the report-only one and the risk need a person's judgement.
	var safe []string
	for _, f := range withAdmin.Fixes {
		if f.Safe {
			safe = append(safe, f.ID)
		}
	}
	if len(safe) != 1 || safe[0] != exclude.ID {
		t.Errorf("safe fixes %v, want only %s", safe, exclude.ID)
	}

	// Every policy of Litware and Woodgrove before the fixes.
	woodgroveID := checklistOf(t, withAdmin, "Woodgrove Bank").Customer.TenantID
	woodgroveGraph, _ := e.tenants(context.Background(), woodgroveID)
	beforeLitware := policies(t, admin)
	beforeWoodgrove := policies(t, woodgroveGraph)

	// Apply the three fixes, as a person who ticked them all would.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var progress []int
	results := ts.Apply(ctx, e.tenants, admins, []ts.Fix{exclude, reportOnly, dismiss}, func(done, total int) { progress = append(progress, done) })
	for _, r := range results {
		if !r.Done || r.Err != nil || !strings.HasPrefix(r.Sentence, "Done: ") {
			t.Errorf("%s: done %v, %v, %q", r.Fix.ID, r.Done, r.Err, r.Sentence)
		}
	}
	if len(progress) != 3 || progress[2] != 3 {
		t.Errorf("progress %v", progress)
	}
	if !strings.Contains(results[0].Sentence, "every other field of the policy is as it was") {
		t.Errorf("the exclusion's outcome does not say the rest is unchanged: %q", results[0].Sentence)
	}

	// Read again: each fix turned its check to Pass.
	after := e.diagnose(ts.Options{ServiceAccount: riskyUser})
	l = checklistOf(t, after, "Litware")
	for _, k := range customerKinds {
		if c := checkOf(t, l, k); c.Status != plan.Pass {
			t.Errorf("Litware after the fix, %s: %s %q", k, c.Status, c.Sentence)
		}
	}
	if l.AdminSignedIn || l.NeedsAdmin {
		t.Error("after the fix Litware must be read with the technician's own access")
	}
	if log := checkOf(t, l, ts.SignInLog); !strings.Contains(log.Sentence, "that policy no longer blocks your technicians") {
		t.Errorf("Litware's sign-in log after the fix: %q", log.Sentence)
	}
	if c := checkOf(t, checklistOf(t, after, "Woodgrove Bank"), ts.ConditionalAccess); c.Status != plan.Pass {
		t.Errorf("Woodgrove after the fix: %s %q", c.Status, c.Sentence)
	}
	risks = nil
	for _, c := range after.Partner.Checks {
		if c.Kind == ts.RiskyAccount {
			risks = append(risks, c)
		}
	}
	if len(risks) != 2 || risks[1].Status != plan.Pass {
		t.Errorf("lee after dismissing: %+v", risks)
	}
	if len(after.Fixes) != 0 {
		t.Errorf("fixes left after applying them all: %+v", after.Fixes)
	}

	// Left alone: every policy that did not stop the partner reads exactly as before; the two
	// fixed ones differ only in their exclusion (and the time Microsoft stamps on a change).
	afterLitware := policies(t, admin)
	afterWoodgrove := policies(t, woodgroveGraph)
	for id, p := range beforeLitware {
		q := afterLitware[id]
		switch {
		case id == exclude.PolicyID:
			if !ts.SameExceptExclusion(p, q) || canonicalJSON(p) == canonicalJSON(q) {
				t.Errorf("the fixed policy changed beyond its exclusion (or not at all):\n%s\n%s", canonicalJSON(p), canonicalJSON(q))
			}
		case canonicalJSON(p) != canonicalJSON(q):
			t.Errorf("policy %q was changed though it does not affect the partner:\n%s\n%s", p["displayName"], canonicalJSON(p), canonicalJSON(q))
		}
	}
	if len(afterLitware) != 5 || len(beforeLitware) != 5 {
		t.Errorf("Litware has %d policies after, %d before; want 5", len(afterLitware), len(beforeLitware))
	}
	for id, p := range beforeWoodgrove {
		if !ts.SameExceptExclusion(p, afterWoodgrove[id]) {
			t.Errorf("Woodgrove's policy changed beyond its exclusion")
		}
	}
	excl := afterLitware[exclude.PolicyID]["conditions"].(map[string]any)["users"].(map[string]any)["excludeGuestsOrExternalUsers"]
	want := `{"externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessEnumeratedExternalTenants","members":["` +
		e.s.PartnerTenantID() + `"],"membershipKind":"enumerated"},"guestOrExternalUserTypes":"serviceProvider"}`
	if got := canonicalJSON(excl); got != want {
		t.Errorf("the exclusion reads back as %s, want %s", got, want)
	}
}

func rank(s plan.Status) int {
	switch s {
	case plan.Fail:
		return 0
	case plan.CouldNotCheck:
		return 1
	case plan.Warning:
		return 2
	}
	return 3
}

// policies reads every policy of a tenant, as Graph returns it, by id.
func policies(t *testing.T, c *graph.Client) map[string]map[string]any {
	t.Helper()
	list, err := graph.List[map[string]any](context.Background(), c, "/v1.0/identity/conditionalAccess/policies")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, p := range list {
		out[p["id"].(string)] = p
	}
	return out
}

// canonicalJSON writes a value with sorted keys (encoding/json sorts map keys).
func canonicalJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestGeneratedCustomers runs the checks on the troubleshoot scenario's first ten customers, one of
// each kind: a fix the technician's GDAP roles cannot make says so and is not applied; one they
// can make is applied and checked again; a change made meanwhile by someone else is noticed.
func TestGeneratedCustomers(t *testing.T) {
	e := start(t, sandbox.Options{Scenario: sandbox.ScenarioTroubleshoot, Customers: 10})
	d := e.diagnose(ts.Options{})
	if len(d.Customers) != 10 {
		t.Fatalf("%d customers", len(d.Customers))
	}
	want := map[string]map[ts.Kind]plan.Status{
		"Customer 0001": with(blocked(plan.Pass), ts.ConditionalAccess, plan.Fail),
		"Customer 0002": with(all(plan.Pass), ts.ConditionalAccess, plan.Warning),
		"Customer 0003": with(all(plan.Pass), ts.ConditionalAccess, plan.Warning),
		"Customer 0004": with(with(with(all(plan.Pass), ts.EntraP1, plan.Fail), ts.ConditionalAccess, plan.CouldNotCheck), ts.SignInLog, plan.CouldNotCheck),
		"Customer 0005": all(plan.Pass),
		"Customer 0006": blocked(plan.Pass),
		"Customer 0007": all(plan.Pass),
	}
	for name, kinds := range want {
		l := checklistOf(t, d, name)
		for k, s := range kinds {
			if c := checkOf(t, l, k); c.Status != s {
				t.Errorf("%s, %s: %s (%q), want %s", name, k, c.Status, c.Sentence, s)
			}
		}
	}
	if c := checkOf(t, checklistOf(t, d, "Customer 0005"), ts.ConditionalAccess); !strings.Contains(c.Sentence, "None of Customer 0005's 4 Conditional Access policies blocks your technicians.") {
		t.Errorf("Customer 0005: %q", c.Sentence)
	}

	fixOf := func(d ts.Diagnosis, name string) ts.Fix {
		t.Helper()
		c := checkOf(t, checklistOf(t, d, name), ts.ConditionalAccess)
		if len(c.FixIDs) != 1 {
			t.Fatalf("%s: %d fixes", name, len(c.FixIDs))
		}
		f, _ := d.Fix(c.FixIDs[0])
		return f
	}
	noRole, withRole := fixOf(d, "Customer 0003"), fixOf(d, "Customer 0002")
	if !strings.Contains(noRole.Blocked, "Changing a policy needs Conditional Access Administrator or Security Administrator in Customer 0003, and your GDAP access there includes neither.") || noRole.Safe {
		t.Errorf("the fix without the role: %+v", noRole)
	}
	if withRole.Blocked != "" {
		t.Errorf("the fix with the role is blocked: %s", withRole.Blocked)
	}
	ctx := context.Background()
	r := ts.Apply(ctx, e.tenants, nil, []ts.Fix{noRole, withRole}, nil)
	if r[0].Done || r[0].Err == nil || !strings.HasPrefix(r[0].Sentence, "Not applied: Changing a policy needs") {
		t.Errorf("the blocked fix: %+v", r[0])
	}
	if !r[1].Done || r[1].Err != nil {
		t.Errorf("the fix through GDAP: %+v", r[1])
	}

	// Customer 0001 blocks everyone: its administrator signs in, and the fix is made with that.
	c1 := checklistOf(t, d, "Customer 0001").Customer
	admins := map[string]*graph.Client{strings.ToLower(c1.TenantID): e.customerAdmin(c1.TenantID, "customer0001.onmicrosoft.com")}
	d = e.diagnose(ts.Options{Customers: []string{"Customer 0001"}, Admins: admins})
	block := fixOf(d, "Customer 0001")
	if !block.Safe || !block.AsCustomerAdmin {
		t.Fatalf("Customer 0001's fix: %+v", block)
	}
	// Someone excludes the partner in the meantime: the fix finds nothing to do.
	admin := admins[strings.ToLower(c1.TenantID)]
	p, err := readPolicyOf(admin, block.PolicyID)
	if err != nil {
		t.Fatal(err)
	}
	ex, err := ts.ExcludePartner(p["conditions"].(map[string]any), e.s.PartnerTenantID())
	if err != nil {
		t.Fatal(err)
	}
	if err := admin.Do(ctx, "PATCH", "/v1.0/identity/conditionalAccess/policies/"+block.PolicyID, map[string]any{"conditions": ex.Conditions}, nil); err != nil {
		t.Fatal(err)
	}
	r = ts.Apply(ctx, e.tenants, admins, []ts.Fix{block}, nil)
	if !r[0].Done || !strings.HasPrefix(r[0].Sentence, "Nothing to do: ") {
		t.Errorf("a fix already made: %+v", r[0])
	}
	// An administrator's fix without the administrator says so.
	r = ts.Apply(ctx, e.tenants, nil, []ts.Fix{block}, nil)
	if r[0].Done || !strings.Contains(r[0].Sentence, "none is signed in any more") {
		t.Errorf("a customer administrator's fix without the administrator: %+v", r[0])
	}

	after := e.diagnose(ts.Options{})
	for _, name := range []string{"Customer 0001", "Customer 0002"} {
		if c := checkOf(t, checklistOf(t, after, name), ts.ConditionalAccess); c.Status != plan.Pass {
			t.Errorf("%s after its fix: %s %q", name, c.Status, c.Sentence)
		}
	}
	if c := checkOf(t, checklistOf(t, after, "Customer 0003"), ts.ConditionalAccess); c.Status != plan.Warning {
		t.Errorf("Customer 0003 changed though its fix was not applied: %s", c.Status)
	}
	if _, err := ts.Diagnose(ctx, e.tenants, ts.Options{SignIn: e.claims, Customers: []string{"Customer 9999"}}); !errors.Is(err, ts.ErrNoSuchCustomer) {
		t.Errorf("an unknown customer: %v", err)
	}
}

func readPolicyOf(c *graph.Client, id string) (map[string]any, error) {
	var p map[string]any
	err := c.Do(context.Background(), "GET", "/v1.0/identity/conditionalAccess/policies/"+id, nil, &p)
	return p, err
}

// TestCutOffAnswersDoNotFailARun (issue 15): on a sandbox that cuts off one GET answer in
// twelve and drops one request in twenty-five, a run finds exactly what it finds on a quiet one:
// reads that got no whole answer are read again.
func TestCutOffAnswersDoNotFailARun(t *testing.T) {
	quiet := start(t, sandbox.Options{Seed: 7}).diagnose(ts.Options{})
	e := start(t, sandbox.Options{Seed: 7, Faults: sandbox.Faults{Malformed: 0.08, Dropped: 0.04, Seed: 15}})
	e.graphOpt.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := ts.Diagnose(ctx, e.tenants, ts.Options{SignIn: e.claims})
	if err != nil {
		t.Fatalf("Diagnose on a sandbox that cuts answers off: %v", err)
	}
	if len(d.Customers) != len(quiet.Customers) {
		t.Fatalf("%d customers, want %d", len(d.Customers), len(quiet.Customers))
	}
	for _, want := range quiet.Customers {
		got := checklistOf(t, d, want.Customer.Name)
		for _, k := range customerKinds {
			if g, w := checkOf(t, got, k), checkOf(t, want, k); g.Status != w.Status {
				t.Errorf("%s, %s: %s (%q), want %s as on a quiet sandbox", want.Customer.Name, k, g.Status, g.Sentence, w.Status)
			}
		}
	}
	for _, c := range d.Partner.Checks {
		if w, _ := quiet.Partner.Check(c.Kind); c.Status != w.Status {
			t.Errorf("partner, %s: %s (%q), want %s", c.Kind, c.Status, c.Sentence, w.Status)
		}
	}
}

// TestServiceAccountThatDoesNotExist: a service account that is not in the partner tenant is
// said to be missing, never passed as "not a risky user"; one that exists and is not risky
// passes, under its own name.
func TestServiceAccountThatDoesNotExist(t *testing.T) {
	e := start(t, sandbox.Options{})
	for _, tc := range []struct {
		account string
		status  plan.Status
		says    string
	}{
		{"nobody@example.com", plan.Fail, "There is no account nobody@example.com in your partner tenant"},
		{"NOBODY@contosopartners.onmicrosoft.com", plan.Fail, "There is no account"},
		{"megan@contosopartners.onmicrosoft.com", plan.Pass, "Microsoft does not hold Megan"},
	} {
		d := e.diagnose(ts.Options{ServiceAccount: tc.account, Customers: []string{"Fabrikam"}})
		var risks []ts.Check
		for _, c := range d.Partner.Checks {
			if c.Kind == ts.RiskyAccount {
				risks = append(risks, c)
			}
		}
		if len(risks) != 2 || risks[1].Status != tc.status || !strings.Contains(risks[1].Sentence, tc.says) {
			t.Errorf("%s: %+v, want %s saying %q", tc.account, risks, tc.status, tc.says)
		}
	}
}
