package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// TestEveryWizardsChangesAreAudited applies fixes of two wizards that keep the plan contract on
// the sandbox and finds one entry for each change in the account's audit trail: the technician,
// the customer it changed, before and after, and the result.
func TestEveryWizardsChangesAreAudited(t *testing.T) {
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	_, a := signedIn(t, sandbox.Options{})
	rec := &audit.Memory{}
	a.UseRecorder(rec)
	ctx := context.Background()

	g := app.NewGDAP(a)
	r, err := g.Check(ctx, app.GDAPRequest{Profile: "Liongard inspectors"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	outcomes := g.Apply(ctx, r.Plan, nil)
	entries := rec.Entries()
	if len(entries) != len(outcomes) || len(entries) == 0 {
		t.Fatalf("%d outcomes, %d audit entries", len(outcomes), len(entries))
	}
	found := false
	for i, e := range entries {
		if e.Technician != app.SandboxTechnician || e.Source != "gdap" || e.TenantID == "" || e.Change == "" {
			t.Errorf("entry %d: %+v", i, e)
		}
		if e.TenantName == "Northwind Traders" && strings.Contains(e.Change, "Requested the new GDAP relationship") &&
			strings.Contains(e.After, "Teams Administrator") && e.Result == audit.Succeeded {
			found = true
		}
		if e.TenantName == "Your partner tenant" && !strings.Contains(e.Change, "group") {
			t.Errorf("a change in the partner tenant that is not about a group: %+v", e)
		}
	}
	if !found {
		t.Errorf("no entry for Northwind Traders' new relationship: %+v", entries)
	}

	svc := app.NewAuthenticator(a)
	tenants, err := svc.Tenants(ctx)
	if err != nil {
		t.Fatal(err)
	}
	proseware := tenant(t, tenants, "Proseware")
	list, err := svc.FindUsers(ctx, proseware, "sasha@proseware.onmicrosoft.com")
	if err != nil || len(list.Users) != 1 {
		t.Fatalf("%+v %v", list, err)
	}
	if out := svc.Apply(ctx, svc.Plan(list, []string{list.Users[0].ID}), nil); len(out) != 1 || !out[0].Done {
		t.Fatalf("apply %+v", out)
	}
	all := rec.Entries()
	last := all[len(all)-1]
	if last.Source != "authenticator" || last.TenantID != proseware.ID || last.TenantName != "Proseware" || last.Before == "" ||
		!strings.Contains(last.After, "Authenticator") || last.Target != list.Users[0].ID || last.Result != audit.Succeeded {
		t.Errorf("the Authenticator change's entry: %+v", last)
	}
	for _, e := range all {
		if strings.Contains(e.Before+e.After+e.Change+e.Detail, sandbox.SecretMarker) || strings.Contains(e.Before+e.After+e.Detail, "eyJ") {
			t.Errorf("an entry holds a secret: %d", e.Seq)
		}
	}
}
