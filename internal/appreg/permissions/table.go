package permissions

import "github.com/onboard365/onboard365/internal/reference/learn"

// The permission table: every request the app's wizards make, where and with which sign-in.
// The permissions each request needs come from its page (internal/reference/learn, generated
// from Microsoft's Learn pages): Choose takes the page's first alternative that an app
// registration can name, and Derive reduces them to what the app registration asks for. A test
// holds every row to its page, and another fails when a wizard sends a request this table does
// not list (see Match).

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
	// It is the template of the request's page in internal/reference/learn.
	Path   string
	Where  Where
	Client Client
	Option Option
	// Permissions are the delegated permissions the request is given, all of them. Empty: the
	// first of the alternatives Microsoft's page lists (least privileged first) whose
	// permissions all have a GUID, which an app registration needs (see Choose). A row that
	// names its own must say why (Why), and they must still be one of the page's alternatives.
	Permissions []string
	// Why explains a choice other than the page's first: a permission the page lists as
	// higher privileged because the least one does not give what the wizard reads.
	Why string
	// Meets names the cases of the page (learn.Condition) this row's requests are always in, whose
	// extra permissions the row's permissions must also cover.
	Meets []string
}

// Feature names, as the task list words them.
const (
	FeatureSignIn        = "Sign in"
	FeatureAppReg        = "App registration"
	FeatureGDAP          = "GDAP relationships"
	FeatureAuthenticator = "Authenticator default method"
	FeatureTroubleshoot  = `Troubleshoot "400" errors`
	FeatureOnboard       = "Onboard a customer"
)

const gdapBase = "/v1.0/tenantRelationships/delegatedAdminRelationships"

