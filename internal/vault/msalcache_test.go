package vault

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	"strings"
	"sync"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
)

var cacheExportHints = cache.ExportHints{PartitionKey: "p"}

// fakeMSAL stands for MSAL's storage.Manager: a cache.Marshaler and cache.Unmarshaler.
type fakeMSAL struct {
	mu         sync.Mutex
	data       []byte
	unmarshals int
}

func (f *fakeMSAL) Marshal() ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return bytes.Clone(f.data), nil
}

func (f *fakeMSAL) Unmarshal(b []byte) error {
	if !json.Valid(b) {
		return errors.New("invalid JSON")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data = bytes.Clone(b)
	f.unmarshals++
	return nil
}

func (f *fakeMSAL) set(b []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.data = b
}

func (f *fakeMSAL) get() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.data
}

// A realistic MSAL cache, in MSAL's JSON contract (storage.Contract): a partner technician's
// account with its refresh token, and per customer tenant an access token, an id token and an
// account entry, as AcquireTokenSilent(WithTenantID(customer)) leaves them.
const (
	testEnv      = "login.microsoftonline.com"
	testClientID = "6b0f4a3e-1111-4222-8333-944455566677"
	testUID      = "00000000-aaaa-4bbb-8ccc-000000000001"
	testUTID     = "72f988bf-86f1-41af-91ab-2d7cd011db47" // the partner tenant
	testUser     = "tech@contosopartners.onmicrosoft.com"
)

type fakeCache struct {
	home      string // "<uid>.<utid>"
	username  string
	rt        string
	customers []string
	atSeed    uint64
}

func newFakeCache(customers int) *fakeCache {
	c := &fakeCache{home: testUID + "." + testUTID, username: testUser, rt: "1.AQ" + token(900, 1)}
	for i := 0; i < customers; i++ {
		c.customers = append(c.customers, fmt.Sprintf("%08x-0000-4000-8000-%012x", i+1, i+1))
	}
	return c
}

var tokenMemo sync.Map // [2]uint64{n, seed} -> string

// token is a JWT-looking random string of n characters.
func token(n int, seed uint64) string {
	k := [2]uint64{uint64(n), seed}
	if t, ok := tokenMemo.Load(k); ok {
		return t.(string)
	}
	t := base64.RawURLEncoding.EncodeToString(value(n*3/4+3, seed))[:n]
	tokenMemo.Store(k, t)
	return t
}

func (c *fakeCache) account(realm string) map[string]any {
	return map[string]any{"home_account_id": c.home, "environment": testEnv, "realm": realm,
		"local_account_id": testUID, "authority_type": "MSSTS", "username": c.username}
}

func (c *fakeCache) idToken(realm string, seed uint64) map[string]any {
	return map[string]any{"home_account_id": c.home, "environment": testEnv, "realm": realm,
		"credential_type": "IdToken", "client_id": testClientID, "secret": "eyJ0eXAiOiJKV1Qi." + token(1100, seed)}
}

func (c *fakeCache) accessToken(realm string, seed uint64) map[string]any {
	now := time.Now().Unix()
	return map[string]any{"home_account_id": c.home, "environment": testEnv, "realm": realm,
		"credential_type": "AccessToken", "client_id": testClientID, "secret": "eyJ0eXAiOiJKV1Qi." + token(1600, seed),
		"target": "https://graph.microsoft.com/.default", "cached_at": fmt.Sprint(now), "expires_on": fmt.Sprint(now + 3600),
		"extended_expires_on": fmt.Sprint(now + 7200), "token_type": "Bearer"}
}

