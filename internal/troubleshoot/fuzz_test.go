package troubleshoot

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/onboard365/onboard365/internal/jsonvalue"
	"github.com/onboard365/onboard365/internal/reference"
)

// The Conditional Access analyser and the exclusion merger are fuzzed over policies built from
// Microsoft's own description of conditionalAccessPolicy (internal/reference): every property the
// reference gives a type may appear, with the values its enums allow, with values of other types,
// or not at all. The fuzzer's bytes are the dice.

var (
	refOnce sync.Once
	ref     *reference.Reference
	refErr  error
)

func loadReference(t testing.TB) *reference.Reference {
	refOnce.Do(func() { ref, refErr = reference.Load() })
	if refErr != nil {
		t.Fatal(refErr)
	}
	return ref
}

// Values of Graph's enum types (v1.0-enum-types.json of msgraph-metadata), by the enum's name.
// TestEnumVocabularyMatchesReference holds them to the file when it is beside the repo.
var enums = map[string][]string{
	"conditionalAccessPolicyState":                   {"enabled", "disabled", "enabledForReportingButNotEnforced"},
	"conditionalAccessClientApp":                     {"all", "browser", "mobileAppsAndDesktopClients", "exchangeActiveSync", "easSupported", "other", "unknownFutureValue"},
	"conditionalAccessGrantControl":                  {"block", "mfa", "compliantDevice", "domainJoinedDevice", "approvedApplication", "compliantApplication", "passwordChange", "unknownFutureValue", "riskRemediation"},
	"conditionalAccessGuestOrExternalUserTypes":      {"none", "internalGuest", "b2bCollaborationGuest", "b2bCollaborationMember", "b2bDirectConnectUser", "otherExternalUser", "serviceProvider", "unknownFutureValue"},
	"conditionalAccessExternalTenantsMembershipKind": {"all", "enumerated", "unknownFutureValue"},
	"conditionalAccessDevicePlatform":                {"android", "iOS", "windows", "windowsPhone", "macOS", "all", "unknownFutureValue", "linux"},
	"conditionalAccessInsiderRiskLevels":             {"minor", "moderate", "elevated", "unknownFutureValue"},
	"conditionalAccessTransferMethods":               {"none", "deviceCodeFlow", "authenticationTransfer", "unknownFutureValue"},
	"riskLevel":                                      {"low", "medium", "high", "hidden", "none", "unknownFutureValue"},
	"filterMode":                                     {"include", "exclude"},
}

