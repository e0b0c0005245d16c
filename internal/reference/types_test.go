package reference

import (
	"slices"
	"strings"
	"testing"
)

func TestHasProperty(t *testing.T) {
	r := ref(t)
	tests := []struct {
		version, typeName, property string
		want                        bool
	}{
		{"v1.0", "delegatedAdminRelationship", "displayName", true},
		{"v1.0", "delegatedAdminRelationship", "status", true},
		{"v1.0", "delegatedAdminRelationship", "accessDetails", true},
		{"v1.0", "delegatedAdminRelationship", "autoExtendDuration", true},
		{"v1.0", "delegatedAdminRelationship", "accessAssignments", true}, // navigation property
		{"v1.0", "delegatedAdminRelationship", "id", true},                // from entity
		{"v1.0", "delegatedAdminRelationship", "madeUp", false},
		{"v1.0", "delegatedAdminRelationship", "DisplayName", false}, // names are case-sensitive
		{"v1.0", "delegatedAdminRelationship", "@odata.etag", true},
		{"v1.0", "delegatedAdminRelationship", "@odata.type", true},
		{"v1.0", "microsoft.graph.delegatedAdminRelationship", "status", true},
		{"v1.0", "#microsoft.graph.delegatedAdminRelationship", "status", true},
		{"v1.0", "delegatedAdminAccessAssignment", "accessContainer", true},
		{"v1.0", "delegatedAdminAccessContainer", "accessContainerType", true},
		{"v1.0", "conditionalAccessPolicy", "conditions", true},
		{"v1.0", "conditionalAccessPolicy", "id", true},
		{"v1.0", "conditionalAccessUsers", "excludeGuestsOrExternalUsers", true},
		{"v1.0", "conditionalAccessGuestsOrExternalUsers", "guestOrExternalUserTypes", true},
		{"v1.0", "conditionalAccessEnumeratedExternalTenants", "members", true},
		{"v1.0", "conditionalAccessEnumeratedExternalTenants", "membershipKind", true}, // inherited
		{"v1.0", "conditionalAccessUsers", "id", false},                                // complex type: no id
		{"v1.0", "userRegistrationDetails", "userPreferredMethodForSecondaryAuthentication", true},
		{"v1.0", "userRegistrationDetails", "methodsRegistered", true},
		{"v1.0", "userRegistrationDetails", "isSystemPreferredAuthenticationMethodEnabled", true},
		{"v1.0", "identitySecurityDefaultsEnforcementPolicy", "isEnabled", true},
		{"v1.0", "identitySecurityDefaultsEnforcementPolicy", "displayName", true}, // from policyBase
		{"v1.0", "user", "userPrincipalName", true},
		{"v1.0", "user", "deletedDateTime", true}, // from directoryObject
		{"v1.0", "group", "members@odata.bind", true},
		{"v1.0", "group", "madeUp@odata.bind", false},
		{"v1.0", "signIn", "appliedConditionalAccessPolicies", true},
		{"v1.0", "riskyUser", "riskState", true},
		{"v1.0", "subscribedSku", "servicePlans", true},
		{"v1.0", "servicePlanInfo", "servicePlanId", true},
		{"v1.0", "application", "requiredResourceAccess", true},
		{"v1.0", "oAuth2PermissionGrant", "consentType", true},
		{"v1.0", "appRoleAssignment", "appRoleId", true},
		{"v1.0", "signInPreferences", "userPreferredMethodForSecondaryAuthentication", false}, // beta only
		{"beta", "signInPreferences", "userPreferredMethodForSecondaryAuthentication", true},
		{"beta", "signInPreferences", "isSystemPreferredAuthenticationMethodEnabled", true},
		{"beta", "authentication", "signInPreferences", true},
		{"beta", "signIn", "signInEventTypes", true},
		{"beta", "delegatedAdminRelationship", "id", true},
		{"v1.0", "madeUpType", "id", false},
		{"v2.0", "user", "id", false},
	}
	for _, tc := range tests {
		if got := r.HasProperty(tc.version, tc.typeName, tc.property); got != tc.want {
			t.Errorf("HasProperty(%s, %s, %s) = %v, want %v", tc.version, tc.typeName, tc.property, got, tc.want)
		}
	}
}

func TestProperties(t *testing.T) {
	r := ref(t)
	got, ok := r.Properties("v1.0", "identitySecurityDefaultsEnforcementPolicy")
	want := []string{"deletedDateTime", "description", "displayName", "id", "isEnabled"}
	if !ok || !slices.Equal(got, want) {
		t.Errorf("Properties(identitySecurityDefaultsEnforcementPolicy) = %v, %v; want %v", got, ok, want)
	}
	got, ok = r.Properties("beta", "signInPreferences")
	if !ok || !slices.Contains(got, "userPreferredMethodForSecondaryAuthentication") || slices.Contains(got, "id") {
		t.Errorf("Properties(beta signInPreferences) = %v, %v", got, ok)
	}
	if _, ok := r.Properties("v1.0", "madeUpType"); ok {
		t.Error("Properties of an unknown type reported ok")
	}
}

