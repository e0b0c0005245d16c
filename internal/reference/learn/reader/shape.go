package reader

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/onboard365/onboard365/internal/reference"
	"github.com/onboard365/onboard365/internal/reference/learn"
)

// Asks says whether an example's request is the request "METHOD template" of the index: each
// {id} of the template stands for a path segment or a part of one, the rest is itself (in any
// letter case). The pages document /me and /users/{id} as one request, and an object by its id
// or by its appId too (their HTTP request section names both ways), and often show only one, so
// either way counts.
func Asks(request string, m Message) bool {
	method, path, _ := strings.Cut(request, " ")
	for _, re := range templates(method, path) {
		if re.MatchString(m.Method + " " + requestPath(m.URL)) {
			return true
		}
	}
	return false
}

func templates(method, path string) []*regexp.Regexp {
	out := []*regexp.Regexp{template(method, path)}
	alias := path
	for _, v := range []string{"/v1.0", "/beta"} {
		if rest, ok := strings.CutPrefix(path, v+"/me"); ok && (rest == "" || rest[0] == '/') {
			alias = v + "/users/{id}" + rest
		}
	}
	if alias = strings.Replace(alias, "(appId={id})", "/{id}", 1); alias != path {
		out = append(out, template(method, alias))
	}
	return out
}

func template(method, path string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("(?i)^" + regexp.QuoteMeta(method) + " ")
	for rest := path; rest != ""; {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:open]))
		b.WriteString(`[^/]+`)
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			break
		}
		rest = rest[open+end+1:]
	}
	b.WriteString("/?$")
	return regexp.MustCompile(b.String())
}

// requestPath is the path of an example request's address.
func requestPath(address string) string {
	u, err := url.Parse(strings.ReplaceAll(address, " ", "%20"))
	if err != nil {
		return address
	}
	return u.Path
}

// Full says whether an example request asks for whole objects: no $select, no $expand.
func Full(m Message) bool {
	u, err := url.Parse(strings.ReplaceAll(m.URL, " ", "%20"))
	if err != nil {
		return false
	}
	q := u.Query()
	return !q.Has("$select") && !q.Has("$expand")
}

var (
	trailingComma = regexp.MustCompile(`,(\s*[}\]])`)
	placeholder   = regexp.MustCompile(`:\s*<([^<>"\n]*)>`)
)

// Body is an example answer's body as JSON: as the page writes it, or, when that is not JSON,
// mended of what shortening an example leaves (a trailing comma, a <placeholder> for a value).
// ok is false when even the mended body is not JSON.
func Body(m Message) (body json.RawMessage, repaired, ok bool) {
	b := strings.TrimSpace(m.Body)
	if b == "" {
		return nil, false, false
	}
	if m.JSON {
		return json.RawMessage(b), false, true
	}
	fixed := placeholder.ReplaceAllString(trailingComma.ReplaceAllString(b, "$1"), `: "<$1>"`)
	if !json.Valid([]byte(fixed)) {
		return nil, false, false
	}
	return json.RawMessage(fixed), true, true
}

// Items are the objects of an answer: the items of a collection ("value" in Graph, "items" in
// Partner Center), else the answer itself.
func Items(body json.RawMessage) []json.RawMessage {
	var page struct {
		Value *[]json.RawMessage `json:"value"`
		Items *[]json.RawMessage `json:"items"`
	}
	if json.Unmarshal(body, &page) == nil {
		switch {
		case page.Value != nil:
			return *page.Value
		case page.Items != nil:
			return *page.Items
		}
	}
	return []json.RawMessage{body}
}

// shapeSource is a request and the examples of its page, for its shape.
type shapeSource struct {
	index    int // in Data.Requests
	request  string
	typ      string // the type of the answer's objects, when the index names it
	examples []Example
}

// shapeKey names the objects a request answers: its path without a trailing id or alternate
// key, so that a list, its items and the POST that adds one share a shape.
func shapeKey(path string) string {
	path = strings.TrimSuffix(path, "(appId={id})")
	return strings.TrimSuffix(path, "/{id}")
}

