package troubleshoot

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/plan"
)

func sampleDiagnosis() Diagnosis {
	partner := Checklist{Customer: Customer{TenantID: partnerID, Name: "Your partner tenant"}}
	partner.add(Check{Kind: MFAEnforcement, Status: plan.Warning, Sentence: "Your partner tenant enforces MFA.", Details: []string{"An admin is left out."}})
	partner.add(Check{Kind: SignInMFA, Status: plan.Pass, Sentence: "Your sign-in carries MFA."})
	evil := Checklist{Customer: Customer{TenantID: otherID, Name: "=HYPERLINK(\"x\") <script>alert(1)</script>"}, NeedsAdmin: true}
	evil.add(Check{Kind: Access, Status: plan.Fail, Sentence: "Refused (AADSTS53003).", FixIDs: []string{"exclude/x/p"}})
	evil.add(Check{Kind: ConditionalAccess, Status: plan.CouldNotCheck, Sentence: "+cmd could not be read"})
	fine := Checklist{Customer: Customer{TenantID: "c2", Name: "Fabrikam"}}
	fine.add(Check{Kind: Access, Status: plan.Pass, Sentence: "Token given."})
	return Diagnosis{CheckedAt: time.Date(2026, 5, 4, 9, 30, 15, 0, time.UTC), PartnerTenantID: partnerID, Partner: partner,
		Customers: []Checklist{evil, fine},
		Fixes: []Fix{{ID: "exclude/x/p", Kind: ExcludeServiceProviders, Customer: evil.Customer, PolicyID: "p", PolicyName: "Block",
			Reason: "Exclude them.", Safe: true}}}
}

func TestReportJSON(t *testing.T) {
	d := sampleDiagnosis()
	if d.Partner.Status != plan.Warning || d.Customers[0].Status != plan.Fail {
		t.Fatalf("checklist statuses: %s %s", d.Partner.Status, d.Customers[0].Status)
	}
	b, err := json.Marshal(NewReport(d))
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back["checkedAt"] != "2026-05-04T09:30:15Z" || back["partnerTenantId"] != partnerID {
		t.Errorf("report head: %s", b)
	}
	s := back["summary"].(map[string]any)
	if s["fail"] != 1.0 || s["pass"] != 1.0 || s["warning"] != 0.0 || s["couldNotCheck"] != 0.0 {
		t.Errorf("summary %v", s)
	}
	first := back["customers"].([]any)[0].(map[string]any)
	check := first["checks"].([]any)[0].(map[string]any)
	if first["needsAdmin"] != true || check["kind"] != "access" || check["title"] != "Access to the customer" || check["fixes"].([]any)[0] != "exclude/x/p" {
		t.Errorf("first customer %v", first)
	}
	fix := back["fixes"].([]any)[0].(map[string]any)
	if fix["kind"] != "excludeServiceProviders" || fix["safe"] != true || fix["policy"] != "Block" {
		t.Errorf("fix %v", fix)
	}
	if _, ok := fix["caution"]; ok {
		t.Error("an empty caution is written")
	}
}

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, sampleDiagnosis()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+2+2+1 || rows[0][0] != "Tenant" {
		t.Fatalf("%d rows: %v", len(rows), rows)
	}
	if rows[3][0][0] != '\'' || rows[4][4][0] != '\'' {
		t.Errorf("cells a spreadsheet would run are not made text: %q %q", rows[3][0], rows[4][4])
	}
	if rows[1][3] != "Warning" || rows[1][5] != "An admin is left out." {
		t.Errorf("partner row %v", rows[1])
	}
}

func TestWriteHTML(t *testing.T) {
	var b bytes.Buffer
	if err := WriteHTML(&b, sampleDiagnosis(), "Troubleshoot <report>"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "<script>alert") || !strings.Contains(out, "&lt;script&gt;") || !strings.Contains(out, "Troubleshoot &lt;report&gt;") {
		t.Errorf("names are not escaped:\n%s", out)
	}
	for _, want := range []string{"Your partner tenant", "Could not check", "Fixes Onboard365 can make", "Exclude them.", `rowspan="2"`} {
		if !strings.Contains(out, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}
