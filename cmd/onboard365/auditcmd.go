package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/cloud"
)

// auditLog is the audit log the flags name: the sandbox's own with --sandbox (or a cloud file of
// a sandbox), else Microsoft's cloud's. Reading it needs no sign-in and starts no sandbox.
func (f *factory) auditLog() (*audit.Log, error) {
	if l, ok := f.audit.(*audit.Log); ok {
		return l, nil
	}
	sandbox := f.useSandbox
	if f.cloudFile != "" {
		c, err := cloud.LoadTrusted(f.cloudFile, f.allowHosts)
		if err != nil {
			return nil, err
		}
		sandbox = c.Sandbox
	}
	path, err := audit.DefaultPath(sandbox)
	if err != nil {
		return nil, err
	}
	return audit.Open(path, f.clock), nil
}

const auditAbout = `The audit trail holds every change Onboard365 applied, from any wizard or command: when, who
was signed in (the technician), which tenant (id and name), what was changed with its before and
after (never a secret), and how it ended; and every access token handed out to a script. It is
kept in your configuration folder (onboard365/audit.log; the sandbox's changes in
audit-sandbox.log). Each entry names the SHA-256 of the one before, so an edited, removed or
reordered entry shows in onboard365 audit verify.
`

func auditTool() tool {
	var customer, since string
	var from time.Time
	return tool{usage: `Usage: onboard365 audit [--customer NAME] [--since DATE] [--format table|json|csv] [--sandbox]
       onboard365 audit verify [--sandbox]

Lists the audit trail, oldest first.

` + auditAbout + `
--format json prints a list of entries, each with "seq", "time", "technician", "tenantId",
"tenantName", "source", "change", "target", "before", "after", "result", "detail" and "redacted";
its fields only ever grow.

Exit code: 0 when the list was printed, 1 when the log could not be read whole, 2 when the command
line is wrong.

Options:
`,
		flags: flags{formats: []string{"table", "json", "csv"}},
		own: func(fs *flag.FlagSet) func() error {
			fs.StringVar(&customer, "customer", "", "only this customer's changes: its `name` or tenant id")
			fs.StringVar(&since, "since", "", "only the changes made on or after this `day` (2026-05-01) or time (2026-05-01T09:00:00+02:00)")
			return func() (err error) {
				if strings.TrimSpace(since) != "" {
					from, err = audit.ParseSince(since, nil)
				}
				return err
			}
		},
		run: func(ctx context.Context, f *factory, env toolEnv) int {
			l, err := f.auditLog()
			if err != nil {
				return failed(env, "audit", err)
			}
			entries, readErr := l.Read(ctx)
			var damaged *audit.DamagedError
			if readErr != nil && !errors.As(readErr, &damaged) {
				return failed(env, "audit", fmt.Errorf("reading the audit log: %w", readErr))
			}
			chosen := audit.Select(entries, audit.Filter{Customer: customer, Since: from})
			switch f.format {
			case "json":
				err = audit.WriteJSON(env.stdout, chosen)
			case "csv":
				err = audit.WriteCSV(env.stdout, chosen)
			default:
				err = audit.WriteTable(env.stdout, chosen, nil)
			}
			if err != nil {
				return failed(env, "audit", errors.New("the list could not be written"))
			}
			if damaged != nil {
				fmt.Fprintln(env.stderr, "onboard365 audit:", damaged.Error()+". Run onboard365 audit verify to see whether the log was changed.")
				return exitProblem
			}
			return exitAllPass
		}}
}

func auditVerifyTool() tool {
	return tool{usage: `Usage: onboard365 audit verify [--sandbox]

Checks the audit trail's chain: every entry as it was written, in order, none missing, the last
one the one written last. It says where the first problem is.

` + auditAbout + `
The chain shows a change made to the file without recomputing every hash after it; it is not a
protection against someone who can write your files and rewrites the whole chain: keep a copy
elsewhere (such as onboard365 audit --format json, sent to a place only you can write) when you
need that.

Exit code: 0 when every entry is as it was written, 1 when one is not (or the log could not be
read), 2 when the command line is wrong.

Options:
`,
		run: func(ctx context.Context, f *factory, env toolEnv) int {
			l, err := f.auditLog()
			if err != nil {
				return failed(env, "audit verify", err)
			}
			r, err := l.Verify(ctx, nil)
			if err != nil {
				return failed(env, "audit verify", err)
			}
			fmt.Fprintln(env.stdout, r.Sentence)
			if !r.OK {
				return exitProblem
			}
			return exitAllPass
		}}
}
