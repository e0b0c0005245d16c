// Command onboard365 starts the Onboard365 desktop app, on Microsoft's cloud or on the built-in
// sandbox (a simulated Microsoft cloud on this computer).
//
//	onboard365                  the app, on Microsoft's worldwide cloud
//	onboard365 --sandbox        the app, on the sandbox: nothing touches a real tenant
//	onboard365 --cloud FILE     the app, on the cloud a file describes
//	onboard365 --screenshot DIR every page rendered to PNG files, no display needed
//	onboard365 --version        the version and the commit it was built from
//	onboard365 sandbox serve    the sandbox on its own; prints a cloud file for --cloud
//	onboard365 check gdap       every customer's GDAP relationships against a role profile (check.go)
//	onboard365 check authenticator  one tenant's users whose default method is not Authenticator (authmethods.go)
//	onboard365 check troubleshoot   why customers refuse the partner ("400" errors) (troubleshoot.go)
//	onboard365 check app        the app registration and what its wizard would change (appcheck.go)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/vault"
	"github.com/onboard365/onboard365/ui"
	"github.com/onboard365/onboard365/ui/screenshot"
)

// version is set at release time with -ldflags "-X main.version=1.2.3".
var version = "0.1.0-dev"

func main() {
	attachConsole() // Windows: the command line commands print to the console they were typed in
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run does what the command line asks and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext is run with a context that, when cancelled, stops long-running commands.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "sandbox" {
		return runSandbox(ctx, args[1:], stdout, stderr)
	}
	if len(args) > 0 && args[0] == "check" {
		return runCheck(ctx, args[1:], stdout, stderr)
	}
	flags := flag.NewFlagSet("onboard365", flag.ContinueOnError)
	flags.SetOutput(stderr)
	useSandbox := flags.Bool("sandbox", false, "run on the built-in sandbox, a simulated Microsoft cloud on this computer")
	cloudFile := flags.String("cloud", "", "run on the cloud described in this JSON `file` (default: Microsoft's worldwide cloud)")
	allowHosts := flags.Bool(cloud.AllowFlag, false, cloud.AllowFlagHelp)
	shotsDir := flags.String("screenshot", "", "render every page to PNG files in this `folder` and exit (no display needed)")
	showVersion := flags.Bool("version", false, "print the version and exit")
	clientID := flags.String("client-id", "", "the application (client) `id` of your Onboard365 app registration (the sandbox has its own)")
	tenant := flags.String("tenant", "", "your partner tenant's `id` or domain (default: found at sign-in)")
	scenario := flags.String("scenario", "", "with --sandbox, the sandbox's scenario `name` (see: onboard365 sandbox serve --help), for example fresh: a partner tenant without the app registration yet")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "onboard365: unknown command %q. Run onboard365 --help to see what it can do.\n", flags.Arg(0))
		return 2
	}
	if *showVersion {
		printVersion(stdout)
		return 0
	}

	if *scenario != "" && !*useSandbox {
		fmt.Fprintln(stderr, "onboard365: --scenario chooses what the sandbox simulates; add --sandbox.")
		return 2
	}
	sandboxes := &sandboxes{opts: sandbox.Options{Scenario: *scenario}}
	defer sandboxes.closeAll(stderr)
	accounts := &accounts{store: vault.OSKeychain(), clientID: *clientID, tenant: *tenant}
	defer accounts.flushAll()
	opts, err := options(*useSandbox, *cloudFile, *allowHosts, sandboxes, accounts)
	if err != nil {
		fmt.Fprintln(stderr, "onboard365:", err)
		return 1
	}

	if *shotsDir != "" {
		files, err := screenshot.Write(*shotsDir, opts, screenshot.Sizes)
		if err != nil {
			fmt.Fprintln(stderr, "onboard365:", err)
			return 1
		}
		fmt.Fprintf(stdout, "Wrote %d screenshots to %s\n", len(files), *shotsDir)
		return 0
	}
	return runWindow(opts, stderr)
}

// options wires the chosen cloud into what the window needs.
func options(useSandbox bool, cloudFile string, allowHosts bool, sandboxes *sandboxes, accounts *accounts) (ui.Options, error) {
	opts := ui.Options{
		Cloud:           cloud.Public(),
		Version:         version,
		About:           aboutThisBuild(),
		CheckConnection: func(ctx context.Context, c cloud.Cloud) error { return c.Check(ctx) },
		TrySandbox:      sandboxes.start,
		Connect:         accounts.servicesFor,
	}
	switch {
	case useSandbox && cloudFile != "":
		return ui.Options{}, errors.New("choose either --sandbox or --cloud, not both")
	case useSandbox:
		c, err := sandboxes.start(context.Background())
		if err != nil {
			return ui.Options{}, err
		}
		opts.Cloud, opts.TrySandbox = c, nil
	case cloudFile != "":
		c, err := cloud.LoadTrusted(cloudFile, allowHosts)
		if err != nil {
			return ui.Options{}, err
		}
		opts.Cloud = c
	}
	a, err := accounts.open(opts.Cloud)
	if err != nil {
		return ui.Options{}, err
	}
	opts.Services = a.services()
	return opts, nil
}

// accounts keeps the sign-in of every cloud this run used, so each is flushed on exit.
type accounts struct {
	store            vault.Store
	clientID, tenant string
	now              func() time.Time // nil: time.Now
	opened           []*account
}

func (s *accounts) open(c cloud.Cloud) (*account, error) {
	a, err := newAccount(c, s.store, s.clientID, s.tenant)
	if err != nil {
		return nil, err
	}
	if s.now != nil {
		a.now = s.now
	}
	s.opened = append(s.opened, a)
	return a, nil
}

// servicesFor gives the window the services of a cloud it switched to (Try the sandbox).
func (s *accounts) servicesFor(c cloud.Cloud) ui.Services {
	a, err := s.open(c)
	if err != nil {
		return ui.Services{}
	}
	return a.services()
}

func (s *accounts) flushAll() {
	for _, a := range s.opened {
		a.flush()
	}
}

// sandboxes keeps every sandbox this run started, so that all are stopped on exit.
type sandboxes struct {
	opts    sandbox.Options // the scenario and clock of the sandboxes started
	running []*sandbox.Server
}

func (s *sandboxes) start(context.Context) (cloud.Cloud, error) {
	srv, err := sandbox.Start(s.opts)
	if err != nil {
		return cloud.Cloud{}, err
	}
	s.running = append(s.running, srv)
	return srv.Cloud(), nil
}

func (s *sandboxes) closeAll(stderr io.Writer) {
	for _, srv := range s.running {
		if err := srv.Close(); err != nil {
			fmt.Fprintln(stderr, "onboard365:", err)
		}
	}
}
