package health

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/troubleshoot"
)

var now = time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)

// ledger is a plug-in part, as onboarding's invitations waiting will be: it knows a prospect
// that is not a customer yet.
type ledger struct {
	found []Finding
	err   error
}

func (l ledger) Kind() Kind { return Invitations }
func (l ledger) Check(context.Context, []Tenant) ([]Finding, error) {
	return l.found, l.err
}

func TestCustomersPutsThePartsTogether(t *testing.T) {
	litware, relecloud := Tenant{ID: "L-1", Name: "Litware"}, Tenant{ID: "R-1", Name: "Relecloud"}
	inv := gdap.Inventory{Relationships: []gdap.RelationshipAccess{
		{Relationship: gdap.Relationship{ID: "rel-l", Status: "active", Customer: gdap.CustomerParticipant{TenantID: "L-1", DisplayName: "Litware"}}},
		{Relationship: gdap.Relationship{ID: "rel-r", Status: "active", Customer: gdap.CustomerParticipant{TenantID: "r-1", DisplayName: "Relecloud"}}},
	}}
	verdicts := []gdap.Verdict{
		{Customer: gdap.Customer{TenantID: "L-1", Name: "Litware"}, Status: plan.Pass},
		{Customer: gdap.Customer{TenantID: "R-1", Name: "Relecloud"}, Status: plan.Warning, Problems: []gdap.Problem{
			{Kind: gdap.Expiring, Days: 5, Sentence: "Relecloud: the relationship ends in 5 days."},
		}},
	}
	d := troubleshoot.Diagnosis{Customers: []troubleshoot.Checklist{
		{Customer: troubleshoot.Customer{TenantID: "L-1", Name: "Litware"}, Checks: []troubleshoot.Check{
			{Kind: troubleshoot.Access, Status: plan.Fail, Sentence: "Refused (AADSTS53003)."},
			{Kind: troubleshoot.ConditionalAccess, Status: plan.Fail, Sentence: "Litware's policy blocks.", Details: []string{"Policy \"Block\" blocks guests."}},
			{Kind: troubleshoot.EntraP1, Status: plan.Fail, Sentence: "No P1."},
		}},
		{Customer: troubleshoot.Customer{TenantID: "R-1", Name: "Relecloud"}, Checks: []troubleshoot.Check{
			{Kind: troubleshoot.Access, Status: plan.Fail, Sentence: "Not consented (AADSTS90099)."},
		}},
	}}
	consents := []appreg.Customer{{TenantID: "L-1", Name: "Litware", Status: appreg.Consented, Sentence: "Consented."},
		{TenantID: "R-1", Name: "Relecloud", Status: appreg.NeedsConsent, Sentence: "No consent."},
		{TenantID: "N-1", Name: "Northwind", Status: appreg.Consented, Sentence: "Consented."}}
	prospect := Finding{Tenant: Tenant{ID: "F-4", Name: "Fourth Coffee"}, Part: Part{Status: plan.Warning, Sentence: "Invited 3 days ago.", Fix: FixOnboard}}
	again := Finding{Tenant: relecloud, Part: Part{Status: plan.Warning, Sentence: "An invitation waits 10 days.", Stage: "7d", Fix: FixOnboard}}

	checks := FromTroubleshoot(d, nil)
	checks = append(checks, FromConsent(consents, nil))
	checks = append(checks, FromGDAP(inv, verdicts, "Liongard", nil)...)
	checks = append(checks, ledger{found: []Finding{prospect, again}})
	tenants := Tenants([]gdap.Customer{{TenantID: "L-1", Name: "Litware"}, {TenantID: "R-1", Name: "Relecloud"}}, consents)
	got := Customers(context.Background(), tenants, checks...)

	byName := map[string]Customer{}
	for _, c := range got {
		byName[c.Name] = c
	}
	tests := []struct {
		customer string
		kind     Kind
		status   plan.Status
		fix      Wizard
		contains string
		stage    string
	}{
		{"Litware", Access, plan.Fail, FixTroubleshoot, "53003", ""},
		{"Litware", ConditionalAccess, plan.Fail, FixTroubleshoot, `Policy "Block" blocks guests.`, ""},
		{"Litware", EntraP1, plan.Warning, FixNone, "No P1.", ""},
		{"Litware", Consent, plan.Pass, FixAppRegistration, "redeems", ""},
		{"Litware", GDAPRoles, plan.Pass, FixGDAP, "Liongard", ""},
		{"Relecloud", Access, plan.Fail, FixAppRegistration, "90099", ""},
		{"Relecloud", Consent, plan.Fail, FixAppRegistration, "No consent.", ""},
		{"Relecloud", RelationshipEnd, plan.Warning, FixGDAP, "ends in 5 days", "7d"},
		// the plug-in's finding for Relecloud is worse than GDAP's pass, so it replaces it
		{"Relecloud", Invitations, plan.Warning, FixOnboard, "10 days", "7d"},
		// a customer Partner Center lists without any GDAP relationship
		{"Northwind", GDAPRoles, plan.Fail, FixOnboard, "no GDAP relationship", ""},
		// a prospect only the plug-in knows
		{"Fourth Coffee", Invitations, plan.Warning, FixOnboard, "Invited 3 days ago.", ""},
	}
	for _, tt := range tests {
		c, ok := byName[tt.customer]
		if !ok {
			t.Errorf("no verdict for %s", tt.customer)
			continue
		}
		p, ok := c.Check(tt.kind)
		if !ok || p.Status != tt.status || p.Fix != tt.fix || !strings.Contains(p.Sentence, tt.contains) || p.Stage != tt.stage || p.Title == "" {
			t.Errorf("%s %s: %+v; want %s, fix %q, stage %q, saying %q", tt.customer, tt.kind, p, tt.status, tt.fix, tt.stage, tt.contains)
		}
	}
	if got[0].Status != plan.Fail || got[len(got)-1].Name != "Fourth Coffee" {
		t.Errorf("not worst first: %v then %v", got[0], got[len(got)-1])
	}
	// A plug-in that cannot check says so for every customer, without stopping the others.
	got = Customers(context.Background(), []Tenant{litware}, append(FromTroubleshoot(d, nil), ledger{err: errors.New("the ledger is locked")})...)
	if p, _ := got[0].Check(Invitations); p.Status != plan.CouldNotCheck || !strings.Contains(p.Sentence, "ledger is locked") {
		t.Errorf("a failing plug-in: %+v", p)
	}
	if p, _ := got[0].Check(ConditionalAccess); p.Status != plan.Fail {
		t.Errorf("a failing plug-in stopped the others: %+v", got[0])
	}
}

