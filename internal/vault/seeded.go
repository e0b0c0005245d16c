package vault

import (
	"context"
	"sync"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
)

// Seeded is a cache.ExportReplace for a second MSAL client that starts from another one's cache
// (an MSALCache) and then keeps what it gets in its own memory: it hands MSAL the other cache
// once and never writes anything back. The app gives it to the client that fetches the tokens of
// a check over hundreds of customers, whose every token would otherwise export MSAL's whole,
// growing cache (see internal/troubleshoot's BenchmarkDiagnose500).
func Seeded(from cache.ExportReplace) cache.ExportReplace { return &seededCache{from: from} }

type seededCache struct {
	from cache.ExportReplace
	once sync.Once
	err  error
}

func (s *seededCache) Replace(ctx context.Context, u cache.Unmarshaler, h cache.ReplaceHints) error {
	s.once.Do(func() { s.err = s.from.Replace(ctx, u, h) })
	return s.err
}

func (s *seededCache) Export(context.Context, cache.Marshaler, cache.ExportHints) error { return nil }
