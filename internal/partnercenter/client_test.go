package partnercenter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testToken = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaS5wYXJ0bmVyY2VudGVyLm1pY3Jvc29mdC5jb20ifQ.c2VjcmV0LXNpZ25hdHVyZQ"

type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }

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

var guid = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// newServer serves h under /partnercenter, as the sandbox does, checks the
// headers every Partner Center request must carry, and returns a client.
func newServer(t *testing.T, h http.HandlerFunc, opts Options) (*Client, *httptest.Server, *sleeper) {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/partnercenter/", http.StripPrefix("/partnercenter", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "Bearer "+testToken {
			t.Errorf("Authorization = %q", got)
		}
		for k, want := range map[string]string{"Accept": "application/json", "X-Locale": "en-US"} {
			if got := r.Header.Get(k); got != want {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		for _, k := range []string{"MS-RequestId", "MS-CorrelationId"} {
			if !guid.MatchString(r.Header.Get(k)) {
				t.Errorf("%s = %q, want a random GUID", k, r.Header.Get(k))
			}
		}
		h(w, r)
	})))
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	s := &sleeper{}
	if opts.Sleep == nil {
		opts.Sleep = s.Sleep
	}
	return New(srv.URL+"/partnercenter", srv.Client(), staticToken(testToken), opts), srv, s
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// The organization profile as in Microsoft's "Get an organization profile" example.
const profileJSON = `{
    "id":"2a1b3c4d-0000-4000-8000-000000000001",
    "companyName":"TEST_TEST_BugBash1",
    "defaultAddress":{"country":"US","city":"Redmond","state":"WA","addressLine1":"Two Microsoft Way","addressLine2":"","postalCode":"98052","firstName":"Test","lastName":"Account","phoneNumber":""},
    "tenantId":"3f2d0000-0000-4000-8000-000000000002",
    "domain":"testtestbugbash1.onmicrosoft.com",
    "email":"test-partner@microsoft.com",
    "language":"es",
    "culture":"es-US",
    "profileType":"OrganizationProfile",
    "links":{"self":{"uri":"/profiles/organization","method":"GET","headers":[]}},
    "attributes":{"etag":"1","objectType":"OrganizationProfile"}
}`

func TestGetOrganizationProfile(t *testing.T) {
	c, _, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "GET" || r.URL.Path != "/v1/profiles/organization" {
			t.Errorf("got %s %s", r.Method, r.URL.Path)
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = io.WriteString(w, profileJSON)
	}, Options{})
	p, err := c.GetOrganizationProfile(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := OrganizationProfile{
		ID: "2a1b3c4d-0000-4000-8000-000000000001", CompanyName: "TEST_TEST_BugBash1",
		DefaultAddress: Address{Country: "US", City: "Redmond", State: "WA", AddressLine1: "Two Microsoft Way", PostalCode: "98052", FirstName: "Test", LastName: "Account"},
		TenantID:       "3f2d0000-0000-4000-8000-000000000002", Domain: "testtestbugbash1.onmicrosoft.com", Email: "test-partner@microsoft.com",
		Language: "es", Culture: "es-US", ProfileType: "OrganizationProfile",
	}
	if p != want {
		t.Fatalf("profile = %+v\nwant      %+v", p, want)
	}
}

