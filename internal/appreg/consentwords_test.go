package appreg_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/appreg"
	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/reference/learn"
	"github.com/onboard365/onboard365/internal/roles"
)

// TestConsentWordsExplainTheCounts: the wizard's sentence about the permission counts gives the
// numbers the plan and the consents use, for the tools chosen.
func TestConsentWordsExplainTheCounts(t *testing.T) {
	pages, err := learn.Load()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		choice permissions.Choice
		also   []string
		not    []string
	}{
		{"Onboard365 alone", permissions.Choice{}, nil, []string{"application permission"}},
		{"with MSP Process and Liongard", permissions.Choice{Integrations: []string{roles.ProfileMSPProcess, roles.ProfileLiongard}, WebRedirects: []string{"https://msp.example.com/redirect"}},
			[]string{"1 application permission, which " + roles.ProfileMSPProcess + " uses as itself"}, []string{roles.ProfileLiongard + " use"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := permissions.Derive(pages, tt.choice)
			if err != nil {
				t.Fatal(err)
			}
			all, partner, customers := len(n.Delegated()), len(n.Partner), len(n.Customers)
			if partner == 0 || customers == 0 || partner+customers <= all {
				t.Fatalf("the derived lists do not overlap as expected: %d partner, %d customers, %d in all", partner, customers, all)
			}
			got := appreg.ConsentWords(n)
			want := append([]string{
				"lists " + strconv.Itoa(all) + " Microsoft Graph permissions",
				"your admin consent grants " + strconv.Itoa(partner) + " of them",
				"Partner Center for grants " + strconv.Itoa(customers) + " of them",
				strconv.Itoa(partner+customers-all) + " of them are on both lists",
				"A consent covers its own tenant only",
			}, tt.also...)
			for _, w := range want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			for _, w := range tt.not {
				if strings.Contains(got, w) {
					t.Errorf("%q should not be in:\n%s", w, got)
				}
			}
		})
	}
}
