package appreg

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/vault"
)

// Application is an app registration as Microsoft Graph returns it (the properties this
// package reads; the JSON names are Graph's).
type Application struct {
	ID                     string                   `json:"id"`
	AppID                  string                   `json:"appId"`
	DisplayName            string                   `json:"displayName"`
	SignInAudience         string                   `json:"signInAudience"`
	IsFallbackPublicClient *bool                    `json:"isFallbackPublicClient"`
	PublicClient           RedirectURIs             `json:"publicClient"`
	Web                    RedirectURIs             `json:"web"`
	RequiredResourceAccess []RequiredResourceAccess `json:"requiredResourceAccess"`
	PasswordCredentials    []PasswordCredential     `json:"passwordCredentials"`
}

// RedirectURIs is Graph's publicClientApplication and webApplication (their redirect URIs).
type RedirectURIs struct {
	RedirectURIs []string `json:"redirectUris"`
}

// RequiredResourceAccess is the permissions an app asks for from one resource app.
type RequiredResourceAccess struct {
	ResourceAppID  string           `json:"resourceAppId"`
	ResourceAccess []ResourceAccess `json:"resourceAccess"`
}

// ResourceAccess is one permission: Type "Scope" (delegated) or "Role" (application).
type ResourceAccess struct {
	ID   string `json:"id"`
	Type string `json:"type"`
}

// PasswordCredential is a client secret's metadata (Graph never returns the secret again).
type PasswordCredential struct {
	KeyID         string     `json:"keyId"`
	DisplayName   string     `json:"displayName"`
	Hint          string     `json:"hint"`
	StartDateTime *time.Time `json:"startDateTime"`
	EndDateTime   *time.Time `json:"endDateTime"`
}

// ServicePrincipal is an app's (or a Microsoft resource's) enterprise application in a tenant.
type ServicePrincipal struct {
	ID          string `json:"id"`
	AppID       string `json:"appId"`
	DisplayName string `json:"displayName"`
}

// Grant is an oauth2PermissionGrant: delegated permissions consented for a client on a resource.
type Grant struct {
	ID          string `json:"id"`
	ClientID    string `json:"clientId"`
	ResourceID  string `json:"resourceId"`
	ConsentType string `json:"consentType"`
	PrincipalID string `json:"principalId"`
	Scope       string `json:"scope"` // space-separated permission names
}

// AppRoleAssignment is an application permission granted to a service principal.
type AppRoleAssignment struct {
	ID          string `json:"id"`
	PrincipalID string `json:"principalId"`
	ResourceID  string `json:"resourceId"`
	AppRoleID   string `json:"appRoleId"`
}

// Target says which app registration is Onboard365's.
type Target struct {
	Name     string // its display name; "" means DefaultName
	ClientID string // its application (client) id when known (kept in the keychain, or given)
}

func (t Target) name() string {
	if strings.TrimSpace(t.Name) == "" {
		return permissions.DefaultName
	}
	return strings.TrimSpace(t.Name)
}

// State is what exists in the partner tenant, and what this computer's keychain holds.
type State struct {
	Target          Target
	App             *Application      // nil: no app registration found
	FoundBy         string            // "client id" or "name"
	SP              *ServicePrincipal // the app's service principal; nil: none
	GraphSP         *ServicePrincipal // Microsoft Graph's service principal in the tenant
	PartnerCenterSP *ServicePrincipal // Partner Center's; nil when the tenant has none yet
	Grants          []Grant           // delegated grants of the app's service principal
	AppRoles        []AppRoleAssignment
	AdminAgents     *GroupMembership // only when the AdminAgents option was chosen
	Stored          StoredSecret
	ReadAt          time.Time
}

// GroupMembership says whether the app's service principal is in a group.
type GroupMembership struct {
	GroupID, GroupName string
	Found, Member      bool
}

