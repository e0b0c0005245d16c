// Package app is Onboard365's application layer: what the window and the command line do with
// a cloud, one service per task, on top of the domain packages (internal/gdap, authmethods,
// troubleshoot, appreg) and the sign-in (internal/auth and internal/vault, wired in Account).
//
// The services keep the contract of internal/plan, and they are stateless: a check returns a
// result that carries everything the next step needs (its plan, with its tenant and its fixes;
// what to export), and Apply takes the plan the person reviewed, so what was reviewed is what is
// applied. The only things the app keeps between calls are sign-ins: the technician's (Account),
// and for this run only the App registration wizard's administrator and customers' own
// administrators.
//
//	a, _ := app.NewAccount(cloud, vault.OSKeychain(), clientID, tenant)
//	g := app.NewGDAP(a)
//	r, _ := g.Check(ctx, app.GDAPRequest{Profile: roles.ProfileLiongard}, nil)
//	outcomes := g.Apply(ctx, r.Plan.Only(ticked), nil)
//
// The window reaches the services through the small interfaces in ui/ (ui.GDAP, ...), and the
// command line (cmd/onboard365) through the same calls. Results name tenants, users and the
// reasons for every verdict in plain words; they never hold a token or a secret, except the one
// new client secret the App registration wizard shows once.
package app

import (
	"context"
	"time"
)

// Evidence is what a sign-in shows about itself: the verdict and the claims behind it.
type Evidence struct {
	Compliant bool // Yes: MFA present, right tenant, right account
	// Pending: the token's own checks pass but one, which Partner Center's live answer settles
	// (an ngcmfa sign-in): not Yes yet, but not to be thrown away before Partner Center is asked.
	Pending bool
	Reasons []string    // plain sentences for every check that failed
	Notes   []string    // what the person should know besides the verdict (e.g. a pasted token's signature is not checked)
	Account string      // the account that signed in
	Claims  [][2]string // name, value pairs that matter (amr, tid, upn, exp, scp); never the token
}

// DeviceCode is what a person types on another device.
type DeviceCode struct {
	UserCode, VerificationURL, Message string
	// InApp, when set, means the device page is the sandbox's: the app answers it itself with
	// the code, as the person would on another device (InAppUsers are the accounts to offer).
	InApp      func(ctx context.Context, username, password string, approveMFA bool) error
	InAppUsers []string
	// End ends the sign-in that waits for the code, as Launch.End does.
	End func(err error)
}

// Stored describes what the keychain keeps, without any secret.
type Stored struct {
	SignedIn      bool
	Account       string    // the signed-in account
	Tenant        string    // its tenant
	Renewed       time.Time // when the refresh token was last written
	ClientID      string    // the app registration whose secret is kept; empty when none
	SecretExpires time.Time // when that secret stops working
	// Problem says, in sentences, what is wrong with what is kept (damaged, saved by a newer
	// version, unreadable) and what to do; "" when nothing is. Forgetting it is the way out, so
	// Settings offers "Sign out and forget" with it.
	Problem string
}
