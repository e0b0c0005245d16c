package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
)

// tokenTool is `onboard365 token`: an access token for one of the MSP's own scripts, redeemed
// from the kept sign-in (seed 003's workflow, without the refresh token ever leaving the
// keychain). The token is printed on stdout on purpose, and only there.
func tokenTool() tool {
	var customer, scope string
	return tool{usage: `Usage: onboard365 token --customer NAME|TENANT-ID [--scope SCOPE] [--format text|json] [--sandbox]

Prints an access token for a customer (through GDAP) or for your partner tenant (--customer
partner), redeemed from the sign-in you kept in the app, for your own scripts: PowerShell's
Connect-MgGraph -AccessToken, or curl. The refresh token never leaves this computer's keychain;
each token handed out is recorded in the audit trail (not the token itself).

The token is printed on standard output and nowhere else: keep it out of files and logs. It is
valid for about an hour.

--format json prints {"accessToken", "expiresOn", "tenantId", "scope"}.

Exit code: 0 when a token was printed, 1 when none could be had, 2 when the command line is
wrong.

Options:
`,
		flags: flags{clientID: true, formats: []string{"text", "json"}},
		own: func(fs *flag.FlagSet) func() error {
			fs.StringVar(&customer, "customer", "", "the customer's `name` or tenant id, or \"partner\" for your own tenant")
			fs.StringVar(&scope, "scope", "", "what the token is for: one resource's `scopes`, separated by spaces (default: Microsoft Graph with the permissions the app was consented for, https://graph.microsoft.com/.default)")
			return func() error {
				if strings.TrimSpace(customer) == "" {
					return errors.New("say whose token it is with --customer NAME (or --customer partner for your own tenant)")
				}
				return nil
			}
		},
		run: func(ctx context.Context, f *factory, env toolEnv) int {
			a, err := f.signedIn(ctx)
			if err != nil {
				return failed(env, "token", err)
			}
			tok, err := a.HandOutToken(ctx, customer, scope)
			if err != nil {
				return failed(env, "token", err)
			}
			if f.format == "json" {
				err = writeJSON(env.stdout, struct {
					AccessToken string `json:"accessToken"`
					ExpiresOn   string `json:"expiresOn"`
					TenantID    string `json:"tenantId"`
					Scope       string `json:"scope"`
				}{tok.AccessToken, tok.ExpiresOn.UTC().Format("2006-01-02T15:04:05Z"), tok.TenantID, tok.Scope})
			} else {
				_, err = fmt.Fprintln(env.stdout, tok.AccessToken)
			}
			if err != nil {
				return failed(env, "token", errors.New("the token could not be written"))
			}
			return exitAllPass
		}}
}
