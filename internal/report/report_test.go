package report_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/chromiumtest"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/health"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/troubleshoot"
)

// measure is a script put at the end of a report for the test: it writes, into the page's title,
// how wide the page is and how many lines the tallest tenant id takes.
const measure = `<script>
const line = parseFloat(getComputedStyle(document.querySelector(".ids") || document.body).lineHeight) || 16;
let lines = 0;
for (const e of document.querySelectorAll(".ids")) { lines = Math.max(lines, Math.round(e.getBoundingClientRect().height / line)); }
let spill = 0;
for (const e of document.querySelectorAll("td")) { if (e.scrollWidth > e.clientWidth + 1) spill++; }
document.title = "width=" + document.documentElement.scrollWidth + " idlines=" + lines + " spill=" + spill;
</script>`

var measured = regexp.MustCompile(`<title>width=(\d+) idlines=(\d+) spill=(\d+)</title>`)

// render opens a report in headless Chromium in a window of the given width and returns the
// page's width, the most lines one tenant id takes, and how many cells spill into the next one
// (a status word wider than its column).
func render(t *testing.T, page []byte, width int) (pageWidth, idLines, spills int) {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	if err := os.WriteFile(file, bytes.Replace(page, []byte("</body>"), []byte(measure+"</body>"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, chromiumtest.Find(t), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--user-data-dir="+filepath.Join(dir, "profile"),
		fmt.Sprintf("--window-size=%d,1000", width), "--dump-dom", "file://"+file).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	m := measured.FindSubmatch(out)
	if m == nil {
		t.Fatalf("the page was not measured:\n%.500s", out)
	}
	pageWidth, _ = strconv.Atoi(string(m[1]))
	idLines, _ = strconv.Atoi(string(m[2]))
	spills, _ = strconv.Atoi(string(m[3]))
	return pageWidth, idLines, spills
}

// long is a sentence as long as the checks write, and a link with no place to break.
var long = strings.Repeat("Cloud Application Administrator, Directory Writers, Global Reader and Security Reader are assigned only to HelpdeskAgents, which you are not in. ", 3)

const link = "https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/0123456789abcdef0123456789abcdef-0123456789abcdef"

// TestReportsFitTheirPage: at 1,300 pixels (and 1,024) no report is wider than its page,
// and no tenant id wraps one character at a time (it takes one line, two at most).
func TestReportsFitTheirPage(t *testing.T) {
	var verdicts []gdap.Verdict
	var customers []troubleshoot.Checklist
	for i := 0; i < 6; i++ {
		c := gdap.Customer{Name: fmt.Sprintf("Contoso Holdings International %d", i), TenantID: fmt.Sprintf("%08d-c307-46ab-907a-ccc9f83bbb6b", i)}
		verdicts = append(verdicts, gdap.Verdict{Customer: c, Status: plan.Fail, Sentence: long, Problems: []gdap.Problem{
			{Kind: gdap.UnboundRoles, Sentence: long}, {Kind: gdap.ApprovalPending, Sentence: "Waiting for approval.", ApprovalLink: link},
		}})
		customers = append(customers, troubleshoot.Checklist{Customer: troubleshoot.Customer{Name: c.Name, TenantID: c.TenantID}, Status: plan.Fail,
			Checks: []troubleshoot.Check{{Status: plan.Fail, Sentence: long + " " + link, Details: []string{long}}, {Status: plan.CouldNotCheck, Sentence: "Fine."}}})
	}
	var g, tr bytes.Buffer
	if err := gdap.WriteHTML(&g, verdicts, "GDAP check"); err != nil {
		t.Fatal(err)
	}
	d := troubleshoot.Diagnosis{CheckedAt: time.Now(), Customers: customers}
	if err := troubleshoot.WriteHTML(&tr, d, d.Title()); err != nil {
		t.Fatal(err)
	}
	hr := health.Report{CheckedAt: time.Now(), Template: "Liongard", Partner: health.Partner{Status: plan.Fail,
		Checks: []health.Part{{Title: "Kept sign-in", Status: plan.Fail, Sentence: long + " " + link, Fix: "Sign in"}}}}
	for _, c := range customers {
		hr.Customers = append(hr.Customers, health.Customer{Name: c.Customer.Name, TenantID: c.Customer.TenantID, Status: plan.Fail,
			Checks: []health.Part{{Title: "Conditional Access", Status: plan.Fail, Sentence: long + " " + link, Fix: "Troubleshoot"}}})
	}
	hr.Count()
	var h bytes.Buffer
	if err := health.WriteHTML(&h, hr); err != nil {
		t.Fatal(err)
	}
	for name, page := range map[string][]byte{"GDAP": g.Bytes(), "Troubleshoot": tr.Bytes(), "Health": h.Bytes()} {
		for _, width := range []int{1300, 1024} {
			w, lines, spills := render(t, page, width)
			if spills > 0 {
				t.Errorf("%s report at %d px: %d cells spill into the next column", name, width, spills)
			}
			if w > width {
				t.Errorf("%s report at %d px is %d px wide: it scrolls sideways", name, width, w)
			}
			if lines < 1 || lines > 2 {
				t.Errorf("%s report at %d px: a tenant id takes %d lines", name, width, lines)
			}
		}
	}
}
