package sandbox

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"
)

func start(t *testing.T) *Server {
	t.Helper()
	s, err := Start(Options{})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestSandboxIsAValidCloudOnLoopback(t *testing.T) {
	s := start(t)
	c := s.Cloud()
	if err := c.Validate(); err != nil {
		t.Fatalf("the sandbox's cloud description is invalid: %v", err)
	}
	if !c.Sandbox {
		t.Error("the sandbox must say it is one")
	}
	for _, u := range []string{c.AuthorityHost, c.GraphURL, c.PartnerCenterURL} {
		if !strings.HasPrefix(u, "https://127.0.0.1:") {
			t.Errorf("%s is not HTTPS on loopback", u)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Check(ctx); err != nil {
		t.Fatalf("the app's own check of the sandbox failed: %v", err)
	}
}

func TestSandboxCertificateIsTrustedOnlyThroughItsCloud(t *testing.T) {
	s := start(t)
	withoutCA := s.Cloud()
	withoutCA.CACertificate = ""
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := withoutCA.Check(ctx)
	if err == nil {
		t.Fatal("a client that was not given the sandbox CA trusted the sandbox")
	}
	if !strings.Contains(err.Error(), "could not reach the sign-in service") {
		t.Errorf("error does not say what failed: %v", err)
	}
}

func TestOpenIDConfigurationMatchesWhatMSALNeeds(t *testing.T) {
	s := start(t)
	c := s.Cloud()
	client, err := c.HTTPClient()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := client.Get(c.Authority("contosopartners.onmicrosoft.com") + "/v2.0/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	// MSAL Go refuses an authority whose endpoints are on another scheme or host than the issuer.
	for _, key := range []string{"issuer", "authorization_endpoint", "token_endpoint", "device_authorization_endpoint"} {
		v, _ := doc[key].(string)
		if !strings.HasPrefix(v, c.AuthorityHost+"/contosopartners.onmicrosoft.com/") {
			t.Errorf("%s = %q, want it under %s/contosopartners.onmicrosoft.com/", key, v, c.AuthorityHost)
		}
	}
}

func TestUnknownGraphPathAnswersLikeGraph(t *testing.T) {
	s := start(t)
	c := s.Cloud()
	client, _ := c.HTTPClient()
	resp, err := client.Get(c.GraphURL + "/v1.0/not/simulated")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status %d, want 404", resp.StatusCode)
	}
	var body struct {
		Error struct {
			Code       string `json:"code"`
			Message    string `json:"message"`
			InnerError struct {
				RequestID string `json:"request-id"`
				Date      string `json:"date"`
			} `json:"innerError"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Error.Code != "Request_ResourceNotFound" || body.Error.Message == "" {
		t.Errorf("error body = %+v", body.Error)
	}
	if !regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(body.Error.InnerError.RequestID) {
		t.Errorf("request-id %q is not a GUID", body.Error.InnerError.RequestID)
	}
	if _, err := time.Parse("2006-01-02T15:04:05", body.Error.InnerError.Date); err != nil { // Graph writes no zone here
		t.Errorf("date %q: %v", body.Error.InnerError.Date, err)
	}
}

func TestCloseFreesThePort(t *testing.T) {
	s, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	addr := strings.TrimPrefix(s.Cloud().AuthorityHost, "https://")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("the port is still taken after Close: %v", err)
	}
	ln.Close()
}
