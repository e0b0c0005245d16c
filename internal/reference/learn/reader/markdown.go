package reader

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// The parts of a Learn page's markdown this reader understands: headed sections, tables, the
// [!INCLUDE] lines that pull in permission tables and role lists, bulleted lists, and the
// example request and response blocks (an HTML comment with "blockType", then a code fence).

// page is one markdown file, split into lines.
type page struct {
	name  string // path under the pages folder, with forward slashes
	lines []string
}

func newPage(name, text string) *page {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	return &page{name: name, lines: strings.Split(text, "\n")}
}

// section returns the lines under the "## title" heading (level 2, any letter case), up to the
// next heading of level 2 or above; nil when the page has no such heading.
func (p *page) section(title string) []string {
	start := -1
	for i, l := range p.lines {
		h, level := heading(l)
		if start < 0 {
			if level == 2 && strings.EqualFold(h, title) {
				start = i + 1
			}
			continue
		}
		if level > 0 && level <= 2 {
			return p.lines[start:i]
		}
	}
	if start < 0 {
		return nil
	}
	return p.lines[start:]
}

// heading returns a line's heading text and level (the number of #), or level 0.
func heading(l string) (string, int) {
	t := strings.TrimSpace(l)
	n := 0
	for n < len(t) && t[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || n >= len(t) || t[n] != ' ' {
		return "", 0
	}
	return strings.TrimSpace(t[n:]), n
}

// subsection returns the lines of lines under a heading (of any level below 2) whose text is
// title, up to the next heading of the same or a higher level.
func subsection(lines []string, title string) []string {
	start, level := -1, 0
	for i, l := range lines {
		h, lv := heading(l)
		if start < 0 {
			if lv > 2 && strings.EqualFold(h, title) {
				start, level = i+1, lv
			}
			continue
		}
		if lv > 0 && lv <= level {
			return lines[start:i]
		}
	}
	if start < 0 {
		return nil
	}
	return lines[start:]
}

// table is a markdown table: its header cells and rows of cells.
type table struct {
	header []string
	rows   [][]string
}

// tables finds the markdown tables in lines, in order, with the index of the line after each.
func tables(lines []string) ([]table, []int) {
	var out []table
	var ends []int
	for i := 0; i < len(lines); i++ {
		if !isRow(lines[i]) || i+1 >= len(lines) || !isSeparator(lines[i+1]) {
			continue
		}
		t := table{header: cells(lines[i])}
		j := i + 2
		for ; j < len(lines) && isRow(lines[j]); j++ {
			t.rows = append(t.rows, cells(lines[j]))
		}
		out = append(out, t)
		ends = append(ends, j)
		i = j - 1
	}
	return out, ends
}

func isRow(l string) bool {
	t := strings.TrimSpace(l)
	return strings.HasPrefix(t, "|") && strings.Count(t, "|") >= 2
}

var separatorCell = regexp.MustCompile(`^:?-{3,}:?$`)

func isSeparator(l string) bool {
	if !isRow(l) {
		return false
	}
	for _, c := range cells(l) {
		if !separatorCell.MatchString(strings.TrimSpace(c)) {
			return false
		}
	}
	return true
}

// cells splits a table row into trimmed cells, without the outer pipes.
func cells(l string) []string {
	t := strings.TrimSpace(l)
	t = strings.TrimPrefix(t, "|")
	t = strings.TrimSuffix(t, "|")
	parts := strings.Split(t, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// includeLine matches "[!INCLUDE [name](relative/path.md)]".
var includeLine = regexp.MustCompile(`\[!INCLUDE\s*\[([^\]]*)\]\(([^)]+)\)\]`)

// include is an [!INCLUDE] of a page, its target resolved against the page's folder.
type include struct {
	name   string // the link text, such as "permissions-table"
	target string // path under the pages folder
	line   int    // index in the lines it was found in
}

func (p *page) includes(lines []string) []include {
	var out []include
	dir := path.Dir(p.name)
	for i, l := range lines {
		for _, m := range includeLine.FindAllStringSubmatch(l, -1) {
			out = append(out, include{name: m[1], target: path.Clean(path.Join(dir, m[2])), line: i})
		}
	}
	return out
}

// bullets are the items of the first bulleted list in lines ("- x", "+ x", "* x", also quoted
// with "> "), up to the first line that is not an item once the list has begun.
func bullets(lines []string) []string {
	var out []string
	for _, l := range lines {
		t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), ">"))
		item := ""
		for _, mark := range []string{"- ", "+ ", "* "} {
			if strings.HasPrefix(t, mark) {
				item = strings.TrimSpace(t[len(mark):])
			}
		}
		if item == "" {
			if len(out) > 0 && t != "" {
				break
			}
			continue
		}
		out = append(out, item)
	}
	return out
}

