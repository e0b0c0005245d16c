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
				x, y := tt.a.newID("group", "GDAP - Reports Reader"), tt.b.newID("group", "GDAP - Reports Reader")
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

func TestSeededIDsDependOnWhatTheyNameNotOnOrder(t *testing.T) {
	a, b := newIDSource(365), newIDSource(365)
	a1, a2 := a.newID("group", "one"), a.newID("group", "two")
	b2, b1 := b.newID("group", "two"), b.newID("group", "one")
	if a1 != b1 || a2 != b2 {
		t.Errorf("the order of creation changed the ids: %s/%s against %s/%s", a1, a2, b1, b2)
	}
	if again := a.newID("group", "one"); again == a1 {
		t.Errorf("a second object with the same key got the same id %s", again)
	}
	var long [45]byte
	a.read(long[:], "secret", "app")
	if long[40] == 0 && long[41] == 0 && long[42] == 0 && long[43] == 0 && long[44] == 0 {
		t.Error("a read longer than one hash left its tail empty")
	}
}
