package troubleshoot

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
	kit "github.com/onboard365/onboard365/internal/words"
)

// TestOutsideStringsAreCleanInEveryOutput: no escape sequence or direction change from a
// customer's or a policy's name reaches the terminal, the CSV, the HTML or the JSON, and no cell
// runs as a formula.
func TestOutsideStringsAreCleanInEveryOutput(t *testing.T) {
	d := sampleDiagnosis()
	d.Customers[0].Customer.Name = kit.Hostile
	d.Customers[0].Checks[0].Sentence = kit.Hostile + " refused your technician."
	d.Customers[0].Checks[1].Details = []string{"Policy " + kit.Hostile}
	d.Fixes[0].PolicyName, d.Fixes[0].Reason, d.Fixes[0].Customer.Name = kit.Hostile, "In "+kit.Hostile+", exclude them.", kit.Hostile
	outputs := map[string]func(*bytes.Buffer) error{
		"csv":   func(b *bytes.Buffer) error { return WriteCSV(b, d) },
		"html":  func(b *bytes.Buffer) error { return WriteHTML(b, d, d.Title()) },
		"json":  func(b *bytes.Buffer) error { return json.NewEncoder(b).Encode(NewReport(d)) },
		"table": func(b *bytes.Buffer) error { return WriteTable(b, d) },
	}
	for name, write := range outputs {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if leaks := kit.Leaks(b.String(), name == "csv"); leaks != nil {
			t.Errorf("%s lets %q through:\n%q", name, leaks, b.String())
		}
	}
}

// After Microsoft kept throttling, a check says that Onboard365 stopped and what to do, not that
// "the app waits" (issue 15).
func TestCheckSentenceAfterThrottling(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":{"code":"TooManyRequests","message":"Too many requests"}}`))
	}))
	defer srv.Close()
	c := graph.New(srv.URL, srv.Client(), staticToken("t"), graph.Options{MaxRetries: 2,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
	f := classify(c.Do(context.Background(), "GET", "/v1.0/identityProtection/riskyUsers", nil, nil))
	if strings.Contains(f.sentence, "do not need to do anything") || strings.Contains(f.sentence, "the app waits") ||
		!strings.Contains(f.sentence, "stopped") || f.status != http.StatusTooManyRequests {
		t.Errorf("after a 429 storm: %d %q", f.status, f.sentence)
	}
}

type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }
