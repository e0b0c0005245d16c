package graph

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestDo(t *testing.T) {
	type item struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	}
	for _, tc := range []struct {
		name       string
		method     string
		path       string
		in         any
		handler    http.HandlerFunc
		wantOut    item
		wantStatus int
	}{
		{
			name: "GET decodes the body", method: "GET", path: "/v1.0/tenantRelationships/delegatedAdminRelationships/abc",
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v1.0/tenantRelationships/delegatedAdminRelationships/abc" {
					t.Errorf("path = %q", r.URL.Path)
				}
				if got := r.Header.Get("Content-Type"); got != "" {
					t.Errorf("GET sent Content-Type %q", got)
				}
				writeJSON(w, 200, map[string]any{"id": "abc", "displayName": "Contoso", "extra": 1})
			},
			wantOut: item{ID: "abc", DisplayName: "Contoso"}, wantStatus: 200,
		},
		{
			name: "POST sends JSON", method: "POST", path: "/v1.0/tenantRelationships/delegatedAdminRelationships",
			in: item{DisplayName: "New"},
			handler: func(w http.ResponseWriter, r *http.Request) {
				if got := r.Header.Get("Content-Type"); got != "application/json" {
					t.Errorf("Content-Type = %q", got)
				}
				var in item
				if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.DisplayName != "New" {
					t.Errorf("body = %+v, %v", in, err)
				}
				writeJSON(w, 201, map[string]any{"id": "new", "displayName": in.DisplayName})
			},
			wantOut: item{ID: "new", DisplayName: "New"}, wantStatus: 201,
		},
		{
			name: "204 leaves out alone", method: "DELETE", path: "/v1.0/x/1",
			handler:    func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) },
			wantStatus: 204,
		},
		{
			name: "query is kept", method: "GET", path: "/beta/users?" + url.Values{"$filter": {"userType eq 'Member'"}}.Encode(),
			handler: func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/beta/users" || r.URL.Query().Get("$filter") != "userType eq 'Member'" {
					t.Errorf("URL = %v", r.URL)
				}
				writeJSON(w, 200, map[string]any{"id": "q"})
			},
			wantOut: item{ID: "q"}, wantStatus: 200,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
					t.Errorf("Authorization = %q", got)
				}
				if got := r.Header.Get("Accept"); got != "application/json" {
					t.Errorf("Accept = %q", got)
				}
				if got := r.Header.Get("ConsistencyLevel"); got != "" {
					t.Errorf("ConsistencyLevel sent without being asked: %q", got)
				}
				if r.Method != tc.method {
					t.Errorf("method = %s, want %s", r.Method, tc.method)
				}
				tc.handler(w, r)
			}), Options{})
			var out item
			resp, err := c.DoWithHeaders(context.Background(), tc.method, tc.path, nil, tc.in, &out)
			if err != nil {
				t.Fatalf("Do: %v", err)
			}
			if out != tc.wantOut || resp.Status != tc.wantStatus {
				t.Fatalf("got %+v status %d, want %+v status %d", out, resp.Status, tc.wantOut, tc.wantStatus)
			}
		})
	}
}

func TestDoWithHeadersIfMatchAndLocation(t *testing.T) {
	c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "PATCH" || r.Header.Get("If-Match") != `W/"JyI0NDAwMDAwMCI="` {
			t.Errorf("got %s If-Match %q", r.Method, r.Header.Get("If-Match"))
		}
		if r.Header.Get("Authorization") != "Bearer "+testToken {
			t.Errorf("a caller header replaced Authorization")
		}
		w.Header().Set("Location", "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/r/operations/o")
		w.WriteHeader(http.StatusAccepted)
	}), Options{})
	h := http.Header{"If-Match": {`W/"JyI0NDAwMDAwMCI="`}, "Authorization": {"Bearer other"}}
	resp, err := c.DoWithHeaders(context.Background(), "PATCH", "/v1.0/tenantRelationships/delegatedAdminRelationships/r/accessAssignments/a", h, map[string]any{"accessDetails": map[string]any{}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 202 || !strings.HasSuffix(resp.Header.Get("Location"), "/operations/o") {
		t.Fatalf("got %d %q", resp.Status, resp.Header.Get("Location"))
	}
}

func TestEventual(t *testing.T) {
	var got []string
	c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("ConsistencyLevel"))
		writeJSON(w, 200, map[string]any{"value": []any{}})
	}), Options{})
	if err := c.Eventual().Do(context.Background(), "GET", "/v1.0/users/$count", nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := List[json.RawMessage](context.Background(), c.Eventual(), "/v1.0/users"); err != nil {
		t.Fatal(err)
	}
	if err := c.Do(context.Background(), "GET", "/v1.0/users", nil, nil); err != nil {
		t.Fatal(err)
	}
	if want := []string{"eventual", "eventual", ""}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("ConsistencyLevel per request = %q, want %q", got, want)
	}
}

