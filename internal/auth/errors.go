package auth

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/onboard365/onboard365/internal/explain"
)

// SignInError is a sign-in that did not finish (or whose result cannot be used), in plain words.
// Error() is Explanation's sentence and the code: never MSAL's own text, which can hold the token
// endpoint's whole answer.
type SignInError struct {
	Code      string              // "AADSTS500121" and the like; "" when the failure had no code
	Explained explain.Explanation // what happened, why, what to do (also Explanation())
	TimedOut  bool                // the sign-in window did not come back in time
	Cancelled bool                // the caller's context was cancelled (the user stopped it in the app)
	err       error
}

func (e *SignInError) Error() string { return sentence(e.Explained, e.Code) }

// Explanation is what the person reads of it (explain.Explainer: typed errors go first).
func (e *SignInError) Explanation() explain.Explanation { return withItsCode(e.Explained, e.Code) }

// Unwrap gives the cause when it holds no secret: a context error (so errors.Is(err,
// context.DeadlineExceeded) works) or the launcher's error. Never an MSAL error.
func (e *SignInError) Unwrap() error { return e.err }

// TokenError is a silent token request for a tenant that Entra refused, in plain words.
type TokenError struct {
	Tenant    string              // the tenant asked for ("" = the partner tenant)
	Code      string              // the AADSTS number, for example "90099"; "" when the answer had none
	Explained explain.Explanation // what happened, why, what to do (also Explanation())
	err       error
}

func (e *TokenError) Error() string {
	where := "your partner tenant"
	if e.Tenant != "" {
		where = "the tenant " + e.Tenant
	}
	return "Onboard365 could not get access to " + where + ". " + sentence(e.Explained, e.Explained.Code)
}

// Explanation is what the person reads of it: what could not be reached, then why and what to
// do (explain.Explainer). It names no tenant id: a person knows a customer by its name, and the
// page says which customer it is about.
func (e *TokenError) Explanation() explain.Explanation {
	x := withItsCode(e.Explained, e.Code)
	where := "your partner tenant"
	if e.Tenant != "" {
		where = "this customer's tenant"
	}
	x.What = strings.TrimSpace("Onboard365 could not get access to " + where + ". " + x.What)
	return x
}

// Unwrap gives a context error, so errors.Is(err, context.Canceled) works. Never an MSAL error.
func (e *TokenError) Unwrap() error { return e.err }

// PartnerCenterError is Partner Center's refusal of the live check, in plain words.
type PartnerCenterError struct {
	Status      int                 // the HTTP status, for example 401; 0 when Partner Center was not reached
	Code        string              // Partner Center's error code, for example "900421"
	MFARequired bool                // Partner Center refused the sign-in because it has no MFA (401, 900421)
	Explained   explain.Explanation // what happened, why, what to do (also Explanation())
}

func (e *PartnerCenterError) Error() string {
	return sentence(e.Explained, e.Explained.Code)
}

// Explanation is what the person reads of it (explain.Explainer).
func (e *PartnerCenterError) Explanation() explain.Explanation { return e.Explained }

// withItsCode is x with its code set when it has none ("AADSTS50126" or "50126").
func withItsCode(x explain.Explanation, code string) explain.Explanation {
	if x.Code == "" && code != "" {
		x.Code = code
		if !strings.HasPrefix(strings.ToUpper(code), "AADSTS") {
			x.Code = "AADSTS" + code
		}
	}
	return x
}

// sentence is an explanation as one paragraph, with its code in brackets.
func sentence(x explain.Explanation, code string) string {
	s := strings.TrimSpace(x.String())
	if code != "" && !strings.Contains(s, code) {
		s += " (" + code + ")"
	}
	return s
}

var aadstsRE = regexp.MustCompile(`(?i)AADSTS(\d{4,9})`)

// aadstsCode is the first AADSTS number in an error text, or "".
func aadstsCode(text string) string {
	m := aadstsRE.FindStringSubmatch(text)
	if m == nil {
		return ""
	}
	return m[1]
}

// Explanations this package needs that internal/explain does not have (yet), or has in other
// words for another situation (65004 there is about a consent screen).
var signInExplanations = map[string]explain.Explanation{
	"500121": {
		What: "The MFA request was denied.",
		Why:  "Deny was chosen in Microsoft Authenticator, or the request was not approved in time.",
		Do:   "Choose Sign in again and approve the request in Microsoft Authenticator. If you did not start this sign-in yourself, tell your administrator: someone may know your password.",
	},
	"65004": {
		What: "The sign-in was cancelled in the browser window.",
		Why:  "Cancel (or No on a permission screen) was chosen, so no sign-in happened and nothing was stored.",
		Do:   "Choose Sign in again when you are ready, and finish the password and MFA steps in the browser window.",
	},
	"50089": {
		What: "The sign-in took too long.",
		Why:  "Microsoft's sign-in page expires after a while, and this one was left open too long or was already used.",
		Do:   "Close the sign-in window, choose Sign in again in Onboard365, and finish the steps without a long pause.",
	},
	"90002": {
		What: "There is no tenant with the name or ID that Onboard365 used.",
		Why:  "The partner tenant set in Onboard365 is mistyped, or the tenant was deleted.",
		Do:   "Check the partner tenant (its ID or its .onmicrosoft.com domain) in Settings, then choose Sign in again.",
	},
}

var tokenExplanations = map[string]explain.Explanation{
	"50020": {
		What: "Your account has no delegated (GDAP) access to this customer.",
		Why:  "Entra only lets a partner user into a customer tenant through an active GDAP relationship whose access assignment names a security group the user is in.",
		Do:   "Open GDAP relationships and check this customer: the relationship must be active, and its roles must be assigned to a group you are a member of.",
	},
}

