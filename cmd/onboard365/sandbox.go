package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/sandbox"
)

// runSandbox handles "onboard365 sandbox serve": the simulated cloud on its own, for other tools
// or a second copy of the app (--cloud FILE) to talk to.
func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "serve" {
		fmt.Fprintln(stderr, "onboard365 sandbox: the only sandbox command is \"serve\". Run onboard365 sandbox serve --help to see its options.")
		return 2
	}
	flags := flag.NewFlagSet("onboard365 sandbox serve", flag.ContinueOnError)
	flags.SetOutput(stderr)
	scenario := flags.String("scenario", sandbox.ScenarioContoso, "the `name` of the scenario: "+sandbox.ScenarioContoso+" (a dozen customers, each with a problem), "+sandbox.ScenarioEmpty+
		", "+sandbox.ScenarioLargeTenant+" (the dozen plus Fourth Coffee, a customer with 10,000 users), or for the App registration wizard "+
		strings.Join(sandbox.AppScenarios, ", ")+" (before Onboard365's app exists, half-made apps, and its refusals), or "+
		sandbox.ScenarioTroubleshoot+fmt.Sprintf(" (--customers N generated customers, %d if not given, showing every cause of \"400\" one in ten)", sandbox.TroubleshootCustomers))
	customers := flags.Int("customers", 0, fmt.Sprintf("instead of a scenario, `N` generated healthy customers (1 to %d), for measuring speed", sandbox.MaxCustomers))
	latency := flags.Duration("latency", 0, "wait this `long` before answering each request, like a distant server (for example 50ms)")
	faultRate := flags.Float64("fault-rate", 0, "answer this `fraction` of Graph and Partner Center requests with 429 or 503 (0 to 1)")
	dropRate := flags.Float64("drop-rate", 0, "cut the connection of this `fraction` of Graph and Partner Center requests without an answer")
	malformedRate := flags.Float64("malformed-rate", 0, "answer this `fraction` of Graph and Partner Center GET requests with a cut-off JSON body")
	tracePath := flags.String("trace", "", "write one JSON line per request to this `file`")
	cloudOut := flags.String("cloud-out", "", "also write the cloud description to this `file`, for onboard365 --cloud")
	approvalDelay := flags.Duration("approval-delay", 5*time.Second, "how `long` a customer's administrator takes to answer a GDAP request once it is sent for approval (0: never on their own)")
	answer := flags.String("customer-answer", "", "how every customer's administrator answers: `approve`, decline or never (default: each as the scenario says: the customers and Fourth Coffee approve, Margie's Travel declines, Coho Winery never answers)")
	if err := flags.Parse(args[1:]); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	for name, rate := range map[string]float64{"--fault-rate": *faultRate, "--drop-rate": *dropRate, "--malformed-rate": *malformedRate} {
		if !(rate >= 0 && rate <= 1) { // also NaN
			fmt.Fprintf(stderr, "onboard365 sandbox serve: %s is a fraction from 0 to 1, for example 0.05 for 5%%, not %v.\n", name, rate)
			return 2
		}
	}
	faults := sandbox.Faults{Latency: *latency, Dropped: *dropRate, Malformed: *malformedRate}.Rate(*faultRate)
	opts := sandbox.Options{Scenario: *scenario, Customers: *customers, Faults: faults, ApprovalDelay: *approvalDelay, Answer: *answer}
	if err := opts.Validate(); err != nil {
		fmt.Fprintln(stderr, "onboard365 sandbox serve:", err)
		return 2
	}
	if *tracePath != "" {
		f, err := os.Create(*tracePath)
		if err != nil {
			fmt.Fprintln(stderr, "onboard365 sandbox serve: create the trace file:", err)
			return 1
		}
		defer f.Close()
		opts.Trace = f
	}
	srv, err := sandbox.Start(opts)
	if err != nil {
		fmt.Fprintln(stderr, "onboard365 sandbox serve:", err)
		return 1
	}
	defer srv.Close()

	description, _ := json.MarshalIndent(srv.Cloud(), "", "  ")
	if *cloudOut != "" {
		if err := os.WriteFile(*cloudOut, append(description, '\n'), 0o644); err != nil {
			fmt.Fprintln(stderr, "onboard365 sandbox serve: write the cloud file:", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "%s\n", description)
	fmt.Fprintf(stderr, "The sandbox is running at %s. Save the description above to a file and start the app with --cloud FILE. Press Ctrl+C to stop.\n", srv.Cloud().AuthorityHost)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt)
	defer stop()
	<-ctx.Done()
	fmt.Fprintln(stderr, "Stopping the sandbox.")
	return 0
}
