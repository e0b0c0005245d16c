package auth

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/onboard365/onboard365/internal/partnercenter"
	"github.com/onboard365/onboard365/internal/sandbox"
)

// TestConfirm: the final verdict includes Partner Center's answer; a token's own checks are never
// enough for a YES, save for the partner tenant pinned before when Partner Center is unreachable.
func TestConfirm(t *testing.T) {
	refused403 := &PartnerCenterError{Status: 403, Code: "Forbidden"}
	refusedMFA := &PartnerCenterError{Status: 401, MFARequired: true}
	unreachable := &PartnerCenterError{} // Status 0: not reached
	busy := &PartnerCenterError{Status: 503}
	noToken := &TokenError{Code: "65001"}
	ngc := goodClaims()
	ngc.Amr = []string{"pwd", "ngcmfa"}
	noMFA := goodClaims()
	noMFA.Amr = []string{"pwd"}
	for _, tc := range []struct {
		name   string
		claims Claims
		pcErr  error
		pinned []string
		yes    bool
		answer PartnerCenterAnswer
		says   string
	}{
		{"accepted", goodClaims(), nil, nil, true, PartnerCenterAccepted, ""},
		{"a customer tenant's administrator: 403", goodClaims(), refused403, nil, false, PartnerCenterRefused, "is not a partner tenant"},
		{"no MFA for Partner Center", goodClaims(), refusedMFA, nil, false, PartnerCenterRefused, "without MFA"},
		{"no Partner Center token", goodClaims(), noToken, nil, false, PartnerCenterRefused, "Partner Center refused"},
		{"unreachable, nothing pinned", goodClaims(), unreachable, nil, false, PartnerCenterUnreachable, "could not reach Partner Center"},
		{"unreachable, another tenant pinned", goodClaims(), busy, []string{customerTID}, false, PartnerCenterUnreachable, "could not reach Partner Center"},
		{"unreachable, this tenant pinned", goodClaims(), unreachable, []string{"", strings.ToUpper(partnerTID)}, true, PartnerCenterUnreachable, ""},
		{"a domain is no pin", goodClaims(), unreachable, []string{"contosopartners.onmicrosoft.com"}, false, PartnerCenterUnreachable, "could not reach"},
		{"ngcmfa accepted by Partner Center", ngc, nil, nil, true, PartnerCenterAccepted, ""},
		{"ngcmfa refused by Partner Center", ngc, refusedMFA, nil, false, PartnerCenterRefused, "does not count the ngcmfa"},
		{"ngcmfa, unreachable, pinned: still no", ngc, unreachable, []string{partnerTID}, false, PartnerCenterUnreachable, "could not reach"},
		{"no MFA stays no though accepted", noMFA, nil, nil, false, PartnerCenterAccepted, "did not include multifactor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Confirm(tc.claims, Check(tc.claims, "", ""), tc.pcErr, tc.pinned...)
			if v.Compliant != tc.yes || v.PartnerCenter != tc.answer {
				t.Fatalf("verdict %+v, want yes %v, answer %v", v, tc.yes, tc.answer)
			}
			all := strings.Join(v.Reasons, " ")
			if tc.yes && len(v.Reasons) > 0 {
				t.Errorf("a YES with reasons: %q", all)
			}
			if !tc.yes && !strings.Contains(all, tc.says) {
				t.Errorf("reasons %q do not say %q", all, tc.says)
			}
		})
	}
}

// TestConfirmSignInOfACustomerAdministrator: without --tenant, a customer tenant's
// administrator signs in with MFA. The token's own checks pass, but Partner Center answers 403:
// the verdict is NO, and the sign-in cannot be kept; the partner's technician gets YES.
func TestConfirmSignInOfACustomerAdministrator(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admin := sandbox.CustomerAdmin("litware.onmicrosoft.com")
	a := f.authenticator("organizations", f.person(admin, true, admin))
	res := f.signIn(a, admin)
	if !res.Verdict.Compliant {
		t.Fatalf("the token's own verdict: %+v (the test needs a sign-in whose token passes)", res.Verdict)
	}
	if err := a.Keepable(); err == nil {
		t.Error("a sign-in is keepable before Partner Center answered")
	}
	final, pcErr := a.ConfirmSignIn(ctx, nil)
	if final.Verdict.Compliant || final.Verdict.PartnerCenter != PartnerCenterRefused || pcErr == nil {
		t.Fatalf("final verdict %+v (%v), want NO with Partner Center's refusal", final.Verdict, pcErr)
	}
	if !strings.Contains(strings.Join(final.Verdict.Reasons, " "), "not a partner tenant") {
		t.Errorf("reasons %q", final.Verdict.Reasons)
	}
	if err := a.Keepable(); !errors.Is(err, ErrNotConfirmed) {
		t.Errorf("Keepable after a NO: %v", err)
	}

	tech := f.authenticator("organizations", f.person(alexUPN, true, alexUPN))
	f.signIn(tech, alexUPN)
	final, pcErr = tech.ConfirmSignIn(ctx, nil)
	if !final.Verdict.Compliant || pcErr != nil || tech.Keepable() != nil {
		t.Fatalf("the technician: %+v, %v, keepable %v", final.Verdict, pcErr, tech.Keepable())
	}
	// A new sign-in of the same Authenticator needs its own YES.
	f.signIn(tech, alexUPN)
	if tech.Keepable() == nil {
		t.Error("a new sign-in is keepable on the previous one's verdict")
	}
}

