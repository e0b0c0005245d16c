package main

import (
	"sync"

	"github.com/onboard365/onboard365/internal/vault"
)

// keychainInMemory is a keychain that lives in memory, for a sign-in that must not touch the
// computer's own.
type keychainInMemory struct {
	mu    sync.Mutex
	items map[string]string
}

func (m *keychainInMemory) Get(service, user string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.items[service+"\x00"+user]
	if !ok {
		return "", vault.ErrNotFound
	}
	return v, nil
}

func (m *keychainInMemory) Set(service, user, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.items[service+"\x00"+user] = value
	return nil
}

func (m *keychainInMemory) Delete(service, user string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.items, service+"\x00"+user)
	return nil
}
