// Package roles is the Entra role catalog that GDAP relationships grant, and the role profiles
// that integrations ask for (Liongard, MSP Process, CIPP, Microsoft's migration default and
// Onboard365 itself), plus the custom profiles a user builds by ticking roles.
//
// Roles are named by their template id (roleDefinitionId in GDAP), which is the same in every
// tenant. The ids come from Microsoft's permissions reference, "Microsoft Entra built-in roles"
// (learn.microsoft.com/entra/identity/role-based-access-control/permissions-reference).
package roles

import (
	"sort"
	"strings"
)

// Risk says how much harm a role can do in a customer's tenant if the technician's account is
// misused. It orders roles for the user, so a profile's most dangerous roles stand out.
type Risk string

// Risks, from least to most dangerous.
const (
	Low      Risk = "low"      // reads, or changes nothing that grants access
	Medium   Risk = "medium"   // changes one service's settings, or some users' access
	High     Risk = "high"     // can change who gets in, or give itself more access
	Critical Risk = "critical" // can take over the whole tenant
)

// Rank orders risks: Low 1 ... Critical 4; 0 for an unknown value.
func (r Risk) Rank() int {
	switch r {
	case Low:
		return 1
	case Medium:
		return 2
	case High:
		return 3
	case Critical:
		return 4
	}
	return 0
}

// Role is one Entra built-in role.
type Role struct {
	ID     string // template id, as GDAP's roleDefinitionId
	Name   string // Microsoft's display name
	Allows string // what the role allows, in one plain line for a non-developer
	Risk   Risk
	// Privileged is true for the roles Microsoft's permissions reference marks "PRIVILEGED".
	Privileged bool
}

// Template ids of the roles this app's own code names (Microsoft's permissions reference).
const (
	ApplicationAdministrator              = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3"
	AuthenticationAdministrator           = "c4e39bd9-1100-46d3-8c65-fb160da0071f"
	AuthenticationPolicyAdministrator     = "0526716b-113d-4c15-b2c8-68e3c22b9f80"
	BillingAdministrator                  = "b0f54661-2d74-4c50-afa3-1ec803f12efe"
	CloudAppSecurityAdministrator         = "892c5842-a9a6-463a-8041-72aa08ca3cf6"
	CloudApplicationAdministrator         = "158c047a-c907-4556-b7ef-446551a6b5f7"
	CloudDeviceAdministrator              = "7698a772-787b-4ac8-901f-60d6b08affd2"
	ConditionalAccessAdministrator        = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9"
	DirectoryReaders                      = "88d8e3e3-8f55-4a1e-953a-9b9898b8876b"
	DirectoryWriters                      = "9360feb5-f418-4baa-8175-e2a00bac4301"
	DomainNameAdministrator               = "8329153b-31d0-4727-b945-745eb3bc5f31"
	ExchangeAdministrator                 = "29232cdf-9323-42fd-ade2-1d097af3e4de"
	GlobalAdministrator                   = "62e90394-69f5-4237-9190-012177145e10"
	GlobalReader                          = "f2ef992c-3afb-46b9-b7cf-a126ee74c451"
	GroupsAdministrator                   = "fdd7a751-b60b-444a-984c-02652fe8fa1c"
	HelpdeskAdministrator                 = "729827e3-9c14-49f7-bb1b-9608f156bbb8"
	IntuneAdministrator                   = "3a2c62db-5318-420d-8d74-23affee5d9d5"
	LicenseAdministrator                  = "4d6ac14f-3453-41d0-bef9-a3e0c569773a"
	PrivilegedAuthenticationAdministrator = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13"
	PrivilegedRoleAdministrator           = "e8611ab8-c189-46e8-94e1-60213ab1f814"
	ReportsReader                         = "4a5d8f65-41da-4de4-8968-e035b65339cf"
	SecurityAdministrator                 = "194ae4cb-b126-40b2-bd5b-6091b380977d"
	SecurityOperator                      = "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f"
	SecurityReader                        = "5d6b6bb7-de71-4623-b4af-96380a352509"
	ServiceSupportAdministrator           = "f023fd81-a637-4b56-95fd-791ac0226033"
	SharePointAdministrator               = "f28a1f50-f6e7-4571-818b-6a12f2af6b6c"
	TeamsAdministrator                    = "69091246-20e8-4a56-aa4d-066075b2a7a8"
	UserAdministrator                     = "fe930be7-5e62-47db-91af-98c3a49a38b1"
)

