package vault

import (
	"context"
	"errors"
	"runtime"
	"strings"

	"github.com/zalando/go-keyring"
)

// Reason says why the keychain could not be used.
type Reason int

const (
	// ReasonOther: the keychain answered with an error that fits none of the reasons below.
	ReasonOther Reason = iota
	// ReasonNoService: there is no keychain to talk to (Linux: no D-Bus session bus, no Secret
	// Service, or no default keyring; Windows: no Credential Manager for this logon session).
	ReasonNoService
	// ReasonLocked: the keychain is locked and was not unlocked.
	ReasonLocked
	// ReasonDenied: the user (or the system's policy) refused Onboard365 access.
	ReasonDenied
	// ReasonTimeout: the keychain did not answer before the context's deadline (often: an unlock
	// or access prompt is waiting for the user).
	ReasonTimeout
	// ReasonCanceled: the caller cancelled the operation.
	ReasonCanceled
	// ReasonTooLarge: the keychain refused an item as too large. With chunking this is a bug.
	ReasonTooLarge
	// ReasonBusy: another copy of Onboard365 held the keychain's write lock (lock.go) until the
	// operation's deadline.
	ReasonBusy
)

func (r Reason) String() string {
	switch r {
	case ReasonNoService:
		return "no keychain service"
	case ReasonLocked:
		return "keychain locked"
	case ReasonDenied:
		return "access denied"
	case ReasonTimeout:
		return "timed out"
	case ReasonCanceled:
		return "cancelled"
	case ReasonTooLarge:
		return "item too large"
	case ReasonBusy:
		return "another copy is writing"
	default:
		return "keychain error"
	}
}

// Op is what Onboard365 was doing with the keychain when it failed.
type Op string

const (
	OpRead   Op = "read"
	OpStore  Op = "store"
	OpDelete Op = "delete"
)

// UnavailableError says that the OS keychain could not be used: it is missing (Linux without a
// Secret Service), locked, refused access, or did not answer. Its Error() is a plain sentence for
// the user: what happened, why, what to do. Nothing is ever written anywhere else instead.
//
// Err is the keychain library's own error, for a log or a "details" view. Keychain libraries
// never echo the secret they were handed, and this package never puts one into Err.
type UnavailableError struct {
	Op     Op
	Reason Reason
	Err    error
	goos   string // runtime.GOOS unless a test says otherwise
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Detail is the underlying error's text, for a log or a "technical details" line. It holds no
// secret.
func (e *UnavailableError) Detail() string {
	if e.Err == nil {
		return ""
	}
	return e.Err.Error()
}

func (e *UnavailableError) Error() string {
	goos := e.goos
	if goos == "" {
		goos = runtime.GOOS
	}
	keychain := "this computer's keychain"
	switch goos {
	case "windows":
		keychain = "this computer's keychain (Windows Credential Manager)"
	case "darwin":
		keychain = "this computer's keychain (the macOS login keychain)"
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly":
		keychain = "this computer's keychain (the Secret Service)"
	}

	var what string
	switch e.Reason {
	case ReasonNoService:
		what = "Onboard365 could not reach " + keychain + "."
	case ReasonLocked:
		what = "Onboard365 could not use " + keychain + " because it is locked."
	case ReasonDenied:
		what = "Onboard365 was not allowed to use " + keychain + ": the request for access was refused."
	case ReasonTimeout:
		what = "Onboard365 gave up waiting for " + keychain + " to answer."
	case ReasonCanceled:
		what = "Onboard365 stopped using " + keychain + " because the task was cancelled."
	case ReasonTooLarge:
		what = "The keychain refused an item as too large."
	case ReasonBusy:
		what = "Another copy of Onboard365 is saving to " + keychain + " and did not finish in time."
	default:
		what = "Onboard365 could not use " + keychain + "."
	}

	var outcome string
	switch e.Op {
	case OpStore:
		outcome = "Nothing was stored, and nothing was saved anywhere else instead."
	case OpDelete:
		outcome = "Not everything could be removed."
	default:
		outcome = "Your saved sign-in and secrets could not be read."
	}

	var todo string
	switch e.Reason {
	case ReasonNoService:
		switch goos {
		case "windows":
			todo = "Sign in to Windows with your own account (Credential Manager is not available to this session), then try again."
		case "darwin":
			todo = "Open Keychain Access and make sure your login keychain exists and is unlocked, then try again."
		default:
			todo = "On Linux, install and unlock GNOME Keyring or KWallet, then sign in again."
		}
	case ReasonLocked:
		switch goos {
		case "darwin":
			todo = "Unlock your login keychain (in Keychain Access), then try again."
		case "windows":
			todo = "Unlock this computer and sign in to Windows again, then try again."
		default:
			todo = "Unlock your keyring (for example in Passwords and Keys, or by signing out of the desktop and back in), then try again."
		}
	case ReasonDenied:
		todo = "Try again, and choose Allow (or Always Allow) when the computer asks whether Onboard365 may use the keychain."
	case ReasonTimeout:
		todo = "If a keychain or password window is open, answer it; then try again."
	case ReasonCanceled:
		todo = "Start the task again when you are ready."
	case ReasonTooLarge:
		todo = "This is a fault in Onboard365: please report it."
	case ReasonBusy:
		todo = "Wait for the other copy to finish (a check from the command line, or another window of Onboard365), or close it, then try again."
	default:
		todo = "Restart the computer (or sign out of it and back in) so that the keychain starts afresh, then try again."
	}
	return what + " " + outcome + " " + todo
}

// ErrDamaged is matched (errors.Is) by every DamagedError.
var ErrDamaged = errors.New("the data saved in this computer's keychain is damaged; sign in again to replace it")

// DamagedError says that an entry in the keychain is incomplete or does not match its checksum:
// a chunk is missing or altered, or the manifest is unreadable or names chunks that are not there.
// Its Error() is a plain sentence telling the user to sign in again. Nothing of the damaged value
// is returned.
type DamagedError struct {
	Name   string // the entry, e.g. "msal-cache"
	Detail string // what exactly is wrong, for a log; holds no secret
}

func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

func (e *DamagedError) Error() string {
	const why = " is damaged (part of it is missing or does not match what was saved), so Onboard365 cannot use it."
	switch e.Name {
	case MSALCacheName:
		return "The sign-in that Onboard365 saved in this computer's keychain" + why + " Sign in again to replace it."
	case ClientSecretName:
		return "The app's client secret that Onboard365 saved in this computer's keychain" + why +
			" Sign in again, then run App registration to store a new client secret."
	default:
		return "Something Onboard365 saved in this computer's keychain" + why + " Sign in again to replace it."
	}
}

// unavailable turns a keychain library error into an UnavailableError.
func unavailable(op Op, err error) *UnavailableError {
	return &UnavailableError{Op: op, Reason: classify(err), Err: err}
}

// classify guesses the reason from the keychain library's error. The texts come from go-keyring
// v0.2.x and what sits under it: godbus and the Secret Service on Linux, /usr/bin/security's exit
// statuses on macOS, wincred on Windows.
func classify(err error) Reason {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ReasonTimeout
	case errors.Is(err, context.Canceled):
		return ReasonCanceled
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return ReasonTooLarge
	case errors.Is(err, keyring.ErrUnsupportedPlatform):
		return ReasonNoService
	}
	s := strings.ToLower(err.Error())
	has := func(subs ...string) bool {
		for _, sub := range subs {
			if strings.Contains(s, sub) {
				return true
			}
		}
		return false
	}
	switch {
	case has("stub received bad data", "too big", "too large"):
		return ReasonTooLarge
	case has("failed to unlock correct collection", "islocked", "is locked", "locked",
		"exit status 36", "exit status 51", "user interaction is not allowed"):
		return ReasonLocked
	case has("accessdenied", "access denied", "notauthorized", "not authorized", "permission denied",
		"exit status 128", "user canceled", "user cancelled", "dismissed"):
		return ReasonDenied
	case has("dbus", "session bus", "serviceunknown", "not provided by any .service files",
		"org.freedesktop.secrets", "nosuchobject", "object does not exist", "no such object",
		"connection refused", "no such file or directory", "executable file not found",
		"logon session does not exist", "no such keychain", "exit status 25", "unsupported platform"):
		return ReasonNoService
	}
	return ReasonOther
}

