package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/onboard"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/vault"
	"github.com/onboard365/onboard365/ui"
)

// factory is the one place that turns the shared flags into what a command (or the window) works
// on: the cloud, the sign-in, and the services on it. Every command registers the flags it takes
// with it (--sandbox, --scenario, --cloud, --allow-non-microsoft-hosts, --client-id,
// --tenant, --format), checks them, and
// then asks it for an account. It keeps every sandbox it started and every account it opened, so
// that close stops and flushes them all. (cli/cli's Factory is the model.)
type factory struct {
	stderr io.Writer
	window bool             // for the window: it keeps the sandbox's sign-ins too, under a keychain service of their own
	store  vault.Store      // the keychain; nil: the OS keychain (a command on the sandbox keeps nothing)
	opts   sandbox.Options  // the sandboxes' clock and seed (the guide's pictures fix them)
	clock  func() time.Time // the clock the tasks judge dates by; nil: the computer's
	audit  audit.Recorder   // where every change is recorded; nil: the audit log of the cloud (recorder)
	// sandboxDelay is how long the customers of the sandboxes it starts take to answer a GDAP
	// request (sandbox.Options.ApprovalDelay), unless opts says; 0: they answer only when the
	// window's "Approve as the customer's administrator" or a command opens the link.
	sandboxDelay time.Duration

	useSandbox bool
	scenario   string
	cloudFile  string
	allowHosts bool // --allow-non-microsoft-hosts: the person accepts a cloud file that sends sign-ins elsewhere
	clientID   string
	tenant     string
	format     string
	formats    []string // the formats the command prints; nil: it has no --format

	running  []*sandbox.Server
	accounts []*app.Account
}

// flags says which of the shared flags a command takes.
type flags struct {
	window   bool     // the window's wording (a command checks; the window runs)
	clientID bool     // --client-id (the app registration to sign in with)
	formats  []string // --format and its choices, the default first
}

// register adds the shared flags to a command's flag set.
func (f *factory) register(fs *flag.FlagSet, want flags) {
	f.window = want.window
	what := "check"
	if want.window {
		what = "run on"
	}
	sandboxText := "check a sandbox started for this check (a simulated Microsoft cloud on this computer, see below); needs no sign-in"
	if want.window {
		sandboxText = "run on the built-in sandbox, a simulated Microsoft cloud on this computer"
	}
	fs.BoolVar(&f.useSandbox, "sandbox", false, sandboxText)
	fs.StringVar(&f.scenario, "scenario", "", "with --sandbox, the sandbox's scenario `name` (see: onboard365 sandbox serve --help), for example fresh: a partner tenant without the app registration yet")
	fs.StringVar(&f.cloudFile, "cloud", "", what+" the cloud described in this JSON `file` (default: Microsoft's worldwide cloud)")
	fs.BoolVar(&f.allowHosts, cloud.AllowFlag, false, cloud.AllowFlagHelp)
	if want.clientID {
		fs.StringVar(&f.clientID, "client-id", "", "the application (client) `id` of your Onboard365 app registration (the sandbox has its own)")
	}
	fs.StringVar(&f.tenant, "tenant", "", "your partner tenant's `id` or domain (default: found at sign-in)")
	if len(want.formats) > 0 {
		f.formats = want.formats
		fs.StringVar(&f.format, "format", want.formats[0], "how to print the result: `"+want.formats[0]+"`, "+strings.Join(want.formats[1:], ", "))
	}
}

// problem is what is wrong with the shared flags as given, or "".
func (f *factory) problem() string {
	switch {
	case f.useSandbox && f.cloudFile != "":
		return "choose either --sandbox or --cloud, not both."
	case f.scenario != "" && !f.useSandbox:
		return "--scenario chooses what the sandbox simulates; add --sandbox."
	case f.formats != nil && !slices.Contains(f.formats, f.format):
		return fmt.Sprintf("--format is %s or %s, not %q.", strings.Join(f.formats[:len(f.formats)-1], ", "), f.formats[len(f.formats)-1], f.format)
	}
	return ""
}

// cloud is the cloud the flags name: a sandbox started in this process, a cloud file, or
// Microsoft's worldwide cloud.
func (f *factory) cloud(ctx context.Context) (cloud.Cloud, error) {
	switch {
	case f.useSandbox:
		return f.startSandbox(ctx)
	case f.cloudFile != "":
		return cloud.LoadTrusted(f.cloudFile, f.allowHosts)
	}
	return cloud.Public(), nil
}

// startSandbox starts a sandbox of the chosen scenario in this process (the window's Try the
// sandbox too), stopped by close.
func (f *factory) startSandbox(context.Context) (cloud.Cloud, error) {
	opts := f.opts
	opts.Scenario = f.scenario
	if opts.ApprovalDelay == 0 {
		opts.ApprovalDelay = f.sandboxDelay
	}
	srv, err := sandbox.Start(opts)
	if err != nil {
		return cloud.Cloud{}, err
	}
	f.running = append(f.running, srv)
	return srv.Cloud(), nil
}

// account opens the sign-in of a cloud, not signed in yet. On the sandbox nothing is kept on
// this computer.
func (f *factory) account(c cloud.Cloud) (*app.Account, error) {
	store := f.store
	switch {
	case store != nil:
	case c.Sandbox && !f.window:
		store = app.MemoryKeychain()
	default:
		store = vault.OSKeychain()
	}
	a, err := app.NewAccount(c, store, f.clientID, f.tenant)
	if err != nil {
		return nil, err
	}
	if f.clock != nil {
		a.UseClock(f.clock)
	}
	a.UseRecorder(f.recorder(c))
	f.accounts = append(f.accounts, a)
	return a, nil
}

