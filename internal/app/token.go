package app

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/audit"
	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/words"
)

// AccessToken is an access token handed to one of the MSP's own scripts (`onboard365 token`):
// seed 003's workflow, without the refresh token ever leaving the keychain. Its JSON is what
// `token --format json` prints.
type AccessToken struct {
	AccessToken string    `json:"accessToken"`
	ExpiresOn   time.Time `json:"expiresOn"`
	TenantID    string    `json:"tenantId"`
	Scope       string    `json:"scope"`
	// TenantName is whom it is for, as the person reads it (not printed in the JSON).
	TenantName string `json:"-"`
}

// String describes the token without the token itself, so that a log line or an error that
// prints the value by mistake never holds it.
func (t AccessToken) String() string {
	return fmt.Sprintf("an access token for %s (%s), valid until %s", t.TenantName, t.Scope, t.ExpiresOn.UTC().Format(time.RFC3339))
}

// GoString is String, for %#v.
func (t AccessToken) GoString() string { return t.String() }

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// HandOutToken redeems an access token from the kept sign-in for a customer (by name or tenant
// id, through GDAP) or for the partner's own tenant ("partner"), for scope ("" for Microsoft
// Graph with the permissions the app was consented for), and records the hand-out in the audit
// trail (never the token). When the hand-out cannot be recorded, no token is handed out.
func (a *Account) HandOutToken(ctx context.Context, customer, scope string) (AccessToken, error) {
	scope = strings.Join(strings.Fields(scope), " ")
	if scope == "" {
		scope = auth.GraphScope
	}
	c, err := a.Graph(ctx, "") // restores the kept sign-in, or says why there is none
	if err != nil {
		return AccessToken{}, err
	}
	tenantID, name, err := a.findTenant(ctx, c, customer)
	if err != nil {
		return AccessToken{}, err
	}
	tok, err := a.authn().Token(ctx, tenantID, scope)
	if err != nil {
		return AccessToken{}, err
	}
	claims, err := auth.ParseClaims(tok)
	if err != nil {
		return AccessToken{}, errors.New("Microsoft's answer was not an access token Onboard365 can read, so it hands none out")
	}
	out := AccessToken{AccessToken: tok, ExpiresOn: claims.Exp.UTC(), TenantID: claims.Tid, Scope: scope, TenantName: name}
	if out.TenantID == "" {
		out.TenantID = tenantID
	}
	e := audit.Entry{TenantID: out.TenantID, TenantName: name, Source: "token",
		Change: "Handed out an access token to a script (onboard365 token)",
		After:  "For " + scope + ", valid until " + out.ExpiresOn.Format("2 January 2006 15:04 UTC") + ".", Result: audit.Succeeded}
	if tenantID == "" {
		e.TenantID, e.TenantName = "", ""
	}
	if err := a.record(ctx, e); err != nil {
		return AccessToken{}, fmt.Errorf("Onboard365 hands out a token only when its audit trail records it, and the audit trail could not: %w", err)
	}
	return out, nil
}

// findTenant is the tenant a --customer value names: "" and "partner" the partner's own ("" id),
// a tenant id as it is, a name one of the GDAP relationships' customers.
func (a *Account) findTenant(ctx context.Context, partner *graph.Client, customer string) (id, name string, err error) {
	want := strings.TrimSpace(customer)
	if want == "" || strings.EqualFold(want, "partner") {
		return "", partnerName, nil
	}
	inv, err := gdap.Read(ctx, partner, nil)
	if err != nil {
		if guidRE.MatchString(want) {
			return want, want, nil // Entra decides whether GDAP lets the technician in
		}
		return "", "", fmt.Errorf("reading your GDAP relationships, which name your customers: %s", gdap.Explain(err))
	}
	var names []string
	for _, cu := range inv.Customers() {
		n := customerName(cu)
		if strings.EqualFold(cu.TenantID, want) || strings.EqualFold(words.Clean(n), want) {
			return cu.TenantID, words.Clean(n), nil
		}
		names = append(names, words.Quote(n))
	}
	if guidRE.MatchString(want) {
		return want, want, nil
	}
	if len(names) == 0 {
		return "", "", fmt.Errorf("you have no customer called %s: you have no GDAP relationship with any customer yet", words.Quote(want))
	}
	return "", "", fmt.Errorf("you have no customer called %s. Your customers are %s; use --customer partner for your own tenant", words.Quote(want), strings.Join(names, ", "))
}
