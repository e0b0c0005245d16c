package app

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/vault"
)

// lockedKeychain answers every call as a locked GNOME Keyring does.
type lockedKeychain struct{}

var errLocked = errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'")

func (lockedKeychain) Get(string, string) (string, error) { return "", errLocked }
func (lockedKeychain) Set(string, string, string) error   { return errLocked }
func (lockedKeychain) Delete(string, string) error        { return errLocked }

// TestKeychainProblemsAreToldNotNotSignedIn: a locked keychain, a damaged sign-in, one saved by
// a newer version and one that cannot be read each reach the command line and the window's tasks
// as their own sentence, never "you are not signed in"; Settings offers to forget the last three.
func TestKeychainProblemsAreToldNotNotSignedIn(t *testing.T) {
	ctx := context.Background()
	const id = "11111111-2222-3333-4444-555555555555"
	withEntry := func(f func(s *memoryKeychain, v *vault.Vault)) vault.Store {
		s := MemoryKeychain().(*memoryKeychain)
		f(s, vault.New(s))
		return s
	}
	for _, tc := range []struct {
		name      string
		store     vault.Store
		says      string
		forgotten bool // Settings shows it as a problem to forget (else an error)
	}{
		{"locked", lockedKeychain{}, "because it is locked", false},
		{"damaged", withEntry(func(s *memoryKeychain, v *vault.Vault) {
			_ = v.Put(ctx, vault.MSALCacheName, []byte(`{"RefreshToken":{}}`))
			for k := range s.items {
				if strings.Contains(k, vault.MSALCacheName+".w") {
					delete(s.items, k)
				}
			}
		}), "is damaged", true},
		{"newer", withEntry(func(s *memoryKeychain, _ *vault.Vault) {
			_ = s.Set(vault.Service, vault.MSALCacheName, `{"v":9,"chunks":0,"length":0,"sha256":""}`)
		}), "newer version of Onboard365", true},
		{"unreadable", withEntry(func(_ *memoryKeychain, v *vault.Vault) {
			_ = v.Put(ctx, vault.MSALCacheName, []byte("not a token cache"))
		}), "cannot read it", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := restored(ctx, tc.store, id)
			if err == nil || !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "not signed in") {
				t.Errorf("the command line says %v; want %q", err, tc.says)
			}
			a, err := NewAccount(cloud.Public(), tc.store, id, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := a.Graph(ctx, ""); err == nil || !strings.Contains(err.Error(), tc.says) || errors.Is(err, ErrSignInFirst) {
				t.Errorf("a task says %v; want %q", err, tc.says)
			}
			st, err := a.Stored(ctx)
			switch {
			case tc.forgotten && (err != nil || !strings.Contains(st.Problem, tc.says)):
				t.Errorf("Settings: %+v, %v; want the problem %q to forget", st, err, tc.says)
			case !tc.forgotten && (err == nil || !strings.Contains(err.Error(), tc.says)):
				t.Errorf("Settings: %+v, %v; want the error %q", st, err, tc.says)
			}
		})
	}
}

// restored opens the sign-in kept in store for Microsoft's cloud, as a check command does.
func restored(ctx context.Context, store vault.Store, clientID string) (*Account, error) {
	a, err := NewAccount(cloud.Public(), store, clientID, "")
	if err != nil {
		return nil, err
	}
	return a, a.Restore(ctx)
}

// TestOnTheSandboxALockedKeychainIsNotWhyNobodyIsSignedIn: the sandbox keeps a sign-in in memory
// when the keychain cannot be used (KeptForThisRun), so before anyone signed in a task says to
// sign in, not to unlock a keychain the sandbox does without; a damaged entry is still told.
func TestOnTheSandboxALockedKeychainIsNotWhyNobodyIsSignedIn(t *testing.T) {
	ctx := context.Background()
	sb := cloud.Public()
	sb.Sandbox = true
	a, err := NewAccount(sb, lockedKeychain{}, "11111111-2222-3333-4444-555555555555", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Graph(ctx, ""); !errors.Is(err, ErrSignInFirst) {
		t.Errorf("on the sandbox with a locked keychain, a task says %v; want %v", err, ErrSignInFirst)
	}
	pub, err := NewAccount(cloud.Public(), lockedKeychain{}, "11111111-2222-3333-4444-555555555555", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pub.Graph(ctx, ""); err == nil || !strings.Contains(err.Error(), "because it is locked") {
		t.Errorf("on Microsoft's cloud with a locked keychain, a task says %v; want the keychain's sentence", err)
	}
}
