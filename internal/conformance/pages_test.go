package conformance

import (
	"slices"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// TestEveryRequestFollowsItsPage runs every request the app's wizards make against the sandbox,
// lists them from its trace (method, path template, query options) and holds each to Microsoft's
// page of it (internal/reference/learn): the request has a page and a row in the permission
// table; the permissions the app registration asks for where it is made (the partner's admin
// consent, Partner Center's consent in customers, the administrator's sign-in) meet one of the
// page's alternatives; every query option is one the page supports; and a success status is one
// the page documents. A request without a page fails here.
func TestEveryRequestFollowsItsPage(t *testing.T) {
	pages, err := learn.Load()
	if err != nil {
		t.Fatal(err)
	}
	n, err := permissions.Derive(pages, permissions.Choice{AdminAgents: true, Integrations: []string{"MSP Process Authenticator"}, WebRedirects: []string{"https://app.mspprocess.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	partner, customers := names(n.Partner), names(n.Customers)
	h := start(t, sandbox.Options{})
	exercise(t, h)
	exerciseAppRegistration(t, h, pages)

	seen := map[string]bool{}
	for _, e := range h.trace.entries(t) {
		service := learn.Graph
		switch e.Host {
		case "graph":
		case "partnercenter":
			service = learn.PartnerCenter
		default:
			continue // signing in needs no permission
		}
		key := e.Host + " " + e.Method + " " + e.Path + " ?" + strings.Join(e.Query, "&")
		if seen[key] {
			continue
		}
		seen[key] = true
		page, ok := pages.Find(service, e.Method, e.RawPath)
		if !ok {
			t.Errorf("%s %s (sent as %s) has no page in internal/reference/learn: add it to shared/reference/learn and the reader's index", e.Method, e.Path, e.RawPath)
			continue
		}
		row, ok := permissions.Match(permissionsService(service), e.Method, e.RawPath)
		if !ok {
			t.Errorf("%s %s is not in the permission table", e.Method, e.Path)
			continue
		}
		switch {
		case service == learn.PartnerCenter:
			check(t, page, "Partner Center's permission", names(n.PartnerCenter))
		case row.Client == permissions.Admin:
			check(t, page, "the administrator's sign-in", n.Admin)
		default:
			if row.Where&permissions.Partner != 0 {
				check(t, page, "the partner's admin consent", partner)
			}
			if row.Where&permissions.Customers != 0 {
				check(t, page, "the customers' consent", customers)
			}
		}
		for _, q := range e.Query {
			if !strings.EqualFold(q, "$skiptoken") && !page.SupportsQuery(q) {
				t.Errorf("%s %s sends %s, which its page does not support (%v)", e.Method, e.Path, q, page.Query)
			}
		}
		if e.Status >= 200 && e.Status < 300 && !slices.Contains(page.Status, e.Status) {
			t.Errorf("%s %s answered %d, which its page does not document (%v)", e.Method, e.Path, e.Status, page.Status)
		}
	}
	if len(seen) < 50 {
		t.Fatalf("only %d distinct requests were traced: %v", len(seen), seen)
	}
	t.Logf("%d distinct requests (with their query options), every one held to its page", len(seen))
}

func check(t *testing.T, page learn.Request, where string, have []string) {
	t.Helper()
	if !learn.Satisfied(page.Delegated, have) {
		t.Errorf("%s: %s (%v) meets none of the page's alternatives %v", page.Key(), where, have, page.Delegated)
	}
}

func permissionsService(s string) permissions.Service {
	if s == learn.PartnerCenter {
		return permissions.PartnerCenter
	}
	return permissions.Graph
}

func names(ps []permissions.Permission) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

// TestScenarioConsentIsWhatTheAppAsks holds the consent the sandbox's scenarios record for the
// app (".default" gives it) to what the app registration asks for, so that the sandbox's data
// cannot drift from the app's permission table unseen: change internal/sandbox/scenario_consent.go
// when this fails.
func TestScenarioConsentIsWhatTheAppAsks(t *testing.T) {
	pages, err := learn.Load()
	if err != nil {
		t.Fatal(err)
	}
	n, err := permissions.Derive(pages, permissions.Choice{})
	if err != nil {
		t.Fatal(err)
	}
	partner, customers := sandbox.ScenarioConsent()
	if want := names(n.Partner); !sameSet(partner, want) {
		t.Errorf("the scenarios' partner consent is %v; the app registration asks for %v", partner, want)
	}
	if want := names(n.Customers); !sameSet(customers, want) {
		t.Errorf("the scenarios' customer consent is %v; the app registration asks for %v", customers, want)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.ContainsFunc(b, func(y string) bool { return strings.EqualFold(x, y) }) {
			return false
		}
	}
	return true
}
