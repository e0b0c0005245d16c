package troubleshoot

import (
	"fmt"
	"strings"

	"github.com/onboard365/onboard365/internal/jsonvalue"
)

// Effect is what a Conditional Access policy does to the partner's service provider users.
type Effect string

// Effects.
const (
	NoEffect   Effect = "none"       // it does not apply to them, or only in ways a partner sign-in meets
	Blocks     Effect = "blocks"     // enforced, it applies to them, and they cannot meet it
	WouldBlock Effect = "wouldBlock" // the same, in report-only mode: it blocks them once turned on
)

// Finding is what Analyse says about one policy.
type Finding struct {
	ID, Name string
	State    string // as Graph writes it: enabled, enabledForReportingButNotEnforced, disabled
	Effect   Effect
	// Applies is true when the policy's conditions take in the partner's service provider users
	// at all (even when they meet what it demands).
	Applies bool
	// Excluded is true when the policy already excludes them.
	Excluded bool
	// NamesPartner is true when the policy names the partner's tenant itself among the
	// organizations it targets: the customer chose to target this partner.
	NamesPartner bool
	// Reason says in plain words why the policy stops them (who it applies to, for what, and what
	// it demands), or why it does not.
	Reason string
}

// Analyse judges one Conditional Access policy, as Graph returns it (conditionalAccessPolicy,
// decoded into map[string]any), for the service provider users of the partner tenant
// partnerTenantID: the technicians who reach the customer through GDAP, and the integrations
// that sign in as them.
//
// A policy stops them when all of these hold:
//   - its users condition takes them in: includeUsers has "All" (or the older
//     "GuestsOrExternalUsers"), or includeGuestsOrExternalUsers names the serviceProvider type for
//     all organizations or for a list that holds the partner tenant;
//   - it does not exclude them the same ways (excludeGuestsOrExternalUsers, or "GuestsOrExternalUsers"
//     in excludeUsers);
//   - it covers modern clients (not only Exchange ActiveSync and other legacy clients), applies to
//     cloud apps (not only to user actions such as registering security information), to normal
//     sign-ins (no sign-in, user or insider risk condition) and not only to the device code flow;
//   - its grant controls cannot be met by a partner sign-in: "block"; a device marked compliant in
//     the customer's Intune or joined to the customer's domain (a technician's device belongs to
//     the partner); an approved client app or an app protection policy; a password change or risk
//     remediation; a third-party MFA (custom control). MFA, authentication strengths and terms of
//     use can be met. With operator OR every control must be unmeetable, with AND one is enough.
//
// Locations, platforms and device filters only narrow when the policy applies; they are named in
// the reason. The state decides the effect: enabled Blocks, report-only WouldBlock, anything else
// has no effect. Analyse never panics, whatever the JSON holds: a value of an unexpected type
// counts as absent.
func Analyse(policy map[string]any, partnerTenantID string) Finding {
	f := Finding{ID: jsonvalue.String(policy["id"]), Name: jsonvalue.String(policy["displayName"]), State: jsonvalue.String(policy["state"]), Effect: NoEffect}
	cond := jsonvalue.Object(policy["conditions"])
	users := jsonvalue.Object(cond["users"])

	who, included, names := includedWho(users, partnerTenantID)
	f.NamesPartner = names
	if !included {
		f.Reason = "It does not apply to your service provider users: it is for " + who + "."
		return f
	}
	if excludedHow(users, partnerTenantID) {
		f.Excluded = true
		f.Reason = "It already excludes service provider users from your partner tenant."
		return f
	}
	if !coversModernClients(cond) {
		f.Reason = "It applies only to legacy sign-in clients (" + cleanJoin(jsonvalue.Strings(cond["clientAppTypes"])) +
			"), which your technicians and integrations do not use."
		return f
	}
	if risk := riskCondition(cond); risk != "" {
		f.Reason = "It applies only when Microsoft rates the " + risk + " as risky, not to your technicians' normal sign-ins."
		return f
	}
	if deviceCodeOnly(cond) {
		f.Reason = "It applies only to sign-ins with the device code flow, which your integrations do not use."
		return f
	}
	apps, appsOK := appsWords(jsonvalue.Object(cond["applications"]))
	if !appsOK {
		f.Reason = "It applies to " + apps + ", not to signing in to apps."
		return f
	}
	f.Applies = true
	demand, unmeetable := grantWords(jsonvalue.Object(policy["grantControls"]))
	if !unmeetable {
		f.Reason = "It applies to your service provider users too, and a partner sign-in meets it: it " + demand + "."
		return f
	}
	clause := "It applies to " + who + ", for " + apps + whenWords(cond) + ", and " + demand + "."
	switch f.State {
	case "enabled":
		f.Effect = Blocks
		f.Reason = clause
	case "enabledForReportingButNotEnforced":
		f.Effect = WouldBlock
		f.Reason = clause + " It is in report-only mode: it blocks nobody yet, but it will block your technicians as soon as it is turned on."
	default:
		f.Reason = "It is turned off (state " + quoteState(f.State) + "). Turned on, it would block your technicians: " + lowerFirst(clause)
	}
	return f
}

