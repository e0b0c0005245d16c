package appreg_test

import (
	"context"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// BenchmarkFreshTenant measures a whole first run of the wizard against a fresh tenant on a
// sandbox that takes 50 ms per request, as a distant Microsoft cloud does: the partner side
// (read, plan, apply with the replication wait, read again) and the customers (check all twelve,
// consent where needed, check again). The sign-ins are not counted. Run it with
//
//	go test -tags migrated_fynedo -run '^$' -bench FreshTenant -benchtime=1x ./internal/appreg
func BenchmarkFreshTenant(b *testing.B) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		tr := &trace{}
		s, err := sandbox.Start(sandbox.Options{Scenario: sandbox.ScenarioFresh, Trace: tr, Faults: sandbox.Faults{Latency: 50 * time.Millisecond}})
		if err != nil {
			b.Fatal(err)
		}
		f := &fixture{t: b, s: s, trace: tr, keys: &keychain{}, user: alex}
		if f.hc, err = s.Cloud().HTTPClient(); err != nil {
			b.Fatal(err)
		}
		ref, err := loadRef()
		if err != nil {
			b.Fatal(err)
		}
		f.ref = ref
		ctx := context.Background()
		choice := permissions.Choice{}
		n := f.needs(choice)
		admin := f.admin(n)
		g := admin.Graph()
		tr.requests(b)

		b.StartTimer()
		began := time.Now()
		st, err := appreg.Read(ctx, g, appreg.Target{}, f.keys, appreg.ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		plan := appreg.PlanChanges(st, n, choice)
		res := appreg.Apply(ctx, g, st, plan, appreg.ApplyOptions{Keychain: f.keys, CheckSecret: admin.SecretCheck(), Waits: []time.Duration{time.Second, time.Second, time.Second}})
		again, err := appreg.Read(ctx, g, appreg.Target{}, f.keys, appreg.ReadOptions{})
		if err != nil || !appreg.PlanChanges(again, n, choice).Empty() || res.Failed() > 0 {
			b.Fatalf("the partner side did not end right: %v", err)
		}
		partner := time.Since(began)
		b.StopTimer()
		graphRequests := count(tr.requests(b), "graph")
		app := f.signInWithApp(res.App.AppID)
		tr.requests(b)
		b.StartTimer()

		began = time.Now()
		pc := partnercenter.New(s.Cloud().PartnerCenterURL, f.hc, app.TokenSource("", auth.PartnerCenterScope), partnercenter.Options{})
		probe := appreg.ProbeWith(app)
		customers, err := appreg.ReadCustomers(ctx, pc, probe, n, nil)
		if err != nil {
			b.Fatal(err)
		}
		var chosen []appreg.Customer
		for _, c := range customers {
			if c.Planned() {
				chosen = append(chosen, c)
			}
		}
		appreg.ConsentCustomers(ctx, pc, res.App.AppID, permissions.DefaultName, n, chosen, probe, nil)
		custTime := time.Since(began)
		b.StopTimer()
		entries := tr.requests(b)
		b.ReportMetric(float64(len(plan.Changes)), "changes")
		b.ReportMetric(float64(graphRequests), "graph-requests")
		b.ReportMetric(float64(res.Waited), "replication-waits")
		b.ReportMetric(partner.Seconds(), "partner-s")
		b.ReportMetric(float64(count(entries, "partnercenter")), "pc-requests")
		b.ReportMetric(float64(count(entries, "identity")), "token-requests")
		b.ReportMetric(custTime.Seconds(), "customers-s")
		s.Close()
	}
}
