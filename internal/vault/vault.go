// Package vault keeps Onboard365's secrets (MSAL's token cache with the partner refresh token,
// and the app registration's client secret) in the OS keychain, and nowhere else.
//
// # Layout in the keychain
//
// Every item lives under the service "io.github.onboard365"; the item's "user" is its name. A
// value of any size is stored as:
//
//   - chunks "NAME.g<gen>.<i>" (i = 0, 1, ...), each the base64 of at most ChunkSize bytes, so
//     that every stored string is at most 1,920 bytes: under Windows' 2,560-byte limit, and under
//     macOS' ~3,000 bytes even after go-keyring base64-encodes it again (2,560 + 18 bytes of
//     prefix + service and account names);
//   - the manifest "NAME": JSON {v, generation, chunks, sha256, length, updated}.
//
// There are two generations, 1 and 2 (double buffering). Put writes all chunks of the generation
// that the manifest does NOT name, then the manifest (one atomic keychain write that switches
// readers to the new value), then sweeps the other generation. A crash or error at any moment
// leaves the old manifest with its untouched chunks, or the new manifest with its complete chunks:
// the old value or the new one, never a mix. Chunks are written in ascending order and swept in
// descending order, so leftovers of an interrupted Put or sweep are always a run that the next
// sweep finds; nothing accumulates.
//
// Get checks the length and SHA-256 named by the manifest: a missing or altered chunk gives a
// DamagedError (errors.Is(err, ErrDamaged)) whose message tells the user to sign in again.
//
// A keychain that is missing, locked or refuses access gives an UnavailableError with a plain
// sentence. No operation ever falls back to a file or to any other storage.
//
// Keychain calls can block (an unlock prompt waits for the user), so every operation honours its
// context and, when the context has no deadline, gives up after DefaultTimeout. Calls to the Store
// are serialized; a call abandoned on timeout still holds its place, so a later operation never
// overtakes a write that is still in flight.
package vault

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"time"
)

const (
	// Service is the keychain service name of every item Onboard365 writes.
	Service = "io.github.onboard365"

	// ChunkSize is the number of value bytes per chunk item. Base64 makes 1,920 bytes of it.
	ChunkSize = 1440

	// MaxValueSize bounds one value (8 MiB, about 5,800 chunks).
	MaxValueSize = 8 << 20

	// DefaultTimeout bounds one Vault operation whose context has no deadline. It is long because
	// the keychain may be waiting for the user to answer an unlock or access prompt.
	DefaultTimeout = 2 * time.Minute

	// MSALCacheName is the entry that holds MSAL's token cache (MSALCache).
	MSALCacheName = "msal-cache"
	// ClientSecretName is the entry that holds the app registration's client secret.
	ClientSecretName = "client-secret"
)

// KnownNames are the entries the app writes. DeleteAll removes these whether or not this process
// wrote them.
func KnownNames() []string { return []string{MSALCacheName, ClientSecretName} }

const (
	manifestVersion = 1
	maxChunks       = (MaxValueSize + ChunkSize - 1) / ChunkSize
)

// names of entries: lower-case letters, digits and dashes. No dots, so that a name can never be
// mistaken for a chunk ("NAME.g1.0") of another.
var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// Info describes a stored entry, without its value.
type Info struct {
	Name       string
	Generation int       // 1 or 2
	Chunks     int       // number of chunk items
	Length     int       // bytes of the value
	SHA256     string    // hex SHA-256 of the value
	Updated    time.Time // when the value was written (UTC, from this computer's clock)
}

type manifest struct {
	Version    int       `json:"v"`
	Generation int       `json:"generation"`
	Chunks     int       `json:"chunks"`
	SHA256     string    `json:"sha256"`
	Length     int       `json:"length"`
	Updated    time.Time `json:"updated"`
}

func (m *manifest) info(name string) Info {
	return Info{Name: name, Generation: m.Generation, Chunks: m.Chunks, Length: m.Length, SHA256: m.SHA256, Updated: m.Updated}
}

// Vault stores named values of any size in a Store, chunked under the keychains' size limits.
// It is safe for concurrent use; its operations run one at a time.
type Vault struct {
	store   Store
	service string
	now     func() time.Time

	op   chan struct{} // held for the whole of one Vault operation
	busy chan struct{} // held while a Store call runs (even one whose caller gave up)

	mu      sync.Mutex
	written map[string]bool // names written by this Vault, for DeleteAll
}

