package app

import (
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/vault"
)

// foreignGraphCloud is the probe's cloud file: Microsoft's sign-in, somebody else's Graph.
const foreignGraphCloud = `{"name":"Microsoft 365","authorityHost":"https://login.microsoftonline.com",` +
	`"graphURL":"https://graph.example.net","partnerCenterURL":"https://api.partnercenter.microsoft.com"}`

// TestKeptSignInIsBoundToItsCloud: a cloud that differs from Microsoft's worldwide cloud in any
// host keeps its sign-ins under a keychain entry of its own, so it never reads (or sends) the
// sign-in kept for Microsoft's cloud.
func TestKeptSignInIsBoundToItsCloud(t *testing.T) {
	store := MemoryKeychain().(*memoryKeychain)
	const id = "11111111-2222-3333-4444-555555555555"
	public, err := NewAccount(cloud.Public(), store, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := public.vault.Service(); got != vault.Service {
		t.Fatalf("the public cloud's keychain service is %q, want %q", got, vault.Service)
	}
	foreign, err := cloud.Parse([]byte(foreignGraphCloud))
	if err != nil {
		t.Fatal(err)
	}
	other, err := NewAccount(foreign, store, id, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := other.vault.Service(); got == vault.Service || !strings.HasPrefix(got, vault.Service+".cloud-") {
		t.Fatalf("a cloud with another Graph host uses the keychain service %q, want one of its own", got)
	}
}
