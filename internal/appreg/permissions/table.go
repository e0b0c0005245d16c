package permissions

// The permission table: every request the app's wizards make, and the delegated permission each
// one needs. It is the one place where Onboard365's permissions are decided; the app
// registration asks for what Derive computes from it, and nothing else. A test holds every
// choice to Microsoft's reference data (internal/reference), and another fails when a wizard
// sends a request this table does not list (see Match).

// Service is the Microsoft service a request goes to.
type Service string

// Services.
const (
	Graph         Service = "Microsoft Graph"
	PartnerCenter Service = "Partner Center"
)

// Where says in which tenants a request is made, so which consent must cover it: the admin
// consent in the partner tenant, or the consent Partner Center gives in every customer.
type Where int

// Tenants.
const (
	Partner   Where = 1 << iota // the partner's own tenant
	Customers                   // customer tenants, through GDAP
	Both      = Partner | Customers
)

// Client says who sends a request: the Onboard365 app registration itself, or the one-off
// administrator sign-in this wizard makes to create and repair that app registration (through
// Microsoft's own Graph command line client, so the app never needs to manage app registrations).
type Client int

// Clients.
const (
	App   Client = iota // the Onboard365 app registration, with the technician's kept sign-in
	Admin               // the App registration wizard's administrator sign-in (AdminClientID)
)

// AdminClientID is the application id of "Microsoft Graph Command Line Tools", Microsoft's own
// public client that every tenant knows (Microsoft Graph PowerShell signs in with it). The App
// registration wizard signs the administrator in with it, asking only for the permissions the
// Admin rows of the table need, and keeps that sign-in in memory only.
const AdminClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

// Partner Center's resource application and its one delegated permission (DOMAIN.md).
const (
	PartnerCenterAppID          = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"
	PartnerCenterImpersonation  = "user_impersonation"
	PartnerCenterImpersonateID  = "1cebfa2a-fb4d-419e-b5f9-839b4383e05a"
	GraphAppID                  = "00000003-0000-0000-c000-000000000000"
	partnerCenterImpersonateURI = "https://api.partnercenter.microsoft.com/user_impersonation"
)

// Option names requests that only some runs make.
type Option string

// Options.
const (
	Always      Option = ""
	AdminAgents Option = "adminagents" // the DAP-era step of putting the app in AdminAgents (off by default)
)

// Request is one row of the table.
type Request struct {
	Feature string  // the wizard that makes it, in the words of the task list
	Service Service // Graph or Partner Center
	Method  string
	// Path is the request's template: the version ("/v1.0", "/beta") or "/v1" for Partner
	// Center, then the path with ids as {id}; alternate keys as servicePrincipals(appId={id}).
	Path   string
	Where  Where
	Client Client
	Option Option
	// Permissions are the delegated permissions the request needs, all of them (usually one).
	// For Graph each is, unless Why says otherwise, one that Microsoft's permissions reference
	// marks least-privileged for this request. Empty: the request needs none of its own.
	Permissions []string
	// Why explains a choice the reference does not make by itself: a path it does not list, or
	// a permission that is not the one it marks least-privileged.
	Why string
}

// Feature names, as the task list words them.
const (
	FeatureSignIn        = "Sign in"
	FeatureAppReg        = "App registration"
	FeatureGDAP          = "GDAP relationships"
	FeatureAuthenticator = "Authenticator default method"
	FeatureTroubleshoot  = `Troubleshoot "400" errors`
)

const gdapBase = "/v1.0/tenantRelationships/delegatedAdminRelationships"

