package reader

import "github.com/onboard365/onboard365/internal/reference/learn"

// The index: every request Onboard365 makes (and that its sandbox therefore serves), with the
// page that documents it and, where a page documents several things, which of its parts
// applies. Everything else is read from the page itself. To add a request, add its page to
// shared/reference/learn (and MANIFEST.tsv), add an entry here and run go generate.

// entry is one request and where its page says what about it.
type entry struct {
	service, method, path string
	// page is the file under the pages folder. Empty for a request documented on a page that
	// is not in the folder (missing).
	page string
	// table is the heading above the permission table that applies, when the page has several
	// ("Permissions acting on other users"); empty for the first.
	table string
	// resource picks the row of a per-resource permission table (group-post-members).
	resource string
	// typ is the resource page of the answer's type, whose properties say which support
	// $filter (v1.0/resources/<typ>.md).
	typ string
	// schema is the type of the answer's objects where typ does not name it (typ is only set
	// where its page's $filter marks matter): the shapes of the answers keep only its properties.
	schema string
	// current holds facts of Microsoft's current page that replace the stored page's, where the
	// stored copy is older and the difference matters; why says which is followed and why.
	current *current
	// conditions add requirements in cases the pages describe.
	conditions []learn.Condition
	// fixed are facts for pages without a permission table (Partner Center, JSON batching):
	// they are written here, and the page is still checked to document the request.
	fixed *fixed
	// missing are the facts of a page that is not in the folder, as read with the search tools.
	missing *missing
}

type current struct {
	source string
	why    string
	// delegated replaces the delegated alternatives (nil: keep the stored page's).
	delegated *perms
	// roles replace the roles (nil: keep the stored page's).
	roles []string
}

type fixed struct {
	delegated [][]string
	query     []string
	note      string
}

type missing struct {
	source    string
	delegated perms
	query     []string
	status    []int
	examples  []Example
}

const (
	gdap     = "/v1.0/tenantRelationships/delegatedAdminRelationships"
	v1api    = "graph/api-reference/v1.0/api/"
	betaapi  = "graph/api-reference/beta/api/"
	pcDocs   = "partnercenter/developer/"
	batching = "graph/concepts/json-batching.md"
)

// roleAssignable is what Microsoft's pages add for a group that Entra roles can be assigned to:
// the group resource page (isAssignableToRole: only Global Administrator and Privileged Role
// Administrator may set it; RoleManagement.ReadWrite.Directory is needed to set it or to change
// the group's members) and the current page of group-post-members (adding members to such a
// group needs RoleManagement.ReadWrite.Directory and Privileged Role Administrator).
func roleAssignable(note string) learn.Condition {
	return learn.Condition{When: learn.RoleAssignableGroup, Delegated: [][]string{{"RoleManagement.ReadWrite.Directory"}},
		Roles: []string{"Privileged Role Administrator"}, Note: note}
}

