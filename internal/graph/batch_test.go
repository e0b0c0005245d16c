package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

type batchIn struct {
	Requests []struct {
		ID      string            `json:"id"`
		Method  string            `json:"method"`
		URL     string            `json:"url"`
		Body    json.RawMessage   `json:"body"`
		Headers map[string]string `json:"headers"`
	} `json:"requests"`
}

// batchServer answers $batch calls; answer decides each item's answer. It
// answers items in reverse order, to check that they are mapped back by id.
type batchServer struct {
	t      *testing.T
	mu     sync.Mutex
	sizes  []int
	urls   [][]string
	answer func(url string, seen int) map[string]any // seen: how many times this URL was asked before
	seen   map[string]int
}

func (b *batchServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != "POST" || r.URL.Path != "/v1.0/$batch" {
		b.t.Errorf("got %s %s, want POST /v1.0/$batch", r.Method, r.URL.Path)
	}
	var in batchIn
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		b.t.Errorf("decode $batch body: %v", err)
	}
	if len(in.Requests) > 20 {
		b.t.Errorf("$batch with %d requests; Graph accepts at most 20", len(in.Requests))
	}
	b.mu.Lock()
	if b.seen == nil {
		b.seen = map[string]int{}
	}
	b.sizes = append(b.sizes, len(in.Requests))
	var urls []string
	var out []map[string]any
	for _, q := range in.Requests {
		urls = append(urls, q.URL)
		a := b.answer(q.URL, b.seen[q.URL])
		b.seen[q.URL]++
		a["id"] = q.ID
		out = append([]map[string]any{a}, out...)
	}
	b.urls = append(b.urls, urls)
	b.mu.Unlock()
	writeJSON(w, 200, map[string]any{"responses": out})
}

func TestBatchSplitsAndMapsBack(t *testing.T) {
	bs := &batchServer{t: t, answer: func(url string, _ int) map[string]any {
		return map[string]any{"status": 200, "headers": map[string]string{"Content-Type": "application/json"}, "body": map[string]any{"url": url}}
	}}
	c, _, _ := newServer(t, bs, Options{})
	var reqs []BatchRequest
	for i := range 45 {
		reqs = append(reqs, BatchRequest{ID: fmt.Sprintf("customer-%d", i), Method: "GET", URL: fmt.Sprintf("/tenantRelationships/delegatedAdminRelationships/r%d", i)})
	}
	got, err := c.Batch(context.Background(), "v1.0", reqs)
	if err != nil {
		t.Fatal(err)
	}
	sizes := slices.Clone(bs.sizes)
	slices.Sort(sizes)
	if fmt.Sprint(sizes) != "[5 20 20]" {
		t.Fatalf("$batch sizes = %v, want 20, 20 and 5", bs.sizes)
	}
	if len(got) != 45 {
		t.Fatalf("%d responses, want 45", len(got))
	}
	for i, r := range got {
		var body struct{ URL string }
		if err := json.Unmarshal(r.Body, &body); err != nil {
			t.Fatal(err)
		}
		if r.ID != reqs[i].ID || r.Status != 200 || body.URL != reqs[i].URL || r.Err != nil || r.Headers["Content-Type"] != "application/json" {
			t.Fatalf("response %d = %+v (body url %q), want the answer to %+v", i, r, body.URL, reqs[i])
		}
	}
}