func (c *fakeCache) json() []byte {
	key := func(parts ...string) string { return strings.ToLower(strings.Join(parts, "-")) }
	accounts, ids, ats := map[string]any{}, map[string]any{}, map[string]any{}
	for i, realm := range append([]string{testUTID}, c.customers...) {
		accounts[key(c.home, testEnv, realm)] = c.account(realm)
		ids[key(c.home, testEnv, "idtoken", testClientID, realm, "")] = c.idToken(realm, uint64(i)+100)
		// One access token per tenant; atSeed renews one of them, as one more redemption does.
		seed := uint64(i)
		if c.atSeed != 0 && int(c.atSeed%uint64(len(c.customers)+1)) == i {
			seed = c.atSeed*10_000 + uint64(i)
		}
		ats[key(c.home, testEnv, "accesstoken", testClientID, realm, "https://graph.microsoft.com/.default")] =
			c.accessToken(realm, seed)
	}
	b, err := json.Marshal(map[string]any{
		"Account":     accounts,
		"IdToken":     ids,
		"AccessToken": ats,
		"RefreshToken": map[string]any{key(c.home, testEnv, "refreshtoken", testClientID, "", ""): map[string]any{
			"home_account_id": c.home, "environment": testEnv, "credential_type": "RefreshToken",
			"client_id": testClientID, "secret": c.rt}},
		"AppMetadata": map[string]any{key("appmetadata", testEnv, testClientID): map[string]any{
			"client_id": testClientID, "environment": testEnv}},
	})
	if err != nil {
		panic(err)
	}
	return b
}