func TestMalformedBodies(t *testing.T) {
	for _, tc := range []struct {
		name, body string
		call       func(c *Client) error
		wantPath   string
	}{
		{"profile not JSON", `<html>`, getProfile, "/v1/profiles/organization"},
		{"profile truncated", `{"id":"x","companyName":"Con`, getProfile, "/v1/profiles/organization"},
		{"profile empty", ``, getProfile, "/v1/profiles/organization"},
		{"profile null", `null`, getProfile, "/v1/profiles/organization"},
		{"profile an array", `[]`, getProfile, "/v1/profiles/organization"},
		{"profile wrong type", `{"companyName":7}`, getProfile, "/v1/profiles/organization"},
		{"customers not JSON", `<html>`, listCustomers, "/v1/customers"},
		{"customers truncated", `{"totalCount":2,"items":[{"id":"a"}`, listCustomers, "/v1/customers"},
		{"customers without items", `{"totalCount":0}`, listCustomers, "/v1/customers"},
		{"customers items null", `{"items":null}`, listCustomers, "/v1/customers"},
		{"customers items an object", `{"items":{}}`, listCustomers, "/v1/customers"},
		{"next link without uri", `{"items":[],"links":{"next":{"uri":"","method":"GET","headers":[]}}}`, listCustomers, "/v1/customers"},
		{"next link elsewhere", `{"items":[],"links":{"next":{"uri":"https://evil.example/v1/customers","method":"GET","headers":[]}}}`, listCustomers, "/v1/customers"},
		{"next link protocol-relative", `{"items":[],"links":{"next":{"uri":"//evil.example/v1/customers","method":"GET","headers":[]}}}`, listCustomers, "/v1/customers"},
		{"next link POST", `{"items":[],"links":{"next":{"uri":"customers?seekOperation=Next","method":"POST","headers":[]}}}`, listCustomers, "/v1/customers"},
		{"next link bad header", `{"items":[],"links":{"next":{"uri":"customers?seekOperation=Next","method":"GET","headers":[{"key":"MS-ContinuationToken","value":"a\r\nb"}]}}}`, listCustomers, "/v1/customers"},
		{"next link repeats the first page", `{"items":[],"links":{"next":{"uri":"/v1/customers?size=40","method":"GET","headers":[]}}}`, listCustomers, "/v1/customers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(200)
				_, _ = io.WriteString(w, tc.body)
			}, Options{})
			err := tc.call(c)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("err = %v, want a *DecodeError", err)
			}
			if de.Method != "GET" || de.Path != tc.wantPath || !strings.Contains(err.Error(), "GET "+tc.wantPath) {
				t.Fatalf("error %q names %s %s, want GET %s", err, de.Method, de.Path, tc.wantPath)
			}
		})
	}
}

func getProfile(c *Client) error {
	_, err := c.GetOrganizationProfile(context.Background())
	return err
}

func listCustomers(c *Client) error {
	got, err := c.ListCustomers(context.Background())
	if got != nil && err != nil {
		return fmt.Errorf("a short list came with the error: %w", err)
	}
	return err
}

func TestListCustomersFollowsContinuation(t *testing.T) {
	type call struct{ query, token string }
	var mu sync.Mutex
	var calls []call
	c, _, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "GET" || r.URL.Path != "/v1/customers" {
			t.Errorf("got %s %s", r.Method, r.URL.Path)
		}
		tok := r.Header.Get("MS-ContinuationToken")
		mu.Lock()
		calls = append(calls, call{r.URL.RawQuery, tok})
		mu.Unlock()
		page := map[string]struct {
			ids  []string
			next map[string]any
		}{
			"": {[]string{"c1", "c2"}, map[string]any{"uri": "customers?size=40&seekOperation=Next", "method": "GET",
				"headers": []any{map[string]any{"key": "MS-ContinuationToken", "value": "tok-2"}}}},
			"tok-2": {[]string{"c3", "c4"}, map[string]any{"uri": "/v1/customers?size=40&seekOperation=Next", "method": "GET",
				"headers": []any{map[string]any{"key": "MS-ContinuationToken", "value": "tok-3"}}}},
			"tok-3": {[]string{"c5"}, nil},
		}[tok]
		var items []any
		for _, id := range page.ids {
			items = append(items, map[string]any{
				"id":                    id,
				"companyProfile":        map[string]any{"tenantId": "tid-" + id, "domain": id + ".onmicrosoft.com", "companyName": "Company " + id, "attributes": map[string]any{"objectType": "CustomerCompanyProfile"}},
				"relationshipToPartner": "reseller",
				"attributes":            map[string]any{"objectType": "Customer"},
			})
		}
		links := map[string]any{"self": map[string]any{"uri": "/v1/customers?size=40", "method": "GET", "headers": []any{}}}
		if page.next != nil {
			links["next"] = page.next
		}
		writeJSON(w, 200, map[string]any{"totalCount": len(items), "items": items, "links": links, "attributes": map[string]any{"objectType": "Collection"}})
	}, Options{})

	got, err := c.ListCustomers(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, cu := range got {
		ids = append(ids, cu.ID)
		want := Customer{ID: cu.ID, RelationshipToPartner: "reseller", CompanyProfile: CompanyProfile{TenantID: "tid-" + cu.ID, Domain: cu.ID + ".onmicrosoft.com", CompanyName: "Company " + cu.ID}}
		if cu != want {
			t.Errorf("customer = %+v, want %+v", cu, want)
		}
	}
	if strings.Join(ids, ",") != "c1,c2,c3,c4,c5" {
		t.Fatalf("customers = %v", ids)
	}
	want := []call{{"size=40", ""}, {"size=40&seekOperation=Next", "tok-2"}, {"size=40&seekOperation=Next", "tok-3"}}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Fatalf("calls = %v, want %v", calls, want)
	}
}

