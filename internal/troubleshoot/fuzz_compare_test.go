package troubleshoot

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
)

// SameExceptExclusion is fuzzed against an oracle of its own: each run takes a random policy,
// makes one change whose meaning the test knows by construction (a stamp, a respelt number, the
// exclusion growing as a merge grows it: the same; any other change: not the same), and holds the
// function to that answer. The oracle never calls the comparison it judges.

// encodedWithoutExclusion is p encoded by encoding/json, without conditions.users.
// excludeGuestsOrExternalUsers (for checkAnalyseAndExclude's oracle).
func encodedWithoutExclusion(t testing.TB, p map[string]any) string {
	t.Helper()
	c := deepCopy(p).(map[string]any)
	if cond, ok := c["conditions"].(map[string]any); ok {
		if users, ok := cond["users"].(map[string]any); ok {
			delete(users, "excludeGuestsOrExternalUsers")
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return string(b)
}

// jsonPath is the way to a value: object member names (string) and array indexes (int).
type jsonPath []any

// outsideLeaves lists the paths of every value of p but the exclusion subtree and the stamps.
func outsideLeaves(p map[string]any) []jsonPath {
	var out []jsonPath
	var walk func(v any, path jsonPath)
	walk = func(v any, path jsonPath) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				p := append(append(jsonPath(nil), path...), k)
				if len(p) == 1 && (k == "@odata.context" || k == "modifiedDateTime") {
					continue
				}
				if len(p) == 3 && p[0] == "conditions" && p[1] == "users" && k == "excludeGuestsOrExternalUsers" {
					continue
				}
				out = append(out, p)
				walk(e, p)
			}
		case []any:
			for i, e := range x {
				p := append(append(jsonPath(nil), path...), i)
				out = append(out, p)
				walk(e, p)
			}
		}
	}
	walk(p, nil)
	return out
}

// at returns the container holding path's last step, and that step.
func at(root map[string]any, path jsonPath) (any, any) {
	var cur any = root
	for _, step := range path[:len(path)-1] {
		switch s := step.(type) {
		case string:
			cur = cur.(map[string]any)[s]
		case int:
			cur = cur.([]any)[s]
		}
	}
	return cur, path[len(path)-1]
}

// valueAt is the value at path.
func valueAt(root map[string]any, path jsonPath) any {
	parent, step := at(root, path)
	if k, isKey := step.(string); isKey {
		return parent.(map[string]any)[k]
	}
	return parent.([]any)[step.(int)]
}

func set(root map[string]any, path jsonPath, v any) {
	parent, step := at(root, path)
	switch s := step.(type) {
	case string:
		parent.(map[string]any)[s] = v
	case int:
		parent.([]any)[s] = v
	}
}

// otherValue is a JSON value that differs from v in meaning.
func otherValue(v any) any {
	switch x := v.(type) {
	case string:
		return x + "x"
	case bool:
		return !x
	case json.Number:
		if n, _ := numberText(x); n == "1.2345e4" || n == "12345e0" {
			return json.Number("54321")
		}
		return json.Number("12345")
	}
	return "x" // nil, an object or an array becomes a string
}

// sameSpelling is another way to write the number x, or "" when the test has none.
func sameSpelling(x json.Number) string {
	s := x.String()
	switch {
	case strings.ContainsAny(s, "eE"):
		return ""
	case strings.Contains(s, "."):
		return s + "0"
	}
	return s + ".0"
}

// exclusionOf is the policy's exclusion object, when conditions and users are objects.
func exclusionOf(p map[string]any) (users map[string]any, ex map[string]any, ok bool) {
	cond, _ := p["conditions"].(map[string]any)
	users, _ = cond["users"].(map[string]any)
	if users == nil {
		return nil, nil, false
	}
	ex, _ = users["excludeGuestsOrExternalUsers"].(map[string]any)
	return users, ex, true
}

