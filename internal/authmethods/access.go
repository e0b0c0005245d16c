package authmethods

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/roles"
	"github.com/onboard365/onboard365/internal/words"
)

// Roles that let the technician read Microsoft's sign-in methods report, and change users'
// default method (Microsoft's least privileged roles for userRegistrationDetails and for
// signInPreferences, and the ones above them).
var (
	readRoles        = []string{roles.ReportsReader, roles.SecurityReader, roles.GlobalReader, roles.SecurityAdministrator, roles.GlobalAdministrator}
	changeRoles      = []string{roles.AuthenticationAdministrator, roles.PrivilegedAuthenticationAdministrator, roles.GlobalAdministrator}
	changeAdminRoles = []string{roles.PrivilegedAuthenticationAdministrator, roles.GlobalAdministrator}
)

// Access is what the technician's GDAP access lets them do in one customer.
type Access struct {
	// Checked is true when the roles are known in advance: a customer whose relationships and
	// the technician's groups could be read. In the partner's own tenant the technician's own
	// admin roles count, and Microsoft's answers tell.
	Checked bool
	Roles   map[string]bool // role template ids (lower case) the technician holds there
	Active  int             // active relationships with the customer
	Reason  string          // why the roles are not known, when Checked is false
}

func (a Access) holdsAny(ids []string) bool {
	for _, id := range ids {
		if a.Roles[strings.ToLower(id)] {
			return true
		}
	}
	return false
}

// CanRead says whether the technician may read the sign-in methods report (true when unchecked).
func (a Access) CanRead() bool { return !a.Checked || a.holdsAny(readRoles) }

// CanChange says whether the technician may change users' default method (true when unchecked).
func (a Access) CanChange() bool { return !a.Checked || a.holdsAny(changeRoles) }

// CanChangeAdmins says whether the technician may change an admin's default method: Microsoft
// lets Authentication Administrator change only users who are not admins.
func (a Access) CanChangeAdmins() bool { return !a.Checked || a.holdsAny(changeAdminRoles) }

// AccessFrom works out the technician's roles in a customer from the GDAP inventory: the roles
// of the active relationships with the customer, assigned to groups the technician is in.
func AccessFrom(inv gdap.Inventory, tenantID string) Access {
	if inv.TechnicianErr != nil {
		return Access{Reason: "Onboard365 could not read which groups you are in, so it cannot tell your roles in advance."}
	}
	a := Access{Checked: true, Roles: map[string]bool{}}
	for _, ra := range inv.Relationships {
		r := ra.Relationship
		if !strings.EqualFold(strings.TrimSpace(r.Customer.TenantID), strings.TrimSpace(tenantID)) {
			continue
		}
		if s := strings.ToLower(r.Status); s != "active" && s != "expiring" {
			continue
		}
		a.Active++
		if ra.Err != nil {
			return Access{Active: a.Active, Reason: "Onboard365 could not read the role assignments of a relationship with this customer, so it cannot tell your roles in advance."}
		}
		for _, as := range ra.Assignments {
			if !strings.EqualFold(as.Status, "active") || !inv.TechnicianGroups[as.AccessContainer.AccessContainerID] {
				continue
			}
			for _, u := range as.AccessDetails.UnifiedRoles {
				a.Roles[strings.ToLower(u.RoleDefinitionID)] = true
			}
		}
	}
	return a
}

// PartnerAccess is the access in the partner's own tenant: not known in advance.
func PartnerAccess() Access {
	return Access{Reason: "In your own partner tenant your account's own admin roles count; Microsoft's answers will tell if one is missing."}
}

// Licence says whether a tenant has Entra ID P1.
type Licence string

// Licence states.
const (
	HasP1          Licence = "hasP1"
	NoP1           Licence = "noP1"
	LicenceUnknown Licence = "unknown"
)

// Entra ID P1's service plan: AAD_PREMIUM. Every SKU with P1 or P2 carries it.
const (
	planAADPremium     = "41781fb2-bc02-4b7c-bd55-b576c07bb09d"
	planAADPremiumName = "AAD_PREMIUM"
)

// SubscribedSku is a licence the tenant has bought, with the Graph property names of
// subscribedSku (only what this package reads).
type SubscribedSku struct {
	SkuPartNumber    string `json:"skuPartNumber"`
	CapabilityStatus string `json:"capabilityStatus"`
	PrepaidUnits     struct {
		Enabled int `json:"enabled"`
	} `json:"prepaidUnits"`
	ServicePlans []struct {
		ServicePlanID   string `json:"servicePlanId"`
		ServicePlanName string `json:"servicePlanName"`
	} `json:"servicePlans"`
}

// HasEntraP1 says whether any usable licence includes Entra ID P1 (AAD_PREMIUM): one that is
// enabled (or in its grace period, "Warning") and has seats.
func HasEntraP1(skus []SubscribedSku) bool {
	for _, s := range skus {
		status := strings.ToLower(s.CapabilityStatus)
		if (status != "enabled" && status != "warning") || s.PrepaidUnits.Enabled <= 0 {
			continue
		}
		for _, p := range s.ServicePlans {
			if strings.EqualFold(p.ServicePlanID, planAADPremium) || strings.EqualFold(p.ServicePlanName, planAADPremiumName) {
				return true
			}
		}
	}
	return false
}

const skusPath = "/v1.0/subscribedSkus?$select=skuPartNumber,capabilityStatus,prepaidUnits,servicePlans"

