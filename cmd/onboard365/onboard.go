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
	"time"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/onboard"
)

// Exit codes of "onboard365 onboard" (besides exitAllPass 0, exitProblem 1, exitUsage 2).
const exitWaiting = 3 // waiting for the customer: the link is printed

// sandboxWait is how long `onboard --sandbox` waits for the sandbox customer by default.
const sandboxWait = 2 * time.Minute

// sandboxApprovalDelay is how long the sandbox's customers take to answer, in the sandboxes the
// window and the commands start (not in tests and the guide's pictures, which set their own).
const sandboxApprovalDelay = 3 * time.Second

const onboardUsage = `Usage: onboard365 onboard --customer NAME|TENANT-ID | --new-customer DOMAIN [--template NAME]...
                         [--wait DURATION] [--format table|json] [--sandbox]
       onboard365 onboard status [--format table|json] [--sandbox]

Onboards one customer end to end, as the "Onboard a customer" wizard does: one GDAP relationship
request with the union of the templates' roles (and, for a new customer, Partner Center's reseller
invitation), the customer's approval, the groups and access assignments of the templates with you
in them, the app's consent in the customer, then a check that the access works. Running it again
on a customer that is onboarded finds nothing to do.

It uses the sign-in you kept in the app. With --sandbox it runs on the built-in sandbox, whose
customers approve by themselves (Northwind Traders; Fourth Coffee, fourthcoffee.onmicrosoft.com,
is a new customer that approves; Margie's Travel declines; Coho Winery never answers).

"onboard status" lists the invitations Onboard365 sent from this computer.

Exit code: 0 done, 1 failed, 2 when the command line is wrong, 3 waiting for the customer (the
approval link is printed: send it to their Global Administrator and run the command again later).

Options:
`

// runOnboard handles "onboard365 onboard ..." and "onboard365 onboard status ...".
func runOnboard(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	status := len(args) > 0 && args[0] == "status"
	if status {
		args = args[1:]
	}
	name := "onboard365 onboard:"
	fs := flag.NewFlagSet("onboard365 onboard", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, onboardUsage)
		fs.PrintDefaults()
	}
	f := &factory{stderr: stderr, sandboxDelay: sandboxApprovalDelay}
	f.register(fs, flags{clientID: true, formats: []string{"table", "json"}})
	var customer, domain string
	var templates listFlag
	var wait time.Duration
	if !status {
		fs.StringVar(&customer, "customer", "", "an existing customer: its `name` or tenant id, as Partner Center lists it")
		fs.StringVar(&domain, "new-customer", "", "a new customer, not with you yet: its `domain`, for example fourthcoffee.onmicrosoft.com")
		fs.Var(&templates, "template", "a template (role profile) to onboard with: "+app.BuiltInProfiles()+", or one you made in the app; give it several times for several integrations, in one relationship (default \"Onboard365\")")
		fs.DurationVar(&wait, "wait", -1, "how `long` to wait for the customer's approval before stopping with exit code 3 (default 0, and 2m with --sandbox)")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitAllPass
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s %q is not an option. Run onboard365 onboard --help to see the options.\n", name, fs.Arg(0))
		return exitUsage
	}
	if p := f.problem(); p != "" {
		fmt.Fprintln(stderr, name, p)
		return exitUsage
	}
	if status {
		return onboardStatus(ctx, f, stdout, stderr)
	}
	customer, domain = strings.TrimSpace(customer), strings.TrimSpace(domain)
	switch {
	case customer == "" && domain == "":
		fmt.Fprintln(stderr, name, "say whom to onboard: --customer NAME for an existing customer, or --new-customer DOMAIN for a new one.")
		return exitUsage
	case customer != "" && domain != "":
		fmt.Fprintln(stderr, name, "choose either --customer or --new-customer, not both.")
		return exitUsage
	}
	if domain != "" {
		if err := onboard.CheckDomain(domain); err != nil {
			fmt.Fprintln(stderr, name, explain.Sentence(err))
			return exitUsage
		}
	}
	for _, t := range templates {
		if _, err := app.FindProfile(t); err != nil {
			fmt.Fprintln(stderr, name, explain.Sentence(err))
			return exitUsage
		}
	}
	if wait < 0 {
		wait = 0
		if f.useSandbox {
			wait = sandboxWait
		}
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	defer f.close()
	a, err := f.signedIn(ctx)
	if err != nil {
		return onboardFailed(stderr, "onboard", err)
	}
	svc := services(a).Onboard.(*app.Onboard)
	opts := app.RunOptions{Wait: wait, Progress: func(s string) { fmt.Fprintln(stderr, s) }}
	if srv := f.sandboxOf(a); srv != nil {
		// On the sandbox the technician's mail is the sandbox's customer opening the links.
		opts.Sent = func(domain string, links []string) {
			for _, l := range links {
				if err := srv.OpenAsCustomer(domain, l); err != nil {
					fmt.Fprintln(stderr, "The sandbox's customer could not open the link:", explain.Sentence(err))
				}
			}
		}
	}
	req := app.OnboardRequest{Customer: customer, NewDomain: domain, Templates: templates, Reseller: domain != ""}
	rep, err := svc.Run(ctx, req, opts)
	if errors.Is(err, app.ErrNoSuchOnboardCustomer) {
		fmt.Fprintln(stderr, name, explain.Sentence(err))
		return exitUsage
	} else if err != nil {
		return onboardFailed(stderr, "onboard", err)
	}
	if err := app.WriteReport(stdout, rep, f.format); err != nil {
		fmt.Fprintln(stderr, name, "could not write the result:", err)
		return exitProblem
	}
	switch rep.Status {
	case "done":
		return exitAllPass
	case "waiting":
		return exitWaiting
	}
	return exitProblem
}

// onboardStatus lists the ledger, as last read; it needs no sign-in.
func onboardStatus(ctx context.Context, f *factory, stdout, stderr io.Writer) int {
	defer f.close()
	c, err := f.cloud(ctx)
	if err != nil {
		return onboardFailed(stderr, "onboard status", err)
	}
	a, err := f.account(c)
	if err != nil {
		return onboardFailed(stderr, "onboard status", err)
	}
	invs, err := services(a).Onboard.(*app.Onboard).Invitations()
	if err != nil {
		return onboardFailed(stderr, "onboard status", err)
	}
	if err := app.WriteInvitations(stdout, invs, f.format); err != nil {
		fmt.Fprintln(stderr, "onboard365 onboard status: could not write the list:", err)
		return exitProblem
	}
	return exitAllPass
}

// onboardFailed prints why the command could not run and returns its exit code.
func onboardFailed(stderr io.Writer, name string, err error) int {
	fmt.Fprintln(stderr, "onboard365 "+name+":", explain.Sentence(err))
	return exitProblem
}

// listFlag is a flag that may be given several times.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ", ") }

func (l *listFlag) Set(v string) error {
	if v = strings.TrimSpace(v); v == "" {
		return errors.New("give the template's name")
	}
	*l = append(*l, v)
	return nil
}
