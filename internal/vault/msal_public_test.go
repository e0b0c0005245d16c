package vault

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/public"
)

// fakeIdP is a minimal Microsoft identity platform on loopback, enough for MSAL's public client:
// OpenID discovery and a token endpoint per tenant, the authorization_code grant for two users,
// and the refresh_token grant, which, like Entra ID, rotates the refresh token and accepts only
// the latest one.
type fakeIdP struct {
	srv *httptest.Server

	mu        sync.Mutex
	latestRT  map[string]string // user oid -> the only refresh token that works
	issued    []string          // every token string handed out (to look for in the summary)
	refreshes map[string]int    // tenant -> refresh_token grants
	n         int
}

type fakeUser struct{ oid, tid, upn string }

var (
	techA = fakeUser{"00000000-aaaa-4bbb-8ccc-00000000000a", testUTID, "tech@contosopartners.onmicrosoft.com"}
	techB = fakeUser{"00000000-aaaa-4bbb-8ccc-00000000000b", testUTID, "nomfa@contosopartners.onmicrosoft.com"}
)

func newFakeIdP(t *testing.T) *fakeIdP {
	f := &fakeIdP{latestRT: map[string]string{}, refreshes: map[string]int{}}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func b64json(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (f *fakeIdP) serve(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 {
		http.NotFound(w, r)
		return
	}
	tenant := parts[0]
	base := f.srv.URL + "/" + tenant
	w.Header().Set("Content-Type", "application/json")
	switch strings.Join(parts[1:], "/") {
	case "v2.0/.well-known/openid-configuration":
		_ = json.NewEncoder(w).Encode(map[string]string{
			"authorization_endpoint": base + "/oauth2/v2.0/authorize",
			"token_endpoint":         base + "/oauth2/v2.0/token",
			"issuer":                 base + "/v2.0",
		})
	case "oauth2/v2.0/token":
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		var u fakeUser
		switch r.PostForm.Get("grant_type") {
		case "authorization_code":
			switch r.PostForm.Get("code") {
			case "code-a":
				u = techA
			case "code-b":
				u = techB
			default:
				f.fail(w, "invalid_grant")
				return
			}
		case "refresh_token":
			rt := r.PostForm.Get("refresh_token")
			f.mu.Lock()
			for oid, latest := range f.latestRT {
				if latest == rt {
					u = fakeUser{oid, testUTID, map[string]string{techA.oid: techA.upn, techB.oid: techB.upn}[oid]}
				}
			}
			f.refreshes[tenant]++
			f.mu.Unlock()
			if u.oid == "" {
				f.fail(w, "invalid_grant") // an old, rotated-away refresh token
				return
			}
		default:
			f.fail(w, "unsupported_grant_type")
			return
		}
		f.mu.Lock()
		f.n++
		n := f.n
		rt := fmt.Sprintf("1.AQ-refresh-%s-%d-%s", u.oid[len(u.oid)-1:], n, strings.Repeat("r", 800))
		at := fmt.Sprintf("eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.access-%d-%s.sig", n, strings.Repeat("a", 1500))
		f.latestRT[u.oid] = rt
		now := time.Now().Unix()
		idt := "eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0." + b64json(map[string]any{
			"aud": r.PostForm.Get("client_id"), "iss": base + "/v2.0", "tid": tenant, "oid": u.oid, "sub": "sub-" + u.oid,
			"preferred_username": u.upn, "name": "Technician", "iat": now, "exp": now + 3600, "ver": "2.0",
			"amr": []string{"pwd", "mfa"},
		}) + ".c2ln"
		f.issued = append(f.issued, rt, at, idt)
		f.mu.Unlock()
		_ = json.NewEncoder(w).Encode(map[string]any{
			"token_type": "Bearer", "scope": r.PostForm.Get("scope"), "expires_in": 3600, "ext_expires_in": 3600,
			"access_token": at, "refresh_token": rt, "id_token": idt,
			"client_info": b64json(map[string]string{"uid": u.oid, "utid": u.tid}),
		})
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeIdP) fail(w http.ResponseWriter, code string) {
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": code, "error_description": "AADSTS70000: " + code, "error_codes": []int{70000}})
}

func (f *fakeIdP) client(t *testing.T, c *MSALCache) public.Client {
	t.Helper()
	client, err := public.New(testClientID,
		public.WithAuthority(f.srv.URL+"/"+testUTID),
		public.WithInstanceDiscovery(false),
		public.WithHTTPClient(f.srv.Client()),
		public.WithCache(c))
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// The real MSAL public client over MSALCache: sign in, redeem tokens for customers, discard a
// sign-in that fails the MFA check, restart, and carry on with the stored refresh token.
func TestMSALCacheWithPublicClient(t *testing.T) {
	ctx := context.Background()
	idp := newFakeIdP(t)
	s := newMemStore(windowsLimit)
	v := New(s)
	c := NewMSALCache(v)
	client := idp.client(t, c)
	scopes := []string{"https://graph.microsoft.com/.default"}

	// Sign in; the app checks the token and flushes.
	ar, err := client.AcquireTokenByAuthCode(ctx, "code-a", "http://localhost", scopes)
	if err != nil {
		t.Fatalf("sign-in: %v", err)
	}
	if s.sets != 0 {
		t.Fatal("the sign-in wrote the keychain before Flush")
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if s.setsByUser[MSALCacheName] != 1 {
		t.Fatalf("%d manifest writes after the sign-in", s.setsByUser[MSALCacheName])
	}

	// A batch of customer tokens, then one Flush.
	customers := []string{}
	for i := 0; i < 25; i++ {
		customers = append(customers, fmt.Sprintf("c%07d-0000-4000-8000-%012d", i, i))
	}
	for _, cust := range customers {
		if _, err := client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(ar.Account), public.WithTenantID(cust)); err != nil {
			t.Fatalf("customer %s: %v", cust, err)
		}
	}
	if s.setsByUser[MSALCacheName] != 1 {
		t.Fatal("customer tokens wrote the keychain before Flush")
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if s.setsByUser[MSALCacheName] != 2 {
		t.Fatalf("%d manifest writes after the batch, want 2", s.setsByUser[MSALCacheName])
	}
	// Cached access tokens: no new keychain write, no network.
	idp.mu.Lock()
	before := idp.refreshes[customers[0]]
	idp.mu.Unlock()
	if _, err := client.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(ar.Account), public.WithTenantID(customers[0])); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(ctx); err != nil || s.setsByUser[MSALCacheName] != 2 || idp.refreshes[customers[0]] != before {
		t.Fatalf("a cached token was redeemed or written again (err %v)", err)
	}
	sum, err := c.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Accounts) != 1 || sum.Accounts[0].Username != techA.upn || sum.Accounts[0].HomeTenantID != testUTID ||
		!sum.Accounts[0].HasRefreshToken || sum.CustomerTenants != len(customers) || sum.AccessTokens != len(customers)+1 {
		t.Fatalf("summary %+v", sum)
	}
	info, _ := v.Stat(ctx, MSALCacheName)
	t.Logf("with %d customers MSAL's cache is %d bytes in memory; the keychain holds %d bytes in %d chunks",
		len(customers), len(c.data), info.Length, info.Chunks)

	// A second sign-in that fails the app's MFA check: discarded, nothing of it stored.
	setsBefore := s.sets
	if _, err := client.AcquireTokenByAuthCode(ctx, "code-b", "http://localhost", scopes); err != nil {
		t.Fatal(err)
	}
	if err := c.Discard(ctx); err != nil {
		t.Fatal(err)
	}
	accts, err := client.Accounts(ctx)
	if err != nil || len(accts) != 1 || accts[0].PreferredUsername != techA.upn {
		t.Fatalf("after Discard MSAL lists %+v (err %v)", accts, err)
	}
	if err := c.Flush(ctx); err != nil || s.sets != setsBefore {
		t.Fatalf("the discarded sign-in reached the keychain (err %v)", err)
	}

	// Restart: a new process reads the keychain, finds the account, and redeems the stored
	// (latest) refresh token for a customer.
	s2 := s.reopen()
	c2 := NewMSALCache(New(s2))
	client2 := idp.client(t, c2)
	accts, err = client2.Accounts(ctx)
	if err != nil || len(accts) != 1 || accts[0].PreferredUsername != techA.upn {
		t.Fatalf("after restart MSAL lists %+v (err %v)", accts, err)
	}
	for _, tenant := range []string{customers[3], testUTID} {
		if _, err := client2.AcquireTokenSilent(ctx, scopes, public.WithSilentAccount(accts[0]), public.WithTenantID(tenant)); err != nil {
			t.Fatalf("after restart, silent token for %s: %v", tenant, err)
		}
	}
	if err := c2.Flush(ctx); err != nil || s2.setsByUser[MSALCacheName] != 1 {
		t.Fatalf("flush after restart: %v, %d manifest writes", err, s2.setsByUser[MSALCacheName])
	}

	// The summary holds no token the identity platform ever issued.
	sum, err = c2.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	text := fmt.Sprintf("%+v %#v", sum, sum)
	idp.mu.Lock()
	defer idp.mu.Unlock()
	for _, tok := range idp.issued {
		if strings.Contains(text, tok) || strings.Contains(text, tok[:40]) {
			t.Fatal("the summary contains a token")
		}
	}
	if strings.Contains(text, "1.AQ-refresh") {
		t.Fatal("the summary contains a refresh token")
	}
}
