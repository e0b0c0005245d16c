package app_test

import (
	"context"
	"testing"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// BenchmarkHealthCheck500 measures one health check of 500 customers (a generated sandbox with
// two relationships each): the GDAP read, the Troubleshoot checks, a fresh consent token per
// customer, and the partner's reads.
//
//	go test -tags migrated_fynedo -run '^$' -bench HealthCheck -benchtime=1x ./internal/app
func BenchmarkHealthCheck500(b *testing.B) {
	b.Setenv("XDG_CONFIG_HOME", b.TempDir())
	s, err := sandbox.Start(sandbox.Options{Customers: 500})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	a, err := app.NewAccount(s.Cloud(), app.MemoryKeychain(), "", "")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	ev, err := a.Interactive(ctx, "", func(l app.Launch) {
		go func() { _ = l.InApp(ctx, app.SandboxTechnician, "sandbox", true) }()
	})
	if err != nil || !ev.Compliant {
		b.Fatalf("sign-in: %v", err)
	}
	h := app.NewHealth(a)
	for b.Loop() {
		r, err := h.Check(ctx, app.HealthRequest{}, nil)
		if err != nil || len(r.Customers) != 500 {
			b.Fatalf("%d customers, %v", len(r.Customers), err)
		}
	}
}
