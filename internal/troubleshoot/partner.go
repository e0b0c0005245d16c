package troubleshoot

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/jsonvalue"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/roles"
	kit "github.com/onboard365/onboard365/internal/words"
)

// Graph paths of the partner tenant's checks.
const (
	securityDefaultsPath    = "/v1.0/policies/identitySecurityDefaultsEnforcementPolicy"
	policiesPath            = "/v1.0/identity/conditionalAccess/policies"
	riskyUsersPath          = "/v1.0/identityProtection/riskyUsers"
	dismissPath             = "/v1.0/identityProtection/riskyUsers/dismiss"
	registrationDetailsPath = "/v1.0/reports/authenticationMethods/userRegistrationDetails"
	// adminsPath is the sign-in methods report, read whole: its type page does not mark isAdmin
	// as supporting $filter (userregistrationdetails), so the admins are picked out here.
	adminsPath = registrationDetailsPath
)

// person is a user as the checks name them.
type person struct {
	ID                string `json:"id"`
	UserPrincipalName string `json:"userPrincipalName"`
	DisplayName       string `json:"userDisplayName"`
}

func (p person) label() string {
	switch {
	case p.DisplayName != "" && p.UserPrincipalName != "":
		return kit.Person(clean(p.DisplayName), clean(p.UserPrincipalName))
	case p.UserPrincipalName != "":
		return clean(p.UserPrincipalName)
	}
	return "the user " + quote(p.ID)
}

// reportRow is a row of the sign-in methods report, as far as the admin check reads it.
type reportRow struct {
	person
	IsAdmin bool `json:"isAdmin"`
}

// securityDefaults is identitySecurityDefaultsEnforcementPolicy, as far as the checks read it.
type securityDefaults struct {
	IsEnabled *bool `json:"isEnabled"`
}

// member is a member of a group (a directoryObject), as far as the checks read it.
type member struct {
	ID string `json:"id"`
}

// riskyUser is an identityProtection riskyUser.
type riskyUser struct {
	ID                string `json:"id"`
	UserPrincipalName string `json:"userPrincipalName"`
	DisplayName       string `json:"userDisplayName"`
	RiskLevel         string `json:"riskLevel"`
	RiskState         string `json:"riskState"`
}

// atRisk says whether Microsoft holds the user to be at risk now (not dismissed or remediated).
func (r riskyUser) atRisk() bool {
	s := strings.ToLower(r.RiskState)
	return s == "atrisk" || s == "confirmedcompromised"
}

// partnerReads is what the partner tenant's checks read.
type partnerReads struct {
	defaults    *bool
	defaultsErr error
	policies    []map[string]any
	policiesErr error
	risky       []riskyUser
	riskyErr    error
	// service is the integration's service account as found in the partner tenant (nil when it
	// is not there, or when serviceErr says it could not be looked up); only when one is named.
	service    *person
	serviceErr error
	// admins and group members are read only when a policy leaves someone out.
	c *graph.Client
}

// readPartner reads the partner tenant's security defaults, policies and risky users at once,
// and looks up the service account when one is named.
func readPartner(ctx context.Context, c *graph.Client, serviceAccount string) *partnerReads {
	r := &partnerReads{c: c}
	var wg sync.WaitGroup
	if s := strings.TrimSpace(serviceAccount); s != "" {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.service, r.serviceErr = lookupAccount(ctx, c, s)
		}()
	}
	wg.Add(3)
	go func() {
		defer wg.Done()
		var d securityDefaults
		if r.defaultsErr = c.Do(ctx, "GET", securityDefaultsPath, nil, &d); r.defaultsErr == nil {
			r.defaults = d.IsEnabled
		}
	}()
	go func() {
		defer wg.Done()
		r.policies, r.policiesErr = graph.List[map[string]any](ctx, c, policiesPath)
	}()
	go func() {
		defer wg.Done()
		r.risky, r.riskyErr = graph.List[riskyUser](ctx, c, riskyUsersPath)
	}()
	wg.Wait()
	return r
}

