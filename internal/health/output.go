package health

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/report"
	"github.com/onboard365/onboard365/internal/words"
)

// WriteJSON writes the report as `onboard365 check all --format json` prints it:
//
//	{"checkedAt": "...", "template": "Liongard",
//	 "partner": {"tenantId": "...", "technician": "...", "status": "pass", "checks": [...],
//	             "signIn": {"renewed": "...", "ends": "..."}, "secret": {"clientId": "...", "expires": "..."}},
//	 "customers": [{"tenantId": "...", "name": "Litware", "status": "fail",
//	                "checks": [{"check": "conditionalAccess", "title": "Conditional Access",
//	                            "status": "fail", "sentence": "...", "fix": "Troubleshoot \"400\" errors"}]}],
//	 "summary": {"pass": 5, "fail": 4, "warning": 3, "couldNotCheck": 0}}
//
// Its fields only ever grow. Every name and sentence is cleaned.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(words.Cleaned(r))
}

// WriteTable writes the report for a terminal: the partner's parts, a row a customer with the
// status of each part, and then every problem with the task that fixes it. Every name and
// sentence is on one line and cleaned.
func WriteTable(w io.Writer, r Report) error {
	r = words.Cleaned(r)
	ew := &errWriter{w: w}
	ew.printf("Health check of %s against the role template %s.\n\n", r.CheckedAt.UTC().Format("2 January 2006 15:04 UTC"), words.Quote(r.Template))
	ew.printf("Your partner tenant: %s", r.Partner.Status.Word())
	if r.Partner.Technician != "" {
		ew.printf(" (signed in: %s)", words.OneLine(r.Partner.Technician))
	}
	ew.printf("\n")
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	for _, p := range r.Partner.Checks {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.Title, p.Status.Word(), words.OneLine(p.Sentence))
	}
	tw.Flush()
	ew.printf("\n")
	parts := r.ByPart()
	tw = tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	head := []string{"STATUS", "CUSTOMER"}
	for _, pc := range parts {
		head = append(head, strings.ToUpper(pc.Title))
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, c := range r.Customers {
		row := []string{c.Status.Word(), words.OneLine(label(c.Name, c.TenantID))}
		for _, pc := range parts {
			cell := "-"
			if p, ok := c.Check(pc.Check); ok {
				cell = p.Status.Word()
			}
			row = append(row, cell)
		}
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	s := r.Summary
	ew.printf("\n%s: %d pass, %d fail, %d with warnings, %d could not be checked.\n", words.Count(s.Total(), "customer"), s.Pass, s.Fail, s.Warning, s.CouldNotCheck)
	if problems := r.Problems(); len(problems) > 0 {
		ew.printf("\nWhat to look at:\n")
		for _, p := range problems {
			ew.printf("- %s, %s (%s): %s", words.OneLine(p.Subject), p.Title, strings.ToLower(p.Status.Word()), words.OneLine(p.Sentence))
			if p.Fix != FixNone {
				ew.printf(" [fix: %s]", p.Fix)
			}
			ew.printf("\n")
		}
	}
	return ew.err
}

// csvHeader is the first row of WriteCSV.
var csvHeader = []string{"Tenant", "Tenant ID", "Check", "Status", "What Onboard365 found", "Fixed by"}

// WriteCSV writes a header and one row a part: the partner's first, then each customer's. Every
// cell is on one line, cleaned, and never read as a formula.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	write := func(row ...string) {
		_ = cw.Write(words.Cells(row))
	}
	write(csvHeader...)
	for _, p := range r.Partner.Checks {
		write(PartnerName, r.Partner.TenantID, p.Title, p.Status.Word(), p.Sentence, string(p.Fix))
	}
	for _, c := range r.Customers {
		for _, p := range c.Checks {
			write(label(c.Name, c.TenantID), c.TenantID, p.Title, p.Status.Word(), p.Sentence, string(p.Fix))
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteHTML writes a printable page: the partner's parts, then a table of customers with every
// part. It is one file with its style inline; every name and sentence is cleaned and html/template
// escapes it.
func WriteHTML(w io.Writer, r Report) error {
	r = words.Cleaned(r)
	return htmlReport.Execute(w, struct {
		Report
		Title string
		When  string
	}{Report: r, Title: "Onboard365 health check", When: r.CheckedAt.UTC().Format("2 January 2006 15:04 UTC")})
}

var htmlReport = report.Page("health", template.FuncMap{
	"word": func(s plan.Status) string { return s.Word() },
}, `<h1>{{.Title}}</h1>
<p>{{.When}}, role template "{{.Template}}".</p>
<h2>Your partner tenant: <span class="badge {{.Partner.Status}}">{{word .Partner.Status}}</span></h2>
<table>
<colgroup><col class="check"><col class="status"><col></colgroup>
<thead><tr><th>Check</th><th>Status</th><th>What Onboard365 found</th></tr></thead>
<tbody>
{{range .Partner.Checks}}<tr><td>{{.Title}}</td><td class="badge {{.Status}}">{{word .Status}}</td><td>{{.Sentence}}{{if .Fix}}<div class="fix">Fixed by: {{.Fix}}</div>{{end}}</td></tr>
{{end}}</tbody>
</table>
<h2>Customers</h2>
<p class="summary"><span>{{.Summary.Total}} customers</span><span class="pass">Pass: {{.Summary.Pass}}</span><span class="fail">Fail: {{.Summary.Fail}}</span><span class="warning">Warning: {{.Summary.Warning}}</span><span class="couldNotCheck">Could not check: {{.Summary.CouldNotCheck}}</span></p>
<table>
<colgroup><col class="who"><col class="status"><col></colgroup>
<thead><tr><th>Customer</th><th>Status</th><th>Checks</th></tr></thead>
<tbody>
{{range .Customers}}<tr>
<td>{{.Name}}<div class="ids">{{.TenantID}}</div></td>
<td class="badge {{.Status}}">{{word .Status}}</td>
<td><ul>{{range .Checks}}<li><span class="badge {{.Status}}">{{.Title}}: {{word .Status}}</span> {{.Sentence}}{{if and .Fix (ne .Status "pass")}}<div class="fix">Fixed by: {{.Fix}}</div>{{end}}</li>{{end}}</ul></td>
</tr>
{{end}}</tbody>
</table>
`)

// Write writes the report in a format: "table", "json", "csv" or "html".
func Write(w io.Writer, r Report, format string) error {
	switch format {
	case "table":
		return WriteTable(w, r)
	case "json":
		return WriteJSON(w, r)
	case "csv":
		return WriteCSV(w, r)
	case "html":
		return WriteHTML(w, r)
	}
	return fmt.Errorf("cannot write the health check as %q", format)
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) { fmt.Fprintf(e, format, args...) }
