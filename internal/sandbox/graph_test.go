package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// testClient calls a started sandbox with tokens minted by the sandbox's own key, so that Graph
// and Partner Center can be tested without going through a sign-in.
type testClient struct {
	t    *testing.T
	s    *Server
	http *http.Client
}

func newTestClient(t *testing.T, opts Options) *testClient {
	t.Helper()
	s, err := Start(opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	hc, err := s.Cloud().HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	return &testClient{t: t, s: s, http: hc}
}

// token mints an access token for a user (upn) acting in a tenant.
func (c *testClient) token(tenantID, upn, aud, scp string, mfa bool) string {
	c.t.Helper()
	amr := []string{"pwd"}
	if mfa {
		amr = append(amr, "mfa")
	}
	now := time.Now()
	tok, err := c.s.keys.sign(claims{Aud: aud, Iss: "https://sts.windows.net/" + tenantID + "/", Iat: now.Unix(), Nbf: now.Unix(),
		Exp: now.Add(time.Hour).Unix(), Amr: amr, AppID: AppID, Scp: scp, Tid: tenantID, Upn: upn, Ver: "1.0"})
	if err != nil {
		c.t.Fatal(err)
	}
	return tok
}

func (c *testClient) partnerToken(scp string) string {
	return c.token(c.s.world.partner.id, "alex@contosopartners.onmicrosoft.com", audGraph, scp, true)
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer is not JSON (%d): %s", a.status, a.body)
	}
	return m
}

func (c *testClient) do(method, url, token string, body any, headers ...string) answer {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	if strings.HasPrefix(url, "/") {
		url = c.s.base + url
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		c.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return answer{resp.StatusCode, resp.Header, b}
}

const gdapScope = "DelegatedAdminRelationship.ReadWrite.All User.Read GroupMember.Read.All Group.ReadWrite.All"

func TestRelationshipsPageWithNextLink(t *testing.T) {
	c := newTestClient(t, Options{})
	tok := c.partnerToken(gdapScope)
	url := "/graph/v1.0/tenantRelationships/delegatedAdminRelationships?$top=5"
	var ids []string
	pages := 0
	for url != "" {
		a := c.do("GET", url, tok, nil)
		if a.status != 200 {
			t.Fatalf("page %d: %d %s", pages+1, a.status, a.body)
		}
		m := a.json(t)
		for _, v := range m["value"].([]any) {
			ids = append(ids, v.(map[string]any)["id"].(string))
		}
		url, _ = m["@odata.nextLink"].(string)
		pages++
	}
	want := len(c.s.world.relationships)
	if len(ids) != want || pages != (want+4)/5 {
		t.Fatalf("%d relationships in %d pages, want %d in %d", len(ids), pages, want, (want+4)/5)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("relationship %s listed twice", id)
		}
		seen[id] = true
	}
}

func TestRelationshipsFilterAndSelect(t *testing.T) {
	c := newTestClient(t, Options{})
	tok := c.partnerToken(gdapScope)
	a := c.do("GET", "/graph/v1.0/tenantRelationships/delegatedAdminRelationships?$filter=status%20eq%20'approvalPending'&$select=displayName,status", tok, nil)
	if a.status != 200 {
		t.Fatalf("%d %s", a.status, a.body)
	}
	vals := a.json(t)["value"].([]any)
	if len(vals) != 1 {
		t.Fatalf("%d pending relationships, want 1 (Trey Research)", len(vals))
	}
	item := vals[0].(map[string]any)
	if !strings.Contains(item["displayName"].(string), "Trey Research") || item["customer"] != nil {
		t.Errorf("$select not honoured or wrong item: %v", item)
	}
	bad := c.do("GET", "/graph/v1.0/tenantRelationships/delegatedAdminRelationships?$filter=startswith(displayName,'A')", tok, nil)
	if bad.status != 400 || !strings.Contains(string(bad.body), "Request_UnsupportedQuery") {
		t.Errorf("unsupported filter: %d %s", bad.status, bad.body)
	}
}

