// Package learn is what Microsoft's Learn pages say about every request Onboard365 makes, as
// compact data of the project's own: for each request (method, path template, API version) the
// delegated and application permissions its page documents (each alternative a set of
// permissions that are all needed), how many of them the page marks least privileged, the
// least-privileged Entra roles a signed-in user needs, the query options the page supports,
// the success statuses, whether the answer is a 202 with a Location to an operation, and
// conditions that add requirements (a role-assignable group). It also holds the GUIDs of
// Microsoft Graph's permissions (from permissions-descriptions.json) and the template ids of the
// Entra roles the pages name.
//
// The data is generated (go generate; see gen/ and reader/) from Microsoft's pages in
// shared/reference/learn, beside the repository, and embedded, so the app and its sandbox use it
// from a release binary where that folder is absent. A test regenerates it from the pages and
// fails when they disagree (and, in CI, when the pages are missing). Microsoft's example answers
// are kept as test data (testdata/examples), each file naming its page.
//
// The app derives its permission table from this data (internal/appreg/permissions) and the
// sandbox decides from it what it allows (internal/sandbox); neither writes its own list.
package learn

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/onboard365/onboard365/internal/reference"
)

//go:generate go run ./gen -pages ../../../../shared/reference/learn

//go:embed learn.json
var embedded []byte

// Services a request goes to.
const (
	Graph         = "graph"
	PartnerCenter = "partnercenter"
)

// Member stands, in a request's Roles, for a member user with Entra's default user
// permissions (no admin role needed), as some pages put it ("a non-admin member ... with
// default user permissions").
const Member = "member"

// Data is the whole of the generated facts. It is read-only after Load.
type Data struct {
	Requests []Request `json:"requests"`
	// Roles maps an Entra built-in role's name, as the pages write it, to its template id.
	Roles map[string]string `json:"roles"`
	// Delegated and Application map a Microsoft Graph permission's name to the GUID an app
	// registration lists it with (delegated scope id, application role id).
	Delegated   map[string]string `json:"delegated"`
	Application map[string]string `json:"application"`
}

// Request is one request as its page documents it.
type Request struct {
	Service string `json:"service"` // Graph or PartnerCenter
	Method  string `json:"method"`
	// Path is the template with its version ("/v1.0", "/beta"; Partner Center's "/v1"), ids
	// as {id} and alternate keys as servicePrincipals(appId={id}).
	Path string `json:"path"`
	// Page is the page's file under shared/reference/learn, or, for a page that is not in that
	// folder, the address it was read at with the search tools.
	Page string `json:"page"`
	// Delegated are the delegated (work or school account) alternatives, least privileged
	// first: one alternative is enough, and every permission of it is needed.
	Delegated [][]string `json:"delegated,omitempty"`
	// Least is how many of the first Delegated alternatives the page marks least privileged.
	Least int `json:"least,omitempty"`
	// Application are the application (app-only) alternatives, as Delegated.
	Application [][]string `json:"application,omitempty"`
	// Roles are the least-privileged Entra roles the page names for a signed-in user acting
	// on others (Member for default user permissions); any one of them is enough, and Global
	// Administrator always is. Empty: the page names none.
	Roles []string `json:"roles,omitempty"`
	// MemberUnlessRestricted marks a Member entry that a tenant setting can take away (for
	// example "Users can register applications").
	MemberUnlessRestricted bool `json:"memberUnlessRestricted,omitempty"`
	// Query are the query options the page supports ("$select", "$filter", ...; Partner
	// Center's own parameters by name). AnyQuery: the page says the request supports the
	// OData query parameters without naming them.
	Query    []string `json:"query,omitempty"`
	AnyQuery bool     `json:"anyQuery,omitempty"`
	// Filterable are the properties the response type's page marks as supporting $filter;
	// nil when that page marks none (and $filter is then not checked property by property).
	Filterable []string `json:"filterable,omitempty"`
	// Status are the success statuses the page documents, the usual one first.
	Status []int `json:"status"`
	// Async: the page answers 202 Accepted with a Location to a long-running operation.
	Async bool `json:"async,omitempty"`
	// Conditions add requirements in some cases the page describes.
	Conditions []Condition `json:"conditions,omitempty"`
	// Type is the Graph type of the objects the request answers ("microsoft.graph.group"), as
	// Graph's schema for the request's version names it; "" for Partner Center and $batch.
	Type string `json:"type,omitempty"`
	// Shapes are what the page's full example answers look like, by @odata.type ("" for
	// objects that name none): every property they carry, at an empty value of its kind (null,
	// "" where Microsoft sends an empty string, [] for a list; objects likewise). The sandbox
	// answers no less (Fill).
	Shapes map[string]map[string]any `json:"shapes,omitempty"`
	// Notes say where a fact came from when it is not the stored page itself (a looked-up
	// include, the current page where the stored one is older), in our own words.
	Notes []string `json:"notes,omitempty"`
}

