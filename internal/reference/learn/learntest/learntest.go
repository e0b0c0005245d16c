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
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
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
	"graph/concepts/json-batching.md":                                                        "graph",
	"lookup/delegatedadminrelationshipoperation-get.md":                                      "gdap",
	"partnercenter/developer/control-panel-vendor-apis.md":                                   "partnercenter",
	"partnercenter/developer/get-a-list-of-customers.md":                                     "partnercenter",
	"partnercenter/developer/get-an-organization-profile.md":                                 "partnercenter",
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
func Answers(t testing.TB, page string) []Answer {
	t.Helper()
	var out []Answer
	for _, ex := range Load(t, page).Examples {
		r := ex.Response
		if r.Status < 200 || r.Status >= 300 {
			continue
		}
		a := Answer{Name: ex.Name, Request: ex.Request, Status: r.Status, Headers: r.Headers}
		switch body := strings.TrimSpace(r.Body); {
		case body == "":
		case r.JSON:
			a.Body = json.RawMessage(body)
		default:
			fixed := repair(body)
			if !json.Valid([]byte(fixed)) {
				if !strings.HasPrefix(body, "{") && !strings.HasPrefix(body, "[") {
					continue // not a JSON answer at all ($count answers a number as text/plain)
				}
				t.Errorf("%s %s: Microsoft's example answer is not JSON, even mended: %.200s", page, ex.Name, body)
				continue
			}
			a.Body, a.Repaired = json.RawMessage(fixed), true
		}
		out = append(out, a)
	}
	return out
}

var (
	trailingComma = regexp.MustCompile(`,(\s*[}\]])`)
	placeholder   = regexp.MustCompile(`:\s*<([^<>"\n]*)>`)
)

func repair(body string) string {
	s := trailingComma.ReplaceAllString(body, "$1")
	return placeholder.ReplaceAllString(s, `: "<$1>"`)
}

// Items are the objects of an answer: the items of "value" for a collection, else the answer.
func Items(body json.RawMessage) []json.RawMessage {
	var page struct {
		Value *[]json.RawMessage `json:"value"`
	}
	if json.Unmarshal(body, &page) == nil && page.Value != nil {
		return *page.Value
	}
	return []json.RawMessage{body}
}

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
		if !ok || len(g) != len(e) {
			return e == nil && got == nil || ok && len(g) == len(e)
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