// Check is the outcome of the pre-checks for one tenant.
type Check struct {
	Tenant  string // the tenant's name, as the sentences say it
	Licence Licence
	Access  Access
	// Stops are the reasons the wizard cannot go on, in plain words; none means it can.
	Stops []string
	// Notes are worth knowing but do not stop the wizard.
	Notes []string
	// NeedsGDAP is true when a stop is about missing roles, which the GDAP relationships wizard
	// can fix.
	NeedsGDAP bool
}

// capitalised makes every sentence start with a capital letter (a tenant named "your partner
// tenant" starts some of them).
func (c Check) capitalised() Check {
	for i, s := range c.Stops {
		c.Stops[i] = words.UpperFirst(s)
	}
	for i, s := range c.Notes {
		c.Notes[i] = words.UpperFirst(s)
	}
	return c
}

// OK says whether the wizard may go on.
func (c Check) OK() bool { return len(c.Stops) == 0 }

// Precheck checks, for the tenant c works on, that it has Entra ID P1 (Microsoft's sign-in
// methods report needs it) and that access includes a role that reads the report and one that
// changes default methods. tenant is the tenant's name for the sentences.
func Precheck(ctx context.Context, c *graph.Client, tenant string, access Access) Check {
	return precheck(ctx, c, tenant, access).capitalised()
}

func precheck(ctx context.Context, c *graph.Client, tenant string, access Access) Check {
	ch := Check{Tenant: tenant, Access: access, Licence: LicenceUnknown}
	skus, err := graph.List[SubscribedSku](ctx, c, skusPath)
	var ge *graph.Error
	switch {
	case err == nil && HasEntraP1(skus):
		ch.Licence = HasP1
	case err == nil:
		ch.Licence = NoP1
		ch.Stops = append(ch.Stops, tenant+" has no Microsoft Entra ID P1 licence. Microsoft's sign-in methods report, which this wizard reads, "+
			"needs it (Microsoft 365 Business Premium, E3 and E5 include it). Add P1 to the tenant, or change each user's default method in the Entra admin center.")
	case errors.As(err, &ge) && ge.Status == http.StatusForbidden:
		ch.Notes = append(ch.Notes, "Onboard365 could not check "+tenant+"'s licences: your access there has no role that reads them "+
			"(Global Reader does). If the tenant lacks Entra ID P1, the next step will say so.")
	default:
		ch.Stops = append(ch.Stops, "Onboard365 could not reach "+tenant+": "+Describe(err))
		return ch
	}

	if !access.Checked {
		if access.Reason != "" {
			ch.Notes = append(ch.Notes, access.Reason)
		}
		return ch
	}
	if access.Active == 0 {
		ch.Stops = append(ch.Stops, "You have no active GDAP relationship with "+tenant+", so you cannot reach its users. "+
			"Open GDAP relationships to request one with Reports Reader and Authentication Administrator.")
		ch.NeedsGDAP = true
		return ch
	}
	if !access.CanRead() {
		ch.Stops = append(ch.Stops, "Your GDAP access to "+tenant+" has no role that can read the sign-in methods report. "+
			"Add Reports Reader (or Security Reader) to a relationship with "+tenant+", assigned to a group you are in: GDAP relationships can do it.")
		ch.NeedsGDAP = true
	}
	if !access.CanChange() {
		ch.Stops = append(ch.Stops, "Your GDAP access to "+tenant+" has no role that can change users' default sign-in method. "+
			"Add Authentication Administrator (or Privileged Authentication Administrator) to a relationship with "+tenant+", assigned to a group you are in: GDAP relationships can do it.")
		ch.NeedsGDAP = true
	}
	if ch.OK() && !access.CanChangeAdmins() {
		ch.Notes = append(ch.Notes, "You hold Authentication Administrator in "+tenant+", which changes users who are not admins. "+
			"Admins' default method needs Privileged Authentication Administrator, so Onboard365 will leave admins alone.")
	}
	return ch
}

// Describe says what went wrong in plain words: a licence Microsoft says is missing, Microsoft's
// error explained, or the error's own words. It never holds Microsoft's free text or a token.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var ge *graph.Error
	if errors.As(err, &ge) && strings.EqualFold(ge.Code, codeNonPremium) {
		return "Microsoft says this tenant has no Microsoft Entra ID P1 licence, which the sign-in methods report needs. Add P1 to the tenant, then try again."
	}
	var x explain.Explainer // Graph's errors, and the HTTP core's "gave up" and network failures
	if errors.As(err, &x) {
		return x.Explanation().String()
	}
	return explain.Sentence(err)
}

// codeNonPremium is Graph's error code for a report asked of a tenant without Entra ID P1.
const codeNonPremium = "Authentication_RequestFromNonPremiumTenantOrB2CTenant"

// ErrNoP1 is the error of a read refused because the tenant has no Entra ID P1.
var ErrNoP1 = errors.New("this tenant has no Microsoft Entra ID P1 licence, which Microsoft's sign-in methods report needs; add P1 to the tenant, then try again")

// explainRead turns the error of a read into what the user is told.
func explainRead(what string, err error) error {
	var ge *graph.Error
	if errors.As(err, &ge) && strings.EqualFold(ge.Code, codeNonPremium) {
		return ErrNoP1
	}
	return fmt.Errorf("%s: %w", what, err)
}
