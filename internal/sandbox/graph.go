package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/onboard365/onboard365/internal/reference/learn"
)

// Microsoft Graph: the shared machinery of the simulated endpoints (authentication, paging,
// $select, $filter, errors). The endpoints themselves are in graph_*.go.

// graphCall is one authenticated Graph request, handled while the world's lock is held.
type graphCall struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	p    *principal
	page learn.Request // what Microsoft's page says about this request
}

// graphHandler is the body of one endpoint.
type graphHandler func(c *graphCall)

// endpoint wraps a handler with what Microsoft's page of the request says (internal/reference/
// learn), as Graph decides: the token must carry one of the page's permission alternatives
// (every permission of it), the signed-in user must hold one of the page's roles, and every
// query option must be one the page supports. Refusals are in Graph's error shape: 403
// Authorization_RequestDenied, 400 BadRequest. Then the handler runs with the world locked.
func (s *Server) endpoint(h graphHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		page, ok := s.pages.Get(learn.Graph, r.Method, templateOr(r.Pattern, r.URL.Path))
		if !ok {
			// The alternate-key route also catches segments that are no such key; any other
			// route without a page is a mistake in the sandbox (TestEveryRouteHasAPage).
			writeGraphError(w, http.StatusNotFound, "Request_ResourceNotFound", "Resource not found for the segment in "+r.Method+" "+r.URL.Path+".")
			return
		}
		p, authErr := s.authenticate(r, audGraph)
		if authErr != nil {
			writeGraphError(w, authErr.status, authErr.code, authErr.message)
			return
		}
		if missing := p.missingPermissions(page); missing != nil {
			writeGraphError(w, http.StatusForbidden, "Authorization_RequestDenied",
				"Insufficient privileges to complete the operation. (The token lacks "+strings.Join(missing, " and ")+".)")
			return
		}
		if msg := unsupportedQuery(page, r.URL.Query()); msg != "" {
			writeGraphError(w, http.StatusBadRequest, "BadRequest", msg)
			return
		}
		s.world.mu.Lock()
		defer s.world.mu.Unlock()
		c := &graphCall{s: s, w: w, r: r, p: p, page: page}
		if !c.inTenant() || !c.holdsRole(page.Roles, page.MemberUnlessRestricted) {
			return
		}
		h(c)
	}
}

// missingPermissions is what the caller's token lacks of the page's least-costly alternative, or
// nil when it carries one: delegated permissions (scp) for a user, application permissions
// (roles) for an app acting as itself.
func (p *principal) missingPermissions(page learn.Request) []string {
	if p.user == nil {
		if len(page.Application) == 0 && len(page.Delegated) > 0 {
			return []string{"a user: this request has no application permission"}
		}
		return learn.Missing(page.Application, p.roles)
	}
	return learn.Missing(page.Delegated, p.scopes)
}

// unsupportedQuery says why a request's query is refused, or "": an OData option the page does
// not support (Graph's $skiptoken is accepted wherever the sandbox gives a next link), or a
// $filter on a property the response type's page does not mark filterable.
func unsupportedQuery(page learn.Request, q url.Values) string {
	for key := range q {
		if !strings.HasPrefix(key, "$") || strings.EqualFold(key, "$skiptoken") {
			continue
		}
		if !page.SupportsQuery(key) {
			return "Query option '" + key + "' is not supported for this request."
		}
	}
	for _, prop := range filterProperties(q.Get("$filter")) {
		if !page.CanFilterOn(prop) {
			return "Invalid filter clause: filtering on the property '" + prop + "' is not supported."
		}
	}
	return ""
}

// filterProperties names the properties a $filter compares: the first property of each clause
// ("status/errorCode eq 53003" compares status; "startswith(displayName,'a')" displayName).
func filterProperties(filter string) []string {
	var out []string
	for _, clause := range splitAnd(strings.TrimSpace(filter)) {
		c := strings.TrimSpace(clause)
		c = strings.TrimLeft(c, "( ")
		c = strings.TrimPrefix(c, "not ")
		for _, fn := range []string{"startswith(", "endswith(", "contains("} {
			if strings.HasPrefix(strings.ToLower(c), fn) {
				c = c[len(fn):]
			}
		}
		end := 0
		for end < len(c) && (c[end] == '_' || c[end] == '@' || c[end] == '.' || unicode.IsLetter(rune(c[end])) || unicode.IsDigit(rune(c[end]))) {
			end++
		}
		if end > 0 {
			out = append(out, c[:end])
		}
	}
	return out
}

