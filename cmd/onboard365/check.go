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
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/vault"
)

// Exit codes of "onboard365 check".
const (
	exitAllPass = 0 // every customer passes
	exitProblem = 1 // a customer does not pass, or the check could not run
	exitUsage   = 2 // the command line is wrong
)

const checkUsage = `Usage: onboard365 check gdap [--profile NAME] [--format table|json|csv|html] [--sandbox]

Checks every customer's GDAP relationships against a role profile: are the roles the profile
needs granted, assigned to a group you are in, and not about to end? It changes nothing.

It uses the sign-in you kept in the app (sign in once in the window and keep the sign-in).
With --sandbox it checks the built-in sandbox's customers instead and needs no sign-in.

Exit code: 0 when every customer passes, 1 when one does not (or the check could not run),
2 when the command line is wrong.

Options:
`

// runCheck handles "onboard365 check gdap ...".
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "authenticator" {
		return runCheckAuthenticator(ctx, args[1:], stdout, stderr) // authmethods.go
	}
	if len(args) > 0 && args[0] == "app" {
		return runAppCheck(ctx, args[1:], stdout, stderr) // appcheck.go
	}
	if len(args) > 0 && args[0] == "troubleshoot" {
		return runTroubleshootCheck(ctx, args[1:], stdout, stderr) // troubleshoot.go
	}
	if len(args) == 0 || args[0] != "gdap" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			fmt.Fprint(stdout, checkUsage)
			return exitAllPass
		}
		fmt.Fprintln(stderr, `onboard365 check: the checks are "gdap", "authenticator", "troubleshoot" and "app". Run onboard365 check gdap --help (or authenticator --help, troubleshoot --help, app --help) to see the options.`)
		return exitUsage
	}
	flags := flag.NewFlagSet("onboard365 check gdap", flag.ContinueOnError)
	flags.SetOutput(stderr)
	flags.Usage = func() {
		fmt.Fprint(stderr, checkUsage)
		flags.PrintDefaults()
	}
	profileName := flags.String("profile", roles.ProfileLiongard, "the role `profile` to check against: a built-in one ("+builtInNames()+") or one you made in the app")
	format := flags.String("format", "table", "how to print the result: `table`, json, csv or html")
	useSandbox := flags.Bool("sandbox", false, "check the built-in sandbox (a simulated Microsoft cloud on this computer); needs no sign-in")
	cloudFile := flags.String("cloud", "", "check the cloud described in this JSON `file` (default: Microsoft's worldwide cloud)")
	allowHosts := flags.Bool(cloud.AllowFlag, false, cloud.AllowFlagHelp)
	clientID := flags.String("client-id", "", "the application (client) `id` of your Onboard365 app registration, as you signed in with")
	tenant := flags.String("tenant", "", "your partner tenant's `id` or domain, as you signed in with")
	if err := flags.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitAllPass
		}
		return exitUsage
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "onboard365 check gdap: %q is not an option. Run onboard365 check gdap --help to see the options.\n", flags.Arg(0))
		return exitUsage
	}
	switch *format {
	case "table", "json", "csv", "html":
	default:
		fmt.Fprintf(stderr, "onboard365 check gdap: --format is table, json, csv or html, not %q.\n", *format)
		return exitUsage
	}
	if *useSandbox && *cloudFile != "" {
		fmt.Fprintln(stderr, "onboard365 check gdap: choose either --sandbox or --cloud, not both.")
		return exitUsage
	}
	profile, err := findProfile(*profileName)
	if err != nil {
		fmt.Fprintln(stderr, "onboard365 check gdap:", err)
		return exitUsage
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	var client *graph.Client
	if *useSandbox {
		s, c, err := checkSandboxGraph()
		if err != nil {
			fmt.Fprintln(stderr, "onboard365 check gdap:", err)
			return exitProblem
		}
		defer s.Close()
		client = c
	} else {
		c, err := signedInGraph(ctx, *cloudFile, *allowHosts, *clientID, *tenant)
		if err != nil {
			fmt.Fprintln(stderr, "onboard365 check gdap:", err)
			return exitProblem
		}
		client = c
	}

	inv, err := gdap.Read(ctx, client, nil)
	if err != nil {
		fmt.Fprintf(stderr, "onboard365 check gdap: could not read your GDAP relationships. %s\n(Details: %v)\n", gdap.Explain(err), err)
		return exitProblem
	}
	verdicts := gdap.Evaluate(inv, profile, time.Now())
	if err := writeCheck(stdout, *format, profile, inv.ReadAt, verdicts); err != nil {
		fmt.Fprintln(stderr, "onboard365 check gdap: could not write the result:", err)
		return exitProblem
	}
	return checkExitCode(verdicts)
}

