package troubleshoot

import (
	"encoding/json"
	"strings"
	"testing"
)

const (
	partnerID = "0c2d1e9a-5b4f-4a3e-8d2c-1b0a9f8e7d6c"
	otherID   = "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918"
)

// policyJSON decodes a policy written in a test.
func policyJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	p, err := decodePolicy([]byte(s))
	if err != nil {
		t.Fatalf("%v in %s", err, s)
	}
	return p
}

// pol builds a policy from its parts, as Graph writes one.
func pol(state, users, grant string, more ...string) string {
	cond := `"users":` + users + `,"applications":{"includeApplications":["All"]}`
	for _, m := range more {
		cond += "," + m
	}
	return `{"id":"p1","displayName":"Policy one","state":"` + state + `","conditions":{` + cond + `},"grantControls":` + grant + `}`
}

const (
	allUsers  = `{"includeUsers":["All"],"excludeUsers":[]}`
	block     = `{"operator":"OR","builtInControls":["block"]}`
	mfa       = `{"operator":"OR","builtInControls":["mfa"]}`
	allGuests = `{"includeUsers":[],"includeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"internalGuest,b2bCollaborationGuest,b2bCollaborationMember,b2bDirectConnectUser,otherExternalUser,serviceProvider","externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessAllExternalTenants","membershipKind":"all"}}}`
)