// holdsRole refuses (403, as Graph does) a signed-in user who holds none of roles, the
// least-privileged Entra roles the page names; Global Administrator holds them all. In the
// user's own tenant the roles are the user's directory roles (learn.Member: any member user,
// unless unlessRestricted and the tenant restricts it); a partner technician in a customer holds
// the roles GDAP gives them there. An app acting as itself, and a page that names no role, pass.
func (c *graphCall) holdsRole(roles []string, unlessRestricted bool) bool {
	p := c.p
	if p.user == nil || len(roles) == 0 {
		return true
	}
	var held map[string]bool
	if p.home == p.tenant {
		held = map[string]bool{}
		for _, r := range p.user.roles {
			held[r] = true
		}
		if p.user.isAdmin {
			held[roleGlobalAdmin] = true
		}
	} else {
		held = c.s.world.gdapRoles(p.tenant.id, p.user.id)
	}
	if held[roleGlobalAdmin] {
		return true
	}
	for _, name := range roles {
		if name == learn.Member {
			if p.home == p.tenant && strings.EqualFold(p.user.userType, "Member") && !(unlessRestricted && p.tenant.restrictAppRegistration) {
				return true
			}
			continue
		}
		if id, ok := c.s.pages.RoleID(name); ok && held[id] {
			return true
		}
	}
	why := "Your GDAP access to this customer does not include a role that allows it."
	if p.home == p.tenant {
		why = "The signed-in user holds no Microsoft Entra role that allows it."
	}
	writeGraphError(c.w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation. "+why)
	return false
}

// inTenant refuses a partner user acting in a customer where GDAP gives them no role at all:
// Entra knows no such user there (the sandbox's tokens for tests can name one).
func (c *graphCall) inTenant() bool {
	p := c.p
	if p.user == nil || p.home == p.tenant || len(c.s.world.gdapRoles(p.tenant.id, p.user.id)) > 0 {
		return true
	}
	writeGraphError(c.w, http.StatusForbidden, "Authorization_RequestDenied",
		"Insufficient privileges to complete the operation. You have no delegated admin access to this customer.")
	return false
}

// meets applies a condition of the page (a role-assignable group): its permissions and its roles,
// in place of the request's own. It answers 403 and returns false when they are not met.
func (c *graphCall) meets(when string) bool {
	cond, ok := c.page.Condition(when)
	if !ok {
		return true
	}
	if c.p.user != nil {
		if missing := learn.Missing(cond.Delegated, c.p.scopes); missing != nil {
			writeGraphError(c.w, http.StatusForbidden, "Authorization_RequestDenied",
				"Insufficient privileges to complete the operation. (The token lacks "+strings.Join(missing, " and ")+", which a role-assignable group needs.)")
			return false
		}
	}
	return c.holdsRole(cond.Roles, false)
}

// partnerOnly refuses a call made in a customer tenant to an endpoint that only the partner's
// own tenant has (GDAP relationships live on the partner side).
func (c *graphCall) partnerOnly() bool {
	if c.p.tenant != c.s.world.partner {
		writeGraphError(c.w, http.StatusForbidden, "Authorization_RequestDenied",
			"This operation is only available in the partner's own tenant.")
		return false
	}
	return true
}

// gdapRoles are the roles a partner user holds in a customer through active relationships.
func (w *world) gdapRoles(customerID, userID string) map[string]bool {
	held := map[string]bool{}
	for _, r := range w.activeRelationships(customerID) {
		for _, a := range r.assignments {
			if a.status != "active" || !w.partner.memberOf(userID, a.groupID) {
				continue
			}
			for _, role := range a.roles {
				held[role] = true
			}
		}
	}
	return held
}

// readJSON decodes the request body into v; on failure it answers 400 and returns false.
func (c *graphCall) readJSON(v any) bool {
	body, err := io.ReadAll(io.LimitReader(c.r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, v)
	}
	if err != nil {
		writeGraphError(c.w, http.StatusBadRequest, "BadRequest", "The request body is not valid JSON: "+err.Error())
		return false
	}
	return true
}

// writeGraphError answers with Graph's error shape.
func writeGraphError(w http.ResponseWriter, status int, code, message string) {
	id := newID()
	w.Header().Set("request-id", id)
	w.Header().Set("client-request-id", id)
	writeJSON(w, status, map[string]any{
		"error": map[string]any{
			"code":    code,
			"message": message,
			"innerError": map[string]any{
				"date":              time.Now().UTC().Format("2006-01-02T15:04:05"),
				"request-id":        id,
				"client-request-id": id,
			},
		},
	})
}

func (c *graphCall) notFound(what string) {
	writeGraphError(c.w, http.StatusNotFound, "Request_ResourceNotFound",
		fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", what))
}

// object answers one entity, honouring $select, with every property the page's examples show
// (learn.Request.Fill): what the sandbox does not hold is answered empty, as Graph answers it.
func (c *graphCall) object(status int, context string, item map[string]any) {
	item = selectFields(c.page.Fill(item), c.r.URL.Query().Get("$select"))
	out := map[string]any{"@odata.context": c.graphURL("/$metadata#" + context)}
	for k, v := range item {
		out[k] = v
	}
	writeJSON(c.w, status, out)
}

// collection answers a list with $filter, $select, $top and $skiptoken paging, the way Graph
// pages: a nextLink with an opaque $skiptoken while more items remain. Items have every
// property the page's examples show, as object's do.
func (c *graphCall) collection(context string, items []map[string]any, defaultPage, maxPage int) {
	q := c.r.URL.Query()
	filtered, err := applyFilter(items, q.Get("$filter"))
	if err != nil {
		writeGraphError(c.w, http.StatusBadRequest, "Request_UnsupportedQuery", err.Error())
		return
	}
	size := defaultPage
	if top := q.Get("$top"); top != "" {
		n, err := strconv.Atoi(top)
		if err != nil || n < 1 {
			writeGraphError(c.w, http.StatusBadRequest, "Request_BadRequest", "Invalid value '"+top+"' for query parameter $top.")
			return
		}
		size = min(n, maxPage)
	}
	start := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		start, err = decodeSkipToken(tok)
		if err != nil || start > len(filtered) {
			writeGraphError(c.w, http.StatusBadRequest, "Request_BadRequest", "The $skiptoken is not valid.")
			return
		}
	}
	end := min(start+size, len(filtered))
	page := make([]map[string]any, 0, end-start)
	for _, it := range filtered[start:end] {
		page = append(page, selectFields(c.page.Fill(it), q.Get("$select")))
	}
	out := map[string]any{"@odata.context": c.graphURL("/$metadata#" + context), "value": page}
	if end < len(filtered) {
		next := url.Values{}
		for k, v := range q {
			if k != "$skiptoken" {
				next[k] = v
			}
		}
		next.Set("$skiptoken", encodeSkipToken(end))
		out["@odata.nextLink"] = c.s.base + "/graph" + c.r.URL.Path + "?" + next.Encode()
	}
	writeJSON(c.w, http.StatusOK, out)
}

// graphURL is an absolute URL on the simulated Graph host for the request's API version.
func (c *graphCall) graphURL(rest string) string {
	version := "v1.0"
	if strings.HasPrefix(c.r.URL.Path, "/beta/") {
		version = "beta"
	}
	return c.s.base + "/graph/" + version + rest
}

func encodeSkipToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sandbox-offset:" + strconv.Itoa(offset)))
}

