package reference

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// How permissions.json writes paths (permissions/new/permissions.json, commit 6cbd6bb), and so
// how this package matches the paths that the app sends:
//
//   - No version prefix: one path covers both /v1.0 and /beta. Allows therefore cannot tell
//     whether a path exists in v1.0 or only in beta.
//   - Mostly lowercase, but not always (about 1,400 of 7,300 paths keep camelCase, such as
//     "/users/{id}/revokeSignInSessions", sometimes next to an all-lowercase twin). Matching is
//     case-insensitive.
//   - Ids are placeholders in braces: almost always "{id}", sometimes a named one ("{user-id}",
//     "{policyId}", "{item-path}"). Any whole segment in braces matches any one segment.
//   - Alternate keys and function parameters are written in parentheses with placeholder values:
//     "/serviceprincipals(appid={value})", "/applications(appid={value})/addpassword",
//     "/reports/getoffice365activeuserdetail(period={value})",
//     "/workplace/sensorDevices(deviceId='{id}')". Both sides are reduced to the same canonical
//     form: name lowercased, each argument "key={value}" (or "{value}" when positional), so
//     servicePrincipals(appId='00000003-0000-0000-c000-000000000000') matches.
//   - System segments keep their "$": "/users/{id}/transitivereports/$count",
//     ".../members/$ref", ".../$value". They never match an id placeholder.
//   - Type-cast segments are literal: "/applications/microsoft.graph.agentIdentityBlueprint/{id}".
//   - /$batch is absent: JSON batching needs no permission of its own (each request inside the
//     batch needs its own), so POST /v1.0/$batch is a documented path (DocumentedPaths).
//   - One path carries a query ("/agentRegistry/agentInstances?$filter=..."); queries are
//     ignored on both sides. One carries a literal call id
//     ("/communications/calls/57dab8b1894c409ab240bd8beae78896/answer"); it is kept literal.
//   - OneDrive path addressing ("/me/drive/root:/{id}:/content") is not modelled: segments are
//     split on "/" only, so such paths match only when written the same way.
//
// When a concrete segment could be both a literal and an id ("/users/delta" vs "/users/{id}"),
// the literal wins, as in OData routing; the id placeholder is tried only if the literal route
// leads nowhere.

// Errors from LeastPrivileged.
var (
	// ErrNotInReference: no permission in permissions.json covers the method and path.
	ErrNotInReference = errors.New("not in permissions.json")
	// ErrNoLeastPrivileged: permissions cover the path for the scheme, but none is marked least=.
	ErrNoLeastPrivileged = errors.New("no permission marked least-privileged")
)

type grant struct {
	permission   string
	schemes      uint8 // schemeKeys of the path set
	least        uint8 // schemes for which this permission is marked least= on this path
	alsoRequires []string
}

type node struct {
	lit    map[string]*node
	wild   *node
	grants map[string][]grant // method -> grants; non-empty only where a path ends
}

func newNode() *node { return &node{grants: map[string][]grant{}} }

func (n *node) insert(segs []string) *node {
	for _, s := range segs {
		if s == idPlaceholder {
			if n.wild == nil {
				n.wild = newNode()
			}
			n = n.wild
			continue
		}
		if n.lit == nil {
			n.lit = map[string]*node{}
		}
		c := n.lit[s]
		if c == nil {
			c = newNode()
			n.lit[s] = c
		}
		n = c
	}
	return n
}

// match walks the trie; literals first, then the id placeholder, backtracking.
func (n *node) match(segs []string) *node {
	if len(segs) == 0 {
		if len(n.grants) > 0 {
			return n
		}
		return nil
	}
	s := segs[0]
	if s != idPlaceholder {
		if c := n.lit[s]; c != nil {
			if m := c.match(segs[1:]); m != nil {
				return m
			}
		}
	}
	if n.wild != nil && canBeID(s) {
		return n.wild.match(segs[1:])
	}
	return nil
}

