package roles

import (
	"errors"
	"fmt"
	"strings"
)

// Profile is a set of roles that an integration (or a person's job) needs in every customer. A
// GDAP relationship passes a profile when every role is assigned to a group the technician is in.
type Profile struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Roles       []string `json:"roles"` // template ids
	// Groups names, for a role id, the partner security group the integration insists the role be
	// assigned to (Liongard: AdminAgents). Roles not in it may be in any group.
	Groups map[string]string `json:"groups,omitempty"`
}

// Names of the built-in profiles.
const (
	ProfileLiongard      = "Liongard inspectors"
	ProfileMSPProcess    = "MSP Process Authenticator"
	ProfileCIPP          = "CIPP"
	ProfileCIPPExtended  = "CIPP (15 roles)"
	ProfileMigration     = "Microsoft GDAP migration default"
	ProfileOnboard365    = "Onboard365"
	adminAgents          = "AdminAgents"
	appAdminGroupName    = "GDAP - Application Administrator"
	userAdminGroupName   = "GDAP - User Administrator"
	maxProfileNameLength = 100
)

var cippRoles = []string{
	ApplicationAdministrator, UserAdministrator, IntuneAdministrator, ExchangeAdministrator,
	SecurityAdministrator, CloudAppSecurityAdministrator, CloudDeviceAdministrator, TeamsAdministrator,
	SharePointAdministrator, AuthenticationPolicyAdministrator, PrivilegedRoleAdministrator,
	PrivilegedAuthenticationAdministrator,
}

// BuiltIn returns the profiles the app ships with. Each call returns fresh copies.
func BuiltIn() []Profile {
	liongard := []string{CloudApplicationAdministrator, DirectoryWriters, GlobalReader, SecurityReader, TeamsAdministrator, ReportsReader}
	liongardGroups := map[string]string{}
	for _, r := range liongard {
		liongardGroups[r] = adminAgents
	}
	return []Profile{
		{
			Name: ProfileLiongard,
			Description: "What Liongard's Microsoft 365 inspectors read: six roles, all assigned to the AdminAgents group " +
				"(Liongard's knowledge base, \"Microsoft 365 | Error 400\").",
			Roles:  liongard,
			Groups: liongardGroups,
		},
		{
			Name: ProfileMSPProcess,
			Description: "What MSP Process needs to set Microsoft Authenticator as users' default sign-in method: " +
				"Application Administrator in the group \"GDAP - Application Administrator\" and User Administrator in " +
				"\"GDAP - User Administrator\", both groups role-assignable.",
			Roles:  []string{ApplicationAdministrator, UserAdministrator},
			Groups: map[string]string{ApplicationAdministrator: appAdminGroupName, UserAdministrator: userAdminGroupName},
		},
		{
			Name: ProfileCIPP,
			Description: "The 12 roles CIPP requires (docs.cipp.app, Recommended Roles). CIPP also recommends Billing " +
				"Administrator, Domain Name Administrator and Global Reader: see the \"CIPP (15 roles)\" profile.",
			Roles: append([]string(nil), cippRoles...),
		},
		{
			Name: ProfileCIPPExtended,
			Description: "CIPP's 12 required roles plus the three it added to its defaults in version 10.1: Billing " +
				"Administrator, Domain Name Administrator and Global Reader.",
			Roles: append(append([]string(nil), cippRoles...), BillingAdministrator, DomainNameAdministrator, GlobalReader),
		},
		{
			Name: ProfileMigration,
			Description: "The roles Microsoft gave relationships it created when it moved partners from DAP to GDAP " +
				"(direct-bill partners).",
			Roles: []string{HelpdeskAdministrator, LicenseAdministrator, PrivilegedAuthenticationAdministrator, UserAdministrator,
				CloudApplicationAdministrator, ServiceSupportAdministrator, DirectoryReaders, GlobalReader},
		},
		{
			Name: ProfileOnboard365,
			Description: "What this app needs in customers: Authentication Administrator and Reports Reader to set " +
				"Authenticator as the default method, Conditional Access Administrator to exclude your technicians from " +
				"blocking policies, Application Administrator and User Administrator for the app registration and groups.",
			Roles: []string{AuthenticationAdministrator, ReportsReader, ConditionalAccessAdministrator, ApplicationAdministrator, UserAdministrator},
		},
	}
}

// Find returns the built-in profile with this name, in any letter case.
func Find(name string) (Profile, bool) {
	return Lookup(BuiltIn(), name)
}

// Lookup returns the profile with this name (in any letter case) from profiles.
func Lookup(profiles []Profile, name string) (Profile, bool) {
	name = strings.TrimSpace(name)
	for _, p := range profiles {
		if strings.EqualFold(p.Name, name) {
			return p, true
		}
	}
	return Profile{}, false
}

// Validate says what is wrong with a profile, in plain words: no name, no roles, a role the
// catalog does not know, a role twice, a group for a role the profile does not have.
func (p Profile) Validate() error {
	name := strings.TrimSpace(p.Name)
	switch {
	case name == "":
		return errors.New("the profile has no name")
	case len(name) > maxProfileNameLength:
		return fmt.Errorf("the profile name %q is longer than %d characters", name[:40]+"...", maxProfileNameLength)
	case len(p.Roles) == 0:
		return fmt.Errorf("the profile %q has no roles: tick at least one", name)
	}
	seen := map[string]bool{}
	for _, id := range p.Roles {
		r, ok := ByID(id)
		if !ok {
			return fmt.Errorf("the profile %q names a role this app does not know (%q)", name, id)
		}
		if seen[r.ID] {
			return fmt.Errorf("the profile %q names %s twice", name, r.Name)
		}
		seen[r.ID] = true
	}
	for id, group := range p.Groups {
		r, ok := ByID(id)
		if !ok || !seen[r.ID] {
			return fmt.Errorf("the profile %q names a group for a role it does not have (%s)", name, Name(id))
		}
		if strings.TrimSpace(group) == "" {
			return fmt.Errorf("the profile %q names an empty group for %s", name, r.Name)
		}
	}
	return nil
}

// GroupFor is the group the profile requires for a role, or "" when any group will do.
func (p Profile) GroupFor(roleID string) string {
	if g, ok := p.Groups[roleID]; ok {
		return g
	}
	for id, g := range p.Groups {
		if strings.EqualFold(id, roleID) {
			return g
		}
	}
	return ""
}

// HasGlobalAdministrator says whether the profile includes Global Administrator.
func (p Profile) HasGlobalAdministrator() bool {
	for _, id := range p.Roles {
		if strings.EqualFold(id, GlobalAdministrator) {
			return true
		}
	}
	return false
}