// New returns a Vault that keeps its entries in store under Service.
func New(store Store) *Vault { return NewForService(store, Service) }

// NewForService is New with another service name: for tests that use the real keychain and must
// not touch the app's own entries.
func NewForService(store Store, service string) *Vault {
	return &Vault{
		store:   store,
		service: service,
		now:     time.Now,
		op:      make(chan struct{}, 1),
		busy:    make(chan struct{}, 1),
		written: map[string]bool{},
	}
}

// Service is the keychain service name this Vault uses.
func (v *Vault) Service() string { return v.service }

func chunkUser(name string, gen, i int) string {
	return name + ".g" + strconv.Itoa(gen) + "." + strconv.Itoa(i)
}

func checkName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("vault: %q is not a valid entry name (use lower-case letters, digits and dashes)", name)
	}
	return nil
}

// begin applies the default timeout and takes the operation lock.
func (v *Vault) begin(ctx context.Context, op Op) (context.Context, func(), error) {
	cancel := func() {}
	if _, ok := ctx.Deadline(); !ok {
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
	}
	select {
	case v.op <- struct{}{}:
		return ctx, func() { <-v.op; cancel() }, nil
	case <-ctx.Done():
		cancel()
		return nil, nil, &UnavailableError{Op: op, Reason: classify(ctx.Err()), Err: ctx.Err()}
	}
}

// call runs one Store call, giving up (but leaving it to finish in the background, still holding
// v.busy) when ctx ends. A panic in the Store becomes an error without the panic's value, which
// might hold anything.
func (v *Vault) call(ctx context.Context, op Op, fn func() error) error {
	select {
	case v.busy <- struct{}{}:
	case <-ctx.Done():
		return &UnavailableError{Op: op, Reason: classify(ctx.Err()), Err: ctx.Err()}
	}
	done := make(chan error, 1)
	go func() {
		defer func() { <-v.busy }()
		defer func() {
			if r := recover(); r != nil {
				done <- errors.New("the keychain library failed unexpectedly (panic)")
			}
		}()
		done <- fn()
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return &UnavailableError{Op: op, Reason: classify(ctx.Err()), Err: ctx.Err()}
	}
}

func (v *Vault) get(ctx context.Context, user string) (string, error) {
	var s string
	err := v.call(ctx, OpRead, func() error {
		var err error
		s, err = v.store.Get(v.service, user)
		return err
	})
	return s, err
}

func (v *Vault) set(ctx context.Context, user, value string) error {
	return v.call(ctx, OpStore, func() error { return v.store.Set(v.service, user, value) })
}

func (v *Vault) del(ctx context.Context, user string) error {
	return v.call(ctx, OpDelete, func() error { return v.store.Delete(v.service, user) })
}

// asUnavailable wraps a Store error (not "not found") for the user.
func asUnavailable(op Op, err error) error {
	var ue *UnavailableError
	if errors.As(err, &ue) {
		c := *ue
		c.Op = op
		return &c
	}
	return unavailable(op, err)
}

// readManifest returns the manifest of name; (nil, nil) when there is none; a *DamagedError when
// it is unreadable; an *UnavailableError when the keychain fails.
func (v *Vault) readManifest(ctx context.Context, name string) (*manifest, error) {
	s, err := v.get(ctx, name)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, asUnavailable(OpRead, err)
	}
	var m manifest
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		// json's message may quote the input; the manifest holds no secret, but keep it out anyway.
		return nil, &DamagedError{Name: name, Detail: "the manifest is not valid JSON"}
	}
	if detail := m.check(); detail != "" {
		return nil, &DamagedError{Name: name, Detail: detail}
	}
	return &m, nil
}

func (m *manifest) check() string {
	switch {
	case m.Version != manifestVersion:
		return "the manifest has an unknown version " + strconv.Itoa(m.Version)
	case m.Generation != 1 && m.Generation != 2:
		return "the manifest names an unknown generation " + strconv.Itoa(m.Generation)
	case m.Length < 0 || m.Length > MaxValueSize:
		return "the manifest gives an impossible length"
	case m.Chunks != (m.Length+ChunkSize-1)/ChunkSize:
		return "the manifest's chunk count does not fit its length"
	case len(m.SHA256) != 64:
		return "the manifest's checksum is malformed"
	}
	return ""
}

