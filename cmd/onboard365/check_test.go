package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// The sandbox's default scenario has failures, so every run on it exits 1.
func TestCheckGDAPOnTheSandbox(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no custom profiles of the person running the tests
	tests := []struct {
		format string
		check  func(t *testing.T, out string)
	}{
		{"table", func(t *testing.T, out string) {
			for _, want := range []string{"STATUS", "CUSTOMER", "Northwind Traders", "roles not granted", "12 customers: 5 pass, 4 fail, 3 with warnings",
				"Northwind Traders: the relationship does not grant Teams Administrator and Reports Reader"} {
				if !strings.Contains(out, want) {
					t.Errorf("the table lacks %q:\n%s", want, out)
				}
			}
			lines := strings.Split(out, "\n")
			if !strings.HasPrefix(lines[3], "Fail") || !strings.Contains(out, "Pass    Fabrikam") && !strings.Contains(out, "Pass  ") {
				t.Errorf("the table is not worst first in columns:\n%s", out)
			}
		}},
		{"json", func(t *testing.T, out string) {
			var r gdap.Report
			if err := json.Unmarshal([]byte(out), &r); err != nil {
				t.Fatalf("not a Report: %v\n%s", err, out)
			}
			if r.Profile != roles.ProfileLiongard || len(r.Customers) != 12 || r.Summary.Fail != 4 || r.CheckedAt.IsZero() {
				t.Errorf("report %+v", r)
			}
			if c := r.Customers[0]; c.Status != plan.Fail || len(c.Problems) == 0 || c.Problems[0].Sentence == "" {
				t.Errorf("first customer %+v", c)
			}
		}},
		{"csv", func(t *testing.T, out string) {
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 13 || rows[0][0] != "Customer" {
				t.Errorf("%d rows: %v", len(rows), rows[0])
			}
		}},
		{"html", func(t *testing.T, out string) {
			if !strings.HasPrefix(out, "<!DOCTYPE html>") || !strings.Contains(out, "Northwind Traders") {
				t.Errorf("not the page: %.200s", out)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run([]string{"check", "gdap", "--sandbox", "--format", tt.format}, &stdout, &stderr)
			if code != 1 {
				t.Fatalf("exit code %d, want 1 (the sandbox has failures); stderr: %s", code, stderr.String())
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr: %s", stderr.String())
			}
			tt.check(t, stdout.String())
			if strings.Contains(stdout.String(), sandbox.SecretMarker) || strings.Contains(stdout.String(), "eyJ") {
				t.Error("the output holds a token or secret")
			}
		})
	}
}

func TestCheckGDAPWithACustomProfile(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	store, err := roles.DefaultProfileStore()
	if err != nil {
		t.Skip("no config folder:", err)
	}
	if err := store.Save([]roles.Profile{{Name: "Reports only", Roles: []string{roles.ReportsReader}}}); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", "gdap", "--sandbox", "--profile", "reports only", "--format", "json"}, &stdout, &stderr)
	var r gdap.Report
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil || code != 1 {
		t.Fatalf("exit %d, %v: %s", code, err, stderr.String())
	}
	if r.Profile != "Reports only" {
		t.Errorf("profile %q", r.Profile)
	}
}

func TestCheckUsage(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	tests := []struct {
		name       string
		args       []string
		code       int
		wantStderr string
		wantStdout string
	}{
		{"no check named", []string{"check"}, 2, "  troubleshoot   why customers refuse your tools", ""},
		{"unknown check", []string{"check", "dap"}, 2, `there is no check called "dap"`, ""},
		{"authenticator help", []string{"check", "authenticator", "--help"}, 0, "onboard365 check authenticator --customer NAME", ""},
		{"help", []string{"check", "gdap", "--help"}, 0, "needs no sign-in", ""},
		// The sandbox a check starts is its own: the help says so, and how to reach the window's.
		{"help says which sandbox", []string{"check", "gdap", "--help"}, 0, "what you fixed in\nthe window's sandbox does not show there", ""},
		{"troubleshoot help names every option", []string{"check", "troubleshoot", "--help"}, 0, "[--profile NAME]", ""},
		{"help of check", []string{"check", "--help"}, 0, "", "  app            the app registration"},
		{"help of check lists gdap", []string{"check", "--help"}, 0, "", "  gdap           every customer's GDAP relationships"},
		{"help of check lists authenticator", []string{"check", "help"}, 0, "", "  authenticator  one tenant's users"},
		{"bad format", []string{"check", "gdap", "--format", "xml"}, 2, "--format is table, json, csv or html", ""},
		{"unknown profile", []string{"check", "gdap", "--profile", "Nope", "--sandbox"}, 2, `no role profile called "Nope"`, ""},
		{"unknown flag", []string{"check", "gdap", "--nope"}, 2, "flag provided but not defined", ""},
		{"extra argument", []string{"check", "gdap", "extra"}, 2, `"extra" is not an option`, ""},
		{"sandbox and cloud", []string{"check", "gdap", "--sandbox", "--cloud", "x.json"}, 2, "either --sandbox or --cloud", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit code %d, want %d; stderr %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) || !strings.Contains(stdout.String(), tt.wantStdout) {
				t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
			}
		})
	}
}

// Without --sandbox the check needs the app registration's client id and a kept sign-in; without
// a client id it says so before touching the keychain or the network.
func TestCheckGDAPNeedsTheApp(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var stdout, stderr bytes.Buffer
	if code := run([]string{"check", "gdap"}, &stdout, &stderr); code != 1 {
		t.Fatalf("exit code %d, want 1", code)
	}
	if !strings.Contains(stderr.String(), "app registration") || !strings.Contains(stderr.String(), "--client-id") || stdout.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}
}

// Every check's usage line names each of its own options (troubleshoot's lacked --profile), and
// its --help lists every option it takes.
func TestEveryCheckNamesItsOptions(t *testing.T) {
	for _, c := range []check{gdapCheck(), authenticatorCheck(), troubleshootCheck(), appCheck()} {
		fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
		c.own(fs)
		synopsis, _, _ := strings.Cut(c.usage, "\n")
		fs.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(synopsis, "--"+f.Name) {
				t.Errorf("check %s: its usage line %q does not name --%s", c.name, synopsis, f.Name)
			}
		})
		var stdout, stderr bytes.Buffer
		if code := run([]string{"check", c.name, "--help"}, &stdout, &stderr); code != 0 {
			t.Errorf("check %s --help: exit code %d", c.name, code)
		}
		all := flag.NewFlagSet(c.name, flag.ContinueOnError)
		(&factory{}).register(all, c.flags)
		c.own(all)
		all.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(stderr.String(), "  -"+f.Name) {
				t.Errorf("check %s --help does not list -%s", c.name, f.Name)
			}
		})
	}
}

// A check reaches the sandbox the window works on: a sandbox served by another process (here
// started by the test), through the cloud file it printed. A fix made there shows in the check.
func TestCheckReachesAServedSandbox(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	srv, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "sandbox.json")
	b, _ := json.Marshal(srv.Cloud())
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"check", "gdap", "--cloud", file}, &stdout, &stderr)
	if code != exitProblem || !strings.Contains(stdout.String(), "Wingtip Toys") {
		t.Fatalf("exit code %d, stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
}
