package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"reflect"
	"sync"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"
)

// MSALCache is MSAL's cache.ExportReplace on top of a Vault: pass it to public.New with
// public.WithCache.
//
// It keeps MSAL's serialized cache in memory. Replace hands MSAL those bytes (read once, lazily,
// from the vault entry MSALCacheName). Export keeps MSAL's new bytes in memory and marks them
// dirty: it never touches the keychain, because MSAL exports after every token it gets (a run
// over 1,000 customers is 1,000 Exports). The keychain is written only by Flush, and only when
// the part that is stored has changed. The app calls Flush after a verified sign-in (amr has mfa,
// tid and UPN as expected), after each batch of customer tokens, and before it exits; Discard
// after a sign-in that fails those checks, so that nothing of it is stored. StartAutoFlush is
// there for a caller that wants a timer as well.
//
// What is stored is MSAL's cache less what is worth nothing after a restart and would make the
// keychain entry grow with every customer: access tokens (they last about an hour; MSAL gets new
// ones from the refresh token) and the id tokens and accounts MSAL records per customer tenant.
// The refresh token, the home-tenant account and id token, and app metadata are stored. MSAL's
// in-memory copy keeps everything.
//
// Every method is safe for concurrent use: MSAL calls Replace and Export from many goroutines.
type MSALCache struct {
	v    *Vault
	name string

	flushMu sync.Mutex // one Flush, Discard or first load at a time

	mu            sync.Mutex // guards the fields below; never held across a keychain call
	loaded        bool
	data          []byte // MSAL's latest serialized cache; never modified in place
	version       uint64 // counts changes of data
	dirty         bool
	stored        bool     // the keychain holds storedSum (as far as we know)
	storedSum     [32]byte // SHA-256 of the stored (persisted) form
	storedAt      time.Time
	storedRT      map[string]bool // home account IDs with a refresh token in the stored form
	loadErr       error           // a *DamagedError, *NewerError, *UnreadableError or *UnavailableError met when loading, until a Flush replaces the entry
	syncedWith    any             // the MSAL object that last exported data at syncedVersion
	syncedVersion uint64          //
	writes        int             // successful keychain writes (Flush with news)
}

var _ cache.ExportReplace = (*MSALCache)(nil)

// NewMSALCache returns the MSAL cache kept in v under MSALCacheName.
func NewMSALCache(v *Vault) *MSALCache { return &MSALCache{v: v, name: MSALCacheName} }

// load reads the stored cache once. A missing entry is an empty cache; a damaged one, one that a
// newer version wrote, and one MSAL cannot read are an empty cache too (so that the user can sign
// in again), remembered for Load and Summary; a newer version's is never written over (Put).
// An unreachable keychain is an empty cache as well, remembered the same way: the sign-in and its
// verdict still work in memory, and the keychain's trouble is told when the user asks to keep it
// (Flush) or looks at Settings (Summary), not as a failed sign-in.
func (c *MSALCache) load(ctx context.Context) error {
	c.mu.Lock()
	loaded := c.loaded
	c.mu.Unlock()
	if loaded {
		return nil
	}
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	c.mu.Lock()
	loaded = c.loaded
	c.mu.Unlock()
	if loaded {
		return nil
	}
	return c.reloadLocked(ctx)
}

