package vault

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/zalando/go-keyring"
)

// errStubBadData is what Windows' CredWrite says about a credential blob over 2,560 bytes
// (RPC_X_BAD_STUB_DATA). go-keyring v0.2.8 checks the length itself first and returns
// keyring.ErrSetDataTooBig; older versions passed Windows' error through.
var errStubBadData = errors.New("The stub received bad data.")

// errCrashed is what a crashed fake answers to everything.
var errCrashed = errors.New("fake keychain: the process crashed here")

// platform limits, as the real keychains apply them through go-keyring.
type limit func(service, user, value string) error

// windowsLimit: Credential Manager refuses a blob over 2,560 bytes.
func windowsLimit(service, user, value string) error {
	if len(value) > 2560 {
		return errStubBadData
	}
	if len(service) >= 512 {
		return keyring.ErrSetDataTooBig
	}
	return nil
}

// macOSLimit: go-keyring base64-encodes the password behind a prefix and hands
// "add-generic-password -U -s SERVICE -a USER -w PASSWORD" to /usr/bin/security, which refuses
// service + account + password over about 3,000 bytes.
func macOSLimit(service, user, value string) error {
	encoded := "go-keyring-base64:" + base64.StdEncoding.EncodeToString([]byte(value))
	if len(service)+len(user)+len(encoded) > 3000 {
		return keyring.ErrSetDataTooBig
	}
	return nil
}

// memStore is an in-memory keychain with an optional platform limit, counters, and an optional
// crash: after crashAfter mutations (Set or Delete) every call fails, as if the process had died
// there. Its errors never contain a value.
type memStore struct {
	mu         sync.Mutex
	items      map[string]string // service + "\x00" + user
	limit      limit
	crashAfter int // -1: never
	mutations  int
	crashed    bool

	gets, sets, deletes int
	setsByUser          map[string]int
	maxValue            int // the longest value ever Set
	failWith            error
}

func newMemStore(l limit) *memStore {
	return &memStore{items: map[string]string{}, limit: l, crashAfter: -1, setsByUser: map[string]int{}}
}

func key(service, user string) string { return service + "\x00" + user }

func (s *memStore) mutate() error {
	if s.crashed {
		return errCrashed
	}
	if s.crashAfter >= 0 && s.mutations >= s.crashAfter {
		s.crashed = true
		return errCrashed
	}
	s.mutations++
	return nil
}

func (s *memStore) Get(service, user string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failWith != nil {
		return "", s.failWith
	}
	if s.crashed {
		return "", errCrashed
	}
	s.gets++
	v, ok := s.items[key(service, user)]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (s *memStore) Set(service, user, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failWith != nil {
		return s.failWith
	}
	if s.limit != nil {
		if err := s.limit(service, user, value); err != nil {
			return err
		}
	}
	if err := s.mutate(); err != nil {
		return err
	}
	s.sets++
	s.setsByUser[user]++
	s.maxValue = max(s.maxValue, len(value))
	s.items[key(service, user)] = value
	return nil
}

func (s *memStore) Delete(service, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failWith != nil {
		return s.failWith
	}
	if err := s.mutate(); err != nil {
		return err
	}
	s.deletes++
	k := key(service, user)
	if _, ok := s.items[k]; !ok {
		return keyring.ErrNotFound
	}
	delete(s.items, k)
	return nil
}

// users lists the items of service, sorted.
func (s *memStore) users(service string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.items {
		if svc, user, _ := strings.Cut(k, "\x00"); svc == service {
			out = append(out, user)
		}
	}
	sort.Strings(out)
	return out
}

// reopen is the same keychain after a restart: same items, no crash, counters reset.
func (s *memStore) reopen() *memStore {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := newMemStore(s.limit)
	for k, v := range s.items {
		n.items[k] = v
	}
	return n
}

func (s *memStore) raw(service, user string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.items[key(service, user)]
	return v, ok
}

func (s *memStore) put(service, user, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items[key(service, user)] = value
}

func (s *memStore) remove(service, user string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.items, key(service, user))
}

// dirStore is a keychain kept in a directory, one file per item, so that its state survives the
// process: for the SIGKILL test. Each Set is atomic (write a temporary file, then rename), as a
// keychain's item write is.
type dirStore struct{ dir string }

func (d dirStore) path(service, user string) string {
	return filepath.Join(d.dir, hex.EncodeToString([]byte(key(service, user))))
}

func (d dirStore) Get(service, user string) (string, error) {
	b, err := os.ReadFile(d.path(service, user))
	if errors.Is(err, os.ErrNotExist) {
		return "", keyring.ErrNotFound
	}
	return string(b), err
}

func (d dirStore) Set(service, user, value string) error {
	p := d.path(service, user)
	tmp, err := os.CreateTemp(d.dir, ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.WriteString(value); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return errors.New("dirStore: write failed")
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return errors.New("dirStore: close failed")
	}
	return os.Rename(tmp.Name(), p)
}

func (d dirStore) Delete(service, user string) error {
	err := os.Remove(d.path(service, user))
	if errors.Is(err, os.ErrNotExist) {
		return keyring.ErrNotFound
	}
	return err
}

// users lists the items of service (temporary files of an interrupted Set are not items).
func (d dirStore) users(service string) ([]string, error) {
	ents, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		b, err := hex.DecodeString(e.Name())
		if err != nil {
			continue
		}
		if svc, user, _ := strings.Cut(string(b), "\x00"); svc == service {
			out = append(out, user)
		}
	}
	sort.Strings(out)
	return out, nil
}
