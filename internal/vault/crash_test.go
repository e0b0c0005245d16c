package vault

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// For every k, an overwrite "crashes" after its k-th keychain mutation (Set or Delete): from then
// on the keychain fails everything, as if the process had died there. After a restart, Get must
// return exactly the old value or the new one; and the next Put must leave exactly its own items.
func TestCrashAfterEveryMutation(t *testing.T) {
	cases := []struct {
		name     string
		old, new int // sizes; -1: no old value
	}{
		{"first write", -1, 9000},
		{"grow", 4000, 20_000},
		{"shrink", 20_000, 4000},
		{"same size", 10_000, 10_000},
		{"to empty", 6000, 0},
		{"from empty", 0, 6000},
		{"over leftovers of an earlier crash", 3000, 15_000},
	}
	ctx := context.Background()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			oldVal, newVal, third := value(max(tc.old, 0), 11), value(tc.new, 22), value(5555, 33)
			setup := func() *memStore {
				s := newMemStore(windowsLimit)
				v := New(s)
				if tc.old >= 0 {
					if err := v.Put(ctx, "entry", oldVal); err != nil {
						t.Fatal(err)
					}
				}
				if strings.HasPrefix(tc.name, "over leftovers") {
					// an earlier Put died after 6 chunks of the other generation
					crash := s.reopen()
					crash.crashAfter = 6
					_ = New(crash).Put(ctx, "entry", value(30_000, 44))
					s = crash.reopen()
				}
				return s
			}
			// How many mutations a complete overwrite makes.
			dry := setup()
			before := dry.mutations
			if err := New(dry).Put(ctx, "entry", newVal); err != nil {
				t.Fatal(err)
			}
			total := dry.mutations - before
			outcomes := map[string]int{}
			for k := 0; k <= total; k++ {
				s := setup()
				s.crashAfter = s.mutations + k
				putErr := New(s).Put(ctx, "entry", newVal)

				after := s.reopen() // the restart
				v := New(after)
				got, err := v.Get(ctx, "entry")
				switch {
				case err == nil && bytes.Equal(got, newVal):
					outcomes["new"]++
				case err == nil && tc.old >= 0 && bytes.Equal(got, oldVal):
					outcomes["old"]++
					if putErr == nil {
						t.Fatalf("k=%d: Put reported success but the old value is what is stored", k)
					}
				case errors.Is(err, ErrNotFound) && tc.old < 0:
					outcomes["old (nothing)"]++
				default:
					t.Fatalf("k=%d of %d: after the crash Get = %d bytes, %v: neither the old value nor the new", k, total, len(got), err)
				}
				// Recovery: the next Put works and sweeps every leftover.
				if err := v.Put(ctx, "entry", third); err != nil {
					t.Fatalf("k=%d: Put after the crash: %v", k, err)
				}
				if got, err := v.Get(ctx, "entry"); err != nil || !bytes.Equal(got, third) {
					t.Fatalf("k=%d: Get after recovery: %v", k, err)
				}
				assertExactly(t, after, v, "entry")
			}
			t.Logf("%d crash points: %v", total+1, outcomes)
		})
	}
}

// A crash during Delete leaves the value or nothing, never damage, and the next Delete finishes.
func TestCrashDuringDelete(t *testing.T) {
	ctx := context.Background()
	val := value(12_000, 5)
	for k := 0; ; k++ {
		s := newMemStore(nil)
		if err := New(s).Put(ctx, "entry", val); err != nil {
			t.Fatal(err)
		}
		s.crashAfter = s.mutations + k
		err := New(s).Delete(ctx, "entry")
		after := s.reopen()
		v := New(after)
		got, gerr := v.Get(ctx, "entry")
		if !(gerr == nil && bytes.Equal(got, val)) && !errors.Is(gerr, ErrNotFound) {
			t.Fatalf("k=%d: Get after a crashed Delete: %v", k, gerr)
		}
		if err := v.Delete(ctx, "entry"); err != nil {
			t.Fatal(err)
		}
		if u := after.users(Service); len(u) != 0 {
			t.Fatalf("k=%d: left after the second Delete: %v", k, u)
		}
		if err == nil { // Delete finished before the crash point: every point was tried
			break
		}
	}
}

const killChildEnv = "ONBOARD365_VAULT_KILL_CHILD_DIR"

// killValues are the two values the child writes in turn: large (about 150 chunks), and of
// different sizes so that a mix could not even have the right length.
func killValues() [2][]byte {
	return [2][]byte{value(200*1024, 1001), value(150*1024+17, 2002)}
}