// ErrNewer is matched (errors.Is) by every NewerError.
var ErrNewer = errors.New("the data saved in this computer's keychain was written by a newer version of Onboard365")

// NewerError says that an entry was written by a newer version of Onboard365, in a form this
// version cannot read. This version never overwrites it (Put refuses); forgetting it (Delete,
// DeleteAll) is the user's choice. Its Error() is a sentence for the user.
type NewerError struct {
	Name    string // the entry, e.g. "msal-cache"
	Version int    // the manifest version it was written with
}

func (e *NewerError) Is(target error) bool { return target == ErrNewer }

func (e *NewerError) Error() string {
	what := "Something Onboard365 saved"
	switch e.Name {
	case MSALCacheName:
		what = "The sign-in saved"
	case ClientSecretName:
		what = "The app's client secret saved"
	}
	return what + " in this computer's keychain was written by a newer version of Onboard365, which this version cannot read, " +
		"so this version leaves it as it is and does not save over it. Use the newer version; or, to use this one, forget what is " +
		"saved (Settings, Sign out and forget) and sign in again: the newer version then needs a new sign-in too."
}

// ErrUnreadable is matched (errors.Is) by every UnreadableError.
var ErrUnreadable = errors.New("the sign-in saved in this computer's keychain cannot be read")

// UnreadableError says that an entry is intact (its checksum matches) but its content is not what
// this version of Onboard365 can use: MSAL cannot read the saved token cache. Until the user
// forgets it or signs in again (which replaces it), the app works as if nothing were saved.
type UnreadableError struct {
	Name string
}

func (e *UnreadableError) Is(target error) bool { return target == ErrUnreadable }

func (e *UnreadableError) Error() string {
	return "The sign-in saved in this computer's keychain is intact, but this version of Onboard365 cannot read it (another version " +
		"may have saved it), so it cannot be used. Forget it (Settings, Sign out and forget) and sign in again; a new sign-in that " +
		"you keep replaces it too."
}

// Forgettable says whether err is a problem with what is saved that forgetting it (Delete,
// DeleteAll) and signing in again solves: damaged, written by a newer version, or unreadable.
// The keychain being locked or missing is not: forgetting cannot reach it either.
func Forgettable(err error) bool {
	return errors.Is(err, ErrDamaged) || errors.Is(err, ErrNewer) || errors.Is(err, ErrUnreadable)
}
