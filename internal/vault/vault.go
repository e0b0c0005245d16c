// Package vault keeps Onboard365's secrets (MSAL's token cache with the partner refresh token,
// and the app registration's client secret) in the OS keychain, and nowhere else.
//
// # Layout in the keychain
//
// Every item lives under the service "io.github.onboard365"; the item's "user" is its name. A
// value of any size is stored as:
//
//   - chunks "NAME.w<writer>.<i>" (i = 0, 1, ...), each the base64 of at most ChunkSize bytes, so
//     that every stored string is at most 1,920 bytes: under Windows' 2,560-byte limit, and under
//     macOS' ~3,000 bytes even after go-keyring base64-encodes it again (2,560 + 18 bytes of
//     prefix + service and account names). <writer> is 12 random hex digits drawn by each Put:
//     the chunks of one write are its own, and no other write ever touches them;
//   - the manifest "NAME": JSON {v, writer, chunks, sha256, length, updated};
//   - the journal "NAME.next": JSON {writer, replaces}, the writer of the latest Put and the one
//     whose chunks it replaced, so that chunks an interrupted Put left are found and swept.
//
// Put, holding the cross-process lock (lock.go: two copies of the app never write at once),
// sweeps what the journal names and the manifest does not, writes the journal, then all chunks
// of its new writer, then the manifest (one atomic keychain write that switches readers to the
// new value), then sweeps the chunks the manifest named before. A crash or error at any moment
// leaves the old manifest with its untouched chunks, or the new manifest with its complete
// chunks: the old value or the new one, never a mix. Should the lock be out of reach (no cache
// folder), two writers still never mix: each writes its own chunks, and the manifest names one
// writer. Chunks are written in ascending order and swept in descending order, so leftovers of
// an interrupted Put or sweep are always a run that the next sweep finds.
//
// Version 1 of the manifest (two generations, chunks "NAME.g1.<i>" and "NAME.g2.<i>") is still
// read, and swept when replaced. A manifest of a version this package does not know comes from a
// newer Onboard365: it is never overwritten (Put returns a *NewerError) until the user chooses to
// forget it (Delete, DeleteAll).
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
	"crypto/rand"
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
	// WatchNoticesName is the entry that holds how the scheduled watch tells what changed: the
	// Teams and Slack webhook addresses and the mail server's password are secrets.
	WatchNoticesName = "watch-notices"
)

// KnownNames are the entries the app writes. DeleteAll removes these whether or not this process
// wrote them.
func KnownNames() []string { return []string{MSALCacheName, ClientSecretName, WatchNoticesName} }

const (
	// manifestVersion is the manifest this package writes; manifestV1 is still read.
	manifestVersion = 2
	manifestV1      = 1
	maxChunks       = (MaxValueSize + ChunkSize - 1) / ChunkSize
)

// names of entries: lower-case letters, digits and dashes. No dots, so that a name can never be
// mistaken for a chunk ("NAME.w0123456789ab.0") or the journal ("NAME.next") of another.
var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// validWriter is the writer of a version 2 manifest: 12 hex digits.
var validWriter = regexp.MustCompile(`^[0-9a-f]{12}$`)

// Info describes a stored entry, without its value.
type Info struct {
	Name       string
	Version    int       // the manifest's version (1 or 2)
	Generation int       // version 1: 1 or 2; 0 for version 2
	Writer     string    // version 2: the writer whose chunks hold the value
	Chunks     int       // number of chunk items
	Length     int       // bytes of the value
	SHA256     string    // hex SHA-256 of the value
	Updated    time.Time // when the value was written (UTC, from this computer's clock)
}

type manifest struct {
	Version    int       `json:"v"`
	Generation int       `json:"generation,omitempty"` // version 1
	Writer     string    `json:"writer,omitempty"`     // version 2
	Chunks     int       `json:"chunks"`
	SHA256     string    `json:"sha256"`
	Length     int       `json:"length"`
	Updated    time.Time `json:"updated"`
}

