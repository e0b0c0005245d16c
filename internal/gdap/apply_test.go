package gdap

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
)

type staticToken struct{}

func (staticToken) Token(context.Context) (string, error) { return "test-token", nil }

// fakeGraph answers what TestApplyGoesOnPastFailures needs: group look-ups and creation are
// refused (403), everything else succeeds. It records every request.
type fakeGraph struct {
	mu   sync.Mutex
	seen []string
}

func (f *fakeGraph) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, r.Method+" "+r.URL.Path)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasPrefix(r.URL.Path, "/v1.0/groups") && !strings.Contains(r.URL.Path, "/members/"):
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges"}}`)
	case r.Method == "POST" && r.URL.Path == "/v1.0/tenantRelationships/delegatedAdminRelationships":
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"new-rel","status":"created"}`)
	case r.Method == "GET" && r.URL.Path == "/v1.0/tenantRelationships/delegatedAdminRelationships":
		io.WriteString(w, `{"value":[]}`)
	case r.Method == "POST":
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":"x"}`)
	default:
		w.WriteHeader(http.StatusAccepted)
	}
}

func TestApplyGoesOnPastFailures(t *testing.T) {
	fg := &fakeGraph{}
	srv := httptest.NewServer(fg)
	defer srv.Close()
	c := graph.New(srv.URL, srv.Client(), staticToken{}, graph.Options{MaxRetries: -1})

	sr, rr := roles.SecurityReader, roles.ReportsReader
	inv := inventory(
		rel("r1", "Contoso", "active", 400, "P180D", sr),                                         // unbound: needs a new group
		assign(rel("r2", "Fabrikam", "active", 400, "P180D", sr), "a2", gSecurity, "active", sr), // missing Reports Reader
		assign(rel("r3", "Woodgrove", "active", 12, "PT0S", sr), "a3", gSecurity, "active", sr),  // expiring
	)
	p := roles.Profile{Name: "Both", Roles: []string{sr, rr}}
	fixes := Plan(Evaluate(inv, p, now), inv, p, PlanOptions{})
	var kinds []FixKind
	for _, f := range fixes {
		kinds = append(kinds, f.Kind)
	}
	var progress []int
	results := Apply(context.Background(), c, fixes, func(done, total int) {
		if total != len(fixes) {
			t.Errorf("total %d", total)
		}
		progress = append(progress, done)
	})
	if len(results) != len(fixes) || len(progress) != len(fixes) {
		t.Fatalf("%d results, %d progress calls for %d fixes %v", len(results), len(progress), len(fixes), kinds)
	}
	byKind := map[FixKind][]FixResult{}
	for _, r := range results {
		byKind[r.Fix.Kind] = append(byKind[r.Fix.Kind], r)
	}
	create := byKind[CreateGroup]
	if len(create) != 1 || create[0].Done || !strings.Contains(create[0].Explanation, "refused") {
		t.Errorf("group creation: %+v", create)
	}
	if len(byKind[AddAccessAssignment]) != 1 {
		t.Errorf("planned %v", kinds)
	}
	for _, r := range byKind[AddAccessAssignment] {
		if r.Done || !strings.Contains(r.Err.Error(), "skipped") || !strings.Contains(r.Explanation, "step before it failed") {
			t.Errorf("the assignment to the group that was not made: %+v", r)
		}
	}
	for _, k := range []FixKind{SetAutoExtend, RequestNewRelationship} {
		if len(byKind[k]) == 0 {
			t.Errorf("no %s fix planned: %v", k, kinds)
		}
		for _, r := range byKind[k] {
			if !r.Done {
				t.Errorf("%s did not go on past the other customer's failure: %v", k, r.Err)
			}
		}
	}
	if rs := byKind[RequestNewRelationship]; len(rs) > 0 && rs[0].ApprovalLink != ApprovalLink("new-rel") {
		t.Errorf("approval link %q", rs[0].ApprovalLink)
	}
	for _, s := range fg.seen {
		if strings.Contains(s, "accessAssignments") {
			t.Errorf("a skipped fix sent %s", s)
		}
	}
	for _, r := range results {
		if strings.Contains(r.Explanation+r.Note+r.MailText, "test-token") {
			t.Errorf("a result holds the token: %+v", r)
		}
	}
}