func TestAnalyse(t *testing.T) {
	for _, tc := range []struct {
		name        string
		policy      string
		effect      Effect
		applies     bool
		excluded    bool
		names       bool
		reasonHolds []string
	}{
		{"block all users", pol("enabled", allUsers, block), Blocks, true, false, false,
			[]string{"It applies to all users (your service provider users are among them), for all cloud apps, and blocks access."}},
		{"report-only block", pol("enabledForReportingButNotEnforced", allUsers, block), WouldBlock, true, false, false,
			[]string{"report-only mode", "as soon as it is turned on"}},
		{"disabled block", pol("disabled", allUsers, block), NoEffect, true, false, false, []string{`It is turned off (state "disabled")`}},
		{"MFA for everyone", pol("enabled", allUsers, mfa), NoEffect, true, false, false,
			[]string{"a partner sign-in meets it: it requires multifactor authentication"}},
		{"compliant device", pol("enabled", allUsers, `{"operator":"OR","builtInControls":["compliantDevice"]}`), Blocks, true, false, false,
			[]string{"requires a device marked as compliant in the customer's own Intune"}},
		{"MFA or compliant device", pol("enabled", allUsers, `{"operator":"OR","builtInControls":["mfa","compliantDevice"]}`), NoEffect, true, false, false,
			[]string{"requires one of: multifactor authentication; a device marked"}},
		{"MFA and compliant device", pol("enabled", allUsers, `{"operator":"AND","builtInControls":["mfa","compliantDevice"]}`), Blocks, true, false, false,
			[]string{"requires all of: multifactor authentication; a device marked"}},
		{"third-party MFA", pol("enabled", allUsers, `{"operator":"OR","builtInControls":[],"customAuthenticationFactors":["Duo"]}`), Blocks, true, false, false,
			[]string{"a third-party MFA (a custom control)"}},
		{"approved app or app protection", pol("enabled", allUsers, `{"operator":"OR","builtInControls":["approvedApplication","compliantApplication"]}`), Blocks, true, false, false, nil},
		{"authentication strength", pol("enabled", allUsers, `{"operator":"OR","builtInControls":[],"authenticationStrength":{"id":"00000000-0000-0000-0000-000000000002","displayName":"Multifactor authentication"}}`),
			NoEffect, true, false, false, []string{`the authentication strength "Multifactor authentication"`}},
		{"terms of use", pol("enabled", allUsers, `{"operator":"OR","builtInControls":[],"termsOfUse":["c2a0b0e2-0000-4000-8000-000000000001"]}`), NoEffect, true, false, false, nil},
		{"session controls only", pol("enabled", allUsers, `null`), NoEffect, true, false, false, []string{"demands nothing"}},
		{"every guest and external user", pol("enabled", allGuests, block), Blocks, true, false, false,
			[]string{"every kind of guest and external user (service provider users among them) from any organization"}},
		{"legacy GuestsOrExternalUsers", pol("enabled", `{"includeUsers":["GuestsOrExternalUsers"]}`, block), Blocks, true, false, false,
			[]string{"all guest and external users"}},
		{"service providers of this partner, by name", pol("enabled",
			`{"includeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider","externalTenants":{"membershipKind":"enumerated","members":["`+otherID+`","`+partnerID+`"]}}}`, block),
			Blocks, true, false, true, []string{"service provider users from 2 organizations"}},
		{"service providers of another partner", pol("enabled",
			`{"includeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider","externalTenants":{"membershipKind":"enumerated","members":["`+otherID+`"]}}}`, block),
			NoEffect, false, false, false, []string{"service provider users of other partners"}},
		{"service providers, externalTenants absent", pol("enabled", `{"includeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider"}}`, block),
			Blocks, true, false, false, []string{"service provider users from any organization"}},
		{"B2B guests only", pol("enabled", `{"includeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"b2bCollaborationGuest","externalTenants":{"membershipKind":"all"}}}`, block),
			NoEffect, false, false, false, []string{"B2B collaboration guests, which does not include service provider users"}},
		{"the customer's own users", pol("enabled", `{"includeUsers":["3f2a1b0c-1111-4222-8333-444455556666"]}`, block), NoEffect, false, false, false,
			[]string{"some of the customer's own users"}},
		{"groups only", pol("enabled", `{"includeUsers":[],"includeGroups":["g1"]}`, block), NoEffect, false, false, false, []string{"groups or roles"}},
		{"this partner excluded", pol("enabled", `{"includeUsers":["All"],"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider","externalTenants":{"membershipKind":"enumerated","members":["`+partnerID+`"]}}}`, block),
			NoEffect, false, true, false, []string{"already excludes"}},
		{"every service provider excluded", pol("enabled", `{"includeUsers":["All"],"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"b2bCollaborationGuest,serviceProvider","externalTenants":{"membershipKind":"all"}}}`, block),
			NoEffect, false, true, false, nil},
		{"legacy exclusion of guests", pol("enabled", `{"includeUsers":["All"],"excludeUsers":["GuestsOrExternalUsers"]}`, block), NoEffect, false, true, false, nil},
		{"another partner excluded", pol("enabled", `{"includeUsers":["All"],"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider","externalTenants":{"membershipKind":"enumerated","members":["`+otherID+`"]}}}`, block),
			Blocks, true, false, false, nil},
		{"legacy clients only", pol("enabled", allUsers, block, `"clientAppTypes":["exchangeActiveSync","other"]`), NoEffect, false, false, false,
			[]string{"only to legacy sign-in clients (exchangeActiveSync, other)"}},
		{"browser among the clients", pol("enabled", allUsers, block, `"clientAppTypes":["browser","other"]`), Blocks, true, false, false, nil},
		{"high-risk sign-ins", pol("enabled", allUsers, block, `"signInRiskLevels":["high"]`), NoEffect, false, false, false,
			[]string{"only when Microsoft rates the sign-in as risky"}},
		{"risk none", pol("enabled", allUsers, block, `"signInRiskLevels":["none"],"userRiskLevels":[]`), Blocks, true, false, false, nil},
		{"insider risk", pol("enabled", allUsers, block, `"insiderRiskLevels":"elevated"`), NoEffect, false, false, false, nil},
		{"device code flow", pol("enabled", allUsers, block, `"authenticationFlows":{"transferMethods":"deviceCodeFlow"}`), NoEffect, false, false, false,
			[]string{"device code flow"}},
		{"outside trusted locations", pol("enabled", allUsers, block, `"locations":{"includeLocations":["All"],"excludeLocations":["AllTrusted"]}`),
			Blocks, true, false, false, []string{"when signing in from outside the customer's trusted or named locations"}},
		{"mobile platforms", pol("enabled", allUsers, block, `"platforms":{"includePlatforms":["android","iOS"],"excludePlatforms":[]}`),
			Blocks, true, false, false, []string{"on android, iOS devices"}},
		{"user action", `{"id":"p","displayName":"Register","state":"enabled","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":[],"includeUserActions":["urn:user:registersecurityinfo"]}},"grantControls":{"operator":"OR","builtInControls":["block"]}}`,
			NoEffect, false, false, false, []string{"user actions (urn:user:registersecurityinfo)"}},
		{"selected apps", `{"id":"p","displayName":"Apps","state":"enabled","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["00000002-0000-0ff1-ce00-000000000000","00000003-0000-0ff1-ce00-000000000000"],"excludeApplications":["x"]}},"grantControls":{"operator":"OR","builtInControls":["block"]}}`,
			Blocks, true, false, false, []string{"for 2 selected apps (except 1)"}},
		{"wrong types everywhere", `{"id":7,"state":["enabled"],"conditions":"x","grantControls":[]}`, NoEffect, false, false, false, []string{"nobody"}},
		{"empty", `{}`, NoEffect, false, false, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Analyse(policyJSON(t, tc.policy), partnerID)
			if f.Effect != tc.effect || f.Applies != tc.applies || f.Excluded != tc.excluded || f.NamesPartner != tc.names {
				t.Errorf("effect %s applies %v excluded %v names %v; want %s %v %v %v (%s)", f.Effect, f.Applies, f.Excluded, f.NamesPartner,
					tc.effect, tc.applies, tc.excluded, tc.names, f.Reason)
			}
			for _, want := range tc.reasonHolds {
				if !strings.Contains(f.Reason, want) {
					t.Errorf("reason %q lacks %q", f.Reason, want)
				}
			}
			if f.Reason == "" || strings.ContainsAny(f.Reason, "\n\r\t") {
				t.Errorf("reason %q", f.Reason)
			}
		})
	}
}