func TestGraphRefusesWhatGraphRefuses(t *testing.T) {
	c := newTestClient(t, Options{})
	fabrikam := c.s.world.tenant("fabrikam.onmicrosoft.com")
	path := "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"
	tests := []struct {
		name   string
		token  string
		status int
		code   string
	}{
		{"no token", "", 401, "InvalidAuthenticationToken"},
		{"garbage token", "abc.def.ghi", 401, "InvalidAuthenticationToken"},
		{"partner center token", c.token(c.s.world.partner.id, "alex@contosopartners.onmicrosoft.com", audPartnerCenter, "user_impersonation", true), 401, "InvalidAuthenticationToken"},
		{"missing permission", c.partnerToken("User.Read"), 403, "Authorization_RequestDenied"},
		{"customer tenant", c.token(fabrikam.id, "alex@contosopartners.onmicrosoft.com", audGraph, gdapScope, true), 403, "Authorization_RequestDenied"},
		{"allowed", c.partnerToken("DelegatedAdminRelationship.Read.All"), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := c.do("GET", path, tt.token, nil)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if tt.code == "" {
				return
			}
			e := a.json(t)["error"].(map[string]any)
			if e["code"] != tt.code || a.header.Get("request-id") == "" {
				t.Errorf("error %v, request-id %q", e, a.header.Get("request-id"))
			}
		})
	}
}

