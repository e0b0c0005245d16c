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
//	onboard365 check all        every customer's and the partner's health at once (checkall.go)
//	onboard365 watch ...        the scheduled watch: install, uninstall, status, run (watchcmd.go)
//	onboard365 audit [verify]   the audit trail of every change (auditcmd.go)
//	onboard365 token            an access token for the MSP's own scripts (tokencmd.go)
//	onboard365 onboard          one customer onboarded end to end; onboard status lists the invitations (onboard.go)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/cloud"
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
	if code, ok := runTool(ctx, args, stdout, stderr); ok { // token, audit, watch (tools.go)
		return code
	}
	if len(args) > 0 && args[0] == "onboard" {
		return runOnboard(ctx, args[1:], stdout, stderr) // onboard.go
	}
	fs := flag.NewFlagSet("onboard365", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f := &factory{stderr: stderr, sandboxDelay: sandboxApprovalDelay}
	f.register(fs, flags{window: true, clientID: true})
	shotsDir := fs.String("screenshot", "", "render every page to PNG files in this `folder` and exit (no display needed)")
	showVersion := fs.Bool("version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "onboard365: unknown command %q. Run onboard365 --help to see what it can do.\n", fs.Arg(0))
		return 2
	}
	if *showVersion {
		printVersion(stdout)
		return 0
	}
	if f.useSandbox && f.cloudFile != "" {
		fmt.Fprintln(stderr, "onboard365: choose either --sandbox or --cloud, not both")
		return 1
	}
	if p := f.problem(); p != "" {
		fmt.Fprintln(stderr, "onboard365:", p)
		return 2
	}
	defer f.close()
	opts, err := f.windowOptions(ctx)
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

// windowOptions wires the chosen cloud into what the window needs.
func (f *factory) windowOptions(ctx context.Context) (ui.Options, error) {
	c, err := f.cloud(ctx)
	if err != nil {
		return ui.Options{}, err
	}
	a, err := f.account(c)
	if err != nil {
		return ui.Options{}, err
	}
	opts := ui.Options{
		Cloud:           c,
		Version:         version,
		About:           aboutThisBuild(),
		CheckConnection: func(ctx context.Context, c cloud.Cloud) error { return c.Check(ctx) },
		Services:        f.windowServices(a),
		Connect: func(c cloud.Cloud) ui.Services { // the services of a cloud the window switches to (Try the sandbox)
			a, err := f.account(c)
			if err != nil {
				return ui.Services{}
			}
			return f.windowServices(a)
		},
	}
	if !c.Sandbox {
		opts.TrySandbox = f.startSandbox
	}
	return opts, nil
}

// windowServices are the window's services on an account; on a sandbox of this process the
// onboarding page can also act as the sandbox's customer.
func (f *factory) windowServices(a *app.Account) ui.Services {
	s := services(a)
	if srv := f.sandboxOf(a); srv != nil {
		s.SandboxCustomer = srv
	}
	return s
}