// lookupAccount finds an account of the partner tenant by its sign-in name: nil, nil when there
// is none. It reads the authentication methods report (the userRegistrationDetails list, whose
// userPrincipalName supports $filter eq, per its Learn page), which the partner checks read
// already, rather than GET /users, which would need another permission in the partner tenant.
func lookupAccount(ctx context.Context, c *graph.Client, upn string) (*person, error) {
	if c == nil {
		return nil, errors.New("no Graph client for the partner tenant")
	}
	filter := "userPrincipalName eq '" + strings.ReplaceAll(upn, "'", "''") + "'"
	path := registrationDetailsPath + "?$filter=" + strings.ReplaceAll(url.QueryEscape(filter), "+", "%20")
	found, err := graph.List[person](ctx, c, path)
	if err != nil {
		return nil, fmt.Errorf("looking up the account %s: %w", clean(upn), err)
	}
	for _, p := range found {
		if strings.EqualFold(p.UserPrincipalName, upn) {
			return &p, nil
		}
	}
	return nil, nil
}

// partnerFacts are the things about the partner tenant the checks name.
type partnerFacts struct {
	tenantID       string
	technician     person
	techGroups     map[string]bool   // the groups the technician is in, directly or not
	groupNames     map[string]string // the partner's groups by id
	adminAgents    string            // the AdminAgents group's id, "" when not found
	service        string            // the integration's service account (UPN), "" when not named
	claims         auth.Claims
	refused        []string // customers that refused the technician with AADSTS530034
	haveTechnician bool
}

// partnerChecklist runs the partner tenant's checks on what was read.
func partnerChecklist(ctx context.Context, r *partnerReads, f partnerFacts) (Checklist, []Fix) {
	l := Checklist{Customer: Customer{TenantID: f.tenantID, Name: "Your partner tenant"}}
	l.add(mfaEnforcement(ctx, r, f))
	var fixes []Fix
	accounts := []person{f.technician}
	if s := strings.TrimSpace(f.service); s != "" && !strings.EqualFold(s, f.technician.UserPrincipalName) {
		accounts = append(accounts, person{UserPrincipalName: s})
	}
	for i, a := range accounts {
		refused := f.refused
		if i > 0 {
			refused = nil // customers refused the technician, not necessarily the service account
			if c, known := serviceAccountCheck(a, r); !known {
				l.add(c)
				continue
			}
			if r.service != nil {
				a = *r.service
			}
		}
		c, fix := riskCheck(a, r, refused, f.tenantID)
		if fix != nil {
			c.FixIDs = []string{fix.ID}
			fixes = append(fixes, *fix)
		}
		l.add(c)
	}
	l.add(signInCheck(f))
	return l, fixes
}

// serviceAccountCheck says whether the service account a is known to exist in the partner
// tenant: found by lookupAccount, or on the risky-user list (in any state). When it is not known,
// the check it returns says why: the account cannot be found (Fail: an integration signing in as
// it cannot work), or it could not be looked up (Could not check). Never a pass for an account
// nobody found.
func serviceAccountCheck(a person, r *partnerReads) (Check, bool) {
	if r.service != nil {
		return Check{}, true
	}
	for _, u := range r.risky {
		if strings.EqualFold(u.UserPrincipalName, a.UserPrincipalName) {
			return Check{}, true
		}
	}
	who := a.label()
	c := Check{Kind: RiskyAccount}
	if r.serviceErr != nil {
		c.Status = plan.CouldNotCheck
		fl := classify(r.serviceErr)
		why := fl.sentence
		switch {
		case fl.noLicence():
			why = "The lookup reads Microsoft's authentication methods report, which needs Entra ID P1 in your partner tenant."
		case fl.noRole():
			why = "The lookup reads Microsoft's authentication methods report, which needs Reports Reader, Security Reader or Global Reader in your partner tenant."
		}
		c.Sentence = "Onboard365 could not find out whether " + who + " is an account of your partner tenant, so it cannot say whether it is a risky user. " + why
		return c, false
	}
	c.Status = plan.Fail
	c.Sentence = "There is no account " + who + " in your partner tenant, so Onboard365 cannot check it for risk. " +
		"Check the sign-in name of the integration's service account (for example in the integration's settings): an integration " +
		"that signs in as an account that does not exist fails."
	return c, false
}

