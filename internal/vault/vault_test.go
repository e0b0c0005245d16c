package vault

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

// value returns n pseudo-random bytes (binary, not UTF-8) from seed.
func value(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func TestRoundTripUnderPlatformLimits(t *testing.T) {
	sizes := []int{0, 1, 100, ChunkSize - 1, ChunkSize, ChunkSize + 1, 2 * ChunkSize, 2560, 3000, 10_000, 50_000, 100_000, 200 * 1024}
	platforms := []struct {
		name  string
		limit limit
	}{
		{"windows", windowsLimit},
		{"macos", macOSLimit},
		{"linux", nil},
	}
	for _, p := range platforms {
		for _, size := range sizes {
			t.Run(fmt.Sprintf("%s/%d", p.name, size), func(t *testing.T) {
				ctx := context.Background()
				s := newMemStore(p.limit)
				v := New(s)
				want := value(size, uint64(size)+1)
				if err := v.Put(ctx, "entry", want); err != nil {
					t.Fatalf("Put: %v", err)
				}
				got, err := v.Get(ctx, "entry")
				if err != nil {
					t.Fatalf("Get: %v", err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("Get returned %d bytes that differ from the %d put", len(got), len(want))
				}
				if s.maxValue >= 2000 {
					t.Fatalf("a stored string is %d bytes; every one must be under 2,000", s.maxValue)
				}
				wantItems := 2 + (size+ChunkSize-1)/ChunkSize
				if n := len(s.users(Service)); n != wantItems {
					t.Fatalf("%d items stored, want %d (manifest + journal + chunks)", n, wantItems)
				}
				// Overwrite with a value of another size: old chunks are swept, nothing accumulates.
				want2 := value(size/2+7, uint64(size)+2)
				if err := v.Put(ctx, "entry", want2); err != nil {
					t.Fatalf("second Put: %v", err)
				}
				got, err = v.Get(ctx, "entry")
				if err != nil || !bytes.Equal(got, want2) {
					t.Fatalf("Get after overwrite: err=%v, equal=%v", err, bytes.Equal(got, want2))
				}
				assertExactly(t, s, v, "entry")
				if err := v.Delete(ctx, "entry"); err != nil {
					t.Fatalf("Delete: %v", err)
				}
				if _, err := v.Get(ctx, "entry"); !errors.Is(err, ErrNotFound) || !errors.Is(err, keyring.ErrNotFound) {
					t.Fatalf("Get after Delete: %v, want ErrNotFound", err)
				}
				if u := s.users(Service); len(u) != 0 {
					t.Fatalf("items left after Delete: %v", u)
				}
			})
		}
	}
}

// The fakes really do enforce the limits that chunking avoids.
func TestFakesEnforceLimits(t *testing.T) {
	big := strings.Repeat("x", 2561)
	if err := newMemStore(windowsLimit).Set(Service, "a", big); err == nil || err.Error() != "The stub received bad data." {
		t.Fatalf("windows fake accepted 2,561 bytes (err %v)", err)
	}
	if err := newMemStore(macOSLimit).Set(Service, "a", strings.Repeat("x", 2300)); !errors.Is(err, keyring.ErrSetDataTooBig) {
		t.Fatalf("macOS fake accepted 2,300 bytes, which go-keyring encodes to over 3,000 (err %v)", err)
	}
	if err := newMemStore(macOSLimit).Set(Service, "msal-cache.w0123456789ab.9999", strings.Repeat("x", ChunkSize*4/3)); err != nil {
		t.Fatalf("macOS fake refused a full chunk: %v", err)
	}
}

// chunkOf is the item of chunk i of the entry info describes.
func chunkOf(name string, info Info, i int) string {
	if info.Version == manifestV1 {
		return chunkUser(name, info.Generation, i)
	}
	return writerChunk(name, info.Writer, i)
}

// assertExactly checks that the store holds the entry's manifest, journal and chunks and nothing
// else of it.
func assertExactly(t *testing.T, s *memStore, v *Vault, name string) {
	t.Helper()
	info, err := v.Stat(context.Background(), name)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	want := []string{name, journalUser(name)}
	for i := 0; i < info.Chunks; i++ {
		want = append(want, chunkOf(name, info, i))
	}
	slices.Sort(want)
	var got []string
	for _, u := range s.users(v.Service()) {
		if u == name || strings.HasPrefix(u, name+".") {
			got = append(got, u)
		}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("store holds %v, want exactly %v", got, want)
	}
}

func TestDamaged(t *testing.T) {
	ctx := context.Background()
	secret := value(10_000, 42) // 7 chunks
	cases := []struct {
		name   string
		damage func(s *memStore, m manifest)
	}{
		{"chunk deleted", func(s *memStore, m manifest) { s.remove(Service, m.chunk(MSALCacheName, 3)) }},
		{"last chunk deleted", func(s *memStore, m manifest) {
			s.remove(Service, m.chunk(MSALCacheName, m.Chunks-1))
		}},
		{"chunk altered", func(s *memStore, m manifest) {
			s.put(Service, m.chunk(MSALCacheName, 2), base64.StdEncoding.EncodeToString(value(ChunkSize, 7)))
		}},
		{"chunk truncated", func(s *memStore, m manifest) {
			u := m.chunk(MSALCacheName, 1)
			old, _ := s.raw(Service, u)
			s.put(Service, u, old[:len(old)/2])
		}},
		{"chunk not base64", func(s *memStore, m manifest) {
			s.put(Service, m.chunk(MSALCacheName, 0), "%%%not base64%%%")
		}},
		{"chunks swapped", func(s *memStore, m manifest) {
			a, _ := s.raw(Service, m.chunk(MSALCacheName, 0))
			b, _ := s.raw(Service, m.chunk(MSALCacheName, 1))
			s.put(Service, m.chunk(MSALCacheName, 0), b)
			s.put(Service, m.chunk(MSALCacheName, 1), a)
		}},
		{"manifest names the previous writer", func(s *memStore, m manifest) {
			var j journal
			raw, _ := s.raw(Service, journalUser(MSALCacheName))
			_ = json.Unmarshal([]byte(raw), &j)
			m.Writer = j.Replaces
			b, _ := json.Marshal(m)
			s.put(Service, MSALCacheName, string(b))
		}},
		{"manifest names an invalid writer", func(s *memStore, m manifest) {
			m.Writer = "../../x"
			b, _ := json.Marshal(m)
			s.put(Service, MSALCacheName, string(b))
		}},
		{"manifest of version 1 names an unknown generation", func(s *memStore, m manifest) {
			m.Version, m.Writer, m.Generation = 1, "", 7
			b, _ := json.Marshal(m)
			s.put(Service, MSALCacheName, string(b))
		}},
		{"manifest of version 0", func(s *memStore, m manifest) {
			m.Version = 0
			b, _ := json.Marshal(m)
			s.put(Service, MSALCacheName, string(b))
		}},
		{"manifest checksum altered", func(s *memStore, m manifest) {
			m.SHA256 = strings.Repeat("0", 64)
			b, _ := json.Marshal(m)
			s.put(Service, MSALCacheName, string(b))
		}},
		{"manifest length altered", func(s *memStore, m manifest) {
			m.Length -= 5
			b, _ := json.Marshal(m)
			s.put(Service, MSALCacheName, string(b))
		}},
		{"manifest not JSON", func(s *memStore, m manifest) { s.put(Service, MSALCacheName, "{garbage") }},
		{"manifest empty", func(s *memStore, m manifest) { s.put(Service, MSALCacheName, "") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newMemStore(windowsLimit)
			v := New(s)
			if err := v.Put(ctx, MSALCacheName, value(3000, 1)); err != nil { // the first writer
				t.Fatal(err)
			}
			if err := v.Put(ctx, MSALCacheName, secret); err != nil { // the second, which the journal names
				t.Fatal(err)
			}
			raw, _ := s.raw(Service, MSALCacheName)
			var m manifest
			if err := json.Unmarshal([]byte(raw), &m); err != nil {
				t.Fatal(err)
			}
			tc.damage(s, m)

			got, err := v.Get(ctx, MSALCacheName)
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("Get = %d bytes, %v; want ErrDamaged", len(got), err)
			}
			var de *DamagedError
			if !errors.As(err, &de) || got != nil {
				t.Fatalf("want a *DamagedError and no bytes, got %T and %d bytes", err, len(got))
			}
			msg := err.Error()
			if !strings.Contains(msg, "Sign in again") || !strings.Contains(msg, "damaged") {
				t.Fatalf("message does not tell the user to sign in again: %q", msg)
			}
			assertNoSecret(t, msg+de.Detail, secret)

			// The user signs in again: a new value replaces the damaged one, and nothing of the
			// damaged one is left behind.
			fresh := value(5000, 99)
			if err := v.Put(ctx, MSALCacheName, fresh); err != nil {
				t.Fatalf("Put over damage: %v", err)
			}
			if got, err := v.Get(ctx, MSALCacheName); err != nil || !bytes.Equal(got, fresh) {
				t.Fatalf("Get after Put over damage: %v", err)
			}
			if err := v.Delete(ctx, MSALCacheName); err != nil {
				t.Fatal(err)
			}
			if u := s.users(Service); len(u) != 0 {
				t.Fatalf("left after Delete: %v", u)
			}
		})
	}
}

// assertNoSecret fails if text contains the secret or any 16-byte run of it (raw or base64).
func assertNoSecret(t *testing.T, text string, secret []byte) {
	t.Helper()
	for i := 0; i+16 <= len(secret); i += 16 {
		if strings.Contains(text, string(secret[i:i+16])) {
			t.Fatalf("text contains a piece of the secret: %q", text)
		}
	}
	enc := base64.StdEncoding.EncodeToString(secret)
	for i := 0; i+24 <= len(enc); i += 24 {
		if strings.Contains(text, enc[i:i+24]) {
			t.Fatalf("text contains a piece of the secret's base64: %q", text)
		}
	}
}

func TestUnavailable(t *testing.T) {
	cases := []struct {
		err    error
		reason Reason
	}{
		{errors.New("dbus: couldn't determine address of session bus"), ReasonNoService},
		{errors.New("dial unix /run/user/1000/bus: connect: no such file or directory"), ReasonNoService},
		{errors.New("The name org.freedesktop.secrets was not provided by any .service files"), ReasonNoService},
		{errors.New("Object does not exist at path “/org/freedesktop/secrets/aliases/default”"), ReasonNoService},
		{errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ReasonLocked},
		{errors.New("exit status 36"), ReasonLocked},
		{errors.New("exit status 128"), ReasonDenied},
		{errors.New("org.freedesktop.DBus.Error.AccessDenied: Rejected send message"), ReasonDenied},
		{errors.New("A specified logon session does not exist. It may already have been terminated."), ReasonNoService},
		{keyring.ErrUnsupportedPlatform, ReasonNoService},
		{keyring.ErrSetDataTooBig, ReasonTooLarge},
		{errStubBadData, ReasonTooLarge},
		{errors.New("something else entirely"), ReasonOther},
	}
	secret := []byte("RT-SECRET-0123456789abcdef-do-not-leak")
	for _, tc := range cases {
		t.Run(tc.err.Error(), func(t *testing.T) {
			s := newMemStore(nil)
			s.failWith = tc.err
			v := New(s)
			err := v.Put(context.Background(), MSALCacheName, secret)
			var ue *UnavailableError
			if !errors.As(err, &ue) {
				t.Fatalf("Put = %v (%T), want *UnavailableError", err, err)
			}
			if ue.Reason != tc.reason {
				t.Fatalf("reason %v, want %v", ue.Reason, tc.reason)
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("the cause is not kept for errors.Is")
			}
			msg := err.Error()
			if !strings.Contains(msg, "Nothing was stored") || strings.Contains(msg, tc.err.Error()) {
				t.Fatalf("message is not the plain sentence: %q", msg)
			}
			assertNoSecret(t, msg+ue.Detail(), secret)
			if _, err := v.Get(context.Background(), MSALCacheName); !errors.As(err, &ue) || ue.Op != OpRead {
				t.Fatalf("Get = %v, want a read UnavailableError", err)
			}
		})
	}
}

func TestUnavailableMessages(t *testing.T) {
	e := &UnavailableError{Op: OpStore, Reason: ReasonNoService, goos: "linux"}
	want := "Onboard365 could not reach this computer's keychain (the Secret Service). Nothing was stored, and nothing was saved anywhere else instead. On Linux, install and unlock GNOME Keyring or KWallet, then sign in again."
	if e.Error() != want {
		t.Fatalf("got  %q\nwant %q", e.Error(), want)
	}
	for _, goos := range []string{"linux", "darwin", "windows", "plan9"} {
		for r := ReasonOther; r <= ReasonTooLarge; r++ {
			for _, op := range []Op{OpRead, OpStore, OpDelete} {
				msg := (&UnavailableError{Op: op, Reason: r, goos: goos}).Error()
				if strings.Count(msg, ". ") < 2 || !strings.HasSuffix(msg, ".") {
					t.Errorf("%s/%v/%s: not three plain sentences: %q", goos, r, op, msg)
				}
			}
		}
	}
}

// blockingStore blocks Set until release is closed: a keychain waiting on an unlock prompt.
type blockingStore struct {
	*memStore
	release chan struct{}
}

func (b blockingStore) Set(service, user, value string) error {
	<-b.release
	return b.memStore.Set(service, user, value)
}

func TestTimeoutDoesNotLetLaterCallsOvertake(t *testing.T) {
	s := blockingStore{newMemStore(nil), make(chan struct{})}
	v := New(s)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := v.Put(ctx, "entry", []byte("new value"))
	var ue *UnavailableError
	if !errors.As(err, &ue) || ue.Reason != ReasonTimeout || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Put = %v, want a timeout UnavailableError", err)
	}
	if !strings.Contains(err.Error(), "gave up waiting") {
		t.Fatalf("message: %q", err.Error())
	}
	// While the abandoned Set still hangs, a Get waits for it rather than overtaking it.
	got := make(chan error, 1)
	go func() {
		_, err := v.Get(context.Background(), "entry")
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("Get overtook a Set still in flight: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	close(s.release)
	if err := <-got; !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrDamaged) {
		// The chunk landed, the manifest was never written: the old state (nothing) stays.
		t.Fatalf("Get after release: %v", err)
	}
}

type panickyStore struct{ *memStore }

func (panickyStore) Set(service, user, value string) error { panic("leaked " + value) }

func TestStorePanicBecomesError(t *testing.T) {
	secret := []byte("client-secret-value-that-must-not-leak")
	err := New(panickyStore{newMemStore(nil)}).Put(context.Background(), "entry", secret)
	if err == nil {
		t.Fatal("no error")
	}
	assertNoSecret(t, err.Error()+fmt.Sprintf("%+v", err), secret)
}

func TestNames(t *testing.T) {
	v := New(newMemStore(nil))
	for _, bad := range []string{"", "a.g1.0", "Upper", "with space", "../x", strings.Repeat("a", 65)} {
		if err := v.Put(context.Background(), bad, nil); err == nil {
			t.Errorf("Put accepted the name %q", bad)
		}
	}
}

func TestDeleteAll(t *testing.T) {
	ctx := context.Background()
	s := newMemStore(windowsLimit)
	v := New(s)
	if err := v.PutClientSecret(ctx, "11111111-2222-3333-4444-555555555555", "s3cr3t~value", time.Date(2027, 1, 2, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := v.Put(ctx, MSALCacheName, value(20_000, 3)); err != nil {
		t.Fatal(err)
	}
	if err := v.Put(ctx, "extra", value(5000, 4)); err != nil {
		t.Fatal(err)
	}
	// Leftovers of a crashed write of an older version.
	s.put(Service, chunkUser(MSALCacheName, 1, 0), "x")
	s.put(Service, chunkUser(MSALCacheName, 1, 1), "y")
	// Another app's item must survive.
	s.put("some.other.app", "user", "theirs")

	// A new process knows only KnownNames; "extra" was written by the old one.
	if err := v.DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	if u := s.users(Service); len(u) != 0 {
		t.Fatalf("left after DeleteAll: %v", u)
	}
	if _, ok := s.raw("some.other.app", "user"); !ok {
		t.Fatal("DeleteAll removed another service's item")
	}
	if _, _, _, err := v.ClientSecret(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ClientSecret after DeleteAll: %v", err)
	}
}

// wiperStore is a memStore that can also wipe a service, as go-keyring can.
type wiperStore struct{ *memStore }

func (w wiperStore) DeleteAll(service string) error {
	for _, u := range w.users(service) {
		w.remove(service, u)
	}
	return nil
}

func TestDeleteAllUsesServiceWiper(t *testing.T) {
	ctx := context.Background()
	s := newMemStore(nil)
	v := New(wiperStore{s})
	if err := v.Put(ctx, MSALCacheName, value(5000, 1)); err != nil {
		t.Fatal(err)
	}
	s.put(Service, "written-by-an-older-version", "x") // unknown to this Vault
	if err := New(wiperStore{s}).DeleteAll(ctx); err != nil {
		t.Fatal(err)
	}
	if u := s.users(Service); len(u) != 0 {
		t.Fatalf("left after DeleteAll: %v", u)
	}
}

func TestClientSecret(t *testing.T) {
	ctx := context.Background()
	s := newMemStore(macOSLimit)
	v := New(s)
	if _, _, _, err := v.ClientSecret(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty vault: %v", err)
	}
	exp := time.Date(2026, 11, 23, 18, 0, 0, 0, time.FixedZone("CET", 3600))
	const id, secret = "8a1b2c3d-0000-4000-8000-000000000001", "Qx8Q~abcdefghijklmnopqrstuvwxyz0123456789"
	if err := v.PutClientSecret(ctx, id, secret, exp); err != nil {
		t.Fatal(err)
	}
	gotID, gotSecret, gotExp, err := v.ClientSecret(ctx)
	if err != nil || gotID != id || gotSecret != secret || !gotExp.Equal(exp) {
		t.Fatalf("ClientSecret = %q, (secret equal %v), %v, %v", gotID, gotSecret == secret, gotExp, err)
	}
	if err := v.PutClientSecret(ctx, "", secret, exp); err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("empty client ID: %v", err)
	}
	// A stored value that is not the JSON we wrote: damaged, and the message holds no secret.
	if err := v.Put(ctx, ClientSecretName, []byte(`{"client_id":"x","secret":"`+secret)); err != nil {
		t.Fatal(err)
	}
	_, _, _, err = v.ClientSecret(ctx)
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "App registration") {
		t.Fatalf("damaged client secret: %v", err)
	}
	assertNoSecret(t, err.Error(), []byte(secret))
}

// Nothing is ever written outside the keychain: with the keychain failing, a Put leaves HOME,
// the XDG directories and the temporary directory as they were.
func TestNoFallbackStorage(t *testing.T) {
	home := t.TempDir()
	tmp := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_DATA_HOME", filepath.Join(home, "data"))
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, "config"))
	t.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	t.Setenv("TMPDIR", tmp)
	s := newMemStore(nil)
	s.failWith = errors.New("The name org.freedesktop.secrets was not provided by any .service files")
	v := New(s)
	c := NewMSALCache(v)
	ctx := context.Background()
	_ = v.Put(ctx, MSALCacheName, value(50_000, 1))
	_ = v.PutClientSecret(ctx, "id", "secret", time.Now())
	_ = c.Export(ctx, &fakeMSAL{data: []byte(`{"RefreshToken":{}}`)}, cacheExportHints)
	_ = c.Flush(ctx)
	// The one file the vault makes is the empty lock file in the cache folder (lock.go).
	lock := defaultLockPath(Service)
	if !strings.HasPrefix(lock, filepath.Join(home, "cache")+string(filepath.Separator)) {
		t.Fatalf("the lock file would be %s, outside the user's cache folder", lock)
	}
	err := filepath.WalkDir(home, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if fi, _ := d.Info(); path != lock || fi.Size() != 0 {
			t.Errorf("%s was written after failed stores", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ents, err := os.ReadDir(tmp); err != nil || len(ents) != 0 {
		t.Fatalf("%s holds %d entries after failed stores (err %v)", tmp, len(ents), err)
	}
}

func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s := newMemStore(windowsLimit)
	v := New(s)
	vals := [][]byte{value(7000, 1), value(3000, 2), value(12_000, 3)}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if g%2 == 0 {
					if err := v.Put(ctx, "entry", vals[(g+i)%3]); err != nil {
						t.Error(err)
					}
				} else if got, err := v.Get(ctx, "entry"); err == nil && !slices.ContainsFunc(vals, func(b []byte) bool { return bytes.Equal(b, got) }) {
					t.Error("Get returned a value that was never put")
				} else if err != nil && !errors.Is(err, ErrNotFound) {
					t.Error(err)
				}
			}
		}(g)
	}
	wg.Wait()
	assertExactly(t, s, v, "entry")
}
