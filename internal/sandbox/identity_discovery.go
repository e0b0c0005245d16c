package sandbox

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
)

// Discovery: the OpenID configuration, the signing keys and instance discovery that MSAL reads
// before it signs anyone in. Part of the simulated identity platform (identity.go).

// tenantRef is the tenant a request's path names.
type tenantRef struct {
	path  string  // as written
	t     *tenant // nil for organizations and common
	multi bool    // organizations or common: the user's home tenant decides
}

// resolveTenant reads the {tenant} path segment. It takes the world's lock.
func (id *identity) resolveTenant(r *http.Request) (tenantRef, bool) {
	seg := r.PathValue("tenant")
	ref := tenantRef{path: seg}
	switch strings.ToLower(seg) {
	case "organizations", "common":
		ref.multi = true
		return ref, true
	}
	id.s.world.mu.Lock()
	ref.t = id.s.world.tenant(seg)
	id.s.world.mu.Unlock()
	return ref, ref.t != nil
}

func (ref tenantRef) id() string {
	if ref.t == nil {
		return ""
	}
	return ref.t.id
}

func (id *identity) openIDConfiguration(w http.ResponseWriter, r *http.Request) {
	ref, ok := id.resolveTenant(r)
	if !ok {
		id.writeOAuthError(w, r, errUnknownTenant(ref.path))
		return
	}
	authority := id.s.base + "/" + ref.path
	issuer := authority + "/v2.0"
	if ref.multi {
		// Entra's multi-tenant issuer is a template: the real one is the user's home tenant.
		issuer = id.s.base + "/{tenantid}/v2.0"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"authorization_endpoint":                authority + "/oauth2/v2.0/authorize",
		"token_endpoint":                        authority + "/oauth2/v2.0/token",
		"device_authorization_endpoint":         authority + "/oauth2/v2.0/devicecode",
		"end_session_endpoint":                  authority + "/oauth2/v2.0/logout",
		"jwks_uri":                              authority + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"response_types_supported":              []string{"code"},
		"grant_types_supported":                 []string{"authorization_code", "refresh_token", "client_credentials", "urn:ietf:params:oauth:grant-type:device_code"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "client_secret_basic"},
		"code_challenge_methods_supported":      []string{"plain", "S256"},
		"claims_supported":                      []string{"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "name", "preferred_username", "oid", "tid", "ver"},
		"request_uri_parameter_supported":       false,
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"tenant_region_scope":                   "NA",
		"cloud_instance_name":                   "sandbox",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          strings.TrimPrefix(id.s.base, "https://") + "/graph",
		"rbac_url":                              "https://pas.windows.net",
	})
}

// keys is the JSON Web Key Set that verifies the sandbox's tokens.
func (id *identity) keys(w http.ResponseWriter, r *http.Request) {
	pub := id.s.keys.key.PublicKey
	e := big32(pub.E)
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "alg": "RS256", "kid": id.s.keys.kid,
		"n":      base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":      base64.RawURLEncoding.EncodeToString(e),
		"issuer": id.s.base + "/{tenantid}/v2.0",
	}}})
}

// big32 is an RSA public exponent as the minimal big-endian bytes JWK wants (65537 is AQAB).
func big32(e int) []byte {
	b := []byte{byte(e >> 24), byte(e >> 16), byte(e >> 8), byte(e)}
	for len(b) > 1 && b[0] == 0 {
		b = b[1:]
	}
	return b
}

// instanceDiscovery answers as Entra's /common/discovery/instance does. MSAL asks it only when
// instance discovery is on, and then asks login.microsoftonline.com, never this host; it is here
// so that a client which does ask the sandbox gets a sensible answer.
func (id *identity) instanceDiscovery(w http.ResponseWriter, r *http.Request) {
	host := strings.TrimPrefix(id.s.base, "https://")
	tenantPath := "common"
	if u, err := url.Parse(r.URL.Query().Get("authorization_endpoint")); err == nil {
		if parts := strings.Split(strings.Trim(u.Path, "/"), "/"); len(parts) > 0 && parts[0] != "" {
			tenantPath = parts[0]
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"tenant_discovery_endpoint": id.s.base + "/" + tenantPath + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata":                  []map[string]any{{"preferred_network": host, "preferred_cache": host, "aliases": []string{host}}},
	})
}
