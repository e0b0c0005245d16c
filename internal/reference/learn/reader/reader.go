// Package reader reads Microsoft's Learn pages (the markdown sources kept in
// shared/reference/learn, beside the repository) into the facts of internal/reference/learn:
// for every request of the index (index.go), its permission table, the roles its page names,
// the query options it supports, its success statuses and whether it answers 202 with an
// operation to follow, and the example answers on its page.
//
// It is used by the generator (../gen, run by go generate) and by the test that holds the
// generated data to the pages; it is not part of the app.
package reader

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/onboard365/onboard365/internal/reference"
	"github.com/onboard365/onboard365/internal/reference/learn"
)

// Example is one of Microsoft's example requests and its answer, as a page shows them.
type Example struct {
	Name     string  `json:"name,omitempty"` // the request block's name on the page
	Request  Message `json:"request"`
	Response Message `json:"response"`
}

// PageExamples are the examples of one page, with the requests of the index it documents.
type PageExamples struct {
	Page     string    `json:"page"`             // under shared/reference/learn
	Source   string    `json:"source,omitempty"` // for a page that is not in the folder: where it was read
	Requests []string  `json:"requests"`         // "METHOD /path" of the index's requests on this page
	Examples []Example `json:"examples"`
}

// Read reads every request of the index from the pages in pages (the shared/reference/learn
// folder) and Graph's permission GUIDs from descriptions (permissions-descriptions.json).
func Read(pages fs.FS, descriptions []byte) (*learn.Data, []PageExamples, error) {
	d := &learn.Data{Roles: map[string]string{}}
	if err := readDescriptions(d, descriptions); err != nil {
		return nil, nil, err
	}
	for name, id := range roleIDs {
		d.Roles[name] = id
	}
	r := &run{fs: pages, pages: map[string]*page{}}
	examples := map[string]*PageExamples{}
	shaped := map[string][]shapeSource{}
	var errs []error
	for _, e := range entries() {
		req, err := r.request(e)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", e.method, e.path, err))
			continue
		}
		pe, err := r.examples(e)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: examples: %w", e.method, e.path, err))
			continue
		}
		if e.page != batching { // a $batch answer is a list of answers, not an object
			key := shapeKey(req.Path)
			typ := e.schema
			if typ == "" {
				typ = e.typ
			}
			shaped[key] = append(shaped[key], shapeSource{len(d.Requests), req.Key(), typ, pe.Examples})
		}
		d.Requests = append(d.Requests, req)
		if have := examples[pe.Page]; have != nil {
			have.Requests = append(have.Requests, req.Key())
			continue
		}
		pe.Requests = []string{req.Key()}
		examples[pe.Page] = &pe
	}
	// One shape for the requests that answer the same objects (a list, its item by id or by
	// appId, the POST that makes one), read from all their examples: Graph answers an object
	// the same way whichever of them reads it.
	types, err := reference.Load()
	if err != nil {
		return nil, nil, err
	}
	for key, group := range shaped {
		var keys []string
		var all []Example
		typ := ""
		for _, g := range group {
			keys = append(keys, g.request)
			all = append(all, g.examples...)
			if typ == "" {
				typ = g.typ
			}
		}
		sh := shapes(keys, all)
		name, err := schemaOnly(sh, d.Requests[group[0].index], typ, types)
		if err != nil {
			errs = append(errs, fmt.Errorf("the answers of %s: %w", key, err))
		}
		for _, g := range group {
			d.Requests[g.index].Shapes, d.Requests[g.index].Type = sh, name
		}
	}
	if err := checkRoles(d); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, nil, errors.Join(errs...)
	}
	learn.Sort(d.Requests)
	out := make([]PageExamples, 0, len(examples))
	for _, pe := range examples {
		out = append(out, *pe)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Page < out[j].Page })
	return d, out, nil
}

func readDescriptions(d *learn.Data, b []byte) error {
	var f struct {
		Delegated []struct {
			ID    string `json:"id"`
			Value string `json:"value"`
		} `json:"delegatedScopesList"`
		Application []struct {
			ID    string `json:"id"`
			Value string `json:"value"`
		} `json:"applicationScopesList"`
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("permissions-descriptions.json: %w", err)
	}
	if len(f.Delegated) == 0 || len(f.Application) == 0 {
		return errors.New("permissions-descriptions.json: empty scope lists")
	}
	d.Delegated = make(map[string]string, len(f.Delegated))
	for _, s := range f.Delegated {
		d.Delegated[s.Value] = s.ID
	}
	d.Application = make(map[string]string, len(f.Application))
	for _, s := range f.Application {
		d.Application[s.Value] = s.ID
	}
	return nil
}