// catalog is every role the app knows, in alphabetical order of name. The "Allows" lines are
// ours, written for MSP staff; Microsoft's own description is one click away in the reference.
var catalog = []Role{
	{ApplicationAdministrator, "Application Administrator", "Create and change app registrations and enterprise apps, add their secrets, and consent to most of their permissions.", High, true},
	{AuthenticationAdministrator, "Authentication Administrator", "See and reset the sign-in methods (phone, Authenticator, passwords) of users who are not admins.", High, true},
	{AuthenticationPolicyAdministrator, "Authentication Policy Administrator", "Change which sign-in methods the whole organization may use, and the tenant's MFA and password protection settings.", High, false},
	{BillingAdministrator, "Billing Administrator", "Buy and manage subscriptions, see invoices and update payment details.", Medium, false},
	{CloudAppSecurityAdministrator, "Cloud App Security Administrator", "Manage Microsoft Defender for Cloud Apps: its policies, alerts and settings.", Medium, false},
	{CloudApplicationAdministrator, "Cloud Application Administrator", "Create and change app registrations and enterprise apps (except App Proxy), add their secrets, and consent to most of their permissions.", High, true},
	{CloudDeviceAdministrator, "Cloud Device Administrator", "Enable, disable and delete devices in Entra ID and read their BitLocker recovery keys.", Medium, true},
	{ConditionalAccessAdministrator, "Conditional Access Administrator", "Create and change Conditional Access policies, which decide who may sign in from where and how.", High, true},
	{DirectoryReaders, "Directory Readers", "Read basic directory information: users, groups and devices.", Low, false},
	{DirectoryWriters, "Directory Writers", "Read and change basic directory information; meant for apps rather than people.", Medium, true},
	{DomainNameAdministrator, "Domain Name Administrator", "Add, verify and remove the organization's domain names.", Medium, false},
	{ExchangeAdministrator, "Exchange Administrator", "Manage all of Exchange Online: mailboxes, mail flow, permissions and connectors.", High, false},
	{GlobalAdministrator, "Global Administrator", "Do anything in the tenant, including giving anyone any role: full control.", Critical, true},
	{GlobalReader, "Global Reader", "Read everything a Global Administrator can see, without changing anything.", Low, true},
	{GroupsAdministrator, "Groups Administrator", "Create and manage groups and their settings, such as naming and expiry policies.", Medium, false},
	{HelpdeskAdministrator, "Helpdesk Administrator", "Reset passwords and sign users out, for users who are not admins.", Medium, true},
	{IntuneAdministrator, "Intune Administrator", "Manage all of Intune: devices, apps, compliance and configuration policies.", High, true},
	{LicenseAdministrator, "License Administrator", "Assign and remove product licences for users and groups.", Low, false},
	{PrivilegedAuthenticationAdministrator, "Privileged Authentication Administrator", "See and reset the sign-in methods of any user, admins included: can take over any account.", Critical, true},
	{PrivilegedRoleAdministrator, "Privileged Role Administrator", "Give anyone any Entra role, including Global Administrator, and manage Privileged Identity Management.", Critical, true},
	{ReportsReader, "Reports Reader", "Read sign-in and audit reports and usage data.", Low, false},
	{SecurityAdministrator, "Security Administrator", "Read security reports and change security settings in Entra ID, Defender and Microsoft 365.", High, true},
	{SecurityOperator, "Security Operator", "Handle security alerts and incidents and read security settings.", Medium, true},
	{SecurityReader, "Security Reader", "Read security information, alerts and reports, without changing anything.", Low, true},
	{ServiceSupportAdministrator, "Service Support Administrator", "Read service health and open and manage support tickets with Microsoft.", Low, false},
	{SharePointAdministrator, "SharePoint Administrator", "Manage SharePoint Online and OneDrive: sites, sharing and storage.", High, false},
	{TeamsAdministrator, "Teams Administrator", "Manage Microsoft Teams: teams, meetings, calling, messaging and their policies.", Medium, false},
	{UserAdministrator, "User Administrator", "Create, change and delete users and groups, and reset passwords of users who are not admins.", High, true},
}

var byID = func() map[string]Role {
	m := make(map[string]Role, len(catalog))
	for _, r := range catalog {
		m[r.ID] = r
	}
	return m
}()

// Catalog returns every role the app knows, sorted by name. The slice is a copy.
func Catalog() []Role {
	out := append([]Role(nil), catalog...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ByID finds a role by template id, in any letter case.
func ByID(id string) (Role, bool) {
	r, ok := byID[strings.ToLower(strings.TrimSpace(id))]
	return r, ok
}

// Name is the role's display name, or the id itself for a role the catalog does not know.
func Name(id string) string {
	if r, ok := ByID(id); ok {
		return r.Name
	}
	return id
}