// The property each enum fills, and the nested types, by "type.property".
var (
	enumOf = map[string]string{
		"conditionalAccessPolicy.state":                                   "conditionalAccessPolicyState",
		"conditionalAccessConditionSet.clientAppTypes":                    "conditionalAccessClientApp",
		"conditionalAccessGrantControls.builtInControls":                  "conditionalAccessGrantControl",
		"conditionalAccessGuestsOrExternalUsers.guestOrExternalUserTypes": "conditionalAccessGuestOrExternalUserTypes",
		"conditionalAccessExternalTenants.membershipKind":                 "conditionalAccessExternalTenantsMembershipKind",
		"conditionalAccessAllExternalTenants.membershipKind":              "conditionalAccessExternalTenantsMembershipKind",
		"conditionalAccessEnumeratedExternalTenants.membershipKind":       "conditionalAccessExternalTenantsMembershipKind",
		"conditionalAccessPlatforms.includePlatforms":                     "conditionalAccessDevicePlatform",
		"conditionalAccessPlatforms.excludePlatforms":                     "conditionalAccessDevicePlatform",
		"conditionalAccessConditionSet.insiderRiskLevels":                 "conditionalAccessInsiderRiskLevels",
		"conditionalAccessAuthenticationFlows.transferMethods":            "conditionalAccessTransferMethods",
		"conditionalAccessConditionSet.signInRiskLevels":                  "riskLevel",
		"conditionalAccessConditionSet.userRiskLevels":                    "riskLevel",
		"conditionalAccessConditionSet.servicePrincipalRiskLevels":        "riskLevel",
		"conditionalAccessFilter.mode":                                    "filterMode",
	}
	// flags are enum properties written as one comma-separated string; collections as arrays.
	flags = map[string]bool{
		"conditionalAccessGuestsOrExternalUsers.guestOrExternalUserTypes": true,
		"conditionalAccessConditionSet.insiderRiskLevels":                 true,
		"conditionalAccessAuthenticationFlows.transferMethods":            true,
	}
	single = map[string]bool{
		"conditionalAccessPolicy.state": true, "conditionalAccessExternalTenants.membershipKind": true,
		"conditionalAccessAllExternalTenants.membershipKind": true, "conditionalAccessEnumeratedExternalTenants.membershipKind": true,
		"conditionalAccessFilter.mode": true,
	}
	nested = map[string]string{
		"conditionalAccessPolicy.conditions":                               "conditionalAccessConditionSet",
		"conditionalAccessPolicy.grantControls":                            "conditionalAccessGrantControls",
		"conditionalAccessPolicy.sessionControls":                          "conditionalAccessSessionControls",
		"conditionalAccessConditionSet.users":                              "conditionalAccessUsers",
		"conditionalAccessConditionSet.applications":                       "conditionalAccessApplications",
		"conditionalAccessConditionSet.locations":                          "conditionalAccessLocations",
		"conditionalAccessConditionSet.platforms":                          "conditionalAccessPlatforms",
		"conditionalAccessConditionSet.devices":                            "conditionalAccessDevices",
		"conditionalAccessConditionSet.clientApplications":                 "conditionalAccessClientApplications",
		"conditionalAccessConditionSet.authenticationFlows":                "conditionalAccessAuthenticationFlows",
		"conditionalAccessUsers.includeGuestsOrExternalUsers":              "conditionalAccessGuestsOrExternalUsers",
		"conditionalAccessUsers.excludeGuestsOrExternalUsers":              "conditionalAccessGuestsOrExternalUsers",
		"conditionalAccessGuestsOrExternalUsers.externalTenants":           "conditionalAccessExternalTenants",
		"conditionalAccessGrantControls.authenticationStrength":            "authenticationStrengthPolicy",
		"conditionalAccessDevices.deviceFilter":                            "conditionalAccessFilter",
		"conditionalAccessApplications.applicationFilter":                  "conditionalAccessFilter",
		"conditionalAccessClientApplications.servicePrincipalFilter":       "conditionalAccessFilter",
		"conditionalAccessSessionControls.signInFrequency":                 "signInFrequencySessionControl",
		"conditionalAccessSessionControls.persistentBrowser":               "persistentBrowserSessionControl",
		"conditionalAccessSessionControls.applicationEnforcedRestrictions": "applicationEnforcedRestrictionsSessionControl",
		"conditionalAccessSessionControls.cloudAppSecurity":                "cloudAppSecuritySessionControl",
	}
	// words are the strings that id lists hold: keywords Graph gives a meaning, and ids.
	words = map[string][]string{
		"includeUsers":                {"All", "None", "GuestsOrExternalUsers", "3f2a1b0c-1111-4222-8333-444455556666"},
		"excludeUsers":                {"GuestsOrExternalUsers", "3f2a1b0c-1111-4222-8333-444455556666", "0c2a1e9a-0000-4a3e-8d2c-1b0a9f8e7d6c"},
		"includeApplications":         {"All", "None", "Office365", "MicrosoftAdminPortals", "00000003-0000-0000-c000-000000000000"},
		"excludeApplications":         {"00000002-0000-0ff1-ce00-000000000000"},
		"includeLocations":            {"All", "AllTrusted", "1f0f0c9b-3c6e-4b7e-9a2f-000000000001"},
		"excludeLocations":            {"AllTrusted", "1f0f0c9b-3c6e-4b7e-9a2f-000000000001"},
		"members":                     {partnerID, otherID, strings.ToUpper(partnerID)},
		"includeGroups":               {"g1"},
		"excludeGroups":               {"g2"},
		"includeRoles":                {"62e90394-69f5-4237-9190-012177145e10"},
		"excludeRoles":                {"62e90394-69f5-4237-9190-012177145e10"},
		"includeUserActions":          {"urn:user:registersecurityinfo", "urn:user:registerdevice"},
		"termsOfUse":                  {"c2a0b0e2-0000-4000-8000-000000000001"},
		"customAuthenticationFactors": {"Duo"},
		"operator":                    {"AND", "OR"},
	}
	core = map[string]bool{
		"conditionalAccessPolicy.conditions": true, "conditionalAccessPolicy.grantControls": true, "conditionalAccessPolicy.state": true,
		"conditionalAccessConditionSet.users": true, "conditionalAccessConditionSet.applications": true,
		"conditionalAccessUsers.includeUsers": true, "conditionalAccessApplications.includeApplications": true,
		"conditionalAccessGrantControls.builtInControls": true,
	}
	rare = map[string]bool{
		"conditionalAccessConditionSet.signInRiskLevels": true, "conditionalAccessConditionSet.userRiskLevels": true,
		"conditionalAccessConditionSet.servicePrincipalRiskLevels": true, "conditionalAccessConditionSet.insiderRiskLevels": true,
		"conditionalAccessConditionSet.authenticationFlows": true, "conditionalAccessConditionSet.clientApplications": true,
	}
	// favourites are the values real policies hold most, drawn half the time.
	favourites = map[string]any{
		"conditionalAccessPolicy.state":                     "enabled",
		"conditionalAccessUsers.includeUsers":               []any{"All"},
		"conditionalAccessGrantControls.builtInControls":    []any{"block"},
		"conditionalAccessApplications.includeApplications": []any{"All"},
		"conditionalAccessConditionSet.clientAppTypes":      []any{"all"},
	}
	externalTenantTypes = []string{"conditionalAccessAllExternalTenants", "conditionalAccessEnumeratedExternalTenants", "conditionalAccessExternalTenants"}
)