// signInCheck judges the technician's sign-in with internal/auth's verdict.
func signInCheck(f partnerFacts) Check {
	c := Check{Kind: SignInMFA}
	if f.claims.Tid == "" {
		c.Status = plan.CouldNotCheck
		c.Sentence = "Onboard365 could not read your sign-in, so it cannot say whether it carries MFA. Sign in again in Sign in."
		return c
	}
	v := auth.Check(f.claims, f.tenantID, "")
	account := clean(f.claims.Upn)
	if v.Compliant {
		c.Status = plan.Pass
		c.Sentence = "Your sign-in as " + account + " carries MFA (its methods: " + strings.Join(f.claims.Amr, ", ") +
			"), in your partner tenant, as Partner Center and your customers require."
		return c
	}
	if v.MFALeftToPartnerCenter && v.TenantMatches && v.AccountMatches {
		c.Status = plan.Warning
		c.Sentence = "Your sign-in as " + account + " lists ngcmfa (Windows Hello for Business or a passkey, for example) rather than mfa " +
			"as its second factor. Microsoft Entra counts it as MFA; whether Partner Center does only Partner Center can say: Sign in " +
			"asks it live, and keeps a sign-in only when it accepts it."
		return c
	}
	c.Status = plan.Fail
	c.Sentence = "Your sign-in as " + account + " does not pass the MFA check, so Partner Center and your integrations' customers can refuse it."
	c.Details = v.Reasons
	return c
}

// mfaPolicy is a Conditional Access policy of the partner tenant that asks for MFA on every
// sign-in of the users it covers.
type mfaPolicy struct {
	name                   string
	all, agents            bool // covers all users; covers the AdminAgents group
	includeUsers           []string
	excludeUsers           []string
	excludeGroups          []string
	excludeRoles           []string
	skipsTrustedLocations  bool
	excludesSomeone        bool
	excludesGuestsExternal bool
}

// requiresMFA says whether a policy's grant controls make every sign-in it covers do MFA.
func requiresMFA(g map[string]any) bool {
	controls := jsonvalue.Strings(g["builtInControls"])
	strength := jsonvalue.Object(g["authenticationStrength"]) != nil
	if !hasFold(controls, "mfa") && !strength {
		return false
	}
	if hasFold(controls, "block") {
		return false
	}
	if strings.EqualFold(jsonvalue.String(g["operator"]), "AND") {
		return true
	}
	for _, c := range controls { // OR: another control would let a sign-in skip MFA
		if !strings.EqualFold(c, "mfa") {
			return false
		}
	}
	return true
}

// readMFAPolicy says whether a policy enforces MFA for all users or AdminAgents, for every app
// and client, wherever the user is (trusted locations aside), and reads its exclusions.
func readMFAPolicy(p map[string]any, adminAgents string) (mfaPolicy, bool) {
	cond := jsonvalue.Object(p["conditions"])
	users := jsonvalue.Object(cond["users"])
	m := mfaPolicy{name: jsonvalue.String(p["displayName"]), includeUsers: jsonvalue.Strings(users["includeUsers"]),
		excludeUsers: jsonvalue.Strings(users["excludeUsers"]), excludeGroups: jsonvalue.Strings(users["excludeGroups"]), excludeRoles: jsonvalue.Strings(users["excludeRoles"])}
	m.all = hasFold(m.includeUsers, "All")
	m.agents = adminAgents != "" && hasFold(jsonvalue.Strings(users["includeGroups"]), adminAgents)
	if !(m.all || m.agents) || !requiresMFA(jsonvalue.Object(p["grantControls"])) {
		return m, false
	}
	if !coversModernClients(cond) || riskCondition(cond) != "" || deviceCodeOnly(cond) {
		return m, false
	}
	if !hasFold(jsonvalue.Strings(jsonvalue.Object(cond["applications"])["includeApplications"]), "All") {
		return m, false
	}
	if pl := jsonvalue.Object(cond["platforms"]); pl != nil {
		if inc := jsonvalue.Strings(pl["includePlatforms"]); len(inc) > 0 && !hasFold(inc, "all") {
			return m, false
		}
	}
	if loc := jsonvalue.Object(cond["locations"]); loc != nil {
		inc := jsonvalue.Strings(loc["includeLocations"])
		if len(inc) > 0 && !hasFold(inc, "All") {
			return m, false
		}
		m.skipsTrustedLocations = len(jsonvalue.Strings(loc["excludeLocations"])) > 0
	}
	m.excludesSomeone = len(m.excludeUsers)+len(m.excludeGroups)+len(m.excludeRoles) > 0
	return m, true
}