func TestJudgePartner(t *testing.T) {
	renewed := now.Add(-10 * 24 * time.Hour)
	pass := troubleshoot.Checklist{Checks: []troubleshoot.Check{
		{Kind: troubleshoot.MFAEnforcement, Status: plan.Pass, Sentence: "MFA is enforced."},
		{Kind: troubleshoot.RiskyAccount, Status: plan.Pass, Sentence: "Not risky."},
	}}
	tests := []struct {
		name   string
		facts  PartnerFacts
		kind   Kind
		status plan.Status
		stage  string
		says   string
	}{
		{"kept and renewed", PartnerFacts{SignedIn: true, Renewed: renewed}, KeptSignIn, plan.Pass, "", "would end on 23 July 2026"},
		{"unused for 80 days", PartnerFacts{SignedIn: true, Renewed: now.Add(-80 * 24 * time.Hour)}, KeptSignIn, plan.Warning, "14d", "in 10 days"},
		{"unused for 90 days", PartnerFacts{SignedIn: true, Renewed: now.Add(-91 * 24 * time.Hour)}, KeptSignIn, plan.Fail, "ended", "AADSTS700082"},
		{"nothing kept", PartnerFacts{}, KeptSignIn, plan.Fail, "", "open Sign in"},
		{"this run only", PartnerFacts{ThisRunOnly: true}, KeptSignIn, plan.Warning, "", "this run only"},
		{"damaged", PartnerFacts{Problem: "The stored sign-in is damaged."}, KeptSignIn, plan.Fail, "", "damaged"},
		{"keychain locked", PartnerFacts{KeychainErr: errors.New("the keychain is locked")}, KeptSignIn, plan.CouldNotCheck, "", "locked"},
		{"a policy asks every 7 days", PartnerFacts{SignedIn: true, Renewed: renewed, Frequencies: []Frequency{{Policy: "Admins weekly", Every: 7 * 24 * time.Hour}}},
			KeptSignIn, plan.Warning, "frequency", `"Admins weekly" of your partner tenant asks you to sign in again every 7 days`},
		{"a policy asks every time", PartnerFacts{SignedIn: true, Renewed: renewed, Frequencies: []Frequency{{Policy: "Always", EveryTime: true}}},
			KeptSignIn, plan.Fail, "frequency", "at every sign-in"},
		{"no secret", PartnerFacts{}, AppSecret, plan.Pass, "", "none can expire"},
		{"secret for long", PartnerFacts{ClientID: "app", SecretExpires: now.Add(200 * 24 * time.Hour)}, AppSecret, plan.Pass, "", "valid until"},
		{"secret in 25 days", PartnerFacts{ClientID: "app", SecretExpires: now.Add(25 * 24 * time.Hour)}, AppSecret, plan.Warning, "30d", "in 25 days"},
		{"secret in 5 days", PartnerFacts{ClientID: "app", SecretExpires: now.Add(5 * 24 * time.Hour)}, AppSecret, plan.Warning, "7d", "in 5 days"},
		{"secret expired", PartnerFacts{ClientID: "app", SecretExpires: now.Add(-time.Hour)}, AppSecret, plan.Fail, "ended", "7000222"},
		{"mfa", PartnerFacts{Troubleshoot: pass}, MFAEnforcement, plan.Pass, "", "MFA is enforced."},
		{"risk not checked", PartnerFacts{TroubleshootErr: errors.New("Graph is down")}, RiskyTechnician, plan.CouldNotCheck, "", "Graph is down"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.facts.Now = now
			p := JudgePartner(tt.facts)
			part, ok := p.Check(tt.kind)
			if !ok || part.Status != tt.status || part.Stage != tt.stage || !strings.Contains(part.Sentence, tt.says) {
				t.Errorf("%s: %+v; want %s stage %q saying %q", tt.kind, part, tt.status, tt.stage, tt.says)
			}
			if len(p.Checks) != 4 || p.Status != worstOf(p.Checks) {
				t.Errorf("partner %+v", p)
			}
		})
	}
}