// reloadLocked replaces the in-memory cache with the stored one. c.flushMu is held.
func (c *MSALCache) reloadLocked(ctx context.Context) error {
	b, info, err := c.v.getInfo(ctx, c.name)
	var loadErr error
	switch {
	case err == nil:
	case errors.Is(err, ErrNotFound):
		b = nil
	case errors.Is(err, ErrDamaged), errors.Is(err, ErrNewer):
		b, loadErr = nil, err
	default:
		var unavailable *UnavailableError
		if !errors.As(err, &unavailable) {
			return err
		}
		b, loadErr = nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	stored := err == nil
	if stored {
		if _, ok := sections(b); !ok {
			// Intact (the checksum matched) but not a token cache: MSAL could not read it.
			b, loadErr = nil, &UnreadableError{Name: c.name}
		}
	}
	c.data = b
	c.version++
	c.dirty = false
	c.loaded = true
	c.loadErr = loadErr
	c.syncedWith = nil
	c.stored = stored
	c.storedAt = info.Updated
	c.storedRT = nil
	if c.stored && loadErr == nil {
		c.storedSum = sha256.Sum256(b)
		c.storedRT = refreshTokenAccounts(b)
	}
	return nil
}

// Load reads the stored cache now, if it was not read yet, and reports what it found: nil (also
// when nothing is stored), a *DamagedError when the stored sign-in is damaged, a *NewerError when
// a newer version saved it, an *UnreadableError when MSAL cannot read it (in those three cases
// the user must forget it or sign in again; MSAL sees an empty cache), or an *UnavailableError.
// Calling it is optional: Replace loads on first use.
func (c *MSALCache) Load(ctx context.Context) error {
	if err := c.load(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.loadErr
}

// Replace implements cache.ExportReplace: it hands MSAL the in-memory cache.
func (c *MSALCache) Replace(ctx context.Context, u cache.Unmarshaler, _ cache.ReplaceHints) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := c.load(ctx); err != nil {
		return err
	}
	c.mu.Lock()
	data, version := c.data, c.version
	// MSAL's object already holds exactly these bytes when it is the one that exported them and
	// nothing changed since: skip a full unmarshal (the cache can be megabytes with 1,000 customers).
	same := version == c.syncedVersion && sameObject(u, c.syncedWith)
	c.mu.Unlock()
	if same {
		return nil
	}
	if len(data) == 0 {
		data = []byte("{}") // an empty cache: also wipes what a discarded sign-in left in MSAL
	}
	if err := u.Unmarshal(data); err != nil {
		// Never wrap the decoder's message: it may quote part of the cache. A stored cache that
		// MSAL cannot read must not make every sign-in fail for ever: MSAL gets an empty cache,
		// and the problem is told (Load, Summary) until the user forgets it or a new sign-in that
		// is kept replaces it.
		c.mu.Lock()
		if c.version == version {
			c.data, c.version, c.syncedWith = nil, c.version+1, nil
			if c.loadErr == nil {
				c.loadErr = &UnreadableError{Name: c.name}
			}
		}
		c.mu.Unlock()
		if err := u.Unmarshal([]byte("{}")); err != nil {
			return errors.New("vault: MSAL could not read the token cache")
		}
		return nil
	}
	return nil
}

// Export implements cache.ExportReplace: it keeps MSAL's bytes in memory and marks them dirty.
func (c *MSALCache) Export(ctx context.Context, m cache.Marshaler, _ cache.ExportHints) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := m.Marshal()
	if err != nil {
		return errors.New("vault: MSAL could not serialize the token cache")
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.loaded = true // what MSAL exports is newer than anything stored
	if !bytes.Equal(b, c.data) {
		c.data = b
		c.version++
		c.dirty = true
	}
	c.syncedWith, c.syncedVersion = m, c.version
	return nil
}

// Flush writes the cache to the keychain if it changed since it was last stored (comparing the
// stored form, so a new access token alone writes nothing). It returns nil without touching the
// keychain when there is no news.
func (c *MSALCache) Flush(ctx context.Context) error {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	c.mu.Lock()
	if !c.dirty {
		c.mu.Unlock()
		return nil
	}
	data, version := c.data, c.version
	stored, storedSum := c.stored, c.storedSum
	c.mu.Unlock()

	p := persistable(data)
	sum := sha256.Sum256(p)
	if !stored || sum != storedSum {
		info, err := c.v.put(ctx, c.name, p)
		if err != nil {
			return err
		}
		rts := refreshTokenAccounts(p)
		c.mu.Lock()
		c.stored, c.storedSum, c.storedAt, c.storedRT = true, sum, info.Updated, rts
		c.loadErr = nil
		c.writes++
		c.mu.Unlock()
	}
	c.mu.Lock()
	if c.version == version { // no Export came in while we were writing
		c.dirty = false
	}
	c.mu.Unlock()
	return nil
}

// Discard drops every change not yet flushed and reads the stored cache again. MSAL's own memory
// follows on its next call (every MSAL call starts with Replace). If the keychain cannot be read,
// the changes are dropped all the same, and the error is returned. Call it when no other MSAL
// call is in flight: one that is could export the discarded tokens again.
func (c *MSALCache) Discard(ctx context.Context) error {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	err := c.reloadLocked(ctx)
	if err != nil {
		c.mu.Lock()
		c.data, c.version, c.dirty, c.loaded, c.syncedWith = nil, c.version+1, false, false, nil
		c.mu.Unlock()
	}
	return err
}

// Dirty reports whether there are changes that Flush would look at.
func (c *MSALCache) Dirty() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dirty
}

// Writes is the number of times this cache wrote the keychain.
func (c *MSALCache) Writes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

// StartAutoFlush flushes every interval until ctx ends or the returned stop is called. stop
// waits for the timer goroutine, flushes once more and returns that flush's error. Optional: the
// app flushes at the moments that matter anyway (after a verified sign-in, after each batch of
// customer tokens, before exit). A failed timed flush is retried at the next tick.
func (c *MSALCache) StartAutoFlush(ctx context.Context, every time.Duration) (stop func() error) {
	if every <= 0 {
		every = time.Minute
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				_ = c.Flush(ctx) // the error stays for the next tick, or for stop, to meet again
			}
		}
	}()
	var once sync.Once
	var result error
	return func() error {
		once.Do(func() {
			cancel()
			<-done
			result = c.Flush(context.Background()) // DefaultTimeout applies
		})
		return result
	}
}

// sameObject reports whether a and b are the same pointer. Comparing interface values whose
// dynamic type is not comparable would panic, so only pointers are compared.
func sameObject(a, b any) bool {
	if a == nil || b == nil {
		return false
	}
	ta := reflect.TypeOf(a)
	if ta != reflect.TypeOf(b) || ta.Kind() != reflect.Pointer {
		return false
	}
	return a == b
}
