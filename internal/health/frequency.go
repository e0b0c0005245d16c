package health

import (
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/words"
)

// Frequency is a Conditional Access policy of the partner tenant whose session control asks the
// technician to sign in again after a while (signInFrequencySessionControl, on the
// conditionalAccessPolicy page: value and type "hours" or "days", or frequencyInterval
// "everyTime"). Such a policy ends the kept sign-in however often it is renewed: its refresh
// token no longer redeems once the interval since the last interactive sign-in has passed.
type Frequency struct {
	PolicyID, Policy string
	Every            time.Duration // 0 with EveryTime
	EveryTime        bool
	// Maybe is true when the policy names directory roles, which Onboard365 does not read for the
	// technician: it applies if the technician holds one of them.
	Maybe bool
}

// Technician is whom SignInFrequency judges policies for: the signed-in partner user and the
// groups the user is in (directly or not).
type Technician struct {
	ID     string
	Groups map[string]bool // group ids, any letter case
}

// The resources Onboard365's kept sign-in is used for: Microsoft Graph and Partner Center.
var usedApps = []string{"00000003-0000-0000-c000-000000000000", "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd"}

// SignInFrequency lists the enabled policies (report-only ones ask nothing of anyone) with a
// sign-in frequency that apply to the technician for the apps the kept sign-in is used with
// (every app, Microsoft Graph, Partner Center, or the app itself, clientID), shortest first.
// policies are as Graph gives them (outside input: anything may be missing or of another type).
func SignInFrequency(policies []map[string]any, t Technician, clientID string) []Frequency {
	var out []Frequency
	for _, p := range policies {
		if str(p["state"]) != "enabled" {
			continue
		}
		sf := obj(obj(p["sessionControls"])["signInFrequency"])
		if sf == nil || sf["isEnabled"] != true {
			continue
		}
		f := Frequency{PolicyID: str(p["id"]), Policy: words.OneLine(str(p["displayName"]))}
		switch str(sf["frequencyInterval"]) {
		case "everyTime":
			f.EveryTime = true
		default: // "timeBased", or not given (the older form has only value and type)
			n, ok := sf["value"].(float64)
			if !ok || n < 1 || n > 10000 || n != float64(int(n)) {
				continue
			}
			switch str(sf["type"]) {
			case "hours":
				f.Every = time.Duration(n) * time.Hour
			case "days":
				f.Every = time.Duration(n) * 24 * time.Hour
			default:
				continue
			}
		}
		cond := obj(p["conditions"])
		applies, maybe := appliesTo(obj(cond["users"]), t)
		if !applies || !forApps(obj(cond["applications"]), clientID) {
			continue
		}
		f.Maybe = maybe
		out = append(out, f)
	}
	sortFrequencies(out)
	return out
}

// appliesTo says whether a policy's users condition takes in the technician, and whether that
// rests on directory roles Onboard365 did not read.
func appliesTo(users map[string]any, t Technician) (applies, maybe bool) {
	inUser := func(field string) bool {
		for _, v := range list(users[field]) {
			if s := str(v); s == "All" || (t.ID != "" && strings.EqualFold(s, t.ID)) {
				return true
			}
		}
		return false
	}
	inGroup := func(field string) bool {
		for _, v := range list(users[field]) {
			for g, in := range t.Groups {
				if in && strings.EqualFold(str(v), g) {
					return true
				}
			}
		}
		return false
	}
	excluded := false
	for _, v := range list(users["excludeUsers"]) {
		excluded = excluded || (t.ID != "" && strings.EqualFold(str(v), t.ID))
	}
	if excluded || inGroup("excludeGroups") {
		return false, false
	}
	switch {
	case inUser("includeUsers") || inGroup("includeGroups"):
		return true, false
	case len(list(users["includeRoles"])) > 0 && len(list(users["excludeRoles"])) == 0:
		return true, true
	}
	return false, false
}

// forApps says whether a policy's applications condition takes in what the kept sign-in is used
// for. A policy that leaves out one of those apps does not end the sign-in for it, but it still
// asks for the others, so only an exclusion of every such app (or the app itself) counts.
func forApps(apps map[string]any, clientID string) bool {
	excluded := func(id string) bool {
		for _, v := range list(apps["excludeApplications"]) {
			if strings.EqualFold(str(v), id) {
				return true
			}
		}
		return false
	}
	if clientID != "" && excluded(clientID) {
		return false
	}
	for _, v := range list(apps["includeApplications"]) {
		s := str(v)
		if s == "All" || (clientID != "" && strings.EqualFold(s, clientID)) {
			return true
		}
		for _, id := range usedApps {
			if strings.EqualFold(s, id) && !excluded(id) {
				return true
			}
		}
	}
	return false
}

func sortFrequencies(fs []Frequency) {
	for i := 1; i < len(fs); i++ {
		for j := i; j > 0 && shorter(fs[j], fs[j-1]); j-- {
			fs[j], fs[j-1] = fs[j-1], fs[j]
		}
	}
}

func shorter(a, b Frequency) bool {
	if a.EveryTime != b.EveryTime {
		return a.EveryTime
	}
	if a.Maybe != b.Maybe {
		return !a.Maybe
	}
	return a.Every < b.Every
}

// everyWords says a frequency: "every 4 hours", "every 7 days", "at every sign-in".
func (f Frequency) everyWords() string {
	switch {
	case f.EveryTime:
		return "at every sign-in"
	case f.Every%(24*time.Hour) == 0:
		return "every " + words.Count(int(f.Every/(24*time.Hour)), "day")
	}
	return "every " + words.Count(int(f.Every/time.Hour), "hour")
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}
