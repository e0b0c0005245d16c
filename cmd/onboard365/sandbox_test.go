package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// onSandbox starts a sandbox and signs its technician in as every command does on --sandbox
// (factory.signedIn), with a keychain in memory; the sandbox stops when the test ends.
func onSandbox(t *testing.T, opts sandbox.Options) (*sandbox.Server, *app.Account) {
	t.Helper()
	f := &factory{stderr: io.Discard, useSandbox: true, opts: opts, store: app.MemoryKeychain()}
	t.Cleanup(f.close)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	a, err := f.signedIn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return f.running[0], a
}