// checkRoles holds every role name to the role ids: a page that names a role the ids do not
// know is one to look up.
func checkRoles(d *learn.Data) error {
	var errs []error
	check := func(where string, names []string) {
		for _, n := range names {
			if n == learn.Member {
				continue
			}
			if _, ok := d.Roles[n]; !ok {
				errs = append(errs, fmt.Errorf("%s names the role %q, whose template id reader/lookedup.go does not have", where, n))
			}
		}
	}
	for _, r := range d.Requests {
		check(r.Key(), r.Roles)
		for _, c := range r.Conditions {
			check(r.Key()+" ("+c.When+")", c.Roles)
		}
	}
	return errors.Join(errs...)
}

type run struct {
	fs    fs.FS
	pages map[string]*page
}

func (r *run) page(name string) (*page, error) {
	if p := r.pages[name]; p != nil {
		return p, nil
	}
	b, err := fs.ReadFile(r.fs, name)
	if err != nil {
		return nil, err
	}
	p := newPage(name, string(b))
	r.pages[name] = p
	return p, nil
}

// request reads one entry's facts.
func (r *run) request(e entry) (learn.Request, error) {
	req := learn.Request{Service: e.service, Method: e.method, Path: e.path, Page: e.page}
	if e.missing != nil {
		req.Page = e.missing.source
		req.Delegated, req.Least = e.missing.delegated.alternatives, e.missing.delegated.least
		req.Query, req.Status = e.missing.query, e.missing.status
		req.Notes = append(req.Notes, "The page is not in shared/reference/learn; its facts were read with the search tools: "+e.missing.source+".")
		return req, nil
	}
	p, err := r.page(e.page)
	if err != nil {
		return req, err
	}
	if err := documents(p, e); err != nil {
		return req, err
	}
	if e.fixed != nil {
		req.Delegated, req.Least, req.Query = e.fixed.delegated, min(1, len(e.fixed.delegated)), e.fixed.query
		req.Notes = append(req.Notes, e.fixed.note)
		if req.Status, err = fixedStatus(p, e); err != nil {
			return req, err
		}
		return req, nil
	}
	if err := r.permissions(p, e, &req); err != nil {
		return req, err
	}
	if e.current != nil {
		if e.current.delegated != nil {
			req.Delegated, req.Least = e.current.delegated.alternatives, e.current.delegated.least
		}
		if e.current.roles != nil {
			req.Roles, req.MemberUnlessRestricted = e.current.roles, false
		}
		req.Notes = append(req.Notes, e.current.why+" Source: "+e.current.source+".")
	}
	req.Query, req.AnyQuery = parseQuery(p.section("Optional query parameters"))
	req.Status, req.Async = parseStatus(p.section("Response"))
	if len(req.Status) == 0 {
		// "a 200-series response code": the example answers say which.
		for _, b := range p.blocks() {
			if m, err := parseMessage(b.kind, b.code); err == nil && b.kind == "response" && m.Status >= 200 && m.Status < 300 && !slices.Contains(req.Status, m.Status) {
				req.Status = append(req.Status, m.Status)
			}
		}
		if len(req.Status) == 0 {
			return req, errors.New("neither the page's Response section nor its examples name a success status")
		}
		req.Notes = append(req.Notes, "The page's Response section names no status code; the statuses are its example answers'.")
	}
	if e.typ != "" {
		if req.Filterable, err = r.filterable(e.typ); err != nil {
			return req, err
		}
	}
	req.Conditions = e.conditions
	return req, nil
}

// documents checks that the page's request syntax has the entry's method and path: an entry
// whose page documents another request fails here.
func documents(p *page, e entry) error {
	want := reference.NormalizePath(e.path)
	lines := p.section("HTTP request")
	if lines == nil {
		lines = p.lines // Partner Center and concept pages have no such section
	}
	for _, l := range lines {
		l = idAlternatives.ReplaceAllString(l, "{id}") // "{id | userPrincipalName}" holds spaces
		for _, m := range requestLine.FindAllStringSubmatch(l, -1) {
			if !strings.EqualFold(m[1], e.method) {
				continue
			}
			if reference.NormalizePath(cleanTemplate(m[2])) == want {
				return nil
			}
		}
	}
	return fmt.Errorf("%s does not document %s %s", p.name, e.method, e.path)
}

