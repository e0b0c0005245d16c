package vault

import (
	"context"
	"testing"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
)

type countingCache struct{ replaced, exported int }

func (c *countingCache) Replace(context.Context, cache.Unmarshaler, cache.ReplaceHints) error {
	c.replaced++
	return nil
}

func (c *countingCache) Export(context.Context, cache.Marshaler, cache.ExportHints) error {
	c.exported++
	return nil
}

// Seeded reads the other cache once and never writes to it.
func TestSeededReadsOnceAndNeverWrites(t *testing.T) {
	from := &countingCache{}
	s := Seeded(from)
	for i := 0; i < 3; i++ {
		if err := s.Replace(context.Background(), nil, cache.ReplaceHints{}); err != nil {
			t.Fatal(err)
		}
		if err := s.Export(context.Background(), nil, cache.ExportHints{}); err != nil {
			t.Fatal(err)
		}
	}
	if from.replaced != 1 || from.exported != 0 {
		t.Errorf("the other cache was read %d times and written %d times; want once and never", from.replaced, from.exported)
	}
}