// recorder is the one audit trail of a cloud, which every change the app applies is recorded in
// (internal/audit): the log in the user's configuration folder, the sandbox's changes in a log of
// their own (audit.DefaultPath). Every account the factory opens records into it, and a service
// built outside internal/app's Account (onboarding) takes it from here, or from the account
// (Account.Recorder).
func (f *factory) recorder(c cloud.Cloud) audit.Recorder {
	if f.audit != nil {
		return f.audit
	}
	path, err := audit.DefaultPath(c.Sandbox)
	if err != nil {
		return unrecordable{err}
	}
	return audit.Open(path, f.clock)
}

// unrecordable is the audit trail of a computer without a configuration folder: every change
// says that it could not be recorded.
type unrecordable struct{ err error }

func (u unrecordable) Record(context.Context, audit.Entry) error { return u.err }

// signedIn is the account a command reads with: on a sandbox (started here with --sandbox, or
// another process's with --cloud) its technician, signed in through the sandbox's pages in this
// process (nothing is kept); elsewhere the sign-in kept in the app.
func (f *factory) signedIn(ctx context.Context) (*app.Account, error) {
	c, err := f.cloud(ctx)
	if err != nil {
		return nil, err
	}
	// A sandbox of another process (onboard365 sandbox serve, which the window can work on with
	// --cloud too) is signed in to as one started here is: through its pages, as its technician.
	a, err := f.account(c)
	if err != nil {
		return nil, err
	}
	if !c.Sandbox {
		return a, a.Restore(ctx)
	}
	return a, signIn(ctx, app.SandboxTechnician, f.stderr, func(ctx context.Context, launched func(app.Launch)) error {
		ev, err := a.Interactive(ctx, app.SandboxTechnician, launched)
		if err == nil && !ev.Compliant {
			err = errors.New(strings.Join(ev.Reasons, " "))
		}
		return err
	})
}

// signIn is how a command signs someone in: on the sandbox it answers the sandbox's pages as user
// itself, in this process, and a refusal there ends the sign-in at once; elsewhere it says where
// the sign-in page opened and waits.
func signIn(ctx context.Context, user string, stderr io.Writer, do func(ctx context.Context, launched func(app.Launch)) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	err := do(ctx, func(l app.Launch) {
		switch {
		case l.InApp != nil:
			go func() {
				if err := l.InApp(ctx, user, "sandbox", true); err != nil {
					cancel(fmt.Errorf("signing in to the sandbox: %w", err))
				}
			}()
		case l.Failed != nil:
			fmt.Fprintf(stderr, "No browser could be opened. Open this address in a private browser window and sign in there:\n%s\n", l.URL)
		default:
			fmt.Fprintln(stderr, "Sign in in the browser window that opened, then come back here.")
		}
	})
	if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		return cause // what the sandbox's pages said, rather than the sign-in that stopped for it
	}
	return err
}

// services are what the window does with an account. The invitation ledger and the audit trail
// are the user's own files, the sandbox's apart from the real ones.
func services(a *app.Account) ui.Services {
	on := onboardOf(a)
	g := app.NewGDAP(a)
	g.Ledger = on.Ledger()
	return ui.Services{SignIn: a, Keychain: a, GDAP: g, Authenticator: app.NewAuthenticator(a),
		AppRegistration: app.NewAppRegistration(a), Troubleshoot: app.NewTroubleshoot(a),
		Onboard: on, Health: healthOf(a), Audit: app.NewAuditTrail(a)}
}

// onboardOf is the onboarding of an account, with the user's invitation ledger (the sandbox's
// apart; none on a computer without a settings folder: the page says so) and the account's
// audit trail.
func onboardOf(a *app.Account) *app.Onboard {
	ledger, _ := onboard.DefaultLedger(a.Cloud().Sandbox)
	return app.NewOnboard(a, ledger, a.Recorder())
}

// sandboxOf is the sandbox this process runs for an account's cloud, or nil (a real cloud, or a
// sandbox in another process): only then can the window act as the sandbox's customer.
func (f *factory) sandboxOf(a *app.Account) *sandbox.Server {
	c := a.Cloud()
	if !c.Sandbox {
		return nil
	}
	for _, srv := range f.running {
		if srv.Cloud().AuthorityHost == c.AuthorityHost {
			return srv
		}
	}
	return nil
}

// healthOf is the health check of an account, for Home, check all and the watch alike: the one
// place where more parts of each customer's verdict plug in (internal/health's CustomerCheck):
// onboarding's invitations waiting and its verify step of the customers it onboarded.
func healthOf(a *app.Account) *app.Health {
	h := app.NewHealth(a)
	h.Extra = append(h.Extra, onboardOf(a).HealthChecks()...)
	return h
}

// close writes what the accounts renewed (only sign-ins the person kept) and stops the sandboxes.
func (f *factory) close() {
	for _, a := range f.accounts {
		a.Flush()
	}
	for _, srv := range f.running {
		if err := srv.Close(); err != nil {
			fmt.Fprintln(f.stderr, "onboard365:", err)
		}
	}
}
