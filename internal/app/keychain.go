package app

import (
	"sync"

	"github.com/onboard365/onboard365/internal/vault"
)

// MemoryKeychain is a keychain that lives in this process's memory and is gone when it ends:
// for a sign-in that must not touch the computer's own keychain (the command line on the
// sandbox, and tests).
func MemoryKeychain() vault.Store { return &memoryKeychain{items: map[string]string{}} }

type memoryKeychain struct {
	mu    sync.Mutex
	items map[string]string
}

func (m *memoryKeychain) Get(service, user string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[service+"\x00"+user]
	if !ok {
		return "", vault.ErrNotFound
	}
	return v, nil
}

func (m *memoryKeychain) Set(service, user, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[service+"\x00"+user] = value
	return nil
}

func (m *memoryKeychain) Delete(service, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.items, service+"\x00"+user)
	return nil
}