// relNested maps the nested properties of a delegatedAdminRelationship to their types.
var relNested = map[string]string{
	"customer":      "delegatedAdminRelationshipCustomerParticipant",
	"accessDetails": "delegatedAdminAccessDetails",
	"unifiedRoles":  "unifiedRole",
}

// relationship is shaped like Microsoft Learn's "Get delegatedAdminRelationship" response.
const relationship = `{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#tenantRelationships/delegatedAdminRelationships/$entity",
  "@odata.etag": "W/\"JyIwMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDAi\"",
  "id": "5e5594d3-6f82-458b-b567-77db4811f0cd-00000000-0000-0000-0000-000000000000",
  "displayName": "Contoso admin relationship",
  "duration": "P730D",
  "customer": {"tenantId": "4b8bfb2b-64f6-4b49-a1a2-7c6ac7d3c6c2", "displayName": "Contoso"},
  "accessDetails": {"unifiedRoles": [
    {"roleDefinitionId": "29232cdf-9323-42fd-ade2-1d097af3e4de"},
    {"roleDefinitionId": "f2ef992c-3afb-46b9-b7cf-a126ee74c451"}
  ]},
  "status": "active",
  "autoExtendDuration": "P180D",
  "createdDateTime": "2026-01-19T19:04:28.843Z",
  "activatedDateTime": "2026-01-19T19:04:28.843Z",
  "lastModifiedDateTime": "2026-01-19T19:04:28.843Z",
  "endDateTime": "2028-01-19T19:04:28.843Z"
}`

