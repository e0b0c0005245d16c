package graph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

type relationship struct {
	ID       string `json:"id"`
	Status   string `json:"status"`
	Customer struct {
		TenantID string `json:"tenantId"`
	} `json:"customer"`
}

// pagedHandler serves 3 pages of relationships; page i links to page i+1
// with an absolute @odata.nextLink, as Graph does.
func pagedHandler(t *testing.T, base func() string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1.0/tenantRelationships/delegatedAdminRelationships" {
			t.Errorf("path = %q", r.URL.Path)
		}
		pages := map[string][]string{"": {"r1", "r2", "r3"}, "p2": {"r4", "r5"}, "p3": {"r6"}}
		next := map[string]string{"": "p2", "p2": "p3"}
		tok := r.URL.Query().Get("$skiptoken")
		var value []map[string]any
		for _, id := range pages[tok] {
			value = append(value, map[string]any{"id": id, "status": "active", "customer": map[string]any{"tenantId": "t-" + id}})
		}
		body := map[string]any{
			"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/delegatedAdminRelationships",
			"value":          value,
		}
		if n := next[tok]; n != "" {
			body["@odata.nextLink"] = base() + "/v1.0/tenantRelationships/delegatedAdminRelationships?$skiptoken=" + n
		}
		writeJSON(w, 200, body)
	})
}

func TestListFollowsThreePages(t *testing.T) {
	var base string
	c, srv, _ := newServer(t, pagedHandler(t, func() string { return base }), Options{})
	base = srv.URL + "/graph"

	got, err := List[relationship](context.Background(), c, "/v1.0/tenantRelationships/delegatedAdminRelationships")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID+"/"+r.Customer.TenantID)
	}
	if want := "r1/t-r1 r2/t-r2 r3/t-r3 r4/t-r4 r5/t-r5 r6/t-r6"; strings.Join(ids, " ") != want {
		t.Fatalf("items = %v, want %s", ids, want)
	}

	var sizes []int
	for page, err := range Pages[relationship](context.Background(), c, "/v1.0/tenantRelationships/delegatedAdminRelationships") {
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(page))
	}
	if fmt.Sprint(sizes) != "[3 2 1]" {
		t.Fatalf("page sizes = %v, want [3 2 1]", sizes)
	}
}

func TestPagesStopsEarly(t *testing.T) {
	var base string
	var n atomic.Int32
	h := pagedHandler(t, func() string { return base })
	c, srv, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); h.ServeHTTP(w, r) }), Options{})
	base = srv.URL + "/graph"
	for range Pages[relationship](context.Background(), c, "/v1.0/tenantRelationships/delegatedAdminRelationships") {
		break
	}
	if n.Load() != 1 {
		t.Fatalf("%d pages fetched after the caller stopped at the first", n.Load())
	}
}

