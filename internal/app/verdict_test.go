package app

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// signInInApp signs user in to the sandbox through the account, as the Sign in page does.
func signInInApp(t *testing.T, ctx context.Context, a *Account, user string) Evidence {
	t.Helper()
	ev, err := a.Interactive(ctx, user, func(l Launch) {
		if l.InApp != nil {
			go func() {
				if err := l.InApp(ctx, user, "sandbox", true); err != nil {
					t.Errorf("the sandbox's sign-in as %s: %v", user, err)
				}
			}()
		}
	})
	if err != nil {
		t.Fatalf("sign in as %s: %v", user, err)
	}
	return ev
}

// TestCustomerAdministratorSignInIsNotKept: without --tenant, a customer tenant's administrator
// signs in with MFA; Partner Center answers 403, so the verdict is NO and nothing is stored, even
// when Keep is called without asking Partner Center first. The partner's technician is kept.
func TestCustomerAdministratorSignInIsNotKept(t *testing.T) {
	s, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store := MemoryKeychain().(*memoryKeychain)
	a, err := NewAccount(s.Cloud(), store, "", "")
	if err != nil {
		t.Fatal(err)
	}
	admin := sandbox.CustomerAdmin("litware.onmicrosoft.com")
	signInInApp(t, ctx, a, admin)
	if err := a.Keep(ctx); err == nil {
		t.Error("a sign-in was kept before Partner Center answered")
	}
	final, pcErr := a.CheckPartnerCenter(ctx)
	if final.Compliant || pcErr == nil || !strings.Contains(strings.Join(final.Reasons, " "), "not a partner tenant") {
		t.Errorf("a customer administrator's final verdict: %+v (%v)", final, pcErr)
	}
	if err := a.Keep(ctx); err == nil {
		t.Error("a sign-in Partner Center refused was kept")
	}
	for k := range store.items {
		t.Errorf("the keychain holds %q after a refused sign-in", k)
	}

	signInInApp(t, ctx, a, sandboxUsers[0])
	if final, pcErr := a.CheckPartnerCenter(ctx); !final.Compliant || pcErr != nil {
		t.Fatalf("the technician's final verdict: %+v (%v)", final, pcErr)
	}
	if err := a.Keep(ctx); err != nil || len(store.items) == 0 {
		t.Errorf("the technician's sign-in was not kept: %v", err)
	}
}

// TestPastedTokenVerdict: "Check a token from another tool" says its signature is not checked,
// and says NO for an unsigned (alg none), an expired and a foreign-audience token that carry MFA.
func TestPastedTokenVerdict(t *testing.T) {
	a, err := NewAccount(cloud.Public(), MemoryKeychain().(*memoryKeychain), "11111111-2222-3333-4444-555555555555", "")
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	token := func(alg, aud string, exp time.Time) string {
		body := fmt.Sprintf(`{"aud":%q,"tid":"df845f1a-7b35-40a2-ba78-6481de91f8ae","upn":"alex@contoso.com","amr":["pwd","mfa"],"exp":%d}`, aud, exp.Unix())
		return enc([]byte(`{"typ":"JWT","alg":"`+alg+`"}`)) + "." + enc([]byte(body)) + ".c2ln"
	}
	const pc = "https://api.partnercenter.microsoft.com"
	later, earlier := time.Now().Add(time.Hour), time.Now().Add(-time.Hour)
	for _, tc := range []struct {
		name  string
		token string
		yes   bool
	}{
		{"signed, for Partner Center, not expired", token("RS256", pc, later), true},
		{"unsigned", token("none", pc, later), false},
		{"expired", token("RS256", pc, earlier), false},
		{"for Graph", token("RS256", "https://graph.microsoft.com", later), false},
	} {
		ev, err := a.Inspect(tc.token, "", "")
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if ev.Compliant != tc.yes || !strings.Contains(strings.Join(ev.Notes, " "), "does not check the token's signature") {
			t.Errorf("%s: compliant %v (want %v), reasons %q, notes %q", tc.name, ev.Compliant, tc.yes, ev.Reasons, ev.Notes)
		}
	}
}
