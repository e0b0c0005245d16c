package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/vault"
	"github.com/onboard365/onboard365/ui"
)

const appCheckUsage = `Usage: onboard365 check app [options]

Reads your app registration, its service principal, redirect addresses, permissions, secrets and
admin consent, and says what the App registration wizard would change. It changes nothing.
An administrator of your partner tenant (Application Administrator or Global Administrator) signs
in in a private browser window, through Microsoft's own Graph command line app; that sign-in is
not kept.

Exit code: 0 when the app registration is right, 1 when something would change (or the check could
not run), 2 when the command line is wrong.

Options:
`

// runAppCheck handles "onboard365 check app ...": the App registration wizard's reading and plan,
// for a computer where the window cannot open.
func runAppCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const name = "onboard365 check app:"
	flags := flag.NewFlagSet("onboard365 check app", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprint(stderr, appCheckUsage)
		flags.PrintDefaults()
	}
	appName := flags.String("name", "Onboard365", "the `name` of the app registration")
	account := flags.String("account", "", "the administrator `account` to sign in with (optional)")
	useSandbox := flags.Bool("sandbox", false, "check the built-in sandbox (a simulated Microsoft cloud on this computer), signed in as its administrator")
	scenario := flags.String("scenario", "", "with --sandbox, the sandbox's scenario `name`, for example fresh or app-expired-secret")
	cloudFile := flags.String("cloud", "", "check the cloud described in this JSON `file` (default: Microsoft's worldwide cloud)")
	allowHosts := flags.Bool(cloud.AllowFlag, false, cloud.AllowFlagHelp)
	tenant := flags.String("tenant", "", "your partner tenant's `id` or domain (default: found at sign-in)")
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitAllPass
		}
		return exitUsage
	}
	switch {
	case flags.NArg() > 0:
		fmt.Fprintf(stderr, "%s %q is not an option. Run onboard365 check app --help to see the options.\n", name, flags.Arg(0))
		return exitUsage
	case *useSandbox && *cloudFile != "":
		fmt.Fprintln(stderr, name, "choose either --sandbox or --cloud, not both.")
		return exitUsage
	case *scenario != "" && !*useSandbox:
		fmt.Fprintln(stderr, name, "--scenario chooses what the sandbox simulates; add --sandbox.")
		return exitUsage
	case strings.TrimSpace(*appName) == "":
		fmt.Fprintln(stderr, name, "--name must name the app registration.")
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	c := cloud.Public()
	store := vault.Store(vault.OSKeychain())
	if *useSandbox {
		s, err := sandbox.Start(sandbox.Options{Scenario: *scenario})
		if err != nil {
			fmt.Fprintln(stderr, name, err)
			return exitProblem
		}
		defer s.Close()
		c = s.Cloud()
	} else if *cloudFile != "" {
		var err error
		if c, err = cloud.LoadTrusted(*cloudFile, *allowHosts); err != nil {
			fmt.Fprintln(stderr, name, err)
			return exitProblem
		}
	}
	a, err := newAccount(c, store, "", *tenant)
	if err != nil {
		fmt.Fprintln(stderr, name, err)
		return exitProblem
	}
	plan, err := checkApp(ctx, newAppregService(a), strings.TrimSpace(*appName), strings.TrimSpace(*account), stderr)
	if err != nil {
		fmt.Fprintln(stderr, name, err)
		return exitProblem
	}
	writeAppPlan(stdout, plan)
	if len(plan.Changes) > 0 {
		return exitProblem
	}
	return exitAllPass
}

// checkApp signs the administrator in and reads the plan, as the wizard's first three steps do.
// On the sandbox the sign-in pages are answered as its administrator (alex); when that fails (an
// account the sandbox does not know), the sign-in ends at once with that reason, instead of
// waiting for a browser that will never come back.
func checkApp(ctx context.Context, svc *appregService, appName, account string, stderr io.Writer) (ui.AppPlan, error) {
	signInErr := make(chan error, 1)
	signInCtx, abort := context.WithCancelCause(ctx)
	defer abort(nil)
	launched := func(l ui.Launch) {
		switch {
		case l.InApp != nil:
			user := account
			if user == "" {
				user = sandboxUsers[0]
			}
			go func() {
				err := l.InApp(ctx, user, "sandbox", true)
				signInErr <- err
				if err != nil {
					abort(err)
				}
			}()
		case l.Failed != nil:
			fmt.Fprintf(stderr, "No browser could be opened. Open this address in a private browser window and sign in there:\n%s\n", l.URL)
		default:
			fmt.Fprintln(stderr, "Sign in as an administrator in the browser window that opened, then come back here.")
		}
	}
	choice := ui.AppChoice{Name: appName, Integrations: []string{permissions.DefaultName}}
	if _, err := svc.SignInAdmin(signInCtx, choice, account, launched); err != nil {
		select {
		case e := <-signInErr:
			if e != nil {
				return ui.AppPlan{}, fmt.Errorf("signing in to the sandbox: %w", e)
			}
		default:
		}
		return ui.AppPlan{}, err
	}
	return svc.Plan(ctx, func(string) {})
}

// writeAppPlan prints what exists, what would change and what is left alone, a line each.
func writeAppPlan(w io.Writer, p ui.AppPlan) {
	section := func(title string, lines []string) {
		if len(lines) == 0 {
			return
		}
		fmt.Fprintln(w, title)
		for _, l := range lines {
			fmt.Fprintln(w, "  - "+l)
		}
	}
	section("What exists:", p.Facts)
	if len(p.Changes) == 0 {
		fmt.Fprintln(w, "Nothing to change: the app registration is correct.")
	} else {
		section(fmt.Sprintf("What the App registration wizard would change (%d):", len(p.Changes)), p.Changes)
	}
	section("Left as it is:", p.Notes)
}
