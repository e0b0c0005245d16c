// Package authmethods finds the users of a tenant whose default multifactor sign-in method is not
// a Microsoft Authenticator notification, and switches the ones that can be switched: the
// "Preferred Auth Method" fix of seed 002, for a whole tenant or for the users a ticket names.
//
// The wizard's steps are its functions: Precheck (Entra ID P1, and the technician's GDAP roles),
// Read or Find (Microsoft's sign-in methods report), Classify (which group each user is in),
// Plan, and Apply (PATCH signInPreferences, then read every changed user again).
package authmethods

import (
	"sort"
	"strings"
)

// Registration is one user's row of Microsoft's sign-in methods report, with the Graph property
// names of userRegistrationDetails (only the properties this package uses).
type Registration struct {
	ID                string   `json:"id"`
	UserPrincipalName string   `json:"userPrincipalName"`
	UserDisplayName   string   `json:"userDisplayName"`
	UserType          string   `json:"userType"` // member or guest
	IsAdmin           bool     `json:"isAdmin"`
	MethodsRegistered []string `json:"methodsRegistered"`
	// Preferred is the user's default method for MFA: push, oath, sms, voiceMobile,
	// voiceAlternateMobile, voiceOffice, none.
	Preferred string `json:"userPreferredMethodForSecondaryAuthentication"`
	// SystemPreferred says that system-preferred MFA is on for the user: Microsoft then asks for
	// the most secure method they have registered (SystemMethods), whatever Preferred says.
	SystemPreferred bool     `json:"isSystemPreferredAuthenticationMethodEnabled"`
	SystemMethods   []string `json:"systemPreferredAuthenticationMethods"`
}

// Name is the user's display name, or the sign-in name when the report has none.
func (r Registration) Name() string {
	if n := strings.TrimSpace(r.UserDisplayName); n != "" {
		return n
	}
	return r.UserPrincipalName
}

// HasAuthenticator says whether Microsoft Authenticator is set up to receive notifications.
func (r Registration) HasAuthenticator() bool {
	for _, m := range r.MethodsRegistered {
		if strings.EqualFold(m, methodAuthenticatorPush) {
			return true
		}
	}
	return false
}

// IsGuest says whether the user is a guest from another organization.
func (r Registration) IsGuest() bool {
	return strings.EqualFold(strings.TrimSpace(r.UserType), "guest")
}

const (
	methodAuthenticatorPush = "microsoftAuthenticatorPush" // methodsRegistered
	push                    = "push"                       // userPreferredMethodForSecondaryAuthentication
)

// Category is the group a user falls into.
type Category string

// Categories, in the order the wizard lists them.
const (
	// Fixable: Microsoft Authenticator is set up, but the default is another method.
	Fixable Category = "fixable"
	// SystemPreferred: system-preferred MFA is on, so Microsoft picks the method, whatever the
	// default says.
	SystemPreferred Category = "systemPreferred"
	// NoAuthenticator: the user has sign-in methods, but not Microsoft Authenticator. Only the
	// user can add it.
	NoAuthenticator Category = "noAuthenticator"
	// NoMethods: the user has set up no sign-in method for MFA at all.
	NoMethods Category = "noMethods"
	// Guest: an account of another organization, left alone.
	Guest Category = "guest"
	// Fine: the default is already a Microsoft Authenticator notification.
	Fine Category = "fine"
)

// Categories lists every category in the order the wizard shows them.
func Categories() []Category {
	return []Category{Fixable, SystemPreferred, NoAuthenticator, NoMethods, Guest, Fine}
}

func (c Category) rank() int {
	for i, x := range Categories() {
		if x == c {
			return i
		}
	}
	return len(Categories())
}

// Words names the category in a few plain words, for a heading or a filter.
func (c Category) Words() string {
	switch c {
	case Fixable:
		return "Default is not Authenticator"
	case SystemPreferred:
		return "System-preferred MFA decides"
	case NoAuthenticator:
		return "Authenticator not set up"
	case NoMethods:
		return "No sign-in method set up"
	case Guest:
		return "Guests"
	case Fine:
		return "Already Authenticator"
	}
	return string(c)
}

// Finding is one user, the group they fall into and what the wizard may do for them.
type Finding struct {
	User     Registration
	Category Category
	Admin    bool // the user holds an admin role: marked, and never ticked by default
	CanFix   bool // the user may be ticked: a change is possible and allowed
	Ticked   bool // ticked when the list first shows
	Sentence string
}

// Classify puts one user in a group and says, in plain words, why and what can be done. access
// decides whether an admin can be changed (see Access.CanChangeAdmins).
func Classify(r Registration, access Access) Finding {
	return classify(r, access, false)
}

// ClassifyLookup classifies a user found by sign-in name. Find has read their Authenticator
// registrations directly, so the report's delay is accounted for.
func ClassifyLookup(l Lookup, access Access) Finding {
	if l.Found == nil {
		return Finding{}
	}
	f := classify(*l.Found, access, true)
	if l.Recent && f.Category == Fixable {
		f.Sentence += " (Microsoft's report does not show Authenticator yet: it was set up in the last few hours.)"
	}
	if l.RecheckErr != nil && f.Category == NoAuthenticator {
		// Without the direct read, the report's word stands, and it may be a few hours behind.
		f.Sentence += " Microsoft's report may be a few hours behind, and Onboard365 could not read their Authenticator registrations directly to check: " + Describe(l.RecheckErr)
	}
	return f
}