// includedWho says whom the users condition takes in, and whether that includes the partner's
// service provider users; names is true when a list of organizations names the partner itself.
func includedWho(users map[string]any, partner string) (who string, included, names bool) {
	include := jsonvalue.Strings(users["includeUsers"])
	for _, u := range include {
		if strings.EqualFold(u, "All") {
			return "all users (your service provider users are among them)", true, false
		}
	}
	for _, u := range include {
		if strings.EqualFold(u, "GuestsOrExternalUsers") {
			return "all guest and external users (your service provider users are among them)", true, false
		}
	}
	if g := jsonvalue.Object(users["includeGuestsOrExternalUsers"]); g != nil {
		kinds := userTypes(g)
		scope, all, members := tenantsOf(g)
		if hasFold(kinds, "serviceProvider") {
			if all {
				return kindsWords(kinds) + " from any organization", true, false
			}
			if hasFold(members, partner) {
				return kindsWords(kinds) + " from " + scope, true, true
			}
			return "service provider users of other partners (" + scope + ")", false, false
		}
		if len(kinds) > 0 {
			return kindsWords(kinds) + ", which does not include service provider users", false, false
		}
	}
	if len(include) == 0 || (len(include) == 1 && strings.EqualFold(include[0], "None")) {
		if len(jsonvalue.Strings(users["includeGroups"]))+len(jsonvalue.Strings(users["includeRoles"])) > 0 {
			return "some of the customer's own groups or roles", false, false
		}
		return "nobody", false, false
	}
	return "some of the customer's own users", false, false
}

// excludedHow says whether the users condition excludes the partner's service provider users.
func excludedHow(users map[string]any, partner string) bool {
	for _, u := range jsonvalue.Strings(users["excludeUsers"]) {
		if strings.EqualFold(u, "GuestsOrExternalUsers") {
			return true
		}
	}
	g := jsonvalue.Object(users["excludeGuestsOrExternalUsers"])
	if g == nil || !hasFold(userTypes(g), "serviceProvider") {
		return false
	}
	_, all, members := tenantsOf(g)
	return all || hasFold(members, partner)
}

// userTypes reads guestOrExternalUserTypes, a comma-separated flags string ("none" is none).
func userTypes(g map[string]any) []string {
	var out []string
	for _, t := range strings.Split(jsonvalue.String(g["guestOrExternalUserTypes"]), ",") {
		t = strings.TrimSpace(t)
		if t != "" && !strings.EqualFold(t, "none") {
			out = append(out, t)
		}
	}
	return out
}

// tenantsOf reads externalTenants: all organizations (absent, null or membershipKind "all"), or
// the listed ones. scope names them in words.
func tenantsOf(g map[string]any) (scope string, all bool, members []string) {
	ext, present := g["externalTenants"]
	t := jsonvalue.Object(ext)
	if !present || ext == nil || t == nil || strings.EqualFold(jsonvalue.String(t["membershipKind"]), "all") {
		return "any organization", true, nil
	}
	members = jsonvalue.Strings(t["members"])
	switch len(members) {
	case 0:
		return "no organization", false, nil
	case 1:
		return "one organization", false, members
	}
	return fmt.Sprintf("%d organizations", len(members)), false, members
}

var typeWords = map[string]string{
	"internalguest":          "internal guests",
	"b2bcollaborationguest":  "B2B collaboration guests",
	"b2bcollaborationmember": "B2B collaboration members",
	"b2bdirectconnectuser":   "B2B direct connect users",
	"otherexternaluser":      "other external users",
	"serviceprovider":        "service provider users",
}