func policy(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSignInFrequency(t *testing.T) {
	tech := Technician{ID: "tech-1", Groups: map[string]bool{"admins-group": true}}
	// Microsoft's example of conditionalaccesspolicy-get: signInFrequency 4 hours.
	const example = `{"state":"enabled","displayName":"Demo app for documentation",
	  "conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},
	  "sessionControls":{"signInFrequency":{"value":4,"type":"hours","isEnabled":true}}}`
	tests := []struct {
		name   string
		policy string
		want   time.Duration
		every  bool
		maybe  bool
		none   bool
	}{
		{"Microsoft's example", example, 4 * time.Hour, false, false, false},
		{"days, through a group", `{"state":"enabled","displayName":"Weekly","conditions":{"users":{"includeGroups":["ADMINS-GROUP"]},"applications":{"includeApplications":["00000003-0000-0000-c000-000000000000"]}},
		  "sessionControls":{"signInFrequency":{"value":7,"type":"days","frequencyInterval":"timeBased","isEnabled":true}}}`, 7 * 24 * time.Hour, false, false, false},
		{"every time", `{"state":"enabled","conditions":{"users":{"includeUsers":["tech-1"]},"applications":{"includeApplications":["All"]}},
		  "sessionControls":{"signInFrequency":{"frequencyInterval":"everyTime","isEnabled":true}}}`, 0, true, false, false},
		{"roles: maybe", `{"state":"enabled","conditions":{"users":{"includeRoles":["62e90394-69f5-4237-9190-012177145e10"]},"applications":{"includeApplications":["All"]}},
		  "sessionControls":{"signInFrequency":{"value":12,"type":"hours","isEnabled":true}}}`, 12 * time.Hour, false, true, false},
		{"report-only", strings.Replace(example, `"enabled"`, `"enabledForReportingButNotEnforced"`, 1), 0, false, false, true},
		{"turned off", strings.Replace(example, `"isEnabled":true`, `"isEnabled":false`, 1), 0, false, false, true},
		{"the technician excluded", strings.Replace(example, `"includeUsers":["All"]`, `"includeUsers":["All"],"excludeUsers":["TECH-1"]`, 1), 0, false, false, true},
		{"the group excluded", strings.Replace(example, `"includeUsers":["All"]`, `"includeUsers":["All"],"excludeGroups":["admins-group"]`, 1), 0, false, false, true},
		{"another app only", strings.Replace(example, `"includeApplications":["All"]`, `"includeApplications":["797f4846-ba00-4fd7-ba43-dac1f8f63013"]`, 1), 0, false, false, true},
		{"the app excluded", strings.Replace(example, `"includeApplications":["All"]`, `"includeApplications":["All"],"excludeApplications":["our-app"]`, 1), 0, false, false, true},
		{"other users", strings.Replace(example, `"includeUsers":["All"]`, `"includeUsers":["someone-else"]`, 1), 0, false, false, true},
		{"a strange value", strings.Replace(example, `"value":4`, `"value":"4"`, 1), 0, false, false, true},
		{"a strange type", strings.Replace(example, `"hours"`, `"weeks"`, 1), 0, false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := SignInFrequency([]map[string]any{policy(t, tt.policy)}, tech, "our-app")
			if tt.none {
				if len(got) != 0 {
					t.Errorf("found %+v; want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Every != tt.want || got[0].EveryTime != tt.every || got[0].Maybe != tt.maybe {
				t.Errorf("found %+v; want every %v (every time %v, maybe %v)", got, tt.want, tt.every, tt.maybe)
			}
		})
	}
	both := SignInFrequency([]map[string]any{policy(t, example), policy(t, strings.Replace(example, `"value":4`, `"value":1`, 1))}, tech, "")
	if len(both) != 2 || both[0].Every != time.Hour {
		t.Errorf("not shortest first: %+v", both)
	}
}

func sampleReport() Report {
	r := Report{CheckedAt: now, Template: "Liongard inspectors",
		Partner: JudgePartner(PartnerFacts{Now: now, SignedIn: true, Technician: "alex@contoso.com", Renewed: now, TenantID: "P-1"}),
		Customers: []Customer{
			{TenantID: "L-1", Name: "Litware \x1b[31m=cmd|' /C calc'!A0", Status: plan.Fail, Checks: []Part{
				{Check: ConditionalAccess, Title: "Conditional Access", Status: plan.Fail, Sentence: "<script>alert(1)</script> blocks.", Fix: FixTroubleshoot},
				{Check: Consent, Title: "Consent", Status: plan.Pass, Sentence: "Consented."}}},
			{TenantID: "F-1", Name: "Fabrikam", Status: plan.Pass, Checks: []Part{
				{Check: ConditionalAccess, Title: "Conditional Access", Status: plan.Pass, Sentence: "Nothing blocks."}}},
		}}
	r.Count()
	return r
}

func TestWriteFormats(t *testing.T) {
	r := sampleReport()
	for _, format := range []string{"table", "json", "csv", "html"} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := Write(&b, r, format); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if strings.Contains(out, "\x1b") {
				t.Errorf("an escape sequence reached the %s output", format)
			}
			switch format {
			case "table":
				for _, want := range []string{"CONDITIONAL ACCESS", "Fail", "What to look at:", `[fix: Troubleshoot "400" errors]`, "2 customers: 1 pass, 1 fail"} {
					if !strings.Contains(out, want) {
						t.Errorf("the table lacks %q:\n%s", want, out)
					}
				}
			case "json":
				var back struct {
					CheckedAt string `json:"checkedAt"`
					Partner   struct {
						Checks []map[string]any `json:"checks"`
					} `json:"partner"`
					Customers []struct {
						TenantID string           `json:"tenantId"`
						Name     string           `json:"name"`
						Status   string           `json:"status"`
						Checks   []map[string]any `json:"checks"`
					} `json:"customers"`
				}
				if err := json.Unmarshal(b.Bytes(), &back); err != nil {
					t.Fatal(err)
				}
				c := back.Customers[0].Checks[0]
				for _, k := range []string{"check", "status", "sentence", "fix"} {
					if _, ok := c[k]; !ok {
						t.Errorf("a check lacks %q: %v", k, c)
					}
				}
				if back.CheckedAt == "" || len(back.Partner.Checks) != 4 || back.Customers[0].Status != "fail" {
					t.Errorf("report %+v", back)
				}
			case "csv":
				rows, err := csv.NewReader(&b).ReadAll()
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) != 1+4+3 || rows[0][2] != "Check" {
					t.Errorf("%d rows: %v", len(rows), rows[0])
				}
				for _, row := range rows {
					if strings.HasPrefix(row[0], "=") {
						t.Errorf("a cell reads as a formula: %q", row[0])
					}
				}
			case "html":
				if strings.Contains(out, "<script>") || !strings.Contains(out, "&lt;script&gt;") {
					t.Error("the page does not escape a sentence")
				}
			}
		})
	}
}