func TestListRefusesBadPages(t *testing.T) {
	const path = "/v1.0/users"
	for _, tc := range []struct {
		name     string
		page2    func(base string) string // body of page 2
		nextHost string                   // if set, page 1 links to this base instead
		wantPage int
		wantIs   error
	}{
		{name: "next link to another host", nextHost: "https://evil.example.com", wantPage: 1, wantIs: ErrOtherHost},
		{name: "next link over plain http", nextHost: "http://", wantPage: 1, wantIs: ErrOtherHost},
		{name: "truncated page", page2: func(string) string { return `{"value":[{"id":"u3"},{"id":"u4"` }, wantPage: 2},
		{name: "not JSON", page2: func(string) string { return `<html>gateway error</html>` }, wantPage: 2},
		{name: "empty body", page2: func(string) string { return `` }, wantPage: 2},
		{name: "no value", page2: func(string) string { return `{"@odata.context":"x"}` }, wantPage: 2},
		{name: "value null", page2: func(string) string { return `{"value":null}` }, wantPage: 2},
		{name: "value not an array", page2: func(string) string { return `{"value":{"id":"u3"}}` }, wantPage: 2},
		{name: "item of the wrong shape", page2: func(string) string { return `{"value":[{"id":3}]}` }, wantPage: 2},
		{name: "trailing garbage", page2: func(string) string { return `{"value":[]} {"value":[]}` }, wantPage: 2},
		{name: "nextLink not a string", page2: func(string) string { return `{"value":[],"@odata.nextLink":7}` }, wantPage: 2},
		{name: "loop back to page 1", page2: func(base string) string {
			return `{"value":[{"id":"u3"}],"@odata.nextLink":"` + base + path + `"}`
		}, wantPage: 2},
		{name: "loop to itself", page2: func(base string) string {
			return `{"value":[{"id":"u3"}],"@odata.nextLink":"` + base + path + `?$skiptoken=2"}`
		}, wantPage: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var base string
			c, srv, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Query().Get("$skiptoken") == "2" {
					w.WriteHeader(200)
					_, _ = io.WriteString(w, tc.page2(base))
					return
				}
				next := base
				if tc.nextHost == "http://" {
					next = "http://" + strings.TrimPrefix(base, "https://")
				} else if tc.nextHost != "" {
					next = tc.nextHost
				}
				writeJSON(w, 200, map[string]any{"value": []any{map[string]any{"id": "u1"}, map[string]any{"id": "u2"}}, "@odata.nextLink": next + path + "?$skiptoken=2"})
			}), Options{})
			base = srv.URL + "/graph"

			got, err := List[struct {
				ID string `json:"id"`
			}](context.Background(), c, path)
			if got != nil {
				t.Errorf("List returned %d items with an error; want none", len(got))
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DecodeError", err)
			}
			if de.Page != tc.wantPage || de.Method != "GET" || de.Path != path {
				t.Errorf("error names %s %s page %d, want GET %s page %d", de.Method, de.Path, de.Page, path, tc.wantPage)
			}
			if tc.wantIs != nil && !errors.Is(err, tc.wantIs) {
				t.Errorf("err = %v, want it to wrap %v", err, tc.wantIs)
			}
			if s := err.Error(); !strings.Contains(s, path) || !strings.Contains(s, fmt.Sprintf("page %d", tc.wantPage)) {
				t.Errorf("Error() = %q does not name the request and page", s)
			}
		})
	}
}

func TestListErrorOnLaterPageNamesPage(t *testing.T) {
	var base string
	c, srv, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("$skiptoken") == "2" {
			writeJSON(w, 403, graphError("Authorization_RequestDenied", "no"))
			return
		}
		writeJSON(w, 200, map[string]any{"value": []any{}, "@odata.nextLink": base + "/v1.0/users?$skiptoken=2"})
	}), Options{})
	base = srv.URL + "/graph"
	_, err := List[map[string]any](context.Background(), c, "/v1.0/users")
	var e *Error
	if !errors.As(err, &e) || e.Status != 403 || e.Path != "/v1.0/users" || !strings.HasPrefix(err.Error(), "page 2: ") {
		t.Fatalf("err = %v", err)
	}
}

// A page whose answer was cut off is read again (issue 15: one cut-off page failed a whole
// troubleshoot run), and so is a $batch of reads whose connection dropped.
func TestCutOffReadsAreReadAgain(t *testing.T) {
	var pages, batches atomic.Int32
	c, _, _ := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "$batch") {
			if batches.Add(1) == 1 {
				panic(http.ErrAbortHandler)
			}
			writeJSON(w, 200, map[string]any{"responses": []any{map[string]any{"id": "0", "status": 200, "body": map[string]any{"id": "me"}}}})
			return
		}
		if pages.Add(1) == 1 {
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"@odata.context":"x","value":[{"id":"`)
			return
		}
		writeJSON(w, 200, map[string]any{"value": []any{map[string]any{"id": "u1"}}})
	}), Options{})
	users, err := List[struct {
		ID string `json:"id"`
	}](context.Background(), c, "/v1.0/users")
	if err != nil || len(users) != 1 || pages.Load() != 2 {
		t.Fatalf("List after a cut-off page: %v, %v (%d tries)", users, err, pages.Load())
	}
	rs, err := c.Batch(context.Background(), "v1.0", []BatchRequest{{Method: "GET", URL: "/me"}})
	if err != nil || len(rs) != 1 || rs[0].Status != 200 || batches.Load() != 2 {
		t.Fatalf("a $batch of reads after a dropped connection: %v, %v (%d tries)", rs, err, batches.Load())
	}
}
