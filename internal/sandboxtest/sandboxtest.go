// Package sandboxtest is what tests share to work on a sandbox as its technician without a
// sign-in: tokens the sandbox issues itself, carrying the delegated permissions the app's own
// permission table (internal/appreg/permissions) gives the wizards named, so a test holds the
// same least privilege as the app registration. Tests that need the real sign-in (MSAL, the
// keychain) sign in through the sandbox's pages instead, as internal/app's Account does.
package sandboxtest

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// Technician is the sandbox's technician, in the partner tenant.
const Technician = "alex@contosopartners.onmicrosoft.com"

// Audiences of the sandbox's tokens.
const (
	Graph         = "https://graph.microsoft.com"
	PartnerCenter = "https://api.partnercenter.microsoft.com"
)

// Scopes are the Microsoft Graph delegated permissions the app registration asks for the
// requests of the wizards named (as the task list names them: permissions.FeatureGDAP, ...),
// separated by spaces as a token's scp claim has them.
func Scopes(features ...string) string {
	want := map[string]bool{}
	for _, f := range features {
		want[f] = true
	}
	pages, err := learn.Load()
	if err != nil {
		panic("sandboxtest: Microsoft's pages cannot be read: " + err.Error())
	}
	all, err := permissions.Resolve(pages)
	if err != nil {
		panic("sandboxtest: the permission table does not follow the pages: " + err.Error())
	}
	var rows []permissions.Row
	for _, r := range all {
		if r.Service == permissions.Graph && r.Client == permissions.App && want[r.Feature] {
			rows = append(rows, r)
		}
	}
	out := permissions.Reduce(rows)
	sort.Strings(out)
	return strings.Join(out, " ")
}

// Token is one token of the sandbox's, issued once and then handed out again: a TokenSource
// for graph.New and partnercenter.New.
type Token struct {
	s    *sandbox.Server
	req  sandbox.TokenRequest
	once sync.Once
	tok  string
	err  error
}

// Token issues the token on the first call.
func (t *Token) Token(context.Context) (string, error) {
	t.once.Do(func() { t.tok, t.err = t.s.IssueToken(t.req) })
	return t.tok, t.err
}

// GraphToken is the technician's Microsoft Graph token for a tenant ("" for the partner's own),
// with the permissions of the wizards named.
func GraphToken(s *sandbox.Server, tenant string, features ...string) *Token {
	return &Token{s: s, req: sandbox.TokenRequest{UPN: Technician, Tenant: tenant, Audience: Graph, Scopes: Scopes(features...)}}
}

// PartnerCenterToken is the technician's Partner Center token.
func PartnerCenterToken(s *sandbox.Server) *Token {
	return &Token{s: s, req: sandbox.TokenRequest{UPN: Technician, Audience: PartnerCenter, Scopes: permissions.PartnerCenterImpersonation}}
}

// Start starts a sandbox for a test, stopped when the test ends, and returns an HTTP client that
// trusts its certificate authority.
func Start(t testing.TB, opts sandbox.Options) (*sandbox.Server, *http.Client) {
	t.Helper()
	s, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	hc, err := s.Cloud().HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	return s, hc
}
