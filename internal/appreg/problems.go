package appreg

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/onboard365/onboard365/internal/appreg/permissions"
	"github.com/onboard365/onboard365/internal/explain"
	"github.com/onboard365/onboard365/internal/graph"
	"github.com/onboard365/onboard365/internal/partnercenter"
)

// Problem is a failure in plain words: what happened, why, and what to do. Its text carries no
// Microsoft code or free text, so it is shown as it is.
type Problem struct {
	What, Why, Do string
	err           error // the cause, for errors.Is/As (never shown)
}

func (p *Problem) Error() string { return strings.TrimSpace(p.What + " " + p.Why + " " + p.Do) }

// Unwrap gives the cause, so errors.Is(err, context.Canceled) holds for a stopped step.
func (p *Problem) Unwrap() error { return p.err }

// Explanation is the problem itself: it is the app's explanation of its cause, so it wins over
// the cause's own (explain.Of takes the outermost).
func (p *Problem) Explanation() explain.Explanation {
	return explain.Explanation{What: p.What, Why: p.Why, Do: p.Do, Known: true}
}

// rolesToManageApps is the sentence about the roles that can manage app registrations.
const rolesToManageApps = "Application Administrator, Cloud Application Administrator or Global Administrator"

// readProblem explains a failed read of what.
func readProblem(what string, err error) error {
	return graphProblem("Onboard365 could not read "+what+" in your partner tenant.", err)
}

// graphProblem explains a failed Graph request in the App registration wizard's words. A refusal
// (403) means the signed-in administrator lacks a role; other answers are explained by the
// Graph client's own explanation.
func graphProblem(what string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var e *graph.Error
	if errors.As(err, &e) {
		switch e.Status {
		case http.StatusForbidden:
			return &Problem{What: what, err: err,
				Why: "Microsoft refused: the account you signed in with has no role that may manage app registrations.",
				Do: "Sign in with an account that has " + rolesToManageApps + " in your partner tenant, or ask a Global Administrator to " +
					"give your account Application Administrator (Entra admin center, Roles and administrators), then press Try again."}
		case http.StatusUnauthorized:
			return &Problem{What: what, err: err,
				Why: "Microsoft did not accept the administrator sign-in; it may have expired.",
				Do:  "Go Back to the sign-in step and sign in again."}
		}
		x := e.Explanation()
		return &Problem{What: what, Why: x.What + " " + x.Why, Do: x.Do, err: err}
	}
	var d *graph.DecodeError
	if errors.As(err, &d) {
		return &Problem{What: what, err: err, Why: "Microsoft's answer could not be read (it was cut short or malformed).",
			Do: "Press Try again; if it keeps happening, check your internet connection."}
	}
	return &Problem{What: what, err: err, Why: "The request did not reach Microsoft or got no answer.",
		Do: "Check this computer's internet connection, then press Try again."}
}

// consentProblem explains a refused admin consent (oauth2PermissionGrants, appRoleAssignedTo).
func consentProblem(what string, err error) error {
	var e *graph.Error
	if errors.As(err, &e) && e.Status == http.StatusForbidden {
		return &Problem{What: what, err: err,
			Why: "Microsoft refused to grant admin consent for your account. Granting consent to Microsoft Graph takes " +
				"Global Administrator or Privileged Role Administrator (Cloud Application Administrator may grant only " +
				"delegated permissions), and your tenant may forbid it.",
			Do: "Ask a Global Administrator to open the Entra admin center, App registrations, " + permissions.DefaultName + ", API permissions, " +
				"and choose \"Grant admin consent\"; or sign in here as one. Then run this wizard again: it finds the consent and " +
				"goes on."}
	}
	return graphProblem(what, err)
}

// partnerCenterProblem explains a refused customer consent.
func partnerCenterProblem(customer string, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var e *partnercenter.Error
	if errors.As(err, &e) {
		switch {
		case e.MFARequired():
			return &Problem{What: "Partner Center refused the consent for " + customer + ".", err: err,
				Why: "Your sign-in has no MFA, and Partner Center requires it for every call.",
				Do:  "Sign in again with MFA (the step before), then run this step again."}
		case e.Status == http.StatusForbidden:
			return &Problem{What: "Partner Center refused to consent the app in " + customer + ".", err: err,
				Why: "Partner Center consents only through an active GDAP relationship that includes Application Administrator " +
					"or Cloud Application Administrator, and you have none with this customer (it may have expired, wait for the " +
					"customer's approval, or lack those roles); or your account lacks the Admin agent role in Partner Center.",
				Do: "Open GDAP relationships and renew or request a relationship with " + customer + " that includes Application " +
					"Administrator; once the customer has approved it, run customer consent again."}
		case e.Status == http.StatusNotFound:
			return &Problem{What: "Partner Center does not know " + customer + " as your customer.", err: err,
				Why: "The customer may have left your partner account.",
				Do:  "Check the customer in Partner Center (Customers); nothing else is needed here."}
		}
		x := e.Explanation()
		return &Problem{What: "Partner Center refused the consent for " + customer + ". " + x.What, Why: x.Why, Do: x.Do, err: err}
	}
	return &Problem{What: "The consent for " + customer + " did not reach Partner Center.", err: err,
		Why: "The request got no answer.", Do: "Check this computer's internet connection, then run this step again."}
}
