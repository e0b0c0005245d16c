package app

import (
	"fmt"
	"sort"
	"strings"

	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/words"
)

// Profile is a set of roles an integration needs, for the person to choose.
type Profile struct {
	Name, Description string
	Roles             []string // role names, for the person to read
}

// RoleChoice is one Entra role to tick when building a profile of one's own.
type RoleChoice struct {
	ID, Name, Allows, Risk string
}

// defaultStore is where the user's own profiles are kept; nil when this computer has no settings
// folder.
func defaultStore() *roles.ProfileStore {
	if store, err := roles.DefaultProfileStore(); err == nil {
		return &store
	}
	return nil
}

// allProfiles are the built-in profiles and then the user's own.
func allProfiles(store *roles.ProfileStore) []roles.Profile {
	all := roles.BuiltIn()
	if store != nil {
		if mine, err := store.Load(); err == nil {
			all = append(all, mine...)
		}
	}
	return all
}

// FindProfile finds a built-in role profile, or one the user saved in the app; the error names
// the profiles there are.
func FindProfile(name string) (roles.Profile, error) { return findProfile(defaultStore(), name) }

func findProfile(store *roles.ProfileStore, name string) (roles.Profile, error) {
	if p, ok := roles.Find(name); ok {
		return p, nil
	}
	if store != nil {
		custom, err := store.Load()
		if err != nil {
			return roles.Profile{}, err
		}
		if p, ok := roles.Lookup(custom, name); ok {
			return p, nil
		}
		var names []string
		for _, p := range custom {
			names = append(names, fmt.Sprintf("%q", p.Name))
		}
		sort.Strings(names)
		if len(names) > 0 {
			return roles.Profile{}, fmt.Errorf("there is no role profile called %q. The profiles are %s, and yours: %s", name, BuiltInProfiles(), strings.Join(names, ", "))
		}
	}
	return roles.Profile{}, fmt.Errorf("there is no role profile called %q. The profiles are %s", name, BuiltInProfiles())
}

// BuiltInProfiles names the built-in profiles, quoted, for a sentence or a command's help.
func BuiltInProfiles() string {
	var names []string
	for _, p := range roles.BuiltIn() {
		names = append(names, fmt.Sprintf("%q", p.Name))
	}
	return strings.Join(names, ", ")
}

// profileChoices is what the pages show of profiles.
func profileChoices(ps []roles.Profile) []Profile {
	var out []Profile
	for _, p := range ps {
		names := make([]string, len(p.Roles))
		for i, id := range p.Roles {
			names[i] = roles.Name(id)
		}
		out = append(out, Profile{Name: p.Name, Description: p.Description, Roles: names})
	}
	return words.Cleaned(out) // the user's own profiles: outside strings too
}

// roleChoices lists the roles a profile of one's own can be built from.
func roleChoices() []RoleChoice {
	var out []RoleChoice
	for _, r := range roles.Catalog() {
		out = append(out, RoleChoice{ID: r.ID, Name: r.Name, Allows: r.Allows, Risk: strings.ToLower(string(r.Risk))})
	}
	return out
}

// saveProfile adds (or replaces) a profile of the user's own.
func saveProfile(store *roles.ProfileStore, name string, roleIDs []string) error {
	if store == nil {
		return fmt.Errorf("profiles of your own cannot be kept on this computer: no settings folder was found")
	}
	if name == "" {
		return fmt.Errorf("give the profile a name")
	}
	if len(roleIDs) == 0 {
		return fmt.Errorf("tick at least one role for the profile")
	}
	mine, err := store.Load()
	if err != nil {
		return err
	}
	p := roles.Profile{Name: name, Description: "Your own profile.", Roles: roleIDs}
	kept := mine[:0]
	for _, m := range mine {
		if m.Name != name {
			kept = append(kept, m)
		}
	}
	return store.Save(append(kept, p))
}
