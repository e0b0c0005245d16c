package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/cloud"
)

// foreignGraphCloud is the probe's cloud file: Microsoft's sign-in, somebody else's Graph.
const foreignGraphCloud = `{"name":"Microsoft 365","authorityHost":"https://login.microsoftonline.com",` +
	`"graphURL":"https://graph.example.net","partnerCenterURL":"https://api.partnercenter.microsoft.com"}`

// TestCloudFileWithForeignHostsIsRefused: every command that reads --cloud refuses a file naming a
// host that is not Microsoft's, naming it and the flag that would allow it, before any sign-in.
func TestCloudFileWithForeignHostsIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cloud.json")
	if err := os.WriteFile(path, []byte(foreignGraphCloud), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"check", "gdap", "--cloud", path, "--client-id", "11111111-2222-3333-4444-555555555555"},
		{"check", "troubleshoot", "--cloud", path, "--client-id", "11111111-2222-3333-4444-555555555555"},
		{"check", "authenticator", "--customer", "partner", "--cloud", path, "--client-id", "11111111-2222-3333-4444-555555555555"},
		{"check", "app", "--cloud", path},
		{"--cloud", path, "--screenshot", t.TempDir()},
	} {
		var stdout, stderr bytes.Buffer
		code := runContext(context.Background(), args, &stdout, &stderr)
		if code == 0 || !strings.Contains(stderr.String(), "graph.example.net") || !strings.Contains(stderr.String(), "--"+cloud.AllowFlag) {
			t.Errorf("%v: exit %d, stderr %q; want a refusal naming graph.example.net and --%s", args, code, stderr.String(), cloud.AllowFlag)
		}
	}
}
