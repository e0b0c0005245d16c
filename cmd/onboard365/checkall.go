package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/onboard365/onboard365/internal/app"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/roles"
)

// allCheck is `onboard365 check all`: the connection's health, every customer and the partner,
// as Home shows it (internal/health).
func allCheck() check {
	var template string
	return check{name: "all", line: "everything at once: one verdict per customer and one for your partner tenant (Home)",
		usage: `Usage: onboard365 check all [--template NAME] [--format table|json|csv|html] [--sandbox]

Checks everything at once and gives one verdict per customer and one for your partner tenant:
for each customer, whether your technicians get a token there (access), the app's consent,
Conditional Access policies that block your service provider users, the GDAP roles of the
template, relationships that end soon without extending themselves, relationships waiting for
the customer's approval, and Entra ID P1; for your partner tenant, the kept sign-in (and any
sign-in-frequency policy that ends it sooner), the app's secret, MFA enforcement and a risky
technician. Each part says pass, warning, fail or could not check, why, and which task fixes
it. It changes nothing.

It uses the sign-in you kept in the app. With --sandbox it checks the built-in sandbox instead.

--format json prints {"checkedAt", "template", "partner": {...}, "customers": [{"tenantId",
"name", "status", "checks": [{"check", "title", "status", "sentence", "fix"}]}], "summary"}; its
fields only ever grow.

Exit code: 0 when everything passes, 1 when something does not (or the check could not run),
2 when the command line is wrong.

Options:
`,
		flags: flags{clientID: true, formats: []string{"table", "json", "csv", "html"}},
		own: func(fs *flag.FlagSet) func() error {
			fs.StringVar(&template, "template", roles.ProfileLiongard, "the role `template` the GDAP roles are judged against: a built-in one ("+app.BuiltInProfiles()+") or one you made in the app")
			return func() error { _, err := app.FindProfile(template); return err }
		},
		run: func(ctx context.Context, f *factory, stdout, stderr io.Writer) int {
			a, err := f.signedIn(ctx)
			if err != nil {
				return fail(stderr, "all", err)
			}
			h := healthOf(a)
			r, err := h.Check(ctx, app.HealthRequest{Template: template}, nil)
			if err != nil {
				fmt.Fprintln(stderr, "onboard365 check all: the check could not read your customers.", explain.Sentence(err))
				if len(r.Partner.Checks) == 0 {
					return exitProblem
				}
			}
			return printed(stderr, "all", h.Export(r, f.format, stdout), err == nil && r.Passes())
		}}
}
