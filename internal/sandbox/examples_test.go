package sandbox

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/reference"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/reference/learn/learntest"
	"github.com/onboard365/onboard365/internal/reference/learn/reader"
)

// TestAnswersFollowTheExamples holds the sandbox's answers to the example answers on Microsoft's
// pages, field for field: every property an example item carries, the sandbox's item of the same
// type carries too, of the same JSON kind (an empty string where Microsoft sends one, an object
// where it sends an object, @odata.type on derived types), nested objects likewise. Examples of
// a request with $select or $expand are not the full shape and are left out; an example's null
// says nothing of the kind.
func TestAnswersFollowTheExamples(t *testing.T) {
	c := newTestClient(t, Options{})
	w := &walker{c: c, t: t}
	w.partner = c.s.world.partner.id
	var all []string
	for name := range c.s.pages.Delegated {
		all = append(all, name)
	}
	sort.Strings(all)
	w.graph = c.token(w.partner, "alex@contosopartners.onmicrosoft.com", audGraph, strings.Join(all, " "), true)
	w.pc = c.token(w.partner, "alex@contosopartners.onmicrosoft.com", audPartnerCenter, "user_impersonation", true)

	ref, err := reference.Load()
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, page := range sortedPages() {
		pe := learntest.Load(t, page)
		for _, req := range pe.Requests {
			method, tmpl, _ := strings.Cut(req, " ")
			examples := fullExamples(t, page, req)
			if len(examples) == 0 {
				continue
			}
			if strings.HasSuffix(tmpl, "/$batch") {
				examples = batchEnvelopes(examples)
			}
			t.Run(req, func(t *testing.T) {
				var got []map[string]any
				if method == "GET" {
					got = w.get(t, tmpl)
				} else {
					got = w.write(t, method, tmpl)
				}
				if len(got) == 0 {
					t.Fatalf("the sandbox answers no item to compare with the page's example")
				}
				shown, said := 0, map[string]bool{}
				for _, item := range got {
					ex := exampleFor(examples, item)
					if ex == nil {
						continue // a type the page shows no example of (a group among users)
					}
					shown++
					ex = inSchema(t, ref, c.s.pages, method, tmpl, ex)
					for _, d := range shapeDiff("", ex, item) {
						if !said[d] {
							said[d] = true
							t.Errorf("%s: %s", page, d)
						}
					}
				}
				if shown == 0 {
					t.Errorf("no item of the sandbox's answer has a type %s shows an example of", page)
				}
			})
			compared++
		}
	}
	if compared < 25 {
		t.Fatalf("only %d requests compared", compared)
	}
}

