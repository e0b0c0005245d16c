package reader

import "github.com/onboard365/onboard365/internal/reference/learn"

// What was looked up with the search tools because the folder of pages lacks it: the include
// files the stored pages pull in but that were not collected with them (the folder's README
// names seven permission includes; the role-list includes, rbac-for-apis/*, are all missing
// too), one page that is not in the folder at all, and the template ids of the Entra roles the
// pages name. Each entry says where it was read. These are facts in the project's own data, not
// Microsoft's prose.

// lookedTable is a permission table of an include file that is not in the folder.
type lookedTable struct {
	source                              string
	delegatedLeast, delegatedHigher     [][]string
	applicationLeast, applicationHigher [][]string
}

// one makes single-permission alternatives: one("A", "B") is A, or B.
func one(names ...string) [][]string {
	out := make([][]string, len(names))
	for i, n := range names {
		out[i] = []string{n}
	}
	return out
}

// lookedTables are the permission include files missing from the folder, by their path under it.
var lookedTables = map[string]lookedTable{
	"graph/api-reference/v1.0/includes/permissions/user-get-permissions.md": {
		source:           "https://learn.microsoft.com/graph/api/user-get (rendered page, read with the search tools)",
		delegatedLeast:   one("User.Read"),
		delegatedHigher:  one("User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"),
		applicationLeast: one("User.Read.All"),
	},
	"graph/api-reference/v1.0/includes/permissions/tenantrelationship-list-delegatedadminrelationships-permissions.md": {
		source:            "https://learn.microsoft.com/graph/api/tenantrelationship-list-delegatedadminrelationships (rendered page, read with the search tools)",
		delegatedLeast:    one("DelegatedAdminRelationship.Read.All"),
		delegatedHigher:   one("DelegatedAdminRelationship.ReadWrite.All"),
		applicationLeast:  one("DelegatedAdminRelationship.Read.All"),
		applicationHigher: one("DelegatedAdminRelationship.ReadWrite.All"),
	},
	"graph/api-reference/v1.0/includes/permissions/tenantrelationship-post-delegatedadminrelationships-permissions.md": {
		source:           "https://learn.microsoft.com/graph/api/tenantrelationship-post-delegatedadminrelationships (rendered page, read with the search tools)",
		delegatedLeast:   one("DelegatedAdminRelationship.ReadWrite.All"),
		applicationLeast: one("DelegatedAdminRelationship.ReadWrite.All"),
	},
	"graph/api-reference/v1.0/includes/permissions/delegatedadminrelationship-get-permissions.md": {
		source:            "https://learn.microsoft.com/graph/api/delegatedadminrelationship-get (rendered page, read with the search tools)",
		delegatedLeast:    one("DelegatedAdminRelationship.Read.All"),
		delegatedHigher:   one("DelegatedAdminRelationship.ReadWrite.All"),
		applicationLeast:  one("DelegatedAdminRelationship.Read.All"),
		applicationHigher: one("DelegatedAdminRelationship.ReadWrite.All"),
	},
	"graph/api-reference/v1.0/includes/permissions/conditionalaccesspolicy-get-permissions.md": {
		source:           "https://learn.microsoft.com/graph/api/conditionalaccesspolicy-get (rendered page, read with the search tools)",
		delegatedLeast:   one("Policy.Read.All"),
		applicationLeast: one("Policy.Read.All"),
	},
	"graph/api-reference/v1.0/includes/permissions/identitysecuritydefaultsenforcementpolicy-get-permissions.md": {
		source:            "https://learn.microsoft.com/graph/api/identitysecuritydefaultsenforcementpolicy-get (rendered page, read with the search tools)",
		delegatedLeast:    one("Policy.Read.All"),
		delegatedHigher:   one("Policy.ReadWrite.SecurityDefaults"),
		applicationLeast:  one("Policy.Read.All"),
		applicationHigher: one("Policy.ReadWrite.SecurityDefaults"),
	},
	// "Permissions acting on other users". The rendered page now shows one table for both
	// cases; for other users it keeps the .All permissions (an older copy of the page, in
	// microsoftgraph/microsoft-graph-docs.pt-BR, lists UserAuthenticationMethod.Read.All and
	// .ReadWrite.All for other users), the least privileged being the app-only one.
	"graph/api-reference/v1.0/includes/permissions/microsoftauthenticatorauthenticationmethod-list-2-permissions.md": {
		source:            "https://learn.microsoft.com/graph/api/microsoftauthenticatorauthenticationmethod-list (rendered page) and its older pt-BR copy, read with the search tools",
		delegatedLeast:    one("UserAuthMethod-MicrosoftAuthApp.Read.All"),
		delegatedHigher:   one("UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All", "UserAuthMethod-MicrosoftAuthApp.ReadWrite.All"),
		applicationLeast:  one("UserAuthMethod-MicrosoftAuthApp.Read.All"),
		applicationHigher: one("UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All", "UserAuthMethod-MicrosoftAuthApp.ReadWrite.All"),
	},
}