func TestCreateRelationshipAndLockForApproval(t *testing.T) {
	c := newTestClient(t, Options{})
	tok := c.partnerToken(gdapScope)
	northwind := c.s.world.tenant("northwindtraders.onmicrosoft.com")
	base := "/graph/v1.0/tenantRelationships/delegatedAdminRelationships"
	body := map[string]any{
		"displayName": "Onboard365 - Northwind Traders", "duration": "P730D", "autoExtendDuration": "P180D",
		"customer":      map[string]any{"tenantId": northwind.id},
		"accessDetails": map[string]any{"unifiedRoles": []any{map[string]any{"roleDefinitionId": roleTeamsAdmin}, map[string]any{"roleDefinitionId": roleReportsReader}}},
	}
	a := c.do("POST", base, tok, body)
	if a.status != 201 {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	created := a.json(t)
	if created["status"] != "created" || created["customer"].(map[string]any)["displayName"] != "Northwind Traders" {
		t.Fatalf("created = %v", created)
	}
	id := created["id"].(string)
	if dup := c.do("POST", base, tok, body); dup.status != 409 {
		t.Errorf("a second relationship with the same name: %d", dup.status)
	}
	lock := c.do("POST", base+"/"+id+"/requests", tok, map[string]any{"action": "lockForApproval"})
	if lock.status != 201 {
		t.Fatalf("lockForApproval: %d %s", lock.status, lock.body)
	}
	got := c.do("GET", base+"/"+id, tok, nil).json(t)
	if got["status"] != "approvalPending" {
		t.Errorf("after lockForApproval the status is %v", got["status"])
	}

	body["displayName"] = "With Global Administrator"
	body["accessDetails"] = map[string]any{"unifiedRoles": []any{map[string]any{"roleDefinitionId": roleGlobalAdmin}}}
	if ga := c.do("POST", base, tok, body); ga.status != 400 || !strings.Contains(string(ga.body), "Global Administrator") {
		t.Errorf("Global Administrator with auto-extend: %d %s", ga.status, ga.body)
	}
}

func TestAccessAssignmentFixIsSeenOnReread(t *testing.T) {
	c := newTestClient(t, Options{})
	tok := c.partnerToken(gdapScope)
	tailspin := c.s.world.tenant("tailspintoys.onmicrosoft.com")
	var rel *relationship
	for _, r := range c.s.world.relationships {
		if r.customerID == tailspin.id {
			rel = r
		}
	}
	base := "/graph/v1.0/tenantRelationships/delegatedAdminRelationships/" + rel.id + "/accessAssignments"
	list := c.do("GET", base, tok, nil).json(t)["value"].([]any)
	first := list[0].(map[string]any)
	aid, tag := first["id"].(string), first["@odata.etag"].(string)

	roles := []any{}
	for _, r := range rel.roles {
		if r != roleAppAdmin && r != roleUserAdmin {
			roles = append(roles, map[string]any{"roleDefinitionId": r})
		}
	}
	patch := map[string]any{"accessDetails": map[string]any{"unifiedRoles": roles}}
	if a := c.do("PATCH", base+"/"+aid, tok, patch); a.status != 400 {
		t.Errorf("PATCH without If-Match: %d", a.status)
	}
	if a := c.do("PATCH", base+"/"+aid, tok, patch, "If-Match", `W/"stale"`); a.status != 412 {
		t.Errorf("PATCH with a stale ETag: %d", a.status)
	}
	a := c.do("PATCH", base+"/"+aid, tok, patch, "If-Match", tag)
	if a.status != 202 || a.header.Get("Location") == "" || a.header.Get("Retry-After") == "" {
		t.Fatalf("PATCH: %d %s", a.status, a.body)
	}
	// The change is made by a long-running operation: the assignment is unchanged until it ends.
	if before := c.do("GET", base+"/"+aid, tok, nil).json(t); len(before["accessDetails"].(map[string]any)["unifiedRoles"].([]any)) == len(roles) {
		t.Error("the assignment changed before its operation ended")
	}
	op := c.do("GET", strings.TrimPrefix(a.header.Get("Location"), c.s.base), tok, nil).json(t)
	if op["status"] != "succeeded" || op["operationType"] != "delegatedAdminAccessAssignmentUpdate" {
		t.Errorf("the operation: %v", op)
	}
	again := c.do("GET", base+"/"+aid, tok, nil).json(t)
	if n := len(again["accessDetails"].(map[string]any)["unifiedRoles"].([]any)); n != len(roles) {
		t.Errorf("after the fix the assignment has %d roles, want %d", n, len(roles))
	}

	notGranted := map[string]any{
		"accessContainer": map[string]any{"accessContainerId": c.s.world.partner.groups[1].id, "accessContainerType": "securityGroup"},
		"accessDetails":   map[string]any{"unifiedRoles": []any{map[string]any{"roleDefinitionId": roleGlobalAdmin}}},
	}
	if a := c.do("POST", base, tok, notGranted); a.status != 400 {
		t.Errorf("assigning a role the relationship lacks: %d %s", a.status, a.body)
	}
}

func TestBatch(t *testing.T) {
	c := newTestClient(t, Options{})
	tok := c.partnerToken(gdapScope)
	rel := c.s.world.relationships[0]
	reqs := []any{
		map[string]any{"id": "1", "method": "GET", "url": "/tenantRelationships/delegatedAdminRelationships/" + rel.id + "/accessAssignments"},
		map[string]any{"id": "2", "method": "GET", "url": "/tenantRelationships/delegatedAdminRelationships/no-such-id"},
		map[string]any{"id": "3", "method": "GET", "url": "/me", "dependsOn": []any{"2"}},
		map[string]any{"id": "4", "method": "GET", "url": "/me"},
	}
	a := c.do("POST", "/graph/v1.0/$batch", tok, map[string]any{"requests": reqs})
	if a.status != 200 {
		t.Fatalf("batch: %d %s", a.status, a.body)
	}
	got := map[string]float64{}
	for _, r := range a.json(t)["responses"].([]any) {
		m := r.(map[string]any)
		got[m["id"].(string)] = m["status"].(float64)
	}
	want := map[string]float64{"1": 200, "2": 404, "3": 424, "4": 200}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("item %s: status %v, want %v", id, got[id], st)
		}
	}
	var many []any
	for i := 0; i < 21; i++ {
		many = append(many, map[string]any{"id": strings.Repeat("x", i+1), "method": "GET", "url": "/me"})
	}
	if a := c.do("POST", "/graph/v1.0/$batch", tok, map[string]any{"requests": many}); a.status != 400 {
		t.Errorf("a batch of 21: %d", a.status)
	}
}

