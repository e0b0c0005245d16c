package rest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/explain"
)

const testToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ0ZXN0In0.c2VjcmV0LXNpZ25hdHVyZQ"

type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }

type statusError struct{ status int }

func (e statusError) Error() string { return "answered " + http.StatusText(e.status) }

func newClient(t *testing.T, h http.HandlerFunc, opts Options) *Client {
	t.Helper()
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	if opts.Sleep == nil {
		opts.Sleep = func(ctx context.Context, _ time.Duration) error { return ctx.Err() }
	}
	c, err := New(Config{Service: "Test Service", BaseURL: srv.URL, HTTP: srv.Client(), Tokens: staticToken(testToken), Options: opts,
		ErrorOf: func(_ Request, a Answer) error { return statusError{a.Status} }})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func get(c *Client, method string, idempotent bool) (Answer, error) {
	return c.Send(context.Background(), Request{Method: method, URL: c.Base().String() + "/x", Path: "/x", Idempotent: idempotent})
}

// A read whose answer was cut off (the sandbox's --malformed-rate) or whose connection dropped
// (--drop-rate) is sent again; a change is not, and neither is an answer that is whole.
func TestReadsThatGotNoWholeAnswerAreSentAgain(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		idempotent bool
		first      func(w http.ResponseWriter)
		tries      int32
		wantErr    bool
	}{
		{"GET cut off", "GET", false, func(w http.ResponseWriter) { io.WriteString(w, `{"value":[{"id":"`) }, 2, false},
		{"GET dropped", "GET", false, func(http.ResponseWriter) { panic(http.ErrAbortHandler) }, 2, false},
		{"a batch of reads dropped", "POST", true, func(http.ResponseWriter) { panic(http.ErrAbortHandler) }, 2, false},
		{"POST dropped", "POST", false, func(http.ResponseWriter) { panic(http.ErrAbortHandler) }, 1, true},
		{"POST cut off", "POST", false, func(w http.ResponseWriter) { io.WriteString(w, `{"id":"`) }, 1, false},
		{"GET that is not JSON but whole", "GET", false, func(w http.ResponseWriter) { io.WriteString(w, ``) }, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n atomic.Int32
			c := newClient(t, func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					tt.first(w)
					return
				}
				io.WriteString(w, `{"value":[]}`)
			}, Options{})
			_, err := get(c, tt.method, tt.idempotent)
			if (err != nil) != tt.wantErr || n.Load() != tt.tries {
				t.Fatalf("err %v after %d tries; want error %v after %d", err, n.Load(), tt.wantErr, tt.tries)
			}
		})
	}
}

// When Microsoft keeps asking to wait, the error says the client gave up, and its explanation
// does not tell the person that the app waits.
func TestGaveUpSaysSo(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(429) }, Options{MaxRetries: 2})
	_, err := get(c, "GET", false)
	var g *GaveUpError
	var se statusError
	if !errors.As(err, &g) || g.Tries != 3 || g.Status != 429 || !errors.As(err, &se) || !strings.Contains(err.Error(), "gave up after 3 tries") {
		t.Fatalf("err = %v", err)
	}
	x := g.Explanation()
	if strings.Contains(x.String(), "do not need to do anything") || !strings.Contains(x.What, "Test Service") || !strings.Contains(x.Do, "Wait a few minutes") {
		t.Errorf("explanation %q", x.String())
	}
}

// A change whose connection broke is a *NetworkError naming the service, never the token.
func TestNetworkErrorNamesTheServiceNotTheToken(t *testing.T) {
	c := newClient(t, func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) }, Options{})
	_, err := get(c, "PATCH", false)
	var ne *NetworkError
	if !errors.As(err, &ne) || ne.Service != "Test Service" || ne.Tries != 1 || strings.Contains(err.Error(), testToken[:20]) {
		t.Fatalf("err = %v", err)
	}
	if x := ne.Explanation(); !strings.Contains(x.What, "The connection to Test Service broke") || x == (explain.Explanation{}) {
		t.Errorf("explanation %+v", x)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{BaseURL: "ftp://x", Tokens: staticToken("t")},
		{BaseURL: "https://x?y=1", Tokens: staticToken("t")},
		{BaseURL: "https://user@x", Tokens: staticToken("t")},
		{BaseURL: "https://x"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) = nil error", cfg)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	c, err := New(Config{BaseURL: "https://graph.microsoft.com", Tokens: staticToken("t")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		link string
		ok   bool
	}{
		{"https://graph.microsoft.com/v1.0/users?$skiptoken=abc", true},
		{"https://GRAPH.microsoft.com:443/v1.0/users", true},
		{"http://graph.microsoft.com/v1.0/users", false},
		{"https://graph.microsoft.com:8443/v1.0/users", false},
		{"https://graph.microsoft.com.evil.example/v1.0/users", false},
		{"https://evil.example/v1.0/users", false},
		{"https://user:pw@graph.microsoft.com/v1.0/users", false},
		{"/v1.0/users", false},
		{"//evil.example/v1.0/users", false},
		{"::not a url", false},
	} {
		if _, err := c.SameOrigin(tc.link); (err == nil) != tc.ok {
			t.Errorf("SameOrigin(%q) = %v, want ok %v", tc.link, err, tc.ok)
		}
	}
}
