// Package sandbox is a simulated Microsoft cloud that runs on this computer: a real HTTPS server on
// the loopback address with a certificate authority of its own. The app talks to it through the
// same code paths as to Microsoft's cloud; only the cloud description (internal/cloud) differs.
//
// One server stands in for three Microsoft hosts, told apart by path:
//
//	/{tenant}/...        the identity platform (login.microsoftonline.com)
//	/graph/...           Microsoft Graph (graph.microsoft.com)
//	/partnercenter/...   Partner Center (api.partnercenter.microsoft.com)
//
// Its state comes from a scenario (the default one, "contoso", has a dozen customers that show
// every problem the wizards handle) and changes with every write, so a fix applied through the
// app is seen by the next read.
package sandbox

import (
	"cmp"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/onboard365/onboard365/internal/cloud"
	"github.com/onboard365/onboard365/internal/reference/learn"
)

// Options choose the scenario and the faults of a sandbox. The zero value is the default
// scenario with no faults.
type Options struct {
	Scenario  string           // ScenarioContoso (default), ScenarioEmpty or ScenarioLargeTenant, ignored when Customers > 0; or ScenarioTroubleshoot, Customers customers
	Customers int              // > 0: a generated scenario with this many customers (up to 5,000)
	Faults    Faults           // injected trouble
	Trace     io.Writer        // when set, one JSON line per request (method, path template, status, time)
	Now       func() time.Time // the clock; nil means time.Now
	// AppReplication is how many times POST /servicePrincipals answers that a new app does not
	// exist yet (Entra's replication delay): 0 = the scenario's own (2 in AppScenarios, none
	// elsewhere), negative = never.
	AppReplication int
	// OperationPolls is how many reads a long-running operation (the 202 of PATCH of an access
	// assignment) takes to succeed: 0 = one; negative = it never ends, as when Microsoft is slow.
	OperationPolls int
	// ApprovalDelay is how long a customer's administrator takes to answer a GDAP request once
	// it reaches them (on this computer's clock): a request that names the customer reaches them
	// when it is locked for approval, any link when OpenAsCustomer opens it. 0: a locked request
	// waits until its link is opened, and an opened link is answered at once
	// (scenario_onboard.go).
	ApprovalDelay time.Duration
	// Answer is how every customer's administrator answers: AnswerApprove, AnswerDecline or
	// AnswerNever; "" for each one's own (the customers and Fourth Coffee approve, Margie's
	// Travel declines, Coho Winery never answers).
	Answer string
	// Seed, when not 0, makes the ids and secrets of the objects the sandbox creates repeat from
	// run to run (with a fixed Now, a whole session repeats: the user guide's pictures); 0 makes
	// them random, as Microsoft's are.
	Seed uint64
}

// MaxCustomers is the largest generated scenario.
const MaxCustomers = 5000

// Server is a running sandbox.
type Server struct {
	base   string // https://127.0.0.1:PORT
	caPEM  string
	world  *world
	faults *faultInjector
	trace  *tracer
	keys   *signingKey
	pages  *learn.Data // what Microsoft's pages say about every request (internal/reference/learn)
	// patterns are the Graph and Partner Center routes, as registered (handle).
	patterns []string
	http     *http.Server
	served   chan error
	appReady bool // the scenario starts with the Onboard365 app (AppID) in the partner tenant

	closeOnce sync.Once
	closeErr  error
}

// Start runs a sandbox on a random loopback port until Close is called.
func Start(opts Options) (*Server, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	w, err := buildWorld(opts, now())
	if err != nil {
		return nil, err
	}
	w.now = now
	w.ids = newIDSource(opts.Seed)
	w.setUpAppreg(opts.Scenario, opts.AppReplication)
	w.side.delay, w.side.answer = opts.ApprovalDelay, opts.Answer
	w.operationPolls = opts.OperationPolls
	if w.operationPolls == 0 {
		w.operationPolls = defaultOperationPolls
	}
	keys, err := newSigningKey()
	if err != nil {
		return nil, err
	}
	pages, err := learn.Load()
	if err != nil {
		return nil, err
	}
	w.resolveAccess(pages)
	caPEM, cert, err := newCertificates(time.Now()) // checked against this computer's clock, not the simulated one
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the sandbox on this computer's loopback address: %w", err)
	}
	s := &Server{
		base:   "https://" + ln.Addr().String(),
		caPEM:  caPEM,
		world:  w,
		faults: newFaultInjector(opts.Faults),
		trace:  newTracer(opts.Trace),
		keys:   keys,
		pages:  pages,
		served: make(chan error, 1),
	}
	for _, a := range w.partner.applications {
		s.appReady = s.appReady || a.appID == AppID
	}
	s.http = &http.Server{
		Handler:           s.routes(),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          quietLog(),
	}
	go func() { s.served <- s.http.ServeTLS(ln, "", "") }()
	return s, nil
}

