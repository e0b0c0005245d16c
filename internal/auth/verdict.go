package auth

import (
	"regexp"
	"strings"
)

// Verdict is the plain Yes/No answer to "is this sign-in good enough to store and to use with
// Partner Center?". Check gives it from the token alone; Confirm adds Partner Center's live
// answer, without which a sign-in is never YES (see Confirm).
type Verdict struct {
	Compliant      bool // Yes: HasMFA, TenantMatches and AccountMatches are all true
	HasMFA         bool // the token's amr claim contains "mfa"
	TenantMatches  bool // the token is for the partner tenant, and the account belongs to it
	AccountMatches bool // the token is for the account that was asked for
	// MFALeftToPartnerCenter: amr lists "ngcmfa" but not "mfa". Entra's claims reference calls
	// ngcmfa equivalent to mfa (used when provisioning some credential types); Partner Center's
	// page on its MFA requirement says only that it checks amr for "mfa". Where the pages leave it
	// open, Partner Center's live answer decides (Confirm): YES if it accepts the sign-in.
	MFALeftToPartnerCenter bool
	// PartnerCenter is what Confirm learned from Partner Center; PartnerCenterNotAsked from Check.
	PartnerCenter PartnerCenterAnswer
	// Reasons are plain sentences, one for each check that failed: what failed, why, and what
	// to do. Empty when Compliant.
	Reasons []string
	// Notes are plain sentences that hold whatever the verdict ("the signature is not checked
	// here", "Partner Center counts ngcmfa as MFA"): the page shows them with it.
	Notes []string
}

// PartnerCenterAnswer is what Partner Center said to the live check.
type PartnerCenterAnswer int

const (
	// PartnerCenterNotAsked: Confirm did not run.
	PartnerCenterNotAsked PartnerCenterAnswer = iota
	// PartnerCenterAccepted: Partner Center answered the sign-in (GET /v1/profiles/organization).
	PartnerCenterAccepted
	// PartnerCenterRefused: Partner Center (or Entra, for a Partner Center token) refused it.
	PartnerCenterRefused
	// PartnerCenterUnreachable: Partner Center could not be asked (the network, or its own fault).
	PartnerCenterUnreachable
)

// String is the verdict in one line: "Yes: ..." or "No: " and the first reason.
func (v Verdict) String() string {
	if v.Compliant {
		return "Yes: this sign-in includes MFA and is for your partner tenant, so Partner Center will accept it."
	}
	if len(v.Reasons) == 0 {
		return "No: this sign-in cannot be used."
	}
	return "No: " + v.Reasons[0]
}

// Check decides whether the claims of a partner sign-in are good enough to keep:
//
//   - HasMFA: amr contains "mfa" (exactly as Partner Center checks it).
//   - TenantMatches: the token names a tenant (tid); the account's home is that tenant (an idp
//     claim naming another identity provider means a guest or a GDAP sign-in into somebody
//     else's tenant); and tid equals wantTenant, compared case-insensitively, when wantTenant is
//     a tenant id (a GUID).
//     When wantTenant is empty, "organizations" or "common", the partner tenant is not known
//     yet and any tenant is accepted (the app should remember Tid and pass it from then on).
//     When wantTenant is a domain (contoso.onmicrosoft.com), it is accepted too: a token does
//     not carry its tenant's domains, and when the sign-in went to that domain's authority
//     Entra only issues tokens of that tenant, so the idp check above is what remains to do.
//   - AccountMatches: Upn equals wantUPN, case-insensitively, when wantUPN is given.
func Check(c Claims, wantTenant, wantUPN string) Verdict {
	v := Verdict{HasMFA: hasMFA(c.Amr), TenantMatches: true, AccountMatches: true}
	switch {
	case !v.HasMFA && hasAMR(c.Amr, "ngcmfa"):
		v.MFALeftToPartnerCenter = true
		v.Reasons = append(v.Reasons, ngcmfaReason)
	case !v.HasMFA:
		v.Reasons = append(v.Reasons, noMFAReason(c.Amr))
	}
	if reason := tenantProblem(c, strings.TrimSpace(wantTenant)); reason != "" {
		v.TenantMatches = false
		v.Reasons = append(v.Reasons, reason)
	}
	if want := strings.TrimSpace(wantUPN); want != "" && !strings.EqualFold(strings.TrimSpace(c.Upn), want) {
		v.AccountMatches = false
		got := shown(c.Upn)
		if got == "" {
			v.Reasons = append(v.Reasons, "The sign-in does not say which account it is for, so Onboard365 cannot confirm it is "+shown(want)+
				". Sign in again in a private browser window with "+shown(want)+".")
		} else {
			v.Reasons = append(v.Reasons, accountMismatch(got, shown(want)))
		}
	}
	v.Compliant = v.HasMFA && v.TenantMatches && v.AccountMatches
	return v
}

