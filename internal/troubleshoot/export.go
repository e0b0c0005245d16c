package troubleshoot

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/report"
	kit "github.com/onboard365/onboard365/internal/words"
)

// Report is a diagnosis as stable JSON: what `onboard365 check troubleshoot --format json` prints
// and what an exported report holds. It carries names, ids, statuses and sentences, never a token
// or secret. Fields are only ever added, never renamed or removed.
//
//	{
//	  "checkedAt": "2026-05-04T09:30:00Z",
//	  "partnerTenantId": "…",
//	  "summary": {"pass": 7, "fail": 4, "warning": 1, "couldNotCheck": 0},   // customers by status
//	  "partner": {"tenantId": "…", "name": "Your partner tenant", "status": "warning", "checks": […]},
//	  "customers": [                                   // worst first, then by name
//	    {
//	      "tenantId": "…", "name": "Litware", "status": "fail",
//	      "adminSignedIn": false,                      // read with the customer's own administrator's sign-in
//	      "needsAdmin": true,                          // a customer administrator's sign-in would let the checks run
//	      "checks": [
//	        {
//	          "kind": "conditionalAccess",             // mfaEnforcement | riskyAccount | signInMfa | access |
//	                                                   // conditionalAccess | signInLog | gdapRoles | entraIdP1
//	          "title": "Conditional Access",
//	          "status": "fail",                        // pass | fail | warning | couldNotCheck
//	          "sentence": "…",
//	          "details": ["…"],                        // omitted when empty
//	          "fixes": ["exclude/…"]                   // ids in "fixes" below; omitted when none
//	        }
//	      ]
//	    }
//	  ],
//	  "fixes": [
//	    {"id": "exclude/…", "kind": "excludeServiceProviders", "tenantId": "…", "customer": "Litware",
//	     "policyId": "…", "policy": "Block guests and external users", "reason": "…", "safe": true,
//	     "caution": "…", "blocked": "…", "asCustomerAdmin": false}     // caution and blocked omitted when empty
//	  ]
//	}
type Report struct {
	CheckedAt       time.Time         `json:"checkedAt"`
	PartnerTenantID string            `json:"partnerTenantId"`
	Summary         plan.Summary      `json:"summary"`
	Partner         ChecklistReport   `json:"partner"`
	Customers       []ChecklistReport `json:"customers"`
	Fixes           []FixReport       `json:"fixes"`
}

// ChecklistReport is one tenant's checks in a Report.
type ChecklistReport struct {
	TenantID      string        `json:"tenantId"`
	Name          string        `json:"name"`
	Status        plan.Status   `json:"status"`
	AdminSignedIn bool          `json:"adminSignedIn"`
	NeedsAdmin    bool          `json:"needsAdmin"`
	Checks        []CheckReport `json:"checks"`
}

// CheckReport is one check in a Report.
type CheckReport struct {
	Kind     Kind        `json:"kind"`
	Title    string      `json:"title"`
	Status   plan.Status `json:"status"`
	Sentence string      `json:"sentence"`
	Details  []string    `json:"details,omitempty"`
	Fixes    []string    `json:"fixes,omitempty"`
}

// FixReport is one proposed fix in a Report.
type FixReport struct {
	ID              string  `json:"id"`
	Kind            FixKind `json:"kind"`
	TenantID        string  `json:"tenantId,omitempty"`
	Customer        string  `json:"customer,omitempty"`
	PolicyID        string  `json:"policyId,omitempty"`
	Policy          string  `json:"policy,omitempty"`
	UserID          string  `json:"userId,omitempty"`
	User            string  `json:"user,omitempty"`
	Reason          string  `json:"reason"`
	Safe            bool    `json:"safe"`
	Caution         string  `json:"caution,omitempty"`
	Blocked         string  `json:"blocked,omitempty"`
	AsCustomerAdmin bool    `json:"asCustomerAdmin"`
}

// NewReport puts a diagnosis into a Report, every name and sentence from outside cleaned
// (words.Cleaned).
func NewReport(d Diagnosis) Report {
	r := Report{CheckedAt: d.CheckedAt.UTC().Truncate(time.Second), PartnerTenantID: d.PartnerTenantID, Summary: d.Summary(),
		Partner: checklistReport(d.Partner), Customers: make([]ChecklistReport, 0, len(d.Customers)), Fixes: make([]FixReport, 0, len(d.Fixes))}
	for _, l := range d.Customers {
		r.Customers = append(r.Customers, checklistReport(l))
	}
	for _, f := range d.Fixes {
		r.Fixes = append(r.Fixes, FixReport{ID: f.ID, Kind: f.Kind, TenantID: f.Customer.TenantID, Customer: f.Customer.Name,
			PolicyID: f.PolicyID, Policy: f.PolicyName, UserID: f.UserID, User: f.UserName, Reason: f.Reason, Safe: f.Safe,
			Caution: f.Caution, Blocked: f.Blocked, AsCustomerAdmin: f.AsCustomerAdmin})
	}
	return kit.Cleaned(r)
}