func decodeSkipToken(tok string) (int, error) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil {
		return 0, err
	}
	n, ok := strings.CutPrefix(string(raw), "sandbox-offset:")
	if !ok {
		return 0, fmt.Errorf("not a sandbox skip token")
	}
	return strconv.Atoi(n)
}

// selectFields keeps the fields $select names (and id, as Graph does); an empty $select keeps all.
func selectFields(item map[string]any, sel string) map[string]any {
	if sel == "" {
		return item
	}
	out := map[string]any{}
	if id, ok := item["id"]; ok {
		out["id"] = id
	}
	for _, f := range strings.Split(sel, ",") {
		f = strings.TrimSpace(f)
		if v, ok := item[f]; ok {
			out[f] = v
		}
	}
	return out
}

// applyFilter supports the part of OData $filter the app uses: clauses "path eq 'text'",
// "path ne 'text'", with true/false/numbers too, joined by "and". path may name a nested field
// with a slash (customer/tenantId). Anything else is refused as Graph refuses what it cannot do.
func applyFilter(items []map[string]any, filter string) ([]map[string]any, error) {
	filter = strings.TrimSpace(filter)
	if filter == "" {
		return items, nil
	}
	type clause struct {
		path  []string
		op    string
		value string
	}
	var clauses []clause
	for _, part := range splitAnd(filter) {
		fields := strings.SplitN(strings.TrimSpace(part), " ", 3)
		if len(fields) != 3 || (fields[1] != "eq" && fields[1] != "ne") {
			return nil, fmt.Errorf("Invalid filter clause: the sandbox supports 'property eq value' and 'property ne value' joined by 'and', not %q.", part)
		}
		v := strings.TrimSpace(fields[2])
		if strings.HasPrefix(v, "'") && strings.HasSuffix(v, "'") && len(v) >= 2 {
			v = strings.ReplaceAll(v[1:len(v)-1], "''", "'")
		}
		clauses = append(clauses, clause{strings.Split(fields[0], "/"), fields[1], v})
	}
	var out []map[string]any
	for _, it := range items {
		keep := true
		for _, cl := range clauses {
			got := fmt.Sprint(lookupPath(it, cl.path))
			if (cl.op == "eq") != strings.EqualFold(got, cl.value) {
				keep = false
				break
			}
		}
		if keep {
			out = append(out, it)
		}
	}
	return out, nil
}

func splitAnd(filter string) []string {
	var parts []string
	inQuote := false
	start := 0
	for i := 0; i < len(filter); i++ {
		switch {
		case filter[i] == '\'':
			inQuote = !inQuote
		case !inQuote && strings.HasPrefix(filter[i:], " and "):
			parts = append(parts, filter[start:i])
			start = i + len(" and ")
			i += len(" and ") - 1
		}
	}
	return append(parts, filter[start:])
}

func lookupPath(item map[string]any, path []string) any {
	var cur any = item
	for _, p := range path {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

func timeString(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02T15:04:05Z")
}

// handle registers an endpoint of Graph or Partner Center and remembers its pattern, so that a
// test can hold every route to a Microsoft page (TestEveryRouteHasAPage).
func (s *Server) handle(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	s.patterns = append(s.patterns, pattern)
	mux.HandleFunc(pattern, h)
}