func TestDoRefusesBadInput(t *testing.T) {
	var hits atomic.Int32
	c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }), Options{})
	for _, tc := range []struct{ method, path string }{
		{"GET", "v1.0/users"},
		{"GET", "//evil.example.com/v1.0/users"},
		{"", "/v1.0/users"},
		{"GET X", "/v1.0/users"},
		{"GET", "/v1.0/users/%zz"},
	} {
		if err := c.Do(context.Background(), tc.method, tc.path, nil, nil); err == nil {
			t.Errorf("Do(%q, %q) = nil, want an error", tc.method, tc.path)
		}
	}
	if err := c.Do(context.Background(), "POST", "/v1.0/x", func() {}, nil); err == nil {
		t.Errorf("Do with an unencodable body = nil, want an error")
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("%d requests reached the server", n)
	}
}

func TestDoUndecodableBody(t *testing.T) {
	c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(200)
		_, _ = io.WriteString(w, `{"id": "abc", "displayName": "Cont`)
	}), Options{})
	var out struct{ ID string }
	err := c.Do(context.Background(), "GET", "/v1.0/applications/abc", nil, &out)
	var de *DecodeError
	if !errors.As(err, &de) || de.Path != "/v1.0/applications/abc" || de.Method != "GET" {
		t.Fatalf("err = %v, want a *DecodeError naming GET /v1.0/applications/abc", err)
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name       string
		status     int
		retryAfter func() string
		min, max   time.Duration
	}{
		{"429 seconds", 429, func() string { return "7" }, 7 * time.Second, 7 * time.Second},
		{"503 seconds", 503, func() string { return "2" }, 2 * time.Second, 2 * time.Second},
		{"504 no header: backoff", 504, func() string { return "" }, 500 * time.Millisecond, time.Second},
		{"429 HTTP date", 429, func() string { return time.Now().Add(20 * time.Second).UTC().Format(http.TimeFormat) }, 18 * time.Second, 20 * time.Second},
		{"429 longer than MaxBackoff", 429, func() string { return "600" }, 30 * time.Second, 30 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			c, _, s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					if v := tc.retryAfter(); v != "" {
						w.Header().Set("Retry-After", v)
					}
					writeJSON(w, tc.status, graphError("activityLimitReached", "Too many requests"))
					return
				}
				writeJSON(w, 200, map[string]any{"id": "ok"})
			}), Options{})
			var out struct {
				ID string `json:"id"`
			}
			if err := c.Do(context.Background(), "GET", "/v1.0/organization", nil, &out); err != nil {
				t.Fatal(err)
			}
			waits := s.got()
			if out.ID != "ok" || n.Load() != 2 || len(waits) != 1 {
				t.Fatalf("out %+v, %d requests, waits %v", out, n.Load(), waits)
			}
			if waits[0] < tc.min || waits[0] > tc.max {
				t.Fatalf("waited %v, want within [%v, %v]", waits[0], tc.min, tc.max)
			}
		})
	}
}

