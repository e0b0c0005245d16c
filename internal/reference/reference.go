// Package reference makes Microsoft's own Microsoft Graph reference data queryable, so that the
// app's Graph client and its simulated cloud (the sandbox) can be held to it in tests.
//
// The data lives in data/ (embedded, so the package works from any working directory):
//
//   - permissions.json (microsoftgraph/microsoft-graph-devx-content): for each permission, the
//     request paths, methods and schemes (DelegatedWork, DelegatedPersonal, Application) it
//     covers, and which of them it is the least-privileged permission for;
//   - permissions-descriptions.json (same repository): permission names and their GUIDs;
//   - v1.0-*-types.json and beta-*-types.json (microsoftgraph/msgraph-metadata): the property and
//     navigation-property names that each entity and complex type declares itself;
//   - basetypes.json (derived by gen_basetypes.go from the same msgraph-metadata commit): the base
//     type of each type, because the type files above leave inheritance out.
//
// The first six are copied unchanged from Microsoft's repositories (see data/README.md); a test
// checks them byte for byte against shared/reference/msgraph when that folder is beside the repo.
//
// Load parses everything into a *Reference; nothing is cached at package level, so callers keep
// the value (Load takes about 170 ms on two cores; see BenchmarkLoad).
//
// Only tests and go generate (internal/reference/learn/gen) call Load: the app and the sandbox
// decide from internal/reference/learn's generated facts, so the 5.8 MB of data/ is not linked
// into the app binary (the linker drops dataFS when nothing reachable reads it; .ci/run checks
// the stripped binary). Functions that use no data (NormalizePath, DocumentedPaths) are free to
// use anywhere.
package reference

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

//go:embed data/*.json data/LICENSE-*
var dataFS embed.FS

// Reference is Microsoft's Graph reference data, parsed. It is read-only after Load and safe for
// concurrent use.
type Reference struct {
	routes *node // permissions.json paths as a trie of canonical segments

	privilege map[string]map[string]int // permission -> scheme -> privilegeLevel

	delegatedIDs   map[string]string // permission name -> delegated scope id
	applicationIDs map[string]string // permission name -> application role id
	delegatedCI    map[string]string // lower(name) -> name, for case-insensitive lookups
	applicationCI  map[string]string

	types map[string]*typeSet // "v1.0", "beta"
}

// Schemes used by permissions.json.
const (
	SchemeDelegatedWork     = "DelegatedWork"
	SchemeDelegatedPersonal = "DelegatedPersonal"
	SchemeApplication       = "Application"
)

// Load parses the embedded reference data. Each call parses afresh; keep the result.
func Load() (*Reference, error) {
	r := &Reference{}
	if err := r.loadPermissions(); err != nil {
		return nil, err
	}
	if err := r.loadDescriptions(); err != nil {
		return nil, err
	}
	if err := r.loadTypes(); err != nil {
		return nil, err
	}
	return r, nil
}

func readData(name string) ([]byte, error) {
	b, err := dataFS.ReadFile("data/" + name)
	if err != nil {
		return nil, fmt.Errorf("reference: embedded %s: %w", name, err)
	}
	return b, nil
}

// ---- permissions.json ----

type permissionsFile struct {
	Permissions map[string]struct {
		Schemes map[string]struct {
			PrivilegeLevel int `json:"privilegeLevel"`
		} `json:"schemes"`
		PathSets []struct {
			SchemeKeys []string          `json:"schemeKeys"`
			Methods    []string          `json:"methods"`
			Paths      map[string]string `json:"paths"`
		} `json:"pathSets"`
	} `json:"permissions"`
}

