package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// tenant finds a tenant of the list by name.
func tenant(t *testing.T, tenants []app.Tenant, name string) app.Tenant {
	t.Helper()
	for _, tn := range tenants {
		if tn.Name == name {
			return tn
		}
	}
	t.Fatalf("no tenant %q in %v", name, tenants)
	return app.Tenant{}
}

// TestAuthenticatorFindsNamedUsers is the ticket case on the sandbox: names typed, each bad one a
// sentence, Sasha (who set up Authenticator after the report was made) switchable.
func TestAuthenticatorFindsNamedUsers(t *testing.T) {
	_, a := signedIn(t, sandbox.Options{})
	svc := app.NewAuthenticator(a)
	ctx := context.Background()
	tenants, err := svc.Tenants(ctx)
	if err != nil || len(tenants) != 13 || tenants[0].Name != "Your partner tenant" {
		t.Fatalf("tenants: %v %v", tenants, err)
	}
	proseware := tenant(t, tenants, "Proseware")
	list, err := svc.FindUsers(ctx, proseware, "sasha@proseware.onmicrosoft.com\nnobody@proseware.onmicrosoft.com, Kim")
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Users) != 1 || !list.Users[0].CanFix || !list.Users[0].Ticked || len(list.Problems) != 2 ||
		!strings.Contains(list.Problems[0], `"Kim" is not a sign-in name`) || !strings.Contains(list.Problems[1], "Nobody signs in as nobody@") {
		t.Fatalf("list: %+v", list)
	}
	p := svc.Plan(list, []string{list.Users[0].ID})
	if p.Tenant.ID != proseware.ID || len(p.Fixes) != 1 {
		t.Fatalf("plan %+v: want Sasha's change in Proseware", p)
	}
	out := svc.Apply(ctx, p, nil)
	if len(out) != 1 || !out[0].Done || !out[0].Verified {
		t.Fatalf("apply: %+v", out)
	}
	if _, err := svc.FindUsers(ctx, proseware, "just words"); err == nil {
		t.Error("text without a sign-in name must be refused with a sentence")
	}
	if !strings.Contains(svc.Instructions(list), "your Proseware account") {
		t.Errorf("instructions: %s", svc.Instructions(list))
	}
}

// TestAuthenticatorWithTheAppsOwnSignIn runs the page's service on the tokens the window's
// sign-in gives: the app's consented permissions must reach the licences, the report and the
// sign-in preferences of a customer, and the partner's own tenant.
func TestAuthenticatorWithTheAppsOwnSignIn(t *testing.T) {
	_, a := signedIn(t, sandbox.Options{})
	svc := app.NewAuthenticator(a)
	ctx := context.Background()
	tenants, err := svc.Tenants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	proseware := tenant(t, tenants, "Proseware")
	check, err := svc.Check(ctx, proseware)
	if err != nil || !check.OK {
		t.Fatalf("check: %+v %v", check, err)
	}
	list, err := svc.ReadUsers(ctx, proseware, nil)
	if err != nil || len(list.Users) != 10 {
		t.Fatalf("read: %d users, %v", len(list.Users), err)
	}
	var ids []string
	for _, u := range list.Users {
		if u.Ticked {
			ids = append(ids, u.ID)
		}
	}
	for _, o := range svc.Apply(ctx, svc.Plan(list, ids), nil) {
		if !o.Done || !o.Verified {
			t.Errorf("%s: %s", o.Who, o.Sentence)
		}
	}
	if len(ids) != 2 {
		t.Errorf("%d users ticked, want Pat and Sam", len(ids))
	}
	var instructions bytes.Buffer
	if err := svc.ExportInstructions(list, &instructions); err != nil || strings.Count(instructions.String(), "<section>") != 3 ||
		!strings.Contains(instructions.String(), "For Kim Larsen (kim@proseware.onmicrosoft.com)") {
		t.Errorf("printable instructions for Kim, Sasha and Robin: %v\n%s", err, instructions.String())
	}
	// The partner's own tenant: no GDAP, the technician's own admin roles.
	if check, err := svc.Check(ctx, tenants[0]); err != nil || !check.OK {
		t.Errorf("partner tenant check: %+v %v", check, err)
	}
	if _, err := svc.ReadUsers(ctx, tenants[0], nil); err != nil {
		t.Errorf("partner tenant read: %v", err)
	}
}
