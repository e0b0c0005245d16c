package onboard

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/words"
)

// The connection check: a token for the customer's tenant through GDAP (the technician's
// sign-in, the app's consent there, an active relationship whose roles are assigned to a group
// the technician is in: each of these failing gives a different answer), then one read for each
// class of roles the template grants, each a request with its Microsoft page.

// Class is a class of roles and the one read that shows the access works.
type Class struct {
	Name string // "users", as a sentence names what was read
	What string // what the read shows, for a sentence: "its users"
	Path string // the read, from the version on
	// Page is the request's page whose roles make the class (internal/reference/learn): a
	// template that grants one of them gets this read. "" for a read every admin role allows.
	Page string
}

// Classes are the reads the check can make.
var Classes = []Class{
	// Every Entra admin role can read the directory's users: the read every template gets.
	{Name: "users", What: "its users", Path: "/v1.0/users?$top=1&$select=id,displayName"},
	// The policy page names the roles that read Conditional Access (the list's page names none).
	{Name: "Conditional Access", What: "its Conditional Access policies", Path: "/v1.0/identity/conditionalAccess/policies?$top=1&$select=id,displayName",
		Page: "GET /v1.0/identity/conditionalAccess/policies/{id}"},
	{Name: "sign-in methods", What: "its sign-in methods report", Path: "/v1.0/reports/authenticationMethods/userRegistrationDetails",
		Page: "GET /v1.0/reports/authenticationMethods/userRegistrationDetails"},
}

// ReadsFor are the classes a set of granted roles (template ids) reaches: a class whose page
// names one of them (by Microsoft's role name), or every class for Global Administrator.
func ReadsFor(pages *learn.Data, granted []string) []Class {
	var out []Class
	ga := contains(granted, roles.GlobalAdministrator)
	for _, c := range Classes {
		if c.Page == "" || ga {
			out = append(out, c)
			continue
		}
		method, path, _ := strings.Cut(c.Page, " ")
		page, ok := pages.Get(learn.Graph, method, path)
		if !ok {
			continue
		}
		for _, name := range page.Roles {
			if id, ok := pages.RoleID(name); ok && contains(granted, id) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

// Reading is one read of the check and how it went.
type Reading struct {
	Class    string
	OK       bool
	Sentence string
}

// Verification is the connection check's answer.
type Verification struct {
	Connected bool
	Sentence  string // one verdict: connected, or exactly what does not work and what to do
	Readings  []Reading
	Checked   time.Time
}

// Verify gets a token for the customer's tenant through GDAP and makes one read per class of
// roles the access grants, then gives one verdict. Connected, it closes the customer's
// invitation in the ledger as onboarded.
func Verify(ctx context.Context, env Env, c Customer, a Access) Verification {
	v := Verification{Checked: env.now()}
	who := words.Name(c.Label())
	if c.TenantID == "" {
		v.Sentence = fmt.Sprintf("%s has not approved the request yet, so there is no tenant to check.", who)
		return v
	}
	client, err := env.Customer(ctx, c.TenantID)
	if err != nil {
		v.Sentence = fmt.Sprintf("Onboard365 could not reach %s: %s", who, explain.Sentence(err))
		return v
	}
	var ok, failed []string
	for _, cl := range ReadsFor(env.Pages, a.Profile.Roles) {
		var page listPage
		err := client.Do(ctx, "GET", cl.Path, nil, &page)
		r := Reading{Class: cl.Name, OK: err == nil}
		if err == nil {
			r.Sentence = fmt.Sprintf("%s: read %s.", words.UpperFirst(cl.Name), cl.What)
			ok = append(ok, cl.What)
		} else {
			r.Sentence = fmt.Sprintf("Could not read %s: %s", cl.What, explain.Sentence(err))
			failed = append(failed, r.Sentence)
		}
		v.Readings = append(v.Readings, r)
		if err != nil && len(ok) == 0 && tokenTrouble(err) {
			break // no token for the tenant: every other read would fail the same way
		}
	}
	switch {
	case len(failed) == 0 && len(ok) > 0:
		v.Connected = true
		v.Sentence = fmt.Sprintf("Connected: Onboard365 got a token for %s through GDAP and read %s.", who, words.JoinAnd(ok))
	case len(ok) == 0:
		v.Sentence = fmt.Sprintf("Not connected: %s", strings.Join(failed, " "))
	default:
		v.Sentence = fmt.Sprintf("Partly connected: Onboard365 reached %s through GDAP and read %s, but not everything the template's roles allow. %s",
			who, words.JoinAnd(ok), strings.Join(failed, " "))
	}
	if v.Connected {
		_ = env.Ledger.Update(ctx, func(invs []Invitation) ([]Invitation, error) {
			for i := range invs {
				if invs[i].Open() && invs[i].Customer.Is(c) && invs[i].Phase == Active {
					invs[i].Closed, invs[i].ClosedAt = "onboarded", v.Checked
				}
			}
			return invs, nil
		})
	}
	return v
}

// listPage is what each read of the check reads: one page of a list, its items left unread (the
// read shows the access works; what the customer holds is not the check's business).
type listPage struct {
	Value []json.RawMessage `json:"value"`
}

// tokenTrouble says whether an error is the identity platform refusing a token (an AADSTS code),
// rather than one read refused.
func tokenTrouble(err error) bool {
	x, ok := explain.Of(err)
	return ok && strings.HasPrefix(x.Code, "AADSTS")
}