func sortedPages() []string {
	var out []string
	for p := range learntest.Readers {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// fullExamples are the items of the page's answers to the request without $select or $expand.
func fullExamples(t *testing.T, page, request string) []map[string]any {
	var out []map[string]any
	for _, a := range learntest.Answers(t, page) {
		if len(a.Body) == 0 || !reader.Asks(request, a.Request) || !reader.Full(a.Request) {
			continue
		}
		for _, raw := range learntest.Items(a.Body) {
			var m map[string]any
			if json.Unmarshal(raw, &m) == nil && len(m) > 0 { // a 202's "{ }" shows nothing
				out = append(out, m)
			}
		}
	}
	return out
}

// inSchema drops the properties of a Graph example that the request's type does not have in its
// version's schema (some v1.0 examples show beta properties, such as a servicePrincipal's
// publisherName): the sandbox follows the schema there, and says so in the test log.
func inSchema(t *testing.T, ref *reference.Reference, pages *learn.Data, method, tmpl string, ex map[string]any) map[string]any {
	r, ok := pages.Get(learn.Graph, method, tmpl)
	if !ok || r.Type == "" {
		return ex
	}
	version := "v1.0"
	if strings.HasPrefix(tmpl, "/beta/") {
		version = "beta"
	}
	typ := r.Type
	if et, ok := ex["@odata.type"].(string); ok {
		typ = et
	}
	out := map[string]any{}
	for k, v := range ex {
		if ref.HasProperty(version, typ, k) {
			out[k] = v
		} else {
			t.Logf("%s %s: %q of the example is not a property of %s in %s; the sandbox follows the schema", method, tmpl, k, typ, version)
		}
	}
	return out
}

// batchEnvelopes keep of a $batch answer its envelope: each answer's id, status, headers and
// body are there, but what a body and its headers hold depends on the request inside.
func batchEnvelopes(examples []map[string]any) []map[string]any {
	var out []map[string]any
	for _, ex := range examples {
		rs, _ := ex["responses"].([]any)
		var kept []any
		for _, r := range rs {
			if m, ok := r.(map[string]any); ok {
				kept = append(kept, map[string]any{"id": m["id"], "status": m["status"], "headers": map[string]any{}, "body": nil})
			}
		}
		out = append(out, map[string]any{"responses": kept})
	}
	return out
}

// exampleFor is the first example of the item's @odata.type (any example when neither says).
func exampleFor(examples []map[string]any, item map[string]any) map[string]any {
	typ, _ := item["@odata.type"].(string)
	for _, ex := range examples {
		if et, _ := ex["@odata.type"].(string); et == typ || et == "" && typ == "" {
			return ex
		}
	}
	for _, ex := range examples {
		if _, typed := ex["@odata.type"]; !typed {
			return ex
		}
	}
	return nil
}

// shapeDiff lists where got lacks a property of ex, or holds it as another JSON kind.
func shapeDiff(at string, ex, got map[string]any) []string {
	var out []string
	keys := make([]string, 0, len(ex))
	for k := range ex {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "@odata.context" || k == "@odata.id" || k == "@odata.editLink" {
			continue // metadata about the answer, not the object
		}
		ev := ex[k]
		gv, ok := got[k]
		where := at + k
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s is missing (Microsoft's example has %s)", where, short(ev)))
		case ev == nil, placeholderType(ev):
		case gv == nil && !isList(ev) && ev != "":
			// Graph answers null for a property without a value; the example had one. A list
			// is never null, and where Microsoft sends "" the sandbox must too.
		case kind(ev) != kind(gv):
			out = append(out, fmt.Sprintf("%s is %s %s, Microsoft's example has %s %s", where, kind(gv), short(gv), kind(ev), short(ev)))
		default:
			switch e := ev.(type) {
			case map[string]any:
				out = append(out, shapeDiff(where+".", e, gv.(map[string]any))...)
			case []any:
				g := gv.([]any)
				if len(e) > 0 && len(g) > 0 {
					if eo, ok := e[0].(map[string]any); ok {
						if gobj, ok := g[0].(map[string]any); ok {
							out = append(out, shapeDiff(where+"[0].", eo, gobj)...)
						} else {
							out = append(out, fmt.Sprintf("%s holds %s, Microsoft's example holds objects", where, kind(g[0])))
						}
					} else if kind(e[0]) != kind(g[0]) {
						out = append(out, fmt.Sprintf("%s holds %s, Microsoft's example holds %s", where, kind(g[0]), kind(e[0])))
					}
				}
			}
		}
	}
	return out
}

// placeholderType: some examples write a property's type where its value goes ("isDeleted":
// "Boolean" in riskyuser-list), which says nothing of the value's kind.
func placeholderType(v any) bool {
	switch v {
	case "Boolean", "String", "Int32", "Int64", "DateTimeOffset", "Guid":
		return true
	}
	return false
}

func isList(v any) bool { _, ok := v.([]any); return ok }

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

func short(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// walker fills request templates with ids of objects the sandbox holds, reading the lists
// they come from.
type walker struct {
	c                 *testClient
	t                 *testing.T
	partner           string
	graph, pc         string
	relationship, asg map[string]any
	made              []string
}

func (w *walker) items(t *testing.T, path string) []map[string]any {
	t.Helper()
	prefix, tok := "/graph", w.graph
	if strings.HasPrefix(path, "/v1/") {
		prefix, tok = "/partnercenter", w.pc
	}
	a := w.c.do("GET", prefix+path, tok, nil)
	if a.status != 200 {
		t.Fatalf("GET %s: %d %s", path, a.status, a.body)
	}
	var page struct {
		Value *[]map[string]any `json:"value"`
		Items *[]map[string]any `json:"items"`
	}
	if json.Unmarshal(a.body, &page) == nil {
		switch {
		case page.Value != nil:
			return *page.Value
		case page.Items != nil:
			return *page.Items
		}
	}
	var one map[string]any
	if err := json.Unmarshal(a.body, &one); err != nil {
		t.Fatalf("GET %s: not JSON: %s", path, a.body)
	}
	return []map[string]any{one}
}

// first is the first item of a list that satisfies ok.
func (w *walker) first(t *testing.T, path string, ok func(map[string]any) bool) map[string]any {
	t.Helper()
	for _, it := range w.items(t, path) {
		if ok == nil || ok(it) {
			return it
		}
	}
	t.Fatalf("GET %s has no item to fill a template with", path)
	return nil
}

func (w *walker) get(t *testing.T, tmpl string) []map[string]any {
	t.Helper()
	id := func(m map[string]any) string { s, _ := m["id"].(string); return s }
	switch tmpl {
	case "/v1.0/applications/{id}":
		return w.items(t, "/v1.0/applications/"+id(w.first(t, "/v1.0/applications", nil)))
	case "/v1.0/applications(appId={id})":
		return w.items(t, "/v1.0/applications(appId='"+w.first(t, "/v1.0/applications", nil)["appId"].(string)+"')")
	case "/v1.0/servicePrincipals(appId={id})":
		return w.items(t, "/v1.0/servicePrincipals(appId='"+graphAppID+"')")
	case "/v1.0/servicePrincipals/{id}/appRoleAssignedTo":
		w.write(t, "POST", tmpl) // the partner's Graph has none until one is made
		sp := w.items(t, "/v1.0/servicePrincipals(appId='"+graphAppID+"')")[0]
		return w.items(t, "/v1.0/servicePrincipals/"+id(sp)+"/appRoleAssignedTo")
	case "/v1.0/auditLogs/signIns", "/beta/auditLogs/signIns":
		// The partner's own log is empty; Litware's holds sign-ins (Global Reader through GDAP).
		saved := w.graph
		defer func() { w.graph = saved }()
		w.graph = w.c.token(w.c.s.world.tenant("litware.onmicrosoft.com").id, "alex@contosopartners.onmicrosoft.com", audGraph, "AuditLog.Read.All Directory.Read.All", true)
		return w.items(t, tmpl)
	case "/v1.0/groups/{id}/transitiveMembers":
		for _, g := range w.items(t, "/v1.0/groups") {
			if m := w.items(t, "/v1.0/groups/"+id(g)+"/transitiveMembers"); len(m) > 0 {
				return m
			}
		}
		return nil
	case "/v1.0/identity/conditionalAccess/policies/{id}":
		return w.items(t, "/v1.0/identity/conditionalAccess/policies/"+id(w.first(t, "/v1.0/identity/conditionalAccess/policies", nil)))
	case "/v1.0/tenantRelationships/delegatedAdminRelationships/{id}":
		return w.items(t, "/v1.0/tenantRelationships/delegatedAdminRelationships/"+id(w.rel(t)))
	case "/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments":
		return w.items(t, "/v1.0/tenantRelationships/delegatedAdminRelationships/"+id(w.rel(t))+"/accessAssignments")
	case "/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/accessAssignments/{id}":
		w.rel(t)
		return w.items(t, "/v1.0/tenantRelationships/delegatedAdminRelationships/"+id(w.relationship)+"/accessAssignments/"+id(w.asg))
	case "/v1.0/tenantRelationships/delegatedAdminRelationships/{id}/operations/{id}":
		w.rel(t)
		path := "/graph/v1.0/tenantRelationships/delegatedAdminRelationships/" + id(w.relationship) + "/accessAssignments/" + id(w.asg)
		etag, _ := w.asg["@odata.etag"].(string)
		// A change of roles (one fewer) is applied in the background: 202 and an operation.
		roles, _ := w.asg["accessDetails"].(map[string]any)["unifiedRoles"].([]any)
		if len(roles) < 2 {
			t.Fatalf("the assignment has %d roles; one fewer must still be one", len(roles))
		}
		a := w.c.do("PATCH", path, w.graph, map[string]any{"accessDetails": map[string]any{"unifiedRoles": roles[:1]}}, "If-Match", etag)
		loc, err := url.Parse(a.header.Get("Location"))
		if a.status != 202 || err != nil {
			t.Fatalf("PATCH %s: %d %s (Location %q)", path, a.status, a.body, a.header.Get("Location"))
		}
		return w.items(t, loc.Path[strings.Index(loc.Path, "/v1.0/"):])
	case "/v1.0/users/{id}/authentication/microsoftAuthenticatorMethods", "/beta/users/{id}/authentication/signInPreferences":
		u := w.first(t, "/v1.0/reports/authenticationMethods/userRegistrationDetails", func(m map[string]any) bool {
			ms, _ := m["methodsRegistered"].([]any)
			for _, x := range ms {
				if x == "microsoftAuthenticatorPush" {
					return true
				}
			}
			return false
		})
		return w.items(t, strings.Replace(tmpl, "{id}", id(u), 1))
	}
	if strings.Contains(tmpl, "{") {
		t.Fatalf("no way to fill %s with an id", tmpl)
	}
	return w.items(t, tmpl)
}

// send answers a write on the partner's Graph: the object it answers.
func (w *walker) send(t *testing.T, method, path string, body any, headers ...string) map[string]any {
	t.Helper()
	a := w.c.do(method, "/graph"+path, w.graph, body, headers...)
	if a.status < 200 || a.status > 299 {
		t.Fatalf("%s %s: %d %s", method, path, a.status, a.body)
	}
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("%s %s: %d, not a JSON object: %s", method, path, a.status, a.body)
	}
	return m
}

// write sends the write a template names, with the least body the sandbox takes, to objects it
// makes for the test, and gives the answer.
func (w *walker) write(t *testing.T, method, tmpl string) []map[string]any {
	t.Helper()
	id := func(m map[string]any) string { s, _ := m["id"].(string); return s }
	graphSP := id(w.items(t, "/v1.0/servicePrincipals(appId='"+graphAppID+"')")[0])
	one := func(m map[string]any) []map[string]any { return []map[string]any{m} }
	const rels = "/v1.0/tenantRelationships/delegatedAdminRelationships"
	newRelationship := func() map[string]any {
		customer := w.c.s.world.customers[0]
		return w.send(t, "POST", rels, map[string]any{
			"displayName": "Shape " + fmt.Sprint(len(w.made)), "duration": "P730D",
			"customer":      map[string]any{"tenantId": customer.id, "displayName": customer.displayName},
			"accessDetails": map[string]any{"unifiedRoles": []any{map[string]any{"roleDefinitionId": "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"}}},
		})
	}
	w.made = append(w.made, tmpl)
	switch method + " " + tmpl {
	case "POST /v1.0/applications":
		return one(w.send(t, "POST", tmpl, map[string]any{"displayName": "Shape test"}))
	case "POST /v1.0/applications/{id}/addPassword":
		app := w.send(t, "POST", "/v1.0/applications", map[string]any{"displayName": "Shape secret"})
		return one(w.send(t, "POST", "/v1.0/applications/"+id(app)+"/addPassword", map[string]any{"passwordCredential": map[string]any{"displayName": "shape"}}))
	case "POST /v1.0/groups":
		return one(w.send(t, "POST", tmpl, map[string]any{"displayName": "Shape group", "mailEnabled": false, "mailNickname": "shapegroup", "securityEnabled": true}))
	case "POST /v1.0/servicePrincipals":
		app := w.send(t, "POST", "/v1.0/applications", map[string]any{"displayName": "Shape principal"})
		return one(w.send(t, "POST", tmpl, map[string]any{"appId": app["appId"]}))
	case "POST /v1.0/oauth2PermissionGrants", "POST /v1.0/servicePrincipals/{id}/appRoleAssignedTo":
		app := w.send(t, "POST", "/v1.0/applications", map[string]any{"displayName": "Shape grant " + fmt.Sprint(len(w.made))})
		sp := w.send(t, "POST", "/v1.0/servicePrincipals", map[string]any{"appId": app["appId"]})
		if strings.HasPrefix(tmpl, "/v1.0/oauth2") {
			return one(w.send(t, "POST", tmpl, map[string]any{"clientId": id(sp), "consentType": "AllPrincipals", "resourceId": graphSP, "scope": "User.Read"}))
		}
		role, _ := w.c.s.pages.PermissionID("Directory.Read.All", true)
		return one(w.send(t, "POST", "/v1.0/servicePrincipals/"+graphSP+"/appRoleAssignedTo", map[string]any{"principalId": id(sp), "resourceId": graphSP, "appRoleId": role}))
	case "POST /v1.0/$batch":
		return one(w.send(t, "POST", tmpl, map[string]any{"requests": []any{
			map[string]any{"id": "1", "method": "GET", "url": "/me"},
			map[string]any{"id": "2", "method": "GET", "url": "/no/such/thing"},
		}}))
	case "POST " + rels:
		return one(newRelationship())
	case "POST " + rels + "/{id}/requests":
		return one(w.send(t, "POST", rels+"/"+id(newRelationship())+"/requests", map[string]any{"action": "lockForApproval"}))
	case "PATCH " + rels + "/{id}":
		r := newRelationship()
		etag, _ := r["@odata.etag"].(string)
		return one(w.send(t, "PATCH", rels+"/"+id(r), map[string]any{"displayName": "Shape renamed " + fmt.Sprint(len(w.made))}, "If-Match", etag))
	case "POST " + rels + "/{id}/accessAssignments":
		r := w.rel(t)
		g := w.send(t, "POST", "/v1.0/groups", map[string]any{"displayName": "Shape assignment", "mailEnabled": false, "mailNickname": "shapeassignment", "securityEnabled": true})
		return one(w.send(t, "POST", rels+"/"+id(r)+"/accessAssignments", map[string]any{
			"accessContainer": map[string]any{"accessContainerId": id(g), "accessContainerType": "securityGroup"},
			"accessDetails":   w.asg["accessDetails"],
		}))
	}
	t.Fatalf("no way to send %s %s", method, tmpl)
	return nil
}

// rel finds an active relationship with an access assignment.
func (w *walker) rel(t *testing.T) map[string]any {
	t.Helper()
	if w.relationship != nil {
		return w.relationship
	}
	for _, r := range w.items(t, "/v1.0/tenantRelationships/delegatedAdminRelationships") {
		if r["status"] != "active" {
			continue
		}
		id, _ := r["id"].(string)
		for _, a := range w.items(t, "/v1.0/tenantRelationships/delegatedAdminRelationships/"+id+"/accessAssignments") {
			if a["status"] == "active" {
				w.relationship, w.asg = r, a
				return r
			}
		}
	}
	t.Fatal("no active relationship with an active access assignment")
	return nil
}