func TestQuoteKeepsNamesOnOneSafeLine(t *testing.T) {
	got := quote("Block\n\"all\" \u202eguests\u0000 " + strings.Repeat("x", 200))
	if strings.ContainsAny(got[1:len(got)-1], "\n\"\u202e\x00") || len([]rune(got)) > 124 || !strings.HasPrefix(got, `"Block 'all' guests `) {
		t.Errorf("quote: %q", got)
	}
}

func TestExcludePartner(t *testing.T) {
	type want struct {
		already   bool
		exclusion string // canonical JSON of the new excludeGuestsOrExternalUsers
		widens    []string
		err       string
	}
	enumerated := func(types string, members ...string) string {
		b, _ := json.Marshal(members)
		return `{"externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessEnumeratedExternalTenants","members":` + string(b) +
			`,"membershipKind":"enumerated"},"guestOrExternalUserTypes":"` + types + `"}`
	}
	for _, tc := range []struct {
		name  string
		users string
		want  want
	}{
		{"no exclusion yet", `{"includeUsers":["All"]}`, want{exclusion: enumerated("serviceProvider", partnerID)}},
		{"a null exclusion", `{"includeUsers":["All"],"excludeGuestsOrExternalUsers":null}`, want{exclusion: enumerated("serviceProvider", partnerID)}},
		{"an exclusion of none", `{"includeUsers":["All"],"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"none","externalTenants":null}}`,
			want{exclusion: enumerated("serviceProvider", partnerID)}},
		{"every service provider already", `{"includeUsers":["All"],"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider","externalTenants":{"membershipKind":"all"}}}`,
			want{already: true}},
		{"this partner already", `{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"b2bCollaborationGuest,serviceProvider","externalTenants":{"membershipKind":"enumerated","members":["` + strings.ToUpper(partnerID) + `"]}}}`,
			want{already: true}},
		{"legacy exclusion of guests", `{"includeUsers":["All"],"excludeUsers":["GuestsOrExternalUsers"]}`, want{already: true}},
		{"B2B guests of every organization", `{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"b2bCollaborationGuest","externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessAllExternalTenants","membershipKind":"all"}}}`,
			want{exclusion: `{"externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessAllExternalTenants","membershipKind":"all"},"guestOrExternalUserTypes":"b2bCollaborationGuest,serviceProvider"}`,
				widens: []string{"service provider users of every organization", "B2B collaboration guests of every organization"}}},
		{"service providers of another partner", `{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider","externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessEnumeratedExternalTenants","membershipKind":"enumerated","members":["` + otherID + `"]}}}`,
			want{exclusion: enumerated("serviceProvider", otherID, partnerID)}},
		{"guests and service providers of another partner", `{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"b2bCollaborationGuest,serviceProvider","externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessEnumeratedExternalTenants","membershipKind":"enumerated","members":["` + otherID + `"]}}}`,
			want{exclusion: enumerated("b2bCollaborationGuest,serviceProvider", otherID, partnerID), widens: []string{"B2B collaboration guests from your partner tenant"}}},
		{"guests of another organization", `{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"b2bCollaborationGuest","externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessEnumeratedExternalTenants","membershipKind":"enumerated","members":["` + otherID + `"]}}}`,
			want{exclusion: enumerated("b2bCollaborationGuest,serviceProvider", otherID, partnerID),
				widens: []string{"B2B collaboration guests from your partner tenant", "service provider users of the other organization it lists"}}},
		{"users is not an object", `"All"`, want{err: "users condition is missing or not a JSON object"}},
		{"exclusion is not an object", `{"excludeGuestsOrExternalUsers":["serviceProvider"]}`, want{err: "excludeGuestsOrExternalUsers is not a JSON object"}},
		{"types are not text", `{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":7}}`, want{err: "guestOrExternalUserTypes is not text"}},
		{"members are not a list", `{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider","externalTenants":{"membershipKind":"enumerated","members":"x"}}}`,
			want{err: "not a JSON array"}},
		{"unknown membership kind", `{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider","externalTenants":{"membershipKind":"unknownFutureValue"}}}`,
			want{err: `does not know ("unknownFutureValue")`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			policy := policyJSON(t, `{"id":"p","displayName":"P","state":"enabled","conditions":{"clientAppTypes":["all"],"users":`+tc.users+
				`,"applications":{"includeApplications":["All"]},"signInRiskLevels":[],"platforms":null,"sessionControls":{"signInFrequency":{"value":1.0,"type":"hours"}}},"grantControls":{"operator":"OR","builtInControls":["block"]}}`)
			conditions := policy["conditions"].(map[string]any)
			read := canonical(conditions)
			ex, err := ExcludePartner(conditions, partnerID)
			if canonical(conditions) != read {
				t.Fatal("ExcludePartner changed the conditions it was given")
			}
			if tc.want.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.want.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ex.Already != tc.want.already {
				t.Fatalf("already %v, want %v", ex.Already, tc.want.already)
			}
			for _, w := range tc.want.widens {
				if !strings.Contains(ex.Widens, w) {
					t.Errorf("widens %q, want it to say %q", ex.Widens, w)
				}
			}
			if len(tc.want.widens) == 0 && ex.Widens != "" {
				t.Errorf("widens %q, want nothing", ex.Widens)
			}
			changed := map[string]any{}
			for k, v := range policy {
				changed[k] = v
			}
			changed["conditions"] = ex.Conditions
			if !SameExceptExclusion(policy, changed) {
				t.Errorf("more than the exclusion changed:\n%s\n%s", canonical(policy), canonical(changed))
			}
			if a := Analyse(changed, partnerID); !excludedHow(ex.Conditions["users"].(map[string]any), partnerID) || a.Effect != NoEffect {
				t.Errorf("after the change the policy is %s (%s)", a.Effect, a.Reason)
			}
			if !tc.want.already {
				b, _ := json.Marshal(ex.Conditions["users"].(map[string]any)["excludeGuestsOrExternalUsers"])
				if string(b) != tc.want.exclusion {
					t.Errorf("exclusion %s, want %s", b, tc.want.exclusion)
				}
			}
		})
	}
	if _, err := ExcludePartner(map[string]any{"users": map[string]any{}}, " "); err == nil {
		t.Error("an empty partner tenant id was accepted")
	}
	if _, err := ExcludePartner(nil, partnerID); err == nil {
		t.Error("nil conditions were accepted")
	}
}

