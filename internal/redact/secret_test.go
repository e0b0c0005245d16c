package redact

import (
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"
)

// The shapes of what must never stay: made here, in the shapes Microsoft documents, and never
// printed (the CI leak scan reads the test log).
func TestScrubRemovesSecrets(t *testing.T) {
	b64 := base64.RawURLEncoding
	r := rand.New(rand.NewChaCha8([32]byte{1}))
	randomBytes := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	jwt := b64.EncodeToString([]byte(`{"typ":"JWT","alg":"RS256"}`)) + "." +
		b64.EncodeToString([]byte(`{"aud":"https://graph.microsoft.com","amr":["pwd","mfa"]}`)) + "." +
		b64.EncodeToString(randomBytes(64))
	for _, tc := range []struct{ name, secret string }{
		{"an access token (JWT)", jwt},
		{"a JWT's header alone", jwt[:30]},
		{"a refresh token", "0.AXEA" + b64.EncodeToString(randomBytes(600))},
		{"a client secret (40 characters with ~)", "Xy8Q~" + b64.EncodeToString(randomBytes(26))[:35]},
		{"32 random bytes in base64url", b64.EncodeToString(randomBytes(32))},
		{"a long run without digits", "ABcdEFghIJklMNopQRstUVwxYZabCDefGHij"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := "before: " + tc.secret + " (kept)"
			out, found := Scrub(in)
			if !found || strings.Contains(out, tc.secret[:16]) || out != "before: "+Removed+" (kept)" {
				t.Errorf("Scrub did not take out %s: found %v, %d characters left", tc.name, found, len(out))
			}
			if !LooksSecret(tc.secret) {
				t.Errorf("LooksSecret(%s) = false", tc.name)
			}
		})
	}
}

func TestScrubKeepsWhatAChangeIsMadeOf(t *testing.T) {
	for _, s := range []string{
		"5d027261-d21f-4aa9-b7db-7fa1f56fb163",
		"5D027261-D21F-4AA9-B7DB-7FA1F56FB163",
		"5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836",
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"DelegatedAdminRelationship.ReadWrite.All",
		"Policy.Read.All Policy.ReadWrite.ConditionalAccess Application.Read.All",
		"2026-05-03T10:04:05.123456789Z", "P730D", "PT0S",
		"adele.vance@contoso.onmicrosoft.com",
		"https://admin.microsoft.com/AdminPortal/Home#/partners/invitation/granularAdminRelationships/5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836",
		"Onboard365-Litware-20260503-1004", "GDAP-Litware-2026-05-01-Helpdesk", "GDAP - Application Administrator",
		"AAD_PREMIUM_P2", "SPE_E5_NoPSTN_USGOV_GCCHIGH", "M365EDU_A5_FACULTY_V3",
		"ContosoHQ2024VPNUsersGroup", "IT-Admins-EU-West-2-Prod", "ThisIsAVeryLongCamelCaseDisplayNameForAGroup",
		"GDAP_HelpdeskAdministrator_Contoso2024_EU", "Fabrikam-AzureAD-ConditionalAccess-BlockLegacyAuth-v2",
		"microsoft.graph.windowsphone81vpnconfiguration", "serviceProvider,b2bCollaborationGuest",
		"Litware Inc. (LITWARE4U2C)", "AzureADMultipleOrgs",
	} {
		if out, found := Scrub(s); found || out != s {
			t.Errorf("Scrub(%q) = %q, %v; want it kept", s, out, found)
		}
	}
}

// TestScrubFindsRandomSecrets measures how many random secrets Scrub finds, with a fixed seed.
func TestScrubFindsRandomSecrets(t *testing.T) {
	r := rand.New(rand.NewChaCha8([32]byte{7}))
	for _, tc := range []struct {
		bytes   int
		atLeast float64
	}{{15, 0.90}, {24, 0.96}, {32, 0.98}} {
		const n = 4000
		found := 0
		for range n {
			b := make([]byte, tc.bytes)
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			if LooksSecret(base64.RawURLEncoding.EncodeToString(b)) {
				found++
			}
		}
		if share := float64(found) / n; share < tc.atLeast {
			t.Errorf("Scrub found %.1f%% of %d random %d-byte secrets; want at least %.0f%%", 100*share, n, tc.bytes, 100*tc.atLeast)
		} else {
			t.Logf("%d random bytes in base64url: %.1f%% found", tc.bytes, 100*share)
		}
	}
}
