package gdap

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/words"
)

// TestOutsideStringsAreCleanInEveryOutput: no escape sequence or direction change from a
// customer's name reaches the terminal, the CSV, the HTML or the JSON, and no cell runs as a
// formula.
func TestOutsideStringsAreCleanInEveryOutput(t *testing.T) {
	sr := roles.SecurityReader
	verdicts := Evaluate(inventory(rel("r1", words.Hostile, "active", 400, "P180D", sr)), twoRoles, now)
	outputs := map[string]func(*bytes.Buffer) error{
		"csv":   func(b *bytes.Buffer) error { return WriteCSV(b, verdicts) },
		"html":  func(b *bytes.Buffer) error { return WriteHTML(b, verdicts, "GDAP check: "+words.Hostile) },
		"json":  func(b *bytes.Buffer) error { return json.NewEncoder(b).Encode(NewReport(words.Hostile, now, verdicts)) },
		"table": func(b *bytes.Buffer) error { return WriteTable(b, twoRoles, now, verdicts) },
	}
	for name, write := range outputs {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if leaks := words.Leaks(b.String(), name == "csv"); leaks != nil {
			t.Errorf("%s lets %q through:\n%q", name, leaks, b.String())
		}
	}
}

// After Microsoft kept throttling, a verdict's reason says Onboard365 stopped and what to do,
// not that "the app waits" (issue 15); a dropped HTTP/2 stream is named, not quoted.
func TestPlainReasonAfterThrottlingAndADroppedStream(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			panic(http.ErrAbortHandler) // resets the HTTP/2 stream
		}
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":{"code":"TooManyRequests","message":"Too many requests"}}`))
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	c := graph.New(srv.URL, srv.Client(), staticToken{}, graph.Options{MaxRetries: 2,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})

	throttled := plainReason(c.Do(context.Background(), "GET", "/v1.0/me/transitiveMemberOf", nil, nil))
	if strings.Contains(throttled, "do not need to do anything") || strings.Contains(throttled, "the app waits") ||
		!strings.Contains(throttled, "stopped") || !strings.Contains(throttled, "Wait a few minutes") {
		t.Errorf("after a 429 storm: %q", throttled)
	}
	dropped := plainReason(c.Do(context.Background(), "POST", "/v1.0/groups", map[string]any{}, nil))
	if strings.Contains(dropped, "stream ID") || strings.Contains(dropped, "INTERNAL_ERROR") || !strings.Contains(dropped, "Microsoft Graph") {
		t.Errorf("after a dropped HTTP/2 stream: %q", dropped)
	}
	if e := Explain(c.Do(context.Background(), "POST", "/v1.0/groups", map[string]any{}, nil)); strings.Contains(e, "stream ID") {
		t.Errorf("a fix's explanation after a dropped stream: %q", e)
	}
}
