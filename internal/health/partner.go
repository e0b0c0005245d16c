package health

import (
	"fmt"
	"math"
	"time"

	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/plan"
	"github.com/onboard365/onboard365/internal/troubleshoot"
	"github.com/onboard365/onboard365/internal/words"
)

// RefreshTokenLife is how long a kept sign-in lasts unused: Microsoft ends a refresh token after
// 90 days of inactivity (AADSTS700082).
const RefreshTokenLife = 90 * 24 * time.Hour

// SecretWarning is how long before its end the app's secret is a warning, and when the watch may
// rotate it.
const SecretWarning = 30 * 24 * time.Hour

// PartnerFacts is what the partner's verdict is judged from.
type PartnerFacts struct {
	Now      time.Time
	TenantID string
	// The kept sign-in, as the keychain describes it (app.Stored), or why it could not be read.
	SignedIn bool
	// ThisRunOnly is true when the check ran with a sign-in of this run that is not kept (the
	// command line on the sandbox, or before the person chose to keep it).
	ThisRunOnly bool
	Technician  string
	Renewed     time.Time
	Problem     string // what is wrong with what the keychain keeps; "" when nothing
	KeychainErr error
	// The app's client secret kept in the keychain ("" ClientID: none is kept).
	ClientID      string
	SecretExpires time.Time
	// Frequencies are the sign-in-frequency policies that apply to the technician
	// (SignInFrequency), or why the policies could not be read.
	Frequencies  []Frequency
	FrequencyErr error
	// Troubleshoot is the Troubleshoot wizard's checklist of the partner tenant (MFA enforcement,
	// risky accounts), or why it could not run.
	Troubleshoot    troubleshoot.Checklist
	TroubleshootErr error
}

// JudgePartner gives the partner's verdict: the kept sign-in, the app's secret, MFA enforcement
// and a risky technician, in that order.
func JudgePartner(f PartnerFacts) Partner {
	p := Partner{TenantID: f.TenantID, Technician: f.Technician}
	p.Checks = append(p.Checks, keptSignIn(f, &p), appSecret(f, &p))
	p.Checks = append(p.Checks, fromPartnerChecklist(f, MFAEnforcement, troubleshoot.MFAEnforcement), fromPartnerChecklist(f, RiskyTechnician, troubleshoot.RiskyAccount))
	for i := range p.Checks {
		p.Checks[i] = tidy(p.Checks[i])
	}
	p.Status = worstOf(p.Checks)
	return words.Cleaned(p)
}

func keptSignIn(f PartnerFacts, p *Partner) Part {
	part := Part{Check: KeptSignIn, Fix: FixSignIn}
	switch {
	case f.KeychainErr != nil:
		part.Status, part.Sentence = plan.CouldNotCheck, "Onboard365 could not read the sign-in kept on this computer. "+explain.Sentence(f.KeychainErr)
		return part
	case !f.SignedIn && f.ThisRunOnly:
		part.Status = plan.Warning
		part.Sentence = "You are signed in for this run only: the sign-in is not kept on this computer, so the watch and the command line cannot use it. Keep it on the Sign in page."
		return part
	case !f.SignedIn && f.Problem != "":
		part.Status, part.Sentence = plan.Fail, f.Problem
		return part
	case !f.SignedIn:
		part.Status, part.Sentence = plan.Fail, "No sign-in is kept on this computer, so nothing can be checked with it: open Sign in, sign in with your partner account and keep the sign-in."
		return part
	}
	ends := f.Renewed.Add(RefreshTokenLife)
	p.SignIn = &SignIn{Renewed: f.Renewed.UTC(), Ends: ends.UTC()}
	days := wholeDays(ends.Sub(f.Now))
	who := "The sign-in of " + f.Technician
	if f.Technician == "" {
		who = "The kept sign-in"
	}
	renewed := fmt.Sprintf("%s was last renewed on %s; unused, it would end on %s.", who, words.Day(f.Renewed), words.Day(ends))
	switch {
	case days <= 0:
		part.Status, part.Stage = plan.Fail, "ended"
		part.Sentence = fmt.Sprintf("%s was last renewed on %s and has not been used for 90 days, so Microsoft no longer accepts it (AADSTS700082): open Sign in and sign in again.", who, words.Day(f.Renewed))
	case days <= 14:
		part.Status, part.Stage = plan.Warning, "14d"
		part.Sentence = renewed + fmt.Sprintf(" That is %s: use Onboard365 (or let the watch run) before then, or sign in again.", daysWords(days))
	default:
		part.Status, part.Sentence = plan.Pass, renewed+" Each use, and each run of the watch, renews it."
	}
	if len(f.Frequencies) > 0 && part.Status != plan.Fail {
		fr := f.Frequencies[0]
		p.SignIn.Policy = fr.Policy
		p.SignIn.EveryHours = int(fr.Every / time.Hour)
		maybe := ""
		if fr.Maybe {
			maybe = " if you hold one of the directory roles it names"
		}
		if fr.EveryTime && !fr.Maybe {
			part.Status, part.Stage = plan.Fail, "frequency"
		} else {
			part.Status, part.Stage = plan.Worst(part.Status, plan.Warning), "frequency"
		}
		part.Sentence = renewed + fmt.Sprintf(" But the Conditional Access policy %s of your partner tenant asks you to sign in again %s%s, so the kept sign-in stops working that long after you last signed in, however often it is renewed. Sign in again before then, or ask your administrator to leave Onboard365's account out of that policy.",
			words.Quote(fr.Policy), fr.everyWords(), maybe)
	} else if f.FrequencyErr != nil && part.Status == plan.Pass {
		part.Sentence += " Whether a Conditional Access policy asks for a new sign-in sooner could not be read: " + explain.Sentence(f.FrequencyErr)
	}
	return part
}