func TestNextRequest(t *testing.T) {
	for _, tc := range []struct {
		uri, wantPath string
		ok            bool
	}{
		{"customers?seekOperation=Next", "/v1/customers?seekOperation=Next", true},
		{"/customers?seekOperation=Next", "/v1/customers?seekOperation=Next", true},
		{"/v1/customers?size=40&seekOperation=Next", "/v1/customers?size=40&seekOperation=Next", true},
		{"v1/customers", "/v1/customers", true},
		{"https://api.partnercenter.microsoft.com/v1/customers", "", false},
		{"//evil.example/customers", "", false},
		{"mailto:x@example.com", "", false},
		{"customers\\x", "", false},
		{"", "", false},
	} {
		r, err := nextRequest(link{URI: tc.uri, Method: "GET"})
		if (err == nil) != tc.ok || r.path != tc.wantPath {
			t.Errorf("nextRequest(%q) = %q, %v; want %q ok %v", tc.uri, r.path, err, tc.wantPath, tc.ok)
		}
	}
}

func TestCreateApplicationConsent(t *testing.T) {
	consent := ApplicationConsent{
		ApplicationID: "11111111-0000-4000-8000-000000000001",
		ApplicationGrants: []ApplicationGrant{
			{EnterpriseApplicationID: "00000003-0000-0000-c000-000000000000", Scope: "Directory.Read.All,User.Read.All"},
		},
	}
	for _, tc := range []struct {
		name    string
		status  int
		body    string
		wantErr bool
	}{
		{"created", 201, `{"applicationId":"11111111-0000-4000-8000-000000000001","applicationGrants":[{"enterpriseApplicationId":"00000003-0000-0000-c000-000000000000","scope":"Directory.Read.All,User.Read.All"}]}`, false},
		{"ok", 200, ``, false},
		{"already exists", 409, `{"code":"600061","description":"Permission entry already exists.","data":[],"source":"PartnerCenter"}`, false},
		{"forbidden", 403, `{"code":"Forbidden","description":"no role","source":"PartnerCenter"}`, true},
		{"bad request", 400, `{"code":"BadRequest","description":"bad scope","source":"PartnerCenter"}`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			c, _, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				if r.Method != "POST" || r.URL.Path != "/v1/customers/tid-1/applicationconsents" || r.Header.Get("Content-Type") != "application/json" {
					t.Errorf("got %s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
				}
				var got map[string]any
				if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
					t.Errorf("body: %v", err)
				}
				want := map[string]any{"applicationId": consent.ApplicationID, "applicationGrants": []any{
					map[string]any{"enterpriseApplicationId": "00000003-0000-0000-c000-000000000000", "scope": "Directory.Read.All,User.Read.All"},
				}}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("body = %v, want %v", got, want)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}, Options{})
			err := c.CreateApplicationConsent(context.Background(), "tid-1", consent)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			var e *Error
			if tc.wantErr && (!errors.As(err, &e) || e.Status != tc.status) {
				t.Fatalf("err = %v, want an *Error with status %d", err, tc.status)
			}
			if n.Load() != 1 {
				t.Fatalf("%d requests, want 1", n.Load())
			}
		})
	}
}