// mfaEnforcement is the MFA enforcement check of the partner tenant.
func mfaEnforcement(ctx context.Context, r *partnerReads, f partnerFacts) Check {
	c := Check{Kind: MFAEnforcement}
	if r.defaults != nil && *r.defaults {
		c.Status = plan.Pass
		c.Sentence = "Security defaults are on in your partner tenant: Microsoft asks every user for MFA."
		return c
	}
	if r.policiesErr != nil {
		fl := classify(r.policiesErr)
		switch {
		case fl.noLicence() && r.defaultsErr == nil:
			c.Status = plan.Fail
			c.Sentence = "Nothing enforces MFA in your partner tenant: security defaults are off, and without Entra ID P1 it cannot have " +
				"Conditional Access policies. Partner Center requires MFA for every partner user. Turn security defaults on " +
				"(Microsoft Entra admin center, Overview, Properties), or get Entra ID P1 and require MFA for all users with Conditional Access."
		case fl.noRole():
			c.Status = plan.CouldNotCheck
			c.Sentence = "Onboard365 could not read your partner tenant's Conditional Access policies: your account lacks a role that can " +
				"(Security Reader, Global Reader, Conditional Access Administrator or Security Administrator)."
		default:
			c.Status = plan.CouldNotCheck
			c.Sentence = "Onboard365 could not read your partner tenant's Conditional Access policies. " + fl.sentence
		}
		return c
	}
	var enforcing []mfaPolicy
	var reportOnly []string
	for _, p := range r.policies {
		m, ok := readMFAPolicy(p, f.adminAgents)
		if !ok {
			continue
		}
		switch jsonvalue.String(p["state"]) {
		case "enabled":
			enforcing = append(enforcing, m)
		case "enabledForReportingButNotEnforced":
			reportOnly = append(reportOnly, quote(m.name))
		}
	}
	if len(enforcing) == 0 {
		c.Status = plan.Fail
		if r.defaultsErr != nil {
			c.Status = plan.CouldNotCheck
			c.Sentence = "No Conditional Access policy of your partner tenant requires MFA for all users or for AdminAgents, and " +
				"Onboard365 could not read whether security defaults are on. " + classify(r.defaultsErr).sentence
			return c
		}
		c.Sentence = "Nothing enforces MFA in your partner tenant: security defaults are off and no enabled Conditional Access policy " +
			"requires MFA for all users (or for your AdminAgents group) in every app. Partner Center requires MFA for every partner user. " +
			"Create a Conditional Access policy that requires MFA for all users and all cloud apps (keeping out only an emergency " +
			"break-glass account), or turn security defaults on."
		if len(reportOnly) > 0 {
			c.Details = append(c.Details, joinWords(reportOnly)+" would, but "+map[bool]string{true: "it is", false: "they are"}[len(reportOnly) == 1]+
				" in report-only mode, which enforces nothing. Turn it on once its report shows nobody would be locked out.")
		}
		return c
	}
	names := make([]string, len(enforcing))
	for i, m := range enforcing {
		names[i] = quote(m.name)
	}
	covered := func(userID string, groupsOf func(string) bool) bool {
		for _, m := range enforcing {
			in := m.all || hasFold(m.includeUsers, userID) || (m.agents && groupsOf(f.adminAgents))
			if !in || hasFold(m.excludeUsers, userID) {
				continue
			}
			out := false
			for _, g := range m.excludeGroups {
				out = out || groupsOf(g)
			}
			if !out {
				return true
			}
		}
		return false
	}
	c.Status = plan.Pass
	c.Sentence = "Your partner tenant enforces MFA: " + joinWords(names) + " " +
		map[bool]string{true: "asks", false: "ask"}[len(names) == 1] + " every user it covers for MFA on every sign-in."

	// The technician first: their own groups are known.
	if f.haveTechnician && !covered(f.technician.ID, func(g string) bool { return f.techGroups[g] }) {
		c.Status = plan.Fail
		c.Sentence = "Your partner tenant's MFA policies (" + joinWords(names) + ") leave you out: " + f.technician.label() +
			" can sign in without MFA. Partner Center requires MFA for every partner user. Remove the exclusion that takes you out of the policy."
	}

	// Then every admin the policies leave out.
	someone := false
	for _, m := range enforcing {
		someone = someone || m.excludesSomeone
	}
	if someone {
		admins, members, err := lookupAdmins(ctx, r.c, enforcing, f.adminAgents)
		if err != nil {
			if c.Status == plan.Pass {
				c.Status = plan.Warning
			}
			c.Details = append(c.Details, "The MFA policies leave some users or groups out, and Onboard365 could not read which users are admins: "+
				classify(err).sentence)
		} else {
			var left []string
			for _, a := range admins {
				if !covered(a.ID, func(g string) bool { return members[g][strings.ToLower(a.ID)] }) {
					left = append(left, a.label())
				}
			}
			if len(left) > 0 {
				if c.Status == plan.Pass {
					c.Status = plan.Warning
				}
				c.Details = append(c.Details, "The MFA policies leave out "+count(len(left), "an admin", " admins")+", who can sign in without MFA: "+
					joinWords(left)+". If this is your emergency (break-glass) account, keep it excluded as Microsoft advises, with a long "+
					"password kept safe and an alert on its sign-ins; otherwise remove the exclusion.")
			}
		}
	}
	var roleNames []string
	for _, m := range enforcing {
		for _, id := range m.excludeRoles {
			roleNames = append(roleNames, roles.Name(id))
		}
	}
	if len(roleNames) > 0 {
		if c.Status == plan.Pass {
			c.Status = plan.Warning
		}
		sort.Strings(roleNames)
		c.Details = append(c.Details, "The MFA policies leave out everyone who holds "+joinWords(dedupe(roleNames))+
			": those are admins, who then sign in without MFA. Remove the role from the policy's exclusions.")
	}
	for _, m := range enforcing {
		if m.skipsTrustedLocations {
			if c.Status == plan.Pass {
				c.Status = plan.Warning
			}
			c.Details = append(c.Details, quote(m.name)+" does not ask for MFA from some locations (trusted networks). A sign-in from there "+
				"gets a token without MFA, which Partner Center refuses (error 900421). Sign in to Onboard365 and your integrations "+
				"from outside those networks, or remove the location exclusion.")
		}
	}
	for _, m := range enforcing {
		for _, g := range m.excludeGroups {
			if g == f.adminAgents && f.adminAgents != "" {
				c.Status = plan.Fail
				c.Details = append(c.Details, quote(m.name)+" leaves out the AdminAgents group, whose members work in your customers: "+
					"they can sign in without MFA. Remove AdminAgents from the policy's exclusions.")
			} else if name := f.groupNames[g]; name != "" {
				c.Details = append(c.Details, quote(m.name)+" leaves out the group "+quote(name)+".")
			}
		}
	}
	return c
}