func (m *manifest) info(name string) Info {
	return Info{Name: name, Version: m.Version, Generation: m.Generation, Writer: m.Writer, Chunks: m.Chunks, Length: m.Length,
		SHA256: m.SHA256, Updated: m.Updated}
}

// chunk is the item that holds chunk i of the value the manifest describes.
func (m *manifest) chunk(name string, i int) string {
	if m.Version == manifestV1 {
		return chunkUser(name, m.Generation, i)
	}
	return writerChunk(name, m.Writer, i)
}

// same says whether two manifests describe the same write.
func (m *manifest) same(o *manifest) bool {
	return o != nil && m.Version == o.Version && m.Generation == o.Generation && m.Writer == o.Writer && m.SHA256 == o.SHA256
}

// journal is the item "NAME.next": the writer of the latest Put, and the writer it replaced.
type journal struct {
	Writer   string `json:"writer"`
	Replaces string `json:"replaces,omitempty"`
}

func journalUser(name string) string { return name + ".next" }

// Vault stores named values of any size in a Store, chunked under the keychains' size limits.
// It is safe for concurrent use; its operations run one at a time, and its writes one at a time
// with every other Vault of the same service on this computer (lock.go).
type Vault struct {
	store    Store
	service  string
	now      func() time.Time
	lockPath string // the cross-process lock file; "" when there is none (lock.go)

	op   chan struct{} // held for the whole of one Vault operation
	busy chan struct{} // held while a Store call runs (even one whose caller gave up)

	mu      sync.Mutex
	written map[string]bool // names written by this Vault, for DeleteAll
	locked  bool            // the write in progress holds the cross-process lock
}

// New returns a Vault that keeps its entries in store under Service.
func New(store Store) *Vault { return NewForService(store, Service) }

// NewForService is New with another service name: for tests that use the real keychain and must
// not touch the app's own entries.
func NewForService(store Store, service string) *Vault {
	return &Vault{
		store:    store,
		service:  service,
		now:      time.Now,
		lockPath: defaultLockPath(service),
		op:       make(chan struct{}, 1),
		busy:     make(chan struct{}, 1),
		written:  map[string]bool{},
	}
}

// Service is the keychain service name this Vault uses.
func (v *Vault) Service() string { return v.service }

// UseClock makes the Vault date what it writes (Info.Updated, and so when a kept sign-in was
// last renewed) by now instead of the computer's clock: the app's fixed clock in the user
// guide's pictures and in tests of the scheduled watch. Call it before the Vault is used.
func (v *Vault) UseClock(now func() time.Time) { v.now = now }

// chunkUser is chunk i of generation gen, as version 1 names it.
func chunkUser(name string, gen, i int) string {
	return name + ".g" + strconv.Itoa(gen) + "." + strconv.Itoa(i)
}

// writerChunk is chunk i of writer w, as version 2 names it.
func writerChunk(name, w string, i int) string {
	return name + ".w" + w + "." + strconv.Itoa(i)
}

// newWriter draws the writer of one Put.
func newWriter() (string, error) {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("vault: drawing a random name for the new chunks: %w", err)
	}
	return hex.EncodeToString(b), nil
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
// it is unreadable; a *NewerError when a newer Onboard365 wrote it; an *UnavailableError when the
// keychain fails.
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
	if m.Version > manifestVersion {
		return nil, &NewerError{Name: name, Version: m.Version}
	}
	if detail := m.check(); detail != "" {
		return nil, &DamagedError{Name: name, Detail: detail}
	}
	return &m, nil
}

func (m *manifest) check() string {
	switch {
	case m.Version != manifestVersion && m.Version != manifestV1:
		return "the manifest has an unknown version " + strconv.Itoa(m.Version)
	case m.Version == manifestV1 && m.Generation != 1 && m.Generation != 2:
		return "the manifest names an unknown generation " + strconv.Itoa(m.Generation)
	case m.Version == manifestVersion && !validWriter.MatchString(m.Writer):
		return "the manifest names no valid writer"
	case m.Length < 0 || m.Length > MaxValueSize:
		return "the manifest gives an impossible length"
	case m.Chunks != (m.Length+ChunkSize-1)/ChunkSize:
		return "the manifest's chunk count does not fit its length"
	case len(m.SHA256) != 64:
		return "the manifest's checksum is malformed"
	}
	return ""
}