func entries() []entry {
	return []entry{
		// The directory.
		{service: learn.Graph, method: "GET", path: "/v1.0/me", page: v1api + "user-get.md", typ: "user"},
		// Onboarding's check that the new access works: one read of a customer's users.
		{service: learn.Graph, method: "GET", path: "/v1.0/users", page: v1api + "user-list.md", typ: "user"},
		{service: learn.Graph, method: "GET", path: "/v1.0/me/transitiveMemberOf", page: v1api + "user-list-transitivememberof.md", typ: "group"},
		{service: learn.Graph, method: "GET", path: "/v1.0/groups", page: v1api + "group-list.md", typ: "group"},
		{service: learn.Graph, method: "POST", path: "/v1.0/groups", page: v1api + "group-post-groups.md",
			conditions: []learn.Condition{roleAssignable("group resource page, isAssignableToRole")}},
		{service: learn.Graph, method: "GET", path: "/v1.0/groups/{id}/transitiveMembers", page: v1api + "group-list-transitivemembers.md", schema: "directoryObject"},
		{service: learn.Graph, method: "POST", path: "/v1.0/groups/{id}/members/$ref", page: v1api + "group-post-members.md", resource: "user",
			current: &current{
				source: "https://learn.microsoft.com/graph/api/group-post-members (rendered page, read with the search tools)",
				why: "The stored page asks GroupMember.ReadWrite.All and User.ReadWrite.All to add a user; the current page asks " +
					"GroupMember.ReadWrite.All alone and names the roles. The current page is followed: it is Microsoft's later word, " +
					"and the stored combination would cost the app User.ReadWrite.All for adding a technician to a group.",
				delegated: &perms{alternatives: one("GroupMember.ReadWrite.All"), least: 1},
				// "except for role-assignable groups"; Exchange, SharePoint, Teams and Yammer
				// Administrators only for Microsoft 365 groups, which Onboard365 never uses.
				roles: []string{"Directory Writers", "Groups Administrator", "Identity Governance Administrator", "User Administrator", "Intune Administrator"},
			},
			conditions: []learn.Condition{roleAssignable("current group-post-members page: role-assignable groups"),
				{When: learn.ServicePrincipalMember, Delegated: [][]string{{"GroupMember.ReadWrite.All", "Application.ReadWrite.All"}},
					Note: "the servicePrincipal row of the page's per-resource table (the stored and the current page agree)"}}},
		{service: learn.Graph, method: "GET", path: "/v1.0/subscribedSkus", page: v1api + "subscribedsku-list.md", typ: "subscribedsku"},

		// GDAP, in the partner tenant.
		{service: learn.Graph, method: "GET", path: gdap, page: v1api + "tenantrelationship-list-delegatedadminrelationships.md", typ: "delegatedadminrelationship"},
		{service: learn.Graph, method: "POST", path: gdap, page: v1api + "tenantrelationship-post-delegatedadminrelationships.md"},
		{service: learn.Graph, method: "GET", path: gdap + "/{id}", page: v1api + "delegatedadminrelationship-get.md"},
		{service: learn.Graph, method: "PATCH", path: gdap + "/{id}", page: v1api + "delegatedadminrelationship-update.md"},
		{service: learn.Graph, method: "POST", path: gdap + "/{id}/requests", page: v1api + "delegatedadminrelationship-post-requests.md"},
		{service: learn.Graph, method: "GET", path: gdap + "/{id}/accessAssignments", page: v1api + "delegatedadminrelationship-list-accessassignments.md", typ: "delegatedadminaccessassignment"},
		{service: learn.Graph, method: "POST", path: gdap + "/{id}/accessAssignments", page: v1api + "delegatedadminrelationship-post-accessassignments.md"},
		{service: learn.Graph, method: "GET", path: gdap + "/{id}/accessAssignments/{id}", page: v1api + "delegatedadminaccessassignment-get.md"},
		{service: learn.Graph, method: "PATCH", path: gdap + "/{id}/accessAssignments/{id}", page: v1api + "delegatedadminaccessassignment-update.md"},
		{service: learn.Graph, method: "GET", path: gdap + "/{id}/operations/{id}", missing: &missing{
			source:    "microsoftgraph/microsoft-graph-docs-contrib api-reference/v1.0/api/delegatedadminrelationshipoperation-get.md @090b00c (not in the folder; the Location of PATCH accessAssignments points here), read with the search tools",
			delegated: perms{alternatives: one("DelegatedAdminRelationship.Read.All", "DelegatedAdminRelationship.ReadWrite.All"), least: 1},
			query:     []string{"$select"},
			status:    []int{200},
			examples:  []Example{operationExample},
		}},

		// Authentication methods, in customers.
		{service: learn.Graph, method: "GET", path: "/v1.0/reports/authenticationMethods/userRegistrationDetails",
			page: v1api + "authenticationmethodsroot-list-userregistrationdetails.md", typ: "userregistrationdetails",
			current: &current{
				source: "https://learn.microsoft.com/graph/api/authenticationmethodsroot-list-userregistrationdetails (rendered page, read with the search tools)",
				why:    "The stored page names no role; the current page names the roles a signed-in user needs.",
				roles:  []string{"Reports Reader", "Security Reader", "Security Administrator", "Global Reader"},
			}},
		{service: learn.Graph, method: "GET", path: "/v1.0/users/{id}/authentication/microsoftAuthenticatorMethods",
			page: v1api + "microsoftauthenticatorauthenticationmethod-list.md", table: "Permissions acting on other users"},
		{service: learn.Graph, method: "GET", path: "/beta/users/{id}/authentication/signInPreferences", schema: "signInPreferences",
			page: betaapi + "authentication-get.md", table: "Permissions to read system-preferred MFA"},
		{service: learn.Graph, method: "PATCH", path: "/beta/users/{id}/authentication/signInPreferences",
			page: betaapi + "authentication-update.md", table: "Permissions to update system-preferred MFA"},

		// Conditional Access, security defaults, sign-in logs, risky users.
		{service: learn.Graph, method: "GET", path: "/v1.0/identity/conditionalAccess/policies", page: v1api + "conditionalaccessroot-list-policies.md", schema: "conditionalAccessPolicy"},
		{service: learn.Graph, method: "GET", path: "/v1.0/identity/conditionalAccess/policies/{id}", page: v1api + "conditionalaccesspolicy-get.md",
			current: &current{
				source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-conditionalaccess-apis-read.md @3b69f03, shown on https://learn.microsoft.com/graph/api/conditionalaccesspolicy-get",
				why:    "The stored page names no role; the current page shows this role list under its permission table.",
				roles:  lookedRoleLists["graph/api-reference/v1.0/includes/rbac-for-apis/rbac-conditionalaccess-apis-read.md"].roles,
			}},
		// The stored page joins three permissions ("Policy.Read.All, Policy.ReadWrite.ConditionalAccess
		// and Application.Read.All", with a note on a known permissions issue); the current page
		// (https://learn.microsoft.com/graph/api/conditionalaccesspolicy-update) marks
		// "Policy.Read.All and Policy.ReadWrite.ConditionalAccess" least privileged and
		// "Application.Read.All and Policy.ReadWrite.ConditionalAccess" higher, and names the
		// roles. The stored, stricter reading is kept for the permissions (the app asks for all
		// three, which meets both); the roles are the current page's.
		{service: learn.Graph, method: "PATCH", path: "/v1.0/identity/conditionalAccess/policies/{id}", page: v1api + "conditionalaccesspolicy-update.md",
			current: &current{
				source: "https://learn.microsoft.com/graph/api/conditionalaccesspolicy-update (rendered page, read with the search tools)",
				why: "The stored page names no role; the current page names Security Administrator and Conditional Access Administrator. " +
					"Its permissions are not taken: the stored page's all-three reading is stricter, and meeting it meets the current one.",
				roles: []string{"Security Administrator", "Conditional Access Administrator"},
			}},
		{service: learn.Graph, method: "GET", path: "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", page: v1api + "identitysecuritydefaultsenforcementpolicy-get.md", schema: "identitySecurityDefaultsEnforcementPolicy"},
		{service: learn.Graph, method: "GET", path: "/v1.0/auditLogs/signIns", page: v1api + "signin-list.md", typ: "signin"},
		{service: learn.Graph, method: "GET", path: "/beta/auditLogs/signIns", page: betaapi + "signin-list.md", typ: "signin"},
		{service: learn.Graph, method: "GET", path: "/v1.0/identityProtection/riskyUsers", page: v1api + "riskyuser-list.md", typ: "riskyuser"},
		{service: learn.Graph, method: "POST", path: "/v1.0/identityProtection/riskyUsers/dismiss", page: v1api + "riskyuser-dismiss.md"},

		// App registrations (the App registration wizard's administrator sign-in).
		{service: learn.Graph, method: "GET", path: "/v1.0/applications", page: v1api + "application-list.md", typ: "application"},
		{service: learn.Graph, method: "GET", path: "/v1.0/applications/{id}", page: v1api + "application-get.md"},
		{service: learn.Graph, method: "GET", path: "/v1.0/applications(appId={id})", page: v1api + "application-get.md"},
		{service: learn.Graph, method: "POST", path: "/v1.0/applications", page: v1api + "application-post-applications.md", current: applicationWrite},
		{service: learn.Graph, method: "PATCH", path: "/v1.0/applications/{id}", page: v1api + "application-update.md", current: applicationWrite},
		{service: learn.Graph, method: "POST", path: "/v1.0/applications/{id}/addPassword", page: v1api + "application-addpassword.md", schema: "passwordCredential", current: applicationWrite},
		{service: learn.Graph, method: "POST", path: "/v1.0/applications/{id}/removePassword", page: v1api + "application-removepassword.md", current: applicationWrite},
		{service: learn.Graph, method: "GET", path: "/v1.0/servicePrincipals", page: v1api + "serviceprincipal-list.md", typ: "serviceprincipal"},
		{service: learn.Graph, method: "GET", path: "/v1.0/servicePrincipals(appId={id})", page: v1api + "serviceprincipal-get.md"},
		{service: learn.Graph, method: "POST", path: "/v1.0/servicePrincipals", page: v1api + "serviceprincipal-post-serviceprincipals.md",
			current: &current{
				source: "https://learn.microsoft.com/graph/api/serviceprincipal-post-serviceprincipals (rendered page, read with the search tools)",
				why:    "The stored page names no role; the current page says that for a multi-tenant app the signed-in user needs one of these.",
				roles:  []string{"Application Administrator", "Cloud Application Administrator"},
			}},
		{service: learn.Graph, method: "GET", path: "/v1.0/oauth2PermissionGrants", page: v1api + "oauth2permissiongrant-list.md", typ: "oauth2permissiongrant", current: grantRead},
		{service: learn.Graph, method: "POST", path: "/v1.0/oauth2PermissionGrants", page: v1api + "oauth2permissiongrant-post.md", current: grantWrite},
		{service: learn.Graph, method: "PATCH", path: "/v1.0/oauth2PermissionGrants/{id}", page: v1api + "oauth2permissiongrant-update.md", current: grantWrite},
		{service: learn.Graph, method: "GET", path: "/v1.0/servicePrincipals/{id}/appRoleAssignedTo", page: v1api + "serviceprincipal-list-approleassignedto.md", schema: "appRoleAssignment"},
		{service: learn.Graph, method: "POST", path: "/v1.0/servicePrincipals/{id}/appRoleAssignedTo", page: v1api + "serviceprincipal-post-approleassignedto.md",
			current: &current{
				source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-approleassignments-apis-write.md @3cff1ca, shown on https://learn.microsoft.com/graph/api/serviceprincipal-post-approleassignments",
				why:    "The stored page names no role; the current pages of app role assignments show this role list.",
				roles:  lookedRoleLists["graph/api-reference/v1.0/includes/rbac-for-apis/rbac-approleassignments-apis-write.md"].roles,
			}},

		// JSON batching: no permission of its own; each request inside needs its own.
		{service: learn.Graph, method: "POST", path: "/v1.0/$batch", page: batching, fixed: &fixed{note: "JSON batching needs no permission of its own; each request inside the batch needs its own."}},
		{service: learn.Graph, method: "POST", path: "/beta/$batch", page: batching, fixed: &fixed{note: "JSON batching needs no permission of its own; each request inside the batch needs its own."}},

		// Partner Center: every App+User call needs Partner Center's one delegated permission.
		{service: learn.PartnerCenter, method: "GET", path: "/v1/profiles/organization", page: pcDocs + "get-an-organization-profile.md", fixed: pcUser(nil)},
		{service: learn.PartnerCenter, method: "GET", path: "/v1/customers", page: pcDocs + "get-a-list-of-customers.md", fixed: pcUser([]string{"size", "seekOperation"})},
		{service: learn.PartnerCenter, method: "POST", path: "/v1/customers/{id}/applicationconsents", page: pcDocs + "control-panel-vendor-apis.md", fixed: pcUser(nil)},
		{service: learn.PartnerCenter, method: "DELETE", path: "/v1/customers/{id}/applicationconsents/{id}", page: pcDocs + "control-panel-vendor-apis.md", fixed: pcUser(nil)},
		// Onboarding a new customer: the reseller relationship invitation link ("This scenario
		// supports authentication with App+User credentials only").
		{service: learn.PartnerCenter, method: "GET", path: "/v1/customers/relationshiprequests", page: pcDocs + "request-reseller-relationship.md", fixed: pcUser(nil)},
	}
}