// lookedRoles is a role-list include (rbac-for-apis) that is not in the folder.
type lookedRoles struct {
	source string
	// roles are the role names it lists, qualifiers dropped ("Application Developer - read
	// properties of application they own" is Application Developer); learn.Member stands for
	// "a non-admin member with default user permissions".
	roles                  []string
	memberUnlessRestricted bool
	note                   string
}

const rbacRepo = "microsoftgraph/microsoft-graph-docs-contrib "

var lookedRoleLists = map[string]lookedRoles{
	"graph/api-reference/v1.0/includes/rbac-for-apis/rbac-application-apis-read.md": {
		source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-application-apis-read.md @06829cb",
		roles: []string{learn.Member, "Application Developer", "Directory Readers", "Global Secure Access Administrator", "Global Reader",
			"Directory Writers", "Hybrid Identity Administrator", "Security Administrator", "Cloud Application Administrator", "Application Administrator"},
	},
	"graph/api-reference/v1.0/includes/rbac-for-apis/rbac-application-apis-write.md": {
		source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-application-apis-write.md @41f4f85",
		roles: []string{learn.Member, "Application Developer", "Directory Writers", "Hybrid Identity Administrator", "Security Administrator",
			"Cloud Application Administrator", "Application Administrator"},
		memberUnlessRestricted: true,
		note:                   "a member may, unless the tenant restricts who can register applications",
	},
	"graph/api-reference/v1.0/includes/rbac-for-apis/rbac-approleassignments-apis-write.md": {
		source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-approleassignments-apis-write.md @3cff1ca",
		roles: []string{"Directory Synchronization Accounts", "Directory Writers", "Hybrid Identity Administrator", "Identity Governance Administrator",
			"Privileged Role Administrator", "User Administrator", "Application Administrator", "Cloud Application Administrator"},
	},
	"graph/api-reference/v1.0/includes/rbac-for-apis/rbac-authentication-methods-apis-read-others.md": {
		source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-authentication-methods-apis-read-others.md @a63c8dc",
		roles:  []string{"Global Reader", "Authentication Administrator", "Privileged Authentication Administrator"},
	},
	"graph/api-reference/v1.0/includes/rbac-for-apis/rbac-authentication-methods-apis-write-others.md": {
		source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-authentication-methods-apis-write-others.md @34c5687",
		roles:  []string{"Authentication Administrator", "Privileged Authentication Administrator"},
	},
	"graph/api-reference/beta/includes/rbac-for-apis/rbac-authentication-methods-apis-read-others.md": {
		source: rbacRepo + "api-reference/beta/includes/rbac-for-apis/rbac-authentication-methods-apis-read-others.md @30d74d3",
		roles:  []string{"Global Reader", "Authentication Administrator", "Privileged Authentication Administrator"},
	},
	"graph/api-reference/beta/includes/rbac-for-apis/rbac-authentication-methods-apis-write-others.md": {
		source: rbacRepo + "api-reference/beta/includes/rbac-for-apis/rbac-authentication-methods-apis-write-others.md @45ca584",
		roles:  []string{"Authentication Administrator", "Privileged Authentication Administrator"},
	},
	"graph/api-reference/v1.0/includes/rbac-for-apis/rbac-company-subscriptions-subscribedskus-apis.md": {
		source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-company-subscriptions-subscribedskus-apis.md @e8a41d5",
		roles:  []string{"Dynamics 365 Business Central Administrator", "Global Reader", "Directory Readers"},
	},
	// Rendered after the permission table of POST delegatedAdminRelationships: it is about
	// application permissions (the Partner Customer Delegated Administration service
	// principal, 2832473f-ec63-45fb-976f-5d45a7d4bb91, must exist in the partner tenant) and
	// names no Entra role for a signed-in user.
	"graph/api-reference/v1.0/includes/rbac-for-apis/rbac-gdap-apis-customer-only.md": {
		source: "https://learn.microsoft.com/graph/api/tenantrelationship-post-delegatedadminrelationships (rendered page, read with the search tools)",
		note:   "no Entra role for a signed-in user; app-only calls need the Partner Customer Delegated Administration service principal in the partner tenant",
	},
	"graph/api-reference/v1.0/includes/rbac-for-apis/rbac-oauth2permissiongrant-apis-read.md": {
		source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-oauth2permissiongrant-apis-read.md @0f04ee0",
		roles: []string{"Global Reader", "Directory Readers", "Application Administrator", "Application Developer", "Cloud Application Administrator",
			"Directory Writers", "Privileged Role Administrator", "User Administrator"},
	},
	"graph/api-reference/v1.0/includes/rbac-for-apis/rbac-oauth2permissiongrant-apis-write.md": {
		source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-oauth2permissiongrant-apis-write.md @393a21f",
		roles: []string{"Application Administrator", "Application Developer", "Cloud Application Administrator", "Directory Writers",
			"Privileged Role Administrator", "User Administrator"},
	},
	"graph/api-reference/v1.0/includes/rbac-for-apis/rbac-conditionalaccess-apis-read.md": {
		source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-conditionalaccess-apis-read.md @3b69f03",
		roles:  []string{"Global Secure Access Administrator", "Security Reader", "Security Administrator", "Global Reader", "Conditional Access Administrator"},
	},
}

