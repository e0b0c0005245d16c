package app

import (
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/authmethods"
	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/troubleshoot"
)

// TestDescribeEveryWizardsChange: the one place that turns a reviewed fix into an audit entry
// names the tenant each change is in and what it was before and after.
func TestDescribeEveryWizardsChange(t *testing.T) {
	const partner = "p-1"
	northwind := gdap.Customer{TenantID: "n-1", Name: "Northwind Traders"}
	teams, reports := "69091246-20e8-4a56-aa4d-066075b2a7a8", "4a5d8f65-41da-4de4-8968-e035b65339cf"
	tests := []struct {
		name       string
		change     any
		tenant     plan.Tenant
		outcome    plan.Outcome
		tenantID   string
		tenantName string
		change1    string // in Change
		before     string // in Before
		after      string // in After
	}{
		{"a group in the partner tenant", gdap.Fix{Kind: gdap.CreateGroup, GroupName: "GDAP - Teams Administrator"}, plan.Tenant{}, plan.Outcome{Done: true},
			"", "", `Created the security group "GDAP - Teams Administrator"`, "No group called", "with you in it"},
		{"roles added to an assignment", gdap.Fix{Kind: gdap.UpdateAccessAssignment, Customer: northwind, GroupName: "AdminAgents", RelationshipName: "Contoso - Northwind",
			Roles: []string{reports}, AssignmentRoles: []string{teams, reports}, AssignmentID: "as-1"}, plan.Tenant{}, plan.Outcome{Done: true},
			"n-1", "Northwind Traders", `Added roles to the group "AdminAgents"`, `"AdminAgents" holds Teams Administrator.`, "Teams Administrator, Reports Reader"},
		{"auto-extend", gdap.Fix{Kind: gdap.SetAutoExtend, Customer: northwind, RelationshipName: "Contoso - Northwind", AutoExtendDuration: "P180D"}, plan.Tenant{}, plan.Outcome{Done: true},
			"n-1", "Northwind Traders", "to extend automatically", "Does not extend", "P180D"},
		{"auto-extend refused: a new relationship instead", gdap.Fix{Kind: gdap.SetAutoExtend, Customer: northwind, RelationshipName: "Contoso - Northwind",
			Fallback: &gdap.Fix{Kind: gdap.RequestNewRelationship, Customer: northwind, RelationshipName: "Northwind - Liongard", Roles: []string{teams}, Duration: "P730D", AutoExtendDuration: "P180D"}},
			plan.Tenant{}, plan.Outcome{Done: true, ToCopy: []plan.Text{{Label: "Approval link", Text: "https://admin.microsoft.com/..."}}},
			"n-1", "Northwind Traders", `Requested the new GDAP relationship "Northwind - Liongard"`, "No relationship grants Teams Administrator", "waiting for the customer's approval"},
		{"a Conditional Access exclusion", troubleshoot.Fix{Kind: troubleshoot.ExcludeServiceProviders, Customer: troubleshoot.Customer{TenantID: "l-1", Name: "Litware"},
			PolicyID: "pol-1", PolicyName: "Block guests", PartnerTenantID: partner, AsCustomerAdmin: true}, plan.Tenant{}, plan.Outcome{Done: true},
			"l-1", "Litware", `policy "Block guests", with the customer administrator's sign-in`, "applies to service provider users from tenant p-1", "excludes"},
		{"a risk dismissed", troubleshoot.Fix{Kind: troubleshoot.DismissRisk, UserID: "u-1", UserName: "Lee"}, plan.Tenant{}, plan.Outcome{Done: true},
			"", "", "Dismissed the user risk of Lee", "At risk", "dismissed"},
		{"a default method", authmethods.Change{UserID: "u-2", UPN: "sam@proseware.com", Name: "Sam", From: "sms"}, plan.Tenant{ID: "pr-1", Name: "Proseware"}, plan.Outcome{Done: true},
			"pr-1", "Proseware", "Set the default sign-in method of Sam (sam@proseware.com)", "text message", "Authenticator"},
		{"another wizard's change", struct{}{}, plan.Tenant{ID: "x-1", Name: "Fabrikam"}, plan.Outcome{Done: true},
			"x-1", "Fabrikam", "Do the thing", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := describe(plan.Fix{ID: "f", What: "Do the thing.", Change: tt.change}, tt.outcome, tt.tenant, partner)
			wantID, wantName := tt.tenantID, tt.tenantName
			if wantID == "" {
				wantID, wantName = partner, partnerName
			}
			if e.TenantID == "" { // record fills in the partner tenant
				e.TenantID, e.TenantName = partner, partnerName
			}
			if e.TenantID != wantID || e.TenantName != wantName || !strings.Contains(e.Change, tt.change1) ||
				!strings.Contains(e.Before, tt.before) || !strings.Contains(e.After, tt.after) {
				t.Errorf("entry %+v", e)
			}
		})
	}
}