// Requests is the table. Each call returns a fresh copy.
func Requests() []Request {
	g := func(feature, method, path string, where Where, perms ...string) Request {
		return Request{Feature: feature, Service: Graph, Method: method, Path: path, Where: where, Client: App, Permissions: perms}
	}
	why := func(r Request, text string) Request { r.Why = text; return r }
	admin := func(r Request) Request { r.Client = Admin; return r }
	only := func(r Request, o Option) Request { r.Option = o; return r }
	pc := func(feature, method, path string) Request {
		return Request{Feature: feature, Service: PartnerCenter, Method: method, Path: path, Where: Partner, Client: App,
			Permissions: []string{PartnerCenterImpersonation}}
	}

	return []Request{
		// Sign in: the live check that Partner Center accepts the sign-in.
		pc(FeatureSignIn, "GET", "/v1/profiles/organization"),

		// GDAP relationships (internal/gdap), in the partner tenant.
		g(FeatureGDAP, "GET", "/v1.0/me", Partner, "User.Read"),
		g(FeatureGDAP, "GET", "/v1.0/me/transitiveMemberOf", Partner, "User.Read"),
		why(g(FeatureGDAP, "GET", "/v1.0/groups", Partner, "GroupMember.Read.All"),
			noGUID("Group.ReadBasic.All", "GroupMember.Read.All")),
		why(g(FeatureGDAP, "GET", "/v1.0/groups/{id}/transitiveMembers", Partner, "GroupMember.Read.All"),
			noGUID("GroupMember.ReadBasic.All", "GroupMember.Read.All")),
		g(FeatureGDAP, "POST", "/v1.0/groups", Partner, "Group.ReadWrite.All"),
		why(g(FeatureGDAP, "POST", "/v1.0/groups/{id}/members/$ref", Partner, "GroupMember.ReadWrite.All"),
			"Not in permissions.json (see reference.DocumentedPaths); Learn names GroupMember.ReadWrite.All as least privileged."),
		g(FeatureGDAP, "GET", gdapBase, Partner, "DelegatedAdminRelationship.Read.All"),
		g(FeatureGDAP, "POST", gdapBase, Partner, "DelegatedAdminRelationship.ReadWrite.All"),
		g(FeatureGDAP, "GET", gdapBase+"/{id}", Partner, "DelegatedAdminRelationship.Read.All"),
		g(FeatureGDAP, "PATCH", gdapBase+"/{id}", Partner, "DelegatedAdminRelationship.ReadWrite.All"),
		g(FeatureGDAP, "POST", gdapBase+"/{id}/requests", Partner, "DelegatedAdminRelationship.ReadWrite.All"),
		g(FeatureGDAP, "GET", gdapBase+"/{id}/accessAssignments", Partner, "DelegatedAdminRelationship.Read.All"),
		g(FeatureGDAP, "POST", gdapBase+"/{id}/accessAssignments", Partner, "DelegatedAdminRelationship.ReadWrite.All"),
		g(FeatureGDAP, "GET", gdapBase+"/{id}/accessAssignments/{id}", Partner, "DelegatedAdminRelationship.Read.All"),
		g(FeatureGDAP, "PATCH", gdapBase+"/{id}/accessAssignments/{id}", Partner, "DelegatedAdminRelationship.ReadWrite.All"),
		g(FeatureGDAP, "GET", "/v1.0/tenantRelationships/delegatedAdminCustomers", Partner, "DelegatedAdminRelationship.Read.All"),
		why(g(FeatureGDAP, "POST", "/v1.0/$batch", Both),
			"JSON batching needs no permission of its own: each request inside the batch is a row of this table."),
		why(g(FeatureGDAP, "POST", "/beta/$batch", Both),
			"JSON batching needs no permission of its own: each request inside the batch is a row of this table."),

		// Authenticator default method (internal/authmethods), in customers.
		why(g(FeatureAuthenticator, "GET", "/v1.0/users", Customers, "User.Read.All"),
			"The reference marks User.ReadBasic.All, which returns only names and addresses; the wizards read userType and accountEnabled, which need User.Read.All."),
		why(g(FeatureAuthenticator, "GET", "/v1.0/users/{id}", Customers, "User.Read.All"),
			"As for GET /users: User.ReadBasic.All returns only names and addresses."),
		why(g(FeatureAuthenticator, "GET", "/v1.0/subscribedSkus", Both, "Organization.Read.All"),
			noGUID("LicenseAssignment.Read.All", "Organization.Read.All")),
		// Troubleshoot reads it in the partner tenant too: which admins a policy's MFA exclusions leave out.
		g(FeatureAuthenticator, "GET", "/v1.0/reports/authenticationMethods/userRegistrationDetails", Both, "AuditLog.Read.All"),
		why(g(FeatureAuthenticator, "GET", "/v1.0/users/{id}/authentication/microsoftAuthenticatorMethods", Customers, "UserAuthenticationMethod.Read.All"),
			"The reference's least-privileged UserAuthMethod-MicrosoftAuthApp.Read covers only the signed-in user's own methods; "+
				noGUID("UserAuthMethod-MicrosoftAuthApp.Read.All", "UserAuthenticationMethod.Read.All")),
		why(g(FeatureAuthenticator, "GET", "/beta/users/{id}/authentication/signInPreferences", Customers, "UserAuthenticationMethod.Read.All"),
			"Not in permissions.json (see reference.DocumentedPaths); Learn: UserAuthenticationMethod.Read for oneself, the .All variant for other users."),
		why(g(FeatureAuthenticator, "PATCH", "/beta/users/{id}/authentication/signInPreferences", Customers, "UserAuthenticationMethod.ReadWrite.All"),
			"Not in permissions.json (see reference.DocumentedPaths); Learn: UserAuthenticationMethod.ReadWrite for oneself, the .All variant for other users."),

		// Troubleshoot "400" errors, in customers and (MFA enforcement, risky technician) the partner.
		g(FeatureTroubleshoot, "GET", "/v1.0/identity/conditionalAccess/policies", Both, "Policy.Read.All"),
		g(FeatureTroubleshoot, "GET", "/v1.0/identity/conditionalAccess/policies/{id}", Both, "Policy.Read.All"),
		why(g(FeatureTroubleshoot, "PATCH", "/v1.0/identity/conditionalAccess/policies/{id}", Customers, "Policy.Read.All", "Policy.ReadWrite.ConditionalAccess"),
			"The reference lists Policy.Read.All (with Application.Read.All) as least for the methods of this path together; Learn: updating a policy needs Policy.Read.All and Policy.ReadWrite.ConditionalAccess."),
		why(g(FeatureTroubleshoot, "GET", "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", Both, "Policy.Read.All"),
			"The reference marks Policy.Read.All and Policy.ReadWrite.SecurityDefaults; reading needs only the first."),
		g(FeatureTroubleshoot, "GET", "/v1.0/auditLogs/signIns", Both, "AuditLog.Read.All"),
		g(FeatureTroubleshoot, "GET", "/beta/auditLogs/signIns", Both, "AuditLog.Read.All"),
		g(FeatureTroubleshoot, "GET", "/v1.0/identityProtection/riskyUsers", Partner, "IdentityRiskyUser.Read.All"),
		g(FeatureTroubleshoot, "POST", "/v1.0/identityProtection/riskyUsers/dismiss", Partner, "IdentityRiskyUser.ReadWrite.All"),

		// App registration: customer consent through Partner Center, with the app's own sign-in.
		pc(FeatureAppReg, "GET", "/v1/customers"),
		pc(FeatureAppReg, "POST", "/v1/customers/{id}/applicationconsents"),
		pc(FeatureAppReg, "DELETE", "/v1/customers/{id}/applicationconsents/{id}"),

		// App registration: the administrator sign-in that creates and repairs the app.
		admin(g(FeatureAppReg, "GET", "/v1.0/applications", Partner, "Application.Read.All")),
		admin(g(FeatureAppReg, "GET", "/v1.0/applications(appId={id})", Partner, "Application.Read.All")),
		admin(g(FeatureAppReg, "GET", "/v1.0/applications/{id}", Partner, "Application.Read.All")),
		admin(why(g(FeatureAppReg, "POST", "/v1.0/applications", Partner, "Application.ReadWrite.All"),
			"The reference also marks AppRegistration.Create, which can create an app but not then change it or add its secret: the wizard does both.")),
		admin(g(FeatureAppReg, "PATCH", "/v1.0/applications/{id}", Partner, "Application.ReadWrite.All")),
		admin(g(FeatureAppReg, "POST", "/v1.0/applications/{id}/addPassword", Partner, "Application.ReadWrite.All")),
		admin(g(FeatureAppReg, "POST", "/v1.0/applications/{id}/removePassword", Partner, "Application.ReadWrite.All")),
		admin(g(FeatureAppReg, "GET", "/v1.0/servicePrincipals", Partner, "Application.Read.All")),
		admin(g(FeatureAppReg, "GET", "/v1.0/servicePrincipals(appId={id})", Partner, "Application.Read.All")),
		admin(g(FeatureAppReg, "POST", "/v1.0/servicePrincipals", Partner, "Application.ReadWrite.All")),
		admin(g(FeatureAppReg, "GET", "/v1.0/oauth2PermissionGrants", Partner, "Directory.Read.All")),
		admin(why(g(FeatureAppReg, "POST", "/v1.0/oauth2PermissionGrants", Partner, "DelegatedPermissionGrant.ReadWrite.All"),
			"The reference marks none least-privileged; it lists DelegatedPermissionGrant.ReadWrite.All and Directory.ReadWrite.All, and the first is narrower.")),
		admin(why(g(FeatureAppReg, "PATCH", "/v1.0/oauth2PermissionGrants/{id}", Partner, "DelegatedPermissionGrant.ReadWrite.All"),
			"As for POST /oauth2PermissionGrants: DelegatedPermissionGrant.ReadWrite.All is the narrower of the two it lists.")),
		admin(g(FeatureAppReg, "GET", "/v1.0/servicePrincipals/{id}/appRoleAssignedTo", Partner, "Application.Read.All")),
		admin(g(FeatureAppReg, "POST", "/v1.0/servicePrincipals/{id}/appRoleAssignedTo", Partner, "AppRoleAssignment.ReadWrite.All", "Application.Read.All")),
		only(admin(g(FeatureAppReg, "GET", "/v1.0/groups", Partner, "Group.ReadBasic.All")), AdminAgents),
		only(admin(g(FeatureAppReg, "GET", "/v1.0/groups/{id}/transitiveMembers", Partner, "GroupMember.ReadBasic.All")), AdminAgents),
		only(admin(why(g(FeatureAppReg, "POST", "/v1.0/groups/{id}/members/$ref", Partner, "GroupMember.ReadWrite.All"),
			"Not in permissions.json (see reference.DocumentedPaths); Learn names GroupMember.ReadWrite.All as least privileged.")), AdminAgents),
	}
}

// noGUID is the reason for choosing the next permission when the least-privileged one has no GUID
// in Microsoft's permissions-descriptions.json: an app registration names its permissions by GUID.
func noGUID(least, chosen string) string {
	return least + ", the least-privileged, has no GUID in permissions-descriptions.json, and an app registration names " +
		"permissions by GUID; " + chosen + " is the narrowest one that covers the request and has one."
}