// lookupAdmins reads the partner tenant's admins (userRegistrationDetails with isAdmin) and the
// members of every group the policies exclude (or include as AdminAgents), by lower-case user id.
func lookupAdmins(ctx context.Context, c *graph.Client, ps []mfaPolicy, adminAgents string) ([]person, map[string]map[string]bool, error) {
	if c == nil {
		return nil, nil, errors.New("no Graph client for the partner tenant")
	}
	rows, err := graph.List[reportRow](ctx, c, adminsPath)
	if err != nil {
		return nil, nil, fmt.Errorf("reading which users are admins: %w", err)
	}
	var admins []person
	for _, r := range rows {
		if r.IsAdmin {
			admins = append(admins, r.person)
		}
	}
	members := map[string]map[string]bool{}
	for _, m := range ps {
		groups := m.excludeGroups
		if m.agents && !m.all && adminAgents != "" {
			groups = append([]string{adminAgents}, groups...)
		}
		for _, g := range groups {
			if _, done := members[g]; done || len(members) >= 20 {
				continue
			}
			list, err := graph.List[member](ctx, c, "/v1.0/groups/"+url.PathEscape(g)+"/transitiveMembers?$select=id")
			if err != nil {
				return nil, nil, fmt.Errorf("reading the members of an excluded group: %w", err)
			}
			set := map[string]bool{}
			for _, x := range list {
				set[strings.ToLower(x.ID)] = true
			}
			members[g] = set
		}
	}
	return admins, members, nil
}