// readJournal returns the journal of name, or a zero journal when there is none or it cannot be
// read (a journal only ever helps to sweep).
func (v *Vault) readJournal(ctx context.Context, name string) (journal, error) {
	s, err := v.get(ctx, journalUser(name))
	if isNotFound(err) {
		return journal{}, nil
	}
	if err != nil {
		return journal{}, asUnavailable(OpRead, err)
	}
	var j journal
	if json.Unmarshal([]byte(s), &j) != nil {
		return journal{}, nil
	}
	if !validWriter.MatchString(j.Writer) {
		j.Writer = ""
	}
	if !validWriter.MatchString(j.Replaces) {
		j.Replaces = ""
	}
	return j, nil
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
	unlock, err := v.lockWrites(ctx, OpStore)
	if err != nil {
		return Info{}, err
	}
	defer unlock()

	old, err := v.readManifest(ctx, name)
	var newer *NewerError
	switch {
	case errors.As(err, &newer):
		return Info{}, err // never overwrite what a newer version wrote; the user may Delete it
	case err != nil && !errors.Is(err, ErrDamaged):
		return Info{}, asUnavailable(OpStore, err) // the read failed: nothing was stored
	}
	j, err := v.readJournal(ctx, name)
	if err != nil {
		return Info{}, asUnavailable(OpStore, err)
	}
	// Leftovers of an interrupted Put: the journal's writers that the manifest does not name.
	current := ""
	if old != nil && old.Version == manifestVersion {
		current = old.Writer
	}
	for _, w := range []string{j.Writer, j.Replaces} {
		if w != "" && w != current {
			if err := v.sweepWriter(ctx, name, w, 0, 0); err != nil {
				return Info{}, asUnavailable(OpStore, err)
			}
		}
	}

	v.mu.Lock()
	v.written[name] = true
	v.mu.Unlock()

	w, err := newWriter()
	if err != nil {
		return Info{}, err
	}
	jb, _ := json.Marshal(journal{Writer: w, Replaces: current})
	if err := v.set(ctx, journalUser(name), string(jb)); err != nil {
		return Info{}, asUnavailable(OpStore, err)
	}
	sum := sha256.Sum256(value)
	m := manifest{
		Version: manifestVersion,
		Writer:  w,
		Chunks:  (len(value) + ChunkSize - 1) / ChunkSize,
		SHA256:  hex.EncodeToString(sum[:]),
		Length:  len(value),
		Updated: v.now().UTC().Truncate(time.Second),
	}
	for i := 0; i < m.Chunks; i++ {
		part := value[i*ChunkSize : min((i+1)*ChunkSize, len(value))]
		if err := v.set(ctx, m.chunk(name, i), base64.StdEncoding.EncodeToString(part)); err != nil {
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
	// the next Put or Delete sweeps (the journal names them), and does not make this Put fail.
	switch {
	case old != nil && old.Version == manifestVersion:
		_ = v.sweepWriter(ctx, name, old.Writer, 0, old.Chunks)
	case old != nil && old.Version == manifestV1:
		_ = v.sweep(ctx, name, old.Generation, 0, old.Chunks)
		_ = v.sweep(ctx, name, 3-old.Generation, 0, 0)
	default: // nothing before, or a damaged manifest: whatever version 1 may have left
		_ = v.sweep(ctx, name, 1, 0, 0)
		_ = v.sweep(ctx, name, 2, 0, 0)
	}
	if !v.holdsLock() {
		// Without the lock another copy of the app may have written at the same time: if its
		// manifest came last, these chunks are nobody's, and go.
		if again, err := v.readManifest(ctx, name); err == nil && again != nil && !again.same(&m) {
			_ = v.sweepWriter(ctx, name, w, 0, m.Chunks)
		}
	}
	return m.info(name), nil
}

// sweepWriter deletes the chunks of writer w from index from on, as sweep does for a generation.
func (v *Vault) sweepWriter(ctx context.Context, name, w string, from, hint int) error {
	return v.sweepRun(ctx, func(i int) string { return writerChunk(name, w, i) }, from, hint)
}

// sweep deletes the chunks of version 1's generation gen from index from on.
func (v *Vault) sweep(ctx context.Context, name string, gen, from, hint int) error {
	return v.sweepRun(ctx, func(i int) string { return chunkUser(name, gen, i) }, from, hint)
}

// sweepRun deletes the chunks chunk(from), chunk(from+1), ... It probes (with Get) for the end of
// the run starting at max(from, hint), then deletes from the end down to from, so that an
// interruption leaves a run starting at from, which the next sweep finds.
func (v *Vault) sweepRun(ctx context.Context, chunk func(int) string, from, hint int) error {
	end := max(from, hint)
	for end < maxChunks {
		_, err := v.get(ctx, chunk(end))
		if isNotFound(err) {
			break
		}
		if err != nil {
			return asUnavailable(OpDelete, err)
		}
		end++
	}
	for i := end - 1; i >= from; i-- {
		if err := v.del(ctx, chunk(i)); err != nil && !isNotFound(err) {
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
		if err2 != nil || again == nil || again.same(m) {
			return nil, Info{}, err
		}
	}
}

func (v *Vault) readChunks(ctx context.Context, name string, m *manifest) ([]byte, error) {
	out := make([]byte, 0, m.Length)
	for i := 0; i < m.Chunks; i++ {
		s, err := v.get(ctx, m.chunk(name, i))
		if isNotFound(err) {
			return nil, &DamagedError{Name: name, Detail: fmt.Sprintf("chunk %d of %d is missing", i+1, m.Chunks)}
		}
		if err != nil {
			return nil, asUnavailable(OpRead, err)
		}
		part, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(part) > ChunkSize || len(out)+len(part) > m.Length {
			return nil, &DamagedError{Name: name, Detail: fmt.Sprintf("chunk %d of %d is malformed", i+1, m.Chunks)}
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
	unlock, err := v.lockWrites(ctx, OpDelete)
	if err != nil {
		return err
	}
	defer unlock()
	return v.deleteLocked(ctx, name)
}

// deleteLocked removes name's manifest, then every chunk it may have: those of its manifest, of
// the writers the journal names, and of both version 1 generations; then the journal. An entry a
// newer version wrote is removed too (the user chose to forget it); chunks in a layout this
// version does not know are left to DeleteAll's service-wide wipe.
func (v *Vault) deleteLocked(ctx context.Context, name string) error {
	m, err := v.readManifest(ctx, name)
	var newer *NewerError
	if err != nil && !errors.Is(err, ErrDamaged) && !errors.As(err, &newer) {
		return asUnavailable(OpDelete, err)
	}
	j, err := v.readJournal(ctx, name)
	if err != nil {
		return asUnavailable(OpDelete, err)
	}
	if err := v.del(ctx, name); err != nil && !isNotFound(err) {
		return asUnavailable(OpDelete, err)
	}
	writers := []string{j.Writer, j.Replaces}
	if m != nil && m.Version == manifestVersion {
		if err := v.sweepWriter(ctx, name, m.Writer, 0, m.Chunks); err != nil {
			return err
		}
	}
	for _, w := range writers {
		if w != "" && (m == nil || w != m.Writer) {
			if err := v.sweepWriter(ctx, name, w, 0, 0); err != nil {
				return err
			}
		}
	}
	for gen := 1; gen <= 2; gen++ {
		hint := 0
		if m != nil && m.Version == manifestV1 && m.Generation == gen {
			hint = m.Chunks
		}
		if err := v.sweep(ctx, name, gen, 0, hint); err != nil {
			return err
		}
	}
	if err := v.del(ctx, journalUser(name)); err != nil && !isNotFound(err) {
		return asUnavailable(OpDelete, err)
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
	unlock, err := v.lockWrites(ctx, OpDelete)
	if err != nil {
		return err
	}
	defer unlock()
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