// requestLine finds "GET /path", "| **GET** | [*{baseURL}*](...)/v1/path HTTP/1.1 |" and
// "POST https://host/v1/path" in a line.
var requestLine = regexp.MustCompile(`\b(GET|POST|PATCH|DELETE|PUT)\b\**\s*(?:\|\s*\[\*\{baseURL\}\*\]\([^)]*\))?\s*(\S+)`)

// cleanTemplate turns a page's request syntax into a path template: the host dropped, a
// missing leading slash added, "{id | userPrincipalName}" and "{<customer_id>}" as "{id}".
func cleanTemplate(s string) string {
	s = strings.TrimSuffix(strings.Trim(s, "`|"), "|")
	if i := strings.Index(s, "://"); i >= 0 {
		rest := s[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			s = rest[j:]
		}
	}
	s = idAlternatives.ReplaceAllString(s, "{id}")
	if !strings.HasPrefix(s, "/") {
		s = "/" + s
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	return s
}

var idAlternatives = regexp.MustCompile(`\{[^}]*\}`)

// permissions reads the entry's permission table and the roles that follow it.
func (r *run) permissions(p *page, e entry, req *learn.Request) error {
	lines := p.section("Permissions")
	if lines == nil {
		return errors.New("the page has no Permissions section")
	}
	if e.table != "" {
		if lines = subsection(lines, e.table); lines == nil {
			return fmt.Errorf("the Permissions section has no heading %q", e.table)
		}
	}
	// The table is the first markdown table or permission include in the lines.
	ts, ends := tables(lines)
	incs := p.includes(lines)
	tableAt, includeAt := len(lines), len(lines)
	if len(ts) > 0 {
		tableAt = ends[0] - len(ts[0].rows) - 2
	}
	var permInclude include
	for _, in := range incs {
		if in.name == "permissions-table" {
			permInclude, includeAt = in, in.line
			break
		}
	}
	var (
		delegated, app perms
		after          int // the line after the table, where roles may follow
		err            error
	)
	switch {
	case tableAt < includeAt && e.resource != "":
		delegated, app, err = readResourceTable(ts[0], e.resource)
		after = ends[0]
	case tableAt < includeAt:
		delegated, app, err = readPermissionTable(ts[0])
		after = ends[0]
	case includeAt < len(lines):
		delegated, app, err = r.includedTable(permInclude.target)
		if lt, ok := lookedTables[permInclude.target]; ok && err == nil {
			req.Notes = append(req.Notes, "Its permission table ("+path.Base(permInclude.target)+") is not in the folder; it was read with the search tools: "+lt.source+".")
		}
		after = includeAt + 1
	default:
		return errors.New("the Permissions section has no permission table")
	}
	if err != nil {
		return err
	}
	req.Delegated, req.Least = delegated.alternatives, delegated.least
	req.Application = app.alternatives
	roles, unless, note, err := r.roles(p, lines[after:])
	if err != nil {
		return err
	}
	req.Roles, req.MemberUnlessRestricted = roles, unless
	if note != "" {
		req.Notes = append(req.Notes, note)
	}
	return nil
}

// includedTable reads a permission include: from the folder, else from what was looked up.
func (r *run) includedTable(target string) (delegated, app perms, err error) {
	if p, err := r.page(target); err == nil {
		ts, _ := tables(p.lines)
		if len(ts) == 0 {
			return perms{}, perms{}, fmt.Errorf("the include %s has no table", target)
		}
		return readPermissionTable(ts[0])
	} else if !errors.Is(err, fs.ErrNotExist) {
		return perms{}, perms{}, err
	}
	lt, ok := lookedTables[target]
	if !ok {
		return perms{}, perms{}, fmt.Errorf("the permission include %s is neither in the folder nor among the looked-up tables (reader/lookedup.go): look it up", target)
	}
	return perms{alternatives: append(append([][]string{}, lt.delegatedLeast...), lt.delegatedHigher...), least: len(lt.delegatedLeast)},
		perms{alternatives: append(append([][]string{}, lt.applicationLeast...), lt.applicationHigher...), least: len(lt.applicationLeast)}, nil
}

// roles reads the roles that follow a permission table, up to the next table or heading: a
// role-list include, or a sentence about roles followed by a bulleted list.
func (r *run) roles(p *page, lines []string) (roles []string, unless bool, note string, err error) {
	end := len(lines)
	for i, l := range lines {
		if _, lv := heading(l); lv > 0 || isRow(l) || strings.Contains(l, "[!INCLUDE [permissions-table]") {
			end = i
			break
		}
	}
	lines = lines[:end]
	for _, in := range p.includes(lines) {
		if !strings.HasPrefix(in.name, "rbac-") {
			continue
		}
		if inc, err := r.page(in.target); err == nil {
			return roleNames(bullets(inc.lines)), false, "", nil
		}
		lr, ok := lookedRoleLists[in.target]
		if !ok {
			return nil, false, "", fmt.Errorf("the role list %s is neither in the folder nor among the looked-up role lists (reader/lookedup.go): look it up", in.target)
		}
		note = "Its role list (" + path.Base(in.target) + ") is not in the folder; it was read with the search tools: " + lr.source + "."
		if lr.note != "" {
			note += " It says: " + lr.note + "."
		}
		return lr.roles, lr.memberUnlessRestricted, note, nil
	}
	for i, l := range lines {
		if strings.Contains(strings.ToLower(l), "roles") {
			if names := bullets(lines[i+1:]); len(names) > 0 {
				return roleNames(names), false, "", nil
			}
		}
	}
	return nil, false, "", nil
}

// roleNames cleans bulleted role names: markup and qualifiers (" - read standard properties")
// dropped.
func roleNames(items []string) []string {
	var out []string
	for _, it := range items {
		n := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(it, "*", ""), "_", ""))
		if i := strings.Index(n, " - "); i >= 0 {
			n = n[:i]
		}
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// OData query options the pages name.
var odataOptions = map[string]string{
	"select": "$select", "filter": "$filter", "top": "$top", "orderby": "$orderby", "count": "$count",
	"expand": "$expand", "search": "$search", "skip": "$skip", "skiptoken": "$skiptoken", "format": "$format",
}

var includingOption = regexp.MustCompile("including\\s+`\\$")

var backticked = regexp.MustCompile("`\\$?([A-Za-z]+)`")

// parseQuery reads the "Optional query parameters" section: the options its first paragraph
// names as supported ("`$skip` isn't supported" and "does not support `$filter`" are left
// out), or any when it says the request supports the OData query parameters without naming
// them all ("including ...", "some of").
func parseQuery(lines []string) (opts []string, anyOption bool) {
	var para []string
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			if len(para) > 0 {
				break
			}
			continue
		}
		para = append(para, t)
	}
	text := strings.Join(para, " ")
	if text == "" || strings.HasPrefix(strings.ToLower(text), "not supported") || strings.Contains(strings.ToLower(text), "does not support odata") ||
		strings.Contains(strings.ToLower(text), "doesn't support odata") {
		return nil, false
	}
	seen := map[string]bool{}
	for _, sentence := range strings.SplitAfter(text, ". ") {
		low := strings.ToLower(sentence)
		negative := strings.Contains(low, "not support") || strings.Contains(low, "n't support") || strings.Contains(low, "not supported") || strings.Contains(low, "isn't supported")
		var found []string
		for _, m := range backticked.FindAllStringSubmatch(sentence, -1) {
			if o, ok := odataOptions[strings.ToLower(m[1])]; ok {
				found = append(found, o)
			}
		}
		if negative {
			continue
		}
		// "supports the [OData query parameters] ..., including `$search`" and "supports some
		// of the OData query parameters" name no full list; "see [OData query parameters]" is
		// only a link.
		if strings.Contains(low, "support") && strings.Contains(low, "odata query parameter") &&
			(len(found) == 0 || includingOption.MatchString(sentence) || strings.Contains(low, "some of")) {
			anyOption = true
		}
		for _, o := range found {
			if !seen[o] {
				seen[o] = true
				opts = append(opts, o)
			}
		}
	}
	if anyOption {
		return nil, true
	}
	sort.Strings(opts)
	return opts, false
}

