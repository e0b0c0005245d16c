package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/partnercenter"
)

// The app registration an Account signs in with, and its clients besides Graph.

// authn is the account's Authenticator: the App registration wizard may switch it to a new app.
func (a *Account) authn() *auth.Authenticator {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.auth
}

func (a *Account) appMissing() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.noApp
}

// ClientID is the app the account signs in with; "" before there is one.
func (a *Account) ClientID() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.noApp {
		return ""
	}
	return a.appID
}

// useApp makes the account sign in with another app registration from now on (the one the
// App registration wizard made), keeping the same keychain.
func (a *Account) useApp(clientID string) error {
	if a.ClientID() == clientID {
		return nil
	}
	n, err := auth.New(auth.Config{Cloud: a.cloud, ClientID: clientID, Tenant: a.tenant, Cache: a.cache, OpenURL: a.launcher(a.users, a.tell, a.endSignIn)})
	if err != nil {
		return fmt.Errorf("set up the sign-in with the new app: %w", err)
	}
	a.mu.Lock()
	a.auth, a.appID, a.noApp = n, clientID, false
	a.mu.Unlock()
	return nil
}

// storedClientID is the application id of the app whose secret the keychain holds, or "".
func storedClientID(v interface {
	ClientSecret(ctx context.Context) (string, string, time.Time, error)
}) string {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	id, _, _, err := v.ClientSecret(ctx)
	if err != nil {
		return ""
	}
	return id
}

// UseClock makes the tasks judge dates by now instead of the computer's clock (the guide's
// pictures fix it), and the keychain date what it writes by it too, so that "last renewed" and
// the checks that judge it read the same clock.
func (a *Account) UseClock(now func() time.Time) {
	a.now = now
	a.vault.UseClock(now)
}

// Restore picks up the sign-in kept in the keychain, for commands that run without the window;
// the error says, as a sentence, why there is none.
func (a *Account) Restore(ctx context.Context) error {
	if a.appMissing() {
		return errors.New("the check uses the sign-in you kept in the app, and needs the application (client) id of your " +
			"Onboard365 app registration to find it: run it with --client-id ID, the same id you signed in with (or try it on the sandbox with --sandbox)")
	}
	if err := a.cache.Load(ctx); err != nil {
		// The keychain is locked or missing, or what it keeps is damaged, a newer version's or
		// unreadable: say that (vault's own sentence), not "you are not signed in".
		return err
	}
	if _, ok, err := a.authn().Restore(ctx); err != nil {
		return fmt.Errorf("could not read your kept sign-in from this computer's keychain: %w", err)
	} else if !ok {
		return errors.New("you are not signed in. Open Onboard365, sign in to your partner tenant and keep the sign-in, then run this check again (or try it with --sandbox)")
	}
	return nil
}

// partnerCenter is a Partner Center client with the account's sign-in.
func (a *Account) partnerCenter() *partnercenter.Client {
	return partnercenter.New(a.cloud.PartnerCenterURL, a.hc, a.authn().TokenSource("", auth.PartnerCenterScope), partnercenter.Options{})
}