// block is an example request or response: the comment's fields, then the fenced code.
type block struct {
	kind string // "request" or "response"
	name string // the request's "name"
	code []string
	line int
}

var fence = regexp.MustCompile("^\\s*(```|~~~)")

// blocks finds the example blocks of the page: an HTML comment holding "blockType" followed
// (after blank lines or a tab heading) by a code fence.
func (p *page) blocks() []block {
	var out []block
	for i := 0; i < len(p.lines); i++ {
		if !strings.Contains(p.lines[i], "<!--") {
			continue
		}
		// Collect the comment.
		var sb strings.Builder
		j := i
		for ; j < len(p.lines); j++ {
			sb.WriteString(p.lines[j])
			sb.WriteByte('\n')
			if strings.Contains(p.lines[j], "-->") {
				break
			}
		}
		comment := sb.String()
		kind := commentField(comment, "blockType")
		if kind != "request" && kind != "response" && kind != "ignored" {
			i = j
			continue
		}
		// The fence follows.
		k := j + 1
		for k < len(p.lines) && strings.TrimSpace(p.lines[k]) == "" {
			k++
		}
		if k >= len(p.lines) || !fence.MatchString(p.lines[k]) {
			i = j
			continue
		}
		var code []string
		e := k + 1
		for ; e < len(p.lines) && !fence.MatchString(p.lines[e]); e++ {
			code = append(code, p.lines[e])
		}
		if kind == "ignored" {
			// An example Microsoft's tooling does not run is still an example: a request to a
			// full address (GET https://...) is the request the next answer answers. Other
			// ignored blocks (the HTTP request syntax, GET /groups) are not examples.
			if first := firstLine(code); !requestStart.MatchString(first) || !strings.Contains(first, "://") {
				i = e
				continue
			}
			kind = "request"
		}
		out = append(out, block{kind: kind, name: commentField(comment, "name"), code: code, line: k})
		i = e
	}
	return out
}

// firstLine is the first line of code that is not blank, trimmed.
func firstLine(code []string) string {
	for _, c := range code {
		if c = strings.TrimSpace(c); c != "" {
			return c
		}
	}
	return ""
}

var commentFieldPattern = regexp.MustCompile(`"(\w+)"\s*:\s*"([^"]*)"`)

// commentField reads a string field of a block comment (its JSON is often not valid JSON, so it
// is read field by field).
func commentField(comment, field string) string {
	for _, m := range commentFieldPattern.FindAllStringSubmatch(comment, -1) {
		if m[1] == field {
			return m[2]
		}
	}
	return ""
}

// Message is an example request or response, as the page writes it.
type Message struct {
	Method  string            `json:"method,omitempty"` // requests
	URL     string            `json:"url,omitempty"`    // requests
	Status  int               `json:"status,omitempty"` // responses
	Headers map[string]string `json:"headers,omitempty"`
	// Body is the body as the page writes it. JSON is true when it parses as JSON (some of
	// Microsoft's examples do not: a trailing comma, a comment).
	Body string `json:"body,omitempty"`
	JSON bool   `json:"json,omitempty"`
}

// parseMessage reads a fenced HTTP example: a first line, header lines, a blank line, the body.
func parseMessage(kind string, code []string) (Message, error) {
	var m Message
	i := 0
	for i < len(code) && strings.TrimSpace(code[i]) == "" {
		i++
	}
	if i >= len(code) {
		return m, fmt.Errorf("empty %s block", kind)
	}
	first := strings.TrimSpace(code[i])
	i++
	if kind == "response" {
		f := strings.Fields(first)
		if len(f) < 2 || !strings.HasPrefix(f[0], "HTTP/") {
			return m, fmt.Errorf("response block does not start with a status line: %q", first)
		}
		n, err := strconv.Atoi(f[1])
		if err != nil {
			return m, fmt.Errorf("response status %q: %w", f[1], err)
		}
		m.Status = n
	} else {
		method, url, ok := strings.Cut(first, " ")
		if !ok {
			return m, fmt.Errorf("request block does not start with a method and address: %q", first)
		}
		m.Method, m.URL = strings.ToUpper(method), strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(url), "HTTP/1.1"))
	}
	for ; i < len(code); i++ {
		l := strings.TrimSpace(code[i])
		if l == "" {
			i++
			break
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok || strings.ContainsAny(k, " {[\"") {
			break // a body with no blank line before it
		}
		if m.Headers == nil {
			m.Headers = map[string]string{}
		}
		m.Headers[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	body := strings.TrimSpace(strings.Join(code[min(i, len(code)):], "\n"))
	m.Body = body
	m.JSON = body != "" && json.Valid([]byte(body))
	return m, nil
}
