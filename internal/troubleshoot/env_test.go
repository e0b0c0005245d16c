package troubleshoot_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/AzureAD/microsoft-authentication-library-for-go/apps/cache"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/sandbox"
	"github.com/onboard365/onboard365/internal/troubleshoot"
)

// The tests run against a started sandbox over real HTTPS on loopback, with the real MSAL
// sign-in (internal/auth): the technician's tokens for customers come from the sandbox's token
// endpoint, which refuses them for the causes the checks must find.

const (
	technician = "alex@contosopartners.onmicrosoft.com"
	riskyUser  = "lee@contosopartners.onmicrosoft.com"
	password   = "sandbox"
)

type env struct {
	t      testing.TB
	cache  cache.ExportReplace // MSAL's cache persistence for the technician; nil keeps it in MSAL's memory
	s      *sandbox.Server
	hc     *http.Client
	auth   *auth.Authenticator
	claims auth.Claims
	// requests counts what reached the sandbox (every host), when the env counts.
	requests *atomic.Int64
	graphOpt graph.Options
}

// counter counts the sandbox's trace lines: one per request.
type counter struct{ n *atomic.Int64 }

func (c counter) Write(p []byte) (int, error) {
	c.n.Add(int64(strings.Count(string(p), "\n")))
	return len(p), nil
}

// start runs a sandbox and signs the technician in through its pages.
func start(t testing.TB, opts sandbox.Options) *env {
	t.Helper()
	return startWith(t, opts, nil)
}

// startWith is start with MSAL's cache kept in c, as the app keeps it in the vault.
func startWith(t testing.TB, opts sandbox.Options, c cache.ExportReplace) *env {
	t.Helper()
	e := &env{t: t, requests: &atomic.Int64{}, cache: c}
	if opts.Trace == nil {
		opts.Trace = counter{e.requests}
	}
	s, err := sandbox.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	e.s = s
	if e.hc, err = s.Cloud().HTTPClient(); err != nil {
		t.Fatal(err)
	}
	e.auth, e.claims = e.signIn(s.PartnerTenantID(), technician, "", e.cache)
	return e
}

// signIn signs upn in to tenant with the real MSAL client, answering the sandbox's pages as a
// person does; scope "" asks for Partner Center, as the app's own sign-in does.
func (e *env) signIn(tenant, upn, scope string, c cache.ExportReplace) (*auth.Authenticator, auth.Claims) {
	e.t.Helper()
	a, err := auth.New(auth.Config{Cloud: e.s.Cloud(), ClientID: sandbox.AppID, Tenant: tenant, SignInScope: scope, Cache: c,
		OpenURL: func(u string) error {
			return sandbox.SignInThroughPages(context.Background(), e.hc, u, upn, password, true)
		}})
	if err != nil {
		e.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := a.SignIn(ctx, upn); err != nil {
		e.t.Fatalf("sign in as %s: %v", upn, err)
	}
	tok, err := a.Token(ctx, "", auth.GraphScope)
	if err != nil {
		e.t.Fatalf("a Graph token for %s: %v", upn, err)
	}
	claims, err := auth.ParseClaims(tok)
	if err != nil {
		e.t.Fatal(err)
	}
	return a, claims
}

// tenants gives the technician's Graph clients, as the app's account does.
func (e *env) tenants(_ context.Context, tenantID string) (*graph.Client, error) {
	return graph.New(e.s.Cloud().GraphURL, e.hc, e.auth.TokenSource(tenantID, auth.GraphScope), e.graphOpt), nil
}

// customerAdmin signs a customer's own administrator in to the customer tenant and returns a
// Graph client with that sign-in.
func (e *env) customerAdmin(customerID, domain string) *graph.Client {
	e.t.Helper()
	a, claims := e.signIn(customerID, sandbox.CustomerAdmin(domain), auth.GraphScope, nil)
	if !strings.EqualFold(claims.Tid, customerID) || claims.Idp != "" {
		e.t.Fatalf("the admin's token is for %s (idp %q), want %s itself", claims.Tid, claims.Idp, customerID)
	}
	return graph.New(e.s.Cloud().GraphURL, e.hc, a.TokenSource("", auth.GraphScope), graph.Options{})
}

func (e *env) diagnose(opts troubleshoot.Options) troubleshoot.Diagnosis {
	e.t.Helper()
	opts.SignIn = e.claims
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	d, err := troubleshoot.Diagnose(ctx, e.tenants, opts)
	if err != nil {
		e.t.Fatalf("Diagnose: %v", err)
	}
	return d
}

func checklistOf(t testing.TB, d troubleshoot.Diagnosis, name string) troubleshoot.Checklist {
	t.Helper()
	for _, l := range d.Customers {
		if l.Customer.Name == name {
			return l
		}
	}
	t.Fatalf("no checklist for %s", name)
	return troubleshoot.Checklist{}
}

func checkOf(t testing.TB, l troubleshoot.Checklist, k troubleshoot.Kind) troubleshoot.Check {
	t.Helper()
	c, ok := l.Check(k)
	if !ok {
		t.Fatalf("%s has no %s check", l.Customer.Label(), k)
	}
	return c
}
