// Package onboard is the domain of the "Onboard a customer" wizard: bringing one customer, an
// existing one or one that is not with the partner yet, from nothing to a verified GDAP
// connection.
//
// The journey, each step planned, reviewed, applied and read back (Check, then Apply):
//
//  1. who: a customer from Partner Center's list, or a new one named by its domain, who may also
//     get Partner Center's reseller invitation;
//  2. what access: templates (internal/roles profiles: the roles, and which partner group gets
//     which), combined into one request with the union of their roles (Combine);
//  3. invite: one GDAP relationship request, locked for the customer's approval, recorded in the
//     invitation ledger (Ledger) with its approval link;
//  4. wait: the request's status read again with backoff until the customer's administrator
//     approves it and Microsoft activates it (Wait), its age held against Microsoft's 90 days;
//  5. finish: the groups, access assignments and the technician's membership of the template
//     (internal/gdap's fixes), and the app's consent through Partner Center (internal/appreg);
//  6. verify: a token for the customer tenant through GDAP and one read per role class the
//     template grants, then one verdict (Verify).
//
// It knows nothing of windows or command lines (internal/app turns it into plans and pages).
package onboard

import (
	"fmt"
	"strings"

	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/words"
)

// Access is what a customer is asked for: the templates chosen, combined.
type Access struct {
	Templates []string // the templates' names, in the order chosen
	// Profile is their union: every role once, in the templates' order, and for each role the
	// partner group a template names for it. Its name joins the templates' names.
	Profile roles.Profile
	// GlobalAdmin is true when Global Administrator is asked for (only when the person ticked it).
	GlobalAdmin bool
	// Notes say what was left out and why, in plain words.
	Notes []string
}

// Combine makes one request of several templates: the union of their roles, each role in the
// group the first template that names one puts it. Global Administrator is asked for only when
// globalAdmin is true (the person ticked it): a template that holds it loses it otherwise, and a
// note says so. Two templates that want one role in two different groups are an error that names
// both: one access assignment per group and role is what GDAP gives, so the person chooses.
func Combine(templates []roles.Profile, globalAdmin bool) (Access, error) {
	if len(templates) == 0 {
		return Access{}, fmt.Errorf("choose at least one template: the roles your technicians need in the customer")
	}
	a := Access{}
	p := roles.Profile{Groups: map[string]string{}}
	from := map[string]string{} // role -> template that named its group
	var names []string
	droppedGA := ""
	for _, t := range templates {
		a.Templates = append(a.Templates, t.Name)
		names = append(names, t.Name)
		for _, r := range t.Roles {
			id := strings.ToLower(strings.TrimSpace(r))
			if id == roles.GlobalAdministrator && !globalAdmin {
				droppedGA = t.Name
				continue
			}
			if !contains(p.Roles, id) {
				p.Roles = append(p.Roles, id)
			}
			g := strings.TrimSpace(t.GroupFor(r))
			if g == "" {
				continue
			}
			if have, ok := p.Groups[id]; ok && !strings.EqualFold(have, g) {
				return Access{}, fmt.Errorf("%s wants %s in the group %q and %s wants it in %q: choose one of the two templates, or make one of your own with the group you want",
					words.Quote(from[id]), roles.Name(id), have, words.Quote(t.Name), g)
			}
			p.Groups[id], from[id] = g, t.Name
		}
	}
	if globalAdmin && !contains(p.Roles, roles.GlobalAdministrator) {
		p.Roles = append(p.Roles, roles.GlobalAdministrator)
	}
	if len(p.Roles) == 0 {
		return Access{}, fmt.Errorf("the templates ask for no role besides Global Administrator: tick Global Administrator or choose another template")
	}
	a.GlobalAdmin = contains(p.Roles, roles.GlobalAdministrator)
	p.Name = strings.Join(names, " + ")
	p.Description = "The roles of " + words.JoinAnd(quoted(names)) + ", in one relationship."
	if len(p.Groups) == 0 {
		p.Groups = nil
	}
	a.Profile = p
	if droppedGA != "" {
		a.Notes = append(a.Notes, fmt.Sprintf("%s includes Global Administrator, which is left out because it was not ticked.", words.Quote(droppedGA)))
	}
	if a.GlobalAdmin {
		a.Notes = append(a.Notes, GlobalAdminConsequence)
	}
	return a, nil
}

// GlobalAdminConsequence is what asking for Global Administrator costs.
const GlobalAdminConsequence = "With Global Administrator the relationship cannot extend automatically (Microsoft does not allow it): it ends after " +
	"two years and the customer must approve a new one then. Global Administrator can do everything in the customer's tenant; most tools need far less."

// GroupFor is the partner group a role of the access goes to: the template's, or pattern's
// ("{role}" for the role's name; gdap.DefaultGroupPattern when empty).
func (a Access) GroupFor(role, pattern string) string {
	if g := a.Profile.GroupFor(role); g != "" {
		return g
	}
	if pattern == "" {
		pattern = "GDAP - {role}"
	}
	return strings.ReplaceAll(pattern, "{role}", roles.Name(role))
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

func quoted(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = words.Quote(n)
	}
	return out
}