var statusCode = regexp.MustCompile("`(\\d{3}) [A-Za-z ]+`")

// parseStatus reads the success statuses the Response section names, and whether it answers
// 202 with a Location to a long-running operation (202 first then).
func parseStatus(lines []string) (status []int, async bool) {
	text := strings.Join(lines, "\n")
	seen := map[int]bool{}
	for _, m := range statusCode.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		if n >= 200 && n < 300 && !seen[n] {
			seen[n] = true
			status = append(status, n)
		}
	}
	low := strings.ToLower(text)
	async = seen[202] && strings.Contains(low, "location") && strings.Contains(low, "long-running")
	if async {
		sort.SliceStable(status, func(i, j int) bool { return status[i] == 202 && status[j] != 202 })
	}
	return status, async
}

// fixedStatus reads the success statuses of a page without a Response section in the Graph
// layout: Partner Center's "Responses" tables and example answers, the batching page's example.
func fixedStatus(p *page, e entry) ([]int, error) {
	part := p.lines
	if e.method == "DELETE" {
		// control-panel-vendor-apis.md documents POST and DELETE; the DELETE's part follows
		// its request line.
		for i, l := range p.lines {
			if strings.HasPrefix(strings.TrimSpace(l), "DELETE ") {
				part = p.lines[i:]
				break
			}
		}
	}
	var status []int
	seen := map[int]bool{}
	add := func(n int) {
		if n >= 200 && n < 300 && !seen[n] {
			seen[n] = true
			status = append(status, n)
		}
	}
	responsesTable := false
	for _, l := range part {
		t := strings.TrimSpace(l)
		if h, lv := heading(t); lv > 0 {
			if responsesTable && len(status) > 0 {
				break
			}
			responsesTable = strings.EqualFold(h, "Responses")
			continue
		}
		if strings.HasPrefix(t, "HTTP/1.1 ") {
			if f := strings.Fields(t); len(f) > 1 {
				n, _ := strconv.Atoi(f[1])
				add(n)
			}
			if e.method != "DELETE" && len(status) > 0 && !responsesTable {
				break
			}
		}
		if responsesTable && isRow(t) {
			if c := cells(t); len(c) > 0 {
				if f := strings.Fields(c[0]); len(f) > 0 {
					n, _ := strconv.Atoi(f[0])
					add(n)
				}
			}
		}
	}
	if len(status) == 0 {
		return nil, fmt.Errorf("%s names no success status for %s %s", p.name, e.method, e.path)
	}
	return status, nil
}

