// Package learntest gives tests Microsoft's example answers (internal/reference/learn/
// testdata/examples, one file per Learn page) and holds the app's readers to them: every example
// answer must decode through the reader the app uses for that request, and keep every field the
// reader declares. Readers lists which package reads each page; a test in internal/reference/learn
// checks that every page is listed, and each package's test decodes its pages.
//
// It is for tests only; nothing in the app imports it.
package learntest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"

	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/reference/learn/reader"
)

// Readers names, for every page with examples, the package whose readers decode its answers.
// Pages whose answers the app does not read (a 204, or a body it ignores) are listed too, so
// that their examples are still held to be what the app copes with.
var Readers = map[string]string{
	"graph/api-reference/beta/api/authentication-get.md":                                     "authmethods",
	"graph/api-reference/beta/api/authentication-update.md":                                  "authmethods",
	"graph/api-reference/beta/api/signin-list.md":                                            "troubleshoot",
	"graph/api-reference/v1.0/api/application-addpassword.md":                                "appreg",
	"graph/api-reference/v1.0/api/application-get.md":                                        "appreg",
	"graph/api-reference/v1.0/api/application-list.md":                                       "appreg",
	"graph/api-reference/v1.0/api/application-post-applications.md":                          "appreg",
	"graph/api-reference/v1.0/api/application-removepassword.md":                             "appreg",
	"graph/api-reference/v1.0/api/application-update.md":                                     "appreg",
	"graph/api-reference/v1.0/api/authenticationmethodsroot-list-userregistrationdetails.md": "authmethods",
	"graph/api-reference/v1.0/api/conditionalaccesspolicy-get.md":                            "troubleshoot",
	"graph/api-reference/v1.0/api/conditionalaccesspolicy-update.md":                         "troubleshoot",
	"graph/api-reference/v1.0/api/conditionalaccessroot-list-policies.md":                    "troubleshoot",
	"graph/api-reference/v1.0/api/delegatedadminaccessassignment-get.md":                     "gdap",
	"graph/api-reference/v1.0/api/delegatedadminaccessassignment-update.md":                  "gdap",
	"graph/api-reference/v1.0/api/delegatedadminrelationship-get.md":                         "gdap",
	"graph/api-reference/v1.0/api/delegatedadminrelationship-list-accessassignments.md":      "gdap",
	"graph/api-reference/v1.0/api/delegatedadminrelationship-post-accessassignments.md":      "gdap",
	"graph/api-reference/v1.0/api/delegatedadminrelationship-post-requests.md":               "gdap",
	"graph/api-reference/v1.0/api/delegatedadminrelationship-update.md":                      "gdap",
	"graph/api-reference/v1.0/api/group-list-transitivemembers.md":                           "troubleshoot",
	"graph/api-reference/v1.0/api/group-list.md":                                             "gdap",
	"graph/api-reference/v1.0/api/group-post-groups.md":                                      "gdap",
	"graph/api-reference/v1.0/api/group-post-members.md":                                     "gdap",
	"graph/api-reference/v1.0/api/identitysecuritydefaultsenforcementpolicy-get.md":          "troubleshoot",
	"graph/api-reference/v1.0/api/microsoftauthenticatorauthenticationmethod-list.md":        "authmethods",
	"graph/api-reference/v1.0/api/oauth2permissiongrant-list.md":                             "appreg",
	"graph/api-reference/v1.0/api/oauth2permissiongrant-post.md":                             "appreg",
	"graph/api-reference/v1.0/api/oauth2permissiongrant-update.md":                           "appreg",
	"graph/api-reference/v1.0/api/riskyuser-dismiss.md":                                      "troubleshoot",
	"graph/api-reference/v1.0/api/riskyuser-list.md":                                         "troubleshoot",
	"graph/api-reference/v1.0/api/serviceprincipal-get.md":                                   "appreg",
	"graph/api-reference/v1.0/api/serviceprincipal-list-approleassignedto.md":                "appreg",
	"graph/api-reference/v1.0/api/serviceprincipal-list.md":                                  "appreg",
	"graph/api-reference/v1.0/api/serviceprincipal-post-approleassignedto.md":                "appreg",
	"graph/api-reference/v1.0/api/serviceprincipal-post-serviceprincipals.md":                "appreg",
	"graph/api-reference/v1.0/api/signin-list.md":                                            "troubleshoot",
	"graph/api-reference/v1.0/api/subscribedsku-list.md":                                     "authmethods",
	"graph/api-reference/v1.0/api/tenantrelationship-list-delegatedadminrelationships.md":    "gdap",
	"graph/api-reference/v1.0/api/tenantrelationship-post-delegatedadminrelationships.md":    "gdap",
	"graph/api-reference/v1.0/api/user-get.md":                                               "gdap",
	"graph/api-reference/v1.0/api/user-list-transitivememberof.md":                           "gdap",
	"graph/api-reference/v1.0/api/user-list.md":                                              "onboard",
	"graph/concepts/json-batching.md":                                                        "graph",
	"lookup/delegatedadminrelationshipoperation-get.md":                                      "gdap",
	"partnercenter/developer/control-panel-vendor-apis.md":                                   "partnercenter",
	"partnercenter/developer/get-a-list-of-customers.md":                                     "partnercenter",
	"partnercenter/developer/get-an-organization-profile.md":                                 "partnercenter",
	"partnercenter/developer/request-reseller-relationship.md":                               "partnercenter",
}