func TestGivesUpAfterMaxRetries(t *testing.T) {
	var n atomic.Int32
	c, _, s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("request-id", "req-503")
		writeJSON(w, 503, map[string]any{"error": map[string]any{"code": "serviceNotAvailable", "message": "busy"}})
	}), Options{MaxRetries: 3})
	err := c.Do(context.Background(), "GET", "/v1.0/subscribedSkus", nil, nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *Error", err)
	}
	if e.Status != 503 || e.Code != "serviceNotAvailable" || e.RequestID != "req-503" || e.Path != "/v1.0/subscribedSkus" {
		t.Fatalf("error = %+v", e)
	}
	if n.Load() != 4 {
		t.Fatalf("%d requests, want 4 (1 + 3 retries)", n.Load())
	}
	waits := s.got()
	if len(waits) != 3 {
		t.Fatalf("waits = %v, want 3", waits)
	}
	for i, d := range waits {
		step := time.Second << i
		if d < step/2 || d > step {
			t.Errorf("wait %d = %v, want backoff within [%v, %v]", i, d, step/2, step)
		}
	}
	if !strings.Contains(err.Error(), "gave up after 4 tries") {
		t.Errorf("error %q does not say it gave up", err)
	}
}

func TestNeverRetriesOther4xx(t *testing.T) {
	for _, status := range []int{400, 401, 403, 404, 409, 412, 500, 502} {
		var n atomic.Int32
		c, _, s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.Header().Set("Retry-After", "1")
			writeJSON(w, status, graphError("x", "y"))
		}), Options{})
		err := c.Do(context.Background(), "GET", "/v1.0/x", nil, nil)
		var e *Error
		if !errors.As(err, &e) || e.Status != status {
			t.Errorf("status %d: err = %v", status, err)
		}
		if n.Load() != 1 || len(s.got()) != 0 {
			t.Errorf("status %d: %d requests and waits %v, want 1 request and no wait", status, n.Load(), s.got())
		}
	}
}

func TestNegativeMaxRetriesMeansNone(t *testing.T) {
	var n atomic.Int32
	c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(429)
	}), Options{MaxRetries: -1})
	if err := c.Do(context.Background(), "GET", "/v1.0/x", nil, nil); err == nil || n.Load() != 1 {
		t.Fatalf("err %v after %d requests, want an error after 1", err, n.Load())
	}
}

func TestError403Decoded(t *testing.T) {
	c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("request-id", "header-id-ignored-when-body-has-one")
		writeJSON(w, 403, graphError("Authorization_RequestDenied", "Insufficient privileges to complete the operation."))
	}), Options{})
	err := c.Do(context.Background(), "POST", "/v1.0/tenantRelationships/delegatedAdminRelationships", map[string]any{"displayName": "x"}, nil)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	want := Error{
		Method: "POST", Path: "/v1.0/tenantRelationships/delegatedAdminRelationships", Status: 403,
		Code: "Authorization_RequestDenied", Message: "Insufficient privileges to complete the operation.",
		RequestID: "11111111-2222-3333-4444-555555555555", Date: "2026-05-01T12:00:00",
	}
	if *e != want {
		t.Fatalf("error = %+v\nwant    %+v", *e, want)
	}
	if s := e.Error(); !strings.Contains(s, "403") || !strings.Contains(s, "Authorization_RequestDenied") ||
		!strings.Contains(s, "POST /v1.0/tenantRelationships/delegatedAdminRelationships") || strings.Contains(s, "Insufficient") {
		t.Errorf("Error() = %q", s)
	}
	x := e.Explanation()
	if !x.Known || x.Code != "Authorization_RequestDenied" {
		t.Fatalf("Explanation = %+v, want the known Authorization_RequestDenied entry", x)
	}
}

func TestErrorHeadersWhenBodyHasNone(t *testing.T) {
	c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("request-id", "aaaa-bbbb")
		w.Header().Set("Date", "Fri, 01 May 2026 12:00:00 GMT")
		w.WriteHeader(404)
	}), Options{})
	err := c.Do(context.Background(), "GET", "/v1.0/users/nobody", nil, nil)
	var e *Error
	if !errors.As(err, &e) || e.Status != 404 || e.Code != "" || e.RequestID != "aaaa-bbbb" || e.Date != "Fri, 01 May 2026 12:00:00 GMT" {
		t.Fatalf("err = %#v", err)
	}
	if x := e.Explanation(); !x.Known || x.Code != "HTTP 404" {
		t.Fatalf("Explanation = %+v, want the known HTTP 404 entry", x)
	}
}

