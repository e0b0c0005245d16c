package main

import (
	"os"
	"path/filepath"
)

// Every test of this package keeps what the app writes in the user's configuration folder (the
// audit logs, the last health check, the watch's memory, profiles of one's own) in a folder of
// the test binary's own, never in the configuration of the person running the tests. A test
// that needs a folder of its own sets XDG_CONFIG_HOME again.
//
// (The folder is left in the temporary folder: it holds nothing secret, and CI scans it.)
func init() {
	if os.Getenv("ONBOARD365_RUN_MAIN") == "1" || os.Getenv("ONBOARD365_PROBE_GL") == "1" {
		return // the test binary started as the app itself (gl_test.go), with the folders its test chose
	}
	dir, err := os.MkdirTemp("", "onboard365-test-config-")
	if err != nil {
		panic(err)
	}
	for _, v := range []string{"XDG_CONFIG_HOME", "AppData"} {
		os.Setenv(v, filepath.Join(dir, "config"))
	}
}
