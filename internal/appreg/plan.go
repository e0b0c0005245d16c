package appreg

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/words"
)

// Kind is what a change does.
type Kind string

// Kinds of change, in the order Apply makes them.
const (
	CreateApp          Kind = "createApp"          // POST /applications, with everything below that is PartOfCreate
	SetAudience        Kind = "setAudience"        // signInAudience AzureADMultipleOrgs
	SetPublicClient    Kind = "setPublicClient"    // isFallbackPublicClient true (desktop sign-in)
	AddPublicRedirects Kind = "addPublicRedirects" // publicClient.redirectUris
	AddWebRedirects    Kind = "addWebRedirects"    // web.redirectUris
	AddPermissions     Kind = "addPermissions"     // requiredResourceAccess, for one resource app
	CreateSP           Kind = "createSP"           // the app's service principal
	CreateResourceSP   Kind = "createResourceSP"   // Partner Center's service principal, when the tenant has none
	AddSecret          Kind = "addSecret"          // a new client secret, checked, then kept in the keychain
	RemoveSecret       Kind = "removeSecret"       // an expired secret, or the one the new secret replaces
	GrantDelegated     Kind = "grantDelegated"     // admin consent: an AllPrincipals oauth2PermissionGrant
	GrantAppRole       Kind = "grantAppRole"       // admin consent: an application permission
	JoinAdminAgents    Kind = "joinAdminAgents"    // DAP-era pre-consent (optional, off by default)
)

// Change is one line of the plan: what it changes, in plain words, and what Apply needs.
type Change struct {
	Kind     Kind
	Sentence string // what and why, for the person
	// PartOfCreate: a new app gets this in its creation request, not in a change of its own.
	PartOfCreate bool

	URIs          []string                 // AddPublicRedirects, AddWebRedirects: the URIs to add
	ResourceAppID string                   // AddPermissions, GrantDelegated, GrantAppRole, CreateResourceSP
	Permissions   []permissions.Permission // AddPermissions: to add; GrantAppRole: the one role
	Roles         bool                     // AddPermissions: application permissions (Role) rather than delegated (Scope)
	Scopes        []string                 // GrantDelegated: every scope the grant must hold
	GrantID       string                   // GrantDelegated: the grant to widen; "" makes a new one
	KeyID         string                   // RemoveSecret
	AfterNewWorks bool                     // RemoveSecret: only once the new secret has been shown to work
}

// Plan is every change the app registration needs, and what needs none.
type Plan struct {
	Target  Target
	Needs   permissions.Needs
	Changes []Change
	Facts   []string // what exists, in plain words
	Notes   []string // what Onboard365 leaves as it is, and why
}

// Empty says whether nothing needs to change.
func (p Plan) Empty() bool { return len(p.Changes) == 0 }

// Lines are the plan's changes as sentences, one per change.
func (p Plan) Lines() []string {
	out := make([]string, len(p.Changes))
	for i, c := range p.Changes {
		out[i] = c.Sentence
	}
	return out
}

// Secret lifetime and renewal: a new secret lasts SecretLifetime; one that ends within
// RenewBefore is replaced.
const (
	SecretLifetime = 180 * 24 * time.Hour
	RenewBefore    = 30 * 24 * time.Hour
)

