package troubleshoot

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/onboard365/onboard365/internal/auth"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/plan"
)

const (
	techID      = "11111111-1111-4111-8111-111111111111"
	adminAgents = "22222222-2222-4222-8222-222222222222"
)

// mfaPolicyJSON is a partner policy that asks for MFA, with users and conditions to vary.
func mfaPolicyJSON(t *testing.T, state, users, grant string, more ...string) map[string]any {
	t.Helper()
	cond := `"users":` + users + `,"applications":{"includeApplications":["All"]},"clientAppTypes":["all"]`
	for _, m := range more {
		cond += "," + m
	}
	return policyJSON(t, `{"id":"m","displayName":"MFA","state":"`+state+`","conditions":{`+cond+`},"grantControls":`+grant+`}`)
}

func TestMFAEnforcement(t *testing.T) {
	on, off := true, false
	licence := &graph.Error{Status: 403, Code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant"}
	denied := &graph.Error{Status: 403, Code: "Authorization_RequestDenied"}
	facts := partnerFacts{tenantID: partnerID, haveTechnician: true, technician: person{ID: techID, UserPrincipalName: "alex@contoso"},
		techGroups: map[string]bool{adminAgents: true}, adminAgents: adminAgents, groupNames: map[string]string{"g9": "Contractors"}}
	for _, tc := range []struct {
		name     string
		defaults *bool
		policies []map[string]any
		err      error
		status   plan.Status
		says     []string
	}{
		{"security defaults", &on, nil, nil, plan.Pass, []string{"Security defaults are on"}},
		{"nothing", &off, nil, nil, plan.Fail, []string{"Nothing enforces MFA in your partner tenant"}},
		{"MFA for all users", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeUsers":["All"]}`, mfa)}, nil, plan.Pass,
			[]string{`Your partner tenant enforces MFA: "MFA" asks every user it covers`}},
		{"report-only", &off, []map[string]any{mfaPolicyJSON(t, "enabledForReportingButNotEnforced", `{"includeUsers":["All"]}`, mfa)}, nil, plan.Fail,
			[]string{"report-only mode, which enforces nothing"}},
		{"AdminAgents only", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeGroups":["`+adminAgents+`"]}`, mfa)}, nil, plan.Pass, nil},
		{"MFA or a compliant device", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeUsers":["All"]}`, `{"operator":"OR","builtInControls":["mfa","compliantDevice"]}`)}, nil, plan.Fail, nil},
		{"MFA and a compliant device", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeUsers":["All"]}`, `{"operator":"AND","builtInControls":["mfa","compliantDevice"]}`)}, nil, plan.Pass, nil},
		{"an authentication strength", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeUsers":["All"]}`, `{"operator":"OR","builtInControls":[],"authenticationStrength":{"id":"s"}}`)}, nil, plan.Pass, nil},
		{"only some apps", &off, []map[string]any{policyJSON(t, `{"displayName":"Portals","state":"enabled","conditions":{"users":{"includeUsers":["All"]},"applications":{"includeApplications":["MicrosoftAdminPortals"]}},"grantControls":`+mfa+`}`)}, nil, plan.Fail, nil},
		{"legacy clients only", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeUsers":["All"]}`, mfa, `"clientAppTypes":["other"]`)}, nil, plan.Fail, nil},
		{"risky sign-ins only", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeUsers":["All"]}`, mfa, `"signInRiskLevels":["high"]`)}, nil, plan.Fail, nil},
		{"the technician excluded", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeUsers":["All"],"excludeUsers":["`+techID+`"]}`, mfa)}, nil, plan.Fail,
			[]string{"leave you out: alex@contoso can sign in without MFA"}},
		{"AdminAgents excluded", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeUsers":["All"],"excludeGroups":["`+adminAgents+`"]}`, mfa)}, nil, plan.Fail,
			[]string{"leaves out the AdminAgents group"}},
		{"a role excluded", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeUsers":["All"],"excludeRoles":["62e90394-69f5-4237-9190-012177145e10"]}`, mfa)}, nil, plan.Warning,
			[]string{"leave out everyone who holds Global Administrator"}},
		{"trusted locations skip MFA", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeUsers":["All"]}`, mfa, `"locations":{"includeLocations":["All"],"excludeLocations":["AllTrusted"]}`)}, nil, plan.Warning,
			[]string{"does not ask for MFA from some locations", "error 900421"}},
		{"named locations only", &off, []map[string]any{mfaPolicyJSON(t, "enabled", `{"includeUsers":["All"]}`, mfa, `"locations":{"includeLocations":["x"]}`)}, nil, plan.Fail, nil},
		{"no P1, defaults off", &off, nil, licence, plan.Fail, []string{"without Entra ID P1"}},
		{"no role to read policies", &off, nil, denied, plan.CouldNotCheck, []string{"your account lacks a role"}},
		{"no role, defaults on", &on, nil, denied, plan.Pass, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &partnerReads{defaults: tc.defaults, policies: tc.policies, policiesErr: tc.err}
			c := mfaEnforcement(context.Background(), r, facts)
			all := c.Sentence + " " + strings.Join(c.Details, " ")
			if c.Status != tc.status {
				t.Errorf("status %s, want %s: %s", c.Status, tc.status, all)
			}
			for _, s := range tc.says {
				if !strings.Contains(all, s) {
					t.Errorf("%q does not say %q", all, s)
				}
			}
		})
	}
}

func TestRiskCheck(t *testing.T) {
	alex := person{ID: techID, UserPrincipalName: "alex@contoso", DisplayName: "Alex"}
	licence := &graph.Error{Status: 403, Code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant"}
	denied := &graph.Error{Status: 403, Code: "Authorization_RequestDenied"}
	for _, tc := range []struct {
		name    string
		r       partnerReads
		refused []string
		status  plan.Status
		fix     bool
		says    string
	}{
		{"not listed", partnerReads{}, nil, plan.Pass, false, "Microsoft does not hold Alex (alex@contoso) to be a risky user."},
		{"dismissed", partnerReads{risky: []riskyUser{{ID: techID, RiskLevel: "none", RiskState: "dismissed"}}}, nil, plan.Pass, false, "does not hold"},
		{"at risk", partnerReads{risky: []riskyUser{{ID: strings.ToUpper(techID), RiskLevel: "high", RiskState: "atRisk"}}}, nil, plan.Fail, true, "(high risk, at risk)"},
		{"compromised, by name", partnerReads{risky: []riskyUser{{ID: "x", UserPrincipalName: "ALEX@contoso", RiskLevel: "medium", RiskState: "confirmedCompromised"}}}, nil, plan.Fail, true, "confirmed compromised"},
		{"no P2", partnerReads{riskyErr: licence}, nil, plan.CouldNotCheck, false, "no Entra ID P2 licence"},
		{"no role", partnerReads{riskyErr: denied}, nil, plan.CouldNotCheck, false, "lacks a role that can read the risky-user list"},
		{"no P2, but customers refused it", partnerReads{riskyErr: licence}, []string{"Fabrikam"}, plan.Fail, false, `"Fabrikam" refused Alex (alex@contoso) with AADSTS530034`},
		{"refused, dismissed since", partnerReads{}, []string{"Fabrikam"}, plan.Warning, false, "check again in a few minutes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, fix := riskCheck(alex, &tc.r, tc.refused, partnerID)
			all := c.Sentence + " " + strings.Join(c.Details, " ")
			if c.Status != tc.status || (fix != nil) != tc.fix || !strings.Contains(all, tc.says) {
				t.Errorf("%s, fix %v: %q; want %s, fix %v, saying %q", c.Status, fix != nil, all, tc.status, tc.fix, tc.says)
			}
			if fix != nil && (fix.Kind != DismissRisk || fix.Safe || fix.Caution == "" || fix.PartnerTenantID != partnerID) {
				t.Errorf("fix %+v", fix)
			}
		})
	}
}

func TestSignInCheck(t *testing.T) {
	good := auth.Claims{Tid: partnerID, Upn: "alex@contoso", Amr: []string{"pwd", "mfa"}}
	noMFA := auth.Claims{Tid: partnerID, Upn: "alex@contoso", Amr: []string{"pwd"}}
	for _, tc := range []struct {
		claims auth.Claims
		status plan.Status
		says   string
	}{
		{good, plan.Pass, "carries MFA (its methods: pwd, mfa)"},
		{noMFA, plan.Fail, "does not pass the MFA check"},
		{auth.Claims{Tid: partnerID, Upn: "alex@contoso", Amr: []string{"pwd", "ngcmfa"}}, plan.Warning, "only Partner Center can say"},
		{auth.Claims{}, plan.CouldNotCheck, "could not read your sign-in"},
	} {
		c := signInCheck(partnerFacts{tenantID: partnerID, claims: tc.claims})
		if c.Status != tc.status || !strings.Contains(c.Sentence, tc.says) {
			t.Errorf("%+v: %s %q", tc.claims, c.Status, c.Sentence)
		}
	}
}

func TestAccessOf(t *testing.T) {
	tokenErr := func(code string) failure {
		return classify(fmt.Errorf("graph GET /v1.0/subscribedSkus: get an access token: %w", &auth.TokenError{Code: code}))
	}
	for _, tc := range []struct {
		f      failure
		status plan.Status
		says   string
	}{
		{failure{}, plan.Pass, "Microsoft gives your technician a token for Litware through GDAP."},
		{classify(&graph.Error{Status: 403, Code: "Authorization_RequestDenied"}), plan.Pass, "gives your technician a token"},
		{tokenErr("53003"), plan.Fail, "a Conditional Access policy of Litware blocks it (AADSTS53003)"},
		{tokenErr("530034"), plan.Fail, "flagged as risky"},
		{tokenErr("90099"), plan.Fail, "not consented there (AADSTS90099)"},
		{tokenErr("50020"), plan.Fail, "no GDAP access to Litware (AADSTS50020)"},
		{tokenErr("700082"), plan.CouldNotCheck, "because of your own sign-in"},
		{tokenErr("50126"), plan.Fail, "(AADSTS50126)"},
		{classify(errors.New("graph GET /v1.0/subscribedSkus: get an access token: AADSTS53003: blocked")), plan.Fail, "(AADSTS53003)"},
		{classify(context.DeadlineExceeded), plan.CouldNotCheck, "did not answer in time"},
	} {
		c := accessOf("Litware", tc.f)
		if c.Status != tc.status || !strings.Contains(c.Sentence, tc.says) {
			t.Errorf("%+v: %s %q, want %s saying %q", tc.f, c.Status, c.Sentence, tc.status, tc.says)
		}
	}
}

// TestServiceAccountNotLookedUp: when the lookup of the service account fails, its risk check
// could not run; it never passes.
func TestServiceAccountNotLookedUp(t *testing.T) {
	facts := partnerFacts{tenantID: partnerID, technician: person{UserPrincipalName: "alex@contoso"}, service: "svc@contoso"}
	for name, err := range map[string]error{
		"no P1":   &graph.Error{Status: 403, Code: "Authentication_RequestFromNonPremiumTenantOrB2CTenant"},
		"no role": &graph.Error{Status: 403, Code: "Authorization_RequestDenied"},
	} {
		l, _ := partnerChecklist(context.Background(), &partnerReads{serviceErr: err}, facts)
		var risks []Check
		for _, c := range l.Checks {
			if c.Kind == RiskyAccount {
				risks = append(risks, c)
			}
		}
		if len(risks) != 2 || risks[1].Status != plan.CouldNotCheck || !strings.Contains(risks[1].Sentence, "svc@contoso") {
			t.Errorf("%s: %+v", name, risks)
		}
	}
}
