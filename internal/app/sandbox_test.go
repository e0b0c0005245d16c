package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/sandboxtest"
)

// signedIn starts a sandbox and signs its technician in the way the window does, through the
// sandbox's pages, with a keychain in memory.
func signedIn(t *testing.T, opts sandbox.Options) (*sandbox.Server, *app.Account) {
	t.Helper()
	s, _ := sandboxtest.Start(t, opts)
	a, err := app.NewAccount(s.Cloud(), app.MemoryKeychain(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	ev, err := a.Interactive(ctx, "", inApp(ctx, t))
	if err != nil || !ev.Compliant {
		t.Fatalf("sign-in: %+v %v", ev, err)
	}
	return s, a
}

// inApp answers the sandbox's sign-in pages in the app as its technician.
func inApp(ctx context.Context, t *testing.T) func(app.Launch) {
	return func(l app.Launch) {
		if l.InApp == nil {
			t.Error("the sandbox's sign-in is not in the app")
			return
		}
		go func() {
			// Once the sign-in is done the test's context ends, and the pages' last answer may
			// still be on its way: only an error before that is the sandbox's refusal.
			if err := l.InApp(ctx, app.SandboxTechnician, "sandbox", true); err != nil && ctx.Err() == nil {
				t.Errorf("sign in: %v", err)
			}
		}()
	}
}
