package authmethods

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
	"github.com/onboard365/onboard365/internal/words"
)

// A user's name from the tenant reaches neither the terminal's table, nor the JSON, nor the
// printed instructions with an escape sequence or a direction change.
func TestOutsideStringsAreClean(t *testing.T) {
	f := Classify(Registration{ID: "u1", UserDisplayName: words.Hostile, UserPrincipalName: "pat@" + words.Hostile, Preferred: "sms",
		MethodsRegistered: []string{"mobilePhone", "microsoftAuthenticatorPush"}}, Access{})
	r := NewReport(words.Hostile, time.Date(2026, 5, 4, 9, 30, 0, 0, time.UTC), Check{})
	r.AddUsers([]Finding{f}, []string{"Nobody signs in as " + words.Hostile})
	r = words.Cleaned(r) // as the application layer hands it out
	outputs := map[string]func(*bytes.Buffer) error{
		"table": func(b *bytes.Buffer) error { return WriteTable(b, r) },
		"json":  func(b *bytes.Buffer) error { return json.NewEncoder(b).Encode(r) },
		"instructions": func(b *bytes.Buffer) error {
			return WriteInstructions(b, words.Hostile, NeedInstructions([]Finding{f}))
		},
	}
	for name, write := range outputs {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if leaks := words.Leaks(b.String(), false); leaks != nil {
			t.Errorf("%s lets %q through:\n%q", name, leaks, b.String())
		}
	}
}

// A change whose HTTP/2 stream was dropped says so in plain words, naming Microsoft Graph: not
// "stream ID 43; INTERNAL_ERROR" (issue 15).
func TestDescribeADroppedStream(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	c := graph.New(srv.URL, srv.Client(), token{}, graph.Options{})
	err := c.Do(context.Background(), "PATCH", "/beta/users/u1/authentication/signInPreferences", map[string]any{}, nil)
	got := Describe(err)
	if err == nil || strings.Contains(got, "stream ID") || strings.Contains(got, "INTERNAL_ERROR") || !strings.Contains(got, "Microsoft Graph") {
		t.Errorf("Describe(%v) = %q", err, got)
	}
}

type token struct{}

func (token) Token(context.Context) (string, error) { return "t", nil }
