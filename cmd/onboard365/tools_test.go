package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"howett.net/plist"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// testEnv is what a tool reads and writes in a test: its output in buffers, a scheduler that
// only records, and answers to its questions.
type testEnv struct {
	stdout, stderr bytes.Buffer
	ran            []string
	answers        []string
	exe            string
}

func (e *testEnv) env() toolEnv {
	return toolEnv{stdout: &e.stdout, stderr: &e.stderr, runner: e,
		executable: func() (string, error) {
			if e.exe == "" {
				return "/usr/local/bin/onboard365", nil
			}
			return e.exe, nil
		},
		ask: func(string) (string, error) {
			if len(e.answers) == 0 {
				return "", errors.New("nothing was typed")
			}
			a := e.answers[0]
			e.answers = e.answers[1:]
			return a, nil
		}}
}

func (e *testEnv) Run(_ context.Context, name string, args ...string) ([]byte, error) {
	e.ran = append(e.ran, strings.Join(append([]string{name}, args...), " "))
	return nil, nil
}

type bearer string

func (b bearer) Token(context.Context) (string, error) { return string(b), nil }

// TestTokenForAScript is the issue's token "done when": `onboard365 token --sandbox --customer
// Fabrikam --format json` gives a token the sandbox's Graph accepts for Fabrikam, and the audit
// trail records the hand-out (not the token). The token is never written to the test's log.
func TestTokenForAScript(t *testing.T) {
	log := audit.Open(filepath.Join(t.TempDir(), "audit-sandbox.log"), nil)
	f := &factory{stderr: io.Discard, store: app.MemoryKeychain(), audit: log}
	defer f.close()
	var e testEnv
	code := runToolWith(context.Background(), f, []string{"token", "--sandbox", "--customer", "Fabrikam", "--format", "json"}, e.env())
	if code != 0 {
		t.Fatalf("exit %d: %s", code, e.stderr.String())
	}
	var tok struct {
		AccessToken string `json:"accessToken"`
		ExpiresOn   string `json:"expiresOn"`
		TenantID    string `json:"tenantId"`
		Scope       string `json:"scope"`
	}
	if err := json.Unmarshal(e.stdout.Bytes(), &tok); err != nil {
		t.Fatalf("not the JSON (%d bytes): %v", e.stdout.Len(), err)
	}
	expires, err := time.Parse(time.RFC3339, tok.ExpiresOn)
	if tok.AccessToken == "" || err != nil || time.Until(expires) < 30*time.Minute || tok.Scope != auth.GraphScope {
		t.Fatalf("expires %q (%v), scope %q, a token of %d characters", tok.ExpiresOn, err, tok.Scope, len(tok.AccessToken))
	}
	claims, err := auth.ParseClaims(tok.AccessToken)
	if err != nil || claims.Tid != tok.TenantID || claims.Upn != app.SandboxTechnician {
		t.Fatalf("the token is for %s as %s (%v), not Fabrikam's %s", claims.Tid, claims.Upn, err, tok.TenantID)
	}
	// The sandbox's Graph takes it, in Fabrikam's tenant.
	c := f.running[0].Cloud()
	hc, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	var org struct {
		Value []struct {
			ID string `json:"id"`
		} `json:"value"`
	}
	if err := graph.New(c.GraphURL, hc, bearer(tok.AccessToken), graph.Options{}).Do(context.Background(), "GET", "/v1.0/subscribedSkus", nil, &org); err != nil || len(org.Value) == 0 {
		t.Fatalf("the sandbox's Graph refused the token: %v", explainedOnly(err))
	}

	// The text format is the token alone, for $(onboard365 token ...).
	var text testEnv
	if code := runToolWith(context.Background(), f, []string{"token", "--sandbox", "--customer", "partner"}, text.env()); code != 0 {
		t.Fatalf("text: exit %d: %s", code, text.stderr.String())
	}
	if line := strings.TrimSuffix(text.stdout.String(), "\n"); strings.ContainsAny(line, " \n") || !strings.HasPrefix(line, "eyJ") {
		t.Errorf("the text format is not one token on one line (%d bytes)", text.stdout.Len())
	}

	// Both hand-outs are in the audit trail, without the token.
	var list testEnv
	if code := runToolWith(context.Background(), f, []string{"audit", "--sandbox", "--format", "json"}, list.env()); code != 0 {
		t.Fatalf("audit: exit %d: %s", code, list.stderr.String())
	}
	if strings.Contains(list.stdout.String(), "eyJ") {
		t.Fatal("the audit trail holds a token")
	}
	var entries []map[string]any
	if err := json.Unmarshal(list.stdout.Bytes(), &entries); err != nil || len(entries) != 2 {
		t.Fatalf("%d entries: %v\n%s", len(entries), err, list.stdout.String())
	}
	first := entries[0]
	for k, want := range map[string]any{"source": "token", "tenantName": "Fabrikam", "tenantId": tok.TenantID, "technician": app.SandboxTechnician, "result": "succeeded"} {
		if first[k] != want {
			t.Errorf("the hand-out's %s is %v, want %v", k, first[k], want)
		}
	}
	if entries[1]["tenantName"] != "Your partner tenant" {
		t.Errorf("the partner's hand-out: %v", entries[1])
	}
}