// dice draws choices from the fuzzer's bytes; when they run out, from a generator seeded with
// them, so that a short input still gives a whole policy and the same input the same one.
type dice struct {
	b    []byte
	i    int
	more *rand.Rand
}

func newDice(b []byte) *dice {
	h := fnv.New64a()
	h.Write(b)
	return &dice{b: b, more: rand.New(rand.NewPCG(h.Sum64(), uint64(len(b))))}
}

func (d *dice) n(k int) int {
	if k <= 1 {
		return 0
	}
	if d.i >= len(d.b) {
		return d.more.IntN(k)
	}
	v := int(d.b[d.i])
	d.i++
	return v % k
}

func (d *dice) chance(in int) bool { return d.n(in) == 0 }

// subset is empty half the time, else each value with a chance of one in three, or one value.
func (d *dice) subset(vals []string) []any {
	list := []any{}
	switch d.n(4) {
	case 0, 1:
		return list
	case 2:
		return append(list, vals[d.n(len(vals))])
	}
	for _, v := range vals {
		if d.n(3) == 0 {
			list = append(list, v)
		}
	}
	return list
}

// junk is a value of any JSON type, for a property whose value the generator does not know (or
// to put the wrong type where it does).
func (d *dice) junk(depth int) any {
	switch d.n(7) {
	case 0:
		return nil
	case 1:
		return d.n(2) == 1
	case 2:
		return json.Number(fmt.Sprint(d.n(200) - 50))
	case 3:
		return []string{"", "All", "serviceProvider", partnerID, "x\ny", "\u202e"}[d.n(6)]
	case 4:
		if depth > 2 {
			return []any{}
		}
		return []any{d.junk(depth + 1), d.junk(depth + 1)}
	case 5:
		if depth > 2 {
			return map[string]any{}
		}
		return map[string]any{"value": d.junk(depth + 1)}
	}
	return "unknownFutureValue"
}

