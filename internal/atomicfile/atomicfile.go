// Package atomicfile writes a file in one step: whoever reads it (another process, a scheduler,
// the app after a crash) sees the old content or the new, never half of it.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write puts data at path: into a new file beside it (mode 0600: the user's alone), flushed to
// the disk, then renamed over path, and the folder flushed too where the system allows it. The
// folder is made (mode 0700) when missing.
func Write(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	SyncDir(dir)
	return nil
}

// SyncDir flushes a folder's entries (a file made or renamed in it) to the disk where the system
// allows it (not on Windows, where opening a folder for this fails; there is nothing to do then).
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
