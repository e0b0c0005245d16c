package troubleshoot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/onboard365/onboard365/internal/jsonvalue"
)

// Exclusion is the change that excludes the partner's service provider users from a policy.
type Exclusion struct {
	// Conditions is the policy's conditions with the exclusion merged in and every other value
	// exactly as read: the body of the PATCH is {"conditions": Conditions}.
	Conditions map[string]any
	// Already is true when the policy excludes them already: there is nothing to change.
	Already bool
	// Widens says, in plain words, whom else the change excludes, when one exclusion list cannot
	// say "only these users" (it holds one list of organizations for all its kinds of user); ""
	// when the change excludes exactly the partner's service provider users.
	Widens string
}

// enumeratedTenants is the Graph type of a list of organizations in a guests-or-external-users
// condition.
const enumeratedTenants = "#microsoft.graph.conditionalAccessEnumeratedExternalTenants"

// ExcludePartner adds the partner tenant's service provider users to the policy conditions'
// users.excludeGuestsOrExternalUsers, merged with what is already there:
//
//   - no exclusion yet (absent, null, or of type "none"): it becomes serviceProvider from the
//     partner tenant only;
//   - serviceProvider already excluded from all organizations, or from a list holding the partner:
//     Already, nothing changes;
//   - other kinds excluded from all organizations: serviceProvider joins them, so service provider
//     users of every organization are excluded (Widens says so);
//   - a list of organizations: the partner tenant joins the list and serviceProvider the kinds, so
//     the other kinds are excluded from the partner tenant too, and service providers of the other
//     listed organizations (Widens says so).
//
// Everything else in conditions is copied unchanged (a deep copy: conditions itself is never
// modified). It fails when the conditions, the users condition or an existing exclusion are not
// in the shape Microsoft documents, rather than guess.
func ExcludePartner(conditions map[string]any, partnerTenantID string) (Exclusion, error) {
	partnerTenantID = strings.TrimSpace(partnerTenantID)
	if partnerTenantID == "" {
		return Exclusion{}, errors.New("the partner tenant's id is not known")
	}
	if conditions == nil {
		return Exclusion{}, errors.New("the policy has no conditions")
	}
	out, ok := deepCopy(conditions).(map[string]any)
	if !ok {
		return Exclusion{}, errors.New("the policy's conditions are not a JSON object")
	}
	usersValue, present := out["users"]
	users, isObject := usersValue.(map[string]any)
	if !present || !isObject {
		return Exclusion{}, errors.New("the policy's users condition is missing or not a JSON object")
	}
	if excludedHow(users, partnerTenantID) {
		return Exclusion{Conditions: out, Already: true}, nil
	}
	current, present := users["excludeGuestsOrExternalUsers"]
	existing, isObject := current.(map[string]any)
	if present && current != nil && !isObject {
		return Exclusion{}, errors.New("the policy's excludeGuestsOrExternalUsers is not a JSON object")
	}
	kinds := []string(nil)
	if existing != nil {
		if t, ok := existing["guestOrExternalUserTypes"]; ok && t != nil {
			if _, isString := t.(string); !isString {
				return Exclusion{}, errors.New("the policy's guestOrExternalUserTypes is not text")
			}
		}
		kinds = userTypes(existing)
	}
	if len(kinds) == 0 {
		// Nothing is excluded yet (or only "none"): exclude exactly the partner's service providers.
		users["excludeGuestsOrExternalUsers"] = map[string]any{
			"guestOrExternalUserTypes": "serviceProvider",
			"externalTenants": map[string]any{
				"@odata.type":    enumeratedTenants,
				"membershipKind": "enumerated",
				"members":        []any{partnerTenantID},
			},
		}
		return Exclusion{Conditions: out}, nil
	}

	ext, hasExt := existing["externalTenants"]
	tenants, isObject := ext.(map[string]any)
	kind := ""
	if isObject {
		kind = jsonvalue.String(tenants["membershipKind"])
	}
	switch {
	case !hasExt || ext == nil || strings.EqualFold(kind, "all"):
		// One list for all kinds, all organizations: adding serviceProvider excludes every
		// partner's service provider users.
		existing["guestOrExternalUserTypes"] = strings.Join(append(kinds, "serviceProvider"), ",")
		return Exclusion{Conditions: out, Widens: "service provider users of every organization, not only yours: the policy already excludes " +
			kindsWords(kinds) + " of every organization, and one exclusion holds one list of organizations for all its kinds"}, nil
	case isObject && strings.EqualFold(kind, "enumerated"):
		membersValue := tenants["members"]
		members, isList := membersValue.([]any)
		if membersValue != nil && !isList {
			return Exclusion{}, errors.New("the policy's list of excluded organizations is not a JSON array")
		}
		others := len(jsonvalue.Strings(members))
		hadSP := hasFold(kinds, "serviceProvider")
		if !hasFold(jsonvalue.Strings(members), partnerTenantID) {
			tenants["members"] = append(append([]any(nil), members...), partnerTenantID)
		}
		if !hadSP {
			existing["guestOrExternalUserTypes"] = strings.Join(append(kinds, "serviceProvider"), ",")
		}
		var widens []string
		if other := without(kinds, "serviceProvider"); len(other) > 0 {
			widens = append(widens, kindsWords(other)+" from your partner tenant")
		}
		if !hadSP && others > 0 {
			widens = append(widens, "service provider users of the "+count(others, "other organization", " other organizations")+" it lists")
		}
		return Exclusion{Conditions: out, Widens: joinWords(widens)}, nil
	}
	return Exclusion{}, fmt.Errorf("the policy's excluded organizations are of a kind Onboard365 does not know (%s)", quoteState(kind))
}

func without(list []string, drop string) []string {
	var out []string
	for _, x := range list {
		if !strings.EqualFold(strings.TrimSpace(x), drop) {
			out = append(out, x)
		}
	}
	return out
}

// deepCopy copies a decoded JSON value.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}