func (r *Reference) loadPermissions() error {
	b, err := readData("permissions.json")
	if err != nil {
		return err
	}
	var f permissionsFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("reference: permissions.json: %w", err)
	}
	if len(f.Permissions) == 0 {
		return fmt.Errorf("reference: permissions.json: no permissions")
	}
	r.routes = newNode()
	r.privilege = make(map[string]map[string]int, len(f.Permissions))
	for name, p := range f.Permissions {
		levels := make(map[string]int, len(p.Schemes))
		for s, d := range p.Schemes {
			levels[s] = d.PrivilegeLevel
		}
		r.privilege[name] = levels
		for _, ps := range p.PathSets {
			schemes := schemeMask(ps.SchemeKeys)
			for path, annotation := range ps.Paths {
				least, also := parseAnnotation(annotation)
				n := r.routes.insert(templateSegments(path))
				for _, m := range ps.Methods {
					m = strings.ToUpper(m)
					n.grants[m] = append(n.grants[m], grant{
						permission:   name,
						schemes:      schemes,
						least:        least,
						alsoRequires: also,
					})
				}
			}
		}
	}
	return nil
}

// parseAnnotation reads a path's value in permissions.json: "" (covered, not least-privileged),
// "least=DelegatedWork,Application", or either followed by ";AlsoRequires=A,B" (or
// "AlsoRequires=..." alone).
func parseAnnotation(s string) (least uint8, also []string) {
	for _, part := range strings.Split(s, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "least":
			least = schemeMask(strings.Split(v, ","))
		case "alsorequires":
			for _, a := range strings.Split(v, ",") {
				if a = strings.TrimSpace(a); a != "" {
					also = append(also, a)
				}
			}
		}
	}
	return least, also
}

func schemeBit(s string) uint8 {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "delegatedwork":
		return 1
	case "delegatedpersonal":
		return 2
	case "application":
		return 4
	}
	return 0
}

func schemeMask(list []string) uint8 {
	var m uint8
	for _, s := range list {
		m |= schemeBit(s)
	}
	return m
}

// ---- permissions-descriptions.json ----

type descriptionsFile struct {
	Delegated   []permissionDescription `json:"delegatedScopesList"`
	Application []permissionDescription `json:"applicationScopesList"`
}

type permissionDescription struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

func (r *Reference) loadDescriptions() error {
	b, err := readData("permissions-descriptions.json")
	if err != nil {
		return err
	}
	var f descriptionsFile
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("reference: permissions-descriptions.json: %w", err)
	}
	if len(f.Delegated) == 0 || len(f.Application) == 0 {
		return fmt.Errorf("reference: permissions-descriptions.json: empty scope lists")
	}
	r.delegatedIDs, r.delegatedCI = indexDescriptions(f.Delegated)
	r.applicationIDs, r.applicationCI = indexDescriptions(f.Application)
	return nil
}

func indexDescriptions(list []permissionDescription) (ids, ci map[string]string) {
	ids = make(map[string]string, len(list))
	ci = make(map[string]string, len(list))
	for _, d := range list {
		ids[d.Value] = d.ID
		ci[strings.ToLower(d.Value)] = d.Value
	}
	return ids, ci
}

// PermissionID returns the GUID of a Microsoft Graph permission from
// permissions-descriptions.json: the delegated scope id (its "delegatedScopesList") for scheme
// "DelegatedWork" or "DelegatedPersonal", or the application role id ("applicationScopesList")
// for "Application". An exact name is tried first, then a case-insensitive one.
func (r *Reference) PermissionID(name, scheme string) (string, bool) {
	var ids, ci map[string]string
	switch schemeBit(scheme) {
	case 1, 2:
		ids, ci = r.delegatedIDs, r.delegatedCI
	case 4:
		ids, ci = r.applicationIDs, r.applicationCI
	default:
		return "", false
	}
	if id, ok := ids[name]; ok {
		return id, true
	}
	if exact, ok := ci[strings.ToLower(name)]; ok {
		return ids[exact], true
	}
	return "", false
}

// sortByPrivilege orders permission names by their privilegeLevel for the scheme (lowest
// first), then by name.
func (r *Reference) sortByPrivilege(names []string, scheme string) {
	level := func(n string) int {
		if l, ok := r.privilege[n][scheme]; ok {
			return l
		}
		return 1 << 30
	}
	sort.SliceStable(names, func(i, j int) bool {
		li, lj := level(names[i]), level(names[j])
		if li != lj {
			return li < lj
		}
		return names[i] < names[j]
	})
}
