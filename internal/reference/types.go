package reference

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// What the type files say, and the rule this package uses:
//
// v1.0-entity-types.json, v1.0-complex-types.json, beta-entity-types.json and
// beta-complex-types.json map namespace -> type name -> {properties, navigationProperties}.
// msgraph-metadata's scripts/generate-type-mappings.ps1 writes only the properties a type
// declares itself (the CSDL <Property> and <NavigationProperty> children) and drops the BaseType
// attribute. So "delegatedAdminRelationship" lists no "id" (it comes from "entity"),
// "identitySecurityDefaultsEnforcementPolicy" lists only "isEnabled" (displayName and
// description come from "policyBase"), and "conditionalAccessEnumeratedExternalTenants" lists
// only "members" (membershipKind comes from "conditionalAccessExternalTenants").
//
// The rule: a type's properties are its own properties and navigation properties plus those of
// every base type, following data/basetypes.json (derived from the CSDL of the same commit; exact
// for v1.0, best effort for beta, see data/README.md). In addition:
//   - every entity type has "id" (nearly all derive from microsoft.graph.entity; this also covers
//     beta types whose base type is unknown);
//   - a name starting with "@" is an instance annotation ("@odata.type", "@odata.context",
//     "@odata.nextLink", "@odata.etag", ...) and is always allowed;
//   - "name@annotation" (for example "members@odata.bind") is allowed when "name" is a property.
// Property names are case-sensitive, as Graph writes them. Open types are treated as closed: an
// undeclared ("dynamic") property is reported, because for this app that is almost always a typo.

type typeInfo struct {
	name   string   // fully qualified, e.g. microsoft.graph.user
	entity bool     // from the entity-types file
	own    []string // own properties and navigation properties, sorted
	base   *typeInfo
}

type typeSet struct {
	byName  map[string]*typeInfo
	byLower map[string]*typeInfo
}

type typeFile map[string]map[string]struct {
	Properties           []string `json:"properties"`
	NavigationProperties []string `json:"navigationProperties"`
}

type baseTypesFile struct {
	V1   map[string]string `json:"v1.0"`
	Beta map[string]string `json:"beta"`
}

func (r *Reference) loadTypes() error {
	b, err := readData("basetypes.json")
	if err != nil {
		return err
	}
	var bases baseTypesFile
	if err := json.Unmarshal(b, &bases); err != nil {
		return fmt.Errorf("reference: basetypes.json: %w", err)
	}
	r.types = map[string]*typeSet{}
	for _, v := range []struct {
		version string
		bases   map[string]string
	}{{"v1.0", bases.V1}, {"beta", bases.Beta}} {
		ts := &typeSet{byName: map[string]*typeInfo{}, byLower: map[string]*typeInfo{}}
		for _, kind := range []string{"entity", "complex"} {
			name := v.version + "-" + kind + "-types.json"
			b, err := readData(name)
			if err != nil {
				return err
			}
			var f typeFile
			if err := json.Unmarshal(b, &f); err != nil {
				return fmt.Errorf("reference: %s: %w", name, err)
			}
			for ns, types := range f {
				for t, d := range types {
					own := make([]string, 0, len(d.Properties)+len(d.NavigationProperties))
					own = append(own, d.Properties...)
					own = append(own, d.NavigationProperties...)
					sort.Strings(own)
					full := ns + "." + t
					ti := &typeInfo{name: full, entity: kind == "entity", own: own}
					ts.byName[full] = ti
					ts.byLower[strings.ToLower(full)] = ti
				}
			}
		}
		if len(ts.byName) == 0 {
			return fmt.Errorf("reference: no %s types", v.version)
		}
		for t, base := range v.bases {
			ti, bi := ts.byName[t], ts.byName[base]
			if ti != nil && bi != nil && ti != bi {
				ti.base = bi
			}
		}
		r.types[v.version] = ts
	}
	return nil
}

func (r *Reference) typeSet(version string) *typeSet {
	switch strings.ToLower(strings.TrimSpace(version)) {
	case "v1.0", "/v1.0":
		return r.types["v1.0"]
	case "beta", "/beta":
		return r.types["beta"]
	}
	return nil
}

// resolve finds a type by short name ("user", in microsoft.graph), namespace-relative name
// ("security.alert"), full name ("microsoft.graph.user") or @odata.type ("#microsoft.graph.user");
// exact case first, then case-insensitively.
func (ts *typeSet) resolve(name string) *typeInfo {
	if ts == nil {
		return nil
	}
	name = strings.TrimPrefix(strings.TrimSpace(name), "#")
	if name == "" {
		return nil
	}
	candidates := []string{name}
	if !strings.HasPrefix(name, "microsoft.graph.") {
		candidates = append(candidates, "microsoft.graph."+name)
	}
	for _, c := range candidates {
		if t := ts.byName[c]; t != nil {
			return t
		}
	}
	for _, c := range candidates {
		if t := ts.byLower[strings.ToLower(c)]; t != nil {
			return t
		}
	}
	return nil
}

// has reports whether property is declared on t or a base type, or is "id" of an entity type.
func (t *typeInfo) has(property string) bool {
	entity := false
	for i, x := 0, t; x != nil && i < 64; i, x = i+1, x.base {
		j := sort.SearchStrings(x.own, property)
		if j < len(x.own) && x.own[j] == property {
			return true
		}
		entity = entity || x.entity
	}
	return entity && property == "id"
}

// derivesFrom reports whether t is base or derives from it.
func (t *typeInfo) derivesFrom(base *typeInfo) bool {
	for i, x := 0, t; x != nil && i < 64; i, x = i+1, x.base {
		if x == base {
			return true
		}
	}
	return false
}