// Dir is the folder of the example files.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", reader.ExamplesDir)
}

// Load reads the examples of one page.
func Load(t testing.TB, page string) reader.PageExamples {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(Dir(), reader.ExampleFile(page)))
	if err != nil {
		t.Fatalf("examples of %s: %v", page, err)
	}
	var pe reader.PageExamples
	if err := json.Unmarshal(b, &pe); err != nil {
		t.Fatalf("examples of %s: %v", page, err)
	}
	return pe
}

// Pages are the pages Readers gives to pkg, sorted.
func Pages(pkg string) []string {
	var out []string
	for p, r := range Readers {
		if r == pkg {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// Answer is one successful example answer of a page with a JSON body.
type Answer struct {
	Page    string // the page, under shared/reference/learn
	Name    string // the example's request name on the page
	Request reader.Message
	Status  int
	Headers map[string]string
	Body    json.RawMessage
	// Repaired: Microsoft's example is not valid JSON as written (a trailing comma left by
	// shortening it, a <placeholder> for a value); Body is it with only that mended.
	Repaired bool
}

// Answers are the page's 2xx example answers. Those with a body that is JSON (or becomes JSON
// once trailing commas are removed and placeholders quoted) carry it; a 204 has none.
//
// Only the examples of requests the app sends count: a page often shows other requests too
// (GET /groups/$count, a cast to microsoft.graph.group, another property of the same resource),
// which the app never sends and need not read.
func Answers(t testing.TB, page string) []Answer {
	t.Helper()
	pe := Load(t, page)
	var out []Answer
	for _, ex := range pe.Examples {
		r := ex.Response
		if r.Status < 200 || r.Status >= 300 {
			continue
		}
		if !slices.ContainsFunc(pe.Requests, func(req string) bool { return reader.Asks(req, ex.Request) }) {
			continue
		}
		a := Answer{Page: page, Name: ex.Name, Request: ex.Request, Status: r.Status, Headers: r.Headers}
		if strings.TrimSpace(r.Body) != "" {
			body, repaired, ok := reader.Body(r)
			switch {
			case !ok:
				t.Errorf("%s %s: Microsoft's example answer is not JSON, even mended: %.200s", page, ex.Name, r.Body)
				continue
			case body[0] != '{':
				t.Errorf("%s %s: Microsoft's example answer is not a JSON object: %.200s", page, ex.Name, body)
				continue
			}
			a.Body, a.Repaired = body, repaired
		}
		out = append(out, a)
	}
	return out
}

// Where names the answer in a failure: its page and the example's name.
func (a Answer) Where() string {
	if a.Name == "" {
		return a.Page
	}
	return a.Page + " (" + a.Name + ")"
}

// Header is one of the answer's headers, whatever its letter case on the page.
func (a Answer) Header(name string) string {
	for k, v := range a.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// Selects says whether the example's request asks for the property: it has no $select, or its
// $select names it. A reader can only be held to a property the example asked for.
func (a Answer) Selects(property string) bool {
	u, err := url.Parse(a.Request.URL)
	if err != nil {
		return true
	}
	sel, ok := u.Query()["$select"]
	if !ok {
		return true
	}
	for _, s := range sel {
		for _, p := range strings.Split(s, ",") {
			if strings.EqualFold(strings.TrimSpace(p), property) {
				return true
			}
		}
	}
	return false
}

// Read holds one example answer to the app's reader for its page.
type Read func(t *testing.T, a Answer)

// Check runs, for every page Readers gives pkg, its Read on every example answer of the page.
// It fails when a page of pkg has no entry in reads, when reads names a page Readers gives to
// another package, and when a page's entry does not match its examples: a nil Read says the
// page has no example answer to read (and fails if it has one), a Read for a page without an
// answer fails too.
func Check(t *testing.T, pkg string, reads map[string]Read) {
	t.Helper()
	pages := Pages(pkg)
	if len(pages) == 0 {
		t.Fatalf("Readers gives no page to %s", pkg)
	}
	for page := range reads {
		if Readers[page] != pkg {
			t.Errorf("%s has a reader for %s, but Readers gives that page to %q", pkg, page, Readers[page])
		}
	}
	for _, page := range pages {
		read, ok := reads[page]
		answers := Answers(t, page)
		switch {
		case !ok:
			t.Errorf("%s: %s has no reader for this page's example answers", page, pkg)
			continue
		case read == nil && len(answers) > 0:
			t.Errorf("%s: the page has %d example answers, but %s reads none of them", page, len(answers), pkg)
			continue
		case read != nil && len(answers) == 0:
			t.Errorf("%s: the page has no successful example answer to read", page)
			continue
		}
		for i, a := range answers {
			name := strings.TrimPrefix(strings.TrimSuffix(page, ".md"), "graph/api-reference/")
			t.Run(fmt.Sprintf("%s/%d", strings.Replace(name, "/api/", "/", 1), i+1), func(t *testing.T) {
				read(t, a)
			})
		}
	}
}

// Items are the objects of an answer: the items of a collection, else the answer itself.
func Items(body json.RawMessage) []json.RawMessage { return reader.Items(body) }

// Decodes decodes one answer (or item) into a new T, as the app's reader T does, and fails the
// test when it is refused or when a field T declares and the answer carries is lost: read back,
// every such field must hold the answer's value (an empty date-time may read as none).
func Decodes[T any](t testing.TB, where string, item json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(item, &v); err != nil {
		t.Errorf("%s: the app's %T refuses Microsoft's example answer: %v\n%.300s", where, v, err, item)
		return v
	}
	var want map[string]any
	if json.Unmarshal(item, &want) != nil {
		return v
	}
	for _, f := range jsonFields(reflect.TypeOf(v)) {
		ex, ok := want[f.name]
		if !ok {
			continue
		}
		got, _ := json.Marshal(reflect.ValueOf(v).FieldByIndex(f.index).Interface())
		var back any
		_ = json.Unmarshal(got, &back)
		if !same(ex, back) {
			t.Errorf("%s: %T loses %q: Microsoft's example has %s, the app reads %s", where, v, f.name, short(ex), got)
		}
	}
	return v
}

type field struct {
	name  string
	index []int
}

// jsonFields are the JSON names of a struct's fields, embedded structs included.
func jsonFields(rt reflect.Type) []field {
	for rt.Kind() == reflect.Pointer {
		rt = rt.Elem()
	}
	if rt.Kind() != reflect.Struct {
		return nil
	}
	var out []field
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == "-" {
			continue
		}
		if f.Anonymous && tag == "" {
			for _, sub := range jsonFields(f.Type) {
				out = append(out, field{name: sub.name, index: append([]int{i}, sub.index...)})
			}
			continue
		}
		if !f.IsExported() || tag == "" {
			continue
		}
		out = append(out, field{name: tag, index: []int{i}})
	}
	return out
}

// same compares an example's value with what the reader reads back: objects by the keys the
// reader gives (a reader may know only some of an object's fields), lists item by item, times as
// instants, "" like null.
func same(ex, got any) bool {
	switch e := ex.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, gv := range g {
			if ev, ok := e[k]; ok && !same(ev, gv) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok {
			return len(e) == 0 && got == nil
		}
		if len(g) != len(e) {
			return false
		}
		for i := range e {
			if !same(e[i], g[i]) {
				return false
			}
		}
		return true
	case string:
		if e == "" && got == nil {
			return true
		}
		if g, ok := got.(string); ok {
			if te, err := time.Parse(time.RFC3339Nano, e); err == nil {
				if tg, err := time.Parse(time.RFC3339Nano, g); err == nil {
					return te.Equal(tg)
				}
			}
			return g == e
		}
		return false
	case nil:
		return got == nil || isZero(got)
	default:
		eb, _ := json.Marshal(ex)
		gb, _ := json.Marshal(got)
		return bytes.Equal(eb, gb)
	}
}

func isZero(v any) bool {
	switch x := v.(type) {
	case string:
		return x == ""
	case bool:
		return !x
	case float64:
		return x == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

func short(v any) string {
	b, _ := json.Marshal(v)
	return fmt.Sprintf("%.120s", b)
}
