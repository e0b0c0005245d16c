package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/sandboxtest"
)

// A reviewed plan is applied once: applying the same plan again (Back, then the step again)
// changes nothing more, says what the first Apply did, and does not show the secret again.
func TestAppRegistrationAppliesAPlanOnce(t *testing.T) {
	s, _ := sandboxtest.Start(t, sandbox.Options{Scenario: sandbox.ScenarioFresh})
	a, err := app.NewAccount(s.Cloud(), app.MemoryKeychain(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	svc := app.NewAppRegistration(a)
	svc.Waits = []time.Duration{time.Millisecond, time.Millisecond, time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin, err := svc.SignInAdmin(ctx, app.AppChoice{Name: "Onboard365", Integrations: []string{permissions.DefaultName}}, "", func(l app.Launch) {
		go func() {
			if err := l.InApp(ctx, app.SandboxTechnician, "sandbox", true); err != nil {
				t.Errorf("sign in: %v", err)
			}
		}()
	})
	if err != nil || !admin.Compliant {
		t.Fatalf("admin sign-in: %+v %v", admin.Evidence, err)
	}
	if _, err := svc.Plan(ctx, app.AppAdmin{}, func(string) {}); err == nil {
		t.Error("a plan without the administrator's sign-in")
	}
	p, err := svc.Plan(ctx, admin, func(string) {})
	if err != nil || len(p.Changes) != 8 {
		t.Fatalf("plan: %d changes, %v", len(p.Changes), err)
	}
	first, err := svc.Apply(ctx, p, func(int, int, string) {})
	if err != nil || first.Secret == nil || first.AppID == "" || len(first.Remaining) != 0 {
		t.Fatalf("first apply: %+v %v", first, err)
	}
	again, err := svc.Apply(ctx, p, func(int, int, string) {})
	if err != nil || again.Secret != nil || again.AppID != first.AppID || len(again.Lines) != len(first.Lines) {
		t.Fatalf("the same plan again: %+v %v", again, err)
	}
	// A new plan reads what the first made: nothing is left to change.
	next, err := svc.Plan(ctx, admin, func(string) {})
	if err != nil || len(next.Changes) != 0 || !strings.Contains(strings.Join(next.Notes, " ")+strings.Join(next.Facts, " "), "keychain") {
		t.Errorf("plan after applying: %+v %v", next, err)
	}
}
