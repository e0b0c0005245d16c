// Package cloud describes the endpoints of one Microsoft cloud: where to sign in, where Microsoft
// Graph and Partner Center live, and which extra certificate authority to trust. The public cloud
// is the default; the sandbox (a simulated cloud on this computer) is described the same way, so
// the rest of the app never needs to know which one it talks to.
package cloud

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Cloud is the set of endpoints of one Microsoft cloud. Its JSON form is the file that
// `--cloud FILE` reads and that `onboard365 sandbox serve` prints.
type Cloud struct {
	// Name is what the app shows the user, for example "Microsoft 365 (worldwide)".
	Name string `json:"name"`
	// AuthorityHost is the identity platform's base URL, for example https://login.microsoftonline.com.
	AuthorityHost string `json:"authorityHost"`
	// GraphURL is Microsoft Graph's base URL without a version, for example https://graph.microsoft.com.
	GraphURL string `json:"graphURL"`
	// PartnerCenterURL is the Partner Center REST API's base URL, for example https://api.partnercenter.microsoft.com.
	PartnerCenterURL string `json:"partnerCenterURL"`
	// CACertificate is an optional PEM certificate authority to trust besides the system's own.
	// The sandbox uses it for the certificate it makes when it starts.
	CACertificate string `json:"caCertificate,omitempty"`
	// Sandbox is true for the simulated cloud, so the app can say clearly that nothing is real.
	Sandbox bool `json:"sandbox,omitempty"`
	// ClientID, when set, is the application (client) id of the Onboard365 app registration this
	// cloud already has (the sandbox's, when its scenario starts with one). Empty: the app signs
	// in with the --client-id given, or the app registration whose secret it keeps, or there is
	// none yet and App registration makes it.
	ClientID string `json:"clientID,omitempty"`
}

// Public returns Microsoft's worldwide public cloud, the default.
func Public() Cloud {
	return Cloud{
		Name:             "Microsoft 365 (worldwide)",
		AuthorityHost:    "https://login.microsoftonline.com",
		GraphURL:         "https://graph.microsoft.com",
		PartnerCenterURL: "https://api.partnercenter.microsoft.com",
	}
}

// FieldError says which field of a cloud file is wrong and why.
type FieldError struct {
	Field  string // the JSON name of the field
	Reason string // what is wrong with it, as a sentence fragment
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("field %q %s", e.Field, e.Reason)
}

// MaxFileSize bounds a cloud file. A real one is under 2 KB (4 KB with a certificate authority).
const MaxFileSize = 64 << 10

// Load reads a cloud file. Any error names the file and, where it can, the field that is wrong.
// It reads only an ordinary file of at most MaxFileSize bytes: a device (/dev/zero), a named pipe
// or a folder is refused before it is opened, so that it can neither fill the memory nor hang.
func Load(path string) (Cloud, error) {
	data, err := readBounded(path)
	if err != nil {
		return Cloud{}, err
	}
	c, err := Parse(data)
	if err != nil {
		return Cloud{}, fmt.Errorf("cloud file %s: %w", path, err)
	}
	return c, nil
}

// LoadTrusted is Load, then Vet: the cloud file is read, and refused unless the app may send the
// user's secrets to the hosts it names (or allowOtherHosts says the user accepts that).
func LoadTrusted(path string, allowOtherHosts bool) (Cloud, error) {
	c, err := Load(path)
	if err != nil {
		return Cloud{}, err
	}
	if err := c.Vet(allowOtherHosts); err != nil {
		return Cloud{}, fmt.Errorf("cloud file %s: %w", path, err)
	}
	return c, nil
}

// readBounded reads an ordinary file of at most MaxFileSize bytes.
func readBounded(path string) ([]byte, error) {
	notRegular := func(fi os.FileInfo) error {
		if fi.Mode().IsRegular() {
			return nil
		}
		what := "not an ordinary file"
		switch {
		case fi.IsDir():
			what = "a folder, not a file"
		case fi.Mode()&os.ModeNamedPipe != 0:
			what = "a named pipe, not an ordinary file"
		case fi.Mode()&(os.ModeDevice|os.ModeCharDevice) != 0:
			what = "a device, not an ordinary file"
		}
		return fmt.Errorf("cloud file %s is %s: give the path of a JSON file", path, what)
	}
	// Stat first: opening a named pipe would wait for a writer.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read cloud file: %w", err)
	}
	if err := notRegular(fi); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read cloud file: %w", err)
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("read cloud file: %w", err)
	}
	if err := notRegular(fi); err != nil { // it was replaced between the two looks
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read cloud file: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Errorf("cloud file %s is larger than %d KB, which no cloud description is: give the path of the JSON file that describes the cloud", path, MaxFileSize>>10)
	}
	return data, nil
}

// Parse reads a cloud description from JSON. Unknown fields are refused, so that a misspelt field
// is reported rather than silently replaced by nothing.
func Parse(data []byte) (Cloud, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Cloud
	if err := dec.Decode(&c); err != nil {
		return Cloud{}, describeJSONError(err)
	}
	if dec.More() {
		return Cloud{}, errors.New("the file holds more than one JSON object; it must hold exactly one")
	}
	if err := c.Validate(); err != nil {
		return Cloud{}, err
	}
	return c, nil
}

