package sandbox

import "testing"

func TestAppIDIsTheStableID(t *testing.T) {
	if got := stableID("application", "onboard365"); got != AppID {
		t.Fatalf("AppID = %s, but stableID gives %s", AppID, got)
	}
}
