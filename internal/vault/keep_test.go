package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The keychain never loses or wedges a sign-in.

// twoCopies are two Vaults on one keychain, as two copies of the app are, sharing the lock file
// in lockDir (none when lockDir is "").
func twoCopies(t *testing.T, s Store, lockDir string) (*Vault, *Vault) {
	t.Helper()
	a, b := New(s), New(s)
	a.lockPath, b.lockPath = "", ""
	if lockDir != "" {
		a.lockPath = filepath.Join(lockDir, "k.lock")
		b.lockPath = a.lockPath
	}
	return a, b
}

// TestTwoCopiesSavingAtOnce: in round after round, two copies of the app save the same entry at
// the same moment (as the probe did with two processes); after each round the entry reads as
// one whole value that one of them wrote, with the lock (they take turns) and without it (each
// writes chunks of its own).
func TestTwoCopiesSavingAtOnce(t *testing.T) {
	for _, tc := range []struct {
		name    string
		lockDir string
	}{
		{"with the cross-process lock", t.TempDir()},
		{"without a lock (no cache folder)", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := newMemStore(windowsLimit)
			a, b := twoCopies(t, slowStore{s}, tc.lockDir)
			damaged := 0
			for round := 0; round < 15; round++ {
				va, vb := value(9000+round*97, uint64(round)), value(13000+round*31, uint64(1000+round))
				var wg sync.WaitGroup
				start := make(chan struct{})
				for _, w := range []struct {
					v   *Vault
					val []byte
				}{{a, va}, {b, vb}} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						if err := w.v.Put(ctx, MSALCacheName, w.val); err != nil {
							t.Errorf("round %d: %v", round, err)
						}
					}()
				}
				close(start)
				wg.Wait()
				got, err := New(s).Get(ctx, MSALCacheName)
				if err != nil || !(bytes.Equal(got, va) || bytes.Equal(got, vb)) {
					damaged++
					t.Errorf("round %d: after both copies saved, Get = %d bytes, %v", round, len(got), err)
				}
			}
			if tc.lockDir != "" {
				assertExactly(t, s, a, MSALCacheName) // taking turns leaves nothing behind
			}
			if damaged > 0 {
				t.Errorf("%d of 15 rounds left the entry damaged", damaged)
			}
		})
	}
}

// slowStore answers as a real keychain does, after a round trip (here 100 µs), so that two
// writers' calls interleave as they do on D-Bus.
type slowStore struct{ s *memStore }

func (w slowStore) Get(service, user string) (string, error) {
	time.Sleep(100 * time.Microsecond)
	return w.s.Get(service, user)
}

func (w slowStore) Set(service, user, value string) error {
	time.Sleep(100 * time.Microsecond)
	return w.s.Set(service, user, value)
}

func (w slowStore) Delete(service, user string) error {
	time.Sleep(100 * time.Microsecond)
	return w.s.Delete(service, user)
}

