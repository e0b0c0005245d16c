package reader

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestParseCell(t *testing.T) {
	tests := []struct {
		cell string
		want [][]string
	}{
		{"Application.ReadWrite.All", [][]string{{"Application.ReadWrite.All"}}},
		{"User.ReadBasic.All, User.Read.All, Directory.Read.All", [][]string{{"User.ReadBasic.All"}, {"User.Read.All"}, {"Directory.Read.All"}}},
		{"AuditLog.Read.All and Directory.Read.All", [][]string{{"AuditLog.Read.All", "Directory.Read.All"}}},
		{"Policy.Read.All, Policy.ReadWrite.ConditionalAccess and Application.Read.All",
			[][]string{{"Policy.Read.All", "Policy.ReadWrite.ConditionalAccess", "Application.Read.All"}}},
		{"AppRoleAssignment.ReadWrite.All and Application.Read.All, AppRoleAssignment.ReadWrite.All and Directory.Read.All",
			[][]string{{"AppRoleAssignment.ReadWrite.All", "Application.Read.All"}, {"AppRoleAssignment.ReadWrite.All", "Directory.Read.All"}}},
		{"Not supported.", nil},
		{"Not available.", nil},
		{"Policy.Read.All, ", [][]string{{"Policy.Read.All"}}},
		{"UserAuthMethod-MicrosoftAuthApp.Read.All", [][]string{{"UserAuthMethod-MicrosoftAuthApp.Read.All"}}},
	}
	for _, tt := range tests {
		got, err := parseCell(tt.cell)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseCell(%q) = %v, %v; want %v", tt.cell, got, err, tt.want)
		}
	}
	if _, err := parseCell("see the note below"); err == nil {
		t.Error("prose in a cell was read as permissions")
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		text    string
		want    []string
		anyOpts bool
	}{
		{"This method supports only the `$filter` and `$orderBy` OData query parameters to help customize the response. For general information, see [OData query parameters](/graph/query-parameters).",
			[]string{"$filter", "$orderby"}, false},
		{"This method supports only the `$select` [OData query parameter](/graph//query-parameters) to help customize the response. It does not support `$filter`.",
			[]string{"$select"}, false},
		{"This method supports the `$count`, `$filter` and `$top` [OData query parameters](/graph/query-parameters). `$skip` isn't supported.",
			[]string{"$count", "$filter", "$top"}, false},
		{"This method supports the `select` OData query parameter to help customize the response.", []string{"$select"}, false},
		{"This method supports the `$select` OData query parameter to retrieve specific user properties, including those that are not returned by default.", []string{"$select"}, false},
		{"This method supports the [OData query parameters](/graph/query-parameters) to help customize the response.", nil, true},
		{"This method supports the [OData query parameters](/graph/query-parameters) to help customize the response, including `$search`, `$count`, and `$filter`.", nil, true},
		{"Not supported.", nil, false},
		{"", nil, false},
	}
	for _, tt := range tests {
		got, anyOpts := parseQuery(strings.Split(tt.text, "\n"))
		if !reflect.DeepEqual(got, tt.want) || anyOpts != tt.anyOpts {
			t.Errorf("parseQuery(%q) = %v, %v; want %v, %v", tt.text, got, anyOpts, tt.want, tt.anyOpts)
		}
	}
}

func TestParseStatus(t *testing.T) {
	got, async := parseStatus([]string{"If successful, this method returns a `200 OK` or a `202 Accepted` response code.",
		"|Location|The location of the long-running operation.|"})
	if !reflect.DeepEqual(got, []int{202, 200}) || !async {
		t.Errorf("parseStatus = %v, %v", got, async)
	}
	got, async = parseStatus([]string{"If successful, this method returns a `201 Created` response code. It returns `404 Not Found` otherwise."})
	if !reflect.DeepEqual(got, []int{201}) || async {
		t.Errorf("parseStatus = %v, %v", got, async)
	}
}

