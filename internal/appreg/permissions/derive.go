package permissions

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/onboard365/onboard365/internal/reference"
)

// Permission is one permission by name and by the GUID an app registration lists it with.
type Permission struct {
	Name string
	ID   string
}

// Needs is what the app registration must have for the chosen integrations: the permissions,
// split by where they are consented, and the redirect URIs.
type Needs struct {
	Partner       []Permission // Microsoft Graph delegated permissions, consented in the partner tenant
	Customers     []Permission // Microsoft Graph delegated permissions, consented in every customer
	AppRoles      []Permission // Microsoft Graph application permissions the integrations ask for
	PartnerCenter []Permission // Partner Center delegated permissions (user_impersonation)
	// Admin are the delegated Graph permissions the wizard's administrator sign-in asks for.
	Admin []string
	// PublicRedirects are the app's public client (desktop) redirect URIs; WebRedirects the
	// web ones that integrations give.
	PublicRedirects []string
	WebRedirects    []string
	Integrations    []string // the names of the chosen integrations, Onboard365 first
}

// Delegated is every Microsoft Graph delegated permission the app asks for: the partner's and
// the customers', once each, by name.
func (n Needs) Delegated() []Permission {
	return unionPermissions(n.Partner, n.Customers)
}

// Choice is what the person chose on the wizard's first step.
type Choice struct {
	Name         string   // the app registration's display name; "" means DefaultName
	Integrations []string // names from Integrations(); Onboard365 is always included
	// WebRedirects are redirect URIs that integrations gave (MSP Process shows its own).
	WebRedirects []string
	// AdminAgents adds the app's service principal to the AdminAgents group: the DAP-era
	// "pre-consent" (seed 003). Off by default; GDAP consent goes through Partner Center.
	AdminAgents bool
}

// DefaultName is the app registration's name when the person keeps the suggestion.
const DefaultName = "Onboard365"

// LocalhostRedirect is the redirect URI of the desktop sign-in (MSAL's loopback listener).
const LocalhostRedirect = "http://localhost"

// Derive computes the app registration's needs from the permission table and the choice. Every
// permission is resolved to its GUID through Microsoft's reference data; a name it does not
// know is an error (a mistake in the table, caught by the tests).
func Derive(ref *reference.Reference, c Choice) (Needs, error) {
	chosen, err := chooseIntegrations(c.Integrations)
	if err != nil {
		return Needs{}, err
	}
	web, err := checkRedirects(c.WebRedirects)
	if err != nil {
		return Needs{}, err
	}
	options := map[Option]bool{Always: true, AdminAgents: c.AdminAgents}
	rows := Requests()
	pick := func(client Client, where Where, service Service) []Request {
		var out []Request
		for _, r := range rows {
			if r.Client == client && r.Where&where != 0 && r.Service == service && options[r.Option] {
				out = append(out, r)
			}
		}
		return out
	}

	n := Needs{PublicRedirects: []string{LocalhostRedirect}, WebRedirects: web}
	if n.Partner, err = resolve(ref, reduce(ref, pick(App, Partner, Graph)), reference.SchemeDelegatedWork); err != nil {
		return Needs{}, err
	}
	if n.Customers, err = resolve(ref, reduce(ref, pick(App, Customers, Graph)), reference.SchemeDelegatedWork); err != nil {
		return Needs{}, err
	}
	n.Admin = reduce(ref, pick(Admin, Partner, Graph))
	for _, r := range pick(App, Partner, PartnerCenter) {
		for _, p := range r.Permissions {
			if p == PartnerCenterImpersonation && len(n.PartnerCenter) == 0 {
				n.PartnerCenter = []Permission{{Name: PartnerCenterImpersonation, ID: PartnerCenterImpersonateID}}
			}
		}
	}
	var roles []string
	for _, in := range chosen {
		n.Integrations = append(n.Integrations, in.Name)
		roles = append(roles, in.AppRoles...)
		if in.NeedsWebRedirect && len(web) == 0 {
			return Needs{}, fmt.Errorf("%s needs its redirect address: copy it from %s and paste it here", in.Name, in.RedirectFrom)
		}
	}
	if n.AppRoles, err = resolve(ref, dedupe(roles), reference.SchemeApplication); err != nil {
		return Needs{}, err
	}
	return n, nil
}

