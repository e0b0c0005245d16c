package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/audit"
)

// runOnboardJSON runs onboard365 with args and reads its JSON report.
func runOnboardJSON(t *testing.T, args ...string) (app.OnboardReport, int, string) {
	t.Helper()
	var out, errs bytes.Buffer
	code := run(args, &out, &errs)
	var rep app.OnboardReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v: not a report (%v):\n%s\n%s", args, err, out.String(), errs.String())
	}
	return rep, code, errs.String()
}

// TestOnboardOnTheSandbox runs the two commands: an existing customer and a new one
// each end with status done and every step done or skipped; then the ledger lists both.
func TestOnboardOnTheSandbox(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	for _, tc := range []struct {
		name string
		args []string
		want string // the customer's name at the end
	}{
		{"existing", []string{"onboard", "--sandbox", "--customer", "Northwind Traders", "--format", "json"}, "Northwind Traders"},
		{"new", []string{"onboard", "--sandbox", "--new-customer", "fourthcoffee.onmicrosoft.com", "--format", "json"}, "Fourth Coffee"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, code, stderr := runOnboardJSON(t, tc.args...)
			if code != exitAllPass || rep.Status != "done" {
				t.Errorf("exit %d, status %q; stderr:\n%s", code, rep.Status, stderr)
			}
			if rep.Customer.Name != tc.want || rep.Customer.TenantID == "" {
				t.Errorf("customer %+v", rep.Customer)
			}
			names := map[string]bool{}
			for _, s := range rep.Steps {
				names[s.Name] = true
				if s.Status != "done" && s.Status != "skipped" {
					t.Errorf("step %s is %s: %s", s.Name, s.Status, s.Sentence)
				}
				if s.Sentence == "" {
					t.Errorf("step %s says nothing", s.Name)
				}
			}
			for _, n := range []string{"customer", "reseller", "request", "approval", "groups", "consent", "verify"} {
				if !names[n] {
					t.Errorf("no step %s in %+v", n, rep.Steps)
				}
			}
			if v := rep.Steps[len(rep.Steps)-1]; v.Name != "verify" || v.Status != "done" || !strings.HasPrefix(v.Sentence, "Connected") {
				t.Errorf("the connection check: %+v", v)
			}
		})
	}
	var out, errs bytes.Buffer
	if code := run([]string{"onboard", "status", "--sandbox", "--format", "json"}, &out, &errs); code != exitAllPass {
		t.Fatalf("status: exit %d: %s", code, errs.String())
	}
	var list struct {
		Invitations []struct {
			Customer, State, ApprovalLink string
		} `json:"invitations"`
	}
	if err := json.Unmarshal(out.Bytes(), &list); err != nil || len(list.Invitations) != 2 {
		t.Fatalf("status: %v\n%s", err, out.String())
	}
	for _, i := range list.Invitations {
		if i.State != "onboarded" || !strings.HasPrefix(i.ApprovalLink, "https://admin.microsoft.com/") {
			t.Errorf("invitation %+v", i)
		}
	}
}