// Requests is the table. Each call returns a fresh copy. The permissions of most rows come from
// the request's page (Choose); the table only says which requests each wizard makes, where, and
// with which sign-in.
func Requests() []Request {
	g := func(feature, method, path string, where Where) Request {
		return Request{Feature: feature, Service: Graph, Method: method, Path: path, Where: where, Client: App}
	}
	why := func(r Request, text string, perms ...string) Request { r.Why, r.Permissions = text, perms; return r }
	admin := func(r Request) Request { r.Client = Admin; return r }
	only := func(r Request, o Option) Request { r.Option = o; return r }
	meets := func(r Request, cases ...string) Request { r.Meets = cases; return r }
	pc := func(feature, method, path string) Request {
		return Request{Feature: feature, Service: PartnerCenter, Method: method, Path: path, Where: Partner, Client: App}
	}
	return []Request{
		// Sign in: the live check that Partner Center accepts the sign-in.
		pc(FeatureSignIn, "GET", "/v1/profiles/organization"),

		// GDAP relationships (internal/gdap), in the partner tenant.
		g(FeatureGDAP, "GET", "/v1.0/me", Partner),
		g(FeatureGDAP, "GET", "/v1.0/me/transitiveMemberOf", Partner),
		g(FeatureGDAP, "GET", "/v1.0/groups", Partner),
		g(FeatureGDAP, "GET", "/v1.0/groups/{id}/transitiveMembers", Partner),
		g(FeatureGDAP, "POST", "/v1.0/groups", Partner),
		g(FeatureGDAP, "POST", "/v1.0/groups/{id}/members/$ref", Partner),
		g(FeatureGDAP, "GET", gdapBase, Partner),
		g(FeatureGDAP, "POST", gdapBase, Partner),
		g(FeatureGDAP, "GET", gdapBase+"/{id}", Partner),
		g(FeatureGDAP, "PATCH", gdapBase+"/{id}", Partner),
		g(FeatureGDAP, "POST", gdapBase+"/{id}/requests", Partner),
		g(FeatureGDAP, "GET", gdapBase+"/{id}/accessAssignments", Partner),
		g(FeatureGDAP, "POST", gdapBase+"/{id}/accessAssignments", Partner),
		g(FeatureGDAP, "GET", gdapBase+"/{id}/accessAssignments/{id}", Partner),
		g(FeatureGDAP, "PATCH", gdapBase+"/{id}/accessAssignments/{id}", Partner),
		// The 202 of the PATCH above points to a long-running operation, followed until it ends.
		g(FeatureGDAP, "GET", gdapBase+"/{id}/operations/{id}", Partner),
		// JSON batching needs no permission of its own: each request inside is a row here.
		g(FeatureGDAP, "POST", "/v1.0/$batch", Both),
		g(FeatureGDAP, "POST", "/beta/$batch", Both),

		// Authenticator default method (internal/authmethods), in customers.
		g(FeatureAuthenticator, "GET", "/v1.0/subscribedSkus", Both),
		// Troubleshoot reads it in the partner tenant too: which admins a policy's MFA exclusions leave out.
		g(FeatureAuthenticator, "GET", "/v1.0/reports/authenticationMethods/userRegistrationDetails", Both),
		g(FeatureAuthenticator, "GET", "/v1.0/users/{id}/authentication/microsoftAuthenticatorMethods", Customers),
		g(FeatureAuthenticator, "GET", "/beta/users/{id}/authentication/signInPreferences", Customers),
		g(FeatureAuthenticator, "PATCH", "/beta/users/{id}/authentication/signInPreferences", Customers),

		// Troubleshoot "400" errors, in customers and (MFA enforcement, risky technician) the partner.
		g(FeatureTroubleshoot, "GET", "/v1.0/identity/conditionalAccess/policies", Both),
		g(FeatureTroubleshoot, "GET", "/v1.0/identity/conditionalAccess/policies/{id}", Both),
		g(FeatureTroubleshoot, "PATCH", "/v1.0/identity/conditionalAccess/policies/{id}", Customers),
		g(FeatureTroubleshoot, "GET", "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy", Both),
		g(FeatureTroubleshoot, "GET", "/v1.0/auditLogs/signIns", Both),
		g(FeatureTroubleshoot, "GET", "/beta/auditLogs/signIns", Both),
		g(FeatureTroubleshoot, "GET", "/v1.0/identityProtection/riskyUsers", Partner),
		g(FeatureTroubleshoot, "POST", "/v1.0/identityProtection/riskyUsers/dismiss", Partner),

		// Onboard a customer (internal/onboard): besides the GDAP requests above and the consent
		// below, a new customer's reseller invitation link, and the connection check's read of a
		// customer's users (its other reads are the Troubleshoot and Authenticator rows).
		pc(FeatureOnboard, "GET", "/v1/customers/relationshiprequests"),
		g(FeatureOnboard, "GET", "/v1.0/users", Customers),

		// App registration: customer consent through Partner Center, with the app's own sign-in.
		pc(FeatureAppReg, "GET", "/v1/customers"),
		pc(FeatureAppReg, "POST", "/v1/customers/{id}/applicationconsents"),
		pc(FeatureAppReg, "DELETE", "/v1/customers/{id}/applicationconsents/{id}"),

		// App registration: the administrator sign-in that creates and repairs the app.
		admin(g(FeatureAppReg, "GET", "/v1.0/applications", Partner)),
		admin(g(FeatureAppReg, "GET", "/v1.0/applications(appId={id})", Partner)),
		admin(g(FeatureAppReg, "GET", "/v1.0/applications/{id}", Partner)),
		admin(g(FeatureAppReg, "POST", "/v1.0/applications", Partner)),
		admin(g(FeatureAppReg, "PATCH", "/v1.0/applications/{id}", Partner)),
		admin(g(FeatureAppReg, "POST", "/v1.0/applications/{id}/addPassword", Partner)),
		admin(g(FeatureAppReg, "POST", "/v1.0/applications/{id}/removePassword", Partner)),
		admin(g(FeatureAppReg, "GET", "/v1.0/servicePrincipals", Partner)),
		admin(g(FeatureAppReg, "GET", "/v1.0/servicePrincipals(appId={id})", Partner)),
		admin(g(FeatureAppReg, "POST", "/v1.0/servicePrincipals", Partner)),
		admin(g(FeatureAppReg, "GET", "/v1.0/oauth2PermissionGrants", Partner)),
		admin(g(FeatureAppReg, "POST", "/v1.0/oauth2PermissionGrants", Partner)),
		admin(g(FeatureAppReg, "PATCH", "/v1.0/oauth2PermissionGrants/{id}", Partner)),
		admin(g(FeatureAppReg, "GET", "/v1.0/servicePrincipals/{id}/appRoleAssignedTo", Partner)),
		admin(g(FeatureAppReg, "POST", "/v1.0/servicePrincipals/{id}/appRoleAssignedTo", Partner)),
		only(admin(g(FeatureAppReg, "GET", "/v1.0/groups", Partner)), AdminAgents),
		only(admin(g(FeatureAppReg, "GET", "/v1.0/groups/{id}/transitiveMembers", Partner)), AdminAgents),
		// It adds the app's service principal to AdminAgents: the page's servicePrincipal row.
		only(admin(meets(why(g(FeatureAppReg, "POST", "/v1.0/groups/{id}/members/$ref", Partner),
			"Adding a service principal, not a user, needs Application.ReadWrite.All as well (the page's servicePrincipal row).",
			"GroupMember.ReadWrite.All", "Application.ReadWrite.All"), learn.ServicePrincipalMember)), AdminAgents),
	}
}