func TestParseMessage(t *testing.T) {
	m, err := parseMessage("response", []string{"HTTP/1.1 202 Accepted", "Location: https://graph.microsoft.com/v1.0/x/operations/1", "Retry-After: 10", "", "{", "}"})
	if err != nil || m.Status != 202 || m.Headers["Location"] == "" || m.Headers["Retry-After"] != "10" || m.Body != "{\n}" || !m.JSON {
		t.Errorf("parseMessage = %+v, %v", m, err)
	}
	m, err = parseMessage("request", []string{"POST https://graph.microsoft.com/v1.0/groups", "Content-type: application/json", "", `{"a": 1,}`})
	if err != nil || m.Method != "POST" || m.URL != "https://graph.microsoft.com/v1.0/groups" || m.JSON {
		t.Errorf("parseMessage = %+v, %v", m, err)
	}
	if _, err := parseMessage("response", []string{"200 OK"}); err == nil {
		t.Error("a response without a status line was read")
	}
}

// TestReadFailsWithoutThePage holds the reader to its promise: a request whose page is missing,
// or does not document it, fails the whole read.
func TestReadFailsWithoutThePage(t *testing.T) {
	desc := []byte(`{"delegatedScopesList":[{"id":"1","value":"User.Read"}],"applicationScopesList":[{"id":"2","value":"User.Read.All"}]}`)
	_, _, err := Read(fstest.MapFS{}, desc)
	if err == nil || !strings.Contains(err.Error(), "user-get.md") {
		t.Fatalf("Read without pages: %v", err)
	}
	pages := fstest.MapFS{"graph/api-reference/v1.0/api/user-get.md": {Data: []byte("# Get user\n\n## HTTP request\n\n```http\nGET /users\n```\n")}}
	if _, _, err := Read(pages, desc); err == nil || !strings.Contains(err.Error(), "does not document GET /v1.0/me") {
		t.Fatalf("Read with a page of another request: %v", err)
	}
}

func FuzzParseCell(f *testing.F) {
	for _, s := range []string{"A.B, C.D and E.F", "Not supported.", "A.B and C.D, A.B and E.F", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, cell string) {
		alts, err := parseCell(cell)
		if err != nil {
			return
		}
		for _, a := range alts {
			for _, p := range a {
				if !permissionName.MatchString(p) {
					t.Fatalf("%q gave %q, not a permission name", cell, p)
				}
			}
		}
	})
}

func FuzzParseMessage(f *testing.F) {
	f.Add("HTTP/1.1 200 OK\nContent-Type: application/json\n\n{\"a\":1}")
	f.Add("GET https://graph.microsoft.com/v1.0/me\n\n")
	f.Fuzz(func(t *testing.T, text string) {
		for _, kind := range []string{"request", "response"} {
			m, err := parseMessage(kind, strings.Split(text, "\n"))
			if err == nil && m.JSON != (m.Body != "" && json.Valid([]byte(m.Body))) {
				t.Fatalf("%q: JSON is %v for the body %q", text, m.JSON, m.Body)
			}
		}
	})
}

func TestShapes(t *testing.T) {
	answer := func(url, body string) Example {
		return Example{Request: Message{Method: "GET", URL: url}, Response: Message{Status: 200, Body: body, JSON: json.Valid([]byte(body))}}
	}
	examples := []Example{
		answer("https://graph.microsoft.com/v1.0/policies", `{"@odata.context":"x","value":[{"id":"1","state":"enabled","conditions":{"locations":null,"users":{"includeUsers":["All"]}},"tags":["a"],"note":""}]}`),
		answer("https://graph.microsoft.com/v1.0/policies/1", `{"@odata.context":"x","id":"1","conditions":{"locations":{"includeLocations":["x"]},"platforms":{"includePlatforms":["all"]}},"extra":7,}`),
		answer("https://graph.microsoft.com/v1.0/policies?$select=id,only", `{"value":[{"id":"1","only":true}]}`),
		answer("https://graph.microsoft.com/v1.0/users/1", `{"id":"u","displayName":"not this request"}`),
	}
	got := shapes([]string{"GET /v1.0/policies", "GET /v1.0/policies/{id}"}, examples)
	want := map[string]map[string]any{"": {
		"id": nil, "state": nil, "tags": []any{}, "note": "", "extra": nil,
		"conditions": map[string]any{"locations": nil, "users": map[string]any{"includeUsers": []any{}}, "platforms": map[string]any{"includePlatforms": []any{}}},
	}}
	if !reflect.DeepEqual(got, want) {
		gb, _ := json.Marshal(got)
		wb, _ := json.Marshal(want)
		t.Errorf("shapes:\n got %s\nwant %s", gb, wb)
	}
}