// kindsWords names guest and external user types: "service provider users and B2B collaboration
// guests", or "every kind of guest and external user".
func kindsWords(kinds []string) string {
	var words []string
	seen := map[string]bool{}
	known := 0
	for _, k := range kinds {
		w, ok := typeWords[strings.ToLower(strings.TrimSpace(k))]
		if !ok {
			w = "users of type " + quoteState(k)
		}
		if seen[w] {
			continue
		}
		seen[w] = true
		words = append(words, w)
		if ok {
			known++
		}
	}
	if known == len(typeWords) {
		return "every kind of guest and external user (service provider users among them)"
	}
	return joinWords(words)
}

// coversModernClients says whether the client apps condition takes in browsers and modern
// desktop and mobile apps; no condition means all clients.
func coversModernClients(cond map[string]any) bool {
	types := jsonvalue.Strings(cond["clientAppTypes"])
	if len(types) == 0 {
		return true
	}
	for _, t := range types {
		switch strings.ToLower(t) {
		case "all", "browser", "mobileappsanddesktopclients":
			return true
		}
	}
	return false
}

// riskCondition names what a risk condition rates ("sign-in", "user", ...), or "".
func riskCondition(cond map[string]any) string {
	var rated []string
	for _, r := range []struct{ field, what string }{
		{"signInRiskLevels", "sign-in"}, {"userRiskLevels", "user"},
		{"servicePrincipalRiskLevels", "app"}, {"insiderRiskLevels", "user's insider risk"},
	} {
		v := cond[r.field]
		levels := jsonvalue.Strings(v)
		if s := jsonvalue.String(v); s != "" && !strings.EqualFold(s, "none") {
			levels = append(levels, s)
		}
		for _, l := range levels {
			if !strings.EqualFold(l, "none") && l != "" {
				rated = append(rated, r.what)
				break
			}
		}
	}
	return joinWords(rated)
}

// deviceCodeOnly says whether the policy applies only to authentication flows no integration uses.
func deviceCodeOnly(cond map[string]any) bool {
	flows := jsonvalue.Object(cond["authenticationFlows"])
	if flows == nil {
		return false
	}
	methods := strings.TrimSpace(jsonvalue.String(flows["transferMethods"]))
	return methods != "" && !strings.EqualFold(methods, "none")
}

// appsWords names the cloud apps a policy applies to, and says whether it applies to any app
// (a policy for user actions or authentication contexts only does not apply to signing in).
func appsWords(apps map[string]any) (string, bool) {
	include := jsonvalue.Strings(apps["includeApplications"])
	var words string
	switch {
	case hasFold(include, "All"):
		words = "all cloud apps"
	case hasFold(include, "Office365"):
		words = "Office 365"
		if n := len(include) - 1; n > 0 {
			words += fmt.Sprintf(" and %d other selected apps", n)
		}
	case hasFold(include, "MicrosoftAdminPortals"):
		words = "Microsoft's admin portals"
		if n := len(include) - 1; n > 0 {
			words += fmt.Sprintf(" and %d other selected apps", n)
		}
	case len(include) == 0 || (len(include) == 1 && strings.EqualFold(include[0], "None")):
		if actions := jsonvalue.Strings(apps["includeUserActions"]); len(actions) > 0 {
			return "user actions (" + cleanJoin(actions) + ")", false
		}
		if len(jsonvalue.Strings(apps["includeAuthenticationContextClassReferences"])) > 0 {
			return "authentication contexts (steps inside apps that ask for more)", false
		}
		return "no cloud app", false
	case len(include) == 1:
		words = "one selected app"
	default:
		words = fmt.Sprintf("%d selected apps", len(include))
	}
	if n := len(jsonvalue.Strings(apps["excludeApplications"])); n > 0 {
		words += fmt.Sprintf(" (except %d)", n)
	}
	return words, true
}