func TestCreateApplicationConsentChecksInput(t *testing.T) {
	c := New("https://api.partnercenter.microsoft.com", nil, staticToken("t"), Options{})
	ok := ApplicationGrant{EnterpriseApplicationID: "g", Scope: "s"}
	for _, tc := range []struct {
		tenant  string
		consent ApplicationConsent
	}{
		{"", ApplicationConsent{ApplicationID: "a", ApplicationGrants: []ApplicationGrant{ok}}},
		{"t", ApplicationConsent{ApplicationGrants: []ApplicationGrant{ok}}},
		{"t", ApplicationConsent{ApplicationID: "a"}},
		{"t", ApplicationConsent{ApplicationID: "a", ApplicationGrants: []ApplicationGrant{{EnterpriseApplicationID: "g"}}}},
	} {
		if err := c.CreateApplicationConsent(context.Background(), tc.tenant, tc.consent); err == nil {
			t.Errorf("CreateApplicationConsent(%q, %+v) = nil", tc.tenant, tc.consent)
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name          string
		status        int
		body          string
		header        map[string]string
		wantCode      string
		wantMFA       bool
		wantExplained string // Explanation().Code
		wantRequestID string // "" means: the id the client sent
	}{
		{"401 MFA, code a number", 401, `{"code":900421,"description":"MFA is required for this request.","data":[],"source":"PartnerCenter"}`, nil, "900421", true, "Partner Center 900421", ""},
		{"401 MFA, code a string", 401, `{"code":"900421","description":"Multi-factor authentication is required."}`, map[string]string{"MS-RequestId": "echoed-id"}, "900421", true, "Partner Center 900421", "echoed-id"},
		{"401 empty body", 401, ``, nil, "", false, "Partner Center 401", ""},
		{"401 other code", 401, `{"code":"Unauthorized","description":"token expired"}`, nil, "Unauthorized", false, "Partner Center 401", ""},
		{"403 empty body", 403, ``, nil, "", false, "Partner Center 403", ""},
		{"404 html", 404, `<html>not found</html>`, nil, "", false, "HTTP 404", ""},
		{"400 code", 400, `{"code":"600008","description":"bad","source":"PartnerCenter"}`, nil, "600008", false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sent string
			c, _, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				sent = r.Header.Get("MS-RequestId")
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}, Options{})
			_, err := c.GetOrganizationProfile(context.Background())
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v, want *Error", err)
			}
			wantID := tc.wantRequestID
			if wantID == "" {
				wantID = sent
			}
			if e.Status != tc.status || e.Code != tc.wantCode || e.MFARequired() != tc.wantMFA || e.RequestID != wantID ||
				e.Method != "GET" || e.Path != "/v1/profiles/organization" {
				t.Fatalf("error = %+v (MFARequired %v)", e, e.MFARequired())
			}
			if s := e.Error(); !strings.Contains(s, "GET /v1/profiles/organization") || !strings.Contains(s, fmt.Sprint(tc.status)) || (tc.wantCode != "" && !strings.Contains(s, tc.wantCode)) {
				t.Errorf("Error() = %q", s)
			}
			x := e.Explanation()
			if tc.wantExplained != "" && (x.Code != tc.wantExplained || !x.Known) {
				t.Errorf("Explanation = %+v, want the known %s entry", x, tc.wantExplained)
			}
			if x.What == "" || x.Do == "" {
				t.Errorf("Explanation = %+v has no words", x)
			}
		})
	}
}

