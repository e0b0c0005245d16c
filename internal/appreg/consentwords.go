package appreg

import (
	"fmt"
	"slices"
	"strings"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/words"
)

// ConsentWords says, for the wizard, what the permission counts it shows mean: the app
// registration lists every Microsoft Graph permission the chosen tools use, but each is
// consented where it is used. Admin consent in the partner tenant grants the ones Onboard365
// uses there (permissions.Needs.Partner); the consent Partner Center makes in each customer
// grants the ones used in customers (Needs.Customers). A consent covers its own tenant only, so a
// customer that "lacks permissions" lacks some of its own list, whatever the partner tenant has.
func ConsentWords(n permissions.Needs) string {
	all, partner, customers := len(n.Delegated()), len(n.Partner), len(n.Customers)
	both := partner + customers - all
	var b strings.Builder
	fmt.Fprintf(&b, "About the numbers: the app registration lists %s, every one the chosen tools use. "+
		"Each is consented where it is used. In your partner tenant, your admin consent grants %s, for what "+
		"Onboard365 does there (your GDAP relationships and groups, your own sign-in checks). In each customer, "+
		"the consent Onboard365 asks Partner Center for grants %s, for what it reads and fixes in that customer.",
		words.Count(all, "Microsoft Graph permission"), ofThem(partner), ofThem(customers))
	if both > 0 {
		fmt.Fprintf(&b, " %d of them are on both lists.", both)
	}
	b.WriteString(" A consent covers its own tenant only: a customer that lacks permissions lacks some of its own list, " +
		"whatever your partner tenant has, and is fixed by consenting again in that customer.")
	if len(n.AppRoles) > 0 {
		var users []string
		for _, in := range permissions.Integrations() {
			if len(in.AppRoles) > 0 && slices.Contains(n.Integrations, in.Name) {
				users = append(users, in.Name)
			}
		}
		who, verb := "a chosen integration", "uses"
		if len(users) > 0 {
			who, verb = words.JoinAnd(users), words.Plural(len(users), "uses", "use")
		}
		fmt.Fprintf(&b, " The app also asks for %s, which %s %s as itself, without a user; %s consented in your partner tenant.",
			words.Count(len(n.AppRoles), "application permission"), who, verb, words.Plural(len(n.AppRoles), "it is", "they are"))
	}
	return b.String()
}

// ofThem counts some of the permissions the sentence named before ("1 of them", "8 of them").
func ofThem(n int) string { return fmt.Sprintf("%d of them", n) }
