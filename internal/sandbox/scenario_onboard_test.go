package sandbox

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// request creates a relationship (naming customer when not "") and locks it for approval,
// through Graph as the app does; it returns its id.
func (c *testClient) request(t *testing.T, name, customer string) string {
	t.Helper()
	tok := c.partnerToken(gdapScope)
	body := map[string]any{"displayName": name, "duration": "P730D", "autoExtendDuration": "P180D",
		"accessDetails": map[string]any{"unifiedRoles": []any{map[string]any{"roleDefinitionId": roleUserAdmin}}}}
	if customer != "" {
		body["customer"] = map[string]any{"tenantId": customer}
	}
	a := c.do("POST", "/graph"+relationshipsPath, tok, body)
	if a.status != 201 {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	id := a.json(t)["id"].(string)
	if a := c.do("POST", "/graph"+relationshipsPath+"/"+id+"/requests", tok, map[string]any{"action": "lockForApproval"}); a.status != 201 {
		t.Fatalf("lock: %d %s", a.status, a.body)
	}
	return id
}

// status reads a relationship's status, its customer and whether it has an activation date.
func (c *testClient) status(t *testing.T, id string) (status, customer string, activated bool) {
	t.Helper()
	m := c.do("GET", "/graph"+relationshipsPath+"/"+id, c.partnerToken(gdapScope), nil).json(t)
	return m["status"].(string), m["customer"].(map[string]any)["tenantId"].(string), m["activatedDateTime"] != ""
}

func approvalLink(id string) string {
	return "https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/" + id
}

// relationshipToPartner is how Partner Center lists a tenant, or "" when it is not listed.
func (c *testClient) relationshipToPartner(t *testing.T, domain string) string {
	t.Helper()
	a := c.do("GET", "/partnercenter/v1/customers", c.token(c.s.world.partner.id, "alex@contosopartners.onmicrosoft.com", audPartnerCenter, "user_impersonation", true), nil)
	for _, it := range a.json(t)["items"].([]any) {
		m := it.(map[string]any)
		if m["companyProfile"].(map[string]any)["domain"] == domain {
			return m["relationshipToPartner"].(string)
		}
	}
	return ""
}

func TestProspectApprovesARequestThatNamesNobody(t *testing.T) {
	c := newTestClient(t, Options{})
	id := c.request(t, "Onboarding Fourth Coffee", "")
	if s, cust, _ := c.status(t, id); s != "approvalPending" || cust != "" {
		t.Fatalf("locked: %s for %q", s, cust)
	}
	if c.relationshipToPartner(t, ProspectDomain) != "" {
		t.Fatal("a prospect is in the customer list before it approved anything")
	}
	if err := c.s.OpenAsCustomer(ProspectDomain, approvalLink(id)); err != nil {
		t.Fatal(err)
	}
	fourth := c.s.world.tenant(ProspectDomain).id
	for i, want := range []string{"activating", "active"} {
		s, cust, activated := c.status(t, id)
		if s != want || cust != fourth || activated != (i == 1) {
			t.Errorf("read %d: %s for %q (activated %v), want %s for Fourth Coffee", i+1, s, cust, activated, want)
		}
	}
	if got := c.relationshipToPartner(t, ProspectDomain); got != "none" {
		t.Errorf("after approving the GDAP request Fourth Coffee is listed as %q", got)
	}
	rr := c.do("GET", "/partnercenter/v1/customers/relationshiprequests", c.token(c.s.world.partner.id, "alex@contosopartners.onmicrosoft.com", audPartnerCenter, "user_impersonation", true), nil)
	url, _ := rr.json(t)["url"].(string)
	if !strings.Contains(url, "invType=ResellerRelationship&partnerId="+c.s.world.partner.id) {
		t.Fatalf("reseller link %q", url)
	}
	if err := c.s.OpenAsCustomer(ProspectDomain, url); err != nil {
		t.Fatal(err)
	}
	if got := c.relationshipToPartner(t, ProspectDomain); got != "reseller" {
		t.Errorf("after accepting the reseller invitation Fourth Coffee is listed as %q", got)
	}
}

func TestCustomersAnswerAsTheScenarioSays(t *testing.T) {
	c := newTestClient(t, Options{})
	declined := c.request(t, "Onboarding Margie's Travel", "")
	if err := c.s.OpenAsCustomer(ProspectDeclinesDomain, approvalLink(declined)); err != nil {
		t.Fatal(err)
	}
	if s, _, activated := c.status(t, declined); s != "terminated" || activated {
		t.Errorf("declined: %s (activated %v)", s, activated)
	}
	silent := c.request(t, "Onboarding Coho Winery", "")
	if err := c.s.OpenAsCustomer(ProspectSilentDomain, approvalLink(silent)); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := c.status(t, silent); s != "approvalPending" {
		t.Errorf("never answers: %s", s)
	}
	// The window's button approves whatever the scenario says.
	if err := c.s.ApproveAsCustomer(ProspectSilentDomain, approvalLink(silent)); err != nil {
		t.Fatal(err)
	}
	if s, _, _ := c.status(t, silent); s != "activating" {
		t.Errorf("approved by the button: %s", s)
	}
	// A request for one customer cannot be approved by another.
	northwind := c.s.world.tenant("northwindtraders.onmicrosoft.com").id
	named := c.request(t, "Northwind again", northwind)
	if err := c.s.ApproveAsCustomer(ProspectDomain, approvalLink(named)); err == nil || !strings.Contains(err.Error(), "another organization") {
		t.Errorf("Fourth Coffee approved Northwind's request: %v", err)
	}
	for _, bad := range []string{"https://admin.microsoft.com/AdminPortal/Home", "not a link", "https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=someone-else"} {
		if err := c.s.OpenAsCustomer(ProspectDomain, bad); err == nil {
			t.Errorf("%q was opened", bad)
		}
	}
	if err := c.s.OpenAsCustomer("nobody.onmicrosoft.com", approvalLink(named)); err == nil {
		t.Error("an organization the sandbox does not have answered")
	}
}

func TestANamedCustomerAnswersAfterTheDelay(t *testing.T) {
	c := newTestClient(t, Options{ApprovalDelay: 50 * time.Millisecond})
	northwind := c.s.world.tenant("northwindtraders.onmicrosoft.com").id
	id := c.request(t, "Northwind - more roles", northwind)
	if s, _, _ := c.status(t, id); s != "approvalPending" {
		t.Fatalf("at once: %s", s)
	}
	time.Sleep(60 * time.Millisecond)
	if s, _, _ := c.status(t, id); s != "activating" {
		t.Errorf("after the delay: %s", s)
	}
	if s, _, _ := c.status(t, id); s != "active" {
		t.Errorf("then: %s", s)
	}
}

func TestARequestNobodyAnswersExpiresAfter90Days(t *testing.T) {
	var days atomic.Int64
	start := time.Now()
	c := newTestClient(t, Options{Now: func() time.Time { return start.Add(time.Duration(days.Load()) * 24 * time.Hour) }})
	id := c.request(t, "Onboarding Coho Winery", "")
	w := c.s.world
	r := w.relationshipByID(id)
	for _, tc := range []struct {
		day  int64
		want string
	}{{89, "approvalPending"}, {90, "expired"}} {
		days.Store(tc.day)
		w.mu.Lock()
		w.settleRelationship(r)
		got, activated := r.status, r.activated
		w.mu.Unlock()
		if got != tc.want || !activated.IsZero() {
			t.Errorf("day %d: %s (activated %v), want %s", tc.day, got, activated, tc.want)
		}
	}
}

func TestOptionsRefuseUnknownAnswers(t *testing.T) {
	for _, o := range []Options{{Answer: "maybe"}, {ApprovalDelay: -time.Second}} {
		if err := o.Validate(); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if err := (Options{Answer: AnswerDecline, ApprovalDelay: time.Second}).Validate(); err != nil {
		t.Error(err)
	}
}
