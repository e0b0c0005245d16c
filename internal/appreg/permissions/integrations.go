package permissions

import (
	"fmt"
	"strings"

	"github.com/onboard365/onboard365/internal/roles"
)

// Integration is a tool the app registration serves, and what it adds to it.
type Integration struct {
	Name        string
	Description string // what it is and what it adds, in plain words
	AlwaysOn    bool   // Onboard365 itself: cannot be left out
	AppRoles    []string
	// NeedsWebRedirect: the tool shows a redirect address that the app must list (RedirectFrom
	// says where the person finds it).
	NeedsWebRedirect bool
	RedirectFrom     string
	Profile          string // the internal/roles profile of the GDAP roles it needs in customers
	// OwnApp: the tool signs in with an app registration of its own, which it consents itself;
	// it adds nothing to this one.
	OwnApp bool
}

// Integrations lists the tools the wizard can set the app registration up for.
func Integrations() []Integration {
	return []Integration{
		{
			Name: DefaultName, AlwaysOn: true, Profile: roles.ProfileOnboard365,
			Description: "This app itself. It asks for exactly the permissions its own wizards use (derived from every request " +
				"they make), Partner Center access, and http://localhost for the sign-in on this computer.",
		},
		{
			Name: roles.ProfileMSPProcess, Profile: roles.ProfileMSPProcess,
			AppRoles: []string{"DelegatedAdminRelationship.Read.All"}, NeedsWebRedirect: true,
			RedirectFrom: "MSP Process (Integrations, Security Integrations, Microsoft Authenticator, CSP-model M365 Tenant: \"Link for Redirect URI\")",
			Description: "MSP Process's Microsoft Authenticator module (its knowledge base): adds the application permission " +
				"DelegatedAdminRelationship.Read.All and the redirect address MSP Process shows you.",
		},
		{
			Name: roles.ProfileLiongard, Profile: roles.ProfileLiongard, OwnApp: true,
			Description: "Liongard's Microsoft 365 inspectors sign in with Liongard's own app, so they add nothing to this one. " +
				"What they need is six roles bound to AdminAgents in every customer: check them in GDAP relationships.",
		},
	}
}

// chooseIntegrations returns the chosen integrations, Onboard365 first and always.
func chooseIntegrations(names []string) ([]Integration, error) {
	all := Integrations()
	want := map[string]bool{}
	for _, n := range names {
		found := false
		for _, in := range all {
			if strings.EqualFold(in.Name, strings.TrimSpace(n)) {
				want[in.Name], found = true, true
			}
		}
		if !found {
			return nil, fmt.Errorf("Onboard365 cannot set the app up for %q: it knows %s", n, integrationNames(all))
		}
	}
	var out []Integration
	for _, in := range all {
		if in.AlwaysOn || want[in.Name] {
			out = append(out, in)
		}
	}
	return out, nil
}

func integrationNames(all []Integration) string {
	names := make([]string, len(all))
	for i, in := range all {
		names[i] = in.Name
	}
	return strings.Join(names, ", ")
}