// PlanChanges compares what exists with what is needed. It changes nothing.
func PlanChanges(st State, n permissions.Needs, c permissions.Choice) Plan {
	p := Plan{Target: st.Target, Needs: n}
	now := st.ReadAt
	name := st.Target.name()
	add := func(ch Change) { p.Changes = append(p.Changes, ch) }

	app := st.App
	creating := app == nil
	if creating {
		add(Change{Kind: CreateApp, Sentence: fmt.Sprintf("Create the app registration %q in your partner tenant, for sign-ins from "+
			"your own and your customers' organizations (multi-tenant), with sign-in from this computer allowed (public client).", name)})
		app = &Application{}
	} else {
		p.Facts = append(p.Facts, fmt.Sprintf("Found the app registration %q (application id %s) by its %s.", app.DisplayName, app.AppID, st.FoundBy))
		if st.FoundBy == "client id" && !strings.EqualFold(app.DisplayName, name) {
			p.Notes = append(p.Notes, fmt.Sprintf("This computer's keychain names the app %q, not one called %q, so that is the one Onboard365 checks. "+
				"To make a separate app instead, remove the stored secret in Settings (Sign out and forget) and run this wizard again.", app.DisplayName, name))
		}
		if app.SignInAudience != "AzureADMultipleOrgs" {
			add(Change{Kind: SetAudience, Sentence: fmt.Sprintf("Let the app be used in your customers' tenants (multi-tenant): it is set to %s, "+
				"so customers could not consent to it.", audienceWords(app.SignInAudience))})
		}
		if app.IsFallbackPublicClient == nil || !*app.IsFallbackPublicClient {
			add(Change{Kind: SetPublicClient, Sentence: "Allow public client flows, so that this computer can sign in with the app (and with a code on another device)."})
		}
	}

	if missing := missingURIs(app.PublicClient.RedirectURIs, n.PublicRedirects); len(missing) > 0 {
		add(Change{Kind: AddPublicRedirects, URIs: missing, PartOfCreate: creating,
			Sentence: "Add the redirect address " + strings.Join(missing, ", ") + " (desktop), where the sign-in on this computer returns."})
	}
	if missing := missingURIs(app.Web.RedirectURIs, n.WebRedirects); len(missing) > 0 {
		add(Change{Kind: AddWebRedirects, URIs: missing, PartOfCreate: creating,
			Sentence: "Add the web redirect address " + strings.Join(missing, ", ") + ", which your integration signs in through."})
	}

	have := requested(app)
	if missing := missingPermissions(have[permissions.GraphAppID+"/Scope"], n.Delegated()); len(missing) > 0 {
		add(Change{Kind: AddPermissions, ResourceAppID: permissions.GraphAppID, Permissions: missing, PartOfCreate: creating,
			Sentence: fmt.Sprintf("Ask for %s: %s. They are what the app's wizards use, each the least-privileged one Microsoft names for its request.",
				words.Count(len(missing), "Microsoft Graph permission"), names(missing))})
	}
	if missing := missingPermissions(have[permissions.GraphAppID+"/Role"], n.AppRoles); len(missing) > 0 {
		add(Change{Kind: AddPermissions, ResourceAppID: permissions.GraphAppID, Permissions: missing, Roles: true, PartOfCreate: creating,
			Sentence: fmt.Sprintf("Ask for the Microsoft Graph application %s %s, which %s needs.",
				words.Plural(len(missing), "permission", "permissions"), names(missing), strings.Join(n.Integrations[1:], " and "))})
	}
	if missing := missingPermissions(have[permissions.PartnerCenterAppID+"/Scope"], n.PartnerCenter); len(missing) > 0 {
		add(Change{Kind: AddPermissions, ResourceAppID: permissions.PartnerCenterAppID, Permissions: missing, PartOfCreate: creating,
			Sentence: "Ask for Partner Center's user_impersonation, so the app can list your customers and consent in them."})
	}
	if extra := extraPermissions(have[permissions.GraphAppID+"/Scope"], n.Delegated()); len(extra) > 0 {
		p.Notes = append(p.Notes, fmt.Sprintf("The app also asks for %d Microsoft Graph %s Onboard365 does not use. "+
			"Onboard365 leaves %s; remove %s in the Entra admin center if no other tool needs %s.",
			len(extra), words.Plural(len(extra), "permission", "permissions"), words.Plural(len(extra), "it", "them"),
			words.Plural(len(extra), "it", "them"), words.Plural(len(extra), "it", "them")))
	}

	sp := st.SP
	if sp == nil {
		why := "Create the app's service principal (its entry under Enterprise applications), without which it cannot sign in or be consented."
		if creating {
			why = "Create the new app's service principal (its entry under Enterprise applications), so it can sign in and be consented."
		}
		add(Change{Kind: CreateSP, Sentence: why})
	} else {
		p.Facts = append(p.Facts, "The app has its service principal (Enterprise applications).")
	}
	if st.PartnerCenterSP == nil {
		add(Change{Kind: CreateResourceSP, ResourceAppID: permissions.PartnerCenterAppID,
			Sentence: "Add Microsoft Partner Center to your tenant's enterprise applications, so its permission can be consented."})
	}

	planSecrets(&p, st, creating, now)

	planGrant(&p, st, permissions.GraphAppID, names2(n.Partner), "Microsoft Graph")
	planGrant(&p, st, permissions.PartnerCenterAppID, names2(n.PartnerCenter), "Partner Center")
	for _, r := range n.AppRoles {
		if !hasAppRole(st.AppRoles, r.ID) {
			add(Change{Kind: GrantAppRole, ResourceAppID: permissions.GraphAppID, Permissions: []permissions.Permission{r},
				Sentence: "Grant admin consent for the application permission " + r.Name + "."})
		}
	}

	if c.AdminAgents {
		m := st.AdminAgents
		switch {
		case m != nil && !m.Found:
			p.Notes = append(p.Notes, "Your tenant has no AdminAgents group (GDAP-only tenants may not), so the app is not added to it. GDAP consent goes through Partner Center instead.")
		case m == nil || !m.Member:
			add(Change{Kind: JoinAdminAgents, Sentence: "Add the app's service principal to AdminAgents (the DAP-era \"pre-consent\" you chose). " +
				"It gives the app admin rights in DAP customers; under GDAP it is not needed."})
		default:
			p.Facts = append(p.Facts, "The app is in the AdminAgents group.")
		}
	}
	return p
}