// TestLockMakesWritesTakeTurns: while one copy holds the lock, another copy's write waits, and
// gives up at its deadline with its own sentence; nothing is written meanwhile.
func TestLockMakesWritesTakeTurns(t *testing.T) {
	dir := t.TempDir()
	s := newMemStore(nil)
	a, b := twoCopies(t, s, dir)
	unlock, err := a.lockWrites(context.Background(), OpStore)
	if err != nil || !a.holdsLock() {
		t.Fatalf("the lock: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err = b.Put(ctx, MSALCacheName, []byte("x"))
	var ue *UnavailableError
	if !errors.As(err, &ue) || ue.Reason != ReasonBusy || !strings.Contains(err.Error(), "Another copy of Onboard365 is saving") {
		t.Fatalf("Put while another copy holds the lock: %v", err)
	}
	if len(s.users(Service)) != 0 {
		t.Fatal("a write went ahead without the lock")
	}
	unlock()
	if err := b.Put(context.Background(), MSALCacheName, []byte("x")); err != nil {
		t.Fatalf("Put after the other copy let go: %v", err)
	}
}

// newerManifest writes a manifest of a version this package does not know, as a newer
// Onboard365 would, with an item of its own.
func newerManifest(s *memStore, name string) {
	s.put(Service, name, `{"v":3,"layout":"something new","chunks":1,"length":5,"sha256":"`+strings.Repeat("a", 64)+`"}`)
	s.put(Service, name+".v3.0", "whatever the newer version keeps")
}

// TestNewerVersionsEntryIsNeverOverwritten: an entry a newer version wrote reads as its own
// error (not damage, not "nothing stored"), is never written over, and goes only when the user
// forgets it.
func TestNewerVersionsEntryIsNeverOverwritten(t *testing.T) {
	ctx := context.Background()
	s := newMemStore(nil)
	newerManifest(s, MSALCacheName)
	before := fmt.Sprint(s.users(Service))
	v := New(s)
	_, err := v.Get(ctx, MSALCacheName)
	var ne *NewerError
	if !errors.As(err, &ne) || errors.Is(err, ErrDamaged) || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "newer version of Onboard365") {
		t.Fatalf("Get of a newer version's entry: %v", err)
	}
	if err := v.Put(ctx, MSALCacheName, []byte("a new sign-in")); !errors.As(err, &ne) {
		t.Fatalf("Put over a newer version's entry: %v", err)
	}
	c := NewMSALCache(v)
	if err := c.Load(ctx); !errors.As(err, &ne) {
		t.Fatalf("Load: %v", err)
	}
	if sum, err := c.Summary(ctx); err != nil || !errors.As(sum.Problem, &ne) || !Forgettable(sum.Problem) {
		t.Fatalf("Summary: %+v, %v", sum, err)
	}
	// A sign-in in this version works in memory, but keeping it does not write over the entry.
	if err := c.Export(ctx, &fakeMSAL{data: newFakeCache(1).json()}, cacheExportHints); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(ctx); !errors.As(err, &ne) {
		t.Fatalf("Flush over a newer version's entry: %v", err)
	}
	raw, _ := s.raw(Service, MSALCacheName)
	if got := fmt.Sprint(s.users(Service)); got != before || !strings.Contains(raw, `"v":3`) {
		t.Fatalf("the newer version's entry was changed: %s (was %s)", got, before)
	}
	// The user chooses to forget it: then this version's sign-in can be kept.
	if err := v.Delete(ctx, MSALCacheName); err != nil {
		t.Fatal(err)
	}
	if err := c.Discard(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Export(ctx, &fakeMSAL{data: newFakeCache(1).json()}, cacheExportHints); err != nil {
		t.Fatal(err)
	}
	if err := c.Flush(ctx); err != nil {
		t.Fatalf("Flush after forgetting: %v", err)
	}
	if err := c.Load(ctx); err != nil {
		t.Fatalf("Load after forgetting and keeping: %v", err)
	}
}

// TestUnreadableCacheDoesNotWedgeTheSignIn: a stored value whose checksum is good but which MSAL
// cannot read is told as its own problem; MSAL goes on with an empty cache, so a new sign-in
// works; and keeping that sign-in replaces the unreadable value.
func TestUnreadableCacheDoesNotWedgeTheSignIn(t *testing.T) {
	for name, stored := range map[string][]byte{
		"not JSON":                []byte("this is not a token cache"),
		"JSON but not an object":  []byte(`[1,2,3]`),
		"an object MSAL refuses":  []byte(`{"AccessToken":5,"RefreshToken":"x"}`),
		"truncated JSON (intact)": []byte(`{"RefreshToken":{"a":`),
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			idp := newFakeIdP(t)
			s := newMemStore(nil)
			v := New(s)
			if err := v.Put(ctx, MSALCacheName, stored); err != nil {
				t.Fatal(err)
			}
			c := NewMSALCache(v)
			client := idp.client(t, c)
			// The real MSAL: reading the accounts, then a new sign-in, both work.
			if _, err := client.Accounts(ctx); err != nil {
				t.Fatalf("Accounts over an unreadable cache: %v", err)
			}
			var ue *UnreadableError
			if err := c.Load(ctx); !errors.As(err, &ue) || !Forgettable(err) || !strings.Contains(err.Error(), "Sign out and forget") {
				t.Fatalf("Load: %v", err)
			}
			if sum, err := c.Summary(ctx); err != nil || !errors.As(sum.Problem, &ue) {
				t.Fatalf("Summary: %+v, %v", sum, err)
			}
			if _, err := client.AcquireTokenByAuthCode(ctx, "code-a", "http://localhost", []string{"https://graph.microsoft.com/.default"}); err != nil {
				t.Fatalf("a new sign-in over an unreadable cache: %v", err)
			}
			if err := c.Flush(ctx); err != nil {
				t.Fatalf("keeping the new sign-in: %v", err)
			}
			if err := c.Load(ctx); err != nil {
				t.Fatalf("Load after keeping a new sign-in: %v", err)
			}
			restart := NewMSALCache(New(s))
			if accts, err := idp.client(t, restart).Accounts(ctx); err != nil || len(accts) != 1 {
				t.Fatalf("after a restart: %d accounts, %v", len(accts), err)
			}
		})
	}
}

