package partnercenter

import (
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/reference/learn/learntest"
)

// TestMicrosoftsExampleAnswersDecode holds the client's readers to the example answers on
// Partner Center's pages.
func TestMicrosoftsExampleAnswersDecode(t *testing.T) {
	learntest.Check(t, "partnercenter", map[string]learntest.Read{
		"partnercenter/developer/get-an-organization-profile.md": func(t *testing.T, a learntest.Answer) {
			p := learntest.Decodes[OrganizationProfile](t, a.Where(), a.Body)
			if p.TenantID == "" || p.CompanyName == "" || p.DefaultAddress.Country == "" {
				t.Errorf("%s: the profile reads without tenant, name or country: %+v", a.Where(), p)
			}
		},
		"partnercenter/developer/get-a-list-of-customers.md": func(t *testing.T, a learntest.Answer) {
			items, next, err := decodeCustomers(a.Body)
			if err != nil || len(items) != len(learntest.Items(a.Body)) {
				t.Fatalf("%s: %d customers, %v", a.Where(), len(items), err)
			}
			for _, raw := range learntest.Items(a.Body) {
				if c := learntest.Decodes[Customer](t, a.Where(), raw); c.ID == "" || c.CompanyProfile.TenantID == "" {
					t.Errorf("%s: a customer reads without id or tenant: %+v", a.Where(), c)
				}
			}
			if next != nil {
				t.Errorf("%s: the example has no next page, the reader finds %+v", a.Where(), next)
			}
		},
		"partnercenter/developer/request-reseller-relationship.md": func(t *testing.T, a learntest.Answer) {
			rr := learntest.Decodes[RelationshipRequest](t, a.Where(), a.Body)
			if !strings.Contains(rr.URL, "invType=ResellerRelationship") {
				t.Errorf("%s: the invitation reads without its link: %+v", a.Where(), rr)
			}
		},
		// The page documents the consent calls without an example answer (201 Created for the
		// POST, 200 for the DELETE, in its prose); the client reads no body of either.
		"partnercenter/developer/control-panel-vendor-apis.md": nil,
	})
}
