package authmethods_test

import (
	"context"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// BenchmarkReadAndClassifyLargeTenant lists and classifies the 10,002 users of the sandbox's
// Fourth Coffee, a sandbox that takes 50 ms to answer each request (a distant server), with the
// client's default of 4 requests at once. The target is under 3 s per run.
//
//	go test -tags migrated_fynedo -run '^$' -bench ReadAndClassify -benchtime 5x ./internal/authmethods/
func BenchmarkReadAndClassifyLargeTenant(b *testing.B) {
	e := startSandbox(b, sandbox.Options{Scenario: sandbox.ScenarioLargeTenant, Faults: sandbox.Faults{Latency: 50 * time.Millisecond}})
	_, access := e.customer(b, "Fourth Coffee")
	c := e.client(sandbox.LargeTenantDomain, graph.Options{})
	ctx := context.Background()
	for b.Loop() {
		regs, err := authmethods.Read(ctx, c, nil)
		if err != nil {
			b.Fatal(err)
		}
		found := authmethods.ClassifyAll(regs, access)
		if len(found) != sandbox.LargeTenantUsers+2 || authmethods.Count(found)[authmethods.Fixable] != 1500 {
			b.Fatalf("%d users, %d to fix", len(found), authmethods.Count(found)[authmethods.Fixable])
		}
	}
}
