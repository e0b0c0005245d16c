package sandbox

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/reference/learn"
)

// TestEveryRouteHasAPage holds the sandbox's Graph and Partner Center routes to Microsoft's pages
// (internal/reference/learn): every route serves a request a page documents, and every request
// of the pages is served.
func TestEveryRouteHasAPage(t *testing.T) {
	c := newTestClient(t, Options{})
	served := map[string]bool{}
	for _, p := range c.s.patterns {
		method, path, _ := strings.Cut(p, " ")
		service := learn.Graph
		if strings.HasPrefix(path, "/v1/") {
			service = learn.PartnerCenter
		}
		templates := []string{templateOr(p, path)}
		if strings.HasSuffix(path, "/{keySegment}") { // one route serves both alternate keys
			templates = []string{"/v1.0/applications(appId={id})", "/v1.0/servicePrincipals(appId={id})"}
		}
		for _, tmpl := range templates {
			if _, ok := c.s.pages.Get(service, method, tmpl); !ok {
				t.Errorf("the route %q serves %s %s, which no page documents", p, method, tmpl)
			}
			served[service+" "+method+" "+tmpl] = true
		}
	}
	for _, r := range c.s.pages.Requests {
		if !served[r.Service+" "+r.Method+" "+r.Path] {
			t.Errorf("%s (%s) has a page but the sandbox does not serve it", r.Key(), r.Service)
		}
	}
	if len(served) < 50 {
		t.Fatalf("only %d routes", len(served))
	}
}

// concretePath fills a template with ids: any id passes the checks the test is about, which
// come before the handler looks the object up.
func concretePath(tmpl string) string {
	p := strings.ReplaceAll(tmpl, "(appId={id})", "(appId='"+graphAppID+"')")
	return strings.ReplaceAll(p, "{id}", "5d027261-d21f-4aa9-b7db-7fa1f56fb163")
}

// TestSandboxRefusesWhatThePagesRefuse is table-driven over every request of the pages: with
// the permissions of the page's least-privileged alternative, the sandbox lets it through to its
// handler; with any one of them removed (and no other alternative met) it refuses with 403, as
// Graph does; a user who holds none of the page's roles is refused too, and so is a query option
// the page does not support (400, Graph's error shape).
func TestSandboxRefusesWhatThePagesRefuse(t *testing.T) {
	c := newTestClient(t, Options{})
	partner := c.s.world.partner.id
	const alex, megan = "alex@contosopartners.onmicrosoft.com", "megan@contosopartners.onmicrosoft.com"
	n := 0
	for _, r := range c.s.pages.Requests {
		if len(r.Delegated) == 0 {
			continue // $batch: each request inside needs its own permission
		}
		t.Run(r.Key(), func(t *testing.T) {
			aud, prefix, denied := audGraph, "/graph", "Authorization_RequestDenied"
			if r.Service == learn.PartnerCenter {
				aud, prefix, denied = audPartnerCenter, "/partnercenter", "403"
			}
			var body any
			if r.Method != "GET" {
				body = map[string]any{}
			}
			path := prefix + concretePath(r.Path)
			call := func(upn string, scopes []string, query string) answer {
				return c.do(r.Method, path+query, c.token(partner, upn, aud, strings.Join(scopes, " "), true), body, "If-Match", "*")
			}
			refused := func(a answer) bool {
				return a.status == 403 && strings.Contains(string(a.body), denied)
			}
			least := r.Delegated[0]
			if a := call(alex, least, ""); refused(a) {
				t.Errorf("with %v: refused: %s", least, a.body)
			}
			for i := range least {
				fewer := slices.Delete(slices.Clone(least), i, i+1)
				if learn.Satisfied(r.Delegated, fewer) {
					continue
				}
				if a := call(alex, fewer, ""); !refused(a) {
					t.Errorf("without %s: %d %s, want 403", least[i], a.status, a.body)
				}
			}
			if len(r.Roles) > 0 && !slices.Contains(r.Roles, learn.Member) {
				if a := call(megan, least, ""); !refused(a) {
					t.Errorf("a user with none of the roles %v: %d %s, want 403", r.Roles, a.status, a.body)
				}
			}
			if r.Service == learn.Graph && r.Method == "GET" && !r.AnyQuery {
				for _, opt := range []string{"$expand", "$search", "$orderby", "$top", "$select"} {
					if r.SupportsQuery(opt) {
						continue
					}
					if a := call(alex, least, "?"+url.QueryEscape(opt)+"=x"); a.status != 400 || !strings.Contains(string(a.body), `"BadRequest"`) {
						t.Errorf("with %s, which the page does not support: %d %s, want 400", opt, a.status, a.body)
					}
					break
				}
			}
		})
		n++
	}
	if n < 45 {
		t.Fatalf("only %d requests were tried", n)
	}
}

// TestGDAPRolesInCustomers: in a customer, the technician holds only what GDAP gives there, and
// the page's roles decide (Tailspin Toys binds no group to Security Reader or Reports Reader,
// Alpine Ski House binds every role to a group the technician is not in).
func TestGDAPRolesInCustomers(t *testing.T) {
	c := newTestClient(t, Options{})
	const alex = "alex@contosopartners.onmicrosoft.com"
	tests := []struct {
		customer, path, scopes string
		want                   int
	}{
		// Global Reader is held through AdminAgents in every standard relationship.
		{"fabrikam.onmicrosoft.com", "/graph/v1.0/reports/authenticationMethods/userRegistrationDetails", "AuditLog.Read.All", 200},
		{"alpineskihouse.onmicrosoft.com", "/graph/v1.0/reports/authenticationMethods/userRegistrationDetails", "AuditLog.Read.All", 403},
		{"fabrikam.onmicrosoft.com", "/graph/v1.0/identity/conditionalAccess/policies/x", "Policy.Read.All", 404},
		{"alpineskihouse.onmicrosoft.com", "/graph/v1.0/identity/conditionalAccess/policies/x", "Policy.Read.All", 403},
	}
	for _, tt := range tests {
		tenant := c.s.world.tenant(tt.customer)
		a := c.do("GET", tt.path, c.token(tenant.id, alex, audGraph, tt.scopes, true), nil)
		if a.status != tt.want {
			t.Errorf("%s %s: %d, want %d: %s", tt.customer, tt.path, a.status, tt.want, a.body)
		}
	}
}