// object builds a random object of a Graph type from the reference's properties.
func (d *dice) object(t testing.TB, r *reference.Reference, typeName string, depth int) map[string]any {
	props, ok := r.Properties("v1.0", typeName)
	if !ok {
		t.Fatalf("the reference has no type %s", typeName)
	}
	out := map[string]any{}
	for _, p := range props {
		absent := d.chance(3) // about a third of the properties are absent,
		switch {
		case core[typeName+"."+p]:
			absent = d.chance(10) // what decides a policy's effect mostly is there,
		case rare[typeName+"."+p]:
			absent = !d.chance(4) // and conditions that real policies seldom set seldom are
		}
		if absent {
			continue
		}
		out[p] = d.value(t, r, typeName, p, depth)
	}
	return out
}

func (d *dice) value(t testing.TB, r *reference.Reference, typeName, prop string, depth int) any {
	key := typeName + "." + prop
	if d.chance(12) {
		return d.junk(depth) // the wrong type, now and then
	}
	if v, ok := favourites[key]; ok && d.n(2) == 0 {
		return deepCopy(v)
	}
	if e, ok := enumOf[key]; ok {
		vals := enums[e]
		switch {
		case single[key]:
			return vals[d.n(len(vals))]
		case flags[key]:
			var picked []string
			for _, v := range d.subset(vals) {
				picked = append(picked, v.(string))
			}
			return strings.Join(picked, ",")
		}
		return d.subset(vals)
	}
	if sub, ok := nested[key]; ok {
		if depth > 4 || d.chance(8) {
			return nil
		}
		if sub == "conditionalAccessExternalTenants" {
			sub = externalTenantTypes[d.n(len(externalTenantTypes))]
			o := d.object(t, r, sub, depth+1)
			if d.n(4) != 0 {
				o["@odata.type"] = "#microsoft.graph." + sub
			}
			return o
		}
		return d.object(t, r, sub, depth+1)
	}
	if w, ok := words[prop]; ok {
		if prop == "operator" {
			return w[d.n(len(w))]
		}
		return d.subset(w)
	}
	switch prop {
	case "id", "templateId":
		return fmt.Sprintf("policy-%d", d.n(50))
	case "displayName", "description":
		return []string{"Block guests", "Require MFA", "", "Name with \"quotes\"\nand a new line"}[d.n(4)]
	case "createdDateTime", "modifiedDateTime":
		return "2026-05-04T09:30:00Z"
	}
	return d.junk(depth)
}

// randomPolicy builds a conditionalAccessPolicy from the dice.
func randomPolicy(t testing.TB, b []byte) map[string]any {
	d := newDice(b)
	return d.object(t, loadReference(t), "conditionalAccessPolicy", 0)
}

