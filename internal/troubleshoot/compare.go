package troubleshoot

import (
	"bytes"
	"encoding/json"
	"maps"
	"sort"
	"strconv"
	"strings"

	"github.com/onboard365/onboard365/internal/jsonvalue"
)

// Comparing reads of a policy. A write to a customer's policy must never revert somebody else's
// change, and the app says "every other field is as it was" only when a read proves it. So reads
// are compared exactly: objects member by member whatever their order, arrays item by item,
// numbers by their exact decimal value (1, 1.0 and 1e0 are the same number; 9007199254740993 and
// 9007199254740992 are not, though float64 cannot tell them apart), strings byte for byte.

// exactNumber writes a JSON number in one exact form: "0", or an optional "-", the significant
// digits without leading or trailing zeros, "e" and the power of ten of the last digit. ok is
// false for text that is not a JSON number, or whose exponent is too large to normalise: such
// text is compared as it is written.
func exactNumber(s string) (string, bool) {
	i, neg := 0, false
	if i < len(s) && s[i] == '-' {
		neg, i = true, i+1
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intPart := s[start:i]
	if intPart == "" || (len(intPart) > 1 && intPart[0] == '0') {
		return "", false
	}
	frac := ""
	if i < len(s) && s[i] == '.' {
		i++
		fs := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if frac = s[fs:i]; frac == "" {
			return "", false
		}
	}
	exp := 0
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		es := i
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		ds := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if ds == i || i-ds > 9 {
			return "", false
		}
		e, err := strconv.Atoi(s[es:i])
		if err != nil {
			return "", false
		}
		exp = e
	}
	if i != len(s) {
		return "", false
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	exp -= len(frac)
	if digits == "" {
		return "0", true
	}
	trimmed := strings.TrimRight(digits, "0")
	exp += len(digits) - len(trimmed)
	sign := ""
	if neg {
		sign = "-"
	}
	return sign + trimmed + "e" + strconv.Itoa(exp), true
}

// numberText is the exact form of a decoded JSON number (json.Number, or float64 from
// encoding/json without UseNumber), and whether v is a number at all.
func numberText(v any) (string, bool) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case float64:
		s = strconv.FormatFloat(x, 'g', -1, 64)
	case int:
		s = strconv.Itoa(x)
	default:
		return "", false
	}
	if n, ok := exactNumber(s); ok {
		return n, true
	}
	return s, true
}

// sameJSON says whether two decoded JSON values mean the same, exactly (see above).
func sameJSON(a, b any) bool {
	if na, ok := numberText(a); ok {
		nb, ok := numberText(b)
		return ok && na == nb
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, present := y[k]
			if !present || !sameJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case []string:
		return sameJSON(anyList(x), b)
	}
	if y, ok := b.([]string); ok {
		return sameJSON(a, anyList(y))
	}
	return false
}

