package authmethods

import (
	"bytes"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/gdap"
	"github.com/onboard365/onboard365/internal/roles"
)

var (
	authAdminOnly = Access{Checked: true, Active: 1, Roles: map[string]bool{roles.AuthenticationAdministrator: true, roles.ReportsReader: true}}
	privAuthAdmin = Access{Checked: true, Active: 1, Roles: map[string]bool{roles.PrivilegedAuthenticationAdministrator: true, roles.GlobalReader: true}}
)

func TestClassify(t *testing.T) {
	both := []string{"microsoftAuthenticatorPush", "mobilePhone"}
	tests := []struct {
		name           string
		r              Registration
		access         Access
		cat            Category
		canFix, ticked bool
		says           string
	}{
		{"text message with Authenticator", Registration{MethodsRegistered: both, Preferred: "sms"}, authAdminOnly, Fixable, true, true, "Defaults to a text message although Microsoft Authenticator is set up"},
		{"office phone call", Registration{MethodsRegistered: both, Preferred: "voiceOffice"}, authAdminOnly, Fixable, true, true, "a call to their office phone"},
		{"no default at all", Registration{MethodsRegistered: both, Preferred: "none"}, authAdminOnly, Fixable, true, true, "no default method"},
		{"already push", Registration{MethodsRegistered: both, Preferred: "push"}, authAdminOnly, Fine, false, false, "Already defaults"},
		{"method letter case", Registration{MethodsRegistered: []string{"MicrosoftAuthenticatorPush"}, Preferred: "push"}, authAdminOnly, Fine, false, false, "Already"},
		{"phone only", Registration{MethodsRegistered: []string{"mobilePhone"}, Preferred: "sms"}, authAdminOnly, NoAuthenticator, false, false, "give them the instructions"},
		{"nothing set up", Registration{Preferred: "none"}, authAdminOnly, NoMethods, false, false, "Has not set up any way"},
		{"guest", Registration{UserType: "guest", MethodsRegistered: both, Preferred: "sms"}, authAdminOnly, Guest, false, false, "A guest"},
		{"guest in capitals", Registration{UserType: "Guest"}, authAdminOnly, Guest, false, false, "A guest"},
		{"system-preferred, text default", Registration{MethodsRegistered: both, Preferred: "sms", SystemPreferred: true, SystemMethods: []string{"push"}}, authAdminOnly, SystemPreferred, true, false, "now a Microsoft Authenticator notification"},
		{"system-preferred, push default", Registration{MethodsRegistered: both, Preferred: "push", SystemPreferred: true}, authAdminOnly, SystemPreferred, false, false, "already a Microsoft Authenticator notification"},
		{"admin with Authentication Administrator", Registration{IsAdmin: true, MethodsRegistered: both, Preferred: "sms"}, authAdminOnly, Fixable, false, false, "needs Privileged Authentication Administrator"},
		{"admin with Privileged Authentication Administrator", Registration{IsAdmin: true, MethodsRegistered: both, Preferred: "sms"}, privAuthAdmin, Fixable, true, false, "This user is an admin, so it is not ticked"},
		{"admin, roles unknown", Registration{IsAdmin: true, MethodsRegistered: both, Preferred: "sms"}, PartnerAccess(), Fixable, true, false, "not ticked"},
		{"unknown method value", Registration{MethodsRegistered: both, Preferred: "carrierPigeon"}, authAdminOnly, Fixable, true, true, "a method Onboard365 does not know"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Classify(tt.r, tt.access)
			if f.Category != tt.cat || f.CanFix != tt.canFix || f.Ticked != tt.ticked {
				t.Errorf("got %s canFix=%v ticked=%v, want %s %v %v", f.Category, f.CanFix, f.Ticked, tt.cat, tt.canFix, tt.ticked)
			}
			if !strings.Contains(f.Sentence, tt.says) {
				t.Errorf("sentence %q does not say %q", f.Sentence, tt.says)
			}
			if f.Ticked && !f.CanFix {
				t.Error("ticked but cannot be fixed")
			}
		})
	}
}

func TestClassifyAllSortsToFixFirstThenByName(t *testing.T) {
	both := []string{"microsoftAuthenticatorPush", "mobilePhone"}
	regs := []Registration{
		{ID: "1", UserDisplayName: "zoe", MethodsRegistered: both, Preferred: "push"},
		{ID: "2", UserDisplayName: "Yann", MethodsRegistered: both, Preferred: "sms"},
		{ID: "3", UserDisplayName: "amy", MethodsRegistered: both, Preferred: "push"},
		{ID: "4", UserDisplayName: "Bob", MethodsRegistered: both, Preferred: "sms"},
		{ID: "5", UserType: "guest", UserDisplayName: "Al"},
	}
	var got []string
	for _, f := range ClassifyAll(regs, authAdminOnly) {
		got = append(got, f.User.ID)
	}
	if strings.Join(got, "") != "42531" {
		t.Errorf("order %v, want Bob, Yann (to fix), Al (guest), amy, zoe (fine)", got)
	}
}

func TestMatches(t *testing.T) {
	f := Finding{User: Registration{UserDisplayName: "Pat Fernandez", UserPrincipalName: "pat@proseware.onmicrosoft.com"}}
	for text, want := range map[string]bool{"": true, "  ": true, "fern": true, "PAT@": true, "proseware": true, "sam": false} {
		if got := Matches(f, text); got != want {
			t.Errorf("Matches(%q) = %v", text, got)
		}
	}
}