const (
	idPlaceholder    = "{id}"
	valuePlaceholder = "{value}"
)

// canBeID reports whether a canonical segment may stand where an id placeholder is.
func canBeID(s string) bool {
	return s != "" && !strings.HasPrefix(s, "$") && !strings.Contains(s, "(")
}

// NormalizePath turns a request path as the app sends it into the form that permissions.json
// uses: scheme and host dropped ("https://graph.microsoft.com/v1.0/me" -> "/me"), the "/v1.0" or
// "/beta" prefix dropped, query and fragment dropped, percent-escapes decoded, empty segments
// dropped, everything lowercased, and ids replaced by "{id}". An id is a segment in braces, a
// GUID or GUID-like string (hex digits and dashes with at least one digit and four characters,
// which covers GDAP relationship ids "<guid>-<guid>"), a number, or anything with "@" (a UPN).
// Parenthesised keys and parameters become "name(key={value},...)".
//
// Example: "/v1.0/tenantRelationships/delegatedAdminRelationships/1234-abc/accessAssignments?$top=5"
// -> "/tenantrelationships/delegatedadminrelationships/{id}/accessassignments".
//
// Allows does not depend on the id guess: it matches segments against the reference literally
// first and then against id placeholders.
func NormalizePath(path string) string {
	_, segs := splitPath(path, true)
	return "/" + strings.Join(segs, "/")
}

// splitPath returns the version prefix ("v1.0", "beta" or "") and the canonical segments.
func splitPath(p string, markIDs bool) (version string, segs []string) {
	p = strings.TrimSpace(p)
	if i := strings.Index(p, "://"); i >= 0 {
		rest := p[i+3:]
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			p = rest[j:]
		} else {
			p = "/"
		}
	}
	p = cutQuery(p)
	if u, err := url.PathUnescape(p); err == nil {
		p = cutQuery(u)
	}
	for _, s := range strings.Split(p, "/") {
		if strings.TrimSpace(s) == "" {
			continue
		}
		if len(segs) == 0 && version == "" {
			switch strings.ToLower(s) {
			case "v1.0":
				version = "v1.0"
				continue
			case "beta":
				version = "beta"
				continue
			}
		}
		c := canonSegment(s)
		if markIDs && looksLikeID(c) {
			c = idPlaceholder
		}
		segs = append(segs, c)
	}
	return version, segs
}

func cutQuery(p string) string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		return p[:i]
	}
	return p
}

// templateSegments canonicalises a path from permissions.json.
func templateSegments(p string) []string {
	_, segs := splitPath(p, false)
	return segs
}

// canonSegment lowercases a segment, turns "{anything}" into "{id}" and canonicalises
// parenthesised keys and parameters.
func canonSegment(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '{' && s[len(s)-1] == '}' {
		return idPlaceholder
	}
	if i := strings.IndexByte(s, '('); i >= 0 && strings.HasSuffix(s, ")") {
		name := strings.ToLower(strings.TrimSpace(s[:i]))
		args := strings.TrimSpace(s[i+1 : len(s)-1])
		if args == "" {
			if name == "" {
				return "()"
			}
			return name // "delta()" is the same function as "delta"
		}
		return name + "(" + canonArgs(args) + ")"
	}
	return strings.ToLower(s)
}

// canonArgs turns "appId='x', b=2" or "'x'" into "appid={value},b={value}" or "{value}".
func canonArgs(args string) string {
	var parts []string
	depth, inQuote, start := 0, false, 0
	for i := 0; i < len(args); i++ {
		switch c := args[i]; {
		case c == '\'':
			inQuote = !inQuote
		case inQuote:
		case c == '(' || c == '{':
			depth++
		case c == ')' || c == '}':
			if depth > 0 {
				depth--
			}
		case c == ',' && depth == 0:
			parts = append(parts, args[start:i])
			start = i + 1
		}
	}
	parts = append(parts, args[start:])
	for i, a := range parts {
		a = strings.TrimSpace(a)
		k, _, ok := strings.Cut(a, "=")
		k = strings.TrimSpace(k)
		if ok && k != "" && !strings.ContainsAny(k, "'{}()") {
			parts[i] = strings.ToLower(k) + "=" + valuePlaceholder
		} else {
			parts[i] = valuePlaceholder
		}
	}
	return strings.Join(parts, ",")
}

