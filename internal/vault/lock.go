package vault

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/onboard365/onboard365/internal/filelock"
)

// Two copies of the app (a window and a scheduled check, or two windows) may save at the same
// moment. The keychain has no transactions, so writes (Put, Delete, DeleteAll) take an exclusive
// lock on a file in the user's cache folder first: one file per keychain service, so that the
// sandbox's and the real tenant's entries do not wait on each other. The file holds nothing; the
// operating system releases the lock when the process ends, even on a crash. Reads take no lock:
// they check the checksum and read again when a write overtook them.
//
// Where there is no cache folder (or it cannot be written), writes go on without the lock; every
// write still has chunks of its own (vault.go), so the entry is never damaged, only a chunk may
// be left over for DeleteAll's service-wide wipe.

// errLockBusy is the Err of the UnavailableError a write gets when another copy of the app held
// the lock until the write's deadline.
var errLockBusy = errors.New("another copy of Onboard365 is saving to the keychain")

// defaultLockPath is the lock file of a service: <user cache folder>/Onboard365/<service>.lock,
// or "" when there is no user cache folder.
func defaultLockPath(service string) string {
	dir, err := os.UserCacheDir()
	if err != nil || dir == "" {
		return ""
	}
	safe := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, service)
	return filepath.Join(dir, "Onboard365", safe+".lock")
}

// lockWrites takes the cross-process lock for one write operation and returns its release. It
// waits for another copy of the app until ctx ends (then an UnavailableError with ReasonBusy).
// When the lock file cannot be made or locked, it returns a no-op release and the write goes on
// unlocked.
func (v *Vault) lockWrites(ctx context.Context, op Op) (func(), error) {
	if v.lockPath == "" {
		return func() {}, nil
	}
	l, err := filelock.Acquire(ctx, v.lockPath)
	switch {
	case errors.Is(err, context.Canceled):
		return nil, &UnavailableError{Op: op, Reason: ReasonCanceled, Err: ctx.Err()}
	case errors.Is(err, context.DeadlineExceeded):
		return nil, &UnavailableError{Op: op, Reason: ReasonBusy, Err: errLockBusy}
	case err != nil: // the file system cannot lock: go on unlocked
		return func() {}, nil
	}
	v.mu.Lock()
	v.locked = true
	v.mu.Unlock()
	return func() {
		v.mu.Lock()
		v.locked = false
		v.mu.Unlock()
		_ = l.Release()
	}, nil
}

// holdsLock says whether the write in progress holds the cross-process lock.
func (v *Vault) holdsLock() bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.locked
}