func appSecret(f PartnerFacts, p *Partner) Part {
	part := Part{Check: AppSecret, Fix: FixSettings}
	switch {
	case f.KeychainErr != nil:
		part.Status, part.Sentence = plan.CouldNotCheck, "Onboard365 could not read the app's secret kept on this computer. "+explain.Sentence(f.KeychainErr)
		return part
	case f.ClientID == "":
		part.Status, part.Sentence, part.Fix = plan.Pass, "No client secret of the app is kept on this computer, so none can expire here.", FixAppRegistration
		return part
	}
	p.Secret = &Secret{ClientID: f.ClientID, Expires: f.SecretExpires.UTC()}
	days := wholeDays(f.SecretExpires.Sub(f.Now))
	part.Stage = daysStage(days)
	switch {
	case days <= 0:
		part.Status = plan.Fail
		part.Sentence = fmt.Sprintf("The app's client secret expired on %s: tools that use it get AADSTS7000222. Open Settings and rotate the secret.", words.Day(f.SecretExpires))
	case f.SecretExpires.Sub(f.Now) <= SecretWarning:
		part.Status = plan.Warning
		part.Sentence = fmt.Sprintf("The app's client secret expires on %s (%s). Open Settings and rotate the secret, then give the new one to your tools.", words.Day(f.SecretExpires), daysWords(days))
	default:
		part.Status, part.Stage = plan.Pass, ""
		part.Sentence = fmt.Sprintf("The app's client secret is valid until %s.", words.Day(f.SecretExpires))
	}
	return part
}

// fromPartnerChecklist is one of the Troubleshoot wizard's partner checks as a part (the first
// of its kind: the technician's, not a service account's).
func fromPartnerChecklist(f PartnerFacts, k Kind, tk troubleshoot.Kind) Part {
	part := Part{Check: k, Fix: FixTroubleshoot}
	if f.TroubleshootErr != nil {
		part.Status, part.Sentence = plan.CouldNotCheck, "Onboard365 could not check your partner tenant. "+explain.Sentence(f.TroubleshootErr)
		return part
	}
	c, ok := f.Troubleshoot.Check(tk)
	if !ok {
		part.Status, part.Sentence = plan.CouldNotCheck, "Onboard365 did not get to check this in your partner tenant."
		return part
	}
	part.Status, part.Sentence = c.Status, withDetails(c)
	return part
}

// wholeDays counts a started day as a day left, so "renewed just now" reads 90 days, not 89.
func wholeDays(d time.Duration) int { return int(math.Ceil(d.Hours() / 24)) }