// explainedOnly keeps an error's sentence, never what a request carried.
func explainedOnly(err error) string {
	if err == nil {
		return "no answer"
	}
	return regexp.MustCompile(`eyJ[A-Za-z0-9._-]+`).ReplaceAllString(err.Error(), "(token)")
}

func TestTokenCommandLine(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"token", "--sandbox"}, 2, "Say whose token it is with --customer"},
		{[]string{"token", "--customer", "x", "--format", "yaml", "--sandbox"}, 2, "--format is text or json"},
		{[]string{"token", "--sandbox", "--customer", "Nobody Inc"}, 1, `You have no customer called "Nobody Inc"`},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, &stdout, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.says) || stdout.Len() != 0 {
			t.Errorf("%v: exit %d, stderr %q; want %d saying %q", tt.args, code, stderr.String(), tt.code, tt.says)
		}
	}
}

// TestAuditListsAndVerifies: the list filters by customer and day and writes CSV; verify passes
// an untouched log and names the entry someone edited.
func TestAuditListsAndVerifies(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	path, err := audit.DefaultPath(true)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 5, 3, 10, 0, 0, 0, time.UTC)
	l := audit.Open(path, nil)
	for i, e := range []audit.Entry{
		{Time: day, Technician: "alex@contoso.com", TenantID: "l-1", TenantName: "Litware", Source: "troubleshoot", Change: "Excluded service provider users", Result: audit.Succeeded},
		{Time: day.AddDate(0, 0, 2), Technician: "alex@contoso.com", TenantID: "n-1", TenantName: "Northwind Traders", Source: "gdap", Change: "Requested a new relationship", Result: audit.Failed, Detail: "refused"},
		{Time: day.AddDate(0, 0, 3), Technician: "alex@contoso.com", TenantID: "l-1", TenantName: "Litware", Source: "token", Change: "Handed out an access token", Result: audit.Succeeded},
	} {
		if err := l.Record(context.Background(), e); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
	runAudit := func(args ...string) (int, string, string) {
		var e testEnv
		f := &factory{stderr: io.Discard}
		code := runToolWith(context.Background(), f, append([]string{"audit"}, args...), e.env())
		return code, e.stdout.String(), e.stderr.String()
	}
	if code, out, _ := runAudit("--sandbox", "--customer", "litware", "--format", "json"); code != 0 || strings.Count(out, `"tenantName": "Litware"`) != 2 || strings.Contains(out, "Northwind") {
		t.Errorf("--customer: exit %d\n%s", code, out)
	}
	if code, out, _ := runAudit("--sandbox", "--since", "2026-05-05", "--format", "csv"); code != 0 || strings.Count(out, "\n") != 3 || strings.Contains(out, "Excluded") {
		t.Errorf("--since: exit %d\n%s", code, out)
	}
	if code, out, _ := runAudit("--sandbox"); code != 0 || !strings.Contains(out, "Requested a new relationship") || !strings.Contains(out, "Failed: refused") {
		t.Errorf("the table: exit %d\n%s", code, out)
	}
	if code, _, errOut := runAudit("--sandbox", "--since", "yesterday"); code != 2 || !strings.Contains(errOut, "--since takes a day") {
		t.Errorf("a wrong --since: exit %d %s", code, errOut)
	}
	if code, out, _ := runAudit("verify", "--sandbox"); code != 0 || !strings.Contains(out, "All 3 entries") {
		t.Errorf("verify an untouched log: exit %d %s", code, out)
	}
	if code, out, _ := runAudit("--format", "json"); code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("the real cloud's log is another: exit %d %s", code, out)
	}
	// Someone edits the second entry.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte(`"result":"failed"`), []byte(`"result":"succeeded"`), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := runAudit("verify", "--sandbox"); code != 1 || !strings.Contains(out, "Entry 2") || !strings.Contains(out, "was changed after it was written") {
		t.Errorf("verify an edited log: exit %d %s", code, out)
	}
}

