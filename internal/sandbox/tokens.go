package sandbox

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// SecretMarker is part of every refresh token and client secret the sandbox issues (access tokens
// are JWTs, recognisable by their shape), so a scan of everything the app wrote during a test run
// can prove that no secret leaked into a log, a file or a report.
const SecretMarker = "SBXSECRET"

// Token audiences, as Microsoft writes them in the aud claim.
const (
	audGraph         = "https://graph.microsoft.com"
	audPartnerCenter = "https://api.partnercenter.microsoft.com"
)

// signingKey signs the sandbox's tokens (RS256, as Entra does).
type signingKey struct {
	key *rsa.PrivateKey
	kid string
}

func newSigningKey() (*signingKey, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("make the sandbox's token signing key: %w", err)
	}
	return &signingKey{key: k, kid: newID()}, nil
}

// claims are the JWT claims of the sandbox's tokens: the ones Entra puts in v1 access tokens for
// Graph and Partner Center and in v2 id tokens.
type claims struct {
	Aud      string   `json:"aud"`
	Iss      string   `json:"iss"`
	Iat      int64    `json:"iat"`
	Nbf      int64    `json:"nbf"`
	Exp      int64    `json:"exp"`
	Amr      []string `json:"amr,omitempty"`
	AppID    string   `json:"appid,omitempty"` // v1 access tokens
	Azp      string   `json:"azp,omitempty"`   // v2 tokens
	Name     string   `json:"name,omitempty"`
	Oid      string   `json:"oid,omitempty"`
	Scp      string   `json:"scp,omitempty"`
	Roles    []string `json:"roles,omitempty"`
	Sub      string   `json:"sub,omitempty"`
	Tid      string   `json:"tid"`
	Upn      string   `json:"upn,omitempty"`
	Username string   `json:"preferred_username,omitempty"`
	Idp      string   `json:"idp,omitempty"` // the user's home tenant's issuer, when it is not tid's
	Ver      string   `json:"ver"`
	Nonce    string   `json:"nonce,omitempty"`
}

// sign makes a compact JWT.
func (k *signingKey) sign(c claims) (string, error) {
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": k.kid})
	body, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString(header) + "." + enc.EncodeToString(body)
	sum := sha256.Sum256([]byte(unsigned))
	sig, err := rsa.SignPKCS1v15(rand.Reader, k.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", fmt.Errorf("sign a sandbox token: %w", err)
	}
	return unsigned + "." + enc.EncodeToString(sig), nil
}

// verify checks a token's signature and lifetime and returns its claims.
func (k *signingKey) verify(token string, now time.Time) (claims, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return claims{}, errors.New("the token is not a JWT")
	}
	enc := base64.RawURLEncoding
	sig, err := enc.DecodeString(parts[2])
	if err != nil {
		return claims{}, errors.New("the token's signature is not base64url")
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(&k.key.PublicKey, crypto.SHA256, sum[:], sig); err != nil {
		return claims{}, errors.New("the token's signature is not the sandbox's")
	}
	body, err := enc.DecodeString(parts[1])
	if err != nil {
		return claims{}, errors.New("the token's claims are not base64url")
	}
	var c claims
	if err := json.Unmarshal(body, &c); err != nil {
		return claims{}, errors.New("the token's claims are not JSON")
	}
	if now.Unix() >= c.Exp {
		return claims{}, errors.New("the token has expired")
	}
	if now.Unix()+300 < c.Nbf {
		return claims{}, errors.New("the token is not valid yet")
	}
	return c, nil
}

// principal is who is calling: the tenant the token is for, and the user (nil for app-only).
type principal struct {
	tenant *tenant // tid: the tenant the call acts on
	home   *tenant // the user's home tenant; the partner when a partner user acts on a customer
	user   *user   // nil for an app-only token
	appID  string
	scopes []string
	roles  []string
	amr    []string
}

func (p *principal) hasMFA() bool {
	for _, m := range p.amr {
		if m == "mfa" {
			return true
		}
	}
	return false
}

// authError is why a request's token was refused, with the status and code to answer.
type authError struct {
	status  int
	code    string
	message string
}

// authenticate reads the bearer token of a Graph or Partner Center request. It holds no lock on
// the world; the caller does.
func (s *Server) authenticate(r *http.Request, audience string) (*principal, *authError) {
	auth := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || token == "" {
		return nil, &authError{http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty."}
	}
	c, err := s.keys.verify(token, s.world.now())
	if err != nil {
		return nil, &authError{http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure: " + err.Error() + "."}
	}
	if c.Aud != audience {
		return nil, &authError{http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience."}
	}
	p := &principal{tenant: s.world.tenant(c.Tid), appID: c.AppID, amr: c.Amr, roles: c.Roles}
	if p.tenant == nil {
		return nil, &authError{http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Unknown tenant."}
	}
	if c.Scp != "" {
		p.scopes = strings.Fields(c.Scp)
	}
	if c.Upn != "" {
		home, u := s.world.userByUPN(c.Upn)
		if u == nil {
			return nil, &authError{http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Unknown user."}
		}
		p.home, p.user = home, u
	}
	return p, nil
}

// TokenRequest asks the sandbox for an access token without a sign-in: for tests and benchmarks
// of the app's clients, which need a caller but are not about signing in.
type TokenRequest struct {
	UPN      string // a user of the scenario, for example alex@contosopartners.onmicrosoft.com
	Tenant   string // the tenant the token is for; empty means the user's home tenant
	Audience string // "https://graph.microsoft.com" or "https://api.partnercenter.microsoft.com"
	Scopes   string // space-separated delegated permissions, for example "DelegatedAdminRelationship.Read.All"
	// Consented gives the token what the tenant consented for the Onboard365 app (AppID), as
	// ".default" does: the partner's admin consent, or Partner Center's consent in a customer.
	// Scopes is ignored then.
	Consented bool
	NoMFA     bool // leave mfa out of amr, as a sign-in without MFA would
}

// IssueToken signs an access token as the sandbox's token endpoint would, valid for an hour.
func (s *Server) IssueToken(req TokenRequest) (string, error) {
	s.world.mu.Lock()
	home, u := s.world.userByUPN(req.UPN)
	var target *tenant
	if req.Tenant != "" {
		target = s.world.tenant(req.Tenant)
	} else {
		target = home
	}
	if req.Consented && u != nil && target != nil {
		req.Scopes = strings.Join(s.world.consentedScopes(target, AppID, u.id, req.Audience), " ")
	}
	s.world.mu.Unlock()
	if u == nil {
		return "", fmt.Errorf("the sandbox has no user %q", req.UPN)
	}
	if target == nil {
		return "", fmt.Errorf("the sandbox has no tenant %q", req.Tenant)
	}
	if req.Audience != audGraph && req.Audience != audPartnerCenter {
		return "", fmt.Errorf("the sandbox issues tokens for %s or %s, not %q", audGraph, audPartnerCenter, req.Audience)
	}
	amr := []string{"pwd", "mfa"}
	if req.NoMFA {
		amr = []string{"pwd"}
	}
	now := s.world.now()
	c := claims{Aud: req.Audience, Iss: "https://sts.windows.net/" + target.id + "/", Iat: now.Unix(), Nbf: now.Unix(),
		Exp: now.Add(time.Hour).Unix(), Amr: amr, AppID: AppID, Name: u.displayName, Oid: u.id, Scp: req.Scopes,
		Sub: u.id, Tid: target.id, Upn: u.upn, Ver: "1.0"}
	if target != home {
		c.Idp = "https://sts.windows.net/" + home.id + "/"
	}
	return s.keys.sign(c)
}