func TestSameExceptExclusion(t *testing.T) {
	a := policyJSON(t, pol("enabled", allUsers, block))
	b := policyJSON(t, pol("enabled", `{"includeUsers":["All"],"excludeUsers":[],"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider",`+
		`"externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessEnumeratedExternalTenants","membershipKind":"enumerated","members":["`+partnerID+`"]}}}`, block))
	b["modifiedDateTime"] = "2026-05-04T09:30:00Z"
	if !SameExceptExclusion(a, b) {
		t.Error("an added exclusion and a new modifiedDateTime count as a change")
	}
	// Numbers compare by value, keys in any order.
	x := policyJSON(t, `{"sessionControls":{"signInFrequency":{"value":1,"type":"hours"}},"state":"enabled"}`)
	y := map[string]any{"state": "enabled", "sessionControls": map[string]any{"signInFrequency": map[string]any{"type": "hours", "value": 1.0}}}
	if !SameExceptExclusion(x, y) {
		t.Error("1 and 1.0 differ")
	}
	// The exclusion itself is compared: it may only grow as ExcludePartner merges.
	guests := func(excl string) map[string]any {
		return policyJSON(t, pol("enabled", `{"includeUsers":["All"],"excludeUsers":[],"excludeGuestsOrExternalUsers":`+excl+`}`, block))
	}
	listed := func(kinds string, members ...string) string {
		return `{"guestOrExternalUserTypes":"` + kinds + `","externalTenants":{"@odata.type":"#microsoft.graph.conditionalAccessEnumeratedExternalTenants",` +
			`"membershipKind":"enumerated","members":["` + strings.Join(members, `","`) + `"]}}`
	}
	const other = "99999999-9999-4999-8999-999999999999"
	for _, tc := range []struct {
		name          string
		before, after map[string]any
		same          bool
	}{
		{"the partner added to the list", guests(listed("internalGuest", other)), guests(listed("internalGuest,serviceProvider", other, partnerID)), true},
		{"the kinds reordered", guests(listed("internalGuest,serviceProvider", other)), guests(listed("serviceProvider,internalGuest", other)), true},
		{"an organization dropped", guests(listed("serviceProvider", other)), guests(listed("serviceProvider", partnerID)), false},
		{"a kind dropped", guests(listed("internalGuest,serviceProvider", other)), guests(listed("serviceProvider", other, partnerID)), false},
		{"another kind added", guests(listed("serviceProvider", other)), guests(listed("serviceProvider,internalGuest", other)), false},
		{"replaced by all organizations", guests(listed("internalGuest", other)), guests(`{"guestOrExternalUserTypes":"internalGuest,serviceProvider"}`), false},
		{"service providers of every organization, from nothing", a, guests(`{"guestOrExternalUserTypes":"serviceProvider"}`), false},
		{"the exclusion removed", guests(listed("internalGuest", other)), a, false},
	} {
		if got := SameExceptExclusion(tc.before, tc.after); got != tc.same {
			t.Errorf("%s: SameExceptExclusion = %v, want %v", tc.name, got, tc.same)
		}
	}
	// Numbers by exact value, not as float64.
	big1 := policyJSON(t, `{"state":"enabled","sessionControls":{"signInFrequency":{"value":9007199254740993}}}`)
	big2 := policyJSON(t, `{"state":"enabled","sessionControls":{"signInFrequency":{"value":9007199254740992}}}`)
	if SameExceptExclusion(big1, big2) {
		t.Error("9007199254740993 and 9007199254740992 count as the same number")
	}
	if x, y := policyJSON(t, `{"v":1.50}`), policyJSON(t, `{"v":15e-1}`); !SameExceptExclusion(x, y) {
		t.Error("1.50 and 15e-1 differ")
	}

	for _, change := range []func(p map[string]any){
		func(p map[string]any) { p["state"] = "disabled" },
		func(p map[string]any) {
			p["conditions"].(map[string]any)["users"].(map[string]any)["excludeUsers"] = []any{"u"}
		},
		func(p map[string]any) { p["grantControls"].(map[string]any)["operator"] = "AND" },
		func(p map[string]any) { delete(p["conditions"].(map[string]any), "applications") },
	} {
		c := policyJSON(t, pol("enabled", allUsers, block))
		change(c)
		if SameExceptExclusion(a, c) {
			t.Errorf("a change went unnoticed: %s", canonical(c))
		}
	}
}
