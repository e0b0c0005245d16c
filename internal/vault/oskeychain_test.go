package vault

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// testService keeps the tests' items apart from the app's own, on a developer's real keychain.
const testService = Service + ".test"

// keychainUnreachable fails the test on CI (CI=true), where the real keychain must be there
// (.ci/keyring-test provides it), and skips it elsewhere.
func keychainUnreachable(t *testing.T, err error) {
	t.Helper()
	msg := fmt.Sprintf("the OS keychain is not reachable: %v", err)
	var ue *UnavailableError
	if errors.As(err, &ue) {
		msg += " [" + ue.Reason.String() + ": " + ue.Detail() + "]"
	}
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: run the keychain tests through .ci/keyring-test)")
	}
	t.Skip(msg)
}

// The real keychain through go-keyring: a 10 KB value round-trips in chunks, and Delete and
// DeleteAll leave nothing behind.
func TestOSKeychainRoundTrip(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	store := OSKeychain()
	v := NewForService(store, testService)
	name := fmt.Sprintf("roundtrip-%d-%d", os.Getpid(), time.Now().UnixNano())

	probe, pcancel := context.WithTimeout(ctx, 20*time.Second)
	_, err := v.Stat(probe, name)
	pcancel()
	if !errors.Is(err, ErrNotFound) {
		keychainUnreachable(t, err)
	}

	want := value(10*1024, uint64(time.Now().UnixNano()))
	if err := v.Put(ctx, name, want); err != nil {
		t.Fatalf("Put: %v", err)
	}
	t.Cleanup(func() { _ = NewForService(store, testService).Delete(context.Background(), name) })
	got, err := v.Get(ctx, name)
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get returned %d bytes that differ from the %d put", len(got), len(want))
	}
	info, err := v.Stat(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if info.Chunks != (len(want)+ChunkSize-1)/ChunkSize {
		t.Fatalf("%d chunks", info.Chunks)
	}
	for i := 0; i < info.Chunks; i++ {
		s, err := store.Get(testService, chunkUser(name, info.Generation, i))
		if err != nil || len(s) >= 2000 {
			t.Fatalf("chunk %d: %d bytes, %v", i, len(s), err)
		}
	}
	// Overwrite: the other generation, and the first one swept.
	want2 := value(4000, 2)
	if err := v.Put(ctx, name, want2); err != nil {
		t.Fatalf("second Put: %v", err)
	}
	if got, err := v.Get(ctx, name); err != nil || !bytes.Equal(got, want2) {
		t.Fatalf("Get after overwrite: %v", err)
	}
	if _, err := store.Get(testService, chunkUser(name, info.Generation, 0)); !isNotFound(err) {
		t.Fatalf("the old generation was not swept: %v", err)
	}
	if err := v.Delete(ctx, name); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := v.Get(ctx, name); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get after Delete: %v", err)
	}
	for gen := 1; gen <= 2; gen++ {
		if _, err := store.Get(testService, chunkUser(name, gen, 0)); !isNotFound(err) {
			t.Fatalf("a chunk of generation %d survived Delete: %v", gen, err)
		}
	}

	// DeleteAll, with go-keyring's service-wide wipe behind it.
	if err := v.PutClientSecret(ctx, "11111111-2222-3333-4444-555555555555", "test-secret-"+name, time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := store.Set(testService, "stray-"+name, "left by an older version"); err != nil {
		t.Fatal(err)
	}
	if err := v.DeleteAll(ctx); err != nil {
		t.Fatalf("DeleteAll: %v", err)
	}
	if _, _, _, err := v.ClientSecret(ctx); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ClientSecret after DeleteAll: %v", err)
	}
	if _, err := store.Get(testService, "stray-"+name); !isNotFound(err) {
		t.Fatalf("a stray item survived DeleteAll: %v", err)
	}
}

const noBusChildEnv = "ONBOARD365_VAULT_NO_BUS_CHILD"

// Linux without a Secret Service: the child process runs with a D-Bus address that leads
// nowhere, and must get the plain sentence, not a hang or a fallback.
func TestOSKeychainUnavailable(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service is Linux's")
	}
	if os.Getenv(noBusChildEnv) == "1" {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		err := NewForService(OSKeychain(), testService).Put(ctx, "unavailable", []byte("secret"))
		var ue *UnavailableError
		if !errors.As(err, &ue) {
			t.Fatalf("Put without a bus: %v (%T)", err, err)
		}
		fmt.Printf("reason=%s\nmessage=%s\ndetail=%s\n", ue.Reason, ue.Error(), ue.Detail())
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestOSKeychainUnavailable$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), noBusChildEnv+"=1",
		"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/onboard365-test-bus")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "reason="+ReasonNoService.String()) ||
		!strings.Contains(s, "message=Onboard365 could not reach this computer's keychain (the Secret Service). Nothing was stored") ||
		!strings.Contains(s, "install and unlock GNOME Keyring or KWallet") {
		t.Fatalf("child output:\n%s", s)
	}
	t.Logf("without a bus:\n%s", s)
}

// A locked keyring whose unlock prompt cannot be shown (no display): .ci/keyring-test locks the
// login collection and sets ONBOARD365_KEYRING_LOCKED=1. The Put must end within its deadline
// with a plain UnavailableError.
func TestOSKeychainLocked(t *testing.T) {
	if os.Getenv("ONBOARD365_KEYRING_LOCKED") != "1" {
		t.Skip("needs a locked keyring: run through .ci/keyring-test")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	start := time.Now()
	err := NewForService(OSKeychain(), testService).Put(ctx, "locked", []byte("secret"))
	var ue *UnavailableError
	if !errors.As(err, &ue) || (ue.Reason != ReasonLocked && ue.Reason != ReasonTimeout && ue.Reason != ReasonDenied) {
		t.Fatalf("Put into a locked keyring: %v (%T)", err, err)
	}
	t.Logf("after %v: reason %s: %s [%s]", time.Since(start).Round(time.Millisecond), ue.Reason, ue.Error(), ue.Detail())
}