// Condition is a requirement that applies only in a case the page names.
type Condition struct {
	// When names the case: RoleAssignableGroup.
	When string `json:"when"`
	// Delegated are permissions needed in that case besides the request's own (any one
	// alternative, all of its permissions).
	Delegated [][]string `json:"delegated,omitempty"`
	// Roles replace the request's roles in that case.
	Roles []string `json:"roles,omitempty"`
	Note  string   `json:"note"`
}

// Cases of a Condition.
const (
	// RoleAssignableGroup: the group created (isAssignableToRole true) or changed is one that
	// Entra roles can be assigned to.
	RoleAssignableGroup = "roleAssignableGroup"
	// ServicePrincipalMember: the member added to a group is a service principal, not a user.
	ServicePrincipalMember = "servicePrincipalMember"
)

// Load parses the embedded data. Each call parses afresh (a few milliseconds); keep the result.
func Load() (*Data, error) {
	var d Data
	if err := json.Unmarshal(embedded, &d); err != nil {
		return nil, fmt.Errorf("learn: embedded learn.json: %w", err)
	}
	if len(d.Requests) == 0 || len(d.Delegated) == 0 {
		return nil, fmt.Errorf("learn: embedded learn.json holds no requests or no permissions")
	}
	return &d, nil
}

// Find returns the request that method and path (as sent: version prefix, real ids, any query)
// are an instance of, for service. Ids, alternate keys and letter case are matched as
// Microsoft's permissions reference matches them (reference.NormalizePath); the version must be
// the same.
func (d *Data) Find(service, method, path string) (Request, bool) {
	for _, r := range d.Requests {
		if r.Service == service && strings.EqualFold(r.Method, method) && SamePath(r.Path, path) {
			return r, true
		}
	}
	return Request{}, false
}

// SamePath says whether a request sent to path (with its version, real ids, any query; a full
// address too) is the one the template names: the same version and the same segments, ids and
// alternate keys matched as Microsoft's permissions reference matches them
// (reference.NormalizePath), in any letter case.
func SamePath(template, path string) bool {
	return versionOf(template) == versionOf(path) && reference.NormalizePath(template) == reference.NormalizePath(path)
}

// Get returns the request with exactly this service, method and template.
func (d *Data) Get(service, method, template string) (Request, bool) {
	for _, r := range d.Requests {
		if r.Service == service && strings.EqualFold(r.Method, method) && r.Path == template {
			return r, true
		}
	}
	return Request{}, false
}

// versionOf is the first segment of a path: "v1.0", "beta" or "v1".
func versionOf(path string) string {
	p := path
	if i := strings.Index(p, "://"); i >= 0 {
		p = p[i+3:]
		if j := strings.IndexByte(p, '/'); j >= 0 {
			p = p[j:]
		}
	}
	p = strings.TrimLeft(p, "/")
	if strings.HasPrefix(p, "graph/") || strings.HasPrefix(p, "partnercenter/") {
		p = p[strings.IndexByte(p, '/')+1:]
	}
	if i := strings.IndexAny(p, "/?"); i >= 0 {
		p = p[:i]
	}
	return strings.ToLower(p)
}

// PermissionID is the GUID of a Microsoft Graph permission: its delegated scope id
// (application false) or its application role id. Names compare in any letter case.
func (d *Data) PermissionID(name string, application bool) (string, bool) {
	m := d.Delegated
	if application {
		m = d.Application
	}
	if id, ok := m[name]; ok {
		return id, true
	}
	for n, id := range m {
		if strings.EqualFold(n, name) {
			return id, true
		}
	}
	return "", false
}

// PermissionName is the name of the delegated (or application) permission with this GUID.
func (d *Data) PermissionName(id string, application bool) (string, bool) {
	m := d.Delegated
	if application {
		m = d.Application
	}
	for n, x := range m {
		if strings.EqualFold(x, id) {
			return n, true
		}
	}
	return "", false
}