// pcUser is Partner Center's delegated permission for App+User calls (partner-center-authentication.md;
// DOMAIN.md names the scope and its ids). seekOperation is what the page's next link carries.
func pcUser(query []string) *fixed {
	return &fixed{delegated: [][]string{{"user_impersonation"}}, query: query,
		note: "Partner Center's App+User calls carry its one delegated permission, user_impersonation (partner-center-authentication.md)."}
}

// applicationWrite: the application write pages stored here name no role; Microsoft's role list
// for application writes is rbac-application-apis-write.md, read with the search tools.
var applicationWrite = &current{
	source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-application-apis-write.md @41f4f85",
	why:    "The stored application write pages name no role; Microsoft's role list for application writes is this include.",
	roles:  lookedRoleLists["graph/api-reference/v1.0/includes/rbac-for-apis/rbac-application-apis-write.md"].roles,
}

var grantRead = &current{
	source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-oauth2permissiongrant-apis-read.md @0f04ee0",
	why:    "The stored page names no role; Microsoft's role list for reading delegated permission grants is this include.",
	roles:  lookedRoleLists["graph/api-reference/v1.0/includes/rbac-for-apis/rbac-oauth2permissiongrant-apis-read.md"].roles,
}

var grantWrite = &current{
	source: rbacRepo + "api-reference/v1.0/includes/rbac-for-apis/rbac-oauth2permissiongrant-apis-write.md @393a21f, shown on https://learn.microsoft.com/graph/api/oauth2permissiongrant-post",
	why:    "The stored page names no role; the current page shows this role list under its permission table.",
	roles:  lookedRoleLists["graph/api-reference/v1.0/includes/rbac-for-apis/rbac-oauth2permissiongrant-apis-write.md"].roles,
}