func TestParseUPNs(t *testing.T) {
	tests := []struct {
		in        string
		upns, bad string
	}{
		{"pat@contoso.com", "pat@contoso.com", ""},
		{"pat@contoso.com, sam@contoso.com;kim@contoso.com\njo@contoso.com", "pat@contoso.com sam@contoso.com kim@contoso.com jo@contoso.com", ""},
		{"Pat Fernandez <pat@contoso.com>", "pat@contoso.com", ""},
		{"\"pat@contoso.com\" PAT@CONTOSO.COM mailto:pat@contoso.com", "pat@contoso.com", ""},
		{"pat, @contoso.com, sam@", "", "pat|@contoso.com|sam@"},
		{"  \n ;, ", "", ""},
		{"a_b.c#EXT#@contoso.onmicrosoft.com", "a_b.c#EXT#@contoso.onmicrosoft.com", ""},
	}
	for _, tt := range tests {
		upns, bad := ParseUPNs(tt.in)
		if strings.Join(upns, " ") != tt.upns || strings.Join(bad, "|") != tt.bad {
			t.Errorf("ParseUPNs(%q) = %q, %q; want %q, %q", tt.in, upns, bad, tt.upns, tt.bad)
		}
	}
}

func sku(status string, seats int, plans ...string) SubscribedSku {
	var s SubscribedSku
	s.CapabilityStatus, s.PrepaidUnits.Enabled = status, seats
	for _, p := range plans {
		s.ServicePlans = append(s.ServicePlans, struct {
			ServicePlanID   string `json:"servicePlanId"`
			ServicePlanName string `json:"servicePlanName"`
		}{ServicePlanID: p})
	}
	return s
}

func TestHasEntraP1(t *testing.T) {
	tests := []struct {
		name string
		skus []SubscribedSku
		want bool
	}{
		{"Business Premium", []SubscribedSku{sku("Enabled", 10, "9aaf7827-d63c-4b61-89c3-182f06f82e5c", planAADPremium)}, true},
		{"upper-case plan id", []SubscribedSku{sku("Enabled", 10, strings.ToUpper(planAADPremium))}, true},
		{"grace period", []SubscribedSku{sku("Warning", 10, planAADPremium)}, true},
		{"suspended", []SubscribedSku{sku("Suspended", 10, planAADPremium)}, false},
		{"no seats", []SubscribedSku{sku("Enabled", 0, planAADPremium)}, false},
		{"Business Basic", []SubscribedSku{sku("Enabled", 10, "9aaf7827-d63c-4b61-89c3-182f06f82e5c")}, false},
		{"nothing", nil, false},
	}
	for _, tt := range tests {
		if got := HasEntraP1(tt.skus); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestAccessFrom(t *testing.T) {
	rel := func(tenant, status string, assignments ...gdap.AccessAssignment) gdap.RelationshipAccess {
		return gdap.RelationshipAccess{Relationship: gdap.Relationship{Status: status, Customer: gdap.CustomerParticipant{TenantID: tenant}}, Assignments: assignments}
	}
	assign := func(group, status string, ids ...string) gdap.AccessAssignment {
		a := gdap.AccessAssignment{Status: status, AccessContainer: gdap.AccessContainer{AccessContainerID: group}}
		for _, id := range ids {
			a.AccessDetails.UnifiedRoles = append(a.AccessDetails.UnifiedRoles, gdap.UnifiedRole{RoleDefinitionID: strings.ToUpper(id)})
		}
		return a
	}
	inv := gdap.Inventory{
		TechnicianGroups: map[string]bool{"mine": true},
		Relationships: []gdap.RelationshipAccess{
			rel("T1", "active", assign("mine", "active", roles.AuthenticationAdministrator), assign("other", "active", roles.PrivilegedAuthenticationAdministrator)),
			rel("t1", "expiring", assign("mine", "active", roles.ReportsReader)),
			rel("t1", "expired", assign("mine", "active", roles.GlobalAdministrator)),
			rel("t1", "active", assign("mine", "pending", roles.PrivilegedAuthenticationAdministrator)),
			rel("t2", "active", assign("mine", "active", roles.GlobalAdministrator)),
		},
	}
	a := AccessFrom(inv, "t1")
	if !a.Checked || a.Active != 3 || !a.CanRead() || !a.CanChange() || a.CanChangeAdmins() {
		t.Errorf("t1: %+v read=%v change=%v admins=%v", a, a.CanRead(), a.CanChange(), a.CanChangeAdmins())
	}
	if a := AccessFrom(inv, "t3"); !a.Checked || a.Active != 0 || a.CanRead() || a.CanChange() {
		t.Errorf("no relationship: %+v", a)
	}
	inv.TechnicianErr = errTest
	if a := AccessFrom(inv, "t1"); a.Checked || a.Reason == "" || !a.CanChange() {
		t.Errorf("unknown groups must leave the roles unchecked with a reason: %+v", a)
	}
}

var errTest = bytes.ErrTooLarge

func TestInstructions(t *testing.T) {
	text := Instructions("Proseware")
	for _, want := range []string{"Proseware account", "https://aka.ms/mysecurityinfo", "1. ", "5. ", "Microsoft Authenticator - notification"} {
		if !strings.Contains(text, want) {
			t.Errorf("the instructions do not say %q:\n%s", want, text)
		}
	}
	var b bytes.Buffer
	if err := WriteInstructions(&b, "Proseware <script>", []Person{{"Kim Larsen", "kim@proseware.onmicrosoft.com"}, {"Robin", "robin@proseware.onmicrosoft.com"}}); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if strings.Count(html, "<section>") != 2 || !strings.Contains(html, "For Kim Larsen (kim@proseware.onmicrosoft.com)") || strings.Contains(html, "<script>") {
		t.Errorf("one escaped page per person expected:\n%s", html)
	}
	b.Reset()
	if err := WriteInstructions(&b, "Proseware", nil); err != nil || strings.Count(b.String(), "<section>") != 1 {
		t.Errorf("with nobody named, one page for anyone: %v", err)
	}
}