func hasProperty(t *typeInfo, property string) bool {
	if t == nil || property == "" {
		return false
	}
	if property[0] == '@' {
		return true
	}
	if name, _, ok := strings.Cut(property, "@"); ok {
		return name != "" && t.has(name)
	}
	return t.has(property)
}

// HasProperty reports whether property may appear on typeName in version ("v1.0" or "beta"):
// declared by the entity or complex type or one of its base types (structural or navigation
// property), "id" on any entity type, an "@..." instance annotation, or "prop@annotation" for a
// property prop. typeName is "delegatedAdminRelationship", "security.alert",
// "microsoft.graph.delegatedAdminRelationship" or "#microsoft.graph.delegatedAdminRelationship".
// False for an unknown version or type.
func (r *Reference) HasProperty(version, typeName, property string) bool {
	return hasProperty(r.typeSet(version).resolve(typeName), property)
}

// Properties returns the sorted property names of typeName in version: its own and inherited
// structural and navigation properties, plus "id" for entity types. false for an unknown version
// or type.
func (r *Reference) Properties(version, typeName string) ([]string, bool) {
	t := r.typeSet(version).resolve(typeName)
	if t == nil {
		return nil, false
	}
	set := map[string]bool{}
	entity := false
	for i, x := 0, t; x != nil && i < 64; i, x = i+1, x.base {
		for _, p := range x.own {
			set[p] = true
		}
		entity = entity || x.entity
	}
	if entity {
		set["id"] = true
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, true
}

// TypeName returns the fully qualified name that typeName resolves to in version.
func (r *Reference) TypeName(version, typeName string) (string, bool) {
	t := r.typeSet(version).resolve(typeName)
	if t == nil {
		return "", false
	}
	return t.name, true
}

// CheckJSON checks a JSON document against typeName in version and returns the problems found,
// each naming where in the document it is ("$.value[0].dispalyName: ..."); nil when none.
//
//   - Every member name of the top-level object must pass HasProperty for typeName.
//   - A Graph collection ({"value": [...], "@odata.nextLink": ...}, when typeName has no "value"
//     property itself) and a top-level array are checked item by item.
//   - nested maps a property name to the complex (or entity) type of its value, for example
//     {"accessDetails": "delegatedAdminAccessDetails", "unifiedRoles": "unifiedRole"}; objects
//     (or arrays of objects) under that name are checked against that type, at any depth.
//     Properties not in nested are not looked into.
//   - An object carrying "@odata.type" is checked against that type, which must be the expected
//     type or derive from it.
func (r *Reference) CheckJSON(version, typeName string, doc []byte, nested map[string]string) []string {
	ts := r.typeSet(version)
	if ts == nil {
		return []string{fmt.Sprintf("unknown API version %q (want v1.0 or beta)", version)}
	}
	t := ts.resolve(typeName)
	if t == nil {
		return []string{fmt.Sprintf("unknown type %q in %s", typeName, version)}
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{fmt.Sprintf("invalid JSON: %v", err)}
	}
	if dec.More() {
		return []string{"invalid JSON: more than one value"}
	}
	c := &checker{ts: ts, version: version, nested: map[string]*typeInfo{}}
	for prop, tn := range nested {
		nt := ts.resolve(tn)
		if nt == nil {
			c.problems = append(c.problems, fmt.Sprintf("nested[%q]: unknown type %q in %s", prop, tn, version))
			continue
		}
		c.nested[prop] = nt
	}
	sort.Strings(c.problems)
	switch x := v.(type) {
	case map[string]any:
		if items, ok := x["value"].([]any); ok && !t.has("value") && onlyAnnotationsBesidesValue(x) {
			for i, it := range items {
				c.item(t, it, "$.value["+strconv.Itoa(i)+"]")
			}
		} else {
			c.object(t, x, "$")
		}
	case []any:
		for i, it := range x {
			c.item(t, it, "$["+strconv.Itoa(i)+"]")
		}
	default:
		c.problems = append(c.problems, fmt.Sprintf("$: a JSON object is expected for %s, got %s", t.name, kind(v)))
	}
	return c.problems
}

func onlyAnnotationsBesidesValue(m map[string]any) bool {
	for k := range m {
		if k != "value" && !strings.HasPrefix(k, "@") {
			return false
		}
	}
	return true
}

type checker struct {
	ts       *typeSet
	version  string
	nested   map[string]*typeInfo
	problems []string
}

func (c *checker) add(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

func (c *checker) item(t *typeInfo, v any, at string) {
	switch x := v.(type) {
	case map[string]any:
		c.object(t, x, at)
	case nil:
	default:
		c.add("%s: a JSON object is expected for %s, got %s", at, t.name, kind(v))
	}
}

func (c *checker) object(t *typeInfo, m map[string]any, at string) {
	if ot, ok := m["@odata.type"].(string); ok {
		actual := c.ts.resolve(ot)
		switch {
		case actual == nil:
			c.add("%s.@odata.type: unknown type %q in %s", at, ot, c.version)
		case !actual.derivesFrom(t):
			c.add("%s.@odata.type: %s is not %s and does not derive from it", at, actual.name, t.name)
			t = actual
		default:
			t = actual
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if !hasProperty(t, k) {
			c.add("%s.%s: not a property of %s (%s)", at, k, t.name, c.version)
			continue
		}
		nt := c.nested[k]
		if nt == nil {
			continue
		}
		switch x := m[k].(type) {
		case map[string]any:
			c.object(nt, x, at+"."+k)
		case []any:
			for i, it := range x {
				if obj, ok := it.(map[string]any); ok {
					c.object(nt, obj, at+"."+k+"["+strconv.Itoa(i)+"]")
				}
			}
		}
	}
}

func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case json.Number:
		return "a number"
	case string:
		return "a string"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
