package auth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"
)

// A YES means Partner Center will accept the sign-in. The token alone cannot say so: a customer
// tenant's administrator's sign-in carries MFA and matches any tenant when none is set (the app
// learns the partner tenant from the first sign-in). So the verdict a sign-in may be kept on
// includes Partner Center's live answer (GET /v1/profiles/organization, App+User only):
//
//   - Partner Center answers: YES, if the token's own checks pass (an amr with ngcmfa and not mfa
//     included: Partner Center's acceptance settles it).
//   - Partner Center refuses (401: no MFA; 403: not a partner tenant, or no Partner Center role;
//     or Entra refuses a Partner Center token): NO, saying so.
//   - Partner Center cannot be reached: YES only for the partner tenant pinned before (the tenant
//     of the sign-in already kept, which Partner Center accepted when it was kept, or the tenant
//     id the app was started with), and only with mfa in amr; otherwise NO until it can be asked.

// Confirm is the final verdict of a sign-in whose claims are c and token verdict v, given what
// the live check returned (CheckPartnerCenter's error, nil when Partner Center accepted it) and
// the partner tenants pinned before ("" entries are ignored).
func Confirm(c Claims, v Verdict, pcErr error, pinned ...string) Verdict {
	out := v
	out.Reasons = append([]string(nil), v.Reasons...)
	out.Notes = append([]string(nil), v.Notes...)
	out.PartnerCenter = answerOf(pcErr)
	tokenOK := v.TenantMatches && v.AccountMatches && (v.HasMFA || v.MFALeftToPartnerCenter)
	switch out.PartnerCenter {
	case PartnerCenterAccepted:
		if tokenOK && v.MFALeftToPartnerCenter {
			out.Reasons = without(out.Reasons, ngcmfaReason)
			out.Notes = append(out.Notes, "This sign-in lists ngcmfa rather than mfa, and Partner Center accepted it: Partner Center counts it as MFA.")
		}
		out.Compliant = tokenOK
	case PartnerCenterRefused:
		out.Compliant = false
		if tokenOK {
			out.Reasons = without(out.Reasons, ngcmfaReason)
			out.Reasons = append(out.Reasons, refusalReason(c, pcErr, v.MFALeftToPartnerCenter))
		}
	case PartnerCenterUnreachable:
		out.Compliant = false
		if !tokenOK {
			break
		}
		if v.HasMFA && pinnedTenant(c.Tid, pinned) {
			out.Compliant = true
			out.Notes = append(out.Notes, "Partner Center could not be reached just now, so it could not confirm this sign-in. It is for "+
				"your partner tenant "+shown(c.Tid)+", the one Onboard365 already knows Partner Center accepts, so it can be kept; "+
				"Partner Center's answer is checked again the next time you sign in.")
			break
		}
		out.Reasons = without(out.Reasons, ngcmfaReason)
		out.Reasons = append(out.Reasons, "Onboard365 could not reach Partner Center to confirm that "+shown(c.Tid)+" is your partner tenant "+
			"and that Partner Center accepts this sign-in, so it cannot say YES. Check the internet connection, then sign in again.")
	default:
		out.Compliant = false
	}
	return out
}

// answerOf sorts CheckPartnerCenter's error.
func answerOf(err error) PartnerCenterAnswer {
	if err == nil {
		return PartnerCenterAccepted
	}
	var pe *PartnerCenterError
	var te *TokenError
	switch {
	case errors.As(err, &pe):
		if pe.Status == http.StatusUnauthorized || pe.Status == http.StatusForbidden || pe.MFARequired {
			return PartnerCenterRefused
		}
		return PartnerCenterUnreachable // not reached, or its own trouble (429, 5xx)
	case errors.As(err, &te):
		if te.Code != "" {
			return PartnerCenterRefused // Entra refused a Partner Center token
		}
	}
	return PartnerCenterUnreachable
}

func refusalReason(c Claims, err error, ngc bool) string {
	var pe *PartnerCenterError
	switch {
	case errors.As(err, &pe) && pe.MFARequired && ngc:
		return "Partner Center refused this sign-in as one without MFA: it does not count the ngcmfa this sign-in lists. Sign in again " +
			"with another second factor, such as the Microsoft Authenticator app."
	case errors.As(err, &pe) && pe.MFARequired:
		return "Partner Center refused this sign-in as one without MFA."
	case errors.As(err, &pe) && pe.Status == http.StatusForbidden:
		return "Partner Center refused this sign-in (403 Forbidden): " + shown(c.Tid) + " is not a partner tenant (a customer's tenant, " +
			"for example), or " + orAccount(c.Upn) + " has no role in Partner Center. Onboard365 keeps only a sign-in that Partner Center " +
			"accepts. Sign in with an account of your partner tenant, or start Onboard365 with --tenant and your partner tenant's id."
	}
	return "Partner Center refused this sign-in, so Onboard365 does not keep it: see Partner Center's answer below."
}

func orAccount(upn string) string {
	if s := shown(upn); s != "" {
		return s
	}
	return "the account"
}