// reduce turns rows into the fewest permissions that still cover every row: each write's
// permissions (and every permission of a row that needs several together) are taken; a read is
// left out when a permission already taken covers it too, by Microsoft's reference (for example
// GET /groups, once Group.ReadWrite.All is taken for POST /groups).
func reduce(ref *reference.Reference, rows []Request) []string {
	var set []string
	has := func(p string) bool {
		for _, s := range set {
			if strings.EqualFold(s, p) {
				return true
			}
		}
		return false
	}
	add := func(ps ...string) {
		for _, p := range ps {
			if !has(p) {
				set = append(set, p)
			}
		}
	}
	for _, r := range rows {
		if r.Method != "GET" || len(r.Permissions) > 1 {
			add(r.Permissions...)
		}
	}
	for _, r := range rows {
		if r.Method != "GET" || len(r.Permissions) != 1 {
			continue
		}
		covered := has(r.Permissions[0])
		for _, p := range ref.Permissions(r.Method, r.Path, reference.SchemeDelegatedWork) {
			covered = covered || has(p)
		}
		if !covered {
			add(r.Permissions[0])
		}
	}
	sort.Strings(set)
	return set
}

func resolve(ref *reference.Reference, names []string, scheme string) ([]Permission, error) {
	out := make([]Permission, 0, len(names))
	for _, n := range names {
		id, ok := ref.PermissionID(n, scheme)
		if !ok {
			return nil, fmt.Errorf("the permission table names %s, which Microsoft's reference does not list as a %s permission", n, scheme)
		}
		out = append(out, Permission{Name: n, ID: id})
	}
	return out, nil
}

func dedupe(names []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range names {
		if !seen[strings.ToLower(n)] {
			seen[strings.ToLower(n)] = true
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

func unionPermissions(lists ...[]Permission) []Permission {
	seen := map[string]bool{}
	var out []Permission
	for _, l := range lists {
		for _, p := range l {
			if !seen[strings.ToLower(p.ID)] {
				seen[strings.ToLower(p.ID)] = true
				out = append(out, p)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// checkRedirects validates redirect URIs a person pasted: absolute https addresses (http only
// for localhost), no fragment, no user name, at most 256 characters, as Entra requires.
func checkRedirects(uris []string) ([]string, error) {
	var out []string
	for _, raw := range uris {
		u := strings.TrimSpace(raw)
		if u == "" {
			continue
		}
		if err := CheckRedirectURI(u); err != nil {
			return nil, err
		}
		if !contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}

// CheckRedirectURI says what is wrong with a redirect URI, in plain words, or nil.
func CheckRedirectURI(s string) error {
	if len(s) > 256 {
		return fmt.Errorf("the redirect address is longer than the 256 characters Microsoft allows")
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("the redirect address must be a whole web address, such as https://app.example.com/callback")
	}
	if strings.ContainsAny(s, " \t\r\n\"<>\\") {
		return fmt.Errorf("the redirect address holds spaces or characters a web address cannot have")
	}
	switch {
	case u.User != nil:
		return fmt.Errorf("the redirect address must not hold a user name or password")
	case u.Fragment != "" || strings.Contains(s, "#"):
		return fmt.Errorf("the redirect address must not hold a # part")
	case !strings.HasPrefix(s, u.Scheme+"://"):
		// Entra compares redirect addresses exactly: "HTTPS://" would be another address.
		return fmt.Errorf("the redirect address must start with https:// in small letters")
	case u.Scheme == "https":
	case u.Scheme == "http" && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1"):
	default:
		return fmt.Errorf("the redirect address must start with https:// (only a localhost address may use http://)")
	}
	return nil
}

// contains compares exactly: Entra compares redirect URIs case-sensitively.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