// whenWords names the conditions that only narrow when a policy applies: locations, platforms and
// device filters. It starts with ", " when there is anything to say.
func whenWords(cond map[string]any) string {
	var parts []string
	if loc := jsonvalue.Object(cond["locations"]); loc != nil {
		include, exclude := jsonvalue.Strings(loc["includeLocations"]), jsonvalue.Strings(loc["excludeLocations"])
		switch {
		case hasFold(include, "All") && len(exclude) > 0:
			parts = append(parts, "when signing in from outside the customer's trusted or named locations")
		case hasFold(include, "AllTrusted"):
			parts = append(parts, "when signing in from the customer's trusted locations")
		case len(include) > 0 && !hasFold(include, "All"):
			parts = append(parts, fmt.Sprintf("when signing in from %s of the customer's named locations", count(len(include), "one", "")))
		}
	}
	if pl := jsonvalue.Object(cond["platforms"]); pl != nil {
		include, exclude := jsonvalue.Strings(pl["includePlatforms"]), jsonvalue.Strings(pl["excludePlatforms"])
		if len(include) > 0 && !hasFold(include, "all") {
			parts = append(parts, "on "+cleanJoin(include)+" devices")
		}
		if len(exclude) > 0 {
			parts = append(parts, "except on "+cleanJoin(exclude)+" devices")
		}
	}
	if dev := jsonvalue.Object(cond["devices"]); dev != nil {
		if filter := jsonvalue.Object(dev["deviceFilter"]); filter != nil && jsonvalue.String(filter["rule"]) != "" {
			parts = append(parts, "on devices that "+map[bool]string{true: "do not ", false: ""}[strings.EqualFold(jsonvalue.String(filter["mode"]), "exclude")]+"match a device filter")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ", " + strings.Join(parts, ", ")
}

// control is one grant control in words, and whether a partner sign-in can meet it.
type control struct {
	words   string
	meeting bool
}

var builtIn = map[string]control{
	"block":                {"blocks access", false},
	"mfa":                  {"multifactor authentication", true},
	"compliantdevice":      {"a device marked as compliant in the customer's own Intune, which your technicians' devices are not", false},
	"domainjoineddevice":   {"a device joined to the customer's own domain (hybrid joined), which your technicians' devices are not", false},
	"approvedapplication":  {"an approved client app, which your integrations are not", false},
	"compliantapplication": {"an app protection policy of the customer's, which your integrations do not have", false},
	"passwordchange":       {"a password change by the user, which an integration cannot make", false},
	"riskremediation":      {"a risk remediation by the user, which an integration cannot make", false},
}

// grantWords says what the grant controls demand ("requires …" or "blocks access") and whether a
// partner sign-in can never meet them.
func grantWords(g map[string]any) (string, bool) {
	var cs []control
	for _, name := range jsonvalue.Strings(g["builtInControls"]) {
		key := strings.ToLower(name)
		if key == "block" {
			return "blocks access", true // block wins whatever the operator
		}
		c, ok := builtIn[key]
		if !ok {
			c = control{"the control " + quoteState(name), true} // unknown: do not claim it blocks
		}
		cs = append(cs, c)
	}
	for range jsonvalue.Strings(g["customAuthenticationFactors"]) {
		cs = append(cs, control{"a third-party MFA (a custom control) that a partner sign-in cannot answer", false})
		break
	}
	if s := jsonvalue.Object(g["authenticationStrength"]); s != nil {
		name := jsonvalue.String(s["displayName"])
		if name == "" {
			name = "an authentication strength"
		} else {
			name = "the authentication strength " + quote(name)
		}
		cs = append(cs, control{name, true})
	}
	if len(jsonvalue.Strings(g["termsOfUse"])) > 0 {
		cs = append(cs, control{"accepting the customer's terms of use", true})
	}
	if len(cs) == 0 {
		return "demands nothing (it has no grant controls, only session controls)", false
	}
	and := strings.EqualFold(jsonvalue.String(g["operator"]), "AND")
	var words []string
	unmet, met := 0, 0
	for _, c := range cs {
		words = append(words, c.words)
		if c.meeting {
			met++
		} else {
			unmet++
		}
	}
	switch {
	case len(cs) == 1:
		return "requires " + words[0], unmet == 1
	case and:
		return "requires all of: " + strings.Join(words, "; "), unmet > 0
	}
	return "requires one of: " + strings.Join(words, "; "), met == 0
}

func hasFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

func count(n int, one, plural string) string {
	if n == 1 {
		return one
	}
	return fmt.Sprint(n) + plural
}

// cleanJoin joins values from outside, each made safe (clean), with commas.
func cleanJoin(vals []string) string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if c := clean(v); c != "" {
			out = append(out, c)
		}
	}
	return strings.Join(out, ", ")
}

// possessive is a name with its possessive ending: "Litware's", "Wingtip Toys'".
func possessive(name string) string {
	if strings.HasSuffix(name, "s") || strings.HasSuffix(name, "S") {
		return name + "'"
	}
	return name + "'s"
}

// quoteState quotes a short value from outside (a state or type name).
func quoteState(s string) string {
	if s == "" {
		return "none"
	}
	return quote(s)
}