func pinnedTenant(tid string, pinned []string) bool {
	tid = strings.TrimSpace(tid)
	for _, p := range pinned {
		if p = strings.TrimSpace(p); p != "" && guidRE.MatchString(p) && strings.EqualFold(p, tid) {
			return true
		}
	}
	return false
}

func without(list []string, drop string) []string {
	out := list[:0:0]
	for _, s := range list {
		if s != drop {
			out = append(out, s)
		}
	}
	return out
}

// ErrNotConfirmed is what Keepable returns for a sign-in whose final verdict is not YES.
var ErrNotConfirmed = errors.New("Onboard365 keeps a sign-in only when its verdict is YES, with Partner Center's live answer: " +
	"this one has no such verdict, so nothing was stored. Sign in again, and keep the sign-in from its verdict")

// ConfirmSignIn asks Partner Center about the sign-in of this run (CheckPartnerCenter, with pc
// nil for the cloud's own) and returns it with its final verdict (Confirm), and Partner
// Center's error to show. keptTenants are the partner tenants of sign-ins kept before; the tenant
// id the Authenticator was set up with (Config.Tenant) is pinned too. Only a YES here makes the
// sign-in Keepable.
func (a *Authenticator) ConfirmSignIn(ctx context.Context, pc PartnerCenterClient, keptTenants ...string) (Result, error) {
	a.mu.Lock()
	last, gen, ok := a.last, a.gen, a.hasLast && a.lastGen == a.gen
	a.mu.Unlock()
	if !ok {
		return Result{}, ErrNotConfirmed
	}
	pcErr := a.CheckPartnerCenter(ctx, pc)
	if ctx.Err() != nil {
		return Result{}, ctx.Err()
	}
	last.Verdict = Confirm(last.Claims, last.Verdict, pcErr, append(keptTenants, a.cfg.Tenant)...)
	a.mu.Lock()
	if a.gen == gen {
		a.last = last
		a.confirmed = last.Verdict.Compliant
	}
	a.mu.Unlock()
	return last, pcErr
}

// Keepable says whether the sign-in of this run may be stored: nil only when ConfirmSignIn gave
// it a YES and no sign-in or sign-out happened since.
func (a *Authenticator) Keepable() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.hasLast && a.lastGen == a.gen && a.confirmed && a.hasAcct {
		return nil
	}
	return ErrNotConfirmed
}

// partnerCenterAudiences are the audiences of a Partner Center access token: its resource URI
// (v1 tokens) and its application id (v2 tokens).
var partnerCenterAudiences = map[string]bool{
	"https://api.partnercenter.microsoft.com": true,
	"fa3d9a0c-3fb0-42cc-9193-47c7ecd2edbd":    true,
}

// signatureNote is what the check of a pasted token always says.
const signatureNote = "Onboard365 does not check the token's signature here: it shows what the token says about itself, not that " +
	"Microsoft issued it. Only Partner Center's own answer proves that (Sign in asks it live)."

// InspectPasted judges an access token pasted from another tool, on this computer: the token's
// checks (Check), and what only a pasted token can get wrong: it is not signed at all (alg
// none), it has expired (against now), or it is not for Partner Center (its audience). Its
// signature is not checked, and the verdict says so (Notes); a YES here means only "this token
// says what Partner Center looks for".
func InspectPasted(token, wantTenant, wantUPN string, now time.Time) (Claims, Verdict, error) {
	c, err := ParseClaims(token)
	if err != nil {
		return Claims{}, Verdict{}, err
	}
	v := Check(c, wantTenant, wantUPN)
	v.Notes = append(v.Notes, signatureNote)
	if alg := strings.TrimSpace(c.Alg); alg == "" || strings.EqualFold(alg, "none") {
		v.Reasons = append(v.Reasons, "This token is not signed at all (its header says alg "+quoteAlg(alg)+"): anyone can write such a token, "+
			"and Partner Center refuses it. Use a token your tool got from Microsoft.")
	}
	switch {
	case c.Exp.IsZero():
		v.Reasons = append(v.Reasons, "This token does not say when it expires (it has no exp), which no token from Microsoft Entra lacks.")
	case !now.Before(c.Exp):
		v.Reasons = append(v.Reasons, "This token expired on "+c.Exp.Local().Format("2 January 2006 at 15:04")+
			": Partner Center refuses an expired token. Get a new token from the tool, then check it again.")
	}
	if !partnerCenterAudiences[strings.TrimRight(strings.TrimSpace(c.Aud), "/")] {
		aud := shown(c.Aud)
		if aud == "" {
			aud = "no service"
		}
		v.Reasons = append(v.Reasons, "This token is for "+aud+", not for Partner Center (https://api.partnercenter.microsoft.com): Partner "+
			"Center refuses a token meant for another service. Check a Partner Center token of the tool instead.")
	}
	v.Compliant = v.Compliant && len(v.Reasons) == 0
	return c, v, nil
}

func quoteAlg(alg string) string {
	if alg == "" {
		return "(none given)"
	}
	return `"` + shown(alg) + `"`
}