// Put stores value under name, replacing what was there. See the package comment for how a crash
// at any moment leaves the old value or the new one.
func (v *Vault) Put(ctx context.Context, name string, value []byte) error {
	_, err := v.put(ctx, name, value)
	return err
}

func (v *Vault) put(ctx context.Context, name string, value []byte) (Info, error) {
	if err := checkName(name); err != nil {
		return Info{}, err
	}
	if len(value) > MaxValueSize {
		return Info{}, fmt.Errorf("vault: a value of %d bytes is too large for the keychain (the limit is %d bytes)", len(value), MaxValueSize)
	}
	ctx, end, err := v.begin(ctx, OpStore)
	if err != nil {
		return Info{}, err
	}
	defer end()

	old, err := v.readManifest(ctx, name)
	if err != nil && !errors.Is(err, ErrDamaged) {
		return Info{}, asUnavailable(OpStore, err) // the read failed: nothing was stored
	}
	gen := 1
	if old != nil && old.Generation == 1 {
		gen = 2
	}

	v.mu.Lock()
	v.written[name] = true
	v.mu.Unlock()

	sum := sha256.Sum256(value)
	m := manifest{
		Version:    manifestVersion,
		Generation: gen,
		Chunks:     (len(value) + ChunkSize - 1) / ChunkSize,
		SHA256:     hex.EncodeToString(sum[:]),
		Length:     len(value),
		Updated:    v.now().UTC().Truncate(time.Second),
	}
	for i := 0; i < m.Chunks; i++ {
		part := value[i*ChunkSize : min((i+1)*ChunkSize, len(value))]
		if err := v.set(ctx, chunkUser(name, gen, i), base64.StdEncoding.EncodeToString(part)); err != nil {
			return Info{}, asUnavailable(OpStore, err)
		}
	}
	mj, err := json.Marshal(m)
	if err != nil {
		return Info{}, fmt.Errorf("vault: encoding the manifest: %w", err)
	}
	if err := v.set(ctx, name, string(mj)); err != nil {
		return Info{}, asUnavailable(OpStore, err)
	}

	// The new value is in place. Sweeping is housekeeping: a failure here leaves leftovers that
	// the next Put or Delete sweeps, and does not make this Put fail.
	oldHint := 0
	if old != nil && old.Generation != gen {
		oldHint = old.Chunks
	}
	if err := v.sweep(ctx, name, 3-gen, 0, oldHint); err == nil {
		_ = v.sweep(ctx, name, gen, m.Chunks, m.Chunks)
	}
	return m.info(name), nil
}

// sweep deletes the chunks of generation gen from index from on. It probes (with Get) for the end
// of the run starting at max(from, hint), then deletes from the end down to from, so that an
// interruption leaves a run starting at from, which the next sweep finds.
func (v *Vault) sweep(ctx context.Context, name string, gen, from, hint int) error {
	end := max(from, hint)
	for end < maxChunks {
		_, err := v.get(ctx, chunkUser(name, gen, end))
		if isNotFound(err) {
			break
		}
		if err != nil {
			return asUnavailable(OpDelete, err)
		}
		end++
	}
	for i := end - 1; i >= from; i-- {
		if err := v.del(ctx, chunkUser(name, gen, i)); err != nil && !isNotFound(err) {
			return asUnavailable(OpDelete, err)
		}
	}
	return nil
}

// Get returns the value stored under name: ErrNotFound when there is none, a *DamagedError when it
// is incomplete or altered, an *UnavailableError when the keychain cannot be used.
func (v *Vault) Get(ctx context.Context, name string) ([]byte, error) {
	b, _, err := v.getInfo(ctx, name)
	return b, err
}

func (v *Vault) getInfo(ctx context.Context, name string) ([]byte, Info, error) {
	if err := checkName(name); err != nil {
		return nil, Info{}, err
	}
	ctx, end, err := v.begin(ctx, OpRead)
	if err != nil {
		return nil, Info{}, err
	}
	defer end()

	// Another process (a second copy of the app) may replace the value while we read it; then the
	// checksum fails and the manifest has changed: read again, a few times.
	for attempt := 0; ; attempt++ {
		m, err := v.readManifest(ctx, name)
		if err != nil {
			return nil, Info{}, err
		}
		if m == nil {
			return nil, Info{}, ErrNotFound
		}
		b, err := v.readChunks(ctx, name, m)
		if err == nil {
			return b, m.info(name), nil
		}
		if !errors.Is(err, ErrDamaged) || attempt >= 2 {
			return nil, Info{}, err
		}
		again, err2 := v.readManifest(ctx, name)
		if err2 != nil || again == nil || (again.Generation == m.Generation && again.SHA256 == m.SHA256) {
			return nil, Info{}, err
		}
	}
}

