package gdap

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/report"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/words"
)

// Report is the GDAP check as stable JSON: what `onboard365 check gdap --format json` prints and
// what an exported report holds. It carries names, ids, statuses and sentences only, never a
// token or secret. Fields are only ever added, never renamed or removed.
//
//	{
//	  "profile":   "Liongard inspectors",           // the profile checked against
//	  "checkedAt": "2026-05-04T09:30:00Z",          // when the inventory was read (RFC 3339, UTC)
//	  "summary":   {"pass": 8, "fail": 3, "warning": 1, "couldNotCheck": 0},
//	  "customers": [                                // worst first, then by name
//	    {
//	      "tenantId": "…",                          // the customer's tenant id
//	      "name":     "Northwind Traders",
//	      "status":   "fail",                       // pass | fail | warning | couldNotCheck
//	      "sentence": "Northwind Traders: …",       // the verdict in plain words
//	      "problems": [                             // worst first; empty when the customer passes
//	        {
//	          "kind":            "missingRoles",    // missingRoles | unboundRoles | technicianNotInGroup |
//	                                                // requiredGroupMissing | expiring | globalAdminAutoExtend |
//	                                                // approvalPending | noActiveRelationship | couldNotRead
//	          "status":          "fail",            // what this problem makes the customer: fail | warning | couldNotCheck
//	          "sentence":        "…",               // the problem in plain words
//	          "roles":           [{"id": "69091246-…", "name": "Teams Administrator"}],
//	          "relationshipIds": ["…"],             // omitted when empty
//	          "groupIds":        ["…"],             // omitted when empty
//	          "requiredGroup":   "AdminAgents",     // requiredGroupMissing only
//	          "days":            12,                // expiring: days left; approvalPending: days waited
//	          "approvalLink":    "https://admin.microsoft.com/…"  // approvalPending only
//	        }
//	      ]
//	    }
//	  ]
//	}
type Report struct {
	Profile   string           `json:"profile"`
	CheckedAt time.Time        `json:"checkedAt"`
	Summary   plan.Summary     `json:"summary"`
	Customers []CustomerReport `json:"customers"`
}

// CustomerReport is one customer's verdict in a Report.
type CustomerReport struct {
	TenantID string          `json:"tenantId"`
	Name     string          `json:"name"`
	Status   plan.Status     `json:"status"`
	Sentence string          `json:"sentence"`
	Problems []ProblemReport `json:"problems"`
}

// ProblemReport is one problem in a Report.
type ProblemReport struct {
	Kind            ProblemKind `json:"kind"`
	Status          plan.Status `json:"status"`
	Sentence        string      `json:"sentence"`
	Roles           []RoleRef   `json:"roles"`
	RelationshipIDs []string    `json:"relationshipIds,omitempty"`
	GroupIDs        []string    `json:"groupIds,omitempty"`
	RequiredGroup   string      `json:"requiredGroup,omitempty"`
	Days            int         `json:"days,omitempty"`
	ApprovalLink    string      `json:"approvalLink,omitempty"`
}

// RoleRef names a role by id and display name.
type RoleRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// NewReport puts verdicts into a Report, every name and sentence from outside cleaned
// (words.Cleaned).
func NewReport(profile string, checkedAt time.Time, verdicts []Verdict) Report {
	r := Report{Profile: profile, CheckedAt: checkedAt.UTC().Truncate(time.Second), Customers: make([]CustomerReport, 0, len(verdicts))}
	for _, v := range verdicts {
		r.Summary.Add(v.Status)
		cr := CustomerReport{TenantID: v.Customer.TenantID, Name: v.Customer.Name, Status: v.Status, Sentence: v.Sentence, Problems: []ProblemReport{}}
		for _, p := range v.Problems {
			pr := ProblemReport{Kind: p.Kind, Status: p.Kind.Severity(), Sentence: p.Sentence, Roles: roleRefs(p.Roles),
				RelationshipIDs: p.RelationshipIDs, GroupIDs: p.GroupIDs, RequiredGroup: p.RequiredGroup, Days: p.Days, ApprovalLink: p.ApprovalLink}
			cr.Problems = append(cr.Problems, pr)
		}
		r.Customers = append(r.Customers, cr)
	}
	return words.Cleaned(r)
}

func roleRefs(ids []string) []RoleRef {
	out := make([]RoleRef, len(ids))
	for i, id := range ids {
		out[i] = RoleRef{ID: id, Name: roles.Name(id)}
	}
	return out
}

// csvHeader is the first row of WriteCSV.
var csvHeader = []string{"Customer", "Tenant ID", "Status", "Problem", "Roles", "Relationship IDs", "Group IDs", "Approval link", "Sentence"}

