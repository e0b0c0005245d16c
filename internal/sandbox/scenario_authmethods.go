package sandbox

import (
	"fmt"
	"net/http"
	"time"
)

// What the Authenticator default-method wizard meets in the sandbox, besides the text-message
// users of Proseware (scenario.go): the cases it must answer with a sentence, a customer large
// enough to measure it on, and Microsoft's rule that changing an admin's sign-in methods takes
// Privileged Authentication Administrator.

// ScenarioLargeTenant is the default scenario plus one more customer, Fourth Coffee, with
// LargeTenantUsers users whose sign-in methods cover every case the Authenticator wizard sorts
// users into: the scenario of its speed benchmark.
const ScenarioLargeTenant = "large-tenant"

// LargeTenantUsers is how many generated users Fourth Coffee has (its admin and reception come on
// top, as in every customer).
const LargeTenantUsers = 10000

// LargeTenantDomain is Fourth Coffee's domain, which also names its tenant in a token request.
const LargeTenantDomain = "fourthcoffee.onmicrosoft.com"

// largeTenant builds ScenarioLargeTenant.
func largeTenant(now time.Time) *world {
	w := contosoPartners(now)
	w.dropProspect(LargeTenantDomain) // here Fourth Coffee is a customer already
	p := w.partner
	adminAgents, appAdmins, userAdmins := p.groups[0].id, p.groups[2].id, p.groups[3].id
	c := customerTenant("Fourth Coffee", "fourthcoffee", len(w.customers))
	for i := 0; i < LargeTenantUsers; i++ {
		c.users = append(c.users, generatedUser(c.domain, i))
	}
	w.customers = append(w.customers, c)
	w.addTenant(c)
	consent(w, c)
	w.relationships = append(w.relationships, standardRelationship(c, adminAgents, appAdmins, userAdmins, now))
	return w
}

// generatedUser is user i of a large customer. Out of every twenty users, thirteen default to an
// Authenticator notification; three have Authenticator but default to something else (a text
// message, a call, a code); one has only a phone; one has system-preferred MFA on; one has set up
// nothing; one is a guest. About one user in a hundred is an admin.
func generatedUser(domain string, i int) *user {
	name := fmt.Sprintf("user%05d", i)
	u := &user{id: stableID(domain, "user", name), upn: name + "@" + domain, displayName: fmt.Sprintf("Staff Member %05d", i),
		userType: "Member", isAdmin: i%97 == 0}
	both := []string{"microsoftAuthenticatorPush", "mobilePhone"}
	switch i % 20 {
	case 13:
		u.methods, u.preferred = both, "sms"
	case 14:
		u.methods, u.preferred = both, "voiceMobile"
	case 15:
		u.methods, u.preferred = []string{"microsoftAuthenticatorPush", "softwareOneTimePasscode"}, "oath"
	case 16:
		u.methods, u.preferred = []string{"mobilePhone"}, "sms"
	case 17:
		u.methods, u.preferred, u.systemPreferred = both, "sms", true
	case 18:
		// nothing registered
	case 19:
		u.userType, u.isAdmin = "Guest", false
		u.upn = fmt.Sprintf("%s_partner.example#EXT#@%s", name, domain)
		u.displayName = fmt.Sprintf("Guest %05d", i)
		u.methods, u.preferred = both, "sms"
	default:
		u.methods, u.preferred = []string{"microsoftAuthenticatorPush"}, "push"
	}
	return u
}

// prosewareMethodCases are Proseware's users that the Authenticator wizard must leave alone with
// a sentence: an admin who defaults to a text message (changing it needs Privileged
// Authentication Administrator, which the technician does not hold there), a guest, and a new
// starter who has set up no sign-in method at all. And Sasha, who set up Authenticator this
// morning: the report still shows her phone only, her methods read directly show both.
func prosewareMethodCases(c *tenant) []*user {
	return []*user{
		{id: stableID(c.domain, "user", "sasha"), upn: "sasha@" + c.domain, displayName: "Sasha Ivanova", userType: "Member",
			methods: []string{"microsoftAuthenticatorPush", "mobilePhone"}, reportMethods: []string{"mobilePhone"}, preferred: "sms"},
		{id: stableID(c.domain, "user", "dana"), upn: "dana@" + c.domain, displayName: "Dana Whitfield (IT manager)", userType: "Member",
			methods: []string{"microsoftAuthenticatorPush", "mobilePhone"}, preferred: "sms", isAdmin: true},
		{id: stableID(c.domain, "user", "chris"), upn: "chris_fabrikam.com#EXT#@" + c.domain, displayName: "Chris Doe (guest from Fabrikam)", userType: "Guest",
			methods: []string{"microsoftAuthenticatorPush", "mobilePhone"}, preferred: "sms"},
		{id: stableID(c.domain, "user", "robin"), upn: "robin@" + c.domain, displayName: "Robin Moss (new starter)", userType: "Member"},
	}
}

// mayChangeMethodsOf applies Microsoft's rule for a partner technician acting through GDAP:
// Authentication Administrator may change the sign-in methods of users who are not admins; an
// admin's need Privileged Authentication Administrator (or Global Administrator). It answers 403
// as Graph does and returns false when the rule refuses.
func (c *graphCall) mayChangeMethodsOf(u *user) bool {
	p := c.p
	if !u.isAdmin || p.user == nil || p.home == p.tenant {
		return true
	}
	held := c.s.world.gdapRoles(p.tenant.id, p.user.id)
	if held[rolePrivAuthAdmin] || held[roleGlobalAdmin] {
		return true
	}
	writeGraphError(c.w, http.StatusForbidden, "Authorization_RequestDenied",
		"Insufficient privileges to complete the operation. Changing an administrator's authentication methods needs the Privileged Authentication Administrator role.")
	return false
}