func buildWorld(opts Options, now time.Time) (*world, error) {
	switch {
	case opts.Customers < 0 || opts.Customers > MaxCustomers:
		return nil, fmt.Errorf("a generated sandbox has from 1 to %d customers, not %d", MaxCustomers, opts.Customers)
	case opts.Scenario == ScenarioTroubleshoot: // scenario_troubleshoot.go; Customers is its size
		return troubleshootFleet(cmp.Or(opts.Customers, TroubleshootCustomers), now), nil
	case opts.Customers > 0:
		return generated(opts.Customers, now), nil
	case opts.Scenario == "" || opts.Scenario == ScenarioContoso:
		return contosoPartners(now), nil
	case opts.Scenario == ScenarioLargeTenant:
		return largeTenant(now), nil
	case isAppScenario(opts.Scenario): // scenario_appreg.go
		return appScenario(opts.Scenario, now)
	case opts.Scenario == ScenarioEmpty:
		w := contosoPartners(now)
		w.customers, w.relationships = nil, nil
		return w, nil
	}
	return nil, fmt.Errorf("the sandbox has no scenario called %q; the scenarios are %s", opts.Scenario, quotedList(Scenarios()))
}

// Cloud describes this sandbox to the rest of the app. Its ClientID is the sandbox's own
// Onboard365 app (AppID) when the scenario starts with it, and empty when it does not (fresh
// and the other App registration scenarios), as for a tenant before Onboard365 was set up.
func (s *Server) Cloud() cloud.Cloud {
	clientID := ""
	if s.appReady {
		clientID = AppID
	}
	return cloud.Cloud{
		ClientID:         clientID,
		Name:             "Sandbox (simulated Microsoft cloud on this computer)",
		AuthorityHost:    s.base,
		GraphURL:         s.base + "/graph",
		PartnerCenterURL: s.base + "/partnercenter",
		CACertificate:    s.caPEM,
		Sandbox:          true,
	}
}

// PartnerTenantID is the id of the scenario's partner tenant.
func (s *Server) PartnerTenantID() string { return s.world.partner.id }

// Close stops the sandbox at once (open connections are dropped: nothing in it needs to be saved)
// and waits for it to let go of its port. Closing again does nothing.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		err := s.http.Close()
		if served := <-s.served; served != nil && !errors.Is(served, http.ErrServerClosed) {
			err = errors.Join(err, served)
		}
		if err != nil {
			s.closeErr = fmt.Errorf("stop the sandbox: %w", err)
		}
	})
	return s.closeErr
}

// routes sends each request to the simulated host it is meant for. Each host has its own mux, so
// their paths never collide (tenants are GUIDs or domains, never "graph" or "partnercenter").
// Every request passes the trace and the fault injector first, as it would pass a real network.
func (s *Server) routes() http.Handler {
	identity := http.NewServeMux()
	s.identityRoutes(identity)

	graph := http.NewServeMux()
	s.graphRoutes(graph)

	partner := http.NewServeMux()
	s.partnerCenterRoutes(partner)

	top := http.NewServeMux()
	top.Handle("/graph/", http.StripPrefix("/graph", withPattern(graph)))
	top.Handle("/partnercenter/", http.StripPrefix("/partnercenter", withPattern(partner)))
	top.Handle("/", withPattern(identity))
	return s.trace.wrap(s.faults.wrap(top))
}

// newID returns a random GUID-shaped id, as Microsoft uses for request ids and keys.
func newID() string { return (*idSource)(nil).newID() }

// idSource makes the ids and secrets of the objects the sandbox creates: random, or repeating
// from a seed (Options.Seed). A seeded id is drawn from the seed and what the object is (its
// kind and natural key), so requests that run at once cannot swap ids between runs.
type idSource struct {
	seed uint64

	mu    sync.Mutex
	drawn map[string]int // how many ids each key has had
}

func newIDSource(seed uint64) *idSource {
	if seed == 0 {
		return nil
	}
	return &idSource{seed: seed, drawn: map[string]int{}}
}

// read fills b for the object that key names; a nil source reads the system's random numbers.
func (s *idSource) read(b []byte, key ...string) {
	if s == nil {
		_, _ = rand.Read(b)
		return
	}
	k := strings.Join(key, "\x00")
	s.mu.Lock()
	n := s.drawn[k]
	s.drawn[k]++
	s.mu.Unlock()
	h := sha256.New()
	fmt.Fprintf(h, "%d\x00%d\x00%s", s.seed, n, k)
	for i := 0; i < len(b); i += sha256.Size {
		sum := h.Sum(nil)
		copy(b[i:], sum)
		h.Write(sum)
	}
}

// newID returns a GUID-shaped id for the object that key names.
func (s *idSource) newID(key ...string) string {
	var b [16]byte
	s.read(b[:], key...)
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// quietLog drops net/http's own server log lines (TLS handshakes refused by clients that do not
// trust the sandbox, connections cut on purpose by the fault injector): the trace is the log.
func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