// TestKillChild is not a test: it is the process TestCrashSIGKILL starts and kills. It writes the
// two values in turn, forever, into the directory-backed keychain.
func TestKillChild(t *testing.T) {
	dir := os.Getenv(killChildEnv)
	if dir == "" {
		t.Skip("helper process for TestCrashSIGKILL")
	}
	v := New(dirStore{dir})
	vals := killValues()
	fmt.Println("ready")
	deadline := time.Now().Add(60 * time.Second) // never outlive a parent that failed to kill
	for i := 0; time.Now().Before(deadline); i++ {
		if err := v.Put(context.Background(), MSALCacheName, vals[i%2]); err != nil {
			fmt.Println("error", err)
			os.Exit(3)
		}
		fmt.Println("wrote", i%2)
	}
	os.Exit(4)
}

// A real crash: the child process writes large values to a keychain kept in a directory and is
// killed with SIGKILL at a random moment; each time, the parent must read exactly one of the two
// values (or the first value before the child ever wrote). Then the next child goes on from
// whatever the kill left.
func TestCrashSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 processes")
	}
	dir := t.TempDir()
	store := dirStore{dir}
	ctx := context.Background()
	vals := killValues()
	if err := New(store).Put(ctx, MSALCacheName, vals[1]); err != nil {
		t.Fatal(err)
	}
	// How long one Put of these values takes here: kills are spread over about four of them, so
	// they strike while chunks are written, at the manifest, during the sweep and between writes.
	scratch := New(dirStore{t.TempDir()})
	start := time.Now()
	for i := 0; i < 4; i++ {
		if err := scratch.Put(ctx, MSALCacheName, vals[i%2]); err != nil {
			t.Fatal(err)
		}
	}
	perPut := time.Since(start) / 4
	const kills = 20
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 7))
	window := 4 * perPut
	t.Logf("one Put takes about %v here; kills land at random within %v of the child's start (seed %d)", perPut, window, seed)
	phases := map[string]int{}
	for i := 0; i < kills; i++ {
		// The state before this child: its value and generation.
		before := New(store)
		prevVal, err := before.Get(ctx, MSALCacheName)
		if err != nil {
			t.Fatal(err)
		}

		cmd := exec.Command(os.Args[0], "-test.run=^TestKillChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), killChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				lines <- sc.Text()
			}
			close(lines)
		}()
		select {
		case l := <-lines:
			if l != "ready" {
				_ = cmd.Process.Kill()
				t.Fatalf("child said %q", l)
			}
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			t.Fatal("child never became ready")
		}
		time.Sleep(time.Duration(rng.Int64N(int64(window) + 1)))
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
		wrote := 0
		lastVal := prevVal
		for l := range lines {
			if strings.HasPrefix(l, "error") {
				t.Fatalf("child: %s", l)
			}
			if w, ok := strings.CutPrefix(l, "wrote "); ok {
				wrote++
				lastVal = vals[w[0]-'0']
			}
		}
		// The child writes the two values in turn: the one in flight is the next of them.
		inFlight := vals[wrote%2]

		v := New(store)
		got, err := v.Get(ctx, MSALCacheName)
		if err != nil || !(bytes.Equal(got, vals[0]) || bytes.Equal(got, vals[1])) {
			t.Fatalf("kill %d: Get = %d bytes, %v: neither value", i+1, len(got), err)
		}
		info := mustStat(t, v)
		users, err := store.users(Service)
		if err != nil {
			t.Fatal(err)
		}
		leftovers := len(users) - (info.Chunks + 2) // manifest, journal
		var phase string
		switch {
		case bytes.Equal(got, inFlight) && !bytes.Equal(inFlight, lastVal):
			phase = "after the manifest of the write in flight (new value read)"
		case !bytes.Equal(got, lastVal):
			t.Fatalf("kill %d: Get returned a value that is neither the last complete one nor the one in flight", i+1)
		case leftovers > 0:
			phase = "while writing chunks, before the manifest (old value read)"
		default:
			phase = "between writes (old value read)"
		}
		phases[phase]++
		t.Logf("kill %2d after %d complete writes: %s; writer %s, %d leftover items", i+1, wrote, phase, info.Writer, leftovers)
	}
	t.Logf("%d SIGKILLs: %v; every read was exactly the old or the new value", kills, phases)

	// The next ordinary Put sweeps whatever the last kill left.
	v := New(store)
	if err := v.Put(ctx, MSALCacheName, []byte("final")); err != nil {
		t.Fatal(err)
	}
	users, _ := store.users(Service)
	want := []string{MSALCacheName, journalUser(MSALCacheName), chunkOf(MSALCacheName, mustStat(t, v), 0)}
	slices.Sort(want)
	if !slices.Equal(users, want) {
		t.Fatalf("after a final Put the keychain holds %v, want %v", users, want)
	}
}

func mustStat(t *testing.T, v *Vault) Info {
	t.Helper()
	info, err := v.Stat(context.Background(), MSALCacheName)
	if err != nil {
		t.Fatal(err)
	}
	return info
}