func TestApplyStopsWhenCancelled(t *testing.T) {
	srv := httptest.NewServer(&fakeGraph{})
	defer srv.Close()
	c := graph.New(srv.URL, srv.Client(), staticToken{}, graph.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fixes := []Fix{{ID: "a", Kind: SetAutoExtend, RelationshipID: "r1", ETag: "e", AutoExtendDuration: "P180D"}}
	r := Apply(ctx, c, fixes, nil)
	if r[0].Done || r[0].Err == nil || !strings.Contains(r[0].Explanation, "stopped") {
		t.Errorf("%+v", r[0])
	}
}

func sampleVerdicts() []Verdict {
	sr, rr := roles.SecurityReader, roles.ReportsReader
	inv := inventory(
		assign(rel("r1", "Fabrikam", "active", 400, "P180D", sr, rr), "a1", gAdminAgents, "active", sr, rr),
		assign(rel("r2", `=HYPERLINK("x") <script>alert(1)</script>`, "active", 400, "P180D", sr), "a2", gAdminAgents, "active", sr),
		rel("r3", "Trey", "approvalPending", 0, "P180D", sr, rr),
	)
	return Evaluate(inv, twoRoles, now)
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, sampleVerdicts()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
		t.Fatalf("rows %v", rows)
	}
	for _, row := range rows[1:] {
		if len(row) != len(csvHeader) {
			t.Errorf("row %v", row)
		}
		if strings.HasPrefix(row[0], "=") {
			t.Errorf("a cell a spreadsheet would run: %q", row[0])
		}
	}
	if rows[1][2] != "Fail" || rows[1][3] != "missingRoles" || rows[1][4] != "Reports Reader" {
		t.Errorf("first row %v", rows[1])
	}
	if !strings.Contains(rows[2][7], "granularAdminRelationships/r3") {
		t.Errorf("approval link missing: %v", rows[2])
	}
}

func TestWriteHTML(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, sampleVerdicts(), `GDAP check <for> "Contoso"`); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script>alert", "test-token"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;", "GDAP check &lt;for&gt;", "Fail: 1", "Pass: 1", "Warning: 1", "<style>", "@media print",
		`href="https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/r3"`, "Roles: Reports Reader",
		"A Pass here does not mean the tools work there"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestTableSaysWhatTheCheckCovers: the command line's table ends, as the window's does, with
// what a Pass covers and what it does not.
func TestTableSaysWhatTheCheckCovers(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTable(&b, roles.Profile{Name: "Two roles", Roles: []string{roles.GlobalReader}}, time.Now(), sampleVerdicts()); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); !strings.Contains(got, Covers) || !strings.Contains(got, "onboard365 check all") {
		t.Errorf("the table does not say what the check covers:\n%s", got)
	}
}

func TestReportJSON(t *testing.T) {
	checked := time.Date(2026, 5, 4, 9, 30, 0, 123, time.FixedZone("CEST", 7200))
	r := NewReport("Two roles", checked, sampleVerdicts())
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["profile"] != "Two roles" || raw["checkedAt"] != "2026-05-04T07:30:00Z" {
		t.Errorf("header %v %v", raw["profile"], raw["checkedAt"])
	}
	if s := raw["summary"].(map[string]any); s["fail"] != 1.0 || s["pass"] != 1.0 || s["warning"] != 1.0 || s["couldNotCheck"] != 0.0 {
		t.Errorf("summary %v", s)
	}
	customers := raw["customers"].([]any)
	first := customers[0].(map[string]any)
	for _, key := range []string{"tenantId", "name", "status", "sentence", "problems"} {
		if _, ok := first[key]; !ok {
			t.Errorf("customer has no %q: %v", key, first)
		}
	}
	problem := first["problems"].([]any)[0].(map[string]any)
	for _, key := range []string{"kind", "status", "sentence", "roles", "relationshipIds"} {
		if _, ok := problem[key]; !ok {
			t.Errorf("problem has no %q: %v", key, problem)
		}
	}
	if role := problem["roles"].([]any)[0].(map[string]any); role["name"] != "Reports Reader" || role["id"] != roles.ReportsReader {
		t.Errorf("role %v", role)
	}
	if last := customers[2].(map[string]any); len(last["problems"].([]any)) != 0 {
		t.Errorf("a passing customer has problems: %v", last)
	}
	var back Report
	if err := json.Unmarshal(b, &back); err != nil || len(back.Customers) != 3 || back.Customers[0].Status != plan.Fail {
		t.Errorf("round trip: %v %+v", err, back)
	}
}
