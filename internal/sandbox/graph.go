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
)

// Microsoft Graph: the shared machinery of the simulated endpoints (authentication, paging,
// $select, $filter, errors). The endpoints themselves are in graph_*.go.

// graphCall is one authenticated Graph request, handled while the world's lock is held.
type graphCall struct {
	s *Server
	w http.ResponseWriter
	r *http.Request
	p *principal
}

// graphHandler is the body of one endpoint.
type graphHandler func(c *graphCall)

// endpoint wraps a handler: it checks the token and the delegated permission the endpoint needs
// (any one of scopes), then runs the handler with the world locked.
func (s *Server) endpoint(scopes []string, h graphHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, authErr := s.authenticate(r, audGraph)
		if authErr != nil {
			writeGraphError(w, authErr.status, authErr.code, authErr.message)
			return
		}
		if !p.hasAnyScope(scopes) {
			writeGraphError(w, http.StatusForbidden, "Authorization_RequestDenied",
				"Insufficient privileges to complete the operation. The token needs one of these permissions: "+strings.Join(scopes, ", ")+".")
			return
		}
		s.world.mu.Lock()
		defer s.world.mu.Unlock()
		h(&graphCall{s: s, w: w, r: r, p: p})
	}
}

func (p *principal) hasAnyScope(want []string) bool {
	if len(want) == 0 {
		return true
	}
	for _, have := range append(append([]string(nil), p.scopes...), p.roles...) {
		for _, w := range want {
			if strings.EqualFold(have, w) {
				return true
			}
		}
	}
	return false
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

// requireRole refuses a call by a partner user in a customer tenant when none of the roles that
// GDAP gives the user there is one of roles. Users of the tenant itself pass if they are admins.
func (c *graphCall) requireRole(roles ...string) bool {
	p := c.p
	if p.user == nil || p.home == p.tenant {
		if p.user != nil && !p.user.isAdmin {
			writeGraphError(c.w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
			return false
		}
		return true
	}
	held := c.s.world.gdapRoles(p.tenant.id, p.user.id)
	for _, r := range roles {
		if held[r] {
			return true
		}
	}
	writeGraphError(c.w, http.StatusForbidden, "Authorization_RequestDenied",
		"Insufficient privileges to complete the operation. Your GDAP access to this customer does not include a role that allows it.")
	return false
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

// object answers one entity, honouring $select.
func (c *graphCall) object(status int, context string, item map[string]any) {
	item = selectFields(item, c.r.URL.Query().Get("$select"))
	out := map[string]any{"@odata.context": c.graphURL("/$metadata#" + context)}
	for k, v := range item {
		out[k] = v
	}
	writeJSON(c.w, status, out)
}

// collection answers a list with $filter, $select, $top and $skiptoken paging, the way Graph
// pages: a nextLink with an opaque $skiptoken while more items remain.
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
		page = append(page, selectFields(it, q.Get("$select")))
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