// kindsIn splits a kinds string as the documentation defines it, "none" and blanks aside, and
// says whether a kind is written twice (case-insensitively).
func kindsIn(ex map[string]any) (kinds []string, isText, dup bool) {
	t, isText := ex["guestOrExternalUserTypes"].(string)
	seen := map[string]bool{}
	for _, k := range strings.Split(t, ",") {
		k = strings.TrimSpace(k)
		if k == "" || strings.EqualFold(k, "none") {
			continue
		}
		if seen[strings.ToLower(k)] {
			dup = true
		}
		seen[strings.ToLower(k)] = true
		kinds = append(kinds, k)
	}
	return kinds, isText, dup
}

func hasKind(kinds []string, k string) bool {
	for _, x := range kinds {
		if strings.EqualFold(x, k) {
			return true
		}
	}
	return false
}

// mutate makes change number which of after (a deep copy of before, which it may change too:
// both sides of a big-number pair), at the leaf chosen by pick. It reports whether the change
// applies to this policy, and whether SameExceptExclusion must then answer true.
func mutate(before, after map[string]any, which, pick int) (applies, same bool) {
	leaves := outsideLeaves(after)
	leaf := func() (jsonPath, bool) {
		if len(leaves) == 0 {
			return nil, false
		}
		return leaves[pick%len(leaves)], true
	}
	switch which {
	case 0: // nothing
		return true, true
	case 1: // a new stamp from Microsoft
		after["modifiedDateTime"] = "2030-01-01T00:00:00Z"
		return true, true
	case 2: // any value elsewhere changed
		p, ok := leaf()
		if !ok {
			return false, false
		}
		set(after, p, otherValue(valueAt(after, p)))
		return true, false
	case 3: // a member elsewhere removed
		p, ok := leaf()
		if !ok {
			return false, false
		}
		parent, step := at(after, p)
		k, isKey := step.(string)
		if !isKey {
			return false, false
		}
		delete(parent.(map[string]any), k)
		return true, false
	case 4: // a member elsewhere added
		after["zzAdded"] = "x"
		return true, false
	case 5: // a number written another way
		for i := range leaves {
			p := leaves[(pick+i)%len(leaves)]
			if n, isNum := valueAt(after, p).(json.Number); isNum && sameSpelling(n) != "" {
				set(after, p, json.Number(sameSpelling(n)))
				return true, true
			}
		}
		return false, false
	case 6: // the service provider kind added to kinds already excluded
		_, ex, ok := exclusionOf(after)
		kinds, isText, _ := kindsIn(ex)
		if !ok || ex == nil || !isText || len(kinds) == 0 || hasKind(kinds, "serviceProvider") {
			return false, false
		}
		ex["guestOrExternalUserTypes"] = ex["guestOrExternalUserTypes"].(string) + ",serviceProvider"
		return true, true
	case 7: // an organization added to a list of organizations
		_, ex, ok := exclusionOf(after)
		kinds, _, _ := kindsIn(ex)
		t, _ := ex["externalTenants"].(map[string]any)
		members, isList := t["members"].([]any)
		if !ok || len(kinds) == 0 || !isList {
			return false, false
		}
		t["members"] = append(members, "77777777-7777-4777-8777-777777777777")
		return true, true
	case 8: // a kind dropped
		_, ex, ok := exclusionOf(after)
		kinds, _, dup := kindsIn(ex)
		if !ok || len(kinds) == 0 || dup {
			return false, false
		}
		ex["guestOrExternalUserTypes"] = strings.Join(kinds[1:], ",")
		return true, false
	case 9: // an organization dropped
		_, ex, ok := exclusionOf(after)
		t, _ := ex["externalTenants"].(map[string]any)
		members, isList := t["members"].([]any)
		if !ok || !isList || len(members) == 0 {
			return false, false
		}
		drop := members[pick%len(members)]
		ds, isString := drop.(string)
		var kept []any
		for _, m := range members {
			if ms, ok := m.(string); isString && ok && strings.EqualFold(strings.TrimSpace(ms), strings.TrimSpace(ds)) {
				continue
			}
			if !isString && canonical(m) == canonical(drop) {
				continue
			}
			kept = append(kept, m)
		}
		t["members"] = append([]any{}, kept...)
		return true, false
	case 10: // another kind added
		users, ex, ok := exclusionOf(after)
		if !ok {
			return false, false
		}
		kinds, isText, _ := kindsIn(ex)
		add := "internalGuest"
		if hasKind(kinds, add) {
			add = "b2bDirectConnectUser"
		}
		if hasKind(kinds, add) {
			return false, false
		}
		switch {
		case ex == nil:
			users["excludeGuestsOrExternalUsers"] = map[string]any{"guestOrExternalUserTypes": add}
		case isText && ex["guestOrExternalUserTypes"].(string) != "":
			ex["guestOrExternalUserTypes"] = ex["guestOrExternalUserTypes"].(string) + "," + add
		default:
			ex["guestOrExternalUserTypes"] = add
		}
		return true, false
	case 11: // two numbers that float64 cannot tell apart
		before["zzBig"] = json.Number("9007199254740993")
		after["zzBig"] = json.Number("9007199254740992")
		return true, false
	case 12: // the kind of list of organizations changed
		_, ex, ok := exclusionOf(after)
		t, _ := ex["externalTenants"].(map[string]any)
		kind, isText := t["membershipKind"].(string)
		if !ok || !isText {
			return false, false
		}
		t["membershipKind"] = map[bool]string{true: "all", false: "enumerated"}[kind != "all"]
		return true, false
	}
	return false, false
}