// describeJSONError turns encoding/json's errors into a sentence that names the field.
func describeJSONError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		return &FieldError{Field: typeErr.Field, Reason: fmt.Sprintf("must be a %s, not a JSON %s", typeErr.Type.Kind(), typeErr.Value)}
	}
	if field, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return &FieldError{Field: strings.Trim(field, `"`), Reason: "is not a known field (known: name, authorityHost, graphURL, partnerCenterURL, caCertificate, sandbox, clientID)"}
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Errorf("the file is not valid JSON (at byte %d): %w", syntaxErr.Offset, err)
	}
	return fmt.Errorf("the file is not a valid cloud description: %w", err)
}

// Validate checks every field and returns a *FieldError for the first one that is wrong.
func (c Cloud) Validate() error {
	if strings.TrimSpace(c.Name) == "" {
		return &FieldError{Field: "name", Reason: "is empty; give the cloud a name to show the user"}
	}
	for _, f := range []struct{ name, value string }{
		{"authorityHost", c.AuthorityHost},
		{"graphURL", c.GraphURL},
		{"partnerCenterURL", c.PartnerCenterURL},
	} {
		if err := checkBaseURL(f.value); err != nil {
			return &FieldError{Field: f.name, Reason: err.Error()}
		}
	}
	if c.CACertificate != "" {
		if _, err := parseCA(c.CACertificate); err != nil {
			return &FieldError{Field: "caCertificate", Reason: err.Error()}
		}
	}
	if c.ClientID != "" && !isGUID(c.ClientID) {
		return &FieldError{Field: "clientID", Reason: "must be an application (client) id, such as 11111111-2222-3333-4444-555555555555"}
	}
	return nil
}

// isGUID says whether s has the form of a GUID (8-4-4-4-12 hexadecimal digits).
func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return true
}

func checkBaseURL(raw string) error {
	if raw == "" {
		return errors.New("is empty; it must be an https:// address")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("is not a web address (%q)", raw)
	}
	if u.Scheme != "https" {
		return fmt.Errorf("must start with https:// (got %q)", raw)
	}
	if u.Host == "" {
		return fmt.Errorf("has no host name (got %q)", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("must be a plain base address without user, query or fragment (got %q)", raw)
	}
	return nil
}

func parseCA(pemText string) (*x509.Certificate, error) {
	block, rest := pem.Decode([]byte(pemText))
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, errors.New("is not a PEM certificate (it must start with -----BEGIN CERTIFICATE-----)")
	}
	if len(bytes.TrimSpace(rest)) != 0 {
		return nil, errors.New("holds more than one PEM block; give exactly one certificate")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("is not a readable certificate: %v", err)
	}
	if !cert.IsCA {
		return nil, errors.New("is a certificate but not a certificate authority")
	}
	return cert, nil
}

// Authority is the sign-in authority for a tenant: a tenant id, a domain, or "organizations".
func (c Cloud) Authority(tenant string) string {
	if tenant == "" {
		tenant = "organizations"
	}
	return strings.TrimRight(c.AuthorityHost, "/") + "/" + url.PathEscape(tenant)
}

// Check reaches the cloud's sign-in service and reads its OpenID configuration, the first thing a
// sign-in needs. It tells apart "cannot reach it" from "reached something that is not a sign-in
// service", so the user knows whether to look at the network or at the cloud file.
func (c Cloud) Check(ctx context.Context) error {
	client, err := c.HTTPClient()
	if err != nil {
		return err
	}
	where := c.Authority("organizations") + "/v2.0/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, where, nil)
	if err != nil {
		return fmt.Errorf("check the sign-in service: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("could not reach the sign-in service at %s; check the internet connection, proxy or firewall of this computer: %w", c.AuthorityHost, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the sign-in service at %s answered %s instead of its configuration; check the authorityHost in the cloud file", c.AuthorityHost, resp.Status)
	}
	var config struct {
		Issuer                string `json:"issuer"`
		AuthorizationEndpoint string `json:"authorization_endpoint"`
		TokenEndpoint         string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&config); err != nil {
		return fmt.Errorf("the sign-in service at %s sent a configuration this app cannot read: %w", c.AuthorityHost, err)
	}
	if config.AuthorizationEndpoint == "" || config.TokenEndpoint == "" || config.Issuer == "" {
		return fmt.Errorf("the sign-in service at %s sent a configuration without its sign-in and token addresses; check the authorityHost in the cloud file", c.AuthorityHost)
	}
	return nil
}

// HTTPClient returns the client every request to this cloud goes through. It trusts the system's
// certificate authorities and, when the cloud names one, its own CA as well (and nothing else).
func (c Cloud) HTTPClient() (*http.Client, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if c.CACertificate != "" {
		cert, err := parseCA(c.CACertificate)
		if err != nil {
			return nil, fmt.Errorf("trust the cloud's certificate authority: %w", &FieldError{Field: "caCertificate", Reason: err.Error()})
		}
		pool.AddCert(cert)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: transport, Timeout: 2 * time.Minute}, nil
}