func planSecrets(p *Plan, st State, creating bool, now time.Time) {
	ours := st.Ours()
	need, why := false, ""
	switch {
	case creating:
		need, why = true, "The new app needs a client secret for your integrations."
	case st.Stored.Unreadable != "":
		need, why = true, st.Stored.Unreadable
	case !st.Stored.Found:
		need, why = true, "This computer's keychain holds no secret for the app (a secret can be read only when it is made)."
	case !strings.EqualFold(st.Stored.ClientID, st.App.AppID):
		need, why = true, "The secret in this computer's keychain belongs to another app registration."
	case ours == nil:
		need, why = true, "The secret in this computer's keychain no longer exists on the app."
	case ours.EndDateTime.Before(now):
		need, why = true, "The app's secret expired on "+words.Day(*ours.EndDateTime)+"."
	case ours.EndDateTime.Before(now.Add(RenewBefore)):
		need, why = true, fmt.Sprintf("The app's secret expires on %s, within %d days.", words.Day(*ours.EndDateTime), int(RenewBefore.Hours()/24))
	default:
		p.Facts = append(p.Facts, "Its client secret is in this computer's keychain and is valid until "+words.Day(*ours.EndDateTime)+".")
	}
	if need {
		p.Changes = append(p.Changes, Change{Kind: AddSecret, Sentence: "Add a client secret valid for " +
			fmt.Sprint(int(SecretLifetime.Hours()/24)) + " days, check that it works, and keep it in this computer's keychain (never in a file). " + why})
	}
	if st.App == nil {
		return
	}
	for _, c := range st.App.PasswordCredentials {
		switch {
		case c.EndDateTime != nil && c.EndDateTime.Before(now):
			p.Changes = append(p.Changes, Change{Kind: RemoveSecret, KeyID: c.KeyID,
				Sentence: "Remove the secret " + secretName(c) + ", which expired on " + words.Day(*c.EndDateTime) + " and works nowhere any more."})
		case need && ours != nil && c.KeyID == ours.KeyID:
			p.Changes = append(p.Changes, Change{Kind: RemoveSecret, KeyID: c.KeyID, AfterNewWorks: true,
				Sentence: "Remove the old secret " + secretName(c) + " once the new one works."})
		}
	}
}