// TestEachKeychainProblemHasItsOwnSentence: locked, missing, damaged, written by a newer version,
// unreadable: five sentences, each saying what to do, none "you are not signed in".
func TestEachKeychainProblemHasItsOwnSentence(t *testing.T) {
	problems := map[string]error{
		"locked":   &UnavailableError{Op: OpRead, Reason: ReasonLocked, goos: "linux"},
		"missing":  &UnavailableError{Op: OpRead, Reason: ReasonNoService, goos: "linux"},
		"busy":     &UnavailableError{Op: OpStore, Reason: ReasonBusy, goos: "linux"},
		"damaged":  &DamagedError{Name: MSALCacheName},
		"newer":    &NewerError{Name: MSALCacheName, Version: 3},
		"unusable": &UnreadableError{Name: MSALCacheName},
	}
	seen := map[string]string{}
	for name, err := range problems {
		msg := err.Error()
		if other, dup := seen[msg]; dup {
			t.Errorf("%s and %s read the same: %q", name, other, msg)
		}
		seen[msg] = name
		if strings.Contains(strings.ToLower(msg), "not signed in") {
			t.Errorf("%s reads as not signed in: %q", name, msg)
		}
	}
	for name, want := range map[string]string{"locked": "Unlock", "missing": "install and unlock", "damaged": "Sign in again",
		"newer": "Sign out and forget", "unusable": "Sign out and forget", "busy": "Wait for the other copy"} {
		if !strings.Contains(problems[name].Error(), want) {
			t.Errorf("%s does not say what to do (%q): %q", name, want, problems[name].Error())
		}
	}
	if Forgettable(problems["locked"]) || Forgettable(problems["missing"]) || !Forgettable(problems["damaged"]) {
		t.Error("Forgettable: only what forgetting fixes")
	}
}

// TestVersion1EntriesAreReadAndReplaced: an entry of version 1 (two generations) reads, and the
// next Put replaces it, sweeping every chunk of both generations.
func TestVersion1EntriesAreReadAndReplaced(t *testing.T) {
	ctx := context.Background()
	s := newMemStore(nil)
	val := value(5000, 9)
	m := manifest{Version: manifestV1, Generation: 2}
	m.Chunks, m.Length = (len(val)+ChunkSize-1)/ChunkSize, len(val)
	m.SHA256 = sha256Hex(val)
	for i := 0; i < m.Chunks; i++ {
		s.put(Service, chunkUser(MSALCacheName, 2, i), b64(val[i*ChunkSize:min((i+1)*ChunkSize, len(val))]))
	}
	s.put(Service, chunkUser(MSALCacheName, 1, 0), "a leftover of generation 1")
	mj, _ := json.Marshal(m)
	s.put(Service, MSALCacheName, string(mj))
	v := New(s)
	if got, err := v.Get(ctx, MSALCacheName); err != nil || !bytes.Equal(got, val) {
		t.Fatalf("Get of a version 1 entry: %v", err)
	}
	if err := v.Put(ctx, MSALCacheName, []byte("new")); err != nil {
		t.Fatal(err)
	}
	assertExactly(t, s, v, MSALCacheName)
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
