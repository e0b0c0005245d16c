// Package filelock is a lock that holds across processes: the window and a scheduled watch that
// append to the same audit log, or write the same state file, take it first and so never write at
// the same time.
//
// The lock is the operating system's own lock on an open file (flock on Linux and macOS,
// LockFileEx on Windows), so a process that dies, however it dies, lets go of it: no stale lock
// file is ever left to clear by hand. The lock file itself stays on disk, empty; removing it
// while others wait would let two holders in, so nothing here removes it.
//
// Use:
//
//	l, err := filelock.Acquire(ctx, path+".lock")
//	if err != nil {
//		return fmt.Errorf("waiting for the audit log: %w", err)
//	}
//	defer l.Release()
package filelock

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Lock is a lock this process holds. Release it when done; it is not for use by two goroutines.
type Lock struct {
	f *os.File
}

// pollFirst and pollMost bound how often Acquire asks again while another process holds the lock.
const (
	pollFirst = 2 * time.Millisecond
	pollMost  = 50 * time.Millisecond
)

// Acquire waits until this process holds the lock on the file at path, or ctx ends (then the
// error wraps ctx.Err()). The file and its folder are made when missing (mode 0600 and 0700).
// Two Acquire calls in one process exclude each other too: each opens the file anew.
func Acquire(ctx context.Context, path string) (*Lock, error) {
	wait := pollFirst
	for {
		l, ok, err := TryAcquire(path)
		if err != nil || ok {
			return l, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("waiting for the lock on %s: %w", filepath.Base(path), ctx.Err())
		case <-t.C:
		}
		if wait *= 2; wait > pollMost {
			wait = pollMost
		}
	}
}

// TryAcquire takes the lock when it is free. It answers ok false, without error, when another
// holder has it.
func TryAcquire(path string) (l *Lock, ok bool, err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("making the folder for the lock %s: %w", filepath.Base(path), err)
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("opening the lock %s: %w", filepath.Base(path), err)
	}
	held, err := tryLock(f)
	if err != nil || !held {
		f.Close()
		if err != nil {
			return nil, false, fmt.Errorf("taking the lock %s: %w", filepath.Base(path), err)
		}
		return nil, false, nil
	}
	return &Lock{f: f}, true, nil
}

// Release lets go of the lock. Releasing twice, or a nil Lock, does nothing.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	f := l.f
	l.f = nil
	err := unlock(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("releasing the lock %s: %w", filepath.Base(f.Name()), err)
	}
	return nil
}
