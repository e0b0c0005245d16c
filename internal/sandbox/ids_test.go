package sandbox

import (
	"regexp"
	"testing"
)

func TestIDSourceRepeatsFromASeedOnly(t *testing.T) {
	guid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tests := []struct {
		name       string
		a, b       *idSource
		wantRepeat bool
	}{
		{"same seed", newIDSource(7), newIDSource(7), true},
		{"other seed", newIDSource(7), newIDSource(8), false},
		{"no seed", newIDSource(0), newIDSource(0), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := 0; i < 3; i++ {
				x, y := tt.a.newID(), tt.b.newID()
				if !guid.MatchString(x) || !guid.MatchString(y) {
					t.Fatalf("not a version-4 GUID: %s, %s", x, y)
				}
				if (x == y) != tt.wantRepeat {
					t.Errorf("id %d: %s and %s, want repeat=%v", i, x, y, tt.wantRepeat)
				}
			}
		})
	}
}