// accountMismatch is the reason a sign-in as got is not the account want that was typed. When
// the domains differ, the typed one is most likely a typo of the tenant's real domain, which the
// sign-in shows: it says so, and suggests the name with that domain, rather than asking for the
// typo again. When only the name before the @ differs, the browser most likely answered with
// another account that was already signed in.
func accountMismatch(got, want string) string {
	gotName, gotDomain, _ := strings.Cut(got, "@")
	wantName, wantDomain, _ := strings.Cut(want, "@")
	if gotDomain != "" && !strings.EqualFold(gotDomain, wantDomain) {
		suggest := wantName + "@" + gotDomain
		if wantName == "" {
			suggest = got
		}
		return "You signed in as " + got + ", but the account typed for this sign-in was " + want + ". Your tenant's domain is " +
			gotDomain + ", not " + orNothing(wantDomain) + ", so the account typed is most likely mistyped. Go back, type " + suggest +
			" (or leave the account empty), and sign in again."
	}
	if strings.EqualFold(gotName, wantName) {
		return "You signed in as " + got + ", but the account typed for this sign-in was " + want + ". Go back, check the account, and sign in again."
	}
	return "You signed in as " + got + ", but the account typed for this sign-in was " + want + ". The browser may have used another " +
		"account that was already signed in. Sign in again in a private browser window, as " + want + "; or go back and change the account."
}

func orNothing(domain string) string {
	if domain == "" {
		return "the one typed"
	}
	return domain
}

func hasMFA(amr []string) bool { return hasAMR(amr, "mfa") }

// hasAMR says whether amr lists method, exactly as Entra writes it (small letters).
func hasAMR(amr []string, method string) bool {
	for _, m := range amr {
		if m == method {
			return true
		}
	}
	return false
}

// ngcmfaReason is the reason a sign-in with ngcmfa but not mfa is not YES before Partner Center
// answers (Confirm drops it when Partner Center accepts the sign-in).
const ngcmfaReason = "This sign-in lists ngcmfa (Windows Hello for Business or a passkey, for example) as its second factor, not mfa. " +
	"Microsoft Entra counts ngcmfa as MFA, but Partner Center's documentation says only that it looks for mfa, so Onboard365 lets " +
	"Partner Center's own answer decide: the verdict is YES only if Partner Center accepts this sign-in."

var amrWord = regexp.MustCompile(`^[A-Za-z0-9_]{1,20}$`)

func noMFAReason(amr []string) string {
	var methods []string
	for _, m := range amr {
		if amrWord.MatchString(m) {
			methods = append(methods, m)
		}
	}
	how := "the sign-in lists no authentication methods"
	if len(methods) > 0 {
		how = "the sign-in lists only " + strings.Join(methods, ", ") + " as its methods"
	}
	return "This sign-in did not include multifactor authentication (MFA): " + how + ", not mfa. " +
		"Partner Center refuses such a sign-in with 401 Unauthorized (error 900421), so Onboard365 does not store it. " +
		"This happens when the browser reused an earlier sign-in, when a trusted-location (trusted IP) rule or \"remember MFA on this device\" skipped the MFA prompt, or when the account has no MFA method yet. " +
		"Close the sign-in window and sign in again in a private (InPrivate or incognito) window, and approve the MFA prompt; " +
		"if no MFA prompt appears, ask your admin to require MFA for this account on every sign-in, with no trusted-IP or remembered-device exception, " +
		"and if the account has no MFA method, set up Microsoft Authenticator first."
}

var guidRE = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// tenantProblem is the reason the token's tenant is wrong, or "".
func tenantProblem(c Claims, want string) string {
	tid := strings.TrimSpace(c.Tid)
	if tid == "" {
		return "The sign-in does not say which tenant it is for (the token has no tid), so Onboard365 cannot confirm it is your partner tenant. Sign in again; if it happens again, the sign-in did not come from Microsoft Entra."
	}
	if idp := strings.TrimSpace(c.Idp); idp != "" && !strings.Contains(strings.ToLower(idp), strings.ToLower(tid)) {
		return "This sign-in is for the tenant " + shown(tid) + ", but the account's home is another organization (" + shown(idp) + "): it is a guest or delegated (GDAP) sign-in into somebody else's tenant. " +
			"Onboard365 needs a sign-in to your own partner tenant. Check the partner tenant set in Onboard365, and sign in again with an account of your partner tenant."
	}
	switch strings.ToLower(want) {
	case "", "organizations", "common":
		return ""
	}
	if guidRE.MatchString(want) && !strings.EqualFold(tid, want) {
		return "This sign-in is for the tenant " + shown(tid) + ", but Onboard365 is set up for the partner tenant " + shown(want) + ". " +
			"Sign in again with an account of your partner tenant, or, if the partner tenant set in Onboard365 is wrong, correct it in Settings."
	}
	return ""
}

// shown is a value from a token made safe to show in a sentence: printable, at most 120 bytes.
func shown(s string) string {
	s = strings.TrimSpace(s)
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			continue
		}
		if b.Len() >= 120 {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}