// checkAnalyseAndExclude holds Analyse and ExcludePartner to their promises on one policy.
func checkAnalyseAndExclude(t *testing.T, policy map[string]any, partner string) {
	before := canonical(policy)
	f := Analyse(policy, partner)
	switch f.Effect {
	case NoEffect:
	case Blocks:
		if policy["state"] != "enabled" {
			t.Errorf("a policy in state %v blocks", policy["state"])
		}
	case WouldBlock:
		if policy["state"] != "enabledForReportingButNotEnforced" {
			t.Errorf("a policy in state %v would block", policy["state"])
		}
	default:
		t.Fatalf("effect %q", f.Effect)
	}
	if f.Effect != NoEffect && (!f.Applies || f.Excluded) {
		t.Errorf("effect %s, but applies %v and excluded %v", f.Effect, f.Applies, f.Excluded)
	}
	if f.Reason == "" || strings.ContainsAny(f.Reason, "\n\r\x00\u202e") {
		t.Errorf("reason %q", f.Reason)
	}
	if canonical(policy) != before {
		t.Fatal("Analyse changed the policy")
	}

	conditions, _ := policy["conditions"].(map[string]any)
	ex, err := ExcludePartner(conditions, partner)
	if canonical(policy) != before {
		t.Fatal("ExcludePartner changed the policy it was given")
	}
	if err != nil {
		if strings.ContainsAny(err.Error(), "\n\r\x00") {
			t.Errorf("error %q", err)
		}
		return
	}
	changed := map[string]any{}
	for k, v := range policy {
		changed[k] = v
	}
	changed["conditions"] = ex.Conditions
	// The oracle is encoding/json, not the package's own comparison: with the exclusion taken
	// out, both encode to the same bytes (it sorts keys and writes json.Number as read).
	if a, b := encodedWithoutExclusion(t, policy), encodedWithoutExclusion(t, changed); a != b {
		t.Fatalf("the merge changed more than the exclusion:\n%s\n%s", a, b)
	}
	users := jsonvalue.Object(ex.Conditions["users"])
	if !excludedHow(users, partner) {
		t.Fatalf("after the merge the partner is not excluded: %s", canonical(users))
	}
	if g := Analyse(changed, partner); g.Effect != NoEffect {
		t.Fatalf("after the merge the policy still %s: %s", g.Effect, g.Reason)
	}
	if _, err := json.Marshal(ex.Conditions); err != nil {
		t.Fatalf("the merged conditions do not encode: %v", err)
	}
	if ex.Already {
		if canonical(ex.Conditions) != canonical(conditions) {
			t.Error("nothing to change, yet the conditions differ")
		}
		return
	}
	// Merged, not replaced: every kind and organization excluded before still is.
	old := jsonvalue.Object(jsonvalue.Object(conditions["users"])["excludeGuestsOrExternalUsers"])
	neu := jsonvalue.Object(users["excludeGuestsOrExternalUsers"])
	oldKinds := userTypes(old)
	if len(oldKinds) == 0 {
		want := canonical(map[string]any{"guestOrExternalUserTypes": "serviceProvider", "externalTenants": map[string]any{
			"@odata.type": enumeratedTenants, "membershipKind": "enumerated", "members": []any{partner}}})
		if got := canonical(neu); got != want || ex.Widens != "" {
			t.Errorf("a new exclusion %s (widens %q), want %s", got, ex.Widens, want)
		}
		return
	}
	newKinds := userTypes(neu)
	for _, k := range oldKinds {
		if !slices.Contains(newKinds, k) {
			t.Errorf("the merge dropped the excluded kind %q", k)
		}
	}
	_, oldAll, oldMembers := tenantsOf(old)
	_, newAll, newMembers := tenantsOf(neu)
	if oldAll != newAll {
		t.Errorf("the merge changed whether all organizations are excluded")
	}
	for _, m := range oldMembers {
		if !slices.Contains(newMembers, m) {
			t.Errorf("the merge dropped the excluded organization %q", m)
		}
	}
	// Widens is said whenever more than the partner's service providers become excluded.
	otherKinds := len(without(oldKinds, "serviceProvider")) > 0
	addedSP := !hasFold(oldKinds, "serviceProvider")
	addedPartner := !oldAll && !hasFold(oldMembers, partner)
	if (oldAll && addedSP) || (addedPartner && otherKinds) || (addedSP && len(oldMembers) > 0) {
		if ex.Widens == "" {
			t.Errorf("the merge excludes more than the partner's service providers and does not say so:\n%s\n%s", canonical(old), canonical(neu))
		}
	} else if ex.Widens != "" {
		t.Errorf("widens %q, but only the partner's service providers were added", ex.Widens)
	}
}

