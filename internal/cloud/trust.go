package cloud

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/url"
	"strings"
)

// Where secrets may go. The app sends the user's sign-in (the authorization code, the refresh
// token) to the cloud's sign-in service and access tokens for the partner tenant and for every
// customer to its Graph and Partner Center hosts. A cloud file decides those hosts, so a cloud
// file from somebody else could send them anywhere. Vet allows, without being asked:
//
//   - Microsoft's own hosts (the lists below, from Microsoft's pages on national clouds and on
//     Partner Center's REST addresses), on the standard HTTPS port, with no extra certificate
//     authority (one could stand in for Microsoft's hosts);
//   - the sandbox: a cloud marked sandbox whose every host is this computer's loopback address
//     (the sandbox only ever listens there; its own certificate authority is then fine).
//
// Anything else is refused with an *UntrustedError naming the hosts, unless the user says, with
// a flag that says what it risks, that they run that server themselves.

// microsoftAuthorityHosts are Microsoft's sign-in hosts (MSAL's list of trusted authority hosts).
var microsoftAuthorityHosts = map[string]bool{
	"login.microsoftonline.com":        true,
	"login.microsoft.com":              true,
	"login.windows.net":                true,
	"sts.windows.net":                  true,
	"login.microsoftonline.us":         true,
	"login-us.microsoftonline.com":     true,
	"login.usgovcloudapi.net":          true,
	"login.partner.microsoftonline.cn": true,
	"login.chinacloudapi.cn":           true,
	"login.microsoftonline.de":         true,
	"login.sovcloud-identity.fr":       true,
	"login.sovcloud-identity.de":       true,
	"login.sovcloud-identity.sg":       true,
}

// microsoftGraphHosts are Microsoft Graph's hosts: worldwide, US Government L4 and L5 (DoD), and
// China operated by 21Vianet (Learn: "National cloud deployments").
var microsoftGraphHosts = map[string]bool{
	"graph.microsoft.com":             true,
	"graph.microsoft.us":              true,
	"dod-graph.microsoft.us":          true,
	"microsoftgraph.chinacloudapi.cn": true,
}

// microsoftPartnerCenterHosts are Partner Center's REST hosts (Learn: "Different Partner Center
// REST URL end points for use in certain countries or regions").
var microsoftPartnerCenterHosts = map[string]bool{
	"api.partnercenter.microsoft.com":             true,
	"partner.partnercenterapi.microsoftonline.cn": true,
	"api.partner.microsoft.com":                   true,
}

// IsMicrosoftAuthorityHost says whether an authority host URL is one of Microsoft's sign-in
// hosts. MSAL's instance discovery (a call to login.microsoftonline.com) must be off for others.
func IsMicrosoftAuthorityHost(authorityHost string) bool {
	u, err := url.Parse(authorityHost)
	if err != nil {
		return false
	}
	return microsoftAuthorityHosts[strings.ToLower(u.Hostname())]
}

// UntrustedError says that a cloud would send the user's secrets somewhere that is not
// Microsoft's, and was refused. Its Error() is a sentence for the user.
type UntrustedError struct {
	// Hosts are the hosts that are not Microsoft's (with their port where one is given).
	Hosts []string
	// ExtraCA is true when the cloud names a certificate authority of its own.
	ExtraCA bool
	// FakeSandbox is true when the cloud says it is the sandbox but is not on this computer.
	FakeSandbox bool
}

// AllowFlag is the command-line flag that allows an untrusted cloud. Its name says what it does.
const AllowFlag = "allow-non-microsoft-hosts"

// AllowFlagHelp is that flag's help: what it risks.
const AllowFlagHelp = "with --cloud: accept a cloud file that names hosts which are not Microsoft's, or a certificate authority of its own. " +
	"Your sign-in and the access tokens for your partner tenant and your customers are then sent to those hosts: " +
	"use it only for a server you run yourself"