// checkExitCode is 0 when every customer passes (or there are none), else 1.
func checkExitCode(verdicts []gdap.Verdict) int {
	for _, v := range verdicts {
		if v.Status != gdap.Pass {
			return exitProblem
		}
	}
	return exitAllPass
}

func builtInNames() string {
	var names []string
	for _, p := range roles.BuiltIn() {
		names = append(names, fmt.Sprintf("%q", p.Name))
	}
	return strings.Join(names, ", ")
}

// findProfile finds a built-in profile, or one the user saved in the app.
func findProfile(name string) (roles.Profile, error) {
	if p, ok := roles.Find(name); ok {
		return p, nil
	}
	store, err := roles.DefaultProfileStore()
	if err == nil {
		custom, err := store.Load()
		if err != nil {
			return roles.Profile{}, err
		}
		if p, ok := roles.Lookup(custom, name); ok {
			return p, nil
		}
		var names []string
		for _, p := range custom {
			names = append(names, fmt.Sprintf("%q", p.Name))
		}
		sort.Strings(names)
		if len(names) > 0 {
			return roles.Profile{}, fmt.Errorf("there is no role profile called %q. The profiles are %s, and yours: %s", name, builtInNames(), strings.Join(names, ", "))
		}
	}
	return roles.Profile{}, fmt.Errorf("there is no role profile called %q. The profiles are %s", name, builtInNames())
}

// checkSandboxTechnician is the sandbox's technician, whose token the check uses.
const checkSandboxTechnician = "alex@contosopartners.onmicrosoft.com"

// checkSandboxGraph starts a sandbox in this process and returns a Graph client signed in as its
// technician: the sandbox issues the token itself, so no sign-in happens and nothing is kept.
func checkSandboxGraph() (*sandbox.Server, *graph.Client, error) {
	s, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		return nil, nil, err
	}
	hc, err := s.Cloud().HTTPClient()
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	src := &checkSandboxToken{s: s}
	return s, graph.New(s.Cloud().GraphURL, hc, src, graph.Options{}), nil
}

type checkSandboxToken struct {
	s    *sandbox.Server
	once sync.Once
	tok  string
	err  error
}

func (t *checkSandboxToken) Token(context.Context) (string, error) {
	t.once.Do(func() {
		t.tok, t.err = t.s.IssueToken(sandbox.TokenRequest{UPN: checkSandboxTechnician, Audience: "https://graph.microsoft.com", Consented: true})
	})
	return t.tok, t.err
}

// signedInGraph returns a Graph client for the partner tenant with the sign-in kept in the OS
// keychain.
func signedInGraph(ctx context.Context, cloudFile string, allowHosts bool, clientID, tenant string) (*graph.Client, error) {
	a, err := signedInAccount(ctx, cloudFile, allowHosts, clientID, tenant)
	if err != nil {
		return nil, err
	}
	return a.tenantGraph(ctx, "")
}

// signedInAccount opens the sign-in kept in the OS keychain, for commands that run without the
// window. allowHosts is --allow-non-microsoft-hosts (cloud.Vet).
func signedInAccount(ctx context.Context, cloudFile string, allowHosts bool, clientID, tenant string) (*account, error) {
	return signedInAccountIn(ctx, vault.OSKeychain(), cloudFile, allowHosts, clientID, tenant)
}

