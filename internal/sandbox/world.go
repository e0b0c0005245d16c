package sandbox

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"sync"
	"time"
)

// world is everything the simulated cloud knows: the partner tenant, its customers and what each
// holds. Writes through the API change it, so a fix applied by the app is seen by the next read.
// One mutex guards it all; handlers hold it only while they read or change state, never while a
// simulated delay runs.
type world struct {
	mu sync.Mutex

	partner   *tenant
	customers []*tenant          // the partner's CSP customers, in the order Partner Center lists them
	tenants   map[string]*tenant // by lower-case id and by lower-case domain

	relationships []*relationship // GDAP admin relationships, kept on the partner side

	// consents are Partner Center application consents: customer tenant id -> application id -> grants.
	consents map[string]map[string][]applicationGrant

	appreg appregState // the App registration wizard's replication delay and refusals (scenario_appreg.go)

	// operationPolls is how many reads a long-running operation takes to succeed (operation.go).
	operationPolls int

	side customerSide // the customers' and prospects' administrators (scenario_onboard.go)

	now func() time.Time
	ids *idSource // the ids and secrets of created objects
}

// tenant is one Microsoft Entra tenant (the partner's or a customer's).
type tenant struct {
	id, displayName, domain string

	users      []*user
	groups     []*group
	skus       []subscribedSku
	policies   []map[string]any // Conditional Access policies, kept as Graph JSON so no field is lost
	signIns    []signIn
	secDefault bool // security defaults enforced
	// restrictAppRegistration is the tenant setting "Users can register applications: No":
	// members with default user permissions may then not create app registrations.
	restrictAppRegistration bool

	applications      []*application
	servicePrincipals []*servicePrincipal
	grants            []*oauth2Grant
	appRoleGrants     []*appRoleAssignment
}

type user struct {
	id, upn, displayName, password string
	userType                       string   // Member or Guest
	methods                        []string // methodsRegistered, as userRegistrationDetails writes them
	reportMethods                  []string // what the sign-in methods report still shows when it lags behind methods; nil when current
	preferred                      string   // userPreferredMethodForSecondaryAuthentication
	systemPreferred                bool     // isSystemPreferredAuthenticationMethodEnabled
	isAdmin                        bool     // holds Global Administrator (and so every role) in its own tenant
	roles                          []string // template ids of the other directory roles it holds in its own tenant
	riskLevel, riskState           string   // identityProtection riskyUsers; "" when not risky
}

// canDoMFA says whether the user can finish an MFA prompt in the sandbox's sign-in pages.
func (u *user) canDoMFA() bool { return len(u.methods) > 0 }

type group struct {
	id, displayName string
	roleAssignable  bool
	members         []string // user ids and group ids
}

type subscribedSku struct {
	skuID, skuPartNumber string
	servicePlans         []servicePlan
	enabled              int
}

type servicePlan struct{ id, name string }

type signIn struct {
	id                string
	created           time.Time
	userPrincipalName string
	homeTenantID      string
	appDisplayName    string
	errorCode         int
	failureReason     string
	policies          []appliedPolicy
	nonInteractive    bool
}

type appliedPolicy struct{ id, displayName, result string }

// relationship is a GDAP delegated admin relationship between the partner and one customer.
type relationship struct {
	id, displayName, status   string
	customerID, customerName  string
	duration, autoExtend      string // ISO 8601 durations, P730D and P180D or PT0S
	created, activated, ended time.Time
	modified                  time.Time
	roles                     []string // role template ids
	assignments               []*accessAssignment
	operations                []*operation // long-running operations (operation.go)
	etag                      int
	// The customer's side (scenario_onboard.go): when it was locked for approval, the answer
	// on its way, and how many more reads show it activating.
	locked     time.Time
	answer     *answerState
	activating int
}

type accessAssignment struct {
	id, groupID, status string
	roles               []string
	created, modified   time.Time
	etag                int
}

type applicationGrant struct{ enterpriseApplicationID, scope string }