func TestCheckJSON(t *testing.T) {
	r := ref(t)
	caNested := map[string]string{
		"conditions":                   "conditionalAccessConditionSet",
		"users":                        "conditionalAccessUsers",
		"excludeGuestsOrExternalUsers": "conditionalAccessGuestsOrExternalUsers",
		"externalTenants":              "conditionalAccessExternalTenants",
	}
	tests := []struct {
		name              string
		version, typeName string
		doc               string
		nested            map[string]string
		want              []string
	}{
		{"relationship", "v1.0", "delegatedAdminRelationship", relationship, relNested, nil},
		{"misspelt fields", "v1.0", "delegatedAdminRelationship",
			strings.NewReplacer(`"displayName": "Contoso admin`, `"dispalyName": "Contoso admin`,
				`{"roleDefinitionId": "f2ef`, `{"roleDefinitonId": "f2ef`).Replace(relationship),
			relNested,
			[]string{
				"$.accessDetails.unifiedRoles[1].roleDefinitonId: not a property of microsoft.graph.unifiedRole (v1.0)",
				"$.dispalyName: not a property of microsoft.graph.delegatedAdminRelationship (v1.0)",
			}},
		{"nested not followed without nested map", "v1.0", "delegatedAdminRelationship",
			strings.Replace(relationship, `"tenantId"`, `"tenantID"`, 1), nil, nil},
		{"collection", "v1.0", "delegatedAdminRelationship",
			`{"@odata.context": "x", "@odata.nextLink": "https://graph.microsoft.com/v1.0/tenantRelationships/delegatedAdminRelationships?$skiptoken=abc",
			  "value": [` + relationship + `, {"id": "2", "status": "active", "customer": {"tenantId": "t", "tenantName": "oops"}}]}`,
			relNested,
			[]string{"$.value[1].customer.tenantName: not a property of microsoft.graph.delegatedAdminRelationshipCustomerParticipant (v1.0)"}},
		{"empty collection", "v1.0", "delegatedAdminRelationship", `{"value": []}`, nil, nil},
		{"collection with a stray member", "v1.0", "delegatedAdminRelationship", `{"value": [], "count": 1}`, nil,
			[]string{
				"$.count: not a property of microsoft.graph.delegatedAdminRelationship (v1.0)",
				"$.value: not a property of microsoft.graph.delegatedAdminRelationship (v1.0)",
			}},
		{"top-level array", "v1.0", "unifiedRole", `[{"roleDefinitionId": "x"}, {"roleId": "y"}, 3]`, nil,
			[]string{
				"$[1].roleId: not a property of microsoft.graph.unifiedRole (v1.0)",
				"$[2]: a JSON object is expected for microsoft.graph.unifiedRole, got a number",
			}},
		{"security defaults (inherited properties)", "v1.0", "identitySecurityDefaultsEnforcementPolicy",
			`{"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/identitySecurityDefaultsEnforcementPolicy/$entity",
			  "id": "00000000-0000-0000-0000-000000000005", "displayName": "Security Defaults",
			  "description": "Security defaults is a set of basic identity security mechanisms.", "isEnabled": true}`, nil, nil},
		{"service-provider exclusion with derived @odata.type", "v1.0", "conditionalAccessPolicy",
			`{"id": "p1", "displayName": "Block legacy", "state": "enabled", "conditions": {"users": {
			   "includeUsers": ["All"],
			   "excludeGuestsOrExternalUsers": {"guestOrExternalUserTypes": "internalGuest,serviceProvider",
			     "externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessEnumeratedExternalTenants",
			       "membershipKind": "enumerated", "members": ["c2b3a4f0-0000-0000-0000-000000000000"]}}}}}`,
			caNested, nil},
		{"@odata.type that is not derived", "v1.0", "conditionalAccessPolicy",
			`{"conditions": {"users": {"excludeGuestsOrExternalUsers": {"externalTenants": {"@odata.type": "#microsoft.graph.user", "members": []}}}}}`,
			caNested,
			[]string{
				"$.conditions.users.excludeGuestsOrExternalUsers.externalTenants.@odata.type: microsoft.graph.user is not microsoft.graph.conditionalAccessExternalTenants and does not derive from it",
				"$.conditions.users.excludeGuestsOrExternalUsers.externalTenants.members: not a property of microsoft.graph.user (v1.0)",
			}},
		{"directoryObject collection of users and groups", "v1.0", "directoryObject",
			`{"value": [{"@odata.type": "#microsoft.graph.user", "id": "1", "userPrincipalName": "a@b.c"},
			            {"@odata.type": "#microsoft.graph.group", "id": "2", "securityEnabled": true, "userPrincipalName": "x"}]}`,
			nil,
			[]string{"$.value[1].userPrincipalName: not a property of microsoft.graph.group (v1.0)"}},
		{"beta signInPreferences", "beta", "signInPreferences",
			`{"@odata.context": "https://graph.microsoft.com/beta/$metadata#users('x')/authentication/signInPreferences",
			  "isSystemPreferredAuthenticationMethodEnabled": false, "userPreferredMethodForSecondaryAuthentication": "push"}`, nil, nil},
		{"signInPreferences is beta only", "v1.0", "signInPreferences", `{}`, nil,
			[]string{`unknown type "signInPreferences" in v1.0`}},
		{"invalid JSON", "v1.0", "user", `{"id": `, nil, []string{"invalid JSON: unexpected EOF"}},
		{"two values", "v1.0", "user", `{} {}`, nil, []string{"invalid JSON: more than one value"}},
		{"not an object", "v1.0", "user", `"x"`, nil, []string{"$: a JSON object is expected for microsoft.graph.user, got a string"}},
		{"unknown nested type", "v1.0", "user", `{}`, map[string]string{"x": "madeUp"}, []string{`nested["x"]: unknown type "madeUp" in v1.0`}},
		{"unknown version", "v9", "user", `{}`, nil, []string{`unknown API version "v9" (want v1.0 or beta)`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := r.CheckJSON(tc.version, tc.typeName, []byte(tc.doc), tc.nested)
			if !slices.Equal(got, tc.want) {
				t.Errorf("CheckJSON problems:\n got  %q\n want %q", got, tc.want)
			}
		})
	}
}

func TestUserRegistrationDetailsCollection(t *testing.T) {
	// Shaped like Microsoft Learn's "List userRegistrationDetails" response.
	doc := `{
	  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#reports/authenticationMethods/userRegistrationDetails",
	  "value": [{
	    "id": "86462606-fde0-4fc4-9e0c-a20eb73e54c6",
	    "userPrincipalName": "AlexW@Contoso.com", "userDisplayName": "Alex Wilber", "userType": "member",
	    "isAdmin": false, "isSsprRegistered": false, "isSsprEnabled": false, "isSsprCapable": false,
	    "isMfaRegistered": true, "isMfaCapable": true, "isPasswordlessCapable": false,
	    "methodsRegistered": ["microsoftAuthenticatorPush", "softwareOneTimePasscode"],
	    "isSystemPreferredAuthenticationMethodEnabled": true,
	    "systemPreferredAuthenticationMethods": ["push"],
	    "userPreferredMethodForSecondaryAuthentication": "oath",
	    "lastUpdatedDateTime": "2026-07-29T03:35:34.0677803Z"
	  }]
	}`
	if got := ref(t).CheckJSON("v1.0", "userRegistrationDetails", []byte(doc), nil); got != nil {
		t.Errorf("problems: %q", got)
	}
}
