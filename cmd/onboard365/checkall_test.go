package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/sandbox"
)

// TestCheckAllOnTheSandbox is the first "done when": check all on the sandbox exits 1 and
// gives each customer at least four named checks; Litware fails on Conditional Access (which the
// GDAP check alone passes), Relecloud on consent.
func TestCheckAllOnTheSandbox(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", "all", "--sandbox", "--format", "json"}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit code %d, want 1; stderr: %s", code, stderr.String())
	}
	var r struct {
		CheckedAt string `json:"checkedAt"`
		Partner   struct {
			Status string `json:"status"`
			Checks []struct {
				Check, Status, Sentence, Fix string
			} `json:"checks"`
		} `json:"partner"`
		Customers []struct {
			TenantID string `json:"tenantId"`
			Name     string `json:"name"`
			Status   string `json:"status"`
			Checks   []struct {
				Check    string `json:"check"`
				Status   string `json:"status"`
				Sentence string `json:"sentence"`
				Fix      string `json:"fix"`
			} `json:"checks"`
		} `json:"customers"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		t.Fatalf("not the report: %v\n%.300s", err, stdout.String())
	}
	if r.CheckedAt == "" || len(r.Customers) != 12 || len(r.Partner.Checks) != 4 {
		t.Fatalf("checked %q, %d customers, %d partner checks", r.CheckedAt, len(r.Customers), len(r.Partner.Checks))
	}
	status := map[string]map[string]string{}
	for _, c := range r.Customers {
		if c.TenantID == "" || c.Status == "" {
			t.Errorf("customer %+v", c)
		}
		if len(c.Checks) < 4 {
			t.Errorf("%s has %d checks", c.Name, len(c.Checks))
		}
		status[c.Name] = map[string]string{}
		for _, ch := range c.Checks {
			if ch.Check == "" || ch.Sentence == "" {
				t.Errorf("%s: a check without its name or sentence: %+v", c.Name, ch)
			}
			status[c.Name][ch.Check] = ch.Status
		}
	}
	if status["Litware"]["conditionalAccess"] != "fail" || status["Litware"]["gdapRoles"] != "pass" {
		t.Errorf("Litware: %v", status["Litware"])
	}
	if status["Relecloud"]["consent"] != "fail" {
		t.Errorf("Relecloud: %v", status["Relecloud"])
	}
	if status["Fabrikam"]["consent"] != "pass" || status["Fabrikam"]["conditionalAccess"] != "pass" {
		t.Errorf("Fabrikam: %v", status["Fabrikam"])
	}
	if strings.Contains(stdout.String(), sandbox.SecretMarker) || strings.Contains(stdout.String(), "eyJ") {
		t.Error("the report holds a token or secret")
	}
}

func TestCheckAllCommandLine(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"check", "all", "--template", "No such template", "--sandbox"}, 2, `no role profile called "No such template"`},
		{[]string{"check", "all", "--format", "xml", "--sandbox"}, 2, "--format is table, json, csv or html"},
		{[]string{"check", "all", "extra"}, 2, "is not an option"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, &stdout, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.says) {
			t.Errorf("%v: exit %d, stderr %q; want %d saying %q", tt.args, code, stderr.String(), tt.code, tt.says)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"check", "all", "--sandbox"}, &stdout, &stderr); code != 1 || !strings.Contains(stdout.String(), "CONDITIONAL ACCESS") {
		t.Errorf("the table: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
}