func TestMSALCacheThousandExportsOneWrite(t *testing.T) {
	ctx := context.Background()
	s := newMemStore(windowsLimit)
	c := NewMSALCache(New(s))
	// MSAL's first call is a Replace: it reads the (empty) keychain once.
	if err := c.Replace(ctx, &fakeMSAL{}, cache.ReplaceHints{}); err != nil {
		t.Fatal(err)
	}
	// 1,000 customer tokens redeemed from 16 goroutines: each rotates the refresh token and adds
	// an access token, and MSAL exports after each.
	fc := newFakeCache(20)
	var mu sync.Mutex
	var last []byte
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			m := &fakeMSAL{}
			for i := g; i < 1000; i += 16 {
				mu.Lock()
				fc.rt = "1.AQ" + token(900, uint64(5000+i))
				fc.atSeed = uint64(i)
				b := fc.json()
				m.set(b)
				// Export under the lock, as MSAL exports under its own write lock.
				if err := c.Export(ctx, m, cacheExportHints); err != nil {
					t.Error(err)
				}
				last = b
				mu.Unlock()
				if err := c.Replace(ctx, m, cache.ReplaceHints{}); err != nil {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	if s.sets != 0 {
		t.Fatalf("Export wrote the keychain %d times; only Flush may", s.sets)
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	info, err := c.v.Stat(ctx, MSALCacheName)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.setsByUser[MSALCacheName]; got != 1 {
		t.Fatalf("%d manifest writes, want exactly 1", got)
	}
	if s.sets != info.Chunks+2 {
		t.Fatalf("%d Sets, want %d chunks + 1 journal + 1 manifest", s.sets, info.Chunks)
	}
	stored, err := c.v.Get(ctx, MSALCacheName)
	if err != nil || !bytes.Equal(stored, persistable(last)) {
		t.Fatalf("stored %d bytes (err %v), want the persistable form of the last export", len(stored), err)
	}
	t.Logf("in memory %d bytes; stored %d bytes in %d chunks (access tokens and customer-tenant entries are not stored)",
		len(last), info.Length, info.Chunks)
	// No news: nothing is written.
	if err := c.Flush(ctx); err != nil || s.sets != info.Chunks+2 {
		t.Fatalf("a Flush without news wrote (sets %d, err %v)", s.sets, err)
	}
	// A new access token alone is no news for the keychain.
	fc.atSeed = 99_999
	if err := c.Export(ctx, &fakeMSAL{data: fc.json()}, cacheExportHints); err != nil {
		t.Fatal(err)
	}
	if !c.Dirty() {
		t.Fatal("not dirty after a changed export")
	}
	if err := c.Flush(ctx); err != nil || s.sets != info.Chunks+2 || c.Dirty() {
		t.Fatalf("an access-token-only change wrote the keychain (sets %d, err %v)", s.sets, err)
	}
	if c.Writes() != 1 {
		t.Fatalf("Writes() = %d", c.Writes())
	}
}

func TestMSALCacheLazyLoadAndReplace(t *testing.T) {
	ctx := context.Background()
	s := newMemStore(macOSLimit)
	v := New(s)
	fc := newFakeCache(3)
	stored := persistable(fc.json())
	if err := v.Put(ctx, MSALCacheName, stored); err != nil {
		t.Fatal(err)
	}
	s.gets = 0
	c := NewMSALCache(v)
	if s.gets != 0 {
		t.Fatal("NewMSALCache read the keychain")
	}
	var wg sync.WaitGroup
	ms := make([]*fakeMSAL, 50)
	for i := range ms {
		ms[i] = &fakeMSAL{}
		wg.Add(1)
		go func(m *fakeMSAL) {
			defer wg.Done()
			if err := c.Replace(ctx, m, cache.ReplaceHints{}); err != nil {
				t.Error(err)
			}
		}(ms[i])
	}
	wg.Wait()
	info, _ := v.Stat(ctx, MSALCacheName)
	if want := 1 + info.Chunks + 1; s.gets != want { // the load, and this Stat
		t.Fatalf("50 Replaces read the keychain with %d Gets, want one load (%d)", s.gets, want-1)
	}
	for _, m := range ms {
		if !bytes.Equal(m.get(), stored) {
			t.Fatal("Replace did not hand MSAL the stored cache")
		}
	}
	// After MSAL exported, a Replace into the same MSAL object skips the unmarshal (it holds
	// those bytes already); another object gets them.
	m := ms[0]
	fc.rt = "rotated"
	m.set(fc.json())
	if err := c.Export(ctx, m, cacheExportHints); err != nil {
		t.Fatal(err)
	}
	before := m.unmarshals
	if err := c.Replace(ctx, m, cache.ReplaceHints{}); err != nil || m.unmarshals != before {
		t.Fatalf("Replace into the exporter unmarshalled again (err %v)", err)
	}
	if err := c.Replace(ctx, ms[1], cache.ReplaceHints{}); err != nil || !bytes.Equal(ms[1].get(), fc.json()) {
		t.Fatalf("Replace into another object: %v", err)
	}
	// Cancelled contexts are honoured, as cache.ExportReplace asks.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := c.Replace(cctx, m, cache.ReplaceHints{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("Replace with a cancelled context: %v", err)
	}
	if err := c.Export(cctx, m, cacheExportHints); !errors.Is(err, context.Canceled) {
		t.Fatalf("Export with a cancelled context: %v", err)
	}
}

func TestMSALCacheDiscard(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name   string
		stored bool
	}{{"something stored", true}, {"nothing stored", false}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newMemStore(windowsLimit)
			c := NewMSALCache(New(s))
			m := &fakeMSAL{}
			good := newFakeCache(2)
			if tc.stored {
				m.set(good.json())
				if err := c.Export(ctx, m, cacheExportHints); err != nil {
					t.Fatal(err)
				}
				if err := c.Flush(ctx); err != nil {
					t.Fatal(err)
				}
			} else if err := c.Replace(ctx, m, cache.ReplaceHints{}); err != nil {
				t.Fatal(err)
			}
			sets := s.sets
			// A sign-in that fails the MFA check: MSAL exported its tokens; the app discards them.
			bad := newFakeCache(0)
			bad.home, bad.username, bad.rt = "bbbbbbbb-0000-4000-8000-00000000000b."+testUTID, "nomfa@contosopartners.onmicrosoft.com", "BAD-RT-NO-MFA"
			m.set(bad.json())
			if err := c.Export(ctx, m, cacheExportHints); err != nil {
				t.Fatal(err)
			}
			if err := c.Discard(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.Flush(ctx); err != nil {
				t.Fatal(err)
			}
			if s.sets != sets {
				t.Fatalf("the discarded sign-in reached the keychain (%d Sets)", s.sets-sets)
			}
			// MSAL's memory follows on its next call.
			if err := c.Replace(ctx, m, cache.ReplaceHints{}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(m.get()), "BAD-RT-NO-MFA") {
				t.Fatal("MSAL still holds the discarded refresh token")
			}
			sum, err := c.Summary(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if tc.stored {
				if !bytes.Equal(m.get(), persistable(good.json())) || len(sum.Accounts) != 1 || sum.Accounts[0].Username != testUser {
					t.Fatalf("after Discard MSAL holds %d bytes, summary %+v", len(m.get()), sum)
				}
			} else if string(m.get()) != "{}" || len(sum.Accounts) != 0 || sum.Stored {
				t.Fatalf("after Discard with nothing stored MSAL holds %q, summary %+v", m.get(), sum)
			}
		})
	}
}

func TestMSALCacheDamagedAndUnavailable(t *testing.T) {
	ctx := context.Background()
	s := newMemStore(nil)
	v := New(s)
	if err := v.Put(ctx, MSALCacheName, persistable(newFakeCache(1).json())); err != nil {
		t.Fatal(err)
	}
	info, _ := v.Stat(ctx, MSALCacheName)
	s.remove(Service, chunkOf(MSALCacheName, info, 0))

	c := NewMSALCache(v)
	m := &fakeMSAL{}
	// A damaged cache does not stop MSAL (the user must be able to sign in again)...
	if err := c.Replace(ctx, m, cache.ReplaceHints{}); err != nil || string(m.get()) != "{}" {
		t.Fatalf("Replace over a damaged entry: %v, MSAL holds %q", err, m.get())
	}
	// ...and the app is told, in plain words.
	if err := c.Load(ctx); !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "Sign in again") {
		t.Fatalf("Load: %v", err)
	}
	if sum, err := c.Summary(ctx); err != nil || !sum.Damaged {
		t.Fatalf("Summary: %+v, %v", sum, err)
	}
	// The keychain goes away: Flush fails plainly and keeps the news for later.
	m.set(newFakeCache(1).json())
	if err := c.Export(ctx, m, cacheExportHints); err != nil {
		t.Fatal(err)
	}
	s.failWith = errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")
	var ue *UnavailableError
	if err := c.Flush(ctx); !errors.As(err, &ue) || ue.Reason != ReasonLocked || !c.Dirty() {
		t.Fatalf("Flush with a locked keychain: %v (dirty %v)", err, c.Dirty())
	}
	s.failWith = nil
	if err := c.Flush(ctx); err != nil || c.Dirty() {
		t.Fatalf("Flush after unlocking: %v", err)
	}
	if err := c.Load(ctx); err != nil {
		t.Fatalf("Load after the damaged entry was replaced: %v", err)
	}
	// A keychain that cannot be reached is not MSAL's problem: the sign-in works in memory, and
	// the trouble is told by Load, Summary and Flush, in plain words.
	s2 := newMemStore(nil)
	s2.failWith = errors.New("dbus: couldn't determine address of session bus")
	c2 := NewMSALCache(New(s2))
	if err := c2.Replace(ctx, &fakeMSAL{}, cache.ReplaceHints{}); err != nil {
		t.Fatalf("Replace without a keychain must let MSAL go on with an empty cache: %v", err)
	}
	if err := c2.Load(ctx); !errors.As(err, &ue) || ue.Reason != ReasonNoService {
		t.Fatalf("Load without a keychain: %v", err)
	}
	if _, err := c2.Summary(ctx); !errors.As(err, &ue) {
		t.Fatalf("Summary without a keychain: %v", err)
	}
	if err := c2.Export(ctx, &fakeMSAL{data: newFakeCache(1).json()}, cacheExportHints); err != nil {
		t.Fatal(err)
	}
	if err := c2.Flush(ctx); !errors.As(err, &ue) || !strings.Contains(err.Error(), "Nothing was stored") {
		t.Fatalf("Flush without a keychain: %v", err)
	}
}