// WriteCSV writes one row per problem (one row for a customer without problems) with a header
// row, for a spreadsheet. Cells that a spreadsheet would run as a formula are written as text.
func WriteCSV(w io.Writer, verdicts []Verdict) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, v := range verdicts {
		base := []string{v.Customer.Name, v.Customer.TenantID, v.Status.Word()}
		if len(v.Problems) == 0 {
			if err := cw.Write(words.Cells(append(base, "", "", "", "", "", v.Sentence))); err != nil {
				return err
			}
			continue
		}
		for _, p := range v.Problems {
			names := make([]string, len(p.Roles))
			for i, id := range p.Roles {
				names[i] = roles.Name(id)
			}
			row := append(append([]string(nil), base...), string(p.Kind), strings.Join(names, "; "),
				strings.Join(p.RelationshipIDs, "; "), strings.Join(p.GroupIDs, "; "), p.ApprovalLink, p.Sentence)
			if err := cw.Write(words.Cells(row)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// Covers says what a Pass of the GDAP check means, and what it does not: the customer's
// Conditional Access and the app's consent are other checks. The window shows it under the
// table, the report and the command line's table under theirs.
const Covers = "What this check covers: each customer's GDAP relationships, whether they grant the profile's roles to " +
	"groups your technician is in, and when they end. A Pass here does not mean the tools work there: a customer's " +
	"Conditional Access can still block your technicians (Troubleshoot \"400\" errors checks it), and the app needs its " +
	"consent in each customer (App registration checks it)."

// WriteHTML writes a printable page: a summary and a table of customers with their problems.
// It is one file with its style inline; every name and sentence is cleaned (words.Cleaned) and
// html/template escapes it.
func WriteHTML(w io.Writer, verdicts []Verdict, title string) error {
	verdicts, title = words.Cleaned(verdicts), words.Clean(title)
	type row struct {
		Verdict
		Word, Class string
	}
	data := struct {
		Title   string
		Summary plan.Summary
		Rows    []row
		Total   int
		Covers  string
	}{Title: title, Total: len(verdicts), Covers: Covers}
	data.Summary = NewReport("", time.Time{}, verdicts).Summary
	for _, v := range verdicts {
		data.Rows = append(data.Rows, row{Verdict: v, Word: v.Status.Word(), Class: string(v.Status)})
	}
	return htmlReport.Execute(w, data)
}

var htmlReport = report.Page("report", template.FuncMap{
	"roleNames": func(ids []string) string {
		names := make([]string, len(ids))
		for i, id := range ids {
			names[i] = roles.Name(id)
		}
		return strings.Join(names, ", ")
	},
	"word": func(s string) string { return plan.Status(s).Word() },
	"sev":  func(k ProblemKind) string { return string(k.Severity()) },
}, `<h1>{{.Title}}</h1>
<p class="summary"><span>{{.Total}} customers</span><span class="pass">Pass: {{.Summary.Pass}}</span><span class="fail">Fail: {{.Summary.Fail}}</span><span class="warning">Warning: {{.Summary.Warning}}</span><span class="couldNotCheck">Could not check: {{.Summary.CouldNotCheck}}</span></p>
<table>
<colgroup><col class="who"><col class="status"><col></colgroup>
<thead><tr><th>Customer</th><th>Status</th><th>What Onboard365 found</th></tr></thead>
<tbody>
{{range .Rows}}<tr>
<td>{{.Customer.Name}}<div class="ids">{{.Customer.TenantID}}</div></td>
<td class="badge {{.Class}}">{{.Word}}</td>
<td>{{if .Problems}}<ul>{{range .Problems}}<li><span class="badge {{sev .Kind}}">{{word (sev .Kind)}}</span> {{.Sentence}}{{if .Roles}}<div class="roles">Roles: {{roleNames .Roles}}</div>{{end}}{{if .ApprovalLink}}<div><a href="{{.ApprovalLink}}">Approval link</a></div>{{end}}</li>{{end}}</ul>{{else}}{{.Sentence}}{{end}}</td>
</tr>
{{end}}</tbody>
</table>
<p class="roles">{{.Covers}}</p>
`)

// WriteTable writes the check as plain text columns, then what is wrong with each customer that
// does not pass: `onboard365 check gdap`'s default output.
// Every name and sentence is on one line and cleaned (words.OneLine): no escape sequence or
// direction change from outside reaches the terminal.
func WriteTable(w io.Writer, p roles.Profile, checkedAt time.Time, verdicts []Verdict) error {
	fmt.Fprintf(w, "GDAP check against %q (%d roles), %s\n\n", words.OneLine(p.Name), len(p.Roles), checkedAt.UTC().Format("2 January 2006 15:04 UTC"))
	if len(verdicts) == 0 {
		_, err := fmt.Fprintln(w, "You have no GDAP relationships with customers yet.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCUSTOMER\tPROBLEMS")
	var counts plan.Summary
	for _, v := range verdicts {
		counts.Add(v.Status)
		var kinds []string
		for _, pr := range v.Problems {
			kinds = append(kinds, pr.Kind.Words())
		}
		problems := strings.Join(kinds, ", ")
		if problems == "" {
			problems = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Status.Word(), words.OneLine(v.Customer.Name), problems)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%s: %d pass, %d fail, %d with warnings, %d could not be checked.\n",
		words.Count(len(verdicts), "customer"), counts.Pass, counts.Fail, counts.Warning, counts.CouldNotCheck)
	first := true
	for _, v := range verdicts {
		for _, pr := range v.Problems {
			if first {
				fmt.Fprintln(w, "\nWhat is wrong, and what to do:")
				first = false
			}
			fmt.Fprintf(w, "  - %s\n", words.OneLine(pr.Sentence))
		}
	}
	if !first {
		fmt.Fprintln(w, "\nOpen GDAP relationships in the app to review and apply the fixes Onboard365 offers.")
	}
	_, err := fmt.Fprintf(w, "\n%s onboard365 check all checks all of these at once.\n", Covers)
	return err
}
