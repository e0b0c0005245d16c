package conformance

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// TestReadRequestBudget holds gdap.Read to its request budget on 1,000 customers with two
// relationships each: one $batch per 20 relationships, the relationships' pages of 300, one page
// of groups, /me and /me/transitiveMemberOf, and nothing else.
func TestReadRequestBudget(t *testing.T) {
	h := start(t, sandbox.Options{Customers: 1000})
	var calls []int
	inv, err := gdap.Read(context.Background(), h.partner, func(done, total int) { calls = append(calls, done) })
	if err != nil {
		t.Fatal(err)
	}
	if len(inv.Relationships) != 2000 || inv.GroupsErr != nil || inv.TechnicianErr != nil || len(inv.TechnicianGroups) == 0 {
		t.Fatalf("%d relationships, groups %v, technician %v", len(inv.Relationships), inv.GroupsErr, inv.TechnicianErr)
	}
	if len(calls) != 1+2000/20 || calls[0] != 0 || calls[len(calls)-1] != 2000 {
		t.Errorf("progress: %d calls, first %d, last %d", len(calls), calls[0], calls[len(calls)-1])
	}
	p, _ := roles.Find(roles.ProfileLiongard)
	for _, v := range gdap.Evaluate(inv, p, time.Now()) {
		if v.Status != plan.Pass {
			t.Fatalf("%s: %s", v.Customer.Name, v.Sentence)
		}
	}
	budget := 2000/20 + (2000+299)/300 + 1 + 1 + 1
	if got := requestsSent(t, h); got > budget {
		t.Fatalf("%d requests, over the budget of %d", got, budget)
	} else {
		t.Logf("%d requests for 1,000 customers and 2,000 relationships (budget %d)", got, budget)
	}
}

// readOneByOne is the plain loop the check is measured against: one request at a time, no
// $batch, default page sizes.
func readOneByOne(ctx context.Context, c *graph.Client) (gdap.Inventory, error) {
	inv := gdap.Inventory{ReadAt: time.Now()}
	var err error
	if inv.Relationships, err = gdap.ReadAccessOneByOne(ctx, c); err != nil {
		return inv, err
	}
	groups, err := graph.List[gdap.Group](ctx, c, "/v1.0/groups")
	if err != nil {
		return inv, err
	}
	inv.Groups = map[string]gdap.Group{}
	for _, g := range groups {
		inv.Groups[g.ID] = g
	}
	if err := c.Do(ctx, "GET", "/v1.0/me", nil, &inv.Technician); err != nil {
		return inv, err
	}
	mine, err := graph.List[gdap.Group](ctx, c, "/v1.0/me/transitiveMemberOf")
	if err != nil {
		return inv, err
	}
	inv.TechnicianGroups = map[string]bool{}
	for _, g := range mine {
		inv.TechnicianGroups[g.ID] = true
	}
	return inv, nil
}

// memPeak samples the Go runtime's memory every few milliseconds until stopped.
type memPeak struct {
	stop      chan struct{}
	done      chan struct{}
	heapInuse uint64
	sys       uint64
}

func watchMemory() *memPeak {
	m := &memPeak{stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(m.done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			m.heapInuse, m.sys = max(m.heapInuse, ms.HeapInuse), max(m.sys, ms.Sys)
			select {
			case <-m.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return m
}

func (m *memPeak) end() { close(m.stop); <-m.done }

// checkTimes carries the batched run's time to the one-by-one run, for the speed-up.
var checkTimes struct {
	sync.Mutex
	batched time.Duration
}

// BenchmarkCheck1000 reads and evaluates 1,000 customers with 2,000 relationships from a sandbox
// that takes 50 ms per request: gdap.Read ($batch, 4 requests at once) and a plain one-by-one
// loop, in the same run. It reports wall time, requests, and peak memory of the whole process
// (the in-process sandbox included), and fails when the check takes 5 s or more, is less than
// 20 times faster than the loop, or peaks over 150 MB of heap. Run it with -benchtime=1x: the
// loop takes about two minutes.
func BenchmarkCheck1000(b *testing.B) {
	p, _ := roles.Find(roles.ProfileLiongard)
	for _, bc := range []struct {
		name string
		read func(context.Context, *graph.Client) (gdap.Inventory, error)
		conc int
	}{
		{"batched-4-at-once", func(ctx context.Context, c *graph.Client) (gdap.Inventory, error) { return gdap.Read(ctx, c, nil) }, 4},
		{"one-by-one", readOneByOne, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				h, c := startDistant(b, bc.conc)
				runtime.GC()
				var before runtime.MemStats
				runtime.ReadMemStats(&before)
				mem := watchMemory()
				b.StartTimer()

				begin := time.Now()
				inv, err := bc.read(context.Background(), c)
				var vs []gdap.Verdict
				if err == nil {
					vs = gdap.Evaluate(inv, p, time.Now())
				}
				wall := time.Since(begin)

				b.StopTimer()
				mem.end()
				var after runtime.MemStats
				runtime.ReadMemStats(&after)
				if err != nil || len(vs) != 1000 {
					b.Fatalf("%d verdicts, %v", len(vs), err)
				}
				for _, v := range vs {
					if v.Status != plan.Pass {
						b.Fatalf("%s: %s", v.Customer.Name, v.Sentence)
					}
				}
				n := requestsSent(b, h)
				b.ReportMetric(wall.Seconds(), "wall-s/op")
				b.ReportMetric(float64(n), "requests/op")
				b.ReportMetric(float64(mem.heapInuse)/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(mem.sys)/(1<<20), "peak-sys-MB")
				b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "alloc-MB/op")
				if mem.heapInuse > 150<<20 {
					b.Errorf("peak heap %d MB, over 150 MB", mem.heapInuse>>20)
				}
				checkTimes.Lock()
				switch bc.name {
				case "batched-4-at-once":
					checkTimes.batched = wall
					if wall >= 5*time.Second {
						b.Errorf("the check took %v, want under 5 s", wall)
					}
				case "one-by-one":
					if checkTimes.batched > 0 {
						speedup := float64(wall) / float64(checkTimes.batched)
						b.ReportMetric(speedup, "x-slower-than-batched")
						if speedup < 20 {
							b.Errorf("the check is only %.1f times faster than the loop, want 20", speedup)
						}
					}
				}
				checkTimes.Unlock()
				h.s.Close()
				b.StartTimer()
			}
		})
	}
}