func planGrant(p *Plan, st State, resourceAppID string, want []string, resourceName string) {
	if len(want) == 0 {
		return
	}
	var existing *Grant
	if st.SP != nil {
		resource := st.GraphSP
		if resourceAppID == permissions.PartnerCenterAppID {
			resource = st.PartnerCenterSP
		}
		for i, g := range st.Grants {
			if resource != nil && strings.EqualFold(g.ResourceID, resource.ID) && g.ConsentType == "AllPrincipals" {
				existing = &st.Grants[i]
			}
		}
	}
	if existing == nil {
		p.Changes = append(p.Changes, Change{Kind: GrantDelegated, ResourceAppID: resourceAppID, Scopes: want,
			Sentence: fmt.Sprintf("Grant admin consent in your partner tenant for the app's %d %s %s, for every user of the tenant.",
				len(want), resourceName, words.Plural(len(want), "permission", "permissions"))})
		return
	}
	have := strings.Fields(existing.Scope)
	var missing []string
	for _, w := range want {
		if !containsFoldStr(have, w) {
			missing = append(missing, w)
		}
	}
	if len(missing) == 0 {
		p.Facts = append(p.Facts, fmt.Sprintf("Admin consent covers every %s permission the app uses in your tenant.", resourceName))
		return
	}
	p.Changes = append(p.Changes, Change{Kind: GrantDelegated, ResourceAppID: resourceAppID, GrantID: existing.ID,
		Scopes:   append(have, missing...),
		Sentence: fmt.Sprintf("Extend the admin consent to %s: %s.", words.Count(len(missing), resourceName+" permission"), strings.Join(missing, ", "))})
}

// requested is the app's requiredResourceAccess as "resourceAppId/Type" -> permission ids.
func requested(app *Application) map[string][]string {
	out := map[string][]string{}
	for _, r := range app.RequiredResourceAccess {
		for _, a := range r.ResourceAccess {
			k := strings.ToLower(r.ResourceAppID) + "/" + a.Type
			out[k] = append(out[k], strings.ToLower(a.ID))
		}
	}
	return out
}

func missingPermissions(have []string, want []permissions.Permission) []permissions.Permission {
	var out []permissions.Permission
	for _, w := range want {
		if !containsFoldStr(have, w.ID) {
			out = append(out, w)
		}
	}
	return out
}

func extraPermissions(have []string, want []permissions.Permission) []string {
	var out []string
	for _, h := range have {
		found := false
		for _, w := range want {
			found = found || strings.EqualFold(h, w.ID)
		}
		if !found {
			out = append(out, h)
		}
	}
	return out
}

func missingURIs(have, want []string) []string {
	var out []string
	for _, w := range want {
		if !contains(have, w) {
			out = append(out, w)
		}
	}
	return out
}

func hasAppRole(as []AppRoleAssignment, roleID string) bool {
	for _, a := range as {
		if strings.EqualFold(a.AppRoleID, roleID) {
			return true
		}
	}
	return false
}

func containsFoldStr(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func names(ps []permissions.Permission) string { return strings.Join(names2(ps), ", ") }

func names2(ps []permissions.Permission) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	sort.Strings(out)
	return out
}

func secretName(c PasswordCredential) string {
	name := c.DisplayName
	if name == "" {
		name = "without a name"
	} else {
		name = "\"" + name + "\""
	}
	if c.Hint != "" {
		name += " (starting " + c.Hint + "…)"
	}
	return name
}

func audienceWords(a string) string {
	switch a {
	case "AzureADMyOrg":
		return "your organization only"
	case "AzureADandPersonalMicrosoftAccount":
		return "any organization and personal Microsoft accounts"
	case "PersonalMicrosoftAccount":
		return "personal Microsoft accounts only"
	case "":
		return "no audience"
	}
	return a
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