func withCode(x explain.Explanation, code string) explain.Explanation {
	x.Code = "AADSTS" + code
	x.Known = true
	if x.LearnURL == "" {
		x.LearnURL = "https://learn.microsoft.com/entra/identity-platform/reference-error-codes"
	}
	return x
}

// explainCode explains an AADSTS number, with this package's words first.
func explainCode(code string, own map[string]explain.Explanation) explain.Explanation {
	if x, ok := own[code]; ok {
		return withCode(x, code)
	}
	x, _ := explain.Lookup("AADSTS" + code)
	return x
}

// explainTransport explains a failure to reach the cloud, or returns false.
func explainTransport(err error) (explain.Explanation, bool) {
	var certErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	if errors.As(err, &certErr) || errors.As(err, &unknownAuthority) || errors.As(err, &hostnameErr) {
		return explain.Explanation{
			What: "Onboard365 did not trust the certificate of the sign-in service.",
			Why:  "Something between this computer and Microsoft (a proxy or security software that inspects HTTPS), or a wrong cloud file, presented a certificate this computer does not trust.",
			Do:   "Check the proxy and security software settings of this computer, or the cloud file Onboard365 was started with, then try again.",
		}, true
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		host := ""
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = " at " + u.Host
		}
		return explain.Explanation{
			What: "Onboard365 could not reach the sign-in service" + host + ".",
			Why:  "The connection failed: this computer may be offline, or a proxy or firewall blocks it.",
			Do:   "Check the internet connection, proxy and firewall of this computer, then try again.",
		}, true
	}
	return explain.Explanation{}, false
}

// signInFailure turns MSAL's error from a sign-in into a *SignInError. ctx is the sign-in's own
// context (with the sign-in timeout), parent the caller's.
func signInFailure(ctx, parent context.Context, err error, waited time.Duration) error {
	var launch *launchError
	switch {
	case parent.Err() != nil && errors.Is(parent.Err(), context.Canceled):
		return &SignInError{Cancelled: true, err: context.Canceled, Explained: explain.Explanation{
			What: "The sign-in was stopped in Onboard365.",
			Why:  "It was cancelled before the browser window came back, so nothing was stored.",
			Do:   "Start the sign-in again when you are ready.",
		}}
	case ctx.Err() != nil:
		return &SignInError{TimedOut: true, err: context.DeadlineExceeded, Explained: explain.Explanation{
			What: "The sign-in window did not come back within " + humanDuration(waited) + ".",
			Why:  "Onboard365 waits a limited time for the browser to finish the sign-in: the window may have been closed, or the password and MFA steps were not finished in time. Nothing was stored.",
			Do:   "Close the sign-in window, choose Sign in again, and finish the password and MFA steps. If no window opened, copy the sign-in address shown in Onboard365 into a private browser window.",
		}}
	case errors.As(err, &launch):
		return &SignInError{err: launch.err, Explained: explain.Explanation{
			What: "Onboard365 could not open a browser window for the sign-in.",
			Why:  "No browser could be started on this computer.",
			Do:   "Use the sign-in with a code instead (it works from any device), or install a browser and try again.",
		}}
	}
	text := err.Error()
	if code := aadstsCode(text); code != "" {
		return &SignInError{Code: "AADSTS" + code, Explained: explainCode(code, signInExplanations)}
	}
	if x, ok := explainTransport(err); ok {
		return &SignInError{Explained: x}
	}
	x := explain.FromText(text)
	if !x.Known {
		x = explain.Explanation{
			What: "The sign-in did not finish.",
			Why:  "Microsoft's answer, or the browser's return to Onboard365, was not what a sign-in gives.",
			Do:   "Close the sign-in window and choose Sign in again. If it happens again, use the sign-in with a code, or give the time it happened to your support contact.",
		}
	}
	return &SignInError{Code: x.Code, Explained: x}
}

// tokenFailure turns MSAL's error from a silent token request into a *TokenError.
func tokenFailure(ctx context.Context, tenant string, err error) *TokenError {
	if ctx.Err() != nil {
		return &TokenError{Tenant: tenant, err: ctx.Err(), Explained: explain.Explanation{
			What: "The request was stopped before Microsoft answered.",
			Why:  "It was cancelled, or it took longer than Onboard365 waits.",
			Do:   "Try again.",
		}}
	}
	text := err.Error()
	if code := aadstsCode(text); code != "" {
		return &TokenError{Tenant: tenant, Code: code, Explained: explainCode(code, tokenExplanations)}
	}
	if x, ok := explainTransport(err); ok {
		return &TokenError{Tenant: tenant, Explained: x}
	}
	if strings.Contains(text, "no token found") || strings.Contains(text, "no account") {
		return &TokenError{Tenant: tenant, Explained: notSignedIn}
	}
	return &TokenError{Tenant: tenant, Explained: explain.FromText(text)}
}

var notSignedIn = explain.Explanation{
	What: "Nobody is signed in, or the stored sign-in is gone.",
	Why:  "Onboard365 redeems the partner sign-in for every tenant, and it has none to redeem.",
	Do:   "Go to Sign in and sign in with your partner account and MFA.",
}

// humanDuration says a duration as a person would: "10 minutes", "1 minute", "45 seconds".
func humanDuration(d time.Duration) string {
	if d >= time.Minute {
		m := int((d + 30*time.Second) / time.Minute)
		if m == 1 {
			return "1 minute"
		}
		return fmt.Sprintf("%d minutes", m)
	}
	s := int((d + 500*time.Millisecond) / time.Second)
	if s <= 1 {
		return "1 second"
	}
	return fmt.Sprintf("%d seconds", s)
}