// FuzzAnalyseAndExclude fuzzes the analyser and the merger over random policies built from the
// reference's conditionalAccessPolicy type.
func FuzzAnalyseAndExclude(f *testing.F) {
	for _, seed := range [][]byte{
		nil, {1, 2, 3, 4, 5, 6, 7, 8}, []byte("conditional access"), {255, 0, 255, 0, 7, 7, 7, 1, 2, 0, 0, 0, 0, 9},
	} {
		f.Add(seed, partnerID)
	}
	f.Fuzz(func(t *testing.T, dice []byte, partner string) {
		if strings.TrimSpace(partner) == "" {
			partner = partnerID
		}
		checkAnalyseAndExclude(t, randomPolicy(t, dice), strings.TrimSpace(partner))
	})
}

// FuzzAnalyseJSON fuzzes the analyser and the merger over arbitrary JSON, as Graph might send
// anything: the policy decoder is the parser of outside input here.
func FuzzAnalyseJSON(f *testing.F) {
	f.Add([]byte(pol("enabled", allUsers, block)), partnerID)
	f.Add([]byte(pol("enabled", `{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"b2bCollaborationGuest","externalTenants":{"membershipKind":"enumerated","members":["x",1,null]}}}`, block)), partnerID)
	f.Add([]byte(`{"conditions":{"users":{"excludeGuestsOrExternalUsers":{"guestOrExternalUserTypes":"serviceProvider","externalTenants":[]}}}}`), partnerID)
	f.Add([]byte(`{"conditions":{"users":null}}`), "")
	f.Fuzz(func(t *testing.T, raw []byte, partner string) {
		p, err := decodePolicy(raw)
		if err != nil {
			return
		}
		if strings.TrimSpace(partner) == "" {
			partner = partnerID
		}
		checkAnalyseAndExclude(t, p, strings.TrimSpace(partner))
	})
}

// TestRandomPolicies runs the fuzz target's checks over a few thousand random policies in every
// test run (the fuzzer explores further with go test -fuzz), and checks that the generator
// reaches every effect and every kind of merge, or the checks would prove little.
func TestRandomPolicies(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	effects := map[Effect]int{}
	merges := map[string]int{}
	for i := 0; i < 3000; i++ {
		b := make([]byte, 300)
		for j := range b {
			b[j] = byte(r.UintN(256))
		}
		p := randomPolicy(t, b)
		checkAnalyseAndExclude(t, p, partnerID)
		effects[Analyse(p, partnerID).Effect]++
		c, _ := p["conditions"].(map[string]any)
		ex, err := ExcludePartner(c, partnerID)
		switch {
		case err != nil:
			merges["refused"]++
		case ex.Already:
			merges["already"]++
		case ex.Widens != "":
			merges["widens"]++
		default:
			merges["exact"]++
		}
		if t.Failed() {
			t.Fatalf("policy %d: %s", i, canonical(p))
		}
	}
	t.Logf("effects %v, merges %v", effects, merges)
	for _, e := range []Effect{NoEffect, Blocks, WouldBlock} {
		if effects[e] == 0 {
			t.Errorf("no random policy had the effect %s", e)
		}
	}
	for _, m := range []string{"refused", "already", "widens", "exact"} {
		if merges[m] == 0 {
			t.Errorf("no random policy made a merge that is %s", m)
		}
	}
}

// TestEnumVocabularyMatchesReference holds the generator's enum values to Microsoft's
// v1.0-enum-types.json, when the shared reference folder is beside the repo (the embedded
// reference data does not carry the enum file).
func TestEnumVocabularyMatchesReference(t *testing.T) {
	raw, err := os.ReadFile("../../../shared/reference/msgraph/v1.0-enum-types.json")
	if errors.Is(err, fs.ErrNotExist) {
		t.Skip("the shared reference folder is not beside the repo")
	}
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]map[string][]string
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	for name, vals := range enums {
		got := append([]string(nil), file["microsoft.graph"][name]...)
		want := append([]string(nil), vals...)
		sort.Strings(got)
		sort.Strings(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: the reference has %v, the generator %v", name, got, want)
		}
	}
}
