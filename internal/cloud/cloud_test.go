package cloud

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestPublicIsValid(t *testing.T) {
	if err := Public().Validate(); err != nil {
		t.Fatalf("the public cloud must be valid: %v", err)
	}
}

func TestParseNamesTheWrongField(t *testing.T) {
	ca, _ := newTestCA(t)
	good := `{"name":"Test","authorityHost":"https://login.example","graphURL":"https://graph.example","partnerCenterURL":"https://pc.example"}`
	tests := []struct {
		name      string
		json      string
		wantField string // "" means the file is valid
		wantText  string // a fragment the message must hold
	}{
		{"valid", good, "", ""},
		{"valid with CA", strings.Replace(good, `"Test"`, `"Test","caCertificate":`+jsonString(ca), 1), "", ""},
		{"empty name", strings.Replace(good, `"Test"`, `"  "`, 1), "name", "empty"},
		{"http authority", strings.Replace(good, "https://login", "http://login", 1), "authorityHost", "https://"},
		{"missing graph", `{"name":"T","authorityHost":"https://a","partnerCenterURL":"https://p"}`, "graphURL", "empty"},
		{"graph without host", strings.Replace(good, "https://graph.example", "https://", 1), "graphURL", "no host"},
		{"partner center with query", strings.Replace(good, "https://pc.example", "https://pc.example?x=1", 1), "partnerCenterURL", "plain base address"},
		{"misspelt field", strings.Replace(good, "graphURL", "graphUrl2", 1), "graphUrl2", "not a known field"},
		{"wrong type", strings.Replace(good, `"Test"`, `42`, 1), "name", "must be a string"},
		{"sandbox wrong type", strings.Replace(good, `}`, `,"sandbox":"yes"}`, 1), "sandbox", "must be a bool"},
		{"CA not PEM", strings.Replace(good, `}`, `,"caCertificate":"hello"}`, 1), "caCertificate", "not a PEM certificate"},
		{"CA not a CA", strings.Replace(good, `}`, `,"caCertificate":`+jsonString(leafPEM(t))+`}`, 1), "caCertificate", "not a certificate authority"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse([]byte(tt.json))
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if c.Name == "" {
					t.Fatal("parsed cloud has no name")
				}
				return
			}
			var fe *FieldError
			if !errors.As(err, &fe) {
				t.Fatalf("want a FieldError for %q, got %v", tt.wantField, err)
			}
			if fe.Field != tt.wantField {
				t.Errorf("field = %q, want %q (error: %v)", fe.Field, tt.wantField, err)
			}
			if !strings.Contains(err.Error(), tt.wantText) {
				t.Errorf("error %q does not say %q", err, tt.wantText)
			}
		})
	}
}

func TestParseRejectsNonJSON(t *testing.T) {
	for _, in := range []string{"", "not json", `{"name":"x"} {"name":"y"}`, `[1,2]`} {
		if _, err := Parse([]byte(in)); err == nil {
			t.Errorf("Parse(%q) accepted it", in)
		}
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cloud.json")
	if err := os.WriteFile(path, []byte(`{"name":"x","authorityHost":"ftp://a","graphURL":"https://g","partnerCenterURL":"https://p"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), `"authorityHost"`) {
		t.Fatalf("error should name the file and the field, got %v", err)
	}
	if _, err := Load(filepath.Join(dir, "missing.json")); err == nil {
		t.Fatal("a missing file must be an error")
	}
}

func TestAuthority(t *testing.T) {
	c := Public()
	tests := map[string]string{
		"":                   "https://login.microsoftonline.com/organizations",
		"contoso.com":        "https://login.microsoftonline.com/contoso.com",
		"11111111-2222-3333": "https://login.microsoftonline.com/11111111-2222-3333",
	}
	for tenant, want := range tests {
		if got := c.Authority(tenant); got != want {
			t.Errorf("Authority(%q) = %q, want %q", tenant, got, want)
		}
	}
	c.AuthorityHost = "https://127.0.0.1:8443/"
	if got := c.Authority("t"); got != "https://127.0.0.1:8443/t" {
		t.Errorf("trailing slash not handled: %q", got)
	}
}

// TestHTTPClientTrustsOnlyItsCA starts a TLS server whose certificate is signed by a fresh CA and
// checks that the cloud's client reaches it only when the cloud names that CA.
func TestHTTPClientTrustsOnlyItsCA(t *testing.T) {
	caPEM, serverCert := newTestCA(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{serverCert}}
	srv.StartTLS()
	defer srv.Close()

	get := func(c Cloud) error {
		client, err := c.HTTPClient()
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if string(body) != "hello" {
			t.Errorf("body = %q", body)
		}
		return nil
	}

	withCA := Public()
	withCA.CACertificate = caPEM
	if err := get(withCA); err != nil {
		t.Fatalf("client with the CA must reach the server: %v", err)
	}
	var unknownAuthority x509.UnknownAuthorityError
	if err := get(Public()); !errors.As(err, &unknownAuthority) {
		t.Fatalf("client without the CA must refuse the server's certificate, got %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"name":"T","authorityHost":"https://a","graphURL":"https://g","partnerCenterURL":"https://p"}`))
	f.Add([]byte(`{"name":"T","authorityHost":"https://a","graphURL":"https://g","partnerCenterURL":"https://p","caCertificate":"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n","sandbox":true}`))
	f.Add([]byte(`{"name":1}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		// Whatever Parse accepts must validate and must give a working client.
		if err := c.Validate(); err != nil {
			t.Fatalf("Parse accepted a cloud that does not validate: %v", err)
		}
		if _, err := c.HTTPClient(); err != nil {
			t.Fatalf("Parse accepted a cloud whose client cannot be built: %v", err)
		}
	})
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// newTestCA makes a CA and a server certificate for 127.0.0.1 signed by it.
func newTestCA(t *testing.T) (caPEM string, server tls.Certificate) {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Onboard365 test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	leafKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	leafTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTmpl, caCert, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
	return caPEM, tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey}
}

func leafPEM(t *testing.T) string {
	t.Helper()
	_, leaf := newTestCA(t)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Certificate[0]}))
}
