package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// TestCheckAppOnTheSandbox runs "onboard365 check app" on sandbox scenarios: it signs in as the
// sandbox's administrator, reads the app registration and prints the wizard's plan, changing
// nothing.
func TestCheckAppOnTheSandbox(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr string
	}{
		{"fresh tenant", []string{"--sandbox", "--scenario", "fresh"}, exitProblem,
			[]string{`Create the app registration "Onboard365"`, "Add the redirect address http://localhost", "What the App registration wizard would change (8):"}, ""},
		{"app without service principal", []string{"--sandbox", "--scenario", "app-without-sp"}, exitProblem,
			[]string{"Found the app registration", "Create the app's service principal"}, ""},
		// Any member may read app registrations (Microsoft's role list for reading them), so the
		// check reads and plans; creating the app is what needs the role (internal/appreg's tests).
		{"no Application Administrator", []string{"--sandbox", "--scenario", "no-app-admin"}, exitProblem,
			[]string{`Create the app registration "Onboard365"`}, ""},
		{"not a sandbox scenario without --sandbox", []string{"--scenario", "fresh"}, exitUsage, nil, "add --sandbox"},
		{"a stray word", []string{"now"}, exitUsage, nil, `"now" is not an option`},
		{"sandbox and cloud", []string{"--sandbox", "--cloud", "x.json"}, exitUsage, nil, "choose either --sandbox or --cloud"},
		// The sign-in fails at once (no such account): the command says so at once, not after the
		// sign-in's 10 minutes.
		{"an account the sandbox does not know", []string{"--sandbox", "--account", "nobody@example.com"}, exitProblem, nil, "This account does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			start := time.Now()
			code := runCheck(ctx, append([]string{"app"}, tt.args...), &stdout, &stderr)
			if took := time.Since(start); took > 20*time.Second {
				t.Errorf("the check took %v; every answer it gives is known within seconds", took.Round(time.Second))
			}
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, stdout.String(), stderr.String())
			}
			for _, want := range tt.wantStdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("stdout does not say %q:\n%s", want, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr does not say %q:\n%s", tt.wantStderr, stderr.String())
			}
		})
	}
}