func TestMSALCacheSummary(t *testing.T) {
	ctx := context.Background()
	s := newMemStore(windowsLimit)
	v := New(s)
	written := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	v.now = func() time.Time { return written }
	c := NewMSALCache(v)
	fc := newFakeCache(5)
	full := fc.json()
	m := &fakeMSAL{data: full}
	if err := c.Export(ctx, m, cacheExportHints); err != nil {
		t.Fatal(err)
	}
	sum, err := c.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Unsaved || sum.Stored || len(sum.Accounts) != 1 || !sum.Accounts[0].RefreshTokenStored.IsZero() {
		t.Fatalf("before Flush: %+v", sum)
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	sum, err = c.Summary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := AccountSummary{Username: testUser, HomeTenantID: testUTID, Environment: testEnv,
		HomeAccountID: testUID + "." + testUTID, HasRefreshToken: true, RefreshTokenStored: written}
	if len(sum.Accounts) != 1 || sum.Accounts[0] != want {
		t.Fatalf("accounts %+v\nwant       %+v", sum.Accounts, want)
	}
	if sum.RefreshTokens != 1 || sum.AccessTokens != 6 || sum.CustomerTenants != 5 || !sum.Stored || sum.Unsaved || !sum.StoredAt.Equal(written) {
		t.Fatalf("summary %+v", sum)
	}
	days, ok := sum.Accounts[0].DaysUntilInactivityExpiry(written.Add(30*24*time.Hour + time.Hour))
	if !ok || days != 59 {
		t.Fatalf("days until expiry = %d, %v; want 59", days, ok)
	}
	if d, _ := sum.Accounts[0].DaysUntilInactivityExpiry(written.Add(91 * 24 * time.Hour)); d != -1 {
		t.Fatalf("a day past expiry: %d", d)
	}
	// No secret anywhere in it: not the refresh token, not an access or id token.
	text := fmt.Sprintf("%+v %#v", sum, sum)
	if strings.Contains(text, fc.rt) || strings.Contains(text, fc.rt[len(fc.rt)-40:]) {
		t.Fatal("the summary contains the refresh token")
	}
	if strings.Contains(text, "eyJ0eXAiOiJKV1Qi") {
		t.Fatal("the summary contains a token")
	}
	// A new process: the summary comes from the keychain, with the manifest's time.
	sum2, err := NewMSALCache(New(s.reopen())).Summary(ctx)
	if err != nil || len(sum2.Accounts) != 1 || !sum2.Accounts[0].RefreshTokenStored.Equal(written) || sum2.AccessTokens != 0 {
		t.Fatalf("summary after restart: %+v, %v", sum2, err)
	}
}

func TestPersistable(t *testing.T) {
	fc := newFakeCache(4)
	full := fc.json()
	p := persistable(full)
	top, ok := sections(p)
	if !ok {
		t.Fatal("persistable output is not JSON")
	}
	if _, ok := top["AccessToken"]; ok {
		t.Fatal("access tokens are stored")
	}
	if got := entries(top, "Account"); len(got) != 1 {
		t.Fatalf("%d accounts stored, want the home-tenant one", len(got))
	}
	if got := entries(top, "IdToken"); len(got) != 1 {
		t.Fatalf("%d id tokens stored, want the home-tenant one", len(got))
	}
	if !strings.Contains(string(p), fc.rt) || entries(top, "AppMetadata") == nil {
		t.Fatal("the refresh token or app metadata is missing")
	}
	if !bytes.Equal(persistable(p), p) {
		t.Fatal("persistable is not idempotent")
	}
	// Signed in through "organizations": the realm is not a tenant ID, so it is kept.
	var raw map[string]map[string]map[string]any
	_ = json.Unmarshal(full, &raw)
	for k, a := range raw["Account"] {
		if a["realm"] == testUTID {
			a["realm"] = "organizations"
			raw["Account"][k] = a
		}
	}
	b, _ := json.Marshal(raw)
	if got := entries(mustSections(t, persistable(b)), "Account"); len(got) != 1 || got[firstKey(got)].Realm != "organizations" {
		t.Fatalf("accounts kept: %+v", got)
	}
	// An account with entries only for other tenants keeps them all.
	for k, a := range raw["Account"] {
		if a["realm"] == "organizations" {
			delete(raw["Account"], k)
		}
	}
	b, _ = json.Marshal(raw)
	if got := entries(mustSections(t, persistable(b)), "Account"); len(got) != 4 {
		t.Fatalf("%d accounts kept, want all 4", len(got))
	}
	// Anything else is stored as it is.
	for _, in := range []string{"", "not json", "[1,2]", `{"AccessToken": 5}`} {
		if out := persistable([]byte(in)); in != "" && !json.Valid([]byte(in)) && string(out) != in {
			t.Errorf("persistable(%q) = %q", in, out)
		}
	}
}

func mustSections(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	top, ok := sections(b)
	if !ok {
		t.Fatal("not JSON")
	}
	return top
}

func firstKey(m map[string]entryHeader) string {
	for k := range m {
		return k
	}
	return ""
}

func TestMSALCacheAutoFlush(t *testing.T) {
	ctx := context.Background()
	s := newMemStore(nil)
	c := NewMSALCache(New(s))
	stop := c.StartAutoFlush(ctx, 5*time.Millisecond)
	if err := c.Export(ctx, &fakeMSAL{data: newFakeCache(1).json()}, cacheExportHints); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for c.Writes() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if c.Writes() != 1 {
		t.Fatalf("auto-flush wrote %d times", c.Writes())
	}
	fc := newFakeCache(1)
	fc.rt = "rotated-at-exit"
	if err := c.Export(ctx, &fakeMSAL{data: fc.json()}, cacheExportHints); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	if c.Dirty() {
		t.Fatal("stop did not flush")
	}
	if err := stop(); err != nil { // twice is fine
		t.Fatal(err)
	}
}

// The benchmark of the app's bulk run: 1,000 customer tokens, each rotating the refresh token
// and adding an access token to a ~50 KB cache, with a Flush every 100 Exports.
func BenchmarkExportFlush(b *testing.B) {
	ctx := context.Background()
	fc := newFakeCache(11)
	exports := make([][]byte, 1000)
	for i := range exports {
		fc.rt = "1.AQ" + token(900, uint64(i)+1)
		fc.atSeed = uint64(i)
		exports[i] = fc.json()
	}
	var sets, manifests, deletes, stored int
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		s := newMemStore(windowsLimit)
		c := NewMSALCache(New(s))
		m := &fakeMSAL{}
		if err := c.Replace(ctx, m, cache.ReplaceHints{}); err != nil {
			b.Fatal(err)
		}
		for i, e := range exports {
			m.set(e)
			if err := c.Export(ctx, m, cacheExportHints); err != nil {
				b.Fatal(err)
			}
			if err := c.Replace(ctx, m, cache.ReplaceHints{}); err != nil {
				b.Fatal(err)
			}
			if (i+1)%100 == 0 {
				if err := c.Flush(ctx); err != nil {
					b.Fatal(err)
				}
			}
		}
		sets += s.sets
		manifests += s.setsByUser[MSALCacheName]
		deletes += s.deletes
		info, _ := c.v.Stat(ctx, MSALCacheName)
		stored = info.Length
	}
	b.ReportMetric(float64(sets)/float64(b.N), "keychain-sets/run")
	b.ReportMetric(float64(manifests)/float64(b.N), "manifest-writes/run")
	b.ReportMetric(float64(deletes)/float64(b.N), "keychain-deletes/run")
	b.ReportMetric(float64(stored)/1024, "KB-stored")
	b.ReportMetric(float64(len(exports[0]))/1024, "KB-in-memory")
}
