package permissions

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/onboard365/onboard365/internal/reference/learn"
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

// Derive computes the app registration's needs from the permission table, the requests' pages
// (pages, internal/reference/learn) and the choice. Every permission is resolved to its GUID; a
// request of the table without a page, or a row whose permissions its page does not accept, is
// an error (a mistake in the table, caught by the tests).
func Derive(pages *learn.Data, c Choice) (Needs, error) {
	chosen, err := chooseIntegrations(c.Integrations)
	if err != nil {
		return Needs{}, err
	}
	web, err := checkRedirects(c.WebRedirects)
	if err != nil {
		return Needs{}, err
	}
	options := map[Option]bool{Always: true, AdminAgents: c.AdminAgents}
	rows, err := Resolve(pages)
	if err != nil {
		return Needs{}, err
	}
	pick := func(client Client, where Where, service Service) []Row {
		var out []Row
		for _, r := range rows {
			if r.Client == client && r.Where&where != 0 && r.Service == service && options[r.Option] {
				out = append(out, r)
			}
		}
		return out
	}

	n := Needs{PublicRedirects: []string{LocalhostRedirect}, WebRedirects: web}
	if n.Partner, err = resolve(pages, Reduce(pick(App, Partner, Graph)), false); err != nil {
		return Needs{}, err
	}
	if n.Customers, err = resolve(pages, Reduce(pick(App, Customers, Graph)), false); err != nil {
		return Needs{}, err
	}
	n.Admin = Reduce(pick(Admin, Partner, Graph))
	for _, r := range pick(App, Partner, PartnerCenter) {
		for _, p := range r.Chosen {
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
	if n.AppRoles, err = resolve(pages, dedupe(roles), true); err != nil {
		return Needs{}, err
	}
	return n, nil
}

// Row is a request of the table with its page and the permissions chosen for it.
type Row struct {
	Request
	Page   learn.Request // what Microsoft's page says about the request
	Chosen []string      // the permissions the request is given: all of them are needed
}

// Resolve gives every request of the table its page and its permissions: the row's own (which
// must be one of the page's alternatives, and meet the page's cases the row names), else the
// first of the page's alternatives, least privileged first, that Choose accepts.
func Resolve(pages *learn.Data) ([]Row, error) {
	var rows []Row
	var errs []error
	for _, r := range Requests() {
		page, ok := pages.Get(learnService(r.Service), r.Method, r.Path)
		if !ok {
			errs = append(errs, fmt.Errorf("%s %s has no page in internal/reference/learn: add the page and its index entry", r.Method, r.Path))
			continue
		}
		row := Row{Request: r, Page: page}
		switch {
		case len(r.Permissions) > 0:
			if !learn.Satisfied(page.Delegated, r.Permissions) {
				errs = append(errs, fmt.Errorf("%s %s: the row's %v is none of its page's alternatives %v", r.Method, r.Path, r.Permissions, page.Delegated))
				continue
			}
			row.Chosen = append([]string(nil), r.Permissions...)
		default:
			row.Chosen = Choose(pages, page, r.Client)
			if row.Chosen == nil && len(page.Delegated) > 0 {
				errs = append(errs, fmt.Errorf("%s %s: none of its page's alternatives %v can be named by an app registration", r.Method, r.Path, page.Delegated))
				continue
			}
		}
		for _, when := range r.Meets {
			cond, ok := page.Condition(when)
			if !ok || !learn.Satisfied(cond.Delegated, row.Chosen) {
				errs = append(errs, fmt.Errorf("%s %s: %v does not meet the page's %s case", r.Method, r.Path, row.Chosen, when))
			}
		}
		rows = append(rows, row)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rows, nil
}

// Choose is the first alternative of a page (least privileged first) that the client can ask
// for: for the app registration, one whose permissions all have a GUID in Microsoft's
// permissions-descriptions.json (an app registration names its permissions by GUID); for the
// administrator's sign-in, which asks by name, the first. Partner Center's permission is its own.
func Choose(pages *learn.Data, page learn.Request, client Client) []string {
	for _, alt := range page.Delegated {
		ok := true
		for _, p := range alt {
			if page.Service == learn.PartnerCenter || client == Admin {
				continue
			}
			if _, has := pages.PermissionID(p, false); !has {
				ok = false
			}
		}
		if ok {
			return append([]string(nil), alt...)
		}
	}
	return nil
}

func learnService(s Service) string {
	if s == PartnerCenter {
		return learn.PartnerCenter
	}
	return learn.Graph
}

// Reduce turns rows into the fewest permissions that still meet every row: the chosen
// permissions of every write, and of every read that needs several together, are taken; a read
// is left out when one of its page's alternatives is already taken whole (for example GET
// /groups, once Group.ReadWrite.All is taken for POST /groups, as the list page accepts it).
func Reduce(rows []Row) []string {
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
		if r.Method != "GET" || len(r.Chosen) > 1 {
			add(r.Chosen...)
		}
	}
	for _, r := range rows {
		if r.Method != "GET" || len(r.Chosen) != 1 {
			continue
		}
		if !learn.Satisfied(r.Page.Delegated, set) {
			add(r.Chosen...)
		}
	}
	sort.Strings(set)
	return set
}

func resolve(pages *learn.Data, names []string, application bool) ([]Permission, error) {
	out := make([]Permission, 0, len(names))
	for _, n := range names {
		id, ok := pages.PermissionID(n, application)
		if !ok {
			kind := "delegated"
			if application {
				kind = "application"
			}
			return nil, fmt.Errorf("the permission table names %s, which Microsoft's reference does not list as a %s permission", n, kind)
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