func TestAsks(t *testing.T) {
	for _, tc := range []struct {
		request, sent string
		want          bool
	}{
		{"GET /v1.0/groups", "GET https://graph.microsoft.com/v1.0/groups?$select=id", true},
		{"GET /v1.0/groups", "GET https://graph.microsoft.com/v1.0/groups/$count", false},
		{"GET /v1.0/me/transitiveMemberOf", "GET https://graph.microsoft.com/v1.0/users/6e7b/transitiveMemberOf", true},
		{"GET /v1.0/me/transitiveMemberOf", "GET https://graph.microsoft.com/v1.0/users/6e7b/transitiveMemberOf/microsoft.graph.group", false},
		{"GET /v1.0/servicePrincipals(appId={id})", "GET https://graph.microsoft.com/v1.0/servicePrincipals/00063ffc", true},
		{"GET /v1.0/applications(appId={id})", "GET https://graph.microsoft.com/v1.0/applications(appId='46e6')?$select=id", true},
		{"PATCH /v1.0/oauth2PermissionGrants/{id}", "PATCH https://graph.microsoft.com/v1.0/oauth2PermissionGrants/l5eW7x0ga0-WDOn", true},
		{"PATCH /v1.0/oauth2PermissionGrants/{id}", "GET https://graph.microsoft.com/v1.0/oauth2PermissionGrants/l5eW7x0ga0-WDOn", false},
	} {
		method, address, _ := strings.Cut(tc.sent, " ")
		if got := Asks(tc.request, Message{Method: method, URL: address}); got != tc.want {
			t.Errorf("%s answered by %s: %v, want %v", tc.request, tc.sent, got, tc.want)
		}
	}
}

// FuzzShapes: the shape of any example answer is read without a panic, and every shape's
// values are empty (null, "", [] or an object of empty values).
func FuzzShapes(f *testing.F) {
	f.Add(`{"value":[{"id":"1","a":{"b":null,"c":[1]},"d":""}]}`)
	f.Add(`{"id":"x","a":{"b":{"c":"d"}},"@odata.type":"#microsoft.graph.user"}`)
	f.Add(`{"items":[{"x":[{"y":1}]}],}`)
	f.Fuzz(func(t *testing.T, body string) {
		ex := Example{Request: Message{Method: "GET", URL: "https://graph.microsoft.com/v1.0/things"}, Response: Message{Status: 200, Body: body, JSON: json.Valid([]byte(body))}}
		for _, shape := range shapes([]string{"GET /v1.0/things"}, []Example{ex}) {
			checkEmpty(t, shape)
		}
	})
}

func checkEmpty(t *testing.T, shape map[string]any) {
	for k, v := range shape {
		switch x := v.(type) {
		case nil:
		case string:
			if x != "" && k != "@odata.type" {
				t.Fatalf("%s holds %q", k, x)
			}
		case []any:
			if len(x) != 0 {
				t.Fatalf("%s holds a list of %d", k, len(x))
			}
		case map[string]any:
			checkEmpty(t, x)
		default:
			t.Fatalf("%s holds %T", k, v)
		}
	}
}