func TestSaveLoadAndFindings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onboard365", "health.json")
	if _, ok, err := Load(path); ok || err != nil {
		t.Fatalf("nothing kept yet: %v %v", ok, err)
	}
	r := sampleReport()
	if err := Save(path, r); err != nil {
		t.Fatal(err)
	}
	back, ok, err := Load(path)
	if err != nil || !ok || !back.CheckedAt.Equal(now) || len(back.Customers) != 2 || back.Summary.Fail != 1 {
		t.Fatalf("loaded %+v %v %v", back, ok, err)
	}
	res := back.Findings()
	keys := map[string]string{}
	for _, f := range res.Findings {
		keys[f.Key] = string(f.Status)
	}
	if keys["customer:l-1:conditionalAccess"] != "fail" || keys["partner:keptSignIn"] != "pass" || len(res.Findings) != 4+3 {
		t.Errorf("findings %v", keys)
	}
	if err := os.WriteFile(path, []byte(`{"checkedAt":"2026-05-04T09:00:00Z","customers":[{"status":"exploded","checks":[{"status":"?"}]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	odd, ok, err := Load(path)
	if err != nil || !ok || odd.Customers[0].Status != plan.CouldNotCheck || odd.Customers[0].Checks[0].Status != plan.CouldNotCheck {
		t.Errorf("unknown statuses are not could-not-check: %+v %v", odd, err)
	}
	if err := os.WriteFile(path, []byte("not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := Load(path); ok || err == nil {
		t.Error("a damaged file loads")
	}
}

func FuzzDecode(f *testing.F) {
	var b bytes.Buffer
	_ = WriteJSON(&b, sampleReport())
	f.Add(b.Bytes())
	f.Add([]byte(`{"checkedAt":"2026-05-04T09:00:00Z"}`))
	f.Add([]byte(`{"checkedAt":"x"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		r, err := Decode(in)
		if err != nil {
			return
		}
		for _, c := range r.Customers {
			if c.Status != known(c.Status) {
				t.Fatalf("status %q", c.Status)
			}
			for _, p := range c.Checks {
				if p.Status != known(p.Status) || strings.ContainsRune(p.Sentence, 0x1b) {
					t.Fatalf("part %+v", p)
				}
			}
		}
		var out bytes.Buffer
		if err := WriteTable(&out, r); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzSignInFrequency(f *testing.F) {
	f.Add(`{"state":"enabled","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["All"]}},"sessionControls":{"signInFrequency":{"value":4,"type":"hours","isEnabled":true}}}`)
	f.Add(`{"state":"enabled","sessionControls":{"signInFrequency":{"frequencyInterval":"everyTime","isEnabled":true}}}`)
	f.Add(`{"conditions":[],"sessionControls":null}`)
	f.Fuzz(func(t *testing.T, s string) {
		var p map[string]any
		if json.Unmarshal([]byte(s), &p) != nil {
			return
		}
		for _, fr := range SignInFrequency([]map[string]any{p}, Technician{ID: "t", Groups: map[string]bool{"g": true}}, "app") {
			if !fr.EveryTime && fr.Every <= 0 {
				t.Fatalf("a frequency of %v", fr.Every)
			}
			_ = fr.everyWords()
		}
	})
}