const mutations = 13

func checkSameExceptExclusion(t *testing.T, policy map[string]any, which, pick int) {
	before := deepCopy(policy).(map[string]any)
	after := deepCopy(policy).(map[string]any)
	applies, same := mutate(before, after, which%mutations, pick)
	if !applies {
		return
	}
	if got := SameExceptExclusion(before, after); got != same {
		t.Fatalf("change %d: SameExceptExclusion = %v, want %v\nbefore %s\nafter  %s", which%mutations, got, same, canonical(before), canonical(after))
	}
}

// FuzzSameExceptExclusion holds the comparison to the known meaning of one change to a random
// policy (built as FuzzAnalyseAndExclude builds them).
func FuzzSameExceptExclusion(f *testing.F) {
	for i := 0; i < mutations; i++ {
		f.Add([]byte{byte(i), 7, 1, 2, 3, 4, 5, 6, 7, 8}, uint8(i), uint16(i*7))
	}
	f.Fuzz(func(t *testing.T, dice []byte, which uint8, pick uint16) {
		checkSameExceptExclusion(t, randomPolicy(t, dice), int(which), int(pick))
	})
}

// TestSameExceptExclusionOracle runs every change over a few hundred random policies in every
// test run, and checks that each change applied to some of them (or it would prove nothing).
func TestSameExceptExclusionOracle(t *testing.T) {
	applied := make([]int, mutations)
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 600; i++ {
		dice := make([]byte, 300)
		for j := range dice {
			dice[j] = byte(r.UintN(256))
		}
		p := randomPolicy(t, dice)
		variants := []map[string]any{p}
		if users, _, ok := exclusionOf(p); ok && i%2 == 0 {
			// Random policies seldom hold a list of organizations: give every other one such an exclusion.
			q := deepCopy(p).(map[string]any)
			users, _, _ = exclusionOf(q)
			users["excludeGuestsOrExternalUsers"] = map[string]any{"guestOrExternalUserTypes": "internalGuest,b2bCollaborationGuest",
				"externalTenants": map[string]any{"@odata.type": enumeratedTenants, "membershipKind": "enumerated",
					"members": []any{"11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"}}}
			variants = append(variants, q)
		}
		for _, v := range variants {
			for m := 0; m < mutations; m++ {
				before, after := deepCopy(v).(map[string]any), deepCopy(v).(map[string]any)
				if ok, _ := mutate(before, after, m, i); ok {
					applied[m]++
				}
				checkSameExceptExclusion(t, v, m, i)
			}
		}
	}
	for m, n := range applied {
		if n == 0 {
			t.Errorf("change %d applied to none of the random policies", m)
		}
	}
	t.Logf("changes applied: %v", applied)
}