// dryRunFiles are the files a dry run prints: path and content, as it would write them.
func dryRunFiles(t *testing.T, out string) map[string]string {
	t.Helper()
	files := map[string]string{}
	parts := strings.Split(out, "\nIt would write ")
	for _, p := range parts[1:] {
		head, body, ok := strings.Cut(p, ":\n\n")
		if !ok {
			t.Fatalf("a file without its content: %.80s", p)
		}
		body, _, _ = strings.Cut(body, "\nThen it would run:")
		path, _, _ := strings.Cut(head, " (")
		files[path] = body
	}
	return files
}

// TestWatchInstallDryRunOnEveryOS is the issue's "watch install --dry-run prints a valid task for
// each of the three systems": the Task Scheduler XML and the LaunchAgent plist parse, with the
// command and the interval asked for; the systemd units pass systemd-analyze verify (where it is
// installed). No webhook address is in any of them.
func TestWatchInstallDryRunOnEveryOS(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	exe := filepath.Join(home, "bin", "onboard365")
	if err := os.MkdirAll(filepath.Dir(exe), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, system := range []string{"windows", "macos", "linux"} {
		t.Run(system, func(t *testing.T) {
			e := testEnv{exe: exe}
			f := &factory{stderr: io.Discard}
			code := runToolWith(context.Background(), f, []string{"watch", "install", "--dry-run", "--os", system, "--every", "12h",
				"--notify", "teams,desktop", "--client-id", "11111111-2222-3333-4444-555555555555"}, e.env())
			out := e.stdout.String()
			if code != 0 || strings.Contains(out, "https://") || !strings.Contains(out, "keep it in this computer's keychain, not in these files") {
				t.Fatalf("exit %d: %s\n%s", code, e.stderr.String(), out)
			}
			if len(e.ran) != 0 {
				t.Errorf("a dry run ran %v", e.ran)
			}
			files := dryRunFiles(t, out)
			switch system {
			case "windows":
				if len(files) != 1 {
					t.Fatalf("files %v", files)
				}
				for _, text := range files {
					var task struct {
						Interval  string `xml:"Triggers>TimeTrigger>Repetition>Interval"`
						Command   string `xml:"Actions>Exec>Command"`
						Arguments string `xml:"Actions>Exec>Arguments"`
						LogonType string `xml:"Principals>Principal>LogonType"`
					}
					dec := xml.NewDecoder(strings.NewReader(text))
					dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) { return r, nil } // shown as text; saved as UTF-16
					if err := dec.Decode(&task); err != nil {
						t.Fatalf("the task does not parse: %v\n%s", err, text)
					}
					if task.Interval != "PT12H" || task.LogonType != "InteractiveToken" || !strings.HasSuffix(task.Command, `onboard365.exe"`) ||
						task.Arguments != "watch run --notify teams,desktop --client-id 11111111-2222-3333-4444-555555555555" {
						t.Errorf("task %+v", task)
					}
				}
			case "macos":
				for _, text := range files {
					var agent struct {
						Label            string
						ProgramArguments []string
						StartInterval    int
					}
					if _, err := plist.Unmarshal([]byte(text), &agent); err != nil {
						t.Fatalf("the agent does not parse: %v\n%s", err, text)
					}
					if agent.StartInterval != 12*3600 || strings.Join(agent.ProgramArguments[1:], " ") != "watch run --notify teams,desktop --client-id 11111111-2222-3333-4444-555555555555" {
						t.Errorf("agent %+v", agent)
					}
				}
			case "linux":
				if len(files) != 2 {
					t.Fatalf("files %v", files)
				}
				dir := t.TempDir()
				var paths []string
				for path, text := range files {
					if !strings.HasPrefix(path, filepath.Join(home, ".config", "systemd", "user")) {
						t.Errorf("a unit outside the user's systemd folder: %s", path)
					}
					p := filepath.Join(dir, filepath.Base(path))
					if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
						t.Fatal(err)
					}
					paths = append(paths, p)
					if strings.HasSuffix(path, ".service") && !strings.Contains(text, "ExecStart="+exe+" watch run --notify teams,desktop") {
						t.Errorf("the service:\n%s", text)
					}
				}
				analyze, err := exec.LookPath("systemd-analyze")
				if err != nil {
					if os.Getenv("CI") == "true" {
						t.Fatal("systemd-analyze is missing: CI installs Debian's systemd package for it")
					}
					t.Skip("systemd-analyze is not on this computer")
				}
				if out, err := exec.Command(analyze, append([]string{"verify"}, paths...)...).CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
					t.Errorf("systemd-analyze verify: %v\n%s", err, out)
				}
			}
		})
	}
}