// StoredSecret describes the client secret this computer's keychain holds (never its text).
type StoredSecret struct {
	Found    bool
	ClientID string
	Hint     string // its first three characters, as Graph's passwordCredential.hint
	Expires  time.Time
	// Unreadable is set when the keychain could not be read; the sentence says why.
	Unreadable string
}

// Keychain is where the client secret is kept (internal/vault's Vault).
type Keychain interface {
	PutClientSecret(ctx context.Context, clientID, secret string, expires time.Time) error
	ClientSecret(ctx context.Context) (clientID, secret string, expires time.Time, err error)
}

// Ours is the app's credential that matches the secret in the keychain, or nil.
func (s State) Ours() *PasswordCredential {
	if s.App == nil || !s.Stored.Found || !strings.EqualFold(s.Stored.ClientID, s.App.AppID) {
		return nil
	}
	for i, c := range s.App.PasswordCredentials {
		if c.Hint == s.Stored.Hint && c.EndDateTime != nil && absDuration(c.EndDateTime.Sub(s.Stored.Expires)) < time.Minute {
			return &s.App.PasswordCredentials[i]
		}
	}
	return nil
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// Read finds the app registration (by the client id first, then by name) and reads everything
// the plan depends on. g is a Graph client for the partner tenant with the Admin permissions.
// keychain may be nil (nothing stored).
func Read(ctx context.Context, g *graph.Client, target Target, keychain Keychain, opts ReadOptions) (State, error) {
	st := State{Target: target, ReadAt: opts.now()}
	st.Stored = readStored(ctx, keychain)
	if target.ClientID == "" && st.Stored.Found {
		target.ClientID = st.Stored.ClientID
		st.Target.ClientID = st.Stored.ClientID
	}
	app, by, err := findApp(ctx, g, target)
	if err != nil {
		return st, err
	}
	st.App, st.FoundBy = app, by
	if st.GraphSP, err = servicePrincipal(ctx, g, permissions.GraphAppID); err != nil {
		return st, err
	}
	if st.GraphSP == nil {
		return st, &Problem{What: "Microsoft Graph is missing from your partner tenant's enterprise applications.",
			Why: "Every Microsoft 365 tenant has it; without it no app can be given Graph permissions.",
			Do:  "Check that you signed in to your partner tenant, not a customer's or a personal one, then press Try again."}
	}
	if st.PartnerCenterSP, err = servicePrincipal(ctx, g, permissions.PartnerCenterAppID); err != nil {
		return st, err
	}
	if app != nil {
		if st.SP, err = servicePrincipal(ctx, g, app.AppID); err != nil {
			return st, err
		}
	}
	if st.SP != nil {
		q := url.Values{"$filter": {"clientId eq '" + st.SP.ID + "'"}}
		if st.Grants, err = graph.List[Grant](ctx, g, "/v1.0/oauth2PermissionGrants?"+encode(q)); err != nil {
			return st, readProblem("the app's consent", err)
		}
		all, err := graph.List[AppRoleAssignment](ctx, g, "/v1.0/servicePrincipals/"+url.PathEscape(st.GraphSP.ID)+"/appRoleAssignedTo")
		if err != nil {
			return st, readProblem("the app's application permissions", err)
		}
		for _, a := range all {
			if strings.EqualFold(a.PrincipalID, st.SP.ID) {
				st.AppRoles = append(st.AppRoles, a)
			}
		}
	}
	if opts.AdminAgents {
		if st.AdminAgents, err = adminAgents(ctx, g, st.SP); err != nil {
			return st, err
		}
	}
	return st, nil
}

// ReadOptions tune Read.
type ReadOptions struct {
	AdminAgents bool             // also read whether the app is in the AdminAgents group
	Now         func() time.Time // nil: time.Now
}

func (o ReadOptions) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func readStored(ctx context.Context, k Keychain) StoredSecret {
	if k == nil {
		return StoredSecret{}
	}
	clientID, secret, expires, err := k.ClientSecret(ctx)
	switch {
	case errors.Is(err, vault.ErrNotFound):
		return StoredSecret{}
	case err != nil:
		return StoredSecret{Unreadable: "This computer's keychain could not be read, so Onboard365 cannot tell whether it holds the app's secret. " + explain.Sentence(err)}
	}
	hint := secret
	if len(hint) > 3 {
		hint = hint[:3]
	}
	return StoredSecret{Found: true, ClientID: clientID, Hint: hint, Expires: expires}
}

func findApp(ctx context.Context, g *graph.Client, t Target) (*Application, string, error) {
	if id := strings.TrimSpace(t.ClientID); id != "" && isGUID(id) {
		var app Application
		err := g.Do(ctx, http.MethodGet, "/v1.0/applications(appId='"+url.PathEscape(id)+"')", nil, &app)
		switch {
		case err == nil:
			return &app, "client id", nil
		case !isStatus(err, http.StatusNotFound):
			return nil, "", readProblem("the app registration", err)
		}
	}
	q := url.Values{"$filter": {"displayName eq '" + strings.ReplaceAll(t.name(), "'", "''") + "'"}}
	apps, err := graph.List[Application](ctx, g, "/v1.0/applications?"+encode(q))
	if err != nil {
		return nil, "", readProblem("the app registrations", err)
	}
	switch len(apps) {
	case 0:
		return nil, "", nil
	case 1:
		return &apps[0], "name", nil
	}
	return nil, "", &Problem{
		What: fmt.Sprintf("Your partner tenant has %d app registrations called %q.", len(apps), t.name()),
		Why:  "Onboard365 cannot tell which one is its own, and it changes nothing it is not sure of.",
		Do:   "Give the app another name on the first step, or rename or delete the extra ones in the Entra admin center (App registrations), then press Try again.",
	}
}

// servicePrincipal reads the service principal of an app id; nil when the tenant has none.
func servicePrincipal(ctx context.Context, g *graph.Client, appID string) (*ServicePrincipal, error) {
	var sp ServicePrincipal
	err := g.Do(ctx, http.MethodGet, "/v1.0/servicePrincipals(appId='"+url.PathEscape(appID)+"')", nil, &sp)
	switch {
	case err == nil:
		return &sp, nil
	case isStatus(err, http.StatusNotFound):
		return nil, nil
	}
	return nil, readProblem("the enterprise applications", err)
}

func adminAgents(ctx context.Context, g *graph.Client, sp *ServicePrincipal) (*GroupMembership, error) {
	type group struct {
		ID          string `json:"id"`
		DisplayName string `json:"displayName"`
	}
	q := url.Values{"$filter": {"displayName eq 'AdminAgents'"}}
	groups, err := graph.List[group](ctx, g, "/v1.0/groups?"+encode(q))
	if err != nil {
		return nil, readProblem("the AdminAgents group", err)
	}
	m := &GroupMembership{GroupName: "AdminAgents"}
	if len(groups) == 0 {
		return m, nil
	}
	m.Found, m.GroupID = true, groups[0].ID
	if sp == nil {
		return m, nil
	}
	members, err := graph.List[group](ctx, g, "/v1.0/groups/"+url.PathEscape(m.GroupID)+"/transitiveMembers?$select=id")
	if err != nil {
		return nil, readProblem("the AdminAgents group's members", err)
	}
	for _, x := range members {
		if strings.EqualFold(x.ID, sp.ID) {
			m.Member = true
		}
	}
	return m, nil
}

// encode is url.Values.Encode with spaces as %20, which Graph's $filter expects.
func encode(q url.Values) string { return strings.ReplaceAll(q.Encode(), "+", "%20") }

func isStatus(err error, status int) bool {
	var e *graph.Error
	return errors.As(err, &e) && e.Status == status
}

func isGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F'):
			return false
		}
	}
	return true
}
