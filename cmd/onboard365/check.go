package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/roles"
)

// Exit codes of "onboard365 check".
const (
	exitAllPass = 0 // every customer passes
	exitProblem = 1 // a customer does not pass, or the check could not run
	exitUsage   = 2 // the command line is wrong
)

// A check: its name, its usage text, the shared flags it takes, its own flags, and what it does
// with an account once the flags are right.
type check struct {
	name, usage string
	line        string // what it does, in one line, for onboard365 check --help
	flags       flags
	own         func(fs *flag.FlagSet) func() error // registers the check's own flags; the function it returns checks them
	run         func(ctx context.Context, f *factory, stdout, stderr io.Writer) int
}

// runCheck handles "onboard365 check NAME ...": each check is what its wizard reads and judges,
// for a computer where the window cannot open. None changes anything.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	all := []check{allCheck(), gdapCheck(), authenticatorCheck(), troubleshootCheck(), appCheck()}
	checks := map[string]check{}
	for _, c := range all {
		checks[c.name] = c
	}
	if len(args) == 0 || checks[args[0]].run == nil {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help" || args[0] == "help") {
			printChecks(stdout, all)
			return exitAllPass
		}
		if len(args) > 0 {
			fmt.Fprintf(stderr, "onboard365 check: there is no check called %q.\n\n", args[0])
		}
		printChecks(stderr, all)
		return exitUsage
	}
	c := checks[args[0]]
	name := "onboard365 check " + args[0] + ":"
	fs := flag.NewFlagSet("onboard365 check "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, c.usage)
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\n"+sandboxHelp) // every check takes --sandbox and --cloud
	}
	f := &factory{stderr: stderr}
	f.register(fs, c.flags)
	validate := c.own(fs)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitAllPass
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s %q is not an option. Run onboard365 check %s --help to see the options.\n", name, fs.Arg(0), args[0])
		return exitUsage
	}
	if p := f.problem(); p != "" {
		fmt.Fprintln(stderr, name, p)
		return exitUsage
	}
	if err := validate(); err != nil {
		fmt.Fprintln(stderr, name, explain.Sentence(err))
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	defer f.close()
	return c.run(ctx, f, stdout, stderr)
}

// printChecks lists every check with what it does, one a line: onboard365 check --help.
func printChecks(w io.Writer, all []check) {
	fmt.Fprint(w, "Usage: onboard365 check CHECK [options]\n\n"+
		"Each check reads and judges what its wizard in the app reads, for a computer where the window\n"+
		"cannot open or for a script. None changes anything. The checks:\n\n")
	for _, c := range all {
		fmt.Fprintf(w, "  %-14s %s\n", c.name, c.line)
	}
	fmt.Fprint(w, "\nRun onboard365 check CHECK --help to see a check's options.\n\n"+sandboxHelp+exitHelp)
}

// sandboxHelp says which sandbox a check reaches: the one it starts, or the window's.
const sandboxHelp = `--sandbox starts a sandbox of the check's own, with the scenario as it begins: what you fixed in
the window's sandbox does not show there. To check the sandbox the window works on, run both on
one: start "onboard365 sandbox serve --cloud-out sandbox.json", open the window with
"onboard365 --cloud sandbox.json", and check with "onboard365 check gdap --cloud sandbox.json".

`

// exitHelp is what every check's exit code means.
const exitHelp = `Exit code: 0 when everything checked passes, 1 when something does not (or the check could not
run), 2 when the command line is wrong.
`

// fail prints why a check could not run and returns its exit code.
func fail(stderr io.Writer, name string, err error) int {
	fmt.Fprintln(stderr, "onboard365 check "+name+":", explain.Sentence(err))
	return exitProblem
}

// printed is a check's exit code once its result is written: 0 when everything passes.
func printed(stderr io.Writer, name string, err error, passes bool) int {
	switch {
	case err != nil:
		fmt.Fprintln(stderr, "onboard365 check "+name+": could not write the result:", err)
		return exitProblem
	case passes:
		return exitAllPass
	}
	return exitProblem
}