// riskCheck judges one partner account against the risky-user list, and offers to dismiss the
// risk. refused lists the customers that refused it with AADSTS530034 (evidence of risk even
// when the list cannot be read).
func riskCheck(a person, r *partnerReads, refused []string, partnerTenantID string) (Check, *Fix) {
	c := Check{Kind: RiskyAccount}
	who := a.label()
	if r.riskyErr != nil {
		fl := classify(r.riskyErr)
		c.Status = plan.CouldNotCheck
		switch {
		case fl.noLicence():
			c.Sentence = "Onboard365 could not check whether " + who + " is a risky user: your partner tenant has no Entra ID P2 licence, " +
				"and Microsoft keeps the risky-user list only with P2. If customers refuse the account with AADSTS530034, " +
				"it is flagged anyway: a Security Administrator can look it up in Microsoft Entra ID Protection."
		case fl.noRole():
			c.Sentence = "Onboard365 could not check whether " + who + " is a risky user: your account lacks a role that can read " +
				"the risky-user list (Security Reader, Global Reader or Security Administrator)."
		default:
			c.Sentence = "Onboard365 could not check whether " + who + " is a risky user. " + fl.sentence
		}
		if len(refused) > 0 {
			c.Status = plan.Fail
			c.Sentence = joinWords(quoteAll(refused)) + " refused " + who + " with AADSTS530034: Microsoft flags the account as risky " +
				"in your partner tenant. A Security Administrator of your partner tenant can review the risk in Microsoft Entra ID " +
				"Protection and, if the account is safe, dismiss it."
		}
		return c, nil
	}
	var found *riskyUser
	for i := range r.risky {
		u := r.risky[i]
		if (a.ID != "" && strings.EqualFold(u.ID, a.ID)) || (a.UserPrincipalName != "" && strings.EqualFold(u.UserPrincipalName, a.UserPrincipalName)) {
			found = &u
			break
		}
	}
	if found == nil || !found.atRisk() {
		c.Status = plan.Pass
		c.Sentence = "Microsoft does not hold " + who + " to be a risky user."
		if len(refused) > 0 {
			c.Status = plan.Warning
			c.Details = append(c.Details, joinWords(quoteAll(refused))+" refused it with AADSTS530034 (a risky account) not long ago; "+
				"if the risk was dismissed since, check again in a few minutes.")
		}
		return c, nil
	}
	if a.UserPrincipalName == "" {
		a.UserPrincipalName = found.UserPrincipalName
	}
	if a.DisplayName == "" {
		a.DisplayName = found.DisplayName
	}
	who = a.label()
	c.Status = plan.Fail
	c.Sentence = "Microsoft flags " + who + " as a risky user (" + riskWords(*found) + "). While it is flagged, every customer refuses it delegated access (AADSTS530034), which integrations report as a 400 error."
	if len(refused) > 0 {
		c.Details = append(c.Details, joinWords(quoteAll(refused))+" refused it with AADSTS530034 in this check.")
	}
	fix := &Fix{
		ID: "dismiss-risk/" + strings.ToLower(found.ID), Kind: DismissRisk, PartnerTenantID: partnerTenantID,
		UserID: found.ID, UserName: clean(found.UserPrincipalName),
		Reason: "Dismiss the risk on " + who + " in your partner tenant: Microsoft then treats the account as safe, and customers " +
			"accept its delegated access again.",
		Caution: "Dismissing a risk is a security decision. Do it only if you know why Microsoft flagged the account (a sign-in from " +
			"a new place or device, for example) and it is in safe hands. If someone else may know its password, reset the password " +
			"and sign the account out everywhere first. It needs Security Administrator in your partner tenant.",
	}
	return c, fix
}

// riskWords says a risky user's level and state in words: "high risk, at risk".
func riskWords(u riskyUser) string {
	level := map[string]string{"low": "low risk", "medium": "medium risk", "high": "high risk", "hidden": "risk level hidden"}[strings.ToLower(u.RiskLevel)]
	if level == "" {
		level = "risk level " + quoteState(u.RiskLevel)
	}
	state := map[string]string{"atrisk": "at risk", "confirmedcompromised": "confirmed compromised"}[strings.ToLower(u.RiskState)]
	if state == "" {
		state = "state " + quoteState(u.RiskState)
	}
	return level + ", " + state
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quote(n)
	}
	return out
}

func dedupe(s []string) []string {
	var out []string
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