func TestFaults(t *testing.T) {
	path := "/graph/v1.0/me"
	t.Run("throttled", func(t *testing.T) {
		c := newTestClient(t, Options{Faults: Faults{RateLimited: 1, RetryAfter: 3 * time.Second}})
		a := c.do("GET", path, c.partnerToken("User.Read"), nil)
		if a.status != 429 || a.header.Get("Retry-After") != "3" {
			t.Fatalf("%d Retry-After %q", a.status, a.header.Get("Retry-After"))
		}
	})
	t.Run("malformed", func(t *testing.T) {
		c := newTestClient(t, Options{Faults: Faults{Malformed: 1}})
		a := c.do("GET", path, c.partnerToken("User.Read"), nil)
		if a.status != 200 || json.Valid(a.body) {
			t.Fatalf("want a 200 with a cut-off body, got %d %s", a.status, a.body)
		}
	})
	t.Run("dropped", func(t *testing.T) {
		c := newTestClient(t, Options{Faults: Faults{Dropped: 1}})
		req, _ := http.NewRequest("GET", c.s.base+path, nil)
		if resp, err := c.http.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("a dropped request was answered %d", resp.StatusCode)
		}
	})
	t.Run("latency", func(t *testing.T) {
		c := newTestClient(t, Options{Faults: Faults{Latency: 150 * time.Millisecond}})
		start := time.Now()
		c.do("GET", path, c.partnerToken("User.Read"), nil)
		if d := time.Since(start); d < 150*time.Millisecond {
			t.Fatalf("answered in %v despite 150 ms latency", d)
		}
	})
	t.Run("sign-in is not throttled", func(t *testing.T) {
		c := newTestClient(t, Options{Faults: Faults{RateLimited: 1}})
		a := c.do("GET", "/organizations/v2.0/.well-known/openid-configuration", "", nil)
		if a.status != 200 {
			t.Fatalf("%d", a.status)
		}
	})
}

func TestTraceWritesTemplates(t *testing.T) {
	var buf bytes.Buffer
	c := newTestClient(t, Options{Trace: &buf})
	tok := c.partnerToken(gdapScope)
	rel := c.s.world.relationships[0]
	c.do("GET", "/graph/v1.0/tenantRelationships/delegatedAdminRelationships/"+rel.id+"/accessAssignments", tok, nil)
	c.do("POST", "/graph/v1.0/$batch", tok, map[string]any{"requests": []any{map[string]any{"id": "1", "method": "GET", "url": "/me"}}})
	c.s.Close()
	var entries []TraceEntry
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var e TraceEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("trace line %q: %v", line, err)
		}
		entries = append(entries, e)
	}
	want := []struct {
		path    string
		inBatch bool
	}{
		{"/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments", false},
		{"/v1.0/me", true},
		{"/v1.0/$batch", false},
	}
	if len(entries) != len(want) {
		t.Fatalf("%d trace lines, want %d: %s", len(entries), len(want), buf.String())
	}
	for i, w := range want {
		if entries[i].Path != w.path || entries[i].InBatch != w.inBatch || entries[i].Host != "graph" || entries[i].Status != 200 {
			t.Errorf("line %d = %+v, want path %s inBatch %v", i, entries[i], w.path, w.inBatch)
		}
	}
}