func gdapCheck() check {
	var profile string
	return check{name: "gdap", line: "every customer's GDAP relationships against a role profile (GDAP relationships)",
		usage: `Usage: onboard365 check gdap [--profile NAME] [--format table|json|csv|html] [--sandbox [--scenario NAME] | --cloud FILE]

Checks every customer's GDAP relationships against a role profile: are the roles the profile
needs granted, assigned to a group you are in, and not about to end? It changes nothing.

It uses the sign-in you kept in the app (sign in once in the window and keep the sign-in).
With --sandbox it checks a sandbox of its own instead and needs no sign-in (see below).

Exit code: 0 when every customer passes, 1 when one does not (or the check could not run),
2 when the command line is wrong.

Options:
`,
		flags: flags{clientID: true, formats: []string{"table", "json", "csv", "html"}},
		own: func(fs *flag.FlagSet) func() error {
			fs.StringVar(&profile, "profile", roles.ProfileLiongard, "the role `profile` to check against: a built-in one ("+app.BuiltInProfiles()+") or one you made in the app")
			return func() error { _, err := app.FindProfile(profile); return err }
		},
		run: func(ctx context.Context, f *factory, stdout, stderr io.Writer) int {
			a, err := f.signedIn(ctx)
			if err != nil {
				return fail(stderr, "gdap", err)
			}
			g := app.NewGDAP(a)
			r, err := g.Check(ctx, app.GDAPRequest{Profile: profile}, nil)
			if err != nil {
				fmt.Fprintf(stderr, "onboard365 check gdap: could not read your GDAP relationships. %s\n", gdap.Explain(err))
				return exitProblem
			}
			return printed(stderr, "gdap", g.Export(r, f.format, stdout), r.Passes())
		}}
}

func authenticatorCheck() check {
	var customer, users string
	return check{name: "authenticator", line: "one tenant's users whose default MFA method is not Authenticator (Authenticator default method)",
		usage: `Usage: onboard365 check authenticator --customer NAME [--user UPN,...] [--format table|json] [--sandbox [--scenario NAME] | --cloud FILE]

Lists the users of a customer (or of your partner tenant, --customer partner) whose default MFA
method is not a Microsoft Authenticator notification, grouped as the app's wizard groups them,
after checking that the tenant has Entra ID P1 and that your GDAP roles can read and change
sign-in methods there. It changes nothing: the wizard in the app does the switching.

It uses the sign-in you kept in the app. With --sandbox it checks the built-in sandbox instead.

Exit code: 0 when every user already defaults to Authenticator (guests aside), 1 when a user
does not or the check could not run, 2 when the command line is wrong.

Options:
`,
		flags: flags{clientID: true, formats: []string{"table", "json"}},
		own: func(fs *flag.FlagSet) func() error {
			fs.StringVar(&customer, "customer", "", "the customer's `name` or tenant id, or \"partner\" for your own tenant")
			fs.StringVar(&users, "user", "", "only these users: sign-in `names`, separated by commas")
			return func() error {
				if strings.TrimSpace(customer) == "" {
					return errors.New("say which tenant to check with --customer NAME (or --customer partner for your own)")
				}
				return nil
			}
		},
		run: func(ctx context.Context, f *factory, stdout, stderr io.Writer) int {
			a, err := f.signedIn(ctx)
			if err != nil {
				return fail(stderr, "authenticator", err)
			}
			r, err := app.NewAuthenticator(a).Report(ctx, customer, users)
			if err != nil {
				return fail(stderr, "authenticator", err)
			}
			if f.format == "json" {
				err = writeJSON(stdout, r)
			} else {
				err = authmethods.WriteTable(stdout, r)
			}
			return printed(stderr, "authenticator", err, r.Passes())
		}}
}

