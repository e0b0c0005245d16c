package authmethods_test

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/sandbox"
)

const (
	technician = "alex@contosopartners.onmicrosoft.com"
)

type issued struct {
	s    *sandbox.Server
	req  sandbox.TokenRequest
	once sync.Once
	tok  string
	err  error
}

func (i *issued) Token(context.Context) (string, error) {
	i.once.Do(func() { i.tok, i.err = i.s.IssueToken(i.req) })
	return i.tok, i.err
}

type env struct {
	s  *sandbox.Server
	hc *http.Client
}

func startSandbox(t testing.TB, opts sandbox.Options) *env {
	t.Helper()
	s, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	hc, err := s.Cloud().HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	return &env{s: s, hc: hc}
}

// client is a Graph client for a tenant ("" for the partner's own), as the technician.
func (e *env) client(tenant string, opts graph.Options) *graph.Client {
	src := &issued{s: e.s, req: sandbox.TokenRequest{UPN: technician, Tenant: tenant, Audience: "https://graph.microsoft.com", Consented: true}} // what the app is consented for there
	return graph.New(e.s.Cloud().GraphURL, e.hc, src, opts)
}

// customer finds a customer by name and the technician's access there.
func (e *env) customer(t testing.TB, name string) (string, authmethods.Access) {
	t.Helper()
	inv, err := gdap.Read(context.Background(), e.client("", graph.Options{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range inv.Customers() {
		if c.Name == name {
			return c.TenantID, authmethods.AccessFrom(inv, c.TenantID)
		}
	}
	t.Fatalf("no customer %q", name)
	return "", authmethods.Access{}
}

func byCategory(fs []authmethods.Finding) map[authmethods.Category][]string {
	out := map[authmethods.Category][]string{}
	for _, f := range fs {
		out[f.Category] = append(out[f.Category], strings.SplitN(f.User.UserPrincipalName, "@", 2)[0])
	}
	for _, v := range out {
		sort.Strings(v)
	}
	return out
}

func equal(a, b []string) bool { return strings.Join(a, ",") == strings.Join(b, ",") }

// TestProsewareFindsFixesAndReadsAgain walks the whole wizard on the scenario's Proseware: the
// text-message users are found and sorted into their groups, only the fixable ones are ticked,
// applying switches exactly them, and the second read shows push for them and no change for the
// others.
func TestProsewareFindsFixesAndReadsAgain(t *testing.T) {
	e := startSandbox(t, sandbox.Options{})
	ctx := context.Background()
	tid, access := e.customer(t, "Proseware")
	c := e.client(tid, graph.Options{})

	check := authmethods.Precheck(ctx, c, "Proseware", access)
	if !check.OK() || check.Licence != authmethods.HasP1 || check.NeedsGDAP {
		t.Fatalf("pre-check: %+v", check)
	}
	if len(check.Notes) != 1 || !strings.Contains(check.Notes[0], "Privileged Authentication Administrator") {
		t.Errorf("the technician holds Authentication Administrator only; the notes must say admins are left alone: %q", check.Notes)
	}

	var reads []int
	regs, err := authmethods.Read(ctx, c, func(n int) { reads = append(reads, n) })
	if err != nil {
		t.Fatal(err)
	}
	if len(reads) == 0 || reads[len(reads)-1] != len(regs) {
		t.Errorf("progress %v for %d users", reads, len(regs))
	}
	found := authmethods.ClassifyAll(regs, access)
	got := byCategory(found)
	want := map[authmethods.Category][]string{
		authmethods.Fixable:         {"dana", "pat", "sam"},
		authmethods.SystemPreferred: {"jo"},
		authmethods.NoAuthenticator: {"kim", "sasha"},
		authmethods.NoMethods:       {"robin"},
		authmethods.Guest:           {"chris_fabrikam.com#EXT#"},
		authmethods.Fine:            {"admin", "reception"},
	}
	for cat, names := range want {
		if !equal(got[cat], names) {
			t.Errorf("%s: %v, want %v", cat, got[cat], names)
		}
	}
	if len(found) != 10 {
		t.Errorf("%d users, want 10", len(found))
	}
	if found[0].Category != authmethods.Fixable {
		t.Errorf("the users to fix must come first, got %s", found[0].Category)
	}

	chosen := map[string]bool{}
	for _, f := range found {
		if f.Ticked {
			chosen[f.User.ID] = true
		}
		if f.Sentence == "" {
			t.Errorf("%s has no sentence", f.User.UserPrincipalName)
		}
		if f.User.UserPrincipalName == "dana@proseware.onmicrosoft.com" && (f.CanFix || f.Ticked || !f.Admin ||
			!strings.Contains(f.Sentence, "Privileged Authentication Administrator")) {
			t.Errorf("the admin must be marked and not fixable with Authentication Administrator alone: %+v", f)
		}
	}
	plan := authmethods.Plan(found, chosen)
	if len(plan) != 2 || !strings.Contains(plan[0].Reason, "from a text message to a Microsoft Authenticator notification") {
		t.Fatalf("plan: %+v", plan)
	}

	var progress []int
	results := authmethods.Apply(ctx, c, plan, func(done, total int) { progress = append(progress, done) })
	for _, r := range results {
		if !r.Done || r.Now != "push" || !strings.HasPrefix(r.Sentence, "Done:") {
			t.Errorf("%s: %+v", r.Change.UPN, r)
		}
	}
	if len(progress) == 0 || progress[len(progress)-1] != 2 {
		t.Errorf("progress %v", progress)
	}

	// Read again: pat and sam are fine now, nobody else changed.
	regs, err = authmethods.Read(ctx, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	after := byCategory(authmethods.ClassifyAll(regs, access))
	if !equal(after[authmethods.Fine], []string{"admin", "pat", "reception", "sam"}) || !equal(after[authmethods.Fixable], []string{"dana"}) ||
		!equal(after[authmethods.SystemPreferred], []string{"jo"}) || !equal(after[authmethods.NoAuthenticator], []string{"kim", "sasha"}) {
		t.Errorf("after the fix: %v", after)
	}
	for _, r := range regs {
		if (r.UserPrincipalName == "kim@proseware.onmicrosoft.com" || r.UserPrincipalName == "jo@proseware.onmicrosoft.com" ||
			r.UserPrincipalName == "dana@proseware.onmicrosoft.com") && r.Preferred != "sms" {
			t.Errorf("%s was changed to %s", r.UserPrincipalName, r.Preferred)
		}
	}

	// Running it again plans nothing: the wizard is idempotent.
	again := authmethods.ClassifyAll(regs, access)
	ticked := map[string]bool{}
	for _, f := range again {
		if f.Ticked {
			ticked[f.User.ID] = true
		}
	}
	if p := authmethods.Plan(again, ticked); len(p) != 0 {
		t.Errorf("a second run plans %d changes", len(p))
	}
}

// TestAdminNeedsPrivilegedAuthenticationAdministrator: forcing a change of an admin with
// Authentication Administrator alone is refused by Microsoft, and the result says why.
func TestAdminNeedsPrivilegedAuthenticationAdministrator(t *testing.T) {
	e := startSandbox(t, sandbox.Options{})
	ctx := context.Background()
	tid, _ := e.customer(t, "Proseware")
	c := e.client(tid, graph.Options{})
	lookups, err := authmethods.Find(ctx, c, []string{"dana@proseware.onmicrosoft.com"})
	if err != nil || lookups[0].Found == nil {
		t.Fatalf("find dana: %v %+v", err, lookups)
	}
	// Unchecked access (as in the partner's own tenant) lets the admin be ticked.
	f := authmethods.Classify(*lookups[0].Found, authmethods.PartnerAccess())
	if !f.CanFix || f.Ticked || !f.Admin {
		t.Fatalf("unchecked access: %+v", f)
	}
	res := authmethods.Apply(ctx, c, authmethods.Plan([]authmethods.Finding{f}, map[string]bool{f.User.ID: true}), nil)
	if len(res) != 1 || res[0].Done || res[0].Now != "sms" || !strings.Contains(res[0].Sentence, "Privileged Authentication Administrator") {
		t.Fatalf("result: %+v", res)
	}
}

// TestFindByName: the PSA ticket case, several names typed at once; each bad one gets its own
// sentence and the rest go on.
func TestFindByName(t *testing.T) {
	e := startSandbox(t, sandbox.Options{})
	ctx := context.Background()
	tid, access := e.customer(t, "Proseware")
	c := e.client(tid, graph.Options{})
	upns, bad := authmethods.ParseUPNs("Pat Fernandez <PAT@proseware.onmicrosoft.com>; nobody@proseware.onmicrosoft.com\n" +
		"chris_fabrikam.com#EXT#@proseware.onmicrosoft.com, robin@proseware.onmicrosoft.com, just a name\n" +
		"sasha@proseware.onmicrosoft.com kim@proseware.onmicrosoft.com")
	if len(upns) != 6 || len(bad) != 1 || bad[0] != "just a name" {
		t.Fatalf("parsed %q, not names %q", upns, bad)
	}
	lookups, err := authmethods.Find(ctx, c, upns)
	if err != nil {
		t.Fatal(err)
	}
	if len(lookups) != 6 {
		t.Fatalf("%d answers for 6 names", len(lookups))
	}
	cats := map[string]authmethods.Category{}
	recent := map[string]bool{}
	for _, l := range lookups {
		if l.Found == nil {
			if l.UPN != "nobody@proseware.onmicrosoft.com" || !strings.HasPrefix(l.Sentence(), "Nobody signs in as nobody@proseware.onmicrosoft.com") {
				t.Errorf("%s: %q", l.UPN, l.Sentence())
			}
			continue
		}
		cats[l.UPN] = authmethods.ClassifyLookup(l, access).Category
		recent[l.UPN] = l.Recent
	}
	// Sasha set up Authenticator after the report was made: looked up by name, she can be fixed.
	if cats["PAT@proseware.onmicrosoft.com"] != authmethods.Fixable || cats["robin@proseware.onmicrosoft.com"] != authmethods.NoMethods ||
		cats["chris_fabrikam.com#EXT#@proseware.onmicrosoft.com"] != authmethods.Guest ||
		cats["sasha@proseware.onmicrosoft.com"] != authmethods.Fixable || cats["kim@proseware.onmicrosoft.com"] != authmethods.NoAuthenticator {
		t.Errorf("categories: %v", cats)
	}
	if !recent["sasha@proseware.onmicrosoft.com"] || recent["kim@proseware.onmicrosoft.com"] || recent["PAT@proseware.onmicrosoft.com"] {
		t.Errorf("recently set up: %v", recent)
	}
}

// TestNoP1StopsAtTheFirstStep: Lamna Healthcare has no Entra ID P1.
func TestNoP1StopsAtTheFirstStep(t *testing.T) {
	e := startSandbox(t, sandbox.Options{})
	tid, access := e.customer(t, "Lamna Healthcare")
	c := e.client(tid, graph.Options{})
	check := authmethods.Precheck(context.Background(), c, "Lamna Healthcare", access)
	if check.OK() || check.Licence != authmethods.NoP1 || !strings.HasPrefix(check.Stops[0], "Lamna Healthcare has no Microsoft Entra ID P1 licence.") {
		t.Fatalf("pre-check: %+v", check)
	}
	// Reading anyway gets Microsoft's refusal, told as the same reason.
	if _, err := authmethods.Read(context.Background(), c, nil); !errors.Is(err, authmethods.ErrNoP1) {
		t.Fatalf("read without P1: %v", err)
	}
}

// TestMissingRolesPointToGDAP: in Alpine Ski House every role is bound to a group the technician
// is not in; in Wingtip Toys the only relationship expired.
func TestMissingRolesPointToGDAP(t *testing.T) {
	e := startSandbox(t, sandbox.Options{})
	for _, tc := range []struct{ name, want string }{
		{"Alpine Ski House", "has no role that can read the sign-in methods report. Add Reports Reader"},
		{"Wingtip Toys", "You have no active GDAP relationship with Wingtip Toys"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tid, access := e.customer(t, tc.name)
			check := authmethods.Precheck(context.Background(), e.client(tid, graph.Options{}), tc.name, access)
			if check.OK() || !check.NeedsGDAP || !strings.Contains(strings.Join(check.Stops, " "), tc.want) {
				t.Fatalf("pre-check: %+v", check)
			}
			if tc.name == "Alpine Ski House" && !strings.Contains(strings.Join(check.Stops, " "), "Add Authentication Administrator") {
				t.Errorf("the role that changes methods is missing too: %q", check.Stops)
			}
		})
	}
}

// TestStopLeavesTheRestUnchanged: a cancelled apply changes nobody it had not reached and says so.
func TestStopLeavesTheRestUnchanged(t *testing.T) {
	e := startSandbox(t, sandbox.Options{})
	tid, access := e.customer(t, "Proseware")
	c := e.client(tid, graph.Options{})
	regs, err := authmethods.Read(context.Background(), c, nil)
	if err != nil {
		t.Fatal(err)
	}
	found := authmethods.ClassifyAll(regs, access)
	chosen := map[string]bool{}
	for _, f := range found {
		chosen[f.User.ID] = f.Ticked
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, r := range authmethods.Apply(ctx, c, authmethods.Plan(found, chosen), nil) {
		if r.Done || r.Sentence != "Not changed: Onboard365 was stopped before it reached this user." {
			t.Errorf("%s: %+v", r.Change.UPN, r)
		}
	}
	regs, _ = authmethods.Read(context.Background(), c, nil)
	if n := authmethods.Count(authmethods.ClassifyAll(regs, access))[authmethods.Fixable]; n != 3 {
		t.Errorf("%d users still to fix after a stopped apply, want 3", n)
	}
}

// TestLargeTenant reads the 10,000-user customer and sorts every user.
func TestLargeTenant(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 10,000 users")
	}
	e := startSandbox(t, sandbox.Options{Scenario: sandbox.ScenarioLargeTenant})
	_, access := e.customer(t, "Fourth Coffee")
	regs, err := authmethods.Read(context.Background(), e.client(sandbox.LargeTenantDomain, graph.Options{}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != sandbox.LargeTenantUsers+2 {
		t.Fatalf("%d users, want %d", len(regs), sandbox.LargeTenantUsers+2)
	}
	n := authmethods.Count(authmethods.ClassifyAll(regs, access))
	// Out of every 20 generated users: 3 fixable, 1 system-preferred, 1 without Authenticator,
	// 1 without any method, 1 guest, 13 fine (and the tenant's admin and reception are fine).
	want := map[authmethods.Category]int{authmethods.Fixable: 1500, authmethods.SystemPreferred: 500, authmethods.NoAuthenticator: 500,
		authmethods.NoMethods: 500, authmethods.Guest: 500, authmethods.Fine: 6502}
	for cat, w := range want {
		if n[cat] != w {
			t.Errorf("%s: %d, want %d", cat, n[cat], w)
		}
	}
}