func (v *Vault) readChunks(ctx context.Context, name string, m *manifest) ([]byte, error) {
	out := make([]byte, 0, m.Length)
	for i := 0; i < m.Chunks; i++ {
		s, err := v.get(ctx, chunkUser(name, m.Generation, i))
		if isNotFound(err) {
			return nil, &DamagedError{Name: name, Detail: fmt.Sprintf("chunk %d of %d of generation %d is missing", i+1, m.Chunks, m.Generation)}
		}
		if err != nil {
			return nil, asUnavailable(OpRead, err)
		}
		part, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(part) > ChunkSize || len(out)+len(part) > m.Length {
			return nil, &DamagedError{Name: name, Detail: fmt.Sprintf("chunk %d of %d of generation %d is malformed", i+1, m.Chunks, m.Generation)}
		}
		out = append(out, part...)
	}
	sum := sha256.Sum256(out)
	if len(out) != m.Length || hex.EncodeToString(sum[:]) != m.SHA256 {
		return nil, &DamagedError{Name: name, Detail: "the chunks do not match the manifest's length and checksum"}
	}
	return out, nil
}

// Stat describes the entry under name without reading its value: ErrNotFound when there is none.
func (v *Vault) Stat(ctx context.Context, name string) (Info, error) {
	if err := checkName(name); err != nil {
		return Info{}, err
	}
	ctx, end, err := v.begin(ctx, OpRead)
	if err != nil {
		return Info{}, err
	}
	defer end()
	m, err := v.readManifest(ctx, name)
	if err != nil {
		return Info{}, err
	}
	if m == nil {
		return Info{}, ErrNotFound
	}
	return m.info(name), nil
}

// Delete removes the entry under name and all its chunks, including leftovers of interrupted
// writes. Deleting what is not there is not an error. The manifest goes first, so that from that
// moment the value reads as absent, never as damaged.
func (v *Vault) Delete(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	ctx, end, err := v.begin(ctx, OpDelete)
	if err != nil {
		return err
	}
	defer end()
	return v.deleteLocked(ctx, name)
}

func (v *Vault) deleteLocked(ctx context.Context, name string) error {
	m, err := v.readManifest(ctx, name)
	if err != nil && !errors.Is(err, ErrDamaged) {
		return asUnavailable(OpDelete, err)
	}
	if err := v.del(ctx, name); err != nil && !isNotFound(err) {
		return asUnavailable(OpDelete, err)
	}
	for gen := 1; gen <= 2; gen++ {
		hint := 0
		if m != nil && m.Generation == gen {
			hint = m.Chunks
		}
		if err := v.sweep(ctx, name, gen, 0, hint); err != nil {
			return err
		}
	}
	v.mu.Lock()
	delete(v.written, name)
	v.mu.Unlock()
	return nil
}

// Names lists the entries DeleteAll removes: KnownNames and every other name this Vault wrote.
func (v *Vault) Names() []string {
	names := KnownNames()
	v.mu.Lock()
	for n := range v.written {
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	v.mu.Unlock()
	slices.Sort(names)
	return names
}

// DeleteAll removes every entry the app wrote ("sign out and forget"): each of Names(), then,
// when the Store can (the OS keychain can), every remaining item of the service, so that not even
// a chunk orphaned by a crash survives. It tries everything and returns the first error.
func (v *Vault) DeleteAll(ctx context.Context) error {
	ctx, end, err := v.begin(ctx, OpDelete)
	if err != nil {
		return err
	}
	defer end()
	var first error
	for _, name := range v.Names() {
		if err := v.deleteLocked(ctx, name); err != nil && first == nil {
			first = err
		}
	}
	if w, ok := v.store.(ServiceWiper); ok {
		err := v.call(ctx, OpDelete, func() error { return w.DeleteAll(v.service) })
		if err != nil && !isNotFound(err) && first == nil {
			first = asUnavailable(OpDelete, err)
		}
	}
	return first
}