func troubleshootCheck() check {
	var req app.TroubleshootRequest
	var everyone bool
	return check{name: "troubleshoot", line: `why customers refuse your tools, their "400" errors (Troubleshoot "400" errors)`,
		usage: `Usage: onboard365 check troubleshoot [--customer ID | --all] [--profile NAME] [--service-account UPN] [--format table|json|csv|html] [--sandbox [--scenario NAME] | --cloud FILE]

Finds why customers refuse your tools (the "400" errors of integrations): MFA enforcement in your
partner tenant, risky partner accounts, your sign-in's MFA, and for each customer whether
Microsoft gives your technician a token, which Conditional Access policies block service provider
users, failed sign-ins (53003) in the customer's sign-in log, GDAP roles and groups, and Entra ID
P1. It changes nothing: open Troubleshoot in the app to review and apply the fixes.

It uses the sign-in you kept in the app (sign in once in the window and keep the sign-in). With
--sandbox it checks the built-in sandbox's customers instead, signed in there as its technician.

Exit code: 0 when every check passes, 1 when one does not (or the check could not run), 2 when
the command line is wrong.

Options:
`,
		flags: flags{clientID: true, formats: []string{"table", "json", "csv", "html"}},
		own: func(fs *flag.FlagSet) func() error {
			fs.StringVar(&req.Customer, "customer", "", "check only this customer: its tenant `id` or name")
			fs.BoolVar(&everyone, "all", false, "check every customer (the default)")
			fs.StringVar(&req.ServiceAccount, "service-account", "", "also check this `account` of your partner tenant for risk: the integration's own account, if it has one")
			fs.StringVar(&req.Profile, "profile", roles.ProfileLiongard, "the role `profile` the GDAP check judges against ("+app.BuiltInProfiles()+", or one you made in the app)")
			return func() error {
				req.Customer = strings.TrimSpace(req.Customer)
				if everyone && req.Customer != "" {
					return errors.New("choose either --customer or --all, not both")
				}
				_, err := app.FindProfile(req.Profile)
				return err
			}
		},
		run: func(ctx context.Context, f *factory, stdout, stderr io.Writer) int {
			a, err := f.signedIn(ctx)
			if err != nil {
				return fail(stderr, "troubleshoot", err)
			}
			t := app.NewTroubleshoot(a)
			r, err := t.Check(ctx, req, nil)
			if errors.Is(err, app.ErrNoSuchCustomer) {
				fail(stderr, "troubleshoot", err)
				return exitUsage
			} else if err != nil {
				return fail(stderr, "troubleshoot", err)
			}
			return printed(stderr, "troubleshoot", t.Export(r, f.format, stdout), r.Passes())
		}}
}

func appCheck() check {
	var appName, account string
	return check{name: "app", line: "the app registration, and what its wizard would change (App registration)",
		usage: `Usage: onboard365 check app [--name NAME] [--account UPN] [--sandbox [--scenario NAME] | --cloud FILE]

Reads your app registration, its service principal, redirect addresses, permissions, secrets and
admin consent, and says what the App registration wizard would change. It changes nothing.
An administrator of your partner tenant (Application Administrator or Global Administrator) signs
in in a private browser window, through Microsoft's own Graph command line app; that sign-in is
not kept.

Exit code: 0 when the app registration is right, 1 when something would change (or the check could
not run), 2 when the command line is wrong.

Options:
`,
		own: func(fs *flag.FlagSet) func() error {
			fs.StringVar(&appName, "name", "Onboard365", "the `name` of the app registration")
			fs.StringVar(&account, "account", "", "the administrator `account` to sign in with (optional)")
			return func() error {
				if appName = strings.TrimSpace(appName); appName == "" {
					return errors.New("--name must name the app registration")
				}
				account = strings.TrimSpace(account)
				return nil
			}
		},
		run: func(ctx context.Context, f *factory, stdout, stderr io.Writer) int {
			c, err := f.cloud(ctx)
			if err != nil {
				return fail(stderr, "app", err)
			}
			a, err := f.account(c)
			if err != nil {
				return fail(stderr, "app", err)
			}
			// On the sandbox the sign-in pages are answered as its administrator (alex).
			user := account
			if user == "" {
				user = app.SandboxTechnician
			}
			svc := app.NewAppRegistration(a)
			var admin app.AppAdmin
			err = signIn(ctx, user, stderr, func(ctx context.Context, launched func(app.Launch)) (err error) {
				admin, err = svc.SignInAdmin(ctx, app.AppChoice{Name: appName, Integrations: []string{permissions.DefaultName}}, account, launched)
				return err
			})
			if err != nil {
				return fail(stderr, "app", err)
			}
			p, err := svc.Plan(ctx, admin, func(string) {})
			if err != nil {
				return fail(stderr, "app", err)
			}
			app.WritePlan(stdout, p)
			return printed(stderr, "app", nil, len(p.Changes) == 0)
		}}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
