package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestConcurrencyLimit runs pages, batches and single requests at once and
// checks that the server never sees more requests in flight than the limit.
func TestConcurrencyLimit(t *testing.T) {
	const limit = 3
	var inFlight, peak atomic.Int32
	var base string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
		switch {
		case strings.HasSuffix(r.URL.Path, "/$batch"):
			var in batchIn
			_ = json.NewDecoder(r.Body).Decode(&in)
			var rs []any
			for _, q := range in.Requests {
				rs = append(rs, map[string]any{"id": q.ID, "status": 200, "body": map[string]any{}})
			}
			writeJSON(w, 200, map[string]any{"responses": rs})
		case r.URL.Path == "/v1.0/users":
			page := 0
			_, _ = fmt.Sscan(r.URL.Query().Get("$skiptoken"), &page)
			body := map[string]any{"value": []any{map[string]any{"id": page}}}
			if page < 4 {
				body["@odata.nextLink"] = fmt.Sprintf("%s/v1.0/users?$skiptoken=%d", base, page+1)
			}
			writeJSON(w, 200, body)
		default:
			writeJSON(w, 200, map[string]any{})
		}
	})
	c, srv, _ := newServer(t, h, Options{MaxConcurrency: limit})
	base = srv.URL + "/graph"

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			items, err := List[map[string]any](context.Background(), c, "/v1.0/users")
			if err == nil && len(items) != 5 {
				err = fmt.Errorf("%d items, want 5", len(items))
			}
			errs <- err
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		var reqs []BatchRequest
		for i := range 100 {
			reqs = append(reqs, BatchRequest{Method: "GET", URL: fmt.Sprintf("/users/%d", i)})
		}
		_, err := c.Batch(context.Background(), "v1.0", reqs)
		errs <- err
	}()
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- c.Eventual().Do(context.Background(), "GET", fmt.Sprintf("/v1.0/groups/%d", i), nil, nil)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if p := peak.Load(); p > limit || p < 2 {
		t.Fatalf("peak requests in flight = %d, want between 2 and %d", p, limit)
	}
}

// TestTokenNeverInErrors makes the server fail in every way it can, echoing
// the token wherever it can, and checks that no error text contains it.
func TestTokenNeverInErrors(t *testing.T) {
	echo := func(r *http.Request) string { return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") }
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		run  func(c *Client) error
	}{
		{"401 echoing the token in every field", func(w http.ResponseWriter, r *http.Request) {
			tok := echo(r)
			w.Header().Set("request-id", tok)
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", token="`+tok+`"`)
			writeJSON(w, 401, map[string]any{"error": map[string]any{
				"code": tok, "message": "bad token " + tok,
				"innerError": map[string]any{"request-id": tok, "date": tok},
			}})
		}, func(c *Client) error { return c.Do(context.Background(), "GET", "/v1.0/me", nil, nil) }},
		{"503 until giving up", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 503, map[string]any{"error": map[string]any{"code": "x", "message": echo(r)}})
		}, func(c *Client) error { return c.Do(context.Background(), "GET", "/v1.0/me", nil, nil) }},
		{"undecodable body echoing the token", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"id": "`+echo(r))
		}, func(c *Client) error {
			var out map[string]any
			return c.Do(context.Background(), "GET", "/v1.0/me", nil, &out)
		}},
		{"wrong type echoing the token", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"value": echo(r)})
		}, func(c *Client) error {
			_, err := List[map[string]any](context.Background(), c, "/v1.0/users")
			return err
		}},
		{"next link elsewhere carrying the token", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"value": []any{}, "@odata.nextLink": "https://evil.example/v1.0/users?token=" + echo(r)})
		}, func(c *Client) error {
			_, err := List[map[string]any](context.Background(), c, "/v1.0/users")
			return err
		}},
		{"batch item echoing the token", func(w http.ResponseWriter, r *http.Request) {
			tok := echo(r)
			writeJSON(w, 200, map[string]any{"responses": []any{map[string]any{
				"id": "0", "status": 403, "headers": map[string]string{"request-id": tok},
				"body": map[string]any{"error": map[string]any{"code": tok, "message": tok}},
			}}})
		}, func(c *Client) error {
			rs, err := c.Batch(context.Background(), "v1.0", []BatchRequest{{Method: "GET", URL: "/me"}})
			if err != nil {
				return err
			}
			return rs[0].Err
		}},
		{"batch with an unknown id echoing the token", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"responses": []any{map[string]any{"id": echo(r), "status": 200}}})
		}, func(c *Client) error {
			_, err := c.Batch(context.Background(), "v1.0", []BatchRequest{{Method: "GET", URL: "/me"}})
			return err
		}},
		{"dropped connection", func(w http.ResponseWriter, r *http.Request) {
			panic(http.ErrAbortHandler)
		}, func(c *Client) error { return c.Do(context.Background(), "POST", "/v1.0/me", map[string]any{}, nil) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newServer(t, tc.h, Options{MaxRetries: 1})
			err := tc.run(c)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if strings.Contains(s, testToken) || strings.Contains(s, testToken[:40]) {
					t.Fatalf("error text contains the token: %s", s)
				}
			}
			var e *Error
			if errors.As(err, &e) {
				x := e.Explanation()
				if strings.Contains(x.String()+x.Code, testToken[:40]) {
					t.Fatalf("explanation contains the token: %+v", x)
				}
			}
		})
	}
}