func classify(r Registration, access Access, live bool) Finding {
	f := Finding{User: r, Admin: r.IsAdmin}
	now := MethodWords(r.Preferred)
	switch {
	case r.IsGuest():
		f.Category = Guest
		f.Sentence = "A guest: the account belongs to another organization, so Onboard365 leaves its sign-in methods alone."
	case len(r.MethodsRegistered) == 0:
		f.Category = NoMethods
		f.Sentence = "Has not set up any way to confirm a sign-in yet. Only the user can add Microsoft Authenticator: give them the instructions."
	case !r.HasAuthenticator():
		f.Category = NoAuthenticator
		f.Sentence = "Defaults to " + now + " and has not set up Microsoft Authenticator, so it cannot be made the default. " +
			"Only the user can add it: give them the instructions."
		if !live {
			f.Sentence += " If they set it up in the last few hours, Microsoft's report may not show it yet: look them up by sign-in name."
		}
	case r.SystemPreferred:
		f.Category = SystemPreferred
		f.CanFix = r.Preferred != push
		f.Sentence = "System-preferred MFA is on: Microsoft asks for the most secure method the user has set up (" +
			systemWords(r.SystemMethods) + "), whatever the default says. "
		if f.CanFix {
			f.Sentence += "Their default is " + now + "; switching it to Authenticator takes effect only if system-preferred MFA is turned off " +
				"(Entra admin center, Authentication methods, Settings), so it is not ticked."
		} else {
			f.Sentence += "Their default is already a Microsoft Authenticator notification."
		}
	case r.Preferred == push:
		f.Category = Fine
		f.Sentence = "Already defaults to a Microsoft Authenticator notification."
	default:
		f.Category = Fixable
		f.CanFix, f.Ticked = true, true
		f.Sentence = "Defaults to " + now + " although Microsoft Authenticator is set up: verification requests do not reach the app. " +
			"Switch the default to an Authenticator notification."
	}
	if f.Admin && f.CanFix {
		f.Ticked = false
		if access.Checked && !access.CanChangeAdmins() {
			f.CanFix = false
			f.Sentence = "Defaults to " + now + " although Microsoft Authenticator is set up. This user is an admin: changing an admin's " +
				"sign-in method needs Privileged Authentication Administrator, which your GDAP access does not include, so Onboard365 " +
				"leaves it alone. Add that role through GDAP relationships, or change it in the Entra admin center."
		} else {
			f.Sentence += " This user is an admin, so it is not ticked: tick it if you mean to change an admin's sign-in method."
		}
	}
	return f
}

// ClassifyAll classifies every user and sorts them: the groups in the order of Categories, in
// each the users who can be switched first, then by name.
func ClassifyAll(regs []Registration, access Access) []Finding {
	out := make([]Finding, len(regs))
	for i, r := range regs {
		out[i] = Classify(r, access)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].Category.rank(), out[j].Category.rank(); a != b {
			return a < b
		}
		if out[i].CanFix != out[j].CanFix { // within a group, those that can be switched first
			return out[i].CanFix
		}
		return strings.ToLower(out[i].User.Name()) < strings.ToLower(out[j].User.Name())
	})
	return out
}

// Count says how many users fall into each category.
func Count(fs []Finding) map[Category]int {
	n := map[Category]int{}
	for _, f := range fs {
		n[f.Category]++
	}
	return n
}

// Matches says whether a user's name or sign-in name holds the search text, in any letter case.
// Empty text matches everyone.
func Matches(f Finding, text string) bool {
	text = strings.ToLower(strings.TrimSpace(text))
	if text == "" {
		return true
	}
	return strings.Contains(strings.ToLower(f.User.UserDisplayName), text) ||
		strings.Contains(strings.ToLower(f.User.UserPrincipalName), text)
}

// MethodWords says what a default method (userPreferredMethodForSecondaryAuthentication, or an
// entry of systemPreferredAuthenticationMethods) is, in plain words.
func MethodWords(m string) string {
	switch strings.ToLower(strings.TrimSpace(m)) {
	case "push":
		return "a Microsoft Authenticator notification"
	case "oath", "softwareoath", "hardwareoath":
		return "a code from an authenticator app or token"
	case "sms":
		return "a text message"
	case "voicemobile":
		return "a call to their mobile phone"
	case "voicealternatemobile":
		return "a call to their alternate mobile phone"
	case "voiceoffice":
		return "a call to their office phone"
	case "fido2", "passkeydevicebound", "passkeydevicebound_authenticator", "passkey":
		return "a passkey"
	case "x509certificatemultifactor", "x509certificatesinglefactor":
		return "a certificate"
	case "temporaryaccesspass":
		return "a Temporary Access Pass"
	case "", "none":
		return "no default method"
	}
	return "a method Onboard365 does not know"
}

func systemWords(ms []string) string {
	if len(ms) == 0 {
		return "none shown yet"
	}
	words := make([]string, len(ms))
	for i, m := range ms {
		words[i] = MethodWords(m)
	}
	return "now " + strings.Join(words, ", ")
}