// looksLikeID guesses whether a canonical (lowercased) segment is an id; see NormalizePath.
func looksLikeID(s string) bool {
	if s == idPlaceholder {
		return true
	}
	if strings.Contains(s, "@") {
		return canBeID(s)
	}
	if len(s) < 4 {
		return isDigits(s)
	}
	digit := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digit = true
		case c >= 'a' && c <= 'f', c == '-':
		default:
			return false
		}
	}
	return digit
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// lookup finds the grants for method and path, or nil.
func (r *Reference) lookup(method, path string) []grant {
	_, segs := splitPath(path, false)
	n := r.routes.match(segs)
	if n == nil {
		return nil
	}
	return n.grants[strings.ToUpper(strings.TrimSpace(method))]
}

// Allows reports whether some permission in permissions.json covers method and path. path is
// the request path as the app sends it (version prefix, ids and query included); see
// NormalizePath and the notes at the top of this file for how it is matched. The API version
// is not checked: permissions.json does not record it.
func (r *Reference) Allows(method, path string) bool {
	return len(r.lookup(method, path)) > 0
}

// AllowsOrDocumented reports whether Allows(method, path) holds or the request matches one of
// DocumentedPaths (there the version prefix must match too).
func (r *Reference) AllowsOrDocumented(method, path string) bool {
	if r.Allows(method, path) {
		return true
	}
	_, ok := MatchDocumented(method, path)
	return ok
}