// filterable reads the properties that the type's resource page marks as supporting $filter;
// nil when it marks none.
func (r *run) filterable(typ string) ([]string, error) {
	p, err := r.page("graph/api-reference/v1.0/resources/" + typ + ".md")
	if err != nil {
		return nil, err
	}
	ts, _ := tables(p.section("Properties"))
	var out []string
	for _, t := range ts {
		if len(t.header) < 3 || !strings.EqualFold(t.header[0], "Property") {
			continue
		}
		for _, row := range t.rows {
			if len(row) >= 3 && strings.Contains(strings.ToLower(row[len(row)-1]), "supports `$filter`") {
				out = append(out, linkText(row[0]))
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// examples reads the example requests and answers of the entry's page.
func (r *run) examples(e entry) (PageExamples, error) {
	if e.missing != nil {
		return PageExamples{Page: "lookup/" + path.Base(strings.Fields(e.missing.source)[1]), Source: e.missing.source, Examples: e.missing.examples}, nil
	}
	p, err := r.page(e.page)
	if err != nil {
		return PageExamples{}, err
	}
	pe := PageExamples{Page: e.page}
	if e.service == learn.PartnerCenter || e.page == batching {
		pe.Examples, err = plainExamples(p)
		return pe, err
	}
	var last *block
	for _, b := range p.blocks() {
		if b.kind == "request" {
			b := b
			last = &b
			continue
		}
		resp, err := parseMessage("response", b.code)
		if err != nil {
			return pe, fmt.Errorf("%s line %d: %w", p.name, b.line+1, err)
		}
		ex := Example{Response: resp}
		if last != nil {
			if ex.Request, err = parseMessage("request", last.code); err != nil {
				return pe, fmt.Errorf("%s line %d: %w", p.name, last.line+1, err)
			}
			ex.Name = last.name
		}
		pe.Examples = append(pe.Examples, ex)
	}
	return pe, nil
}

// plainExamples reads examples written as plain fences: a request fence ("GET https://...")
// and the next answer fence ("HTTP/1.1 200 OK ...").
func plainExamples(p *page) ([]Example, error) {
	var out []Example
	var req *Message
	for i := 0; i < len(p.lines); i++ {
		if !fence.MatchString(p.lines[i]) {
			continue
		}
		var code []string
		j := i + 1
		for ; j < len(p.lines) && !fence.MatchString(p.lines[j]); j++ {
			code = append(code, p.lines[j])
		}
		i = j
		first := firstLine(code)
		switch {
		case strings.HasPrefix(first, "HTTP/1.1 "):
			resp, err := parseMessage("response", code)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %w", p.name, i+1, err)
			}
			ex := Example{Response: resp}
			if req != nil {
				ex.Request = *req
			}
			out = append(out, ex)
			req = nil
		case requestStart.MatchString(first) && strings.Contains(first, "://"):
			m, err := parseMessage("request", code)
			if err != nil {
				return nil, fmt.Errorf("%s line %d: %w", p.name, i+1, err)
			}
			req = &m
		}
	}
	return out, nil
}

var requestStart = regexp.MustCompile(`^(GET|POST|PATCH|DELETE|PUT) `)