func TestRedirectIsNotFollowed(t *testing.T) {
	var other atomic.Int32
	c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			other.Add(1)
			return
		}
		http.Redirect(w, r, "/graph/elsewhere", http.StatusFound)
	}), Options{})
	err := c.Do(context.Background(), "GET", "/v1.0/x", nil, nil)
	var e *Error
	if !errors.As(err, &e) || e.Status != 302 || other.Load() != 0 {
		t.Fatalf("err = %v, redirect target hit %d times", err, other.Load())
	}
}

func TestTransportErrors(t *testing.T) {
	for _, tc := range []struct {
		method    string
		wantRetry bool
	}{
		{"GET", true},
		{"POST", false},
		{"PATCH", false},
	} {
		t.Run(tc.method, func(t *testing.T) {
			var n atomic.Int32
			c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if n.Add(1) == 1 {
					panic(http.ErrAbortHandler) // drops the connection without an answer
				}
				writeJSON(w, 200, map[string]any{})
			}), Options{})
			err := c.Do(context.Background(), tc.method, "/v1.0/x", nil, nil)
			if tc.wantRetry && err != nil {
				t.Fatalf("GET after a dropped connection: %v", err)
			}
			if !tc.wantRetry {
				if err == nil {
					t.Fatalf("%s after a dropped connection succeeded; it must not be retried", tc.method)
				}
				if n.Load() != 1 {
					t.Fatalf("%s was sent %d times, want once", tc.method, n.Load())
				}
			}
		})
	}
}

func TestTokenSourceError(t *testing.T) {
	var n atomic.Int32
	srv := startServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	c := New(srv.URL+"/graph", srv.Client(), failingToken{}, Options{})
	err := c.Do(context.Background(), "GET", "/v1.0/me", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "no account is signed in") || !strings.Contains(err.Error(), "GET /v1.0/me") {
		t.Fatalf("err = %v", err)
	}
	if n.Load() != 0 {
		t.Fatalf("a request was sent without a token")
	}
}

func TestCancelStopsWaitsPromptly(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		if strings.HasSuffix(r.URL.Path, "$batch") {
			var body struct {
				Requests []struct {
					ID string `json:"id"`
				} `json:"requests"`
			}
			_ = json.NewDecoder(r.Body).Decode(&body)
			var rs []any
			for _, q := range body.Requests {
				rs = append(rs, map[string]any{"id": q.ID, "status": 429, "headers": map[string]string{"Retry-After": "30"}})
			}
			writeJSON(w, 200, map[string]any{"responses": rs})
			return
		}
		w.WriteHeader(429)
	})
	for _, tc := range []struct {
		name string
		run  func(ctx context.Context, c *Client) error
	}{
		{"Do", func(ctx context.Context, c *Client) error { return c.Do(ctx, "GET", "/v1.0/x", nil, nil) }},
		{"List", func(ctx context.Context, c *Client) error {
			_, err := List[json.RawMessage](ctx, c, "/v1.0/x")
			return err
		}},
		{"Batch", func(ctx context.Context, c *Client) error {
			_, err := c.Batch(ctx, "v1.0", []BatchRequest{{Method: "GET", URL: "/x"}})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := startServer(t, h)
			c := New(srv.URL+"/graph", srv.Client(), staticToken(testToken), Options{MaxBackoff: time.Minute}) // real waits
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			err := tc.run(ctx, c)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("returned after %v; the wait did not stop when the context was cancelled", d)
			}
		})
	}
}

func TestNewPanicsOnProgrammerErrors(t *testing.T) {
	for _, tc := range []struct {
		base   string
		tokens TokenSource
	}{
		{"graph.microsoft.com", staticToken("t")},
		{"ftp://graph.microsoft.com", staticToken("t")},
		{"https://graph.microsoft.com?x=1", staticToken("t")},
		{"https://graph.microsoft.com", nil},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("New(%q, %v) did not panic", tc.base, tc.tokens)
				}
			}()
			New(tc.base, nil, tc.tokens, Options{})
		}()
	}
}