// signedInAccountIn is signedInAccount with the keychain given.
func signedInAccountIn(ctx context.Context, store vault.Store, cloudFile string, allowHosts bool, clientID, tenant string) (*account, error) {
	c := cloud.Public()
	if cloudFile != "" {
		var err error
		if c, err = cloud.LoadTrusted(cloudFile, allowHosts); err != nil {
			return nil, err
		}
	}
	if c.Sandbox {
		return nil, errors.New("this cloud file describes a sandbox that runs in another process; use --sandbox to check a sandbox, which needs no sign-in")
	}
	a, err := newAccount(c, store, clientID, tenant)
	if err != nil {
		return nil, err
	}
	if err := a.cache.Load(ctx); err != nil {
		// The keychain is locked or missing, or what it keeps is damaged, a newer version's or
		// unreadable: say that, not "you are not signed in".
		return nil, err
	}
	if a.noApp {
		return nil, errors.New("the check uses the sign-in you kept in the app, and needs the application (client) id of your " +
			"Onboard365 app registration to find it: run it with --client-id ID, the same id you signed in with (or try it on the sandbox with --sandbox)")
	}
	if _, ok, err := a.auth.Restore(ctx); err != nil {
		return nil, fmt.Errorf("could not read your kept sign-in from this computer's keychain: %w", err)
	} else if !ok {
		return nil, errors.New("you are not signed in. Open Onboard365, sign in to your partner tenant and keep the sign-in, then run this check again (or try it with --sandbox)")
	}
	return a, nil
}

// writeCheck prints the verdicts in the chosen format.
func writeCheck(w io.Writer, format string, p roles.Profile, checkedAt time.Time, verdicts []gdap.Verdict) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(gdap.NewReport(p.Name, checkedAt, verdicts))
	case "csv":
		return gdap.WriteCSV(w, verdicts)
	case "html":
		return gdap.WriteHTML(w, verdicts, "GDAP check: "+p.Name+", "+checkedAt.UTC().Format("2 January 2006 15:04 UTC"))
	}
	return writeTable(w, p, checkedAt, verdicts)
}

// writeTable prints plain text columns, then what is wrong with each customer that does not pass.
func writeTable(w io.Writer, p roles.Profile, checkedAt time.Time, verdicts []gdap.Verdict) error {
	fmt.Fprintf(w, "GDAP check against %q (%d roles), %s\n\n", p.Name, len(p.Roles), checkedAt.UTC().Format("2 January 2006 15:04 UTC"))
	if len(verdicts) == 0 {
		_, err := fmt.Fprintln(w, "You have no GDAP relationships with customers yet.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tCUSTOMER\tPROBLEMS")
	counts := map[gdap.Status]int{}
	for _, v := range verdicts {
		counts[v.Status]++
		var kinds []string
		for _, pr := range v.Problems {
			kinds = append(kinds, pr.Kind.Words())
		}
		problems := strings.Join(kinds, ", ")
		if problems == "" {
			problems = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", gdap.StatusWord(v.Status), oneLine(v.Customer.Name), problems)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n%d customers: %d pass, %d fail, %d with warnings, %d could not be checked.\n",
		len(verdicts), counts[gdap.Pass], counts[gdap.Fail], counts[gdap.Warning], counts[gdap.CouldNotCheck])
	first := true
	for _, v := range verdicts {
		for _, pr := range v.Problems {
			if first {
				fmt.Fprintln(w, "\nWhat is wrong, and what to do:")
				first = false
			}
			fmt.Fprintf(w, "  - %s\n", oneLine(pr.Sentence))
		}
	}
	if !first {
		_, err := fmt.Fprintln(w, "\nOpen GDAP relationships in the app to review and apply the fixes Onboard365 offers.")
		return err
	}
	return nil
}

// oneLine keeps a name from outside on one line of the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
