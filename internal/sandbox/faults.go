package sandbox

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Faults is the trouble a sandbox makes on purpose, so the app's retries, timeouts and error
// messages can be tried without a real outage. Rates are fractions of Graph and Partner Center
// requests, from 0 (never) to 1 (always); sign-in requests only get the latency.
type Faults struct {
	Latency      time.Duration // added to every request before it is answered
	RateLimited  float64       // answered 429 Too Many Requests with a Retry-After header
	Unavailable  float64       // answered 503 Service Unavailable
	Dropped      float64       // the connection (or HTTP/2 stream) is cut without an answer
	Malformed    float64       // GET requests answered 200 with a cut-off JSON body
	RetryAfter   time.Duration // the Retry-After that 429s and 503s carry; default 1 s
	Seed         uint64        // the random sequence; the same seed gives the same faults
	FirstRequest int           // faults start with this request (1-based; 0 means the first)
}

// Rate sets RateLimited and Unavailable to half of r each: "a fault rate of r".
func (f Faults) Rate(r float64) Faults {
	f.RateLimited, f.Unavailable = r/2, r/2
	return f
}

type faultInjector struct {
	f     Faults
	mu    sync.Mutex
	rng   *rand.Rand
	count int
}

func newFaultInjector(f Faults) *faultInjector {
	if f.RetryAfter <= 0 {
		f.RetryAfter = time.Second
	}
	return &faultInjector{f: f, rng: rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))}
}

// fault is what happens to one request.
type fault int

const (
	faultNone fault = iota
	faultRateLimited
	faultUnavailable
	faultDropped
	faultMalformed
)

func (fi *faultInjector) pick(r *http.Request) fault {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.count++
	if fi.count < fi.f.FirstRequest {
		return faultNone
	}
	if !strings.HasPrefix(r.URL.Path, "/graph/") && !strings.HasPrefix(r.URL.Path, "/partnercenter/") {
		return faultNone
	}
	x := fi.rng.Float64()
	for _, c := range []struct {
		rate float64
		f    fault
	}{{fi.f.RateLimited, faultRateLimited}, {fi.f.Unavailable, faultUnavailable}, {fi.f.Dropped, faultDropped}, {fi.f.Malformed, faultMalformed}} {
		if x < c.rate {
			if c.f == faultMalformed && r.Method != http.MethodGet {
				return faultNone
			}
			return c.f
		}
		x -= c.rate
	}
	return faultNone
}

// pickItem decides the fate of one $batch item: only throttling and unavailability happen to
// items (the batch itself was answered).
func (fi *faultInjector) pickItem() fault {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.count++
	if fi.count < fi.f.FirstRequest {
		return faultNone
	}
	x := fi.rng.Float64()
	if x < fi.f.RateLimited {
		return faultRateLimited
	}
	if x < fi.f.RateLimited+fi.f.Unavailable {
		return faultUnavailable
	}
	return faultNone
}

// retryAfter is the Retry-After header value, in whole seconds.
func (fi *faultInjector) retryAfter() string {
	return strconv.Itoa(max(1, int(fi.f.RetryAfter.Round(time.Second)/time.Second)))
}

func (fi *faultInjector) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := fi.f.Latency; d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		retryAfter := fi.retryAfter()
		switch fi.pick(r) {
		case faultRateLimited:
			w.Header().Set("Retry-After", retryAfter)
			writeFaultError(w, r, http.StatusTooManyRequests, "TooManyRequests", "Too many requests. The sandbox was asked to throttle this one.")
		case faultUnavailable:
			w.Header().Set("Retry-After", retryAfter)
			writeFaultError(w, r, http.StatusServiceUnavailable, "serviceNotAvailable", "The service is temporarily unavailable. The sandbox was asked to fail this one.")
		case faultDropped:
			panic(http.ErrAbortHandler) // net/http cuts the connection (HTTP/1.1) or resets the stream (HTTP/2)
		case faultMalformed:
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write([]byte(`{"@odata.context":"https://graph.microsoft.com/v1.0/$metadata#value","value":[{"id":"`))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func writeFaultError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	if strings.HasPrefix(r.URL.Path, "/partnercenter/") {
		writePartnerCenterError(w, status, strconv.Itoa(status), message)
		return
	}
	writeGraphError(w, status, code, message)
}