type application struct {
	id, appID, displayName, signInAudience string
	redirectURIs                           []string // publicClient.redirectUris
	webRedirectURIs                        []string // web.redirectUris
	fallbackPublicClient                   bool
	requiredResourceAccess                 []map[string]any
	passwords                              []passwordCredential
	// scopes, set by a scenario, are the Graph permissions its requiredResourceAccess lists by
	// name; Start turns them into GUIDs (resolveAccess).
	scopes []string
}

type passwordCredential struct {
	keyID, displayName, hint, secret string
	start, end                       time.Time
}

type servicePrincipal struct{ id, appID, displayName string }

type oauth2Grant struct{ id, clientID, resourceID, consentType, principalID, scope string }

type appRoleAssignment struct{ id, principalID, resourceID, appRoleID string }

func newWorld(now func() time.Time) *world {
	return &world{
		tenants:  map[string]*tenant{},
		consents: map[string]map[string][]applicationGrant{},
		side:     customerSide{answers: map[string]string{}, adminOnly: map[string]bool{}, wall: time.Now},
		now:      now,
	}
}

// addTenant registers a tenant by id and domain.
func (w *world) addTenant(t *tenant) {
	w.tenants[strings.ToLower(t.id)] = t
	w.tenants[strings.ToLower(t.domain)] = t
}

// tenant finds a tenant by id or domain; nil when unknown.
func (w *world) tenant(idOrDomain string) *tenant {
	return w.tenants[strings.ToLower(idOrDomain)]
}

// userByUPN finds a user in any tenant.
func (w *world) userByUPN(upn string) (*tenant, *user) {
	at := strings.LastIndex(upn, "@")
	if at < 0 {
		return nil, nil
	}
	t := w.tenant(upn[at+1:])
	if t == nil {
		return nil, nil
	}
	for _, u := range t.users {
		if strings.EqualFold(u.upn, upn) {
			return t, u
		}
	}
	return t, nil
}

func (t *tenant) userByID(id string) *user {
	for _, u := range t.users {
		if u.id == id {
			return u
		}
	}
	return nil
}

func (t *tenant) groupByID(id string) *group {
	for _, g := range t.groups {
		if g.id == id {
			return g
		}
	}
	return nil
}

// memberOf says whether a user is a member of a group, directly or through nested groups.
func (t *tenant) memberOf(userID, groupID string) bool {
	seen := map[string]bool{}
	var walk func(gid string) bool
	walk = func(gid string) bool {
		if seen[gid] {
			return false
		}
		seen[gid] = true
		g := t.groupByID(gid)
		if g == nil {
			return false
		}
		for _, m := range g.members {
			if m == userID || walk(m) {
				return true
			}
		}
		return false
	}
	return walk(groupID)
}

// hasServicePlan says whether the tenant has a licence that includes the service plan.
func (t *tenant) hasServicePlan(planID string) bool {
	for _, s := range t.skus {
		for _, p := range s.servicePlans {
			if p.id == planID && s.enabled > 0 {
				return true
			}
		}
	}
	return false
}

// activeRelationships returns the partner's relationships with a customer that grant access now.
func (w *world) activeRelationships(customerID string) []*relationship {
	var out []*relationship
	for _, r := range w.relationships {
		w.settleRelationship(r)
		if strings.EqualFold(r.customerID, customerID) && (r.status == "active" || r.status == "expiring") {
			out = append(out, r)
		}
	}
	return out
}

// stableID makes a GUID-shaped id from a name, so that a scenario has the same ids every run.
func stableID(parts ...string) string {
	sum := sha256.Sum256([]byte("onboard365-sandbox:" + strings.Join(parts, "/")))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// tenantList is every tenant once: the partner, then the customers and any other.
func (w *world) tenantList() []*tenant {
	seen := map[*tenant]bool{}
	var out []*tenant
	for _, t := range append([]*tenant{w.partner}, w.customers...) {
		if t != nil && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	for _, t := range w.tenants {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}
