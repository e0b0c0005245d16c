package vault

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"

	"github.com/zalando/go-keyring"
)

// Store is the OS keychain, in go-keyring's shape: one secret string per (service, user) pair.
// Implementations return an error matching keyring.ErrNotFound (ErrNotFound does) when the item is
// absent, and must never put the value they were given into an error.
//
// Tests swap in a fake; the app uses OSKeychain.
type Store interface {
	Get(service, user string) (string, error)
	Set(service, user, value string) error
	Delete(service, user string) error
}

// ServiceWiper is implemented by a Store that can remove every item of a service at once
// (go-keyring's DeleteAll). Vault.DeleteAll uses it, when present, after deleting the entries it
// knows, so that nothing the app ever wrote survives "sign out and forget", not even a chunk
// orphaned by a crash.
type ServiceWiper interface {
	DeleteAll(service string) error
}

// ErrNotFound is returned by Vault.Get (and the helpers built on it) when nothing is stored under
// the name. It wraps keyring.ErrNotFound, so errors.Is(err, keyring.ErrNotFound) holds too.
var ErrNotFound = fmt.Errorf("nothing is saved in this computer's keychain under that name yet: %w", keyring.ErrNotFound)

// isNotFound reports whether err says "no such item", from go-keyring or from a fake.
func isNotFound(err error) bool { return errors.Is(err, keyring.ErrNotFound) }

// OSKeychain returns the computer's keychain through go-keyring: the Secret Service (GNOME
// Keyring, KWallet) on Linux and the BSDs, the login keychain on macOS, Credential Manager on
// Windows. On other systems every call fails with an UnavailableError from the Vault.
func OSKeychain() Store { return osKeychain{} }

type osKeychain struct{}

func (osKeychain) Get(service, user string) (string, error) {
	if err := sessionBus(); err != nil {
		return "", err
	}
	return keyring.Get(service, user)
}

func (osKeychain) Set(service, user, value string) error {
	if err := sessionBus(); err != nil {
		return err
	}
	return keyring.Set(service, user, value)
}

func (osKeychain) Delete(service, user string) error {
	if err := sessionBus(); err != nil {
		return err
	}
	return keyring.Delete(service, user)
}

func (osKeychain) DeleteAll(service string) error {
	if service == "" { // go-keyring refuses too; never wipe "every service"
		return keyring.ErrNotFound
	}
	if err := sessionBus(); err != nil {
		return err
	}
	return keyring.DeleteAll(service)
}

// errNoSessionBus: on Linux and the BSDs, the Secret Service lives on the D-Bus session bus.
var errNoSessionBus = errors.New("dbus: no session bus: DBUS_SESSION_BUS_ADDRESS is not set and $XDG_RUNTIME_DIR/bus does not exist")

// sessionBus checks, where go-keyring uses D-Bus, that there is a session bus to talk to. Without
// one, godbus would run dbus-launch and start a private bus (and, through it, a keyring daemon
// with no login keyring) that outlives the app: Onboard365 reports the missing keychain instead.
func sessionBus() error {
	switch runtime.GOOS {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
	default:
		return nil
	}
	if a := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); a != "" && a != "autolaunch:" {
		return nil
	}
	// godbus looks here too (/run/user/UID/bus, or the dbus-session file that names the bus).
	dirs := []string{"/run/user/" + strconv.Itoa(os.Getuid())}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		dirs = append([]string{d}, dirs...)
	}
	for _, d := range dirs {
		for _, f := range []string{"bus", "dbus-session"} {
			if _, err := os.Stat(d + "/" + f); err == nil {
				return nil
			}
		}
	}
	return errNoSessionBus
}
