package conformance

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// requestsSent counts the HTTP requests that reached the sandbox (a $batch is one request; the
// items inside it are not counted again).
func requestsSent(t testing.TB, h *harness) int {
	n := 0
	for _, e := range h.trace.entries(t) {
		if e.Host == "graph" && !e.InBatch {
			n++
		}
	}
	return n
}

// TestReadAccessRequestBudget holds ReadAccess to its request budget on 1,000 customers with two
// relationships each: at most ceil(relationships/20) batches + the list's pages + 5.
func TestReadAccessRequestBudget(t *testing.T) {
	h := start(t, sandbox.Options{Customers: 1000})
	access, err := gdap.ReadAccess(context.Background(), h.partner, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(access) != 2000 {
		t.Fatalf("%d relationships, want 2000", len(access))
	}
	for _, a := range access {
		if a.Err != nil || len(a.Assignments) != 3 {
			t.Fatalf("%s: %d assignments, %v", a.Relationship.ID, len(a.Assignments), a.Err)
		}
	}
	pages := (2000 + 299) / 300
	budget := (2000+19)/20 + pages + 5
	if got := requestsSent(t, h); got > budget {
		t.Fatalf("%d requests, over the budget of %d", got, budget)
	} else {
		t.Logf("%d requests for 2,000 relationships (budget %d)", got, budget)
	}
}

// TestReadAccessUnderFaults: with 5% of requests throttled or unavailable, every relationship
// still ends with its assignments or with a reason.
func TestReadAccessUnderFaults(t *testing.T) {
	h := start(t, sandbox.Options{Customers: 200, Faults: sandbox.Faults{RetryAfter: time.Second, Seed: 7}.Rate(0.05)})
	g := h.graphFor("", graph.Options{Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
	access, err := gdap.ReadAccess(context.Background(), g, nil)
	if err != nil {
		t.Fatal(err)
	}
	ok, failed := 0, 0
	for _, a := range access {
		switch {
		case a.Err != nil:
			failed++
		case len(a.Assignments) == 3:
			ok++
		default:
			t.Errorf("%s: %d assignments and no reason", a.Relationship.ID, len(a.Assignments))
		}
	}
	if ok+failed != 400 || ok == 0 {
		t.Fatalf("%d complete and %d with a reason, want 400 in all", ok, failed)
	}
	faults := 0
	for _, e := range h.trace.entries(t) {
		if e.Status == 429 || e.Status == 503 {
			faults++
		}
	}
	if faults == 0 {
		t.Fatal("no request was throttled: the test proves nothing")
	}
	t.Logf("%d complete, %d with a reason, after %d throttled or unavailable answers", ok, failed, faults)
}

// BenchmarkReadAccess lists 2,000 relationships and their access assignments from a 1,000-customer
// sandbox that takes 50 ms per request: with paging, $batch and 4 requests at once, and with a
// plain one-at-a-time loop, in the same run. Run it with -benchtime=1x: the loop takes minutes.
func BenchmarkReadAccess(b *testing.B) {
	for _, bc := range []struct {
		name string
		read func(context.Context, *graph.Client) ([]gdap.RelationshipAccess, error)
		conc int
	}{
		{"batched-4-at-once", func(ctx context.Context, c *graph.Client) ([]gdap.RelationshipAccess, error) {
			return gdap.ReadAccess(ctx, c, nil)
		}, 4},
		{"one-by-one", gdap.ReadAccessOneByOne, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				h, c := startDistant(b, bc.conc)
				b.StartTimer()
				access, err := bc.read(context.Background(), c)
				b.StopTimer()
				if err != nil || len(access) != 2000 {
					b.Fatalf("%d relationships, %v", len(access), err)
				}
				n := requestsSent(b, h)
				b.ReportMetric(float64(n), "requests/op")
				h.s.Close()
				b.StartTimer()
			}
		})
	}
}

// TestBadAnswersFromTheCloudAreTypedErrors: a cut-off body or a dropped connection from the
// sandbox reaches the caller as an error that names the request, never as a short list.
func TestBadAnswersFromTheCloudAreTypedErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		faults sandbox.Faults
	}{
		{"cut-off body", sandbox.Faults{Malformed: 1}},
		{"dropped connection", sandbox.Faults{Dropped: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := start(t, sandbox.Options{Faults: tc.faults})
			g := h.graphFor("", graph.Options{MaxRetries: 1, Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }})
			rels, err := graph.List[gdap.Relationship](context.Background(), g, "/v1.0/tenantRelationships/delegatedAdminRelationships")
			if err == nil {
				t.Fatalf("no error, %d relationships", len(rels))
			}
			if !strings.Contains(err.Error(), "/v1.0/tenantRelationships/delegatedAdminRelationships") {
				t.Errorf("the error does not name the request: %v", err)
			}
			var decodeErr *graph.DecodeError
			if tc.name == "cut-off body" && !errors.As(err, &decodeErr) {
				t.Errorf("want a *graph.DecodeError, got %T: %v", err, err)
			}
		})
	}
}

// startDistant starts a 1,000-customer sandbox (2,000 relationships) that takes 50 ms to answer
// each request, and a Graph client on it that sends conc requests at once: the set-up of the
// speed benchmarks. The sandbox closes when the benchmark ends, or earlier by h.s.Close.
func startDistant(b *testing.B, conc int) (*harness, *graph.Client) {
	b.Helper()
	h := start(b, sandbox.Options{Customers: 1000, Faults: sandbox.Faults{Latency: 50 * time.Millisecond}})
	return h, h.graphFor("", graph.Options{MaxConcurrency: conc})
}
