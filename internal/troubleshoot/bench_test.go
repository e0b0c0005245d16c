package troubleshoot_test

import (
	"context"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/sandbox"
	ts "github.com/onboard365/onboard365/internal/troubleshoot"
	"github.com/onboard365/onboard365/internal/vault"
)

// BenchmarkDiagnose500 runs every check, the partner tenant's and each customer's, for the 500
// customers of the troubleshoot scenario on a sandbox that waits 50 ms before answering each
// request (sign-in, tokens, Graph), as a distant Microsoft would. The technician signs in once
// through the sandbox's pages with the real MSAL client before the clock starts; every customer
// token is then redeemed from that sign-in as in the app. It reports wall time and requests, and
// fails when the diagnosis takes 20 s or more or misses a seeded cause. Run it with
// -benchtime=1x.
//
// Three runs, by where MSAL's token cache lives:
//   - msal-memory: in MSAL's memory only;
//   - vault-cache: in the app's internal/vault MSALCache (over a keychain in memory), as the
//     account's own client keeps it: MSAL then exports its whole cache after every customer's
//     token, which grows with the square of the customers;
//   - vault-seeded: as the app's Troubleshoot does it (internal/app, with vault.Seeded): a
//     second client seeded once from that vault cache, which keeps its tokens in memory.
func BenchmarkDiagnose500(b *testing.B) {
	b.Run("msal-memory", func(b *testing.B) { benchmarkDiagnose(b, nil, false) })
	b.Run("vault-cache", func(b *testing.B) { benchmarkDiagnose(b, newVaultCache, false) })
	b.Run("vault-seeded", func(b *testing.B) { benchmarkDiagnose(b, newVaultCache, true) })
}

func newVaultCache() cache.ExportReplace {
	return vault.NewMSALCache(vault.NewForService(mapStore{}, "onboard365.bench"))
}

// mapStore is a keychain in memory.
type mapStore map[string]string

func (m mapStore) Get(service, user string) (string, error) {
	v, ok := m[service+"/"+user]
	if !ok {
		return "", vault.ErrNotFound
	}
	return v, nil
}
func (m mapStore) Set(service, user, value string) error { m[service+"/"+user] = value; return nil }
func (m mapStore) Delete(service, user string) error     { delete(m, service+"/"+user); return nil }

func benchmarkDiagnose(b *testing.B, newCache func() cache.ExportReplace, seeded bool) {
	const customers = 500
	for b.Loop() {
		b.StopTimer()
		var kept cache.ExportReplace
		if newCache != nil {
			kept = newCache()
		}
		e := startWith(b, sandbox.Options{Scenario: sandbox.ScenarioTroubleshoot, Customers: customers,
			Faults: sandbox.Faults{Latency: 50 * time.Millisecond}}, kept)
		if seeded {
			side, err := auth.New(auth.Config{Cloud: e.s.Cloud(), ClientID: sandbox.AppID, Tenant: e.s.PartnerTenantID(), Cache: vault.Seeded(kept)})
			if err != nil {
				b.Fatal(err)
			}
			if _, ok, err := side.Restore(context.Background()); !ok || err != nil {
				b.Fatalf("the seeded client has no sign-in: %v", err)
			}
			e.auth = side
		}
		e.requests.Store(0)
		b.StartTimer()

		begin := time.Now()
		d := e.diagnose(ts.Options{})
		wall := time.Since(begin)

		b.StopTimer()
		requests := e.requests.Load()
		if len(d.Customers) != customers {
			b.Fatalf("%d customers checked, want %d", len(d.Customers), customers)
		}
		// One customer in ten shows each cause (sandbox.ScenarioTroubleshoot): the checks found them.
		found := map[string]int{}
		for _, l := range d.Customers {
			for _, c := range l.Checks {
				found[string(c.Kind)+"/"+string(c.Status)]++
			}
		}
		for key, want := range map[string]int{
			"access/fail":               100, // 50 blocked by Conditional Access, 50 without consent
			"conditionalAccess/fail":    50,
			"conditionalAccess/warning": 100,
			"entraIdP1/fail":            50,
			"gdapRoles/pass":            customers,
		} {
			if found[key] != want {
				b.Errorf("%s: %d customers, want %d", key, found[key], want)
			}
		}
		blocked := 0
		for _, f := range d.Fixes {
			if f.Blocked != "" {
				blocked++
			}
		}
		if blocked != 50 {
			b.Errorf("%d fixes cannot be applied for a missing role, want 50", blocked)
		}
		b.ReportMetric(wall.Seconds(), "wall-s/op")
		b.ReportMetric(float64(requests), "requests/op")
		if wall >= 20*time.Second {
			b.Errorf("the checks for %d customers took %v, want under 20 s", customers, wall)
		}
		e.s.Close()
		b.StartTimer()
	}
}