// RoleID is the template id of an Entra built-in role, by the name the pages use.
func (d *Data) RoleID(name string) (string, bool) {
	for n, id := range d.Roles {
		if strings.EqualFold(n, name) {
			return id, true
		}
	}
	return "", false
}

// Satisfied says whether holding perms meets one of the alternatives (every permission of it).
// No alternatives at all means the request needs no permission of its own.
func Satisfied(alternatives [][]string, perms []string) bool {
	if len(alternatives) == 0 {
		return true
	}
	for _, alt := range alternatives {
		if containsAll(perms, alt) {
			return true
		}
	}
	return false
}

// Missing names what perms lack of the least-privileged alternative that needs the fewest
// additions, for a sentence; nil when Satisfied.
func Missing(alternatives [][]string, perms []string) []string {
	if Satisfied(alternatives, perms) {
		return nil
	}
	var best []string
	for _, alt := range alternatives {
		var lack []string
		for _, p := range alt {
			if !containsFold(perms, p) {
				lack = append(lack, p)
			}
		}
		if best == nil || len(lack) < len(best) {
			best = lack
		}
	}
	return best
}

// SupportsQuery says whether the page supports the query option (case-insensitive; "$"
// optional on both sides).
func (r Request) SupportsQuery(option string) bool {
	if r.AnyQuery {
		return true
	}
	o := strings.TrimPrefix(strings.ToLower(option), "$")
	for _, q := range r.Query {
		if strings.TrimPrefix(strings.ToLower(q), "$") == o {
			return true
		}
	}
	return false
}

// CanFilterOn says whether the response type's page lets $filter use property (true when the
// page marks no property at all, as then it says nothing either way).
func (r Request) CanFilterOn(property string) bool {
	if r.Filterable == nil {
		return true
	}
	return containsFold(r.Filterable, property)
}

// LeastDelegated are the alternatives the page marks least privileged.
func (r Request) LeastDelegated() [][]string {
	n := r.Least
	if n == 0 || n > len(r.Delegated) {
		n = len(r.Delegated)
	}
	return r.Delegated[:n]
}

// Condition returns the request's condition for case when.
func (r Request) Condition(when string) (Condition, bool) {
	for _, c := range r.Conditions {
		if c.When == when {
			return c, true
		}
	}
	return Condition{}, false
}

// Key is "METHOD path", for messages and maps.
func (r Request) Key() string { return r.Method + " " + r.Path }

// Sort orders requests by service, path, then method, as the generated file lists them.
func Sort(rs []Request) {
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Service != rs[j].Service {
			return rs[i].Service < rs[j].Service
		}
		if rs[i].Path != rs[j].Path {
			return rs[i].Path < rs[j].Path
		}
		return rs[i].Method < rs[j].Method
	})
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !containsFold(have, w) {
			return false
		}
	}
	return true
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// Fill gives item every property of the request's shape for its @odata.type that it lacks, at
// the shape's empty value, in its objects too. An item whose type the examples do not name takes
// the shape of their untyped objects; an item without @odata.type takes the shape of a request
// whose examples show one type only (with its @odata.type). item itself is not changed;
// a request without a shape gives item back.
func (r Request) Fill(item map[string]any) map[string]any {
	typ, _ := item["@odata.type"].(string)
	shape, ok := r.Shapes[typ]
	if !ok {
		shape, ok = r.Shapes[""] // the examples name no type: the request's own
	}
	if !ok && typ == "" && len(r.Shapes) == 1 {
		for _, only := range r.Shapes {
			shape, ok = only, true
		}
	}
	if !ok {
		return item
	}
	return fill(item, shape)
}

func fill(item, shape map[string]any) map[string]any {
	out := make(map[string]any, len(shape)+len(item))
	for k, v := range item {
		out[k] = v
	}
	for k, v := range shape {
		have, ok := out[k]
		if !ok {
			out[k] = copyEmpty(v)
			continue
		}
		if ho, isObj := have.(map[string]any); isObj {
			if so, shaped := v.(map[string]any); shaped {
				out[k] = fill(ho, so)
			}
		}
	}
	return out
}

// copyEmpty copies a shape's empty value, so that no answer shares the shape's maps.
func copyEmpty(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return fill(map[string]any{}, x)
	case []any:
		return []any{}
	}
	return v
}