// shapes reads what the answers of requests look like: for each @odata.type ("" for objects
// that name none), every property the page's full example answers of this request carry, at an
// empty value of its kind (see empty). A property some example answers null for is null in the
// shape, whatever the others hold: Graph answers null for a complex property that is not set
// (a policy's conditions.locations). Metadata about the answer (@odata.context, @odata.id,
// links) is left out; @odata.type is kept, as it names the type.
func shapes(requests []string, examples []Example) map[string]map[string]any {
	var items []map[string]any
	for _, ex := range examples {
		r := ex.Response
		if r.Status < 200 || r.Status >= 300 || !Full(ex.Request) || !slices.ContainsFunc(requests, func(req string) bool { return Asks(req, ex.Request) }) {
			continue
		}
		body, _, ok := Body(r)
		if !ok {
			continue
		}
		for _, raw := range Items(body) {
			var item map[string]any
			if json.Unmarshal(raw, &item) == nil {
				items = append(items, item)
			}
		}
	}
	nulls := map[string]bool{}
	for _, item := range items {
		findNulls("", item, nulls)
	}
	out := map[string]map[string]any{}
	for _, item := range items {
		typ, _ := item["@odata.type"].(string)
		if out[typ] == nil {
			out[typ] = map[string]any{}
		}
		merge(out[typ], item, "", nulls)
		if len(out[typ]) == 0 {
			delete(out, typ) // "{ }": an answer with nothing in it
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// schemaOnly drops from a Graph request's shapes the properties that their type (an untyped
// shape's: typ) does not have in the request's version: some of Microsoft's v1.0 examples show
// beta properties (publisherName on a servicePrincipal), which a v1.0 answer does not carry.
// It gives the type's name as the schema writes it.
func schemaOnly(sh map[string]map[string]any, req learn.Request, typ string, types *reference.Reference) (string, error) {
	if req.Service != learn.Graph {
		return "", nil
	}
	version := "v1.0"
	if strings.HasPrefix(req.Path, "/beta/") {
		version = "beta"
	}
	canonical := ""
	if typ != "" {
		var ok bool
		if canonical, ok = types.TypeName(version, typ); !ok {
			return "", fmt.Errorf("the type %q is not in Graph's %s schema", typ, version)
		}
	}
	for odataType, shape := range sh {
		name := odataType
		if name == "" {
			name = typ
		}
		if name == "" {
			return "", errors.New("the index names no type for them (entry schema or typ)")
		}
		if _, ok := types.TypeName(version, name); !ok {
			return "", fmt.Errorf("the type %q is not in Graph's %s schema", name, version)
		}
		for prop := range shape {
			if !types.HasProperty(version, name, prop) {
				delete(shape, prop)
			}
		}
		if canonical == "" && odataType != "" {
			canonical, _ = types.TypeName(version, odataType)
		}
	}
	return canonical, nil
}

// findNulls marks the paths of the properties an item answers null for.
func findNulls(at string, item map[string]any, nulls map[string]bool) {
	for k, v := range item {
		switch x := v.(type) {
		case nil:
			nulls[at+k] = true
		case map[string]any:
			findNulls(at+k+".", x, nulls)
		}
	}
}

// merge adds to shape the properties of item it lacks, at their empty values, and the
// properties of item's objects to the shape's objects.
func merge(shape, item map[string]any, at string, nulls map[string]bool) {
	for k, v := range item {
		if metadata(k) {
			continue
		}
		if k == "@odata.type" {
			// It names the type of the object: kept for the top-level object, whose shape it
			// picks; a nested object's type is the sandbox's to say (a policy's externalTenants
			// is one of several derived types).
			if at == "" {
				shape[k] = v
			}
			continue
		}
		if nulls[at+k] {
			shape[k] = nil
			continue
		}
		if o, isObj := v.(map[string]any); isObj {
			ho, ok := shape[k].(map[string]any)
			if !ok {
				ho = map[string]any{}
				shape[k] = ho
			}
			merge(ho, o, at+k+".", nulls)
			continue
		}
		if _, seen := shape[k]; !seen {
			shape[k] = empty(v)
		}
	}
}

// metadata names the annotations that are about the answer, not the object.
func metadata(k string) bool {
	switch k {
	case "@odata.context", "@odata.id", "@odata.editLink", "@odata.nextLink", "@odata.count", "@odata.etag":
		return true
	}
	return false
}

// empty is the empty value of a JSON value's kind: [] for a list, "" for an empty string
// (Microsoft sends "" for some unset values, and a reader must cope), null for anything else.
func empty(v any) any {
	switch x := v.(type) {
	case []any:
		return []any{}
	case string:
		if x == "" {
			return ""
		}
	}
	return nil
}