func TestBatchSendsBodiesWithContentType(t *testing.T) {
	var got batchIn
	c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewDecoder(r.Body).Decode(&got)
		writeJSON(w, 200, map[string]any{"responses": []any{
			map[string]any{"id": "0", "status": 201},
			map[string]any{"id": "1", "status": 204},
		}})
	}), Options{})
	_, err := c.Batch(context.Background(), "beta", []BatchRequest{
		{Method: "POST", URL: "users/u1/authentication/signInPreferences", Body: map[string]string{"userPreferredMethodForSecondaryAuthentication": "push"}},
		{Method: "PATCH", URL: "/x", Headers: map[string]string{"If-Match": "etag"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	q := got.Requests
	if len(q) != 2 || q[0].URL != "/users/u1/authentication/signInPreferences" || q[0].Headers["Content-Type"] != "application/json" ||
		string(q[0].Body) != `{"userPreferredMethodForSecondaryAuthentication":"push"}` || q[1].Headers["If-Match"] != "etag" || q[1].Body != nil {
		t.Fatalf("$batch requests = %+v", q)
	}
}

func TestBatchRetriesThrottledItemsInALaterBatch(t *testing.T) {
	bs := &batchServer{t: t, answer: func(url string, seen int) map[string]any {
		switch {
		case url == "/throttled" && seen == 0:
			return map[string]any{"status": 429, "headers": map[string]string{"retry-after": "3"}, "body": graphError("TooManyRequests", "slow down")}
		case url == "/busy" && seen == 0:
			return map[string]any{"status": 503, "headers": map[string]string{"Retry-After": "1"}}
		}
		return map[string]any{"status": 200, "body": map[string]any{"ok": url}}
	}}
	c, _, s := newServer(t, bs, Options{})
	got, err := c.Batch(context.Background(), "v1.0", []BatchRequest{
		{ID: "a", Method: "GET", URL: "/fine"},
		{ID: "b", Method: "GET", URL: "/throttled"},
		{ID: "c", Method: "GET", URL: "/busy"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(bs.sizes) != "[3 2]" || fmt.Sprint(bs.urls[1]) != "[/throttled /busy]" {
		t.Fatalf("$batch calls = %v %v, want a second call with the two throttled items", bs.sizes, bs.urls)
	}
	if w := s.got(); len(w) != 1 || w[0] != 3*time.Second {
		t.Fatalf("waits = %v, want one wait of 3s (the longest Retry-After)", w)
	}
	for i, id := range []string{"a", "b", "c"} {
		if got[i].ID != id || got[i].Status != 200 || got[i].Err != nil {
			t.Fatalf("response %d = %+v", i, got[i])
		}
	}
}

func TestBatchItemGivesUpAfterMaxRetries(t *testing.T) {
	bs := &batchServer{t: t, answer: func(string, int) map[string]any {
		return map[string]any{"status": 429, "body": graphError("TooManyRequests", "slow down")}
	}}
	c, _, s := newServer(t, bs, Options{MaxRetries: 2})
	got, err := c.Batch(context.Background(), "v1.0", []BatchRequest{{ID: "x", Method: "GET", URL: "/users"}})
	if err != nil {
		t.Fatal(err)
	}
	var e *Error
	if len(bs.sizes) != 3 || len(s.got()) != 2 || !errors.As(got[0].Err, &e) || e.Status != 429 || e.Code != "TooManyRequests" {
		t.Fatalf("%d calls, waits %v, response %+v", len(bs.sizes), s.got(), got[0])
	}
}

func TestBatchItemError(t *testing.T) {
	bs := &batchServer{t: t, answer: func(url string, _ int) map[string]any {
		if url == "/users/missing" {
			return map[string]any{"status": 404, "headers": map[string]string{"Content-Type": "application/json"}, "body": graphError("Request_ResourceNotFound", "Resource 'missing' does not exist")}
		}
		return map[string]any{"status": 200, "body": map[string]any{}}
	}}
	c, _, _ := newServer(t, bs, Options{})
	got, err := c.Batch(context.Background(), "v1.0", []BatchRequest{
		{ID: "ok", Method: "GET", URL: "/users/present"},
		{ID: "gone", Method: "GET", URL: "/users/missing"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Err != nil {
		t.Fatalf("response 0 has error %v", got[0].Err)
	}
	var e *Error
	if !errors.As(got[1].Err, &e) {
		t.Fatalf("response 1 Err = %v, want *Error", got[1].Err)
	}
	want := Error{Method: "GET", Path: "/v1.0/users/missing", Status: 404, Code: "Request_ResourceNotFound",
		Message: "Resource 'missing' does not exist", RequestID: "11111111-2222-3333-4444-555555555555", Date: "2026-05-01T12:00:00"}
	if *e != want {
		t.Fatalf("item error = %+v\nwant         %+v", *e, want)
	}
	if x := e.Explanation(); !x.Known || x.Code != "Request_ResourceNotFound" {
		t.Fatalf("Explanation = %+v", x)
	}
}

func TestBatchMalformedAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		body string
	}{
		{"not JSON", `<html>`},
		{"truncated", `{"responses":[{"id":"0","status":200}`},
		{"no responses", `{"value":[]}`},
		{"responses null", `{"responses":null}`},
		{"missing id", `{"responses":[{"status":200},{"id":"1","status":200}]}`},
		{"unknown id", `{"responses":[{"id":"0","status":200},{"id":"7","status":200}]}`},
		{"duplicate id", `{"responses":[{"id":"0","status":200},{"id":"0","status":200}]}`},
		{"fewer responses", `{"responses":[{"id":"1","status":200}]}`},
		{"no status", `{"responses":[{"id":"0"},{"id":"1","status":200}]}`},
		{"status out of range", `{"responses":[{"id":"0","status":9999},{"id":"1","status":200}]}`},
		{"id a number", `{"responses":[{"id":0,"status":200},{"id":"1","status":200}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(200)
				_, _ = io.WriteString(w, tc.body)
			}), Options{})
			got, err := c.Batch(context.Background(), "v1.0", []BatchRequest{{Method: "GET", URL: "/a"}, {Method: "GET", URL: "/b"}})
			var de *DecodeError
			if !errors.As(err, &de) || got != nil {
				t.Fatalf("got %v, err = %v; want a *DecodeError", got, err)
			}
			if !strings.Contains(err.Error(), "POST /v1.0/$batch") {
				t.Errorf("Error() = %q does not name the request", err)
			}
		})
	}
}

func TestBatchOuterErrors(t *testing.T) {
	var n atomic.Int32
	c, _, s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "4")
			w.WriteHeader(429)
			return
		}
		writeJSON(w, 400, graphError("BadRequest", "Invalid batch payload"))
	}), Options{})
	_, err := c.Batch(context.Background(), "v1.0", []BatchRequest{{Method: "GET", URL: "/a"}})
	var e *Error
	if !errors.As(err, &e) || e.Status != 400 || e.Code != "BadRequest" || n.Load() != 2 {
		t.Fatalf("err = %v after %d calls", err, n.Load())
	}
	if w := s.got(); len(w) != 1 || w[0] != 4*time.Second {
		t.Fatalf("waits = %v, want [4s]", w)
	}
}

func TestBatchRefusesBadInput(t *testing.T) {
	c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("request sent") }), Options{})
	for _, tc := range []struct {
		version string
		req     BatchRequest
	}{
		{"", BatchRequest{Method: "GET", URL: "/a"}},
		{"v1.0/../x", BatchRequest{Method: "GET", URL: "/a"}},
		{"v1.0", BatchRequest{Method: "", URL: "/a"}},
		{"v1.0", BatchRequest{Method: "GET", URL: ""}},
		{"v1.0", BatchRequest{Method: "GET", URL: "https://evil.example/a"}},
		{"v1.0", BatchRequest{Method: "POST", URL: "/a", Body: make(chan int)}},
	} {
		if _, err := c.Batch(context.Background(), tc.version, []BatchRequest{tc.req}); err == nil {
			t.Errorf("Batch(%q, %+v) = nil error", tc.version, tc.req)
		}
	}
	if got, err := c.Batch(context.Background(), "v1.0", nil); got != nil || err != nil {
		t.Errorf("empty Batch = %v, %v", got, err)
	}
}