// unreachablePC is a Partner Center that cannot be reached.
type unreachablePC struct{}

func (unreachablePC) GetOrganizationProfile(context.Context) (partnercenter.OrganizationProfile, error) {
	return partnercenter.OrganizationProfile{}, errors.New("dial tcp: connection refused")
}

// TestConfirmSignInWhenPartnerCenterIsUnreachable: the tenant kept before may be kept again;
// any other is not YES until Partner Center can be asked.
func TestConfirmSignInWhenPartnerCenterIsUnreachable(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a := f.authenticator("organizations", f.person(alexUPN, true, alexUPN))
	f.signIn(a, alexUPN)
	if res, _ := a.ConfirmSignIn(ctx, unreachablePC{}); res.Verdict.Compliant || a.Keepable() == nil {
		t.Errorf("unreachable, nothing kept before: %+v", res.Verdict)
	}
	if res, _ := a.ConfirmSignIn(ctx, unreachablePC{}, f.s.PartnerTenantID()); !res.Verdict.Compliant || a.Keepable() != nil || len(res.Verdict.Notes) == 0 {
		t.Errorf("unreachable, this partner tenant kept before: %+v", res.Verdict)
	}
}

// TestInspectPasted: a pasted token is judged for what only a pasted token gets wrong, and the
// verdict always says its signature was not checked.
func TestInspectPasted(t *testing.T) {
	now := time.Unix(1549090000, 0)
	token := func(header string, edit func(map[string]any)) string {
		c := partnerCenterToken()
		if edit != nil {
			edit(c)
		}
		body, _ := json.Marshal(c)
		return b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString(body) + ".c2ln"
	}
	const rs256 = `{"typ":"JWT","alg":"RS256"}`
	for _, tc := range []struct {
		name  string
		token string
		yes   bool
		says  string
	}{
		{"Microsoft's example", token(rs256, nil), true, ""},
		{"unsigned (alg none)", token(`{"typ":"JWT","alg":"none"}`, nil), false, "not signed at all"},
		{"no alg", token(`{"typ":"JWT"}`, nil), false, "not signed at all"},
		{"expired", token(rs256, func(c map[string]any) { c["exp"] = 1549080000 }), false, "expired on"},
		{"no expiry", token(rs256, func(c map[string]any) { delete(c, "exp") }), false, "does not say when it expires"},
		{"for Graph", token(rs256, func(c map[string]any) { c["aud"] = "https://graph.microsoft.com" }), false, "is for https://graph.microsoft.com, not for Partner Center"},
		{"Partner Center's app id as audience", token(rs256, func(c map[string]any) { c["aud"] = "fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd" }), true, ""},
		{"no MFA", token(rs256, func(c map[string]any) { c["amr"] = []string{"pwd"} }), false, "did not include multifactor"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, v, err := InspectPasted(tc.token, "", "", now)
			if err != nil {
				t.Fatal(err)
			}
			if v.Compliant != tc.yes {
				t.Errorf("compliant %v, want %v: %q", v.Compliant, tc.yes, v.Reasons)
			}
			if !tc.yes && !strings.Contains(strings.Join(v.Reasons, " "), tc.says) {
				t.Errorf("reasons %q do not say %q", v.Reasons, tc.says)
			}
			if !strings.Contains(strings.Join(v.Notes, " "), "does not check the token's signature") {
				t.Errorf("notes %q do not say the signature is not checked", v.Notes)
			}
		})
	}
}