func checklistReport(l Checklist) ChecklistReport {
	out := ChecklistReport{TenantID: l.Customer.TenantID, Name: l.Customer.Name, Status: l.Status, AdminSignedIn: l.AdminSignedIn,
		NeedsAdmin: l.NeedsAdmin, Checks: make([]CheckReport, 0, len(l.Checks))}
	for _, c := range l.Checks {
		out.Checks = append(out.Checks, CheckReport{Kind: c.Kind, Title: c.Kind.Title(), Status: c.Status, Sentence: c.Sentence,
			Details: c.Details, Fixes: c.FixIDs})
	}
	return out
}

// csvHeader is the first row of WriteCSV.
var csvHeader = []string{"Tenant", "Tenant ID", "Check", "Status", "What Onboard365 found", "Details"}

// WriteCSV writes one row per check, the partner tenant's first, with a header row, for a
// spreadsheet. Cells that a spreadsheet would run as a formula are written as text.
func WriteCSV(w io.Writer, d Diagnosis) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, l := range append([]Checklist{d.Partner}, d.Customers...) {
		for _, c := range l.Checks {
			row := []string{l.Customer.Label(), l.Customer.TenantID, c.Kind.Title(), c.Status.Word(), c.Sentence, strings.Join(c.Details, "\n")}
			if err := cw.Write(kit.Cells(row)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteHTML writes a printable page: the partner tenant's checklist, a summary, then every
// customer's checklist and the proposed fixes. One file with its style inline; html/template
// escapes every name and sentence.
func WriteHTML(w io.Writer, d Diagnosis, title string) error {
	d, title = kit.Cleaned(d), kit.Clean(title)
	data := struct {
		Title     string
		CheckedAt string
		Summary   plan.Summary
		Total     int
		Partner   Checklist
		Customers []Checklist
		Fixes     []Fix
	}{Title: title, CheckedAt: d.CheckedAt.UTC().Format("2 January 2006 15:04 UTC"), Summary: d.Summary(), Total: len(d.Customers),
		Partner: d.Partner, Customers: d.Customers, Fixes: d.Fixes}
	return htmlReport.Execute(w, data)
}

var htmlReport = report.Page("report", template.FuncMap{
	"title": func(k Kind) string { return k.Title() },
	"word":  func(s plan.Status) string { return s.Word() },
}, `<h1>{{.Title}}</h1>
<p>Checked {{.CheckedAt}}.</p>
<h2>{{.Partner.Customer.Name}} <span class="badge {{.Partner.Status}}">{{word .Partner.Status}}</span></h2>
<table>
<colgroup><col class="check"><col class="status"><col></colgroup>
<thead><tr><th>Check</th><th>Status</th><th>What Onboard365 found</th></tr></thead>
<tbody>
{{range .Partner.Checks}}<tr><td>{{title .Kind}}</td><td class="badge {{.Status}}">{{word .Status}}</td><td>{{.Sentence}}{{if .Details}}<ul>{{range .Details}}<li>{{.}}</li>{{end}}</ul>{{end}}</td></tr>
{{end}}</tbody>
</table>
<h2>Customers</h2>
<p class="summary"><span>{{.Total}} customers</span><span class="pass">Pass: {{.Summary.Pass}}</span><span class="fail">Fail: {{.Summary.Fail}}</span><span class="warning">Warning: {{.Summary.Warning}}</span><span class="couldNotCheck">Could not check: {{.Summary.CouldNotCheck}}</span></p>
<table>
<colgroup><col class="who"><col class="check"><col class="status"><col></colgroup>
<thead><tr><th>Customer</th><th>Check</th><th>Status</th><th>What Onboard365 found</th></tr></thead>
<tbody>
{{range .Customers}}{{$c := .}}{{range $i, $k := .Checks}}<tr>
{{if eq $i 0}}<td rowspan="{{len $c.Checks}}">{{$c.Customer.Name}} <span class="badge {{$c.Status}}">{{word $c.Status}}</span><div class="ids">{{$c.Customer.TenantID}}</div></td>{{end}}
<td>{{title $k.Kind}}</td><td class="badge {{$k.Status}}">{{word $k.Status}}</td><td>{{$k.Sentence}}{{if $k.Details}}<ul>{{range $k.Details}}<li>{{.}}</li>{{end}}</ul>{{end}}</td>
</tr>
{{end}}{{end}}</tbody>
</table>
{{if .Fixes}}<h2>Fixes Onboard365 can make</h2>
<ul>{{range .Fixes}}<li>{{if .Customer.Name}}<strong>{{.Customer.Name}}</strong>: {{end}}{{.Reason}}{{if .Caution}} <em>{{.Caution}}</em>{{end}}{{if .Blocked}} <em>{{.Blocked}}</em>{{end}}</li>{{end}}</ul>{{end}}
`)

// Title is a diagnosis's title in reports: `Troubleshoot "400" errors, 4 May 2026 09:30 UTC`.
func (d Diagnosis) Title() string {
	return `Troubleshoot "400" errors, ` + d.CheckedAt.UTC().Format("2 January 2006 15:04 UTC")
}

// WriteTable writes a diagnosis as plain text: the partner tenant's checks, a table of customers
// with the checks that do not pass, then what is wrong and the fixes the app offers. It is
// `onboard365 check troubleshoot`'s default output.
//
// Every name and sentence is on one line and cleaned (words.OneLine): no escape sequence or
// direction change from outside reaches the terminal.
func WriteTable(w io.Writer, d Diagnosis) error {
	fmt.Fprintf(w, "%s\n\n", d.Title())
	fmt.Fprintf(w, "Your partner tenant: %s\n", d.Partner.Status.Word())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, c := range d.Partner.Checks {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", c.Status.Word(), c.Kind.Title(), kit.OneLine(c.Sentence))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if len(d.Customers) == 0 {
		_, err := fmt.Fprintln(w, "You have no GDAP relationships with customers yet.")
		return err
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCUSTOMER\tCHECKS THAT DO NOT PASS")
	for _, l := range d.Customers {
		var not []string
		for _, c := range l.Checks {
			if c.Status != plan.Pass {
				not = append(not, c.Kind.Title())
			}
		}
		if len(not) == 0 {
			not = []string{"-"}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l.Status.Word(), kit.OneLine(l.Customer.Label()), strings.Join(not, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	s := d.Summary()
	fmt.Fprintf(w, "\n%s: %d pass, %d fail, %d with warnings, %d could not be checked.\n",
		kit.Count(len(d.Customers), "customer"), s.Pass, s.Fail, s.Warning, s.CouldNotCheck)

	first := true
	for _, l := range append([]Checklist{d.Partner}, d.Customers...) {
		access, _ := l.Check(Access)
		for _, c := range l.Checks {
			if c.Status == plan.Pass || (access.Status == plan.Fail && c.Status == plan.CouldNotCheck) {
				continue // a customer that refuses the token: the checks it stops say so in the table
			}
			if first {
				fmt.Fprintln(w, "\nWhat is wrong, and what to do:")
				first = false
			}
			fmt.Fprintf(w, "  - %s, %s (%s): %s\n", kit.OneLine(l.Customer.Label()), c.Kind.Title(), strings.ToLower(c.Status.Word()), kit.OneLine(c.Sentence))
			for _, x := range c.Details {
				fmt.Fprintf(w, "      %s\n", kit.OneLine(x))
			}
		}
	}
	if len(d.Fixes) > 0 {
		fixes := append([]Fix(nil), d.Fixes...)
		sort.SliceStable(fixes, func(i, j int) bool { return fixes[i].Safe && !fixes[j].Safe })
		fmt.Fprintln(w, "\nFixes Onboard365 can make (open Troubleshoot in the app to review and apply them):")
		for _, f := range fixes {
			mark := "needs your judgement"
			switch {
			case f.Blocked != "":
				mark = "cannot be applied now"
			case f.Safe:
				mark = "safe"
			}
			fmt.Fprintf(w, "  - [%s] %s\n", mark, kit.OneLine(f.Reason))
			for _, x := range []string{f.Caution, f.Blocked} {
				if x != "" {
					fmt.Fprintf(w, "      %s\n", kit.OneLine(x))
				}
			}
		}
	}
	return nil
}

// Passes says whether every check of the partner tenant and of every customer passes.
func (d Diagnosis) Passes() bool {
	for _, l := range append([]Checklist{d.Partner}, d.Customers...) {
		if l.Status != plan.Pass {
			return false
		}
	}
	return true
}