// TestWatchInstallKeepsTheWebhookInTheKeychain installs the watch on this computer (the
// scheduler's commands recorded, not run): the webhook address asked for goes into the keychain,
// and into none of the files written.
func TestWatchInstallKeepsTheWebhookInTheKeychain(t *testing.T) {
	if _, err := os.Stat("/proc"); err != nil {
		t.Skip("this test installs the Linux units")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	const hook = "https://contoso.webhook.office.com/workflows/abc/triggers/manual/paths/invoke?sig=not-a-real-signature"
	store := app.MemoryKeychain()
	e := testEnv{answers: []string{hook}}
	f := &factory{stderr: io.Discard, store: store}
	code := runToolWith(context.Background(), f, []string{"watch", "install", "--notify", "teams", "--client-id", "11111111-2222-3333-4444-555555555555"}, e.env())
	if code != 0 {
		t.Fatalf("exit %d: %s %s", code, e.stdout.String(), e.stderr.String())
	}
	if !strings.Contains(strings.Join(e.ran, "\n"), "systemctl --user enable --now onboard365-watch.timer") {
		t.Errorf("ran %v", e.ran)
	}
	err := filepath.WalkDir(home, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err == nil && bytes.Contains(b, []byte("webhook.office.com")) {
			t.Errorf("%s holds the webhook address", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.NewAccount(cloud.Public(), store, "11111111-2222-3333-4444-555555555555", "")
	if err != nil {
		t.Fatal(err)
	}
	if n, err := a.Notices(context.Background()); err != nil || n.Teams != hook {
		t.Errorf("the keychain keeps %s (%v)", n, err)
	}
	// And a webhook address on the command line is refused before anything is written.
	var bad testEnv
	if code := runToolWith(context.Background(), &factory{stderr: io.Discard, store: store}, []string{"watch", "install", "--notify", hook}, bad.env()); code != 2 {
		t.Errorf("an address as --notify: exit %d", code)
	}
	if code := runToolWith(context.Background(), &factory{stderr: io.Discard}, []string{"watch", "install", "--sandbox"}, bad.env()); code != 2 {
		t.Errorf("installing the sandbox's watch: exit %d", code)
	}
}

func TestWatchRunOnTheSandbox(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"watch", "run", "--sandbox"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"renewed in memory only", "Checked on", "problems to look at", "Litware: Conditional Access", "(No --notify"} {
		if !strings.Contains(out, want) {
			t.Errorf("watch run says no %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, sandbox.SecretMarker) || strings.Contains(out, "eyJ") {
		t.Error("the run's output holds a secret")
	}
	stdout.Reset()
	if code := run([]string{"watch", "run", "--sandbox", "--notify", "teams"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "No Teams webhook address is kept") {
		t.Errorf("--notify teams without its address: exit %d %s", code, stderr.String())
	}
	for _, args := range [][]string{{"watch"}, {"watch", "frob"}, {"watch", "run", "--notify", "pigeon", "--sandbox"}} {
		stderr.Reset()
		if code := run(args, &stdout, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("%v: exit %d %s", args, code, stderr.String())
		}
	}
}
