// Package chromiumtest finds the Chromium that the browser tests drive (Debian's package
// "chromium"): the sign-in test's real browser and the reports' page-fit test.
package chromiumtest

import (
	"os"
	"testing"
)

// Path is where Debian installs Chromium.
const Path = "/usr/bin/chromium"

// Find returns Chromium's path, or skips the test when it is not installed. On CI (CI=true) a
// missing Chromium fails the test instead: .ci/run must install it.
func Find(t testing.TB) string {
	t.Helper()
	if _, err := os.Stat(Path); err != nil {
		const reason = "chromium is not installed: .ci/run must install it"
		if os.Getenv("CI") == "true" {
			t.Fatal(reason)
		}
		t.Skip(reason)
	}
	return Path
}