func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name      string
		statuses  []int
		retryAs   string
		opts      Options
		wantErr   int // 0: success
		wantCalls int
		wantWaits []time.Duration
	}{
		{"429 then OK", []int{429, 200}, "3", Options{}, 0, 2, []time.Duration{3 * time.Second}},
		{"503, 504 then OK", []int{503, 504, 200}, "1", Options{}, 0, 3, []time.Duration{time.Second, time.Second}},
		{"503 until giving up", []int{503, 503, 503}, "2", Options{MaxRetries: 2}, 503, 3, []time.Duration{2 * time.Second, 2 * time.Second}},
		{"401 is not retried", []int{401}, "1", Options{}, 401, 1, nil},
		{"500 is not retried", []int{500}, "1", Options{}, 500, 1, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			var ids sync.Map
			c, _, s := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				ids.Store(r.Header.Get("MS-RequestId"), true)
				if st := tc.statuses[min(i, len(tc.statuses)-1)]; st != 200 {
					w.Header().Set("Retry-After", tc.retryAs)
					w.WriteHeader(st)
					return
				}
				_, _ = io.WriteString(w, profileJSON)
			}, tc.opts)
			_, err := c.GetOrganizationProfile(context.Background())
			var e *Error
			switch {
			case tc.wantErr == 0 && err != nil:
				t.Fatalf("err = %v", err)
			case tc.wantErr != 0 && (!errors.As(err, &e) || e.Status != tc.wantErr):
				t.Fatalf("err = %v, want *Error %d", err, tc.wantErr)
			}
			if int(n.Load()) != tc.wantCalls || fmt.Sprint(s.waits) != fmt.Sprint(tc.wantWaits) {
				t.Fatalf("%d calls, waits %v; want %d calls, waits %v", n.Load(), s.waits, tc.wantCalls, tc.wantWaits)
			}
			count := 0
			ids.Range(func(any, any) bool { count++; return true })
			if count != 1 {
				t.Fatalf("%d different MS-RequestId values across the tries of one call, want 1", count)
			}
		})
	}
}

func TestFreshIDsPerCall(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]bool{}
	c, _, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Header.Get("MS-RequestId")] = true
		seen[r.Header.Get("MS-CorrelationId")] = true
		mu.Unlock()
		_, _ = io.WriteString(w, profileJSON)
	}, Options{})
	for range 3 {
		if _, err := c.GetOrganizationProfile(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if len(seen) != 6 {
		t.Fatalf("%d distinct ids over 3 calls, want 6", len(seen))
	}
}

func TestCancelStopsWaits(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(429)
	})
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	c := New(srv.URL, srv.Client(), staticToken(testToken), Options{MaxBackoff: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.ListCustomers(ctx)
	if !errors.Is(err, context.Canceled) || time.Since(start) > 5*time.Second {
		t.Fatalf("err = %v after %v", err, time.Since(start))
	}
}

func TestTokenNeverInErrors(t *testing.T) {
	echo := func(r *http.Request) string { return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") }
	for _, tc := range []struct {
		name string
		h    http.HandlerFunc
		call func(c *Client) error
	}{
		{"401 echoing the token", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("MS-RequestId", echo(r))
			writeJSON(w, 401, map[string]any{"code": echo(r), "description": "bad token " + echo(r)})
		}, getProfile},
		{"undecodable body echoing the token", func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, `{"companyName":"`+echo(r))
		}, getProfile},
		{"next link to another host carrying the token", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"items": []any{}, "links": map[string]any{"next": map[string]any{"uri": "https://evil.example/?t=" + echo(r), "method": "GET"}}})
		}, listCustomers},
		{"next link with a method echoing the token", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 200, map[string]any{"items": []any{}, "links": map[string]any{"next": map[string]any{"uri": "customers", "method": echo(r)}}})
		}, listCustomers},
		{"503 until giving up", func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 503, map[string]any{"code": "x", "description": echo(r)})
		}, getProfile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _, _ := newServer(t, tc.h, Options{MaxRetries: 1})
			err := tc.call(c)
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				if strings.Contains(s, testToken[:40]) {
					t.Fatalf("error text contains the token: %s", s)
				}
			}
		})
	}
}

// A customer list whose answer was cut off is read again (issue 15), with the same request ids,
// as Partner Center asks of retries.
func TestCutOffListIsReadAgain(t *testing.T) {
	var n atomic.Int32
	var ids []string
	c, _, _ := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		ids = append(ids, r.Header.Get("MS-RequestId"))
		if n.Add(1) == 1 {
			w.WriteHeader(200)
			_, _ = io.WriteString(w, `{"totalCount":1,"items":[{"id":"`)
			return
		}
		writeJSON(w, 200, map[string]any{"totalCount": 1, "items": []any{map[string]any{"id": "c1"}}})
	}, Options{})
	got, err := c.ListCustomers(context.Background())
	if err != nil || len(got) != 1 || n.Load() != 2 || ids[0] != ids[1] {
		t.Fatalf("ListCustomers after a cut-off answer: %v, %v (%d tries, ids %v)", got, err, n.Load(), ids)
	}
}