func (e *UntrustedError) Error() string {
	var what string
	switch {
	case e.FakeSandbox:
		what = "The cloud file says it describes the sandbox, but it names " + strings.Join(e.Hosts, ", ") +
			", and the sandbox only ever runs on this computer (127.0.0.1)."
	case len(e.Hosts) > 0 && e.ExtraCA:
		what = "The cloud file names " + strings.Join(e.Hosts, ", ") + ", which " + isAre(len(e.Hosts)) +
			" not Microsoft's, and asks Onboard365 to trust a certificate authority of its own."
	case len(e.Hosts) > 0:
		what = "The cloud file names " + strings.Join(e.Hosts, ", ") + ", which " + isAre(len(e.Hosts)) + " not Microsoft's."
	default:
		what = "The cloud file asks Onboard365 to trust a certificate authority of its own, which could stand in for Microsoft's addresses."
	}
	return what + " Onboard365 would send your sign-in, and the access tokens for your partner tenant and your customers, there, " +
		"so it does not use this file. Use a cloud file from your own organization, or none (Microsoft's worldwide cloud). " +
		"If you run that server yourself, for testing, start Onboard365 with --" + AllowFlag + "."
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// Vet checks that the app may send the user's secrets to this cloud: see "Where secrets may go"
// above. allowOtherHosts is the user's explicit choice (AllowFlag) to accept any cloud.
func (c Cloud) Vet(allowOtherHosts bool) error {
	if c.Sandbox {
		var away []string
		for _, raw := range []string{c.AuthorityHost, c.GraphURL, c.PartnerCenterURL} {
			if !isLoopback(raw) {
				away = append(away, hostOf(raw))
			}
		}
		if len(away) == 0 || allowOtherHosts {
			return nil
		}
		return &UntrustedError{Hosts: unique(away), FakeSandbox: true}
	}
	var other []string
	for _, f := range []struct {
		raw   string
		hosts map[string]bool
	}{
		{c.AuthorityHost, microsoftAuthorityHosts},
		{c.GraphURL, microsoftGraphHosts},
		{c.PartnerCenterURL, microsoftPartnerCenterHosts},
	} {
		u, err := url.Parse(f.raw)
		if err != nil || u.Scheme != "https" || !f.hosts[strings.ToLower(u.Hostname())] || (u.Port() != "" && u.Port() != "443") {
			other = append(other, hostOf(f.raw))
		}
	}
	if (len(other) == 0 && c.CACertificate == "") || allowOtherHosts {
		return nil
	}
	return &UntrustedError{Hosts: unique(other), ExtraCA: c.CACertificate != ""}
}

// hostOf is the host (and port) of a base URL, for a sentence; the text itself when it has none.
func hostOf(raw string) string {
	if u, err := url.Parse(raw); err == nil && u.Host != "" {
		return u.Host
	}
	return raw
}

func isLoopback(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

func unique(list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range list {
		if k := strings.ToLower(s); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}

// KeychainName names the cloud for the keychain, so that a sign-in kept for one cloud is never
// used with another: "" for Microsoft's worldwide cloud exactly as Public describes it, "sandbox"
// for the sandbox (every start has a new port and certificate authority, and nothing in it is
// real), and for any other cloud "cloud-" and a digest of its sign-in host, Graph host, Partner
// Center host and certificate authority. A cloud file that changes any of them, even only the
// Graph host, gets a keychain entry of its own, empty until the user signs in to that cloud.
func (c Cloud) KeychainName() string {
	if c.Sandbox {
		return "sandbox"
	}
	p := Public()
	if sameBase(c.AuthorityHost, p.AuthorityHost) && sameBase(c.GraphURL, p.GraphURL) &&
		sameBase(c.PartnerCenterURL, p.PartnerCenterURL) && c.CACertificate == "" {
		return ""
	}
	b, _ := json.Marshal([]string{norm(c.AuthorityHost), norm(c.GraphURL), norm(c.PartnerCenterURL), strings.TrimSpace(c.CACertificate)})
	sum := sha256.Sum256(b)
	return "cloud-" + hex.EncodeToString(sum[:8])
}

func norm(raw string) string { return strings.ToLower(strings.TrimRight(strings.TrimSpace(raw), "/")) }

func sameBase(a, b string) bool { return norm(a) == norm(b) }