func TestDirectoryAndGDAPRoles(t *testing.T) {
	c := newTestClient(t, Options{})
	alex := "alex@contosopartners.onmicrosoft.com"
	groups := c.do("GET", "/graph/v1.0/me/transitiveMemberOf", c.partnerToken("GroupMember.Read.All"), nil)
	names := string(groups.body)
	for _, g := range []string{"AdminAgents", "GDAP - Application Administrator", "GDAP - User Administrator"} {
		if !strings.Contains(names, g) {
			t.Errorf("alex's groups lack %q (nested membership counts): %s", g, names)
		}
	}
	for _, tt := range []struct {
		domain string
		status int
	}{{"fabrikam.onmicrosoft.com", 200}, {"wingtiptoys.onmicrosoft.com", 403}, {"alpineskihouse.onmicrosoft.com", 403}} {
		customer := c.s.world.tenant(tt.domain)
		a := c.do("GET", "/graph/v1.0/subscribedSkus", c.token(customer.id, alex, audGraph, "Organization.Read.All", true), nil)
		if a.status != tt.status {
			t.Errorf("%s: reading licences through GDAP answered %d, want %d: %s", tt.domain, a.status, tt.status, a.body)
		}
	}
}

func TestPartnerCenter(t *testing.T) {
	c := newTestClient(t, Options{})
	partner := c.s.world.partner.id
	alex := "alex@contosopartners.onmicrosoft.com"
	withMFA := c.token(partner, alex, audPartnerCenter, "user_impersonation", true)
	withoutMFA := c.token(partner, alex, audPartnerCenter, "user_impersonation", false)

	if a := c.do("GET", "/partnercenter/v1/profiles/organization", withMFA, nil); a.status != 200 || a.json(t)["companyName"] != "Contoso Partners" {
		t.Fatalf("profile with MFA: %d %s", a.status, a.body)
	}
	a := c.do("GET", "/partnercenter/v1/profiles/organization", withoutMFA, nil)
	if a.status != 401 || a.json(t)["code"] != "900421" {
		t.Fatalf("profile without MFA: %d %s", a.status, a.body)
	}

	var names []string
	next, cont := "/partnercenter/v1/customers?size=5", ""
	for next != "" {
		a := c.do("GET", next, withMFA, nil, "MS-ContinuationToken", cont)
		if a.status != 200 {
			t.Fatalf("customers: %d %s", a.status, a.body)
		}
		var page struct {
			Items []struct {
				CompanyProfile struct{ CompanyName string } `json:"companyProfile"`
			} `json:"items"`
			Links struct {
				Next struct {
					URI     string `json:"uri"`
					Headers []struct{ Key, Value string }
				} `json:"next"`
			} `json:"links"`
		}
		json.Unmarshal(a.body, &page)
		for _, it := range page.Items {
			names = append(names, it.CompanyProfile.CompanyName)
		}
		next, cont = "", ""
		if page.Links.Next.URI != "" {
			next = "/partnercenter/v1" + page.Links.Next.URI
			cont = page.Links.Next.Headers[0].Value
		}
	}
	if len(names) != 12 || names[0] != "Fabrikam" || names[11] != "Alpine Ski House" {
		t.Fatalf("customers = %v", names)
	}

	relecloud := c.s.world.tenant("relecloud.onmicrosoft.com")
	consent := map[string]any{"applicationId": AppID, "applicationGrants": []any{map[string]any{
		"enterpriseApplicationId": graphAppID, "scope": "Directory.Read.All"}}}
	path := "/partnercenter/v1/customers/" + relecloud.id + "/applicationconsents"
	if a := c.do("POST", path, withMFA, consent); a.status != 201 {
		t.Fatalf("consent: %d %s", a.status, a.body)
	}
	if a := c.do("POST", path, withMFA, consent); a.status != 409 {
		t.Errorf("second consent: %d", a.status)
	}
	wingtip := c.s.world.tenant("wingtiptoys.onmicrosoft.com")
	if a := c.do("POST", "/partnercenter/v1/customers/"+wingtip.id+"/applicationconsents", withMFA, consent); a.status != 403 {
		t.Errorf("consent without an active relationship: %d %s", a.status, a.body)
	}
}