func anyList(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// stamps are what Graph adds to every read or changes with every write, not the policy itself.
var stamps = []string{"@odata.context", "modifiedDateTime"}

// changedParts lists the top-level members of a policy whose values differ between want and got
// (in the order of the policy's own fields, then by name), leaving out the members named in
// ignore. Empty when the two are the same, exactly.
func changedParts(want, got map[string]any, ignore ...string) []string {
	skip := map[string]bool{}
	for _, k := range ignore {
		skip[k] = true
	}
	keys := map[string]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	var out []string
	for k := range keys {
		if skip[k] {
			continue
		}
		w, inWant := want[k]
		g, inGot := got[k]
		if inWant != inGot || !sameJSON(w, g) {
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return partRank(out[i]) < partRank(out[j]) || (partRank(out[i]) == partRank(out[j]) && out[i] < out[j])
	})
	return out
}

var partOrder = []string{"displayName", "state", "conditions", "grantControls", "sessionControls"}

func partRank(k string) int {
	for i, p := range partOrder {
		if p == k {
			return i
		}
	}
	return len(partOrder)
}

// partWords names the parts changedParts lists, in the words of the Microsoft Entra admin center.
func partWords(parts []string) string {
	names := map[string]string{
		"displayName": "its name", "state": "whether it is on, off or report-only",
		"conditions": "its conditions (users, apps, locations and the like)", "grantControls": "its grant controls",
		"sessionControls": "its session controls",
	}
	var ws []string
	other := false
	for _, p := range parts {
		if w, ok := names[p]; ok {
			ws = append(ws, w)
		} else {
			other = true
		}
	}
	if other {
		ws = append(ws, "other settings")
	}
	return joinWords(ws)
}

// SameExceptExclusion says whether after is before with only the change the fix makes: what
// Microsoft stamps on a read or a write aside (@odata.context, modifiedDateTime), every member of
// the policy is exactly as before, and the excluded guests and external users
// (conditions.users.excludeGuestsOrExternalUsers) only grew, as ExcludePartner merges (exclusionGrew).
// Numbers compare by exact value, objects whatever their order.
func SameExceptExclusion(before, after map[string]any) bool {
	b, eb := withoutExclusion(before)
	a, ea := withoutExclusion(after)
	return len(changedParts(b, a, stamps...)) == 0 && exclusionGrew(eb, ea)
}

// withoutExclusion is a deep copy of p without conditions.users.excludeGuestsOrExternalUsers,
// and that exclusion (nil when absent).
func withoutExclusion(p map[string]any) (map[string]any, any) {
	c, _ := deepCopy(p).(map[string]any)
	if c == nil {
		c = map[string]any{}
	}
	var ex any
	if users := jsonvalue.Object(jsonvalue.Object(c["conditions"])["users"]); users != nil {
		ex = users["excludeGuestsOrExternalUsers"]
		delete(users, "excludeGuestsOrExternalUsers")
	}
	return c, ex
}

// exclusionGrew says whether the exclusion after keeps everything the exclusion before had and
// adds only what ExcludePartner adds: when nothing was excluded (no exclusion, or one of type
// "none"), either nothing still, or service provider users from a list of organizations; else
// the service provider kind and organizations on the list, with every other member as it was.
// The kinds are a flags string, compared as a set; the list of organizations as a set.
func exclusionGrew(before, after any) bool {
	if sameJSON(before, after) {
		return true
	}
	b, a := jsonvalue.Object(before), jsonvalue.Object(after)
	if (before != nil && b == nil) || a == nil {
		return false
	}
	kb, ka := kindSet(b), kindSet(a)
	if len(kb) == 0 {
		// A fresh exclusion, exactly: serviceProvider from listed organizations, nothing else.
		t := jsonvalue.Object(a["externalTenants"])
		members, isList := t["members"].([]any)
		if len(a) != 2 || len(ka) != 1 || !ka["serviceprovider"] || t == nil || len(t) != 3 ||
			!sameJSON(t["@odata.type"], enumeratedTenants) || !sameJSON(t["membershipKind"], "enumerated") || !isList || len(members) == 0 {
			return false
		}
		for _, m := range members {
			if s, ok := m.(string); !ok || strings.TrimSpace(s) == "" {
				return false
			}
		}
		return true
	}
	for k := range kb {
		if !ka[k] {
			return false
		}
	}
	for k := range ka {
		if !kb[k] && k != "serviceprovider" {
			return false
		}
	}
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		w, present := a[k]
		switch {
		case !present:
			return false
		case k == "guestOrExternalUserTypes":
		case k == "externalTenants":
			if !tenantsGrew(v, w) {
				return false
			}
		case !sameJSON(v, w):
			return false
		}
	}
	return true
}

// kindSet is the set of kinds a guestOrExternalUserTypes flags string names, in small letters,
// "none" aside.
func kindSet(ex map[string]any) map[string]bool {
	out := map[string]bool{}
	if ex == nil {
		return out
	}
	for _, k := range strings.Split(jsonvalue.String(ex["guestOrExternalUserTypes"]), ",") {
		if k = strings.ToLower(strings.TrimSpace(k)); k != "" && k != "none" {
			out[k] = true
		}
	}
	return out
}

// tenantsGrew says whether the externalTenants after keep every member of before (and every
// other field), adding only organizations (tenant ids) to the list.
func tenantsGrew(before, after any) bool {
	if sameJSON(before, after) {
		return true
	}
	b, a := jsonvalue.Object(before), jsonvalue.Object(after)
	if b == nil || a == nil {
		return false
	}
	if _, had := b["members"]; !had {
		// An enumerated list without its members reads as an empty list (as ExcludePartner reads it).
		b = maps.Clone(b)
		b["members"] = []any{}
	}
	if len(a) != len(b) {
		return false
	}
	for k, v := range b {
		w, present := a[k]
		if !present {
			return false
		}
		if k == "members" && v == nil {
			v = []any{}
		}
		if k != "members" {
			if !sameJSON(v, w) {
				return false
			}
			continue
		}
		mb, ok1 := v.([]any)
		ma, ok2 := w.([]any)
		if !ok1 || !ok2 {
			return false
		}
		for _, x := range mb {
			if !containsMember(ma, x) {
				return false
			}
		}
		for _, y := range ma {
			if _, isString := y.(string); !isString && !containsMember(mb, y) {
				return false
			}
		}
	}
	return true
}

// containsMember says whether list holds x: a tenant id compares without regard to case.
func containsMember(list []any, x any) bool {
	for _, y := range list {
		xs, ok1 := x.(string)
		ys, ok2 := y.(string)
		if (ok1 && ok2 && strings.EqualFold(strings.TrimSpace(xs), strings.TrimSpace(ys))) || sameJSON(x, y) {
			return true
		}
	}
	return false
}

// canonical writes a decoded JSON value with sorted keys and numbers in their exact form, for a
// message or a test to show and compare.
func canonical(v any) string {
	var b bytes.Buffer
	writeCanonical(&b, v)
	return b.String()
}

func writeCanonical(b *bytes.Buffer, v any) {
	if n, ok := numberText(v); ok {
		b.WriteString(n)
		return
	}
	switch x := v.(type) {
	case map[string]any:
		b.WriteByte('{')
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			b.Write(kb)
			b.WriteByte(':')
			writeCanonical(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeCanonical(b, e)
		}
		b.WriteByte(']')
	default:
		vb, _ := json.Marshal(x)
		b.Write(vb)
	}
}