// TestOnboardWaitsAndFails: a customer that never answers leaves the command waiting (exit 3,
// the link printed); one that declines fails (exit 1); a wrong command line exits 2.
func TestOnboardWaitsAndFails(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	rep, code, stderr := runOnboardJSON(t, "onboard", "--sandbox", "--new-customer", "cohowinery.onmicrosoft.com", "--wait", "1s", "--format", "json")
	if code != exitWaiting || rep.Status != "waiting" || !strings.Contains(rep.ApprovalLink, "granularAdminRelationships/") || rep.ResellerLink == "" {
		t.Errorf("never answers: exit %d, %+v\n%s", code, rep, stderr)
	}
	rep, code, stderr = runOnboardJSON(t, "onboard", "--sandbox", "--new-customer", "margiestravel.onmicrosoft.com", "--wait", "30s", "--format", "json")
	approval := ""
	for _, s := range rep.Steps {
		if s.Name == "approval" {
			approval = s.Status + ": " + s.Sentence
		}
	}
	if code != exitProblem || rep.Status != "failed" || !strings.Contains(approval, "failed: The administrator of margiestravel.onmicrosoft.com declined") {
		t.Errorf("declines: exit %d, %+v (approval %q)\n%s", code, rep, approval, stderr)
	}
	for _, args := range [][]string{
		{"onboard", "--sandbox"},
		{"onboard", "--sandbox", "--customer", "Fabrikam", "--new-customer", "x.onmicrosoft.com"},
		{"onboard", "--sandbox", "--customer", "Fabrikam", "--template", "No such template"},
		{"onboard", "--sandbox", "--customer", "Nobody Ltd"},
		{"onboard", "--sandbox", "--customer", "Fabrikam", "--format", "csv"},
		{"onboard", "--sandbox", "--new-customer", "not a domain"},
	} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, errs.String())
		}
		if s := errs.String(); strings.Contains(s, "{") || strings.Contains(s, "http") {
			t.Errorf("%v says %q", args, s)
		}
	}
}

// TestOnboardAgainFindsNothingToDo: Fabrikam has every role in place; the table says so.
func TestOnboardAgainFindsNothingToDo(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var out, errs bytes.Buffer
	if code := run([]string{"onboard", "--sandbox", "--customer", "Fabrikam", "--template", "Onboard365", "--template", "Liongard inspectors"}, &out, &errs); code != exitAllPass {
		t.Fatalf("exit %d:\n%s\n%s", code, out.String(), errs.String())
	}
	for _, want := range []string{"Onboarding Fabrikam (fabrikam.onmicrosoft.com) with Onboard365 and Liongard inspectors: done", "Relationship request  skipped", "Connected"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the table lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(errs.String(), "Applying") {
		t.Errorf("it changed something: %s", errs.String())
	}
}

// TestOnboardIsAudited (issue 18): after onboard365 onboard --sandbox --customer "Northwind
// Traders", onboard365 audit --sandbox --format json lists its changes with the technician and
// the tenant, and audit verify finds the log whole; an edited entry is then detected.
func TestOnboardIsAudited(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if rep, code, stderr := runOnboardJSON(t, "onboard", "--sandbox", "--customer", "Northwind Traders", "--format", "json"); code != exitAllPass {
		t.Fatalf("onboard: exit %d, %+v\n%s", code, rep, stderr)
	}
	var out, errs bytes.Buffer
	if code := run([]string{"audit", "--sandbox", "--format", "json"}, &out, &errs); code != exitAllPass {
		t.Fatalf("audit: exit %d: %s", code, errs.String())
	}
	var entries []struct {
		Time, Technician, TenantID, TenantName, Change, Result, Source string
	}
	if err := json.Unmarshal(out.Bytes(), &entries); err != nil {
		t.Fatalf("audit --format json: %v\n%s", err, out.String())
	}
	onboarded := 0
	for _, e := range entries {
		if e.Source != "onboard" {
			continue
		}
		onboarded++
		if e.Technician != app.SandboxTechnician || e.TenantID == "" || e.TenantName == "" || e.Change == "" || e.Result != "succeeded" || e.Time == "" {
			t.Errorf("an onboarding entry without its facts: %+v", e)
		}
	}
	if onboarded < 2 {
		t.Fatalf("%d onboarding entries in the audit trail:\n%s", onboarded, out.String())
	}
	out.Reset()
	if code := run([]string{"audit", "verify", "--sandbox"}, &out, &errs); code != exitAllPass {
		t.Errorf("audit verify of an untouched log: exit %d: %s %s", code, out.String(), errs.String())
	}
	path, err := audit.DefaultPath(true)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte("Northwind Traders"), []byte("Northwind Traderz"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if code := run([]string{"audit", "verify", "--sandbox"}, &out, &errs); code != 1 || !strings.Contains(out.String(), "was changed after it was written") {
		t.Errorf("audit verify of an edited log: exit %d: %s", code, out.String())
	}
}