// roleIDs are the template ids of the Entra built-in roles the pages name, from Microsoft's
// list of built-in roles (MicrosoftDocs/entra-docs docs/identity/role-based-access-control/
// permissions-reference.md @00fe95d, read with the search tools; DOMAIN.md names most of them).
var roleIDs = map[string]string{
	"Application Administrator":                   "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3",
	"Application Developer":                       "cf1c38e5-3621-4004-a7cb-879624dced7c",
	"Authentication Administrator":                "c4e39bd9-1100-46d3-8c65-fb160da0071f",
	"Authentication Policy Administrator":         "0526716b-113d-4c15-b2c8-68e3c22b9f80",
	"Cloud Application Administrator":             "158c047a-c907-4556-b7ef-446551a6b5f7",
	"Conditional Access Administrator":            "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9",
	"Directory Readers":                           "88d8e3e3-8f55-4a1e-953a-9b9898b8876b",
	"Directory Synchronization Accounts":          "d29b2b05-8046-44ba-8758-1e26182fcf32",
	"Directory Writers":                           "9360feb5-f418-4baa-8175-e2a00bac4301",
	"Dynamics 365 Business Central Administrator": "963797fb-eb3b-4cde-8ce3-5878b3f32a3f",
	"Exchange Administrator":                      "29232cdf-9323-42fd-ade2-1d097af3e4de",
	"Global Administrator":                        "62e90394-69f5-4237-9190-012177145e10",
	"Global Reader":                               "f2ef992c-3afb-46b9-b7cf-a126ee74c451",
	"Global Secure Access Administrator":          "ac434307-12b9-4fa1-a708-88bf58caabc1",
	"Groups Administrator":                        "fdd7a751-b60b-444a-984c-02652fe8fa1c",
	"Helpdesk Administrator":                      "729827e3-9c14-49f7-bb1b-9608f156bbb8",
	"Hybrid Identity Administrator":               "8ac3fc64-6eca-42ea-9e69-59f4c7b60eb2",
	"Identity Governance Administrator":           "45d8d3c5-c802-45c6-b32a-1d70b5e1e86e",
	"Intune Administrator":                        "3a2c62db-5318-420d-8d74-23affee5d9d5",
	"License Administrator":                       "4d6ac14f-3453-41d0-bef9-a3e0c569773a",
	"Privileged Authentication Administrator":     "7be44c8a-adaf-4e2a-84d6-ab2649e08a13",
	"Privileged Role Administrator":               "e8611ab8-c189-46e8-94e1-60213ab1f814",
	"Reports Reader":                              "4a5d8f65-41da-4de4-8968-e035b65339cf",
	"Security Administrator":                      "194ae4cb-b126-40b2-bd5b-6091b380977d",
	"Security Operator":                           "5f2222b1-57c3-48ba-8ad5-d4759f1fde6f",
	"Security Reader":                             "5d6b6bb7-de71-4623-b4af-96380a352509",
	"Service Support Administrator":               "f023fd81-a637-4b56-95fd-791ac0226033",
	"SharePoint Administrator":                    "f28a1f50-f6e7-4571-818b-6a12f2af6b6c",
	"Teams Administrator":                         "69091246-20e8-4a56-aa4d-066075b2a7a8",
	"User Administrator":                          "fe930be7-5e62-47db-91af-98c3a49a38b1",
}
