package graph

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// testToken looks like a real access token (a JWT, with dots) so that the
// checks that no error contains it are meaningful.
const testToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20ifQ.c2VjcmV0LXNpZ25hdHVyZQ"

type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }

type failingToken struct{}

func (failingToken) Token(context.Context) (string, error) {
	return "", errors.New("no account is signed in")
}

// sleeper records the waits the client asks for and returns at once.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeper) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// newServer starts a TLS test server that serves h under /graph, as the
// sandbox does, and returns a client for it. The client's Sleep records.
func newServer(t *testing.T, h http.Handler, opts Options) (*Client, *httptest.Server, *sleeper) {
	t.Helper()
	srv := startServer(t, h)
	s := &sleeper{}
	if opts.Sleep == nil {
		opts.Sleep = s.Sleep
	}
	return New(srv.URL+"/graph", srv.Client(), staticToken(testToken), opts), srv, s
}

// startServer starts a TLS test server that serves h under /graph.
func startServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/graph/", http.StripPrefix("/graph", h))
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func graphError(code, message string) map[string]any {
	return map[string]any{"error": map[string]any{
		"code":    code,
		"message": message,
		"innerError": map[string]any{
			"date":              "2026-05-01T12:00:00",
			"request-id":        "11111111-2222-3333-4444-555555555555",
			"client-request-id": "66666666-7777-8888-9999-000000000000",
		},
	}}
}