// LeastPrivileged returns the permissions that permissions.json marks least-privileged
// ("least=") for scheme ("DelegatedWork", "DelegatedPersonal" or "Application") on method and
// path, lowest privilegeLevel first, then by name. Several may be marked for one path (for
// example both DelegatedAdminRelationship.Read.All and .ReadWrite.All for GET
// /tenantRelationships/delegatedAdminRelationships). The error wraps ErrNotInReference when no
// permission covers the request for that scheme, and ErrNoLeastPrivileged when some do but none
// is marked (for example POST /oauth2PermissionGrants); use Permissions then.
func (r *Reference) LeastPrivileged(method, path, scheme string) ([]string, error) {
	bit := schemeBit(scheme)
	if bit == 0 {
		return nil, fmt.Errorf("reference: unknown permission scheme %q", scheme)
	}
	var names, all []string
	seen := map[string]bool{}
	for _, g := range r.lookup(method, path) {
		if g.schemes&bit == 0 {
			continue
		}
		all = append(all, g.permission)
		if g.least&bit != 0 && !seen[g.permission] {
			seen[g.permission] = true
			names = append(names, g.permission)
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("reference: %s %s for %s: %w", method, NormalizePath(path), scheme, ErrNotInReference)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("reference: %s %s for %s: %w", method, NormalizePath(path), scheme, ErrNoLeastPrivileged)
	}
	r.sortByPrivilege(names, canonicalScheme(bit))
	return names, nil
}

// Permissions returns every permission that covers method and path for scheme, least-privileged
// ones and others alike, lowest privilegeLevel first, then by name. Nil when none.
func (r *Reference) Permissions(method, path, scheme string) []string {
	bit := schemeBit(scheme)
	if bit == 0 {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	for _, g := range r.lookup(method, path) {
		if g.schemes&bit != 0 && !seen[g.permission] {
			seen[g.permission] = true
			names = append(names, g.permission)
		}
	}
	r.sortByPrivilege(names, canonicalScheme(bit))
	return names
}

func canonicalScheme(bit uint8) string {
	switch bit {
	case 1:
		return SchemeDelegatedWork
	case 2:
		return SchemeDelegatedPersonal
	default:
		return SchemeApplication
	}
}

// DocumentedPath is a request that the app may make although permissions.json does not list
// it, with the Microsoft Learn page that documents it.
type DocumentedPath struct {
	Method   string // HTTP method
	Path     string // template with the version prefix, ids as {id}
	LearnURL string // Microsoft Learn page for the request
	Why      string // why it is absent from permissions.json and what it needs instead
}

// DocumentedPaths lists the requests that the app may make that are absent from
// permissions.json. Checked against permissions.json 6cbd6bb (2026-08-07): none of them is in
// it (a test keeps it so). GET /beta/auditLogs/signIns is in permissions.json (AuditLog.Read.All)
// and so is not listed.
func DocumentedPaths() []DocumentedPath {
	return []DocumentedPath{
		{
			Method:   "PATCH",
			Path:     "/beta/users/{id}/authentication/signInPreferences",
			LearnURL: "https://learn.microsoft.com/graph/api/authentication-update?view=graph-rest-beta",
			Why: "Sets a user's default MFA method (userPreferredMethodForSecondaryAuthentication); beta only, " +
				"absent from permissions.json. Learn: least privileged UserAuthenticationMethod.ReadWrite " +
				"(delegated and application), higher UserAuthenticationMethod.ReadWrite.All; an admin acting " +
				"on another user needs Authentication Administrator or Privileged Authentication Administrator. " +
				"204 No Content.",
		},
		{
			Method:   "GET",
			Path:     "/beta/users/{id}/authentication/signInPreferences",
			LearnURL: "https://learn.microsoft.com/graph/api/authentication-get?view=graph-rest-beta",
			Why: "Reads a user's default MFA method and whether system-preferred MFA is enabled; beta only, " +
				"absent from permissions.json. Learn: least privileged UserAuthenticationMethod.Read, higher " +
				"UserAuthenticationMethod.ReadWrite; an admin acting on another user needs Global Reader, " +
				"Authentication Administrator or Privileged Authentication Administrator.",
		},
		{
			Method:   "POST",
			Path:     "/v1.0/groups/{id}/members/$ref",
			LearnURL: "https://learn.microsoft.com/graph/api/group-post-members",
			Why: "Adds a member to a group; on Learn but absent from permissions.json (which lists only GET " +
				"/groups/{id}/members). Least privileged GroupMember.ReadWrite.All; for a role-assignable group " +
				"the signed-in user also needs Privileged Role Administrator (or to own the group).",
		},
		{
			Method:   "POST",
			Path:     "/v1.0/$batch",
			LearnURL: "https://learn.microsoft.com/graph/json-batching",
			Why: "JSON batching endpoint (at most 20 requests); it needs no permission of its own, each " +
				"request inside the batch needs its own and must itself pass Allows.",
		},
		{
			Method:   "POST",
			Path:     "/beta/$batch",
			LearnURL: "https://learn.microsoft.com/graph/json-batching",
			Why: "The same JSON batching endpoint on beta, for beta requests (signInPreferences); each request " +
				"inside needs its own permission and must itself pass AllowsOrDocumented.",
		},
	}
}

// MatchDocumented returns the entry of DocumentedPaths that matches method and path (version
// prefix, literal segments case-insensitively, {id} for any id segment; query ignored).
func MatchDocumented(method, path string) (DocumentedPath, bool) {
	method = strings.ToUpper(strings.TrimSpace(method))
	version, segs := splitPath(path, false)
	for _, d := range DocumentedPaths() {
		if d.Method != method {
			continue
		}
		dv, dsegs := splitPath(d.Path, false)
		if dv != version || len(dsegs) != len(segs) {
			continue
		}
		ok := true
		for i, s := range dsegs {
			if s == idPlaceholder {
				ok = canBeID(segs[i])
			} else {
				ok = s == segs[i]
			}
			if !ok {
				break
			}
		}
		if ok {
			return d, true
		}
	}
	return DocumentedPath{}, false
}
