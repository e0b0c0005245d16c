// Package sandbox is a simulated Microsoft cloud that runs on this computer: a real HTTPS server on
// the loopback address with a certificate authority of its own. The app talks to it through the
// same code paths as to Microsoft's cloud; only the cloud description (internal/cloud) differs.
//
// One server stands in for three Microsoft hosts, told apart by path:
//
//	/{tenant}/...        the identity platform (login.microsoftonline.com)
//	/graph/...           Microsoft Graph (graph.microsoft.com)
//	/partnercenter/...   Partner Center (api.partnercenter.microsoft.com)
package sandbox

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/onboard365/onboard365/internal/cloud"
)

// Server is a running sandbox.
type Server struct {
	base   string // https://127.0.0.1:PORT
	caPEM  string
	http   *http.Server
	served chan error
}

// Start runs a sandbox on a random loopback port until Close is called.
func Start() (*Server, error) {
	caPEM, cert, err := newCertificates(time.Now())
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
		served: make(chan error, 1),
	}
	s.http = &http.Server{
		Handler:           s.routes(),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { s.served <- s.http.ServeTLS(ln, "", "") }()
	return s, nil
}

// Cloud describes this sandbox to the rest of the app.
func (s *Server) Cloud() cloud.Cloud {
	return cloud.Cloud{
		Name:             "Sandbox (simulated Microsoft cloud on this computer)",
		AuthorityHost:    s.base,
		GraphURL:         s.base + "/graph",
		PartnerCenterURL: s.base + "/partnercenter",
		CACertificate:    s.caPEM,
		Sandbox:          true,
	}
}

// Close stops the sandbox at once (open connections are dropped: nothing in it needs to be saved)
// and waits for it to let go of its port.
func (s *Server) Close() error {
	err := s.http.Close()
	if served := <-s.served; served != nil && !errors.Is(served, http.ErrServerClosed) {
		err = errors.Join(err, served)
	}
	if err != nil {
		return fmt.Errorf("stop the sandbox: %w", err)
	}
	return nil
}

// routes sends each request to the simulated host it is meant for. Each host has its own mux, so
// their paths never collide (a tenant called "graph" is not a concern: tenants are GUIDs or domains).
func (s *Server) routes() http.Handler {
	identity := http.NewServeMux()
	identity.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.openIDConfiguration)

	graph := http.NewServeMux()
	graph.HandleFunc("/", graphNotFound)

	top := http.NewServeMux()
	top.Handle("/graph/", http.StripPrefix("/graph", graph))
	top.Handle("/", identity)
	return top
}

// openIDConfiguration answers as the identity platform does: the addresses a sign-in uses, all on
// the same scheme and host as the issuer (MSAL checks this for hosts it does not know).
func (s *Server) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	tenant := r.PathValue("tenant")
	authority := s.base + "/" + tenant
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                authority + "/v2.0",
		"authorization_endpoint":                authority + "/oauth2/v2.0/authorize",
		"token_endpoint":                        authority + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         authority + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  authority + "/oauth2/v2.0/logout",
		"jwks_uri":                              authority + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "sandbox",
	})
}

// graphNotFound answers Graph requests the sandbox does not simulate with Graph's own error shape.
func graphNotFound(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusNotFound, map[string]any{
		"error": map[string]any{
			"code":    "Request_ResourceNotFound",
			"message": "The sandbox does not simulate " + r.Method + " " + r.URL.Path + ".",
			"innerError": map[string]any{
				"date":       time.Now().UTC().Format(time.RFC3339),
				"request-id": newID(),
			},
		},
	})
}

// newID returns a random GUID-shaped id, as Microsoft uses for objects and request ids.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