// operationExample is the example answer of delegatedadminrelationshipoperation-get, Microsoft's
// sample (see missing.source).
var operationExample = Example{
	Request: Message{Method: "GET", URL: "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships/5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-9e98-a3205431b836/operations/57e4479a-aafb-4d00-ab0f-8ce6027466cf"},
	Response: Message{Status: 200, Headers: map[string]string{"Content-Type": "application/json"}, JSON: true,
		Body: `{
  "@odata.type": "#microsoft.graph.delegatedAdminRelationshipOperation",
  "@odata.context": "https://graph.microsoft.com/v1.0/tenantRelationships/$metadata#operations/$entity",
  "@odata.etag": "W/\"JyIwMzAwZTM0ZS0wMDAwLTAyMDAtMDAwMC02MTRjZjI1YzAwMDAiJw==\"",
  "id": "57e4479a-aafb-4d00-ab0f-8ce6027466cf",
  "operationType": "delegatedAdminAccessAssignmentUpdate",
  "data": "{\"id\":\"a97a9b4c-f43e-4c47-bbd6-50d8d3c88d94\",\"accessContainer\":{\"accessContainerId\":\"869713c9-0b28-4d08-8949-ae07ae1bf528\",\"accessContainerType\":\"securityGroup\"},\"accessDetails\":{\"unifiedRoles\":[{\"roleDefinitionId\":\"e3973bdf-4987-49ae-837a-ba8e231c7286\"}]},\"status\":\"active\"}",
  "status": "succeeded",
  "createdDateTime": "2022-02-11T19:27:31.4047395Z",
  "lastModifiedDateTime": "2022-02-11T19:27:31.4047395Z"
}`},
	Name: "get_delegatedadminrelationshipoperation",
}
